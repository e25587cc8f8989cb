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
    /// An earlier change of key (``StoreKeychain/changeKey(of:at:)``) failed after its new key was
    /// kept: the store is under the current key or under that one, and only opening it tells which
    /// (``StoreKeychain/openStore(at:_:)``, at the next start). No new change starts until then.
    case changeUnfinished
}

/// Where store keys are kept, by account: the system Keychain in the app
/// (``SystemKeychainItems``), memory in tests.
public protocol StoreKeyItems: Sendable {
    /// The key kept under `account`, or `nil` when none is.
    func read(account: String) throws -> Data?
    /// Keeps `key` under `account`; `false`, changing nothing, when a key is already kept there.
    func add(_ key: Data, account: String) throws -> Bool
    /// Keeps `key` under `account` in place of the key kept there, in one step (a change of key
    /// making its new key current: never a moment with no key kept).
    func replace(_ key: Data, account: String) throws
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
///
/// A change of key (``changeKey(of:at:)``) keeps its new key beside the current one, as the pending
/// key (account ``pendingAccount(for:)``, same protection), until the store has it, as the
/// command-line client keeps `KEYFILE.new`: whatever moment a crash cuts it short, the key that
/// opens the store is kept, and ``openStore(at:_:)`` settles the change at the next start.
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

    /// The Keychain account of the key a change of key is giving the store at `location`, kept from
    /// before the core re-encrypts the store until that key is the store's current key: the store's
    /// account with `pending-` before it (no store's account starts so).
    public static func pendingAccount(for location: StoreLocation) -> String {
        "pending-" + account(for: location)
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

    /// Hands the key of the store at `location` to `open` (the core's `FieldStore.open`, or
    /// `FieldStore.create` for a new store) and returns the store it opened, first settling a change
    /// of key that a crash or a failure cut short (a pending key is kept). The store is then under
    /// one of the two keys: the current key opens it when the change never re-keyed the database
    /// (the pending key is forgotten: the change did not happen); otherwise `open` throws
    /// `ApiError.WrongKey` with it, and the pending key opens the store (the core finishes
    /// re-sealing its photos as it opens) and is made current. Keys are cleared once used.
    /// - Throws: what ``key(for:)`` and `open` throw (`ApiError.WrongKey` when neither key opens the
    ///   store); ``StoreKeyError/unavailable(status:)`` when the Keychain does not answer.
    public func openStore(at location: StoreLocation, _ open: (Data) throws -> FieldStore) throws -> FieldStore {
        var current = try key(for: location)
        // Best effort: the core has its own copy once `open` returns.
        defer { current.resetBytes(in: current.startIndex..<current.endIndex) }
        let pendingAccount = Self.pendingAccount(for: location)
        guard var pending = try items.read(account: pendingAccount) else {
            return try open(current)
        }
        defer { pending.resetBytes(in: pending.startIndex..<pending.endIndex) }
        let fieldStore: FieldStore
        do {
            fieldStore = try open(current)
        } catch ApiError.WrongKey {
            // The database was re-keyed: the pending key is the store's key.
            let rekeyed = try open(pending)
            try makeCurrent(pending, for: location)
            return rekeyed
        }
        // The change never reached the database: the store keeps its key.
        try items.delete(account: pendingAccount)
        return fieldStore
    }

    /// Re-encrypts the open store `fieldStore` (at `location`) under a new key, for when its key may
    /// have been exposed or by the agency's policy; the old key opens nothing afterwards. Crash-safe
    /// in three steps: the new key is kept as the pending key before the core uses it; the core
    /// re-encrypts the database and re-seals every photo (`changeKey`); the new key replaces the
    /// current one in one step and the pending item is deleted. Cut short anywhere, the key that
    /// opens the store is kept and ``openStore(at:_:)`` settles the change at the next start.
    /// Blocks while the core re-encrypts (longer with many photos): never on the main thread.
    /// - Throws: ``StoreKeyError/changeUnfinished`` while a change that failed earlier is unsettled
    ///   (nothing done); ``StoreKeyError/unavailable(status:)`` when the Keychain does not answer;
    ///   the core's error when it could not re-encrypt (the pending key is kept for the next start).
    public func changeKey(of fieldStore: FieldStore, at location: StoreLocation) throws {
        var key = QuaysideCore.generateStoreKey()
        defer { key.resetBytes(in: key.startIndex..<key.endIndex) }
        guard try items.add(key, account: Self.pendingAccount(for: location)) else {
            throw StoreKeyError.changeUnfinished
        }
        try fieldStore.changeKey(newKey: key)
        try makeCurrent(key, for: location)
    }

    /// The store at `location` has `key` now: it becomes the current key and the pending item goes.
    private func makeCurrent(_ key: Data, for location: StoreLocation) throws {
        try items.replace(key, account: Self.account(for: location))
        try items.delete(account: Self.pendingAccount(for: location))
    }

    /// Forgets the keys of the store at `location` (its pending key too, should a change of key have
    /// been cut short), once an administrator's wipe has deleted that store
    /// (``InspectionStore/wiped``): whatever the flash may still hold of its files never opens
    /// again, and the next store gets a new key. Never while a store is there.
    /// - Throws: ``StoreKeyError/unavailable(status:)`` when the Keychain does not answer.
    public func forget(for location: StoreLocation) throws {
        guard !location.storeExists() else { return }
        try items.delete(account: Self.pendingAccount(for: location))
        try items.delete(account: Self.account(for: location))
    }
}

/// Store keys in the system Keychain: generic passwords of service ``StoreKeychain/service``,
/// `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`, not synchronisable, in the data protection
/// keychain. A store's item is overwritten only by a change of key, once the store has the new
/// key (``StoreKeychain/changeKey(of:at:)``); it is deleted only after an administrator's wipe
/// deleted its store (``StoreKeychain/forget(for:)``). A pending key is an item of its own, added
/// and deleted the same way.
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

    public func replace(_ key: Data, account: String) throws {
        // The item keeps its attributes (protection class, not synchronisable); only its data changes.
        let status = SecItemUpdate(query(account: account) as CFDictionary,
                                   [kSecValueData as String: key] as CFDictionary)
        guard status == errSecSuccess else { throw StoreKeyError.unavailable(status: status) }
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
