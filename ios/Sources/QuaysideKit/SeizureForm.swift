import Foundation
import QuaysideCore

/// A seizure as typed, by the core's names (`seizureForm`): what was done, under which law, how
/// the trade was attempted, where the goods are kept, and how much was seized from each finding
/// (`item.<finding id>.kg` and `.cylinders`, both blank when the finding's goods are not seized).
public struct SeizureForm: DraftableForm {
    /// The fields of the form, by the core's names.
    public enum Field: String, CaseIterable, FormField {
        case action, caseRef = "case_ref", legalBasis = "legal_basis", modusOperandi = "modus_operandi"
        case storageLocation = "storage_location"
        /// A seized item's fields: `item.<finding id>.kg`, `item.<finding id>.cylinders`.
        case seizedKg = "item.kg", seizedCylinders = "item.cylinders"

        /// The field's label as shown on screen.
        public var label: String {
            switch self {
            case .action: return Localization.text("field_seizure_action", "Action")
            case .caseRef: return Localization.text("field_seizure_case_ref", "Case reference")
            case .legalBasis: return Localization.text("field_seizure_legal_basis", "Legal basis")
            case .modusOperandi: return Localization.text("field_seizure_modus_operandi", "Modus operandi")
            case .storageLocation: return Localization.text("field_seizure_storage_location", "Storage location")
            case .seizedKg: return Localization.text("field_seized_quantity", "Seized quantity (kg)")
            case .seizedCylinders: return Localization.text("field_seizure_seized_cylinders", "Seized cylinders")
            }
        }
    }

    public var draftFields: [String: String]

    public init(draftFields fields: [String: String]) {
        draftFields = fields
    }

    /// The seizure form of `inspection`, filled by the core: its seizure as stored (empty when
    /// there is none), one item per finding.
    public init(inspection: InspectionRecord) {
        self.init(draftFields: seizureForm(inspection: inspection, decimalSeparator: FormText.decimalSeparator))
    }

    /// What was done with the goods.
    public var action: SeizureAction? {
        get { SeizureAction(formValue: self[.action]) }
        set { self[.action] = newValue?.formValue ?? "" }
    }

    /// How the illegal trade was attempted.
    public var modusOperandi: Set<ModusOperandi> {
        get { Set(self[.modusOperandi].split(separator: ",").compactMap { ModusOperandi(formValue: String($0)) }) }
        set { self[.modusOperandi] = ModusOperandi.choices.filter(newValue.contains).map(\.formValue).joined(separator: ",") }
    }

    /// The text of a seized item's field (``Field/seizedKg`` or ``Field/seizedCylinders``) for a finding.
    public subscript(field: Field, finding findingId: String) -> String {
        get { draftFields[Self.key(field, findingId)] ?? "" }
        set { draftFields[Self.key(field, findingId)] = newValue }
    }

    private static func key(_ field: Field, _ findingId: String) -> String {
        "item.\(findingId).\(field == .seizedCylinders ? "cylinders" : "kg")"
    }

    /// Whether a finding's goods are seized: a quantity or cylinders given.
    public func isSeized(_ findingId: String) -> Bool {
        [Field.seizedKg, .seizedCylinders].contains { !FormText.clean(self[$0, finding: findingId]).isEmpty }
    }

    /// Seizes a finding's goods, starting with everything that was found (its net mass and
    /// cylinders, which the officer can lower), or no longer: both blank, which the core drops.
    public mutating func setSeized(_ seized: Bool, finding: FindingRecord) {
        self[.seizedKg, finding: finding.id] = seized ? FormText.text(finding.netMassKg) : ""
        self[.seizedCylinders, finding: finding.id] = seized ? FormText.text(finding.cylinders) : ""
    }

    /// The fields for the core, read by the core from the form; the seized items are replaced by
    /// those given. Sent with the version the form was filled from.
    /// - Throws: ``FormValidationError`` for the field the core refuses (cylinders seized without
    ///   a quantity, a quantity that is not one).
    public func fields() throws -> SeizureFields {
        try Self.reading { try seizureFieldsFromForm(form: draftFields, decimalSeparator: FormText.decimalSeparator) }
    }
}

/// A hand-over in the chain of custody as typed, by the core's names (`custodyForm`): a new one,
/// or a correction of one recorded (whose time, `at`, it keeps).
public struct CustodyForm: DraftableForm {
    /// The fields of the form, by the core's names.
    public enum Field: String, CaseIterable, FormField {
        case from, to, location, note, at

        /// The field's label as shown on screen.
        public var label: String {
            switch self {
            case .from: return Localization.text("field_custody_from", "From")
            case .to: return Localization.text("field_custody_to", "To")
            case .location: return Localization.text("field_custody_location", "Location")
            case .note: return Localization.text("field_custody_note", "Note")
            case .at: return Localization.text("field_custody_at", "Time of the hand-over")
            }
        }
    }

    public var draftFields: [String: String]

    public init(draftFields fields: [String: String]) {
        draftFields = fields
    }

    /// A new hand-over; `from` is usually the officer.
    public init(from: String) {
        self.init(draftFields: [Field.from.rawValue: from])
    }

    /// The form correcting hand-over `record`, filled by the core.
    public init(record: CustodyRecord) {
        self.init(draftFields: custodyForm(record: record))
    }

    /// The core's entry, read by the core; the core stamps the time of a new one.
    /// - Throws: ``FormValidationError`` when who handed over or who received is missing.
    public func fields() throws -> CustodyFields {
        try Self.reading { try custodyFieldsFromForm(form: draftFields) }
    }
}
