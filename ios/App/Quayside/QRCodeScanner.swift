import SwiftUI
import UIKit
import VisionKit

/// The live camera reading one QR code (the enrolment link on the administrator's page), with
/// VisionKit's data scanner. Reports the first QR code's text once.
struct QRCodeScanner: UIViewControllerRepresentable {
    let onText: (String) -> Void

    /// Whether this phone can scan: a supported device, and the camera allowed and not restricted.
    @MainActor static var isAvailable: Bool {
        DataScannerViewController.isSupported && DataScannerViewController.isAvailable
    }

    func makeUIViewController(context: Context) -> DataScannerViewController {
        let scanner = DataScannerViewController(
            recognizedDataTypes: [.barcode(symbologies: [.qr])],
            qualityLevel: .balanced,
            recognizesMultipleItems: false,
            isHighFrameRateTrackingEnabled: false,
            isHighlightingEnabled: true
        )
        scanner.delegate = context.coordinator
        return scanner
    }

    func updateUIViewController(_ scanner: DataScannerViewController, context: Context) {
        if !scanner.isScanning { try? scanner.startScanning() }
    }

    static func dismantleUIViewController(_ scanner: DataScannerViewController, coordinator: Coordinator) {
        scanner.stopScanning()
    }

    func makeCoordinator() -> Coordinator {
        Coordinator(onText: onText)
    }

    /// Receives what the scanner recognises.
    final class Coordinator: NSObject, DataScannerViewControllerDelegate {
        private let onText: (String) -> Void
        private var reported = false

        init(onText: @escaping (String) -> Void) {
            self.onText = onText
        }

        func dataScanner(_ dataScanner: DataScannerViewController, didAdd addedItems: [RecognizedItem], allItems: [RecognizedItem]) {
            guard !reported else { return }
            for item in addedItems {
                if case let .barcode(barcode) = item, let text = barcode.payloadStringValue {
                    reported = true
                    dataScanner.stopScanning()
                    onText(text)
                    return
                }
            }
        }
    }
}
