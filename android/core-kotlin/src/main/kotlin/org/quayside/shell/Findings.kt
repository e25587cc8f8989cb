package org.quayside.shell

import org.quayside.core.ComponentShare
import org.quayside.core.FigureBasis
import org.quayside.core.FindingFiguresRecord
import org.quayside.core.FindingRecord
import org.quayside.core.FlagRecord

/**
 * How a finding reads on the editor and review screens: what was found (a reference substance,
 * "unknown", a substance outside the reference, a measured composition), what its figures rest
 * on, and flags named by the finding they concern (the core's flag messages no longer name it;
 * [FlagRecord.findingId] does).
 */
object FindingText {
    /** What the core records when the identifier could not tell what the gas is. */
    const val UNKNOWN = "unknown"

    /** "HCFC-22 60 %, R-290 38 %, air 2 %" */
    fun composition(parts: List<ComponentShare>): String =
        parts.joinToString(", ") { "${it.component} ${Figures.fmt(it.pct, 2)} %" }

    /** What the identifier found, or `null` when nothing was identified. */
    fun identified(f: FindingRecord): String? = when {
        f.identifiedSubstance == UNKNOWN -> "unknown substance"
        f.identifiedSubstance != null -> f.identifiedSubstance
        f.identifiedOther != null -> "${f.identifiedOther} (not in the reference)"
        else -> null
    }

    /**
     * The card's title: "Found HCFC-22, measured HCFC-22 60 %, R-290 38 %, air 2 %, declared HFC-134a";
     * "No substance recorded" when there is nothing (the finding then counts in kg only).
     */
    fun title(f: FindingRecord): String = listOfNotNull(
        identified(f)?.let { "Found $it" },
        f.composition.takeIf { it.isNotEmpty() }?.let { "measured " + composition(it) },
        f.contentPct?.let { "HCFC-141b content ${Figures.fmt(it, 2)} %" },
        f.declaredSubstance?.let { "declared $it" },
    ).joinToString(", ").ifEmpty { "No substance recorded" }

    /** A short name for chips and labels: the identified, measured or declared substance, else the id's end. */
    fun name(f: FindingRecord): String =
        f.identifiedSubstance
            ?: f.identifiedOther
            ?: f.composition.maxByOrNull { it.pct }?.let { "${it.component} (measured)" }
            ?: f.declaredSubstance
            ?: "finding \u2026${Ids.short(f.id)}"

    /** What the figures of a finding rest on, in a few words. */
    fun basis(b: FigureBasis): String = when (b) {
        FigureBasis.MEASURED -> "figures from the measured composition"
        FigureBasis.IDENTIFIED -> "figures from the identified substance"
        FigureBasis.DECLARED -> "figures from the declared substance (nothing identified)"
        FigureBasis.NOT_IDENTIFIED -> "not identified: ODP and CO2-eq unknown until laboratory analysis"
        FigureBasis.NOT_RECORDED -> "no substance recorded: counted in kg only"
    }

    /**
     * What one kilogram is made of, when it is more than one substance (a blend, a measured
     * composition): "HCFC-22 60 % · R-290 38 % · air 2 %". `null` for a single substance.
     */
    fun parts(figures: FindingFiguresRecord): String? =
        figures.parts.takeIf { it.size > 1 }?.joinToString(" \u00b7 ") { "${it.substance} ${Figures.fmt(it.fraction * 100.0, 1)} %" }

    /**
     * A flag as one line, in the device's language through a [Localizer]: the core's words
     * ([FlagRecord.message], `msg_flag_*`), led by the finding it concerns (`flag_of_finding`:
     * "Finding 2: Nothing declared: identified R-290."). A flag of the whole inspection
     * (a container number, a seizure) is the core's words alone. [FlagRecord.text] is English for
     * logs and is never shown.
     */
    fun flag(flag: FlagRecord, findings: List<FindingRecord>): Text {
        val words = Text.Core(flag.message)
        val i = findings.indexOfFirst { it.id == flag.findingId }
        return if (i < 0) words else Text.Composed("flag_of_finding", listOf(Text.Typed("${i + 1}"), Text.Typed(name(findings[i])), words))
    }
}
