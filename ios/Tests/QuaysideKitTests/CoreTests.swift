import Foundation
import QuaysideCore
import XCTest

/// The generated bindings against the real Rust core: a store in a temporary folder, the
/// published R-22 case, photos, refusals, search and history.
final class CoreTests: XCTestCase {
    private var folder: TemporaryFolder!
    private var fieldStore: FieldStore!
    /// The store's key (the app keeps it in the Keychain, ``StoreKeychain``).
    private var key = Data()

    override func setUpWithError() throws {
        folder = try TemporaryFolder()
        key = generateStoreKey()
        fieldStore = try FieldStore.create(path: folder.path("store"), key: key, user: "ama", station: "GHTEM")
    }

    override func tearDown() {
        fieldStore = nil
        folder = nil
    }

    private func newInspection(_ number: String = "CSQU 305438-3") throws -> InspectionView {
        try fieldStore.createInspection(fields: InspectionFields(
            containerNumber: number,
            seals: ["ml-448812"],
            declaration: DeclarationFields(
                hsCode: "3827.64",
                description: "Refrigerant gas R-134a in cylinders",
                quantityKg: 15_500,
                origin: "CN",
                destination: "GH",
                transit: ["SGSIN"]
            ),
            location: GeoPoint(lat: 5.6367, lon: 0.0111, accuracyM: 8),
            selectionReason: "risk profile"
        ))
    }

    private func addR22Finding(to inspectionId: String) throws -> FindingAdded {
        try fieldStore.addFinding(inspectionId: inspectionId, fields: FindingFields(
            declaredSubstance: "R-134a",
            identifiedSubstance: "R-22",
            instrument: "Neutronics Ultima ID",
            readingResult: "R22 99.1%",
            purityPct: 99.1,
            cylinders: Fixtures.cylinders,
            cylinderType: .disposable,
            netMassKg: Fixtures.netMassKg
        ))
    }

    func testCreatesAnInspectionForThisDeviceAndNormalisesWhatWasTyped() throws {
        let device = fieldStore.deviceInfo()
        XCTAssertEqual(device.user, "ama")
        XCTAssertEqual(device.station, "GHTEM")

        let view = try newInspection()
        let inspection = view.inspection
        XCTAssertEqual(inspection.container.number, "CSQU3054383")
        XCTAssertEqual(inspection.container.seals, ["ML-448812"])
        XCTAssertEqual(inspection.officer, "ama")
        XCTAssertEqual(inspection.station, "GHTEM")
        XCTAssertEqual(inspection.device, device.deviceId)
        XCTAssertEqual(inspection.status, .draft)
        XCTAssertEqual(inspection.declaration.quantityKg, 15_500)
        XCTAssertEqual(inspection.location?.lat ?? 0, 5.6367, accuracy: 1e-9)
        XCTAssertTrue(view.conflicts.isEmpty)
    }

    func testR22FindingHasTheCoresFigures() throws {
        let id = try newInspection().inspection.id
        let added = try addR22Finding(to: id)

        let finding = try XCTUnwrap(added.view.inspection.findings.first { $0.id == added.findingId })
        XCTAssertEqual(finding.identifiedSubstance, "HCFC-22", "stored under the reference id")
        XCTAssertEqual(finding.cylinders, 1139)
        XCTAssertEqual(finding.cylinderType, .disposable)

        let total = added.view.assessment.total
        XCTAssertEqual(total.kg, 15_490.4, accuracy: 0.01)
        XCTAssertEqual(total.tonnes, 15.4904, accuracy: 0.0001)
        XCTAssertEqual(total.odpTonnes, 0.852, accuracy: 0.0005)
        XCTAssertEqual(total.co2eTonnes, 28_038, accuracy: 0.5)

        let figures = try XCTUnwrap(added.view.assessment.findings.first { $0.findingId == added.findingId })
        XCTAssertEqual(figures.odp ?? 0, 0.055, accuracy: 1e-9)
        XCTAssertEqual(figures.gwp ?? 0, 1810, accuracy: 1e-9)
        XCTAssertNotNil(figures.gwpSource)

        let flags = Set(added.view.assessment.flags.map(\.kind))
        XCTAssertTrue(flags.contains(.substanceMismatch), "declared R-134a, identified R-22: \(flags)")
        XCTAssertTrue(flags.contains(.disposableCylinders), "\(flags)")
        let mismatch = try XCTUnwrap(added.view.assessment.flags.first { $0.kind == .substanceMismatch })
        XCTAssertEqual(mismatch.message.key, .flagDeclaredOther)
        XCTAssertEqual(mismatch.findingId, added.findingId)
    }

    func testPhotosFromBytesAndFromAFileAreKeptByHash() throws {
        let id = try newInspection().inspection.id
        let findingId = try addR22Finding(to: id).findingId

        let added = try fieldStore.addPhoto(
            inspectionId: id,
            bytes: Fixtures.jpeg,
            fields: PhotoFields(caption: "relabelled cylinder", findingId: findingId)
        )
        XCTAssertEqual(added.photo.mime, "image/jpeg")
        XCTAssertEqual(added.photo.sha256.count, 64)
        XCTAssertEqual(added.photo.bytes, UInt64(Fixtures.jpeg.count))
        XCTAssertEqual(added.photo.findingId, findingId)
        XCTAssertEqual(try fieldStore.readPhoto(sha256: added.photo.sha256), Fixtures.jpeg)

        let file = folder.url.appendingPathComponent("camera.jpg")
        let other = Fixtures.jpeg + Data("second angle".utf8)
        try other.write(to: file)
        let fromFile = try fieldStore.addPhotoFile(
            inspectionId: id,
            path: file.path,
            fields: PhotoFields(mime: "image/jpeg", capturedAt: "2026-11-12T09:30:00Z", lat: 5.6367, lon: 0.0111)
        )
        XCTAssertEqual(fromFile.view.inspection.photos.count, 2)
        XCTAssertEqual(try fieldStore.readPhoto(sha256: fromFile.photo.sha256), other)
    }

    func testAWrongCheckDigitIsRefusedWithTheExpectedDigitThenRecordedOnRequest() throws {
        XCTAssertThrowsError(try newInspection("CSQU3054384")) { error in
            guard case let ApiError.CheckDigit(message, _, _, expected) = error else {
                return XCTFail("expected ApiError.CheckDigit, got \(error)")
            }
            XCTAssertEqual(expected, 3)
            XCTAssertFalse(message.isEmpty)
        }
        XCTAssertTrue(try fieldStore.listInspections(filter: InspectionFilter()).isEmpty, "a refused call changes nothing")

        let view = try fieldStore.createInspection(fields: InspectionFields(
            containerNumber: "CSQU3054384",
            allowInvalidCheckDigit: true
        ))
        let flag = try XCTUnwrap(view.assessment.flags.first { $0.kind == .invalidCheckDigit })
        XCTAssertEqual(flag.message, UserMessage(key: .flagInvalidCheckDigit, args: ["CSQU3054384", "3"]))
        XCTAssertNil(flag.findingId)

        let check = try QuaysideCore.checkContainerNumber(number: "csqu 305438-4")
        XCTAssertEqual(check.normalized, "CSQU3054384")
        XCTAssertFalse(check.checkDigitOk)
        XCTAssertEqual(check.expectedCheckDigit, 3)
    }

    func testAnUnknownSubstanceIsRefusedAndChangesNothing() throws {
        let id = try newInspection().inspection.id
        XCTAssertThrowsError(try fieldStore.addFinding(
            inspectionId: id,
            fields: FindingFields(identifiedSubstance: "R-999", netMassKg: 1)
        )) { error in
            guard case let ApiError.UnknownSubstance(_, name) = error else {
                return XCTFail("expected ApiError.UnknownSubstance, got \(error)")
            }
            XCTAssertEqual(name, "R-999")
        }
        XCTAssertTrue(try fieldStore.getInspection(id: id).inspection.findings.isEmpty)
    }

    func testOtherRefusals() throws {
        XCTAssertThrowsError(try fieldStore.getInspection(id: "no-such-inspection")) { error in
            guard case ApiError.NotFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try fieldStore.createInspection(fields: InspectionFields(containerNumber: "CSQU30"))) { error in
            guard case ApiError.Invalid = error else { return XCTFail("\(error)") }
        }
        let id = try newInspection().inspection.id
        XCTAssertThrowsError(try fieldStore.addPhoto(inspectionId: id, bytes: Data("not an image".utf8), fields: PhotoFields())) { error in
            guard case ApiError.Invalid = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try fieldStore.addFinding(inspectionId: id, fields: FindingFields(netMassKg: -1))) { error in
            guard case ApiError.Invalid = error else { return XCTFail("\(error)") }
        }
    }

    func testSeizureCustodyAndSubmit() throws {
        let id = try newInspection().inspection.id
        let findingId = try addR22Finding(to: id).findingId
        let seized = try fieldStore.setSeizure(inspectionId: id, fields: SeizureFields(
            caseRef: "GRA-CUS-2026-0412",
            action: .seized,
            legalBasis: "Customs Act 2015 (Act 891) s.248",
            modusOperandi: [.mislabelled, .disposableCylinders],
            storageLocation: "Tema bonded warehouse 3",
            items: [SeizedItem(findingId: findingId, quantityKg: Fixtures.netMassKg, cylinders: Fixtures.cylinders)]
        ))
        XCTAssertEqual(seized.inspection.seizure?.action, .seized)
        XCTAssertEqual(seized.assessment.seized.odpTonnes, 0.852, accuracy: 0.0005)

        let custody = try fieldStore.addCustody(inspectionId: id, entry: CustodyFields(
            from: "ama (officer)",
            to: "Kwame Mensah (warehouse)",
            location: "Tema bonded warehouse 3"
        ))
        XCTAssertEqual(custody.inspection.seizure?.custody.count, 1)

        let submitted = try fieldStore.submit(inspectionId: id)
        XCTAssertEqual(submitted.inspection.status, .submitted)
        XCTAssertNotNil(submitted.inspection.submittedAt)
        XCTAssertThrowsError(try fieldStore.submit(inspectionId: id), "submitting twice is refused")
    }

    func testListAndSearch() throws {
        let r22 = try newInspection().inspection.id
        _ = try addR22Finding(to: r22)
        let other = try newInspection("ZEPU0037255").inspection.id
        _ = try fieldStore.addFinding(inspectionId: other, fields: FindingFields(identifiedSubstance: "R-410A", netMassKg: 452))
        _ = try fieldStore.submit(inspectionId: other)

        let all = try fieldStore.listInspections(filter: InspectionFilter())
        XCTAssertEqual(Set(all.map(\.id)), [r22, other])

        let byName = try fieldStore.listInspections(filter: InspectionFilter(substance: "chlorodifluoromethane"))
        XCTAssertEqual(byName.map(\.id), [r22])
        let row = try XCTUnwrap(byName.first)
        XCTAssertEqual(row.findingCount, 1)
        XCTAssertEqual(row.odpTonnes, 0.852, accuracy: 0.0005)
        XCTAssertEqual(row.co2eTonnes, 28_038, accuracy: 0.5)

        XCTAssertEqual(try fieldStore.listInspections(filter: InspectionFilter(container: "0037255")).map(\.id), [other])
        XCTAssertEqual(try fieldStore.listInspections(filter: InspectionFilter(status: .submitted)).map(\.id), [other])
        XCTAssertEqual(try fieldStore.listInspections(filter: InspectionFilter(status: .draft)).map(\.id), [r22])
    }

    func testHistoryNamesWhoChangedWhat() throws {
        let id = try newInspection().inspection.id
        _ = try addR22Finding(to: id)
        _ = try fieldStore.updateInspection(id: id, fields: InspectionFields(notes: "cylinders relabelled"))

        let history = try fieldStore.history(inspectionId: id)
        XCTAssertGreaterThanOrEqual(history.count, 3)
        XCTAssertTrue(history.allSatisfy { $0.user == "ama" })
        XCTAssertTrue(history.allSatisfy { !$0.summary.isEmpty && !$0.hash.isEmpty })
        XCTAssertEqual(history.first?.device, fieldStore.deviceInfo().deviceId)

        let before = history.count
        _ = try fieldStore.updateInspection(id: id, fields: InspectionFields(notes: "cylinders relabelled"))
        XCTAssertEqual(try fieldStore.history(inspectionId: id).count, before, "an unchanged value adds no change")
    }

    func testReopeningKeepsEverything() throws {
        let id = try newInspection().inspection.id
        _ = try addR22Finding(to: id)
        fieldStore = nil
        let reopened = try FieldStore.open(path: folder.path("store"), key: key)
        let view = try reopened.getInspection(id: id)
        XCTAssertEqual(view.inspection.findings.count, 1)
        XCTAssertEqual(view.assessment.total.odpTonnes, 0.852, accuracy: 0.0005)
        XCTAssertThrowsError(try FieldStore.create(path: folder.path("store"), key: key, user: "ama", station: "GHTEM"))
    }

    func testAnotherKeyOpensNothingAndChangesNothing() throws {
        let id = try newInspection().inspection.id
        _ = try addR22Finding(to: id)
        fieldStore = nil
        let database = folder.url.appendingPathComponent("store/quayside.sqlite3")
        let before = try Data(contentsOf: database)
        XCTAssertNotEqual(before.prefix(16), Data("SQLite format 3\0".utf8), "the database is encrypted")

        XCTAssertThrowsError(try FieldStore.open(path: folder.path("store"), key: generateStoreKey())) { error in
            guard case ApiError.WrongKey = error else {
                return XCTFail("expected ApiError.WrongKey, got \(error)")
            }
            let api = error as? ApiError
            XCTAssertEqual(api?.code(), .wrongKey)
            XCTAssertEqual(api?.retryable(), false)
            XCTAssertEqual(api?.userMessage().key, .errorWrongKey)
        }
        XCTAssertEqual(try Data(contentsOf: database), before, "the wrong key changed nothing")

        // A key that is not 32 bytes is refused as invalid input.
        XCTAssertThrowsError(try FieldStore.open(path: folder.path("store"), key: key.prefix(31))) { error in
            guard case ApiError.Invalid = error else { return XCTFail("\(error)") }
        }

        // The right key still opens every record.
        let reopened = try FieldStore.open(path: folder.path("store"), key: key)
        let view = try reopened.getInspection(id: id)
        XCTAssertEqual(view.inspection.container.number, "CSQU3054383")
        XCTAssertEqual(view.inspection.findings.count, 1)
    }

    func testReferenceLookups() throws {
        let r22 = try XCTUnwrap(QuaysideCore.substance(name: "R-22"))
        XCTAssertEqual(r22.id, "HCFC-22")
        XCTAssertEqual(r22.odp, 0.055, accuracy: 1e-9)
        XCTAssertEqual(r22.gwp ?? 0, 1810, accuracy: 1e-9)
        XCTAssertTrue(r22.controlled)
        XCTAssertFalse(try XCTUnwrap(QuaysideCore.substance(name: "R-290")).controlled, "propane is not controlled")
        XCTAssertEqual(QuaysideCore.substance(name: "chlorodifluoromethane")?.id, "HCFC-22")
        XCTAssertNil(QuaysideCore.substance(name: "R-999"))

        let hits = QuaysideCore.lookupReference(query: "R-404A")
        XCTAssertTrue(hits.contains { entry in
            if case let .substance(substance) = entry { return substance.isBlend }
            return false
        })
        XCTAssertGreaterThan(QuaysideCore.substances().count, 190, "129 pure substances and 72 blends")
    }
}
