package org.quayside.shell

import java.net.URI
import org.quayside.core.ServerTrust

/** The first-start form: whose phone this is. The store is created from it. */
data class SetupForm(val user: String = "", val station: String = "") {
    /** The user id and UN/LOCODE to create the store with; throws [InputException] when malformed. */
    fun validated(): Pair<String, String> {
        val user = user.trim()
        val station = station.trim().uppercase().replace(" ", "")
        if (user.isEmpty()) throw InputException(Text.Shell("input_user_required"), "field_user")
        if (station.length != 5 || !station.take(2).all { it in 'A'..'Z' } || !station.drop(2).all { it in 'A'..'Z' || it in '0'..'9' }) {
            throw InputException(Text.Shell("input_station_locode"), "field_station")
        }
        return user to station
    }
}

/**
 * The enrolment form: the agency server's address, the one-time code from the administrator and,
 * for a server the phone's own trust store does not vouch for, the agency's CA certificate (a PEM
 * file picked on the phone) or the server's public-key pin (SHA-256, from the enrolment sheet).
 */
data class EnrolmentForm(val serverUrl: String = "", val code: String = "", val caPem: String = "", val pinSha256: String = "") {
    /** The server URL to use: scheme added when missing (https), trailing slashes dropped. */
    fun normalizedUrl(): String {
        var u = serverUrl.trim()
        if (u.isEmpty()) throw InputException(Text.Shell("input_server_required"), "field_server")
        if (!u.contains("://")) u = "https://$u"
        val uri = runCatching { URI(u) }.getOrNull()
        if (uri == null || uri.host.isNullOrEmpty() || (uri.scheme != "https" && uri.scheme != "http")) {
            throw InputException(Text.Shell("input_server_not_address", listOf(serverUrl.trim())), "field_server")
        }
        return u.trimEnd('/')
    }

    /** The code as the server issued it: upper case, groups of four joined by dashes ("ABCD-EFGH-JKLM"). */
    fun normalizedCode(): String {
        val raw = code.uppercase().filter { it.isLetterOrDigit() }
        if (raw.length != 12) throw InputException(Text.Shell("input_code_format"), "field_code")
        return raw.chunked(4).joinToString("-")
    }

    /** What to trust beyond the platform's roots, `null` when nothing was given (the core checks the PEM and the pin). */
    fun trust(): ServerTrust? {
        val ca = caPem.trim().ifEmpty { null }
        val pin = pinSha256.trim().filter { !it.isWhitespace() }.ifEmpty { null }
        return if (ca == null && pin == null) null else ServerTrust(caPem = ca, pinSha256 = pin)
    }
}

/**
 * What scanning the QR code on the administrator's enrolment page does to the enrolment form:
 * the [form] with the link's server address and code put in, or, when the core refused the text
 * (another app's QR code, another user's code), the form as it was and the [problem] to show.
 */
data class ScannedEnrolment(val form: EnrolmentForm, val problem: Problem? = null) {
    /** Reading scanned texts. */
    companion object {
        /** Reads [text] (a QR code's raw value) with [repo] and fills [form] from it; never throws but a cancellation. */
        suspend fun read(repo: InspectionRepository, form: EnrolmentForm, text: String): ScannedEnrolment = try {
            val link = repo.readEnrolmentLink(text)
            ScannedEnrolment(form.copy(serverUrl = link.server, code = link.code))
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException) throw e
            ScannedEnrolment(form, Problems.of(e))
        }

        /** The phone's QR code scanner could not run (missing or not yet downloaded): the fields are typed instead. */
        val scannerUnavailable: Problem = Problem(text("enrol_scan_unavailable"), Recovery.NONE)
    }
}
