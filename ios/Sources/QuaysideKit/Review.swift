import Foundation
import QuaysideCore

extension InspectionView {
    /// The latest decision of this kind, if any.
    public func latestReview(_ decision: Decision) -> ReviewRecord? {
        reviews.last { $0.decision == decision }
    }
}

/// What the editor and the review detail say about an inspection's review, as a banner.
public struct ReviewNotice: Equatable, Sendable {
    /// The state the banner describes.
    public let badge: ReviewState
    /// A few words, e.g. "Returned by esi".
    public let title: String
    /// The supervisor's comment and what to do next.
    public let text: String
    /// Shown as a warning: someone has to act, or a signature does not verify.
    public let attention: Bool
}

/// Presentation of review decisions, shared by the editor, the review screen and the tests.
public enum ReviewText {
    /// The banner for `view`; `nil` for a draft nobody has reviewed. Every sentence is a catalog
    /// entry (`review_*`) with its values as placeholders, so that it reads naturally in Indonesian.
    public static func notice(for view: InspectionView) -> ReviewNotice? {
        let badge = view.reviewState
        let approved = view.latestReview(.approved)
        let returned = view.latestReview(.returned)
        var warning = ""
        if view.submissionVerified == false {
            warning += " " + text("review_warning_submission_unverified",
                                  "The signature on the submission does not verify; tell your administrator before relying on this record.")
        }
        let unverified = view.reviews.filter { !$0.signatureVerified }
        if !unverified.isEmpty {
            let decisions = unverified.map { format("review_decision_of", "%1$@'s decision", $0.reviewer) }
                .joined(separator: text("review_list_and", " and "))
            warning += " " + format("review_warning_decision_unverified",
                                    "The signature on %1$@ does not verify; tell your administrator.", decisions)
        }
        let suspicious = !warning.isEmpty
        let supervisor = text("review_the_supervisor", "the supervisor")
        switch badge {
        case .draft:
            guard suspicious else { return nil }
            return ReviewNotice(badge: badge, title: badge.text, text: FormText.clean(warning), attention: true)
        case .awaitingReview:
            let at = view.inspection.submittedAt.map(Timestamp.display)
            let submitted: String
            switch (returned, at) {
            case let (returned?, at?):
                submitted = format("review_awaiting_again_at", "Submitted again after %1$@ returned it %2$@; the supervisor has not decided yet.",
                                   returned.reviewer, at)
            case let (returned?, nil):
                submitted = format("review_awaiting_again", "Submitted again after %1$@ returned it; the supervisor has not decided yet.",
                                   returned.reviewer)
            case let (nil, at?):
                submitted = format("review_awaiting_at", "Submitted %1$@; the supervisor has not decided yet.", at)
            case (nil, nil):
                submitted = text("review_awaiting", "Submitted; the supervisor has not decided yet.")
            }
            return ReviewNotice(badge: badge, title: badge.text, text: submitted + warning, attention: suspicious)
        case .changedSinceSubmission:
            let when = view.inspection.submittedAt.map {
                format("review_changed_after_submission_at", "Submitted %1$@, then changed.", Timestamp.display($0))
            } ?? text("review_changed_after_submission", "Changed after it was submitted.")
            let rest = text("review_submission_not_covering",
                            "The officer's signature does not cover the changes: the officer submits it again before the supervisor can approve it (the supervisor can still return it).")
            return ReviewNotice(badge: badge, title: badge.text, text: when + " " + rest + warning, attention: true)
        case .returned:
            let comment = returned.map {
                format("review_comment_at", "“%1$@” (%2$@).", $0.comment, Timestamp.display($0.decidedAt)) + " "
            } ?? ""
            return ReviewNotice(badge: badge, title: format("review_returned_by", "Returned by %1$@", returned?.reviewer ?? supervisor),
                                text: comment + text("review_correct_and_resubmit", "Correct what is asked, then submit again.") + warning,
                                attention: true)
        case .approved:
            var said = text("review_approved", "Approved.")
            if let approved {
                let at = Timestamp.display(approved.decidedAt)
                said = approved.comment.isEmpty
                    ? format("review_approved_at", "Approved %1$@.", at)
                    : format("review_approved_at_comment", "Approved %1$@: “%2$@”.", at, approved.comment)
            }
            return ReviewNotice(badge: badge, title: format("review_approved_by", "Approved by %1$@", approved?.reviewer ?? supervisor),
                                text: said + warning, attention: suspicious)
        case .changedSinceApproval:
            let who = approved.map {
                format("review_changed_after_approval_by", "Approved by %1$@ %2$@, then changed.", $0.reviewer, Timestamp.display($0.decidedAt))
            } ?? text("review_changed_after_approval", "Changed after it was approved.")
            let rest = text("review_approval_not_covering",
                            "The approval does not cover the changes: the officer submits it again for the supervisor to review (the supervisor can return it meanwhile).")
            return ReviewNotice(badge: badge, title: badge.text, text: who + " " + rest + warning, attention: true)
        }
    }

    /// One line per decision, e.g. "esi returned: “Weigh again” · 29 Nov 2026 at 13:49 · signature verified".
    public static func decision(_ review: ReviewRecord) -> String {
        var line = "\(review.reviewer): \(review.decision?.text ?? text("decision_unknown", "decision"))"
        if !review.comment.isEmpty { line += ": “\(review.comment)”" }
        line += " · " + Timestamp.display(review.decidedAt)
        line += " · " + (review.signatureVerified
            ? text("review_signature_verified", "signature verified")
            : text("review_signature_not_verified", "signature does NOT verify"))
        return line
    }

    /// One of the shell's strings (``Localization/text(_:_:)``).
    static func text(_ key: String, _ english: String) -> String { Localization.text(key, english) }

    /// One of the shell's strings with its placeholders (`%1$@`…) filled with `args`.
    static func format(_ key: String, _ english: String, _ args: String...) -> String {
        Localization.format(Localization.text(key, english), args)
    }

    /// What the server's refusal of a review document means for the supervisor: the core's
    /// message for it (by its refusal code), and that the decision is kept and sent again.
    public static func refusal(_ rejected: RejectedRecord) -> UserFacingError {
        let kept = Localization.text("review_refused_kept", "Your decision is kept on this phone and sent again at every sync.")
        return UserFacingError(kind: .other,
                               title: Localization.text("review_refused_title", "The server has not accepted the decision"),
                               message: rejected.message.localized + " " + kept,
                               userMessage: rejected.message)
    }
}

/// The supervisor review screen's state: the queue from the core's `review_queue` (submitted
/// inspections of the supervisor's stations awaiting a decision, or changed since submission or
/// approval), one inspection opened in full, and Approve / Return with a comment (returning needs one).
///
/// A decision is recorded on the phone first (a signed review naming the inspection version
/// shown: the `heads` of ``current``) and then sent with a sync; a decision the server refuses
/// stays on the phone and is sent again at every sync. When a sync merged a change after the
/// inspection was opened, the decision is refused and nothing is recorded: ``current`` is read
/// again and the alert says it changed, for the supervisor to decide on what it says now.
@MainActor
public final class ReviewQueueModel: ObservableObject {
    /// Inspections waiting for a decision, newest first.
    @Published public private(set) var rows: [InspectionSummary] = []
    /// Whether the queue has been read once.
    @Published public private(set) var loaded = false
    /// The inspection being reviewed, with figures, flags, photos and earlier decisions.
    @Published public private(set) var current: InspectionView?
    /// The comment as typed (required to return, optional to approve).
    @Published public var comment = ""
    /// A call to the core (or a sync) is running.
    @Published public private(set) var busy = false
    /// What the last decision did, e.g. "Approved CSQU3054383 and sent it to the server".
    @Published public private(set) var notice: String?
    /// An error for an alert.
    @Published public var alert: UserFacingError?

    private let store: InspectionStore

    /// A model over `store`. Nonisolated, so that a view's initialiser can create it for a `@StateObject`.
    public nonisolated init(store: InspectionStore) {
        self.store = store
    }

    /// The review state of the inspection being reviewed.
    public var currentBadge: ReviewState? { current?.reviewState }

    /// Whether the inspection being reviewed waits for a decision (return, and approve when ``canApprove``).
    public var canDecide: Bool { !busy && (currentBadge?.awaitsDecision ?? false) }

    /// Whether Approve may be pressed: the officer's submission signature covers exactly the version
    /// shown. After a change since submission (or approval) only Return is possible until the
    /// officer submits again; the core refuses such an approval anyway.
    public var canApprove: Bool { canDecide && (current?.submissionCoversShown ?? false) }

    /// Whether Return may be pressed: a decision is possible and a comment is written.
    public var canReturn: Bool { canDecide && !FormText.clean(comment).isEmpty }

    /// Re-reads the queue from the store.
    public func load() async {
        do {
            rows = try await store.reviewQueue()
            loaded = true
        } catch {
            alert = UserFacingError(error)
        }
    }

    /// Syncs (to receive what officers submitted), then reloads the queue and the inspection being reviewed.
    /// A failed sync is shown; the queue still shows what this phone holds.
    public func syncAndLoad() async {
        busy = true
        defer { busy = false }
        let outcome = await store.sync(.manual)
        if let error = outcome.error { alert = error }
        await load()
        if let id = current?.inspection.id {
            current = try? await store.inspection(id: id)
        }
    }

    /// Opens inspection `inspectionId` for review.
    public func open(inspectionId: String) async {
        comment = ""
        notice = nil
        do {
            current = try await store.inspection(id: inspectionId)
        } catch {
            alert = UserFacingError(error)
        }
    }

    /// Back to the queue.
    public func close() {
        current = nil
        comment = ""
    }

    /// Approves the inspection being reviewed, as shown, with the optional comment, then syncs. Returns
    /// whether the decision was recorded; whether the server took it shows in ``notice`` and ``alert``.
    /// When the inspection changed after it was opened, nothing is recorded: it is shown again as it
    /// is now, with an alert whose code is `.stale`.
    public func approve() async -> Bool {
        await decide(returning: false)
    }

    /// Returns the inspection being reviewed to its officer with the comment (required), then syncs.
    public func returnToOfficer() async -> Bool {
        await decide(returning: true)
    }

    private func decide(returning: Bool) async -> Bool {
        guard let view = current else { return false }
        // Returning without a comment is the core's refusal (`rule_comment_needed`).
        let text = FormText.clean(comment)
        busy = true
        defer { busy = false }
        let id = view.inspection.id
        let container = view.inspection.container.number
        // The decision names the version on screen (its heads), never one read again now: what the
        // supervisor read is what they sign.
        let heads = view.heads
        let review: ReviewRecord
        do {
            review = returning
                ? try await store.returnInspection(inspectionId: id, heads: heads, comment: text)
                : try await store.approve(inspectionId: id, heads: heads, comment: text)
        } catch {
            let shown = UserFacingError(error)
            if shown.code == .stale {
                // A colleague's change arrived after it was opened. Nothing was written; show it as it
                // is now and let the supervisor decide again (the comment is kept).
                if let fresh = try? await store.inspection(id: id) { current = fresh }
            }
            alert = shown
            return false
        }
        let officer = view.inspection.officer
        // What was done, one whole sentence per decision and outcome, for the translation to read well.
        // The decision is stored on the phone; send it now.
        let outcome = await store.sync(.localChange)
        switch outcome.result {
        case let .success(report):
            // A refused decision is listed under its review document's id.
            if let refused = report.rejected.first(where: { $0.id == review.id }) {
                notice = returning
                    ? ReviewText.format("review_returned_not_accepted",
                                        "Returned %1$@ to %2$@ on this phone; the server has not accepted it yet", container, officer)
                    : ReviewText.format("review_approved_not_accepted",
                                        "Approved %1$@ on this phone; the server has not accepted it yet", container)
                alert = ReviewText.refusal(refused)
            } else {
                notice = returning
                    ? ReviewText.format("review_returned_sent", "Returned %1$@ to %2$@ and sent it to the server", container, officer)
                    : ReviewText.format("review_approved_sent", "Approved %1$@ and sent it to the server", container)
            }
        case let .failure(error):
            let why = error.title.lowercased()
            notice = returning
                ? ReviewText.format("review_returned_later",
                                    "Returned %1$@ to %2$@ on this phone; it is sent at the next sync (%3$@)", container, officer, why)
                : ReviewText.format("review_approved_later",
                                    "Approved %1$@ on this phone; it is sent at the next sync (%2$@)", container, why)
        }
        close()
        await load()
        return true
    }
}
