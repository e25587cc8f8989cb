package org.quayside.shell

import java.io.File
import org.quayside.core.generateStoreKey
import org.quayside.core.storeIsEncrypted

/**
 * Where the app keeps its store key: the 32 bytes that encrypt the store on the phone (the
 * database with SQLCipher, the photos with AES-256-GCM). The Android app keeps them wrapped by an
 * Android Keystore key (`StoreKeyVault`); the tests keep them in memory. Whoever holds the bytes
 * reads everything the phone recorded, so they are never logged, backed up or sent anywhere.
 */
interface StoreKeyKeeper {
    /**
     * The key kept here, or `null` when none has been kept. Throws when a key is kept but cannot
     * be read (the Keystore key that wraps it is gone): that is never `null`, because a new key
     * would not open the store the old one encrypted.
     */
    fun read(): ByteArray?

    /** Keeps a copy of [key] durably (on disk before it returns), in place of whatever was kept. */
    fun write(key: ByteArray)

    /** Forgets the kept key; only ever called when no store depends on it. */
    fun forget()
}

/**
 * The store on this phone exists but its key is missing ([unreadable] `false`: nothing is kept)
 * or cannot be read ([unreadable] `true`, [cause] says why). Nothing was changed and no new key
 * was made: the store cannot be opened on this phone any more, and what it held that was not
 * synced is lost. The app shows `error_store_key_lost` and an administrator decides what next.
 */
class StoreKeyLostException(val unreadable: Boolean, cause: Throwable? = null) : Exception(
    if (unreadable) "the store key is kept but cannot be read (${cause?.javaClass?.simpleName}: ${cause?.message})" else "the store exists but no store key is kept",
    cause,
)

/**
 * The store key for the store directory [dir][keyFor]: the one kept, or a new one
 * (`generateStoreKey()`) kept before the core ever uses it. A new key is made only when no
 * encrypted store depends on the old one: when there is no store yet, or the store is plain (made
 * before encryption; the core encrypts it under the new key on its first open). Otherwise a
 * missing or unreadable key is [StoreKeyLostException], never a silent new key.
 */
object StoreKeys {
    /**
     * The key of the store in [dir] (or of the store about to be created there), from [keeper].
     * The caller owns the array and should zero it (`fill(0)`) once the core has it: see [withKey].
     */
    fun keyFor(dir: File, keeper: StoreKeyKeeper): ByteArray {
        val kept = try {
            keeper.read()
        } catch (e: Exception) {
            if (InspectionRepository.exists(dir)) throw StoreKeyLostException(unreadable = true, cause = e)
            // No store depends on it: an unreadable key is dropped and a new one made.
            keeper.forget()
            null
        }
        if (kept != null) return kept
        if (storeIsEncrypted(dir.absolutePath)) throw StoreKeyLostException(unreadable = false)
        val key = generateStoreKey()
        // Kept before the core sees it: a plain store is encrypted under it on the first open.
        keeper.write(key)
        return key
    }

    /** Runs [block] with the key of the store in [dir] (see [keyFor]), then zeroes the key's bytes. */
    inline fun <T> withKey(dir: File, keeper: StoreKeyKeeper, block: (ByteArray) -> T): T {
        val key = keyFor(dir, keeper)
        try {
            return block(key)
        } finally {
            key.fill(0)
        }
    }
}
