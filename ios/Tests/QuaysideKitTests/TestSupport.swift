import Foundation
import XCTest

/// A temporary folder for one test, removed afterwards.
final class TemporaryFolder {
    /// The folder.
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("quayside-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

enum Fixtures {
    /// Bytes the core recognises as a JPEG (it checks the signature, not the whole image).
    static let jpeg = Data([0xFF, 0xD8, 0xFF, 0xE0]) + Data("quayside test photo of relabelled cylinders".utf8)

    /// The published case: 1,139 disposable cylinders of 13.6 kg of R-22, declared as R-134a.
    static let cylinders: UInt32 = 1139
    static let kgPerCylinder = 13.6
    static var netMassKg: Double { Double(cylinders) * kgPerCylinder }
}
