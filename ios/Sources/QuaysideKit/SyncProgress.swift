import Foundation
import QuaysideCore

/// The core's `SyncObserver`: receives progress on the core's syncing thread and hands it on, in
/// order, as an `AsyncStream` that main-actor code iterates (see ``InspectionStore/sync(_:)``).
///
/// The core calls ``onProgress(progress:)`` synchronously from inside the blocking sync call; it
/// only enqueues and returns, so it never slows the sync down.
public final class SyncProgressRelay: SyncObserver, @unchecked Sendable {
    /// Every progress report of one sync run, ending when ``finish()`` is called.
    public let updates: AsyncStream<SyncProgressRecord>
    private let continuation: AsyncStream<SyncProgressRecord>.Continuation

    /// Creates a relay for one sync run.
    public init() {
        var captured: AsyncStream<SyncProgressRecord>.Continuation?
        // A slow screen drops intermediate steps, never the latest one.
        updates = AsyncStream(bufferingPolicy: .bufferingNewest(32)) { captured = $0 }
        guard let captured else { preconditionFailure("AsyncStream calls its build closure at once") }
        continuation = captured
    }

    /// Called by the core at each step of a sync: feed read, each batch, each photo, retries, done.
    public func onProgress(progress: SyncProgressRecord) {
        continuation.yield(progress)
    }

    /// Ends ``updates`` once the sync call has returned.
    public func finish() {
        continuation.finish()
    }
}

/// Why a sync was started; shown in diagnostics and used by the scheduler's policy.
public enum SyncTrigger: String, Sendable {
    /// The officer asked for it.
    case manual
    /// The network path became usable again.
    case connectivityRestored
    /// The app came to the foreground.
    case appBecameActive
    /// Something was recorded (for example, an inspection was submitted).
    case localChange
    /// The core's schedule said it is time to try again.
    case retry
    /// A background task granted by the system.
    case background
}

/// What the store's sync is doing right now.
public enum SyncActivity: Equatable {
    /// No sync is running.
    case idle
    /// A sync is running; the latest progress report, once there is one.
    case running(SyncProgressRecord?)

    /// Whether a sync is running.
    public var isRunning: Bool {
        if case .running = self { return true }
        return false
    }
}

/// How a sync run ended.
public struct SyncOutcome {
    /// Why the run was started.
    public let trigger: SyncTrigger
    /// When it ended.
    public let finishedAt: Date
    /// What the core reported, or why it failed.
    public let result: Result<SyncReportRecord, UserFacingError>

    /// Creates an outcome.
    public init(trigger: SyncTrigger, finishedAt: Date, result: Result<SyncReportRecord, UserFacingError>) {
        self.trigger = trigger
        self.finishedAt = finishedAt
        self.result = result
    }

    /// Whether the run completed.
    public var succeeded: Bool {
        if case .success = result { return true }
        return false
    }

    /// The failure, if the run failed.
    public var error: UserFacingError? {
        if case let .failure(error) = result { return error }
        return nil
    }
}

#if compiler(>=6)
// The core's records are Sendable from Swift 6 compilers on (uniffi declares it the same way).
extension SyncOutcome: Sendable {}
#endif

extension SyncProgressRecord {
    /// The share of the work done, from 0 to 1, once the totals are known.
    public var fractionCompleted: Double? {
        switch phase {
        case .done:
            return 1
        case .documents, .photos:
            let total = documentsTotal + photosTotal
            guard total > 0 else { return nil }
            return Double(documentsDone + photosDone) / Double(total)
        case .feed, .retry:
            return nil
        }
    }

    /// One line describing the step, for a progress label: the core's message, localised.
    public var summary: String { message.localized }
}
