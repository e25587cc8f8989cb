package org.quayside.shell

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.flow.updateAndGet
import org.quayside.core.ConflictKind
import org.quayside.core.ConflictRecord
import org.quayside.core.ElementList
import org.quayside.core.GeoPoint
import org.quayside.core.HistoryRecord
import org.quayside.core.InspectionFields
import org.quayside.core.InspectionRecord
import org.quayside.core.InspectionStatus
import org.quayside.core.InspectionView
import org.quayside.core.PhotoFields
import org.quayside.core.RemovedRecord
import org.quayside.core.ReviewState

/** Everything the inspection editor screen shows. */
data class EditorState(
    /** The stored inspection with figures, flags and conflicts; `null` while a new one is being typed. */
    val view: InspectionView? = null,
    /** The header form as typed. */
    val form: InspectionForm = InspectionForm(),
    /** The heads of the version [form] was filled from: sent as `based_on` when it is saved. */
    val basedOn: List<String> = emptyList(),
    /** The form was filled from an unsaved draft: the screen says "Restored unsaved changes". */
    val restoredDraft: Boolean = false,
    /** A call to the core is running. */
    val busy: Boolean = false,
    /** The last problem, until dismissed. */
    val message: Problem? = null,
    /** The inspection's change history, once loaded. */
    val history: List<HistoryRecord> = emptyList(),
) {
    /** Where the inspection stands in review; `null` before it is first saved. */
    val review: ReviewState? get() = view?.reviewState

    /** The review banner: awaiting, changed since submission, returned with the supervisor's comment, approved, changed since approval. */
    val reviewNotice: ReviewNotice? get() = view?.let(ReviewText::notice)

    /**
     * Whether the inspection may be submitted: a draft, or submitted again when the supervisor
     * returned it or it changed since it was submitted or approved (the new submission signs
     * the version as it is now, which the supervisor can then approve).
     */
    val canSubmit: Boolean get() = view != null && (view.inspection.status == InspectionStatus.DRAFT || review?.canResubmit == true)

    /** Whether submitting now submits again (after a return or a change): the button reads "Submit again". */
    val isResubmission: Boolean get() = view?.inspection?.status == InspectionStatus.SUBMITTED && review?.canResubmit == true

    /** The conflicts to settle, worded: removals that raced an edit (Restore / Confirm removal) and concurrent values. */
    val conflicts: List<ConflictNotice> get() = view?.conflicts?.map(::ConflictNotice).orEmpty()

    /** Elements removed from the inspection's lists, each with Restore (those in [conflicts] are listed there). */
    val removed: List<RemovedNotice> get() = view?.let(RemovedNotice::list).orEmpty()
}

/**
 * State holder behind the inspection editor: header, findings, photos, seizure, custody and
 * submission. Plain Kotlin (no Android): the app's ViewModel calls these suspend functions from
 * its scope. Every action returns whether it succeeded; a failure leaves the record unchanged
 * and puts a [Problem] into [state].
 *
 * Forms never compare themselves with the record: each keeps the heads of the version it was
 * filled from and sends all its fields with them (`based_on`); the core writes what changed. What
 * is typed is kept as a draft as it is typed ([scope] runs the debounced saves; [flushDrafts] when
 * the screen stops) and put back when the form opens again, even after the app was killed.
 */
class InspectionEditorModel(
    private val repo: InspectionRepository,
    /** The device's decimal separator, for quantities. */
    val numbers: Numbers = Numbers(),
    scope: CoroutineScope? = null,
    debounceMs: Long = DraftKeeper.DEBOUNCE_MS,
) {
    private val _state = MutableStateFlow(EditorState())
    private val drafts = DraftKeeper(repo, scope, debounceMs)

    /** What the screen shows. */
    val state: StateFlow<EditorState> = _state.asStateFlow()

    /** The id of the inspection being edited, `null` before it is first saved. */
    val inspectionId: String? get() = _state.value.view?.inspection?.id

    /** Opens a new inspection's form, with the draft of one not yet saved if there is one. */
    suspend fun startNew(): Boolean = run {
        val d = repo.draft(FormKeys.inspection(null))
        if (d != null) _state.update { it.copy(form = InspectionForm(d.fields), restoredDraft = true) }
    }

    /** Loads inspection [id] and fills the form from it, or from its unsaved draft (which wins for the fields it has). */
    suspend fun load(id: String): Boolean = run {
        val view = repo.get(id)
        val d = repo.draft(FormKeys.inspection(id))
        _state.update {
            if (d != null) {
                it.copy(view = view, form = formOf(view).with(d.fields), basedOn = d.basedOn, restoredDraft = true)
            } else {
                it.copy(view = view, form = formOf(view), basedOn = view.heads, restoredDraft = false)
            }
        }
    }

    /**
     * Re-reads the inspection (after a sync merged a colleague's change or a supervisor's decision).
     * The header form follows the stored values unless the officer has typed into it (then it keeps
     * what is typed and the version it was filled from).
     */
    suspend fun refresh(): Boolean = run { show(repo.get(requireId())) }

    /** Replaces the header form as typed (no core call until [save]); its draft is kept as the officer types. */
    fun edit(form: InspectionForm) {
        val s = _state.updateAndGet { it.copy(form = form) }
        drafts.keep(FormKeys.inspection(s.view?.inspection?.id), s.view?.inspection?.id, s.basedOn, form.fields)
    }

    /** Saves every pending draft now (the screen is stopped or left). */
    suspend fun flushDrafts() = drafts.flush()

    /** Forgets the header's unsaved draft and shows the record as stored. */
    suspend fun discardDraft(): Boolean = run {
        val key = FormKeys.inspection(inspectionId)
        drafts.forget(key)
        repo.discardDraft(key)
        val view = _state.value.view
        _state.update { it.copy(form = view?.let(::formOf) ?: InspectionForm(), basedOn = view?.heads.orEmpty(), restoredDraft = false) }
    }

    /**
     * Saves the header: creates the inspection the first time (at [location], where the phone is,
     * when known), then sends every field with the version the form was filled from. A wrong check
     * digit fails with [Recovery.CONFIRM_CHECK_DIGIT]; [confirmCheckDigit] records it anyway.
     */
    suspend fun save(location: GeoPoint? = null, allowInvalidCheckDigit: Boolean = false): Boolean = run {
        val s = _state.value
        val fields = s.form.toFields(numbers, location.takeIf { s.view == null }, allowInvalidCheckDigit)
        val view = if (s.view == null) repo.create(fields) else repo.update(s.view.inspection.id, fields, s.basedOn)
        forgetDraft(FormKeys.inspection(s.view?.inspection?.id))
        _state.update { it.copy(view = view, form = formOf(view), basedOn = view.heads, restoredDraft = false) }
    }

    /** Saves again, recording a container number whose check digit the officer confirmed on the door. */
    suspend fun confirmCheckDigit(location: GeoPoint? = null): Boolean = save(location, allowInvalidCheckDigit = true)

    /** The finding form for [findingId] (a new one when `null`), from its draft when one was kept. */
    suspend fun openFinding(findingId: String?): OpenedForm<FindingForm> = openForm({ FormKeys.finding(it, findingId) }) { i ->
        i.findings.firstOrNull { it.id == findingId }?.let { FindingForm.from(it, numbers) } ?: FindingForm()
    }

    /** Keeps what is typed into the finding form for [findingId] (new when `null`), filled from [basedOn]. */
    fun editFinding(findingId: String?, form: FindingForm, basedOn: List<String>) = keep({ FormKeys.finding(it, findingId) }, form, basedOn)

    /** Adds a finding; returns its id, or `null` on failure. */
    suspend fun addFinding(form: FindingForm): String? {
        var findingId: String? = null
        run {
            val id = requireId()
            val added = repo.addFinding(id, form.toFields(numbers))
            findingId = added.findingId
            forgetDraft(FormKeys.finding(id, null))
            show(added.view)
        }
        return findingId
    }

    /** Changes finding [findingId] to what [form] holds, as filled from [basedOn] (the core writes what changed). */
    suspend fun updateFinding(findingId: String, form: FindingForm, basedOn: List<String> = _state.value.view?.heads.orEmpty()): Boolean = run {
        val id = requireId()
        show(repo.updateFinding(id, findingId, form.toFields(numbers), basedOn))
        forgetDraft(FormKeys.finding(id, findingId))
    }

    /** Removes finding [findingId]. */
    suspend fun removeFinding(findingId: String): Boolean = run {
        show(repo.removeFinding(requireId(), findingId))
    }

    /** Removes the photo [sha256] from the inspection (the image stays in the store and the history). */
    suspend fun removePhoto(sha256: String): Boolean = run {
        show(repo.removeElement(requireId(), ElementList.PHOTOS, sha256))
    }

    /** Removes custody hand-over [entryId], recorded by mistake (what it said stays in the history). */
    suspend fun removeCustody(entryId: String): Boolean = run {
        // Entries recorded before entries had ids cannot be named; a correcting hand-over is the way.
        if (entryId.isEmpty()) throw InputException("input_custody_no_id")
        show(repo.removeElement(requireId(), ElementList.CUSTODY, entryId))
    }

    /**
     * Settles a `RemovedWhileEdited` [conflict] by bringing the element back with every edit made
     * to it, in one step.
     */
    suspend fun restore(conflict: ConflictRecord): Boolean = run {
        val (list, elementId) = removed(conflict)
        show(repo.restoreElement(requireId(), list, elementId))
    }

    /**
     * Brings back an element listed in [EditorState.removed] (removed by mistake, here or on a
     * colleague's phone), with everything it said.
     */
    suspend fun restoreRemoved(removed: RemovedRecord): Boolean = run {
        show(repo.restoreElement(requireId(), removed.list, removed.id))
    }

    /** Settles a `RemovedWhileEdited` [conflict] by removing the element again, now having seen the edits. */
    suspend fun confirmRemoval(conflict: ConflictRecord): Boolean = run {
        val (list, elementId) = removed(conflict)
        show(repo.removeElement(requireId(), list, elementId))
    }

    /**
     * Settles concurrent rewrites of the notes by keeping [version]: writing it again supersedes
     * every concurrent value. The header form shows it.
     */
    suspend fun keepNotes(version: String): Boolean = run {
        val view = repo.update(requireId(), InspectionFields(notes = version), emptyList())
        show(view)
        _state.update { it.copy(form = it.form.with("notes" to view.inspection.notes)) }
    }

    /**
     * Adds the photo the camera just took, [bytes] as it gave them (the JPEG with its EXIF), linked
     * to [findingId] when given. The bytes are kept first, sealed in the store's inbox and on disk,
     * then attached with the caption and [location]. If attaching fails (the problem is shown as
     * any other), or the app dies in between, the kept photo stays in the inbox and
     * [InspectionRepository.recoverPhotos] attaches it at the next start.
     */
    suspend fun addPhoto(bytes: ByteArray, caption: String?, findingId: String?, location: GeoPoint? = null): Boolean = run {
        val kept = repo.keepCameraPhoto(requireId(), bytes)
        val fields = PhotoFields(
            mime = null,
            capturedAt = null,
            lat = location?.lat,
            lon = location?.lon,
            caption = caption?.trim()?.ifEmpty { null },
            findingId = findingId,
        )
        show(repo.attachPhotoFile(kept, fields).view)
    }

    /** The seizure form, from its draft when one was kept. */
    suspend fun openSeizure(): OpenedForm<SeizureForm> = openForm(FormKeys::seizure) { SeizureForm.from(it, numbers) }

    /** Keeps what is typed into the seizure form, filled from [basedOn]. */
    fun editSeizure(form: SeizureForm, basedOn: List<String>) = keep(FormKeys::seizure, form, basedOn)

    /** Records or changes the seizure as filled from [basedOn]. */
    suspend fun setSeizure(form: SeizureForm, basedOn: List<String> = _state.value.view?.heads.orEmpty()): Boolean = run {
        val id = requireId()
        show(repo.setSeizure(id, form.toFields(numbers), basedOn))
        forgetDraft(FormKeys.seizure(id))
    }

    /** The form for a new hand-over, or correcting entry [entryId], from its draft when one was kept. */
    suspend fun openCustody(entryId: String? = null): OpenedForm<CustodyForm> = openForm({ FormKeys.custody(it, entryId) }) { i ->
        i.seizure?.custody?.firstOrNull { it.id == entryId }?.let(CustodyForm::from) ?: CustodyForm()
    }

    /** Keeps what is typed into the hand-over form (new, or correcting entry [entryId]). */
    fun editCustody(form: CustodyForm, basedOn: List<String>, entryId: String? = null) = keep({ FormKeys.custody(it, entryId) }, form, basedOn)

    /** Appends a chain-of-custody hand-over. */
    suspend fun addCustody(form: CustodyForm): Boolean = run {
        val id = requireId()
        show(repo.addCustody(id, form.toFields()))
        forgetDraft(FormKeys.custody(id))
    }

    /** Corrects hand-over [entryId] as edited in a form filled from [basedOn]. */
    suspend fun correctCustody(entryId: String, form: CustodyForm, basedOn: List<String> = _state.value.view?.heads.orEmpty()): Boolean = run {
        val id = requireId()
        show(repo.correctCustody(id, entryId, form.toFields(), basedOn))
        forgetDraft(FormKeys.custody(id, entryId))
    }

    /** Submits the inspection for review (again, after a return or a change); unsaved header edits are saved first. */
    suspend fun submit(): Boolean {
        val s = _state.value
        if ((s.view == null || s.restoredDraft || s.form != formOf(s.view)) && !save()) return false
        return run { show(repo.submit(requireId())) }
    }

    /** Loads who changed what into [EditorState.history]. */
    suspend fun loadHistory(): Boolean = run {
        val h = repo.history(requireId())
        _state.update { it.copy(history = h) }
    }

    /** Clears the problem shown. */
    fun dismissMessage() = _state.update { it.copy(message = null) }

    /** Clears the "restored unsaved changes" notice (the draft stays until saved or discarded). */
    fun dismissRestored() = _state.update { it.copy(restoredDraft = false) }

    private fun formOf(view: InspectionView) = InspectionForm.from(view.inspection, numbers)

    /** A sub-form filled from the record ([base]) with its draft ([key]) put back over it. */
    private suspend fun <F : Form<F>> openForm(key: (String) -> String, base: (InspectionRecord) -> F): OpenedForm<F> {
        val view = _state.value.view ?: throw InputException("input_save_first")
        val form = base(view.inspection)
        val d = runCatching { repo.draft(key(view.inspection.id)) }.getOrNull()
        return if (d != null) OpenedForm(form.with(d.fields), d.basedOn, true) else OpenedForm(form, view.heads, false)
    }

    private fun keep(key: (String) -> String, form: Form<*>, basedOn: List<String>) {
        val id = inspectionId ?: return
        drafts.keep(key(id), id, basedOn, form.fields)
    }

    private suspend fun forgetDraft(key: String) {
        drafts.forget(key)
        runCatching { repo.discardDraft(key) }
    }

    private fun requireId(): String = inspectionId ?: throw InputException("input_save_first")

    private fun removed(conflict: ConflictRecord): Pair<ElementList, String> {
        val list = conflict.list
        val elementId = conflict.elementId
        if (conflict.kind != ConflictKind.REMOVED_WHILE_EDITED || list == null || elementId == null) {
            throw InputException("input_not_a_removal")
        }
        return list to elementId
    }

    /**
     * Shows [view]. The header form follows it (and adopts its heads) only when the officer has
     * not typed into it; otherwise it keeps what is typed with the version it was filled from.
     */
    private fun show(view: InspectionView) = _state.update {
        val untouched = !it.restoredDraft && (it.view == null || it.form == formOf(it.view))
        if (untouched) it.copy(view = view, form = formOf(view), basedOn = view.heads) else it.copy(view = view)
    }

    private suspend fun run(block: suspend () -> Unit): Boolean = _state.attempt({ copy(busy = it) }, { copy(message = it) }, block)
}
