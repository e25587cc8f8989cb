import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Pure shell logic: quantities through the core, whole forms, drafts, error mapping.
final class PolicyTests: XCTestCase {
    func testQuantitiesAndListsAreReadAndWrittenByTheCore() throws {
        FormText.decimalSeparator = ","
        defer { FormText.decimalSeparator = "." }
        XCTAssertEqual(FormText.text(15_490.4), formatQuantity(value: 15_490.4, decimalSeparator: ","))
        var form = InspectionForm(draftFields: ["container": "CSQU3054383", "quantity_kg": "13,6",
                                                "seals": "ML-1, ML-2;\nML-3,,"])
        let fields = try form.fields()
        XCTAssertEqual(fields.declaration?.quantityKg, 13.6, "the officer's decimal separator")
        XCTAssertEqual(fields.seals, ["ML-1", "ML-2", "ML-3"])
        form[.quantityKg] = "thirteen"
        XCTAssertThrowsError(try form.fields()) { error in
            let refused = error as? FormValidationError
            XCTAssertEqual(refused?.key, "quantity_kg", "the core's refusal names its field")
            XCTAssertEqual(refused?.field, "Declared quantity (kg)")
            XCTAssertEqual(refused?.userMessage, UserMessage(key: .quantityNotANumber, args: ["thirteen"]))
            XCTAssertEqual(UserFacingError(error).kind, .form(field: "Declared quantity (kg)", key: "quantity_kg"))
        }
        FormText.decimalSeparator = "."
        XCTAssertEqual(try parseQuantity(text: "15490.4", decimalSeparator: "."), 15_490.4)
        XCTAssertEqual(try parseCount(text: "1 139"), 1139)
        XCTAssertEqual(try parseCount(text: "1,139"), 1139)
        XCTAssertNil(try parseCount(text: "  "))
    }

    func testNetMassIsComputedByTheCoreWithoutAButton() throws {
        FormText.decimalSeparator = "."
        var finding = FindingForm()
        finding[.cylinders] = "1139"
        XCTAssertNil(try finding.netMass(), "no kg per cylinder: nothing to compute")
        finding[.kgPerCylinder] = "13.6"
        XCTAssertEqual(try finding.netMass(), 15_490.4)
        XCTAssertEqual(try finding.fields().netMassKg, 15_490.4, "sent as computed")
        XCTAssertEqual(finding[.netMassKg], "", "the total field stays as typed")
        finding[.netMassKg] = "15 000"
        XCTAssertEqual(try finding.netMass(), 15_000, "a total as typed wins")
        finding[.netMassKg] = ""
        finding[.kgPerCylinder] = "-1"
        XCTAssertThrowsError(try finding.netMass()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Kg per cylinder")
            XCTAssertEqual((error as? FormValidationError)?.userMessage.key, .quantityNegative)
        }
        finding[.kgPerCylinder] = "13.6"
        finding[.cylinders] = "11.5"
        XCTAssertThrowsError(try finding.netMass()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Cylinders")
            XCTAssertEqual((error as? FormValidationError)?.userMessage, UserMessage(key: .countNotWhole, args: ["11.5"]))
        }
    }

    func testTheCoreReadsTheFindingFormAndNamesTheField() throws {
        FormText.decimalSeparator = ","
        defer { FormText.decimalSeparator = "." }
        var finding = FindingForm()
        finding[.identified] = " R-22 "
        finding[.purityPct] = "99,1"
        finding[.cylinders] = "1139"
        finding[.kgPerCylinder] = "13,6"
        finding.cylinderType = .refillable
        var fields = try finding.fields()
        XCTAssertEqual(fields.identifiedSubstance, "R-22")
        XCTAssertNil(fields.declaredSubstance, "a field the form does not hold is left as it is")
        XCTAssertEqual(fields.purityPct, 99.1)
        XCTAssertNil(fields.contentPct, "an empty number leaves the number as it is")
        XCTAssertEqual(fields.cylinders, 1139)
        XCTAssertEqual(fields.netMassKg, 15_490.4)
        XCTAssertEqual(fields.cylinderType, .refillable)
        XCTAssertEqual(fields.composition, [], "no composition row clears the composition")
        finding[.declared] = ""
        fields = try finding.fields()
        XCTAssertEqual(fields.declaredSubstance, "", "empty text clears the field")
        finding[.purityPct] = "abc"
        XCTAssertThrowsError(try finding.fields()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Purity")
            XCTAssertEqual((error as? FormValidationError)?.userMessage.key, .quantityNotANumber)
        }
        finding[.purityPct] = ""
        finding[.netMassKg] = "-5"
        XCTAssertThrowsError(try finding.fields()) { error in
            XCTAssertEqual((error as? FormValidationError)?.field, "Net mass")
        }
    }

    /// The core's rules, refused at the core's field key, land on the form's field: its label for
    /// the message's title, the field itself for highlighting.
    func testTheCoresRefusalsMapToTheFormsFields() {
        func refusal<Fields>(_ read: @autoclosure () throws -> Fields) -> FormValidationError? {
            do {
                _ = try read()
                XCTFail("not refused")
                return nil
            } catch {
                return error as? FormValidationError
            }
        }

        var inspection = InspectionForm()
        inspection[.container] = "  "
        let blank = refusal(try inspection.fields())
        XCTAssertEqual(blank?.userMessage.key, .ruleContainerRequired)
        XCTAssertEqual(blank.flatMap { InspectionForm.Field(key: $0.key) }, .container)
        XCTAssertEqual(blank?.field, "Container number")

        var finding = FindingForm()
        finding[.purityPct] = "120"
        let purity = refusal(try finding.fields())
        XCTAssertEqual(purity?.userMessage.key, .rulePercentRange)
        XCTAssertEqual(purity.flatMap { FindingForm.Field(key: $0.key) }, .purityPct)
        finding = FindingForm()
        finding[.contentPct] = "101"
        XCTAssertEqual(refusal(try finding.fields()).flatMap { FindingForm.Field(key: $0.key) }, .contentPct)
        finding = FindingForm()
        finding[.identified] = "R-22"
        finding[.identifiedOther] = "Frigel X"
        let twice = refusal(try finding.fields())
        XCTAssertEqual(twice?.userMessage.key, .ruleIdentifiedTwice)
        XCTAssertEqual(twice.flatMap { FindingForm.Field(key: $0.key) }, .identifiedOther)

        var seizure = SeizureForm()
        seizure[.seizedCylinders, finding: "f-1"] = "3"
        let quantity = refusal(try seizure.fields())
        XCTAssertEqual(quantity?.key, "item.f-1.kg")
        XCTAssertEqual(quantity?.userMessage.key, .ruleSeizedQuantityNeeded)
        XCTAssertEqual(quantity.flatMap { SeizureForm.Field(key: $0.key) }, .seizedKg)
        XCTAssertEqual(quantity?.field, "Seized quantity (kg)")

        let custody = refusal(try CustodyForm(from: "ama").fields())
        XCTAssertEqual(custody?.userMessage.key, .ruleCustodyParties)
        XCTAssertEqual(custody.flatMap { CustodyForm.Field(key: $0.key) }, .to)

        XCTAssertEqual(FindingForm.Field(key: "composition.2.pct"), .composition)
        XCTAssertEqual(FindingForm.Field(key: "composition"), .composition)
        XCTAssertEqual(InspectionForm.Field(key: "location.lat"), .location)
        XCTAssertEqual(SeizureForm.Field(key: "item.f-1.cylinders"), .seizedCylinders)
        XCTAssertNil(FindingForm.Field(key: "no_such_field"))
    }

    func testDraftKeysAreTheCoresFormKeys() throws {
        XCTAssertEqual(Set(FindingForm.Field.allCases.map(\.rawValue)), Set(findingFormFields() + ["composition"]),
                       "the draft keeps the core's form keys, the same on Android")

        var inspection = InspectionForm()
        inspection[.container] = "CSQU 305438-3"
        inspection.allowInvalidCheckDigit = true
        inspection.location = GeoPoint(lat: 5.6, lon: -0.01, accuracyM: 8)
        inspection[.notes] = "half typed"
        XCTAssertEqual(inspection.draftFields, ["container": "CSQU 305438-3", "allow_invalid_check_digit": "true",
                                                "location.lat": "5.6", "location.lon": "-0.01",
                                                "location.accuracy_m": "8.0", "notes": "half typed"])
        XCTAssertEqual(InspectionForm(draftFields: inspection.draftFields), inspection)
        let read = try inspection.fields()
        XCTAssertTrue(read.allowInvalidCheckDigit)
        XCTAssertEqual(read.location, GeoPoint(lat: 5.6, lon: -0.01, accuracyM: 8))
        inspection.location = nil
        inspection.allowInvalidCheckDigit = false
        XCTAssertEqual(Set(inspection.draftFields.keys), ["container", "notes"])

        var finding = FindingForm()
        finding[.identified] = "R-22"
        finding.cylinderType = .disposable
        finding.composition = [.init(component: "R-22", pct: "60"), .init(component: "unknown", pct: "40")]
        XCTAssertEqual(finding.draftFields["cylinder_type"], "disposable")
        XCTAssertEqual(finding.draftFields["composition.rows"], "2")
        XCTAssertEqual(finding.draftFields["composition.1.component"], "unknown")
        XCTAssertEqual(FindingForm(draftFields: finding.draftFields).composition, finding.composition)
        XCTAssertEqual(try finding.fields().composition, [ComponentShare(component: "R-22", pct: 60),
                                                          ComponentShare(component: "unknown", pct: 40)])
        finding.composition = [.init(component: "R-22", pct: "100")]
        XCTAssertNil(finding.draftFields["composition.1.component"], "removed rows leave the draft")
        XCTAssertEqual(FindingForm(draftFields: ["cylinder_type": "DISPOSABLE"]).cylinderType, .disposable,
                       "read as the core reads it")

        FormText.decimalSeparator = ","
        defer { FormText.decimalSeparator = "." }
        var seizure = SeizureForm()
        seizure.action = .reExported
        seizure.modusOperandi = [.overQuota, .concealed]
        seizure[.seizedKg, finding: "f-1"] = "12,5"
        seizure[.seizedCylinders, finding: "f-1"] = "3"
        seizure[.seizedKg, finding: "f-2"] = ""
        XCTAssertEqual(seizure.draftFields, ["action": "re-exported", "modus_operandi": "concealed,over-quota",
                                             "item.f-1.kg": "12,5", "item.f-1.cylinders": "3", "item.f-2.kg": ""])
        XCTAssertTrue(seizure.isSeized("f-1"))
        XCTAssertFalse(seizure.isSeized("f-2"))
        let seized = try seizure.fields()
        XCTAssertEqual(seized.action, .reExported)
        XCTAssertEqual(seized.modusOperandi, [.concealed, .overQuota])
        XCTAssertEqual(seized.items, [SeizedItem(findingId: "f-1", quantityKg: 12.5, cylinders: 3)], "blank: not seized")
        XCTAssertEqual(SeizureForm(draftFields: ["modus_operandi": "false-declaration, over-quota"]).modusOperandi,
                       [.falseDeclaration, .overQuota], "as the core writes the list")

        var custody = CustodyForm(from: "ama")
        custody[.to] = "warehouse"
        XCTAssertEqual(custody.draftFields, ["from": "ama", "to": "warehouse"])
        XCTAssertEqual(try custody.fields(), CustodyFields(from: "ama", to: "warehouse", location: nil, note: nil, at: nil))
        XCTAssertEqual(DraftKey.finding("i1", nil), "finding:i1:new")
        XCTAssertEqual(DraftKey.custody("i1"), "custody:i1:new")
    }

    /// Every value a picker offers is written as the core reads it.
    func testPickedValuesAreTheCoresValues() throws {
        for action in SeizureAction.choices {
            XCTAssertEqual(try seizureFieldsFromForm(form: ["action": action.formValue], decimalSeparator: ".").action, action)
        }
        let modus = ModusOperandi.choices.map(\.formValue).joined(separator: ",")
        XCTAssertEqual(try seizureFieldsFromForm(form: ["modus_operandi": modus], decimalSeparator: ".").modusOperandi,
                       ModusOperandi.choices)
        for type in CylinderType.choices {
            XCTAssertEqual(try findingFieldsFromForm(form: ["cylinder_type": type.formValue], decimalSeparator: ".").cylinderType, type)
        }
        XCTAssertEqual(SeizureAction.reExported.formValue, "re-exported")
        XCTAssertEqual(ModusOperandi(formValue: " False_Declaration "), .falseDeclaration)
    }

    func testTheStoreKeysAccountIsTheStoresPathFromTheAppsHome() {
        let home = URL(fileURLWithPath: NSHomeDirectory(), isDirectory: true)
        let app = StoreLocation(root: home.appendingPathComponent("Library/Application Support/Quayside", isDirectory: true))
        // Not the container's absolute path, which changes when the app is updated or restored.
        XCTAssertEqual(StoreKeychain.account(for: app), "store:~/Library/Application Support/Quayside/store")
        let temporary = StoreLocation(root: URL(fileURLWithPath: "/private/var/folders/xy/T/quayside-tests-1", isDirectory: true))
        XCTAssertEqual(StoreKeychain.account(for: temporary), "store:/var/folders/xy/T/quayside-tests-1/store")
        XCTAssertEqual(StoreKeychain.account(for: StoreLocation(root: URL(fileURLWithPath: "/var/folders/xy/T/quayside-tests-1"))),
                       StoreKeychain.account(for: temporary))
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
        let wrongKey = UserFacingError(ApiError.WrongKey(message: "the key does not open this store"))
        XCTAssertEqual(wrongKey.code, .wrongKey)
        XCTAssertFalse(wrongKey.isRetryable)
        XCTAssertEqual(wrongKey.message, UserMessage(key: .errorWrongKey, args: []).english())
        XCTAssertNotNil(wrongKey.recoverySuggestion)
        let lost = UserFacingError(StoreKeyError.lost)
        XCTAssertEqual(lost.kind, .storeKey(.lost))
        XCTAssertFalse(lost.isRetryable)
        XCTAssertTrue(UserFacingError(StoreKeyError.unavailable(status: -25308)).isRetryable)
        let user = UserMessage(key: .quantityNegative, args: [])
        let invalid = UserFacingError(ApiError.Invalid(message: "English for logs", user: user, field: nil))
        XCTAssertEqual(invalid.code, .invalid)
        XCTAssertEqual(invalid.userMessage, user)
        XCTAssertEqual(invalid.message, user.english(), "the user message, never the log message")
        let refused = FormValidationError(field: "Cylinders", key: "cylinders",
                                          refusal: ApiError.Invalid(message: "m", user: user, field: "cylinders"))
        XCTAssertEqual(UserFacingError(refused).kind, .form(field: "Cylinders", key: "cylinders"))
        XCTAssertEqual(UserFacingError(refused).formKey, "cylinders")
        XCTAssertEqual(UserFacingError(refused).userMessage, user)
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
