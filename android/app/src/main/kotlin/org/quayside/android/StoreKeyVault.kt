package org.quayside.android

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyProperties
import android.system.ErrnoException
import android.system.Os
import android.system.OsConstants
import java.io.File
import java.io.FileOutputStream
import java.io.IOException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec
import org.quayside.shell.StoreKeyKeeper
import org.quayside.shell.StoreKeys

/**
 * Keeps the store key (the 32 bytes the core encrypts the record store with) wrapped by an
 * AES-256-GCM key that never leaves the Android Keystore (`AndroidKeyStore`, alias [ALIAS]; in
 * secure hardware where the phone has it). On disk there is only the wrapped key: a version byte,
 * the GCM nonce's length and the nonce, then the ciphertext with its tag, in [FILE] under
 * `noBackupFilesDir` (never in a cloud backup or a device-to-device transfer). Copying that file
 * to another phone gives nothing: the Keystore key stays on this one.
 *
 * During a key change ([StoreKeys.rotate]) the new key is kept the same way in [PENDING_FILE],
 * beside the current one, until the store has it; each file is written atomically, so a crash
 * leaves every kept key whole.
 *
 * Which key to use, and when a new one may be made, is [StoreKeys]' rule (tested on the JVM): a
 * wrapped key that can no longer be unwrapped (the Keystore key is gone, e.g. after a
 * factory-reset restore or a Keystore wipe) is an error for an existing store, never a new key.
 */
class StoreKeyVault(context: Context) : StoreKeyKeeper {
    private val dir: File = context.noBackupFilesDir
    private val file = File(dir, FILE)
    private val pendingFile = File(dir, PENDING_FILE)

    @Synchronized
    override fun read(): ByteArray? = unwrap(file)

    @Synchronized
    override fun write(key: ByteArray) = wrap(key, file)

    @Synchronized
    override fun forget() {
        remove(pendingFile)
        remove(file)
        syncDirectory()
        val keyStore = keyStore()
        if (keyStore.containsAlias(ALIAS)) keyStore.deleteEntry(ALIAS)
    }

    @Synchronized
    override fun readPending(): ByteArray? = unwrap(pendingFile)

    @Synchronized
    override fun writePending(key: ByteArray) = wrap(key, pendingFile)

    @Synchronized
    override fun forgetPending() {
        remove(pendingFile)
        syncDirectory()
    }

    /** The key wrapped in [from], or `null` when there is no such file; throws when it does not unwrap. */
    private fun unwrap(from: File): ByteArray? {
        if (!from.exists()) return null
        val stored = from.readBytes()
        if (stored.size < 2 || stored[0] != VERSION) throw IOException("${from.name}: not a wrapped store key (version ${stored.firstOrNull()})")
        val ivLength = stored[1].toInt() and 0xFF
        if (stored.size < 2 + ivLength + TAG_BITS / 8) throw IOException("${from.name}: cut short (${stored.size} bytes)")
        val wrapping = keyStore().getKey(ALIAS, null) as? SecretKey
            ?: throw IllegalStateException("the Android Keystore key $ALIAS that wraps the store key is gone")
        val cipher = Cipher.getInstance(TRANSFORMATION)
        cipher.init(Cipher.DECRYPT_MODE, wrapping, GCMParameterSpec(TAG_BITS, stored, 2, ivLength))
        cipher.updateAAD(AAD)
        // Throws (AEADBadTagException, KeyPermanentlyInvalidatedException...) when it does not unwrap.
        return cipher.doFinal(stored, 2 + ivLength, stored.size - 2 - ivLength)
    }

    /** Wraps [key] with the Keystore key (made the first time) and writes it to [to], atomically. */
    private fun wrap(key: ByteArray, to: File) {
        val wrapping = (keyStore().getKey(ALIAS, null) as? SecretKey) ?: newWrappingKey()
        val cipher = Cipher.getInstance(TRANSFORMATION)
        // The Keystore chooses a fresh random nonce (it refuses one given by the caller).
        cipher.init(Cipher.ENCRYPT_MODE, wrapping)
        cipher.updateAAD(AAD)
        val sealed = cipher.doFinal(key)
        val iv = cipher.iv
        writeAtomically(byteArrayOf(VERSION, iv.size.toByte()) + iv + sealed, to)
    }

    /** Removes [target] if it is there (the caller syncs the folder). */
    private fun remove(target: File) {
        if (target.exists() && !target.delete()) throw IOException("$target could not be removed")
    }

    /**
     * A new AES-256-GCM key in the Android Keystore, usable only for wrapping and unwrapping and
     * never exportable (Keystore keys never are).
     *
     * Deliberately not `setUnlockedDeviceRequired(true)` (nor user authentication): background
     * sync (WorkManager) opens the store while the screen is locked, and then it must still unwrap
     * the key. The key's files are in credential-encrypted storage, readable only once the phone
     * has been unlocked after boot.
     */
    private fun newWrappingKey(): SecretKey {
        val generator = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, KEYSTORE)
        generator.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .setRandomizedEncryptionRequired(true)
                .build(),
        )
        return generator.generateKey()
    }

    /** Writes [bytes] to [target] so that it is either the old file or the whole new one: temporary file, fsync, rename, fsync of the folder. */
    private fun writeAtomically(bytes: ByteArray, target: File) {
        dir.mkdirs()
        val tmp = File(dir, "${target.name}.tmp")
        FileOutputStream(tmp).use { out ->
            out.write(bytes)
            out.fd.sync()
        }
        if (!tmp.renameTo(target)) {
            tmp.delete()
            throw IOException("$tmp could not be renamed to $target")
        }
        syncDirectory()
    }

    /** Makes the folder's entries (the rename, the removal) durable. */
    private fun syncDirectory() {
        try {
            val fd = Os.open(dir.path, OsConstants.O_RDONLY, 0)
            try {
                Os.fsync(fd)
            } finally {
                Os.close(fd)
            }
        } catch (e: ErrnoException) {
            throw IOException("could not sync $dir", e)
        }
    }

    private fun keyStore(): KeyStore = KeyStore.getInstance(KEYSTORE).apply { load(null) }

    /** Names and formats. */
    companion object {
        /** The Android Keystore key that wraps the store key. */
        const val ALIAS = "quayside-store-key-wrap"

        /** The wrapped store key's file in `noBackupFilesDir`. */
        const val FILE = "store-key.wrapped"

        /** The wrapped new key of a key change not yet settled, beside [FILE]. */
        const val PENDING_FILE = "store-key-pending.wrapped"

        private const val KEYSTORE = "AndroidKeyStore"
        private const val TRANSFORMATION = "AES/GCM/NoPadding"
        private const val TAG_BITS = 128
        private const val VERSION: Byte = 1

        /** Binds the ciphertext to its purpose: it unwraps only as this app's store key. */
        private val AAD = "org.quayside store key v1".toByteArray(Charsets.US_ASCII)
    }
}
