import Foundation
import QuaysideCore

/// The editable state of one finding: what was declared, what the refrigerant identifier found,
/// how much, in what. Like ``InspectionForm``, only fields that differ from the baseline are sent.
public struct FindingForm: Equatable {
    /// Substance named in the declaration or on the labels (any reference name: "R-134a").
    public var declaredSubstance = ""
    /// Substance the identifier found ("R-22").
    public var identifiedSubstance = ""
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
    /// Total net mass in kg, as typed.
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

    /// Sets the total net mass from the cylinder count and the mass of one cylinder, as officers
    /// count them on the quay ("1139 cylinders of 13.6 kg"). Leaves the form unchanged and
    /// returns `false` when either value is missing.
    /// - Throws: ``FormValidationError`` when either text is not a number.
    @discardableResult
    public mutating func setNetMass(kgPerCylinder: String) throws -> Bool {
        guard let count = try FormText.count(cylinders, field: "Cylinders"),
              let each = try FormText.decimal(kgPerCylinder, field: "Kg per cylinder")
        else { return false }
        netMassKg = FormText.text(Double(count) * each)
        return true
    }

    /// The core's fields for a new finding: every field that has a value.
    /// - Throws: ``FormValidationError`` for numbers the shell cannot parse.
    public func newFindingFields() throws -> FindingFields {
        try fields(comparedTo: FindingForm())
    }

    /// The core's patch with the fields that differ from `baseline`.
    /// - Throws: ``FormValidationError`` for numbers the shell cannot parse, or a number emptied
    ///   (the core keeps numbers; it cannot clear them).
    public func fields(comparedTo baseline: FindingForm) throws -> FindingFields {
        func text(_ value: String, _ old: String) -> String? {
            let cleaned = FormText.clean(value)
            return cleaned == FormText.clean(old) ? nil : cleaned
        }
        var fields = FindingFields()
        fields.declaredSubstance = text(declaredSubstance, baseline.declaredSubstance)
        fields.identifiedSubstance = text(identifiedSubstance, baseline.identifiedSubstance)
        fields.instrument = text(instrument, baseline.instrument)
        fields.readingResult = text(readingResult, baseline.readingResult)
        fields.purityPct = try number(purityPct, old: baseline.purityPct, field: "Purity (%)")
        fields.hsCodeObserved = text(hsCodeObserved, baseline.hsCodeObserved)
        if FormText.clean(cylinders) != FormText.clean(baseline.cylinders) {
            guard let count = try FormText.count(cylinders, field: "Cylinders") else {
                throw FormValidationError(field: "Cylinders", message: "A recorded count cannot be emptied; enter the correct value.")
            }
            fields.cylinders = count
        }
        fields.cylinderType = cylinderType == baseline.cylinderType ? nil : cylinderType
        fields.netMassKg = try number(netMassKg, old: baseline.netMassKg, field: "Net mass (kg)")
        fields.labels = text(labels, baseline.labels)
        fields.concealment = text(concealment, baseline.concealment)
        fields.notes = text(notes, baseline.notes)
        return fields
    }

    private func number(_ value: String, old: String, field: String) throws -> Double? {
        guard FormText.clean(value) != FormText.clean(old) else { return nil }
        guard let number = try FormText.decimal(value, field: field) else {
            throw FormValidationError(field: field, message: "A recorded number cannot be emptied; enter the correct value.")
        }
        return number
    }
}

extension FindingFields {
    /// Whether the patch changes nothing.
    public var isEmpty: Bool { self == FindingFields() }
}
