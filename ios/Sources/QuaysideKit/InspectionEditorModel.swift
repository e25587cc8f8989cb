import Combine
import Foundation
import QuaysideCore

/// The state of the inspection editor: the inspection as stored (with the core's figures,
/// flags and conflicts), the form the officer is typing into, and what went wrong.
///
/// Typing autosaves: a short pause after the last keystroke sends the changed fields to the
/// core, which commits them durably before answering. If a change is refused (a malformed HS
/// code), the other changed fields are saved one by one and the refused one keeps its text and
/// shows the core's message, so one bad value never holds the others hostage.
@MainActor
public final class InspectionEditorModel: ObservableObject {
    /// Where the editor is with saving.
    public enum SaveState: Equatable {
        /// Everything shown is stored.
        case saved
        /// The officer changed something not yet sent.
        case editing
        /// Changes are on their way to the store.
        case saving
        /// Some changes were refused; see ``InspectionEditorModel/fieldErrors``.
        case failed
    }

    /// The inspection being edited.
    public let inspectionId: String
    /// The inspection as last read from the store, with figures, flags and conflicts.
    @Published public private(set) var view: InspectionView?
    /// The form the officer types into. Changing it schedules an autosave.
    @Published public var form = InspectionForm() {
        didSet { if !applyingStoredValues && form != oldValue { formChanged() } }
    }
    /// The core's message for each field whose last change was refused.
    @Published public private(set) var fieldErrors: [InspectionForm.Field: String] = [:]
    /// Where saving stands.
    @Published public private(set) var saveState = SaveState.saved
    /// An error for an alert (from findings, photos, seizure, custody, submit).
    @Published public var alert: UserFacingError?

    /// How long after the last keystroke changes are saved.
    public var autosaveDelay: Duration = .milliseconds(800)

    private let store: InspectionStore
    private var baseline = InspectionForm()
    private var applyingStoredValues = false
    private var saveAgain = false
    private var autosave: Task<Void, Never>?
    private var revisionWatch: AnyCancellable?
    private var seenRevision = 0

    /// An editor for `inspectionId`; call ``load()`` before showing it. Nonisolated, so that a
    /// view's initialiser can create it for a `@StateObject`.
    public nonisolated init(store: InspectionStore, inspectionId: String) {
        self.store = store
        self.inspectionId = inspectionId
    }

    /// An editor for an inspection just created, showing `view` at once.
    public convenience init(store: InspectionStore, view: InspectionView) {
        self.init(store: store, inspectionId: view.inspection.id)
        show(view, sent: nil)
    }

    /// Whether the officer asked to correct a submitted or approved inspection (see ``beginCorrection()``).
    @Published public private(set) var correcting = false

    /// Whether the form is shown for editing: a draft, an inspection the supervisor returned or
    /// that changed since it was signed (to be submitted again), or one the officer chose to
    /// correct after submitting it.
    public var isEditable: Bool {
        guard let view else { return false }
        return view.inspection.status == .draft || (view.reviewBadge?.canResubmit ?? false) || correcting
    }

    /// Where the inspection stands in review.
    public var reviewBadge: ReviewBadge? { view?.reviewBadge }

    /// The review banner: awaiting, changed since submission, returned with the supervisor's
    /// comment, approved, changed since approval.
    public var reviewNotice: ReviewNotice? { view.flatMap(ReviewText.notice(for:)) }

    /// Whether the inspection may be submitted: a draft, or submitted again when the supervisor
    /// returned it or it changed since it was submitted or approved (the new submission signs the
    /// version as it is now, which the supervisor can then approve).
    public var canSubmit: Bool {
        guard let view else { return false }
        return view.inspection.status == .draft || (view.reviewBadge?.canResubmit ?? false)
    }

    /// Whether submitting now submits again (after a return or a change): the button reads "Submit again".
    public var isResubmission: Bool {
        view?.inspection.status == .submitted && (reviewBadge?.canResubmit ?? false)
    }

    /// The conflicts to settle, worded: removals that raced an edit (Restore / Confirm removal) and
    /// concurrent values (Keep, for the notes).
    public var conflicts: [ConflictNotice] { view?.conflictNotices ?? [] }

    /// Elements removed from the inspection's lists, each with Restore (those in ``conflicts`` are
    /// listed there).
    public var removed: [RemovedNotice] { view?.removedNotices ?? [] }

    /// Opens a submitted (or approved) inspection for a correction. The core records the change
    /// like any other; an approved inspection then reads "changed since approval" and goes back to
    /// the supervisor's queue.
    public func beginCorrection() {
        correcting = true
    }

    /// Loads the inspection and follows changes merged by sync while the editor is open.
    public func load() async {
        seenRevision = store.revision
        if revisionWatch == nil {
            revisionWatch = store.$revision
                .dropFirst()
                .sink { [weak self] revision in self?.storeChanged(revision) }
        }
        await reload()
    }

    /// Rereads the inspection; fields the officer is editing keep their text.
    public func reload() async {
        do {
            let fresh = try await store.inspection(id: inspectionId)
            show(fresh, sent: baseline)
        } catch {
            alert = UserFacingError(error)
        }
    }

    private func storeChanged(_ revision: Int) {
        guard revision != seenRevision else { return }
        seenRevision = revision
        // Our own saves already show their result; a reload also picks up merged changes.
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

    // MARK: Saving the inspection's own fields

    private func formChanged() {
        saveState = .editing
        autosave?.cancel()
        let delay = autosaveDelay
        autosave = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self?.save()
        }
    }

    /// Saves changed fields now (also called when the editor closes or the app goes to the
    /// background). Does nothing when nothing changed.
    public func save() async {
        autosave?.cancel()
        guard saveState != .saving else {
            // One save at a time; the running one schedules another for what it did not send.
            saveAgain = true
            return
        }
        saveAgain = false
        let sent = form
        let changed = sent.changedFields(comparedTo: baseline)
        // A field put back to its stored value has nothing left to refuse.
        fieldErrors = fieldErrors.filter { changed.contains($0.key) }
        guard !changed.isEmpty else {
            saveState = .saved
            return
        }
        saveState = .saving
        var errors: [InspectionForm.Field: String] = [:]
        var latest: InspectionView?
        do {
            let patch = try sent.fields(comparedTo: baseline)
            latest = try await store.updateInspection(id: inspectionId, fields: patch)
        } catch {
            // Find out which fields were refused; keep what the core accepts.
            for field in InspectionForm.Field.allCases where changed.contains(field) {
                do {
                    let patch = try sent.fields(comparedTo: baseline, only: [field])
                    latest = try await store.updateInspection(id: inspectionId, fields: patch)
                    if let latest { baseline.copy(field, from: InspectionForm(record: latest.inspection)) }
                } catch {
                    errors[field] = UserFacingError(error).message
                }
            }
        }
        fieldErrors = errors
        if let latest {
            show(latest, sent: sent, keepingRefused: Set(errors.keys))
        }
        if !errors.isEmpty {
            saveState = .failed
        } else if form.changedFields(comparedTo: baseline).isEmpty {
            saveState = .saved
        } else {
            // The officer kept typing while this save ran.
            formChanged()
        }
        if saveAgain && saveState != .editing {
            saveAgain = false
            formChanged()
        }
    }

    /// Shows `fresh` from the store. Fields whose text still equals `sent` (what a save sent, or
    /// the baseline when nothing was sent) show the stored value, which may include the core's
    /// normalisation and colleagues' merged changes; fields the officer is editing, or whose
    /// change was refused, keep their text. Without `sent`, every field shows the stored value.
    private func show(_ fresh: InspectionView, sent: InspectionForm?, keepingRefused refused: Set<InspectionForm.Field> = []) {
        view = fresh
        let stored = InspectionForm(record: fresh.inspection)
        var next = sent.map { form.rebased(sent: $0, stored: stored) } ?? stored
        for field in refused {
            next.copy(field, from: form)
        }
        // A field still being edited keeps a baseline of the stored value, so it is sent again.
        baseline = stored
        applyingStoredValues = true
        form = next
        applyingStoredValues = false
    }

    // MARK: Findings, photos, seizure, custody, submit

    /// Adds a finding; returns its id, or `nil` after showing why it was refused.
    public func addFinding(_ finding: FindingForm) async -> String? {
        do {
            let fields = try finding.newFindingFields()
            let added = try await store.addFinding(inspectionId: inspectionId, fields: fields)
            show(added.view, sent: baseline)
            return added.findingId
        } catch {
            alert = UserFacingError(error)
            return nil
        }
    }

    /// Saves changes to a finding; returns whether they were saved.
    public func updateFinding(_ findingId: String, form finding: FindingForm, baseline original: FindingForm) async -> Bool {
        await perform {
            let patch = try finding.fields(comparedTo: original)
            if patch.isEmpty { return nil }
            return try await self.store.updateFinding(inspectionId: self.inspectionId, findingId: findingId, fields: patch)
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

    /// Records a photo from the camera; returns whether it was recorded.
    public func attachPhoto(_ image: Data, findingId: String?, caption: String?, latitude: Double?, longitude: Double?) async -> Bool {
        let caption = caption.map(FormText.clean).flatMap { $0.isEmpty ? nil : $0 }
        let photo = PendingPhoto(
            inspectionId: inspectionId,
            findingId: findingId,
            caption: caption,
            latitude: latitude,
            longitude: longitude
        )
        return await perform {
            try await self.store.attachPhoto(image, as: photo)
        }
    }

    /// Saves seizure changes; returns whether they were saved.
    public func setSeizure(_ seizure: SeizureForm, baseline original: SeizureForm) async -> Bool {
        await perform {
            let patch = try seizure.fields(comparedTo: original)
            if patch.isEmpty { return nil }
            return try await self.store.setSeizure(inspectionId: self.inspectionId, fields: patch)
        }
    }

    /// Appends a hand-over to the chain of custody; returns whether it was recorded.
    public func addCustody(_ entry: CustodyForm) async -> Bool {
        await perform {
            try await self.store.addCustody(inspectionId: self.inspectionId, entry: entry.fields())
        }
    }

    /// Removes a custody hand-over recorded by mistake (what it said stays in the history).
    public func removeCustody(_ entryId: String) async -> Bool {
        // Entries recorded before entries had ids cannot be named; a correcting hand-over is the way.
        guard !entryId.isEmpty else {
            alert = UserFacingError(kind: .invalidInput, title: "Cannot be removed",
                                    message: "This hand-over was recorded by an older version of the app and cannot be removed.",
                                    recoverySuggestion: "Add a hand-over that corrects it.")
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
            let fresh = try await store.updateInspection(id: inspectionId, fields: fields)
            // The notes show the kept version; other fields being typed keep their text.
            var sent = baseline
            sent.notes = form.notes
            show(fresh, sent: sent)
            return true
        } catch {
            alert = UserFacingError(error)
            return false
        }
    }

    private func removedElement(_ conflict: ConflictRecord) -> (list: ElementList, id: String)? {
        guard conflict.kind == .removedWhileEdited, let list = conflict.list, let elementId = conflict.elementId else {
            alert = UserFacingError(kind: .invalidInput, title: "Nothing to restore",
                                    message: "Only a removal that crossed a colleague's edit can be restored or confirmed here.")
            return nil
        }
        return (list: list, id: elementId)
    }

    // MARK: Submitting

    /// Saves pending changes, then submits the inspection for review (again, after a return or a
    /// change); returns whether it was submitted.
    public func submit() async -> Bool {
        await save()
        guard fieldErrors.isEmpty else {
            alert = UserFacingError(
                kind: .invalidInput,
                title: "Not submitted",
                message: "Some changes were refused. Correct the marked fields first."
            )
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
                show(fresh, sent: baseline)
            }
            return true
        } catch {
            alert = UserFacingError(error)
            return false
        }
    }
}
