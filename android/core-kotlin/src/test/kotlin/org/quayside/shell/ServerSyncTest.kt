package org.quayside.shell

import java.util.Collections
import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.FixMethodOrder
import org.junit.Test
import org.junit.runners.MethodSorters
import org.quayside.core.ApiException
import org.quayside.core.CustodyFields
import org.quayside.core.ErrorCode
import org.quayside.core.InspectionFields
import org.quayside.core.SyncAction
import org.quayside.core.SyncObserver
import org.quayside.core.SyncPhase
import org.quayside.core.SyncSchedule
import org.quayside.core.SyncProgressRecord

/**
 * Two officers' phones and a real quayside-server on loopback: enrolment, a sync with progress,
 * a colleague receiving the record, and recording on while the server is unreachable.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class ServerSyncTest {
    /** A SyncObserver that records every step the core reports. */
    private class Recorder : SyncObserver {
        val steps: MutableList<SyncProgressRecord> = Collections.synchronizedList(mutableListOf())
        override fun onProgress(progress: SyncProgressRecord) {
            steps += progress
        }
        fun phases(): List<SyncPhase> = synchronized(steps) { steps.map { it.phase } }
    }

    /** The server and the two phones, shared by the ordered tests of this class. */
    companion object {
        private lateinit var server: TestServer
        private lateinit var ama: InspectionRepository
        private lateinit var kofi: InspectionRepository
        private var amaInspection = ""
        private val schedules: MutableList<SyncSchedule> = Collections.synchronizedList(mutableListOf())

        /** Seeds the server like an administrator: station, two officers; starts it; sets up both phones. */
        @BeforeClass
        @JvmStatic
        fun startServer() {
            server = TestServer()
            server.admin("station", "GHTEM", "--country", "GH", "--name", "Tema")
            server.admin("user", "ama", "--role", "officer", "--station", "GHTEM")
            server.admin("user", "kofi", "--role", "officer", "--station", "GHTEM")
            server.start()
            ama = InspectionRepository(TestSupport.newStore("ama", "GHTEM"), onSchedule = { schedules += it })
            kofi = InspectionRepository(TestSupport.newStore("kofi", "GHTEM"))
        }

        /** Stops the server and frees the stores. */
        @AfterClass
        @JvmStatic
        fun stopServer() {
            if (::ama.isInitialized) ama.close()
            if (::kofi.isInitialized) kofi.close()
            if (::server.isInitialized) server.close()
        }
    }

    /** Ama enrols, records offline, syncs: the observer sees feed, documents, done; one inspection and its photo go up. */
    @Test
    fun a_officerEnrolsRecordsAndSyncs() = runBlocking {
        val before = ama.refreshSyncStatus()
        assertTrue(!before.enrolled)
        val form = EnrolmentForm(serverUrl = server.url + "/", code = server.enrolmentCode("ama").lowercase())
        val enrolment = ama.enroll(form.normalizedUrl(), form.normalizedCode(), "ama's phone")
        assertEquals("ama", enrolment.user)
        assertEquals(listOf("GHTEM"), enrolment.stations)
        assertEquals(server.url, ama.syncStatus.value!!.serverUrl)

        val editor = InspectionEditorModel(ama)
        editor.edit(InspectionForm(mapOf("container" to "CSQU3054383", "description" to "R-134a in cylinders")))
        assertTrue(editor.save())
        val findingId = editor.addFinding(FindingForm(mapOf("declared" to "R-134a", "identified" to "R-22", "cylinders" to "1139", "kg_per_cylinder" to "13.6")))!!
        ama.addPhoto(editor.inspectionId!!, TestSupport.jpeg(), org.quayside.core.PhotoFields(findingId = findingId))
        amaInspection = editor.inspectionId!!
        val pending = ama.refreshSyncStatus()
        assertEquals(1uL, pending.unsyncedInspections)
        assertEquals(1uL, pending.unsyncedPhotos)

        val recorder = Recorder()
        assertEquals("recorded work waits: sync now", SyncAction.NOW, schedules.last().action)
        assertTrue(SyncScheduling.spec(schedules.last()).enqueue)
        val report = ama.sync(observer = recorder)
        assertEquals(1uL, report.pushed)
        assertEquals(1uL, report.photosUploaded)
        assertTrue(report.rejected.isEmpty())
        val phases = recorder.phases()
        assertEquals(SyncPhase.FEED, phases.first())
        assertEquals(SyncPhase.DONE, phases.last())
        assertTrue("documents phase missing: $phases", SyncPhase.DOCUMENTS in phases)
        assertTrue("photos phase missing: $phases", SyncPhase.PHOTOS in phases)
        val docs = recorder.steps.last { it.phase == SyncPhase.DOCUMENTS }
        assertEquals("Records ${docs.documentsDone} of ${docs.documentsTotal}", XmlLocalizer.en.render(SyncText.phase(docs)))
        assertEquals(docs.documentsTotal, docs.documentsDone)
        assertTrue(recorder.steps.last().bytesSent > 0uL)

        val state = ama.syncState.value
        assertTrue("sync state: $state", state is SyncState.Done && state.report == report)
        val after = ama.syncStatus.value!!
        assertEquals(0uL, after.unsyncedInspections)
        assertEquals(0uL, after.unsyncedPhotos)
        assertTrue(after.lastSyncAt != null)
        assertEquals("Everything recorded is on the server.", XmlLocalizer.en.render(SyncText.pending(ama.syncSchedule())))
        assertEquals("Sent 1, received 0, 1 photos uploaded, 0 refused.", XmlLocalizer.en.render(SyncText.report(report)))
    }

    /** Kofi, same station, enrols and syncs: he receives ama's inspection with its figures. */
    @Test
    fun b_colleagueReceivesTheInspection() = runBlocking {
        kofi.enroll(server.url, server.enrolmentCode("kofi"), "kofi's phone")
        val report = kofi.sync()
        assertEquals(0uL, report.pushed)
        assertTrue("received ${report.received}", report.received >= 1uL)
        val row = kofi.list().single()
        assertEquals(amaInspection, row.id)
        assertEquals("ama", row.officer)
        assertEquals("CSQU3054383", row.containerNumber)
        assertEquals("0.852", Figures.fmt(row.odpTonnes, 3))
        val view = kofi.get(amaInspection)
        assertEquals(1, view.inspection.photos.size)
        assertEquals("28038", Figures.fmt(view.assessment.total.co2eTonnes, 0))
        assertTrue(kofi.history(amaInspection).all { it.user == "ama" })
    }

    /** With the server down, ama keeps recording; sync fails as retryable; once it is back, the edit goes up. */
    @Test
    fun c_recordingGoesOnWhileTheServerIsDown() = runBlocking {
        server.stop()
        ama.addCustody(amaInspection, CustodyFields(from = "ama", to = "Kwame Mensah (warehouse)", location = null, note = null, at = null))
        assertEquals(1uL, ama.refreshSyncStatus().unsyncedInspections)
        try {
            ama.sync()
            fail("synced with the server down")
        } catch (e: ApiException.Network) {
            assertEquals(ErrorCode.NETWORK, e.code())
            assertTrue(e.retryable())
        }
        val failed = ama.syncState.value
        assertTrue("sync state: $failed", failed is SyncState.Failed && failed.problem.recovery == Recovery.RETRY)
        // The core recorded the failed attempt: it asks to try again after a delay; the shell adds no backoff.
        val retry = schedules.last()
        assertEquals(SyncAction.AFTER, retry.action)
        assertEquals(ErrorCode.NETWORK, retry.lastError)
        assertTrue(retry.failures >= 1u)
        assertTrue(SyncScheduling.spec(retry).let { it.enqueue && it.delayMs > 0 })
        assertEquals(1uL, ama.syncStatus.value!!.unsyncedInspections)

        server.start()
        val report = ama.sync()
        assertEquals(1uL, report.pushed)
        assertEquals(0uL, ama.syncStatus.value!!.unsyncedInspections)
        kofi.sync()
        assertEquals("Kwame Mensah (warehouse)", kofi.get(amaInspection).inspection.seizure!!.custody.single().to)
    }

    /**
     * Two phones edit the same inspection from forms filled from the same version: each sends all
     * its fields with the heads it was filled from; the server carries both; neither overwrites the
     * other's field (the colleague's edit is kept).
     */
    @Test
    fun d_basedOnUpdatesKeepTheColleaguesEdit() = runBlocking {
        ama.sync()
        kofi.sync()
        val amaEditor = InspectionEditorModel(ama)
        val kofiEditor = InspectionEditorModel(kofi)
        assertTrue(amaEditor.load(amaInspection))
        assertTrue(kofiEditor.load(amaInspection))
        assertEquals(amaEditor.state.value.basedOn, kofiEditor.state.value.basedOn)
        kofiEditor.edit(kofiEditor.state.value.form.with("consignee" to "Accra Cooling Ltd"))
        assertTrue(kofiEditor.save())
        kofi.sync()
        ama.sync()
        // Ama's form was filled before kofi's change arrived; she changes the notes only and saves.
        amaEditor.edit(amaEditor.state.value.form.with("notes" to "cylinders relabelled"))
        assertTrue(amaEditor.save())
        val mine = ama.get(amaInspection).inspection
        assertEquals("cylinders relabelled", mine.notes)
        assertEquals("kofi's consignee stays", "Accra Cooling Ltd", mine.declaration.consignee)
        assertTrue(ama.get(amaInspection).conflicts.isEmpty())
        ama.sync()
        kofi.sync()
        val theirs = kofi.get(amaInspection).inspection
        assertEquals("cylinders relabelled", theirs.notes)
        assertEquals("Accra Cooling Ltd", theirs.declaration.consignee)
    }
}
