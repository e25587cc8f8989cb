import QuaysideCore
import QuaysideKit
import SwiftUI

/// Supervisor review: the inspections of the supervisor's stations waiting for a decision
/// (submitted, or changed since they were submitted or approved), synced on opening and on
/// pull-to-refresh. Each opens in full with a comment field and Approve / Return; a decision is
/// signed on this phone for exactly the version on screen, then sent with a sync. If a sync
/// brought a change after it was opened, nothing is recorded: the inspection is shown again as it
/// is now and an alert says it changed since it was opened. Only a version the officer signed can
/// be approved; after a change since submission, Return is the only decision until they submit again.
struct ReviewListView: View {
    @EnvironmentObject private var store: InspectionStore
    @StateObject private var model: ReviewQueueModel
    @State private var path = NavigationPath()

    init(store: InspectionStore) {
        _model = StateObject(wrappedValue: ReviewQueueModel(store: store))
    }

    var body: some View {
        NavigationStack(path: $path) {
            List {
                if let notice = model.notice {
                    Section {
                        Label(notice, systemImage: "checkmark.seal").foregroundStyle(.green)
                    }
                }
                Section {
                    ForEach(model.rows, id: \.id) { summary in
                        NavigationLink(value: InspectionRoute(id: summary.id)) {
                            InspectionRow(summary: summary, refusal: nil)
                        }
                    }
                } footer: {
                    if model.loaded && model.rows.isEmpty {
                        Text("Nothing waits for your decision. Inspections officers of your stations submit arrive with sync.")
                    }
                }
            }
            .navigationTitle("Review")
            .navigationDestination(for: InspectionRoute.self) { route in
                ReviewDetailView(model: model, inspectionId: route.id) {
                    if !path.isEmpty { path.removeLast() }
                }
            }
            .overlay {
                if model.busy && model.current == nil { ProgressView() }
            }
            .refreshable { await model.syncAndLoad() }
            .task { await model.syncAndLoad() }
            .task(id: store.revision) { await model.load() }
            .errorAlert($model.alert)
        }
    }
}

/// One inspection as the supervisor reads it, with the decision controls at the end.
struct ReviewDetailView: View {
    @ObservedObject var model: ReviewQueueModel
    let inspectionId: String
    /// Called after a decision was recorded (back to the queue).
    let decided: () -> Void
    @State private var confirmingApproval = false

    var body: some View {
        Group {
            if let view = model.current, view.inspection.id == inspectionId {
                InspectionDetailView(view: view) {
                    decisionSection(view)
                }
            } else {
                ProgressView()
            }
        }
        .navigationTitle(model.current?.inspection.container.number ?? String(localized: "Report"))
        .navigationBarTitleDisplayMode(.inline)
        .task(id: inspectionId) { await model.open(inspectionId: inspectionId) }
        .confirmationDialog("Approve this inspection?", isPresented: $confirmingApproval, titleVisibility: .visible) {
            Button("Approve") {
                Task { if await model.approve() { decided() } }
            }
        } message: {
            Text("Your approval is signed on this phone and covers the inspection exactly as shown. If the officer changes it afterwards, it comes back to this queue.")
        }
        .errorAlert($model.alert)
    }

    @ViewBuilder
    private func decisionSection(_ view: InspectionView) -> some View {
        if view.reviewState.awaitsDecision {
            Section {
                TextField("Comment (required to return)", text: $model.comment, axis: .vertical)
                    .lineLimit(3...8)
                Button {
                    confirmingApproval = true
                } label: {
                    Label("Approve", systemImage: "checkmark.seal")
                }
                .disabled(!model.canApprove)
                Button(role: .destructive) {
                    Task { if await model.returnToOfficer() { decided() } }
                } label: {
                    Label("Return to \(view.inspection.officer)", systemImage: "arrow.uturn.backward")
                }
                .disabled(!model.canReturn)
            } header: {
                Text("Your decision")
            } footer: {
                VStack(alignment: .leading, spacing: 4) {
                    if !view.submissionCoversShown {
                        Text("Changed after \(view.inspection.officer) submitted it: their signature does not cover what it says now. It can be approved once they submit it again; you can return it meanwhile.")
                            .foregroundStyle(.orange)
                    }
                    Text("To return the inspection, write what the officer should correct. Photos show once their images are on this phone; sync carries the photo records.")
                }
            }
        }
    }
}
