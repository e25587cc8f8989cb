import Foundation
import QuaysideCore

// The core's enums as screens use them. Labels of the core's own states (review state, decision,
// role, sync phase, refusal) come from the core as `UserMessage`s (`label()`), localised through
// ``Localization``; nothing here copies their wording. The pickable values below are the shell's
// own (uniffi generates enums without `CaseIterable`): a case added to the core fails these
// switches at compile time, which is the reminder to add it here too.

extension ReviewState {
    /// The badge text, in the officer's language.
    public var text: String { label().localized }

    /// Whether someone has to act: the supervisor (awaiting, changed) or the officer (returned, changed).
    public var needsAction: Bool {
        switch self {
        case .awaitingReview, .changedSinceSubmission, .returned, .changedSinceApproval: return true
        case .draft, .approved: return false
        }
    }

    /// Whether a supervisor can decide on it now: return it always; approve it only when the
    /// officer's signature covers the version shown (`InspectionView.submissionCoversShown`).
    public var awaitsDecision: Bool {
        switch self {
        case .awaitingReview, .changedSinceSubmission, .changedSinceApproval: return true
        case .draft, .returned, .approved: return false
        }
    }

    /// Whether the officer may submit again: it was returned, or changed since it was signed.
    public var canResubmit: Bool {
        switch self {
        case .returned, .changedSinceSubmission, .changedSinceApproval: return true
        case .draft, .awaitingReview, .approved: return false
        }
    }
}

extension Decision {
    /// "Approved" / "Returned", in the officer's language.
    public var text: String { label().localized }
}

extension Role {
    /// The role's name, in the officer's language.
    public var text: String { label().localized }
}

extension RefusalCode {
    /// What kind of refusal it is, in a few words (the record's `message` says it in full).
    public var text: String { label().localized }
}

/// A core enum as the core's forms write it (`re-exported`, `false-declaration`).
public protocol FormValue: Hashable {
    /// Every value, in picker order.
    static var choices: [Self] { get }
}

extension FormValue {
    /// The value as the core's forms write it: the case's name, its words joined by hyphens
    /// (`reExported` is `re-exported`; the tests check every value against the core's reader).
    public var formValue: String {
        "\(self)".reduce(into: "") { text, letter in text += letter.isUppercase ? "-" + letter.lowercased() : String(letter) }
    }

    /// The value a form's text names, forgiving case, spaces and underscores as the core does.
    public init?(formValue text: String) {
        let wanted = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .replacingOccurrences(of: "_", with: "-").replacingOccurrences(of: " ", with: "-")
        guard let value = Self.choices.first(where: { $0.formValue == wanted }) else { return nil }
        self = value
    }
}

extension CylinderType: FormValue {
    /// Every cylinder type, in picker order.
    public static let choices: [CylinderType] = [.disposable, .refillable, .drum, .isotank]

    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .disposable: return Localization.text("cylinder_disposable", "Disposable cylinder")
        case .refillable: return Localization.text("cylinder_refillable", "Refillable cylinder")
        case .drum: return Localization.text("cylinder_drum", "Drum")
        case .isotank: return Localization.text("cylinder_isotank", "ISO tank")
        }
    }
}

extension SeizureAction: FormValue {
    /// Every action, in picker order.
    public static let choices: [SeizureAction] = [.detained, .seized, .reExported, .destroyed, .released]

    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .detained: return Localization.text("seizure_detained", "Detained")
        case .seized: return Localization.text("seizure_seized", "Seized")
        case .reExported: return Localization.text("seizure_re_exported", "Re-exported")
        case .destroyed: return Localization.text("seizure_destroyed", "Destroyed")
        case .released: return Localization.text("seizure_released", "Released")
        }
    }
}

extension ModusOperandi: FormValue {
    /// Every modus operandi, in the order shown.
    public static let choices: [ModusOperandi] = [
        .mislabelled, .concealed, .falseDeclaration, .disposableCylinders, .noLicence, .overQuota,
        .transshipment,
    ]

    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .mislabelled: return Localization.text("modus_mislabelled", "Mislabelled")
        case .concealed: return Localization.text("modus_concealed", "Concealed")
        case .falseDeclaration: return Localization.text("modus_false_declaration", "False declaration")
        case .disposableCylinders: return Localization.text("modus_disposable_cylinders", "Disposable cylinders")
        case .noLicence: return Localization.text("modus_no_licence", "No licence")
        case .overQuota: return Localization.text("modus_over_quota", "Over quota")
        case .transshipment: return Localization.text("modus_transshipment", "Transshipment")
        }
    }
}

extension InspectionStatus {
    /// The name shown to officers.
    public var displayName: String {
        switch self {
        case .draft: return Localization.text("status_draft", "Draft")
        case .submitted: return Localization.text("status_submitted", "Submitted")
        }
    }
}

extension FlagKind {
    /// The SF Symbol a flag is shown with: a flask where a laboratory has to say what the gas is,
    /// a warning otherwise. What the flag says comes from its `message` (``Localizer``).
    public var systemImage: String {
        switch self {
        case .labAnalysis: return "flask.fill"
        case .noSubstance: return "questionmark.circle.fill"
        case .invalidCheckDigit, .substanceMismatch, .hsCodeInconsistent, .disposableCylinders, .seizedExceedsFound:
            return "exclamationmark.triangle.fill"
        }
    }
}
