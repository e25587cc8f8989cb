import Foundation
import QuaysideCore

/// The substance picker's state: what the officer typed and the matching substances and blends
/// from the core's shipped reference (`lookupReference`), with their ODP and GWP and sources.
@MainActor
public final class SubstanceSearch: ObservableObject {
    /// What the officer typed: an ASHRAE number, a trade or chemical name, an HS code.
    @Published public var query = "" {
        didSet { if query != oldValue { schedule() } }
    }
    /// Matching substances, best first; every substance when the query is empty.
    @Published public private(set) var results: [SubstanceRecord] = []

    private var search: Task<Void, Never>?

    /// Creates an empty search; ``refresh()`` (or typing) fills ``results``. Nonisolated, so
    /// that a view can create it for a `@StateObject`.
    public nonisolated init() {}

    /// Searches again for the current query (call when the picker appears).
    public func refresh() {
        schedule()
    }

    /// Substances matching `query` (all of them for an empty query). The reference is compiled
    /// into the core and searched in memory; this runs off the main thread anyway.
    public nonisolated static func substances(matching query: String) -> [SubstanceRecord] {
        let query = FormText.clean(query)
        if query.isEmpty {
            return QuaysideCore.substances()
        }
        return QuaysideCore.lookupReference(query: query).compactMap { entry in
            if case let .substance(substance) = entry { return substance }
            return nil
        }
    }

    private func schedule() {
        search?.cancel()
        let query = self.query
        search = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(150))
            guard !Task.isCancelled else { return }
            let found = await Task.detached(priority: .userInitiated) {
                SubstanceSearch.substances(matching: query)
            }.value
            guard !Task.isCancelled else { return }
            self?.results = found
        }
    }
}

extension SubstanceRecord {
    /// A one-line description for pickers: "HCFC · ODP 0.055 · GWP 1810 (IPCC AR4)". Led by "not
    /// controlled" for what the Montreal Protocol does not control (HFOs, R-290, R-600a, R-744,
    /// R-717); the Protocol's ODP range beside the ODP used, where it gives one; "GWP unknown"
    /// where no GWP is published (never a GWP of 0).
    public var pickerDetail: String {
        func significant(_ value: Double) -> String { value.formatted(.number.precision(.significantDigits(1...3))) }
        var odpText = "ODP \(significant(odp))"
        if let range = odpRange, range.count == 2 {
            odpText += " (range \(significant(range[0]))–\(significant(range[1])))"
        }
        let gwpText = gwp.map { "GWP \($0.formatted(.number.precision(.fractionLength(0)))) (\(gwpSource))" } ?? "GWP unknown"
        let parts: [String] = (controlled ? [] : ["not controlled"]) + [group, odpText, gwpText]
        return parts.joined(separator: " · ")
    }
}
