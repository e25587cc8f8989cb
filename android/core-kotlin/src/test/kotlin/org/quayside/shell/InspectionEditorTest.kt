package org.quayside.shell

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
import org.quayside.core.MessageKey
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
        editor.edit(InspectionForm(mapOf("container" to "csqu 3054383", "seals" to "ML-448812", "hs_code" to "3827.64", "description" to "R-134a in cylinders", "quantity_kg" to "15 500")))
        assertTrue(editor.save())
        val findingId = editor.addFinding(
            FindingForm(mapOf("declared" to "R-134a", "identified" to "R-22", "purity_pct" to "99,1", "cylinders" to "1139", "kg_per_cylinder" to "13,6", "cylinder_type" to "disposable")),
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
        assertEquals("CSQU3054383", s.form["container"])
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
        editor.edit(InspectionForm(mapOf("container" to "CSQU3054384")))
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
        assertEquals(null, editor.addFinding(FindingForm(mapOf("identified" to "R-999", "net_mass_kg" to "10"))))
        val unknown = editor.state.value.message!!
        assertEquals(Recovery.PICK_SUBSTANCE, unknown.recovery)
        val unknownShown = XmlLocalizer.en.render(unknown.message)
        assertTrue(unknownShown, unknownShown.contains("R-999"))

        assertEquals(null, editor.addFinding(FindingForm(mapOf("identified" to "R-22", "cylinders" to "twelve"))))
        assertEquals(Recovery.FIX_INPUT, editor.state.value.message!!.recovery)
        assertEquals("twelve is not a whole number.", XmlLocalizer.en.render(editor.state.value.message!!.message))
        assertEquals("field_cylinders", editor.state.value.message!!.field)
        assertEquals(1, repo.get(editor.inspectionId!!).inspection.findings.size)
        editor.dismissMessage()
        assertNull(editor.state.value.message)
    }

    /** Camera photo, seizure, custody and submission through the editor; the photo kept in the inbox is gone once attached. */
    @Test
    fun photoSeizureCustodyAndSubmit() = runBlocking {
        val editor = InspectionEditorModel(repo)
        val findingId = recordR22(editor)
        assertTrue(editor.addPhoto(TestSupport.jpeg(), " relabelled cylinder ", findingId))
        assertTrue("nothing is left in the inbox", repo.recoverPhotos().isEmpty())
        val photo = editor.state.value.view!!.inspection.photos.single()
        assertEquals("relabelled cylinder", photo.caption)
        assertEquals("image/jpeg", photo.mime)

        val opened = editor.openSeizure()
        assertEquals("one blank item row per finding", listOf(findingId), opened.form.itemIds)
        assertEquals("", opened.form["item.$findingId.kg"])
        val seizure = opened.form.with("action" to SeizureAction.SEIZED.formValue, "case_ref" to "GRA-0412", "item.$findingId.cylinders" to "1139")
            .withModusOperandi(setOf(ModusOperandi.MISLABELLED, ModusOperandi.DISPOSABLE_CYLINDERS))
        assertEquals("seized", seizure["action"])
        assertEquals("mislabelled,disposable-cylinders", seizure["modus_operandi"])
        // Cylinders without a quantity are refused by the core, on the item's kg field.
        assertFalse(editor.setSeizure(seizure, opened.basedOn))
        assertEquals("field_seized_quantity", editor.state.value.message!!.field)
        assertEquals(MessageKey.RULE_SEIZED_QUANTITY_NEEDED, (editor.state.value.message!!.message as Text.Core).message.key)
        assertTrue(editor.setSeizure(seizure.with("item.$findingId.kg" to "15490,4"), opened.basedOn))
        assertEquals(15490.4, editor.state.value.view!!.assessment.seized.kg, 1e-9)
        val stored = SeizureForm.from(editor.state.value.view!!.inspection)
        assertEquals(SeizureAction.SEIZED, stored.action)
        assertEquals(setOf(ModusOperandi.MISLABELLED, ModusOperandi.DISPOSABLE_CYLINDERS), stored.modusOperandi)
        assertFalse(editor.addCustody(CustodyForm(mapOf("from" to "ama"))))
        assertEquals(Recovery.FIX_INPUT, editor.state.value.message!!.recovery)
        assertEquals("field_custody_to", editor.state.value.message!!.field)
        assertEquals(MessageKey.RULE_CUSTODY_PARTIES, (editor.state.value.message!!.message as Text.Core).message.key)
        assertTrue(editor.addCustody(CustodyForm(mapOf("from" to "ama", "to" to "Kwame Mensah (warehouse)", "location" to "Tema bonded warehouse 3"))))

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

    /**
     * Every form filled by the core from the stored record and saved untouched with the view's heads
     * changes nothing, in either locale; a draft is the form's own map and comes back as typed.
     */
    @Test
    fun formsFilledFromTheRecordAndSavedUntouchedChangeNothing() = runBlocking {
        for (sep in listOf(".", ",")) {
            val editor = InspectionEditorModel(repo, Numbers(sep))
            editor.edit(InspectionForm(mapOf("container" to "CSQU3054383", "seals" to "GH123, GH124", "quantity_kg" to "1 234${sep}5", "transit" to "MYPKG; SGSIN")))
            assertTrue(editor.save(org.quayside.core.GeoPoint(lat = 5.6364, lon = -0.0167, accuracyM = 12.0)))
            assertEquals(1234.5, editor.state.value.view!!.inspection.declaration.quantityKg!!, 1e-9)
            assertEquals(-0.0167, editor.state.value.view!!.inspection.location!!.lon, 0.0)
            val finding = editor.openFinding(null).form.with("declared" to "R-134a", "purity_pct" to "98${sep}5", "cylinders" to "1139", "kg_per_cylinder" to "13${sep}6")
                .withComposition(listOf(ComponentForm("R-22", "60${sep}5"), ComponentForm("R-134a", "39${sep}5")))
            val fid = editor.addFinding(finding)!!
            val opened = editor.openSeizure()
            assertTrue(editor.setSeizure(opened.form.with("action" to "seized", "item.$fid.kg" to "15490${sep}4", "item.$fid.cylinders" to "1139"), opened.basedOn))
            assertTrue(editor.addCustody(CustodyForm(mapOf("from" to "ama", "to" to "bonded store"))))
            val view = editor.state.value.view!!
            val record = view.inspection
            assertEquals("98${sep}5", FindingForm.from(record.findings.single(), Numbers(sep))["purity_pct"])
            assertEquals("15490${sep}4", SeizureForm.from(record, Numbers(sep))["item.$fid.kg"])

            assertEquals("$sep: header", view.heads, repo.update(record.id, InspectionForm.from(record, Numbers(sep)).toFields(Numbers(sep)), view.heads).heads)
            assertEquals("$sep: finding", view.heads, repo.updateFinding(record.id, fid, FindingForm.from(record.findings.single(), Numbers(sep)).toFields(Numbers(sep)), view.heads).heads)
            assertEquals("$sep: seizure", view.heads, repo.setSeizure(record.id, SeizureForm.from(record, Numbers(sep)).toFields(Numbers(sep)), view.heads).heads)
            val entry = record.seizure!!.custody.single()
            assertEquals("$sep: custody", view.heads, repo.correctCustody(record.id, entry.id, CustodyForm.from(entry).toFields(), view.heads).heads)
            // Through the editor too: the sub-forms open from the record, and saving them untouched changes nothing.
            val seizure = editor.openSeizure()
            assertTrue(editor.setSeizure(seizure.form, seizure.basedOn))
            val custody = editor.openCustody(entry.id)
            assertEquals(entry.at, custody.form["at"])
            assertTrue(editor.correctCustody(entry.id, custody.form, custody.basedOn))
            assertTrue(editor.save())
            assertEquals("$sep: through the editor", view.heads, editor.state.value.view!!.heads)

            // A draft is the form's map: kept as typed, it comes back equal.
            val typed = editor.openFinding(fid).let { it.copy(form = it.form.with("notes" to "valve sheared").withComposition(listOf(ComponentForm("R-22", "100")))) }
            editor.editFinding(fid, typed.form, typed.basedOn)
            editor.flushDrafts()
            val restored = editor.openFinding(fid)
            assertTrue(restored.restored)
            assertEquals(typed.form, restored.form)
            assertEquals(view.heads, restored.basedOn)
            assertEquals(listOf(ComponentForm("R-22", "100")), restored.form.composition)
        }
    }

    /** A photo caption and a hand-over are corrected, then both removed; an entry without an id is explained, not sent. */
    @Test
    fun photosAndCustodyEntriesAreCorrectedAndRemoved() = runBlocking {
        val editor = InspectionEditorModel(repo)
        val findingId = recordR22(editor)
        val id = editor.inspectionId!!
        assertTrue(editor.addPhoto(TestSupport.jpeg(seed = 3), "door", findingId))
        val sha = editor.state.value.view!!.inspection.photos.single().sha256
        assertEquals("relabelled cylinder", repo.updatePhoto(id, sha, PhotoEdit(caption = "relabelled cylinder"), editor.state.value.view!!.heads).inspection.photos.single().caption)
        assertTrue(editor.addCustody(CustodyForm(mapOf("from" to "ama", "to" to "Kwame Mensah"))))
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
        other.edit(InspectionForm(mapOf("container" to "MSCU1234566")))
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
        assertEquals("CSQU3054383 \u00b7 HCFC-22, HFC-134a \u00b7 15.49 t \u00b7 0.852 ODP-t \u00b7 28038 t CO2-eq", XmlLocalizer.en.render(r22.headline))
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
        assertEquals("ODP 0.055 \u00b7 GWP 1810 \u00b7 HS 2903.71", XmlLocalizer.en.render(r22.facts))
        val blends = SubstancePicker.search("R-404A")
        assertEquals("R-404A", blends.first().name)
        assertTrue(blends.first().record.isBlend)
        assertTrue(SubstancePicker.search("").size >= 20)
        assertTrue(SubstancePicker.search("zzzz-no-such").isEmpty())
        assertTrue("HS codes are not substances", SubstancePicker.search("3827.61").none { it.record.hsCode == "" })
    }
}
