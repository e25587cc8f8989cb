package org.quayside.shell

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import org.quayside.core.RecoveredPhoto

/** The keys the shell gives each form's draft (`save_draft`). */
object FormKeys {
    /** The inspection header of [id]; [NEW] before it is first saved. */
    fun inspection(id: String?): String = "inspection:${id ?: NEW}"

    /** Finding [findingId] of inspection [id], or a new finding of it. */
    fun finding(id: String, findingId: String?): String = "finding:$id:${findingId ?: NEW}"

    /** The seizure of inspection [id]. */
    fun seizure(id: String): String = "seizure:$id"

    /** A new custody hand-over of inspection [id], or the correction of entry [entryId]. */
    fun custody(id: String, entryId: String? = null): String = "custody:$id:${entryId ?: NEW}"

    /** The part of a key naming something not yet saved. */
    const val NEW = "new"
}

/** A form as it opens: its values, the heads of the version they were filled from, and whether an unsaved draft was restored. */
data class OpenedForm<F>(
    /** The values to show. */
    val form: F,
    /** The heads of the version the form was filled from: sent as `based_on` on save. */
    val basedOn: List<String>,
    /** An unsaved draft was put back: the screen says "Restored unsaved changes". */
    val restored: Boolean,
)

/**
 * Keeps what is typed, as it is typed: [keep] saves a form's draft [debounceMs] after the last
 * keystroke (one pending save per form), [flush] saves at once (when the screen stops), [forget]
 * drops a pending save (after a successful save, before the draft is discarded). Without a scope
 * (tests, one-shot calls) only [flush] saves.
 */
class DraftKeeper(
    private val repo: InspectionRepository,
    private val scope: CoroutineScope?,
    private val debounceMs: Long = DEBOUNCE_MS,
) {
    private class Pending(val inspectionId: String?, val basedOn: List<String>, val fields: Map<String, String>)

    private val pending = LinkedHashMap<String, Pending>()
    private val jobs = HashMap<String, Job>()

    /** Saves the draft of form [key] after the officer pauses typing. */
    fun keep(key: String, inspectionId: String?, basedOn: List<String>, fields: Map<String, String>) {
        synchronized(this) {
            pending[key] = Pending(inspectionId, basedOn, fields)
            jobs.remove(key)?.cancel()
            val s = scope ?: return
            jobs[key] = s.launch {
                delay(debounceMs)
                save(key)
            }
        }
    }

    /** Saves every pending draft now (the screen is left or stopped). */
    suspend fun flush() {
        val keys = synchronized(this) { pending.keys.toList() }
        for (k in keys) save(k)
    }

    /** Drops the pending save of [key] (the form was just saved). */
    fun forget(key: String) = synchronized(this) {
        pending.remove(key)
        jobs.remove(key)?.cancel()
    }

    private suspend fun save(key: String) {
        val p = synchronized(this) {
            jobs.remove(key)
            pending.remove(key)
        } ?: return
        runCatching { repo.saveDraft(key, p.inspectionId, p.basedOn, p.fields) }
    }

    /** Timing. */
    companion object {
        /** How long after the last keystroke a draft is saved. */
        const val DEBOUNCE_MS = 500L
    }
}

/** What the officer is told about photos found in the inbox at start. */
object PhotoRecovery {
    /** "2 photos left unsaved were attached; 1 cut short was set aside"; `null` when the inbox was empty. */
    fun notice(found: List<RecoveredPhoto>): Text? {
        if (found.isEmpty()) return null
        val attached = found.count { it is RecoveredPhoto.Attached }
        val incomplete = found.count { it is RecoveredPhoto.Incomplete }
        val orphans = found.count { it is RecoveredPhoto.Orphan }
        return text("photos_recovered", attached, incomplete, orphans)
    }
}
