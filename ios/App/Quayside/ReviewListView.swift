import QuaysideCore
import QuaysideKit
import SwiftUI

/// Supervisor review: the submitted inspections of the stations this device syncs, read-only.
/// Approving or returning a report arrives with the review API (issue 5).
struct ReviewListView: View {
    @EnvironmentObject private var store: InspectionStore
    @State private var submitted: [InspectionSummary] = []
    @State private var loaded = false
    @State private var error: UserFacingError?

    var body: some View {
        NavigationStack {
            List {
                Section {
                    ForEach(submitted, id: \.id) { summary in
                        NavigationLink(value: InspectionRoute(id: summary.id)) {
                            InspectionRow(summary: summary, refusal: nil)
                        }
                    }
                } footer: {
                    if loaded && submitted.isEmpty {
                        Text("No submitted inspections on this device yet. Inspections of your stations arrive with sync.")
                    } else {
                        Text("Approve or return comes with the next release; for now, read the reports here.")
                    }
                }
            }
            .navigationTitle("Review")
            .navigationDestination(for: InspectionRoute.self) { route in
                ReviewDetailView(inspectionId: route.id)
            }
            .refreshable { await load() }
            .task(id: store.revision) { await load() }
            .errorAlert($error)
        }
    }

    private func load() async {
        do {
            submitted = try await store.summaries(matching: InspectionFilter(status: .submitted, limit: 500))
            loaded = true
        } catch {
            self.error = UserFacingError(error)
        }
    }
}

/// One submitted report, as the supervisor reads it.
struct ReviewDetailView: View {
    let inspectionId: String
    @EnvironmentObject private var store: InspectionStore
    @State private var view: InspectionView?
    @State private var error: UserFacingError?

    var body: some View {
        Group {
            if let view {
                InspectionDetailView(view: view)
            } else {
                ProgressView()
            }
        }
        .navigationTitle(view?.inspection.container.number ?? "Report")
        .navigationBarTitleDisplayMode(.inline)
        .task(id: store.revision) {
            do {
                view = try await store.inspection(id: inspectionId)
            } catch {
                self.error = UserFacingError(error)
            }
        }
        .errorAlert($error)
    }
}
