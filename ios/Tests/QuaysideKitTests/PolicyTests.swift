import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Pure shell logic: parsing typed values, form differences, backoff, error mapping.
final class PolicyTests: XCTestCase {
    func testNumbersAcceptADecimalCommaAndRefuseText() throws {
        XCTAssertEqual(try FormText.decimal("13,6", field: "kg"), 13.6)
        XCTAssertEqual(try FormText.decimal(" 15490.4 ", field: "kg"), 15_490.4)
        XCTAssertNil(try FormText.decimal("  ", field: "kg"))
        XCTAssertThrowsError(try FormText.decimal("thirteen", field: "kg"))
        XCTAssertEqual(try FormText.count("1139", field: "cylinders"), 1139)
        XCTAssertThrowsError(try FormText.count("11.5", field: "cylinders"))
        XCTAssertEqual(FormText.list("ML-1, ML-2;\nML-3,,"), ["ML-1", "ML-2", "ML-3"])
        XCTAssertEqual(FormText.text(15_490.4), "15490.4")
    }

    func testNetMassFromCylinders() throws {
        var finding = FindingForm()
        finding.cylinders = "1139"
        let applied = try finding.setNetMass(kgPerCylinder: "13,6")
        XCTAssertTrue(applied)
        XCTAssertEqual(try FormText.decimal(finding.netMassKg, field: "kg") ?? 0, 15_490.4, accuracy: 1e-6)
    }

    func testOnlyChangedFieldsAreSent() throws {
        var baseline = InspectionForm()
        baseline.containerNumber = "CSQU3054383"
        baseline.seals = "ML-1, ML-2"
        baseline.notes = "first"
        var edited = baseline
        edited.seals = "ML-1,ML-2"          // same list, other spacing
        edited.consignee = "Accra Frost Ltd"
        let fields = try edited.fields(comparedTo: baseline)
        XCTAssertNil(fields.containerNumber)
        XCTAssertNil(fields.seals)
        XCTAssertNil(fields.notes)
        XCTAssertEqual(fields.declaration?.consignee, "Accra Frost Ltd")
        XCTAssertNil(fields.declaration?.hsCode)
        XCTAssertTrue(try baseline.fields(comparedTo: baseline).isEmpty)

        edited.declaredQuantity = "many"
        XCTAssertThrowsError(try edited.fields(comparedTo: baseline))
        XCTAssertNoThrow(try edited.fields(comparedTo: baseline, only: [.consignee]))
    }

    func testRebasingKeepsWhatWasTypedDuringASave() {
        var sent = InspectionForm()
        sent.notes = "sent"
        sent.consignor = "Ningbo"
        var current = sent
        current.notes = "typed while saving"
        var stored = sent
        stored.consignor = "Ningbo Cool Trading Co."   // as merged from a colleague
        let rebased = current.rebased(sent: sent, stored: stored)
        XCTAssertEqual(rebased.notes, "typed while saving")
        XCTAssertEqual(rebased.consignor, "Ningbo Cool Trading Co.")
    }

    func testBackoffGrowsIsCappedAndJittered() {
        let policy = BackoffPolicy(initialDelay: 30, multiplier: 2, maximumDelay: 600, jitter: 0.2)
        XCTAssertEqual(policy.baseDelay(afterFailures: 0), 0)
        XCTAssertEqual(policy.baseDelay(afterFailures: 1), 30)
        XCTAssertEqual(policy.baseDelay(afterFailures: 2), 60)
        XCTAssertEqual(policy.baseDelay(afterFailures: 5), 480)
        XCTAssertEqual(policy.baseDelay(afterFailures: 6), 600)
        XCTAssertEqual(policy.baseDelay(afterFailures: 10_000), 600)
        XCTAssertEqual(policy.delay(afterFailures: 2, unitRandom: 0), 48, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterFailures: 2, unitRandom: 0.5), 60, accuracy: 1e-9)
        XCTAssertEqual(policy.delay(afterFailures: 2, unitRandom: 1), 72, accuracy: 1e-9)
        for _ in 0..<100 {
            let delay = policy.delay(afterFailures: 3)
            XCTAssertTrue((96...144).contains(delay), "\(delay)")
        }
    }

    func testErrorsMapToKindsAndRetryability() {
        XCTAssertTrue(UserFacingError(ApiError.Network(message: "connection refused")).isRetryable)
        XCTAssertTrue(UserFacingError(ApiError.Server(message: "busy", status: 503)).isRetryable)
        XCTAssertTrue(UserFacingError(ApiError.Server(message: "slow down", status: 429)).isRetryable)
        let revoked = UserFacingError(ApiError.Server(message: "device revoked", status: 401))
        XCTAssertFalse(revoked.isRetryable)
        XCTAssertTrue(revoked.needsEnrolment)
        XCTAssertEqual(revoked.message, "device revoked")
        XCTAssertEqual(UserFacingError(ApiError.CheckDigit(message: "m", expected: 3)).kind, .checkDigit(expected: 3))
        XCTAssertEqual(UserFacingError(ApiError.Invalid(message: "m")).kind, .invalidInput)
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
