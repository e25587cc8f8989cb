package org.quayside.shell

import java.io.File
import java.io.IOException
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.quayside.core.ApiException
import org.quayside.core.ErrorCode
import org.quayside.core.FieldStore
import org.quayside.core.InspectionFields
import org.quayside.core.MessageKey
import org.quayside.core.PhotoFields
import org.quayside.core.RecoveredPhoto
import org.quayside.core.generateStoreKey
import org.quayside.core.storeIsEncrypted

/**
 * The store is encrypted at rest under a key the app keeps: another key opens nothing and changes
 * nothing, nothing recorded is readable in the store's files, a malformed key is refused, and the
 * shell never makes a new key for a store that depends on a lost one ([StoreKeys]). A key change
 * ([StoreKeys.rotate]) re-encrypts everything under a new key, and one cut short at any moment is
 * settled at the next open with every record readable.
 */
class StoreKeyTest {
    private val en = XmlLocalizer.en
    private val id = XmlLocalizer.id

    /** Records an inspection with a container number, notes and a photo in [store]; returns its id and the photo's bytes. */
    private fun record(store: FieldStore): Pair<String, ByteArray> {
        val view = store.createInspection(InspectionFields(containerNumber = CONTAINER, notes = NOTES))
        val photo = TestSupport.jpeg(size = 8192, seed = 5)
        store.addPhoto(view.inspection.id, photo, PhotoFields(caption = "relabelled cylinder"))
        return view.inspection.id to photo
    }

    /** Another key is refused as WrongKey, writes nothing, and the right key still opens every record. */
    @Test
    fun anotherKeyIsRefusedAndTheStoreStillOpens() {
        val dir = TestSupport.newStoreDir()
        val (inspectionId, photo) = TestSupport.newStoreIn(dir).use { record(it) }
        val database = File(dir, InspectionRepository.STORE_MARKER)
        val before = database.readBytes()
        assertTrue("the store is encrypted", storeIsEncrypted(dir.absolutePath))

        val wrong = try {
            InspectionRepository.openExisting(dir, generateStoreKey())
            fail("another key opened the store")
            error("unreachable")
        } catch (e: ApiException.WrongKey) {
            e
        }
        assertEquals(ErrorCode.WRONG_KEY, wrong.code())
        assertFalse("a wrong key is not retried", wrong.retryable())
        assertEquals(MessageKey.ERROR_WRONG_KEY, wrong.userMessage().key)
        assertArrayEquals("the wrong key changed nothing", before, database.readBytes())
        // Shown as the core words it, in both languages; the screen offers no retry and no new store.
        val problem = Problems.of(wrong)
        assertEquals(ErrorCode.WRONG_KEY, problem.code)
        assertEquals(Recovery.REPORT, problem.recovery)
        assertEquals(
            "This device's key does not open its record store. Nothing was changed; ask an administrator before doing anything else.",
            en.render(problem.message),
        )
        assertEquals(
            "Kunci perangkat ini tidak dapat membuka penyimpanan catatannya. Tidak ada yang diubah; hubungi administrator sebelum melakukan hal lain.",
            id.render(problem.message),
        )

        TestSupport.openStoreIn(dir).use { store ->
            val view = store.getInspection(inspectionId)
            assertEquals(CONTAINER, view.inspection.container.number)
            assertEquals(NOTES, view.inspection.notes)
            val kept = view.inspection.photos.single()
            assertArrayEquals(photo, store.readPhoto(kept.sha256))
        }
    }

    /** No file of the store (the database, its -wal, the photos) holds a recorded container number or a photo's bytes. */
    @Test
    fun nothingRecordedIsReadableInTheStoresFiles() {
        val dir = TestSupport.newStoreDir()
        val needles = mapOf(
            "the container number" to CONTAINER.toByteArray(Charsets.UTF_8),
            "the notes" to NOTES.toByteArray(Charsets.UTF_8),
        )
        TestSupport.newStoreIn(dir).use { store ->
            val (_, photo) = record(store)
            val photoNeedles = needles + mapOf("the photo's start" to photo.copyOfRange(0, 64), "the photo's bytes" to photo.copyOfRange(1000, 1256))
            // While the store is open: the write-ahead log holds the latest pages.
            val open = files(dir)
            assertTrue("the write-ahead log is checked too: ${open.map { it.name }}", open.any { it.name.endsWith("-wal") })
            assertNothingReadable(open, photoNeedles)
            // And once it is closed.
            store.close()
            assertNothingReadable(files(dir), photoNeedles)
        }
    }

    /** A key that is not 32 bytes (or is all zeros) is refused as Invalid, and no store is made with it. */
    @Test
    fun aMalformedKeyIsRefused() {
        val dir = TestSupport.newStoreDir()
        for (bad in listOf(ByteArray(31) { 7 }, ByteArray(33) { 7 }, ByteArray(32))) {
            try {
                InspectionRepository.create(dir, bad, "ama", "GHTEM").close()
                fail("a key of ${bad.size} bytes made a store")
            } catch (e: ApiException.Invalid) {
                assertEquals(ErrorCode.INVALID, e.code())
            }
        }
        assertFalse("no store was made", InspectionRepository.exists(dir))
        TestSupport.newStoreIn(dir).close()
        try {
            InspectionRepository.openExisting(dir, TestSupport.key.copyOf(31))
            fail("a key of 31 bytes opened the store")
        } catch (e: ApiException.Invalid) {
            assertEquals(ErrorCode.INVALID, e.code())
        }
        TestSupport.openStoreIn(dir).close()
    }

    /** The first key is made, kept, and given again; the array handed out by [StoreKeys.withKey] is zeroed afterwards. */
    @Test
    fun aKeyIsMadeOnceAndKept() {
        val dir = TestSupport.newStoreDir()
        val keeper = MemoryKeeper()
        val first = StoreKeys.keyFor(dir, keeper)
        assertEquals(32, first.size)
        assertArrayEquals(first, keeper.kept)
        assertEquals(1, keeper.writes)
        var handed: ByteArray? = null
        StoreKeys.withKey(dir, keeper) { key ->
            assertArrayEquals("the kept key is given again", first, key)
            InspectionRepository.create(dir, key, "ama", "GHTEM").close()
            handed = key
        }
        assertTrue("zeroed after use", handed!!.all { it == 0.toByte() })
        assertEquals("no second key", 1, keeper.writes)
        StoreKeys.withKey(dir, keeper) { key -> InspectionRepository.openExisting(dir, key)!!.close() }
    }

    /** A store whose key is missing or unreadable is never given a new key: the problem says so and nothing is written. */
    @Test
    fun aLostKeyIsNeverReplacedForAnExistingStore() {
        val dir = TestSupport.newStoreDir()
        TestSupport.newStoreIn(dir).close()

        val empty = MemoryKeeper()
        val missing = try {
            StoreKeys.keyFor(dir, empty)
            error("a new key was made for an existing store")
        } catch (e: StoreKeyLostException) {
            e
        }
        assertFalse(missing.unreadable)
        assertNull("nothing kept", empty.kept)
        assertEquals(0, empty.writes)

        val broken = MemoryKeeper().apply { kept = TestSupport.key.copyOf(); unreadable = true }
        val unreadable = try {
            StoreKeys.keyFor(dir, broken)
            error("a new key was made for an existing store")
        } catch (e: StoreKeyLostException) {
            e
        }
        assertTrue(unreadable.unreadable)
        assertNotNull(unreadable.cause)
        assertFalse("the kept key is not forgotten", broken.forgotten)
        assertEquals(0, broken.writes)

        val problem = Problems.of(unreadable)
        assertEquals(Recovery.REPORT, problem.recovery)
        assertNull(problem.code)
        assertEquals(Text.Shell("error_store_key_lost"), problem.message)
        assertTrue(en.render(problem.message).isNotBlank())
        assertTrue(id.render(problem.message) != en.render(problem.message))
        // The store is unchanged: its own key still opens it.
        TestSupport.openStoreIn(dir).close()
    }

    /** With no store yet, an unreadable key is dropped and a new one made; a plain store (from before encryption) gets a new key too. */
    @Test
    fun aNewKeyOnlyWhereNoEncryptedStoreDependsOnTheOld() {
        val none = TestSupport.newStoreDir()
        val broken = MemoryKeeper().apply { kept = ByteArray(32) { 1 }; unreadable = true }
        val fresh = StoreKeys.keyFor(none, broken)
        assertTrue(broken.forgotten)
        assertEquals(1, broken.writes)
        assertArrayEquals(fresh, broken.kept)
        assertFalse(fresh.contentEquals(ByteArray(32) { 1 }))

        // A store written before encryption starts with SQLite's header: the core encrypts it
        // under a new key on its first open, so one is made (and kept before the core sees it).
        val plain = TestSupport.newStoreDir().apply { mkdirs() }
        File(plain, InspectionRepository.STORE_MARKER).writeBytes("SQLite format 3\u0000".toByteArray(Charsets.US_ASCII) + ByteArray(84))
        assertFalse(storeIsEncrypted(plain.absolutePath))
        val keeper = MemoryKeeper()
        val key = StoreKeys.keyFor(plain, keeper)
        assertArrayEquals(key, keeper.kept)
    }

    /**
     * A key change through the repository: the store goes on under the new key, the old key no
     * longer opens it, one current key and no pending key are kept, and a reopen with the kept key
     * reads the inspection, its photo and a camera photo kept in the inbox during the change.
     */
    @Test
    fun aKeyChangeReencryptsEverythingAndTheOldKeyNoLongerOpens() = runBlocking {
        val (dir, keeper) = keptStore()
        val old = keeper.kept!!.copyOf()
        val (inspectionId, photo) = StoreKeys.open(dir, keeper)!!.use { record(it) }
        val shot = TestSupport.jpeg(size = 4096, seed = 11)
        InspectionRepository(StoreKeys.open(dir, keeper)!!, keys = keeper).use { repo ->
            repo.keepCameraPhoto(inspectionId, shot)
            assertEquals(KeyChange.Idle, repo.keyChange.value)
            repo.changeKey()
            assertEquals(KeyChange.Done, repo.keyChange.value)
            assertRecorded(repo, inspectionId, photo)
        }
        val new = keeper.kept!!
        assertFalse("a new key is kept", new.contentEquals(old))
        assertNull("no pending key is left", keeper.pending)
        assertWrongKey(dir, old)

        InspectionRepository(StoreKeys.open(dir, keeper)!!).use { repo ->
            assertRecorded(repo, inspectionId, photo)
            // The camera's photo, sealed again under the new key, is attached at start.
            assertEquals(1, repo.recoverPhotos().count { it is RecoveredPhoto.Attached })
            val view = repo.get(inspectionId)
            assertArrayEquals(shot, repo.readPhoto(view.inspection.photos.single { it.caption != "relabelled cylinder" }.sha256))
        }
        assertArrayEquals("opening settled nothing more", new, keeper.kept)
    }

    /**
     * Killed after the new key was kept as pending, before the store changed key: until it is
     * settled no other change may replace the pending key (refused, with words in both languages);
     * the next open finds the old key still opens the store, forgets the pending one, and reads everything.
     */
    @Test
    fun aKeyChangeKilledBeforeTheStoreChangedKeyKeepsTheOldKey() = runBlocking {
        val (dir, keeper) = keptStore()
        val old = keeper.kept!!.copyOf()
        val (inspectionId, photo) = StoreKeys.open(dir, keeper)!!.use { record(it) }
        InspectionRepository(StoreKeys.open(dir, keeper)!!, keys = keeper).use { repo ->
            val killed = try {
                StoreKeys.rotate(keeper) { throw IOException("killed before the store changed key") }
                error("the change went through")
            } catch (e: IOException) {
                e
            }
            assertNotNull(killed.message)
            assertArrayEquals(old, keeper.kept)
            val pending = keeper.pending!!.copyOf()

            val refused = try {
                repo.changeKey()
                error("a second change replaced the pending key")
            } catch (e: KeyChangeUnsettledException) {
                e
            }
            assertArrayEquals("the pending key is untouched", pending, keeper.pending)
            val problem = (repo.keyChange.value as KeyChange.Failed).problem
            assertEquals(Problems.of(refused), problem)
            assertEquals(Text.Shell("error_key_change_unsettled"), problem.message)
            assertEquals(Recovery.NONE, problem.recovery)
            assertTrue(en.render(problem.message).isNotBlank())
            assertTrue(id.render(problem.message) != en.render(problem.message))
        }

        InspectionRepository(StoreKeys.open(dir, keeper)!!).use { repo -> assertRecorded(repo, inspectionId, photo) }
        assertArrayEquals("the old key stays the store's key", old, keeper.kept)
        assertNull("the pending key is forgotten", keeper.pending)
    }

    /**
     * Killed after the store changed key, before the new key became the current one: the kept
     * current key no longer opens the store, so the next open uses the pending key, makes it the
     * current one, and reads everything.
     */
    @Test
    fun aKeyChangeKilledBeforeTheNewKeyWasKeptAsCurrentKeepsTheNewKey() = runBlocking {
        val (dir, keeper) = keptStore()
        val old = keeper.kept!!.copyOf()
        val (inspectionId, photo) = StoreKeys.open(dir, keeper)!!.use { record(it) }
        StoreKeys.open(dir, keeper)!!.use { store ->
            val killed = try {
                StoreKeys.rotate(keeper) { key ->
                    store.changeKey(key)
                    throw IOException("killed before the new key became current")
                }
                error("the change went through")
            } catch (e: IOException) {
                e
            }
            assertNotNull(killed.message)
        }
        assertArrayEquals("still the old key", old, keeper.kept)
        val new = keeper.pending!!.copyOf()
        assertWrongKey(dir, old)

        InspectionRepository(StoreKeys.open(dir, keeper)!!).use { repo -> assertRecorded(repo, inspectionId, photo) }
        assertArrayEquals("the new key is the current one", new, keeper.kept)
        assertNull("no pending key is left", keeper.pending)
        assertWrongKey(dir, old)
    }

    /** A new store in a fresh directory, under a key made and kept by a [MemoryKeeper] as set-up does. */
    private fun keptStore(): Pair<File, MemoryKeeper> {
        val dir = TestSupport.newStoreDir()
        val keeper = MemoryKeeper()
        StoreKeys.withKey(dir, keeper) { key -> InspectionRepository.create(dir, key, "ama", "GHTEM").close() }
        return dir to keeper
    }

    /** [record]'s inspection, with its notes and photo, reads back through [repo]. */
    private suspend fun assertRecorded(repo: InspectionRepository, inspectionId: String, photo: ByteArray) {
        val view = repo.get(inspectionId)
        assertEquals(CONTAINER, view.inspection.container.number)
        assertEquals(NOTES, view.inspection.notes)
        assertArrayEquals(photo, repo.readPhoto(view.inspection.photos.first { it.caption == "relabelled cylinder" }.sha256))
    }

    /** [key] does not open the store in [dir]. */
    private fun assertWrongKey(dir: File, key: ByteArray) {
        try {
            InspectionRepository.openExisting(dir, key.copyOf())?.close()
            fail("the key opened the store")
        } catch (e: ApiException.WrongKey) {
            assertEquals(ErrorCode.WRONG_KEY, e.code())
        }
    }

    private fun files(dir: File): List<File> = dir.walkTopDown().filter { it.isFile }.toList()

    private fun assertNothingReadable(files: List<File>, needles: Map<String, ByteArray>) {
        assertTrue("the store has files: $files", files.isNotEmpty())
        for (file in files) {
            val bytes = file.readBytes()
            for ((what, needle) in needles) {
                assertEquals("$what is readable in ${file.name}", -1, indexOf(bytes, needle))
            }
        }
    }

    private fun indexOf(haystack: ByteArray, needle: ByteArray): Int {
        outer@ for (i in 0..haystack.size - needle.size) {
            for (j in needle.indices) if (haystack[i + j] != needle[j]) continue@outer
            return i
        }
        return -1
    }

    private companion object {
        const val CONTAINER = "CSQU3054383"
        const val NOTES = "door seal broken, cylinders relabelled"
    }
}
