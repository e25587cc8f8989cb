package org.quayside.shell

import kotlinx.coroutines.runBlocking
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.BeforeClass
import org.junit.Test
import org.quayside.core.Decision
import org.quayside.core.ReviewState
import org.quayside.core.ApiException
import org.quayside.core.ElementList

/**
 * Evidence integrity through the state holders, on the real library and a real quayside-server
 * with two officers' phones and a supervisor's: a decision names exactly the version shown, a
 * change after submission is never approved as signed, and a removal that crossed a colleague's
 * edit stays visible and restores in one step. Each test records its own inspection.
 */
class EvidenceIntegrityTest {
    /** The server and the three phones, shared by the tests of this class. */
    companion object {
        private lateinit var server: TestServer
        private lateinit var ama: InspectionRepository
        private lateinit var kofi: InspectionRepository
        private lateinit var esi: InspectionRepository

        /** Seeds the server (station GHTEM, officers ama and kofi, supervisor esi), starts it, enrols the phones. */
        @BeforeClass
        @JvmStatic
        fun startServer() {
            server = TestServer()
                .station("GHTEM", "GH", "Tema")
                .user("ama", "officer", "GHTEM")
                .user("kofi", "officer", "GHTEM")
                .user("esi", "supervisor", "GHTEM")
            server.start()
            ama = server.enrolledPhone("ama", "GHTEM")
            kofi = server.enrolledPhone("kofi", "GHTEM")
            esi = server.enrolledPhone("esi", "GHTEM")
        }

        /** Stops the server and frees the stores. */
        @AfterClass
        @JvmStatic
        fun stopServer() {
            if (::ama.isInitialized) ama.close()
            if (::kofi.isInitialized) kofi.close()
            if (::esi.isInitialized) esi.close()
            if (::server.isInitialized) server.close()
        }
    }

    /** Ama records container [container] with an R-22 finding of 500 kg; returns the editor (inspection saved) and the finding's id. */
    private suspend fun record(container: String): Pair<InspectionEditorModel, String> {
        val editor = InspectionEditorModel(ama)
        editor.edit(InspectionForm(mapOf("container" to container, "description" to "R-134a in cylinders")))
        assertTrue(editor.save())
        val findingId = editor.addFinding(FindingForm(mapOf("declared" to "R-134a", "identified" to "R-22", "net_mass_kg" to "500")))!!
        return editor to findingId
    }

    /** Ama re-weighs [findingId] in [editor] to [kg]. */
    private suspend fun reweigh(editor: InspectionEditorModel, findingId: String, kg: String) {
        val finding = editor.state.value.view!!.inspection.findings.single { it.id == findingId }
        assertTrue(editor.updateFinding(findingId, FindingForm.from(finding).with("net_mass_kg" to kg)))
    }

    /**
     * Esi opens a submitted inspection; ama corrects it and submits again; esi's phone syncs in the
     * background. Her approval names the version she read, so it is refused as stale, nothing is
     * recorded, and the inspection is shown again as it is now; approving that goes through.
     */
    @Test
    fun anApprovalOfAVersionOvertakenBySyncIsRefusedAsStale() = runBlocking {
        val (editor, findingId) = record("MSCU1234566")
        val id = editor.inspectionId!!
        assertTrue(editor.submit())
        ama.sync()

        val queue = ReviewQueueModel(esi)
        assertTrue(queue.syncAndLoad())
        assertTrue(queue.open(id))
        val shown = queue.state.value.open!!
        assertEquals(ReviewState.AWAITING_REVIEW, shown.reviewState)
        assertTrue(queue.state.value.canApprove)
        queue.editComment("Well documented")

        // Meanwhile ama re-weighs and submits again; esi's phone syncs in the background.
        reweigh(editor, findingId, "480")
        assertTrue(editor.submit())
        assertTrue(ama.sync().pushed >= 1uL)
        assertTrue(esi.sync().received >= 1uL)
        assertEquals("the screen is not swapped under the supervisor", shown, queue.state.value.open)

        assertFalse(queue.approve())
        val s = queue.state.value
        val message = s.message!!
        assertEquals(org.quayside.core.ErrorCode.STALE, message.code)
        assertEquals(Recovery.READ_AGAIN, message.recovery)
        assertEquals("This record changed while you were looking at it. Look at it again before deciding.", XmlLocalizer.en.render(message.message))
        val now = s.open!!
        assertNotEquals("reloaded as it is now", shown.heads, now.heads)
        assertEquals(480.0, now.assessment.total.kg, 1e-9)
        assertEquals("the comment is kept", "Well documented", s.comment)
        assertNull(s.notice)
        val stored = esi.get(id)
        assertTrue("a stale approval writes nothing", stored.reviews.isEmpty())
        assertEquals(ReviewState.AWAITING_REVIEW, stored.reviewState)
        assertEquals(0uL, esi.refreshSyncStatus().unsyncedInspections)

        // The repository never swaps in fresh heads either.
        try {
            esi.returnInspection(id, shown.heads, "Weigh again")
            fail("a return of an overtaken version was recorded")
        } catch (e: ApiException.Stale) {
            assertEquals(Recovery.READ_AGAIN, Problems.of(e).recovery)
        }
        assertTrue(esi.get(id).reviews.isEmpty())

        // Having read it again, esi approves what she now sees.
        assertTrue(queue.state.value.canApprove)
        assertTrue(queue.approve())
        assertNull(queue.state.value.message)
        val review = esi.get(id).reviews.single()
        assertEquals(Decision.APPROVED, review.decision)
        assertEquals(now.heads, review.reviewedHeads)
        assertEquals(ReviewState.APPROVED, esi.get(id).reviewState)
    }

    /**
     * Ama changes an inspection after submitting it: it reads "changed since submission", sits in
     * esi's queue, and cannot be approved (only returned) until ama submits again.
     */
    @Test
    fun aChangeAfterSubmissionCannotBeApprovedUntilSubmittedAgain() = runBlocking {
        val (editor, _) = record("TGHU8765436")
        val id = editor.inspectionId!!
        assertTrue(editor.submit())
        assertTrue(editor.state.value.view!!.submissionCoversShown)
        assertTrue(editor.addCustody(CustodyForm(mapOf("from" to "ama", "to" to "Kwame Mensah (warehouse)"))))

        val changed = editor.state.value
        assertEquals(ReviewState.CHANGED_SINCE_SUBMISSION, changed.view!!.reviewState)
        assertEquals(ReviewState.CHANGED_SINCE_SUBMISSION, changed.review)
        assertEquals(true, changed.view.submissionVerified)
        assertFalse(changed.view.submissionCoversShown)
        assertEquals("Changed since submission", XmlLocalizer.en.render(changed.reviewNotice!!.title))
        assertTrue(changed.reviewNotice!!.attention)
        assertTrue("the officer can submit again", changed.canSubmit && changed.isResubmission)
        ama.sync()

        val queue = ReviewQueueModel(esi)
        assertTrue(queue.syncAndLoad())
        assertEquals(ReviewState.CHANGED_SINCE_SUBMISSION, queue.state.value.rows.single { it.summary.id == id }.review)
        assertTrue(queue.open(id))
        val shown = queue.state.value.open!!
        assertTrue("it can be returned", queue.state.value.canDecide)
        assertFalse("it cannot be approved", queue.state.value.canApprove)
        assertFalse(queue.approve())
        assertTrue(queue.state.value.message!!.code != null)
        try {
            esi.approve(id, shown.heads, "")
            fail("approved a version the officer did not sign")
        } catch (e: ApiException.Invalid) {
            assertEquals(org.quayside.core.ErrorCode.INVALID, Problems.of(e).code)
        }
        assertTrue("a refused approval writes nothing", esi.get(id).reviews.isEmpty())

        // Ama submits again: her signature covers the change, and esi can approve it.
        assertTrue(editor.submit())
        assertEquals(ReviewState.AWAITING_REVIEW, editor.state.value.view!!.reviewState)
        assertTrue(editor.state.value.view!!.submissionCoversShown)
        ama.sync()
        assertTrue(queue.syncAndLoad())
        assertTrue(queue.open(id))
        assertTrue(queue.state.value.canApprove)
        assertTrue(queue.approve())
        assertEquals(ReviewState.APPROVED, esi.get(id).reviewState)
    }

    /**
     * Ama re-weighs a finding while kofi removes it, both offline; after syncing, both phones show
     * the removal with ama's unseen edit, and ama restores it, edit included, in one step.
     */
    @Test
    fun aRemovalThatCrossedAnEditRestoresInOneStep() = runBlocking {
        val (editor, findingId) = record("CSQU3054383")
        val id = editor.inspectionId!!
        ama.sync()
        kofi.sync()
        assertEquals(1, kofi.get(id).inspection.findings.size)

        reweigh(editor, findingId, "555")
        kofi.removeFinding(id, findingId)
        kofi.sync()
        ama.sync()
        kofi.sync()

        assertTrue(editor.refresh())
        val state = editor.state.value
        assertTrue("the removal holds until someone decides", state.view!!.inspection.findings.isEmpty())
        val notice = state.conflicts.single()
        assertTrue(notice.removedWhileEdited)
        assertEquals(ElementList.FINDINGS, notice.conflict.list)
        assertEquals(findingId, notice.conflict.elementId)
        assertEquals("Finding removed by kofi while ama edited it", XmlLocalizer.en.render(notice.title))
        assertEquals("Temuan dihapus oleh kofi saat ama mengubahnya", XmlLocalizer.id.render(notice.title))
        assertEquals("Pulihkan mengembalikannya beserta semua suntingan; Konfirmasi penghapusan membuatnya tetap terhapus. Apa pun pilihannya, isinya tetap tercatat dalam riwayat.", XmlLocalizer.id.render(notice.hint))
        val lines = notice.lines.map(XmlLocalizer.en::render)
        assertTrue(lines.toString(), lines.first().startsWith("Removed \u00b7 kofi"))
        assertTrue(lines.toString(), lines.any { it.startsWith("net_mass_kg = 555 \u00b7 ama") })
        assertTrue(XmlLocalizer.id.render(notice.lines.first()).startsWith("Dihapus \u00b7 kofi"))
        assertTrue(RowMarker.CONFLICT in rowsFor(ama.list(), null).single { it.summary.id == id }.markers)
        assertEquals("kofi's phone shows the same", state.view.conflicts, kofi.get(id).conflicts)

        assertTrue(editor.restore(notice.conflict))
        val restored = editor.state.value.view!!
        assertTrue(restored.conflicts.isEmpty())
        assertEquals(555.0, restored.inspection.findings.single().netMassKg!!, 1e-9)
        assertEquals(555.0, restored.assessment.total.kg, 1e-9)
        ama.sync()
        kofi.sync()
        val there = kofi.get(id)
        assertTrue(there.conflicts.isEmpty())
        assertEquals(555.0, there.inspection.findings.single().netMassKg!!, 1e-9)
    }

    /** Both officers rewrite the notes offline: both versions stay whole; keeping one settles it everywhere. */
    @Test
    fun concurrentNotesStayWholeAndOneIsKept() = runBlocking {
        val (editor, _) = record("MSKU9070323")
        val id = editor.inspectionId!!
        ama.sync()
        kofi.sync()
        editor.edit(editor.state.value.form.with("notes" to "cylinders are R-22"))
        assertTrue(editor.save())
        kofi.update(id, org.quayside.core.InspectionFields(notes = "labels read R-134a"), emptyList())
        kofi.sync()
        ama.sync()

        assertTrue(editor.refresh())
        val notes = editor.state.value.view!!.inspection.notes
        assertTrue("not interleaved: $notes", notes == "cylinders are R-22" || notes == "labels read R-134a")
        val notice = editor.state.value.conflicts.single()
        assertFalse(notice.removedWhileEdited)
        assertEquals(setOf("cylinders are R-22", "labels read R-134a"), notice.notesVersions.toSet())
        assertEquals("Diubah di dua perangkat: notes", XmlLocalizer.id.render(notice.title))
        assertEquals("Keep one version, or write the notes again.", XmlLocalizer.en.render(notice.hint))
        assertTrue(XmlLocalizer.id.render(notice.summary).contains("\u201d (ditampilkan) \u00b7 "))

        assertTrue(editor.keepNotes("labels read R-134a"))
        assertTrue(editor.state.value.view!!.conflicts.isEmpty())
        assertEquals("labels read R-134a", editor.state.value.form["notes"])
        ama.sync()
        kofi.sync()
        assertTrue(kofi.get(id).conflicts.isEmpty())
        assertEquals("labels read R-134a", kofi.get(id).inspection.notes)
    }
}
