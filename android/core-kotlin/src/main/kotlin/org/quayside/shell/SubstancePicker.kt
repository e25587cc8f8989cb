package org.quayside.shell

import org.quayside.core.ReferenceEntry
import org.quayside.core.SubstanceRecord
import org.quayside.core.lookupReference
import org.quayside.core.substances

/** One choice in the substance picker. */
data class SubstanceChoice(
    /** The name put into the finding (the refrigerant designation when there is one: "R-22"). */
    val name: String,
    /** "R-22 · HCFC-22 · chlorodifluoromethane" */
    val label: String,
    /** "ODP 0.055 · GWP 1810 · HS 2903.71" */
    val detail: String,
    /** The full reference record (ODP, GWP with sources, HS code, blend components). */
    val record: SubstanceRecord,
)

/** The substance picker's search, backed by the core's shipped reference (`lookup_reference`). */
object SubstancePicker {
    /** The name officers use: the "R-" designation when there is one, else the reference id. */
    fun displayName(s: SubstanceRecord): String =
        if (s.id.startsWith("R-")) s.id else s.aliases.firstOrNull { it.startsWith("R-") } ?: s.id

    /** The picker row for [s]. */
    fun choice(s: SubstanceRecord): SubstanceChoice {
        val name = displayName(s)
        val chemical = s.chemicalName.substringBefore(',')
        val label = listOf(name, s.id, chemical).distinct().joinToString(" \u00b7 ")
        val detail = "ODP ${Figures.fmt(s.odp, 3)} \u00b7 GWP ${Figures.fmt(s.gwp, 0)} \u00b7 HS ${s.hsCode}"
        return SubstanceChoice(name, label, detail, s)
    }

    /** Substances matching [query] (any name, designation, formula or code), best first; all of them when blank. */
    fun search(query: String, limit: Int = 25): List<SubstanceChoice> {
        val q = query.trim()
        val found = if (q.isEmpty()) substances() else lookupReference(q).filterIsInstance<ReferenceEntry.Substance>().map { it.substance }
        return found.distinctBy { it.id }.take(limit).map(::choice)
    }
}
