package org.quayside.shell

import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertNull
import org.junit.Test
import org.quayside.core.ErrorCode
import org.quayside.core.MessageKey
import org.quayside.core.UserMessage
import org.quayside.core.enrolmentLink

/**
 * Scanning the QR code on the administrator's enrolment page (`quayside://enrol?server=...&user=...&code=...`):
 * the phone's own link fills the server address and code; anything else is refused with the core's message.
 */
class EnrolmentLinkTest {
    private fun refusal(scanned: ScannedEnrolment): UserMessage {
        val problem = scanned.problem ?: error("expected a refusal, got ${scanned.form}")
        assertEquals(ErrorCode.INVALID, problem.code)
        assertEquals(Recovery.FIX_INPUT, problem.recovery)
        return (problem.message as Text.Core).message
    }

    /** Ama's link fills the server and the code; what was typed for the server's trust stays. */
    @Test
    fun ownLinkFillsServerAndCode() = runBlocking {
        InspectionRepository(TestSupport.newStore("ama", "GHTEM")).use { repo ->
            val typed = EnrolmentForm(serverUrl = "customs.exampel.gh", code = "ABCD", pinSha256 = "ab12")
            val link = enrolmentLink("https://customs.example.gh:8443/", "ama", "K7P2-QX9M-H4TW")
            val scanned = ScannedEnrolment.read(repo, typed, "$link\n")
            assertNull(scanned.problem)
            assertEquals(EnrolmentForm("https://customs.example.gh:8443", "K7P2-QX9M-H4TW", pinSha256 = "ab12"), scanned.form)
            assertEquals("https://customs.example.gh:8443", scanned.form.normalizedUrl())
            assertEquals("K7P2-QX9M-H4TW", scanned.form.normalizedCode())
        }
    }

    /** Kofi's code on Ama's phone is refused before any round trip; the form stays as typed. */
    @Test
    fun anotherUsersLinkIsRefused() = runBlocking {
        InspectionRepository(TestSupport.newStore("ama", "GHTEM")).use { repo ->
            val typed = EnrolmentForm(serverUrl = "https://customs.example.gh")
            val scanned = ScannedEnrolment.read(repo, typed, enrolmentLink("https://customs.example.gh", "kofi", "K7P2-QX9M-H4TW"))
            assertEquals(typed, scanned.form)
            val message = refusal(scanned)
            assertEquals(MessageKey.ENROLMENT_LINK_OTHER_USER, message.key)
            assertEquals(listOf("kofi"), message.args)
            assertEquals(message.english(), XmlLocalizer.en.text(message))
            assertEquals(
                "Kode pendaftaran ini untuk kofi, bukan untuk pengguna ponsel ini. Mintalah kode Anda sendiri kepada administrator.",
                XmlLocalizer.id.text(message),
            )
        }
    }

    /** Another app's QR code (a web address, Wi-Fi credentials, nothing) is not a Quayside enrolment code. */
    @Test
    fun otherTextIsRefused() = runBlocking {
        InspectionRepository(TestSupport.newStore("ama", "GHTEM")).use { repo ->
            for (text in listOf("https://example.com/?code=1", "WIFI:S:port;T:WPA;P:secret;;", "quayside://enrol?user=ama&code=X", "")) {
                val scanned = ScannedEnrolment.read(repo, EnrolmentForm(), text)
                assertEquals(EnrolmentForm(), scanned.form)
                val message = refusal(scanned)
                assertEquals(text, MessageKey.ENROLMENT_LINK_INVALID, message.key)
                assertEquals(message.english(), XmlLocalizer.en.text(message))
                assertNotEquals(XmlLocalizer.en.text(message), XmlLocalizer.id.text(message))
            }
        }
    }

    /** The scanner could not run: the shell's own words, and nothing to do but type the fields. */
    @Test
    fun unavailableScannerSaysToType() {
        val problem = ScannedEnrolment.scannerUnavailable
        assertEquals(Recovery.NONE, problem.recovery)
        assertEquals("The QR code scanner is not available on this phone. Type the server address and the code.", XmlLocalizer.en.render(problem.message))
        assertNotEquals(XmlLocalizer.en.render(problem.message), XmlLocalizer.id.render(problem.message))
    }

    /** End to end: the link an administrator's page shows enrols the phone with a real server. */
    @Test
    fun scannedLinkEnrolsThePhone() = runBlocking {
        TestServer().station("GHTEM", "GH", "Tema").user("ama", "officer", "GHTEM").use { server ->
            server.start()
            InspectionRepository(TestSupport.newStore("ama", "GHTEM")).use { repo ->
                val scanned = ScannedEnrolment.read(repo, EnrolmentForm(), enrolmentLink(server.url, "ama", server.enrolmentCode("ama")))
                assertNull(scanned.problem)
                val form = scanned.form
                val enrolment = repo.enroll(form.normalizedUrl(), form.normalizedCode(), "ama's phone", form.trust())
                assertEquals("ama", enrolment.user)
                assertEquals(server.url, repo.syncStatus.value!!.serverUrl)
            }
        }
    }
}
