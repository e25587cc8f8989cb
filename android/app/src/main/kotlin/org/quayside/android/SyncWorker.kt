package org.quayside.android

import android.content.Context
import android.util.Log
import androidx.work.CoroutineWorker
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import org.quayside.shell.SyncDecision
import org.quayside.shell.SyncPolicy
import org.quayside.shell.SyncText

/**
 * Background sync: pushes what was recorded offline, pulls colleagues' changes, uploads photos.
 * Progress shows on the sync screen through the shared repository. What to tell WorkManager
 * (success, retry with backoff, stop) is decided by [SyncPolicy], tested on the JVM.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    /** Runs up to [SyncPolicy.MAX_ROUNDS_PER_RUN] sync rounds while edits keep arriving. */
    override suspend fun doWork(): Result {
        val repo = (applicationContext as QuaysideApp).container.repository() ?: return Result.success()
        val status = runCatching { repo.refreshSyncStatus() }.getOrElse { return Result.retry() }
        if (!status.enrolled) return Result.success() // nothing to sync to until the phone is enrolled
        var round = 1
        while (true) {
            val result = runCatching { repo.sync(SyncPolicy.ATTEMPTS_PER_RUN) }
            result.exceptionOrNull()?.let { Log.w(TAG, "sync failed (run attempt $runAttemptCount)", it) }
            when (SyncPolicy.decide(result, runAttemptCount)) {
                SyncDecision.RETRY -> return Result.retry()
                SyncDecision.STOP -> return Result.failure()
                SyncDecision.SUCCESS -> Unit
            }
            val after = repo.refreshSyncStatus()
            if (!SyncPolicy.runAgain(after, round++)) {
                return Result.success(workDataOf(KEY_SUMMARY to SyncText.report(result.getOrThrow())))
            }
        }
    }

    private companion object {
        const val TAG = "QuaysideSync"
        const val KEY_SUMMARY = "summary"
    }
}
