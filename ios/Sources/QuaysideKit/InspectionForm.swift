import Foundation
import QuaysideCore

/// The editable state of an inspection's own fields, as text fields hold it.
///
/// A form is sent whole (``fields()``) with the `heads` of the version it was filled from; the core
/// writes only what differs from that version, so a colleague's change that arrived by sync
/// meanwhile is kept. The shell never compares forms itself.
public struct InspectionForm: Equatable, DraftableForm {
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

    /// Every field for the core (empty text clears a field; an empty number leaves it as it is:
    /// the core keeps numbers).
    /// - Throws: the core's refusal of a declared quantity that is not a quantity.
    public func fields() throws -> InspectionFields {
        func text(_ value: String) -> String { FormText.clean(value) }
        let declaration = DeclarationFields(
            number: text(declarationNumber),
            billOfLading: text(billOfLading),
            hsCode: text(hsCode),
            description: text(goodsDescription),
            quantityKg: try FormText.decimal(declaredQuantity),
            consignor: text(consignor),
            consignee: text(consignee),
            origin: text(origin),
            destination: text(destination),
            transit: FormText.list(transit)
        )
        var fields = InspectionFields()
        let container = text(containerNumber)
        fields.containerNumber = container.isEmpty ? nil : container
        fields.allowInvalidCheckDigit = allowInvalidCheckDigit
        fields.seals = FormText.list(seals)
        fields.sizeType = text(sizeType)
        fields.declaration = declaration
        fields.location = location
        fields.selectionReason = text(selectionReason)
        fields.notes = notes
        return fields
    }

    /// The fields of a new inspection.
    public func newInspectionFields() throws -> InspectionFields {
        try fields()
    }

    // MARK: Drafts

    public var draftFields: [String: String] {
        var fields: [String: String] = [
            "containerNumber": containerNumber, "seals": seals, "sizeType": sizeType,
            "declarationNumber": declarationNumber, "billOfLading": billOfLading, "hsCode": hsCode,
            "goodsDescription": goodsDescription, "declaredQuantity": declaredQuantity,
            "consignor": consignor, "consignee": consignee, "origin": origin, "destination": destination,
            "transit": transit, "selectionReason": selectionReason, "notes": notes,
        ]
        if allowInvalidCheckDigit { fields["allowInvalidCheckDigit"] = "true" }
        if let location {
            fields["location.lat"] = String(location.lat)
            fields["location.lon"] = String(location.lon)
            if let accuracy = location.accuracyM { fields["location.accuracyM"] = String(accuracy) }
        }
        return fields
    }

    public init(draftFields fields: [String: String]) {
        containerNumber = fields["containerNumber"] ?? ""
        allowInvalidCheckDigit = fields["allowInvalidCheckDigit"] == "true"
        seals = fields["seals"] ?? ""
        sizeType = fields["sizeType"] ?? ""
        declarationNumber = fields["declarationNumber"] ?? ""
        billOfLading = fields["billOfLading"] ?? ""
        hsCode = fields["hsCode"] ?? ""
        goodsDescription = fields["goodsDescription"] ?? ""
        declaredQuantity = fields["declaredQuantity"] ?? ""
        consignor = fields["consignor"] ?? ""
        consignee = fields["consignee"] ?? ""
        origin = fields["origin"] ?? ""
        destination = fields["destination"] ?? ""
        transit = fields["transit"] ?? ""
        selectionReason = fields["selectionReason"] ?? ""
        notes = fields["notes"] ?? ""
        if let lat = fields["location.lat"].flatMap(Double.init), let lon = fields["location.lon"].flatMap(Double.init) {
            location = GeoPoint(lat: lat, lon: lon, accuracyM: fields["location.accuracyM"].flatMap(Double.init))
        }
    }
}


