import BackgroundTasks
import Combine
import QuaysideKit
import SwiftUI

/// Everything the app needs once the store is open.
@MainActor
final class Session {
    /// The store every screen reads and writes through.
    let store: InspectionStore
    /// When the store syncs.
    let scheduler: SyncScheduler
    /// Positions for inspections and photos.
    let location: LocationProvider

    init(store: InspectionStore) {
        self.store = store
        scheduler = SyncScheduler(store: store,
                                  refreshTaskIdentifier: BackgroundSync.refreshIdentifier,
                                  processingTaskIdentifier: BackgroundSync.processingIdentifier)
        location = LocationProvider()
    }
}

/// The app's state before and after the store is open: first start (no store yet), open,
/// or failed to open. After a sync that reported the store wiped by an administrator, back to
/// set-up (the store and its key are gone), saying why.
@MainActor
final class AppModel: ObservableObject {
    /// Where the app is.
    enum Phase {
        /// Opening the store.
        case starting
        /// No store on this device yet (or no more, after an administrator's wipe): ask who uses it.
        case needsSetup
        /// The store is open.
        case ready(Session)
        /// The store could not be opened.
        case failed(UserFacingError)
    }

    @Published private(set) var phase = Phase.starting
    /// An administrator's wipe deleted the last store and no new one was created since: set-up
    /// says so (``UserFacingError/storeWiped``).
    @Published private(set) var storeWiped = false
    private var waitingTasks: [BGTask] = []
    private var opening: Task<Void, Never>?
    private var wipeWatch: AnyCancellable?

    nonisolated init() {}

    /// Opens the store if there is one (once, however often it is called).
    func start() async {
        if let opening {
            await opening.value
            return
        }
        switch phase {
        case .starting, .failed: break
        case .needsSetup, .ready: return
        }
        let task = Task { await open() }
        opening = task
        await task.value
        opening = nil
    }

    private func open() async {
        phase = .starting
        do {
            let location = try StoreLocation.applicationSupport()
            if location.storeExists() {
                let store = try await InspectionStore.open(at: location)
                ready(store)
            } else {
                storeWiped = location.wasWiped()
                phase = .needsSetup
                finishWaitingTasks()
            }
        } catch {
            phase = .failed(UserFacingError(error))
            finishWaitingTasks()
        }
    }

    /// Creates the store on first start for `user` at `station`.
    func createStore(user: String, station: String) async throws {
        let location = try StoreLocation.applicationSupport()
        let store = try await InspectionStore.create(at: location, user: user, station: station)
        storeWiped = false
        ready(store)
    }

    private func ready(_ store: InspectionStore) {
        let session = Session(store: store)
        session.scheduler.start()
        // An administrator's wipe, seen by any sync (foreground or background task): the store
        // has forgotten its key; drop it (and its scheduler) and go back to set-up.
        wipeWatch = store.$wiped
            .filter { $0 }
            .first()
            .receive(on: DispatchQueue.main)
            .sink { [weak self] _ in self?.storeWasWiped() }
        phase = .ready(session)
        let waiting = waitingTasks
        waitingTasks = []
        for task in waiting {
            session.scheduler.handleBackgroundTask(task)
        }
    }

    private func storeWasWiped() {
        wipeWatch = nil
        if case let .ready(session) = phase {
            session.scheduler.stop()
            session.scheduler.cancelBackgroundRequests()
        }
        storeWiped = true
        phase = .needsSetup
        finishWaitingTasks()
    }

    /// Runs a background sync the system granted; if the app was launched just for it, once
    /// the store is open.
    func handleBackgroundTask(_ task: BGTask) {
        if case let .ready(session) = phase {
            session.scheduler.handleBackgroundTask(task)
            return
        }
        if case .needsSetup = phase {
            // No store (not set up yet, or wiped by an administrator): nothing to sync.
            task.setTaskCompleted(success: true)
            return
        }
        waitingTasks.append(task)
        task.expirationHandler = { [weak self] in
            Task { @MainActor in self?.finishWaitingTasks() }
        }
        Task { await start() }
    }

    private func finishWaitingTasks() {
        for task in waitingTasks {
            task.setTaskCompleted(success: false)
        }
        waitingTasks = []
    }

    /// Follows the app between foreground and background.
    func scenePhaseChanged(_ scenePhase: ScenePhase) {
        guard case let .ready(session) = phase else { return }
        switch scenePhase {
        case .active:
            session.scheduler.appDidBecomeActive()
        case .background:
            session.scheduler.appDidEnterBackground()
        case .inactive:
            break
        @unknown default:
            break
        }
    }
}
