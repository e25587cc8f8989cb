import Foundation
import QuaysideCore

/// A conflict as the editor lists it: the core's sentence and hint in the officer's language, one
/// line per value, and which settling actions apply. The core decides what is in conflict and words it.
public struct ConflictNotice: Equatable, Sendable {
    /// The path of the inspection's free-text notes.
    private static let notesPath = "notes"
    /// The value the core gives a removal in a `removedWhileEdited` conflict.
    private static let removal = "removed"

    /// The core's conflict, passed back to the editor's actions.
    public let conflict: ConflictRecord
    /// A few words, e.g. "Finding removed by kofi while ama edited it" (the core's `message`).
    public let title: String
    /// One line per value, in the core's order: the removals first, then the edits they did not see; or each concurrent value.
    public let lines: [String]
    /// What the officer can do about it (the core's `hint`).
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
        title = conflict.message.localized
        hint = conflict.hint.localized
        switch conflict.kind {
        case .removedWhileEdited:
            let removed = Localization.text("conflict_line_removed", "Removed")
            lines = conflict.values.map { Self.line($0.value == Self.removal ? removed : $0.value, $0) }
        case .values:
            let empty = Localization.text("conflict_value_empty", "(empty)")
            let shown = Localization.text("conflict_value_shown", "(shown)")
            lines = conflict.values.enumerated().map { index, value in
                Self.line("“\(value.value.isEmpty ? empty : value.value)”" + (index == 0 ? " " + shown : ""), value)
            }
        }
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
        text = Localization.format(Localization.text("element_removed", "%1$@ …%2$@ removed %3$@"),
                                   [record.list.label().localized, Ids.short(record.id), Timestamp.display(record.removedAt)])
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
