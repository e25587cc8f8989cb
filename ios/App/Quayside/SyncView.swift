import QuaysideCore
import QuaysideKit
import SwiftUI
import UIKit
import UniformTypeIdentifiers

/// Sync: enrolment, what is not yet on the server, what it refused, progress of a running sync,
/// and the last outcome; this phone, and the re-encryption of its data under a new key.
struct SyncView: View {
    @EnvironmentObject private var store: InspectionStore
    @EnvironmentObject private var scheduler: SyncScheduler

    var body: some View {
        NavigationStack {
            Form {
                if let status = store.syncStatus {
                    if status.enrolled {
                        if store.schedule?.action == .enrolAgain {
                            Section {
                                NavigationLink("Enrol this phone again") { EnrolmentView() }
                            } footer: {
                                Text(store.schedule?.message.localized ?? "")
                            }
                        }
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
                            ForEach(status.rejected, id: \.id) { refusal in
                                VStack(alignment: .leading) {
                                    // The id's end tells records apart (UUIDv7 ids made in the same second share their start).
                                    Text(verbatim: "\(refusal.code.text) · …\(Ids.short(refusal.id))").font(.caption.monospaced())
                                    Text(refusal.message.localized).font(.callout)
                                }
                            }
                        }
                    }
                }
                activitySection
                deviceSection
                StoreKeySection()
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
            ValueRow("Last sync", status.lastSyncAt.map(Timestamp.display) ?? String(localized: "never"))
            if let role = status.role {
                ValueRow("Role", role.text)
            }
            ValueRow("Network", scheduler.isNetworkAvailable ? String(localized: "available") : String(localized: "none"))
            if let schedule = store.schedule {
                Text(schedule.message.localized).font(.callout)
            }
            if let next = scheduler.nextAttemptAt {
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
                Text(progress?.summary ?? String(localized: "Starting…"))
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
                    ErrorRows(error: error)
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

/// Re-encrypts this phone's records and photos under a new key (``InspectionStore/changeKey()``),
/// for when the old key may have been exposed or when the agency's device manager asks: confirmed
/// first (it takes a moment and should not be interrupted), with progress while it runs, then how
/// it ended. Cut short anyway, nothing is lost: the next start settles the change.
struct StoreKeySection: View {
    @EnvironmentObject private var store: InspectionStore
    @State private var confirming = false
    /// When the last change finished, or why it failed.
    @State private var outcome: Result<Date, UserFacingError>?

    var body: some View {
        Section {
            if store.changingKey {
                HStack(spacing: 12) {
                    ProgressView()
                    Text("Re-encrypting the records and photos… Keep the app open.")
                }
            } else {
                Button {
                    confirming = true
                } label: {
                    Label("Re-encrypt this phone's data with a new key", systemImage: "key")
                }
                .confirmationDialog("Re-encrypt this phone's data with a new key?", isPresented: $confirming, titleVisibility: .visible) {
                    Button("Re-encrypt") { Task { await changeKey() } }
                } message: {
                    Text("Every record and photo on this phone is encrypted again under a new key, and the old key no longer opens them. It takes a moment, longer with many photos: keep the app open and do not interrupt it. Recording waits until it is done.")
                }
                if let outcome {
                    outcomeRows(outcome)
                }
            }
        } header: {
            Text("Encryption")
        } footer: {
            Text("This phone's records and photos are encrypted under a key kept in its Keychain. Re-encrypt them under a new key if the old one may have been exposed, or when your agency asks. Nothing is sent to the server.")
        }
    }

    @ViewBuilder
    private func outcomeRows(_ outcome: Result<Date, UserFacingError>) -> some View {
        switch outcome {
        case let .success(finishedAt):
            Label("Re-encrypted with a new key at \(finishedAt.formatted(date: .omitted, time: .shortened))", systemImage: "checkmark.shield")
                .foregroundStyle(.green)
        case let .failure(error):
            ErrorRows(error: error)
            if error.kind != .storeKey(.changeUnfinished) {
                Text("Nothing is lost. If the change was cut short, the app settles it the next time it starts: close the app and open it again before trying again.")
                    .font(.caption)
                    .foregroundStyle(.secondary)
            }
        }
    }

    @MainActor
    private func changeKey() async {
        outcome = nil
        // Time to finish should the officer leave the app meanwhile (it would be suspended within
        // seconds); cut short anyway, the next start settles the change.
        let background = BackgroundTime(name: "org.quayside.store-key-change")
        defer { background.end() }
        do {
            try await store.changeKey()
            outcome = .success(Date())
        } catch {
            outcome = .failure(UserFacingError(error))
        }
    }
}

/// Time iOS grants the app to finish work the officer started, should they leave the app
/// meanwhile; ended when the work is done or the time is up (then the app is suspended).
@MainActor
private final class BackgroundTime {
    private var identifier = UIBackgroundTaskIdentifier.invalid

    init(name: String) {
        identifier = UIApplication.shared.beginBackgroundTask(withName: name) { [weak self] in
            Task { @MainActor in self?.end() }
        }
    }

    func end() {
        guard identifier != .invalid else { return }
        UIApplication.shared.endBackgroundTask(identifier)
        identifier = .invalid
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
    /// The agency's own CA certificate(s), PEM, when its server is not vouched for by the phone's trust store.
    @State private var caPem: String?
    @State private var caFileName: String?
    /// The server's public key SHA-256 (hex or base64), when the agency pins it instead.
    @State private var pin = ""
    @State private var importingCA = false
    /// The QR code scanner is shown; what it read waits in `scannedText` until it is gone.
    @State private var scanning = false
    @State private var scannedText: String?
    @State private var working = false
    @State private var error: UserFacingError?

    var body: some View {
        Form {
            Section {
                if QRCodeScanner.isAvailable {
                    Button {
                        scanning = true
                    } label: {
                        Label("Scan the QR code", systemImage: "qrcode.viewfinder")
                    }
                }
                FieldRow(label: "Server address", text: $serverURL, keyboard: .URL)
                    .textContentType(.URL)
                FieldRow(label: "Enrolment code (e.g. ABCD-EFGH-JKLM)", text: $code, code: true)
                FieldRow(label: "Name of this phone", text: $deviceName)
            } footer: {
                Text("Your administrator gives you a one-time code for \(store.device.user). It works once and expires.")
            }
            Section {
                Button {
                    importingCA = true
                } label: {
                    Label(caFileName ?? String(localized: "Agency CA certificate (PEM)…"), systemImage: "lock.doc")
                }
                if caPem != nil {
                    Button("Remove certificate", role: .destructive) {
                        caPem = nil
                        caFileName = nil
                    }
                }
                FieldRow(label: "Or: server key SHA-256 (pin)", text: $pin, code: true)
            } header: {
                Text("Server trust (optional)")
            } footer: {
                Text("Only when your administrator says so: for an agency server whose certificate the phone does not trust by itself. Most servers need neither.")
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
        .fileImporter(isPresented: $importingCA, allowedContentTypes: [.x509Certificate, .plainText, .data]) { result in
            readCertificate(result)
        }
        .sheet(isPresented: $scanning, onDismiss: readScanned) {
            NavigationStack {
                QRCodeScanner { text in
                    scannedText = text
                    scanning = false
                }
                .ignoresSafeArea(edges: .bottom)
                .navigationTitle("Scan the QR code")
                .navigationBarTitleDisplayMode(.inline)
                .toolbar {
                    ToolbarItem(placement: .cancellationAction) {
                        Button("Cancel") { scanning = false }
                    }
                }
            }
        }
        .onAppear {
            if deviceName.isEmpty { deviceName = UIDevice.current.name }
        }
        .errorAlert($error)
    }

    private func enrol() async {
        working = true
        defer { working = false }
        do {
            _ = try await store.enroll(serverURL: serverURL, code: code, deviceName: deviceName, trust: trust)
            dismiss()
            // Deliver what was recorded before enrolment.
            await scheduler.syncNow()
        } catch {
            self.error = UserFacingError(error)
        }
    }

    /// Fills the server address and the code from the scanned enrolment link, once the scanner is
    /// gone (so that a refusal's alert can show); the core refuses another app's QR code and
    /// another user's code.
    private func readScanned() {
        guard let text = scannedText else { return }
        scannedText = nil
        Task { @MainActor in
            do {
                let link = try await store.readEnrolmentLink(text)
                serverURL = link.server
                code = link.code
            } catch {
                self.error = UserFacingError(error)
            }
        }
    }

    /// What the agency gave for its server beyond the phone's trust store, if anything. The core
    /// checks it at enrolment and keeps it with the enrolment.
    private var trust: ServerTrust? {
        let pinned = FormText.clean(pin)
        if caPem == nil && pinned.isEmpty { return nil }
        return ServerTrust(caPem: caPem, pinSha256: pinned.isEmpty ? nil : pinned)
    }

    private func readCertificate(_ result: Result<URL, Error>) {
        guard case let .success(url) = result else { return }
        let scoped = url.startAccessingSecurityScopedResource()
        defer { if scoped { url.stopAccessingSecurityScopedResource() } }
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            caPem = text
            caFileName = url.lastPathComponent
        } else {
            error = UserFacingError(kind: .other, title: String(localized: "Not a certificate"),
                                    message: String(localized: "The file could not be read as a PEM certificate."))
        }
    }
}

/// An error as the sync screen shows it: what went wrong, and what to do about it.
private struct ErrorRows: View {
    let error: UserFacingError

    var body: some View {
        Label(error.title, systemImage: "exclamationmark.triangle")
            .foregroundStyle(.orange)
        Text(error.message).font(.callout)
        if let advice = error.recoverySuggestion {
            Text(advice).font(.caption).foregroundStyle(.secondary)
        }
    }
}
