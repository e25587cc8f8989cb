import CoreLocation
import QuaysideCore

/// One-shot positions for inspections and evidence photos ("when in use" permission only).
@MainActor
final class LocationProvider: NSObject, ObservableObject, CLLocationManagerDelegate {
    /// Whether the officer refused location access.
    @Published private(set) var denied = false

    private let manager = CLLocationManager()
    private var waiting: [CheckedContinuation<CLLocation?, Never>] = []
    private var lastFix: CLLocation?

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
        denied = [.denied, .restricted].contains(manager.authorizationStatus)
    }

    /// The current position as the core records it, or `nil` when unknown within 15 seconds.
    func currentPoint() async -> GeoPoint? {
        guard let fix = await currentLocation() else { return nil }
        return GeoPoint(
            lat: fix.coordinate.latitude,
            lon: fix.coordinate.longitude,
            accuracyM: fix.horizontalAccuracy >= 0 ? fix.horizontalAccuracy : nil
        )
    }

    /// The current position, or `nil` when access is refused or no fix came within 15 seconds.
    func currentLocation() async -> CLLocation? {
        if let lastFix, -lastFix.timestamp.timeIntervalSinceNow < 60 {
            return lastFix
        }
        switch manager.authorizationStatus {
        case .denied, .restricted:
            denied = true
            return nil
        case .notDetermined:
            // The fix is requested once the officer has answered (see the delegate).
            manager.requestWhenInUseAuthorization()
        default:
            manager.requestLocation()
        }
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(15))
            self?.resolve(nil)
        }
        return await withCheckedContinuation { continuation in
            waiting.append(continuation)
        }
    }

    private func resolve(_ location: CLLocation?) {
        if let location { lastFix = location }
        let continuations = waiting
        waiting = []
        for continuation in continuations {
            continuation.resume(returning: location)
        }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        let location = locations.last
        Task { @MainActor in self.resolve(location) }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {
        Task { @MainActor in self.resolve(nil) }
    }

    nonisolated func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        Task { @MainActor in self.authorizationChanged() }
    }

    private func authorizationChanged() {
        switch manager.authorizationStatus {
        case .denied, .restricted:
            denied = true
            resolve(nil)
        case .authorizedWhenInUse, .authorizedAlways:
            denied = false
            if !waiting.isEmpty { manager.requestLocation() }
        default:
            break
        }
    }
}
