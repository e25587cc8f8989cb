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
