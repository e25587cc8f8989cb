import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// The shell's logic layer over the real core: the observable store, the editor model and photo
/// capture, on a store in a temporary folder.
@MainActor
final class InspectionStoreTests: XCTestCase {
    private var folder: TemporaryFolder!
    private var store: InspectionStore!

    override func setUp() async throws {
        folder = try TemporaryFolder()
        store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM")
    }

    override func tearDown() async throws {
        store = nil
        folder = nil
    }

    func testCreatingAStoreNeedsAValidStationAndOpeningNeedsAStore() async throws {
        let other = try TemporaryFolder()
        do {
            _ = try await InspectionStore.create(at: StoreLocation(root: other.url), user: "ama", station: "not a locode")
            XCTFail("an invalid station is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .invalid)
        }
        XCTAssertFalse(StoreLocation(root: other.url).storeExists())
        XCTAssertTrue(store.location.storeExists())
        XCTAssertEqual(store.device.user, "ama")

        let reopened = try await InspectionStore.open(at: store.location)
        XCTAssertEqual(reopened.device.deviceId, store.device.deviceId)
    }

    func testRecordingPublishesTheListAndWhatIsNotYetSynced() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.newInspectionFields())
        let added = try await store.addFinding(inspectionId: created.inspection.id, fields: FindingForm.r22.newFindingFields())
        XCTAssertEqual(added.view.assessment.total.odpTonnes, 0.852, accuracy: 0.0005)

        await store.refresh()
        XCTAssertEqual(store.inspections.map(\.id), [created.inspection.id])
        XCTAssertEqual(store.inspections.first?.co2eTonnes ?? 0, 28_038, accuracy: 0.5)
        let status = try XCTUnwrap(store.syncStatus)
        XCTAssertFalse(status.enrolled)
        XCTAssertEqual(status.unsyncedInspections, 1)
        XCTAssertGreaterThan(store.revision, 0)
    }

    func testSearchBySubstanceOrContainer() async throws {
        let r22 = try await store.createInspection(InspectionForm.r22Case.newInspectionFields()).inspection.id
        _ = try await store.addFinding(inspectionId: r22, fields: FindingForm.r22.newFindingFields())
        var other = InspectionForm()
        other.containerNumber = "ZEPU0037255"
        let second = try await store.createInspection(other.newInspectionFields()).inspection.id

        store.query = InspectionQuery(text: "HCFC-22")
        await store.reloadList()
        XCTAssertEqual(store.inspections.map(\.id), [r22])

        store.query = InspectionQuery(text: "0037255")
        await store.reloadList()
        XCTAssertEqual(store.inspections.map(\.id), [second])

        _ = try await store.submit(inspectionId: second)
        store.query = InspectionQuery(scope: .submitted)
        await store.reloadList()
        XCTAssertEqual(store.inspections.map(\.id), [second])
        store.query = InspectionQuery(scope: .drafts)
        await store.reloadList()
        XCTAssertEqual(store.inspections.map(\.id), [r22])
    }

    func testCoreRefusalsBecomeMessagesForOfficers() async throws {
        var form = InspectionForm()
        form.containerNumber = "CSQU3054384"
        do {
            _ = try await store.createInspection(form.newInspectionFields())
            XCTFail("a wrong check digit is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .checkDigit)
            XCTAssertFalse(error.isRetryable)
            XCTAssertNotNil(error.recoverySuggestion)
        }
        form.allowInvalidCheckDigit = true
        let id = try await store.createInspection(form.newInspectionFields()).inspection.id

        var finding = FindingForm()
        finding.identifiedSubstance = "R-999"
        do {
            _ = try await store.addFinding(inspectionId: id, fields: finding.newFindingFields())
            XCTFail("an unknown substance is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .unknownSubstance)
        }
    }

    func testHistoryAndPhotoThroughTheStore() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.newInspectionFields())
        let editor = InspectionEditorModel(store: store, view: created)
        // The shutter returns: the photo is in the core's inbox before it is captioned.
        let path = try XCTUnwrap(await editor.keepPhoto(Fixtures.jpeg))
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        let attached = await editor.attachPhoto(path: path, findingId: nil, caption: "door seal", latitude: nil, longitude: nil)
        XCTAssertTrue(attached)
        let photo = try XCTUnwrap(editor.view?.inspection.photos.first)
        XCTAssertEqual(photo.caption, "door seal")
        let bytes = try await store.photoData(sha256: photo.sha256)
        XCTAssertEqual(bytes, Fixtures.jpeg)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "an attached photo leaves the inbox")

        let history = try await store.history(inspectionId: created.inspection.id)
        XCTAssertGreaterThanOrEqual(history.count, 2, "created, then a photo attached")
        XCTAssertEqual(history.last?.user, "ama")
    }

    func testAPhotoLeftInTheInboxIsRecoveredOnTheNextStart() async throws {
        let id = try await store.createInspection(InspectionForm.r22Case.newInspectionFields()).inspection.id
        // As if the app was killed after the camera wrote the photo, before it was attached.
        let path = try await store.keepCapturedPhoto(Fixtures.jpeg, inspectionId: id)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))

        let reopened = try await InspectionStore.open(at: store.location)
        XCTAssertEqual(reopened.recoveredPhotos.count, 1, "the start recovers it and says so")
        guard case let .attached(inspectionId, sha256)? = reopened.recoveredPhotos.first else {
            return XCTFail("expected the photo attached, got \(reopened.recoveredPhotos)")
        }
        XCTAssertEqual(inspectionId, id)
        let photos = try await reopened.inspection(id: id).inspection.photos
        XCTAssertEqual(photos.map(\.sha256), [sha256])
        reopened.dismissRecoveredPhotos()
        XCTAssertTrue(reopened.recoveredPhotos.isEmpty)
    }

    func testAPhotoOfAnUnknownFindingIsRefusedAndKept() async throws {
        let id = try await store.createInspection(InspectionForm.r22Case.newInspectionFields()).inspection.id
        let path = try await store.keepCapturedPhoto(Fixtures.jpeg, inspectionId: id)
        do {
            _ = try await store.attachPhotoFile(path: path, fields: PhotoFields(findingId: "f-missing"))
            XCTFail("a photo of an unknown finding is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .notFound)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "evidence is never dropped by a refusal")
    }

    func testEditorKeepsARefusedFormAsADraftUntilItIsCorrected() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.newInspectionFields())
        let editor = InspectionEditorModel(store: store, view: created)
        XCTAssertEqual(editor.form.containerNumber, "CSQU3054383")
        XCTAssertTrue(editor.isEditable)

        editor.form.notes = "cylinders relabelled"
        editor.form.hsCode = "38.27.xx"   // malformed: the core refuses the form
        await editor.save()
        XCTAssertEqual(editor.saveState, .failed)
        XCTAssertEqual(editor.saveError?.code, .invalid)
        XCTAssertEqual(editor.form.hsCode, "38.27.xx", "the refused text stays for correcting")
        let kept = try await store.draft(form: DraftKey.inspection(created.inspection.id))
        XCTAssertEqual(kept?.fields["notes"], "cylinders relabelled", "nothing typed is lost")

        editor.form.hsCode = "3827.64"
        await editor.save()
        XCTAssertEqual(editor.saveState, .saved)
        XCTAssertNil(editor.saveError)
        let stored = try await store.inspection(id: created.inspection.id).inspection
        XCTAssertEqual(stored.notes, "cylinders relabelled")
        let discarded = try await store.draft(form: DraftKey.inspection(created.inspection.id))
        XCTAssertNil(discarded, "the draft is discarded after a successful save")
    }

    func testEditorAddsFindingsSeizesAndSubmits() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.newInspectionFields())
        let editor = InspectionEditorModel(store: store, view: created)

        let added = await editor.addFinding(.r22)
        let findingId = try XCTUnwrap(added)
        XCTAssertEqual(editor.figures(for: findingId)?.quantity?.odpTonnes ?? 0, 0.852, accuracy: 0.0005)
        XCTAssertFalse(editor.flags(for: findingId).isEmpty)

        let finding = try XCTUnwrap(editor.view?.inspection.findings.first)
        var seizure = SeizureForm(record: nil)
        seizure.action = .seized
        seizure.caseRef = "GRA-CUS-2026-0412"
        seizure.modusOperandi = [.mislabelled, .falseDeclaration]
        seizure.setSeized(true, finding: finding)
        let seized = await editor.setSeizure(seizure, basedOn: editor.basedOn)
        XCTAssertTrue(seized)
        XCTAssertEqual(editor.view?.assessment.seized.kg ?? 0, 15_490.4, accuracy: 0.01)

        var custody = CustodyForm(from: "ama")
        custody.to = "Kwame Mensah (warehouse)"
        let handedOver = await editor.addCustody(custody)
        XCTAssertTrue(handedOver)

        let submitted = await editor.submit()
        XCTAssertTrue(submitted)
        XCTAssertEqual(editor.view?.inspection.status, .submitted)
        XCTAssertFalse(editor.isEditable)
    }
}

extension InspectionForm {
    /// The published case's container and declaration.
    static var r22Case: InspectionForm {
        var form = InspectionForm()
        form.containerNumber = "CSQU 305438-3"
        form.seals = "ML-448812"
        form.hsCode = "3827.64"
        form.goodsDescription = "Refrigerant gas R-134a in cylinders"
        form.declaredQuantity = "15500"
        form.origin = "CN"
        form.destination = "GH"
        form.transit = "SGSIN, LKCMB"
        form.selectionReason = "risk profile"
        return form
    }
}

extension FindingForm {
    /// R-22 found where R-134a was declared: 1,139 disposable cylinders of 13.6 kg.
    static var r22: FindingForm {
        var form = FindingForm()
        form.declaredSubstance = "R-134a"
        form.identifiedSubstance = "R-22"
        form.purityPct = "99,1"
        form.cylinders = "1139"
        form.cylinderType = .disposable
        form.kgPerCylinder = "13.6"
        return form
    }
}
