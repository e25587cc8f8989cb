import Combine
import Foundation
import QuaysideCore

/// The state of the inspection editor: the inspection as stored (with the core's figures,
/// flags and conflicts), the form the officer is typing into, and what went wrong.
///
/// No keystroke is lost: what is typed is kept as a draft in the core half a second after the
/// last keystroke and whenever the editor is left or the app goes to the background, and the draft
/// fills the form again when the editor opens (after a crash, too). Saving sends the whole form
/// with the `heads` of the version it was filled from (``basedOn``); the core writes only what
/// differs from that version, so a colleague's change merged by sync meanwhile is kept, and a
/// field both changed becomes a conflict. The draft is discarded once the save succeeded.
@MainActor
public final class InspectionEditorModel: ObservableObject {
    /// Where the editor is with saving.
    public enum SaveState: Equatable {
        /// Everything shown is stored.
        case saved
        /// The officer changed something not yet saved (it is kept as a draft).
        case editing
        /// The form is on its way to the store.
        case saving
        /// The core refused the form; see ``saveError``. What was typed is kept as a draft.
        case failed
    }

    /// The inspection being edited.
    public let inspectionId: String
    /// The inspection as last read from the store, with figures, flags and conflicts.
    @Published public private(set) var view: InspectionView?
    /// The form the officer types into. Changing it keeps a draft.
    @Published public var form = InspectionForm() {
        didSet { if !applyingStoredValues && form != oldValue { formChanged() } }
    }
    /// Why the last save was refused (the core's message, localised).
    @Published public private(set) var saveError: UserFacingError?
    /// Where saving stands.
    @Published public private(set) var saveState = SaveState.saved
    /// When the form was filled from a draft kept earlier (for a notice), else `nil`.
    @Published public private(set) var restoredDraftAt: String?
    /// An error for an alert (from findings, photos, seizure, custody, submit).
    @Published public var alert: UserFacingError?
    /// The `heads` of the version the form was filled from, sent with every save.
    public private(set) var basedOn: [String] = []

    /// How long after the last keystroke the draft is kept.
    public var draftDelay: Duration = .milliseconds(500) {
        didSet { drafts.delay = draftDelay }
    }

    private let store: InspectionStore
    private let drafts: DraftKeeper<InspectionForm>
    private var applyingStoredValues = false
    private var dirty = false
    private var revisionWatch: AnyCancellable?
    private var seenRevision = 0

    /// An editor for `inspectionId`; call ``load()`` before showing it. Nonisolated, so that a
    /// view's initialiser can create it for a `@StateObject`.
    public nonisolated init(store: InspectionStore, inspectionId: String) {
        self.store = store
        self.inspectionId = inspectionId
        drafts = DraftKeeper(store: store, key: DraftKey.inspection(inspectionId), inspectionId: inspectionId, basedOn: [])
    }

    /// An editor for an inspection just created, showing `view` at once.
    public convenience init(store: InspectionStore, view: InspectionView) {
        self.init(store: store, inspectionId: view.inspection.id)
        fill(from: view)
    }

    /// Whether the officer asked to correct a submitted or approved inspection (see ``beginCorrection()``).
    @Published public private(set) var correcting = false

    /// Whether the form is shown for editing: a draft, an inspection the supervisor returned or
    /// that changed since it was signed (to be submitted again), or one the officer chose to
    /// correct after submitting it.
    public var isEditable: Bool {
        guard let view else { return false }
        return view.inspection.status == .draft || view.reviewState.canResubmit || correcting
    }

    /// Where the inspection stands in review.
    public var reviewState: ReviewState? { view?.reviewState }

    /// The review banner: awaiting, changed since submission, returned with the supervisor's
    /// comment, approved, changed since approval.
    public var reviewNotice: ReviewNotice? { view.flatMap(ReviewText.notice(for:)) }

    /// Whether the inspection may be submitted: a draft, or submitted again when the supervisor
    /// returned it or it changed since it was submitted or approved.
    public var canSubmit: Bool {
        guard let view else { return false }
        return view.inspection.status == .draft || view.reviewState.canResubmit
    }

    /// Whether submitting now submits again (after a return or a change): the button reads "Submit again".
    public var isResubmission: Bool {
        view?.inspection.status == .submitted && (reviewState?.canResubmit ?? false)
    }

    /// The conflicts to settle, worded.
    public var conflicts: [ConflictNotice] { view?.conflictNotices ?? [] }

    /// Elements removed from the inspection's lists, each with Restore.
    public var removed: [RemovedNotice] { view?.removedNotices ?? [] }

    /// Opens a submitted (or approved) inspection for a correction.
    public func beginCorrection() {
        correcting = true
    }

    /// Loads the inspection, fills the form from the kept draft if there is one (else from the
    /// inspection), and follows changes merged by sync while the editor is open.
    public func load() async {
        seenRevision = store.revision
        if revisionWatch == nil {
            revisionWatch = store.$revision
                .dropFirst()
                .sink { [weak self] revision in self?.storeChanged(revision) }
        }
        do {
            let fresh = try await store.inspection(id: inspectionId)
            if let kept = await drafts.restore() {
                view = fresh
                basedOn = kept.basedOn
                applyingStoredValues = true
                form = kept.form
                applyingStoredValues = false
                dirty = true
                saveState = .editing
                restoredDraftAt = kept.savedAt
            } else {
                fill(from: fresh)
            }
        } catch {
            alert = UserFacingError(error)
        }
    }

    /// Rereads the inspection. A form with unsaved typing keeps it (and the version it was filled
    /// from); an untouched form shows what is stored now.
    public func reload() async {
        do {
            show(try await store.inspection(id: inspectionId))
        } catch {
            alert = UserFacingError(error)
        }
    }

    private func storeChanged(_ revision: Int) {
        guard revision != seenRevision else { return }
        seenRevision = revision
        if saveState != .saving {
            Task { await reload() }
        }
    }

    /// The core's figures for a finding (quantity, ODP-tonnes, CO2-equivalent, GWP source).
    public func figures(for findingId: String) -> FindingFiguresRecord? {
        view?.assessment.findings.first { $0.findingId == findingId }
    }

    /// The flags raised on a finding, or on the inspection as a whole for `nil`.
    public func flags(for findingId: String?) -> [FlagRecord] {
        (view?.assessment.flags ?? []).filter { $0.findingId == findingId }
    }

    /// The core's refusal of `field` in the last save, for showing it at the field.
    public func problem(with field: InspectionForm.Field) -> String? {
        guard let key = saveError?.formKey, InspectionForm.Field(key: key) == field else { return nil }
        return saveError?.message
    }

    // MARK: Saving the inspection's own fields

    private func formChanged() {
        dirty = true
        if saveState != .saving { saveState = .editing }
        drafts.changed(form)
    }

    /// Keeps the draft now (the app goes to the background).
    public func keepDraft() async {
        await drafts.flush()
    }

    /// Called when the editor is left: keeps the draft, then saves.
    public func leave() async {
        await drafts.flush()
        await save()
    }

    /// Saves the whole form, based on the version it was filled from. Does nothing when nothing
    /// was typed. On success the draft is discarded and the form shows what is stored (with the
    /// core's normalisation and colleagues' merged changes), unless the officer kept typing.
    public func save() async {
        guard dirty, saveState != .saving else { return }
        let sent = form
        saveState = .saving
        do {
            let fields = try sent.fields()
            let fresh = try await store.updateInspection(id: inspectionId, fields: fields, basedOn: basedOn)
            saveError = nil
            restoredDraftAt = nil
            if form == sent {
                await drafts.discard()
                fill(from: fresh)
            } else {
                // Typed on while it saved: the rest is still based on the version the form came from.
                view = fresh
                saveState = .editing
            }
        } catch {
            saveError = UserFacingError(error)
            saveState = .failed
            drafts.changed(form)
            await drafts.flush()
        }
    }

    /// Throws away what was typed (and its draft) and shows the inspection as stored.
    public func discardChanges() async {
        await drafts.discard()
        dirty = false
        saveError = nil
        restoredDraftAt = nil
        await reload()
    }

    /// Fills the form from `fresh`, which becomes the version saves are based on.
    private func fill(from fresh: InspectionView) {
        view = fresh
        basedOn = fresh.heads
        drafts.basedOn = fresh.heads
        applyingStoredValues = true
        form = InspectionForm(record: fresh.inspection)
        applyingStoredValues = false
        dirty = false
        saveState = .saved
    }

    /// Shows `fresh` (reread, or after an action on findings, photos, seizure or custody), leaving
    /// a form with unsaved typing as it is.
    private func show(_ fresh: InspectionView) {
        if dirty || saveState == .saving {
            view = fresh
        } else {
            fill(from: fresh)
        }
    }

    /// A keeper of the draft of a finding form (`findingId` nil: a new finding), based on the
    /// version shown now.
    public func findingDrafts(_ findingId: String?) -> DraftKeeper<FindingForm> {
        DraftKeeper(store: store, key: DraftKey.finding(inspectionId, findingId), inspectionId: inspectionId,
                    basedOn: view?.heads ?? [], delay: draftDelay)
    }

    /// A keeper of the draft of the seizure form, based on the version shown now.
    public func seizureDrafts() -> DraftKeeper<SeizureForm> {
        DraftKeeper(store: store, key: DraftKey.seizure(inspectionId), inspectionId: inspectionId,
                    basedOn: view?.heads ?? [], delay: draftDelay)
    }

    /// A keeper of the draft of a new custody hand-over.
    public func custodyDrafts() -> DraftKeeper<CustodyForm> {
        DraftKeeper(store: store, key: DraftKey.custody(inspectionId), inspectionId: inspectionId,
                    basedOn: view?.heads ?? [], delay: draftDelay)
    }

    // MARK: Findings, photos, seizure, custody, submit

    /// Adds a finding; returns its id, or `nil` after showing why it was refused.
    public func addFinding(_ finding: FindingForm) async -> String? {
        do {
            let added = try await store.addFinding(inspectionId: inspectionId, fields: try finding.fields())
            show(added.view)
            return added.findingId
        } catch {
            alert = UserFacingError(error)
            return nil
        }
    }

    /// Saves a finding form filled from the version `basedOn`; returns whether it was saved.
    public func updateFinding(_ findingId: String, form finding: FindingForm, basedOn: [String]) async -> Bool {
        await perform {
            try await self.store.updateFinding(inspectionId: self.inspectionId, findingId: findingId,
                                               fields: try finding.fields(), basedOn: basedOn)
        }
    }

    /// Removes a finding; the core refuses while a photo or seized item refers to it.
    public func removeFinding(_ findingId: String) async -> Bool {
        await perform {
            try await self.store.removeFinding(inspectionId: self.inspectionId, findingId: findingId)
        }
    }

    /// Removes a photo from the inspection (the image stays in the store and the history).
    public func removePhoto(_ sha256: String) async -> Bool {
        await perform {
            try await self.store.removeElement(inspectionId: self.inspectionId, list: .photos, elementId: sha256)
        }
    }

    /// Keeps a photo the moment the shutter returns: the JPEG bytes, in memory, go straight to the
    /// core, which seals them into its photo inbox before anything else (nothing is written in the
    /// clear), so the photo survives the app being killed while the officer captions it
    /// (``InspectionStore/recoverPhotos()`` attaches it on the next start). Returns the inbox path
    /// for ``attachPhoto(path:findingId:caption:capturedAt:latitude:longitude:)``.
    public func keepPhoto(_ jpeg: Data) async -> String? {
        do {
            return try await store.keepCameraPhoto(jpeg, inspectionId: inspectionId)
        } catch {
            alert = UserFacingError(error)
            return nil
        }
    }

    /// Attaches the photo kept at `path` with what the officer said about it (the core trims the
    /// caption; an empty one is none); returns whether it was recorded.
    public func attachPhoto(path: String, findingId: String?, caption: String?, capturedAt: Date = Date(),
                            latitude: Double?, longitude: Double?) async -> Bool {
        let fields = PhotoFields(mime: "image/jpeg", capturedAt: Timestamp.string(capturedAt), lat: latitude,
                                 lon: longitude, caption: caption, findingId: findingId)
        return await perform {
            try await self.store.attachPhotoFile(path: path, fields: fields).view
        }
    }

    /// Saves a seizure form filled from the version `basedOn`; returns whether it was saved.
    public func setSeizure(_ seizure: SeizureForm, basedOn: [String]) async -> Bool {
        await perform {
            try await self.store.setSeizure(inspectionId: self.inspectionId, fields: try seizure.fields(), basedOn: basedOn)
        }
    }

    /// Appends a hand-over to the chain of custody; returns whether it was recorded.
    public func addCustody(_ entry: CustodyForm) async -> Bool {
        await perform {
            try await self.store.addCustody(inspectionId: self.inspectionId, entry: try entry.fields())
        }
    }

    /// Removes a custody hand-over recorded by mistake (what it said stays in the history).
    public func removeCustody(_ entryId: String) async -> Bool {
        // Entries recorded before entries had ids cannot be named; a correcting hand-over is the way.
        guard !entryId.isEmpty else {
            alert = UserFacingError(kind: .other, title: Localization.text("custody_cannot_remove_title", "Cannot be removed"),
                                    message: Localization.text("custody_cannot_remove", "This hand-over was recorded by an older version of the app and cannot be removed."),
                                    recoverySuggestion: Localization.text("custody_cannot_remove_advice", "Add a hand-over that corrects it."))
            return false
        }
        return await perform {
            try await self.store.removeElement(inspectionId: self.inspectionId, list: .custody, elementId: entryId)
        }
    }

    // MARK: Conflicts

    /// Settles a `removedWhileEdited` conflict by bringing the element back with every edit made
    /// to it, in one step.
    public func restore(_ conflict: ConflictRecord) async -> Bool {
        guard let element = removedElement(conflict) else { return false }
        return await perform {
            try await self.store.restoreElement(inspectionId: self.inspectionId, list: element.list, elementId: element.id)
        }
    }

    /// Brings back an element listed in ``removed`` (removed by mistake, here or on a colleague's
    /// phone), with everything it said.
    public func restoreRemoved(_ removed: RemovedRecord) async -> Bool {
        await perform {
            try await self.store.restoreElement(inspectionId: self.inspectionId, list: removed.list, elementId: removed.id)
        }
    }

    /// Settles a `removedWhileEdited` conflict by removing the element again, now having seen the edits.
    public func confirmRemoval(_ conflict: ConflictRecord) async -> Bool {
        guard let element = removedElement(conflict) else { return false }
        return await perform {
            try await self.store.removeElement(inspectionId: self.inspectionId, list: element.list, elementId: element.id)
        }
    }

    /// Settles concurrent rewrites of the notes by keeping `version`: writing it again supersedes
    /// every concurrent value. The form shows it.
    public func keepNotes(_ version: String) async -> Bool {
        var fields = InspectionFields()
        fields.notes = version
        do {
            // Only the notes are given (nil leaves every other field as it is), on the current version.
            let fresh = try await store.updateInspection(id: inspectionId, fields: fields, basedOn: [])
            if dirty {
                view = fresh
                form[.notes] = version
            } else {
                fill(from: fresh)
            }
            return true
        } catch {
            alert = UserFacingError(error)
            return false
        }
    }

    private func removedElement(_ conflict: ConflictRecord) -> (list: ElementList, id: String)? {
        guard conflict.kind == .removedWhileEdited, let list = conflict.list, let elementId = conflict.elementId else {
            alert = UserFacingError(kind: .other, title: Localization.text("conflict_nothing_to_restore_title", "Nothing to restore"),
                                    message: Localization.text("conflict_nothing_to_restore", "Only a removal that crossed a colleague's edit can be restored or confirmed here."))
            return nil
        }
        return (list: list, id: elementId)
    }

    // MARK: Submitting

    /// Saves pending changes, then submits the inspection for review (again, after a return or a
    /// change); returns whether it was submitted.
    public func submit() async -> Bool {
        await drafts.flush()
        await save()
        if let saveError {
            alert = saveError
            return false
        }
        let submitted = await perform {
            try await self.store.submit(inspectionId: self.inspectionId)
        }
        if submitted { correcting = false }
        return submitted
    }

    /// Runs a core call that returns the updated inspection (or `nil` when there was nothing to
    /// send) and shows the result; on failure shows the error and returns `false`.
    private func perform(_ operation: () async throws -> InspectionView?) async -> Bool {
        do {
            if let fresh = try await operation() {
                show(fresh)
            }
            return true
        } catch {
            alert = UserFacingError(error)
            return false
        }
    }
}
