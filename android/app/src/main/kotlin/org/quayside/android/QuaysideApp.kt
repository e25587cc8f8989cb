package org.quayside.android

import android.app.Application

/** The application: owns the [AppContainer] and opens the store at start. */
class QuaysideApp : Application() {
    /** The process-wide store and repository. */
    lateinit var container: AppContainer
        private set

    /** Opens the store off the main thread and schedules a sync of anything left unsynced. */
    override fun onCreate() {
        super.onCreate()
        container = AppContainer(this)
        container.start()
    }
}
