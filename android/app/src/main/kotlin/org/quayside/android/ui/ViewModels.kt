package org.quayside.android.ui

import androidx.lifecycle.SavedStateHandle
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import java.io.File
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.filterIsInstance
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.launch
import org.quayside.android.AppContainer
import org.quayside.core.ConflictRecord
import org.quayside.core.RemovedRecord
import org.quayside.core.SyncStatusRecord
import org.quayside.shell.CustodyForm
import org.quayside.shell.EditorState
import org.quayside.shell.EnrolmentForm
import org.quayside.shell.FindingForm
import org.quayside.shell.InspectionEditorModel
import org.quayside.shell.InspectionForm
import org.quayside.shell.InspectionListModel
import org.quayside.shell.InspectionRepository
import org.quayside.shell.ListState
import org.quayside.shell.ReviewQueueModel
import org.quayside.shell.ReviewQueueState
import org.quayside.shell.SeizureForm
import org.quayside.shell.SetupForm
import org.quayside.shell.SyncState
import org.quayside.shell.UserMessage
import org.quayside.shell.UserMessages

// Thin Android wrappers: each ViewModel owns a :core-kotlin state holder and runs its suspend
// functions in viewModelScope. No logic lives here.

/** The inspection list screen. */
class ListViewModel(repo: InspectionRepository) : ViewModel() {
    private val model = InspectionListModel(repo, viewModelScope).also { it.start() }

    /** Rows, search and the sync banner. */
    val state: StateFlow<ListState> = model.state

    /** Changes the search. */
    fun search(text: String) = model.search(text)
}

/**
 * The inspection editor screen, for inspection [inspectionId] or a new one when `null`. The id of
 * a new inspection is kept in [handle] once saved, so the editor reopens it after process death
 * (for instance while the camera app is in front).
 */
class EditorViewModel(private val repo: InspectionRepository, inspectionId: String?, private val handle: SavedStateHandle) : ViewModel() {
    private val model = InspectionEditorModel(repo)

    /** Everything the editor shows. */
    val state: StateFlow<EditorState> = model.state

    init {
        val id = handle.get<String>(KEY_ID) ?: inspectionId
        if (id != null) viewModelScope.launch { model.load(id) }
        viewModelScope.launch {
            model.state.map { it.view?.inspection?.id }.distinctUntilChanged().collect { saved ->
                if (saved != null) handle[KEY_ID] = saved
            }
        }
        // A sync that received changes may carry a supervisor's decision or a colleague's edit.
        viewModelScope.launch {
            repo.syncState.filterIsInstance<SyncState.Done>().collect { done ->
                if (done.report.received > 0uL && model.inspectionId != null) model.refresh()
            }
        }
    }

    private companion object {
        const val KEY_ID = "inspectionId"
    }

    /** The repository, for reading photo bytes into thumbnails. */
    val repository: InspectionRepository get() = repo

    /** Replaces the header form as typed. */
    fun edit(form: InspectionForm) = model.edit(form)

    /** Saves the header (creates the inspection the first time). */
    fun save() = act { model.save() }

    /** Records a container number whose check digit the officer confirmed on the door. */
    fun confirmCheckDigit() = act { model.confirmCheckDigit() }

    /** Adds a finding; [done] learns whether it worked (the dialog closes on success). */
    fun addFinding(form: FindingForm, done: (Boolean) -> Unit) = act(done) { model.addFinding(form) != null }

    /** Changes a finding. */
    fun updateFinding(findingId: String, form: FindingForm, done: (Boolean) -> Unit) = act(done) { model.updateFinding(findingId, form) }

    /** Removes a finding. */
    fun removeFinding(findingId: String) = act { model.removeFinding(findingId) }

    /** Adds the camera's capture in [file]. */
    fun addPhoto(file: File, caption: String?, findingId: String?) = act { model.addPhoto(file, caption, findingId, null) }

    /** Removes a photo from the inspection. */
    fun removePhoto(sha256: String) = act { model.removePhoto(sha256) }

    /** Records or changes the seizure. */
    fun setSeizure(form: SeizureForm, done: (Boolean) -> Unit) = act(done) { model.setSeizure(form) }

    /** Appends a custody hand-over. */
    fun addCustody(form: CustodyForm, done: (Boolean) -> Unit) = act(done) { model.addCustody(form) }

    /** Removes a custody hand-over recorded by mistake. */
    fun removeCustody(entryId: String) = act { model.removeCustody(entryId) }

    /** Brings back an element a colleague removed while it was being edited, with every edit. */
    fun restore(conflict: ConflictRecord) = act { model.restore(conflict) }

    /** Brings back an element removed from the inspection (listed under Removed), with everything it said. */
    fun restoreRemoved(removed: RemovedRecord) = act { model.restoreRemoved(removed) }

    /** Confirms the removal of an element a colleague edited meanwhile. */
    fun confirmRemoval(conflict: ConflictRecord) = act { model.confirmRemoval(conflict) }

    /** Keeps one of the concurrently written versions of the notes. */
    fun keepNotes(version: String) = act { model.keepNotes(version) }

    /** Submits for review. */
    fun submit() = act { model.submit() }

    /** Loads the change history. */
    fun loadHistory() = act { model.loadHistory() }

    /** Clears the error shown. */
    fun dismissMessage() = model.dismissMessage()

    private fun act(done: (Boolean) -> Unit = {}, action: suspend () -> Boolean) {
        viewModelScope.launch { done(action()) }
    }
}

/**
 * Supervisor review: the queue (inspections awaiting a decision, or changed since submission or
 * approval), one inspection opened in full, Approve / Return with a comment naming the version on
 * screen, each decision sent with a sync.
 */
class ReviewViewModel(repo: InspectionRepository) : ViewModel() {
    private val model = ReviewQueueModel(repo, viewModelScope).also { it.start() }

    /** Queue, open inspection, comment, outcome of the last decision. */
    val state: StateFlow<ReviewQueueState> = model.state

    init {
        // Pull what officers submitted since the last sync; offline, the queue shows what the phone has.
        syncAndLoad()
    }

    /** Syncs, then reloads the queue. */
    fun syncAndLoad() = launch { model.syncAndLoad() }

    /** Opens inspection [id] for review. */
    fun open(id: String) = launch { model.open(id) }

    /** Back to the queue. */
    fun close() = model.close()

    /** Replaces the comment as typed. */
    fun editComment(text: String) = model.editComment(text)

    /** Approves the open inspection as shown, then syncs (refused, and shown again, when it changed since it was opened). */
    fun approve() = launch { model.approve() }

    /** Returns the open inspection with the comment, then syncs. */
    fun returnToOfficer() = launch { model.returnToOfficer() }

    /** Clears the error shown. */
    fun dismissMessage() = model.dismissMessage()

    /** A photo's bytes, or `null` when only its record (not the image) is on this phone. */
    suspend fun photo(sha256: String): ByteArray? = model.photo(sha256)

    private fun launch(action: suspend () -> Unit) {
        viewModelScope.launch { action() }
    }
}

/** The sync screen: progress, what is waiting, what the server refused, "Sync now". */
class SyncViewModel(private val repo: InspectionRepository) : ViewModel() {
    /** The running or last sync. */
    val state: StateFlow<SyncState> = repo.syncState

    /** What is not yet on the server. */
    val status: StateFlow<SyncStatusRecord?> = repo.syncStatus

    init {
        viewModelScope.launch { runCatching { repo.refreshSyncStatus() } }
    }

    /** Syncs now, in the foreground (the outcome shows in [state]). */
    fun syncNow() {
        viewModelScope.launch { runCatching { repo.sync() } }
    }
}

/** First start (whose phone is this) and enrolment (server address and one-time code). */
class SetupViewModel(private val container: AppContainer) : ViewModel() {
    private val _busy = MutableStateFlow(false)
    private val _message = MutableStateFlow<UserMessage?>(null)

    /** A call is running. */
    val busy: StateFlow<Boolean> = _busy.asStateFlow()

    /** The last error. */
    val message: StateFlow<UserMessage?> = _message.asStateFlow()

    /** Creates the store for the officer; [done] runs on success. */
    fun setUp(form: SetupForm, done: () -> Unit) = act(done) { container.setUp(form) }

    /** Enrols the phone with the server; [done] runs on success. */
    fun enrol(form: EnrolmentForm, done: () -> Unit) = act(done) {
        val repo = container.repository() ?: error("no store")
        container.rememberEnrolment(repo.enroll(form.normalizedUrl(), form.normalizedCode(), container.deviceName))
        runCatching { repo.sync() }
    }

    private fun act(done: () -> Unit, action: suspend () -> Unit) {
        viewModelScope.launch {
            _busy.value = true
            _message.value = null
            val error = runCatching { action() }.exceptionOrNull()
            _busy.value = false
            if (error == null) done() else _message.value = UserMessages.of(error)
        }
    }
}
