import Foundation
import QuaysideCore

/// A conflict as the editor lists it: what happened in a sentence, one line per value, and what
/// the officer can do. The core decides what is in conflict; this only words it.
public struct ConflictNotice: Equatable, Sendable {
    /// The path of the inspection's free-text notes.
    public static let notesPath = "notes"
    /// The value the core gives a removal in a `removedWhileEdited` conflict.
    private static let removal = "removed"

    /// The core's conflict, passed back to the editor's actions.
    public let conflict: ConflictRecord
    /// A few words, e.g. "Finding removed by kofi while ama edited it".
    public let title: String
    /// One line per value: the removals first, then the edits they did not see; or each concurrent value.
    public let lines: [String]
    /// What the officer can do about it.
    public let hint: String

    /// A colleague removed an element while another edited it: Restore and Confirm removal are offered.
    public var removedWhileEdited: Bool {
        conflict.kind == .removedWhileEdited && conflict.list != nil && conflict.elementId != nil
    }

    /// Concurrent rewrites of the notes: each version can be kept with one tap (writing it again settles it).
    public var notesVersions: [String] {
        conflict.kind == .values && conflict.path == Self.notesPath ? conflict.values.map(\.value) : []
    }

    /// The notice for `conflict`.
    public init(_ conflict: ConflictRecord) {
        self.conflict = conflict
        switch conflict.kind {
        case .removedWhileEdited:
            var removals = conflict.values.filter { $0.value == Self.removal }
            if removals.isEmpty { removals = Array(conflict.values.prefix(1)) }
            let edits = conflict.values.filter { !removals.contains($0) }
            let element = Self.element(conflict.list)
            let capitalised = element.prefix(1).uppercased() + String(element.dropFirst())
            let removedBy = Self.names(removals) ?? "a colleague"
            let editedBy = Self.names(edits) ?? "someone"
            title = "\(capitalised) removed by \(removedBy) while \(editedBy) edited it"
            lines = removals.map { Self.line("Removed", $0) } + edits.map { Self.line($0.value, $0) }
            hint = "Restore brings it back with every edit; Confirm removal keeps it removed. Either way, what it said stays in the history."
        case .values:
            title = "Changed on two devices: \(conflict.path)"
            lines = conflict.values.enumerated().map { index, value in
                Self.line("“\(value.value.isEmpty ? "(empty)" : value.value)”" + (index == 0 ? " (shown)" : ""), value)
            }
            hint = conflict.path == Self.notesPath
                ? "Keep one version, or write the notes again."
                : "Two people changed this offline. Set the field again to settle it."
        }
    }

    /// What an element of `list` is called.
    public static func element(_ list: ElementList?) -> String {
        switch list {
        case .findings: return "finding"
        case .photos: return "photo"
        case .seizureItems: return "seized quantity"
        case .custody: return "custody hand-over"
        case nil: return "entry"
        }
    }

    private static func names(_ values: [ConflictValueRecord]) -> String? {
        var seen: [String] = []
        for user in values.compactMap(\.user) where !seen.contains(user) { seen.append(user) }
        return seen.isEmpty ? nil : seen.joined(separator: " and ")
    }

    private static func line(_ what: String, _ value: ConflictValueRecord) -> String {
        [what, value.user, value.at.map(Timestamp.display)].compactMap { $0 }.joined(separator: " · ")
    }
}

/// An element removed from one of the inspection's lists (a finding, photo, seized quantity or
/// custody hand-over), listed with Restore: a removal made by mistake, on this phone or a
/// colleague's, is undone in one step with everything it said (`restoreElement`).
public struct RemovedNotice: Equatable, Sendable {
    /// The core's record, passed back to the editor's restore action.
    public let record: RemovedRecord
    /// "Finding …9f3a6c21 removed 29 Nov 2026 at 13:49" (the id's end, as the CLI shows ids).
    public let text: String

    /// The notice for `record`.
    public init(_ record: RemovedRecord) {
        self.record = record
        let element = ConflictNotice.element(record.list)
        let capitalised = element.prefix(1).uppercased() + String(element.dropFirst())
        text = "\(capitalised) …\(Ids.short(record.id)) removed \(Timestamp.display(record.removedAt))"
    }
}

extension InspectionView {
    /// The conflicts to settle, worded: removals that raced an edit (Restore / Confirm removal) and concurrent values.
    public var conflictNotices: [ConflictNotice] { conflicts.map(ConflictNotice.init) }

    /// Elements removed from the inspection's lists, newest first, leaving out those a
    /// removal-while-edited conflict already lists (with Restore and Confirm removal).
    public var removedNotices: [RemovedNotice] {
        removed
            .filter { item in
                !conflicts.contains { $0.kind == .removedWhileEdited && $0.list == item.list && $0.elementId == item.id }
            }
            .sorted { $0.removedAt > $1.removedAt }
            .map(RemovedNotice.init)
    }
}
