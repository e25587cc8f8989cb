//! The device <-> server wire protocol, version 1: request and response types shared by the
//! core's sync client and the agency server, encoded as CBOR, with the limits both sides enforce.
//!
//! One `POST /v1/sync` carries a batch of documents both ways: each [`DocPush`] names the server
//! heads the device has merged (`shared_heads`), its own heads, and the changes it made since; each
//! [`DocResult`] answers with the server's heads and the changes the device lacks. Retrying a
//! request is harmless: changes are identified by hash.

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::error::{Error, Result};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;
/// Content type of CBOR bodies.
pub const CBOR: &str = "application/cbor";
/// The largest sync request or response body.
pub const MAX_SYNC_BODY: usize = 32 * 1024 * 1024;
/// The most documents in one sync request.
pub const MAX_DOCS_PER_BATCH: usize = 1000;
/// The largest single change (a document edit is usually a few hundred bytes).
pub const MAX_CHANGE_BYTES: usize = 1024 * 1024;
/// The largest photo upload chunk.
pub const MAX_CHUNK_BYTES: usize = 16 * 1024 * 1024;

/// A batch of documents to synchronise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRequest {
    pub version: u32,
    pub docs: Vec<DocPush>,
}

/// One document in a sync request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocPush {
    pub id: String,
    /// `inspection` (reviews follow).
    pub kind: String,
    /// Server heads this device has merged (hex change hashes); empty for a document it never
    /// synced.
    pub shared_heads: Vec<String>,
    /// The device's heads after its changes.
    pub heads: Vec<String>,
    /// The device's changes since `shared_heads` (raw automerge changes).
    #[serde(deserialize_with = "strict_bytes::list")]
    pub changes: Vec<ByteBuf>,
    /// Instead of `changes`, when `shared_heads` is empty: the whole document in automerge's
    /// compressed save format (several times smaller than its changes one by one).
    #[serde(default, deserialize_with = "strict_bytes::option")]
    pub snapshot: Option<ByteBuf>,
}

/// The answer for a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub version: u32,
    pub docs: Vec<DocResult>,
}

/// What happened to one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored (or already there); `changes` holds what the device lacks.
    Ok,
    /// The server does not know the device's `shared_heads` (or the device's heads after its
    /// changes): send the whole history again (`shared_heads` empty).
    Resync,
    /// Refused: nothing of this document's changes was stored. `code` says why in a word a
    /// device can act on (older servers send none: `other`).
    Rejected {
        reason: String,
        #[serde(default)]
        code: RefusalCode,
    },
}

/// Why a document was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// This device or user may not write it (another device's changes, another station, a role
    /// that may not decide).
    NotAllowed,
    /// It does not load or decode (a damaged change, an unknown document kind).
    Malformed,
    /// It loads but breaks the rules of the data (schema, reference, signatures).
    InvalidContent,
    /// A decision about a version that has changed since.
    Stale,
    /// An approval while a photo of the inspection has not reached the server: it is sent
    /// again with the next sync, after the photo.
    WaitingForPhoto,
    /// A review of a version of the inspection the server does not hold yet: sent again after
    /// the inspection.
    WaitingForInspection,
    /// Anything else (and any code a newer server sends that this device does not know).
    #[default]
    #[serde(other)]
    Other,
}

impl RefusalCode {
    /// The code as stored on the device.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::NotAllowed => "not_allowed",
            RefusalCode::Malformed => "malformed",
            RefusalCode::InvalidContent => "invalid_content",
            RefusalCode::Stale => "stale",
            RefusalCode::WaitingForPhoto => "waiting_for_photo",
            RefusalCode::WaitingForInspection => "waiting_for_inspection",
            RefusalCode::Other => "other",
        }
    }

    /// Parses [`RefusalCode::as_str`]; unknown codes are `Other`.
    pub fn parse(s: &str) -> RefusalCode {
        [
            RefusalCode::NotAllowed,
            RefusalCode::Malformed,
            RefusalCode::InvalidContent,
            RefusalCode::Stale,
            RefusalCode::WaitingForPhoto,
            RefusalCode::WaitingForInspection,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .unwrap_or(RefusalCode::Other)
    }

    /// The code for an error that refused a document.
    pub fn of(e: &crate::error::Error) -> RefusalCode {
        use crate::error::{Error, Rule};
        match e {
            Error::Forbidden(_) | Error::Rule(Rule::NotSupervisor, _) => RefusalCode::NotAllowed,
            Error::Rule(Rule::PhotoNotArrived, _) => RefusalCode::WaitingForPhoto,
            Error::Rule(Rule::InspectionNotArrived, _) => RefusalCode::WaitingForInspection,
            Error::Rule(Rule::ChangedSinceSubmission, _) => RefusalCode::Stale,
            Error::Rule(..) => RefusalCode::InvalidContent,
            Error::Automerge(_) | Error::Integrity(_) => RefusalCode::Malformed,
            Error::Stale(_) => RefusalCode::Stale,
            Error::Invalid(_)
            | Error::Quantity(_)
            | Error::Composition(_)
            | Error::CheckDigit { .. }
            | Error::UnknownSubstance(_)
            | Error::NotFound { .. } => RefusalCode::InvalidContent,
            _ => RefusalCode::Other,
        }
    }
}

/// One document in a sync response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocResult {
    pub id: String,
    pub outcome: Outcome,
    /// The server's heads after this request.
    pub heads: Vec<String>,
    /// Changes the device lacks.
    pub changes: Vec<ByteBuf>,
    /// The feed sequence number of the document's last change (feed entries at or below it
    /// need not be fetched again).
    pub seq: u64,
    /// Instead of `changes`, when the device had nothing of the document: all of it, in
    /// automerge's compressed save format.
    #[serde(default)]
    pub snapshot: Option<ByteBuf>,
}

/// One round of automerge's sync protocol for one document (`POST /v1/resync`): the fallback
/// when the server does not know a device's shared heads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResyncRequest {
    pub version: u32,
    pub id: String,
    pub kind: String,
    /// The device's sync message (none when it has nothing to say but awaits the server's).
    #[serde(default, deserialize_with = "strict_bytes::option")]
    pub message: Option<ByteBuf>,
    /// The server's sync state from the previous round (the server keeps none).
    #[serde(default, deserialize_with = "strict_bytes::option")]
    pub state: Option<ByteBuf>,
}

/// The server's half of a resync round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResyncResponse {
    pub outcome: Outcome,
    /// The server's sync message, if it has anything to say.
    pub message: Option<ByteBuf>,
    /// The server's sync state, to send back next round.
    pub state: ByteBuf,
    /// The server's heads after this round.
    pub heads: Vec<String>,
}

/// Documents changed on the server since a cursor, that the user may read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedResponse {
    pub entries: Vec<FeedEntry>,
    /// Pass as `since` next time.
    pub cursor: u64,
    /// More entries wait beyond this page.
    pub more: bool,
    /// Set once the server was restored from a backup: an id that changes with every restore.
    /// A device seeing a new one offers the server everything it holds again (what it had
    /// confirmed after the backup was taken is not on the restored server).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored: Option<String>,
    /// An administrator revoked this device and ordered it wiped: the feed is empty, and the
    /// device pushes what it holds, confirms (`POST /v1/device/wiped`) and deletes its store.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wipe: bool,
}

/// One changed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedEntry {
    pub id: String,
    pub kind: String,
    pub seq: u64,
}

/// Enrolment of a device with a one-time code (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    /// Hex of the device store's automerge actor id.
    pub actor: String,
    /// The device store's id (a UUID), recorded in every inspection it creates.
    pub device_id: String,
    /// Hex of the device's Ed25519 public key: submissions and reviews it signs are checked
    /// against it.
    #[serde(default)]
    pub public_key: String,
    pub device_name: String,
    /// The user the device store was created for: a code of another user is refused before it
    /// is spent.
    #[serde(default)]
    pub user: Option<String>,
}

/// What an enrolled device learns (JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    /// Bearer token for every later request; revocable.
    pub token: String,
    pub user: String,
    pub role: String,
    pub stations: Vec<String>,
}

/// An error body (JSON): what a person should read, and the id of the request as the server
/// logged it (quote it when reporting a problem).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Byte fields read only from CBOR byte strings. `serde_bytes` alone would also take an array of
/// integers (and an empty byte string where a list of changes belongs), which the protocol
/// does not allow: a body in another shape is refused, not guessed at.
mod strict_bytes {
    use serde::Deserializer;
    use serde::de::{Error, SeqAccess, Visitor};
    use serde_bytes::ByteBuf;
    use std::fmt;

    struct Bytes;

    impl<'de> Visitor<'de> for Bytes {
        type Value = ByteBuf;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a byte string")
        }
        fn visit_bytes<E: Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
            Ok(ByteBuf::from(v))
        }
        fn visit_byte_buf<E: Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
            Ok(ByteBuf::from(v))
        }
    }

    /// One byte string, inside a list.
    struct Item(ByteBuf);

    impl<'de> serde::Deserialize<'de> for Item {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Item, D::Error> {
            d.deserialize_any(Bytes).map(Item)
        }
    }

    struct List;

    impl<'de> Visitor<'de> for List {
        type Value = Vec<ByteBuf>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of byte strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<ByteBuf>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(Item(b)) = seq.next_element()? {
                out.push(b);
            }
            Ok(out)
        }
    }

    struct Optional;

    impl<'de> Visitor<'de> for Optional {
        type Value = Option<ByteBuf>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a byte string or null")
        }
        fn visit_none<E: Error>(self) -> Result<Option<ByteBuf>, E> {
            Ok(None)
        }
        fn visit_unit<E: Error>(self) -> Result<Option<ByteBuf>, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<ByteBuf>, D::Error> {
            d.deserialize_any(Bytes).map(Some)
        }
    }

    pub fn list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ByteBuf>, D::Error> {
        d.deserialize_any(List)
    }

    pub fn option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ByteBuf>, D::Error> {
        d.deserialize_option(Optional)
    }
}

/// Encodes a value as CBOR.
pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("writing CBOR to memory cannot fail");
    out
}

/// Decodes a CBOR body, with a clear error for malformed input.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T> {
    ciborium::from_reader(bytes).map_err(|e| Error::Invalid(format!("malformed CBOR body: {e}")))
}

impl SyncRequest {
    /// Checks the version and the batch size before any work is done (a request that fails
    /// them is refused whole). What is wrong with one document is that document's refusal alone
    /// (see [`DocPush::check`]).
    pub fn validate(&self) -> Result<()> {
        if self.version != PROTOCOL_VERSION {
            return Err(Error::Invalid(format!(
                "protocol version {} is not supported (this server speaks {PROTOCOL_VERSION})",
                self.version
            )));
        }
        if self.docs.len() > MAX_DOCS_PER_BATCH {
            return Err(Error::Invalid(format!(
                "{} documents in one request; at most {MAX_DOCS_PER_BATCH}",
                self.docs.len()
            )));
        }
        Ok(())
    }
}

impl DocPush {
    /// Checks one document's push on its own: `earlier` holds the ids already seen in the batch.
    pub fn check(&self, earlier: &mut std::collections::HashSet<String>) -> Result<()> {
        if !earlier.insert(self.id.clone()) {
            return Err(Error::Invalid(format!(
                "document {} appears twice in this request; it was taken once",
                self.id
            )));
        }
        if self.snapshot.is_some() && (!self.shared_heads.is_empty() || !self.changes.is_empty()) {
            return Err(Error::Invalid(format!(
                "{}: a snapshot replaces changes and is sent only with empty shared heads",
                self.id
            )));
        }
        if let Some(big) = self.changes.iter().find(|c| c.len() > MAX_CHANGE_BYTES) {
            return Err(Error::Invalid(format!(
                "a change of {} bytes in {} exceeds the {MAX_CHANGE_BYTES}-byte limit",
                big.len(),
                self.id
            )));
        }
        Ok(())
    }
}

/// A document (or photo) the server refused, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub id: String,
    /// `inspection`, `review` or `photo`.
    pub kind: String,
    pub code: RefusalCode,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let req = SyncRequest {
            version: PROTOCOL_VERSION,
            docs: vec![DocPush {
                id: "a".into(),
                kind: "inspection".into(),
                shared_heads: vec![],
                heads: vec!["00".repeat(32)],
                changes: vec![ByteBuf::from(vec![1, 2, 3])],
                snapshot: None,
            }],
        };
        let bytes = encode(&req);
        assert_eq!(decode::<SyncRequest>(&bytes).unwrap(), req);
        assert!(decode::<SyncRequest>(b"\xff\x00garbage").is_err());
        assert!(decode::<SyncRequest>(&bytes[..bytes.len() / 2]).is_err());
        // Byte fields in another shape are refused, not guessed at.
        #[derive(Serialize)]
        struct Loose {
            version: u32,
            docs: Vec<serde_json::Value>,
        }
        let ok = encode(&Loose {
            version: 1,
            docs: vec![
                serde_json::json!({"id": "a", "kind": "inspection", "shared_heads": [], "heads": [], "changes": []}),
            ],
        });
        assert!(decode::<SyncRequest>(&ok).is_ok());
        for doc in [
            serde_json::json!({"id": "a", "kind": "inspection", "shared_heads": [], "heads": [], "changes": [[1, 2]]}),
            serde_json::json!({"id": "a", "kind": "inspection", "shared_heads": [], "heads": [], "changes": "text"}),
            serde_json::json!({"id": "a", "kind": "inspection", "shared_heads": [], "heads": [], "changes": [], "snapshot": []}),
            serde_json::json!({"id": "a", "kind": "inspection", "shared_heads": [], "heads": [], "changes": ["text"]}),
        ] {
            let bad = encode(&Loose {
                version: 1,
                docs: vec![doc.clone()],
            });
            assert!(decode::<SyncRequest>(&bad).is_err(), "{doc}");
        }
        let res = SyncResponse {
            version: 1,
            docs: vec![DocResult {
                id: "a".into(),
                outcome: Outcome::Rejected {
                    reason: "no".into(),
                    code: RefusalCode::NotAllowed,
                },
                heads: vec![],
                changes: vec![],
                seq: 0,
                snapshot: None,
            }],
        };
        assert_eq!(decode::<SyncResponse>(&encode(&res)).unwrap(), res);
    }

    proptest::proptest! {
        /// Arbitrary bytes, and valid bodies with bytes flipped or cut, are refused with an
        /// error, never a panic (the fuzz targets in fuzz/ go further).
        #[test]
        fn decoding_never_panics(noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512), cut in 0usize..200, flip in 0usize..200) {
            let _ = decode::<SyncRequest>(&noise);
            let _ = decode::<SyncResponse>(&noise);
            let _ = decode::<FeedResponse>(&noise);
            let _ = crate::doc::inspect_change(&noise);
            let mut body = encode(&SyncRequest {
                version: PROTOCOL_VERSION,
                docs: vec![DocPush {
                    id: "x".into(),
                    kind: "inspection".into(),
                    shared_heads: vec!["ab".repeat(32)],
                    heads: vec![],
                    changes: vec![ByteBuf::from(noise.clone())],
                    snapshot: Some(ByteBuf::from(noise.clone())),
                }],
            });
            if !body.is_empty() {
                let i = flip % body.len();
                body[i] ^= 0x5a;
            }
            body.truncate(body.len().saturating_sub(cut));
            if let Ok(req) = decode::<SyncRequest>(&body) {
                let _ = req.validate();
                for d in &req.docs {
                    let _ = crate::doc::parse_heads(&d.shared_heads);
                    for c in &d.changes {
                        let _ = crate::doc::inspect_change(c);
                    }
                }
            }
        }
    }

    #[test]
    fn limits_are_enforced() {
        let mut req = SyncRequest {
            version: 2,
            docs: vec![],
        };
        assert!(req.validate().is_err());
        req.version = PROTOCOL_VERSION;
        let doc = DocPush {
            id: "a".into(),
            kind: "inspection".into(),
            shared_heads: vec![],
            heads: vec![],
            changes: vec![],
            snapshot: None,
        };
        req.docs = vec![doc.clone(), doc];
        req.validate().unwrap();
        let mut seen = std::collections::HashSet::new();
        req.docs[0].check(&mut seen).unwrap();
        assert!(
            req.docs[1]
                .check(&mut seen)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }
}
