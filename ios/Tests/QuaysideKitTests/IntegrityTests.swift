import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Evidence integrity through the shell: a change after submission is never approved as signed,
/// a decision names the version shown (a stale one records nothing), a removal that crossed an
/// edit stays visible and restores in one step. The server tests are skipped without one (see
/// ``TestServerConfig``); they need `QUAYSIDE_TEST_ADMIN_TOKEN` to enrol several phones.
@MainActor
final class IntegrityTests: XCTestCase {
    // MARK: Without a server

    func testConflictsAreWordedWithWhatSettlesThem() throws {
        Localization.localizer = EnglishLocalizer()
        defer { Localization.localizer = EnglishLocalizer() }
        let custody = ConflictRecord(
            path: "seizure.custody[c-1]",
            kind: .removedWhileEdited,
            list: .custody,
            elementId: "c-1",
            values: [
                ConflictValueRecord(value: "removed", user: "kofi", device: "d-2", at: nil),
                ConflictValueRecord(value: "to = bonded warehouse 3", user: "ama", device: "d-1", at: nil),
            ],
            message: UserMessage(key: .conflictRemovedCustody, args: ["kofi", "ama"]),
            hint: UserMessage(key: .hintRemovedWhileEdited, args: [])
        )
        let removed = ConflictNotice(custody)
        XCTAssertTrue(removed.removedWhileEdited)
        XCTAssertEqual(removed.title, "Custody hand-over removed by kofi while ama edited it")
        XCTAssertEqual(removed.hint, custody.hint.english())
        XCTAssertEqual(removed.lines, ["Removed · kofi", "to = bonded warehouse 3 · ama"])
        XCTAssertTrue(removed.notesVersions.isEmpty)

        // Worded from the string catalog, the core's message and the element's name alike.
        Localization.localizer = try CatalogLocalizer(xcstrings: Fixtures.stringCatalog, language: "id")
        XCTAssertEqual(ConflictNotice(custody).title, "Serah terima dihapus oleh kofi saat ama menyuntingnya")
        XCTAssertEqual(ElementList.findings.label().localized, "Temuan")
        Localization.localizer = EnglishLocalizer()

        let notes = ConflictNotice(ConflictRecord(
            path: "notes",
            kind: .values,
            list: nil,
            elementId: nil,
            values: [
                ConflictValueRecord(value: "cylinders are R-22", user: "ama", device: nil, at: nil),
                ConflictValueRecord(value: "labels read R-134a", user: "kofi", device: nil, at: nil),
            ],
            message: UserMessage(key: .conflictValues, args: ["notes"]),
            hint: UserMessage(key: .hintNotes, args: [])
        ))
        XCTAssertFalse(notes.removedWhileEdited)
        XCTAssertEqual(notes.title, "Changed on two devices: notes")
        XCTAssertEqual(notes.hint, "Keep one version, or write the notes again.")
        XCTAssertEqual(notes.notesVersions, ["cylinders are R-22", "labels read R-134a"])
        XCTAssertEqual(notes.lines.first, "“cylinders are R-22” (shown) · ama")
    }

    func testAChangeAfterSubmissionIsNotApprovableUntilSubmittedAgain() async throws {
        let folder = try TemporaryFolder()
        let store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM", keychain: .inMemory())
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let id = created.inspection.id
        let editor = InspectionEditorModel(store: store, view: created)
        let submitted = await editor.submit()
        XCTAssertTrue(submitted)
        XCTAssertEqual(editor.view?.submissionCoversShown, true)
        let signedHeads = try XCTUnwrap(editor.view?.heads)

        var custody = CustodyForm(from: "ama")
        custody[.to] = "Kwame Mensah (warehouse)"
        let handedOver = await editor.addCustody(custody)
        XCTAssertTrue(handedOver)
        let changed = try XCTUnwrap(editor.view)
        XCTAssertEqual(changed.reviewState, .changedSinceSubmission)
        XCTAssertEqual(changed.submissionVerified, true)
        XCTAssertFalse(changed.submissionCoversShown)
        XCTAssertNotEqual(changed.heads, signedHeads)
        XCTAssertEqual(editor.reviewNotice?.title, "Changed since submission")
        XCTAssertTrue(editor.canSubmit)
        XCTAssertTrue(editor.isResubmission)
        XCTAssertTrue(editor.isEditable)

        // The queue lists it; it can be returned but not approved.
        let queue = ReviewQueueModel(store: store)
        await queue.load()
        XCTAssertEqual(queue.rows.first { $0.id == id }?.reviewState, .changedSinceSubmission)
        await queue.open(inspectionId: id)
        XCTAssertTrue(queue.canDecide)
        XCTAssertFalse(queue.canApprove)

        // Submitting again signs the version as it is now.
        let again = await editor.submit()
        XCTAssertTrue(again)
        XCTAssertEqual(editor.reviewState, .awaitingReview)
        XCTAssertEqual(editor.view?.submissionCoversShown, true)
        XCTAssertFalse(editor.canSubmit)
    }

    func testPhotosAndHandOversAreCorrectedAndRemoved() async throws {
        let folder = try TemporaryFolder()
        let store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM", keychain: .inMemory())
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let id = created.inspection.id
        let editor = InspectionEditorModel(store: store, view: created)

        let path = try XCTUnwrap(await editor.keepPhoto(Fixtures.jpeg))
        let attached = await editor.attachPhoto(path: path, findingId: nil, caption: "door", latitude: nil, longitude: nil)
        XCTAssertTrue(attached)
        let photo = try XCTUnwrap(editor.view?.inspection.photos.first)
        var caption = PhotoEdit()
        caption.caption = "relabelled cylinder"
        let captioned = try await store.updatePhoto(inspectionId: id, sha256: photo.sha256, fields: caption,
                                                   basedOn: try XCTUnwrap(editor.view?.heads))
        XCTAssertEqual(captioned.inspection.photos.first?.caption, "relabelled cylinder")

        var custody = CustodyForm(from: "ama")
        custody[.to] = "Kwame Mensah"
        let handedOver = await editor.addCustody(custody)
        XCTAssertTrue(handedOver)
        let entry = try XCTUnwrap(editor.view?.inspection.seizure?.custody.first)
        XCTAssertTrue(entry.id.hasPrefix("c-"))
        var correction = CustodyForm(record: entry)
        XCTAssertEqual(correction[.from], "ama", "filled by the core")
        correction[.to] = "Kwame Mensah (warehouse)"
        let corrected = try await store.correctCustody(
            inspectionId: id,
            entryId: entry.id,
            entry: try correction.fields(),
            basedOn: try XCTUnwrap(editor.view?.heads)
        )
        XCTAssertEqual(corrected.inspection.seizure?.custody.first?.to, "Kwame Mensah (warehouse)")
        XCTAssertEqual(corrected.inspection.seizure?.custody.first?.at, entry.at, "a correction keeps the time")
        await editor.reload()

        let photoRemoved = await editor.removePhoto(photo.sha256)
        XCTAssertTrue(photoRemoved)
        XCTAssertEqual(editor.view?.inspection.photos.isEmpty, true)
        let entryRemoved = await editor.removeCustody(entry.id)
        XCTAssertTrue(entryRemoved)
        XCTAssertEqual(editor.view?.inspection.seizure?.custody.isEmpty ?? true, true)
        XCTAssertTrue(editor.conflicts.isEmpty, "removals on one phone are no conflict")

        let unnamed = await editor.removeCustody("")
        XCTAssertFalse(unnamed)
        XCTAssertEqual(editor.alert?.code, .invalid)
    }

    // MARK: Through a server

    /// Two phones enrolled with the server: the first for `firstUser`, the second for `secondUser`,
    /// in `folders` (which the caller keeps alive: a ``TemporaryFolder`` is removed when released).
    private func phones(_ server: TestServerConfig, _ firstUser: String, _ secondUser: String,
                        folders: (TemporaryFolder, TemporaryFolder)) async throws -> (InspectionStore, InspectionStore) {
        let first = try await InspectionStore.create(at: StoreLocation(root: folders.0.url), user: firstUser, station: server.station, keychain: .inMemory())
        let second = try await InspectionStore.create(at: StoreLocation(root: folders.1.url), user: secondUser, station: server.station, keychain: .inMemory())
        _ = try await first.enroll(serverURL: server.url, code: try await server.enrolmentCode(for: firstUser), deviceName: "QuaysideKit tests (1)")
        _ = try await second.enroll(serverURL: server.url, code: try await server.enrolmentCode(for: secondUser), deviceName: "QuaysideKit tests (2)")
        return (first, second)
    }

    func testAnApprovalOfAVersionOvertakenBySyncIsRefusedAsStale() async throws {
        let server = try TestServerConfig.fromEnvironment(needsAdminToken: true)
        let folders = (try TemporaryFolder(), try TemporaryFolder())
        let (ama, esi) = try await phones(server, server.user, server.supervisor, folders: folders)
        let id = try await ama.createInspection(InspectionForm.r22Case.fields()).inspection.id
        let finding = try await ama.addFinding(inspectionId: id, fields: FindingForm.r22.fields())
        _ = try await ama.submit(inspectionId: id)
        _ = try await ama.sync(.manual).result.get()

        let queue = ReviewQueueModel(store: esi)
        await queue.syncAndLoad()
        await queue.open(inspectionId: id)
        let shown = try XCTUnwrap(queue.current)
        XCTAssertTrue(queue.canApprove)
        queue.comment = "Well documented"

        // Meanwhile the officer re-weighs and submits again; the supervisor's phone syncs in the background.
        _ = try await ama.updateFinding(inspectionId: id, findingId: finding.findingId, fields: FindingFields(netMassKg: 15_400), basedOn: [])
        _ = try await ama.submit(inspectionId: id)
        _ = try await ama.sync(.manual).result.get()
        _ = try await esi.sync(.background).result.get()
        XCTAssertEqual(queue.current, shown, "the screen is not swapped under the supervisor")

        let approved = await queue.approve()
        XCTAssertFalse(approved)
        XCTAssertEqual(queue.alert?.code, .stale)
        let now = try XCTUnwrap(queue.current)
        XCTAssertNotEqual(now.heads, shown.heads, "shown again as it is now")
        XCTAssertEqual(now.assessment.total.kg, 15_400, accuracy: 0.001)
        XCTAssertEqual(queue.comment, "Well documented", "the comment is kept")
        let stored = try await esi.inspection(id: id)
        XCTAssertTrue(stored.reviews.isEmpty, "a stale approval writes nothing")

        // Having read it again, the supervisor approves what she now sees.
        queue.alert = nil
        XCTAssertTrue(queue.canApprove)
        let second = await queue.approve()
        XCTAssertTrue(second)
        let decided = try await esi.inspection(id: id)
        let review = try XCTUnwrap(decided.reviews.last)
        XCTAssertEqual(review.decision, .approved)
        XCTAssertEqual(review.reviewedHeads, now.heads)
    }

    func testARemovalThatCrossedAnEditRestoresInOneStep() async throws {
        let server = try TestServerConfig.fromEnvironment(needsAdminToken: true)
        // Two phones of the same officer: what matters is two devices editing offline.
        let folders = (try TemporaryFolder(), try TemporaryFolder())
        let (first, second) = try await phones(server, server.user, server.user, folders: folders)
        let id = try await first.createInspection(InspectionForm.r22Case.fields()).inspection.id
        let findingId = try await first.addFinding(inspectionId: id, fields: FindingFields(identifiedSubstance: "R-22", netMassKg: 500)).findingId
        _ = try await first.sync(.manual).result.get()
        _ = try await second.sync(.manual).result.get()

        _ = try await first.updateFinding(inspectionId: id, findingId: findingId, fields: FindingFields(netMassKg: 555), basedOn: [])
        _ = try await second.removeFinding(inspectionId: id, findingId: findingId)
        _ = try await second.sync(.manual).result.get()
        _ = try await first.sync(.manual).result.get()
        _ = try await second.sync(.manual).result.get()

        let editor = InspectionEditorModel(store: first, inspectionId: id)
        await editor.load()
        XCTAssertEqual(editor.view?.inspection.findings.isEmpty, true, "the removal holds until someone decides")
        let notice = try XCTUnwrap(editor.conflicts.first)
        XCTAssertTrue(notice.removedWhileEdited)
        XCTAssertEqual(notice.conflict.message.key, .conflictRemovedFinding)
        XCTAssertEqual(notice.conflict.list, .findings)
        XCTAssertEqual(notice.conflict.elementId, findingId)
        XCTAssertTrue(notice.lines.first?.hasPrefix("Removed") ?? false, "\(notice.lines)")
        XCTAssertTrue(notice.lines.contains { $0.hasPrefix("net_mass_kg = 555") }, "\(notice.lines)")

        let restored = await editor.restore(notice.conflict)
        XCTAssertTrue(restored)
        XCTAssertEqual(editor.view?.conflicts.isEmpty, true)
        XCTAssertEqual(editor.view?.inspection.findings.first?.netMassKg, 555)
        _ = try await first.sync(.manual).result.get()
        _ = try await second.sync(.manual).result.get()
        let there = try await second.inspection(id: id)
        XCTAssertTrue(there.conflicts.isEmpty)
        XCTAssertEqual(there.inspection.findings.first?.netMassKg, 555)
    }
}
