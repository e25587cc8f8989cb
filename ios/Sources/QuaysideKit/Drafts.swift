import Foundation
import QuaysideCore

/// The keys under which the core keeps a form's draft (`saveDraft(form:…)`).
public enum DraftKey {
    /// An inspection's own fields: `inspection:<id>`.
    public static func inspection(_ inspectionId: String) -> String { "inspection:\(inspectionId)" }
    /// A finding being edited, or a new one (`findingId` nil): `finding:<inspectionId>:<findingId|new>`.
    public static func finding(_ inspectionId: String, _ findingId: String?) -> String {
        "finding:\(inspectionId):\(findingId ?? "new")"
    }
    /// The seizure: `seizure:<id>`.
    public static func seizure(_ inspectionId: String) -> String { "seizure:\(inspectionId)" }
    /// A new custody hand-over: `custody:<id>:new`.
    public static func custody(_ inspectionId: String) -> String { "custody:\(inspectionId):new" }
}

/// A form as the core fills and reads it: the text as typed, by the core's field names (the same
/// on Android), which is also the draft kept. The core fills it from a stored record and reads
/// it into the fields the store takes; a refusal names the field.
public protocol DraftableForm: Equatable {
    /// The form's fields, named by the core.
    associatedtype Field: FormField
    /// The form's text by the core's field names: the draft kept, and what the core reads.
    var draftFields: [String: String] { get set }
    /// The form as kept in `fields`.
    init(draftFields fields: [String: String])
}

extension DraftableForm {
    /// An empty form (a new inspection or finding): a field it does not hold is left as it is.
    public init() { self.init(draftFields: [:]) }

    /// The text of `field` as typed ("" when the form does not hold it).
    public subscript(field: Field) -> String {
        get { draftFields[field.rawValue] ?? "" }
        set { draftFields[field.rawValue] = newValue }
    }

    /// `read()`, the core reading this form. A refusal naming a field is reported against the
    /// form's field (``FormValidationError``, with its label and the core's key).
    static func reading<Fields>(_ read: () throws -> Fields) throws -> Fields {
        do {
            return try read()
        } catch let refusal as ApiError {
            guard case let .Invalid(_, _, key?) = refusal else { throw refusal }
            throw FormValidationError(field: Field(key: key)?.label ?? key, key: key, refusal: refusal)
        }
    }
}

/// A field of a form; its raw value is the core's name of the field.
public protocol FormField: RawRepresentable, CaseIterable, Hashable, Sendable where RawValue == String {
    /// The field's name as shown on screen.
    var label: String { get }
}

extension FormField {
    /// The field a key of the core's names: the key itself, else the group of a numbered or keyed
    /// sub-field (`item.<finding id>.kg` is `item.kg`; `composition.2.pct` is `composition`,
    /// `location.lat` is `location`). The one place a refusal's `field` finds the form's field.
    public init?(key: String) {
        let parts = key.split(separator: ".").map(String.init)
        let grouped = parts.count > 2 ? "\(parts[0]).\(parts[parts.count - 1])" : key
        guard let field = Self(rawValue: key) ?? Self(rawValue: grouped) ?? Self(rawValue: parts.first ?? key) else { return nil }
        self = field
    }
}

/// Keeps what is typed in one form as a draft in the core, so that no keystroke is lost to a
/// crash, a call or the system ending the app: ``changed(_:)`` as the officer types (saved after a
/// short pause), ``flush()`` when the form is left or the app goes to the background,
/// ``restore()`` when the form opens again, ``discard()`` after the form was saved.
@MainActor
public final class DraftKeeper<Form: DraftableForm> {
    /// The form's key (``DraftKey``).
    public let key: String
    /// The inspection the form belongs to.
    public let inspectionId: String?
    /// How long after the last keystroke the draft is saved.
    public var delay: Duration
    /// The heads of the version the form was filled from (sent with the draft and with the save).
    public var basedOn: [String]

    private let store: InspectionStore
    private var pending: Form?
    private var timer: Task<Void, Never>?

    /// A keeper for the form `key` of `inspectionId`, filled from the version `basedOn`.
    public nonisolated init(store: InspectionStore, key: String, inspectionId: String?, basedOn: [String],
                delay: Duration = .milliseconds(500)) {
        self.store = store
        self.key = key
        self.inspectionId = inspectionId
        self.basedOn = basedOn
        self.delay = delay
    }

    /// The draft kept for this form, if any: the form as typed and the version it was filled from.
    /// Adopts that version as ``basedOn``.
    public func restore() async -> (form: Form, basedOn: [String], savedAt: String)? {
        guard let draft = try? await store.draft(form: key) else { return nil }
        basedOn = draft.basedOn
        return (Form(draftFields: draft.fields), draft.basedOn, draft.savedAt)
    }

    /// The officer typed: the draft is saved after ``delay`` without further typing.
    public func changed(_ form: Form) {
        pending = form
        timer?.cancel()
        let delay = self.delay
        timer = Task { [weak self] in
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            await self?.flush()
        }
    }

    /// Saves what is pending now (the form is left, the app goes to the background).
    public func flush() async {
        timer?.cancel()
        guard let form = pending else { return }
        pending = nil
        do {
            try await store.saveDraft(form: key, inspectionId: inspectionId, basedOn: basedOn, fields: form.draftFields)
        } catch {
            // Keep it pending: the next keystroke or flush tries again.
            if pending == nil { pending = form }
        }
    }

    /// Forgets the draft: the form was saved, or the officer discarded it.
    public func discard() async {
        timer?.cancel()
        pending = nil
        try? await store.discardDraft(form: key)
    }
}
