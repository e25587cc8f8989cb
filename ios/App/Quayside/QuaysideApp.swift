import BackgroundTasks
import QuaysideKit
import SwiftUI

/// The Quayside field app: offline inspections of containers suspected of carrying
/// ozone-depleting substances and HFCs, synced with the agency server when a network is there.
@main
struct QuaysideApp: App {
    @StateObject private var model: AppModel
    @Environment(\.scenePhase) private var scenePhase

    init() {
        let model = AppModel()
        _model = StateObject(wrappedValue: model)
        // Core messages and QuaysideKit's strings in the officer's language (Localizable.xcstrings).
        Localization.localizer = AppLocalizer()
        // Both tasks must be registered before launch finishes, also when the system launches the
        // app in the background only to run one of them (Info.plist, BGTaskSchedulerPermittedIdentifiers).
        SyncScheduler.registerBackgroundTasks(
            identifiers: [BackgroundSync.refreshIdentifier, BackgroundSync.processingIdentifier]
        ) { task in
            Task { @MainActor in model.handleBackgroundTask(task) }
        }
    }

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(model)
                .task { await model.start() }
        }
        .onChange(of: scenePhase) { phase in
            model.scenePhaseChanged(phase)
        }
    }
}
