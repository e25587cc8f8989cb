import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// The typed contract with the core: enums and their labels, error codes, the message catalog and
/// its translations, the sync schedule's mapping to background task requests.
final class ContractTests: XCTestCase {
    override func setUp() {
        Localization.localizer = EnglishLocalizer()
    }

    func testStatesAndLabelsComeFromTheCore() {
        XCTAssertEqual(ReviewState.changedSinceApproval.label().key, .reviewStateChangedSinceApproval)
        XCTAssertEqual(ReviewState.awaitingReview.text, ReviewState.awaitingReview.label().english())
        XCTAssertTrue(ReviewState.returned.canResubmit)
        XCTAssertFalse(ReviewState.approved.needsAction)
        XCTAssertTrue(ReviewState.changedSinceSubmission.awaitsDecision)
        XCTAssertEqual(Decision.returned.label().key, .decisionReturned)
        XCTAssertEqual(Role.ozoneAnalyst.label().key, .roleOzoneAnalyst)
        XCTAssertEqual(RefusalCode.stale.label().key.id(), "refusal_stale")
        XCTAssertEqual(MessageKey.syncPhaseDocuments.id(), "sync_phase_documents")
    }

    func testTheLocalizerFillsArgumentsInOrder() {
        let localizer = CatalogLocalizer(formats: ["msg_sync_phase_documents": "Catatan %1$@ dari %2$@"])
        let message = UserMessage(key: .syncPhaseDocuments, args: ["3", "7"])
        XCTAssertEqual(localizer.string(message), "Catatan 3 dari 7")
        // A key the catalog lacks falls back to the core's English.
        XCTAssertEqual(localizer.string(UserMessage(key: .syncPhaseDone, args: [])), UserMessage(key: .syncPhaseDone, args: []).english())
        Localization.localizer = localizer
        XCTAssertEqual(message.localized, "Catatan 3 dari 7")
    }

    /// Every message the core can return has an English and an Indonesian entry in the app's string
    /// catalog, with one placeholder per argument (`%1$@` … in argument order).
    func testTheStringCatalogCoversEveryCoreMessage() throws {
        let url = Fixtures.stringCatalog
        let data = try Data(contentsOf: url)
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(root["sourceLanguage"] as? String, "en")
        let catalog = messageCatalog()
        XCTAssertFalse(catalog.isEmpty)
        for language in ["en", "id"] {
            let formats = try CatalogLocalizer.formats(inCatalog: data, language: language)
            for entry in catalog {
                let key = "msg_" + entry.id
                XCTAssertEqual(entry.key.id(), entry.id)
                guard let format = formats[key] else {
                    XCTFail("\(key) has no \(language) translation")
                    continue
                }
                let placeholders = Set(Self.placeholders(format))
                let wanted = Set((0..<entry.args.count).map { "%\($0 + 1)$@" })
                XCTAssertEqual(placeholders, wanted, "\(key) [\(language)]: \(format)")
                XCTAssertFalse(format.contains("{"), "\(key) [\(language)] still has a {name} placeholder")
            }
        }
        // The English entries say what the core says.
        let english = try CatalogLocalizer(xcstrings: url, language: "en")
        for entry in catalog {
            let message = UserMessage(key: entry.key, args: entry.args.map { "<\($0)>" })
            XCTAssertEqual(english.string(message), message.english(), entry.id)
        }
    }

    private static func placeholders(_ format: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "%[0-9]+\\$@")
        let range = NSRange(format.startIndex..., in: format)
        return regex.matches(in: format, range: range).compactMap { Range($0.range, in: format).map { String(format[$0]) } }
    }

    func testTheScheduleBecomesBackgroundRequests() {
        func schedule(_ action: SyncAction, _ delayMs: UInt64) -> SyncSchedule {
            SyncSchedule(action: action, delayMs: delayMs, expedited: true, unsyncedInspections: 2, unsyncedPhotos: 1,
                         failures: 0, lastError: nil, message: UserMessage(key: .syncPending, args: ["2", "1"]))
        }
        let now = BackgroundSync.requests(for: schedule(.now, 0))
        XCTAssertEqual(now.map(\.kind), [.appRefresh, .processing])
        XCTAssertEqual(now.map(\.earliestBeginDelay), [0, 0])
        XCTAssertEqual(now.map(\.identifier), [BackgroundSync.refreshIdentifier, BackgroundSync.processingIdentifier])
        XCTAssertEqual(now.last?.requiresNetworkConnectivity, true)
        XCTAssertEqual(now.last?.requiresExternalPower, false)

        let later = BackgroundSync.requests(for: schedule(.after, 90_000), refreshIdentifier: "r", processingIdentifier: "p")
        XCTAssertEqual(later, [
            BGRequestSpec(kind: .appRefresh, identifier: "r", earliestBeginDelay: 90),
            BGRequestSpec(kind: .processing, identifier: "p", earliestBeginDelay: 90, requiresNetworkConnectivity: true),
        ])
        XCTAssertTrue(BackgroundSync.requests(for: schedule(.enrol, 0)).isEmpty)
        XCTAssertTrue(BackgroundSync.requests(for: schedule(.enrolAgain, 0)).isEmpty)
    }
}

/// Field-level updates based on the version shown, drafts, and the schedule, through a real store.
@MainActor
final class BasedOnAndDraftTests: XCTestCase {
    private var folder: TemporaryFolder!
    private var store: InspectionStore!

    override func setUp() async throws {
        Localization.localizer = EnglishLocalizer()
        folder = try TemporaryFolder()
        store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM", keychain: .inMemory())
    }

    override func tearDown() async throws {
        store = nil
        folder = nil
    }

    /// A form filled from an older version and saved whole keeps what a colleague changed since.
    func testAFormSavedOnAnOlderVersionKeepsAColleaguesEdit() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let id = created.inspection.id
        let editor = InspectionEditorModel(store: store, view: created)
        let shownHeads = editor.basedOn
        XCTAssertEqual(shownHeads, created.heads)

        // Meanwhile (as if merged by sync) the consignee is corrected elsewhere.
        var colleague = InspectionFields()
        colleague.declaration = DeclarationFields(consignee: "Accra Frost Ltd")
        _ = try await store.updateInspection(id: id, fields: colleague, basedOn: [])

        // The officer, still on the version shown, changes the notes and saves the whole form.
        editor.form[.notes] = "cylinders relabelled"
        await editor.save()
        XCTAssertEqual(editor.saveState, .saved, editor.saveError?.message ?? "")
        let stored = try await store.inspection(id: id).inspection
        XCTAssertEqual(stored.notes, "cylinders relabelled")
        XCTAssertEqual(stored.declaration.consignee, "Accra Frost Ltd", "the colleague's edit is kept")
        XCTAssertEqual(editor.form[.consignee], "Accra Frost Ltd", "the form shows it after the save")
    }

    func testTypingIsKeptAsADraftAndRestoredWhenTheEditorOpensAgain() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let id = created.inspection.id
        let editor = InspectionEditorModel(store: store, inspectionId: id)
        editor.draftDelay = .milliseconds(50)
        await editor.load()
        editor.form[.notes] = "half typed when the phone rang"
        try await Task.sleep(for: .milliseconds(300))
        let kept = try await store.draft(form: DraftKey.inspection(id))
        XCTAssertEqual(kept?.fields["notes"], "half typed when the phone rang")
        XCTAssertEqual(kept?.basedOn, created.heads)

        // The app is killed; the editor opens again on a reopened store.
        let reopened = try await InspectionStore.open(at: store.location, keychain: store.keychain)
        let again = InspectionEditorModel(store: reopened, inspectionId: id)
        await again.load()
        XCTAssertEqual(again.form[.notes], "half typed when the phone rang")
        XCTAssertNotNil(again.restoredDraftAt)
        XCTAssertEqual(again.basedOn, created.heads, "saved on the version it was filled from")
        XCTAssertEqual(again.saveState, .editing)

        await again.leave()
        XCTAssertEqual(again.saveState, .saved)
        let stored = try await reopened.inspection(id: id).inspection
        XCTAssertEqual(stored.notes, "half typed when the phone rang")
        let gone = try await reopened.drafts()
        XCTAssertTrue(gone.isEmpty, "the draft is discarded after the save")
    }

    func testAFindingDraftIsKeptUnderItsKey() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let editor = InspectionEditorModel(store: store, view: created)
        let drafts = editor.findingDrafts(nil)
        XCTAssertEqual(drafts.key, "finding:\(created.inspection.id):new")
        var form = FindingForm()
        form[.identified] = "R-22"
        drafts.changed(form)
        await drafts.flush()
        let restored = await editor.findingDrafts(nil).restore()
        XCTAssertEqual(restored?.form, form)
        await drafts.discard()
        let none = await editor.findingDrafts(nil).restore()
        XCTAssertNil(none)
    }

    func testTheScheduleIsReadAfterWrites() async throws {
        await store.refreshSchedule()
        XCTAssertEqual(store.schedule?.action, .enrol, "not enrolled: nothing to schedule")
        XCTAssertTrue(BackgroundSync.requests(for: try XCTUnwrap(store.schedule)).isEmpty)
        _ = try await store.createInspection(InspectionForm.r22Case.fields())
        await store.refreshSchedule()
        XCTAssertEqual(store.schedule?.unsyncedInspections, 1)
    }
}
