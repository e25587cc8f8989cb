import Combine
import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Sync against a real agency server. Skipped unless `QUAYSIDE_TEST_SERVER` names one; see
/// ios/README.md ("Sync test") for starting `quayside-server --demo` locally.
///
/// - `QUAYSIDE_TEST_SERVER`: the server's URL, e.g. `http://127.0.0.1:8080`.
/// - `QUAYSIDE_TEST_ADMIN_TOKEN`: an admin token, to mint a fresh enrolment code per run; or
///   `QUAYSIDE_TEST_ENROL_CODE`: a one-time code (good for one run).
/// - `QUAYSIDE_TEST_USER` / `QUAYSIDE_TEST_STATION`: the officer and station (default `ama`, `GHTEM`,
///   as seeded by `--demo`).
@MainActor
final class SyncTests: XCTestCase {
    /// Records progress reports from the core, on whichever thread the core calls.
    private final class RecordingObserver: SyncObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [SyncProgressRecord] = []

        func onProgress(progress: SyncProgressRecord) {
            lock.lock()
            recorded.append(progress)
            lock.unlock()
        }

        var phases: [SyncPhase] {
            lock.lock()
            defer { lock.unlock() }
            return recorded.map(\.phase)
        }
    }

    func testWhatWasRecordedOfflineReachesTheServer() async throws {
        let server = try TestServerConfig.fromEnvironment()
        let folder = try TemporaryFolder()
        let store = try await InspectionStore.create(
            at: StoreLocation(root: folder.url),
            user: server.user,
            station: server.station,
            keychain: .inMemory()
        )

        // Offline: an inspection with a finding, a photo and a submission.
        let id = try await store.createInspection(InspectionForm.r22Case.fields()).inspection.id
        let findingId = try await store.addFinding(inspectionId: id, fields: FindingForm.r22.fields()).findingId
        let photo = Fixtures.jpeg + Data(UUID().uuidString.utf8)   // new to the server on every run
        let path = try await store.keepCameraPhoto(photo, inspectionId: id)
        _ = try await store.attachPhotoFile(path: path, fields: PhotoFields(mime: "image/jpeg", caption: "relabelled", findingId: findingId))
        _ = try await store.submit(inspectionId: id)
        XCTAssertEqual(store.syncStatus?.unsyncedInspections, 1)

        let enrolment = try await store.enroll(
            serverURL: server.url,
            code: try await server.enrolmentCode(for: server.user),
            deviceName: "QuaysideKit tests"
        )
        XCTAssertEqual(enrolment.user, server.user)
        XCTAssertTrue(store.isEnrolled)

        var phases: [SyncPhase] = []
        let watch = store.$syncActivity.sink { activity in
            if case let .running(progress?) = activity { phases.append(progress.phase) }
        }
        let outcome = await store.sync(.manual)
        watch.cancel()

        let report = try outcome.result.get()
        XCTAssertGreaterThanOrEqual(report.pushed, 1)
        XCTAssertEqual(report.photosUploaded, 1)
        XCTAssertTrue(report.rejected.isEmpty, "\(report.rejected)")
        XCTAssertEqual(phases.last, .done)
        XCTAssertEqual(store.syncActivity, .idle)
        let status = try XCTUnwrap(store.syncStatus)
        XCTAssertEqual(status.unsyncedInspections, 0)
        XCTAssertEqual(status.unsyncedPhotos, 0)
        XCTAssertNotNil(status.lastSyncAt)

        // Nothing new: the next run sends nothing; the core's observer sees it to the end.
        let observer = RecordingObserver()
        let fieldStore = store.fieldStore
        let again = try await Task.detached { try fieldStore.sync(observer: observer) }.value
        XCTAssertEqual(again.pushed, 0)
        XCTAssertEqual(again.photosUploaded, 0)
        XCTAssertEqual(observer.phases.first, .feed)
        XCTAssertEqual(observer.phases.last, .done)
    }

    func testAnUnreachableServerIsARetryableOfflineError() async throws {
        let folder = try TemporaryFolder()
        let store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM", keychain: .inMemory())
        do {
            // Port 9 (discard) is closed on test machines: the connection is refused at once.
            _ = try await store.enroll(serverURL: "http://127.0.0.1:9", code: "ABCD-EFGH-JKLM", deviceName: "tests")
            XCTFail("enrolment without a server fails")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .network)
            XCTAssertTrue(error.isRetryable)
        }
        XCTAssertFalse(store.isEnrolled)

        // Not enrolled: sync fails with a message, and retrying cannot help.
        let outcome = await store.sync(.manual)
        XCTAssertFalse(outcome.succeeded)
        XCTAssertEqual(outcome.error?.isRetryable, false)
        XCTAssertEqual(store.syncActivity, .idle)
    }
}
