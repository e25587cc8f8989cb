import Foundation
import QuaysideCore

/// An inspection's own fields as typed, by the core's names (`inspectionForm`): filled by the core
/// from the record, kept as the draft as it is, read by the core (``fields()``).
///
/// A form is sent whole with the `heads` of the version it was filled from; the core writes only
/// what differs from that version, so a colleague's change that arrived by sync meanwhile is kept.
/// The shell never compares forms itself.
public struct InspectionForm: DraftableForm {
    /// The fields of the form, by the core's names.
    public enum Field: String, CaseIterable, FormField {
        case container, allowInvalidCheckDigit = "allow_invalid_check_digit", seals, sizeType = "size_type"
        case declaration, billOfLading = "bill_of_lading", hsCode = "hs_code", goodsDescription = "description"
        case quantityKg = "quantity_kg", consignor, consignee, origin, destination, transit
        case selectionReason = "selection_reason", notes
        /// The phone's position: `location.lat`, `location.lon`, `location.accuracy_m`.
        case location

        /// The field's label as shown on screen.
        public var label: String {
            switch self {
            case .container: return Localization.text("field_inspection_container", "Container number")
            case .allowInvalidCheckDigit: return Localization.text("field_inspection_allow_invalid_check_digit", "Record anyway")
            case .seals: return Localization.text("field_inspection_seals", "Seals")
            case .sizeType: return Localization.text("field_inspection_size_type", "Size and type")
            case .declaration: return Localization.text("field_inspection_declaration", "Declaration number")
            case .billOfLading: return Localization.text("field_inspection_bill_of_lading", "Bill of lading")
            case .hsCode: return Localization.text("field_inspection_hs_code", "Declared HS code")
            case .goodsDescription: return Localization.text("field_inspection_goods_description", "Description of goods")
            case .quantityKg: return Localization.text("field_inspection_quantity_kg", "Declared quantity (kg)")
            case .consignor: return Localization.text("field_inspection_consignor", "Consignor")
            case .consignee: return Localization.text("field_inspection_consignee", "Consignee")
            case .origin: return Localization.text("field_inspection_origin", "Origin")
            case .destination: return Localization.text("field_inspection_destination", "Destination")
            case .transit: return Localization.text("field_inspection_transit", "Transit ports")
            case .selectionReason: return Localization.text("field_inspection_selection_reason", "Reason for selection")
            case .notes: return Localization.text("field_inspection_notes", "Notes")
            case .location: return Localization.text("field_inspection_location", "Location")
            }
        }
    }

    public var draftFields: [String: String]

    public init(draftFields fields: [String: String]) {
        draftFields = fields
    }

    /// The form showing `record` as stored, filled by the core.
    public init(record: InspectionRecord) {
        self.init(draftFields: inspectionForm(record: record, decimalSeparator: FormText.decimalSeparator))
    }

    /// Record the container number even though its check digit does not match.
    public var allowInvalidCheckDigit: Bool {
        get { self[.allowInvalidCheckDigit] == "true" }
        set { draftFields[Field.allowInvalidCheckDigit.rawValue] = newValue ? "true" : nil }
    }

    /// Where the inspection took place (`location.*`, written with `.` as the core writes them).
    public var location: GeoPoint? {
        get {
            func number(_ part: String) -> Double? { draftFields["location.\(part)"].flatMap(Double.init) }
            guard let lat = number("lat"), let lon = number("lon") else { return nil }
            return GeoPoint(lat: lat, lon: lon, accuracyM: number("accuracy_m"))
        }
        set {
            draftFields["location.lat"] = newValue.map { String($0.lat) }
            draftFields["location.lon"] = newValue.map { String($0.lon) }
            draftFields["location.accuracy_m"] = newValue?.accuracyM.map { String($0) }
        }
    }

    /// The fields for the core, read by the core from the form: a field the form holds is written
    /// as typed (empty clears it; an empty number leaves it as it is), one it does not is left.
    /// - Throws: ``FormValidationError`` for the field the core refuses (a blank container
    ///   number, a declared quantity that is not a quantity).
    public func fields() throws -> InspectionFields {
        try Self.reading { try inspectionFieldsFromForm(form: draftFields, decimalSeparator: FormText.decimalSeparator) }
    }
}
