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
    /// Submitted, no decision on this submission yet.
    AwaitingReview,
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
            ReviewState::Returned => "returned",
            ReviewState::Approved => "approved",
            ReviewState::ChangedSinceApproval => "changed_since_approval",
        }
    }
}

/// The review state of `inspection` whose current heads are `heads`, given its reviews.
pub fn review_state(inspection: &Inspection, heads: &[String], reviews: &[Review]) -> ReviewState {
    let latest = reviews
        .iter()
        .max_by(|a, b| a.decided_at.cmp(&b.decided_at));
    let submitted_at = inspection.submitted_at.as_deref().unwrap_or("");
    match latest {
        Some(r) if r.decision == Some(Decision::Approved) => {
            let mut a = r.reviewed_heads.clone();
            let mut b = heads.to_vec();
            a.sort();
            b.sort();
            if a == b {
                ReviewState::Approved
            } else {
                ReviewState::ChangedSinceApproval
            }
        }
        Some(r)
            if r.decision == Some(Decision::Returned) && r.decided_at.as_str() >= submitted_at =>
        {
            ReviewState::Returned
        }
        _ if inspection.status == Status::Submitted => ReviewState::AwaitingReview,
        _ => ReviewState::Draft,
    }
}
