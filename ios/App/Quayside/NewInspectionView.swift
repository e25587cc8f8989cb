import QuaysideCore
import QuaysideKit
import SwiftUI

/// Starts an inspection from a container number; the rest is filled in the editor.
struct NewInspectionView: View {
    let onCreated: (InspectionView) -> Void

    @EnvironmentObject private var store: InspectionStore
    @EnvironmentObject private var location: LocationProvider
    @Environment(\.dismiss) private var dismiss
    @State private var form = InspectionForm()
    @State private var expectedDigit: UInt32?
    @State private var working = false
    @State private var error: UserFacingError?

    /// The core's reading of the number as typed: normalised form and check digit.
    private var check: Result<ContainerCheck, Error>? {
        let typed = FormText.clean(form[.container])
        guard typed.count >= 11 else { return nil }
        return Result { try QuaysideCore.checkContainerNumber(number: typed) }
    }

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    FieldRow(label: "Container number (e.g. CSQU 305438-3)", text: $form[.container], code: true)
                    switch check {
                    case let .success(result) where result.checkDigitOk:
                        Label(result.normalized, systemImage: "checkmark.circle").foregroundStyle(.green)
                    case let .success(result):
                        Label("Check digit should be \(result.expectedCheckDigit)", systemImage: "exclamationmark.triangle")
                            .foregroundStyle(.orange)
                    case let .failure(failure):
                        Text(UserFacingError(failure).message).font(.caption).foregroundStyle(.red)
                    case nil:
                        EmptyView()
                    }
                    if expectedDigit != nil {
                        Toggle("Record anyway (number as painted on the container)", isOn: $form.allowInvalidCheckDigit)
                    }
                    FieldRow(label: "Seals (comma separated)", text: $form[.seals], code: true)
                    FieldRow(label: "Reason for selection", text: $form[.selectionReason])
                }
                Section {
                    if let point = form.location {
                        ValueRow("Location", String(format: "%.5f, %.5f", point.lat, point.lon))
                    } else if location.denied {
                        Text("Location access is off: the inspection is recorded without a position.")
                            .font(.caption)
                    } else {
                        HStack { ProgressView(); Text("Finding the position…").font(.caption) }
                    }
                }
            }
            .navigationTitle("New inspection")
            .navigationBarTitleDisplayMode(.inline)
            .toolbar {
                ToolbarItem(placement: .cancellationAction) {
                    Button("Cancel") { dismiss() }
                }
                ToolbarItem(placement: .confirmationAction) {
                    Button("Start") { Task { await create() } }
                        .disabled(working || FormText.clean(form[.container]).isEmpty)
                }
            }
            .task {
                if form.location == nil {
                    form.location = await location.currentPoint()
                }
            }
            .errorAlert($error)
        }
    }

    private func create() async {
        working = true
        defer { working = false }
        do {
            let created = try await store.createInspection(form.fields())
            dismiss()
            onCreated(created)
        } catch {
            if let api = error as? ApiError, case let .CheckDigit(_, _, _, expected) = api {
                // Offer the override the core asks for; the report will carry the flag.
                expectedDigit = expected
            }
            self.error = UserFacingError(error)
        }
    }
}
