package org.quayside.android

import android.content.Context
import android.os.Build
import java.io.File
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.quayside.core.EnrollmentRecord
import org.quayside.shell.InspectionRepository
import org.quayside.shell.SetupForm
import org.quayside.shell.UserMessage
import org.quayside.shell.UserMessages

/** Whether the device's store is open. */
sealed interface StoreState {
    /** The store is being opened (at app start, off the main thread). */
    data object Opening : StoreState

    /** No store yet: the officer must say whose phone this is. */
    data object NeedsSetup : StoreState

    /** The store is open. */
    data class Ready(val repository: InspectionRepository) : StoreState

    /** The store exists but could not be opened. */
    data class Broken(val message: UserMessage) : StoreState
}

/**
 * The app's single store and repository, kept for the life of the process, in app-private
 * storage (`filesDir/store`). Every local edit schedules a background sync.
 */
class AppContainer(private val context: Context) {
    /** The store directory: app-private, excluded from backups. */
    val storeDir: File = File(context.filesDir, "store")

    /** Where the camera app writes a capture before it is added to the store. */
    val cameraDir: File = File(context.filesDir, "camera")

    /** The name this phone is enrolled under, shown in the server's device list. */
    val deviceName: String = "${Build.MANUFACTURER} ${Build.MODEL}".trim()

    private val prefs = context.getSharedPreferences("quayside", Context.MODE_PRIVATE)
    private val _role = MutableStateFlow(prefs.getString(KEY_ROLE, null))

    /**
     * The role the server enrolled this phone with (`officer`, `supervisor`, ...), `null` before
     * enrolment (or for a phone enrolled before the role was remembered). The review screen is
     * offered unless the phone is an officer's; the core refuses decisions from anyone else anyway.
     */
    val role: StateFlow<String?> = _role.asStateFlow()

    /** Remembers the role of an enrolment just made. */
    fun rememberEnrolment(enrolment: EnrollmentRecord) {
        prefs.edit().putString(KEY_ROLE, enrolment.role).apply()
        _role.value = enrolment.role
    }

    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val mutex = Mutex()
    private val _state = MutableStateFlow<StoreState>(StoreState.Opening)

    /** The store's state; screens wait for [StoreState.Ready]. */
    val state: StateFlow<StoreState> = _state.asStateFlow()

    /** Opens the store in the background; called once from [QuaysideApp.onCreate]. */
    fun start() {
        scope.launch {
            if (repository() != null) {
                SyncScheduler.requestSync(context)
                SyncScheduler.schedulePeriodic(context)
            }
        }
    }

    /** The open repository, opening the store first if needed; `null` before set-up. */
    suspend fun repository(): InspectionRepository? = mutex.withLock {
        (_state.value as? StoreState.Ready)?.let { return@withLock it.repository }
        val next = withContext(Dispatchers.IO) {
            try {
                InspectionRepository.openExisting(storeDir)?.let { StoreState.Ready(repositoryFor(it)) } ?: StoreState.NeedsSetup
            } catch (e: Exception) {
                StoreState.Broken(UserMessages.of(e))
            }
        }
        _state.value = next
        (next as? StoreState.Ready)?.repository
    }

    /** Creates the store for the officer named in [form]; throws with a message when the input is wrong. */
    suspend fun setUp(form: SetupForm): InspectionRepository = mutex.withLock {
        (_state.value as? StoreState.Ready)?.let { return@withLock it.repository }
        val (user, station) = form.validated()
        val repo = withContext(Dispatchers.IO) { repositoryFor(InspectionRepository.create(storeDir, user, station)) }
        _state.value = StoreState.Ready(repo)
        SyncScheduler.schedulePeriodic(context)
        repo
    }

    private fun repositoryFor(store: org.quayside.core.FieldStore) =
        InspectionRepository(store, Dispatchers.IO, onLocalChange = { SyncScheduler.requestSync(context) })

    private companion object {
        const val KEY_ROLE = "enrolled_role"
    }
}
