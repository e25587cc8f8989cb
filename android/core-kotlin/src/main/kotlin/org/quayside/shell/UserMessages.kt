package org.quayside.shell

import org.quayside.core.ApiException

/** What the person can do about an error; screens turn it into a button or a hint. */
enum class Recovery {
    /** Nothing to do but read the message. */
    NONE,

    /** Try again later (or now); nothing was lost. */
    RETRY,

    /** The container number's check digit is wrong: re-check the door, or record it anyway. */
    CONFIRM_CHECK_DIGIT,

    /** Pick the substance from the reference list instead of typing it. */
    PICK_SUBSTANCE,

    /** Correct the highlighted input. */
    FIX_INPUT,

    /** This phone must be enrolled (again) with a code from the administrator. */
    ENROL,

    /** Something is wrong on the device; tell the administrator. */
    REPORT,

    /**
     * The record changed since it was shown (a sync merged a colleague's edit) and nothing was
     * written: it is shown again as it is now; read it, then act again. Never retried silently.
     */
    READ_AGAIN,
}

/**
 * An error as shown to an officer: a short [title], a sentence saying what happened and what to do
 * ([text]), and the [recovery] the screen offers. [detail] keeps the core's own message for logs.
 */
data class UserMessage(
    /** A few words, e.g. "Check digit does not match". */
    val title: String,
    /** What happened and what to do, in a sentence or two. */
    val text: String,
    /** The action the screen offers. */
    val recovery: Recovery,
    /** The core's own message, for logs and support. */
    val detail: String? = null,
    /** For [Recovery.CONFIRM_CHECK_DIGIT]: the check digit the number should have. */
    val expectedCheckDigit: Int? = null,
)

/** Maps errors from the core (and anything else a call may throw) to messages for officers. */
object UserMessages {
    /** The message for [error]; never throws, never returns an empty text. */
    fun of(error: Throwable): UserMessage = when (error) {
        is ApiException.CheckDigit -> UserMessage(
            title = "Check digit does not match",
            text = "The last digit should be ${error.expected}. Check the number on the container door; " +
                "if the door really shows this number, record it anyway.",
            recovery = Recovery.CONFIRM_CHECK_DIGIT,
            detail = error.detail,
            expectedCheckDigit = error.expected.toInt(),
        )
        is ApiException.UnknownSubstance -> UserMessage(
            title = "Unknown substance",
            text = "\u201c${error.name}\u201d is not in the reference list. Pick the substance from the list " +
                "(search by R-number, trade name or chemical name).",
            recovery = Recovery.PICK_SUBSTANCE,
            detail = error.detail,
        )
        is ApiException.NotFound -> UserMessage(
            title = "Not found",
            text = "This ${error.kind} is not on this phone (id ${error.id}). Go back to the list and open it again.",
            recovery = Recovery.NONE,
            detail = error.detail,
        )
        is ApiException.Invalid -> invalid(error.detail)
        is ApiException.Stale -> UserMessage(
            title = "Changed since you opened it",
            text = "A colleague's change reached this phone after you opened this inspection, so nothing was recorded. " +
                "It is shown again as it is now: read it again, then decide.",
            recovery = Recovery.READ_AGAIN,
            detail = error.detail,
        )
        is ApiException.Network -> UserMessage(
            title = "No connection to the server",
            text = "Everything you recorded is saved on this phone. It will be sent when the network returns.",
            recovery = Recovery.RETRY,
            detail = error.detail,
        )
        is ApiException.Server -> server(error.status.toInt(), error.detail)
        is ApiException.Store -> UserMessage(
            title = "Records cannot be opened",
            text = "The inspection store on this phone could not be opened: ${error.detail}. " +
                "Do not uninstall the app; tell your administrator.",
            recovery = Recovery.REPORT,
            detail = error.detail,
        )
        is ApiException.Integrity -> UserMessage(
            title = "Stored evidence failed a check",
            text = "${error.detail}. The record was not changed; tell your administrator.",
            recovery = Recovery.REPORT,
            detail = error.detail,
        )
        is ApiException.Io -> UserMessage(
            title = "File could not be read or written",
            text = "${error.detail}. Check that the phone has free storage, then try again.",
            recovery = Recovery.RETRY,
            detail = error.detail,
        )
        is ApiException.Internal -> UserMessage(
            title = "Unexpected error",
            text = "Nothing was changed. Try again; if it happens again, tell your administrator.",
            recovery = Recovery.REPORT,
            detail = error.detail,
        )
        is InputException -> UserMessage(
            title = "Check the form",
            text = error.message ?: "Some input is not valid.",
            recovery = Recovery.FIX_INPUT,
        )
        else -> UserMessage(
            title = "Unexpected error",
            text = "Nothing was changed. Try again; if it happens again, tell your administrator.",
            recovery = Recovery.REPORT,
            detail = error.toString(),
        )
    }

    private fun invalid(detail: String): UserMessage {
        review(detail)?.let { return it }
        val notEnrolled = detail.contains("not enrolled")
        return UserMessage(
            title = if (notEnrolled) "Phone not enrolled" else "Check the input",
            text = if (notEnrolled) {
                "This phone is not yet enrolled with the agency server. Enrol it with the server address and " +
                    "the one-time code from your administrator; your records stay on the phone meanwhile."
            } else {
                // The core quotes words to type in backticks ("name the rest `unknown`"): quote them as prose.
                withoutCliHint(detail).replace(Regex("`([^`]*)`"), "\u201c\$1\u201d").replaceFirstChar { it.uppercase() } + "."
            },
            recovery = if (notEnrolled) Recovery.ENROL else Recovery.FIX_INPUT,
            detail = detail,
        )
    }

    /** The review refusals of the core (role, comment, state, unsigned changes), or `null` for other input errors. */
    private fun review(detail: String): UserMessage? = when {
        detail.contains("only supervisors review") -> UserMessage(
            title = "Supervisors only",
            text = "Only a supervisor can approve or return inspections, from a phone enrolled as a supervisor's. " +
                "Nothing was recorded.",
            recovery = Recovery.NONE,
            detail = detail,
        )
        detail.contains("needs a comment") -> UserMessage(
            title = "Comment required",
            text = "Write a comment for the officer saying what to correct, then return the inspection.",
            recovery = Recovery.FIX_INPUT,
            detail = detail,
        )
        detail.contains("has not been submitted for review") -> UserMessage(
            title = "Not submitted yet",
            text = "This inspection is still a draft. It can be reviewed once the officer submits it.",
            recovery = Recovery.NONE,
            detail = detail,
        )
        detail.contains("has changed since the officer submitted it") -> UserMessage(
            title = "Changed since submission",
            text = "This inspection was changed after the officer submitted it, so their signature does not cover what it " +
                "says now. It can be approved once the officer submits it again; you can return it with a comment meanwhile. " +
                "Nothing was recorded.",
            recovery = Recovery.NONE,
            detail = detail,
        )
        detail.contains("is already submitted") -> UserMessage(
            title = "Already submitted",
            text = "This inspection waits for the supervisor's decision and has not changed since you submitted it. " +
                "It can be submitted again after it is returned or changed.",
            recovery = Recovery.NONE,
            detail = detail,
        )
        detail.contains("is approved as it stands") -> UserMessage(
            title = "Already approved",
            text = "The supervisor approved this inspection as it is now; there is nothing new to submit.",
            recovery = Recovery.NONE,
            detail = detail,
        )
        else -> null
    }

    private fun server(status: Int, detail: String): UserMessage = when (status) {
        401, 403 -> UserMessage(
            title = "Enrolment refused",
            text = "The server no longer accepts this phone (revoked, or the code was already used). " +
                "Ask your administrator for a new enrolment code. Your records stay on the phone.",
            recovery = Recovery.ENROL,
            detail = detail,
        )
        in 500..599 -> UserMessage(
            title = "Server trouble",
            text = "The agency server could not handle the request. It will be tried again; nothing was lost.",
            recovery = Recovery.RETRY,
            detail = detail,
        )
        else -> UserMessage(
            title = "Server refused the request",
            text = withoutCliHint(detail).replaceFirstChar { it.uppercase() } + ".",
            recovery = Recovery.NONE,
            detail = detail,
        )
    }

    /** The core's messages are shared with the command-line client; drop hints such as "(`quayside enroll`)". */
    internal fun withoutCliHint(text: String): String =
        text.replace(Regex("""\s*\(?`quayside [^`]*`\)?(\s+to [^.;]*)?"""), "")
            .replace(Regex("""[;:,]\s*try\s*$"""), "")
            .trimEnd('.', ' ', ';', ':')
}

/** Input a form could not turn into a core call (a number that is not a number, a missing field). */
class InputException(message: String) : IllegalArgumentException(message)
