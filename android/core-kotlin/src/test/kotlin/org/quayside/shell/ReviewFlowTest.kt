package org.quayside.shell

import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.FixMethodOrder
import org.junit.Test
import org.quayside.core.Decision
import org.quayside.core.FlagKind
import org.quayside.core.ReviewState
import org.junit.runners.MethodSorters
import org.quayside.core.ApiException
import org.quayside.core.PhotoFields

/**
 * Supervisor review on the real library and a real quayside-server: an officer's signed
 * submission, the supervisor's queue, approval, a change after approval, a return with a comment
 * and the resubmission, each decision travelling through the server to the other phone.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
class ReviewFlowTest {
    /** The server and the two phones, shared by the ordered steps of this class. */
    companion object {
        private lateinit var server: TestServer
        private lateinit var ama: InspectionRepository
        private lateinit var esi: InspectionRepository
        private var inspectionId = ""
        private var findingId = ""

        /** Seeds the server like an administrator (station GHTEM, officer ama, supervisor esi), starts it, enrols both phones. */
        @BeforeClass
        @JvmStatic
        fun startServer() {
            server = TestServer()
                .station("GHTEM", "GH", "Tema")
                .user("ama", "officer", "GHTEM")
                .user("esi", "supervisor", "GHTEM")
            server.start()
            ama = server.enrolledPhone("ama", "GHTEM")
            esi = server.enrolledPhone("esi", "GHTEM")
        }

        /** Stops the server and frees the stores. */
        @AfterClass
        @JvmStatic
        fun stopServer() {
            if (::ama.isInitialized) ama.close()
            if (::esi.isInitialized) esi.close()
            if (::server.isInitialized) server.close()
        }
    }

    private suspend fun amaRow(): InspectionRow = rowsFor(ama.list(), ama.refreshSyncStatus()).single { it.summary.id == inspectionId }

    /** Ama records an R-22 finding with a photo and submits: the submission is signed and verifies; the row waits to sync until she syncs. */
    @Test
    fun a_officerSubmitsASignedInspection() = runBlocking {
        val editor = InspectionEditorModel(ama)
        editor.edit(InspectionForm(mapOf("container" to "CSQU3054383", "description" to "R-134a in cylinders", "hs_code" to "3827.64")))
        assertTrue(editor.save())
        findingId = editor.addFinding(
            FindingForm(mapOf("declared" to "R-134a", "identified" to "R-22", "cylinders" to "1139", "kg_per_cylinder" to "13.6")),
        )!!
        inspectionId = editor.inspectionId!!
        ama.addPhoto(inspectionId, TestSupport.jpeg(), PhotoFields(caption = "relabelled cylinder", findingId = findingId))
        assertTrue(editor.refresh())

        assertTrue(editor.submit())
        val view = editor.state.value.view!!
        assertEquals(true, view.submissionVerified)
        assertEquals(ReviewState.AWAITING_REVIEW, view.reviewState)
        assertTrue(view.reviews.isEmpty())
        assertEquals(ReviewState.AWAITING_REVIEW, editor.state.value.review)
        assertFalse(editor.state.value.canSubmit)

        val before = amaRow()
        assertTrue(before.pendingSync)
        assertTrue(RowMarker.NOT_SYNCED in before.markers)
        assertEquals(ReviewState.AWAITING_REVIEW, before.review)

        val report = ama.sync()
        assertEquals(1uL, report.pushed)
        assertEquals(1uL, report.photosUploaded)
        assertTrue(report.rejected.isEmpty())
        val after = amaRow()
        assertFalse("synced rows are not marked", after.pendingSync)
        assertFalse(RowMarker.NOT_SYNCED in after.markers)
    }

    /** Esi syncs, finds it in her queue, opens it with figures, flags and the photo, approves; the approval is sent at once. */
    @Test
    fun b_supervisorApproves() = runBlocking {
        val queue = ReviewQueueModel(esi)
        assertTrue(queue.load().isEmpty())
        assertTrue(queue.syncAndLoad())
        val row = queue.state.value.rows.single()
        assertEquals(inspectionId, row.summary.id)
        assertEquals(ReviewState.AWAITING_REVIEW, row.review)
        assertEquals("ama", row.summary.officer)

        assertTrue(queue.open(inspectionId))
        val open = queue.state.value.open!!
        assertEquals("0.852", Figures.fmt(open.assessment.total.odpTonnes, 3))
        assertTrue(open.assessment.flags.any { it.kind == FlagKind.SUBSTANCE_MISMATCH })
        val photo = open.inspection.photos.single()
        assertEquals("relabelled cylinder", photo.caption)
        // Sync brought the evidence itself to the supervisor's device, verified by its hash.
        assertArrayEquals(ReviewQueueModel(ama).photo(photo.sha256), queue.photo(photo.sha256))
        assertEquals(TestSupport.jpeg().size, queue.photo(photo.sha256)!!.size)
        assertEquals(true, open.submissionVerified)
        assertTrue(open.submissionCoversShown)
        assertTrue(queue.state.value.canDecide)
        assertTrue(queue.state.value.canApprove)

        queue.editComment("Seizure well documented")
        assertTrue(queue.approve())
        val s = queue.state.value
        assertNull(s.message)
        assertEquals("Approved CSQU3054383 and sent it to the server.", XmlLocalizer.en.render(s.notice!!))
        assertNull(s.open)
        assertTrue("approved inspections leave the queue", s.rows.isEmpty())
        assertEquals(0uL, esi.syncStatus.value!!.unsyncedInspections)

        val mine = esi.get(inspectionId)
        assertEquals(ReviewState.APPROVED, mine.reviewState)
        val review = mine.reviews.single()
        assertEquals("esi", review.reviewer)
        assertEquals(Decision.APPROVED, review.decision)
        assertEquals("Seizure well documented", review.comment)
        assertTrue(review.signatureVerified)
        assertEquals("the approval names the version shown", open.heads, review.reviewedHeads)
    }

    /** Ama syncs and sees the approval, signed by esi and verified on her phone. */
    @Test
    fun c_officerSeesTheApproval() = runBlocking {
        ama.sync()
        val editor = InspectionEditorModel(ama)
        assertTrue(editor.load(inspectionId))
        val state = editor.state.value
        assertEquals(ReviewState.APPROVED, state.view!!.reviewState)
        assertEquals(ReviewState.APPROVED, state.review)
        val review = state.view.reviews.single()
        assertEquals(Decision.APPROVED, review.decision)
        assertEquals("esi", review.reviewer)
        assertTrue("esi's signature verifies on ama's phone", review.signatureVerified)
        val notice = state.reviewNotice!!
        assertEquals("Approved by esi", XmlLocalizer.en.render(notice.title))
        assertTrue(notice.comment!!.contains("Seizure well documented"))
        assertFalse(notice.attention)
        assertFalse(state.canSubmit)
        assertEquals(ReviewState.APPROVED, amaRow().review)
    }

    /** Ama corrects the finding after approval: the record reads "changed since approval" and the row waits to sync. */
    @Test
    fun d_officerChangesAnApprovedInspection() = runBlocking {
        val editor = InspectionEditorModel(ama)
        assertTrue(editor.load(inspectionId))
        assertTrue(editor.updateFinding(findingId, FindingForm.from(editor.state.value.view!!.inspection.findings.single()).with("net_mass_kg" to "15400")))
        val state = editor.state.value
        assertEquals(ReviewState.CHANGED_SINCE_APPROVAL, state.view!!.reviewState)
        assertEquals(ReviewState.CHANGED_SINCE_APPROVAL, state.review)
        val notice = state.reviewNotice!!
        assertEquals("Changed since approval", XmlLocalizer.en.render(notice.title))
        assertTrue(notice.attention)
        assertTrue(XmlLocalizer.en.render(notice.text).contains("esi"))
        assertTrue("a change after approval can be submitted again", state.canSubmit && state.isResubmission)
        val row = amaRow()
        assertEquals(ReviewState.CHANGED_SINCE_APPROVAL, row.review)
        assertTrue(RowMarker.NOT_SYNCED in row.markers)
        assertEquals(1uL, ama.sync().pushed)
        assertFalse(amaRow().pendingSync)
    }

    /** Esi syncs: the changed record is back in her queue; returning needs a comment; she returns it with one. */
    @Test
    fun e_supervisorReturnsWithAComment() = runBlocking {
        val queue = ReviewQueueModel(esi)
        assertTrue(queue.syncAndLoad())
        val row = queue.state.value.rows.single()
        assertEquals(ReviewState.CHANGED_SINCE_APPROVAL, row.review)
        assertTrue(queue.open(inspectionId))
        assertEquals(15400.0, queue.state.value.open!!.assessment.total.kg, 1e-9)
        assertFalse("the officer's signature does not cover the change", queue.state.value.canApprove)

        assertFalse("no comment, no return", queue.state.value.canReturn)
        assertFalse(queue.returnToOfficer())
        assertEquals(Recovery.FIX_INPUT, queue.state.value.message!!.recovery)
        assertEquals(1, esi.get(inspectionId).reviews.size)

        queue.editComment("Net mass changed to 15400 kg: attach the weighbridge ticket")
        assertTrue(queue.state.value.canReturn)
        assertTrue(queue.returnToOfficer())
        assertNull(queue.state.value.message)
        assertEquals("Returned CSQU3054383 to ama and sent it to the server.", XmlLocalizer.en.render(queue.state.value.notice!!))
        assertTrue(queue.state.value.rows.isEmpty())
        assertEquals(ReviewState.RETURNED, esi.get(inspectionId).reviewState)
    }

    /** Ama syncs, reads the comment, submits again: the inspection awaits review and is back in esi's queue. */
    @Test
    fun f_officerResubmitsAReturnedInspection() = runBlocking {
        ama.sync()
        val editor = InspectionEditorModel(ama)
        assertTrue(editor.load(inspectionId))
        val state = editor.state.value
        assertEquals(ReviewState.RETURNED, state.view!!.reviewState)
        assertEquals(ReviewState.RETURNED, amaRow().review)
        val returned = state.view.reviews.last()
        assertEquals(Decision.RETURNED, returned.decision)
        assertEquals("Net mass changed to 15400 kg: attach the weighbridge ticket", returned.comment)
        assertTrue(returned.signatureVerified)
        val notice = state.reviewNotice!!
        assertEquals("Returned by esi", XmlLocalizer.en.render(notice.title))
        assertEquals("Dikembalikan oleh esi", XmlLocalizer.id.render(notice.title))
        assertTrue(notice.comment!!.contains("weighbridge ticket"))
        assertTrue(notice.attention)
        assertTrue("a returned inspection can be submitted again", state.canSubmit)
        assertTrue(state.isResubmission)

        assertTrue(editor.submit())
        val again = editor.state.value
        assertEquals(ReviewState.AWAITING_REVIEW, again.view!!.reviewState)
        assertEquals(true, again.view.submissionVerified)
        assertEquals(ReviewState.AWAITING_REVIEW, again.review)
        assertTrue(XmlLocalizer.en.render(again.reviewNotice!!.text).contains("again after esi returned it"))
        assertFalse(again.canSubmit)
        ama.sync()

        val queue = ReviewQueueModel(esi)
        assertTrue(queue.syncAndLoad())
        assertEquals(ReviewState.AWAITING_REVIEW, queue.state.value.rows.single { it.summary.id == inspectionId }.review)
    }

    /** Ama is an officer: approving is refused by the core with an ApiException, and the review screen says why. */
    @Test
    fun g_officerCannotApprove() = runBlocking {
        try {
            ama.approve(inspectionId, ama.get(inspectionId).heads, "looks fine to me")
            fail("an officer approved an inspection")
        } catch (e: ApiException) {
            assertTrue(e.code() == org.quayside.core.ErrorCode.INVALID || e.code() == org.quayside.core.ErrorCode.FORBIDDEN)
            assertFalse(e.retryable())
        }
        val queue = ReviewQueueModel(ama)
        queue.load()
        assertTrue(queue.open(inspectionId))
        assertFalse(queue.approve())
        val message = queue.state.value.message
        assertNotNull(message)
        assertTrue(message!!.code == org.quayside.core.ErrorCode.INVALID || message.code == org.quayside.core.ErrorCode.FORBIDDEN)
        assertEquals(ReviewState.AWAITING_REVIEW, ama.get(inspectionId).reviewState)
        assertTrue(ama.get(inspectionId).reviews.none { it.reviewer == "ama" })
    }
}
