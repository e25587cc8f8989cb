package org.quayside.shell

import java.io.File
import org.quayside.core.ApiException
import org.quayside.core.FieldStore
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

    /** Forgets the kept key and any pending one; only ever called when no store depends on them. */
    fun forget()

    /**
     * The new key of a key change not yet settled ([StoreKeys.rotate]), kept beside the current
     * one until the store is known to have it; `null` when no change is under way. Throws, like
     * [read], when one is kept but cannot be read.
     */
    fun readPending(): ByteArray?

    /** Keeps a copy of [key] durably as the pending key, in place of any pending one; the current key is untouched. */
    fun writePending(key: ByteArray)

    /** Forgets the pending key (it became the current one, or the store never took it). */
    fun forgetPending()
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
 * A key change was refused because an earlier one is not settled: a new key is kept as pending
 * ([StoreKeyKeeper.readPending]) and this process cannot tell whether the store took it (the
 * change failed midway, or making it the current key failed). A new change would replace a pending
 * key the store may already depend on; opening the store settles it ([StoreKeys.open]), so the
 * app says to close and open it again (`error_key_change_unsettled`).
 */
class KeyChangeUnsettledException(cause: Throwable? = null) : Exception("an earlier key change is not settled yet", cause)

/** Where the re-encryption of the store under a new key ([InspectionRepository.changeKey]) stands, for the sync screen. */
sealed interface KeyChange {
    /** None was asked for since the app started. */
    data object Idle : KeyChange

    /** Re-encrypting; the store's other exclusive work (sync) waits. */
    data object Running : KeyChange

    /** The store is encrypted under a new key; the old one no longer opens it. */
    data object Done : KeyChange

    /**
     * It failed ([problem] says why). Nothing recorded is lost: the store has one key or the
     * other, both are kept, and the next open settles on the one that opens it.
     */
    data class Failed(val problem: Problem) : KeyChange
}

/**
 * The store key for the store directory [dir][keyFor]: the one kept, or a new one
 * (`generateStoreKey()`) kept before the core ever uses it. A new key is made only when no
 * encrypted store depends on the old one: when there is no store yet, or the store is plain (made
 * before encryption; the core encrypts it under the new key on its first open). Otherwise a
 * missing or unreadable key is [StoreKeyLostException], never a silent new key.
 *
 * A key change ([rotate]) keeps the new key beside the old one until the store has it, so that
 * a crash at any moment leaves a key that opens the store; [open] settles such a change.
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

    /**
     * A new key for a new store about to be created in [dir], kept before it is returned. Any key
     * kept from before is forgotten first: no store depends on it (there is none in [dir]), and a
     * key that outlived its store (an administrator's wipe killed after the core deleted the store,
     * before the app forgot the key) must never encrypt a new one, so that nothing the flash may
     * still hold of the old store opens with it. Refused when a store exists in [dir].
     */
    fun forNewStore(dir: File, keeper: StoreKeyKeeper): ByteArray {
        check(!InspectionRepository.exists(dir)) { "a store exists in $dir: its key is never replaced" }
        keeper.forget()
        return keyFor(dir, keeper)
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

    /**
     * Opens the store in [dir] with its key from [keeper] (see [keyFor]); `null` when there is no
     * store (the app then shows set-up). First settles a key change that a crash interrupted
     * ([rotate]): with a pending key kept, the current key is tried first; when it opens the store
     * the change never reached it and the pending key is forgotten; when it is
     * [ApiException.WrongKey] the store took the new key, which opens it (finishing the photos)
     * and becomes the current key. Either way one current key and no pending key are left.
     */
    fun open(dir: File, keeper: StoreKeyKeeper): FieldStore? {
        if (!InspectionRepository.exists(dir)) return null
        // Unreadable counts as pending: it is needed only if the current key no longer opens the store.
        val pending = runCatching { keeper.readPending() }
        try {
            val store = try {
                withKey(dir, keeper) { key -> InspectionRepository.openExisting(dir, key) }
            } catch (e: ApiException.WrongKey) {
                val key = pending.getOrElse { throw StoreKeyLostException(unreadable = true, cause = it) } ?: throw e
                // A failure to promote it leaves both keys kept: the next open settles the same way.
                return InspectionRepository.openExisting(dir, key)?.also { runCatching { promote(keeper, key) } }
            }
            // Likewise, a pending key that cannot be forgotten now is forgotten by the next open.
            if (pending.isFailure || pending.getOrNull() != null) runCatching { keeper.forgetPending() }
            return store
        } finally {
            pending.getOrNull()?.fill(0)
        }
    }

    /**
     * Re-encrypts the store under a new key (`generateStoreKey()`), crash-safe like the command
     * line's key change: the new key is kept as the pending key (durably) before [changeKey] (the
     * core's `FieldStore.changeKey`) runs, and made the current key only once it returned. Until
     * then a crash or a failure leaves the old key current and the new one pending, and the store
     * under one of them: [open] settles on whichever opens it. Refused, changing nothing, with
     * [KeyChangeUnsettledException] while an earlier change is unsettled (its pending key may be
     * the store's key). The new key's bytes are zeroed before this returns.
     */
    fun rotate(keeper: StoreKeyKeeper, changeKey: (ByteArray) -> Unit) {
        val earlier = try {
            keeper.readPending()
        } catch (e: Exception) {
            throw KeyChangeUnsettledException(e)
        }
        if (earlier != null) {
            earlier.fill(0)
            throw KeyChangeUnsettledException()
        }
        val key = generateStoreKey()
        try {
            keeper.writePending(key)
            changeKey(key)
            promote(keeper, key)
        } finally {
            key.fill(0)
        }
    }

    /** The store has [key], the pending one: it becomes the current key, then the pending copy is forgotten. */
    private fun promote(keeper: StoreKeyKeeper, key: ByteArray) {
        keeper.write(key)
        keeper.forgetPending()
    }
}
