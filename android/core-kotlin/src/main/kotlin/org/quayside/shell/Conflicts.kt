package org.quayside.shell

import org.quayside.core.ConflictKind
import org.quayside.core.ConflictRecord
import org.quayside.core.ConflictValueRecord
import org.quayside.core.InspectionView
import org.quayside.core.RemovedRecord

/**
 * A conflict as the editor lists it: what happened and what the officer can do (the core's
 * [ConflictRecord.message] and [ConflictRecord.hint]), and one line per value. The core decides
 * what is in conflict and words it; this lays out the values and the actions.
 */
data class ConflictNotice(
    /** The core's conflict, passed back to the editor's actions. */
    val conflict: ConflictRecord,
) {
    /** A few words, e.g. "Finding removed by kofi while ama edited it". */
    val title: Text get() = Text.Core(conflict.message)

    /** What the officer can do about it. */
    val hint: Text get() = Text.Core(conflict.hint)

    /** One line per value: the removals first, then the edits they did not see; or each concurrent value. */
    val lines: List<Text>
        get() = when (conflict.kind) {
            ConflictKind.REMOVED_WHILE_EDITED -> {
                val removals = conflict.values.filter { it.value == REMOVED }.ifEmpty { conflict.values.take(1) }
                removals.map { line(Text.Shell("title_removed"), it) } + (conflict.values - removals.toSet()).map { line(Text.Typed(it.value), it) }
            }
            ConflictKind.VALUES -> conflict.values.mapIndexed { i, v ->
                val value = if (v.value.isEmpty()) Text.Shell("conflict_value_empty") else Text.Typed("\u201c${v.value}\u201d")
                line(if (i == 0) Text.Composed("conflict_value_shown", listOf(value)) else value, v)
            }
        }

    /** A colleague removed an element while another edited it: Restore and Confirm removal are offered. */
    val removedWhileEdited: Boolean
        get() = conflict.kind == ConflictKind.REMOVED_WHILE_EDITED && conflict.list != null && conflict.elementId != null

    /** Concurrent rewrites of the notes: each version can be kept with one tap (it is written again, which settles it). */
    val notesVersions: List<String>
        get() = if (conflict.kind == ConflictKind.VALUES && conflict.path == NOTES_PATH) conflict.values.map { it.value } else emptyList()

    /** One line for the figures card: title and values. */
    val summary: Text get() = Text.Joined(listOf(title, Text.Joined(lines, " / ")), ": ")

    /** Paths and values of conflicts. */
    companion object {
        /** The path of the inspection's free-text notes. */
        const val NOTES_PATH = "notes"

        /** The value the core gives a removal in a `RemovedWhileEdited` conflict. */
        private const val REMOVED = "removed"

        private fun line(what: Text, v: ConflictValueRecord): Text =
            Text.Joined(listOfNotNull(what, v.user?.let(Text::Typed), v.at?.let { Text.Typed(ReviewText.time(it)) }), " \u00b7 ")
    }
}

/**
 * An element removed from one of the inspection's lists (a finding, photo, seized quantity or
 * custody hand-over), listed with Restore: a removal made by mistake, on this phone or a
 * colleague's, is undone in one step with everything it said (`restore_element`).
 */
data class RemovedNotice(
    /** The core's record, passed back to the editor's restore action. */
    val record: RemovedRecord,
) {
    /** "Finding …9f3a6c21 removed 2026-11-29 13:49" (`removed_element`; the id's end, as the CLI shows ids). */
    val text: Text
        get() = Text.Composed("removed_element", listOf(Text.Core(record.list.label()), Text.Typed(Ids.short(record.id)), Text.Typed(ReviewText.time(record.removedAt))))

    /** Removed elements. */
    companion object {
        /**
         * The removed elements of [view], newest first, leaving out those a removal-while-edited
         * conflict already lists (with Restore and Confirm removal).
         */
        fun list(view: InspectionView): List<RemovedNotice> = view.removed
            .filterNot { r ->
                view.conflicts.any { it.kind == ConflictKind.REMOVED_WHILE_EDITED && it.list == r.list && it.elementId == r.id }
            }
            .sortedByDescending { it.removedAt }
            .map(::RemovedNotice)
    }
}
