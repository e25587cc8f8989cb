package org.quayside.shell

import org.quayside.core.Role
import org.quayside.core.SyncAction
import org.quayside.core.SyncPhase
import org.quayside.core.SyncProgressRecord
import org.quayside.core.SyncReportRecord
import org.quayside.core.SyncSchedule
import org.quayside.core.SyncStatusRecord

/** Where the sync of this device stands, for the sync screen and the list's banner. */
sealed interface SyncState {
    /** No sync has run since the app started. */
    data object Idle : SyncState

    /** A sync is running; [progress] is the latest step the core reported. */
    data class Running(val progress: SyncProgressRecord) : SyncState

    /** The last sync finished; [report] says what it did. */
    data class Done(val report: SyncReportRecord) : SyncState

    /** The last sync failed; [problem] says why and what to do. */
    data class Failed(val problem: Problem) : SyncState
}

/** Presentation of sync progress and pending work, shared by every screen that shows it. */
object SyncText {
    /** A step's words: the core's own message for it ("Records 3 of 7", "Attempt 1 failed; trying again in 2 s"). */
    fun phase(p: SyncProgressRecord): Text = Text.Core(p.message)

    /** Progress between 0 and 1 for a progress bar, `null` when indeterminate (feed, retry). */
    fun fraction(p: SyncProgressRecord): Float? = when (p.phase) {
        SyncPhase.DOCUMENTS -> ratio(p.documentsDone, p.documentsTotal)
        SyncPhase.PHOTOS -> ratio(p.photosDone, p.photosTotal)
        SyncPhase.DONE -> 1f
        SyncPhase.FEED, SyncPhase.RETRY -> null
    }

    private fun ratio(done: ULong, total: ULong): Float? =
        if (total == 0uL) null else (done.toDouble() / total.toDouble()).toFloat().coerceIn(0f, 1f)

    /** What is waiting and when it goes: the core's words for the [schedule]. */
    fun pending(schedule: SyncSchedule): Text = Text.Core(schedule.message)

    /** A summary of a finished sync: "Sent 1, received 2, 3 photos uploaded, 1 refused". */
    fun report(r: SyncReportRecord): Text =
        text("sync_report", r.pushed, r.received, r.photosUploaded, r.rejected.size)
}

/** Which screens the enrolled role opens; read from a fresh `sync_status`, never a remembered value. */
object Roles {
    /** Whether the review tab is shown: the phone is enrolled as a supervisor's (the core refuses decisions from anyone else). */
    fun showsReview(status: SyncStatusRecord?): Boolean = status?.role == Role.SUPERVISOR
}

/**
 * What to ask WorkManager for: a one-off sync after [delayMs], [expedited] where the OS allows
 * (only without a delay: WorkManager refuses delayed expedited work), or nothing ([enqueue] false)
 * until the officer enrols.
 */
data class WorkRequestSpec(val enqueue: Boolean, val delayMs: Long, val expedited: Boolean)

/**
 * The mapping from the core's [SyncSchedule] to a WorkManager request. The core decides when (it
 * records every attempt and backs off); the shell only translates, after every write and every sync.
 */
object SyncScheduling {
    /** Name of the unique sync work: a request while a run is going is appended, not dropped. */
    const val WORK_NAME = "quayside-sync"

    /** The request for [schedule]. */
    fun spec(schedule: SyncSchedule): WorkRequestSpec = when (schedule.action) {
        SyncAction.NOW -> WorkRequestSpec(enqueue = true, delayMs = 0, expedited = schedule.expedited)
        SyncAction.AFTER -> {
            val delay = schedule.delayMs.coerceAtMost(Long.MAX_VALUE.toULong()).toLong()
            WorkRequestSpec(enqueue = true, delayMs = delay, expedited = schedule.expedited && delay == 0L)
        }
        SyncAction.ENROL, SyncAction.ENROL_AGAIN -> WorkRequestSpec(enqueue = false, delayMs = 0, expedited = false)
    }
}
