//! Supervisor reviews and the review state of an inspection, derived from its reviews and its
//! current heads: an approval covers exactly the heads it names.

use serde::{Deserialize, Serialize};

use super::{Inspection, Status};
use crate::error::{Error, Result};
use crate::signing::Signed;

/// The review document schema version.
pub const REVIEW_SCHEMA: i64 = 1;

/// A supervisor's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    Returned,
}

impl Decision {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Returned => "returned",
        }
    }
}

/// One review of one inspection (its own document; never edited once written).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Review {
    pub schema: i64,
    pub id: String,
    pub inspection_id: String,
    pub reviewer: String,
    pub device: String,
    pub decided_at: String,
    pub decision: Option<Decision>,
    pub comment: String,
    /// The inspection heads the reviewer read (hex).
    pub reviewed_heads: Vec<String>,
    pub signature: Option<Signed>,
}

impl Review {
    /// The text the reviewer's signature covers.
    pub fn payload(&self) -> String {
        crate::signing::review_payload(
            &self.inspection_id,
            &self.reviewed_heads,
            self.decision.map(Decision::as_str).unwrap_or(""),
            &self.comment,
            &self.reviewer,
            &self.decided_at,
        )
    }

    /// Checks the signature (present and over this review's content).
    pub fn verify(&self) -> Result<()> {
        let sig = self
            .signature
            .as_ref()
            .ok_or_else(|| Error::Invalid(format!("review {} is not signed", self.id)))?;
        crate::signing::verify(sig, &self.payload())
    }
}

/// Where an inspection stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Being recorded.
    Draft,
    /// Submitted and unchanged since, no decision on this submission yet.
    AwaitingReview,
    /// Submitted, then changed: the officer's signature covers an earlier version, so nothing
    /// can be approved until the officer submits again.
    ChangedSinceSubmission,
    /// Sent back to the officer; editing and resubmitting follows.
    Returned,
    /// Approved, and unchanged since: the approval covers what is shown.
    Approved,
    /// Approved, then edited: the approval covers an earlier version.
    ChangedSinceApproval,
}

impl ReviewState {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Draft => "draft",
            ReviewState::AwaitingReview => "awaiting_review",
            ReviewState::ChangedSinceSubmission => "changed_since_submission",
            ReviewState::Returned => "returned",
            ReviewState::Approved => "approved",
            ReviewState::ChangedSinceApproval => "changed_since_approval",
        }
    }

    /// Every state.
    pub const ALL: &'static [ReviewState] = &[
        ReviewState::Draft,
        ReviewState::AwaitingReview,
        ReviewState::ChangedSinceSubmission,
        ReviewState::Returned,
        ReviewState::Approved,
        ReviewState::ChangedSinceApproval,
    ];

    /// Parses a stored state.
    pub fn parse(s: &str) -> Option<ReviewState> {
        Self::ALL.iter().copied().find(|r| r.as_str() == s)
    }
}

/// Whether two sets of heads are the same (heads are a set; order does not matter).
pub fn same_heads(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    a == b
}

/// The review state of `inspection` whose current heads are `heads`, given its reviews.
/// `submitted` is the version the officer's valid signature covers (the heads just after the
/// submission; see `doc::inspection::submitted_version`), None when there is none.
pub fn review_state(
    inspection: &Inspection,
    heads: &[String],
    submitted: Option<&[String]>,
    reviews: &[Review],
) -> ReviewState {
    if inspection.status != Status::Submitted {
        return ReviewState::Draft;
    }
    // The latest decision, when it sends this submission (or a later version) back.
    let submitted_at = inspection.submitted_at.as_deref().unwrap_or("");
    let latest = reviews
        .iter()
        .max_by(|a, b| a.decided_at.cmp(&b.decided_at));
    if let Some(r) = latest
        && r.decision == Some(Decision::Returned)
        && r.decided_at.as_str() >= submitted_at
    {
        return ReviewState::Returned;
    }
    // Decisions on exactly the signed version; the latest counts.
    let on_submitted = submitted.and_then(|v| {
        reviews
            .iter()
            .filter(|r| same_heads(&r.reviewed_heads, v))
            .max_by(|a, b| a.decided_at.cmp(&b.decided_at))
    });
    match on_submitted.and_then(|r| r.decision) {
        Some(Decision::Approved) => {
            return if same_heads(submitted.unwrap_or_default(), heads) {
                ReviewState::Approved
            } else {
                ReviewState::ChangedSinceApproval
            };
        }
        Some(Decision::Returned) => return ReviewState::Returned,
        None => {}
    }
    match submitted {
        Some(v) if same_heads(v, heads) => ReviewState::AwaitingReview,
        _ => ReviewState::ChangedSinceSubmission,
    }
}
