import Foundation
import QuaysideCore

/// The editable state of a seizure: what was done, under which law, how the trade was attempted,
/// where the goods are kept, and how much was seized from each finding.
public struct SeizureForm: Equatable, DraftableForm {
    /// The quantity seized from one finding, as typed.
    public struct Item: Equatable, Identifiable {
        /// The finding the goods come from.
        public var findingId: String
        /// Seized mass in kg, as typed.
        public var quantityKg: String
        /// Seized cylinders, as typed (may be empty).
        public var cylinders: String

        /// The finding id: one item per finding.
        public var id: String { findingId }

        /// Creates an item for a finding.
        public init(findingId: String, quantityKg: String = "", cylinders: String = "") {
            self.findingId = findingId
            self.quantityKg = quantityKg
            self.cylinders = cylinders
        }
    }

    /// The agency's case reference.
    public var caseRef = ""
    /// What was done with the goods.
    public var action: SeizureAction?
    /// The legal basis of the action.
    public var legalBasis = ""
    /// How the illegal trade was attempted.
    public var modusOperandi: Set<ModusOperandi> = []
    /// Where the goods are kept.
    public var storageLocation = ""
    /// Seized quantities, one per finding at most.
    public var items: [Item] = []

    /// An empty form, for an inspection without a seizure.
    public init() {}

    /// The form showing `record` as stored (an empty form for `nil`).
    public init(record: SeizureRecord?) {
        guard let record else { return }
        caseRef = record.caseRef ?? ""
        action = record.action
        legalBasis = record.legalBasis ?? ""
        modusOperandi = Set(record.modusOperandi)
        storageLocation = record.storageLocation ?? ""
        items = record.items.map {
            Item(findingId: $0.findingId, quantityKg: FormText.text($0.quantityKg), cylinders: FormText.text($0.cylinders))
        }
    }

    /// Whether a finding's goods are among the seized items.
    public func isSeized(_ findingId: String) -> Bool {
        items.contains { $0.findingId == findingId }
    }

    /// Adds or removes a finding from the seized items. A finding added starts with everything
    /// that was found (its net mass and cylinders), which the officer can lower.
    public mutating func setSeized(_ seized: Bool, finding: FindingRecord) {
        items.removeAll { $0.findingId == finding.id }
        if seized {
            items.append(Item(
                findingId: finding.id,
                quantityKg: FormText.text(finding.netMassKg),
                cylinders: FormText.text(finding.cylinders)
            ))
        }
    }

    /// Every field for the core, sent with the version the form was filled from. Items are sent
    /// whole: the core replaces the list.
    /// - Throws: the core's refusal of a quantity, or ``FormValidationError`` for a seized finding
    ///   without a quantity or a count of cylinders the core refuses.
    public func fields() throws -> SeizureFields {
        func text(_ value: String) -> String { FormText.clean(value) }
        let seized = try items.map { (item: Item) throws -> SeizedItem in
            guard let kg = try FormText.decimal(item.quantityKg) else {
                throw FormValidationError(field: Localization.text("field_seized_quantity", "Seized quantity (kg)"),
                                          message: Localization.text("form_seized_quantity", "Enter the seized quantity for every seized finding."))
            }
            return SeizedItem(findingId: item.findingId, quantityKg: kg,
                              cylinders: try FormText.field("Seized cylinders") { try parseCount(text: item.cylinders) })
        }
        return SeizureFields(
            caseRef: text(caseRef),
            action: action,
            legalBasis: text(legalBasis),
            modusOperandi: ModusOperandi.choices.filter(modusOperandi.contains),
            storageLocation: text(storageLocation),
            items: seized
        )
    }

    // MARK: Drafts

    public var draftFields: [String: String] {
        var fields: [String: String] = ["caseRef": caseRef, "legalBasis": legalBasis, "storageLocation": storageLocation]
        if let action, let index = SeizureAction.choices.firstIndex(of: action) { fields["action"] = String(index) }
        fields["modusOperandi"] = ModusOperandi.choices.indices
            .filter { modusOperandi.contains(ModusOperandi.choices[$0]) }
            .map(String.init).joined(separator: ",")
        for (index, item) in items.enumerated() {
            fields["items.\(index).findingId"] = item.findingId
            fields["items.\(index).quantityKg"] = item.quantityKg
            fields["items.\(index).cylinders"] = item.cylinders
        }
        return fields
    }

    public init(draftFields fields: [String: String]) {
        caseRef = fields["caseRef"] ?? ""
        legalBasis = fields["legalBasis"] ?? ""
        storageLocation = fields["storageLocation"] ?? ""
        if let index = fields["action"].flatMap(Int.init), SeizureAction.choices.indices.contains(index) {
            action = SeizureAction.choices[index]
        }
        let picked = (fields["modusOperandi"] ?? "").split(separator: ",").compactMap { Int($0) }
        modusOperandi = Set(picked.filter(ModusOperandi.choices.indices.contains).map { ModusOperandi.choices[$0] })
        var index = 0
        while let findingId = fields["items.\(index).findingId"] {
            items.append(Item(findingId: findingId, quantityKg: fields["items.\(index).quantityKg"] ?? "",
                              cylinders: fields["items.\(index).cylinders"] ?? ""))
            index += 1
        }
    }
}



/// A new hand-over in the chain of custody.
public struct CustodyForm: Equatable, DraftableForm {
    /// Who handed the goods over.
    public var from = ""
    /// Who received them.
    public var to = ""
    /// Where the hand-over took place.
    public var location = ""
    /// Anything worth noting (seal numbers checked, condition of the goods).
    public var note = ""

    /// An empty form; `from` is usually the officer.
    public init(from: String = "") {
        self.from = from
    }

    public var draftFields: [String: String] { ["from": from, "to": to, "location": location, "note": note] }

    public init(draftFields fields: [String: String]) {
        from = fields["from"] ?? ""
        to = fields["to"] ?? ""
        location = fields["location"] ?? ""
        note = fields["note"] ?? ""
    }

    /// The core's entry; the core stamps the time and checks the names.
    public func fields() -> CustodyFields {
        let location = FormText.clean(location)
        let note = FormText.clean(note)
        return CustodyFields(
            from: FormText.clean(from),
            to: FormText.clean(to),
            location: location.isEmpty ? nil : location,
            note: note.isEmpty ? nil : note,
            at: nil
        )
    }
}
