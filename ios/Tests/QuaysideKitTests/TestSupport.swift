import Foundation
import QuaysideKit
import XCTest

/// A temporary folder for one test, removed afterwards.
final class TemporaryFolder {
    /// The folder.
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("quayside-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Store keys in memory, so that tests never touch the Mac's login keychain (the data protection
/// keychain the app uses needs an entitlement a test runner does not have).
final class MemoryKeychain: StoreKeyItems, @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String: Data] = [:]
    private var deletions: [String] = []

    /// The accounts the shell told it to forget, in order (``StoreKeychain/forget(for:)``).
    var deleted: [String] {
        lock.lock()
        defer { lock.unlock() }
        return deletions
    }

    func read(account: String) throws -> Data? {
        lock.lock()
        defer { lock.unlock() }
        return items[account]
    }

    func add(_ key: Data, account: String) throws -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if items[account] != nil { return false }
        items[account] = key
        return true
    }

    func replace(_ key: Data, account: String) throws {
        lock.lock()
        defer { lock.unlock() }
        items[account] = key
    }

    func delete(account: String) throws {
        lock.lock()
        defer { lock.unlock() }
        deletions.append(account)
        items.removeValue(forKey: account)
    }

    /// Forgets the key of `account` (as if the Keychain item were gone); returns what was kept.
    @discardableResult
    func remove(account: String) -> Data? {
        lock.lock()
        defer { lock.unlock() }
        return items.removeValue(forKey: account)
    }
}

extension StoreKeychain {
    /// A keychain of its own, in memory, for one test's stores.
    static func inMemory(_ items: MemoryKeychain = MemoryKeychain()) -> StoreKeychain {
        StoreKeychain(items: items)
    }
}

enum Fixtures {
    /// A run of bytes found in ``jpeg`` and nowhere else: a file holding it holds the photo in the clear.
    static let jpegMarker = Data("quayside test photo of relabelled cylinders".utf8)
    /// Bytes the core recognises as a JPEG (it checks the signature, not the whole image).
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0]) + jpegMarker

    /// The published case: 1,139 disposable cylinders of 13.6 kg of R-22, declared as R-134a.
    static let cylinders: UInt32 = 1139
    static let kgPerCylinder = 13.6
    static var netMassKg: Double { Double(cylinders) * kgPerCylinder }

    /// The app's string catalog (ios/App/Quayside/Localizable.xcstrings), read from the source tree.
    static var stringCatalog: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("App/Quayside/Localizable.xcstrings")
    }
}

/// A real agency server for the sync and review tests, named by the environment. Tests that use
/// it are skipped (`XCTSkip`) unless `QUAYSIDE_TEST_SERVER` is set; see ios/README.md.
///
/// - `QUAYSIDE_TEST_SERVER`: the server's URL, e.g. `http://127.0.0.1:8080`.
/// - `QUAYSIDE_TEST_ADMIN_TOKEN`: an admin token, to mint a fresh enrolment code per run; or
///   `QUAYSIDE_TEST_ENROL_CODE`: a one-time code for the officer (good for one run).
/// - `QUAYSIDE_TEST_USER` / `QUAYSIDE_TEST_STATION`: the officer and station (default `ama`, `GHTEM`,
///   as seeded by `--demo`); `QUAYSIDE_TEST_SUPERVISOR`: their supervisor (default `esi`).
struct TestServerConfig {
    let url: String
    let user: String
    let supervisor: String
    let station: String
    let adminToken: String?
    let code: String?

    /// The server named by the environment; skips the test when there is none, or when
    /// `needsAdminToken` and no admin token is given (a test enrolling two phones needs two codes).
    static func fromEnvironment(needsAdminToken: Bool = false) throws -> TestServerConfig {
        let env = ProcessInfo.processInfo.environment
        guard let url = env["QUAYSIDE_TEST_SERVER"], !url.isEmpty else {
            throw XCTSkip("set QUAYSIDE_TEST_SERVER (and QUAYSIDE_TEST_ADMIN_TOKEN or QUAYSIDE_TEST_ENROL_CODE) to run server tests")
        }
        let server = TestServerConfig(
            url: url,
            user: env["QUAYSIDE_TEST_USER"] ?? "ama",
            supervisor: env["QUAYSIDE_TEST_SUPERVISOR"] ?? "esi",
            station: env["QUAYSIDE_TEST_STATION"] ?? "GHTEM",
            adminToken: env["QUAYSIDE_TEST_ADMIN_TOKEN"],
            code: env["QUAYSIDE_TEST_ENROL_CODE"]
        )
        if needsAdminToken && server.adminToken == nil {
            throw XCTSkip("set QUAYSIDE_TEST_ADMIN_TOKEN to mint enrolment codes for the officer and the supervisor")
        }
        guard server.adminToken != nil || server.code != nil else {
            throw XCTSkip("set QUAYSIDE_TEST_ADMIN_TOKEN or QUAYSIDE_TEST_ENROL_CODE to enrol the test device")
        }
        return server
    }

    /// Revokes device `deviceId` as an administrator (`POST /v1/admin/devices/{id}/revoke`); with
    /// `wipe`, the phone is also ordered to wipe its store on its next contact (`?wipe=true`).
    func revoke(deviceId: String, wipe: Bool) async throws {
        let adminToken = try XCTUnwrap(adminToken, "revoking a device needs QUAYSIDE_TEST_ADMIN_TOKEN")
        let endpoint = try XCTUnwrap(URL(string: url)).appendingPathComponent("v1/admin/devices/\(deviceId)/revoke")
        var components = try XCTUnwrap(URLComponents(url: endpoint, resolvingAgainstBaseURL: false))
        if wipe {
            components.queryItems = [URLQueryItem(name: "wipe", value: "true")]
        }
        var request = URLRequest(url: try XCTUnwrap(components.url))
        request.httpMethod = "POST"
        request.setValue("Bearer \(adminToken)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        XCTAssertEqual(status, 204, String(decoding: data, as: UTF8.self))
    }

    /// A one-time enrolment code for `user`: minted with the admin token, or the one given.
    func enrolmentCode(for user: String) async throws -> String {
        guard let adminToken else { return code ?? "" }
        let endpoint = try XCTUnwrap(URL(string: url)).appendingPathComponent("v1/admin/enrolment-codes")
        var request = URLRequest(url: endpoint)
        request.httpMethod = "POST"
        request.setValue("Bearer \(adminToken)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["user": user])
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        XCTAssertEqual(status, 201, String(decoding: data, as: UTF8.self))
        let body = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try XCTUnwrap(body?["code"] as? String)
    }
}
