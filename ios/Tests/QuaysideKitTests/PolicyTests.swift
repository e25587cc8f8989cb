import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Pure shell logic: quantities through the core, whole forms, drafts, error mapping.
final class PolicyTests: XCTestCase {
    func testQuantitiesAreParsedAndFormattedByTheCore() throws {
        FormText.decimalSeparator = ","
        defer { FormText.decimalSeparator = "." }
        XCTAssertEqual(try FormText.decimal("13,6"), 13.6)
        XCTAssertNil(try FormText.decimal("  "))
        XCTAssertEqual(FormText.text(15_490.4), formatQuantity(value: 15_490.4, decimalSeparator: ","))
        XCTAssertThrowsError(try FormText.decimal("thirteen")) { error in
            guard let api = error as? ApiError else { return XCTFail("\(error)") }
            XCTAssertEqual(api.code(), .invalid)
            XCTAssertEqual(api.userMessage().key, .quantityNotANumber)
            XCTAssertEqual(api.userMessage().args, ["thirteen"])
        }
        XCTAssertThrowsError(try FormText.decimal("-1")) { error in
            XCTAssertEqual((error as? ApiError)?.userMessage().key, .quantityNegative)
        }
        FormText.decimalSeparator = "."
        XCTAssertEqual(try parseQuantity(text: "15490.4", decimalSeparator: "."), 15_490.4)
        XCTAssertEqual(try parseCount(text: "1 139"), 1139)
        XCTAssertEqual(try parseCount(text: "1,139"), 1139)
        XCTAssertNil(try parseCount(text: "  "))
        XCTAssertThrowsError(try FormText.field("Cylinders") { try parseCount(text: "11.5") }) { error in
            let refused = error as? FormValidationError
            XCTAssertEqual(refused?.field, "Cylinders", "the core's refusal stays with its field")
            XCTAssertEqual(refused?.userMessage, UserMessage(key: .countNotWhole, args: ["11.5"]))
            XCTAssertEqual(UserFacingError(error).kind, .form(field: "Cylinders"))
        }
        XCTAssertEqual(FormText.list("ML-1, ML-2;\nML-3,,"), ["ML-1", "ML-2", "ML-3"])
    }

    func testNetMassIsComputedByTheCoreWithoutAButton() throws {
        FormText.decimalSeparator = "."
        var finding = FindingForm()
        finding.cylinders = "1139"
        XCTAssertNil(try finding.netMass(), "no kg per cylinder: nothing to compute")
        finding.kgPerCylinder = "13.6"
        XCTAssertEqual(try finding.netMass(), 15_490.4)
        XCTAssertEqual(try finding.fields().netMassKg, 15_490.4, "sent as computed")
        XCTAssertEqual(finding.netMassKg, "", "the total field stays as typed")
        finding.netMassKg = "15 000"
        XCTAssertEqual(try finding.netMass(), 15_000, "a total as typed wins")
        finding.netMassKg = ""
        finding.kgPerCylinder = "-1"
        XCTAssertThrowsError(try finding.netMass()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Kg per cylinder")
            XCTAssertEqual((error as? FormValidationError)?.userMessage?.key, .quantityNegative)
        }
        finding.kgPerCylinder = "13.6"
        finding.cylinders = "11.5"
        XCTAssertThrowsError(try finding.netMass()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Cylinders")
            XCTAssertEqual((error as? FormValidationError)?.userMessage?.key, .countNotWhole)
        }
    }

    func testTheCoreReadsTheFindingFormAndNamesTheField() throws {
        FormText.decimalSeparator = ","
        var finding = FindingForm()
        finding.identifiedSubstance = " R-22 "
        finding.purityPct = "99,1"
        finding.cylinders = "1139"
        finding.kgPerCylinder = "13,6"
        finding.cylinderType = .refillable
        let fields = try finding.fields()
        XCTAssertEqual(fields.identifiedSubstance, "R-22")
        XCTAssertEqual(fields.declaredSubstance, "", "empty text clears the field")
        XCTAssertEqual(fields.purityPct, 99.1)
        XCTAssertNil(fields.contentPct, "an empty number leaves the number as it is")
        XCTAssertEqual(fields.cylinders, 1139)
        XCTAssertEqual(fields.netMassKg, 15_490.4)
        XCTAssertEqual(fields.cylinderType, .refillable)
        XCTAssertEqual(fields.composition, [], "no composition row clears the composition")
        finding.purityPct = "abc"
        XCTAssertThrowsError(try finding.fields()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Purity")
            XCTAssertEqual((error as? FormValidationError)?.userMessage?.key, .quantityNotANumber)
        }
        finding.purityPct = ""
        finding.netMassKg = "-5"
        XCTAssertThrowsError(try finding.fields()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Net mass")
        }
        FormText.decimalSeparator = "."
    }

    func testAFormIsSentWhole() throws {
        var form = InspectionForm()
        form.containerNumber = "CSQU3054383"
        form.seals = "ML-1, ML-2"
        form.consignee = "Accra Frost Ltd"
        let fields = try form.fields()
        XCTAssertEqual(fields.containerNumber, "CSQU3054383")
        XCTAssertEqual(fields.seals, ["ML-1", "ML-2"])
        XCTAssertEqual(fields.declaration?.consignee, "Accra Frost Ltd")
        XCTAssertEqual(fields.declaration?.hsCode, "", "an empty field is sent (empty), not left out")
        XCTAssertEqual(fields.notes, "")
    }

    func testFormsRoundTripThroughDraftFields() {
        var inspection = InspectionForm()
        inspection.containerNumber = "CSQU 305438-3"
        inspection.allowInvalidCheckDigit = true
        inspection.location = GeoPoint(lat: 5.6, lon: -0.01, accuracyM: 8)
        inspection.notes = "half typed"
        XCTAssertEqual(InspectionForm(draftFields: inspection.draftFields), inspection)

        var finding = FindingForm()
        finding.identifiedSubstance = "R-22"
        finding.cylinderType = .disposable
        finding.kgPerCylinder = "13,6"
        finding.composition = [.init(component: "R-22", pct: "60"), .init(component: "unknown", pct: "40")]
        XCTAssertEqual(FindingForm(draftFields: finding.draftFields), finding)
        XCTAssertEqual(Set(finding.draftFields.keys.filter { !$0.hasPrefix("composition.") }), Set(findingFormFields()),
                       "the draft keeps the core's form keys, the same on Android")
        XCTAssertEqual(finding.draftFields["cylinder_type"], "disposable")
        XCTAssertEqual(FindingForm(draftFields: ["cylinder_type": "DISPOSABLE"]).cylinderType, .disposable,
                       "a draft written by Android")

        var seizure = SeizureForm()
        seizure.action = .reExported
        seizure.modusOperandi = [.concealed, .overQuota]
        seizure.items = [.init(findingId: "f1", quantityKg: "12,5", cylinders: "3")]
        XCTAssertEqual(SeizureForm(draftFields: seizure.draftFields), seizure)

        var custody = CustodyForm(from: "ama")
        custody.to = "warehouse"
        XCTAssertEqual(CustodyForm(draftFields: custody.draftFields), custody)
        XCTAssertEqual(DraftKey.finding("i1", nil), "finding:i1:new")
        XCTAssertEqual(DraftKey.custody("i1"), "custody:i1:new")
    }

    func testErrorsMapFromCodesNotText() {
        Localization.localizer = EnglishLocalizer()
        let network = UserFacingError(ApiError.Network(message: "connection refused"))
        XCTAssertEqual(network.code, .network)
        XCTAssertTrue(network.isRetryable)
        XCTAssertEqual(network.message, ApiError.Network(message: "x").userMessage().english())
        XCTAssertTrue(UserFacingError(ApiError.Server(message: "busy", status: 503)).isRetryable)
        let revoked = UserFacingError(ApiError.Unauthorized(message: "device revoked"))
        XCTAssertEqual(revoked.code, .unauthorized)
        XCTAssertFalse(revoked.isRetryable)
        XCTAssertTrue(revoked.needsEnrolment)
        XCTAssertTrue(UserFacingError(ApiError.NotEnrolled(message: "m")).needsEnrolment)
        XCTAssertEqual(UserFacingError(ApiError.Forbidden(message: "m", user: UserMessage(key: .errorForbidden, args: ["m"]))).code, .forbidden)
        XCTAssertEqual(UserFacingError(ApiError.CheckDigit(message: "m", number: "CSQU3054384", found: 4, expected: 3)).code, .checkDigit)
        let user = UserMessage(key: .quantityNegative, args: [])
        let invalid = UserFacingError(ApiError.Invalid(message: "English for logs", user: user, field: nil))
        XCTAssertEqual(invalid.code, .invalid)
        XCTAssertEqual(invalid.userMessage, user)
        XCTAssertEqual(invalid.message, user.english(), "the user message, never the log message")
        XCTAssertEqual(UserFacingError(FormValidationError(field: "Cylinders", message: "m")).kind, .form(field: "Cylinders"))
    }

    func testQueriesPickSubstanceOrContainer() {
        XCTAssertEqual(InspectionQuery(text: "R-22").filter(limit: 10).substance, "R-22")
        XCTAssertNil(InspectionQuery(text: "R-22").filter(limit: 10).container)
        XCTAssertEqual(InspectionQuery(text: "CSQU").filter(limit: 10).container, "CSQU")
        XCTAssertEqual(InspectionQuery(scope: .drafts).filter(limit: 10).status, .draft)
    }

    func testSubstanceSearchUsesTheCoreReference() {
        let hits = SubstanceSearch.substances(matching: "R-22")
        XCTAssertEqual(hits.first?.id, "HCFC-22")
        XCTAssertEqual(SubstanceSearch.substances(matching: "").count, QuaysideCore.substances().count)
    }
}
