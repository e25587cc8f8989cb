import QuaysideCore
import QuaysideKit
import SwiftUI

/// An inspection read-only: what a submitted report says, with the core's figures, flags,
/// conflicts, review state and decisions. Used for submitted inspections and by supervisor review,
/// which adds its decision controls as `footer`.
struct InspectionDetailView<Footer: View>: View {
    let view: InspectionView
    let footer: Footer

    init(view: InspectionView, @ViewBuilder footer: () -> Footer) {
        self.view = view
        self.footer = footer()
    }

    private var inspection: InspectionRecord { view.inspection }

    var body: some View {
        Form {
            if let notice = ReviewText.notice(for: view) {
                Section { ReviewNoticeView(notice: notice) }
            }
            Section("Report") {
                ValueRow("Status", view.reviewState.text)
                ValueRow("Officer", inspection.officer)
                ValueRow("Station", inspection.station)
                ValueRow("Started", Timestamp.display(inspection.createdAt))
                if let reason = inspection.selectionReason { ValueRow("Selected because", reason) }
                if let point = inspection.location {
                    ValueRow("Position", String(format: "%.5f, %.5f", point.lat, point.lon))
                }
            }
            Section("Container") {
                ValueRow("Number", inspection.container.number)
                if !inspection.container.seals.isEmpty {
                    ValueRow("Seals", inspection.container.seals.joined(separator: ", "))
                }
                if let sizeType = inspection.container.sizeType { ValueRow("Size and type", sizeType) }
            }
            Section("Declaration") {
                let declaration = inspection.declaration
                if let number = declaration.number { ValueRow("Number", number) }
                if let bill = declaration.billOfLading { ValueRow("Bill of lading", bill) }
                if let hsCode = declaration.hsCode { ValueRow("HS code", hsCode) }
                if let description = declaration.description { ValueRow("Goods", description) }
                if let quantity = declaration.quantityKg { ValueRow("Quantity", Figures.kg(quantity)) }
                if let consignor = declaration.consignor { ValueRow("Consignor", consignor) }
                if let consignee = declaration.consignee { ValueRow("Consignee", consignee) }
                if let origin = declaration.origin { ValueRow("Origin", origin) }
                if let destination = declaration.destination { ValueRow("Destination", destination) }
                if !declaration.transit.isEmpty { ValueRow("Transit", declaration.transit.joined(separator: ", ")) }
            }
            Section("Findings") {
                ForEach(inspection.findings, id: \.id) { finding in
                    FindingRow(
                        finding: finding,
                        figures: view.assessment.findings.first { $0.findingId == finding.id },
                        flags: view.assessment.flags.filter { $0.findingId == finding.id }
                    )
                }
                if !inspection.findings.isEmpty {
                    QuantityRows(quantity: view.assessment.total)
                }
            }
            let general = view.assessment.flags.filter { $0.findingId == nil }
            if !general.isEmpty {
                Section("Flags") { FlagList(flags: general) }
            }
            if !view.conflicts.isEmpty {
                Section("Changed on two devices") { ConflictList(conflicts: view.conflicts) }
            }
            let removed = view.removedNotices
            if !removed.isEmpty {
                // What was removed stays visible here; restoring it is the officer's call, in the editor.
                Section("Removed") {
                    ForEach(removed, id: \.record.id) { notice in
                        Text(notice.text).font(.callout)
                    }
                }
            }
            if !inspection.photos.isEmpty {
                Section("Evidence photos") {
                    ScrollView(.horizontal) {
                        HStack {
                            ForEach(inspection.photos, id: \.sha256) { photo in
                                PhotoThumbnail(sha256: photo.sha256, side: 120)
                            }
                        }
                    }
                }
            }
            if let seizure = inspection.seizure, seizure.action != nil || !seizure.items.isEmpty || !seizure.custody.isEmpty {
                Section("Seizure") {
                    if let action = seizure.action { ValueRow("Action", action.displayName) }
                    if let caseRef = seizure.caseRef { ValueRow("Case", caseRef) }
                    if let basis = seizure.legalBasis { ValueRow("Legal basis", basis) }
                    if !seizure.modusOperandi.isEmpty {
                        ValueRow("Modus operandi", seizure.modusOperandi.map(\.displayName).joined(separator: ", "))
                    }
                    if let storage = seizure.storageLocation { ValueRow("Stored at", storage) }
                    if !seizure.items.isEmpty { QuantityRows(quantity: view.assessment.seized) }
                    ForEach(Array(seizure.custody.enumerated()), id: \.offset) { _, entry in
                        CustodyRow(entry: entry)
                    }
                }
            }
            if !inspection.notes.isEmpty {
                Section("Notes") { Text(inspection.notes) }
            }
            Section("Review") {
                if let submitted = inspection.submittedAt {
                    ValueRow("Submitted", Timestamp.display(submitted))
                }
                if let verified = view.submissionVerified {
                    Label(verified ? String(localized: "Officer's signature verified") : String(localized: "Officer's signature does NOT verify"),
                          systemImage: verified ? "checkmark.seal" : "xmark.seal")
                        .foregroundStyle(verified ? Color.green : Color.red)
                }
                ForEach(view.reviews, id: \.id) { review in
                    Text(ReviewText.decision(review))
                        .font(.callout)
                        .foregroundStyle(review.signatureVerified ? Color.primary : Color.red)
                }
                if view.reviews.isEmpty && view.submissionVerified == nil {
                    Text("Not submitted yet.").foregroundStyle(.secondary)
                }
            }
            footer
            Section {
                NavigationLink("History") { HistoryView(inspectionId: inspection.id) }
            }
        }
    }
}

extension InspectionDetailView where Footer == EmptyView {
    /// The inspection without extra controls.
    init(view: InspectionView) {
        self.init(view: view) { EmptyView() }
    }
}

/// Every change to an inspection: who, from which device, when, what.
struct HistoryView: View {
    let inspectionId: String
    @EnvironmentObject private var store: InspectionStore
    @State private var history: [HistoryRecord] = []
    @State private var error: UserFacingError?

    var body: some View {
        List(history.reversed(), id: \.hash) { change in
            VStack(alignment: .leading, spacing: 2) {
                Text(verbatim: change.what.map(\.localized).joined(separator: ", "))
                Text([change.user, change.device.map { String(localized: "device …\(Ids.short($0))") }, Timestamp.display(change.at)]
                    .compactMap { $0 }
                    .joined(separator: " · "))
                    .font(.caption)
                    .foregroundStyle(.secondary)
            }
        }
        .navigationTitle("History")
        .task(id: store.revision) {
            do {
                history = try await store.history(inspectionId: inspectionId)
            } catch {
                self.error = UserFacingError(error)
            }
        }
        .errorAlert($error)
    }
}
