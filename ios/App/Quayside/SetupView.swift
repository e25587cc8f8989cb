import QuaysideKit
import SwiftUI

/// First start: whose phone this is and at which station. Enrolment with the server comes after
/// (Sync tab): an officer can start recording before the phone has ever seen a network. Shown
/// again after an administrator wiped the phone, saying so.
struct SetupView: View {
    @EnvironmentObject private var model: AppModel
    @State private var user = ""
    @State private var station = ""
    @State private var working = false
    @State private var error: UserFacingError?

    var body: some View {
        NavigationStack {
            Form {
                if model.storeWiped {
                    // Set up again after an administrator's wipe: say why the phone is empty.
                    let wiped = UserFacingError.storeWiped
                    Section {
                        Label(wiped.title, systemImage: "exclamationmark.triangle")
                            .font(.headline)
                            .foregroundStyle(.orange)
                        Text(wiped.message)
                            .font(.callout)
                    }
                }
                Section {
                    FieldRow(label: "User name (as given by your administrator)", text: $user, code: false)
                        .textContentType(.username)
                    FieldRow(label: "Station (UN/LOCODE, e.g. GHTEM)", text: $station, code: true)
                } footer: {
                    Text("Inspections are recorded on this phone and reach the agency server once the phone is enrolled (Sync tab).")
                }
                Section {
                    Button {
                        Task { await create() }
                    } label: {
                        if working { ProgressView() } else { Text("Start") }
                    }
                    .disabled(working || FormText.clean(user).isEmpty || FormText.clean(station).isEmpty)
                }
            }
            .navigationTitle("Quayside")
            .errorAlert($error)
        }
    }

    private func create() async {
        working = true
        defer { working = false }
        do {
            try await model.createStore(user: user, station: station)
        } catch {
            self.error = UserFacingError(error)
        }
    }
}
