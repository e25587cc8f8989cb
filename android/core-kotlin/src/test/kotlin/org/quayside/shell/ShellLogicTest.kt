package org.quayside.shell

import kotlin.random.Random
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test
import org.quayside.core.ApiException
import org.quayside.core.ConflictKind
import org.quayside.core.ConflictRecord
import org.quayside.core.ConflictValueRecord
import org.quayside.core.ElementList
import org.quayside.core.RejectedRecord
import org.quayside.core.SyncProgressRecord
import org.quayside.core.SyncReportRecord
import org.quayside.core.SyncStatusRecord

/** Form parsing, error messages and the sync policy: the shell's plain logic, no store needed. */
class ShellLogicTest {
    private fun status(inspections: ULong = 0uL, photos: ULong = 0uL, enrolled: Boolean = true, rejected: List<RejectedRecord> = emptyList()) =
        SyncStatusRecord(
            enrolled = enrolled,
            serverUrl = if (enrolled) "https://quayside.example" else null,
            role = if (enrolled) "officer" else null,
            unsyncedInspections = inspections,
            unsyncedPhotos = photos,
            rejected = rejected,
            lastSyncAt = null,
        )

    private fun report(pushed: ULong = 0uL) = SyncReportRecord(pushed = pushed, received = 0uL, rejected = emptyList(), photosUploaded = 0uL, photosDownloaded = 0uL, resynced = 0uL, bytesSent = 0uL, bytesReceived = 0uL, roundTrips = 1uL)

    private fun progress(phase: String, docs: Pair<Int, Int> = 0 to 0, photos: Pair<Int, Int> = 0 to 0, message: String? = null) =
        SyncProgressRecord(phase, docs.first.toULong(), docs.second.toULong(), photos.first.toULong(), photos.second.toULong(), 0uL, 0uL, message)

    /** Officers type decimal commas and thousands separators; blanks mean "not given". */
    @Test
    fun numbersAsOfficersTypeThem() {
        assertEquals(13.6, Numbers.decimal("13,6", "x")!!, 0.0)
        assertEquals(15490.4, Numbers.decimal("15 490,4", "x")!!, 0.0)
        assertEquals(15500.0, Numbers.decimal("15,500.0", "x")!!, 0.0)
        assertNull(Numbers.decimal("  ", "x"))
        assertEquals(1139u, Numbers.count(" 1139 ", "Cylinders"))
        for (bad in listOf("abc", "-3", "1e400")) {
            try {
                Numbers.decimal(bad, "Net mass (kg)")
                fail("accepted $bad")
            } catch (e: InputException) {
                assertTrue(e.message!!.startsWith("Net mass (kg)"))
            }
        }
        assertEquals("15490.4", Numbers.format(15490.4))
        assertEquals("1139", Numbers.format(1139.0))
        assertEquals("", Numbers.format(null))
    }

    /** The net mass is cylinders x kg per cylinder unless typed; a finding needs a substance. */
    @Test
    fun findingFormComputesNetMass() {
        assertEquals(15490.4, FindingForm(cylinders = "1139", kgPerCylinder = "13.6").netMass()!!, 0.0)
        assertEquals(200.0, FindingForm(cylinders = "1139", kgPerCylinder = "13.6", netMassKg = "200").netMass()!!, 0.0)
        assertNull(FindingForm(cylinders = "1139").netMass())
        val fields = FindingForm(identifiedSubstance = " R-22 ", cylinders = "10", kgPerCylinder = "13.6").toFields()
        assertEquals("R-22", fields.identifiedSubstance)
        assertEquals(136.0, fields.netMassKg!!, 0.0)
        assertNull("untouched fields are not sent", fields.labels)
        try {
            FindingForm(cylinders = "3").toFields()
            fail("finding without substance")
        } catch (e: InputException) {
            assertTrue(e.message!!.contains("substance"))
        }
        try {
            FindingForm(identifiedSubstance = "R-22", purityPct = "140").toFields()
            fail("purity over 100 %")
        } catch (e: InputException) {
            assertTrue(e.message!!.contains("Purity"))
        }
    }

    /** A new inspection needs a container number; lists are split on commas and new lines. */
    @Test
    fun inspectionFormBuildsFields() {
        try {
            InspectionForm().toFields()
            fail("no container number")
        } catch (e: InputException) {
            assertTrue(e.message!!.contains("Container"))
        }
        val f = InspectionForm(containerNumber = "CSQU3054383", seals = "ML-448812,\nML-448813", transit = "SGSIN; MYPKG").toFields()
        assertEquals(listOf("ML-448812", "ML-448813"), f.seals)
        assertEquals(listOf("SGSIN", "MYPKG"), f.declaration!!.transit)
        assertNull("blank fields of a new inspection are not sent", f.notes)
    }

    /** The set-up and enrolment forms normalise what is typed and refuse what cannot work. */
    @Test
    fun setupAndEnrolmentForms() {
        assertEquals("ama" to "GHTEM", SetupForm(" ama ", "gh tem").validated())
        try {
            SetupForm("ama", "Tema").validated()
            fail("station name instead of UN/LOCODE")
        } catch (e: InputException) {
            assertTrue(e.message!!.contains("UN/LOCODE"))
        }
        assertEquals("https://quayside.gra.gov.gh", EnrolmentForm(serverUrl = "quayside.gra.gov.gh/").normalizedUrl())
        assertEquals("http://127.0.0.1:8080", EnrolmentForm(serverUrl = " http://127.0.0.1:8080/ ").normalizedUrl())
        assertEquals("EUHB-WSB9-G6YK", EnrolmentForm(code = "euhb wsb9 g6yk").normalizedCode())
        for (bad in listOf(EnrolmentForm(serverUrl = "ftp://x.org"), EnrolmentForm(serverUrl = ""))) {
            try {
                bad.normalizedUrl()
                fail("accepted ${bad.serverUrl}")
            } catch (e: InputException) {
                assertTrue(e.message!!.startsWith("Server address"))
            }
        }
        try {
            EnrolmentForm(code = "ABCD-EFGH").normalizedCode()
            fail("short code")
        } catch (e: InputException) {
            assertTrue(e.message!!.contains("12"))
        }
    }

    /** Each core error becomes a message with the right recovery, without command-line hints. */
    @Test
    fun errorsBecomeMessagesWithARecovery() {
        assertEquals(Recovery.RETRY, UserMessages.of(ApiException.Network("error sending request: connection refused")).recovery)
        assertEquals(Recovery.ENROL, UserMessages.of(ApiException.Server("unauthorized", 401u)).recovery)
        assertEquals(Recovery.ENROL, UserMessages.of(ApiException.Server("device revoked", 403u)).recovery)
        assertEquals(Recovery.RETRY, UserMessages.of(ApiException.Server("bad gateway", 502u)).recovery)
        val notEnrolled = UserMessages.of(ApiException.Invalid("this device is not enrolled with a server yet (`quayside enroll`)"))
        assertEquals(Recovery.ENROL, notEnrolled.recovery)
        assertFalse(notEnrolled.text.contains("quayside enroll"))
        val invalid = UserMessages.of(ApiException.Invalid("net mass must be a non-negative number, got -5"))
        assertEquals("Net mass must be a non-negative number, got -5.", invalid.text)
        assertEquals("unknown substance \"R-9\"", UserMessages.withoutCliHint("unknown substance \"R-9\": try `quayside reference R-9` to search the reference R-9"))
        assertEquals(Recovery.REPORT, UserMessages.of(ApiException.Integrity("photo abc altered on disk")).recovery)
        assertEquals(Recovery.REPORT, UserMessages.of(IllegalStateException("boom")).recovery)
        assertEquals(Recovery.FIX_INPUT, UserMessages.of(InputException("Cylinders: x")).recovery)
    }

    /** The core's review refusals and review states read as messages and badges. */
    @Test
    fun reviewErrorsAndBadges() {
        val officer = UserMessages.of(ApiException.Invalid("only supervisors review inspections; this device is enrolled as officer"))
        assertEquals("Supervisors only", officer.title)
        assertEquals(Recovery.NONE, officer.recovery)
        val noComment = UserMessages.of(ApiException.Invalid("returning an inspection needs a comment for the officer"))
        assertEquals(Recovery.FIX_INPUT, noComment.recovery)
        assertTrue(noComment.text.contains("comment"))
        assertEquals("Not submitted yet", UserMessages.of(ApiException.Invalid("inspection 01a has not been submitted for review")).title)
        assertEquals("Already submitted", UserMessages.of(ApiException.Invalid("inspection 01a is already submitted (awaiting review)")).title)
        val photo = ReviewText.refusal("photo ab12 of inspection 01a has not arrived verified; approve once it has")
        assertEquals(Recovery.RETRY, photo.recovery)
        assertTrue(photo.text.contains("photo"))
        assertEquals(Recovery.NONE, ReviewText.refusal("inspection 01a belongs to station NLRTM, which esi does not supervise").recovery)

        assertEquals(ReviewBadge.CHANGED_SINCE_APPROVAL, ReviewBadge.of("changed_since_approval"))
        assertEquals(
            listOf("draft", "awaiting_review", "changed_since_submission", "returned", "approved", "changed_since_approval"),
            ReviewBadge.entries.map { it.wire },
        )
        val changed = ReviewBadge.of("changed_since_submission")!!
        assertEquals("Changed since submission", changed.label)
        assertTrue(changed.needsAction && changed.awaitsDecision && changed.canResubmit)
        assertFalse(ReviewBadge.AWAITING_REVIEW.canResubmit)
        assertFalse(ReviewBadge.APPROVED.awaitsDecision)
        assertNull(ReviewBadge.of("archived"))
        assertEquals("2026-11-29 13:49", ReviewText.time("2026-11-29T13:49:07.123Z"))
    }

    /** A stale decision, an approval of unsigned changes and the two kinds of conflict read as messages and notices. */
    @Test
    fun integrityMessagesAndConflicts() {
        val stale = UserMessages.of(ApiException.Stale("inspection 01a has changed since it was shown; open it again and review what it says now"))
        assertEquals("Changed since you opened it", stale.title)
        assertEquals(Recovery.READ_AGAIN, stale.recovery)
        val unsigned = UserMessages.of(
            ApiException.Invalid("inspection 01a has changed since the officer submitted it; only a version the officer signed can be approved (return it, or wait for the officer to submit again)"),
        )
        assertEquals("Changed since submission", unsigned.title)
        assertEquals("Already submitted", UserMessages.of(ApiException.Invalid("inspection 01a is already submitted and unchanged since")).title)
        assertEquals("Already approved", UserMessages.of(ApiException.Invalid("inspection 01a is approved as it stands; nothing to submit")).title)

        val removed = ConflictNotice.of(
            ConflictRecord(
                path = "seizure.custody[c-1]",
                kind = ConflictKind.REMOVED_WHILE_EDITED,
                list = ElementList.CUSTODY,
                elementId = "c-1",
                values = listOf(
                    ConflictValueRecord("removed", "kofi", "d-2", "2026-11-29T13:49:07Z"),
                    ConflictValueRecord("to = bonded warehouse 3", "ama", "d-1", "2026-11-29T13:50:00Z"),
                ),
            ),
        )
        assertTrue(removed.removedWhileEdited)
        assertEquals("Custody hand-over removed by kofi while ama edited it", removed.title)
        assertEquals(listOf("Removed \u00b7 kofi \u00b7 2026-11-29 13:49", "to = bonded warehouse 3 \u00b7 ama \u00b7 2026-11-29 13:50"), removed.lines)
        assertTrue(removed.notesVersions.isEmpty())

        val notes = ConflictNotice.of(
            ConflictRecord(
                path = "notes",
                kind = ConflictKind.VALUES,
                list = null,
                elementId = null,
                values = listOf(ConflictValueRecord("cylinders are R-22", "ama", null, null), ConflictValueRecord("labels read R-134a", "kofi", null, null)),
            ),
        )
        assertFalse(notes.removedWhileEdited)
        assertEquals(listOf("cylinders are R-22", "labels read R-134a"), notes.notesVersions)
        assertEquals("\u201ccylinders are R-22\u201d (shown) \u00b7 ama", notes.lines.first())
    }

    /** Network trouble is retried with growing, capped delays; what retrying cannot fix stops. */
    @Test
    fun syncPolicyRetriesOnlyWhatCanRecover() {
        val r = Random(42)
        val d1 = SyncPolicy.backoffDelay(1, r)
        val d2 = SyncPolicy.backoffDelay(2, r)
        assertTrue(d1 in 30.seconds..36.seconds)
        assertTrue(d2 in 60.seconds..72.seconds)
        assertTrue(SyncPolicy.backoffDelay(30, r) in 30.minutes..36.minutes)

        assertEquals(SyncDecision.SUCCESS, SyncPolicy.decide(Result.success(report(1uL)), 0))
        assertEquals(SyncDecision.RETRY, SyncPolicy.decide(Result.failure(ApiException.Network("down")), 0))
        assertEquals(SyncDecision.STOP, SyncPolicy.decide(Result.failure(ApiException.Network("down")), SyncPolicy.MAX_RUN_ATTEMPTS - 1))
        assertEquals(SyncDecision.STOP, SyncPolicy.decide(Result.failure(ApiException.Server("revoked", 401u)), 0))
        assertEquals(SyncDecision.RETRY, SyncPolicy.decide(Result.failure(ApiException.Server("busy", 503u)), 0))
        assertEquals(SyncDecision.STOP, SyncPolicy.decide(Result.failure(ApiException.Invalid("not enrolled")), 0))

        assertTrue(SyncPolicy.shouldSync(status(inspections = 1uL), pullDue = false))
        assertTrue(SyncPolicy.shouldSync(status(photos = 2uL), pullDue = false))
        assertFalse(SyncPolicy.shouldSync(status(), pullDue = false))
        assertTrue(SyncPolicy.shouldSync(status(), pullDue = true))
        assertFalse("nowhere to sync to", SyncPolicy.shouldSync(status(inspections = 1uL, enrolled = false), pullDue = true))
        assertTrue("an edit arrived during the sync", SyncPolicy.runAgain(status(inspections = 1uL), round = 1))
        assertFalse(SyncPolicy.runAgain(status(inspections = 1uL), round = SyncPolicy.MAX_ROUNDS_PER_RUN))
        assertFalse("refused records stay, retrying will not help", SyncPolicy.runAgain(status(inspections = 1uL, rejected = listOf(RejectedRecord("01a", "no"))), round = 1))
        assertFalse(SyncPolicy.runAgain(status(), round = 1))
        val now = java.time.Instant.parse("2026-11-29T12:00:00Z")
        assertTrue(SyncPolicy.pullDue(null, now))
        assertFalse(SyncPolicy.pullDue(now.minusSeconds(600), now))
        assertTrue(SyncPolicy.pullDue(now.minusSeconds(3600), now))
    }

    /** Progress and pending work read as sentences and a progress bar. */
    @Test
    fun syncTexts() {
        assertEquals("Sending and receiving records (3 of 7)", SyncText.phase(progress("documents", docs = 3 to 7)))
        assertEquals(0.5f, SyncText.fraction(progress("photos", photos = 1 to 2))!!, 0f)
        assertNull(SyncText.fraction(progress("feed")))
        assertEquals(1f, SyncText.fraction(progress("done"))!!, 0f)
        assertTrue(SyncText.phase(progress("retry", message = "attempt 1 failed")).contains("attempt 1 failed"))
        assertEquals("1 inspection and 5 photos not yet on the server", SyncText.pending(status(1uL, 5uL)))
        assertEquals("Everything is on the server", SyncText.pending(status()))
        assertEquals(
            "Everything is on the server; 1 inspection refused by the server",
            SyncText.pending(status(rejected = listOf(RejectedRecord("01a", "not your station")))),
        )
        assertEquals("Sent 1, received 0", SyncText.report(report(1uL)))
        val rows = rowsFor(emptyList(), status())
        assertTrue(rows.isEmpty())
    }
}
