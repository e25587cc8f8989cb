import QuaysideKit
import SwiftUI

/// Chooses the first screen: setup on first start, the main tabs once the store is open.
struct RootView: View {
    @EnvironmentObject private var model: AppModel

    var body: some View {
        switch model.phase {
        case .starting:
            ProgressView("Opening the store…")
        case .needsSetup:
            SetupView()
        case let .ready(session):
            MainTabs(store: session.store)
                .environmentObject(session.store)
                .environmentObject(session.scheduler)
                .environmentObject(session.location)
        case let .failed(error):
            StoreFailureView(error: error) {
                Task { await model.start() }
            }
        }
    }
}

/// The app's three areas: inspections, supervisor review, sync.
struct MainTabs: View {
    @ObservedObject var store: InspectionStore

    private var pending: Int {
        Int(store.syncStatus?.unsyncedInspections ?? 0)
    }

    var body: some View {
        TabView {
            InspectionListView()
                .tabItem { Label("Inspections", systemImage: "shippingbox") }
            ReviewListView(store: store)
                .tabItem { Label("Review", systemImage: "checkmark.seal") }
            SyncView()
                .tabItem { Label("Sync", systemImage: "arrow.triangle.2.circlepath") }
                .badge(pending)
        }
        .errorAlert($store.presentedError)
        .alert(recoveredTitle, isPresented: Binding(
            get: { !store.recoveredPhotos.isEmpty },
            set: { if !$0 { store.dismissRecoveredPhotos() } }
        )) {
            Button("OK") { store.dismissRecoveredPhotos() }
        } message: {
            Text(recoveredText)
        }
    }

    /// Photos a killed app left in the inbox, attached (or kept aside) at start.
    private var recoveredTitle: String {
        String(localized: "Photos recovered")
    }

    private var recoveredText: String {
        var attached = 0, incomplete = 0, orphans = 0
        for photo in store.recoveredPhotos {
            switch photo {
            case .attached: attached += 1
            case .incomplete: incomplete += 1
            case .orphan: orphans += 1
            }
        }
        var lines: [String] = []
        if attached > 0 {
            lines.append(String(localized: "\(attached) photo(s) taken before the app closed were attached to their inspections."))
        }
        if incomplete > 0 {
            lines.append(String(localized: "\(incomplete) photo(s) were cut short and kept aside, not attached."))
        }
        if orphans > 0 {
            lines.append(String(localized: "\(orphans) photo(s) belong to inspections not on this phone; they are kept."))
        }
        return lines.joined(separator: "\n")
    }
}

/// Shown when the store cannot be opened; never offers to delete it (unsynced evidence).
struct StoreFailureView: View {
    let error: UserFacingError
    let retry: () -> Void

    var body: some View {
        VStack(spacing: 16) {
            Image(systemName: "exclamationmark.triangle")
                .font(.largeTitle)
                .foregroundStyle(.orange)
            Text(error.title).font(.headline)
            Text(error.message).font(.callout).multilineTextAlignment(.center)
            if let advice = error.recoverySuggestion {
                Text(advice).font(.footnote).foregroundStyle(.secondary).multilineTextAlignment(.center)
            }
            Button("Try again", action: retry)
                .buttonStyle(.borderedProminent)
        }
        .padding()
    }
}
