package org.quayside.shell

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.quayside.core.ComponentShare
import org.quayside.core.ConflictKind
import org.quayside.core.ConflictRecord
import org.quayside.core.ConflictValueRecord
import org.quayside.core.CylinderType
import org.quayside.core.ElementList
import org.quayside.core.ErrorCode
import org.quayside.core.MessageKey
import org.quayside.core.ReviewState
import org.quayside.core.SeizureAction
import org.quayside.core.SyncPhase
import org.quayside.core.SyncProgressRecord
import org.quayside.core.UserMessage

/** Form parsing, problems and sync texts: the shell's plain logic, no store needed. */
class ShellLogicTest {
    private val en = XmlLocalizer.en

    private fun expectInput(block: () -> Unit): InputException = try {
        block()
        fail("accepted")
        error("unreachable")
    } catch (e: InputException) {
        e
    }

    /** What the core refused, as the officer is shown it. */
    private fun refused(block: () -> Unit): Problem = try {
        block()
        fail("accepted")
        error("unreachable")
    } catch (e: org.quayside.core.ApiException) {
        Problems.of(e)
    }

    private val Problem.key: MessageKey get() = (message as Text.Core).message.key

    /** Quantities are read by the core with the device's decimal separator; blanks mean "not given"; counts are whole. */
    @Test
    fun quantitiesAreParsedByTheCore() {
        fun declared(kg: String, sep: String) = InspectionForm(mapOf("container" to "CSQU3054383", "quantity_kg" to kg)).toFields(Numbers(sep)).declaration!!.quantityKg
        assertEquals(15490.4, declared("15 490,4", ",")!!, 0.0)
        assertEquals(15500.0, declared("15,500.0", ".")!!, 0.0)
        assertEquals("1,234 is 1234 where the decimal separator is a point", 1234.0, declared("1,234", ".")!!, 0.0)
        assertEquals("and 1.234 where it is a comma", 1.234, declared("1,234", ",")!!, 0.0)
        assertNull(declared("  ", "."))
        val negative = refused { declared("-3", ".") }
        assertEquals("field_declared_quantity", negative.field)
        assertEquals(MessageKey.QUANTITY_NEGATIVE, negative.key)
        assertEquals("A quantity cannot be negative.", en.render(negative.message))
        assertEquals(MessageKey.QUANTITY_NOT_A_NUMBER, refused { declared("abc", ".") }.key)
        assertEquals(MessageKey.QUANTITY_TOO_LARGE, refused { declared("2000000000", ".") }.key)
        assertEquals(1139u, FindingForm(mapOf("cylinders" to "1 139")).toFields(Numbers(",")).cylinders)
        assertEquals("a count reads the same with either separator", 1139u, FindingForm(mapOf("cylinders" to "1,139")).toFields(Numbers(",")).cylinders)
        val half = refused { SeizureForm(mapOf("item.f-1.kg" to "10", "item.f-1.cylinders" to "2,5")).toFields(Numbers(",")) }
        assertEquals("field_seized_cylinders", half.field)
        assertEquals(MessageKey.COUNT_NOT_WHOLE, half.key)
        assertEquals("2,5 is not a whole number.", en.render(half.message))
        assertEquals("15490,4", Numbers(",").format(15490.4))
        assertEquals("15490.4", Numbers(".").format(15490.4))
        assertEquals("", Numbers().format(null))
    }

    /** The net mass is cylinders x kg per cylinder unless typed; a finding with no substance is the core's to flag; every field is sent. */
    @Test
    fun findingFormSendsEveryField() {
        assertEquals(15490.4, FindingForm(mapOf("cylinders" to "1139", "kg_per_cylinder" to "13.6")).netMass()!!, 0.0)
        assertEquals(15490.4, FindingForm(mapOf("cylinders" to "1139", "kg_per_cylinder" to "13,6")).netMass(Numbers(","))!!, 0.0)
        assertEquals(200.0, FindingForm(mapOf("cylinders" to "1139", "kg_per_cylinder" to "13.6", "net_mass_kg" to "200")).netMass()!!, 0.0)
        assertNull(FindingForm(mapOf("cylinders" to "1139")).netMass())
        assertNull(FindingForm(mapOf("kg_per_cylinder" to "13.6")).netMass())
        // A refusal names the field it comes from.
        assertEquals("field_net_mass", refused { FindingForm(mapOf("cylinders" to "x", "net_mass_kg" to "-1")).netMass() }.field)
        val cylinders = refused { FindingForm(mapOf("cylinders" to "12.5", "kg_per_cylinder" to "13.6")).netMass() }
        assertEquals("field_cylinders", cylinders.field)
        assertEquals(MessageKey.COUNT_NOT_WHOLE, cylinders.key)
        assertEquals("field_kg_per_cylinder", refused { FindingForm(mapOf("cylinders" to "12", "kg_per_cylinder" to "-1")).netMass() }.field)
        assertEquals("field_cylinders", refused { FindingForm(mapOf("identified" to "R-22", "cylinders" to "many")).toFields() }.field)
        val fields = FindingForm(mapOf("identified" to " R-22 ", "cylinders" to "10", "kg_per_cylinder" to "13.6")).toFields()
        assertEquals("R-22", fields.identifiedSubstance)
        assertEquals(136.0, fields.netMassKg!!, 0.0)
        assertEquals("a substance is not required: the core flags a finding without one", 3u, FindingForm(mapOf("cylinders" to "3")).toFields().cylinders)
        // The core's rules, each on its field with its key, rendered in either language.
        val purity = refused { FindingForm(mapOf("identified" to "R-22", "purity_pct" to "140")).toFields() }
        assertEquals("field_purity", purity.field)
        assertEquals(MessageKey.RULE_PERCENT_RANGE, purity.key)
        assertEquals(Recovery.FIX_INPUT, purity.recovery)
        assertEquals("A percentage is between 0 and 100.", en.render(purity.message))
        assertEquals("Persentase harus antara 0 dan 100.", XmlLocalizer.id.render(purity.message))
        val content = refused { FindingForm(mapOf("content_pct" to "100,5")).toFields(Numbers(",")) }
        assertEquals("field_content" to MessageKey.RULE_PERCENT_RANGE, content.field to content.key)
        val twice = refused { FindingForm(mapOf("identified" to "R-22", "identified_other" to "Zeotrope ZX-9")).toFields() }
        assertEquals("field_identified_other" to MessageKey.RULE_IDENTIFIED_TWICE, twice.field to twice.key)
        assertEquals("field_net_mass", refused { FindingForm(mapOf("identified" to "R-22", "net_mass_kg" to "-1")).toFields() }.field)
        assertEquals("field_composition", refused { FindingForm().withComposition(listOf(ComponentForm("R-22", "60"))).toFields() }.field)
        val comma = FindingForm(mapOf("identified" to "R-22", "purity_pct" to "99,5", "cylinder_type" to CylinderType.DISPOSABLE.formValue)).toFields(Numbers(","))
        assertEquals(99.5, comma.purityPct!!, 0.0)
        assertEquals(CylinderType.DISPOSABLE, comma.cylinderType)
        assertNull(comma.contentPct)
        assertNull("no rows leave the composition", comma.composition)
        assertEquals("no rows typed clear it", emptyList<ComponentShare>(), FindingForm().withComposition(emptyList()).toFields().composition)
    }

    /**
     * The measured composition is read and checked by the core, row by row: its refusals are the
     * core's messages (rendered from their keys in either language) on the composition field.
     */
    @Test
    fun compositionRefusalsComeFromTheCore() {
        fun refusal(vararg rows: ComponentForm, numbers: Numbers = Numbers()) =
            refused { FindingForm().withComposition(rows.toList()).compositionShares(numbers) }

        val total = refusal(ComponentForm("R-22", "60"), ComponentForm("R-290", "30"))
        assertEquals("field_composition", total.field)
        assertEquals(MessageKey.COMPOSITION_TOTAL, total.key)
        assertEquals(listOf("90"), (total.message as Text.Core).message.args)
        assertEquals("Jumlah komposisi 90 %, bukan 100 % (sebut sisanya \"unknown\").", XmlLocalizer.id.render(total.message))
        assertEquals("The composition adds up to 90 %, not 100 % (name the rest \"unknown\").", en.render(total.message))
        assertEquals(Recovery.FIX_INPUT, total.recovery)

        assertEquals(MessageKey.COMPOSITION_UNNAMED, refusal(ComponentForm("", "40"), ComponentForm("R-22", "60")).key)
        assertEquals(MessageKey.COMPOSITION_SHARE_MISSING, refusal(ComponentForm("R-22", " ")).key)
        assertEquals(MessageKey.COMPOSITION_SHARE_RANGE, refusal(ComponentForm("R-22", "0"), ComponentForm("air", "100")).key)
        assertEquals(MessageKey.COMPOSITION_TWICE, refusal(ComponentForm("R-22", "50"), ComponentForm("HCFC-22", "50")).key)
        assertEquals(MessageKey.QUANTITY_NOT_A_NUMBER, refusal(ComponentForm("R-22", "lots")).key)
        val unknown = refusal(ComponentForm("R-9999", "100"))
        assertEquals(MessageKey.ERROR_UNKNOWN_SUBSTANCE, unknown.key)
        assertEquals("an unknown component offers the picker", Recovery.PICK_SUBSTANCE, unknown.recovery)

        // Blank rows are skipped; shares read with the device's separator, within half a point of 100 %.
        val rows = listOf(ComponentForm("R-22", "60,2"), ComponentForm(), ComponentForm("unknown", "39,5"))
        val form = FindingForm().withComposition(rows)
        assertEquals(rows, form.composition)
        assertEquals(99.7, form.compositionTotal(Numbers(",")), 1e-9)
        assertEquals(listOf("R-22" to 60.2, "unknown" to 39.5), form.compositionShares(Numbers(",")).map { it.component to it.pct })
        assertTrue(FindingForm().withComposition(listOf(ComponentForm(), ComponentForm(" ", " "))).compositionShares().isEmpty())
        // Fewer rows typed replace all the rows the form had.
        val one = form.withComposition(listOf(ComponentForm("R-22", "100")))
        assertEquals(listOf(ComponentForm("R-22", "100")), one.composition)
        assertFalse(one.fields.containsKey("composition.2.component"))
    }

    /** An inspection needs a container number (the core's rule); lists are split on commas and new lines; drafts are the form's map. */
    @Test
    fun inspectionFormBuildsFields() {
        for (blank in listOf(InspectionForm(), InspectionForm(mapOf("container" to "  ")))) {
            val p = refused { blank.toFields() }
            assertEquals("field_container_number" to MessageKey.RULE_CONTAINER_REQUIRED, p.field to p.key)
            assertEquals("Enter the container number.", en.render(p.message))
            assertEquals("Masukkan nomor kontainer.", XmlLocalizer.id.render(p.message))
        }
        val f = InspectionForm(mapOf("container" to "CSQU3054383", "seals" to "ML-448812,\nML-448813", "transit" to "SGSIN; MYPKG")).toFields()
        assertEquals(listOf("ML-448812", "ML-448813"), f.seals)
        assertEquals(listOf("SGSIN", "MYPKG"), f.declaration!!.transit)
        assertNull("a field not on the form is left as it is", f.notes)
        val located = InspectionForm(mapOf("container" to "CSQU3054383")).toFields(location = org.quayside.core.GeoPoint(lat = 5.6364, lon = -0.0167, accuracyM = 8.0), allowInvalidCheckDigit = true)
        assertEquals(-0.0167, located.location!!.lon, 0.0)
        assertTrue(located.allowInvalidCheckDigit)
        // A draft is the form's own map: it round-trips, and put back over a record it wins for the fields it has.
        val form = InspectionForm(mapOf("container" to "CSQU3054383", "notes" to "door seal broken", "quantity_kg" to "15 500"))
        assertEquals(form, InspectionForm(form.fields))
        assertEquals("15 400", form.with(mapOf("quantity_kg" to "15 400"))["quantity_kg"])
        assertEquals("door seal broken", form.with(mapOf("quantity_kg" to "15 400"))["notes"])
        val finding = FindingForm(mapOf("identified" to "R-22", "cylinder_type" to "drum")).withComposition(listOf(ComponentForm("R-22", "60"), ComponentForm("air", "40")))
        assertEquals(finding, FindingForm().with(finding.fields))
        assertEquals(CylinderType.DRUM, finding.cylinderType)
        assertEquals(SeizureAction.RE_EXPORTED, formEnum<SeizureAction>("re-exported"))
        // Custody: both parties, each refusal on its own field.
        val from = refused { CustodyForm(mapOf("to" to "warehouse")).toFields() }
        assertEquals("field_custody_from" to MessageKey.RULE_CUSTODY_PARTIES, from.field to from.key)
        assertEquals("Sebutkan siapa yang menyerahkan barang dan siapa yang menerimanya.", XmlLocalizer.id.render(from.message))
        assertEquals("field_custody_to", refused { CustodyForm(mapOf("from" to "ama", "to" to " ")).toFields() }.field)
        assertNull("a new hand-over is stamped now", CustodyForm(mapOf("from" to "ama", "to" to "warehouse")).toFields().at)
        // Seizure: cylinders without kg are refused on the item's kg field; blank items are not seized.
        val seizure = SeizureForm(mapOf("action" to "seized", "item.f-1.kg" to "", "item.f-1.cylinders" to "12", "item.f-2.kg" to "", "item.f-2.cylinders" to ""))
        val noKg = refused { seizure.toFields() }
        assertEquals("field_seized_quantity" to MessageKey.RULE_SEIZED_QUANTITY_NEEDED, noKg.field to noKg.key)
        assertEquals("Enter the seized quantity in kg for every seized finding.", en.render(noKg.message))
        val seized = seizure.with("item.f-1.kg" to "163,2").toFields(Numbers(","))
        assertEquals(listOf("f-1"), seized.items!!.map { it.findingId })
        assertEquals(163.2, seized.items!!.single().quantityKg, 1e-9)
        assertEquals(SeizureAction.SEIZED, seized.action)
        assertEquals(listOf("f-1", "f-2"), seizure.itemIds)
    }

    /** The set-up and enrolment forms normalise what is typed, refuse what cannot work, and carry the server trust. */
    @Test
    fun setupAndEnrolmentForms() {
        assertEquals("ama" to "GHTEM", SetupForm(" ama ", "gh tem").validated())
        assertEquals("field_station", expectInput { SetupForm("ama", "Tema").validated() }.field)
        assertEquals("https://quayside.gra.gov.gh", EnrolmentForm(serverUrl = "quayside.gra.gov.gh/").normalizedUrl())
        assertEquals("http://127.0.0.1:8080", EnrolmentForm(serverUrl = " http://127.0.0.1:8080/ ").normalizedUrl())
        assertEquals("EUHB-WSB9-G6YK", EnrolmentForm(code = "euhb wsb9 g6yk").normalizedCode())
        for (bad in listOf(EnrolmentForm(serverUrl = "ftp://x.org"), EnrolmentForm(serverUrl = ""))) {
            assertEquals("field_server", expectInput { bad.normalizedUrl() }.field)
        }
        assertEquals("field_code", expectInput { EnrolmentForm(code = "ABCD-EFGH").normalizedCode() }.field)
        assertNull(EnrolmentForm().trust())
        val pinned = EnrolmentForm(pinSha256 = " ab12 cd34 ").trust()!!
        assertEquals("ab12cd34", pinned.pinSha256)
        assertNull(pinned.caPem)
        assertEquals("-----BEGIN CERTIFICATE-----", EnrolmentForm(caPem = "-----BEGIN CERTIFICATE-----\n").trust()!!.caPem)
    }

    /** Both kinds of conflict read as notices; the state helpers switch on the core's enum. */
    @Test
    fun conflictsAndReviewStates() {
        val removed = ConflictNotice(
            ConflictRecord(
                path = "seizure.custody[c-1]",
                kind = ConflictKind.REMOVED_WHILE_EDITED,
                list = ElementList.CUSTODY,
                elementId = "c-1",
                values = listOf(
                    ConflictValueRecord("removed", "kofi", "d-2", "2026-11-29T13:49:07Z"),
                    ConflictValueRecord("to = bonded warehouse 3", "ama", "d-1", "2026-11-29T13:50:00Z"),
                ),
                message = UserMessage(MessageKey.CONFLICT_REMOVED_CUSTODY, listOf("kofi", "ama")),
                hint = UserMessage(MessageKey.HINT_REMOVED_WHILE_EDITED, emptyList()),
            ),
        )
        assertTrue(removed.removedWhileEdited)
        assertEquals(
            "Custody hand-over removed by kofi while ama edited it: Removed \u00b7 kofi \u00b7 2026-11-29 13:49 / to = bonded warehouse 3 \u00b7 ama \u00b7 2026-11-29 13:50",
            en.render(removed.summary),
        )
        val values = listOf(ConflictValueRecord("cylinders are R-22", "ama", null, null), ConflictValueRecord("", "kofi", null, null))
        val notes = ConflictNotice(ConflictRecord("notes", ConflictKind.VALUES, null, null, values, UserMessage(MessageKey.CONFLICT_VALUES, listOf("notes")), UserMessage(MessageKey.HINT_NOTES, emptyList())))
        assertEquals(listOf("\u201ccylinders are R-22\u201d (ditampilkan) \u00b7 ama", "(kosong) \u00b7 kofi"), notes.lines.map(XmlLocalizer.id::render))
        assertFalse(notes.removedWhileEdited)
        assertEquals(listOf("cylinders are R-22", ""), notes.notesVersions)

        assertTrue(ReviewState.CHANGED_SINCE_SUBMISSION.let { it.needsAction && it.awaitsDecision && it.canResubmit })
        assertFalse(ReviewState.AWAITING_REVIEW.canResubmit)
        assertFalse(ReviewState.APPROVED.awaitsDecision)
        assertFalse(ReviewState.DRAFT.needsAction)
        assertEquals("2026-11-29 13:49", ReviewText.time("2026-11-29T13:49:07.123Z"))
    }

    /** Progress reads as the core's message in either language, and a progress bar by typed phase. */
    @Test
    fun syncTexts() {
        fun progress(phase: SyncPhase, docs: Pair<Int, Int> = 0 to 0, photos: Pair<Int, Int> = 0 to 0, message: UserMessage) =
            SyncProgressRecord(phase, docs.first.toULong(), docs.second.toULong(), photos.first.toULong(), photos.second.toULong(), 0uL, 0uL, null, message)
        val docs = progress(SyncPhase.DOCUMENTS, 3 to 7, message = UserMessage(MessageKey.SYNC_PHASE_DOCUMENTS, listOf("3", "7")))
        assertEquals("Records 3 of 7", en.render(SyncText.phase(docs)))
        assertEquals("Catatan 3 dari 7", XmlLocalizer.id.render(SyncText.phase(docs)))
        assertEquals(0.5f, SyncText.fraction(progress(SyncPhase.PHOTOS, photos = 1 to 2, message = UserMessage(MessageKey.SYNC_PHASE_PHOTOS, listOf("1", "2"))))!!, 0f)
        assertNull(SyncText.fraction(progress(SyncPhase.FEED, message = UserMessage(MessageKey.SYNC_PHASE_FEED, emptyList()))))
        assertEquals(1f, SyncText.fraction(progress(SyncPhase.DONE, message = UserMessage(MessageKey.SYNC_PHASE_DONE, emptyList())))!!, 0f)
        assertTrue(rowsFor(emptyList(), null).isEmpty())
        assertEquals(Recovery.REPORT, Problems.of(IllegalStateException("boom")).recovery)
        assertEquals(Recovery.FIX_INPUT, Problems.of(InputException("input_save_first")).recovery)
        assertEquals(Recovery.ENROL, Problems.recovery(ErrorCode.UNAUTHORIZED, false))
    }
}
