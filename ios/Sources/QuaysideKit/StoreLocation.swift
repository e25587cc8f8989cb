import Foundation
import QuaysideCore

/// Where the app keeps its data on the device.
///
/// Everything lives in one folder in Application Support (not Documents: officers do not browse
/// it, and not Caches: the system may purge caches). The folder is excluded from iCloud and
/// device backups, since evidence must reach the agency server through sync and not be copied to
/// a personal cloud account. It holds:
/// - `store/`: the core's record store (SQLite database, photo files and the photo inbox the
///   camera writes to, `newPhotoFile`), owned by the core, encrypted under the store key that
///   ``StoreKeychain`` keeps in the Keychain.
public struct StoreLocation: Equatable, Sendable {
    /// The app's data folder.
    public let root: URL

    /// Uses `root` as the app's data folder (tests pass a temporary folder).
    public init(root: URL) {
        self.root = root
    }

    /// The app's data folder in Application Support: `Application Support/Quayside`.
    public static func applicationSupport(fileManager: FileManager = .default) throws -> StoreLocation {
        let base = try fileManager.url(
            for: .applicationSupportDirectory,
            in: .userDomainMask,
            appropriateFor: nil,
            create: true
        )
        return StoreLocation(root: base.appendingPathComponent("Quayside", isDirectory: true))
    }

    /// The core's store folder.
    public var storeDirectory: URL {
        root.appendingPathComponent("store", isDirectory: true)
    }

    /// Whether an encrypted store is here, which only its key opens (the core's
    /// `storeIsEncrypted`): a store from before encryption is not, and is encrypted by the core
    /// when it is first opened with a key. A database that cannot be read counts as encrypted: a
    /// new key is never made for it.
    public func holdsEncryptedStore() -> Bool {
        storeIsEncrypted(path: storeDirectory.path)
    }

    /// Whether a store has been created here (the core creates `storeDirectory` itself).
    public func storeExists(fileManager: FileManager = .default) -> Bool {
        let contents = try? fileManager.contentsOfDirectory(atPath: storeDirectory.path)
        return !(contents ?? []).isEmpty
    }

    /// Creates the data folder, excludes them from backup and, on iOS, sets
    /// a file protection class that still lets a background sync read the store while the
    /// device is locked (after the first unlock since boot).
    public func prepare(fileManager: FileManager = .default) throws {
        try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        var folder = root
        try folder.setResourceValues(values)
        #if os(iOS)
        try fileManager.setAttributes(
            [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication],
            ofItemAtPath: root.path
        )
        #endif
    }
}
