package org.quayside.shell

import java.io.File
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.quayside.core.ConflictKind
import org.quayside.core.ConflictRecord
import org.quayside.core.ElementList
import org.quayside.core.GeoPoint
import org.quayside.core.HistoryRecord
import org.quayside.core.InspectionFields
import org.quayside.core.InspectionStatus
import org.quayside.core.InspectionView
import org.quayside.core.PhotoFields
import org.quayside.core.RemovedRecord

/** Everything the inspection editor screen shows. */
data class EditorState(
    /** The stored inspection with figures, flags and conflicts; `null` while a new one is being typed. */
    val view: InspectionView? = null,
    /** The header form as typed. */
    val form: InspectionForm = InspectionForm(),
    /** A call to the core is running. */
    val busy: Boolean = false,
    /** The last error, until dismissed. */
    val message: UserMessage? = null,
    /** The inspection's change history, once loaded. */
    val history: List<HistoryRecord> = emptyList(),
) {
    /** Where the inspection stands in review; `null` before it is first saved. */
    val review: ReviewBadge? get() = view?.let { ReviewBadge.of(it.reviewState) }

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
    val conflicts: List<ConflictNotice> get() = view?.conflicts?.map(ConflictNotice::of).orEmpty()

    /** Elements removed from the inspection's lists, each with Restore (those in [conflicts] are listed there). */
    val removed: List<RemovedNotice> get() = view?.let(RemovedNotice::list).orEmpty()
}

/**
 * State holder behind the inspection editor: header, findings, photos, seizure, custody and
 * submission. Plain Kotlin (no Android): the app's ViewModel calls these suspend functions from
 * its scope. Every action returns whether it succeeded; a failure leaves the record unchanged
 * and puts a [UserMessage] into [state].
 */
class InspectionEditorModel(private val repo: InspectionRepository) {
    private val _state = MutableStateFlow(EditorState())

    /** What the screen shows. */
    val state: StateFlow<EditorState> = _state.asStateFlow()

    /** The id of the inspection being edited, `null` before it is first saved. */
    val inspectionId: String? get() = _state.value.view?.inspection?.id

    /** Loads inspection [id] and fills the form from it. */
    suspend fun load(id: String): Boolean = run { show(repo.get(id)) }

    /**
     * Re-reads the inspection (after a sync merged a colleague's change or a supervisor's decision).
     * The header form follows the stored values unless the officer has typed into it.
     */
    suspend fun refresh(): Boolean = run {
        val s = _state.value
        val untouched = s.view == null || s.form == InspectionForm.from(s.view.inspection)
        show(repo.get(requireId()), keepForm = !untouched)
    }

    /** Replaces the header form as typed (no core call until [save]). */
    fun edit(form: InspectionForm) = _state.update { it.copy(form = form) }

    /**
     * Saves the header: creates the inspection the first time, then sends only changed fields.
     * A wrong check digit fails with [Recovery.CONFIRM_CHECK_DIGIT]; [confirmCheckDigit] records it anyway.
     */
    suspend fun save(location: GeoPoint? = null, allowInvalidCheckDigit: Boolean = false): Boolean = run {
        val s = _state.value
        val fields = s.form.toFields(s.view?.inspection, location, allowInvalidCheckDigit)
        show(if (s.view == null) repo.create(fields) else repo.update(s.view.inspection.id, fields))
    }

    /** Saves again, recording a container number whose check digit the officer confirmed on the door. */
    suspend fun confirmCheckDigit(location: GeoPoint? = null): Boolean = save(location, allowInvalidCheckDigit = true)

    /** Adds a finding; returns its id, or `null` on failure. */
    suspend fun addFinding(form: FindingForm): String? {
        var findingId: String? = null
        run {
            val added = repo.addFinding(requireId(), form.toFields())
            findingId = added.findingId
            show(added.view, keepForm = true)
        }
        return findingId
    }

    /** Changes finding [findingId] to what [form] holds (only the differences are sent). */
    suspend fun updateFinding(findingId: String, form: FindingForm): Boolean = run {
        val original = _state.value.view?.inspection?.findings?.firstOrNull { it.id == findingId }
            ?: throw InputException("That finding is no longer in this inspection")
        show(repo.updateFinding(requireId(), findingId, form.toFields(original)), keepForm = true)
    }

    /** Removes finding [findingId]. */
    suspend fun removeFinding(findingId: String): Boolean = run {
        show(repo.removeFinding(requireId(), findingId), keepForm = true)
    }

    /** Removes the photo [sha256] from the inspection (the image stays in the store and the history). */
    suspend fun removePhoto(sha256: String): Boolean = run {
        show(repo.removeElement(requireId(), ElementList.PHOTOS, sha256), keepForm = true)
    }

    /** Removes custody hand-over [entryId], recorded by mistake (what it said stays in the history). */
    suspend fun removeCustody(entryId: String): Boolean = run {
        // Entries recorded before entries had ids cannot be named; a correcting hand-over is the way.
        if (entryId.isEmpty()) throw InputException("This hand-over was recorded by an older version of the app and cannot be removed; add a hand-over that corrects it")
        show(repo.removeElement(requireId(), ElementList.CUSTODY, entryId), keepForm = true)
    }

    /**
     * Settles a `RemovedWhileEdited` [conflict] by bringing the element back with every edit made
     * to it, in one step.
     */
    suspend fun restore(conflict: ConflictRecord): Boolean = run {
        val (list, elementId) = removed(conflict)
        show(repo.restoreElement(requireId(), list, elementId), keepForm = true)
    }

    /**
     * Brings back an element listed in [EditorState.removed] (removed by mistake, here or on a
     * colleague's phone), with everything it said.
     */
    suspend fun restoreRemoved(removed: RemovedRecord): Boolean = run {
        show(repo.restoreElement(requireId(), removed.list, removed.id), keepForm = true)
    }

    /** Settles a `RemovedWhileEdited` [conflict] by removing the element again, now having seen the edits. */
    suspend fun confirmRemoval(conflict: ConflictRecord): Boolean = run {
        val (list, elementId) = removed(conflict)
        show(repo.removeElement(requireId(), list, elementId), keepForm = true)
    }

    /**
     * Settles concurrent rewrites of the notes by keeping [version]: writing it again supersedes
     * every concurrent value. The header form shows it.
     */
    suspend fun keepNotes(version: String): Boolean = run {
        val view = repo.update(requireId(), InspectionFields(notes = version))
        show(view, keepForm = true)
        _state.update { it.copy(form = it.form.copy(notes = view.inspection.notes)) }
    }

    /**
     * Attaches the photo the camera wrote to [file] (app-private storage), linked to [findingId]
     * when given, and deletes [file] once the store holds its own copy.
     */
    suspend fun addPhoto(file: File, caption: String?, findingId: String?, location: GeoPoint?): Boolean = run {
        val fields = PhotoFields(
            mime = null,
            capturedAt = null,
            lat = location?.lat,
            lon = location?.lon,
            caption = caption?.trim()?.ifEmpty { null },
            findingId = findingId,
        )
        show(repo.addPhotoFile(requireId(), file, fields, deleteAfter = true).view, keepForm = true)
    }

    /** Records or changes the seizure. */
    suspend fun setSeizure(form: SeizureForm): Boolean = run {
        show(repo.setSeizure(requireId(), form.toFields(_state.value.view?.inspection?.seizure)), keepForm = true)
    }

    /** Appends a chain-of-custody hand-over. */
    suspend fun addCustody(form: CustodyForm): Boolean = run {
        show(repo.addCustody(requireId(), form.toFields()), keepForm = true)
    }

    /** Submits the inspection for review (again, after a return or a change); unsaved header edits are saved first. */
    suspend fun submit(): Boolean {
        if (_state.value.form != _state.value.view?.inspection?.let { InspectionForm.from(it) } && !save()) return false
        return run { show(repo.submit(requireId()), keepForm = true) }
    }

    /** Loads who changed what into [EditorState.history]. */
    suspend fun loadHistory(): Boolean = run {
        val h = repo.history(requireId())
        _state.update { it.copy(history = h) }
    }

    /** Clears the error shown. */
    fun dismissMessage() = _state.update { it.copy(message = null) }

    private fun requireId(): String = inspectionId ?: throw InputException("Save the inspection first (container number)")

    private fun removed(conflict: ConflictRecord): Pair<ElementList, String> {
        val list = conflict.list
        val elementId = conflict.elementId
        if (conflict.kind != ConflictKind.REMOVED_WHILE_EDITED || list == null || elementId == null) {
            throw InputException("Only a removal that crossed a colleague's edit can be restored or confirmed here")
        }
        return list to elementId
    }

    private fun show(view: InspectionView, keepForm: Boolean = false) = _state.update {
        it.copy(view = view, form = if (keepForm) it.form else InspectionForm.from(view.inspection))
    }

    private suspend fun run(block: suspend () -> Unit): Boolean {
        _state.update { it.copy(busy = true, message = null) }
        return try {
            block()
            true
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException) throw e
            _state.update { it.copy(message = UserMessages.of(e)) }
            false
        } finally {
            _state.update { it.copy(busy = false) }
        }
    }
}
