import Foundation
import QuaysideCore

/// The editable state of one finding: what was declared, what the refrigerant identifier found,
/// how much, in what. Like ``InspectionForm``, it is sent whole with the version it was filled from.
///
/// What was found is recorded as the officer really found it: a substance from the reference,
/// "unknown" when the identifier could not tell, a substance the reference does not hold
/// (``identifiedOther``), or the composition the identifier measured (a contaminated or mixed
/// charge). The core computes the figures from whichever is given and says what they rest on.
public struct FindingForm: Equatable, DraftableForm {
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

    /// The reference group of pre-blended polyols, whose figures need the controlled content.
    private static let polyolGroup = "polyol"

    /// Substance named in the declaration or on the labels (any reference name: "R-134a").
    public var declaredSubstance = ""
    /// Substance the identifier found ("R-22"), or ``FindingText/unknown`` when it could not tell.
    public var identifiedSubstance = ""
    /// A substance identified that the reference does not hold, as the identifier named it.
    public var identifiedOther = ""
    /// The composition the identifier measured, one row per component (empty rows are ignored).
    public var composition: [Component] = []
    /// Of a pre-blended polyol: its HCFC-141b content in % by mass, as typed.
    public var contentPct = ""
    /// The refrigerant identifier used.
    public var instrument = ""
    /// The identifier's reading as displayed ("R22 99.1%").
    public var readingResult = ""
    /// Purity in percent, as typed.
    public var purityPct = ""
    /// HS code the goods actually fall under.
    public var hsCodeObserved = ""
    /// Number of cylinders, as typed.
    public var cylinders = ""
    /// Kind of container the substance is in.
    public var cylinderType: CylinderType?
    /// The net mass of one cylinder in kg as printed on it, as typed (the net mass is computed
    /// from it and the cylinders when no total is typed; not stored by the core).
    public var kgPerCylinder = ""
    /// Total net mass in kg, as typed (empty: computed, see ``netMass()``).
    public var netMassKg = ""
    /// Labels seen on the cylinders.
    public var labels = ""
    /// How the goods were concealed.
    public var concealment = ""
    /// Free-text notes.
    public var notes = ""

    /// An empty form, for a new finding.
    public init() {}

    /// The form showing `record` as stored.
    public init(record: FindingRecord) {
        declaredSubstance = record.declaredSubstance ?? ""
        identifiedSubstance = record.identifiedSubstance ?? ""
        identifiedOther = record.identifiedOther ?? ""
        composition = record.composition.map { Component(component: $0.component, pct: FormText.text($0.pct)) }
        contentPct = FormText.text(record.contentPct)
        instrument = record.identifierReading?.instrument ?? ""
        readingResult = record.identifierReading?.result ?? ""
        purityPct = FormText.text(record.identifierReading?.purityPct)
        hsCodeObserved = record.hsCodeObserved ?? ""
        cylinders = FormText.text(record.cylinders)
        cylinderType = record.cylinderType
        netMassKg = FormText.text(record.netMassKg)
        labels = record.labels ?? ""
        concealment = record.concealment ?? ""
        notes = record.notes ?? ""
    }

    /// Whether the identifier could not tell what the gas is.
    public var identifiedUnknown: Bool {
        FormText.clean(identifiedSubstance).lowercased() == FindingText.unknown
    }

    /// Whether the form asks for the polyol's HCFC-141b content: a pre-blended polyol is declared
    /// or identified (its figures need the content), or a content was already typed.
    public var needsContent: Bool {
        if !FormText.clean(contentPct).isEmpty { return true }
        return [declaredSubstance, identifiedSubstance].contains { typed in
            let name = FormText.clean(typed)
            return !name.isEmpty && QuaysideCore.substance(name: name)?.group == Self.polyolGroup
        }
    }

    /// The measured composition, read and checked by the core (`findingFieldsFromForm`, blank
    /// rows skipped) as it will be when saved, so the officer learns at once.
    /// - Throws: ``FormValidationError`` for "Composition", worded from the core's refusal
    ///   (`composition_*`, `quantity_*`, an unknown substance).
    public func compositionShares() throws -> [ComponentShare] {
        try Self.read(Self.compositionKeys(composition)).composition ?? []
    }

    /// The net mass this finding records, by the core's rule (the same on Android): the total as
    /// typed, else the cylinders counted times the kilograms printed on one, as officers count
    /// them on the quay ("1139 cylinders of 13.6 kg"), rounded to grams; else `nil`.
    /// - Throws: ``FormValidationError`` for the field at fault, worded from the core's refusal.
    public func netMass() throws -> Double? {
        try Self.read(["cylinders": cylinders, "kg_per_cylinder": kgPerCylinder, "net_mass_kg": netMassKg]).netMassKg
    }

    /// The core's fields for a new finding.
    public func newFindingFields() throws -> FindingFields {
        try fields()
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

    /// The form's fields as shown on screen, by the core's form keys (`findingFormFields`).
    private static let fieldLabels: [String: String] = [
        "declared": "Declared substance", "identified": "Identified substance",
        "identified_other": "Identified, not in the reference list", "content_pct": "Content",
        "instrument": "Instrument", "reading": "Reading", "purity_pct": "Purity", "hs_code": "HS code observed",
        "cylinders": "Cylinders", "kg_per_cylinder": "Kg per cylinder", "net_mass_kg": "Net mass",
        "cylinder_type": "Container", "labels": "Labels", "concealment": "Concealment", "notes": "Notes",
        "composition": "Composition",
    ]

    /// `form` read by the core; a refusal naming a field is reported against its label.
    private static func read(_ form: [String: String]) throws -> FindingFields {
        do {
            return try findingFieldsFromForm(form: form, decimalSeparator: FormText.decimalSeparator)
        } catch let refusal as ApiError {
            guard case let .Invalid(_, _, field?) = refusal else { throw refusal }
            throw FormValidationError(field: fieldLabels[field] ?? field, refusal: refusal)
        }
    }

    /// The composition rows as the form's keys (`composition.N.component`, `composition.N.pct`).
    private static func compositionKeys(_ rows: [Component]) -> [String: String] {
        var fields: [String: String] = [:]
        for (index, row) in rows.enumerated() {
            fields["composition.\(index).component"] = row.component
            fields["composition.\(index).pct"] = row.pct
        }
        return fields
    }

    // MARK: Drafts

    /// The form by the core's keys (`findingFormFields`, the same on Android), composition rows
    /// as `composition.N.component` / `.pct`: the draft kept and what ``fields()`` sends.
    public var draftFields: [String: String] {
        var fields: [String: String] = [
            "declared": declaredSubstance, "identified": identifiedSubstance,
            "identified_other": identifiedOther, "content_pct": contentPct, "instrument": instrument,
            "reading": readingResult, "purity_pct": purityPct, "hs_code": hsCodeObserved,
            "cylinders": cylinders, "kg_per_cylinder": kgPerCylinder, "net_mass_kg": netMassKg,
            "cylinder_type": cylinderType.map { "\($0)" } ?? "", "labels": labels,
            "concealment": concealment, "notes": notes,
        ]
        fields.merge(Self.compositionKeys(composition)) { $1 }
        return fields
    }

    public init(draftFields fields: [String: String]) {
        declaredSubstance = fields["declared"] ?? ""
        identifiedSubstance = fields["identified"] ?? ""
        identifiedOther = fields["identified_other"] ?? ""
        contentPct = fields["content_pct"] ?? ""
        instrument = fields["instrument"] ?? ""
        readingResult = fields["reading"] ?? ""
        purityPct = fields["purity_pct"] ?? ""
        hsCodeObserved = fields["hs_code"] ?? ""
        cylinders = fields["cylinders"] ?? ""
        kgPerCylinder = fields["kg_per_cylinder"] ?? ""
        netMassKg = fields["net_mass_kg"] ?? ""
        labels = fields["labels"] ?? ""
        concealment = fields["concealment"] ?? ""
        notes = fields["notes"] ?? ""
        let type = FormText.clean(fields["cylinder_type"] ?? "").lowercased()
        cylinderType = CylinderType.choices.first { "\($0)" == type }
        var index = 0
        while let component = fields["composition.\(index).component"] {
            composition.append(Component(component: component, pct: fields["composition.\(index).pct"] ?? ""))
            index += 1
        }
    }
}
