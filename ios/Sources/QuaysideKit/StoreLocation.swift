import Foundation
import QuaysideCore

/// Where the app keeps its data on the device.
///
/// Everything lives in one folder in Application Support (not Documents: officers do not browse
/// it, and not Caches: the system may purge caches). The folder is excluded from iCloud and
/// device backups, since evidence must reach the agency server through sync and not be copied to
/// a personal cloud account. It holds:
/// - `store/`: the core's record store (SQLite database, photo files and the photo inbox where
///   the core seals the camera's photos, `keepCameraPhoto`), owned by the core, encrypted under
///   the store key that ``StoreKeychain`` keeps in the Keychain; the app writes no file of its own
///   there, and nothing in the clear.
/// - `store-wiped`: left when an administrator's wipe deleted the store, so that set-up says why
///   the phone is empty (also after a restart) until a new store is created.
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

    /// The marker an administrator's wipe leaves (``markWiped()``).
    public var wipedMarker: URL {
        root.appendingPathComponent("store-wiped", isDirectory: false)
    }

    /// Whether an administrator's wipe deleted the store here and no new one has been created since.
    public func wasWiped(fileManager: FileManager = .default) -> Bool {
        fileManager.fileExists(atPath: wipedMarker.path)
    }

    /// Remembers that an administrator's wipe deleted the store here (``wasWiped(fileManager:)``).
    public func markWiped(fileManager: FileManager = .default) throws {
        try fileManager.createDirectory(at: root, withIntermediateDirectories: true)
        try Data().write(to: wipedMarker, options: [.atomic])
    }

    /// A new store was created here: the wipe is no longer news.
    public func clearWiped(fileManager: FileManager = .default) throws {
        guard wasWiped(fileManager: fileManager) else { return }
        try fileManager.removeItem(at: wipedMarker)
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
