package org.quayside.shell

import org.quayside.core.FindingFiguresRecord
import org.quayside.core.FindingRecord
import org.quayside.core.FlagRecord

/**
 * How a finding reads beyond what the core words ([FindingRecord.title], [FindingRecord.name],
 * `FigureBasis.label()`, rendered with [text]): what one kilogram is made of, and flags named by
 * the finding they concern (the core's flag messages no longer name it; [FlagRecord.findingId] does).
 */
object FindingText {
    /** What the core records when the identifier could not tell what the gas is. */
    const val UNKNOWN = "unknown"

    /**
     * What one kilogram is made of, when it is more than one substance (a blend, a measured
     * composition): "HCFC-22 60 % · R-290 38 % · air 2 %". `null` for a single substance.
     */
    fun parts(figures: FindingFiguresRecord): String? =
        figures.parts.takeIf { it.size > 1 }?.joinToString(" \u00b7 ") { "${it.substance} ${Figures.fmt(it.fraction * 100.0, 1)} %" }

    /**
     * A flag as one line: the core's words ([FlagRecord.message], `msg_flag_*`), led by the
     * finding it concerns (`flag_of_finding`: "Finding 2: Nothing declared: identified
     * R-290."). A flag of the whole inspection (a container number, a seizure) is the core's words
     * alone. [FlagRecord.text] is English for logs and is never shown.
     */
    fun flag(flag: FlagRecord, findings: List<FindingRecord>): Text {
        val words = Text.Core(flag.message)
        val i = findings.indexOfFirst { it.id == flag.findingId }
        return if (i < 0) words else Text.Composed("flag_of_finding", listOf(Text.Typed("${i + 1}"), Text.Core(findings[i].name), words))
    }
}
