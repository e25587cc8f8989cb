import Foundation
import QuaysideCore

/// The editable state of an inspection's own fields, as text fields hold it.
///
/// A form remembers nothing about where it came from; an editor keeps two of them: the
/// *baseline* (the inspection as last read from the store) and the *current* form. Only fields
/// that differ from the baseline are sent to the core (``fields(comparedTo:only:)``). That is what
/// keeps concurrent edits apart: a colleague's change that arrived by sync is not overwritten
/// with the stale value this screen loaded earlier, because this screen never touched that field.
public struct InspectionForm: Equatable {
    /// The fields of the form, for per-field changes and errors.
    public enum Field: String, CaseIterable, Hashable, Sendable {
        case containerNumber, seals, sizeType
        case declarationNumber, billOfLading, hsCode, goodsDescription, declaredQuantity
        case consignor, consignee, origin, destination, transit
        case location, selectionReason, notes

        /// The field's label as shown on screen.
        public var label: String {
            switch self {
            case .containerNumber: return "Container number"
            case .seals: return "Seals"
            case .sizeType: return "Size and type"
            case .declarationNumber: return "Declaration number"
            case .billOfLading: return "Bill of lading"
            case .hsCode: return "Declared HS code"
            case .goodsDescription: return "Description of goods"
            case .declaredQuantity: return "Declared quantity (kg)"
            case .consignor: return "Consignor"
            case .consignee: return "Consignee"
            case .origin: return "Origin"
            case .destination: return "Destination"
            case .transit: return "Transit ports"
            case .location: return "Location"
            case .selectionReason: return "Reason for selection"
            case .notes: return "Notes"
            }
        }
    }

    /// ISO 6346 container number as typed ("CSQU 305438-3" is fine: the core normalises it).
    public var containerNumber = ""
    /// Record the container number even though its check digit does not match.
    public var allowInvalidCheckDigit = false
    /// Seal numbers, separated by commas or new lines.
    public var seals = ""
    /// ISO 6346 size and type code, e.g. "45G1".
    public var sizeType = ""
    /// Customs declaration number.
    public var declarationNumber = ""
    /// Bill of lading number.
    public var billOfLading = ""
    /// HS code as declared, e.g. "3827.64".
    public var hsCode = ""
    /// Description of goods as declared.
    public var goodsDescription = ""
    /// Declared quantity in kg, as typed.
    public var declaredQuantity = ""
    /// Consignor (exporter).
    public var consignor = ""
    /// Consignee (importer).
    public var consignee = ""
    /// Country of origin.
    public var origin = ""
    /// Country of destination.
    public var destination = ""
    /// Transit ports (UN/LOCODEs), separated by commas.
    public var transit = ""
    /// Where the inspection took place.
    public var location: GeoPoint?
    /// Why the container was selected.
    public var selectionReason = ""
    /// Free-text notes.
    public var notes = ""

    /// An empty form, for a new inspection.
    public init() {}

    /// The form showing `record` as stored.
    public init(record: InspectionRecord) {
        containerNumber = record.container.number
        seals = FormText.text(record.container.seals)
        sizeType = record.container.sizeType ?? ""
        let declaration = record.declaration
        declarationNumber = declaration.number ?? ""
        billOfLading = declaration.billOfLading ?? ""
        hsCode = declaration.hsCode ?? ""
        goodsDescription = declaration.description ?? ""
        declaredQuantity = FormText.text(declaration.quantityKg)
        consignor = declaration.consignor ?? ""
        consignee = declaration.consignee ?? ""
        origin = declaration.origin ?? ""
        destination = declaration.destination ?? ""
        transit = FormText.text(declaration.transit)
        location = record.location
        selectionReason = record.selectionReason ?? ""
        notes = record.notes
    }

    /// The fields whose values differ from `baseline` (lists compare item by item, so retyping
    /// the same seals with other separators is no change).
    public func changedFields(comparedTo baseline: InspectionForm) -> Set<Field> {
        Set(Field.allCases.filter { !sameValue(of: $0, as: baseline) })
    }

    /// Whether `field` holds the same value here as in `other`.
    public func sameValue(of field: Field, as other: InspectionForm) -> Bool {
        switch field {
        case .containerNumber:
            return FormText.clean(containerNumber) == FormText.clean(other.containerNumber)
        case .seals: return FormText.list(seals) == FormText.list(other.seals)
        case .sizeType: return FormText.clean(sizeType) == FormText.clean(other.sizeType)
        case .declarationNumber: return FormText.clean(declarationNumber) == FormText.clean(other.declarationNumber)
        case .billOfLading: return FormText.clean(billOfLading) == FormText.clean(other.billOfLading)
        case .hsCode: return FormText.clean(hsCode) == FormText.clean(other.hsCode)
        case .goodsDescription: return FormText.clean(goodsDescription) == FormText.clean(other.goodsDescription)
        case .declaredQuantity: return FormText.clean(declaredQuantity) == FormText.clean(other.declaredQuantity)
        case .consignor: return FormText.clean(consignor) == FormText.clean(other.consignor)
        case .consignee: return FormText.clean(consignee) == FormText.clean(other.consignee)
        case .origin: return FormText.clean(origin) == FormText.clean(other.origin)
        case .destination: return FormText.clean(destination) == FormText.clean(other.destination)
        case .transit: return FormText.list(transit) == FormText.list(other.transit)
        case .location: return location == other.location
        case .selectionReason: return FormText.clean(selectionReason) == FormText.clean(other.selectionReason)
        case .notes: return notes == other.notes
        }
    }

    /// Copies `field`'s value from `other` into this form.
    public mutating func copy(_ field: Field, from other: InspectionForm) {
        switch field {
        case .containerNumber:
            containerNumber = other.containerNumber
            allowInvalidCheckDigit = other.allowInvalidCheckDigit
        case .seals: seals = other.seals
        case .sizeType: sizeType = other.sizeType
        case .declarationNumber: declarationNumber = other.declarationNumber
        case .billOfLading: billOfLading = other.billOfLading
        case .hsCode: hsCode = other.hsCode
        case .goodsDescription: goodsDescription = other.goodsDescription
        case .declaredQuantity: declaredQuantity = other.declaredQuantity
        case .consignor: consignor = other.consignor
        case .consignee: consignee = other.consignee
        case .origin: origin = other.origin
        case .destination: destination = other.destination
        case .transit: transit = other.transit
        case .location: location = other.location
        case .selectionReason: selectionReason = other.selectionReason
        case .notes: notes = other.notes
        }
    }

    /// The form after a save: each field the officer has not touched since `sent` was taken
    /// shows the stored value (`stored`, which may include the core's normalisation and merged
    /// changes from colleagues); fields edited meanwhile keep the officer's newer text.
    public func rebased(sent: InspectionForm, stored: InspectionForm) -> InspectionForm {
        var result = self
        for field in Field.allCases where sameValue(of: field, as: sent) {
            result.copy(field, from: stored)
        }
        return result
    }

    /// The core's patch for the fields in `only` (default: every changed field) that differ from
    /// `baseline`; `nil` values leave fields unchanged, an empty string clears a text field.
    /// - Throws: ``FormValidationError`` for text the shell cannot parse (a declared quantity
    ///   that is not a number, or a quantity emptied: the core keeps numbers, it cannot clear them).
    public func fields(comparedTo baseline: InspectionForm, only: Set<Field>? = nil) throws -> InspectionFields {
        let changed = changedFields(comparedTo: baseline).intersection(only ?? Set(Field.allCases))
        func text(_ field: Field, _ value: String) -> String? {
            changed.contains(field) ? FormText.clean(value) : nil
        }

        var declaration = DeclarationFields()
        declaration.number = text(.declarationNumber, declarationNumber)
        declaration.billOfLading = text(.billOfLading, billOfLading)
        declaration.hsCode = text(.hsCode, hsCode)
        declaration.description = text(.goodsDescription, goodsDescription)
        if changed.contains(.declaredQuantity) {
            let label = Field.declaredQuantity.label
            guard let quantity = try FormText.decimal(declaredQuantity, field: label) else {
                throw FormValidationError(field: label, message: "A recorded quantity cannot be emptied; enter the correct value.")
            }
            declaration.quantityKg = quantity
        }
        declaration.consignor = text(.consignor, consignor)
        declaration.consignee = text(.consignee, consignee)
        declaration.origin = text(.origin, origin)
        declaration.destination = text(.destination, destination)
        declaration.transit = changed.contains(.transit) ? FormText.list(transit) : nil

        var fields = InspectionFields()
        if changed.contains(.containerNumber) {
            fields.containerNumber = FormText.clean(containerNumber)
            fields.allowInvalidCheckDigit = allowInvalidCheckDigit
        }
        fields.seals = changed.contains(.seals) ? FormText.list(seals) : nil
        fields.sizeType = text(.sizeType, sizeType)
        fields.declaration = declaration == DeclarationFields() ? nil : declaration
        fields.location = changed.contains(.location) ? location : nil
        fields.selectionReason = text(.selectionReason, selectionReason)
        fields.notes = changed.contains(.notes) ? notes : nil
        return fields
    }

    /// The fields of a new inspection: every field that has a value.
    /// - Throws: ``FormValidationError`` for text the shell cannot parse.
    public func newInspectionFields() throws -> InspectionFields {
        try fields(comparedTo: InspectionForm())
    }
}

extension InspectionFields {
    /// Whether the patch changes nothing.
    public var isEmpty: Bool { self == InspectionFields() }
}
