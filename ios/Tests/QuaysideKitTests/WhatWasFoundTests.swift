import Foundation
import QuaysideCore
@testable import QuaysideKit
import XCTest

/// Recording what officers really find, through the editor over a real core: an uncontrolled
/// substance, a gas the identifier could not name, a measured composition (and one that does not
/// add up), a pre-blended polyol's content; figures where an unknown is never shown as 0; a
/// removed finding brought back. Mirrors the Android shell's `WhatWasFoundTest`.
@MainActor
final class WhatWasFoundTests: XCTestCase {
    private var folder: TemporaryFolder!
    private var store: InspectionStore!
    private var editor: InspectionEditorModel!

    override func setUp() async throws {
        Localization.localizer = EnglishLocalizer()
        folder = try TemporaryFolder()
        store = try await InspectionStore.create(at: StoreLocation(root: folder.url), user: "ama", station: "GHTEM", keychain: .inMemory())
        var header = InspectionForm()
        header[.container] = "CSQU3054383"
        let created = try await store.createInspection(header.fields())
        editor = InspectionEditorModel(store: store, view: created)
    }

    override func tearDown() async throws {
        Localization.localizer = EnglishLocalizer()
        editor = nil
        store = nil
        folder = nil
    }

    private func add(_ form: FindingForm) async throws -> String {
        let id = await editor.addFinding(form)
        XCTAssertNil(editor.alert, editor.alert?.message ?? "")
        return try XCTUnwrap(id)
    }

    private func figures(_ findingId: String) throws -> FindingFiguresRecord {
        try XCTUnwrap(editor.figures(for: findingId))
    }

    private func flagKinds(_ findingId: String) -> Set<FlagKind> {
        Set(editor.flags(for: findingId).map(\.kind))
    }

    func testUncontrolledHydrocarbon() async throws {
        var form = FindingForm()
        form[.identified] = "R-290"
        form[.netMassKg] = "50"
        let id = try await add(form)
        let figures = try figures(id)
        XCTAssertEqual(figures.basis, .identified)
        let quantity = try XCTUnwrap(figures.quantity)
        XCTAssertEqual(quantity.co2eTonnes, 0.15, accuracy: 1e-9)
        XCTAssertEqual(quantity.odpTonnes, 0)
        XCTAssertEqual(quantity.odpUnknownKg, 0)
        XCTAssertFalse(Figures.co2eTonnes(quantity).hasPrefix("0 "), "0.15 t is not shown as 0")
        let flag = try XCTUnwrap(editor.flags(for: id).first { $0.kind == .substanceMismatch })
        let findings = editor.view?.inspection.findings ?? []
        let finding = try XCTUnwrap(findings.first)
        XCTAssertEqual(finding.title, [UserMessage(key: .findingFound, args: ["R-290"])])
        XCTAssertEqual(FindingText.title(finding), "Found R-290")
        XCTAssertEqual(finding.name.localized, "R-290")
        XCTAssertEqual(figures.basis.label().localized, "Figures from the identified substance")
        XCTAssertTrue(FindingText.flag(flag, findings: findings).hasPrefix("Finding 1 (R-290): "))

        // The flag is a key and arguments, worded from the string catalog (its `text` is for logs).
        XCTAssertEqual(flag.message, UserMessage(key: .flagUndeclared, args: ["R-290"]))
        XCTAssertEqual(FindingText.flag(flag, findings: findings), "Finding 1 (R-290): \(flag.message.english())")
        Localization.localizer = try CatalogLocalizer(xcstrings: Fixtures.stringCatalog, language: "id")
        XCTAssertEqual(flag.message.localized, "Tidak ada yang diberitahukan: teridentifikasi R-290.")
        XCTAssertEqual(FindingText.flag(flag, findings: findings),
                       "Temuan 1 (R-290): Tidak ada yang diberitahukan: teridentifikasi R-290.")
        XCTAssertEqual(FindingText.flag(flag, findings: []), flag.message.localized, "under its finding: the message alone")
        XCTAssertEqual(FindingText.title(finding), "Ditemukan R-290")
        XCTAssertEqual(figures.basis.label().localized, "Angka dari bahan yang teridentifikasi")
        Localization.localizer = EnglishLocalizer()

        let propane = try XCTUnwrap(QuaysideCore.substance(name: "R-290"))
        XCTAssertFalse(propane.controlled)
        XCTAssertTrue(propane.pickerDetail.hasPrefix("not controlled · "))
    }

    func testUnknownSubstanceIsNeverShownAsZero() async throws {
        var form = FindingForm()
        form[.identified] = FindingText.unknown
        form[.netMassKg] = "120"
        let id = try await add(form)
        let finding = try XCTUnwrap(editor.view?.inspection.findings.first)
        XCTAssertEqual(finding.identifiedSubstance, "unknown")
        XCTAssertTrue(FindingForm(record: finding).identifiedUnknown)
        XCTAssertEqual(FindingText.title(finding), "Found an unknown substance")
        XCTAssertEqual(try figures(id).basis, .notIdentified)
        XCTAssertTrue(flagKinds(id).contains(.labAnalysis))
        let lab = try XCTUnwrap(editor.flags(for: id).first { $0.kind == .labAnalysis })
        XCTAssertEqual(lab.message.key, .flagLabNotIdentified)

        let total = try XCTUnwrap(editor.view?.assessment.total)
        XCTAssertEqual(total.odpUnknownKg, 120)
        XCTAssertEqual(total.gwpUnknownKg, 120)
        XCTAssertEqual(Figures.odpTonnes(total), "unknown ODP-t")
        XCTAssertEqual(Figures.co2eTonnes(total), "unknown t CO2-eq")
        XCTAssertFalse(Figures.quantity(total).contains(" 0 "))

        var r22 = FindingForm()
        r22[.identified] = "R-22"
        r22[.netMassKg] = "100"
        _ = try await add(r22)
        let mixed = try XCTUnwrap(editor.view?.assessment.total)
        XCTAssertEqual(mixed.odpTonnes, 0.0055, accuracy: 1e-9)
        XCTAssertTrue(Figures.odpTonnes(mixed).hasPrefix("at least "))
        XCTAssertTrue(Figures.odpTonnes(mixed).hasSuffix("ODP-t (120 kg not known)"))
    }

    func testMeasuredComposition() async throws {
        var form = FindingForm()
        form[.declared] = "R-22"
        form.composition = [
            FindingForm.Component(component: "R-22", pct: "60"),
            FindingForm.Component(component: "R-290", pct: "38"),
            FindingForm.Component(component: "air", pct: "2"),
        ]
        form[.netMassKg] = "100"
        let id = try await add(form)
        let figures = try figures(id)
        XCTAssertEqual(figures.basis, .measured)
        let quantity = try XCTUnwrap(figures.quantity)
        XCTAssertEqual(quantity.odpTonnes, 0.0033, accuracy: 1e-9)
        XCTAssertEqual(quantity.co2eTonnes, 108.714, accuracy: 1e-9)
        XCTAssertTrue(flagKinds(id).contains(.substanceMismatch))

        let finding = try XCTUnwrap(editor.view?.inspection.findings.first)
        XCTAssertEqual(finding.composition, [
            ComponentShare(component: "HCFC-22", pct: 60),
            ComponentShare(component: "R-290", pct: 38),
            ComponentShare(component: "air", pct: 2),
        ])
        XCTAssertEqual(finding.title.first, UserMessage(key: .findingMeasured, args: ["HCFC-22 60 %, R-290 38 %, air 2 %"]))
        XCTAssertEqual(finding.name.localized, "HCFC-22 (measured)")
        let reopened = FindingForm(record: finding)
        XCTAssertEqual(try reopened.fields().composition, finding.composition, "the form sends the composition whole")
    }

    func testACompositionOf90PercentIsRefusedAndChangesNothing() async throws {
        var form = FindingForm()
        form[.declared] = "R-22"
        form[.netMassKg] = "100"
        let id = try await add(form)
        let original = try XCTUnwrap(editor.view?.inspection.findings.first)
        let before = try await store.history(inspectionId: editor.inspectionId).count

        let baseline = FindingForm(record: original)
        var ninety = baseline
        ninety.composition = [
            FindingForm.Component(component: "R-22", pct: "60"),
            FindingForm.Component(component: "R-290", pct: "30"),
        ]
        let saved = await editor.updateFinding(id, form: ninety, basedOn: editor.basedOn)
        XCTAssertFalse(saved)
        XCTAssertEqual(editor.alert?.kind, .form(field: "Composition", key: "composition"))
        XCTAssertEqual(editor.alert?.userMessage, UserMessage(key: .compositionTotal, args: ["90"]), "the core's check")
        XCTAssertEqual(editor.alert?.message, "The composition adds up to 90 %, not 100 % (name the rest \"unknown\").")

        // The core's own check stands for any caller.
        var patch = FindingFields()
        patch.composition = [ComponentShare(component: "R-22", pct: 60), ComponentShare(component: "R-290", pct: 30)]
        do {
            _ = try await store.updateFinding(inspectionId: editor.inspectionId, findingId: id, fields: patch, basedOn: [])
            XCTFail("a composition of 90 % was accepted")
        } catch let error as UserFacingError {
            XCTAssertEqual(error.code, .invalid)
            XCTAssertNotNil(error.userMessage)
        }
        let after = try await store.inspection(id: editor.inspectionId)
        XCTAssertEqual(after.inspection.findings.first, original)
        let historyAfter = try await store.history(inspectionId: editor.inspectionId).count
        XCTAssertEqual(historyAfter, before)
    }

    /// The core's composition check, worded from the app's string catalog: a blank row is
    /// skipped, the total is refused in Bahasa Indonesia against the composition field.
    func testACompositionThatDoesNotAddUpIsWordedInIndonesian() throws {
        var form = FindingForm()
        form.composition = [
            FindingForm.Component(component: "R-22", pct: "60"),
            FindingForm.Component(),
            FindingForm.Component(component: "R-290", pct: "30"),
        ]
        Localization.localizer = try CatalogLocalizer(xcstrings: Fixtures.stringCatalog, language: "id")
        XCTAssertThrowsError(try form.fields()) { error in
            let shown = UserFacingError(error)
            XCTAssertEqual(shown.kind, .form(field: "Komposisi", key: "composition"), "the field's label from the catalog")
            XCTAssertEqual(shown.userMessage, UserMessage(key: .compositionTotal, args: ["90"]))
            XCTAssertEqual(shown.message, "Jumlah komposisi 90 %, bukan 100 % (sebut sisanya \"unknown\").")
        }
    }

    /// A substance from the reference and one outside it, both given: refused by the core on save.
    func testIdentifiedAndOtherBothAreRefusedByTheCore() async throws {
        var form = FindingForm()
        form[.identified] = "R-22"
        form[.identifiedOther] = "Frigel X"
        form[.netMassKg] = "10"
        let id = await editor.addFinding(form)
        XCTAssertNil(id)
        XCTAssertEqual(editor.alert?.userMessage?.key, .ruleIdentifiedTwice, "its own key, localised")
        XCTAssertEqual(editor.view?.inspection.findings.count, 0)
    }

    func testPolyolContent() async throws {
        var form = FindingForm()
        form[.identified] = "HCFC-141b in pre-blended polyol"
        form[.netMassKg] = "1000"
        XCTAssertTrue(form.needsContent)
        let id = try await add(form)
        XCTAssertEqual(try figures(id).quantity?.odpUnknownKg, 1000)

        let finding = try XCTUnwrap(editor.view?.inspection.findings.first)
        var withContent = FindingForm(record: finding)
        withContent[.contentPct] = "12"
        let saved = await editor.updateFinding(id, form: withContent, basedOn: editor.basedOn)
        XCTAssertTrue(saved)
        let quantity = try XCTUnwrap(try figures(id).quantity)
        XCTAssertEqual(quantity.odpTonnes, 1000 * 0.12 * 0.11 / 1000, accuracy: 1e-9)
        XCTAssertEqual(quantity.odpUnknownKg, 0)
    }

    func testARemovedFindingIsRestored() async throws {
        var kept = FindingForm()
        kept[.identified] = "R-22"
        kept[.netMassKg] = "100"
        _ = try await add(kept)
        var propane = FindingForm()
        propane[.identified] = "R-290"
        propane[.netMassKg] = "50"
        propane[.labels] = "Propane 50 kg"
        let removedId = try await add(propane)

        let removed = await editor.removeFinding(removedId)
        XCTAssertTrue(removed)
        XCTAssertEqual(editor.view?.inspection.findings.count, 1)
        let notice = try XCTUnwrap(editor.removed.first)
        XCTAssertEqual(notice.record.list, .findings)
        XCTAssertEqual(notice.record.id, removedId)
        XCTAssertTrue(notice.text.hasPrefix("Finding …\(removedId.suffix(8)) removed "))

        let restored = await editor.restoreRemoved(notice.record)
        XCTAssertTrue(restored)
        XCTAssertEqual(editor.view?.inspection.findings.first { $0.id == removedId }?.labels, "Propane 50 kg")
        XCTAssertTrue(editor.removed.isEmpty)
        XCTAssertEqual(editor.view?.assessment.total.kg ?? 0, 150, accuracy: 1e-9)
    }

    func testUnknownKilogramsAreWordedAndShortIdsAreTheEnd() {
        let none = QuantityRecord(kg: 40, tonnes: 0.04, odpTonnes: 0, co2eTonnes: 0, odpUnknownKg: 40, gwpUnknownKg: 40)
        XCTAssertEqual(Figures.odpTonnes(none), "unknown ODP-t")
        let some = QuantityRecord(kg: 140, tonnes: 0.14, odpTonnes: 0.0055, co2eTonnes: 181, odpUnknownKg: 40, gwpUnknownKg: 0)
        XCTAssertTrue(Figures.odpTonnes(some).hasPrefix("at least "))
        XCTAssertTrue(Figures.odpTonnes(some).hasSuffix("(40 kg not known)"))
        XCTAssertFalse(Figures.co2eTonnes(some).contains("at least"))

        let noGwp = QuaysideCore.substance(name: "CFC-211")
        XCTAssertNotNil(noGwp)
        XCTAssertNil(noGwp?.gwp, "no GWP published: unknown, not 0")
        XCTAssertTrue(noGwp?.pickerDetail.contains("GWP unknown") ?? false)

        XCTAssertEqual(Ids.short("0190b6e2-7c1a-7d3e-9f3a-1b2c9f3a6c21"), "9f3a6c21")
        XCTAssertEqual(Ids.short("abc"), "abc")
    }
}
