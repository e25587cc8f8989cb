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
import org.quayside.core.Decision
import org.quayside.core.DocumentKind
import org.quayside.core.RejectedRecord
import org.quayside.core.ReviewState
import org.quayside.core.InspectionView
import org.quayside.core.ReviewRecord
import org.quayside.core.SyncReportRecord

/** Whether someone has to act: the supervisor (awaiting, changed) or the officer (returned, changed). */
val ReviewState.needsAction: Boolean
    get() = this != ReviewState.DRAFT && this != ReviewState.APPROVED

/** Whether the officer may submit again: the record changed, or came back, since it was signed. */
val ReviewState.canResubmit: Boolean
    get() = this == ReviewState.RETURNED || this == ReviewState.CHANGED_SINCE_SUBMISSION || this == ReviewState.CHANGED_SINCE_APPROVAL

/** Whether it waits for the supervisor (return always; approve only what the officer signed). */
val ReviewState.awaitsDecision: Boolean
    get() = this == ReviewState.AWAITING_REVIEW || this == ReviewState.CHANGED_SINCE_SUBMISSION || this == ReviewState.CHANGED_SINCE_APPROVAL

/** The badge's words: the core's label for the state. */
val ReviewState.badge: Text get() = Text.Core(label())

/** What the editor and the review detail say about an inspection's review, as a banner. */
data class ReviewNotice(
    /** The state the banner describes. */
    val state: ReviewState,
    /** A few words, e.g. "Returned by esi". */
    val title: Text,
    /** What happened and what to do next. */
    val text: Text,
    /** The supervisor's comment on the decision shown, as typed. */
    val comment: String? = null,
    /** Signatures that do not verify, one line each. */
    val warnings: List<Text> = emptyList(),
    /** Shown as a warning: someone has to act, or a signature does not verify. */
    val attention: Boolean,
)

/** A decision in a history list. */
data class DecisionLine(val at: String, val reviewer: String, val decision: Text, val comment: String, val verified: Boolean)

/** Presentation of review decisions, shared by the editor, the review screen and their tests. */
object ReviewText {
    /** "2026-11-29 13:49" from an RFC 3339 timestamp. */
    fun time(rfc3339: String): String = rfc3339.take(16).replace('T', ' ')

    /** The banner for [view], `null` for a draft nobody has reviewed. */
    fun notice(view: InspectionView): ReviewNotice? {
        val state = view.reviewState
        val approved = view.reviews.lastOrNull { it.decision == Decision.APPROVED }
        val returned = view.reviews.lastOrNull { it.decision == Decision.RETURNED }
        val warnings = buildList {
            if (view.submissionVerified == false) add(text("review_warning_submission_signature"))
            for (r in view.reviews.filter { !it.signatureVerified }) add(text("review_warning_decision_signature", r.reviewer))
        }
        val suspicious = warnings.isNotEmpty()
        val submitted = view.inspection.submittedAt?.let(::time) ?: ""
        return when (state) {
            ReviewState.DRAFT -> if (!suspicious) null else ReviewNotice(state, state.badge, text("review_notice_draft"), null, warnings, true)
            ReviewState.AWAITING_REVIEW -> ReviewNotice(
                state, state.badge,
                if (returned != null) text("review_notice_awaiting_again", returned.reviewer, submitted) else text("review_notice_awaiting", submitted),
                null, warnings, suspicious,
            )
            ReviewState.CHANGED_SINCE_SUBMISSION -> ReviewNotice(state, state.badge, text("review_notice_changed_since_submission", submitted), null, warnings, true)
            ReviewState.RETURNED -> ReviewNotice(
                state,
                text("review_notice_returned_title", returned?.reviewer ?: ""),
                text("review_notice_returned", returned?.let { time(it.decidedAt) } ?: ""),
                returned?.comment?.trim()?.ifEmpty { null }, warnings, true,
            )
            ReviewState.APPROVED -> ReviewNotice(
                state,
                text("review_notice_approved_title", approved?.reviewer ?: ""),
                text("review_notice_approved", approved?.let { time(it.decidedAt) } ?: ""),
                approved?.comment?.trim()?.ifEmpty { null }, warnings, suspicious,
            )
            ReviewState.CHANGED_SINCE_APPROVAL -> ReviewNotice(
                state, state.badge,
                text("review_notice_changed_since_approval", approved?.reviewer ?: "", approved?.let { time(it.decidedAt) } ?: ""),
                null, warnings, true,
            )
        }
    }

    /** One line per decision for a history list: when, who, what (the core's label), the comment, whether the signature verifies. */
    fun decision(r: ReviewRecord): DecisionLine = DecisionLine(
        at = time(r.decidedAt),
        reviewer = r.reviewer,
        decision = r.decision?.let { Text.Core(it.label()) } ?: text("review_decision_unknown"),
        comment = r.comment.trim(),
        verified = r.signatureVerified,
    )

    /** What the server's refusal of a decision means: the core's words; it is kept on the phone and sent again at every sync. */
    fun refusal(rejected: RejectedRecord): Problem =
        Problem(Text.Core(rejected.message), Recovery.NONE, detail = rejected.reason)
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
    val message: Problem? = null,
    /** What the last decision did, e.g. "Approved CSQU3054383 and sent it to the server". */
    val notice: Text? = null,
) {
    /** Whether the open inspection waits for a decision (return, and approve when [canApprove]). */
    val canDecide: Boolean get() = !busy && open?.reviewState?.awaitsDecision == true

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
        _state.update { it.copy(loading = false, message = Problems.of(e)) }
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
        val view = _state.value.open ?: throw InputException("input_open_first")
        val comment = _state.value.comment.trim()
        if (returning && comment.isEmpty()) {
            throw InputException(Text.Shell("input_return_comment"), "field_comment")
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
        val what = if (returning) "returned" else "approved"
        // The decision is stored on the phone; send it now.
        var refusal: Problem? = null
        val notice = try {
            val report: SyncReportRecord = repo.sync()
            // A refused decision is listed under its review document's id.
            val refused = report.rejected.firstOrNull { it.kind == DocumentKind.REVIEW && it.id == review.id }
            if (refused != null) {
                refusal = ReviewText.refusal(refused)
                text("review_done_${what}_not_accepted", container, view.inspection.officer)
            } else {
                text("review_done_${what}_sent", container, view.inspection.officer)
            }
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException) throw e
            refusal = Problems.of(e)
            text("review_done_${what}_later", container, view.inspection.officer)
        }
        _state.update { it.copy(open = null, comment = "", notice = notice, message = refusal) }
        load()
    }

    private suspend fun showOpen(id: String) {
        val view = repo.get(id)
        _state.update { it.copy(open = view) }
    }

    private suspend fun act(block: suspend () -> Unit): Boolean = _state.attempt({ copy(busy = it) }, { copy(message = it) }, block)
}
