import Foundation
import QuaysideCore

/// An error as an officer should see it: a short title, the core's message (the core already
/// phrases its errors for people), what to do next, and whether trying again later can help.
///
/// Every error that reaches a screen goes through ``init(_:)``, so the mapping from the core's
/// `ApiError` lives in one place. The shell adds titles and advice only; it never re-validates
/// what the core validates.
public struct UserFacingError: Error, Identifiable, Sendable {
    /// What went wrong, with the details a screen can act on.
    public enum Kind: Equatable, Sendable {
        /// The input was refused as malformed, out of range or inconsistent.
        case invalidInput
        /// The container number's check digit is wrong; the core expects `expected`.
        case checkDigit(expected: UInt32)
        /// A substance name the reference does not know.
        case unknownSubstance(name: String)
        /// No record of this kind with this id.
        case notFound(kind: String, id: String)
        /// The store could not be created or opened.
        case storeUnavailable
        /// Stored data failed an integrity check.
        case integrity
        /// A file could not be read or written.
        case file
        /// The server could not be reached.
        case offline
        /// The server answered with an error status.
        case server(status: UInt16)
        /// An unexpected failure inside the core.
        case internalFailure
        /// Approving or returning from a phone not enrolled as a supervisor's.
        case supervisorsOnly
        /// Returning an inspection without saying what to correct.
        case commentRequired
        /// The server has not accepted a supervisor's decision yet (it is sent again at every sync).
        case reviewRefused
        /// The record changed since it was shown (a sync merged a colleague's edit); nothing was
        /// written. Show it again and let the person decide on what it says now; never retry silently.
        case changedSinceShown
        /// Approving a version the officer did not sign (changed since submission): return it, or
        /// wait until the officer submits again.
        case changedSinceSubmission
        /// A form field the shell could not turn into a value (for example, text in a number field).
        case form(field: String)
        /// Any other error.
        case other
    }

    /// A fresh identity per occurrence, so that SwiftUI presents the same error twice in a row.
    public let id = UUID()
    /// What went wrong.
    public let kind: Kind
    /// A short headline for an alert.
    public let title: String
    /// The explanation, usually the core's own message.
    public let message: String
    /// What the officer can do about it, if anything.
    public let recoverySuggestion: String?

    /// Creates an error from its parts.
    public init(kind: Kind, title: String, message: String, recoverySuggestion: String? = nil) {
        self.kind = kind
        self.title = title
        self.message = message
        self.recoverySuggestion = recoverySuggestion
    }

    /// Maps any error thrown by the core or by the shell to what the officer sees.
    public init(_ error: Error) {
        switch error {
        case let mapped as UserFacingError:
            self = mapped
        case let api as ApiError:
            self = UserFacingError(api: api)
        case let form as FormValidationError:
            self.init(
                kind: .form(field: form.field),
                title: "Check \(form.field)",
                message: form.message
            )
        default:
            self.init(
                kind: .other,
                title: "Something went wrong",
                message: error.localizedDescription
            )
        }
    }

    private init(api: ApiError) {
        switch api {
        case let .Invalid(message):
            if let review = Self.review(message) {
                self = review
            } else {
                // The core quotes words to type in backticks ("name the rest `unknown`"): quote them as prose.
                let prose = message.replacingOccurrences(of: "`([^`]*)`", with: "“$1”", options: .regularExpression)
                self.init(kind: .invalidInput, title: "Not saved", message: prose,
                          recoverySuggestion: "Correct the value and try again. Nothing was changed.")
            }
        case let .CheckDigit(message, expected):
            self.init(kind: .checkDigit(expected: expected), title: "Check digit does not match",
                      message: message,
                      recoverySuggestion: "Compare the number with the container door. If it is painted that way, record it anyway: the report will be flagged.")
        case let .UnknownSubstance(message, name):
            self.init(kind: .unknownSubstance(name: name), title: "Unknown substance", message: message,
                      recoverySuggestion: "Pick the substance from the reference list, or use its ASHRAE number (for example R-22).")
        case let .NotFound(message, kind, id):
            self.init(kind: .notFound(kind: kind, id: id), title: "Not found", message: message,
                      recoverySuggestion: "It may have been removed on another device. Pull to refresh.")
        case let .Stale(message):
            self.init(kind: .changedSinceShown, title: "Changed since you opened it", message: message,
                      recoverySuggestion: "A colleague's change reached this phone after you opened this inspection, so nothing was recorded. It is shown again as it is now: read it again, then decide.")
        case let .Store(message):
            self.init(kind: .storeUnavailable, title: "The store cannot be opened", message: message,
                      recoverySuggestion: "Restart the app. If this persists, contact your administrator before reinstalling: unsynced records live only on this phone.")
        case let .Integrity(message):
            self.init(kind: .integrity, title: "Stored data failed a check", message: message,
                      recoverySuggestion: "Report this to your administrator.")
        case let .Io(message):
            self.init(kind: .file, title: "A file could not be read or written", message: message,
                      recoverySuggestion: "Check that the phone has free storage, then try again.")
        case let .Network(message):
            self.init(kind: .offline, title: "No connection to the server", message: message,
                      recoverySuggestion: "Everything is saved on this phone. Sync resumes when the connection returns.")
        case let .Server(message, status):
            self.init(kind: .server(status: status), title: Self.serverTitle(status), message: message,
                      recoverySuggestion: Self.serverAdvice(status))
        case let .Internal(message):
            self.init(kind: .internalFailure, title: "Unexpected error", message: message,
                      recoverySuggestion: "Try again. If it happens again, report it with the time it happened.")
        }
    }

    /// Whether the same operation may succeed later without the officer changing anything
    /// (the sync scheduler retries these with backoff).
    public var isRetryable: Bool {
        switch kind {
        case .offline, .file, .internalFailure:
            // A full disk or a busy database may clear by itself; retrying with backoff is harmless.
            return true
        case let .server(status):
            return status == 408 || status == 429 || status >= 500
        default:
            return false
        }
    }

    /// Whether the server refused this device's credentials: sync stops until it is enrolled again.
    public var needsEnrolment: Bool {
        kind == .server(status: 401)
    }

    /// The core's review refusals (role, comment, state, unsigned changes), or `nil` for other input errors.
    private static func review(_ message: String) -> UserFacingError? {
        if message.contains("only supervisors review") {
            return UserFacingError(kind: .supervisorsOnly, title: "Supervisors only", message: message,
                                   recoverySuggestion: "Only a supervisor can approve or return inspections, from a phone enrolled as a supervisor's. Nothing was recorded.")
        }
        if message.contains("needs a comment") {
            return UserFacingError(kind: .commentRequired, title: "Comment required", message: message,
                                   recoverySuggestion: "Write what the officer should correct, then return the inspection.")
        }
        if message.contains("has not been submitted for review") {
            return UserFacingError(kind: .invalidInput, title: "Not submitted yet", message: message,
                                   recoverySuggestion: "It can be reviewed once the officer submits it.")
        }
        if message.contains("has changed since the officer submitted it") {
            return UserFacingError(kind: .changedSinceSubmission, title: "Changed since submission", message: message,
                                   recoverySuggestion: "The officer's signature does not cover what it says now. It can be approved once the officer submits it again; you can return it with a comment meanwhile. Nothing was recorded.")
        }
        if message.contains("is already submitted") {
            return UserFacingError(kind: .invalidInput, title: "Already submitted", message: message,
                                   recoverySuggestion: "It waits for the supervisor's decision and has not changed since. It can be submitted again after it is returned or changed.")
        }
        if message.contains("is approved as it stands") {
            return UserFacingError(kind: .invalidInput, title: "Already approved", message: message,
                                   recoverySuggestion: "The supervisor approved it as it is now; there is nothing new to submit.")
        }
        return nil
    }

    private static func serverTitle(_ status: UInt16) -> String {
        switch status {
        case 401: return "This device is not enrolled"
        case 403: return "Not allowed"
        case 408, 429, 500...599: return "The server is busy or unavailable"
        default: return "The server refused the request"
        }
    }

    private static func serverAdvice(_ status: UInt16) -> String? {
        switch status {
        case 401: return "The enrolment was refused or revoked. Ask your administrator for a new enrolment code."
        case 403: return "Your account may not do this. Ask your supervisor or administrator."
        case 408, 429, 500...599: return "Everything is saved on this phone. Sync will try again later."
        default: return nil
        }
    }
}

extension UserFacingError: LocalizedError {
    /// The message, for code that only knows `LocalizedError`.
    public var errorDescription: String? { message }
    /// The title, for code that only knows `LocalizedError`.
    public var failureReason: String? { title }
}

/// A form value the shell could not turn into what the core expects (for example, letters in a
/// number field). Range and format checks belong to the core; this covers only parsing.
public struct FormValidationError: Error, Equatable, Sendable {
    /// The field's name as shown on screen.
    public let field: String
    /// What is wrong with it.
    public let message: String

    /// Creates a validation error for the named field.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
