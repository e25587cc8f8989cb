import Foundation
import QuaysideCore

/// One finding as typed, by the core's names (`findingForm`): what was declared, what the
/// refrigerant identifier found, how much, in what. Like ``InspectionForm``, it is sent whole with
/// the version it was filled from.
///
/// What was found is recorded as the officer really found it: a substance from the reference,
/// "unknown" (``FindingText/unknown``) when the identifier could not tell, a substance the
/// reference does not hold (`identified_other`), or the composition the identifier measured (a
/// contaminated or mixed charge). The core computes the figures from whichever is given and says
/// what they rest on. The net mass is typed as a total or computed from the cylinders and the
/// kilograms printed on one (`kg_per_cylinder`, not stored by the core).
public struct FindingForm: DraftableForm {
    /// One component of a measured composition as typed: a reference name, "air" or "unknown",
    /// and its % by mass.
    public struct Component: Equatable {
        /// The component's name.
        public var component: String
        /// Its share of the sample, % by mass, as typed.
        public var pct: String

        /// A row, empty by default.
        public init(component: String = "", pct: String = "") {
            self.component = component
            self.pct = pct
        }
    }

    /// The fields of the form, by the core's names (`findingFormFields()`, the same on Android).
    public enum Field: String, CaseIterable, FormField {
        case declared, identified, identifiedOther = "identified_other", contentPct = "content_pct"
        case instrument, reading, purityPct = "purity_pct", hsCode = "hs_code", cylinders
        case kgPerCylinder = "kg_per_cylinder", netMassKg = "net_mass_kg", cylinderType = "cylinder_type"
        case labels, concealment, notes
        /// The measured composition: `composition.N.component`, `composition.N.pct`, `composition.rows`.
        case composition

        /// The field's label as shown on screen.
        public var label: String {
            switch self {
            case .declared: return Localization.text("field_finding_declared", "Declared substance")
            case .identified: return Localization.text("field_finding_identified", "Identified substance")
            case .identifiedOther: return Localization.text("field_finding_identified_other", "Identified, not in the reference list")
            case .contentPct: return Localization.text("field_finding_content_pct", "Content")
            case .instrument: return Localization.text("field_finding_instrument", "Instrument")
            case .reading: return Localization.text("field_finding_reading", "Reading")
            case .purityPct: return Localization.text("field_finding_purity_pct", "Purity")
            case .hsCode: return Localization.text("field_finding_hs_code", "HS code observed")
            case .cylinders: return Localization.text("field_finding_cylinders", "Cylinders")
            case .kgPerCylinder: return Localization.text("field_finding_kg_per_cylinder", "Kg per cylinder")
            case .netMassKg: return Localization.text("field_finding_net_mass_kg", "Net mass")
            case .cylinderType: return Localization.text("field_finding_cylinder_type", "Container")
            case .labels: return Localization.text("field_finding_labels", "Labels")
            case .concealment: return Localization.text("field_finding_concealment", "Concealment")
            case .notes: return Localization.text("field_finding_notes", "Notes")
            case .composition: return Localization.text("field_finding_composition", "Composition")
            }
        }
    }

    /// The reference group of pre-blended polyols, whose figures need the controlled content.
    private static let polyolGroup = "polyol"

    public var draftFields: [String: String]

    public init(draftFields fields: [String: String]) {
        draftFields = fields
    }

    /// The form showing `record` as stored, filled by the core.
    public init(record: FindingRecord) {
        self.init(draftFields: findingForm(record: record, decimalSeparator: FormText.decimalSeparator))
    }

    /// Kind of container the substance is in.
    public var cylinderType: CylinderType? {
        get { CylinderType(formValue: self[.cylinderType]) }
        set { self[.cylinderType] = newValue?.formValue ?? "" }
    }

    /// The composition the identifier measured, one row per component (empty rows are ignored).
    public var composition: [Component] {
        get {
            var rows = 0
            while draftFields["composition.\(rows).component"] != nil { rows += 1 }
            return (0..<(draftFields["composition.rows"].flatMap { Int($0) } ?? rows)).map {
                Component(component: draftFields["composition.\($0).component"] ?? "", pct: draftFields["composition.\($0).pct"] ?? "")
            }
        }
        set {
            draftFields = draftFields.filter { !$0.key.hasPrefix("composition.") }
            draftFields.merge(Self.compositionKeys(newValue)) { $1 }
        }
    }

    /// Whether the identifier could not tell what the gas is.
    public var identifiedUnknown: Bool {
        FormText.clean(self[.identified]).lowercased() == FindingText.unknown
    }

    /// Whether the form asks for the polyol's HCFC-141b content: a pre-blended polyol is declared
    /// or identified (its figures need the content), or a content was already typed.
    public var needsContent: Bool {
        if !FormText.clean(self[.contentPct]).isEmpty { return true }
        return [Field.declared, .identified].contains { field in
            let name = FormText.clean(self[field])
            return !name.isEmpty && QuaysideCore.substance(name: name)?.group == Self.polyolGroup
        }
    }

    /// The measured composition, read and checked by the core (`findingFieldsFromForm`, blank
    /// rows skipped) as it will be when saved, so the officer learns at once.
    /// - Throws: ``FormValidationError`` for "Composition", worded from the core's refusal
    ///   (`composition_*`, `quantity_*`, an unknown substance).
    public func compositionShares() throws -> [ComponentShare] {
        try Self.read(draftFields.filter { $0.key.hasPrefix("composition.") }).composition ?? []
    }

    /// The net mass this finding records, by the core's rule (the same on Android): the total as
    /// typed, else the cylinders counted times the kilograms printed on one, as officers count
    /// them on the quay ("1139 cylinders of 13.6 kg"), rounded to grams; else `nil`.
    /// - Throws: ``FormValidationError`` for the field at fault, worded from the core's refusal.
    public func netMass() throws -> Double? {
        let quantity = [Field.cylinders, .kgPerCylinder, .netMassKg].map { ($0.rawValue, self[$0]) }
        return try Self.read(Dictionary(uniqueKeysWithValues: quantity)).netMassKg
    }

    /// Every field for the core, read by the core from the form as the draft keeps it (empty text
    /// clears a field; an empty number leaves it as it is; no composition row clears the
    /// composition). Both an identified and an other substance is refused by the core on save.
    /// - Throws: ``FormValidationError`` for the field the core refuses, worded from its refusal.
    public func fields() throws -> FindingFields {
        var form = draftFields
        if composition.isEmpty { form.merge(Self.compositionKeys([Component()])) { $1 } }
        return try Self.read(form)
    }

    /// `form` read by the core; a refusal naming a field is reported against it.
    private static func read(_ form: [String: String]) throws -> FindingFields {
        try reading { try findingFieldsFromForm(form: form, decimalSeparator: FormText.decimalSeparator) }
    }

    /// The composition rows as the form's keys (`composition.N.component`, `composition.N.pct`,
    /// `composition.rows`).
    private static func compositionKeys(_ rows: [Component]) -> [String: String] {
        var fields = ["composition.rows": String(rows.count)]
        for (index, row) in rows.enumerated() {
            fields["composition.\(index).component"] = row.component
            fields["composition.\(index).pct"] = row.pct
        }
        return fields
    }
}
