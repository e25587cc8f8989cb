package org.quayside.android

import android.content.Context
import androidx.work.BackoffPolicy
import androidx.work.Constraints
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit
import org.quayside.shell.SyncPolicy

/**
 * Enqueues [SyncWorker] with WorkManager: only with a network connection, exponential backoff
 * from [SyncPolicy.INITIAL_BACKOFF], unique so that edits in quick succession share one run.
 */
object SyncScheduler {
    private val connected: Constraints = Constraints.Builder()
        .setRequiredNetworkType(NetworkType.CONNECTED)
        .build()

    /** Asks for a sync as soon as the network allows (app start, after every edit). */
    fun requestSync(context: Context) {
        val request = OneTimeWorkRequestBuilder<SyncWorker>()
            .setConstraints(connected)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, SyncPolicy.INITIAL_BACKOFF.inWholeSeconds, TimeUnit.SECONDS)
            .build()
        // KEEP: a pending or running sync also carries this edit (the worker syncs again when edits
        // arrived while it ran); a sync waiting out its backoff is not restarted by every keystroke.
        WorkManager.getInstance(context).enqueueUniqueWork(SyncPolicy.ONE_TIME_WORK_NAME, ExistingWorkPolicy.KEEP, request)
    }

    /** Keeps a periodic pull of colleagues' changes, hourly while connected. */
    fun schedulePeriodic(context: Context) {
        val request = PeriodicWorkRequestBuilder<SyncWorker>(SyncPolicy.PERIODIC_INTERVAL.inWholeMinutes, TimeUnit.MINUTES)
            .setConstraints(connected)
            .setBackoffCriteria(BackoffPolicy.EXPONENTIAL, SyncPolicy.INITIAL_BACKOFF.inWholeSeconds, TimeUnit.SECONDS)
            .build()
        WorkManager.getInstance(context)
            .enqueueUniquePeriodicWork(SyncPolicy.PERIODIC_WORK_NAME, ExistingPeriodicWorkPolicy.KEEP, request)
    }
}
