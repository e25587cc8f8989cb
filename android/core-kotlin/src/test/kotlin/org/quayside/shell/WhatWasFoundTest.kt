package org.quayside.shell

import kotlinx.coroutines.runBlocking
import org.junit.After
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.quayside.core.ApiException
import org.quayside.core.ComponentShare
import org.quayside.core.ElementList
import org.quayside.core.FigureBasis
import org.quayside.core.FindingFields
import org.quayside.core.FindingFiguresRecord
import org.quayside.core.FlagKind
import org.quayside.core.InspectionView
import org.quayside.core.MessageKey
import org.quayside.core.QuantityRecord

/**
 * Recording what officers really find, through the editor over a real store: an uncontrolled
 * substance, a gas the identifier could not name, one outside the reference, a measured
 * composition, a pre-blended polyol's content; figures where an unknown is never shown as 0;
 * removed findings brought back.
 */
class WhatWasFoundTest {
    private fun en(t: Text) = XmlLocalizer.en.render(t)

    private val repo = InspectionRepository(TestSupport.newStore())
    private val editor = InspectionEditorModel(repo)

    /** Frees the store. */
    @After
    fun close() = repo.close()

    private suspend fun started(): InspectionEditorModel {
        editor.edit(InspectionForm(mapOf("container" to "CSQU3054383")))
        assertTrue(editor.save())
        return editor
    }

    private suspend fun add(form: FindingForm): String {
        val id = editor.addFinding(form)
        assertNull("${editor.state.value.message}", editor.state.value.message)
        return id!!
    }

    private val view: InspectionView get() = editor.state.value.view!!

    private fun figures(findingId: String): FindingFiguresRecord = view.assessment.findings.single { it.findingId == findingId }

    private fun flagKinds(findingId: String): Set<FlagKind> = view.assessment.flags.filter { it.findingId == findingId }.map { it.kind }.toSet()

    /** 50 kg identified as R-290 (propane, not controlled): 0.15 t CO2-eq, ODP-t 0, nothing unknown. */
    @Test
    fun uncontrolledHydrocarbon() = runBlocking {
        started()
        val id = add(FindingForm(mapOf("identified" to "R-290", "net_mass_kg" to "50")))
        val f = figures(id)
        assertEquals(FigureBasis.IDENTIFIED, f.basis)
        assertEquals("R-290", f.substance)
        assertEquals(3.0, f.gwp!!, 1e-9)
        val q = f.quantity!!
        assertEquals(0.15, q.co2eTonnes, 1e-9)
        assertEquals(0.0, q.odpTonnes, 0.0)
        assertEquals(0.0, q.odpUnknownKg, 0.0)
        assertEquals(0.0, q.gwpUnknownKg, 0.0)
        // A known zero reads as zero; two significant digits rather than "0 t CO2-eq".
        assertEquals("50 kg \u00b7 0.05 t \u00b7 0 ODP-t \u00b7 0.15 t CO2-eq", en(Figures.quantity(q)))
        // Nothing was declared: flagged, and the flag names its finding (messages no longer do).
        val flag = view.assessment.flags.single { it.findingId == id && it.kind == FlagKind.SUBSTANCE_MISMATCH }
        assertEquals(MessageKey.FLAG_UNDECLARED, flag.message.key)
        assertEquals("Finding 1 (R-290): Nothing declared: identified R-290.", XmlLocalizer.en.render(FindingText.flag(flag, view.inspection.findings)))
        assertEquals("Temuan 1 (R-290): Tidak ada yang diberitahukan: teridentifikasi R-290.", XmlLocalizer.id.render(FindingText.flag(flag, view.inspection.findings)))

        val picked = SubstancePicker.search("R-290").first { it.record.id == "R-290" }
        assertFalse(picked.record.controlled)
        val pickedFacts = en(picked.facts)
        assertTrue(pickedFacts, pickedFacts.startsWith("not controlled \u00b7 ODP 0 \u00b7 GWP 3"))
    }

    /** 120 kg the identifier could not name: counted as unknown ODP and GWP, never as 0. */
    @Test
    fun unknownSubstanceIsNeverZero() = runBlocking {
        started()
        val id = add(FindingForm(mapOf("identified" to "unknown", "net_mass_kg" to "120")))
        val finding = view.inspection.findings.single()
        assertEquals(FindingText.UNKNOWN, finding.identifiedSubstance)
        assertTrue(FindingForm.from(finding).identifiedUnknown)
        assertEquals("Found an unknown substance", XmlLocalizer.en.render(text(finding.title)))
        assertEquals("Ditemukan zat yang tidak diketahui", XmlLocalizer.id.render(text(finding.title)))
        assertEquals("Tidak teridentifikasi: ODP dan CO2-eq belum diketahui sampai analisis laboratorium", XmlLocalizer.id.text(figures(id).basis.label()))
        assertEquals(FigureBasis.NOT_IDENTIFIED, figures(id).basis)
        assertNull(figures(id).odp)
        assertTrue("lab analysis asked for", FlagKind.LAB_ANALYSIS in flagKinds(id))

        val total = view.assessment.total
        assertEquals(120.0, total.odpUnknownKg, 0.0)
        assertEquals(120.0, total.gwpUnknownKg, 0.0)
        assertEquals("unknown ODP-t", en(Figures.odpTonnes(total)))
        assertEquals("120 kg \u00b7 0.12 t \u00b7 unknown ODP-t \u00b7 unknown t CO2-eq", en(Figures.quantity(total)))
        assertFalse(en(Figures.quantity(total)).contains(" 0 ODP-t"))
        // The list row says so too.
        assertEquals(
            "CSQU3054383 \u00b7 unknown \u00b7 0.12 t \u00b7 unknown ODP-t \u00b7 unknown t CO2-eq",
            en(rowsFor(repo.list(), null).single().headline),
        )

        // Next to 100 kg of R-22 the total is a lower bound naming the unknown kilograms.
        add(FindingForm(mapOf("identified" to "R-22", "net_mass_kg" to "100")))
        val mixed = view.assessment.total
        assertEquals(0.0055, mixed.odpTonnes, 1e-9)
        assertEquals(120.0, mixed.odpUnknownKg, 0.0)
        val text = en(Figures.odpTonnes(mixed))
        assertTrue(text, text.startsWith("at least 0.00") && text.endsWith(" ODP-t (120 kg not known)"))
        assertTrue(en(Figures.co2eTonnes(mixed)), en(Figures.co2eTonnes(mixed)).startsWith("at least 181 t CO2-eq (120 kg not known)"))
    }

    /** A substance the reference does not hold is recorded as named, for the laboratory; reference names and both at once are refused. */
    @Test
    fun substanceOutsideTheReference() = runBlocking {
        started()
        val id = add(FindingForm(mapOf("declared" to "R-134a", "identified_other" to "Zeotrope ZX-9", "net_mass_kg" to "10")))
        val finding = view.inspection.findings.single()
        assertEquals("Zeotrope ZX-9", finding.identifiedOther)
        assertNull(finding.identifiedSubstance)
        assertEquals("Found Zeotrope ZX-9 (not in the reference), declared HFC-134a", XmlLocalizer.en.render(text(finding.title)))
        assertEquals(FigureBasis.NOT_IDENTIFIED, figures(id).basis)
        assertEquals("unknown ODP-t", en(Figures.odpTonnes(figures(id).quantity!!)))
        assertTrue(flagKinds(id).containsAll(setOf(FlagKind.SUBSTANCE_MISMATCH, FlagKind.LAB_ANALYSIS)))

        // Both at once: the core's form rule refuses it on the other name's field.
        assertFalse(editor.updateFinding(id, FindingForm.from(finding).with("identified" to "R-22")))
        assertEquals(Recovery.FIX_INPUT, editor.state.value.message!!.recovery)
        assertEquals("field_identified_other", editor.state.value.message!!.field)
        assertEquals(org.quayside.core.MessageKey.RULE_IDENTIFIED_TWICE, (editor.state.value.message!!.message as Text.Core).message.key)
        // A reference name belongs in the identified substance: the core refuses, nothing changes.
        assertFalse(editor.updateFinding(id, FindingForm.from(finding).with("identified_other" to "R-22")))
        assertEquals(Recovery.FIX_INPUT, editor.state.value.message!!.recovery)
        assertEquals("Zeotrope ZX-9", repo.get(editor.inspectionId!!).inspection.findings.single().identifiedOther)

        // Identified after all: the other name is cleared in the same edit.
        assertTrue(editor.updateFinding(id, FindingForm.from(finding).with("identified_other" to "", "identified" to "R-22")))
        val now = view.inspection.findings.single()
        assertNull(now.identifiedOther)
        assertEquals("HCFC-22", now.identifiedSubstance)
        assertEquals(FigureBasis.IDENTIFIED, figures(id).basis)
    }

    /** 100 kg measured as R-22 60 %, R-290 38 %, air 2 %, declared R-22: figures from the composition, and a mismatch. */
    @Test
    fun measuredComposition() = runBlocking {
        started()
        val rows = listOf(ComponentForm("R-22", "60"), ComponentForm("R-290", "38"), ComponentForm("air", "2"), ComponentForm())
        val id = add(FindingForm(mapOf("declared" to "R-22", "net_mass_kg" to "100")).withComposition(rows))
        val f = figures(id)
        assertEquals(FigureBasis.MEASURED, f.basis)
        val q = f.quantity!!
        assertEquals(0.0033, q.odpTonnes, 1e-9)
        assertEquals(108.714, q.co2eTonnes, 1e-9)
        assertEquals(0.0, q.odpUnknownKg, 0.0)
        assertTrue(flagKinds(id).toString(), FlagKind.SUBSTANCE_MISMATCH in flagKinds(id))
        assertEquals("HCFC-22 60 % \u00b7 R-290 38 % \u00b7 air 2 %", FindingText.parts(f))

        val finding = view.inspection.findings.single()
        assertEquals(listOf(ComponentShare("HCFC-22", 60.0), ComponentShare("R-290", 38.0), ComponentShare("air", 2.0)), finding.composition)
        assertEquals("measured HCFC-22 60 %, R-290 38 %, air 2 %, declared HCFC-22", XmlLocalizer.en.render(text(finding.title)))
        assertEquals("terukur HCFC-22 60 %, R-290 38 %, air 2 %, diberitahukan HCFC-22", XmlLocalizer.id.render(text(finding.title)))
        assertEquals("HCFC-22 (terukur)", XmlLocalizer.id.text(finding.name))
        // Opened again and saved unchanged, nothing changes (the core compares with the version the form was filled from).
        val before = repo.history(editor.inspectionId!!).size
        assertTrue(editor.updateFinding(id, FindingForm.from(finding)))
        assertEquals(before, repo.history(editor.inspectionId!!).size)

        // Emptied, it is cleared: the figures go back to the declared substance.
        assertTrue(editor.updateFinding(id, FindingForm.from(finding).withComposition(emptyList())))
        assertTrue(view.inspection.findings.single().composition.isEmpty())
        assertEquals(FigureBasis.DECLARED, figures(id).basis)
    }

    /** A composition adding up to 90 % is refused with a clear message, by the form and by the core, and nothing changes. */
    @Test
    fun compositionMustAddUpTo100() = runBlocking {
        started()
        val id = add(FindingForm(mapOf("declared" to "R-22", "net_mass_kg" to "100")))
        val inspectionId = editor.inspectionId!!
        val before = repo.history(inspectionId).size
        val original = view.inspection.findings.single()

        val ninety = FindingForm.from(original).withComposition(listOf(ComponentForm("R-22", "60"), ComponentForm("R-290", "30")))
        assertEquals(90.0, ninety.compositionTotal(), 1e-9)
        assertFalse(editor.updateFinding(id, ninety))
        val msg = editor.state.value.message!!
        assertEquals(Recovery.FIX_INPUT, msg.recovery)
        assertEquals("field_composition", msg.field)
        assertEquals("The composition adds up to 90 %, not 100 % (name the rest \"unknown\").", XmlLocalizer.en.render(msg.message))
        assertEquals("Jumlah komposisi 90 %, bukan 100 % (sebut sisanya \"unknown\").", XmlLocalizer.id.render(msg.message))

        // The core's own check stands for any caller: the same edit sent directly is refused.
        try {
            repo.updateFinding(inspectionId, id, FindingFields(composition = listOf(ComponentShare("R-22", 60.0), ComponentShare("R-290", 30.0))), emptyList())
            fail("a composition of 90 % accepted")
        } catch (e: ApiException.Invalid) {
            assertEquals(org.quayside.core.ErrorCode.INVALID, e.code())
            assertEquals(Recovery.FIX_INPUT, Problems.of(e).recovery)
        }
        val after = repo.get(inspectionId)
        assertEquals(original, after.inspection.findings.single())
        assertEquals(before, repo.history(inspectionId).size)

        // Naming the rest makes it whole (within half a percentage point, as identifiers round).
        val named = ninety.withComposition(ninety.composition + ComponentForm("unknown", "9,7"))
        assertTrue(editor.updateFinding(id, named))
        assertEquals(FigureBasis.MEASURED, figures(id).basis)
        assertTrue("part unknown: lab analysis", FlagKind.LAB_ANALYSIS in flagKinds(id))
        assertTrue(en(Figures.odpTonnes(figures(id).quantity!!)).startsWith("at least "))
    }

    /** A pre-blended polyol asks for its HCFC-141b content; without it the ODP is unknown, with it the content counts. */
    @Test
    fun polyolContent() = runBlocking {
        started()
        val polyol = "HCFC-141b in pre-blended polyol"
        assertTrue(FindingForm(mapOf("identified" to polyol)).needsContent)
        assertFalse(FindingForm(mapOf("identified" to "R-22")).needsContent)
        val id = add(FindingForm(mapOf("declared" to polyol, "identified" to polyol, "net_mass_kg" to "1000")))
        assertEquals(1000.0, figures(id).quantity!!.odpUnknownKg, 0.0)
        assertTrue(FlagKind.LAB_ANALYSIS in flagKinds(id))

        val finding = view.inspection.findings.single()
        assertTrue(editor.updateFinding(id, FindingForm.from(finding).with("content_pct" to "12")))
        assertEquals(12.0, view.inspection.findings.single().contentPct!!, 0.0)
        val q = figures(id).quantity!!
        assertEquals(1000.0 * 0.12 * 0.11 / 1000.0, q.odpTonnes, 1e-9)
        assertEquals(0.0, q.odpUnknownKg, 0.0)
        assertFalse(editor.updateFinding(id, FindingForm.from(view.inspection.findings.single()).with("content_pct" to "112")))
        assertEquals("field_content", editor.state.value.message!!.field)
        assertEquals(org.quayside.core.MessageKey.RULE_PERCENT_RANGE, (editor.state.value.message!!.message as Text.Core).message.key)
        assertEquals(12.0, view.inspection.findings.single().contentPct!!, 0.0)
    }

    /** A finding removed by mistake is listed with its id's end and restored with everything it said. */
    @Test
    fun removedFindingIsRestored() = runBlocking {
        started()
        val kept = add(FindingForm(mapOf("identified" to "R-22", "net_mass_kg" to "100")))
        val removed = add(FindingForm(mapOf("identified" to "R-290", "net_mass_kg" to "50", "labels" to "Propane 50 kg")))
        assertTrue(editor.removeFinding(removed))
        assertEquals(listOf(kept), view.inspection.findings.map { it.id })
        assertEquals(100.0, view.assessment.total.kg, 0.0)

        val record = view.removed.single()
        assertEquals(ElementList.FINDINGS, record.list)
        assertEquals(removed, record.id)
        val notice = editor.state.value.removed.single()
        val line = XmlLocalizer.en.render(notice.text)
        assertTrue(line, line.startsWith("Finding \u2026${removed.takeLast(8)} removed "))
        assertTrue(XmlLocalizer.id.render(notice.text).startsWith("Temuan \u2026${removed.takeLast(8)} dihapus "))
        assertTrue("no conflict on one phone", editor.state.value.conflicts.isEmpty())

        assertTrue(editor.restoreRemoved(notice.record))
        val back = view.inspection.findings.single { it.id == removed }
        assertEquals("Propane 50 kg", back.labels)
        assertEquals(150.0, view.assessment.total.kg, 0.0)
        assertTrue(view.removed.isEmpty())
        assertTrue(editor.state.value.removed.isEmpty())
    }

    /** Short ids are the end of an id: UUIDv7 ids made in the same second share their start. */
    @Test
    fun shortIdsAreTheEnd() = runBlocking {
        started()
        val a = add(FindingForm(mapOf("identified" to "R-22")))
        val b = add(FindingForm(mapOf("identified" to "R-22")))
        assertEquals(a.takeLast(8), Ids.short(a))
        assertTrue(Ids.short(a) != Ids.short(b))
        assertEquals("abc", Ids.short("abc"))
    }

    /** The unknown-kilogram rule on its own: unknown when all are, a lower bound when some are. */
    @Test
    fun unknownKilogramsAreWorded() {
        fun q(kg: Double, odpT: Double, co2eT: Double, odpUnknown: Double, gwpUnknown: Double) =
            QuantityRecord(kg, kg / 1000.0, odpT, co2eT, odpUnknown, gwpUnknown)
        assertEquals("0.852 ODP-t", en(Figures.odpTonnes(q(15490.4, 0.851972, 28037.6, 0.0, 0.0))))
        assertEquals("28038 t CO2-eq", en(Figures.co2eTonnes(q(15490.4, 0.851972, 28037.6, 0.0, 0.0))))
        assertEquals("unknown ODP-t", en(Figures.odpTonnes(q(40.0, 0.0, 0.0, 40.0, 40.0))))
        assertEquals("unknown t CO2-eq", en(Figures.co2eTonnes(q(40.0, 0.0, 0.0, 40.0, 40.0))))
        assertEquals("at least 0.852 ODP-t (40 kg not known)", en(Figures.odpTonnes(q(15530.4, 0.851972, 28037.6, 40.0, 0.0))))
        assertEquals("28038 t CO2-eq", en(Figures.co2eTonnes(q(15530.4, 0.851972, 28037.6, 40.0, 0.0))))
        assertEquals("0 ODP-t", en(Figures.odpTonnes(q(0.0, 0.0, 0.0, 0.0, 0.0))))
        assertEquals("0.00045", Figures.figure(0.00045, 3))
        // In Bahasa Indonesia too: an unknown is worded, never a zero.
        assertEquals("ODP-t tidak diketahui", XmlLocalizer.id.render(Figures.odpTonnes(q(40.0, 0.0, 0.0, 40.0, 40.0))))
        assertEquals(
            "sekurang-kurangnya 0.852 ODP-t (40 kg tidak diketahui)",
            XmlLocalizer.id.render(Figures.odpTonnes(q(15530.4, 0.851972, 28037.6, 40.0, 0.0))),
        )

        val noGwp = SubstancePicker.search("CFC-211").first { it.record.id == "CFC-211" }
        assertNull(noGwp.record.gwp)
        val noGwpFacts = en(noGwp.facts)
        assertTrue(noGwpFacts, noGwpFacts.contains("GWP unknown") && !noGwpFacts.contains("GWP 0"))
        val ranged = SubstancePicker.search("HCFC-123").first { it.record.id == "HCFC-123" }
        assertNotNull(ranged.record.odpRange)
        val rangedFacts = en(ranged.facts)
        assertTrue(rangedFacts, rangedFacts.contains("ODP 0.02 (range 0.02\u20130.06)"))
        assertTrue(XmlLocalizer.id.render(noGwp.facts).contains("GWP tidak diketahui"))
    }
}
