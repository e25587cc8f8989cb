package org.quayside.shell

import org.quayside.core.ConflictKind
import org.quayside.core.ConflictRecord
import org.quayside.core.ConflictValueRecord
import org.quayside.core.ElementList
import org.quayside.core.InspectionView
import org.quayside.core.RemovedRecord

/**
 * A conflict as the editor lists it: what happened in a sentence, one line per value, and what
 * the officer can do. The core decides what is in conflict; this only words it.
 */
data class ConflictNotice(
    /** The core's conflict, passed back to the editor's actions. */
    val conflict: ConflictRecord,
    /** A few words, e.g. "Finding removed by kofi while ama edited it". */
    val title: String,
    /** One line per value: the removals first, then the edits they did not see; or each concurrent value. */
    val lines: List<String>,
    /** What the officer can do about it. */
    val hint: String,
) {
    /** A colleague removed an element while another edited it: Restore and Confirm removal are offered. */
    val removedWhileEdited: Boolean
        get() = conflict.kind == ConflictKind.REMOVED_WHILE_EDITED && conflict.list != null && conflict.elementId != null

    /** Concurrent rewrites of the notes: each version can be kept with one tap (it is written again, which settles it). */
    val notesVersions: List<String>
        get() = if (conflict.kind == ConflictKind.VALUES && conflict.path == NOTES_PATH) conflict.values.map { it.value } else emptyList()

    /** Wording of conflicts. */
    companion object {
        /** The path of the inspection's free-text notes. */
        const val NOTES_PATH = "notes"

        /** The value the core gives a removal in a `RemovedWhileEdited` conflict. */
        private const val REMOVED = "removed"

        /** The notice for [c]. */
        fun of(c: ConflictRecord): ConflictNotice = when (c.kind) {
            ConflictKind.REMOVED_WHILE_EDITED -> {
                val removals = c.values.filter { it.value == REMOVED }.ifEmpty { c.values.take(1) }
                val edits = c.values - removals.toSet()
                val element = element(c.list).replaceFirstChar { it.uppercase() }
                val removedBy = removals.mapNotNull { it.user }.distinct().joinToString(" and ").ifEmpty { "a colleague" }
                val editedBy = edits.mapNotNull { it.user }.distinct().joinToString(" and ").ifEmpty { "someone" }
                ConflictNotice(
                    conflict = c,
                    title = "$element removed by $removedBy while $editedBy edited it",
                    lines = removals.map { line("Removed", it) } + edits.map { line(it.value, it) },
                    hint = "Restore brings it back with every edit; Confirm removal keeps it removed. " +
                        "Either way, what it said stays in the history.",
                )
            }
            ConflictKind.VALUES -> ConflictNotice(
                conflict = c,
                title = "Changed on two devices: ${c.path}",
                lines = c.values.mapIndexed { i, v ->
                    line("\u201c${v.value.ifEmpty { "(empty)" }}\u201d" + if (i == 0) " (shown)" else "", v)
                },
                hint = if (c.path == NOTES_PATH) "Keep one version, or write the notes again." else "Set the field again to settle it.",
            )
        }

        /** One line for a list of conflicts (the figures card): title and values. */
        fun summary(c: ConflictRecord): String = of(c).let { n -> n.title + ": " + n.lines.joinToString(" / ") }

        /** What an element of [list] is called. */
        fun element(list: ElementList?): String = when (list) {
            ElementList.FINDINGS -> "finding"
            ElementList.PHOTOS -> "photo"
            ElementList.SEIZURE_ITEMS -> "seized quantity"
            ElementList.CUSTODY -> "custody hand-over"
            null -> "entry"
        }

        private fun line(what: String, v: ConflictValueRecord): String =
            listOfNotNull(what, v.user, v.at?.let(ReviewText::time)).joinToString(" \u00b7 ")
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
    /** "Finding …9f3a6c21 removed 2026-11-29 13:49" (the id's end, as the CLI shows ids). */
    val text: String,
) {
    /** Wording of removed elements. */
    companion object {
        /** The notice for [r]. */
        fun of(r: RemovedRecord): RemovedNotice {
            val element = ConflictNotice.element(r.list).replaceFirstChar { it.uppercase() }
            return RemovedNotice(r, "$element \u2026${Ids.short(r.id)} removed ${ReviewText.time(r.removedAt)}")
        }

        /**
         * The removed elements of [view], newest first, leaving out those a removal-while-edited
         * conflict already lists (with Restore and Confirm removal).
         */
        fun list(view: InspectionView): List<RemovedNotice> = view.removed
            .filterNot { r ->
                view.conflicts.any { it.kind == ConflictKind.REMOVED_WHILE_EDITED && it.list == r.list && it.elementId == r.id }
            }
            .sortedByDescending { it.removedAt }
            .map(::of)
    }
}
