import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Re-encrypting the store under a new key (``InspectionStore/changeKey()`` through
/// ``StoreKeychain/changeKey(of:at:)``), against the real core with keys in memory: everything
/// reads after a change and the old key opens nothing; a change cut short at either moment (the
/// new key kept as pending but the core never re-encrypted; the core re-encrypted but the new key
/// never made current) is settled by the next open, with everything there, one current key and no
/// pending key.
@MainActor
final class KeyChangeTests: XCTestCase {
    private var folder: TemporaryFolder!
    private var location: StoreLocation!
    private var items: MemoryKeychain!

    override func setUp() async throws {
        folder = try TemporaryFolder()
        location = StoreLocation(root: folder.url)
        items = MemoryKeychain()
    }

    override func tearDown() async throws {
        items = nil
        location = nil
        folder = nil
    }

    private var account: String { StoreKeychain.account(for: location) }
    private var pendingAccount: String { StoreKeychain.pendingAccount(for: location) }

    /// A new store holding an inspection with a finding and an attached photo (``Fixtures/jpeg``).
    private func storeWithEvidence() async throws -> (store: InspectionStore, inspectionId: String, sha256: String) {
        let store = try await InspectionStore.create(at: location, user: "ama", station: "GHTEM", keychain: .inMemory(items))
        let id = try await store.createInspection(InspectionForm.r22Case.fields()).inspection.id
        _ = try await store.addFinding(inspectionId: id, fields: FindingForm.r22.fields())
        let path = try await store.keepCameraPhoto(Fixtures.jpeg, inspectionId: id)
        let added = try await store.attachPhotoFile(path: path, fields: PhotoFields(mime: "image/jpeg", caption: "door seal"))
        return (store, id, added.photo.sha256)
    }

    /// The store at ``location`` opened afresh with the keys in ``items``, read through: the
    /// inspection, its finding and the photo's bytes.
    private func reopenAndRead(inspectionId: String, sha256: String) async throws -> InspectionStore {
        let reopened = try await InspectionStore.open(at: location, keychain: .inMemory(items))
        let view = try await reopened.inspection(id: inspectionId)
        XCTAssertEqual(view.inspection.findings.count, 1)
        XCTAssertEqual(view.assessment.total.odpTonnes, 0.852, accuracy: 0.0005)
        XCTAssertTrue(view.inspection.photos.contains { $0.sha256 == sha256 })
        let bytes = try await reopened.photoData(sha256: sha256)
        XCTAssertEqual(bytes, Fixtures.jpeg)
        return reopened
    }

    private func assertWrongKey(_ key: Data, _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try FieldStore.open(path: location.storeDirectory.path, key: key), message, line: line) { error in
            guard case ApiError.WrongKey = error else {
                return XCTFail("expected ApiError.WrongKey, got \(error)", line: line)
            }
        }
    }

    func testAChangedKeyOpensEverythingAndTheOldKeyNothing() async throws {
        let (store, id, sha256) = try await storeWithEvidence()
        let oldKey = try XCTUnwrap(try items.read(account: account))
        // A photo kept in the inbox and not attached yet is sealed again with the others.
        let kept = Fixtures.jpeg + Data(" kept in the inbox".utf8)
        _ = try await store.keepCameraPhoto(kept, inspectionId: id)

        try await store.changeKey()
        XCTAssertFalse(store.changingKey)
        let newKey = try XCTUnwrap(try items.read(account: account))
        XCTAssertNotEqual(newKey, oldKey, "the current key is the new one")
        XCTAssertEqual(newKey.count, 32)
        XCTAssertNil(try items.read(account: pendingAccount), "no pending key once the change is done")

        // The open store goes on under the new key.
        let photo = try await store.photoData(sha256: sha256)
        XCTAssertEqual(photo, Fixtures.jpeg)
        _ = try await store.createInspection(InspectionForm.r22Case.fields())

        assertWrongKey(oldKey, "the old key opens nothing after a change")
        let reopened = try await reopenAndRead(inspectionId: id, sha256: sha256)
        XCTAssertEqual(reopened.inspections.count, 2)
        guard case let .attached(inspectionId, keptSha256)? = reopened.recoveredPhotos.first else {
            return XCTFail("expected the kept photo attached, got \(reopened.recoveredPhotos)")
        }
        XCTAssertEqual(inspectionId, id)
        let keptBytes = try await reopened.photoData(sha256: keptSha256)
        XCTAssertEqual(keptBytes, kept, "the photo kept in the inbox opens under the new key")
        XCTAssertEqual(try items.read(account: account), newKey)
    }

    func testANewKeyKeptButNeverGivenToTheStoreIsForgottenOnTheNextOpen() async throws {
        let (store, id, sha256) = try await storeWithEvidence()
        let key = try XCTUnwrap(try items.read(account: account))
        // Cut short after the new key was kept as pending, before the core re-encrypted anything.
        XCTAssertTrue(try items.add(generateStoreKey(), account: pendingAccount))

        // Until the store is opened again, no other change starts: only opening tells which key it has.
        do {
            try await store.changeKey()
            XCTFail("a change of key started while another was unsettled")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.kind, .storeKey(.changeUnfinished))
            XCTAssertFalse(error.isRetryable)
        }
        XCTAssertFalse(store.changingKey)
        XCTAssertEqual(try items.read(account: account), key, "nothing changed")

        let reopened = try await reopenAndRead(inspectionId: id, sha256: sha256)
        XCTAssertEqual(try items.read(account: account), key, "the store kept its key")
        XCTAssertNil(try items.read(account: pendingAccount), "the key it never had is forgotten")

        // Settled: the key can be changed again.
        try await reopened.changeKey()
        XCTAssertNotEqual(try items.read(account: account), key)
        XCTAssertNil(try items.read(account: pendingAccount))
    }

    func testAStoreReEncryptedUnderAKeyNeverMadeCurrentOpensWithItOnTheNextOpen() async throws {
        let (store, id, sha256) = try await storeWithEvidence()
        let oldKey = try XCTUnwrap(try items.read(account: account))
        let newKey = generateStoreKey()
        // Cut short after the core re-encrypted the store under the pending key, before the
        // Keychain made it current.
        XCTAssertTrue(try items.add(newKey, account: pendingAccount))
        let fieldStore = store.fieldStore
        try fieldStore.changeKey(newKey: newKey)
        XCTAssertEqual(try items.read(account: account), oldKey, "the Keychain still names the old key current")

        _ = try await reopenAndRead(inspectionId: id, sha256: sha256)
        XCTAssertEqual(try items.read(account: account), newKey, "the pending key became current")
        XCTAssertNil(try items.read(account: pendingAccount), "and is pending no more")
        assertWrongKey(oldKey, "the old key opens nothing once the change is settled")

        // Opened again, nothing is left to settle.
        _ = try await reopenAndRead(inspectionId: id, sha256: sha256)
        XCTAssertEqual(try items.read(account: account), newKey)
    }
}
