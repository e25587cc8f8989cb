package org.quayside.android.ui

import androidx.lifecycle.SavedStateHandle
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
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
import org.quayside.shell.KeyChange
import org.quayside.shell.ListState
import org.quayside.shell.ReviewQueueModel
import org.quayside.shell.ReviewQueueState
import org.quayside.shell.ScannedEnrolment
import org.quayside.shell.SeizureForm
import org.quayside.shell.SetupForm
import org.quayside.shell.SyncState
import org.quayside.shell.Text
import org.quayside.shell.Numbers
import org.quayside.shell.OpenedForm
import org.quayside.shell.Problem
import org.quayside.shell.Problems
import org.quayside.core.GeoPoint

// Thin Android wrappers: each ViewModel owns a :core-kotlin state holder and runs its suspend
// functions in viewModelScope. No logic lives here.

/** The inspection list screen. */
class ListViewModel(repo: InspectionRepository) : ViewModel() {
    private val model = InspectionListModel(repo, viewModelScope).also { it.start() }

    /** Rows, search and the sync banner. */
    val state: StateFlow<ListState> = model.state

    /** Changes the search. */
    fun search(text: String) = model.search(text)

    /** Shows the next page of rows. */
    fun loadMore() = model.loadMore()
}

/**
 * The inspection editor screen, for inspection [inspectionId] or a new one when `null`. The id of
 * a new inspection is kept in [handle] once saved, so the editor reopens it after process death
 * (for instance while another app is in front).
 */
class EditorViewModel(
    private val repo: InspectionRepository,
    inspectionId: String?,
    private val handle: SavedStateHandle,
    /** Where the phone is, when the officer allows it; recorded when an inspection is created. */
    private val location: suspend () -> GeoPoint?,
) : ViewModel() {
    // The device's decimal separator: quantities are typed and shown as the officer's locale has them.
    private val model = InspectionEditorModel(
        repo,
        Numbers(java.text.DecimalFormatSymbols.getInstance().decimalSeparator.toString()),
        viewModelScope,
    )
    private val _finding = MutableStateFlow<Pair<String?, OpenedForm<FindingForm>>?>(null)
    private val _seizure = MutableStateFlow<OpenedForm<SeizureForm>?>(null)
    private val _custody = MutableStateFlow<OpenedForm<CustodyForm>?>(null)

    /** The finding dialog's form (finding id, `null` for a new one), while it is open; kept across rotation by this ViewModel, across process death by its draft. */
    val finding: StateFlow<Pair<String?, OpenedForm<FindingForm>>?> = _finding.asStateFlow()

    /** The seizure form with the heads it was filled from. */
    val seizure: StateFlow<OpenedForm<SeizureForm>?> = _seizure.asStateFlow()

    /** The new hand-over form. */
    val custody: StateFlow<OpenedForm<CustodyForm>?> = _custody.asStateFlow()

    /** Everything the editor shows. */
    val state: StateFlow<EditorState> = model.state

    init {
        val id = handle.get<String>(KEY_ID) ?: inspectionId
        viewModelScope.launch {
            if (id != null) model.load(id) else model.startNew()
            openSubForms()
        }
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

    /** Replaces the header form as typed (its draft is kept as the officer types). */
    fun edit(form: InspectionForm) = model.edit(form)

    /** Saves every pending draft now: the screen stopped (another app, the lock screen). */
    fun flushDrafts() {
        viewModelScope.launch { model.flushDrafts() }
    }

    /** Drafts are saved when the screen goes away too. */
    override fun onCleared() {
        kotlinx.coroutines.runBlocking { model.flushDrafts() }
    }

    /** Forgets the restored draft and shows the record as stored. */
    fun discardDraft() = act { model.discardDraft() }

    /** Hides the "restored unsaved changes" notice. */
    fun dismissRestored() = model.dismissRestored()

    /** Saves the header; a new inspection is created where the phone is (when the officer allows location). */
    fun save() = act {
        val at = if (model.inspectionId == null) runCatching { location() }.getOrNull() else null
        model.save(at).also { if (it) openSubForms() }
    }

    /** Records a container number whose check digit the officer confirmed on the door. */
    fun confirmCheckDigit() = act {
        val at = if (model.inspectionId == null) runCatching { location() }.getOrNull() else null
        model.confirmCheckDigit(at).also { if (it) openSubForms() }
    }

    /** Opens the finding dialog for [findingId] (a new finding when `null`), from its draft when one was kept. */
    fun openFinding(findingId: String?) = act { runCatching { model.openFinding(findingId) }.getOrNull()?.let { _finding.value = findingId to it }; true }

    /** Closes the finding dialog (its draft stays until saved). */
    fun closeFinding() {
        _finding.value = null
    }

    /** The finding form as typed: kept, and its draft saved as the officer types. */
    fun editFinding(form: FindingForm) {
        val (id, opened) = _finding.value ?: return
        _finding.value = id to opened.copy(form = form)
        model.editFinding(id, form, opened.basedOn)
    }

    /** Saves the open finding (added or changed, with the heads the dialog was filled from); closes the dialog on success. */
    fun saveFinding() = act {
        val (id, opened) = _finding.value ?: return@act false
        val ok = if (id == null) model.addFinding(opened.form) != null else model.updateFinding(id, opened.form, opened.basedOn)
        if (ok) {
            _finding.value = null
            openSubForms()
        }
        ok
    }

    /** Removes a finding. */
    fun removeFinding(findingId: String) = act { model.removeFinding(findingId) }

    /**
     * Adds the photo the in-app camera just took ([bytes], in memory): kept sealed in the store's
     * inbox first, then attached with [caption], [findingId] and where the phone is; [done] runs
     * when both are over (with whether they succeeded).
     */
    fun addPhoto(bytes: ByteArray, caption: String?, findingId: String?, done: (Boolean) -> Unit = {}) = act(done) {
        model.addPhoto(bytes, caption, findingId, runCatching { location() }.getOrNull())
    }

    /** Removes a photo from the inspection. */
    fun removePhoto(sha256: String) = act { model.removePhoto(sha256) }

    /** The seizure form as typed. */
    fun editSeizure(form: SeizureForm) {
        val opened = _seizure.value ?: return
        _seizure.value = opened.copy(form = form)
        model.editSeizure(form, opened.basedOn)
    }

    /** Records or changes the seizure, with the heads its form was filled from. */
    fun saveSeizure() = act {
        val opened = _seizure.value ?: return@act false
        model.setSeizure(opened.form, opened.basedOn).also { if (it) openSubForms() }
    }

    /** The new hand-over as typed. */
    fun editCustody(form: CustodyForm) {
        val opened = _custody.value ?: return
        _custody.value = opened.copy(form = form)
        model.editCustody(form, opened.basedOn)
    }

    /** Appends the hand-over. */
    fun addCustody() = act {
        val opened = _custody.value ?: return@act false
        model.addCustody(opened.form).also { if (it) openSubForms() }
    }

    /** (Re)fills the seizure and hand-over forms from the record or their drafts, after the record changed through a save. */
    private suspend fun openSubForms() {
        if (model.inspectionId == null) return
        _seizure.value = runCatching { model.openSeizure() }.getOrNull()
        _custody.value = runCatching { model.openCustody() }.getOrNull()
    }

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

/** The sync screen: progress, what is waiting, what the server refused, "Sync now", and re-encryption under a new key. */
class SyncViewModel(private val repo: InspectionRepository) : ViewModel() {
    /** The running or last sync. */
    val state: StateFlow<SyncState> = repo.syncState

    /** The running or last re-encryption under a new key (kept by the repository, so it shows again when the screen is reopened). */
    val keyChange: StateFlow<KeyChange> = repo.keyChange

    /** What is not yet on the server (and the enrolled role, read fresh). */
    val status: StateFlow<SyncStatusRecord?> = repo.syncStatus

    private val _schedule = MutableStateFlow<org.quayside.core.SyncSchedule?>(null)

    /** The core's schedule: what waits and when the next try is. */
    val schedule: StateFlow<org.quayside.core.SyncSchedule?> = _schedule.asStateFlow()

    init {
        viewModelScope.launch {
            runCatching { repo.refreshSyncStatus() }
            // Follow every sync's end and every edit: the schedule's message changes with them.
            kotlinx.coroutines.flow.combine(repo.syncState, repo.syncStatus) { _, _ -> }.collect {
                _schedule.value = runCatching { repo.syncSchedule() }.getOrNull()
            }
        }
    }

    /** Syncs now, in the foreground (the outcome shows in [state]). */
    fun syncNow() {
        viewModelScope.launch { runCatching { repo.sync() } }
    }

    /**
     * Re-encrypts this phone's data under a new key, as the officer confirmed (off the main
     * thread, after a running sync; the outcome shows in [keyChange]). It runs to its end even if
     * the screen is left.
     */
    fun changeKey() {
        viewModelScope.launch { runCatching { repo.changeKey() } }
    }
}

/** First start (whose phone is this) and enrolment (server address and one-time code). */
class SetupViewModel(private val container: AppContainer) : ViewModel() {
    private val _busy = MutableStateFlow(false)
    private val _message = MutableStateFlow<Problem?>(null)

    /** A call is running. */
    val busy: StateFlow<Boolean> = _busy.asStateFlow()

    /** The last error. */
    val message: StateFlow<Problem?> = _message.asStateFlow()

    /** Why set-up is shown again: an administrator wiped this phone (`notice_store_wiped`); `null` on a first start. */
    val notice: StateFlow<Text?> = container.setupNotice

    /** Creates the store for the officer; [done] runs on success. */
    fun setUp(form: SetupForm, done: () -> Unit) = act(done) { container.setUp(form) }

    /** Enrols the phone with the server; [done] runs on success. */
    fun enrol(form: EnrolmentForm, done: () -> Unit) = act(done) {
        val repo = container.repository() ?: error("no store")
        // The agency's CA or the server's key pin, when the platform's roots do not vouch for the server.
        repo.enroll(form.normalizedUrl(), form.normalizedCode(), container.deviceName, form.trust())
        runCatching { repo.sync() }
    }

    /**
     * Puts the enrolment link scanned as [text] (the administrator's QR code) into [form]: [filled]
     * gets the form with the link's server and code; a refusal (not a Quayside code, another
     * user's code) shows as the message.
     */
    fun scanned(form: EnrolmentForm, text: String, filled: (EnrolmentForm) -> Unit) {
        viewModelScope.launch {
            _message.value = null
            val repo = container.repository() ?: return@launch
            val scanned = ScannedEnrolment.read(repo, form, text)
            _message.value = scanned.problem
            if (scanned.problem == null) filled(scanned.form)
        }
    }

    /** The QR code scanner could not run: the officer types the fields instead. */
    fun scanUnavailable() {
        _message.value = ScannedEnrolment.scannerUnavailable
    }

    private fun act(done: () -> Unit, action: suspend () -> Unit) {
        viewModelScope.launch {
            _busy.value = true
            _message.value = null
            val error = runCatching { action() }.exceptionOrNull()
            _busy.value = false
            if (error == null) done() else _message.value = Problems.of(error)
        }
    }
}
