//! Reviews in automerge: one small document per decision, written once by the supervisor's
//! device and never edited.

use super::edit::{ROOT, Scalar};
use super::{Author, Document};
use crate::error::{Error, Result};
use crate::model::review::{REVIEW_SCHEMA, Review};

/// Writes a new review document's only change.
pub fn create(doc: &mut Document, author: &Author, review: &Review) -> Result<()> {
    let decision = review
        .decision
        .ok_or_else(|| Error::Invalid("a review needs a decision".into()))?;
    let summary = format!("{} inspection {}", decision.as_str(), review.inspection_id);
    doc.change(author, &summary, |e| {
        e.set(&ROOT, "schema", Some(Scalar::Int(REVIEW_SCHEMA)))?;
        e.set(&ROOT, "kind", Some("review".into()))?;
        e.set(&ROOT, "id", Some(review.id.as_str().into()))?;
        e.set(
            &ROOT,
            "inspection_id",
            Some(review.inspection_id.as_str().into()),
        )?;
        e.set(&ROOT, "reviewer", Some(review.reviewer.as_str().into()))?;
        e.set(&ROOT, "device", Some(review.device.as_str().into()))?;
        e.set(&ROOT, "decided_at", Some(review.decided_at.as_str().into()))?;
        e.set(&ROOT, "decision", Some(decision.as_str().into()))?;
        e.set(&ROOT, "comment", Some(review.comment.as_str().into()))?;
        e.set_strings(&ROOT, "reviewed_heads", &review.reviewed_heads)?;
        if let Some(sig) = &review.signature {
            let m = e.map(&ROOT, "signature")?;
            e.set(&m, "public_key", Some(sig.public_key.as_str().into()))?;
            e.set(&m, "signature", Some(sig.signature.as_str().into()))?;
        }
        Ok(())
    })
}

/// Reads a review out of its document.
pub fn read(doc: &Document) -> Result<Review> {
    serde_json::from_value(doc.to_json())
        .map_err(|e| Error::Integrity(format!("review document does not match schema: {e}")))
}
