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

    /// The measured composition, read and checked by the core (`compositionShares`, blank rows
    /// skipped) as it will be when saved, so the officer learns at once.
    /// - Throws: ``FormValidationError`` for "Composition", worded from the core's refusal
    ///   (`composition_*`, `quantity_*`, an unknown substance).
    public func compositionShares() throws -> [ComponentShare] {
        try FormText.field("Composition") {
            try QuaysideCore.compositionShares(
                rows: composition.map { CompositionRow(component: $0.component, pct: $0.pct) },
                decimalSeparator: FormText.decimalSeparator)
        }
    }

    /// The net mass this finding records, by the core's rule (`netMass`, the same on Android):
    /// the total as typed, else the cylinders counted times the kilograms printed on one, as
    /// officers count them on the quay ("1139 cylinders of 13.6 kg"), rounded to grams; else `nil`.
    /// - Throws: ``FormValidationError`` for the field at fault, worded from the core's refusal.
    public func netMass() throws -> Double? {
        do {
            return try QuaysideCore.netMass(typed: netMassKg, cylinders: cylinders, kgPerCylinder: kgPerCylinder,
                                            decimalSeparator: FormText.decimalSeparator)
        } catch let refusal as ApiError {
            let field = !FormText.clean(netMassKg).isEmpty ? "Net mass"
                : refusal.userMessage().key == .countNotWhole ? "Cylinders" : "Kg per cylinder"
            throw FormValidationError(field: field, refusal: refusal)
        }
    }

    /// The core's fields for a new finding.
    public func newFindingFields() throws -> FindingFields {
        try fields()
    }

    /// Every field for the core (empty text clears a field; an empty number leaves it as it is).
    /// - Throws: the core's refusal of a number, or ``FormValidationError`` for a count, net mass or
    ///   composition the core refuses, or both an identified and an other substance.
    public func fields() throws -> FindingFields {
        func text(_ value: String) -> String { FormText.clean(value) }
        if !text(identifiedSubstance).isEmpty && !text(identifiedOther).isEmpty {
            throw FormValidationError(field: "Identified substance",
                                      message: Localization.text("form_identified_both", "Give the substance from the reference, or one outside it, not both."))
        }
        var fields = FindingFields()
        fields.declaredSubstance = text(declaredSubstance)
        fields.identifiedSubstance = text(identifiedSubstance)
        fields.identifiedOther = text(identifiedOther)
        fields.composition = try compositionShares()
        fields.contentPct = try FormText.decimal(contentPct)
        fields.instrument = text(instrument)
        fields.readingResult = text(readingResult)
        fields.purityPct = try FormText.decimal(purityPct)
        fields.hsCodeObserved = text(hsCodeObserved)
        fields.cylinders = try FormText.field("Cylinders") { try parseCount(text: cylinders) }
        fields.cylinderType = cylinderType
        fields.netMassKg = try netMass()
        fields.labels = text(labels)
        fields.concealment = text(concealment)
        fields.notes = text(notes)
        return fields
    }

    // MARK: Drafts

    public var draftFields: [String: String] {
        var fields: [String: String] = [
            "declaredSubstance": declaredSubstance, "identifiedSubstance": identifiedSubstance,
            "identifiedOther": identifiedOther, "contentPct": contentPct, "instrument": instrument,
            "readingResult": readingResult, "purityPct": purityPct, "hsCodeObserved": hsCodeObserved,
            "cylinders": cylinders, "kgPerCylinder": kgPerCylinder, "netMassKg": netMassKg, "labels": labels,
            "concealment": concealment, "notes": notes,
        ]
        if let cylinderType, let index = CylinderType.choices.firstIndex(of: cylinderType) {
            fields["cylinderType"] = String(index)
        }
        for (index, row) in composition.enumerated() {
            fields["composition.\(index).component"] = row.component
            fields["composition.\(index).pct"] = row.pct
        }
        return fields
    }

    public init(draftFields fields: [String: String]) {
        declaredSubstance = fields["declaredSubstance"] ?? ""
        identifiedSubstance = fields["identifiedSubstance"] ?? ""
        identifiedOther = fields["identifiedOther"] ?? ""
        contentPct = fields["contentPct"] ?? ""
        instrument = fields["instrument"] ?? ""
        readingResult = fields["readingResult"] ?? ""
        purityPct = fields["purityPct"] ?? ""
        hsCodeObserved = fields["hsCodeObserved"] ?? ""
        cylinders = fields["cylinders"] ?? ""
        kgPerCylinder = fields["kgPerCylinder"] ?? ""
        netMassKg = fields["netMassKg"] ?? ""
        labels = fields["labels"] ?? ""
        concealment = fields["concealment"] ?? ""
        notes = fields["notes"] ?? ""
        if let index = fields["cylinderType"].flatMap(Int.init), CylinderType.choices.indices.contains(index) {
            cylinderType = CylinderType.choices[index]
        }
        var index = 0
        while let component = fields["composition.\(index).component"] {
            composition.append(Component(component: component, pct: fields["composition.\(index).pct"] ?? ""))
            index += 1
        }
    }
}

