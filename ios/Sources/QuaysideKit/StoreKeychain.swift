import Foundation
import QuaysideCore
import Security

/// Why the store key could not be given. Neither changes anything on the phone.
public enum StoreKeyError: Error, Equatable, Sendable {
    /// The store exists but no key is kept for it (the Keychain item is gone). A new key would not
    /// open it, so none is made: the store cannot be opened on this phone any more.
    case lost
    /// The Keychain did not answer (its `OSStatus`), for instance before the phone's first unlock
    /// since it was started. Trying again later may work.
    case unavailable(status: Int32)
}

/// Where store keys are kept, by account: the system Keychain in the app
/// (``SystemKeychainItems``), memory in tests.
public protocol StoreKeyItems: Sendable {
    /// The key kept under `account`, or `nil` when none is.
    func read(account: String) throws -> Data?
    /// Keeps `key` under `account`; `false`, changing nothing, when a key is already kept there.
    func add(_ key: Data, account: String) throws -> Bool
    /// Forgets the key kept under `account`; nothing when none is.
    func delete(account: String) throws
}

/// The store key: the 32 bytes the core encrypts the record store with (the database with
/// SQLCipher, the photos with AES-256-GCM), kept in the Keychain as a generic password (service
/// ``service``, account ``account(for:)``), readable after the phone's first unlock since it was
/// started (so that a background sync works while the phone is locked), never synchronised to
/// iCloud and never restored to another phone (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`).
///
/// A new key is made only when no encrypted store depends on the old one: for a store about to be
/// created, or for a store from before encryption (the core encrypts it under the new key when it
/// opens it). An encrypted store whose key is missing is ``StoreKeyError/lost``, never a new key.
public struct StoreKeychain: Sendable {
    /// The Keychain service of store keys.
    public static let service = "org.quayside.store-key"

    private let items: any StoreKeyItems

    /// Keeps keys in `items` (the system Keychain unless a test gives another).
    public init(items: any StoreKeyItems = SystemKeychainItems()) {
        self.items = items
    }

    /// The Keychain account of the store at `location`: its folder's path relative to the app's
    /// home directory ("store:~/Library/Application Support/Quayside/store"), because the app
    /// container's absolute path changes when the app is updated or the phone restored; the whole
    /// path for a folder outside it (tests' temporary folders). Plain string work on the paths,
    /// whether the folder exists yet or not (a store's key is made before its folder). It must
    /// never change from one version of the app to the next: a store whose account moved would
    /// find no key.
    public static func account(for location: StoreLocation) -> String {
        func clean(_ path: String) -> String {
            var path = path
            if path.hasPrefix("/private/") {
                path.removeFirst("/private".count)
            }
            while path.count > 1 && path.hasSuffix("/") {
                path.removeLast()
            }
            return path
        }
        let store = clean(location.storeDirectory.path)
        let home = clean(NSHomeDirectory())
        if home.count > 1 && store.hasPrefix(home + "/") {
            return "store:~" + String(store.dropFirst(home.count))
        }
        return "store:" + store
    }

    /// The key of the store at `location`: the one kept, or a new one (kept before it is returned)
    /// when no encrypted store is there.
    /// - Throws: ``StoreKeyError/lost`` when an encrypted store is there and no key is kept for it;
    ///   ``StoreKeyError/unavailable(status:)`` when the Keychain does not answer.
    public func key(for location: StoreLocation) throws -> Data {
        let account = Self.account(for: location)
        if let kept = try items.read(account: account) {
            return kept
        }
        if location.holdsEncryptedStore() {
            throw StoreKeyError.lost
        }
        let key = QuaysideCore.generateStoreKey()
        if try items.add(key, account: account) {
            return key
        }
        // Kept meanwhile: that one, never a replacement.
        guard let kept = try items.read(account: account) else {
            throw StoreKeyError.unavailable(status: errSecItemNotFound)
        }
        return kept
    }

    /// Forgets the key of the store at `location`, once an administrator's wipe has deleted that
    /// store (``InspectionStore/wiped``): whatever the flash may still hold of its files never opens
    /// again, and the next store gets a new key. Never while a store is there.
    /// - Throws: ``StoreKeyError/unavailable(status:)`` when the Keychain does not answer.
    public func forget(for location: StoreLocation) throws {
        guard !location.storeExists() else { return }
        try items.delete(account: Self.account(for: location))
    }
}

/// Store keys in the system Keychain: generic passwords of service ``StoreKeychain/service``,
/// `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`, not synchronisable, in the data protection
/// keychain. Items are only ever added, never overwritten; one is deleted only after an
/// administrator's wipe deleted its store (``StoreKeychain/forget(for:)``).
public struct SystemKeychainItems: StoreKeyItems {
    /// The system Keychain.
    public init() {}

    private func query(account: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: StoreKeychain.service,
            kSecAttrAccount as String: account,
            kSecAttrSynchronizable as String: false,
            kSecUseDataProtectionKeychain as String: true,
        ]
    }

    public func read(account: String) throws -> Data? {
        var search = query(account: account)
        search[kSecReturnData as String] = true
        search[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(search as CFDictionary, &result)
        switch status {
        case errSecSuccess:
            guard let data = result as? Data else { throw StoreKeyError.unavailable(status: status) }
            return data
        case errSecItemNotFound:
            return nil
        default:
            throw StoreKeyError.unavailable(status: status)
        }
    }

    public func add(_ key: Data, account: String) throws -> Bool {
        var attributes = query(account: account)
        attributes[kSecValueData as String] = key
        attributes[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
        let status = SecItemAdd(attributes as CFDictionary, nil)
        switch status {
        case errSecSuccess:
            return true
        case errSecDuplicateItem:
            return false
        default:
            throw StoreKeyError.unavailable(status: status)
        }
    }

    public func delete(account: String) throws {
        let status = SecItemDelete(query(account: account) as CFDictionary)
        switch status {
        case errSecSuccess, errSecItemNotFound:
            return
        default:
            throw StoreKeyError.unavailable(status: status)
        }
    }
}
