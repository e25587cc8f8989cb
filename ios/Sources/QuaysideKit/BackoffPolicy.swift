import Foundation

/// How long to wait before the next automatic sync after consecutive failed runs: exponential
/// growth with a cap, and random jitter so that a station's phones, cut off together, do not all
/// reconnect in the same second.
///
/// This spaces out whole sync *runs*. Within a run the core already retries a broken connection a
/// few times with its own short backoff (`syncWithRetry`).
public struct BackoffPolicy: Equatable, Sendable {
    /// Wait after the first failure.
    public var initialDelay: TimeInterval
    /// Growth factor per further failure.
    public var multiplier: Double
    /// The longest wait.
    public var maximumDelay: TimeInterval
    /// Jitter as a fraction of the delay: 0.2 spreads the wait over ±20 %.
    public var jitter: Double

    /// Creates a policy. The defaults wait 30 s, then 1, 2, 4 … minutes, at most 30 minutes.
    public init(
        initialDelay: TimeInterval = 30,
        multiplier: Double = 2,
        maximumDelay: TimeInterval = 30 * 60,
        jitter: Double = 0.2
    ) {
        self.initialDelay = initialDelay
        self.multiplier = multiplier
        self.maximumDelay = maximumDelay
        self.jitter = jitter
    }

    /// The delay before the next attempt, without jitter; 0 when nothing has failed.
    public func baseDelay(afterFailures failures: Int) -> TimeInterval {
        guard failures > 0 else { return 0 }
        // Compute in the exponent's domain so that many failures cannot overflow.
        let cappedExponent = min(Double(failures - 1), 64)
        return min(initialDelay * pow(multiplier, cappedExponent), maximumDelay)
    }

    /// The delay before the next attempt with jitter, where `unitRandom` is uniform in 0...1.
    public func delay(afterFailures failures: Int, unitRandom: Double) -> TimeInterval {
        let base = baseDelay(afterFailures: failures)
        let spread = base * jitter * (2 * min(max(unitRandom, 0), 1) - 1)
        return max(0, base + spread)
    }

    /// The delay before the next attempt with jitter from `generator`.
    public func delay<G: RandomNumberGenerator>(afterFailures failures: Int, using generator: inout G) -> TimeInterval {
        delay(afterFailures: failures, unitRandom: Double.random(in: 0...1, using: &generator))
    }

    /// The delay before the next attempt with jitter from the system's random source.
    public func delay(afterFailures failures: Int) -> TimeInterval {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }
}
