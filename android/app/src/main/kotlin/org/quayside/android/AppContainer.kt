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
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext
import org.quayside.core.UserMessage
import org.quayside.shell.InspectionRepository
import org.quayside.shell.Localizer
import org.quayside.shell.PhotoRecovery
import org.quayside.shell.Problem
import org.quayside.shell.Problems
import org.quayside.shell.SetupForm
import org.quayside.shell.StoreKeys
import org.quayside.shell.StoreWipe
import org.quayside.shell.Text

/** Whether the device's store is open. */
sealed interface StoreState {
    /** The store is being opened (at app start, off the main thread). */
    data object Opening : StoreState

    /**
     * No store yet: the officer must say whose phone this is. Also after an administrator revoked
     * the phone with wipe (the store deleted, its key forgotten): [AppContainer.setupNotice] says so.
     */
    data object NeedsSetup : StoreState

    /** The store is open. */
    data class Ready(val repository: InspectionRepository) : StoreState

    /**
     * The store exists but could not be opened: among others, its key is lost
     * (`error_store_key_lost`) or does not open it (`msg_error_wrong_key`). No set-up is offered
     * then: a new store would never bring the old one's records back.
     */
    data class Broken(val problem: Problem) : StoreState
}

/**
 * The core's and the shell's messages from the app's string resources: `msg_<key id>` for the
 * core's keys (values/strings.xml, values-in/strings.xml), the shell's strings by name.
 */
class AndroidLocalizer(private val context: Context) : Localizer {
    override fun text(m: UserMessage): String = shell("msg_" + m.key.id(), m.args)

    override fun shell(id: String, args: List<String>): String {
        val res = context.resources
        val resId = res.getIdentifier(id, "string", context.packageName)
        if (resId == 0) return id // a key newer than this build's resources: never crash over words
        // Always formatted, so "%%" reads "%" with or without arguments.
        return res.getString(resId, *args.toTypedArray())
    }
}

/**
 * The app's single store and repository, kept for the life of the process, in app-private
 * storage (`filesDir/store`), encrypted under the store key that [StoreKeyVault] keeps wrapped by
 * the Android Keystore (which also keeps the new key of a key change, the sync screen's
 * "Re-encrypt", until the store has it: see [StoreKeys.rotate]). After every write and every sync
 * the core's schedule goes to WorkManager.
 * A sync (on a screen or in [SyncWorker]) that reports the store wiped by an administrator has the
 * repository close it and forget its key ([StoreWipe]); the state then goes back to
 * [StoreState.NeedsSetup] with [setupNotice].
 */
class AppContainer(private val context: Context) {
    /** The store directory: app-private, excluded from backups; its `inbox/` keeps the camera's photos sealed until they are attached. */
    val storeDir: File = File(context.filesDir, "store")

    /** The name this phone is enrolled under, shown in the server's device list. */
    val deviceName: String = "${Build.MANUFACTURER} ${Build.MODEL}".trim()

    /** Messages in the device's language. */
    val localizer: Localizer = AndroidLocalizer(context)

    /** The store key, wrapped by an Android Keystore key in `noBackupFilesDir`. */
    private val keys = StoreKeyVault(context)

    /** Forgets the store key after an administrator's wipe and remembers it happened (a marker next to the wrapped key). */
    private val wipe = StoreWipe(keys, File(context.noBackupFilesDir, StoreWipe.MARKER))

    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.IO)
    private val mutex = Mutex()
    private val _state = MutableStateFlow<StoreState>(StoreState.Opening)
    private val _startNotice = MutableStateFlow<Text?>(null)
    private val _setupNotice = MutableStateFlow<Text?>(null)

    /** The store's state; screens wait for [StoreState.Ready]. */
    val state: StateFlow<StoreState> = _state.asStateFlow()

    /** What the officer is told once at start (photos recovered from the inbox); cleared when read. */
    val startNotice: StateFlow<Text?> = _startNotice.asStateFlow()

    /**
     * What the set-up screen says before the form: after an administrator's wipe deleted the store
     * ([StoreWipe.notice]), also after a restart, until a new store is set up; else `null`.
     */
    val setupNotice: StateFlow<Text?> = _setupNotice.asStateFlow()

    /** Forgets the start notice (dismissed). */
    fun dismissStartNotice() {
        _startNotice.value = null
    }

    /** Opens the store in the background, recovers photos a killed app left behind, and schedules a sync; called once from [QuaysideApp.onCreate]. */
    fun start() {
        scope.launch {
            val repo = repository() ?: return@launch
            runCatching { repo.recoverPhotos() }.getOrNull()?.let { _startNotice.value = PhotoRecovery.notice(it) }
            runCatching { repo.schedule() }
        }
    }

    /** The open repository, opening the store first if needed; `null` before set-up (and after a wipe). */
    suspend fun repository(): InspectionRepository? = mutex.withLock {
        // A repository whose store was wiped is never handed out again (its store is closed).
        (_state.value as? StoreState.Ready)?.takeUnless { it.repository.wiped.value }?.let { return@withLock it.repository }
        val next = withContext(Dispatchers.IO) {
            try {
                if (!InspectionRepository.exists(storeDir)) {
                    // No key is made before set-up; after a wipe, set-up says why the phone is empty.
                    _setupNotice.value = if (wipe.happened()) StoreWipe.notice else null
                    StoreState.NeedsSetup
                } else {
                    // The key is zeroed as soon as the core has its copy; a key change a crash cut short
                    // is settled first. A lost or unreadable key is StoreKeyLostException (never a
                    // new key for this store), a wrong one WrongKey.
                    val store = StoreKeys.open(storeDir, keys)
                    store?.let { StoreState.Ready(repositoryFor(it)) } ?: StoreState.NeedsSetup
                }
            } catch (e: Exception) {
                StoreState.Broken(Problems.of(e))
            }
        }
        _state.value = next
        (next as? StoreState.Ready)?.repository
    }

    /** Creates the store for the officer named in [form]; throws with a message when the input is wrong. */
    suspend fun setUp(form: SetupForm): InspectionRepository = mutex.withLock {
        (_state.value as? StoreState.Ready)?.takeUnless { it.repository.wiped.value }?.let { return@withLock it.repository }
        val (user, station) = form.validated()
        val repo = withContext(Dispatchers.IO) {
            // A new key for every new store (never a wiped store's), kept wrapped before the core
            // ever uses it.
            val key = StoreKeys.forNewStore(storeDir, keys)
            val store = try {
                InspectionRepository.create(storeDir, key, user, station)
            } finally {
                key.fill(0)
            }
            runCatching { wipe.setUpDone() }
            repositoryFor(store)
        }
        _setupNotice.value = null
        _state.value = StoreState.Ready(repo)
        repo
    }

    private fun repositoryFor(store: org.quayside.core.FieldStore): InspectionRepository {
        val repo = InspectionRepository(store, Dispatchers.IO, onSchedule = { SyncScheduler.apply(context, it) }, wipe = wipe, keys = keys)
        // An administrator's wipe, seen by any sync (a screen's or SyncWorker's): the repository has
        // closed the store and forgotten its key; back to set-up, saying why.
        scope.launch {
            repo.wiped.first { it }
            mutex.withLock {
                _setupNotice.value = StoreWipe.notice
                if ((_state.value as? StoreState.Ready)?.repository === repo) _state.value = StoreState.NeedsSetup
            }
        }
        return repo
    }
}
