import QuaysideCore
import QuaysideKit
import SwiftUI

/// Adds or edits a finding: declared and identified substance (picked from the core's
/// reference), or what the identifier really gave: "unknown" when it could not tell, a substance
/// the reference does not hold, or the composition it measured (rows adding up to 100 %); a
/// pre-blended polyol's HCFC-141b content; the identifier's reading, cylinders and mass. The
/// figures shown are the core's, unknowns worded as unknown, never 0.
struct FindingEditorView: View {
    @ObservedObject var model: InspectionEditorModel
    /// The finding being edited, or `nil` for a new one.
    let finding: FindingRecord?

    @Environment(\.dismiss) private var dismiss
    @State private var form = FindingForm()
    /// Keeps what is typed as a draft (restored when the editor opens again).
    @State private var drafts: DraftKeeper<FindingForm>?
    @State private var restored = false
    @State private var working = false
    @State private var confirmingRemoval = false

    var body: some View {
        NavigationStack {
            Form {
                Section("Substance") {
                    SubstanceField(title: "Declared", name: $form[.declared])
                    SubstanceField(title: "Identified", name: $form[.identified])
                    // The identifier could not tell: recorded as unknown, sent for laboratory analysis.
                    Toggle("Identifier could not tell (unknown)", isOn: Binding(
                        get: { form.identifiedUnknown },
                        set: { unknown in
                            form[.identified] = unknown ? FindingText.unknown : ""
                            if unknown { form[.identifiedOther] = "" }
                        }
                    ))
                    FieldRow(label: "Identified, not in the reference list", text: $form[.identifiedOther])
                    if form.needsContent {
                        FieldRow(label: "HCFC-141b content of the polyol (% by mass)", text: $form[.contentPct], keyboard: .decimalPad)
                    }
                }
                compositionSection
                Section("Refrigerant identifier") {
                    FieldRow(label: "Instrument", text: $form[.instrument])
                    FieldRow(label: "Reading as displayed", text: $form[.reading])
                    FieldRow(label: "Purity (%)", text: $form[.purityPct], keyboard: .decimalPad)
                }
                Section("Quantity") {
                    FieldRow(label: "Cylinders", text: $form[.cylinders], keyboard: .numberPad)
                    Picker(FindingForm.Field.cylinderType.label, selection: $form.cylinderType) {
                        Text("Not recorded").tag(CylinderType?.none)
                        ForEach(CylinderType.choices, id: \.self) { type in
                            Text(type.displayName).tag(CylinderType?.some(type))
                        }
                    }
                    FieldRow(label: "Kg per cylinder", text: $form[.kgPerCylinder], keyboard: .decimalPad)
                    FieldRow(label: "Net mass, all cylinders (kg)", text: $form[.netMassKg], keyboard: .decimalPad)
                    netMassLine
                }
                if let finding, let figures = model.figures(for: finding.id), let quantity = figures.quantity {
                    Section("Figures (as last saved)") {
                        QuantityRows(quantity: quantity)
                        ValueRow("ODP", figures.odp.map { $0.formatted() } ?? String(localized: "unknown"))
                        ValueRow("GWP", figures.gwp.map { $0.formatted() } ?? String(localized: "unknown"))
                        Text(figures.basis.label().localized).font(.caption)
                        if let parts = FindingText.parts(figures) { Text(parts).font(.caption) }
                        if let source = figures.gwpSource { Text(source).font(.caption).foregroundStyle(.secondary) }
                        FlagList(flags: model.flags(for: finding.id))
                    }
                }
                Section("Observations") {
                    FieldRow(label: "HS code observed", text: $form[.hsCode], keyboard: .numbersAndPunctuation)
                    FieldRow(label: "Labels", text: $form[.labels])
                    FieldRow(label: "Concealment", text: $form[.concealment])
                    FieldRow(label: "Notes", text: $form[.notes])
                }
                if finding != nil {
                    Section {
                        Button("Remove finding", role: .destructive) { confirmingRemoval = true }
                    }
                }
            }
            .navigationTitle(finding == nil ? String(localized: "New finding") : String(localized: "Finding"))
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
                    Button(finding == nil ? String(localized: "Add") : String(localized: "Save")) { Task { await save() } }
                        .disabled(working)
                }
            }
            .confirmationDialog("Remove this finding?", isPresented: $confirmingRemoval) {
                Button("Remove", role: .destructive) {
                    Task {
                        if let finding, await model.removeFinding(finding.id) { dismiss() }
                    }
                }
            }
            .task {
                guard drafts == nil else { return }
                let keeper = model.findingDrafts(finding?.id)
                if let kept = await keeper.restore() {
                    form = kept.form
                    restored = true
                } else if let finding {
                    form = FindingForm(record: finding)
                }
                drafts = keeper
            }
            .onChange(of: form) { typed in drafts?.changed(typed) }
            .onDisappear { Task { await drafts?.flush() } }
            .safeAreaInset(edge: .top) {
                if restored {
                    Text("Restored what you typed earlier.").font(.caption).padding(6)
                }
            }
            .errorAlert($model.alert)
        }
    }

    /// The composition the identifier measured, one row per component (a reference name, "air",
    /// or "unknown" for what it could not name) with its % by mass; swipe a row to delete it.
    private var compositionSection: some View {
        Section {
            ForEach(form.composition.indices, id: \.self) { index in
                HStack {
                    TextField("Component (R-22, air, unknown)", text: $form.composition[index].component)
                        .textInputAutocapitalization(.characters)
                        .autocorrectionDisabled()
                    TextField("%", text: $form.composition[index].pct)
                        .keyboardType(.decimalPad)
                        .multilineTextAlignment(.trailing)
                        .frame(width: 72)
                }
            }
            .onDelete { form.composition.remove(atOffsets: $0) }
            Button {
                form.composition.append(FindingForm.Component())
            } label: {
                Label("Add component", systemImage: "plus.circle")
            }
        } header: {
            Text("Measured composition (% by mass)")
        } footer: {
            switch Result(catching: { try form.compositionShares() }) {
            case let .success(shares):
                if !shares.isEmpty {
                    Text("Total \(FormText.text(shares.map(\.pct).reduce(0, +))) %")
                }
            case let .failure(problem):
                Text(UserFacingError(problem).message).foregroundStyle(.red)
            }
        }
    }

    /// The net mass the finding records, computed by the core as the form is filled (the total as
    /// typed, else cylinders × kg per cylinder), or why it cannot be: nothing to press, as on Android.
    @ViewBuilder private var netMassLine: some View {
        switch Result(catching: { try form.netMass() }) {
        case let .success(kg):
            if let kg {
                Text("Net mass: \(FormText.text(kg)) kg").font(.caption)
            }
        case let .failure(problem):
            Text(UserFacingError(problem).message).font(.caption).foregroundStyle(.red)
        }
    }

    private func save() async {
        working = true
        defer { working = false }
        let saved: Bool
        if let finding {
            // Based on the version the form was filled from (or the draft's).
            saved = await model.updateFinding(finding.id, form: form, basedOn: drafts?.basedOn ?? model.basedOn)
        } else {
            saved = await model.addFinding(form) != nil
        }
        if saved {
            await drafts?.discard()
            drafts = nil
            dismiss()
        }
    }
}

/// A substance chosen from the core's reference, or typed.
struct SubstanceField: View {
    /// A catalog key (a literal at the call site is looked up in Localizable.xcstrings).
    let title: LocalizedStringKey
    @Binding var name: String
    @State private var picking = false

    var body: some View {
        Button {
            picking = true
        } label: {
            LabeledContent(title, value: name.isEmpty ? String(localized: "Choose…") : name)
        }
        .sheet(isPresented: $picking) {
            SubstancePickerView(selection: $name)
        }
    }
}

/// Searches the core's reference (substances and blends, with ODP, GWP and sources; "not
/// controlled" for what the Montreal Protocol does not control, "GWP unknown" where none is published).
struct SubstancePickerView: View {
    @Binding var selection: String
    @Environment(\.dismiss) private var dismiss
    @StateObject private var search = SubstanceSearch()

    var body: some View {
        NavigationStack {
            List {
                let typed = FormText.clean(search.query)
                if !typed.isEmpty {
                    Button("Use “\(typed)” as typed") {
                        selection = typed
                        dismiss()
                    }
                }
                if !selection.isEmpty {
                    Button("Clear", role: .destructive) {
                        selection = ""
                        dismiss()
                    }
                }
                ForEach(search.results, id: \.id) { substance in
                    Button {
                        selection = substance.id
                        dismiss()
                    } label: {
                        VStack(alignment: .leading, spacing: 2) {
                            HStack {
                                Text(substance.id).font(.headline)
                                if substance.isBlend { Text("blend").font(.caption).foregroundStyle(.secondary) }
                            }
                            Text(substance.chemicalName).font(.subheadline)
                            Text(substance.pickerDetail).font(.caption).foregroundStyle(.secondary)
                        }
                    }
                    .buttonStyle(.plain)
                }
            }
            .searchable(text: $search.query, placement: .navigationBarDrawer(displayMode: .always), prompt: "R-22, R-404A, HCFC-141b, 2903.71…")
            .navigationTitle("Substance")
            .navigationBarTitleDisplayMode(.inline)
            .onAppear { search.refresh() }
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Cancel") { dismiss() }
                }
            }
        }
    }
}
