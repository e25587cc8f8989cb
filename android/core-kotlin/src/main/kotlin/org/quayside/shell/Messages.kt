package org.quayside.shell

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.update
import org.quayside.core.ApiException
import org.quayside.core.ErrorCode
import org.quayside.core.UserMessage

/**
 * Words to show. The core says what happened as a [UserMessage] (a stable key and arguments); the
 * shell's own sentences are resource names with arguments ([Shell]). Neither is ever compared or
 * searched: screens render them through a [Localizer] (Android string resources, `msg_<key>` for
 * the core's keys), and logic switches on enums and error codes.
 */
sealed interface Text {
    /** One of the core's messages (its resource is `msg_<key id>`). */
    data class Core(val message: UserMessage) : Text

    /** One of the shell's own strings: the resource [id] (in `res/values/strings.xml`) and its `%n$s` arguments. */
    data class Shell(val id: String, val args: List<String> = emptyList()) : Text

    /** Words typed by a person (a supervisor's comment, a substance name), shown as they are. */
    data class Typed(val text: String) : Text

    /**
     * One of the shell's own strings whose arguments are themselves [Text], each rendered in the
     * same language first: e.g. `flag_of_finding` ("Finding %1$s (%2$s): %3$s") around a core flag.
     */
    data class Composed(val id: String, val args: List<Text>) : Text

    /** [parts], each rendered, joined with [separator] (the core's finding titles come in parts). */
    data class Joined(val parts: List<Text>, val separator: String = ", ") : Text
}

/** The core's [parts] as one [Text], e.g. a finding's title: "Found HCFC-22, declared HFC-134a". */
fun text(parts: List<UserMessage>): Text = Text.Joined(parts.map(Text::Core))

/** The shell's string [id] with [args] as [Text]. */
fun text(id: String, vararg args: Any): Text = Text.Shell(id, args.map { it.toString() })

/**
 * Turns messages into the device's language. The Android app implements it with string resources
 * (`getIdentifier("msg_" + key.id(), "string", packageName)`); the JVM tests with the same
 * `strings.xml` files parsed.
 */
interface Localizer {
    /** The core's message [m] in the device's language. */
    fun text(m: UserMessage): String

    /** The shell's string [id] with [args] in the device's language. */
    fun shell(id: String, args: List<String>): String

    /** Any [Text]. */
    fun render(t: Text): String = when (t) {
        is Text.Core -> text(t.message)
        is Text.Shell -> shell(t.id, t.args)
        is Text.Typed -> t.text
        is Text.Composed -> shell(t.id, t.args.map(::render))
        is Text.Joined -> t.parts.joinToString(t.separator, transform = ::render)
    }
}

/** What the person can do about a problem; screens turn it into a button or a hint. */
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
 * A problem as shown to an officer: what happened ([message], the core's words or the form's), the
 * [field] it concerns (a shell string id, e.g. `field_net_mass`, see [fieldLabel]), the [recovery] the screen offers
 * and the core's [code]. [detail] keeps the core's English for logs only: it is never shown or compared.
 */
data class Problem(
    /** What happened and what to do. */
    val message: Text,
    /** The action the screen offers. */
    val recovery: Recovery,
    /** The core's error code; `null` for a form's own check. */
    val code: ErrorCode? = null,
    /** The form field concerned (a shell string id), when there is one. */
    val field: String? = null,
    /** For [Recovery.CONFIRM_CHECK_DIGIT]: the check digit the number should have. */
    val expectedCheckDigit: Int? = null,
    /** The core's English, for logs and support only. */
    val detail: String? = null,
)

/** Maps errors from the core (and anything else a call may throw) to [Problem]s, by error code. */
object Problems {
    /** The problem for [error]; never throws. */
    fun of(error: Throwable): Problem = when (error) {
        is ApiException -> {
            val code = error.code()
            Problem(
                message = Text.Core(error.userMessage()),
                recovery = recovery(code, error.retryable()),
                code = code,
                field = (error as? ApiException.Invalid)?.field?.let(::fieldLabel),
                expectedCheckDigit = (error as? ApiException.CheckDigit)?.expected?.toInt(),
                detail = error.toString(),
            )
        }
        is InputException -> Problem(error.text, Recovery.FIX_INPUT, field = error.field, detail = error.toString())
        // The store's key is gone: nothing to retry, nothing to fix on the phone; an administrator decides.
        is StoreKeyLostException -> Problem(text("error_store_key_lost"), Recovery.REPORT, detail = error.toString())
        // An earlier key change is settled by opening the store again: nothing to report, nothing lost.
        is KeyChangeUnsettledException -> Problem(text("error_key_change_unsettled"), Recovery.NONE, detail = error.toString())
        else -> Problem(text("error_unexpected"), Recovery.REPORT, detail = error.toString())
    }

    /** What the screen offers for an error with [code]. */
    fun recovery(code: ErrorCode, retryable: Boolean): Recovery = when (code) {
        ErrorCode.CHECK_DIGIT -> Recovery.CONFIRM_CHECK_DIGIT
        ErrorCode.UNKNOWN_SUBSTANCE -> Recovery.PICK_SUBSTANCE
        ErrorCode.INVALID -> Recovery.FIX_INPUT
        ErrorCode.STALE -> Recovery.READ_AGAIN
        ErrorCode.NOT_ENROLLED, ErrorCode.UNAUTHORIZED -> Recovery.ENROL
        // Not this phone's store key: never retried, never "fixed" by making a new store; an administrator decides.
        ErrorCode.WRONG_KEY -> Recovery.REPORT
        ErrorCode.STORE, ErrorCode.INTEGRITY, ErrorCode.INTERNAL -> if (retryable) Recovery.RETRY else Recovery.REPORT
        ErrorCode.NETWORK, ErrorCode.IO, ErrorCode.SERVER_REFUSED, ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN ->
            if (retryable) Recovery.RETRY else Recovery.NONE
    }
}

/**
 * Runs a screen's action with [busy] set around it and the last problem cleared; a failure (other
 * than a cancellation) is put in through [fail]. Returns whether [block] succeeded.
 */
internal suspend fun <S> MutableStateFlow<S>.attempt(busy: S.(Boolean) -> S, fail: S.(Problem?) -> S, block: suspend () -> Unit): Boolean {
    update { it.busy(true).fail(null) }
    return try {
        block()
        true
    } catch (e: Exception) {
        if (e is kotlinx.coroutines.CancellationException) throw e
        update { it.fail(Problems.of(e)) }
        false
    } finally {
        update { it.busy(false) }
    }
}

/** Input the shell refuses before any core call: [text] says why, [field] names the field (a shell string id). */
class InputException(val text: Text, val field: String? = null) : IllegalArgumentException(text.toString()) {
    /** A form check with the shell's string [id] and [args]. */
    constructor(id: String, vararg args: Any) : this(Text.Shell(id, args.map { it.toString() }))
}
