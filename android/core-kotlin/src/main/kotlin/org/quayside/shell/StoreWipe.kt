package org.quayside.shell

import java.io.File
import java.io.IOException

/**
 * What is left to the app after an administrator revoked this phone with wipe. On its next sync the
 * core pushes what the server still accepts, confirms, deletes the whole store directory and
 * reports `SyncReportRecord.wiped`; [InspectionRepository] then closes the store and calls
 * [complete]: the store's key is forgotten ([StoreKeyKeeper.forget]: whatever the flash may still
 * hold of the deleted files never opens again) and [marker] is left, so that the set-up screen says
 * why the phone is empty ([notice]), also after a restart, until a new store is set up.
 *
 * The Android app keeps [marker] in `noBackupFilesDir` next to the wrapped key; the tests in a
 * temporary folder.
 */
class StoreWipe(private val keeper: StoreKeyKeeper, private val marker: File) {
    /** Whether an administrator's wipe deleted the last store and no new one was set up since: set-up shows [notice]. */
    fun happened(): Boolean = marker.exists()

    /**
     * The store is deleted and closed: leaves the marker, then forgets the key. The key is forgotten
     * even when the marker cannot be written; a failure of either is thrown afterwards (and
     * the next set-up never reuses the key: [StoreKeys.forNewStore]).
     */
    fun complete() {
        val marked = runCatching {
            marker.parentFile?.mkdirs()
            marker.writeText("")
            if (!marker.exists()) throw IOException("$marker could not be written")
        }
        keeper.forget()
        marked.getOrThrow()
    }

    /** A new store is set up: the set-up notice is no longer due. */
    fun setUpDone() {
        if (marker.exists() && !marker.delete()) throw IOException("$marker could not be removed")
    }

    /** Names and words. */
    companion object {
        /** The marker's file name (in `noBackupFilesDir` on the phone). */
        const val MARKER = "store-wiped"

        /** What the set-up screen says after a wipe (`notice_store_wiped`). */
        val notice: Text = text("notice_store_wiped")
    }
}
