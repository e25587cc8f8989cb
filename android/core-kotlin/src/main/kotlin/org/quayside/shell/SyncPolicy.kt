package org.quayside.shell

import kotlin.random.Random
import kotlin.time.Duration
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import org.quayside.core.ApiException
import org.quayside.core.SyncReportRecord
import org.quayside.core.SyncStatusRecord

/** What a background sync run tells the scheduler. */
enum class SyncDecision {
    /** Done: nothing left to retry (refused documents stay listed in the sync status). */
    SUCCESS,

    /** A transient failure (network, server trouble): run again after the backoff. */
    RETRY,

    /** Retrying cannot help (not enrolled, enrolment revoked, store broken): stop until the user acts. */
    STOP,
}

/**
 * When to sync and how to back off, as plain functions so they are tested on the JVM. The Android
 * worker uses these numbers for WorkManager (unique work, network constraint, exponential backoff).
 */
object SyncPolicy {
    /** Name of the unique one-off sync work enqueued on app start and after edits. */
    const val ONE_TIME_WORK_NAME = "quayside-sync"

    /** Name of the unique periodic sync work (pulls colleagues' changes while nothing is edited). */
    const val PERIODIC_WORK_NAME = "quayside-sync-periodic"

    /** First retry delay; WorkManager doubles it after each failed run (its minimum is 10 s). */
    val INITIAL_BACKOFF: Duration = 30.seconds

    /** Longest wait between retries (WorkManager's own cap is 5 hours). */
    val MAX_BACKOFF: Duration = 30.minutes

    /** How often the periodic work runs (WorkManager's minimum is 15 minutes). */
    val PERIODIC_INTERVAL: Duration = 1.hours

    /** Attempts inside one worker run (`sync_with_retry`), before handing back to WorkManager. */
    const val ATTEMPTS_PER_RUN: UInt = 3u

    /** After this many failed worker runs in a row, stop retrying until the next edit or app start. */
    const val MAX_RUN_ATTEMPTS = 12

    /** Delay before retry number [attempt] (1-based): doubling from [INITIAL_BACKOFF], capped, with up to 20 % jitter. */
    fun backoffDelay(attempt: Int, random: Random = Random.Default): Duration {
        require(attempt >= 1) { "attempt is 1-based" }
        val exp = INITIAL_BACKOFF * (1L shl (attempt - 1).coerceAtMost(20)).toDouble()
        val capped = if (exp > MAX_BACKOFF) MAX_BACKOFF else exp
        return capped * (1.0 + 0.2 * random.nextDouble())
    }

    /** Whether an error is worth retrying later without the user doing anything. */
    fun isTransient(error: Throwable): Boolean = when (error) {
        is ApiException.Network -> true
        is ApiException.Server -> error.status.toInt() >= 500 || error.status.toInt() == 429 || error.status.toInt() == 408
        is ApiException.Io, is ApiException.Internal -> true
        else -> false
    }

    /** What to tell the scheduler after a run that ended with [result], the [runAttempt]-th in a row (0-based). */
    fun decide(result: Result<SyncReportRecord>, runAttempt: Int): SyncDecision {
        val error = result.exceptionOrNull() ?: return SyncDecision.SUCCESS
        if (!isTransient(error)) return SyncDecision.STOP
        return if (runAttempt + 1 >= MAX_RUN_ATTEMPTS) SyncDecision.STOP else SyncDecision.RETRY
    }

    /** Sync rounds one worker run may do when edits keep arriving while it syncs. */
    const val MAX_ROUNDS_PER_RUN = 3

    /**
     * Whether the worker should sync again right away: edits made during the sync that just ended
     * ([after] still lists unsynced records beyond those the server refused) and rounds remain.
     */
    fun runAgain(after: SyncStatusRecord, round: Int): Boolean =
        round < MAX_ROUNDS_PER_RUN &&
            (after.unsyncedInspections > after.rejected.size.toULong() || after.unsyncedPhotos > 0uL)

    /** Whether a sync should be scheduled now: the device is enrolled and something is waiting, or it is time to pull. */
    fun shouldSync(status: SyncStatusRecord, pullDue: Boolean): Boolean =
        status.enrolled && (status.unsyncedInspections > 0uL || status.unsyncedPhotos > 0uL || pullDue)

    /** Whether a pull is due: never synced, or the last sync was longer ago than [PERIODIC_INTERVAL]. */
    fun pullDue(lastSyncAt: java.time.Instant?, now: java.time.Instant): Boolean =
        lastSyncAt == null || java.time.Duration.between(lastSyncAt, now).toMillis() >= PERIODIC_INTERVAL.inWholeMilliseconds
}
