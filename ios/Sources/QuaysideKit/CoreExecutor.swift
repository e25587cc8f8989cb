import Foundation

/// Runs blocking calls into the Rust core on a serial dispatch queue of its own and hands the
/// result back to async code.
///
/// Core calls block: an edit waits for its SQLite commit, a sync for the network. They must never
/// run on the main thread, and should not occupy Swift concurrency's small cooperative thread pool
/// for seconds either, so each kind of work gets a dedicated serial queue. Serial matters for
/// edits: an officer's changes reach the store in the order they were made.
public final class CoreExecutor: @unchecked Sendable {
    private let queue: DispatchQueue

    /// Creates an executor with its own serial queue.
    /// - Parameters:
    ///   - label: The queue's label, shown in debuggers and crash reports.
    ///   - qos: The quality of service of the work (`.userInitiated` for edits the officer waits
    ///     on, `.utility` for sync).
    public init(label: String, qos: DispatchQoS) {
        queue = DispatchQueue(label: label, qos: qos)
    }

    /// Runs `work` on the executor's queue and returns its result or rethrows its error.
    ///
    /// `work` is `@Sendable`, so a closure written inside main-actor code is not isolated to the
    /// main actor and may run on the queue.
    public func run<T>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result(catching: work))
            }
        }
    }

    /// Runs `work` on the executor's queue and returns its result, for calls that cannot fail.
    public func perform<T>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: work())
            }
        }
    }
}
