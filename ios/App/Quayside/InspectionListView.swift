import QuaysideCore
import QuaysideKit
import SwiftUI

/// Navigation to one inspection.
struct InspectionRoute: Hashable {
    let id: String
}

/// The officer's inspections, newest first, with what has not reached the server yet.
struct InspectionListView: View {
    @EnvironmentObject private var store: InspectionStore
    @EnvironmentObject private var scheduler: SyncScheduler
    @State private var path = NavigationPath()
    @State private var creating = false

    var body: some View {
        NavigationStack(path: $path) {
            List {
                Section {
                    SyncBanner()
                }
                Section {
                    ForEach(store.inspections, id: \.id) { summary in
                        NavigationLink(value: InspectionRoute(id: summary.id)) {
                            InspectionRow(summary: summary, refusal: refusal(of: summary.id))
                        }
                    }
                } footer: {
                    if store.inspections.isEmpty {
                        Text(store.query.text.isEmpty ? "No inspections yet. Tap + to start one." : "Nothing matches.")
                    }
                }
            }
            .navigationTitle("Inspections")
            .searchable(text: $store.query.text, prompt: "Container number or substance")
            .refreshable {
                await store.refresh()
                if store.isEnrolled { await scheduler.syncNow() }
            }
            .toolbar {
                ToolbarItem(placement: .navigationBarLeading) {
                    Picker("Show", selection: $store.query.scope) {
                        ForEach(InspectionQuery.Scope.allCases) { scope in
                            Text(scope.label).tag(scope)
                        }
                    }
                    .pickerStyle(.menu)
                }
                ToolbarItem(placement: .primaryAction) {
                    Button {
                        creating = true
                    } label: {
                        Label("New inspection", systemImage: "plus")
                    }
                }
            }
            .navigationDestination(for: InspectionRoute.self) { route in
                InspectionEditorView(store: store, inspectionId: route.id)
            }
            .sheet(isPresented: $creating) {
                NewInspectionView { created in
                    path.append(InspectionRoute(id: created.inspection.id))
                }
            }
        }
    }

    private func refusal(of id: String) -> String? {
        store.syncStatus?.rejected.first { $0.inspectionId == id }?.reason
    }
}

/// One row: container, review state, substances, the core's figures, and whether the server has it.
struct InspectionRow: View {
    let summary: InspectionSummary
    let refusal: String?

    var body: some View {
        VStack(alignment: .leading, spacing: 4) {
            HStack {
                Text(summary.containerNumber).font(.headline.monospaced())
                Spacer()
                if let badge = summary.reviewBadge {
                    ReviewBadgeLabel(badge: badge)
                } else {
                    Text(summary.isSubmitted ? "Submitted" : "Draft")
                        .font(.caption.bold())
                }
            }
            if !summary.substances.isEmpty {
                Text(summary.substances.joined(separator: ", ")).font(.subheadline)
            }
            HStack(spacing: 12) {
                // Worded like a finding's figures: an unknown is never shown as a zero.
                if summary.totalKg > 0 {
                    Text(Figures.odpTonnes(summary))
                    Text(Figures.co2eTonnes(summary))
                }
                if let action = summary.seizureAction {
                    Text(action.capitalized)
                }
            }
            .font(.caption)
            .foregroundStyle(.secondary)
            HStack(spacing: 12) {
                Text("\(summary.station) · \(summary.officer) · \(Timestamp.display(summary.createdAt))")
                if summary.photoCount > 0 {
                    Label("\(summary.photoCount)", systemImage: "camera")
                }
                if summary.flagCount > 0 {
                    Label("\(summary.flagCount)", systemImage: "exclamationmark.triangle")
                        .foregroundStyle(.orange)
                }
                if summary.conflictCount > 0 {
                    Label("\(summary.conflictCount)", systemImage: "arrow.triangle.branch")
                        .foregroundStyle(.purple)
                }
            }
            .font(.caption2)
            .foregroundStyle(.secondary)
            if let refusal {
                Label("Refused by the server: \(refusal)", systemImage: "xmark.octagon")
                    .font(.caption)
                    .foregroundStyle(.red)
            } else if summary.pendingSync {
                // The core's per-row sync state: changes on this phone the server has not confirmed.
                Label("Not yet on the server", systemImage: "icloud.slash")
                    .font(.caption)
                    .foregroundStyle(.orange)
            }
        }
        .padding(.vertical, 2)
    }
}

/// What has not reached the server yet, and whether a sync is running.
struct SyncBanner: View {
    @EnvironmentObject private var store: InspectionStore
    @EnvironmentObject private var scheduler: SyncScheduler

    var body: some View {
        if case let .running(progress) = store.syncActivity {
            VStack(alignment: .leading) {
                Text(progress?.summary ?? "Syncing…").font(.callout)
                if let fraction = progress?.fractionCompleted {
                    ProgressView(value: fraction)
                } else {
                    ProgressView()
                }
            }
        } else if let status = store.syncStatus {
            if !status.enrolled {
                Label("Not enrolled: records stay on this phone until it is enrolled (Sync tab).",
                      systemImage: "iphone.slash")
                    .font(.callout)
            } else if status.unsyncedInspections > 0 || status.unsyncedPhotos > 0 {
                Label(pendingText(status), systemImage: scheduler.isNetworkAvailable ? "clock.arrow.circlepath" : "wifi.slash")
                    .font(.callout)
                    .foregroundStyle(.orange)
            } else {
                Label("Everything is on the server" + (status.lastSyncAt.map { " (synced \(Timestamp.display($0)))" } ?? ""),
                      systemImage: "checkmark.icloud")
                    .font(.callout)
                    .foregroundStyle(.green)
            }
        }
    }

    private func pendingText(_ status: SyncStatusRecord) -> String {
        var parts: [String] = []
        if status.unsyncedInspections > 0 {
            parts.append(status.unsyncedInspections == 1 ? "1 inspection" : "\(status.unsyncedInspections) inspections")
        }
        if status.unsyncedPhotos > 0 {
            parts.append(status.unsyncedPhotos == 1 ? "1 photo" : "\(status.unsyncedPhotos) photos")
        }
        let waiting = scheduler.isNetworkAvailable ? "" : " — waiting for a network"
        return "Not yet on the server: " + parts.joined(separator: ", ") + waiting
    }
}
