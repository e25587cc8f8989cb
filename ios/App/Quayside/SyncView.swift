import QuaysideCore
import QuaysideKit
import SwiftUI
import UIKit

/// Sync: enrolment, what is not yet on the server, what it refused, progress of a running sync,
/// and the last outcome.
struct SyncView: View {
    @EnvironmentObject private var store: InspectionStore
    @EnvironmentObject private var scheduler: SyncScheduler

    var body: some View {
        NavigationStack {
            Form {
                if let status = store.syncStatus {
                    if status.enrolled {
                        statusSection(status)
                    } else {
                        Section {
                            NavigationLink("Enrol this phone") { EnrolmentView() }
                        } footer: {
                            Text("Until the phone is enrolled with the agency server, inspections stay on it.")
                        }
                    }
                    if !status.rejected.isEmpty {
                        Section("Refused by the server") {
                            ForEach(status.rejected, id: \.inspectionId) { refusal in
                                VStack(alignment: .leading) {
                                    // The id's end tells inspections apart (UUIDv7 ids made in the same second share their start).
                                    Text("Inspection …\(Ids.short(refusal.inspectionId))").font(.caption.monospaced())
                                    Text(refusal.reason).font(.callout)
                                }
                            }
                        }
                    }
                }
                activitySection
                deviceSection
            }
            .navigationTitle("Sync")
            .refreshable { await store.refreshSyncStatus() }
        }
    }

    private func statusSection(_ status: SyncStatusRecord) -> some View {
        Section {
            ValueRow("Server", status.serverUrl ?? "—")
            ValueRow("Inspections not yet on the server", "\(status.unsyncedInspections)")
            ValueRow("Photos not yet on the server", "\(status.unsyncedPhotos)")
            ValueRow("Last sync", status.lastSyncAt.map(Timestamp.display) ?? "never")
            ValueRow("Network", scheduler.isNetworkAvailable ? "available" : "none")
            if let next = scheduler.nextRetryAt {
                ValueRow("Next attempt", next.formatted(date: .omitted, time: .shortened))
            }
            Button {
                Task { await scheduler.syncNow() }
            } label: {
                Label("Sync now", systemImage: "arrow.triangle.2.circlepath")
            }
            .disabled(store.syncActivity.isRunning)
        } footer: {
            Text("Sync runs by itself when a network is available, and in the background. Recording never waits for it.")
        }
    }

    @ViewBuilder
    private var activitySection: some View {
        if case let .running(progress) = store.syncActivity {
            Section("Syncing") {
                Text(progress?.summary ?? "Starting…")
                if let fraction = progress?.fractionCompleted {
                    ProgressView(value: fraction)
                } else {
                    ProgressView()
                }
                if let progress, progress.bytesSent + progress.bytesReceived > 0 {
                    Text("Sent \(bytes(progress.bytesSent)), received \(bytes(progress.bytesReceived))")
                        .font(.caption)
                        .foregroundStyle(.secondary)
                }
            }
        } else if let outcome = store.lastSyncOutcome {
            Section("Last run") {
                switch outcome.result {
                case let .success(report):
                    Label("Done at \(outcome.finishedAt.formatted(date: .omitted, time: .shortened))", systemImage: "checkmark.circle")
                        .foregroundStyle(.green)
                    ValueRow("Inspections sent", "\(report.pushed)")
                    ValueRow("Changes received", "\(report.received)")
                    ValueRow("Photos uploaded", "\(report.photosUploaded)")
                    if !report.rejected.isEmpty {
                        ValueRow("Refused", "\(report.rejected.count)")
                    }
                case let .failure(error):
                    Label(error.title, systemImage: "exclamationmark.triangle")
                        .foregroundStyle(.orange)
                    Text(error.message).font(.callout)
                    if let advice = error.recoverySuggestion {
                        Text(advice).font(.caption).foregroundStyle(.secondary)
                    }
                }
            }
        }
    }

    private var deviceSection: some View {
        Section("This phone") {
            ValueRow("User", store.device.user)
            ValueRow("Station", store.device.station)
            ValueRow("Device", store.device.deviceId)
        }
    }

    private func bytes(_ count: UInt64) -> String {
        ByteCountFormatter.string(fromByteCount: Int64(clamping: count), countStyle: .file)
    }
}

/// Enrols the phone with the agency server using a one-time code from an administrator.
struct EnrolmentView: View {
    @EnvironmentObject private var store: InspectionStore
    @EnvironmentObject private var scheduler: SyncScheduler
    @Environment(\.dismiss) private var dismiss
    @State private var serverURL = "https://"
    @State private var code = ""
    @State private var deviceName = ""
    @State private var working = false
    @State private var error: UserFacingError?

    var body: some View {
        Form {
            Section {
                FieldRow(label: "Server address", text: $serverURL, keyboard: .URL)
                    .textContentType(.URL)
                FieldRow(label: "Enrolment code (e.g. ABCD-EFGH-JKLM)", text: $code, code: true)
                FieldRow(label: "Name of this phone", text: $deviceName)
            } footer: {
                Text("Your administrator gives you a one-time code for \(store.device.user). It works once and expires.")
            }
            Section {
                Button {
                    Task { await enrol() }
                } label: {
                    if working { ProgressView() } else { Text("Enrol") }
                }
                .disabled(working || FormText.clean(code).isEmpty || FormText.clean(serverURL).count < 10)
            }
        }
        .navigationTitle("Enrol")
        .onAppear {
            if deviceName.isEmpty { deviceName = UIDevice.current.name }
        }
        .errorAlert($error)
    }

    private func enrol() async {
        working = true
        defer { working = false }
        do {
            _ = try await store.enroll(serverURL: serverURL, code: code, deviceName: deviceName)
            dismiss()
            // Deliver what was recorded before enrolment.
            await scheduler.syncNow()
        } catch {
            self.error = UserFacingError(error)
        }
    }
}
