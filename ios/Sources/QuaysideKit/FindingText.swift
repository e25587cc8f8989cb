import Foundation
import QuaysideCore

/// How a finding reads on the editor and review screens, beyond what the core words itself (its
/// `title` and `name`, `FigureBasis.label()`): what one kilogram is made of, and flags named by the
/// finding they concern (the core's flag messages do not name it; `FlagRecord.findingId` does).
public enum FindingText {
    /// What the core records when the identifier could not tell what the gas is.
    public static let unknown = "unknown"

    /// A finding's title in the officer's language: the core's parts ("Found HCFC-22", "declared
    /// HFC-134a"), each localised, joined.
    public static func title(_ finding: FindingRecord) -> String {
        finding.title.map(\.localized).joined(separator: ", ")
    }

    /// What one kilogram is made of, when it is more than one substance (a blend, a measured
    /// composition): "HCFC-22 60 % · R-290 38 % · air 2 %". `nil` for a single substance.
    public static func parts(_ figures: FindingFiguresRecord) -> String? {
        guard figures.parts.count > 1 else { return nil }
        return figures.parts.map {
            "\($0.substance) \(($0.fraction * 100).formatted(.number.precision(.fractionLength(0...2)))) %"
        }.joined(separator: " · ")
    }

    /// A flag as one line in the officer's language, led by the finding it concerns: "Finding 2
    /// (R-290): Nothing declared: identified R-290." (the shell's `flag_on_finding` around the
    /// core's message, localised from its key). Flags on the inspection as a whole, or read under
    /// their finding (no `findings` given), are their message alone.
    public static func flag(_ flag: FlagRecord, findings: [FindingRecord]) -> String {
        let message = flag.message.localized
        guard let index = findings.firstIndex(where: { $0.id == flag.findingId }) else { return message }
        return Localization.format(Localization.text("flag_on_finding", "Finding %1$@ (%2$@): %3$@"),
                                   [String(index + 1), findings[index].name.localized, message])
    }
}
