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
import org.quayside.core.DocumentKind
import org.quayside.core.InspectionFilter
import org.quayside.core.InspectionStatus
import org.quayside.core.InspectionSummary
import org.quayside.core.QuantityRecord
import org.quayside.core.ReviewState
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
    /** Why the server refused it, when it did (the core's words). */
    val refusal: Text?,
) {
    /** Where the inspection stands in review (draft, awaiting review, changed since submission, returned, approved, changed since approval). */
    val review: ReviewState get() = summary.reviewState

    /** Whether this phone holds changes to it the server has not confirmed. */
    val pendingSync: Boolean get() = summary.pendingSync

    /** "CSQU3054383 · R-22 · 15.49 t · 0.852 ODP-t · 28038 t CO2-eq" */
    val headline: Text get() = Figures.headline(summary)
}

/** Everything the inspection list screen shows. */
data class ListState(
    /** Matching inspections, newest first: the pages loaded so far. */
    val rows: List<InspectionRow> = emptyList(),
    /** More matching inspections exist beyond [rows]: the screen offers "Load more" (or loads on scrolling). */
    val hasMore: Boolean = false,
    /** The search as typed: a container number fragment or a substance name. */
    val query: String = "",
    /** What is not yet on the server and when it goes (the core's sync schedule message). */
    val pending: Text? = null,
    /** Nothing loaded yet. */
    val loading: Boolean = true,
    /** Why the list could not be read. */
    val message: Problem? = null,
)

/**
 * Number formats used in lists, cards and summaries. ODP- and CO2-eq tonnes cover only the
 * kilograms whose ODP and GWP are known; the rest is counted apart ([QuantityRecord.odpUnknownKg],
 * [QuantityRecord.gwpUnknownKg]). An unknown is shown as unknown or as a lower bound, never as 0:
 * a report saying "0 ODP-t" for an unidentified gas would under-state a seizure.
 */
object Figures {
    /** [value] with at most [decimals] decimals and no trailing zeros. */
    fun fmt(value: Double, decimals: Int): String =
        java.math.BigDecimal(value).setScale(decimals, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString()

    /**
     * [value] with [decimals] decimals, or more where fewer would show a non-zero value as zero
     * (then two significant digits: 50 kg of R-290 is "0.15" t CO2-eq, not "0"), as the CLI does.
     */
    fun figure(value: Double, decimals: Int): String {
        if (value == 0.0) return "0"
        if (!value.isFinite()) return value.toString()
        var d = decimals
        while (d < 15 && java.math.BigDecimal(value).setScale(d, java.math.RoundingMode.HALF_UP).signum() == 0) d++
        return fmt(value, if (d > decimals) d + 1 else d)
    }

    /** "0.852 ODP-t", "unknown ODP-t" when no kilogram has a known ODP, "at least 0.003 ODP-t (40 kg not known)" when some have. */
    fun odpTonnes(q: QuantityRecord): Text = knownPart(q.odpTonnes, 3, q.odpUnknownKg, q.kg, "ODP-t")

    /** "28038 t CO2-eq", "unknown t CO2-eq", or "at least ... t CO2-eq (N kg not known)", as [odpTonnes]. */
    fun co2eTonnes(q: QuantityRecord): Text = knownPart(q.co2eTonnes, 0, q.gwpUnknownKg, q.kg, "t CO2-eq")

    /** "15490.4 kg · 15.49 t · 0.852 ODP-t · 28038 t CO2-eq", unknowns worded as in [odpTonnes]. */
    fun quantity(q: QuantityRecord): Text =
        Text.Joined(listOf(Text.Typed("${fmt(q.kg, 1)} kg"), Text.Typed("${figure(q.tonnes, 3)} t"), odpTonnes(q), co2eTonnes(q)), " \u00b7 ")

    /**
     * [value] in [unit], worded by how many of [allKg] kilograms it leaves out ([unknownKg]):
     * `figure_unknown` ("unknown ODP-t"), `figure_at_least` ("at least 0.003 ODP-t (40 kg not known)").
     */
    fun knownPart(value: Double, decimals: Int, unknownKg: Double, allKg: Double, unit: String): Text = when {
        unknownKg > 0.0 && unknownKg >= allKg -> text("figure_unknown", unit)
        unknownKg > 0.0 -> text("figure_at_least", figure(value, decimals), unit, fmt(unknownKg, 1))
        else -> Text.Typed("${figure(value, decimals)} $unit")
    }

    /** The row's one-line summary of container, substances and quantities. */
    fun headline(s: InspectionSummary): Text = Text.Joined(
        buildList {
            add(Text.Typed(s.containerNumber))
            if (s.substances.isNotEmpty()) add(Text.Typed(s.substances.joinToString(", ")))
            if (s.totalKg > 0) {
                add(Text.Typed("${fmt(s.totalKg / 1000.0, 2)} t"))
                // The same wording as a finding's figures: an unknown is never shown as a zero.
                add(knownPart(s.odpTonnes, 3, s.odpUnknownKg, s.totalKg, "ODP-t"))
                add(knownPart(s.co2eTonnes, 0, s.gwpUnknownKg, s.totalKg, "t CO2-eq"))
            }
        },
        " \u00b7 ",
    )
}

/** Ids as officers read them. */
object Ids {
    /** How many characters of an id screens show. */
    const val SHOWN = 8

    /**
     * The last [SHOWN] characters of [id]. Inspection, finding and custody ids are UUIDv7, whose
     * start is a timestamp shared by everything recorded in the same second; their end tells
     * them apart (the CLI shows the same part).
     */
    fun short(id: String): String = id.takeLast(SHOWN)
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
    val refused: Map<String, Text> = status?.rejected
        ?.filter { it.kind == DocumentKind.INSPECTION }
        ?.associate { it.id to Text.Core(it.message) } ?: emptyMap()
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
 * Reading a list page by page (`limit`/`offset`), so a station with thousands of inspections is
 * never cut off at the core's default of 100 rows.
 */
object Paging {
    /** Rows per page. */
    const val PAGE_SIZE = 50

    /**
     * The first [wanted] rows (at least one page) through [fetch] (offset, limit), page by page,
     * and whether more exist: each page asks for one row more than it keeps.
     */
    suspend fun <T> load(wanted: Int, page: Int = PAGE_SIZE, fetch: suspend (offset: Int, limit: Int) -> List<T>): Pair<List<T>, Boolean> {
        val rows = ArrayList<T>()
        val target = maxOf(wanted, page)
        while (true) {
            val got = fetch(rows.size, page + 1)
            rows += got.take(page)
            val more = got.size > page
            if (!more) return rows to false
            if (rows.size >= target) return rows to true
        }
    }
}

/**
 * State holder behind the inspection list: the officer's inspections (newest first), a page at a
 * time with "Load more", with conflict/flag/refusal/not-synced markers and review states, a search
 * box, and the sync banner. It reloads (as many rows as are shown) whenever the repository's
 * revision moves (local edit, sync) or the query changes.
 */
class InspectionListModel(private val repo: InspectionRepository, private val scope: CoroutineScope, private val pageSize: Int = Paging.PAGE_SIZE) {
    private val _state = MutableStateFlow(ListState())
    private val query = MutableStateFlow("")
    private val wanted = MutableStateFlow(pageSize)
    private var job: Job? = null

    /** What the screen shows. */
    val state: StateFlow<ListState> = _state.asStateFlow()

    /** Starts following the store; call once (the app's ViewModel does so in init). */
    fun start() {
        if (job != null) return
        job = scope.launch {
            runCatching { repo.refreshSyncStatus() }
            combine(repo.revision, query, repo.syncStatus, wanted) { _, q, status, n -> Triple(q, status, n) }
                .collectLatest { (q, status, n) -> reload(q, status, n) }
        }
    }

    /** Changes the search; the list follows, from its first page. */
    fun search(text: String) {
        wanted.value = pageSize
        query.value = text
        _state.update { it.copy(query = text) }
    }

    /** Shows the next page (the screen's "Load more", or scrolling to the end). */
    fun loadMore() {
        if (_state.value.hasMore) wanted.value = _state.value.rows.size + pageSize
    }

    private suspend fun reload(q: String, status: SyncStatusRecord?, n: Int) {
        try {
            val base = filterFor(q)
            val (summaries, more) = Paging.load(n, pageSize) { offset, limit ->
                repo.list(base.copy(offset = offset.toUInt(), limit = limit.toUInt()))
            }
            val schedule = runCatching { repo.syncSchedule() }.getOrNull()
            val rows = rowsFor(summaries, status)
            _state.update {
                it.copy(rows = rows, hasMore = more, loading = false, message = null, pending = schedule?.let(SyncText::pending))
            }
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException) throw e
            _state.update { it.copy(loading = false, message = Problems.of(e)) }
        }
    }
}
