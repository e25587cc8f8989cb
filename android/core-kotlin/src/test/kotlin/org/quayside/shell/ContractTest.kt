package org.quayside.shell

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.quayside.core.ApiException
import org.quayside.core.CylinderType
import org.quayside.core.Decision
import org.quayside.core.ErrorCode
import org.quayside.core.MessageKey
import org.quayside.core.ModusOperandi
import org.quayside.core.ReviewState
import org.quayside.core.Role
import org.quayside.core.SeizureAction
import org.quayside.core.SyncAction
import org.quayside.core.SyncSchedule
import org.quayside.core.UserMessage
import org.quayside.core.messageCatalog
import org.quayside.core.parseQuantity

/** The typed contract with the core: enums and their labels, error codes, and the app's resources for every message. */
class ContractTest {
    private val en = XmlLocalizer.en
    private val id = XmlLocalizer.id

    /** Every message the core can return has a resource in English and in Bahasa Indonesia, with its arguments. */
    @Test
    fun everyCatalogueMessageIsLocalised() {
        val catalogue = messageCatalog()
        assertTrue(catalogue.size >= 40)
        val placeholder = Regex("%(\\d+)[$]s")
        var different = 0
        for (entry in catalogue) {
            assertEquals(entry.id, entry.key.id())
            for ((lang, res) in listOf("en" to en, "in" to id)) {
                val s = res.strings["msg_" + entry.id] ?: error("msg_${entry.id} missing in $lang")
                val used = placeholder.findAll(s).map { it.groupValues[1].toInt() }.toSortedSet()
                assertEquals("msg_${entry.id} ($lang) placeholders", (1..entry.args.size).toSortedSet(), used)
                // Renders without a format error with as many arguments as the core gives.
                res.text(UserMessage(entry.key, entry.args.map { "<$it>" }))
            }
            if (en.strings["msg_" + entry.id] != id.strings["msg_" + entry.id]) different++
        }
        assertTrue("Indonesian differs from English for most keys ($different of ${catalogue.size})", different >= catalogue.size * 9 / 10)
        // The shell's own strings are in both languages too.
        assertEquals(en.strings.keys, id.strings.keys)
        for (k in en.strings.keys) {
            assertEquals("placeholders of $k", placeholder.findAll(en.strings[k]!!).count(), placeholder.findAll(id.strings[k]!!).count())
        }
    }

    /** Every field of the core's forms that can be refused has its label (a refusal names the field the officer sees). */
    @Test
    fun everyFormFieldHasALabel() {
        val keys = org.quayside.core.findingFormFields() + listOf(
            "container", "seals", "size_type", "declaration", "bill_of_lading", "description", "quantity_kg", "consignor", "consignee",
            "origin", "destination", "transit", "selection_reason", "notes", "composition", "case_ref", "legal_basis", "storage_location",
            "item.f-1.kg", "item.f-1.cylinders", "from", "to", "location", "note",
        )
        for (k in keys - setOf("hs_code", "cylinder_type")) {
            val label = fieldLabel(k) ?: error("no label for $k")
            assertTrue("$label in both languages", label in en.strings && label in id.strings)
        }
    }

    /** A rendered error comes out right in both languages, from the error's own message (never from its English detail). */
    @Test
    fun errorsCarryCodesAndMessages() {
        val e = try {
            parseQuantity("-3", ".")
            fail("negative quantity accepted")
            error("unreachable")
        } catch (e: ApiException.Invalid) {
            e
        }
        assertEquals(ErrorCode.INVALID, e.code())
        assertFalse(e.retryable())
        assertEquals(MessageKey.QUANTITY_NEGATIVE, e.userMessage().key)
        assertEquals(MessageKey.QUANTITY_NEGATIVE, e.user.key)
        val problem = Problems.of(e)
        assertEquals(Recovery.FIX_INPUT, problem.recovery)
        assertEquals(ErrorCode.INVALID, problem.code)
        assertEquals("A quantity cannot be negative.", en.render(problem.message))
        assertEquals("Jumlah tidak boleh negatif.", id.render(problem.message))

        val notANumber = try {
            parseQuantity("twelve", ",")
            error("accepted")
        } catch (e: ApiException.Invalid) {
            e
        }
        assertEquals("twelve is not a number.", en.render(Problems.of(notANumber).message))
        assertEquals("twelve bukan angka.", id.render(Problems.of(notANumber).message))

        // A broken store: a code, a recovery, the core's message rendered.
        val broken = try {
            org.quayside.core.FieldStore.open(TestSupport.tempDir("not-a-store-").path, TestSupport.key.copyOf())
            error("opened a directory holding no store")
        } catch (e: ApiException) {
            e
        }
        val p = Problems.of(broken)
        assertTrue(p.code in setOf(ErrorCode.STORE, ErrorCode.NOT_FOUND, ErrorCode.IO))
        assertTrue(en.render(p.message).isNotBlank())
    }

    /** Cylinder types, seizure actions and modus operandi (the core gives them no label) are named by the app's strings, in both languages. */
    @Test
    fun formEnumsAreLabelled() {
        val labels = CylinderType.entries.map { it.label } + SeizureAction.entries.map { it.label } + ModusOperandi.entries.map { it.label }
        for (label in labels) {
            val name = (label as Text.Shell).id
            assertTrue("$name in English", name in en.strings)
            assertTrue("$name in Bahasa Indonesia", name in id.strings)
        }
        assertEquals("Re-exported", en.render(SeizureAction.RE_EXPORTED.label))
        assertEquals("Diekspor kembali", id.render(SeizureAction.RE_EXPORTED.label))
        assertEquals("Tabung sekali pakai", id.render(CylinderType.DISPOSABLE.label))
    }

    /** Review states, decisions and roles are the core's enums, labelled by the core and localised by the app. */
    @Test
    fun enumsAndLabels() {
        assertEquals(
            listOf("review_state_draft", "review_state_awaiting_review", "review_state_changed_since_submission", "review_state_returned", "review_state_approved", "review_state_changed_since_approval"),
            ReviewState.entries.map { it.label().key.id() },
        )
        assertEquals("Changed since approval", en.render(ReviewState.CHANGED_SINCE_APPROVAL.badge))
        assertEquals("Berubah sejak disetujui", id.render(ReviewState.CHANGED_SINCE_APPROVAL.badge))
        assertEquals("Dikembalikan", id.text(Decision.RETURNED.label()))
        assertEquals("Supervisor", en.text(Role.SUPERVISOR.label()))
        assertEquals("Penyelia", id.text(Role.SUPERVISOR.label()))
        assertTrue(Roles.showsReview(statusWith(Role.SUPERVISOR)))
        assertFalse(Roles.showsReview(statusWith(Role.OFFICER)))
        assertFalse(Roles.showsReview(statusWith(null)))
        assertFalse(Roles.showsReview(null))
    }

    private fun statusWith(role: Role?) = org.quayside.core.SyncStatusRecord(role != null, null, role, 0uL, 0uL, emptyList(), null)

    private fun schedule(action: SyncAction, delayMs: ULong = 0uL, expedited: Boolean = false) =
        SyncSchedule(action, delayMs, expedited, 1uL, 0uL, 0u, null, UserMessage(MessageKey.SYNC_PENDING, listOf("1", "0")))

    /** The core's schedule maps to a WorkManager request; the shell adds no backoff of its own. */
    @Test
    fun scheduleMapsToWorkRequests() {
        assertEquals(WorkRequestSpec(enqueue = true, delayMs = 0, expedited = true), SyncScheduling.spec(schedule(SyncAction.NOW, expedited = true)))
        assertEquals(WorkRequestSpec(enqueue = true, delayMs = 0, expedited = false), SyncScheduling.spec(schedule(SyncAction.NOW)))
        assertEquals(WorkRequestSpec(enqueue = true, delayMs = 30_000, expedited = false), SyncScheduling.spec(schedule(SyncAction.AFTER, 30_000uL)))
        assertEquals(
            "WorkManager refuses delayed expedited work: a delay wins",
            WorkRequestSpec(enqueue = true, delayMs = 5_000, expedited = false),
            SyncScheduling.spec(schedule(SyncAction.AFTER, 5_000uL, expedited = true)),
        )
        assertFalse(SyncScheduling.spec(schedule(SyncAction.ENROL)).enqueue)
        assertFalse(SyncScheduling.spec(schedule(SyncAction.ENROL_AGAIN)).enqueue)
        assertEquals("Not enrolled: nothing is sent until this device is enrolled.", en.text(UserMessage(MessageKey.SYNC_NOT_ENROLLED, emptyList())))
    }

    /** A store not yet enrolled asks for enrolment: nothing is scheduled after an edit, and its message says why. */
    @Test
    fun unenrolledStoreSchedulesNothing() = kotlinx.coroutines.runBlocking {
        val seen = mutableListOf<SyncSchedule>()
        InspectionRepository(TestSupport.newStore(), onSchedule = { seen += it }).use { repo ->
            repo.create(InspectionForm(mapOf("container" to "CSQU3054383")).toFields())
            val s = seen.last()
            assertEquals(SyncAction.ENROL, s.action)
            assertEquals(1uL, s.unsyncedInspections)
            assertFalse(SyncScheduling.spec(s).enqueue)
            assertEquals(MessageKey.SYNC_NOT_ENROLLED, s.message.key)
        }
    }

    /**
     * The JNI entry point the Android app calls before its first HTTPS request exists in the real
     * library under the name [QuaysideNative] declares (on a desktop JVM it does nothing).
     */
    @Test
    fun theTlsInitialisationEntryPointLinks() {
        QuaysideNative.initTls(Any())
        QuaysideNative.initTls(Any()) // twice is harmless
    }
}
