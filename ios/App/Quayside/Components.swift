import QuaysideCore
import QuaysideKit
import SwiftUI
import UIKit

extension View {
    /// Presents `error` in an alert with the core's message and what to do next.
    func errorAlert(_ error: Binding<UserFacingError?>) -> some View {
        alert(
            error.wrappedValue?.title ?? String(localized: "Error"),
            isPresented: Binding(
                get: { error.wrappedValue != nil },
                set: { if !$0 { error.wrappedValue = nil } }
            ),
            presenting: error.wrappedValue
        ) { _ in
            Button("OK", role: .cancel) {}
        } message: { shown in
            Text([shown.message, shown.recoverySuggestion].compactMap { $0 }.joined(separator: "\n\n"))
        }
    }
}

extension Binding where Value: DraftableForm {
    /// The text of one field of a form (`$form[.container]`), for a text field.
    subscript(field: Value.Field) -> Binding<String> {
        Binding<String>(get: { wrappedValue[field] }, set: { wrappedValue[field] = $0 })
    }
}

/// A labelled text field with the core's message underneath when its last change was refused.
struct FieldRow: View {
    /// A catalog key (a literal at the call site is looked up in Localizable.xcstrings).
    let label: LocalizedStringKey
    @Binding var text: String
    var error: String?
    var keyboard: UIKeyboardType = .default
    /// Codes and numbers (container numbers, HS codes, UN/LOCODEs): capitals, no autocorrection.
    var code = false

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            TextField(label, text: $text)
                .keyboardType(keyboard)
                .textInputAutocapitalization(code ? .characters : .sentences)
                .autocorrectionDisabled(code || keyboard != .default)
            if let error {
                Text(error).font(.caption).foregroundStyle(.red)
            }
        }
    }
}

/// A label and a value on one line.
struct ValueRow: View {
    /// A catalog key (a literal at the call site is looked up in Localizable.xcstrings).
    let label: LocalizedStringKey
    let value: String

    init(_ label: LocalizedStringKey, _ value: String) {
        self.label = label
        self.value = value
    }

    var body: some View {
        LabeledContent(label, value: value)
    }
}

/// The core's computed quantities: kg, ODP-tonnes, CO2-equivalent. Kilograms whose ODP or GWP
/// is unknown read "unknown" or "at least …", never 0.
struct QuantityRows: View {
    let quantity: QuantityRecord

    var body: some View {
        ValueRow("Mass", Figures.kg(quantity.kg))
        ValueRow("ODP-tonnes", Figures.odpTonnes(quantity))
        ValueRow("CO2-equivalent", Figures.co2eTonnes(quantity))
    }
}

/// The core's warnings on an inspection or finding, in the officer's language (each flag's
/// `message` through the ``Localizer``; its icon by `FlagKind`). Given the inspection's
/// `findings`, each flag is led by the finding it concerns (the core's messages do not name it);
/// under one finding, leave them out.
struct FlagList: View {
    let flags: [FlagRecord]
    var findings: [FindingRecord] = []

    var body: some View {
        ForEach(Array(flags.enumerated()), id: \.offset) { _, flag in
            Label(FindingText.flag(flag, findings: findings), systemImage: flag.kind.systemImage)
                .foregroundStyle(.orange)
                .font(.callout)
        }
    }
}

/// What two devices left to settle: fields where concurrent edits left more than one value
/// (every value, who wrote it, when), and elements a colleague removed while another edited them
/// (the removal, then the edits it did not see). With `actions`, each conflict ends with the
/// controls that settle it (the editor's Restore / Confirm removal / Keep); without, it is read-only.
struct ConflictList<Actions: View>: View {
    let conflicts: [ConflictRecord]
    let actions: (ConflictNotice) -> Actions

    init(conflicts: [ConflictRecord], @ViewBuilder actions: @escaping (ConflictNotice) -> Actions) {
        self.conflicts = conflicts
        self.actions = actions
    }

    var body: some View {
        ForEach(conflicts.map(ConflictNotice.init), id: \.conflict.path) { notice in
            VStack(alignment: .leading, spacing: 6) {
                Text(notice.title).font(.subheadline.bold())
                ForEach(Array(notice.lines.enumerated()), id: \.offset) { index, line in
                    Text(line)
                        .font(.callout)
                        .fontWeight(index == 0 ? .semibold : .regular)
                }
                Text(notice.hint)
                    .font(.caption)
                    .foregroundStyle(.secondary)
                actions(notice)
            }
        }
    }
}

extension ConflictList where Actions == EmptyView {
    /// The conflicts, read-only.
    init(conflicts: [ConflictRecord]) {
        self.init(conflicts: conflicts) { _ in EmptyView() }
    }
}

/// A photo from the store, scaled down, loaded off the main thread.
struct PhotoThumbnail: View {
    @EnvironmentObject private var store: InspectionStore
    let sha256: String
    var side: CGFloat = 96
    @State private var image: UIImage?
    @State private var failed = false
    /// Only the photo's record is on this phone (a colleague's photo: sync carries records, not images).
    @State private var elsewhere = false

    private static let cache = NSCache<NSString, UIImage>()

    var body: some View {
        ZStack {
            Rectangle().fill(Color.secondary.opacity(0.15))
            if let image {
                Image(uiImage: image).resizable().scaledToFill()
            } else if elsewhere {
                Label("On the server", systemImage: "icloud")
                    .labelStyle(.iconOnly)
                    .foregroundStyle(.secondary)
            } else if failed {
                Image(systemName: "exclamationmark.triangle").foregroundStyle(.orange)
            } else {
                ProgressView()
            }
        }
        .frame(width: side, height: side)
        .clipShape(RoundedRectangle(cornerRadius: 8))
        .task(id: sha256) { await load() }
    }

    private func load() async {
        if let cached = Self.cache.object(forKey: sha256 as NSString) {
            image = cached
            return
        }
        do {
            let data = try await store.photoData(sha256: sha256)
            let size = CGSize(width: side * 3, height: side * 3)
            guard let full = UIImage(data: data), let thumbnail = await full.byPreparingThumbnail(ofSize: size) else {
                failed = true
                return
            }
            Self.cache.setObject(thumbnail, forKey: sha256 as NSString)
            image = thumbnail
        } catch let error as UserFacingError {
            if case .notFound = error.kind { elsewhere = true } else { failed = true }
        } catch {
            failed = true
        }
    }
}

/// A review state as a capsule: approved green, states needing action orange, drafts grey.
struct ReviewBadgeLabel: View {
    let badge: ReviewState

    private var tint: Color {
        switch badge {
        case .approved: return .green
        case .returned, .changedSinceSubmission, .changedSinceApproval: return .orange
        case .awaitingReview: return .blue
        case .draft: return .secondary
        }
    }

    var body: some View {
        Text(badge.text)
            .font(.caption.bold())
            .padding(.horizontal, 6)
            .padding(.vertical, 2)
            .background(tint.opacity(0.2))
            .clipShape(Capsule())
    }
}

/// The review banner of an inspection: state, the supervisor's comment, what to do next.
struct ReviewNoticeView: View {
    let notice: ReviewNotice

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                ReviewBadgeLabel(badge: notice.badge)
                Text(notice.title)
                    .font(.headline)
                    .foregroundStyle(notice.attention ? Color.orange : Color.primary)
            }
            if !notice.text.isEmpty {
                Text(notice.text).font(.callout)
            }
        }
        .padding(.vertical, 4)
    }
}
