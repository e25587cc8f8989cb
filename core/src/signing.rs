//! Ed25519 signatures that bind a submission or an approval to the exact document heads it
//! covers, so every field and every photo hash of that version is vouched for by a device key.
//! The secret key stays in the device store; only public keys and signatures travel.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A signature with the public key that made it (both hex).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Signed {
    pub public_key: String,
    pub signature: String,
}

/// The columns of a seizure export that carry a case's approval: named here once, written under
/// these names by the server's column table and read by these names by `quayside export verify`.
pub mod exported {
    pub const INSPECTION_ID: &str = "inspection_id";
    pub const FINDING_ID: &str = "finding_id";
    pub const APPROVED_BY: &str = "approved_by";
    pub const APPROVED_AT: &str = "approved_at";
    pub const APPROVAL_COMMENT: &str = "approval_comment";
    /// The approved heads, hex, separated by spaces.
    pub const APPROVED_HEADS: &str = "approved_heads";
    pub const APPROVAL_PUBLIC_KEY: &str = "approval_public_key";
    pub const APPROVAL_SIGNATURE: &str = "approval_signature";
    /// Every one of them: an export lacking any is not one `verify` can check.
    pub const ALL: [&str; 8] = [
        INSPECTION_ID,
        FINDING_ID,
        APPROVED_BY,
        APPROVED_AT,
        APPROVAL_COMMENT,
        APPROVED_HEADS,
        APPROVAL_PUBLIC_KEY,
        APPROVAL_SIGNATURE,
    ];
}

/// What an officer's submission signs: the inspection and the heads submitted.
pub fn submission_payload(
    inspection_id: &str,
    heads: &[String],
    officer: &str,
    at: &str,
) -> String {
    let mut heads = heads.to_vec();
    heads.sort();
    format!(
        "quayside-submission-v1\n{inspection_id}\n{}\n{officer}\n{at}",
        heads.join(",")
    )
}

/// What a supervisor's review signs: the inspection, the heads read, the decision and comment.
pub fn review_payload(
    inspection_id: &str,
    heads: &[String],
    decision: &str,
    comment: &str,
    reviewer: &str,
    at: &str,
) -> String {
    let mut heads = heads.to_vec();
    heads.sort();
    format!(
        "quayside-review-v1\n{inspection_id}\n{}\n{decision}\n{reviewer}\n{at}\n{comment}",
        heads.join(",")
    )
}

/// A new random secret key (32 bytes).
pub fn new_secret() -> [u8; 32] {
    rand::random()
}

/// The public key (hex) of a secret key.
pub fn public_key_of(secret: &[u8; 32]) -> String {
    hex::encode(SigningKey::from_bytes(secret).verifying_key().to_bytes())
}

/// Signs `payload` with the secret key.
pub fn sign(secret: &[u8; 32], payload: &str) -> Signed {
    let key = SigningKey::from_bytes(secret);
    Signed {
        public_key: hex::encode(key.verifying_key().to_bytes()),
        signature: hex::encode(key.sign(payload.as_bytes()).to_bytes()),
    }
}

/// Checks a signature over `payload`; an error says why it does not hold.
pub fn verify(signed: &Signed, payload: &str) -> Result<()> {
    let bad = |why: &str| Error::Invalid(format!("signature does not verify: {why}"));
    let key: [u8; 32] = hex::decode(&signed.public_key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or_else(|| bad("malformed public key"))?;
    let sig: [u8; 64] = hex::decode(&signed.signature)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| bad("malformed signature"))?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| bad("invalid public key"))?;
    key.verify(payload.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| bad("the signed content differs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_detects_any_change() {
        let secret = new_secret();
        let heads = vec!["bb".repeat(32), "aa".repeat(32)];
        let p = review_payload(
            "i1",
            &heads,
            "approved",
            "ok",
            "esi",
            "2026-11-29T10:00:00.000Z",
        );
        let s = sign(&secret, &p);
        assert_eq!(s.public_key, public_key_of(&secret));
        verify(&s, &p).unwrap();
        // Head order does not matter; any other difference does.
        let reordered: Vec<String> = heads.iter().rev().cloned().collect();
        verify(
            &s,
            &review_payload(
                "i1",
                &reordered,
                "approved",
                "ok",
                "esi",
                "2026-11-29T10:00:00.000Z",
            ),
        )
        .unwrap();
        for other in [
            review_payload(
                "i2",
                &heads,
                "approved",
                "ok",
                "esi",
                "2026-11-29T10:00:00.000Z",
            ),
            review_payload(
                "i1",
                &heads[..1],
                "approved",
                "ok",
                "esi",
                "2026-11-29T10:00:00.000Z",
            ),
            review_payload(
                "i1",
                &heads,
                "returned",
                "ok",
                "esi",
                "2026-11-29T10:00:00.000Z",
            ),
        ] {
            assert!(verify(&s, &other).is_err());
        }
        let mut tampered = s.clone();
        tampered.signature.replace_range(
            0..2,
            if &s.signature[0..2] == "00" {
                "01"
            } else {
                "00"
            },
        );
        assert!(verify(&tampered, &p).is_err());
        let other_key = sign(&new_secret(), &p);
        assert!(
            verify(
                &Signed {
                    public_key: other_key.public_key,
                    signature: s.signature
                },
                &p
            )
            .is_err()
        );
    }
}
