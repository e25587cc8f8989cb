import Combine
import Foundation
import QuaysideCore

/// Which inspections the list shows.
public struct InspectionQuery: Equatable, Sendable {
    /// Which statuses to show.
    public enum Scope: String, CaseIterable, Identifiable, Sendable {
        /// Every inspection.
        case all
        /// Inspections still being recorded.
        case drafts
        /// Inspections submitted for review.
        case submitted

        /// The scope itself.
        public var id: String { rawValue }

        /// The scope's name as shown on screen.
        public var label: String {
            switch self {
            case .all: return Localization.text("scope_all", "All")
            case .drafts: return Localization.text("scope_drafts", "Drafts")
            case .submitted: return Localization.text("scope_submitted", "Submitted")
            }
        }
    }

    /// What the officer typed in the search field: a substance name or part of a container number.
    public var text: String
    /// Which statuses to show.
    public var scope: Scope

    /// Creates a query.
    public init(text: String = "", scope: Scope = .all) {
        self.text = text
        self.scope = scope
    }

    /// The core's filter. Text that the core's reference knows as a substance ("R-22", "HCFC-22",
    /// "chlorodifluoromethane") searches by substance; anything else by container number.
    public func filter(limit: UInt32) -> InspectionFilter {
        var filter = InspectionFilter()
        filter.limit = limit
        switch scope {
        case .all: break
        case .drafts: filter.status = .draft
        case .submitted: filter.status = .submitted
        }
        let text = FormText.clean(self.text)
        if !text.isEmpty {
            if QuaysideCore.substance(name: text) != nil {
                filter.substance = text
            } else {
                filter.container = text
            }
        }
        return filter
    }
}

/// Something recorded on this device, announced so that the sync scheduler can deliver it soon.
public enum LocalChange: Equatable, Sendable {
    /// An inspection was created or changed.
    case edited(inspectionId: String)
    /// An inspection was submitted for review: worth syncing at once.
    case submitted(inspectionId: String)
    /// A supervisor approved or returned an inspection: worth syncing at once.
    case reviewed(inspectionId: String)
}

/// The app's one gateway to the Rust core's `FieldStore`: every screen reads and writes through it.
///
/// It lives on the main actor and publishes what screens show: the inspection list for the
/// current ``query``, the sync status (what is not yet on the server), sync progress and the last
/// sync's outcome. Core calls never run on the main thread: edits and reads go through one serial
/// queue (so they reach the store in order), syncs through another, so recording never waits for
/// a sync. The core does all validation, computation and merging; this type only moves values
/// between screens and the core.
///
/// A sync that reports the store wiped by an administrator (`SyncReportRecord.wiped`) ends it:
/// the store key is forgotten and ``wiped`` turns `true`; the app drops this object and shows
/// set-up.
@MainActor
public final class InspectionStore: ObservableObject {
    /// Where the store's files are.
    public let location: StoreLocation
    /// Where the store's key is kept (the Keychain; memory in tests).
    public let keychain: StoreKeychain
    /// This device's identity (user, station, device id).
    public let device: DeviceInfo
    /// The core's store. Safe to use from any thread; prefer this type's async methods.
    public nonisolated let fieldStore: FieldStore

    /// The inspections matching ``query``, newest first.
    @Published public private(set) var inspections: [InspectionSummary] = []
    /// What the list shows; changing it reloads the list shortly after typing stops.
    @Published public var query = InspectionQuery() {
        didSet { if query != oldValue { scheduleListReload(after: .milliseconds(250)) } }
    }
    /// Enrolment, what is not yet on the server, and what it refused.
    @Published public private(set) var syncStatus: SyncStatusRecord?
    /// Whether a sync is running, and how far it got.
    @Published public private(set) var syncActivity: SyncActivity = .idle
    /// How the last sync ended.
    @Published public private(set) var lastSyncOutcome: SyncOutcome?
    /// When to sync next and why, as the core last said (`syncSchedule()`), read after every write
    /// and every sync; ``SyncScheduler`` hands it to the system.
    @Published public private(set) var schedule: SyncSchedule?
    /// Photos found in the inbox at start (left by a camera capture the app did not finish).
    @Published public private(set) var recoveredPhotos: [RecoveredPhoto] = []
    /// Whether the store is being re-encrypted under a new key (``changeKey()``).
    @Published public private(set) var changingKey = false
    /// Increases whenever stored data may have changed (an edit here, or a sync that merged
    /// colleagues' changes); open screens reload when it changes.
    @Published public private(set) var revision = 0
    /// An error for the app to show in an alert.
    @Published public var presentedError: UserFacingError?
    /// `true` once a sync reported that an administrator revoked this phone with wipe: the core
    /// pushed what the server still accepts, confirmed, and deleted the store directory; the key is
    /// forgotten (``StoreKeychain/forget(for:)``) and ``StoreLocation/markWiped(fileManager:)`` left
    /// for set-up. Nothing reaches the core's store any more (its files are gone): drop this object
    /// and show set-up.
    @Published public private(set) var wiped = false

    /// Everything recorded on this device, as it happens.
    public let localChanges = PassthroughSubject<LocalChange, Never>()
    /// The most rows the list loads.
    public var listLimit: UInt32 = 500

    private let edits: CoreExecutor
    private let syncQueue = CoreExecutor(label: "org.quayside.core.sync", qos: .utility)
    private var syncTask: Task<SyncOutcome, Never>?
    private var syncAgain = false
    private var listReload: Task<Void, Never>?
    /// Set the moment a sync reports the store wiped, before ``wiped``: no call reaches the core after it.
    private var storeDeleted = false

    private init(location: StoreLocation, keychain: StoreKeychain, fieldStore: FieldStore, device: DeviceInfo, edits: CoreExecutor) {
        self.location = location
        self.keychain = keychain
        self.fieldStore = fieldStore
        self.device = device
        self.edits = edits
    }

    // MARK: Opening

    /// Opens the store at `location` (upgrading an older schema) with its key from `keychain`,
    /// attaches photos left in the core's photo inbox by an interrupted capture
    /// (``recoveredPhotos``), and loads the list and the sync status. A store from before
    /// encryption gets a new key, kept in `keychain` before the core encrypts the store under it.
    /// A change of key cut short (``changeKey()``) is settled first (``StoreKeychain/openStore(at:_:)``).
    /// - Throws: ``UserFacingError`` when the store cannot be opened: among others its key is lost
    ///   (``StoreKeyError/lost``; no new key is ever made for an encrypted store) or does not open
    ///   it (`ErrorCode.wrongKey`).
    public static func open(at location: StoreLocation, keychain: StoreKeychain = StoreKeychain()) async throws -> InspectionStore {
        try await start(at: location, keychain: keychain) { path, key in
            try FieldStore.open(path: path, key: key)
        }
    }

    /// Creates a new store at `location` for `user` at `station` (a UN/LOCODE such as `GHTEM`),
    /// encrypted under a new key kept in `keychain` first, then opens it like ``open(at:keychain:)``.
    /// A key kept from before is forgotten first (no store is there to depend on it): a key that
    /// outlived its store (an administrator's wipe killed before the key was forgotten) never
    /// encrypts a new one, so nothing the flash may keep of the old store opens with it.
    /// - Throws: ``UserFacingError`` when the core refuses the user or station, or a store exists.
    public static func create(at location: StoreLocation, user: String, station: String,
                              keychain: StoreKeychain = StoreKeychain()) async throws -> InspectionStore {
        let user = FormText.clean(user)
        let station = FormText.clean(station)
        let store = try await start(at: location, keychain: keychain, freshKey: !location.storeExists()) { path, key in
            try FieldStore.create(path: path, key: key, user: user, station: station)
        }
        // A new store: set-up no longer mentions the wipe.
        try? location.clearWiped()
        return store
    }

    private static func start(
        at location: StoreLocation,
        keychain: StoreKeychain,
        freshKey: Bool = false,
        _ makeFieldStore: @escaping @Sendable (String, Data) throws -> FieldStore
    ) async throws -> InspectionStore {
        let edits = CoreExecutor(label: "org.quayside.core.edits", qos: .userInitiated)
        let path = location.storeDirectory.path
        do {
            try location.prepare()
            let (fieldStore, device) = try await edits.run { () throws -> (FieldStore, DeviceInfo) in
                if freshKey {
                    try keychain.forget(for: location)
                }
                // Read (or made and kept), and a change of key cut short settled, off the main
                // thread: the Keychain may take a moment.
                let fieldStore = try keychain.openStore(at: location) { key in try makeFieldStore(path, key) }
                return (fieldStore, fieldStore.deviceInfo())
            }
            let store = InspectionStore(location: location, keychain: keychain, fieldStore: fieldStore, device: device, edits: edits)
            await store.recoverPhotos()
            await store.refresh()
            return store
        } catch {
            throw UserFacingError(error)
        }
    }

    // MARK: Reading

    /// Reloads the list, the sync status and the sync schedule (nothing once the store is wiped).
    public func refresh() async {
        guard !storeDeleted else { return }
        await reloadList()
        await refreshSyncStatus()
        await refreshSchedule()
    }

    /// Reads when to sync next (``schedule``).
    public func refreshSchedule() async {
        schedule = try? await read { fieldStore in try fieldStore.syncSchedule() }
    }

    /// Reloads the list for the current ``query``.
    public func reloadList() async {
        let filter = query.filter(limit: listLimit)
        do {
            let rows = try await read { fieldStore in try fieldStore.listInspections(filter: filter) }
            // A query changed while this one ran is answered by its own reload.
            if filter == query.filter(limit: listLimit) {
                inspections = rows
            }
        } catch {
            presentedError = UserFacingError(error)
        }
    }

    /// Inspections matching `filter`, for screens with a list of their own (supervisor review).
    public func summaries(matching filter: InspectionFilter) async throws -> [InspectionSummary] {
        try await read { fieldStore in try fieldStore.listInspections(filter: filter) }
    }

    /// Reloads what is not yet on the server.
    public func refreshSyncStatus() async {
        do {
            syncStatus = try await read { fieldStore in try fieldStore.syncStatus() }
        } catch {
            presentedError = UserFacingError(error)
        }
    }

    /// One inspection in full, with the core's figures, flags, conflicts and the heads of the
    /// version read (what a supervisor's decision names).
    public func inspection(id: String) async throws -> InspectionView {
        try await read { fieldStore in try fieldStore.getInspection(id: id) }
    }

    /// Every change to an inspection, oldest first: who, from which device, when, what.
    public func history(inspectionId: String) async throws -> [HistoryRecord] {
        try await read { fieldStore in try fieldStore.history(inspectionId: inspectionId) }
    }

    /// A photo's bytes, verified by the core against its SHA-256.
    public func photoData(sha256: String) async throws -> Data {
        try await read { fieldStore in try fieldStore.readPhoto(sha256: sha256) }
    }

    // MARK: Recording

    /// Starts an inspection. A container number is required; a wrong check digit is refused
    /// with `ApiError.CheckDigit` unless `fields.allowInvalidCheckDigit` is set.
    public func createInspection(_ fields: InspectionFields) async throws -> InspectionView {
        let view = try await write { fieldStore in try fieldStore.createInspection(fields: fields) }
        announce(.edited(inspectionId: view.inspection.id))
        return view
    }

    /// Changes an inspection's own fields, as edited in a form filled from the version `basedOn`
    /// (the `heads` of that view): the core writes only what differs from it, so a colleague's
    /// change merged meanwhile stays.
    public func updateInspection(id: String, fields: InspectionFields, basedOn: [String]) async throws -> InspectionView {
        let view = try await write { fieldStore in try fieldStore.updateInspection(id: id, fields: fields, basedOn: basedOn) }
        announce(.edited(inspectionId: id))
        return view
    }

    /// Adds a finding; the result names the new finding's id.
    public func addFinding(inspectionId: String, fields: FindingFields) async throws -> FindingAdded {
        let added = try await write { fieldStore in try fieldStore.addFinding(inspectionId: inspectionId, fields: fields) }
        announce(.edited(inspectionId: inspectionId))
        return added
    }

    /// Changes a finding, as edited in a form filled from the version `basedOn`.
    public func updateFinding(inspectionId: String, findingId: String, fields: FindingFields, basedOn: [String]) async throws -> InspectionView {
        let view = try await write { fieldStore in
            try fieldStore.updateFinding(inspectionId: inspectionId, findingId: findingId, fields: fields, basedOn: basedOn)
        }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Removes a finding that no photo or seized item refers to.
    public func removeFinding(inspectionId: String, findingId: String) async throws -> InspectionView {
        let view = try await write { fieldStore in
            try fieldStore.removeFinding(inspectionId: inspectionId, findingId: findingId)
        }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Removes an element of `list` (a finding, photo, seized item or custody entry). The core keeps
    /// it hidden: a removal that raced a colleague's edit shows as a `removedWhileEdited` conflict,
    /// and removing it again confirms the removal.
    public func removeElement(inspectionId: String, list: ElementList, elementId: String) async throws -> InspectionView {
        let view = try await write { fieldStore in
            try fieldStore.removeElement(inspectionId: inspectionId, list: list, elementId: elementId)
        }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Brings back a removed element of `list` with every edit made to it (settles a
    /// `removedWhileEdited` conflict in one step).
    public func restoreElement(inspectionId: String, list: ElementList, elementId: String) async throws -> InspectionView {
        let view = try await write { fieldStore in
            try fieldStore.restoreElement(inspectionId: inspectionId, list: list, elementId: elementId)
        }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Changes a photo's caption or the finding it shows (an empty string clears either), as
    /// edited on the version `basedOn`.
    public func updatePhoto(inspectionId: String, sha256: String, fields: PhotoEdit, basedOn: [String]) async throws -> InspectionView {
        let view = try await write { fieldStore in
            try fieldStore.updatePhoto(inspectionId: inspectionId, sha256: sha256, fields: fields, basedOn: basedOn)
        }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Keeps the camera's bytes of a new photo of `inspectionId` (`data`, in memory) the moment the
    /// shutter returns, before anything else (caption, finding): the core seals them under the store
    /// key into its photo inbox, on disk before this returns, so that the evidence survives the app
    /// being killed next and nothing of it is ever written in the clear. Returns the inbox path for
    /// ``attachPhotoFile(path:fields:)``; ``recoverPhotos()`` attaches it at the next start if the
    /// officer never does.
    public func keepCameraPhoto(_ data: Data, inspectionId: String, fileExtension: String = "jpg") async throws -> String {
        try await read { fieldStore in
            try fieldStore.keepCameraPhoto(inspectionId: inspectionId, bytes: data, extension: fileExtension)
        }
    }

    /// Attaches the photo kept at inbox path `path` (``keepCameraPhoto(_:inspectionId:fileExtension:)``),
    /// with what the officer said about it; the core moves it into the store and removes the inbox file.
    public func attachPhotoFile(path: String, fields: PhotoFields) async throws -> PhotoAdded {
        let added = try await write { fieldStore in try fieldStore.attachPhotoFile(path: path, fields: fields) }
        announce(.edited(inspectionId: added.view.inspection.id))
        return added
    }

    /// Attaches every photo a killed app left in the inbox (call once at start); what became of
    /// each is kept in ``recoveredPhotos`` for a notice.
    @discardableResult
    public func recoverPhotos() async -> [RecoveredPhoto] {
        do {
            let recovered = try await read { fieldStore in try fieldStore.recoverPhotos() }
            recoveredPhotos = recovered
            if !recovered.isEmpty { didChange() }
            return recovered
        } catch {
            presentedError = UserFacingError(error)
            return []
        }
    }

    /// Clears the recovered-photos notice once the officer has seen it.
    public func dismissRecoveredPhotos() {
        recoveredPhotos = []
    }

    /// Records or changes the seizure, as edited in a form filled from the version `basedOn`.
    public func setSeizure(inspectionId: String, fields: SeizureFields, basedOn: [String]) async throws -> InspectionView {
        let view = try await write { fieldStore in
            try fieldStore.setSeizure(inspectionId: inspectionId, fields: fields, basedOn: basedOn)
        }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Appends a hand-over to the chain of custody.
    public func addCustody(inspectionId: String, entry: CustodyFields) async throws -> InspectionView {
        let view = try await write { fieldStore in try fieldStore.addCustody(inspectionId: inspectionId, entry: entry) }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Corrects custody entry `entryId` as edited on the version `basedOn`; what it said before
    /// stays in the history.
    public func correctCustody(inspectionId: String, entryId: String, entry: CustodyFields, basedOn: [String]) async throws -> InspectionView {
        let view = try await write { fieldStore in
            try fieldStore.correctCustody(inspectionId: inspectionId, entryId: entryId, entry: entry, basedOn: basedOn)
        }
        announce(.edited(inspectionId: inspectionId))
        return view
    }

    /// Submits an inspection for review, signing the version recorded now; an inspection returned,
    /// or changed since it was submitted or approved, is submitted again.
    public func submit(inspectionId: String) async throws -> InspectionView {
        let view = try await write { fieldStore in try fieldStore.submit(inspectionId: inspectionId) }
        announce(.submitted(inspectionId: inspectionId))
        return view
    }

    // MARK: Review (supervisors)

    /// Inspections of this supervisor's stations waiting for a decision (awaiting review, changed
    /// since their submission, or changed since their approval), newest first.
    public func reviewQueue() async throws -> [InspectionSummary] {
        try await read { fieldStore in try fieldStore.reviewQueue() }
    }

    /// Approves an inspection exactly as the supervisor was shown it: a review signed with this
    /// device's key naming `heads`, the `heads` of the `InspectionView` on screen (never heads read
    /// again now). Refused, writing nothing, with ``UserFacingError/Kind/changedSinceShown`` when it
    /// changed since, with ``UserFacingError/Kind/changedSinceSubmission`` unless the officer's
    /// signature covers that version, and with ``UserFacingError/Kind/supervisorsOnly`` on an
    /// officer's phone.
    public func approve(inspectionId: String, heads: [String], comment: String) async throws -> ReviewRecord {
        let review = try await write { fieldStore in
            try fieldStore.approve(inspectionId: inspectionId, heads: heads, comment: comment)
        }
        announce(.reviewed(inspectionId: inspectionId))
        return review
    }

    /// Returns an inspection, as shown (`heads` of the view on screen), to its officer with a
    /// comment (required) saying what to correct; ``UserFacingError/Kind/changedSinceShown`` when
    /// it changed since it was shown.
    public func returnInspection(inspectionId: String, heads: [String], comment: String) async throws -> ReviewRecord {
        let review = try await write { fieldStore in
            try fieldStore.returnInspection(inspectionId: inspectionId, heads: heads, comment: comment)
        }
        announce(.reviewed(inspectionId: inspectionId))
        return review
    }

    // MARK: Sync

    /// Whether this device is enrolled with a server.
    public var isEnrolled: Bool { syncStatus?.enrolled ?? false }

    /// Enrols this device with the agency server using a one-time code from an administrator.
    /// The code must belong to this store's user. `trust` carries the agency's own CA or a pinned
    /// key for a server the platform's trust store does not vouch for.
    public func enroll(serverURL: String, code: String, deviceName: String, trust: ServerTrust? = nil) async throws -> EnrollmentRecord {
        let serverURL = FormText.clean(serverURL)
        let code = FormText.clean(code)
        let fieldStore = self.fieldStore
        guard !storeDeleted else { throw UserFacingError.storeWiped }
        do {
            let record = try await syncQueue.run {
                try fieldStore.enroll(serverUrl: serverURL, code: code, deviceName: deviceName, trust: trust)
            }
            await refreshSyncStatus()
            await refreshSchedule()
            return record
        } catch {
            throw UserFacingError(error)
        }
    }

    /// Reads the enrolment link scanned from the QR code on the administrator's enrolment page:
    /// its `server` and `code` go to ``enroll(serverURL:code:deviceName:trust:)``. Refused with the
    /// core's message when the text is not a Quayside enrolment link or its code is another user's.
    public func readEnrolmentLink(_ text: String) async throws -> EnrolmentLink {
        try await read { fieldStore in try fieldStore.readEnrolmentLink(text: text) }
    }

    /// Syncs with the server: pushes what was recorded here, pulls colleagues' changes, uploads
    /// photos, publishing progress in ``syncActivity``. Recording goes on meanwhile.
    ///
    /// Only one sync runs at a time. A request made while one runs does not start a second: it
    /// waits for the running one and, because the officer may have recorded something since it
    /// started, has it run once more after it succeeds.
    ///
    /// A report saying `wiped` (an administrator revoked this phone with wipe; the core pushed what
    /// the server accepts and deleted the store) forgets the store key and sets ``wiped``; nothing
    /// is read or scheduled after it. A sync that fails (no network) changes nothing: the next one
    /// tries again.
    @discardableResult
    public func sync(_ trigger: SyncTrigger) async -> SyncOutcome {
        guard !storeDeleted else {
            return SyncOutcome(trigger: trigger, finishedAt: Date(), result: .failure(UserFacingError.storeWiped))
        }
        if let running = syncTask {
            syncAgain = true
            return await running.value
        }
        let task = Task { () -> SyncOutcome in
            var outcome = await runSync(trigger)
            while syncAgain && outcome.succeeded && !storeDeleted {
                syncAgain = false
                outcome = await runSync(trigger)
            }
            syncAgain = false
            syncTask = nil
            return outcome
        }
        syncTask = task
        return await task.value
    }

    private func runSync(_ trigger: SyncTrigger) async -> SyncOutcome {
        syncActivity = .running(nil)
        let relay = SyncProgressRelay()
        let progress = Task { [weak self] in
            for await record in relay.updates {
                self?.syncActivity = .running(record)
            }
        }
        let fieldStore = self.fieldStore
        let result: Result<SyncReportRecord, UserFacingError>
        do {
            // One attempt: the core records how it ended, and `syncSchedule()` says when to try
            // again (the shell keeps no backoff of its own).
            let report = try await syncQueue.run {
                try fieldStore.sync(observer: relay)
            }
            result = .success(report)
        } catch {
            result = .failure(UserFacingError(error))
        }
        relay.finish()
        await progress.value
        let outcome = SyncOutcome(trigger: trigger, finishedAt: Date(), result: result)
        lastSyncOutcome = outcome
        syncActivity = .idle
        if case let .success(report) = result, report.wiped {
            await finishWipe()
            return outcome
        }
        if case let .success(report) = result, report.received > 0 {
            revision += 1
        }
        await refresh()
        return outcome
    }

    /// The core deleted the store after an administrator's wipe. Nothing reaches the core's store
    /// after this (its connections point at deleted files); the marker for set-up is left and the
    /// store's keys forgotten, off the main thread. A key the Keychain would not forget now is forgotten
    /// when the next store is created (``create(at:user:station:keychain:)``).
    private func finishWipe() async {
        storeDeleted = true
        listReload?.cancel()
        let location = self.location
        let keychain = self.keychain
        try? await edits.run {
            try? location.markWiped()
            try keychain.forget(for: location)
        }
        wiped = true
    }

    // MARK: Store key

    /// Re-encrypts the store under a new key, for when its key may have been exposed or by the
    /// agency's policy (``StoreKeychain/changeKey(of:at:)``: the new key is kept as the pending key
    /// before the core re-encrypts the database and every photo, then made current). It takes a
    /// moment, longer with many photos, and runs on the edits queue like every other call that
    /// changes the store: reads and edits wait for it, and the core lets nothing touch the database
    /// while its pages change key. ``changingKey`` is `true` meanwhile. Cut short (the app killed),
    /// the next ``open(at:keychain:)`` settles it with everything kept.
    /// - Throws: ``UserFacingError``: ``StoreKeyError/changeUnfinished`` when a change that failed
    ///   earlier is unsettled until the app starts again; the Keychain's or the core's error.
    public func changeKey() async throws {
        changingKey = true
        defer { changingKey = false }
        let keychain = self.keychain
        let location = self.location
        try await read { fieldStore in try keychain.changeKey(of: fieldStore, at: location) }
    }

    // MARK: Plumbing

    private func read<T>(_ work: @escaping @Sendable (FieldStore) throws -> T) async throws -> T {
        let fieldStore = self.fieldStore
        guard !storeDeleted else { throw UserFacingError.storeWiped }
        do {
            return try await edits.run { try work(fieldStore) }
        } catch {
            throw UserFacingError(error)
        }
    }

    private func write<T>(_ work: @escaping @Sendable (FieldStore) throws -> T) async throws -> T {
        let value = try await read(work)
        didChange()
        return value
    }

    private func announce(_ change: LocalChange) {
        localChanges.send(change)
    }

    private func didChange() {
        revision += 1
        scheduleListReload(after: .zero)
        // The schedule after every write: the scheduler hands it to the system.
        Task { await refreshSchedule() }
    }

    // MARK: Drafts

    /// Keeps what is typed in form `form` (a ``DraftKey``), filled from the version `basedOn`.
    @discardableResult
    public func saveDraft(form: String, inspectionId: String?, basedOn: [String], fields: [String: String]) async throws -> DraftRecord {
        try await read { fieldStore in
            try fieldStore.saveDraft(form: form, inspectionId: inspectionId, basedOn: basedOn, fields: fields)
        }
    }

    /// The draft kept for form `form`, if any.
    public func draft(form: String) async throws -> DraftRecord? {
        try await read { fieldStore in try fieldStore.draft(form: form) }
    }

    /// Every kept draft, oldest first.
    public func drafts() async throws -> [DraftRecord] {
        try await read { fieldStore in try fieldStore.drafts() }
    }

    /// Forgets form `form`'s draft (after it was saved, or when the officer discards it).
    public func discardDraft(form: String) async throws {
        try await read { fieldStore in try fieldStore.discardDraft(form: form) }
    }

    private func scheduleListReload(after delay: Duration) {
        listReload?.cancel()
        listReload = Task { [weak self] in
            if delay > .zero {
                try? await Task.sleep(for: delay)
            }
            guard !Task.isCancelled, let self else { return }
            await self.refresh()
        }
    }
}
