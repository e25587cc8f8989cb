import Foundation
import QuaysideCore

/// One request for the system's background task scheduler, as plain values (so the mapping from
/// the core's schedule is testable without `BGTaskScheduler`).
public struct BGRequestSpec: Equatable, Sendable {
    /// Which kind of background task.
    public enum Kind: Equatable, Sendable {
        /// `BGAppRefreshTaskRequest`: short, frequent; pulls colleagues' changes, pushes records.
        case appRefresh
        /// `BGProcessingTaskRequest`: longer, when the system sees fit; uploads photos.
        case processing
    }

    /// Which kind of background task.
    public var kind: Kind
    /// The task identifier (listed in Info.plist, `BGTaskSchedulerPermittedIdentifiers`).
    public var identifier: String
    /// Seconds from now before which the system should not run it (`earliestBeginDate`).
    public var earliestBeginDelay: TimeInterval
    /// Processing tasks only: run only with a network.
    public var requiresNetworkConnectivity: Bool
    /// Processing tasks only: run only on external power (never: evidence should leave soon).
    public var requiresExternalPower: Bool

    /// A request.
    public init(kind: Kind, identifier: String, earliestBeginDelay: TimeInterval,
                requiresNetworkConnectivity: Bool = false, requiresExternalPower: Bool = false) {
        self.kind = kind
        self.identifier = identifier
        self.earliestBeginDelay = earliestBeginDelay
        self.requiresNetworkConnectivity = requiresNetworkConnectivity
        self.requiresExternalPower = requiresExternalPower
    }
}

/// The background task identifiers and the mapping from the core's `SyncSchedule` to requests.
public enum BackgroundSync {
    /// The app refresh task's identifier.
    public static let refreshIdentifier = "org.quayside.field.refresh"
    /// The processing task's identifier.
    public static let processingIdentifier = "org.quayside.field.sync"

    /// What to ask the system for, given the core's schedule: both an app refresh task and a
    /// processing task (needing a network) at `now + delayMs` while there is something to sync
    /// (`now`, `after`); nothing while the device is not enrolled or must enrol again.
    public static func requests(
        for schedule: SyncSchedule,
        refreshIdentifier: String = BackgroundSync.refreshIdentifier,
        processingIdentifier: String = BackgroundSync.processingIdentifier
    ) -> [BGRequestSpec] {
        let delay: TimeInterval
        switch schedule.action {
        case .enrol, .enrolAgain:
            return []
        case .now:
            delay = 0
        case .after:
            delay = TimeInterval(schedule.delayMs) / 1000
        }
        return [
            BGRequestSpec(kind: .appRefresh, identifier: refreshIdentifier, earliestBeginDelay: delay),
            BGRequestSpec(kind: .processing, identifier: processingIdentifier, earliestBeginDelay: delay,
                          requiresNetworkConnectivity: true, requiresExternalPower: false),
        ]
    }
}
