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
    /**
     * "ODP 0.055 · GWP 1810 · HS 2903.71"; led by "not controlled" for what the Montreal Protocol
     * does not control (HFOs, R-290, R-600a, R-744, R-717), with the Protocol's ODP range beside
     * the ODP used where it gives one, and "GWP unknown" where no GWP is published (never a GWP of 0).
     */
    val facts: Text,
    /** The full reference record (ODP, GWP with sources, HS code, blend components). */
    val record: SubstanceRecord,
)

/** The substance picker's search, backed by the core's shipped reference (`lookup_reference`). */
object SubstancePicker {
    /** The picker row for [s]. */
    fun choice(s: SubstanceRecord): SubstanceChoice {
        // The name officers use: the "R-" designation when there is one, else the reference id.
        val name = if (s.id.startsWith("R-")) s.id else s.aliases.firstOrNull { it.startsWith("R-") } ?: s.id
        val chemical = s.chemicalName.substringBefore(',')
        val label = listOf(name, s.id, chemical).distinct().joinToString(" \u00b7 ")
        // The figures use `odp`; the Protocol's range, where it gives one, is shown beside it (`substance_odp_range`).
        val odp = Figures.figure(s.odp, 3)
        val range = s.odpRange?.takeIf { it.size == 2 }?.let { (low, high) -> text("substance_odp_range", odp, Figures.figure(low, 3), Figures.figure(high, 3)) }
        val facts = Text.Joined(
            listOfNotNull(
                text("substance_not_controlled").takeIf { !s.controlled },
                range ?: Text.Typed("ODP $odp"),
                s.gwp?.let { Text.Typed("GWP ${Figures.fmt(it, 0)}") } ?: text("substance_gwp_unknown"),
                Text.Typed("HS ${s.hsCode}").takeIf { s.hsCode.isNotEmpty() },
            ),
            " \u00b7 ",
        )
        return SubstanceChoice(name, label, facts, s)
    }

    /** Substances matching [query] (any name, designation, formula or code), best first; all of them when blank. */
    fun search(query: String, limit: Int = 25): List<SubstanceChoice> {
        val q = query.trim()
        val found = if (q.isEmpty()) substances() else lookupReference(q).filterIsInstance<ReferenceEntry.Substance>().map { it.substance }
        return found.distinctBy { it.id }.take(limit).map(::choice)
    }
}
