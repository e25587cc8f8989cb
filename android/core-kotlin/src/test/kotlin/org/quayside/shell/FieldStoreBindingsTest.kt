package org.quayside.shell

import java.io.File
import org.junit.After
import org.junit.Assert.assertArrayEquals
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.quayside.core.ApiException
import org.quayside.core.CustodyFields
import org.quayside.core.CylinderType
import org.quayside.core.DeclarationFields
import org.quayside.core.FieldStore
import org.quayside.core.FindingFields
import org.quayside.core.FlagKind
import org.quayside.core.InspectionFields
import org.quayside.core.InspectionFilter
import org.quayside.core.InspectionStatus
import org.quayside.core.MessageKey
import org.quayside.core.PhotoFields
import org.quayside.core.ReferenceEntry
import org.quayside.core.SeizedItem
import org.quayside.core.SeizureAction
import org.quayside.core.SeizureFields
import org.quayside.core.checkContainerNumber
import org.quayside.core.lookupReference
import org.quayside.core.substance

/** The generated Kotlin bindings over the real library: records, figures, errors as exceptions, reference data. */
class FieldStoreBindingsTest {
    private val store: FieldStore = TestSupport.newStore()

    /** Frees the native store. */
    @After
    fun close() = store.close()

    private fun r22Inspection(): Pair<String, String> {
        val view = store.createInspection(
            InspectionFields(
                containerNumber = "CSQU3054383",
                seals = listOf("ML-448812"),
                declaration = DeclarationFields(hsCode = "3827.64", description = "R-134a in cylinders", quantityKg = 15500.0, origin = "CN", destination = "GH"),
                selectionReason = "risk profile",
            ),
        )
        val added = store.addFinding(
            view.inspection.id,
            FindingFields(
                declaredSubstance = "R-134a",
                identifiedSubstance = "R-22",
                purityPct = 99.1,
                cylinders = 1139u,
                cylinderType = CylinderType.DISPOSABLE,
                netMassKg = FindingForm(mapOf("cylinders" to "1139", "kg_per_cylinder" to "13.6")).netMass(),
            ),
        )
        return view.inspection.id to added.findingId
    }

    /** Records an R-22 finding (1139 cylinders x 13.6 kg) and checks the figures officers report. */
    @Test
    fun findingFiguresMatchTheReportingUnits() {
        val (id, findingId) = r22Inspection()
        val view = store.getInspection(id)
        val total = view.assessment.total
        assertEquals(15490.4, total.kg, 1e-9)
        assertEquals("0.852", Figures.fmt(total.odpTonnes, 3))
        assertEquals("28038", Figures.fmt(total.co2eTonnes, 0))
        val figures = view.assessment.findings.single()
        assertEquals(findingId, figures.findingId)
        assertEquals(0.055, figures.odp!!, 1e-12)
        assertEquals(1810.0, figures.gwp!!, 1e-9)
        assertTrue(figures.gwpSource!!.contains("AR4"))
        val kinds = view.assessment.flags.map { it.kind }.toSet()
        assertTrue("declared R-134a, found R-22: $kinds", FlagKind.SUBSTANCE_MISMATCH in kinds)
        assertTrue("disposable cylinders are banned in many countries: $kinds", FlagKind.DISPOSABLE_CYLINDERS in kinds)
        // Shown from its key in the device's language (values-in), led by its finding; the English is for logs.
        val disposable = view.assessment.flags.single { it.kind == FlagKind.DISPOSABLE_CYLINDERS }
        assertEquals(findingId, disposable.findingId)
        assertEquals(MessageKey.FLAG_DISPOSABLE_CYLINDERS, disposable.message.key)
        assertEquals(XmlLocalizer.id.strings["msg_flag_disposable_cylinders"], XmlLocalizer.id.render(Text.Core(disposable.message)))
        assertEquals("Temuan 1 (HCFC-22): Tabung sekali pakai.", XmlLocalizer.id.render(FindingText.flag(disposable, view.inspection.findings)))
        assertEquals("Finding 1 (HCFC-22): Disposable cylinders.", XmlLocalizer.en.render(FindingText.flag(disposable, view.inspection.findings)))
        assertEquals(InspectionStatus.DRAFT, view.inspection.status)
        assertEquals("ama", view.inspection.officer)
    }

    /** A JPEG from the camera is stored by SHA-256, its bytes come back verified, and other bytes are refused. */
    @Test
    fun photosAreStoredAndNonImagesRefused() {
        val (id, findingId) = r22Inspection()
        val bytes = TestSupport.jpeg()
        val added = store.addPhoto(id, bytes, PhotoFields(caption = "relabelled cylinder", findingId = findingId))
        assertEquals("image/jpeg", added.photo.mime)
        assertEquals(bytes.size.toULong(), added.photo.bytes)
        assertEquals(findingId, added.photo.findingId)
        assertArrayEquals(bytes, store.readPhoto(added.photo.sha256))
        val file = File(TestSupport.tempDir("photo-"), "shot.jpg").apply { writeBytes(TestSupport.jpeg(seed = 7)) }
        assertEquals(2, store.addPhotoFile(id, file.path, PhotoFields()).view.inspection.photos.size)
        try {
            store.addPhoto(id, "not a picture".toByteArray(), PhotoFields())
            fail("text accepted as a photo")
        } catch (e: ApiException.Invalid) {
            assertEquals(org.quayside.core.ErrorCode.INVALID, e.code())
        }
        assertEquals(2, store.getInspection(id).inspection.photos.size)
    }

    /** Errors arrive as the generated exception subclasses, with their fields, and change nothing. */
    @Test
    fun errorsArriveAsTypedExceptions() {
        try {
            store.createInspection(InspectionFields(containerNumber = "CSQU3054384"))
            fail("wrong check digit accepted")
        } catch (e: ApiException.CheckDigit) {
            assertEquals(3u, e.expected)
        }
        assertTrue(store.listInspections(InspectionFilter()).isEmpty())
        val forced = store.createInspection(InspectionFields(containerNumber = "CSQU3054384", allowInvalidCheckDigit = true))
        assertTrue(forced.assessment.flags.any { it.kind == FlagKind.INVALID_CHECK_DIGIT })

        try {
            store.addFinding(forced.inspection.id, FindingFields(identifiedSubstance = "R-999"))
            fail("unknown substance accepted")
        } catch (e: ApiException.UnknownSubstance) {
            assertEquals("R-999", e.name)
        }
        assertTrue(store.getInspection(forced.inspection.id).inspection.findings.isEmpty())

        try {
            store.getInspection("01-no-such-inspection")
            fail("unknown id answered")
        } catch (e: ApiException.NotFound) {
            assertEquals("inspection", e.kind)
            assertEquals("01-no-such-inspection", e.id)
        }
        try {
            store.addFinding(forced.inspection.id, FindingFields(identifiedSubstance = "R-22", netMassKg = -5.0))
            fail("negative mass accepted")
        } catch (e: ApiException.Invalid) {
            assertTrue(e.detail.isNotEmpty())
        }
        try {
            FieldStore.open(TestSupport.tempDir("empty-").path, TestSupport.key.copyOf())
            fail("opened a store that does not exist")
        } catch (e: ApiException.Store) {
            assertTrue(e.code() == org.quayside.core.ErrorCode.STORE || e.code() == org.quayside.core.ErrorCode.NOT_FOUND || e.code() == org.quayside.core.ErrorCode.IO)
        }
    }

    /** Lists are newest first and narrowed by substance (any name), container and status. */
    @Test
    fun listAndSearch() {
        val (r22, _) = r22Inspection()
        val other = store.createInspection(InspectionFields(containerNumber = "MSCU1234566")).inspection.id
        store.addFinding(other, FindingFields(identifiedSubstance = "R-404A", netMassKg = 120.0))
        assertEquals(listOf(other, r22), store.listInspections(InspectionFilter()).map { it.id })
        assertEquals(listOf(r22), store.listInspections(InspectionFilter(substance = "chlorodifluoromethane")).map { it.id })
        assertEquals(listOf(other), store.listInspections(InspectionFilter(substance = "R-404A")).map { it.id })
        assertEquals(listOf(other), store.listInspections(InspectionFilter(container = "MSCU")).map { it.id })
        store.submit(r22)
        assertEquals(listOf(r22), store.listInspections(InspectionFilter(status = InspectionStatus.SUBMITTED)).map { it.id })
        val summary = store.listInspections(InspectionFilter(container = "CSQU")).single()
        assertEquals(1u, summary.findingCount)
        assertEquals(org.quayside.core.InspectionStatus.SUBMITTED, summary.status)
        assertEquals("0.852", Figures.fmt(summary.odpTonnes, 3))
    }

    /** Seizure, custody and submission are recorded, and the history names who did what. */
    @Test
    fun seizureCustodySubmitAndHistory() {
        val (id, findingId) = r22Inspection()
        store.setSeizure(
            id,
            SeizureFields(caseRef = "GRA-0412", action = SeizureAction.SEIZED, storageLocation = "bonded warehouse 3", items = listOf(SeizedItem(findingId, 15490.4, 1139u))),
        )
        val custody = store.addCustody(id, CustodyFields(from = "ama", to = "Kwame Mensah (warehouse)", location = null, note = null, at = null))
        val seizure = custody.inspection.seizure!!
        assertEquals(SeizureAction.SEIZED, seizure.action)
        assertEquals("Kwame Mensah (warehouse)", seizure.custody.single().to)
        assertEquals("0.852", Figures.fmt(custody.assessment.seized.odpTonnes, 3))
        val submitted = store.submit(id)
        assertEquals(InspectionStatus.SUBMITTED, submitted.inspection.status)
        assertNotNull(submitted.inspection.submittedAt)
        val history = store.history(id)
        assertTrue(history.size >= 5)
        assertTrue(history.all { it.user == "ama" && it.device == store.deviceInfo().deviceId })
        assertTrue(history.map { it.summary.lowercase() }.any { "submit" in it })
        assertTrue(store.conflicts(id).isEmpty())
    }

    /** The substance picker's data: reference lookup by any name, container number checks. */
    @Test
    fun referenceLookupAndContainerCheck() {
        val r22 = substance("chlorodifluoromethane")!!
        assertEquals("HCFC-22", r22.id)
        assertTrue("R-22" in r22.aliases)
        val hits = lookupReference("R-404A")
        val blend = (hits.first { it is ReferenceEntry.Substance } as ReferenceEntry.Substance).substance
        assertTrue(blend.isBlend)
        assertEquals(3, blend.components.size)
        assertEquals(100.0, blend.components.sumOf { it.massPct }, 1e-9)
        assertTrue(lookupReference("3827.61").any { it is ReferenceEntry.HsCode })
        val check = checkContainerNumber("csqu 305438 3")
        assertEquals("CSQU3054383", check.normalized)
        assertTrue(check.checkDigitOk)
        assertFalse(checkContainerNumber("CSQU3054384").checkDigitOk)
        try {
            checkContainerNumber("XX")
            fail("malformed number accepted")
        } catch (e: ApiException.Invalid) {
            assertEquals(org.quayside.core.ErrorCode.INVALID, e.code())
        }
    }
}
