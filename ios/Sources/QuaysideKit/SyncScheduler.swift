import Combine
import Foundation
import Network
import QuaysideCore
#if os(iOS)
import BackgroundTasks
#endif

/// Decides when the store syncs, so that officers never have to think about it. The core decides
/// *when* (`syncSchedule()`: now, after a delay, or not until enrolled); this type only carries
/// that out, and keeps no backoff of its own.
///
/// - After every write and every sync the store reads the schedule again (``InspectionStore/schedule``);
///   each new schedule is handed to the system as a `BGAppRefreshTaskRequest` and a
///   `BGProcessingTaskRequest` (needing a network) at `now + delayMs` (``BackgroundSync``), and
///   in the foreground a sync runs at that time when the network is usable.
/// - When the network path becomes usable again (`NWPathMonitor`), it syncs at once.
/// - When the app comes to the foreground the schedule is read again.
/// - After a sync that reported the store wiped by an administrator (``InspectionStore/wiped``) it
///   stops and withdraws its background requests: nothing is left to sync.
@MainActor
public final class SyncScheduler: ObservableObject {
    /// Whether the current network path can reach the internet.
    @Published public private(set) var isNetworkAvailable = false
    /// When the next automatic sync is due in the foreground, per the core's schedule.
    @Published public private(set) var nextAttemptAt: Date?

    /// The store this scheduler syncs.
    public let store: InspectionStore
    /// Background task identifiers, or `nil` not to use background tasks (tests, macOS).
    public let refreshTaskIdentifier: String?
    /// See ``refreshTaskIdentifier``.
    public let processingTaskIdentifier: String?

    private let monitor = NWPathMonitor()
    private var monitoring = false
    private var timer: Task<Void, Never>?
    private var schedules: AnyCancellable?
    private var lastSyncEnded: Date?

    /// Creates a scheduler for `store`; call ``start()`` to begin.
    public init(store: InspectionStore, refreshTaskIdentifier: String? = nil, processingTaskIdentifier: String? = nil) {
        self.store = store
        self.refreshTaskIdentifier = refreshTaskIdentifier
        self.processingTaskIdentifier = processingTaskIdentifier
    }

    /// Starts watching the network path and the core's schedule.
    public func start() {
        guard !monitoring else { return }
        monitoring = true
        monitor.pathUpdateHandler = { [weak self] path in
            let satisfied = path.status == .satisfied
            Task { @MainActor [weak self] in self?.networkChanged(satisfied: satisfied) }
        }
        monitor.start(queue: .main)
        schedules = store.$schedule
            .compactMap { $0 }
            .removeDuplicates()
            .receive(on: DispatchQueue.main)
            .sink { [weak self] schedule in self?.apply(schedule) }
    }

    /// Stops watching; a running sync finishes.
    public func stop() {
        monitor.cancel()
        monitoring = false
        schedules = nil
        timer?.cancel()
    }

    /// Syncs now at the officer's request.
    @discardableResult
    public func syncNow() async -> SyncOutcome {
        await run(.manual)
    }

    /// Call when the app comes to the foreground: the schedule is read again and followed.
    public func appDidBecomeActive() {
        Task { await store.refreshSchedule() }
    }

    /// Call when the app goes to the background: hands the latest schedule to the system.
    public func appDidEnterBackground() {
        if let schedule = store.schedule { submitBackgroundRequests(for: schedule) }
    }

    // MARK: Following the core's schedule

    private func networkChanged(satisfied: Bool) {
        let wasAvailable = isNetworkAvailable
        isNetworkAvailable = satisfied
        if satisfied && !wasAvailable, let schedule = store.schedule, schedule.action == .now || schedule.action == .after {
            // Connectivity is back: what waits leaves now.
            Task { await run(.connectivityRestored) }
        }
    }

    private func apply(_ schedule: SyncSchedule) {
        submitBackgroundRequests(for: schedule)
        timer?.cancel()
        nextAttemptAt = nil
        var delay: TimeInterval
        switch schedule.action {
        case .enrol, .enrolAgain:
            return
        case .now:
            delay = 0
        case .after:
            delay = TimeInterval(schedule.delayMs) / 1000
        }
        // Never start syncs back to back, whatever the schedule says.
        if let ended = lastSyncEnded {
            delay = max(delay, 2 - Date().timeIntervalSince(ended))
        }
        nextAttemptAt = Date().addingTimeInterval(delay)
        timer = Task { [weak self] in
            if delay > 0 { try? await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
            guard !Task.isCancelled, let self else { return }
            self.nextAttemptAt = nil
            guard self.isNetworkAvailable else { return }
            await self.run(schedule.action == .now ? .localChange : .retry)
        }
    }

    @discardableResult
    private func run(_ trigger: SyncTrigger) async -> SyncOutcome {
        let outcome = await store.sync(trigger)
        lastSyncEnded = Date()
        if store.wiped {
            // An administrator's wipe deleted the store: nothing to sync any more, in the
            // foreground or the background; the app shows set-up.
            stop()
            cancelBackgroundRequests()
        }
        // The store has read the schedule again; it is applied when it arrives.
        return outcome
    }

    /// Withdraws both background task requests (after an administrator's wipe).
    public func cancelBackgroundRequests() {
        #if os(iOS)
        guard let refresh = refreshTaskIdentifier, let processing = processingTaskIdentifier else { return }
        BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: refresh)
        BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: processing)
        #endif
    }

    /// Hands `schedule` to the system's background task scheduler (replacing earlier requests).
    public func submitBackgroundRequests(for schedule: SyncSchedule) {
        #if os(iOS)
        guard let refresh = refreshTaskIdentifier, let processing = processingTaskIdentifier else { return }
        let specs = BackgroundSync.requests(for: schedule, refreshIdentifier: refresh, processingIdentifier: processing)
        if specs.isEmpty {
            BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: refresh)
            BGTaskScheduler.shared.cancel(taskRequestWithIdentifier: processing)
        }
        for spec in specs {
            let request: BGTaskRequest
            switch spec.kind {
            case .appRefresh:
                request = BGAppRefreshTaskRequest(identifier: spec.identifier)
            case .processing:
                let processingRequest = BGProcessingTaskRequest(identifier: spec.identifier)
                processingRequest.requiresNetworkConnectivity = spec.requiresNetworkConnectivity
                processingRequest.requiresExternalPower = spec.requiresExternalPower
                request = processingRequest
            }
            request.earliestBeginDate = Date().addingTimeInterval(spec.earliestBeginDelay)
            do {
                // Replaces an earlier request with the same identifier.
                try BGTaskScheduler.shared.submit(request)
            } catch {
                // Not available (simulator, Background App Refresh off): foreground sync still works.
            }
        }
        #endif
    }

    // MARK: Background tasks

    #if os(iOS)
    /// Registers the handlers of both background tasks. Call once, before the app finishes
    /// launching (in the `App` initialiser), with the identifiers listed in Info.plist.
    /// `handler` receives each task and should pass it to ``handleBackgroundTask(_:)`` of the
    /// scheduler of the store, once the store is open.
    public nonisolated static func registerBackgroundTasks(
        identifiers: [String],
        handler: @escaping @Sendable (BGTask) -> Void
    ) {
        for identifier in identifiers {
            let registered = BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
                handler(task)
            }
            assert(registered, "add \(identifier) to BGTaskSchedulerPermittedIdentifiers in Info.plist")
        }
    }

    /// Runs one sync for a background task the system granted (app refresh or processing). If the
    /// system ends the task early, it is completed at once; the core's sync is safe to interrupt
    /// and the next run resumes where this one stopped. The store reads the schedule again after
    /// the sync, which submits the next requests.
    public func handleBackgroundTask(_ task: BGTask) {
        let completion = BackgroundTaskCompletion(task: task)
        task.expirationHandler = {
            Task { @MainActor in completion.complete(success: false) }
        }
        Task {
            let outcome = await run(.background)
            // After a wipe the requests stay withdrawn (run(_:) cancelled them).
            if !store.wiped, let schedule = store.schedule { submitBackgroundRequests(for: schedule) }
            completion.complete(success: outcome.succeeded)
        }
    }
    #endif
}

#if os(iOS)
/// Completes a background task exactly once, whichever comes first: the sync's end or the
/// system's expiration.
@MainActor
private final class BackgroundTaskCompletion {
    private let task: BGTask
    private var completed = false

    init(task: BGTask) {
        self.task = task
    }

    func complete(success: Bool) {
        guard !completed else { return }
        completed = true
        task.setTaskCompleted(success: success)
    }
}
#endif
