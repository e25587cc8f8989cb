import Foundation
import QuaysideCore

/// The editable state of a seizure: what was done, under which law, how the trade was attempted,
/// where the goods are kept, and how much was seized from each finding.
public struct SeizureForm: Equatable {
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

    /// The core's patch with the fields that differ from `baseline`. Items, when changed, are
    /// sent whole: the core replaces the list.
    /// - Throws: ``FormValidationError`` for quantities the shell cannot parse or that are empty.
    public func fields(comparedTo baseline: SeizureForm) throws -> SeizureFields {
        func text(_ value: String, _ old: String) -> String? {
            let cleaned = FormText.clean(value)
            return cleaned == FormText.clean(old) ? nil : cleaned
        }
        var fields = SeizureFields()
        fields.caseRef = text(caseRef, baseline.caseRef)
        fields.action = action == baseline.action ? nil : action
        fields.legalBasis = text(legalBasis, baseline.legalBasis)
        fields.modusOperandi = modusOperandi == baseline.modusOperandi
            ? nil
            : ModusOperandi.choices.filter(modusOperandi.contains)
        fields.storageLocation = text(storageLocation, baseline.storageLocation)
        if items != baseline.items {
            fields.items = try items.map { (item: Item) throws -> SeizedItem in
                let label = "Seized quantity (kg)"
                guard let kg = try FormText.decimal(item.quantityKg, field: label) else {
                    throw FormValidationError(field: label, message: "Enter the seized quantity for every seized finding.")
                }
                return SeizedItem(
                    findingId: item.findingId,
                    quantityKg: kg,
                    cylinders: try FormText.count(item.cylinders, field: "Seized cylinders")
                )
            }
        }
        return fields
    }
}

extension SeizureFields {
    /// Whether the patch changes nothing.
    public var isEmpty: Bool { self == SeizureFields() }
}

/// A new hand-over in the chain of custody.
public struct CustodyForm: Equatable {
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
