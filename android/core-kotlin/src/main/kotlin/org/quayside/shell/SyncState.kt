package org.quayside.shell

import org.quayside.core.SyncObserver
import org.quayside.core.SyncProgressRecord
import org.quayside.core.SyncReportRecord
import org.quayside.core.SyncStatusRecord

/** Where the sync of this device stands, for the sync screen and the list's banner. */
sealed interface SyncState {
    /** No sync has run since the app started. */
    data object Idle : SyncState

    /** A sync is running; [progress] is the latest step the core reported. */
    data class Running(val progress: SyncProgressRecord) : SyncState

    /** The last sync finished; [report] says what it did. */
    data class Done(val report: SyncReportRecord) : SyncState

    /** The last sync failed; [message] says why and what to do. */
    data class Failed(val message: UserMessage) : SyncState
}

/** Presentation of sync progress and pending work, shared by every screen that shows it. */
object SyncText {
    /** A sentence for a progress step, e.g. "Sending and receiving records (3 of 7)". */
    fun phase(p: SyncProgressRecord): String = when (p.phase) {
        "feed" -> "Asking the server what changed"
        "documents" -> "Sending and receiving records" + of(p.documentsDone, p.documentsTotal)
        "photos" -> "Uploading photos" + of(p.photosDone, p.photosTotal)
        "retry" -> "Connection lost, retrying" + (p.message?.let { ": $it" } ?: "")
        "done" -> "Up to date"
        else -> p.phase
    }

    private fun of(done: ULong, total: ULong) = if (total > 0uL) " ($done of $total)" else ""

    /** Progress between 0 and 1 for a progress bar, `null` when indeterminate (feed, retry). */
    fun fraction(p: SyncProgressRecord): Float? = when (p.phase) {
        "documents" -> ratio(p.documentsDone, p.documentsTotal)
        "photos" -> ratio(p.photosDone, p.photosTotal)
        "done" -> 1f
        else -> null
    }

    private fun ratio(done: ULong, total: ULong): Float? =
        if (total == 0uL) null else (done.toDouble() / total.toDouble()).toFloat().coerceIn(0f, 1f)

    /** What is not yet on the server, e.g. "2 inspections and 5 photos not yet on the server". */
    fun pending(s: SyncStatusRecord): String {
        val parts = buildList {
            if (s.unsyncedInspections > 0uL) add(plural(s.unsyncedInspections, "inspection"))
            if (s.unsyncedPhotos > 0uL) add(plural(s.unsyncedPhotos, "photo"))
        }
        val waiting = if (parts.isEmpty()) "Everything is on the server" else parts.joinToString(" and ") + " not yet on the server"
        val refused = if (s.rejected.isEmpty()) "" else "; ${plural(s.rejected.size.toULong(), "inspection")} refused by the server"
        val enrolled = if (s.enrolled) "" else " (phone not enrolled)"
        return waiting + refused + enrolled
    }

    /** A summary of a finished sync, e.g. "Sent 1, received 2, 3 photos uploaded". */
    fun report(r: SyncReportRecord): String = buildString {
        append("Sent ${r.pushed}, received ${r.received}")
        if (r.photosUploaded > 0uL) append(", ${plural(r.photosUploaded, "photo")} uploaded")
        if (r.rejected.isNotEmpty()) append(", ${plural(r.rejected.size.toULong(), "inspection")} refused")
    }

    private fun plural(n: ULong, word: String) = if (n == 1uL) "1 $word" else "$n ${word}s"
}

/** A [SyncObserver] that hands every progress step to [onStep] (called on the syncing thread). */
class ForwardingSyncObserver(private val onStep: (SyncProgressRecord) -> Unit) : SyncObserver {
    /** Forwards [progress] to the callback given at construction. */
    override fun onProgress(progress: SyncProgressRecord) = onStep(progress)
}
