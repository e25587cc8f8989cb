import QuaysideCore

// Display names and pickable values for the core's enums. uniffi generates the enums without
// `CaseIterable`, so each lists its choices here; a case added to the core fails these switches
// at compile time, which is the reminder to add it here too.

extension CylinderType {
    /// Every cylinder type, in picker order.
    public static let choices: [CylinderType] = [.disposable, .refillable, .drum, .isotank]

    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .disposable: return "Disposable cylinder"
        case .refillable: return "Refillable cylinder"
        case .drum: return "Drum"
        case .isotank: return "ISO tank"
        }
    }
}

extension SeizureAction {
    /// Every action, in picker order.
    public static let choices: [SeizureAction] = [.detained, .seized, .reExported, .destroyed, .released]

    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .detained: return "Detained"
        case .seized: return "Seized"
        case .reExported: return "Re-exported"
        case .destroyed: return "Destroyed"
        case .released: return "Released"
        }
    }
}

extension ModusOperandi {
    /// Every modus operandi, in the order shown.
    public static let choices: [ModusOperandi] = [
        .mislabelled, .concealed, .falseDeclaration, .disposableCylinders, .noLicence, .overQuota,
        .transshipment,
    ]

    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .mislabelled: return "Mislabelled"
        case .concealed: return "Concealed"
        case .falseDeclaration: return "False declaration"
        case .disposableCylinders: return "Disposable cylinders"
        case .noLicence: return "No licence"
        case .overQuota: return "Over quota"
        case .transshipment: return "Transshipment"
        }
    }
}

extension InspectionStatus {
    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .draft: return "Draft"
        case .submitted: return "Submitted"
        }
    }
}

extension InspectionSummary {
    /// Whether the summary's status (a plain string in list rows) is "submitted".
    public var isSubmitted: Bool { status == "submitted" }
}
