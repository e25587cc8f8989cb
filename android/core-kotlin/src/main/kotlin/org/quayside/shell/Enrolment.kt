package org.quayside.shell

import java.net.URI

/** The first-start form: whose phone this is. The store is created from it. */
data class SetupForm(val user: String = "", val station: String = "") {
    /** The user id and UN/LOCODE to create the store with; throws [InputException] when malformed. */
    fun validated(): Pair<String, String> {
        val user = user.trim()
        val station = station.trim().uppercase().replace(" ", "")
        if (user.isEmpty()) throw InputException("Your user name is required (as your administrator created it)")
        if (!Regex("[A-Z]{2}[A-Z0-9]{3}").matches(station)) {
            throw InputException("Station: a UN/LOCODE of 2 letters and 3 characters, e.g. GHTEM for Tema")
        }
        return user to station
    }
}

/** The enrolment form: the agency server's address and the one-time code from the administrator. */
data class EnrolmentForm(val serverUrl: String = "", val code: String = "") {
    /** The server URL to use: scheme added when missing (https), trailing slashes dropped. */
    fun normalizedUrl(): String {
        var u = serverUrl.trim()
        if (u.isEmpty()) throw InputException("Server address is required")
        if (!u.contains("://")) u = "https://$u"
        val uri = runCatching { URI(u) }.getOrNull()
        if (uri == null || uri.host.isNullOrEmpty() || (uri.scheme != "https" && uri.scheme != "http")) {
            throw InputException("Server address: \u201c$serverUrl\u201d is not a web address")
        }
        return u.trimEnd('/')
    }

    /** The code as the server issued it: upper case, groups of four joined by dashes ("ABCD-EFGH-JKLM"). */
    fun normalizedCode(): String {
        val raw = code.uppercase().filter { it.isLetterOrDigit() }
        if (raw.length != 12) throw InputException("Enrolment code: 12 letters and digits, e.g. ABCD-EFGH-JKLM")
        return raw.chunked(4).joinToString("-")
    }
}
