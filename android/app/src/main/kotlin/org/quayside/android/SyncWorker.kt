package org.quayside.android

import android.content.Context
import android.util.Log
import androidx.core.app.NotificationCompat
import androidx.work.CoroutineWorker
import androidx.work.ForegroundInfo
import androidx.work.WorkerParameters
import kotlinx.coroutines.CancellationException
import org.quayside.core.ApiException

/**
 * Background sync: pushes what was recorded offline, pulls colleagues' changes, uploads photos.
 * The core records each attempt's outcome and says when to try next: after the run the repository
 * hands the new schedule to [SyncScheduler] (its `onSchedule`), so a handled failure is a success
 * for WorkManager (no WorkManager backoff on top of the core's). A stop (constraints lost, the
 * system's quota) is not a failure either.
 *
 * An administrator may have revoked the phone with wipe: the core then pushes what the server
 * accepts and deletes the store, and the repository (the app's one, shared with the screens) closes
 * the store and forgets its key before `sync` returns; [AppContainer] goes back to set-up. Work
 * queued after that finds no store and does nothing.
 */
class SyncWorker(context: Context, params: WorkerParameters) : CoroutineWorker(context, params) {
    /** One sync; the next run is enqueued from the core's schedule. */
    override suspend fun doWork(): Result {
        // No store (before set-up, or wiped by an administrator): nothing to sync.
        val repo = (applicationContext as QuaysideApp).container.repository() ?: return Result.success()
        try {
            val report = repo.sync()
            // Store closed and key forgotten by the repository; nothing further is scheduled.
            if (report.wiped) Log.i(TAG, "store wiped by an administrator")
        } catch (e: CancellationException) {
            throw e // stopped by WorkManager: not a failure; the schedule is asked again next time
        } catch (e: ApiException) {
            // Recorded by the core (code, retryable); the repository has enqueued the next run.
            Log.w(TAG, "sync failed: ${e.code()}")
        }
        return Result.success()
    }

    /** Expedited work on Android 11 and older runs as a foreground service: a quiet notification. */
    override suspend fun getForegroundInfo(): ForegroundInfo {
        val notification = NotificationCompat.Builder(applicationContext, QuaysideApp.SYNC_CHANNEL)
            .setSmallIcon(android.R.drawable.stat_notify_sync)
            .setContentTitle(applicationContext.getString(R.string.title_sync))
            .setOngoing(true)
            .build()
        return ForegroundInfo(NOTIFICATION_ID, notification)
    }

    private companion object {
        const val TAG = "QuaysideSync"
        const val NOTIFICATION_ID = 1
    }
}
