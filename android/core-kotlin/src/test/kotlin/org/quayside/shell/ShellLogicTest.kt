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

    /** Quantities go through the core's parser with the device's decimal separator; blanks mean "not given". */
    @Test
    fun quantitiesAreParsedByTheCore() {
        val comma = Numbers(",")
        val point = Numbers(".")
        assertEquals(13.6, comma.quantity("13,6", "field_net_mass")!!, 0.0)
        assertEquals(15490.4, comma.quantity("15 490,4", "field_net_mass")!!, 0.0)
        assertEquals(15500.0, point.quantity("15,500.0", "field_net_mass")!!, 0.0)
        assertEquals("1,234 is 1234 where the decimal separator is a point", 1234.0, point.quantity("1,234", "x")!!, 0.0)
        assertEquals("and 1.234 where it is a comma", 1.234, comma.quantity("1,234", "x")!!, 0.0)
        assertNull(point.quantity("  ", "x"))
        assertEquals(1139u, point.count(" 1139 ", "field_cylinders"))
        assertEquals(1139u, comma.count("1 139", "field_cylinders"))
        assertEquals("a count reads the same with either separator", 1139u, comma.count("1,139", "field_cylinders"))
        assertNull(point.count(" ", "field_cylinders"))
        val half = expectInput { comma.count("2,5", "field_seized_cylinders") }
        assertEquals("field_seized_cylinders", half.field)
        assertEquals(MessageKey.COUNT_NOT_WHOLE, (half.text as Text.Core).message.key)
        assertEquals("2,5 is not a whole number.", en.render(half.text))
        val negative = expectInput { point.quantity("-3", "field_net_mass") }
        assertEquals("field_net_mass", negative.field)
        assertEquals(MessageKey.QUANTITY_NEGATIVE, (negative.text as Text.Core).message.key)
        assertEquals("A quantity cannot be negative.", en.render(negative.text))
        assertEquals(MessageKey.QUANTITY_NOT_A_NUMBER, (expectInput { point.quantity("abc", "x") }.text as Text.Core).message.key)
        assertEquals(MessageKey.QUANTITY_TOO_LARGE, (expectInput { point.quantity("2000000000", "x") }.text as Text.Core).message.key)
        assertEquals("15490,4", comma.format(15490.4))
        assertEquals("15490.4", point.format(15490.4))
        assertEquals("", point.format(null))
    }

    /** The net mass is cylinders x kg per cylinder unless typed; a new finding needs a substance; every field is sent. */
    @Test
    fun findingFormSendsEveryField() {
        assertEquals(15490.4, FindingForm(cylinders = "1139", kgPerCylinder = "13.6").netMass()!!, 0.0)
        assertEquals(15490.4, FindingForm(cylinders = "1139", kgPerCylinder = "13,6").netMass(Numbers(","))!!, 0.0)
        assertEquals(200.0, FindingForm(cylinders = "1139", kgPerCylinder = "13.6", netMassKg = "200").netMass()!!, 0.0)
        assertNull(FindingForm(cylinders = "1139").netMass())
        assertNull(FindingForm(kgPerCylinder = "13.6").netMass())
        // A refusal names the field it comes from.
        assertEquals("field_net_mass", expectInput { FindingForm(cylinders = "x", netMassKg = "-1").netMass() }.field)
        val cylinders = expectInput { FindingForm(cylinders = "12.5", kgPerCylinder = "13.6").netMass() }
        assertEquals("field_cylinders", cylinders.field)
        assertEquals(MessageKey.COUNT_NOT_WHOLE, (cylinders.text as Text.Core).message.key)
        assertEquals("field_kg_per_cylinder", expectInput { FindingForm(cylinders = "12", kgPerCylinder = "-1").netMass() }.field)
        assertEquals("field_cylinders", expectInput { FindingForm(identifiedSubstance = "R-22", cylinders = "many").toFields() }.field)
        val fields = FindingForm(identifiedSubstance = " R-22 ", cylinders = "10", kgPerCylinder = "13.6").toFields()
        assertEquals("R-22", fields.identifiedSubstance)
        assertEquals(136.0, fields.netMassKg!!, 0.0)
        assertEquals("an empty field is sent (as empty): the core compares, not the form", "", fields.labels)
        assertEquals("input_substance_required", (expectInput { FindingForm(cylinders = "3").toFields() }.text as Text.Shell).id)
        assertEquals("field_purity", expectInput { FindingForm(identifiedSubstance = "R-22", purityPct = "140").toFields() }.field)
        // Read by the core from the draft's map: its refusals name the form's field; an empty number leaves it, no rows clear the composition.
        assertEquals("field_net_mass", expectInput { FindingForm(identifiedSubstance = "R-22", netMassKg = "-1").toFields() }.field)
        assertEquals("field_composition", expectInput { FindingForm(composition = listOf(ComponentForm("R-22", "60"))).toFields() }.field)
        val comma = FindingForm(identifiedSubstance = "R-22", purityPct = "99,5", cylinderType = CylinderType.DISPOSABLE).toFields(Numbers(","))
        assertEquals(99.5, comma.purityPct!!, 0.0)
        assertEquals(CylinderType.DISPOSABLE, comma.cylinderType)
        assertNull(comma.contentPct)
        assertEquals(emptyList<ComponentShare>(), comma.composition)
    }

    /**
     * The measured composition is read and checked by the core, row by row: its refusals are the
     * core's messages (rendered from their keys in either language) on the composition field.
     */
    @Test
    fun compositionRefusalsComeFromTheCore() {
        fun refusal(vararg rows: ComponentForm, numbers: Numbers = Numbers()) =
            expectInput { FindingForm(composition = rows.toList()).compositionShares(numbers) }

        val total = refusal(ComponentForm("R-22", "60"), ComponentForm("R-290", "30"))
        assertEquals("field_composition", total.field)
        assertEquals(MessageKey.COMPOSITION_TOTAL, (total.text as Text.Core).message.key)
        assertEquals(listOf("90"), total.text.message.args)
        assertEquals("Jumlah komposisi 90 %, bukan 100 % (sebut sisanya \"unknown\").", XmlLocalizer.id.render(total.text))
        assertEquals("The composition adds up to 90 %, not 100 % (name the rest \"unknown\").", en.render(total.text))
        assertEquals(Recovery.FIX_INPUT, Problems.of(total).recovery)
        assertEquals("field_composition", Problems.of(total).field)

        fun key(e: InputException) = (e.text as Text.Core).message.key
        assertEquals(MessageKey.COMPOSITION_UNNAMED, key(refusal(ComponentForm("", "40"), ComponentForm("R-22", "60"))))
        assertEquals(MessageKey.COMPOSITION_SHARE_MISSING, key(refusal(ComponentForm("R-22", " "))))
        assertEquals(MessageKey.COMPOSITION_SHARE_RANGE, key(refusal(ComponentForm("R-22", "0"), ComponentForm("air", "100"))))
        assertEquals(MessageKey.COMPOSITION_TWICE, key(refusal(ComponentForm("R-22", "50"), ComponentForm("HCFC-22", "50"))))
        assertEquals(MessageKey.QUANTITY_NOT_A_NUMBER, key(refusal(ComponentForm("R-22", "lots"))))
        val unknown = refusal(ComponentForm("R-9999", "100"))
        assertEquals(MessageKey.ERROR_UNKNOWN_SUBSTANCE, key(unknown))
        assertEquals("an unknown component offers the picker", Recovery.PICK_SUBSTANCE, Problems.of(unknown).recovery)
        assertEquals("field_composition", Problems.of(unknown).field)

        // Blank rows are skipped; shares read with the device's separator, within half a point of 100 %.
        val shares = FindingForm(composition = listOf(ComponentForm("R-22", "60,2"), ComponentForm(), ComponentForm("unknown", "39,5")))
            .compositionShares(Numbers(","))
        assertEquals(listOf("R-22" to 60.2, "unknown" to 39.5), shares.map { it.component to it.pct })
        assertTrue(FindingForm(composition = listOf(ComponentForm(), ComponentForm(" ", " "))).compositionShares().isEmpty())
    }

    /** A new inspection needs a container number; lists are split on commas and new lines. */
    @Test
    fun inspectionFormBuildsFields() {
        assertEquals("field_container_number", expectInput { InspectionForm().toFields() }.field)
        val f = InspectionForm(containerNumber = "CSQU3054383", seals = "ML-448812,\nML-448813", transit = "SGSIN; MYPKG").toFields()
        assertEquals(listOf("ML-448812", "ML-448813"), f.seals)
        assertEquals(listOf("SGSIN", "MYPKG"), f.declaration!!.transit)
        assertEquals("", f.notes)
        val form = InspectionForm(containerNumber = "CSQU3054383", notes = "door seal broken", declaredQuantityKg = "15 500")
        assertEquals(form, InspectionForm.fromDraft(form.draftFields()))
        val finding = FindingForm(identifiedSubstance = "R-22", composition = listOf(ComponentForm("R-22", "60"), ComponentForm("air", "40")), cylinderType = org.quayside.core.CylinderType.DRUM)
        assertEquals(finding, FindingForm.fromDraft(finding.draftFields()))
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
