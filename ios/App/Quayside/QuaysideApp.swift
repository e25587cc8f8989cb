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
        // Must be registered before launch finishes, also when the system launches the app in
        // the background only to run this task.
        SyncScheduler.registerBackgroundTask(identifier: AppModel.syncTaskIdentifier) { task in
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
