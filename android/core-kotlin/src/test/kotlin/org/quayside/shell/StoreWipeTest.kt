package org.quayside.shell

import java.io.File
import java.util.Collections
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertThrows
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.quayside.core.ApiException
import org.quayside.core.InspectionFields
import org.quayside.core.PhotoFields
import org.quayside.core.SyncSchedule

/**
 * An administrator revokes a phone with wipe (`quayside-server admin revoke ID --wipe`) against a
 * real quayside-server: a sync that cannot reach the server changes nothing; the next one pushes
 * what was recorded offline, the core deletes the store, and the repository closes it, forgets its
 * key ([StoreWipe]) and signals [InspectionRepository.wiped]; set-up then makes a new key.
 */
class StoreWipeTest {
    /** A phone revoked with wipe sends what it recorded, then forgets everything; set-up starts again under a new key. */
    @Test
    fun aPhoneRevokedWithWipeSendsWhatItRecordedThenForgetsItsStoreAndKey(): Unit = runBlocking {
        TestServer().use { server ->
            server.station("GHTEM", "GH", "Tema").user("ama", "officer", "GHTEM").user("kofi", "officer", "GHTEM")
            server.start()
            val dir = TestSupport.newStoreDir()
            val keeper = MemoryKeeper().apply { kept = TestSupport.key.copyOf() }
            val wipe = StoreWipe(keeper, File(TestSupport.tempDir("quayside-no-backup-"), StoreWipe.MARKER))
            val schedules: MutableList<SyncSchedule> = Collections.synchronizedList(mutableListOf())
            val ama = InspectionRepository(TestSupport.newStoreIn(dir, "ama", "GHTEM"), onSchedule = { schedules += it }, wipe = wipe)
            val enrolment = ama.enroll(server.url, server.enrolmentCode("ama"), "ama's phone")

            // Recorded offline, never sent: an inspection with a photo.
            val id = ama.create(InspectionFields(containerNumber = CONTAINER, notes = "cylinders relabelled")).inspection.id
            ama.addPhoto(id, TestSupport.jpeg(seed = 9), PhotoFields(caption = "relabelled cylinder"))
            assertEquals(1uL, ama.refreshSyncStatus().unsyncedInspections)

            // The phone is reported lost: revoked with wipe while it is out of reach.
            server.stop()
            assertTrue(server.admin("revoke", enrolment.deviceId, "--wipe").contains(enrolment.deviceId))
            try {
                ama.sync()
                fail("synced with the server down")
            } catch (e: ApiException.Network) {
                assertTrue(e.retryable())
            }
            // A sync that did not go through deletes nothing and forgets nothing.
            assertFalse(ama.wiped.value)
            assertTrue("the store is still there", InspectionRepository.exists(dir))
            assertFalse(keeper.forgotten)
            assertFalse(wipe.happened())
            assertEquals(CONTAINER, ama.get(id).inspection.container.number)

            // The next contact goes through: pushed, confirmed, wiped.
            server.start()
            val scheduled = schedules.size
            val report = ama.sync()
            assertTrue("the report says wiped: $report", report.wiped)
            assertEquals(1uL, report.pushed)
            assertEquals(1uL, report.photosUploaded)
            assertEquals("nothing reaches a phone ordered wiped", 0uL, report.received)
            assertFalse("the store directory is gone", dir.exists())
            assertTrue("the repository signalled the wipe", ama.wiped.value)
            assertEquals(SyncState.Done(report), ama.syncState.value)
            assertTrue("the key keeper was told to forget the key", keeper.forgotten)
            assertNull(keeper.kept)
            assertTrue("set-up will say why", wipe.happened())
            assertEquals("nothing is scheduled for a wiped store", scheduled, schedules.size)
            // The store is closed: a later call fails instead of reaching the deleted files.
            try {
                ama.list()
                fail("a wiped store was read")
            } catch (e: IllegalStateException) {
                assertNotNull(e.message)
            }
            assertFalse("nothing was made again in its place", dir.exists())
            val devices = server.admin("devices")
            assertTrue("the server recorded the wipe: $devices", devices.contains("\"wiped_at\": \""))

            // What it recorded offline is on the server: a colleague receives it.
            server.enrolledPhone("kofi", "GHTEM").use { kofi ->
                kofi.sync()
                assertEquals(CONTAINER, kofi.get(id).inspection.container.number)
                assertEquals(1, kofi.get(id).inspection.photos.size)
            }

            // Set-up after the wipe, as the app does it: a new key (never the wiped store's), then a new store.
            // The set-up screen says why, in both languages.
            assertTrue(XmlLocalizer.en.render(StoreWipe.notice).startsWith("An administrator wiped this phone."))
            assertTrue(XmlLocalizer.id.render(StoreWipe.notice) != XmlLocalizer.en.render(StoreWipe.notice))
            // As if the app had been killed before it forgot the key: set-up never reuses it.
            keeper.kept = TestSupport.key.copyOf()
            val key = StoreKeys.forNewStore(dir, keeper)
            assertFalse("a new key", key.contentEquals(TestSupport.key))
            assertArrayEquals("kept before the core uses it", key, keeper.kept)
            InspectionRepository.create(dir, key, "ama", "GHTEM").close()
            // Once the store exists its key is never replaced.
            assertThrows(IllegalStateException::class.java) { StoreKeys.forNewStore(dir, keeper) }
            assertArrayEquals(key, keeper.kept)
            wipe.setUpDone()
            assertFalse(wipe.happened())
            val newKey = keeper.kept ?: error("the new key was not kept")
            StoreKeys.withKey(dir, keeper) { key ->
                assertArrayEquals(newKey, key)
                InspectionRepository.openExisting(dir, key)!!.use { store -> assertTrue(store.listInspections(filterFor("")).isEmpty()) }
            }
        }
    }

    private companion object {
        const val CONTAINER = "CSQU3054383"
    }
}
