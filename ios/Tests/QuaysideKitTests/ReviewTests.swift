import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Supervisor review: review states and messages on a local store, and the whole flow between an
/// officer's and a supervisor's phone through a real agency server (skipped without one, like
/// ``SyncTests``; it needs `QUAYSIDE_TEST_ADMIN_TOKEN` to enrol both phones).
@MainActor
final class ReviewTests: XCTestCase {
    // MARK: Without a server

    func testASubmissionIsSignedAndAwaitsReview() async throws {
        let folder = try TemporaryFolder()
        let store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM", keychain: .inMemory())
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        XCTAssertEqual(created.reviewState, .draft)
        XCTAssertNil(created.submissionVerified)
        XCTAssertNil(ReviewText.notice(for: created), "a draft has no review banner")

        let editor = InspectionEditorModel(store: store, inspectionId: created.inspection.id)
        await editor.load()
        XCTAssertTrue(editor.canSubmit)
        XCTAssertTrue(editor.isEditable)
        let submitted = await editor.submit()
        XCTAssertTrue(submitted)
        XCTAssertEqual(editor.reviewState, .awaitingReview)
        XCTAssertEqual(editor.view?.submissionVerified, true)
        XCTAssertEqual(editor.reviewNotice?.title, "Awaiting review")
        XCTAssertFalse(editor.canSubmit)
        XCTAssertFalse(editor.isEditable)
        editor.beginCorrection()
        XCTAssertTrue(editor.isEditable, "the officer may correct a submitted inspection on purpose")

        await store.refresh()
        let row = try XCTUnwrap(store.inspections.first)
        XCTAssertEqual(row.reviewState, .awaitingReview)
        XCTAssertTrue(row.pendingSync, "never synced")

        // The queue reads the core's review_queue; deciding needs a supervisor's enrolment.
        let queue = ReviewQueueModel(store: store)
        await queue.load()
        XCTAssertEqual(queue.rows.map(\.id), [created.inspection.id])
        await queue.open(inspectionId: created.inspection.id)
        XCTAssertTrue(queue.canDecide)
        XCTAssertTrue(queue.canApprove, "the submission covers the version shown")
        XCTAssertFalse(queue.canReturn, "returning needs a comment")
        let returned = await queue.returnToOfficer()
        XCTAssertFalse(returned)
        XCTAssertEqual(queue.alert?.code, .forbidden, "the core refuses it: an officer's phone, and no comment")
        let approved = await queue.approve()
        XCTAssertFalse(approved)
        XCTAssertNotNil(queue.alert?.code, "the core refuses an officer's decision")
        let fresh = try await store.inspection(id: created.inspection.id)
        XCTAssertTrue(fresh.reviews.isEmpty, "a refused decision records nothing")
        XCTAssertEqual(fresh.reviewState, .awaitingReview)
    }

    func testReviewRefusalsBecomeMessages() {
        Localization.localizer = EnglishLocalizer()
        let refused = RejectedRecord(id: "r1", kind: .review, code: .notAllowed, reason: "photo ab12 has not arrived",
                                     message: UserMessage(key: .refusalNotAllowed, args: ["photo ab12 has not arrived"]))
        let shown = ReviewText.refusal(refused)
        XCTAssertEqual(shown.userMessage, refused.message)
        XCTAssertEqual(refused.code.label().key, .refusalNotAllowed)
        XCTAssertEqual(ReviewState.changedSinceSubmission.text, ReviewState.changedSinceSubmission.label().english())
        let stale = UserFacingError(ApiError.Stale(message: "inspection 01a has changed since it was shown"))
        XCTAssertEqual(stale.code, .stale)
        XCTAssertEqual(stale.title, "Changed since you opened it")
        XCTAssertFalse(stale.isRetryable, "a stale decision is never retried silently")
    }

    // MARK: Through a server

    func testApproveChangeReturnAndResubmitThroughTheServer() async throws {
        let server = try TestServerConfig.fromEnvironment(needsAdminToken: true)
        let officerFolder = try TemporaryFolder()
        let supervisorFolder = try TemporaryFolder()
        let ama = try await InspectionStore.create(at: StoreLocation(root: officerFolder.url), user: server.user, station: server.station, keychain: .inMemory())
        let esi = try await InspectionStore.create(at: StoreLocation(root: supervisorFolder.url), user: server.supervisor, station: server.station, keychain: .inMemory())
        _ = try await ama.enroll(serverURL: server.url, code: try await server.enrolmentCode(for: server.user), deviceName: "QuaysideKit tests (officer)")
        let enrolment = try await esi.enroll(serverURL: server.url, code: try await server.enrolmentCode(for: server.supervisor), deviceName: "QuaysideKit tests (supervisor)")
        XCTAssertEqual(enrolment.role, "supervisor")

        // The officer records an R-22 finding and submits: signed, verified, awaiting review.
        let id = try await ama.createInspection(InspectionForm.r22Case.fields()).inspection.id
        let finding = try await ama.addFinding(inspectionId: id, fields: FindingForm.r22.fields())
        let submitted = try await ama.submit(inspectionId: id)
        XCTAssertEqual(submitted.submissionVerified, true)
        XCTAssertEqual(submitted.reviewState, .awaitingReview)
        _ = try await ama.sync(.manual).result.get()
        XCTAssertEqual(ama.inspections.first { $0.id == id }?.pendingSync, false)

        // The supervisor syncs, finds it in the queue, approves.
        let queue = ReviewQueueModel(store: esi)
        await queue.syncAndLoad()
        XCTAssertNil(queue.alert)
        XCTAssertEqual(queue.rows.first { $0.id == id }?.reviewState, .awaitingReview)
        await queue.open(inspectionId: id)
        XCTAssertEqual(queue.current?.assessment.total.odpTonnes ?? 0, 0.852, accuracy: 0.0005)
        queue.comment = "Seizure well documented"
        let approved = await queue.approve()
        XCTAssertTrue(approved)
        XCTAssertNil(queue.alert)
        XCTAssertEqual(queue.notice, "Approved \(submitted.inspection.container.number) and sent it to the server")
        XCTAssertFalse(queue.rows.contains { $0.id == id })

        // The officer sees the approval, signed and verified.
        _ = try await ama.sync(.manual).result.get()
        var view = try await ama.inspection(id: id)
        XCTAssertEqual(view.reviewState, .approved)
        let approval = try XCTUnwrap(view.reviews.last)
        XCTAssertEqual(approval.decision, .approved)
        XCTAssertEqual(approval.reviewer, server.supervisor)
        XCTAssertTrue(approval.signatureVerified)

        // A correction after approval: changed since approval.
        view = try await ama.updateFinding(inspectionId: id, findingId: finding.findingId, fields: FindingFields(netMassKg: 15_400), basedOn: [])
        XCTAssertEqual(view.reviewState, .changedSinceApproval)
        XCTAssertFalse(view.submissionCoversShown)
        XCTAssertEqual(ReviewText.notice(for: view)?.title, "Changed since approval")
        _ = try await ama.sync(.manual).result.get()

        // The supervisor syncs and returns it with a comment.
        await queue.syncAndLoad()
        XCTAssertEqual(queue.rows.first { $0.id == id }?.reviewState, .changedSinceApproval)
        await queue.open(inspectionId: id)
        XCTAssertFalse(queue.canApprove, "the officer's signature does not cover the change")
        queue.comment = "  "
        let withoutComment = await queue.returnToOfficer()
        XCTAssertFalse(withoutComment)
        XCTAssertEqual(queue.alert?.userMessage?.key, .ruleCommentNeeded, "the core's rule, worded from its key")
        queue.alert = nil
        queue.comment = "Net mass changed: attach the weighbridge ticket"
        let returned = await queue.returnToOfficer()
        XCTAssertTrue(returned)
        XCTAssertNil(queue.alert)

        // The officer reads the comment and submits again.
        _ = try await ama.sync(.manual).result.get()
        let editor = InspectionEditorModel(store: ama, inspectionId: id)
        await editor.load()
        XCTAssertEqual(editor.reviewState, .returned)
        XCTAssertEqual(editor.view?.reviews.last?.comment, "Net mass changed: attach the weighbridge ticket")
        XCTAssertTrue(editor.reviewNotice?.text.contains("weighbridge ticket") ?? false)
        XCTAssertTrue(editor.isEditable)
        XCTAssertTrue(editor.isResubmission)
        let again = await editor.submit()
        XCTAssertTrue(again)
        XCTAssertEqual(editor.reviewState, .awaitingReview)
        XCTAssertEqual(editor.view?.submissionVerified, true)

        // The officer may not decide.
        do {
            let shown = try await ama.inspection(id: id)
            _ = try await ama.approve(inspectionId: id, heads: shown.heads, comment: "fine")
            XCTFail("an officer approved an inspection")
        } catch let error as UserFacingError {
            XCTAssertNotNil(error.code)
        }
    }
}
