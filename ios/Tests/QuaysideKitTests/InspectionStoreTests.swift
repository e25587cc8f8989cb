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
        store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM", keychain: .inMemory())
    }

    override func tearDown() async throws {
        store = nil
        folder = nil
    }

    func testCreatingAStoreNeedsAValidStationAndOpeningNeedsAStore() async throws {
        let other = try TemporaryFolder()
        do {
            _ = try await InspectionStore.create(at: StoreLocation(root: other.url), user: "ama", station: "not a locode", keychain: .inMemory())
            XCTFail("an invalid station is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .invalid)
        }
        XCTAssertFalse(StoreLocation(root: other.url).storeExists())
        XCTAssertTrue(store.location.storeExists())
        XCTAssertEqual(store.device.user, "ama")

        let reopened = try await InspectionStore.open(at: store.location, keychain: store.keychain)
        XCTAssertEqual(reopened.device.deviceId, store.device.deviceId)
    }

    func testAStoreWhoseKeyIsGoneIsNeverGivenANewOne() async throws {
        let other = try TemporaryFolder()
        let items = MemoryKeychain()
        let location = StoreLocation(root: other.url)
        let created = try await InspectionStore.create(at: location, user: "ama", station: "GHTEM", keychain: .inMemory(items))
        let id = try await created.createInspection(InspectionForm.r22Case.fields()).inspection.id
        XCTAssertTrue(location.holdsEncryptedStore())
        let account = StoreKeychain.account(for: location)
        let key = try XCTUnwrap(items.remove(account: account), "the key was kept under the store's account")
        XCTAssertEqual(key.count, 32)

        // The Keychain item is gone: an error, and no new key.
        do {
            _ = try await InspectionStore.open(at: location, keychain: .inMemory(items))
            XCTFail("a store whose key is gone was opened")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.kind, .storeKey(.lost))
            XCTAssertFalse(error.isRetryable)
        }
        XCTAssertNil(try items.read(account: account), "no new key was kept")

        // Another key in its place opens nothing either.
        XCTAssertTrue(try items.add(generateStoreKey(), account: account))
        do {
            _ = try await InspectionStore.open(at: location, keychain: .inMemory(items))
            XCTFail("another key opened the store")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .wrongKey)
            XCTAssertFalse(error.isRetryable)
        }

        // With its own key back, everything is there.
        items.remove(account: account)
        XCTAssertTrue(try items.add(key, account: account))
        let reopened = try await InspectionStore.open(at: location, keychain: .inMemory(items))
        XCTAssertEqual(reopened.device.deviceId, created.device.deviceId)
        let view = try await reopened.inspection(id: id)
        XCTAssertEqual(view.inspection.id, id)
    }

    func testRecordingPublishesTheListAndWhatIsNotYetSynced() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let added = try await store.addFinding(inspectionId: created.inspection.id, fields: FindingForm.r22.fields())
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
        let r22 = try await store.createInspection(InspectionForm.r22Case.fields()).inspection.id
        _ = try await store.addFinding(inspectionId: r22, fields: FindingForm.r22.fields())
        var other = InspectionForm()
        other[.container] = "ZEPU0037255"
        let second = try await store.createInspection(other.fields()).inspection.id

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
        form[.container] = "CSQU3054384"
        do {
            _ = try await store.createInspection(form.fields())
            XCTFail("a wrong check digit is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .checkDigit)
            XCTAssertFalse(error.isRetryable)
            XCTAssertNotNil(error.recoverySuggestion)
        }
        form.allowInvalidCheckDigit = true
        let id = try await store.createInspection(form.fields()).inspection.id

        var finding = FindingForm()
        finding[.identified] = "R-999"
        do {
            _ = try await store.addFinding(inspectionId: id, fields: finding.fields())
            XCTFail("an unknown substance is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .unknownSubstance)
        }
    }

    /// The QR code on the administrator's enrolment page fills the enrolment form with its server
    /// and code; another user's code and another app's QR code are refused with the core's message.
    func testAScannedEnrolmentLinkIsReadOnlyForThisPhonesUser() async throws {
        let mine = enrolmentLink(server: "https://customs.example.gh:8443/", user: "ama", code: "K7P2-QX9M-H4TW")
        let link = try await store.readEnrolmentLink(mine + "\n")
        XCTAssertEqual(link, EnrolmentLink(server: "https://customs.example.gh:8443", user: "ama", code: "K7P2-QX9M-H4TW"))

        do {
            _ = try await store.readEnrolmentLink(enrolmentLink(server: "https://customs.example.gh", user: "kofi", code: "K7P2-QX9M-H4TW"))
            XCTFail("another user's code is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .invalid)
            XCTAssertEqual(error.userMessage?.key, .enrolmentLinkOtherUser)
            XCTAssertEqual(error.userMessage?.args, ["kofi"])
        }

        for text in ["https://example.com/?code=1", "WIFI:S:port;T:WPA;P:secret;;", "quayside://enrol?user=ama&code=X", ""] {
            do {
                _ = try await store.readEnrolmentLink(text)
                XCTFail("\(text) is not a Quayside enrolment link")
            } catch let error as UserFacingError {
                XCTAssertEqual(error.code, .invalid, text)
                XCTAssertEqual(error.userMessage?.key, .enrolmentLinkInvalid, text)
            }
        }
    }

    func testHistoryAndPhotoThroughTheStore() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let editor = InspectionEditorModel(store: store, view: created)
        // The shutter returns: the photo is sealed in the core's inbox before it is captioned.
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

    /// The camera's bytes go to the core in memory and reach the disk sealed: the inbox file holds
    /// nothing of the JPEG in the clear, and a photo kept but never attached (the app killed while
    /// the officer captioned it) is attached, whole, by the next start.
    func testACameraPhotoIsKeptSealedAndRecoveredOnTheNextStart() async throws {
        let id = try await store.createInspection(InspectionForm.r22Case.fields()).inspection.id
        let path = try await store.keepCameraPhoto(Fixtures.jpeg, inspectionId: id)
        let raw = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertGreaterThan(raw.count, Fixtures.jpeg.count, "sealed: the photo and its seal")
        XCTAssertFalse(raw.starts(with: Fixtures.jpeg.prefix(4)), "not a JPEG on disk")
        XCTAssertNil(raw.range(of: Fixtures.jpegMarker), "none of the JPEG's bytes are in the clear")

        // As if the app was killed now, before the photo was attached.
        let reopened = try await InspectionStore.open(at: store.location, keychain: store.keychain)
        XCTAssertEqual(reopened.recoveredPhotos.count, 1, "the start recovers it and says so")
        guard case let .attached(inspectionId, sha256)? = reopened.recoveredPhotos.first else {
            return XCTFail("expected the photo attached, got \(reopened.recoveredPhotos)")
        }
        XCTAssertEqual(inspectionId, id)
        let photos = try await reopened.inspection(id: id).inspection.photos
        XCTAssertEqual(photos.map(\.sha256), [sha256])
        let bytes = try await reopened.photoData(sha256: sha256)
        XCTAssertEqual(bytes, Fixtures.jpeg, "the photo recovered is the camera's, byte for byte")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "an attached photo leaves the inbox")
        reopened.dismissRecoveredPhotos()
        XCTAssertTrue(reopened.recoveredPhotos.isEmpty)
    }

    func testAPhotoOfAnUnknownFindingIsRefusedAndKept() async throws {
        let id = try await store.createInspection(InspectionForm.r22Case.fields()).inspection.id
        let path = try await store.keepCameraPhoto(Fixtures.jpeg, inspectionId: id)
        do {
            _ = try await store.attachPhotoFile(path: path, fields: PhotoFields(findingId: "f-missing"))
            XCTFail("a photo of an unknown finding is refused")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .notFound)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "evidence is never dropped by a refusal")
    }

    func testEditorKeepsARefusedFormAsADraftUntilItIsCorrected() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let editor = InspectionEditorModel(store: store, view: created)
        XCTAssertEqual(editor.form[.container], "CSQU3054383")
        XCTAssertTrue(editor.isEditable)

        editor.form[.notes] = "cylinders relabelled"
        editor.form[.hsCode] = "38.27.xx"   // malformed: the core refuses the form
        await editor.save()
        XCTAssertEqual(editor.saveState, .failed)
        XCTAssertEqual(editor.saveError?.code, .invalid)
        XCTAssertEqual(editor.form[.hsCode], "38.27.xx", "the refused text stays for correcting")
        let kept = try await store.draft(form: DraftKey.inspection(created.inspection.id))
        XCTAssertEqual(kept?.fields["notes"], "cylinders relabelled", "nothing typed is lost")

        editor.form[.hsCode] = "3827.64"
        await editor.save()
        XCTAssertEqual(editor.saveState, .saved)
        XCTAssertNil(editor.saveError)
        let stored = try await store.inspection(id: created.inspection.id).inspection
        XCTAssertEqual(stored.notes, "cylinders relabelled")
        let discarded = try await store.draft(form: DraftKey.inspection(created.inspection.id))
        XCTAssertNil(discarded, "the draft is discarded after a successful save")
    }

    func testEditorAddsFindingsSeizesAndSubmits() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let editor = InspectionEditorModel(store: store, view: created)

        let added = await editor.addFinding(.r22)
        let findingId = try XCTUnwrap(added)
        XCTAssertEqual(editor.figures(for: findingId)?.quantity?.odpTonnes ?? 0, 0.852, accuracy: 0.0005)
        XCTAssertFalse(editor.flags(for: findingId).isEmpty)

        let finding = try XCTUnwrap(editor.view?.inspection.findings.first)
        var seizure = SeizureForm(inspection: try XCTUnwrap(editor.view?.inspection))
        seizure.action = .seized
        seizure[.caseRef] = "GRA-CUS-2026-0412"
        seizure.modusOperandi = [.mislabelled, .falseDeclaration]
        seizure.setSeized(true, finding: finding)
        let seized = await editor.setSeizure(seizure, basedOn: editor.basedOn)
        XCTAssertTrue(seized)
        XCTAssertEqual(editor.view?.assessment.seized.kg ?? 0, 15_490.4, accuracy: 0.01)

        var custody = CustodyForm(from: "ama")
        custody[.to] = "Kwame Mensah (warehouse)"
        let handedOver = await editor.addCustody(custody)
        XCTAssertTrue(handedOver)

        let submitted = await editor.submit()
        XCTAssertTrue(submitted)
        XCTAssertEqual(editor.view?.inspection.status, .submitted)
        XCTAssertFalse(editor.isEditable)
    }

    /// Each form is filled by the core from the record (its keys the core's, the same on Android)
    /// and read back by the core unchanged; seizing and un-seizing a finding go through it too.
    func testFormsRoundTripThroughTheCore() async throws {
        FormText.decimalSeparator = "."
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let editor = InspectionEditorModel(store: store, view: created)
        let added = await editor.addFinding(.r22)
        let findingId = try XCTUnwrap(added)
        let view = try XCTUnwrap(editor.view)
        let record = view.inspection

        let inspection = InspectionForm(record: record)
        XCTAssertEqual(inspection.draftFields, inspectionForm(record: record, decimalSeparator: "."))
        XCTAssertEqual(Set(inspection.draftFields.keys.filter { !$0.hasPrefix("location.") }),
                       Set(InspectionForm.Field.allCases.map(\.rawValue)).subtracting(["allow_invalid_check_digit", "location"]),
                       "the draft keys are the core's form keys")
        XCTAssertEqual(inspection[.container], "CSQU3054383")
        XCTAssertEqual(inspection[.quantityKg], "15500")
        XCTAssertEqual(inspection[.transit], "SGSIN, LKCMB")
        let unchanged = try await store.updateInspection(id: record.id, fields: try inspection.fields(), basedOn: view.heads)
        XCTAssertEqual(unchanged.inspection.container, record.container)
        XCTAssertEqual(unchanged.inspection.declaration, record.declaration)

        let finding = try XCTUnwrap(record.findings.first { $0.id == findingId })
        let findingForm = FindingForm(record: finding)
        XCTAssertEqual(Set(findingForm.draftFields.keys.filter { !$0.hasPrefix("composition.") }), Set(findingFormFields()))
        XCTAssertEqual(findingForm.cylinderType, .disposable)
        XCTAssertEqual(try findingForm.fields().netMassKg, finding.netMassKg)

        var seizure = SeizureForm(inspection: record)
        XCTAssertFalse(seizure.isSeized(findingId), "blank: not seized")
        seizure.action = .detained
        seizure.setSeized(true, finding: finding)
        XCTAssertEqual(seizure[.seizedKg, finding: findingId], FormText.text(finding.netMassKg), "everything found, to lower")
        XCTAssertEqual(seizure[.seizedCylinders, finding: findingId], "1139")
        let seized = await editor.setSeizure(seizure, basedOn: editor.basedOn)
        XCTAssertTrue(seized)
        let seizedView = try XCTUnwrap(editor.view)
        XCTAssertEqual(seizedView.inspection.seizure?.items.first?.cylinders, 1139)
        var reopened = SeizureForm(inspection: seizedView.inspection)
        XCTAssertEqual(reopened.action, .detained)
        XCTAssertTrue(reopened.isSeized(findingId))
        reopened.setSeized(false, finding: finding)
        XCTAssertEqual(reopened[.seizedKg, finding: findingId], "", "un-seizing writes blanks")
        let unseized = await editor.setSeizure(reopened, basedOn: seizedView.heads)
        XCTAssertTrue(unseized)
        XCTAssertEqual(editor.view?.inspection.seizure?.items.isEmpty, true)
        XCTAssertEqual(editor.view?.inspection.seizure?.action, .detained)
    }

    func testTheEditorShowsTheCoresRefusalAtItsField() async throws {
        let created = try await store.createInspection(InspectionForm.r22Case.fields())
        let editor = InspectionEditorModel(store: store, view: created)
        editor.form[.quantityKg] = "lots"
        await editor.save()
        XCTAssertEqual(editor.saveState, .failed)
        XCTAssertEqual(editor.saveError?.kind, .form(field: "Declared quantity (kg)", key: "quantity_kg"))
        XCTAssertEqual(editor.problem(with: .quantityKg), editor.saveError?.message)
        XCTAssertNil(editor.problem(with: .container))
        editor.form[.quantityKg] = "15 500"
        editor.form[.container] = ""
        await editor.save()
        XCTAssertEqual(editor.saveError?.userMessage?.key, .ruleContainerRequired)
        XCTAssertNotNil(editor.problem(with: .container))
    }
}

extension InspectionForm {
    /// The published case's container and declaration.
    static var r22Case: InspectionForm {
        var form = InspectionForm()
        form[.container] = "CSQU 305438-3"
        form[.seals] = "ML-448812"
        form[.hsCode] = "3827.64"
        form[.goodsDescription] = "Refrigerant gas R-134a in cylinders"
        form[.quantityKg] = "15500"
        form[.origin] = "CN"
        form[.destination] = "GH"
        form[.transit] = "SGSIN, LKCMB"
        form[.selectionReason] = "risk profile"
        return form
    }
}

extension FindingForm {
    /// R-22 found where R-134a was declared: 1,139 disposable cylinders of 13.6 kg.
    static var r22: FindingForm {
        var form = FindingForm()
        form[.declared] = "R-134a"
        form[.identified] = "R-22"
        form[.purityPct] = "99,1"
        form[.cylinders] = "1139"
        form.cylinderType = .disposable
        form[.kgPerCylinder] = "13.6"
        return form
    }
}
