package org.quayside.android

import android.content.Context
import androidx.work.Constraints
import androidx.work.ExistingWorkPolicy
import androidx.work.NetworkType
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.OutOfQuotaPolicy
import androidx.work.WorkManager
import java.util.concurrent.TimeUnit
import org.quayside.core.SyncSchedule
import org.quayside.shell.SyncScheduling

/**
 * Hands the core's [SyncSchedule] to WorkManager. The core decides when (it records every attempt
 * and backs off); [SyncScheduling.spec] (JVM-tested) translates; this only enqueues. Called after
 * every write and every sync, through the repository's `onSchedule`.
 */
object SyncScheduler {
    private val connected: Constraints = Constraints.Builder()
        .setRequiredNetworkType(NetworkType.CONNECTED)
        .build()

    /** Enqueues the next sync as [schedule] says; nothing for ENROL / ENROL_AGAIN (the screens show its message). */
    fun apply(context: Context, schedule: SyncSchedule) {
        val spec = SyncScheduling.spec(schedule)
        if (!spec.enqueue) return
        val builder = OneTimeWorkRequestBuilder<SyncWorker>()
            .setConstraints(connected)
            .setInitialDelay(spec.delayMs, TimeUnit.MILLISECONDS)
        if (spec.expedited) builder.setExpedited(OutOfQuotaPolicy.RUN_AS_NON_EXPEDITED_WORK_REQUEST)
        // APPEND_OR_REPLACE: a request made while a sync runs is queued after it (an edit made
        // during a sync is sent by the next run), never dropped as KEEP would.
        WorkManager.getInstance(context)
            .enqueueUniqueWork(SyncScheduling.WORK_NAME, ExistingWorkPolicy.APPEND_OR_REPLACE, builder.build())
    }
}
