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
                        if store.query.text.isEmpty {
                            Text("No inspections yet. Tap + to start one.")
                        } else {
                            Text("Nothing matches.")
                        }
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
        store.syncStatus?.rejected.first { $0.kind == .inspection && $0.id == id }?.message.localized
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
                ReviewBadgeLabel(badge: summary.reviewState)
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
                    Text(action.displayName)
                }
            }
            .font(.caption)
            .foregroundStyle(.secondary)
            HStack(spacing: 12) {
                Text(verbatim: "\(summary.station) · \(summary.officer) · \(Timestamp.display(summary.createdAt))")
                if summary.photoCount > 0 {
                    Label(String(summary.photoCount), systemImage: "camera")
                }
                if summary.flagCount > 0 {
                    Label(String(summary.flagCount), systemImage: "exclamationmark.triangle")
                        .foregroundStyle(.orange)
                }
                if summary.conflictCount > 0 {
                    Label(String(summary.conflictCount), systemImage: "arrow.triangle.branch")
                        .foregroundStyle(.purple)
                }
            }
            .font(.caption2)
            .foregroundStyle(.secondary)
            if let refusal {
                Label(refusal, systemImage: "xmark.octagon")
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
                Text(progress?.summary ?? String(localized: "Syncing…")).font(.callout)
                if let fraction = progress?.fractionCompleted {
                    ProgressView(value: fraction)
                } else {
                    ProgressView()
                }
            }
        } else if let schedule = store.schedule {
            // The core says what to show about sync (not enrolled, up to date, n waiting, next try).
            Label(schedule.message.localized, systemImage: icon(schedule))
                .font(.callout)
                .foregroundStyle(color(schedule))
        }
    }

    private func icon(_ schedule: SyncSchedule) -> String {
        switch schedule.action {
        case .enrol, .enrolAgain: return "iphone.slash"
        case .now, .after:
            if schedule.unsyncedInspections + schedule.unsyncedPhotos == 0 { return "checkmark.icloud" }
            return scheduler.isNetworkAvailable ? "clock.arrow.circlepath" : "wifi.slash"
        }
    }

    private func color(_ schedule: SyncSchedule) -> Color {
        switch schedule.action {
        case .enrol: return .secondary
        case .enrolAgain: return .red
        case .now, .after:
            return schedule.unsyncedInspections + schedule.unsyncedPhotos == 0 ? .green : .orange
        }
    }
}
