import Foundation
import QuaysideCore

/// Text as officers type it and numbers as they read them in a form.
///
/// Forms are read and filled by the core (`inspectionFieldsFromForm`, `findingForm`, ...) with the
/// decimal separator of the officer's locale, so "13,6" and "13.6" mean what the officer means and
/// a refusal ("is not a number", "cannot be negative") is the core's, in the officer's language.
public enum FormText {
    private static let lock = NSLock()
    private static var separatorOverride: String?

    /// The decimal separator numbers are typed and shown with: the locale's, unless a test sets one.
    public static var decimalSeparator: String {
        get {
            lock.lock(); defer { lock.unlock() }
            return separatorOverride ?? Locale.current.decimalSeparator ?? "."
        }
        set { lock.lock(); separatorOverride = newValue; lock.unlock() }
    }

    /// `text` without leading and trailing whitespace.
    public static func clean(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A number as editable text, written by the core with the locale's decimal separator.
    public static func text(_ number: Double?) -> String {
        guard let number else { return "" }
        return formatQuantity(value: number, decimalSeparator: decimalSeparator)
    }

    /// A count as editable text.
    public static func text(_ count: UInt32?) -> String {
        count.map { String($0) } ?? ""
    }
}

/// RFC 3339 timestamps as the core writes them (`2026-11-29T13:49:00.123Z`).
public enum Timestamp {
    /// The date of an RFC 3339 timestamp, with or without fractional seconds.
    public static func date(_ text: String) -> Date? {
        withFraction.date(from: text) ?? withoutFraction.date(from: text)
    }

    /// A date as an RFC 3339 timestamp in UTC with milliseconds.
    public static func string(_ date: Date) -> String {
        withFraction.string(from: date)
    }

    /// A timestamp for display in the officer's locale ("29 Nov 2026 at 13:49"), or the text as
    /// it is when it cannot be read.
    public static func display(_ text: String) -> String {
        guard let date = date(text) else { return text }
        return date.formatted(date: .abbreviated, time: .shortened)
    }

    private static let withFraction: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    private static let withoutFraction: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()
}

/// The core's computed quantities formatted for reading. The figures themselves (tonnes,
/// ODP-tonnes, CO2-equivalent) always come from the core's assessment.
///
/// ODP- and CO2-eq tonnes cover only the kilograms whose ODP and GWP are known; the rest is
/// counted apart (`odpUnknownKg`, `gwpUnknownKg`). An unknown is shown as unknown or as a lower
/// bound, never as 0: "0 ODP-t" for an unidentified gas would under-state a seizure.
public enum Figures {
    /// Kilograms, e.g. "15,490.4 kg".
    public static func kg(_ value: Double) -> String {
        "\(value.formatted(.number.precision(.fractionLength(0...1)))) kg"
    }

    /// Metric tonnes, e.g. "15.49 t".
    public static func tonnes(_ value: Double) -> String {
        "\(value.formatted(.number.precision(.fractionLength(0...3)))) t"
    }

    /// ODP-tonnes, e.g. "0.852 ODP-t". For a `QuantityRecord` use the overload taking it, which
    /// words unknown kilograms.
    public static func odpTonnes(_ value: Double) -> String {
        "\(figure(value, decimals: 3)) ODP-t"
    }

    /// CO2-equivalent tonnes, e.g. "28,038 t CO2-eq".
    public static func co2eTonnes(_ value: Double) -> String {
        "\(figure(value, decimals: 0)) t CO2-eq"
    }

    /// "0.852 ODP-t"; "unknown ODP-t" when no kilogram has a known ODP; "at least 0.852 ODP-t
    /// (120 kg not known)" when some have not.
    public static func odpTonnes(_ quantity: QuantityRecord) -> String {
        knownPart(quantity.odpTonnes, decimals: 3, unknownKg: quantity.odpUnknownKg, of: quantity.kg, unit: "ODP-t")
    }

    /// "28,038 t CO2-eq", "unknown t CO2-eq" or "at least … t CO2-eq (N kg not known)", as the ODP-tonnes.
    public static func co2eTonnes(_ quantity: QuantityRecord) -> String {
        knownPart(quantity.co2eTonnes, decimals: 0, unknownKg: quantity.gwpUnknownKg, of: quantity.kg, unit: "t CO2-eq")
    }

    /// A list row's ODP-tonnes, worded as a quantity's.
    public static func odpTonnes(_ summary: InspectionSummary) -> String {
        knownPart(summary.odpTonnes, decimals: 3, unknownKg: summary.odpUnknownKg, of: summary.totalKg, unit: "ODP-t")
    }

    /// A list row's CO2-eq tonnes, worded as a quantity's.
    public static func co2eTonnes(_ summary: InspectionSummary) -> String {
        knownPart(summary.co2eTonnes, decimals: 0, unknownKg: summary.gwpUnknownKg, of: summary.totalKg, unit: "t CO2-eq")
    }

    /// One line: "15,490.4 kg · 0.852 ODP-t · 28,038 t CO2-eq", unknowns worded.
    public static func quantity(_ quantity: QuantityRecord) -> String {
        "\(kg(quantity.kg)) · \(odpTonnes(quantity)) · \(co2eTonnes(quantity))"
    }

    /// `value` with `decimals` decimals, or more where fewer would show a non-zero value as zero
    /// (then two significant digits: 50 kg of R-290 is "0.15 t CO2-eq", never "0"), as the CLI does.
    public static func figure(_ value: Double, decimals: Int) -> String {
        var places = decimals
        if value != 0 && value.isFinite {
            while places < 15 && (abs(value) * pow(10, Double(places))).rounded() == 0 { places += 1 }
            if places > decimals { places += 1 }
        }
        return value.formatted(.number.precision(.fractionLength(places)))
    }

    private static func knownPart(_ value: Double, decimals: Int, unknownKg: Double, of allKg: Double, unit: String) -> String {
        if unknownKg > 0 && unknownKg >= allKg {
            return Localization.format(Localization.text("figure_unknown", "unknown %1$@"), [unit])
        }
        if unknownKg > 0 {
            return Localization.format(Localization.text("figure_at_least", "at least %1$@ %2$@ (%3$@ not known)"),
                                       [figure(value, decimals: decimals), unit, kg(unknownKg)])
        }
        return "\(figure(value, decimals: decimals)) \(unit)"
    }
}

/// Ids as officers read them.
public enum Ids {
    /// How many characters of an id screens show.
    public static let shown = 8

    /// The last ``shown`` characters of `id`. Inspection, finding and custody ids (and device ids)
    /// are UUIDv7, whose start is a timestamp shared by everything made in the same second; their
    /// end tells them apart (the CLI shows the same part).
    public static func short(_ id: String) -> String {
        String(id.suffix(shown))
    }
}
