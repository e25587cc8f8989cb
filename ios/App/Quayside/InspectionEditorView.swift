import QuaysideCore
import QuaysideKit
import SwiftUI
import UIKit

/// The sheets the editor presents.
private enum EditorSheet: Identifiable {
    case newFinding
    case finding(FindingRecord)
    case camera
    /// A photo already sealed in the core's inbox at `path`, to caption and attach.
    case photo(path: String, jpeg: Data)
    case seizure
    case custody

    var id: String {
        switch self {
        case .newFinding: return "new-finding"
        case let .finding(finding): return "finding-\(finding.id)"
        case .camera: return "camera"
        case .photo: return "photo"
        case .seizure: return "seizure"
        case .custody: return "custody"
        }
    }
}

/// Records one inspection: container and declaration, findings with the core's figures,
/// evidence photos, seizure and chain of custody, then submission. What is typed is kept as a
/// draft as the officer types and saved when the editor is left. Submitted
/// inspections are shown read-only with their review state until the officer chooses to correct
/// one; a returned inspection, or one changed since it was signed, opens for editing with the
/// review banner and "Submit again". What two devices left to settle is listed with its remedy:
/// Restore or Confirm removal for an element a colleague removed while another edited it, Keep for
/// notes rewritten on two devices.
struct InspectionEditorView: View {
    @StateObject private var model: InspectionEditorModel
    @EnvironmentObject private var store: InspectionStore
    @EnvironmentObject private var location: LocationProvider
    @Environment(\.scenePhase) private var scenePhase
    @State private var sheet: EditorSheet?
    @State private var confirmingSubmit = false
    @State private var confirmingCorrection = false
    @State private var locating = false

    init(store: InspectionStore, inspectionId: String) {
        _model = StateObject(wrappedValue: InspectionEditorModel(store: store, inspectionId: inspectionId))
    }

    var body: some View {
        Group {
            if let view = model.view {
                if model.isEditable {
                    editor(view)
                } else {
                    InspectionDetailView(view: view) {
                        Section {
                            Button {
                                confirmingCorrection = true
                            } label: {
                                Label("Correct this inspection", systemImage: "pencil")
                            }
                        } footer: {
                            if view.reviewState == .approved {
                                Text("A correction after approval needs your signature again: submit it again for your supervisor's review.")
                            } else {
                                Text("Your supervisor can approve only what you signed: after a correction, submit it again.")
                            }
                        }
                    }
                }
            } else {
                ProgressView()
            }
        }
        .navigationTitle(model.view?.inspection.container.number ?? String(localized: "Inspection"))
        .navigationBarTitleDisplayMode(.inline)
        .toolbar {
            ToolbarItem(placement: .status) {
                SaveStateLabel(state: model.saveState)
            }
            ToolbarItem(placement: .primaryAction) {
                if let id = model.view?.inspection.id {
                    NavigationLink {
                        HistoryView(inspectionId: id)
                    } label: {
                        Label("History", systemImage: "clock.arrow.circlepath")
                    }
                }
            }
        }
        .task { await model.load() }
        // Leaving the editor keeps the draft, then saves; going to the background keeps the draft.
        .onDisappear { Task { await model.leave() } }
        .onChange(of: scenePhase) { phase in
            if phase == .background { Task { await model.keepDraft() } }
        }
        .sheet(item: $sheet) { sheet in
            sheetContent(sheet)
                .environmentObject(store)
                .environmentObject(location)
        }
        .confirmationDialog(model.isResubmission ? String(localized: "Submit again?") : String(localized: "Submit for review?"),
                            isPresented: $confirmingSubmit, titleVisibility: .visible) {
            Button("Submit") { Task { _ = await model.submit() } }
        } message: {
            if model.reviewState == .returned {
                Text("Submit once you have corrected what your supervisor asked. It goes back to your supervisor.")
            } else if model.isResubmission {
                Text("Your supervisor can approve only what you signed. Submitting again signs the inspection as it is now, changes included.")
            } else {
                Text("A submitted inspection goes to your supervisor. A later correction needs their review again.")
            }
        }
        .confirmationDialog("Correct a submitted inspection?", isPresented: $confirmingCorrection, titleVisibility: .visible) {
            Button("Correct") { model.beginCorrection() }
        } message: {
            if model.reviewState == .approved {
                Text("It was approved as it is now. After your change it reads “changed since approval” until you submit it again and your supervisor reviews it.")
            } else {
                Text("After your change it reads “changed since submission”: your supervisor can return it, but approve it only once you submit it again.")
            }
        }
        .errorAlert($model.alert)
    }

    // MARK: The form

    @ViewBuilder
    private func editor(_ view: InspectionView) -> some View {
        Form {
            if let notice = model.reviewNotice {
                Section { ReviewNoticeView(notice: notice) }
            }
            if model.restoredDraftAt != nil || model.saveError != nil {
                saveSection
            }
            containerSection
            declarationSection
            findingsSection(view)
            photosSection(view)
            seizureSection(view)
            if !view.assessment.flags.isEmpty {
                Section("Flags") { FlagList(flags: view.assessment.flags, findings: view.inspection.findings) }
            }
            if !view.conflicts.isEmpty {
                Section("Changed on two devices") {
                    ConflictList(conflicts: view.conflicts) { notice in conflictActions(notice) }
                }
            }
            if !model.removed.isEmpty {
                removedSection
            }
            otherSection
            if model.canSubmit {
                Section {
                    Button {
                        confirmingSubmit = true
                    } label: {
                        Label(model.isResubmission ? String(localized: "Submit again") : String(localized: "Submit for review"), systemImage: "paperplane")
                    }
                }
            }
        }
    }

    /// Restore / Confirm removal for an element removed while it was edited; Keep for each version of the notes.
    @ViewBuilder
    private func conflictActions(_ notice: ConflictNotice) -> some View {
        if notice.removedWhileEdited {
            HStack {
                Button {
                    Task { _ = await model.restore(notice.conflict) }
                } label: {
                    Label("Restore", systemImage: "arrow.uturn.backward")
                }
                Spacer()
                Button(role: .destructive) {
                    Task { _ = await model.confirmRemoval(notice.conflict) }
                } label: {
                    Label("Confirm removal", systemImage: "trash")
                }
            }
            // Several buttons in one form row: each must take only its own taps.
            .buttonStyle(.borderless)
        }
        ForEach(notice.notesVersions, id: \.self) { version in
            Button {
                Task { _ = await model.keepNotes(version) }
            } label: {
                Text("Keep “\(version)”").lineLimit(1)
            }
            .buttonStyle(.borderless)
        }
    }

    /// Elements removed from the inspection, here or on a colleague's phone, each with Restore:
    /// a removal made by mistake is undone in one step, with everything the element said.
    private var removedSection: some View {
        Section {
            ForEach(model.removed, id: \.record.id) { notice in
                HStack {
                    Text(notice.text).font(.callout)
                    Spacer()
                    Button {
                        Task { _ = await model.restoreRemoved(notice.record) }
                    } label: {
                        Label("Restore", systemImage: "arrow.uturn.backward")
                    }
                    .buttonStyle(.borderless)
                }
            }
        } header: {
            Text("Removed")
        } footer: {
            Text("Removed elements stay in the history; Restore brings one back as it was.")
        }
    }

    /// What was restored from a draft, or why the last save was refused, with Save and Discard.
    private var saveSection: some View {
        Section {
            if let error = model.saveError {
                Label(error.title, systemImage: "exclamationmark.triangle").foregroundStyle(.orange)
                Text(error.message).font(.callout)
                if let advice = error.recoverySuggestion {
                    Text(advice).font(.caption).foregroundStyle(.secondary)
                }
            } else if let at = model.restoredDraftAt {
                Label("Restored what you typed \(Timestamp.display(at)); it is not saved yet.",
                      systemImage: "arrow.uturn.backward.circle")
            }
            HStack {
                Button("Save") { Task { await model.save() } }
                Spacer()
                Button("Discard changes", role: .destructive) { Task { await model.discardChanges() } }
            }
            .buttonStyle(.borderless)
        }
    }

    private var containerSection: some View {
        Section("Container") {
            field("Container number", .container, code: true)
            if model.saveError?.code == .checkDigit || model.form.allowInvalidCheckDigit {
                Toggle("Record anyway (as painted on the container)", isOn: $model.form.allowInvalidCheckDigit)
            }
            field("Seals (comma separated)", .seals, code: true)
            field("Size and type (e.g. 45G1)", .sizeType, code: true)
        }
    }

    private var declarationSection: some View {
        Section("Declaration") {
            field("Declaration number", .declaration, code: true)
            field("Bill of lading", .billOfLading, code: true)
            field("HS code (e.g. 3827.64)", .hsCode, keyboard: .numbersAndPunctuation)
            field("Description of goods", .goodsDescription)
            field("Declared quantity (kg)", .quantityKg, keyboard: .decimalPad)
            field("Consignor", .consignor)
            field("Consignee", .consignee)
            field("Origin", .origin)
            field("Destination", .destination)
            field("Transit ports (UN/LOCODEs)", .transit, code: true)
        }
    }

    /// A text field of the form, showing the core's refusal of it after a save.
    private func field(_ label: LocalizedStringKey, _ field: InspectionForm.Field, keyboard: UIKeyboardType = .default,
                       code: Bool = false) -> some View {
        FieldRow(label: label, text: $model.form[field], error: model.problem(with: field), keyboard: keyboard, code: code)
    }

    private func findingsSection(_ view: InspectionView) -> some View {
        Section {
            ForEach(view.inspection.findings, id: \.id) { finding in
                Button {
                    sheet = .finding(finding)
                } label: {
                    FindingRow(finding: finding, figures: model.figures(for: finding.id), flags: model.flags(for: finding.id))
                }
                .buttonStyle(.plain)
            }
            .onDelete { offsets in
                let ids = offsets.map { view.inspection.findings[$0].id }
                Task {
                    for id in ids { _ = await model.removeFinding(id) }
                }
            }
            Button {
                sheet = .newFinding
            } label: {
                Label("Add finding", systemImage: "plus.circle")
            }
        } header: {
            Text("Findings")
        } footer: {
            if !view.inspection.findings.isEmpty {
                let total = view.assessment.total
                Text("Total: \(Figures.quantity(total))")
            }
        }
    }

    private func photosSection(_ view: InspectionView) -> some View {
        Section("Evidence photos") {
            if !view.inspection.photos.isEmpty {
                ScrollView(.horizontal) {
                    HStack {
                        ForEach(view.inspection.photos, id: \.sha256) { photo in
                            VStack(alignment: .leading) {
                                PhotoThumbnail(sha256: photo.sha256)
                                Text(photo.caption ?? Timestamp.display(photo.capturedAt))
                                    .font(.caption2)
                                    .lineLimit(1)
                                    .frame(width: 96, alignment: .leading)
                            }
                            .contextMenu {
                                Button(role: .destructive) {
                                    Task { _ = await model.removePhoto(photo.sha256) }
                                } label: {
                                    Label("Remove photo", systemImage: "trash")
                                }
                            }
                        }
                    }
                }
            }
            Button {
                sheet = .camera
            } label: {
                Label("Take photo", systemImage: "camera")
            }
        }
    }

    private func seizureSection(_ view: InspectionView) -> some View {
        Section("Seizure and custody") {
            if let seizure = view.inspection.seizure, seizure.action != nil || !seizure.items.isEmpty {
                if let action = seizure.action {
                    ValueRow("Action", action.displayName)
                }
                if let caseRef = seizure.caseRef {
                    ValueRow("Case", caseRef)
                }
                if !seizure.items.isEmpty {
                    QuantityRows(quantity: view.assessment.seized)
                }
                ForEach(Array(seizure.custody.enumerated()), id: \.offset) { _, entry in
                    CustodyRow(entry: entry)
                        .swipeActions {
                            // Entries recorded before entries had ids cannot be named for removal.
                            if !entry.id.isEmpty {
                                Button(role: .destructive) {
                                    Task { _ = await model.removeCustody(entry.id) }
                                } label: {
                                    Label("Remove", systemImage: "trash")
                                }
                            }
                        }
                }
            }
            Button {
                sheet = .seizure
            } label: {
                Label(view.inspection.seizure?.action == nil ? String(localized: "Record seizure") : String(localized: "Edit seizure"), systemImage: "lock.shield")
            }
            Button {
                sheet = .custody
            } label: {
                Label("Add hand-over", systemImage: "arrow.left.arrow.right")
            }
        }
    }

    private var otherSection: some View {
        Section("Where and why") {
            HStack {
                if let point = model.form.location {
                    Text(String(format: "%.5f, %.5f", point.lat, point.lon)).font(.callout.monospaced())
                } else {
                    Text(model.problem(with: .location) ?? String(localized: "No position")).foregroundStyle(.secondary)
                }
                Spacer()
                Button {
                    Task {
                        locating = true
                        if let point = await location.currentPoint() { model.form.location = point }
                        locating = false
                    }
                } label: {
                    if locating { ProgressView() } else { Label("Here", systemImage: "location") }
                }
                .disabled(locating || location.denied)
            }
            field("Reason for selection", .selectionReason)
            VStack(alignment: .leading) {
                TextField("Notes", text: $model.form[.notes], axis: .vertical)
                    .lineLimit(3...10)
            }
        }
    }

    // MARK: Sheets

    @ViewBuilder
    private func sheetContent(_ sheet: EditorSheet) -> some View {
        switch sheet {
        case .newFinding:
            FindingEditorView(model: model, finding: nil)
        case let .finding(finding):
            FindingEditorView(model: model, finding: finding)
        case .camera:
            CameraPicker { jpeg in
                // Sealed on disk in the core's inbox before the officer captions it: a crash
                // meanwhile loses nothing (recovered at the next start), and no file of it is
                // ever in the clear.
                Task {
                    if let path = await model.keepPhoto(jpeg) {
                        self.sheet = .photo(path: path, jpeg: jpeg)
                    } else {
                        self.sheet = nil
                    }
                }
            } onCancel: {
                self.sheet = nil
            }
            .ignoresSafeArea()
        case let .photo(path, jpeg):
            PhotoAttachView(model: model, path: path, jpeg: jpeg)
        case .seizure:
            SeizureEditorView(model: model)
        case .custody:
            CustodyEntryView(model: model, from: store.device.user)
        }
    }
}

/// Whether the officer's typing is stored.
struct SaveStateLabel: View {
    let state: InspectionEditorModel.SaveState

    var body: some View {
        switch state {
        case .saved:
            Label("Saved", systemImage: "checkmark.circle").labelStyle(.titleAndIcon).font(.caption)
        case .editing:
            Label("Editing", systemImage: "pencil").labelStyle(.titleAndIcon).font(.caption)
        case .saving:
            ProgressView().controlSize(.small)
        case .failed:
            Label("Not saved", systemImage: "exclamationmark.circle").labelStyle(.titleAndIcon).font(.caption)
                .foregroundStyle(.red)
        }
    }
}

/// A finding in a list: what was found (or measured, or not identified) and declared, cylinders,
/// the core's figures with what they rest on, and flags.
struct FindingRow: View {
    let finding: FindingRecord
    let figures: FindingFiguresRecord?
    let flags: [FlagRecord]

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            Text(FindingText.title(finding)).font(.headline)
            if let cylinders = finding.cylinders {
                Text(verbatim: "\(cylinders) × \(finding.cylinderType?.displayName ?? String(localized: "cylinder"))").font(.subheadline)
            }
            if let quantity = figures?.quantity {
                Text(Figures.quantity(quantity)).font(.caption)
            }
            if let figures {
                Text(figures.basis.label().localized).font(.caption2).foregroundStyle(.secondary)
                if let parts = FindingText.parts(figures) {
                    Text(parts).font(.caption2).foregroundStyle(.secondary)
                }
                if figures.quantity != nil, let source = figures.gwpSource {
                    Text("GWP: \(source)").font(.caption2).foregroundStyle(.secondary)
                }
            }
            FlagList(flags: flags)
        }
    }
}

/// One hand-over in the chain of custody.
struct CustodyRow: View {
    let entry: CustodyRecord

    var body: some View {
        VStack(alignment: .leading, spacing: 2) {
            Text(verbatim: "\(entry.from) → \(entry.to)").font(.callout)
            Text([Timestamp.display(entry.at), entry.location, entry.note].compactMap { $0 }.joined(separator: " · "))
                .font(.caption)
                .foregroundStyle(.secondary)
        }
    }
}
