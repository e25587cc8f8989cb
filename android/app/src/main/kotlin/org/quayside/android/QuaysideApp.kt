package org.quayside.android

import android.app.Application
import android.app.NotificationChannel
import android.app.NotificationManager
import android.os.Build
import org.quayside.shell.QuaysideNative

/** The application: owns the [AppContainer] and opens the store at start. */
class QuaysideApp : Application() {
    /** The process-wide store and repository. */
    lateinit var container: AppContainer
        private set

    /**
     * Initialises the core's TLS verifier (before any sync can run), then opens the store off the
     * main thread, recovers photos a killed app left in the inbox and schedules a sync.
     */
    override fun onCreate() {
        super.onCreate()
        QuaysideNative.initTls(this)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.O) {
            getSystemService(NotificationManager::class.java).createNotificationChannel(
                NotificationChannel(SYNC_CHANNEL, getString(R.string.title_sync), NotificationManager.IMPORTANCE_MIN),
            )
        }
        container = AppContainer(this)
        container.start()
    }

    /** Constants. */
    companion object {
        /** The notification channel of expedited syncs on older Android versions. */
        const val SYNC_CHANNEL = "sync"
    }
}
