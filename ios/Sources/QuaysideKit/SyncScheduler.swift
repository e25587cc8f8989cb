import Combine
import Foundation
import Network
#if os(iOS)
import BackgroundTasks
#endif

/// Decides when the store syncs, so that officers never have to think about it.
///
/// - When the network path becomes usable (`NWPathMonitor` reports `.satisfied` after it was
///   not), it syncs at once: what was recorded offline leaves the phone as soon as it can.
/// - When the app comes to the foreground, and shortly after something is recorded, it syncs if
///   the network is usable; a submitted inspection syncs at once.
/// - After a failed run that may succeed later (no connection, server busy), it retries with
///   exponential backoff and jitter (``BackoffPolicy``); a success resets the backoff. A refusal
///   that needs a person (device revoked) stops automatic retries until the next manual sync.
/// - When the app goes to the background it asks the system for a `BGProcessingTaskRequest`
///   with `requiresNetworkConnectivity`, so the system wakes the app to sync once a network is
///   available, even hours later.
@MainActor
public final class SyncScheduler: ObservableObject {
    /// Whether the current network path can reach the internet.
    @Published public private(set) var isNetworkAvailable = false
    /// When the next automatic retry is due, after failures.
    @Published public private(set) var nextRetryAt: Date?
    /// How many runs in a row have failed with a retryable error.
    @Published public private(set) var consecutiveFailures = 0

    /// The store this scheduler syncs.
    public let store: InspectionStore
    /// Spacing of automatic retries after failures.
    public let backoff: BackoffPolicy
    /// How long after the last local edit an automatic sync starts (edits come in bursts).
    public let editQuietPeriod: Duration
    /// The identifier of the background processing task (listed in the app's Info.plist under
    /// `BGTaskSchedulerPermittedIdentifiers`), or `nil` to not use background tasks.
    public let backgroundTaskIdentifier: String?

    private let monitor = NWPathMonitor()
    private var monitoring = false
    private var retryTask: Task<Void, Never>?
    private var editDebounce: Task<Void, Never>?
    private var retriesSuspended = false
    private var changes: AnyCancellable?

    /// Creates a scheduler for `store`; call ``start()`` to begin.
    public init(
        store: InspectionStore,
        backoff: BackoffPolicy = BackoffPolicy(),
        editQuietPeriod: Duration = .seconds(30),
        backgroundTaskIdentifier: String? = nil
    ) {
        self.store = store
        self.backoff = backoff
        self.editQuietPeriod = editQuietPeriod
        self.backgroundTaskIdentifier = backgroundTaskIdentifier
    }

    /// Starts watching the network path and local changes.
    public func start() {
        guard !monitoring else { return }
        monitoring = true
        monitor.pathUpdateHandler = { [weak self] path in
            let satisfied = path.status == .satisfied
            Task { @MainActor [weak self] in self?.networkChanged(satisfied: satisfied) }
        }
        monitor.start(queue: .main)
        changes = store.localChanges
            .receive(on: DispatchQueue.main)
            .sink { [weak self] change in self?.localChange(change) }
    }

    /// Stops watching; a running sync finishes.
    public func stop() {
        monitor.cancel()
        monitoring = false
        changes = nil
        retryTask?.cancel()
        editDebounce?.cancel()
    }

    /// Syncs now at the officer's request, whatever the backoff says; resumes automatic retries
    /// suspended after a refusal.
    @discardableResult
    public func syncNow() async -> SyncOutcome {
        retriesSuspended = false
        return await run(.manual)
    }

    /// Call when the app comes to the foreground.
    public func appDidBecomeActive() {
        requestSync(.appBecameActive)
    }

    /// Call when the app goes to the background: schedules the background sync task if
    /// anything is waiting for the server.
    public func appDidEnterBackground() {
        scheduleBackgroundSync()
    }

    // MARK: Policy

    private func networkChanged(satisfied: Bool) {
        let wasAvailable = isNetworkAvailable
        isNetworkAvailable = satisfied
        if satisfied && !wasAvailable {
            // Connectivity is back: do not wait for the backoff.
            requestSync(.connectivityRestored)
        }
    }

    private func localChange(_ change: LocalChange) {
        editDebounce?.cancel()
        switch change {
        case .submitted, .reviewed:
            requestSync(.localChange)
        case .edited:
            let delay = editQuietPeriod
            editDebounce = Task { [weak self] in
                try? await Task.sleep(for: delay)
                guard !Task.isCancelled else { return }
                self?.requestSync(.localChange)
            }
        }
    }

    /// Starts a sync if the network is usable and the device enrolled; otherwise waits for the
    /// path to become satisfied.
    public func requestSync(_ trigger: SyncTrigger) {
        guard isNetworkAvailable, store.isEnrolled else { return }
        if trigger != .manual && retriesSuspended { return }
        Task { await run(trigger) }
    }

    @discardableResult
    private func run(_ trigger: SyncTrigger) async -> SyncOutcome {
        retryTask?.cancel()
        nextRetryAt = nil
        let outcome = await store.sync(trigger)
        handle(outcome)
        return outcome
    }

    private func handle(_ outcome: SyncOutcome) {
        guard let error = outcome.error else {
            consecutiveFailures = 0
            nextRetryAt = nil
            return
        }
        guard error.isRetryable else {
            // A person must act (enrol again, fix the account): retrying cannot help.
            retriesSuspended = true
            nextRetryAt = nil
            return
        }
        consecutiveFailures += 1
        let delay = backoff.delay(afterFailures: consecutiveFailures)
        nextRetryAt = Date().addingTimeInterval(delay)
        retryTask = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            guard !Task.isCancelled else { return }
            self?.requestSync(.retry)
        }
    }

    /// Whether something recorded here is not yet on the server.
    public var hasPendingWork: Bool {
        guard let status = store.syncStatus, status.enrolled else { return false }
        return status.unsyncedInspections > 0 || status.unsyncedPhotos > 0
    }

    // MARK: Background tasks

    #if os(iOS)
    /// Registers the handler of the background sync task. Call once, before the app finishes
    /// launching (in the `App` initialiser), with the identifier listed in Info.plist.
    /// `handler` receives the task and should pass it to ``handleBackgroundTask(_:)`` of the
    /// scheduler of the store, once the store is open.
    public nonisolated static func registerBackgroundTask(
        identifier: String,
        handler: @escaping @Sendable (BGProcessingTask) -> Void
    ) {
        let registered = BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
            guard let processing = task as? BGProcessingTask else {
                task.setTaskCompleted(success: false)
                return
            }
            handler(processing)
        }
        assert(registered, "add \(identifier) to BGTaskSchedulerPermittedIdentifiers in Info.plist")
    }

    /// Runs one sync for a background task the system granted, then schedules the next if work
    /// remains. If the system ends the task early, the task is completed at once; the core's sync
    /// is safe to interrupt and the next run resumes where this one stopped.
    public func handleBackgroundTask(_ task: BGProcessingTask) {
        let completion = BackgroundTaskCompletion(task: task) { [weak self] in
            self?.scheduleBackgroundSync()
        }
        task.expirationHandler = {
            Task { @MainActor in completion.complete(success: false) }
        }
        Task {
            let outcome = await run(.background)
            completion.complete(success: outcome.succeeded)
        }
    }
    #endif

    /// Asks the system to wake the app for a sync once a network is available, if anything is
    /// waiting for the server (after the backoff delay when runs have been failing).
    public func scheduleBackgroundSync() {
        #if os(iOS)
        guard let identifier = backgroundTaskIdentifier, hasPendingWork else { return }
        let request = BGProcessingTaskRequest(identifier: identifier)
        request.requiresNetworkConnectivity = true
        request.requiresExternalPower = false
        request.earliestBeginDate = nextRetryAt
        do {
            // Replaces an earlier request with the same identifier.
            try BGTaskScheduler.shared.submit(request)
        } catch {
            // Not available (simulator, Background App Refresh off): foreground sync still works.
        }
        #endif
    }
}

#if os(iOS)
/// Completes a background task exactly once, whichever comes first: the sync's end or the
/// system's expiration, then runs `then` (which schedules the next background sync).
@MainActor
private final class BackgroundTaskCompletion {
    private let task: BGProcessingTask
    private let then: () -> Void
    private var completed = false

    init(task: BGProcessingTask, then: @escaping () -> Void) {
        self.task = task
        self.then = then
    }

    func complete(success: Bool) {
        guard !completed else { return }
        completed = true
        task.setTaskCompleted(success: success)
        then()
    }
}
#endif
