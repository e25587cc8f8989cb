import Foundation
import QuaysideCore

/// An error as an officer should see it: a short title, the core's message in the officer's
/// language, what to do next, and whether trying again later can help.
///
/// Every error that reaches a screen goes through ``init(_:)``. What kind of error it is comes
/// from the core's stable `code()`, the text from its `userMessage()` (localised through
/// ``Localization``), whether to retry from `retryable()`. The shell never reads the core's
/// English `message`.
public struct UserFacingError: Error, Identifiable, Sendable {
    /// What went wrong, with the details a screen can act on.
    public enum Kind: Equatable, Sendable {
        /// An error of the core, by its stable code.
        case core(ErrorCode)
        /// A form field the core refused: its label, and the core's name of it (``FormValidationError``).
        case form(field: String, key: String)
        /// The store key could not be given (``StoreKeychain``): lost, or the Keychain did not answer.
        case storeKey(StoreKeyError)
        /// Any other error.
        case other
    }

    /// A fresh identity per occurrence, so that SwiftUI presents the same error twice in a row.
    public let id = UUID()
    /// What went wrong.
    public let kind: Kind
    /// A short headline for an alert.
    public let title: String
    /// The explanation: the core's message, localised.
    public let message: String
    /// What the officer can do about it, if anything.
    public let recoverySuggestion: String?
    /// Whether the same call may succeed later without anyone changing anything (the core says).
    public let isRetryable: Bool
    /// The core's message as key and arguments, when the error came from the core.
    public let userMessage: UserMessage?

    /// Creates an error from its parts.
    public init(kind: Kind, title: String, message: String, recoverySuggestion: String? = nil,
                isRetryable: Bool = false, userMessage: UserMessage? = nil) {
        self.kind = kind
        self.title = title
        self.message = message
        self.recoverySuggestion = recoverySuggestion
        self.isRetryable = isRetryable
        self.userMessage = userMessage
    }

    /// Maps any error thrown by the core or by the shell to what the officer sees.
    public init(_ error: Error) {
        switch error {
        case let mapped as UserFacingError:
            self = mapped
        case let api as ApiError:
            self.init(api: api)
        case let key as StoreKeyError:
            self.init(storeKey: key)
        case let form as FormValidationError:
            self.init(kind: .form(field: form.field, key: form.key),
                      title: Localization.format(Localization.text("error_title_form", "Check %1$@"), [form.field]),
                      message: form.message, userMessage: form.userMessage)
        default:
            self.init(kind: .other, title: Localization.text("error_title_other", "Something went wrong"),
                      message: Localization.text("error_other", "An unexpected error occurred. Try again."))
        }
    }

    /// The error of the core `api`, worded from its code and user message.
    public init(api: ApiError) {
        let code = api.code()
        let user = api.userMessage()
        let (title, advice) = Self.wording(code)
        self.init(kind: .core(code), title: title, message: user.localized, recoverySuggestion: advice,
                  isRetryable: api.retryable(), userMessage: user)
    }

    /// The store key could not be given: `lost` (the store cannot be opened on this phone any more;
    /// no new key is made, an administrator decides), `unavailable` (try again once unlocked) or
    /// `changeUnfinished` (a change of key that failed is settled when the app starts again).
    public init(storeKey: StoreKeyError) {
        func t(_ key: String, _ english: String) -> String { Localization.text(key, english) }
        switch storeKey {
        case .lost:
            self.init(kind: .storeKey(storeKey),
                      title: t("error_title_store_key_lost", "This phone's records cannot be opened"),
                      message: t("error_store_key_lost", "This phone's key to its record store is missing or can no longer be read, so its records cannot be opened. Nothing was changed; ask an administrator before doing anything else."),
                      recoverySuggestion: t("error_advice_store_key_lost", "Do not delete the app or set it up again yourself: records not yet synced are only in this store. Your administrator decides what to do and enrols the phone again."))
        case .unavailable:
            self.init(kind: .storeKey(storeKey),
                      title: t("error_title_store_key_unavailable", "The store key cannot be read now"),
                      message: t("error_store_key_unavailable", "The phone did not give the key to its record store. Nothing was changed."),
                      recoverySuggestion: t("error_advice_store_key_unavailable", "Unlock the phone and try again. If this persists, contact your administrator."),
                      isRetryable: true)
        case .changeUnfinished:
            self.init(kind: .storeKey(storeKey),
                      title: t("error_title_key_change_unfinished", "An earlier change of key is not settled"),
                      message: t("error_key_change_unfinished", "A change of this phone's key did not finish. The records are safe under the old key or the new one, and the app settles which when it next starts. Nothing was changed now."),
                      recoverySuggestion: t("error_advice_key_change_unfinished", "Close the app completely and open it again, then re-encrypt again if you still need to."))
        }
    }

    /// An administrator revoked this phone with wipe and its store is deleted
    /// (``InspectionStore/wiped``): nothing can be read or recorded until the phone is set up again.
    /// Its title and message are also what the set-up screen shows after a wipe.
    public static var storeWiped: UserFacingError {
        UserFacingError(kind: .other,
                        title: Localization.text("title_store_wiped", "An administrator wiped this phone"),
                        message: Localization.text("notice_store_wiped", "Records and photos the server still accepted were sent first; everything the phone held has now been deleted from it. To use the phone again, set it up and ask your administrator for a new enrolment code."))
    }

    /// The core's name of the form field refused, for highlighting it (``FormField/init(key:)``).
    public var formKey: String? {
        if case let .form(_, key) = kind { return key }
        return nil
    }

    /// The core's error code, when the error came from the core.
    public var code: ErrorCode? {
        if case let .core(code) = kind { return code }
        return nil
    }

    /// Whether this device must be enrolled (again) before it can sync.
    public var needsEnrolment: Bool {
        code == .notEnrolled || code == .unauthorized
    }

    /// Title and advice for each of the core's codes (the shell's own strings, localised).
    static func wording(_ code: ErrorCode) -> (String, String?) {
        func t(_ key: String, _ english: String) -> String { Localization.text(key, english) }
        switch code {
        case .invalid:
            return (t("error_title_invalid", "Not saved"),
                    t("error_advice_invalid", "Correct the value and try again. Nothing was changed."))
        case .checkDigit:
            return (t("error_title_check_digit", "Check digit does not match"),
                    t("error_advice_check_digit", "Compare the number with the container door. If it is painted that way, record it anyway: the report will be flagged."))
        case .unknownSubstance:
            return (t("error_title_unknown_substance", "Unknown substance"),
                    t("error_advice_unknown_substance", "Pick the substance from the reference list, or use its ASHRAE number (for example R-22)."))
        case .notFound:
            return (t("error_title_not_found", "Not found"),
                    t("error_advice_not_found", "It may have been removed on another device. Pull to refresh."))
        case .stale:
            return (t("error_title_stale", "Changed since you opened it"),
                    t("error_advice_stale", "Nothing was recorded. It is shown again as it is now: read it again, then decide."))
        case .store:
            return (t("error_title_store", "The store cannot be opened"),
                    t("error_advice_store", "Restart the app. If this persists, contact your administrator before reinstalling: unsynced records live only on this phone."))
        case .wrongKey:
            return (t("error_title_wrong_key", "This phone's records cannot be opened"),
                    t("error_advice_wrong_key", "Do not delete the app or set it up again yourself: records not yet synced are only in this store. Your administrator decides what to do and enrols the phone again."))
        case .integrity:
            return (t("error_title_integrity", "Stored data failed a check"),
                    t("error_advice_integrity", "Report this to your administrator."))
        case .io:
            return (t("error_title_io", "A file could not be read or written"),
                    t("error_advice_io", "Check that the phone has free storage, then try again."))
        case .network:
            return (t("error_title_network", "No connection to the server"),
                    t("error_advice_network", "Everything is saved on this phone. Sync resumes when the connection returns."))
        case .notEnrolled:
            return (t("error_title_not_enrolled", "Not enrolled"),
                    t("error_advice_not_enrolled", "Enrol this phone in the Sync tab with a code from your administrator."))
        case .unauthorized:
            return (t("error_title_unauthorized", "Enrol this phone again"),
                    t("error_advice_unauthorized", "The enrolment was refused or revoked. Ask your administrator for a new enrolment code."))
        case .forbidden:
            return (t("error_title_forbidden", "Not allowed"),
                    t("error_advice_forbidden", "Your account may not do this. Ask your supervisor or administrator. Nothing was recorded."))
        case .serverRefused:
            return (t("error_title_server", "The server refused the request"), nil)
        case .internal:
            return (t("error_title_internal", "Unexpected error"),
                    t("error_advice_internal", "Try again. If it happens again, report it with the time it happened."))
        }
    }
}

extension UserFacingError: LocalizedError {
    /// The message, for code that only knows `LocalizedError`.
    public var errorDescription: String? { message }
    /// The title, for code that only knows `LocalizedError`.
    public var failureReason: String? { title }
}

/// A form value the core would not take, reported against the form's field: the core names the
/// field of its refusal by its form key (``key``), which the form maps to its field
/// (``FormField/init(key:)``, for the label and for highlighting).
public struct FormValidationError: Error, Equatable, Sendable {
    /// The field's name as shown on screen.
    public let field: String
    /// The core's name of the field (`purity_pct`, `item.<finding id>.kg`).
    public let key: String
    /// What is wrong with it, in the officer's language.
    public let message: String
    /// The core's message as key and arguments.
    public let userMessage: UserMessage

    /// The core's `refusal` of what was typed in `field` (`key`), worded from its `userMessage()`.
    public init(field: String, key: String, refusal: ApiError) {
        let user = refusal.userMessage()
        self.field = field
        self.key = key
        self.message = user.localized
        self.userMessage = user
    }
}
