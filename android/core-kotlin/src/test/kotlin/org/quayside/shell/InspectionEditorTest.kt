package org.quayside.shell

import java.io.File
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import org.quayside.core.FlagKind
import org.quayside.core.ReviewState
import org.quayside.core.CustodyFields
import org.quayside.core.CylinderType
import org.quayside.core.ModusOperandi
import org.quayside.core.PhotoEdit
import org.quayside.core.SeizureAction

/** The editor, list and review state holders over a real store, as the Compose screens drive them. */
class InspectionEditorTest {
    private var localChanges = 0
    private val repo = InspectionRepository(TestSupport.newStore(), onSchedule = { localChanges++ })
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    /** Stops the list's collector and frees the store. */
    @After
    fun close() {
        scope.cancel()
        repo.close()
    }

    private suspend fun recordR22(editor: InspectionEditorModel): String {
        editor.edit(InspectionForm(containerNumber = "csqu 3054383", seals = "ML-448812", declaredHsCode = "3827.64", declaredDescription = "R-134a in cylinders", declaredQuantityKg = "15 500"))
        assertTrue(editor.save())
        val findingId = editor.addFinding(
            FindingForm(declaredSubstance = "R-134a", identifiedSubstance = "R-22", purityPct = "99,1", cylinders = "1139", kgPerCylinder = "13,6", cylinderType = CylinderType.DISPOSABLE),
        )
        return findingId!!
    }

    /** An officer records an inspection through the editor; figures, normalised fields and a sync request follow. */
    @Test
    fun editorRecordsAnInspectionAndAsksForSync() = runBlocking {
        val editor = InspectionEditorModel(repo)
        val findingId = recordR22(editor)
        val s = editor.state.value
        assertNull(s.message)
        val v = s.view!!
        assertEquals("CSQU3054383", v.inspection.container.number)
        assertEquals("CSQU3054383", s.form.containerNumber)
        assertEquals(15500.0, v.inspection.declaration.quantityKg!!, 0.0)
        val finding = v.inspection.findings.single()
        assertEquals(findingId, finding.id)
        assertEquals(15490.4, finding.netMassKg!!, 1e-9)
        assertEquals(99.1, finding.identifierReading!!.purityPct!!, 1e-9)
        assertEquals("0.852", Figures.fmt(v.assessment.total.odpTonnes, 3))
        assertEquals("28038", Figures.fmt(v.assessment.total.co2eTonnes, 0))
        assertEquals(2, localChanges)
        assertEquals(1uL, repo.syncStatus.value!!.unsyncedInspections)

        // Saving the unchanged form adds no change to the record.
        val before = repo.history(editor.inspectionId!!).size
        assertTrue(editor.save())
        assertEquals(before, repo.history(editor.inspectionId!!).size)
    }

    /** A wrong check digit is explained with the expected digit; confirming records it with a flag. */
    @Test
    fun wrongCheckDigitAsksForConfirmation() = runBlocking {
        val editor = InspectionEditorModel(repo)
        editor.edit(InspectionForm(containerNumber = "CSQU3054384"))
        assertFalse(editor.save())
        val msg = editor.state.value.message!!
        assertEquals(Recovery.CONFIRM_CHECK_DIGIT, msg.recovery)
        assertEquals(3, msg.expectedCheckDigit)
        val shown = XmlLocalizer.en.render(msg.message)
        assertTrue(shown, shown.contains("expected 3"))
        assertNull(editor.state.value.view)
        assertTrue(repo.list().isEmpty())
        assertEquals(0, localChanges)

        assertTrue(editor.confirmCheckDigit())
        assertNull(editor.state.value.message)
        assertTrue(editor.state.value.view!!.assessment.flags.any { it.kind == FlagKind.INVALID_CHECK_DIGIT })
    }

    /** Typing an unknown substance or a bad number explains what to do and changes nothing. */
    @Test
    fun badFindingInputIsExplained() = runBlocking {
        val editor = InspectionEditorModel(repo)
        recordR22(editor)
        assertEquals(null, editor.addFinding(FindingForm(identifiedSubstance = "R-999", netMassKg = "10")))
        val unknown = editor.state.value.message!!
        assertEquals(Recovery.PICK_SUBSTANCE, unknown.recovery)
        val unknownShown = XmlLocalizer.en.render(unknown.message)
        assertTrue(unknownShown, unknownShown.contains("R-999"))

        assertEquals(null, editor.addFinding(FindingForm(identifiedSubstance = "R-22", cylinders = "twelve")))
        assertEquals(Recovery.FIX_INPUT, editor.state.value.message!!.recovery)
        assertEquals("twelve is not a whole number.", XmlLocalizer.en.render(editor.state.value.message!!.message))
        assertEquals("field_cylinders", editor.state.value.message!!.field)
        assertEquals(1, repo.get(editor.inspectionId!!).inspection.findings.size)
        editor.dismissMessage()
        assertNull(editor.state.value.message)
    }

    /** Camera photo, seizure, custody and submission through the editor; the camera's temp file is removed. */
    @Test
    fun photoSeizureCustodyAndSubmit() = runBlocking {
        val editor = InspectionEditorModel(repo)
        val findingId = recordR22(editor)
        val shot = editor.newPhotoFile()!!.apply { writeBytes(TestSupport.jpeg()) }
        assertTrue(editor.addPhoto(shot, " relabelled cylinder ", findingId, null))
        assertFalse("the store keeps its own copy", shot.exists())
        val photo = editor.state.value.view!!.inspection.photos.single()
        assertEquals("relabelled cylinder", photo.caption)
        assertEquals("image/jpeg", photo.mime)

        val seizure = SeizureForm.from(null, editor.state.value.view!!.inspection.findings).let { form ->
            form.copy(
                action = SeizureAction.SEIZED,
                caseRef = "GRA-0412",
                modusOperandi = setOf(ModusOperandi.MISLABELLED, ModusOperandi.DISPOSABLE_CYLINDERS),
                items = form.items.map { it.copy(quantityKg = "15490,4", cylinders = "1139") },
            )
        }
        assertTrue(editor.setSeizure(seizure))
        assertEquals(15490.4, editor.state.value.view!!.assessment.seized.kg, 1e-9)
        assertFalse(editor.addCustody(CustodyForm(from = "ama")))
        assertEquals(Recovery.FIX_INPUT, editor.state.value.message!!.recovery)
        assertTrue(editor.addCustody(CustodyForm(from = "ama", to = "Kwame Mensah (warehouse)", location = "Tema bonded warehouse 3")))

        assertTrue(editor.state.value.canSubmit)
        assertEquals(ReviewState.DRAFT, editor.state.value.review)
        assertNull("a draft has no review banner", editor.state.value.reviewNotice)
        assertTrue(editor.submit())
        val submitted = editor.state.value
        assertFalse(submitted.canSubmit)
        assertEquals(ReviewState.AWAITING_REVIEW, submitted.review)
        assertEquals(true, submitted.view!!.submissionVerified)
        assertEquals("Awaiting review", XmlLocalizer.en.render(submitted.reviewNotice!!.title))
        assertFalse(submitted.reviewNotice!!.attention)
        assertTrue(editor.loadHistory())
        assertTrue(editor.state.value.history.last().summary.startsWith("submitted for review"))

        // Submitting twice is refused with a message, not a crash.
        assertFalse(editor.submit())
        assertEquals(org.quayside.core.ErrorCode.INVALID, editor.state.value.message!!.code)

        // The core's queue lists submitted inspections awaiting a decision, with their badge.
        val queue = ReviewQueueModel(repo).load()
        assertEquals(listOf("CSQU3054383"), queue.map { it.summary.containerNumber })
        assertEquals(ReviewState.AWAITING_REVIEW, queue.single().review)
        assertTrue("never synced", RowMarker.NOT_SYNCED in queue.single().markers)
    }

    /** A photo caption and a hand-over are corrected, then both removed; an entry without an id is explained, not sent. */
    @Test
    fun photosAndCustodyEntriesAreCorrectedAndRemoved() = runBlocking {
        val editor = InspectionEditorModel(repo)
        val findingId = recordR22(editor)
        val id = editor.inspectionId!!
        val shot = editor.newPhotoFile()!!.apply { writeBytes(TestSupport.jpeg(seed = 3)) }
        assertTrue(editor.addPhoto(shot, "door", findingId, null))
        val sha = editor.state.value.view!!.inspection.photos.single().sha256
        assertEquals("relabelled cylinder", repo.updatePhoto(id, sha, PhotoEdit(caption = "relabelled cylinder"), editor.state.value.view!!.heads).inspection.photos.single().caption)
        assertTrue(editor.addCustody(CustodyForm(from = "ama", to = "Kwame Mensah")))
        val entry = editor.state.value.view!!.inspection.seizure!!.custody.single()
        assertTrue(entry.id, entry.id.startsWith("c-"))
        val corrected = repo.correctCustody(id, entry.id, CustodyFields(from = "ama", to = "Kwame Mensah (warehouse)", location = null, note = null, at = null), emptyList())
        assertEquals("Kwame Mensah (warehouse)", corrected.inspection.seizure!!.custody.single().to)
        assertTrue(editor.refresh())

        assertTrue(editor.removePhoto(sha))
        assertTrue(editor.state.value.view!!.inspection.photos.isEmpty())
        assertTrue(editor.removeCustody(entry.id))
        assertTrue(editor.state.value.view!!.inspection.seizure?.custody.orEmpty().isEmpty())
        assertTrue("removals on one phone are no conflict", editor.state.value.conflicts.isEmpty())
        assertTrue(repo.history(id).size >= 6)

        assertFalse(editor.removeCustody(""))
        assertEquals(Recovery.FIX_INPUT, editor.state.value.message!!.recovery)
    }

    /** The list follows edits, marks flagged rows, searches by substance or container, and shows what is unsynced. */
    @Test
    fun listFollowsEditsAndSearches() = runBlocking {
        val list = InspectionListModel(repo, scope)
        list.start()
        withTimeout(10_000) { list.state.first { !it.loading } }
        assertTrue(list.state.value.rows.isEmpty())

        val editor = InspectionEditorModel(repo)
        recordR22(editor)
        val other = InspectionEditorModel(repo)
        other.edit(InspectionForm(containerNumber = "MSCU1234566"))
        assertTrue(other.save())

        // Rows and the pending-sync count refresh separately: wait until both show the two.
        val both = withTimeout(10_000) {
            list.state.first { it.rows.size == 2 && it.pending != null }
        }
        assertEquals(listOf("MSCU1234566", "CSQU3054383"), both.rows.map { it.summary.containerNumber })
        val r22 = both.rows.last()
        assertTrue(RowMarker.FLAGGED in r22.markers)
        assertFalse(RowMarker.CONFLICT in r22.markers)
        assertTrue("each row says it is not on the server yet", both.rows.all { it.pendingSync && RowMarker.NOT_SYNCED in it.markers })
        assertTrue(both.rows.all { it.review == ReviewState.DRAFT })
        assertEquals("CSQU3054383 \u00b7 HCFC-22, HFC-134a \u00b7 15.49 t \u00b7 0.852 ODP-t \u00b7 28038 t CO2-eq", r22.headline)
        assertEquals("Not enrolled: nothing is sent until this device is enrolled.", XmlLocalizer.en.render(both.pending!!))

        list.search("chlorodifluoromethane")
        assertEquals(listOf("CSQU3054383"), withTimeout(10_000) { list.state.first { it.rows.size == 1 } }.rows.map { it.summary.containerNumber })
        list.search("mscu 123")
        assertEquals(listOf("MSCU1234566"), withTimeout(10_000) { list.state.first { it.rows.singleOrNull()?.summary?.containerNumber == "MSCU1234566" } }.rows.map { it.summary.containerNumber })
    }

    /** The substance picker searches the shipped reference by any name and offers officers' names. */
    @Test
    fun substancePickerOffersReferenceSubstances() {
        val r22 = SubstancePicker.search("R-22").first()
        assertTrue(SubstancePicker.search("chlorodifluoromethane").any { it.name == "R-22" })
        assertEquals("R-22", r22.name)
        assertEquals("R-22 \u00b7 HCFC-22 \u00b7 chlorodifluoromethane", r22.label)
        assertEquals("ODP 0.055 \u00b7 GWP 1810 \u00b7 HS 2903.71", r22.facts)
        val blends = SubstancePicker.search("R-404A")
        assertEquals("R-404A", blends.first().name)
        assertTrue(blends.first().record.isBlend)
        assertTrue(SubstancePicker.search("").size >= 20)
        assertTrue(SubstancePicker.search("zzzz-no-such").isEmpty())
        assertTrue("HS codes are not substances", SubstancePicker.search("3827.61").none { it.record.hsCode == "" })
    }
}
