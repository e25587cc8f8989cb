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
import org.quayside.core.InspectionFilter
import org.quayside.core.InspectionStatus
import org.quayside.core.InspectionSummary
import org.quayside.core.SyncStatusRecord

/** A marker drawn on a list row. */
enum class RowMarker {
    /** Two devices edited the same field; the officer should settle it. */
    CONFLICT,

    /** The figures raised a warning (substance mismatch, HS code, check digit, disposable cylinders, ...). */
    FLAGGED,

    /** The server refused this inspection; it stays on the phone. */
    REFUSED,

    /** Changed on this phone and not yet confirmed by the server (the core's per-row `pending_sync`). */
    NOT_SYNCED,
}

/** One row of the inspection list. */
data class InspectionRow(
    /** The core's list row. */
    val summary: InspectionSummary,
    /** Conflict, flag, refusal and not-yet-synced markers. */
    val markers: Set<RowMarker>,
    /** Why the server refused it, when it did. */
    val refusal: String?,
) {
    /** Where the inspection stands in review (draft, awaiting review, changed since submission, returned, approved, changed since approval). */
    val review: ReviewBadge? get() = ReviewBadge.of(summary.reviewState)

    /** Whether this phone holds changes to it the server has not confirmed. */
    val pendingSync: Boolean get() = summary.pendingSync

    /** "CSQU3054383 · R-22 · 15.49 t · 0.852 ODP-t · 28038 t CO2-eq" */
    val headline: String get() = Figures.headline(summary)
}

/** Everything the inspection list screen shows. */
data class ListState(
    /** Matching inspections, newest first. */
    val rows: List<InspectionRow> = emptyList(),
    /** The search as typed: a container number fragment or a substance name. */
    val query: String = "",
    /** What is not yet on the server, e.g. "1 inspection and 2 photos not yet on the server". */
    val pending: String = "",
    /** Nothing loaded yet. */
    val loading: Boolean = true,
    /** Why the list could not be read. */
    val message: UserMessage? = null,
)

/** Number formats used in lists and summaries. */
object Figures {
    /** [value] with at most [decimals] decimals and no trailing zeros. */
    fun fmt(value: Double, decimals: Int): String =
        java.math.BigDecimal(value).setScale(decimals, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString()

    /** The row's one-line summary of container, substances and quantities. */
    fun headline(s: InspectionSummary): String = buildList {
        add(s.containerNumber)
        if (s.substances.isNotEmpty()) add(s.substances.joinToString(", "))
        if (s.totalKg > 0) {
            add("${fmt(s.totalKg / 1000.0, 2)} t")
            add("${fmt(s.odpTonnes, 3)} ODP-t")
            add("${fmt(s.co2eTonnes, 0)} t CO2-eq")
        }
    }.joinToString(" \u00b7 ")
}

/** Turns typed search text into a filter: a known substance name searches substances, anything else container numbers. */
fun filterFor(query: String, status: InspectionStatus? = null, station: String? = null): InspectionFilter {
    val q = query.trim()
    val isSubstance = q.isNotEmpty() && org.quayside.core.substance(q) != null
    return InspectionFilter(
        status = status,
        station = station,
        container = q.takeIf { it.isNotEmpty() && !isSubstance }?.uppercase()?.replace(" ", ""),
        substance = q.takeIf { isSubstance },
    )
}

/**
 * Rows for [summaries], marked from the summary (conflicts, flags, per-row `pending_sync`) and from
 * what the server refused ([status]); a refused row is not also marked as waiting.
 */
fun rowsFor(summaries: List<InspectionSummary>, status: SyncStatusRecord?): List<InspectionRow> {
    val refused = status?.rejected?.associate { it.inspectionId to it.reason } ?: emptyMap()
    return summaries.map { s ->
        val markers = buildSet {
            if (s.conflictCount > 0u) add(RowMarker.CONFLICT)
            if (s.flagCount > 0u) add(RowMarker.FLAGGED)
            if (s.id in refused) add(RowMarker.REFUSED) else if (s.pendingSync) add(RowMarker.NOT_SYNCED)
        }
        InspectionRow(s, markers, refused[s.id])
    }
}

/**
 * State holder behind the inspection list: the officer's inspections (newest first) with
 * conflict/flag/refusal/not-synced markers and review badges, a search box, and the sync banner. It reloads whenever the
 * repository's revision moves (local edit, sync) or the query changes.
 */
class InspectionListModel(private val repo: InspectionRepository, private val scope: CoroutineScope) {
    private val _state = MutableStateFlow(ListState())
    private val query = MutableStateFlow("")
    private var job: Job? = null

    /** What the screen shows. */
    val state: StateFlow<ListState> = _state.asStateFlow()

    /** Starts following the store; call once (the app's ViewModel does so in init). */
    fun start() {
        if (job != null) return
        job = scope.launch {
            runCatching { repo.refreshSyncStatus() }
            combine(repo.revision, query, repo.syncStatus) { _, q, status -> q to status }
                .collectLatest { (q, status) -> reload(q, status) }
        }
    }

    /** Changes the search; the list follows. */
    fun search(text: String) {
        query.value = text
        _state.update { it.copy(query = text) }
    }

    private suspend fun reload(q: String, status: SyncStatusRecord?) {
        try {
            val rows = rowsFor(repo.list(filterFor(q)), status)
            _state.update {
                it.copy(rows = rows, loading = false, message = null, pending = status?.let(SyncText::pending) ?: "")
            }
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException) throw e
            _state.update { it.copy(loading = false, message = UserMessages.of(e)) }
        }
    }
}
