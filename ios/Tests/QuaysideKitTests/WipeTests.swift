import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// An administrator revokes a phone with wipe. Against a real agency server (skipped unless
/// `QUAYSIDE_TEST_SERVER` and `QUAYSIDE_TEST_ADMIN_TOKEN` are set, see ios/README.md): the next sync
/// pushes what was recorded offline, the core deletes the store, and ``InspectionStore`` forgets
/// the key, leaves the marker for set-up and sets `wiped`. Without a server: set-up after a wipe
/// never reuses the wiped store's key.
@MainActor
final class WipeTests: XCTestCase {
    func testAPhoneRevokedWithWipeSendsWhatItRecordedThenForgetsItsStoreAndKey() async throws {
        let server = try TestServerConfig.fromEnvironment(needsAdminToken: true)
        let folder = try TemporaryFolder()
        let location = StoreLocation(root: folder.url)
        let items = MemoryKeychain()
        let store = try await InspectionStore.create(at: location, user: server.user, station: server.station, keychain: .inMemory(items))
        let account = StoreKeychain.account(for: location)
        let pendingAccount = StoreKeychain.pendingAccount(for: location)
        let wipedKey = try XCTUnwrap(try items.read(account: account))
        let enrolment = try await store.enroll(
            serverURL: server.url,
            code: try await server.enrolmentCode(for: server.user),
            deviceName: "QuaysideKit wipe test"
        )

        // Recorded offline, never sent: an inspection with a photo.
        let id = try await store.createInspection(InspectionForm.r22Case.fields()).inspection.id
        let photo = Fixtures.jpeg + Data(UUID().uuidString.utf8)   // new to the server on every run
        let path = try await store.keepCameraPhoto(photo, inspectionId: id)
        _ = try await store.attachPhotoFile(path: path, fields: PhotoFields(mime: "image/jpeg", caption: "relabelled"))
        await store.refreshSyncStatus()
        XCTAssertEqual(store.syncStatus?.unsyncedInspections, 1)

        // The phone is reported lost: the administrator revokes it with wipe.
        try await server.revoke(deviceId: enrolment.deviceId, wipe: true)
        let outcome = await store.sync(.manual)
        let report = try outcome.result.get()
        XCTAssertTrue(report.wiped, "the report says wiped")
        XCTAssertEqual(report.pushed, 1)
        XCTAssertEqual(report.photosUploaded, 1)
        XCTAssertEqual(report.received, 0, "nothing reaches a phone ordered wiped")
        XCTAssertFalse(FileManager.default.fileExists(atPath: location.storeDirectory.path), "the store directory is gone")
        XCTAssertTrue(store.wiped, "the store signalled the wipe")
        XCTAssertEqual(items.deleted, [pendingAccount, account], "the Keychain items were deleted (a pending key's too)")
        XCTAssertNil(try items.read(account: account))
        XCTAssertTrue(location.wasWiped(), "set-up will say why")
        XCTAssertEqual(store.syncActivity, .idle)

        // Nothing reaches the deleted store any more, and nothing is made again in its place.
        do {
            _ = try await store.inspection(id: id)
            XCTFail("a wiped store was read")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.kind, .other)
            XCTAssertEqual(error.title, UserFacingError.storeWiped.title)
        }
        let again = await store.sync(.manual)
        XCTAssertFalse(again.succeeded)
        XCTAssertFalse(location.storeExists())

        // Set up again: a new store under a new key; set-up no longer mentions the wipe.
        let fresh = try await InspectionStore.create(at: location, user: server.user, station: server.station, keychain: .inMemory(items))
        XCTAssertNotEqual(try items.read(account: account), wipedKey)
        XCTAssertFalse(location.wasWiped())
        XCTAssertTrue(fresh.inspections.isEmpty)
        XCTAssertFalse(fresh.wiped)
    }

    func testSetUpAfterAWipeNeverReusesTheWipedStoresKey() async throws {
        let folder = try TemporaryFolder()
        let location = StoreLocation(root: folder.url)
        let items = MemoryKeychain()
        var store: InspectionStore? = try await InspectionStore.create(at: location, user: "ama", station: "GHTEM", keychain: .inMemory(items))
        XCTAssertFalse(store?.wiped ?? true)
        store = nil
        let account = StoreKeychain.account(for: location)
        let pendingAccount = StoreKeychain.pendingAccount(for: location)
        let wipedKey = try XCTUnwrap(try items.read(account: account))

        // What the core and the shell leave after a wipe whose key the Keychain would not forget:
        // no store, the marker, the old key still kept.
        try FileManager.default.removeItem(at: location.storeDirectory)
        try location.markWiped()
        XCTAssertFalse(location.storeExists())
        XCTAssertTrue(location.wasWiped())

        let fresh = try await InspectionStore.create(at: location, user: "ama", station: "GHTEM", keychain: .inMemory(items))
        XCTAssertEqual(items.deleted, [pendingAccount, account], "the wiped store's keys were forgotten before the new one was made")
        let newKey = try XCTUnwrap(try items.read(account: account))
        XCTAssertNotEqual(newKey, wipedKey)
        XCTAssertEqual(newKey.count, 32)
        XCTAssertFalse(location.wasWiped())
        XCTAssertTrue(location.holdsEncryptedStore())
        XCTAssertEqual(fresh.device.user, "ama")

        // Killed after the core deleted the store, before the shell forgot the key or left the
        // marker: the next set-up still makes a new key.
        let keptBeforeTheKill = newKey
        try FileManager.default.removeItem(at: location.storeDirectory)
        XCTAssertFalse(location.wasWiped())
        let again = try await InspectionStore.create(at: location, user: "ama", station: "GHTEM", keychain: .inMemory(items))
        let thirdKey = try XCTUnwrap(try items.read(account: account))
        XCTAssertNotEqual(thirdKey, keptBeforeTheKill)
        XCTAssertEqual(again.device.user, "ama")

        // Forgetting is refused while a store is there.
        try StoreKeychain.inMemory(items).forget(for: location)
        XCTAssertEqual(try items.read(account: account), thirdKey)
        XCTAssertEqual(items.deleted, [pendingAccount, account])

        // What the set-up screen says, in both languages.
        let catalog = try Data(contentsOf: Fixtures.stringCatalog)
        let english = try CatalogLocalizer.formats(inCatalog: catalog, language: "en")
        let indonesian = try CatalogLocalizer.formats(inCatalog: catalog, language: "id")
        for key in ["title_store_wiped", "notice_store_wiped"] {
            let en = try XCTUnwrap(english[key], key)
            let id = try XCTUnwrap(indonesian[key], key)
            XCTAssertNotEqual(en, id, "\(key) is translated")
        }
    }
}
