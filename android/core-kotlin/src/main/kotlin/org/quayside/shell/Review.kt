package org.quayside.shell

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.collectLatest
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.quayside.core.ApiException
import org.quayside.core.InspectionView
import org.quayside.core.ReviewRecord
import org.quayside.core.SyncReportRecord

/** Where an inspection stands in supervisor review, as the core projects it (`review_state`). */
enum class ReviewBadge(
    /** The core's value. */
    val wire: String,
    /** The badge text. */
    val label: String,
    /** Whether someone has to act: the supervisor (awaiting, changed) or the officer (returned, changed). */
    val needsAction: Boolean,
) {
    /** Still being recorded. */
    DRAFT("draft", "Draft", false),

    /** Submitted; the supervisor has not decided. */
    AWAITING_REVIEW("awaiting_review", "Awaiting review", true),

    /**
     * Submitted, then changed: the officer's signature does not cover what the record says now.
     * The officer submits again before it can be approved; the supervisor can only return it.
     */
    CHANGED_SINCE_SUBMISSION("changed_since_submission", "Changed since submission", true),

    /** The supervisor sent it back with a comment; the officer corrects it and submits again. */
    RETURNED("returned", "Returned", true),

    /** The supervisor approved exactly this version. */
    APPROVED("approved", "Approved", false),

    /** Approved, then changed: the approval no longer covers what the record says. */
    CHANGED_SINCE_APPROVAL("changed_since_approval", "Changed since approval", true),
    ;

    /** Whether the officer may submit again: the record changed, or came back, since it was signed. */
    val canResubmit: Boolean get() = this == RETURNED || this == CHANGED_SINCE_SUBMISSION || this == CHANGED_SINCE_APPROVAL

    /** Whether it waits for the supervisor (return always; approve only what the officer signed). */
    val awaitsDecision: Boolean get() = this == AWAITING_REVIEW || this == CHANGED_SINCE_SUBMISSION || this == CHANGED_SINCE_APPROVAL

    /** Looking badges up by the core's value. */
    companion object {
        /** The badge for the core's [value]; `null` for a value this app does not know yet. */
        fun of(value: String): ReviewBadge? = entries.firstOrNull { it.wire == value }
    }
}

/** What the editor and the review detail say about an inspection's review, as a banner. */
data class ReviewNotice(
    /** The state the banner describes. */
    val badge: ReviewBadge,
    /** A few words, e.g. "Returned by esi". */
    val title: String,
    /** The supervisor's comment and what to do next. */
    val text: String,
    /** Shown as a warning: someone has to act, or a signature does not verify. */
    val attention: Boolean,
)

/** Presentation of review decisions, shared by the editor, the review screen and their tests. */
object ReviewText {
    /** "2026-11-29 13:49" from an RFC 3339 timestamp. */
    fun time(rfc3339: String): String = rfc3339.take(16).replace('T', ' ')

    /** The latest decision of [decision] (`approved` or `returned`) on [view], if any. */
    fun latest(view: InspectionView, decision: String): ReviewRecord? = view.reviews.lastOrNull { it.decision == decision }

    /** The banner for [view], `null` for a draft nobody has reviewed. */
    fun notice(view: InspectionView): ReviewNotice? {
        val badge = ReviewBadge.of(view.reviewState) ?: return null
        val approved = latest(view, "approved")
        val returned = latest(view, "returned")
        val unverified = view.reviews.filter { !it.signatureVerified }
        val signatureWarning = buildString {
            if (view.submissionVerified == false) {
                append(" The signature on the submission does not verify; tell your administrator before relying on this record.")
            }
            if (unverified.isNotEmpty()) {
                append(" The signature on ${unverified.joinToString(" and ") { "${it.reviewer}'s decision" }} does not verify; tell your administrator.")
            }
        }
        val suspicious = signatureWarning.isNotEmpty()
        return when (badge) {
            ReviewBadge.DRAFT -> if (!suspicious) null else ReviewNotice(badge, "Draft", signatureWarning.trim(), true)
            ReviewBadge.AWAITING_REVIEW -> {
                val at = view.inspection.submittedAt?.let { " " + time(it) } ?: ""
                val again = returned?.let { " again after ${it.reviewer} returned it" } ?: ""
                ReviewNotice(badge, "Awaiting review", "Submitted$again$at; the supervisor has not decided yet.$signatureWarning", suspicious)
            }
            ReviewBadge.CHANGED_SINCE_SUBMISSION -> ReviewNotice(
                badge,
                "Changed since submission",
                (view.inspection.submittedAt?.let { "Submitted ${time(it)}, then changed. " } ?: "Changed after it was submitted. ") +
                    "The officer's signature does not cover the changes: the officer submits it again before the supervisor " +
                    "can approve it (the supervisor can still return it)." + signatureWarning,
                true,
            )
            ReviewBadge.RETURNED -> ReviewNotice(
                badge,
                "Returned by ${returned?.reviewer ?: "the supervisor"}",
                (returned?.let { "${quote(it.comment)} (${time(it.decidedAt)}). " } ?: "") +
                    "Correct what is asked, then submit again." + signatureWarning,
                true,
            )
            ReviewBadge.APPROVED -> ReviewNotice(
                badge,
                "Approved by ${approved?.reviewer ?: "the supervisor"}",
                (approved?.let { "Approved ${time(it.decidedAt)}" + (if (it.comment.isNotBlank()) ": ${quote(it.comment)}" else "") + "." } ?: "Approved.") +
                    signatureWarning,
                suspicious,
            )
            ReviewBadge.CHANGED_SINCE_APPROVAL -> ReviewNotice(
                badge,
                "Changed since approval",
                (approved?.let { "Approved by ${it.reviewer} ${time(it.decidedAt)}, then changed. " } ?: "Changed after it was approved. ") +
                    "The approval does not cover the changes: the officer submits it again for the supervisor to review " +
                    "(the supervisor can return it meanwhile)." + signatureWarning,
                true,
            )
        }
    }

    /** One line per decision for a history list, e.g. "2026-11-29 13:49 · esi returned: “Weigh again” (signature verified)". */
    fun decision(r: ReviewRecord): String =
        "${time(r.decidedAt)} \u00b7 ${r.reviewer} ${r.decision}" +
            (if (r.comment.isNotBlank()) ": ${quote(r.comment)}" else "") +
            if (r.signatureVerified) " (signature verified)" else " (signature does NOT verify)"

    /** What the server's refusal of a review document means for the supervisor. */
    fun refusal(reason: String): UserMessage {
        val photo = reason.contains("photo") && reason.contains("has not arrived")
        val heads = reason.contains("heads the server does not hold")
        return UserMessage(
            title = "The server has not accepted the decision",
            text = when {
                photo -> "A photo of this inspection has not reached the server yet. Your decision is kept on this phone " +
                    "and sent again at every sync; it goes through once the officer's phone has uploaded the photo."
                heads -> "The server does not have the version you reviewed yet. Your decision is kept on this phone and sent again at every sync."
                else -> UserMessages.withoutCliHint(reason).replaceFirstChar { it.uppercase() } +
                    ". Your decision is kept on this phone and sent again at every sync."
            },
            recovery = if (photo || heads) Recovery.RETRY else Recovery.NONE,
            detail = reason,
        )
    }

    private fun quote(text: String) = "\u201c${text.trim()}\u201d"
}

/** Everything the supervisor review screen shows. */
data class ReviewQueueState(
    /** Submitted inspections waiting for a decision (awaiting review, changed since submission or since approval), newest first. */
    val rows: List<InspectionRow> = emptyList(),
    /** Nothing loaded yet. */
    val loading: Boolean = true,
    /** The inspection being reviewed, with figures, flags, photos and earlier decisions. */
    val open: InspectionView? = null,
    /** The comment as typed (required to return, optional to approve). */
    val comment: String = "",
    /** A call to the core (or a sync) is running. */
    val busy: Boolean = false,
    /** The last error, until dismissed. */
    val message: UserMessage? = null,
    /** What the last decision did, e.g. "Approved CSQU3054383 and sent it to the server". */
    val notice: String? = null,
) {
    /** The open inspection's review state. */
    val openBadge: ReviewBadge? get() = open?.let { ReviewBadge.of(it.reviewState) }

    /** Whether the open inspection waits for a decision (return, and approve when [canApprove]). */
    val canDecide: Boolean get() = !busy && openBadge?.awaitsDecision == true

    /**
     * Whether Approve may be pressed: the officer's submission signature covers exactly the version
     * shown. After a change since submission (or approval) only Return is possible until the
     * officer submits again; the core refuses such an approval anyway.
     */
    val canApprove: Boolean get() = canDecide && open?.submissionCoversShown == true

    /** Whether Return may be pressed: a decision is possible and a comment is written. */
    val canReturn: Boolean get() = canDecide && comment.isNotBlank()
}

/**
 * State holder behind the supervisor review screen: the queue from the core's `review_queue`, one
 * inspection opened in full, and Approve / Return with a comment (returning needs one). A decision
 * is recorded on the phone first (a signed review document naming the inspection version shown),
 * then sent with a sync; a decision the server refuses stays on the phone and is sent again.
 */
class ReviewQueueModel(private val repo: InspectionRepository, private val scope: CoroutineScope? = null) {
    private val _state = MutableStateFlow(ReviewQueueState())
    private var job: Job? = null

    /** What the screen shows. */
    val state: StateFlow<ReviewQueueState> = _state.asStateFlow()

    /** Follows the store (edits, syncs) and reloads the queue; needs the scope given at construction. */
    fun start() {
        val scope = requireNotNull(scope) { "start() needs a CoroutineScope" }
        if (job != null) return
        job = scope.launch {
            combine(repo.revision, repo.syncStatus) { _, _ -> }.collectLatest { runCatching { load() } }
        }
    }

    /** Re-reads the queue from the store; failures go to [ReviewQueueState.message]. */
    suspend fun load(): List<InspectionRow> = try {
        val rows = rowsFor(repo.reviewQueue(), repo.syncStatus.value)
        _state.update { it.copy(rows = rows, loading = false) }
        rows
    } catch (e: Exception) {
        if (e is kotlinx.coroutines.CancellationException) throw e
        _state.update { it.copy(loading = false, message = UserMessages.of(e)) }
        throw e
    }

    /** Syncs (to receive what officers submitted), then reloads the queue and the open inspection. */
    suspend fun syncAndLoad(): Boolean = act {
        try {
            repo.sync()
        } finally {
            load()
            _state.value.open?.let { showOpen(it.inspection.id) }
        }
    }

    /** Opens inspection [id] for review. */
    suspend fun open(id: String): Boolean = act {
        _state.update { it.copy(comment = "", notice = null) }
        showOpen(id)
    }

    /** Back to the queue. */
    fun close() = _state.update { it.copy(open = null, comment = "", message = null) }

    /** Replaces the comment as typed. */
    fun editComment(text: String) = _state.update { it.copy(comment = text) }

    /** Clears the error shown. */
    fun dismissMessage() = _state.update { it.copy(message = null) }

    /**
     * A photo's bytes (verified by the core) for a thumbnail, or `null` when this phone does not
     * hold them: sync brings a colleague's photo records (caption, time, position, SHA-256) but
     * not the image files, which stay on the officer's phone and the server.
     */
    suspend fun photo(sha256: String): ByteArray? = try {
        repo.readPhoto(sha256)
    } catch (e: org.quayside.core.ApiException.NotFound) {
        null
    }

    /**
     * Approves the open inspection as shown, with the optional comment, then syncs. Returns whether
     * the decision was recorded; whether the server took it shows in [ReviewQueueState.notice] and
     * [ReviewQueueState.message]. When the inspection changed after it was opened (a sync merged a
     * colleague's edit), nothing is recorded: it is shown again as it is now, with a message.
     */
    suspend fun approve(): Boolean = decide(returning = false)

    /** Returns the open inspection to its officer with the comment (required), then syncs. */
    suspend fun returnToOfficer(): Boolean = decide(returning = true)

    private suspend fun decide(returning: Boolean): Boolean = act {
        val view = _state.value.open ?: throw InputException("Open an inspection from the queue first")
        val comment = _state.value.comment.trim()
        if (returning && comment.isEmpty()) {
            throw InputException("Write a comment for the officer: say what to correct before returning the inspection")
        }
        val id = view.inspection.id
        val container = view.inspection.container.number
        // The decision names the version on screen (its heads), never one read again now: what
        // the supervisor read is what they sign.
        val review = try {
            if (returning) repo.returnInspection(id, view.heads, comment) else repo.approve(id, view.heads, comment)
        } catch (e: ApiException.Stale) {
            // A colleague's change arrived after the inspection was opened. Nothing was written;
            // show it as it is now and let the supervisor decide again (the comment is kept).
            showOpen(id)
            throw e
        }
        val done = if (returning) "Returned $container to ${view.inspection.officer}" else "Approved $container"
        // The decision is stored on the phone; send it now.
        var refusal: UserMessage? = null
        val notice = try {
            val report: SyncReportRecord = repo.sync()
            // A refused decision is listed under its review document's id.
            val refused = report.rejected.firstOrNull { it.inspectionId == review.id }
            if (refused != null) {
                refusal = ReviewText.refusal(refused.reason)
                "$done on this phone; the server has not accepted it yet"
            } else {
                "$done and sent it to the server"
            }
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException) throw e
            "$done on this phone; it is sent at the next sync (${UserMessages.of(e).title.lowercase()})"
        }
        _state.update { it.copy(open = null, comment = "", notice = notice, message = refusal) }
        load()
    }

    private suspend fun showOpen(id: String) {
        val view = repo.get(id)
        _state.update { it.copy(open = view) }
    }

    private suspend fun act(block: suspend () -> Unit): Boolean {
        _state.update { it.copy(busy = true, message = null) }
        return try {
            block()
            true
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException) throw e
            _state.update { it.copy(message = UserMessages.of(e)) }
            false
        } finally {
            _state.update { it.copy(busy = false) }
        }
    }
}
