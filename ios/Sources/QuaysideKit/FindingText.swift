import Foundation
import QuaysideCore

/// How a finding reads on the editor and review screens: what was found (a reference substance,
/// "unknown", a substance outside the reference, a measured composition), what its figures rest
/// on, and flags named by the finding they concern (the core's flag messages do not name it;
/// `FlagRecord.findingId` does). A flag's `message` is a `UserMessage` worded through the
/// ``Localizer``; its `text` is the core's English, for logs only.
public enum FindingText {
    /// What the core records when the identifier could not tell what the gas is.
    public static let unknown = "unknown"

    /// "HCFC-22 60 %, R-290 38 %, air 2 %"
    public static func composition(_ parts: [ComponentShare]) -> String {
        parts.map { "\($0.component) \(percent($0.pct))" }.joined(separator: ", ")
    }

    /// What the identifier found, or `nil` when nothing was identified.
    public static func identified(_ finding: FindingRecord) -> String? {
        if finding.identifiedSubstance == unknown { return "unknown substance" }
        if let substance = finding.identifiedSubstance { return substance }
        if let other = finding.identifiedOther { return "\(other) (not in the reference)" }
        return nil
    }

    /// The title of a finding: "Found HCFC-22, measured HCFC-22 60 %, R-290 38 %, air 2 %, declared
    /// HFC-134a"; "No substance recorded" when there is nothing (it then counts in kg only).
    public static func title(_ finding: FindingRecord) -> String {
        var parts: [String] = []
        if let identified = identified(finding) { parts.append("Found \(identified)") }
        if !finding.composition.isEmpty { parts.append("measured " + composition(finding.composition)) }
        if let content = finding.contentPct { parts.append("HCFC-141b content \(percent(content))") }
        if let declared = finding.declaredSubstance { parts.append("declared \(declared)") }
        return parts.isEmpty ? "No substance recorded" : parts.joined(separator: ", ")
    }

    /// A short name for pickers and labels: the identified, measured or declared substance, else
    /// the end of the finding's id.
    public static func name(_ finding: FindingRecord) -> String {
        if let substance = finding.identifiedSubstance ?? finding.identifiedOther { return substance }
        if let main = finding.composition.max(by: { $0.pct < $1.pct }) { return "\(main.component) (measured)" }
        return finding.declaredSubstance ?? "finding …\(Ids.short(finding.id))"
    }

    /// What the figures of a finding rest on, in a few words.
    public static func basis(_ basis: FigureBasis) -> String {
        switch basis {
        case .measured: return "Figures from the measured composition"
        case .identified: return "Figures from the identified substance"
        case .declared: return "Figures from the declared substance (nothing identified)"
        case .notIdentified: return "Not identified: ODP and CO2-eq unknown until laboratory analysis"
        case .notRecorded: return "No substance recorded: counted in kg only"
        }
    }

    /// What one kilogram is made of, when it is more than one substance (a blend, a measured
    /// composition): "HCFC-22 60 % · R-290 38 % · air 2 %". `nil` for a single substance.
    public static func parts(_ figures: FindingFiguresRecord) -> String? {
        guard figures.parts.count > 1 else { return nil }
        return figures.parts.map { "\($0.substance) \(percent($0.fraction * 100))" }.joined(separator: " · ")
    }

    /// A flag as one line in the officer's language, led by the finding it concerns: "Finding 2
    /// (R-290): Nothing declared: identified R-290." (the shell's `flag_on_finding` around the
    /// core's message, localised from its key). Flags on the inspection as a whole, or read under
    /// their finding (no `findings` given), are their message alone.
    public static func flag(_ flag: FlagRecord, findings: [FindingRecord]) -> String {
        let message = flag.message.localized
        guard let index = findings.firstIndex(where: { $0.id == flag.findingId }) else { return message }
        return Localization.format(Localization.text("flag_on_finding", "Finding %1$@ (%2$@): %3$@"),
                                   [String(index + 1), name(findings[index]), message])
    }

    private static func percent(_ value: Double) -> String {
        "\(value.formatted(.number.precision(.fractionLength(0...2)))) %"
    }
}
