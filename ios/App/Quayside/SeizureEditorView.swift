import QuaysideCore
import QuaysideKit
import SwiftUI

/// Records what was done with the goods: action, legal basis, modus operandi, storage, and how
/// much was seized from each finding.
struct SeizureEditorView: View {
    @ObservedObject var model: InspectionEditorModel

    @Environment(\.dismiss) private var dismiss
    @State private var form = SeizureForm()
    /// Keeps what is typed as a draft (restored when the editor opens again).
    @State private var drafts: DraftKeeper<SeizureForm>?
    @State private var working = false

    private var findings: [FindingRecord] {
        model.view?.inspection.findings ?? []
    }

    var body: some View {
        NavigationStack {
            Form {
                Section("Action") {
                    Picker("Action", selection: $form.action) {
                        Text("Not decided").tag(SeizureAction?.none)
                        ForEach(SeizureAction.choices, id: \.self) { action in
                            Text(action.displayName).tag(SeizureAction?.some(action))
                        }
                    }
                    FieldRow(label: "Case reference", text: $form[.caseRef], code: true)
                    FieldRow(label: "Legal basis", text: $form[.legalBasis])
                    FieldRow(label: "Storage location", text: $form[.storageLocation])
                }
                Section("Modus operandi") {
                    ForEach(ModusOperandi.choices, id: \.self) { modus in
                        Toggle(modus.displayName, isOn: Binding(
                            get: { form.modusOperandi.contains(modus) },
                            set: { on in
                                if on { form.modusOperandi.insert(modus) } else { form.modusOperandi.remove(modus) }
                            }
                        ))
                    }
                }
                Section {
                    if findings.isEmpty {
                        Text("Add a finding first: seized quantities refer to findings.")
                            .font(.callout)
                            .foregroundStyle(.secondary)
                    }
                    ForEach(findings, id: \.id) { finding in
                        SeizedItemRow(finding: finding, form: $form)
                    }
                } header: {
                    Text("Seized")
                } footer: {
                    if let seized = model.view?.assessment.seized, seized.kg > 0 {
                        Text("As last saved: \(Figures.quantity(seized))")
                    }
                }
            }
            .navigationTitle("Seizure")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Cancel") {
                        Task {
                            await drafts?.discard()
                            drafts = nil
                            dismiss()
                        }
                    }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Save") { Task { await save() } }
                        .disabled(working)
                }
            }
            .task {
                guard drafts == nil else { return }
                let keeper = model.seizureDrafts()
                if let kept = await keeper.restore() {
                    form = kept.form
                } else {
                    form = model.view.map { SeizureForm(inspection: $0.inspection) } ?? SeizureForm()
                }
                drafts = keeper
            }
            .onChange(of: form) { typed in drafts?.changed(typed) }
            .onDisappear { Task { await drafts?.flush() } }
            .errorAlert($model.alert)
        }
    }

    private func save() async {
        working = true
        defer { working = false }
        if await model.setSeizure(form, basedOn: drafts?.basedOn ?? model.basedOn) {
            await drafts?.discard()
            drafts = nil
            dismiss()
        }
    }
}

/// Whether a finding's goods are seized, and how much of them.
private struct SeizedItemRow: View {
    let finding: FindingRecord
    @Binding var form: SeizureForm
    /// Switched on here: the quantity is shown to be typed even while it is still blank.
    @State private var opened = false

    var body: some View {
        VStack(alignment: .leading) {
            Toggle(finding.name.localized, isOn: Binding(
                get: { opened || form.isSeized(finding.id) },
                set: { seized in
                    opened = seized
                    form.setSeized(seized, finding: finding)
                }
            ))
            if opened || form.isSeized(finding.id) {
                HStack {
                    TextField("kg", text: item(.seizedKg))
                        .keyboardType(.decimalPad)
                    Text("kg")
                    TextField("cylinders", text: item(.seizedCylinders))
                        .keyboardType(.numberPad)
                    Text("cylinders")
                }
                .font(.callout)
            }
        }
    }

    /// A field of this finding's seized item (`item.<finding id>.kg`, `.cylinders`).
    private func item(_ field: SeizureForm.Field) -> Binding<String> {
        Binding(get: { form[field, finding: finding.id] }, set: { form[field, finding: finding.id] = $0 })
    }
}

/// Adds a hand-over to the chain of custody; the core stamps the time and requires both parties.
struct CustodyEntryView: View {
    @ObservedObject var model: InspectionEditorModel
    @Environment(\.dismiss) private var dismiss
    @State private var form: CustodyForm
    @State private var working = false
    /// Keeps what is typed as a draft (restored when the sheet opens again).
    @State private var drafts: DraftKeeper<CustodyForm>?

    init(model: InspectionEditorModel, from: String) {
        self.model = model
        _form = State(initialValue: CustodyForm(from: from))
    }

    var body: some View {
        NavigationStack {
            Form {
                FieldRow(label: "From", text: $form[.from])
                FieldRow(label: "To", text: $form[.to])
                FieldRow(label: "Location", text: $form[.location])
                FieldRow(label: "Note (seals checked, condition)", text: $form[.note])
            }
            .navigationTitle("Hand-over")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Cancel") {
                        Task {
                            await drafts?.discard()
                            drafts = nil
                            dismiss()
                        }
                    }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Add") {
                        Task {
                            working = true
                            if await model.addCustody(form) {
                                await drafts?.discard()
                                drafts = nil
                                dismiss()
                            }
                            working = false
                        }
                    }
                    .disabled(working || FormText.clean(form[.to]).isEmpty)
                }
            }
            .task {
                guard drafts == nil else { return }
                let keeper = model.custodyDrafts()
                if let kept = await keeper.restore() { form = kept.form }
                drafts = keeper
            }
            .onChange(of: form) { typed in drafts?.changed(typed) }
            .onDisappear { Task { await drafts?.flush() } }
            .errorAlert($model.alert)
        }
    }
}
