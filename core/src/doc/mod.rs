//! The only code that touches automerge: one [`Document`] per record, edits committed with who
//! made them, history from the document's changes, and conflicts from values that survived a
//! merge side by side.
//!
//! Record-specific mapping (domain <-> document) lives in submodules such as [`inspection`].

pub mod edit;
pub mod inspection;
pub mod review;
pub mod storage;

use automerge::{
    AutoCommit, Change, ChangeHash, ObjType, ReadDoc, ScalarValue, Value,
    transaction::CommitOptions,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use edit::Edit;

/// The kinds of document Quayside keeps and syncs. On the wire and in the tables a kind is its
/// name (`inspection`, `review`); code past the boundary matches on this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DocKind {
    /// An officer's record of a container, with findings, photos and a seizure.
    Inspection,
    /// A supervisor's signed decision on one version of an inspection (written once).
    Review,
}

impl DocKind {
    pub const ALL: [DocKind; 2] = [DocKind::Inspection, DocKind::Review];

    /// The kind's name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Inspection => "inspection",
            DocKind::Review => "review",
        }
    }

    /// The kind named `name`, if there is one.
    pub fn parse(name: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for DocKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who makes a change: written into every change's message, read back by history and conflicts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub user: String,
    pub device: String,
}

/// The message stored with every change.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChangeNote {
    user: String,
    device: String,
    summary: String,
}

/// One change in a record's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryEntry {
    /// Hex of the change hash.
    pub hash: String,
    /// Hex of the automerge actor id (one per device store).
    pub actor: String,
    pub user: Option<String>,
    pub device: Option<String>,
    /// RFC 3339 time the change was made (device clock).
    pub at: String,
    pub summary: String,
}

/// One of several values that survived a merge for one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictValue {
    /// The value as a person reads it.
    pub value: String,
    pub user: Option<String>,
    pub device: Option<String>,
    pub at: Option<String>,
}

/// What kind of disagreement a [`Conflict`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Concurrent writes left more than one value for one field.
    Values,
    /// A list element was removed on one device while another edited it or attached something
    /// to it; the element is kept (hidden) with every edit and can be restored in one step.
    RemovedWhileEdited,
}

/// A field with more than one surviving value, or an element removed while edited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// Path of the field or element, e.g. `container.number`, `findings[f-..].net_mass_kg`,
    /// `seizure.items[f-..]`.
    pub path: String,
    pub kind: ConflictKind,
    /// For a removed element: the list's path (`findings`, `photos`, `seizure.items`,
    /// `seizure.custody`) and the element's id.
    pub list: Option<String>,
    pub element_id: Option<String>,
    /// Values: the one shown by default (automerge's deterministic winner) first. A removed
    /// element: each removal (`removed`) first, then each edit no removal saw.
    pub values: Vec<ConflictValue>,
}

/// One side's state of automerge's sync protocol for one document (the resync fallback). Only
/// its persistent part survives `encode`, so either side may restart with what it has.
pub struct SyncState(automerge::sync::State);

impl SyncState {
    /// A fresh state.
    pub fn new() -> Self {
        SyncState(automerge::sync::State::new())
    }

    /// Decodes a state sent back by a peer; anything malformed starts afresh.
    pub fn decode(bytes: &[u8]) -> Self {
        automerge::sync::State::decode(bytes)
            .map(SyncState)
            .unwrap_or_else(|_| SyncState::new())
    }

    /// The persistent part of the state.
    pub fn encode(&self) -> Vec<u8> {
        self.0.encode()
    }
}

impl Default for SyncState {
    fn default() -> Self {
        Self::new()
    }
}

/// An automerge document with the conventions every Quayside record follows.
pub struct Document {
    doc: AutoCommit,
}

/// The value a removal has among a removed-while-edited conflict's values.
pub const REMOVAL: &str = "removed";

/// The bytes automerge puts before an actor id to derive the actor of a change made in
/// isolation on an earlier version (`ActorId::with_concurrency`), followed by the level as LEB128.
const CONCURRENCY_MAGIC: [u8; 4] = [0x13, 0xb2, 0x23, 0x09];

/// Whether changes by `actor` (hex) are `own`'s (hex): its actor, or an actor automerge derived
/// from it for an edit on an earlier version (see [`Document::isolate`]).
pub fn is_own_actor(actor: &str, own: &str) -> bool {
    if actor == own {
        return true;
    }
    let (Ok(a), Ok(o)) = (hex::decode(actor), hex::decode(own)) else {
        return false;
    };
    let Some(rest) = a.strip_prefix(&CONCURRENCY_MAGIC[..]) else {
        return false;
    };
    let Some(level) = rest.strip_suffix(&o[..]) else {
        return false;
    };
    // One to three LEB128 bytes: the last without the continuation bit, the others with it.
    !o.is_empty()
        && (1..=3).contains(&level.len())
        && level[..level.len() - 1].iter().all(|b| b & 0x80 != 0)
        && level[level.len() - 1] & 0x80 == 0
}

/// Parses hex change hashes (as stored and sent on the wire).
pub fn parse_heads(hex_heads: &[String]) -> Result<Vec<ChangeHash>> {
    hex_heads
        .iter()
        .map(|h| {
            h.parse::<ChangeHash>()
                .map_err(|_| Error::Invalid(format!("malformed change hash {h:?}")))
        })
        .collect()
}

/// What a raw change says about itself, read without applying it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeInfo {
    pub hash: ChangeHash,
    /// Hex of the actor that made the change.
    pub actor: String,
    pub deps: Vec<ChangeHash>,
    pub bytes: usize,
}

/// Parses a raw change (checking its hash), without applying it.
pub fn inspect_change(bytes: &[u8]) -> Result<ChangeInfo> {
    let change = Change::from_bytes(bytes.to_vec())
        .map_err(|e| Error::Invalid(format!("malformed change: {e}")))?;
    Ok(ChangeInfo {
        hash: change.hash(),
        actor: change.actor_id().to_hex_string(),
        deps: change.deps().to_vec(),
        bytes: bytes.len(),
    })
}

/// Formats change hashes as hex, sorted (heads are a set).
pub fn format_heads(heads: &[ChangeHash]) -> Vec<String> {
    let mut out: Vec<String> = heads.iter().map(|h| h.to_string()).collect();
    out.sort();
    out
}

impl Document {
    /// An empty document whose changes will carry `actor`.
    pub fn new(actor: &[u8]) -> Self {
        Self {
            doc: AutoCommit::new().with_actor(actor.into()),
        }
    }

    /// Loads a saved document (a full save followed by any incremental saves).
    pub fn load(bytes: &[u8], actor: &[u8]) -> Result<Self> {
        let doc = AutoCommit::load(bytes)
            .map_err(|e| Error::Integrity(format!("document does not load: {e}")))?;
        Ok(Self {
            doc: doc.with_actor(actor.into()),
        })
    }

    /// Runs `f` as one change by `author`, summarised in the history as `summary`. If `f` fails,
    /// nothing of it stays in the document. Returns `f`'s value; a change that writes nothing
    /// is not recorded.
    pub fn change<T>(
        &mut self,
        author: &Author,
        summary: &str,
        f: impl FnOnce(&mut Edit<'_>) -> Result<T>,
    ) -> Result<T> {
        self.change_summarised(author, |e| Ok((f(e)?, summary.to_string())))
    }

    /// Like [`Document::change`], with the summary said by `f` once it knows what it changed.
    pub fn change_summarised<T>(
        &mut self,
        author: &Author,
        f: impl FnOnce(&mut Edit<'_>) -> Result<(T, String)>,
    ) -> Result<T> {
        let result = f(&mut Edit::new(&mut self.doc));
        match result {
            Ok((value, summary)) => {
                let note = ChangeNote {
                    user: author.user.clone(),
                    device: author.device.clone(),
                    summary,
                };
                let message = serde_json::to_string(&note).expect("a note serialises");
                self.doc.commit_with(
                    CommitOptions::default()
                        .with_message(message)
                        .with_time(chrono::Utc::now().timestamp_millis()),
                );
                Ok(value)
            }
            Err(e) => {
                self.doc.rollback();
                Err(e)
            }
        }
    }

    /// The current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// The whole document, compressed.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes made after `heads`, in automerge's incremental save format (appendable to a
    /// full save).
    pub fn save_after(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        self.doc.save_after(heads)
    }

    /// The document as JSON (Text objects as strings).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(automerge::AutoSerde::from(&self.doc)).expect("documents serialise")
    }

    /// Changes this document has that a peer with `heads` lacks, as raw bytes. Every head must
    /// be known here (automerge would otherwise silently return the whole history).
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Result<Vec<Vec<u8>>> {
        if let Some(unknown) = heads
            .iter()
            .find(|h| self.doc.get_change_meta_by_hash(h).is_none())
        {
            return Err(Error::Invalid(format!("unknown head {unknown}")));
        }
        Ok(self
            .doc
            .get_changes(heads)
            .into_iter()
            .map(|mut c| c.bytes().into_owned())
            .collect())
    }

    /// Applies raw changes from a peer. Fails, changing nothing, if a change is malformed or its
    /// dependencies are neither here nor among `changes` (automerge would otherwise queue it
    /// silently).
    pub fn apply_changes(&mut self, changes: &[Vec<u8>]) -> Result<()> {
        let parsed = changes
            .iter()
            .map(|bytes| {
                Change::from_bytes(bytes.clone())
                    .map_err(|e| Error::Invalid(format!("malformed change: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let incoming: std::collections::HashSet<ChangeHash> =
            parsed.iter().map(|c| c.hash()).collect();
        for change in &parsed {
            for dep in change.deps() {
                if !incoming.contains(dep) && self.doc.get_change_meta_by_hash(dep).is_none() {
                    return Err(Error::Invalid(format!(
                        "change {} depends on {dep}, which is missing",
                        change.hash()
                    )));
                }
            }
        }
        self.doc.apply_changes(parsed)?;
        Ok(())
    }

    /// The next automerge sync message to send, if any (encoded).
    pub fn generate_sync_message(&mut self, state: &mut SyncState) -> Option<Vec<u8>> {
        use automerge::sync::SyncDoc;
        self.doc
            .sync()
            .generate_sync_message(&mut state.0)
            .map(|m| m.encode())
    }

    /// Applies an automerge sync message from the peer (changes whose dependencies are still
    /// missing wait in automerge until they arrive).
    pub fn receive_sync_message(&mut self, state: &mut SyncState, message: &[u8]) -> Result<()> {
        use automerge::sync::SyncDoc;
        let message = automerge::sync::Message::decode(message)
            .map_err(|e| Error::Invalid(format!("malformed sync message: {e}")))?;
        self.doc
            .sync()
            .receive_sync_message(&mut state.0, message)?;
        Ok(())
    }

    /// A copy of this document whose own changes would carry `actor`.
    pub fn fork_with_actor(&mut self, actor: &[u8]) -> Document {
        Document {
            doc: self.doc.fork().with_actor(actor.into()),
        }
    }

    /// The actors (hex) of every change in the document.
    pub fn change_actors(&mut self) -> std::collections::BTreeSet<String> {
        self.doc
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| m.actor.to_hex_string())
            .collect()
    }

    /// Makes the following edits on the version `based_on` (the heads a form was filled from),
    /// as if no later change had happened: reads show that version, writes compare with it (so
    /// untouched fields write nothing), and the change made depends only on those heads, so a
    /// field a colleague changed meanwhile and the edit changed too becomes a conflict, like any
    /// concurrent edit. [`Document::integrate`] ends it. Returns false, doing nothing, when
    /// `based_on` is empty or is the current version.
    ///
    /// This is automerge's `isolate`. Automerge numbers an actor's changes in one sequence, so
    /// when this device changed the document after `based_on` the change carries a derived
    /// actor (automerge's concurrency actor: 4 magic bytes, a level, then the device's actor),
    /// which the server's policy accepts as the device's ([`is_own_actor`]).
    pub fn isolate(&mut self, based_on: &[String]) -> Result<bool> {
        if based_on.is_empty() {
            return Ok(false);
        }
        let mut heads = parse_heads(based_on)?;
        if let Some(unknown) = heads.iter().find(|h| !self.has_change(h)) {
            return Err(Error::Invalid(format!(
                "the form was opened on version {unknown}, which this document does not hold"
            )));
        }
        let mut current = self.heads();
        current.sort();
        heads.sort();
        heads.dedup();
        if current == heads {
            return Ok(false);
        }
        self.doc.isolate(&heads);
        Ok(true)
    }

    /// Ends [`Document::isolate`]: reads and edits see the whole document again.
    pub fn integrate(&mut self) {
        self.doc.integrate();
    }

    /// The document as it was at `heads`.
    pub fn fork_at(&mut self, heads: &[ChangeHash]) -> Result<Document> {
        Ok(Document {
            doc: self.doc.fork_at(heads)?,
        })
    }

    /// Runs `f` on the document as it was at `heads` (a read-only view).
    pub fn read_at<T>(
        &mut self,
        heads: &[ChangeHash],
        f: impl FnOnce(&Document) -> Result<T>,
    ) -> Result<T> {
        let past = Document {
            doc: self.doc.fork_at(heads)?,
        };
        f(&past)
    }

    /// A text field of the document root (`kind`, `id`), read without converting the document.
    pub fn root_text(&self, key: &str) -> Option<String> {
        match self.doc.get(automerge::ROOT, key) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Str(v) => Some(v.to_string()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The change that wrote the value at `path` (map keys from the root), when exactly one
    /// value is there.
    pub fn change_writing(&self, path: &[&str]) -> Option<ChangeHash> {
        let (last, parents) = path.split_last()?;
        let mut obj = automerge::ROOT;
        for key in parents {
            match self.doc.get(&obj, *key) {
                Ok(Some((Value::Object(_), child))) => obj = child,
                _ => return None,
            }
        }
        let all = self.doc.get_all(&obj, *last).ok()?;
        match all.as_slice() {
            [(_, opid)] => self.doc.hash_for_opid(opid),
            _ => None,
        }
    }

    /// The changes a change depends on (the heads it was made on).
    pub fn deps_of(&mut self, hash: &ChangeHash) -> Option<Vec<ChangeHash>> {
        self.doc
            .get_change_meta_by_hash(hash)
            .map(|m| m.deps.to_vec())
    }

    /// Whether the change with this hash is in the document.
    pub fn has_change(&mut self, hash: &ChangeHash) -> bool {
        self.doc.get_change_meta_by_hash(hash).is_some()
    }

    /// Every change, oldest first, with who made it.
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        self.doc
            .get_changes_meta(&[])
            .into_iter()
            .map(|meta| {
                let note = meta
                    .message
                    .as_deref()
                    .and_then(|m| serde_json::from_str::<ChangeNote>(m).ok());
                HistoryEntry {
                    hash: meta.hash.to_string(),
                    actor: meta.actor.to_hex_string(),
                    user: note.as_ref().map(|n| n.user.clone()),
                    device: note.as_ref().map(|n| n.device.clone()),
                    at: format_millis(meta.timestamp),
                    summary: note
                        .map(|n| n.summary)
                        .or(meta.message.map(|m| m.into_owned()))
                        .unwrap_or_default(),
                }
            })
            .collect()
    }

    /// Every disagreement that concurrent edits left: fields with more than one surviving
    /// value, and list elements removed on one device while another edited them (or attached
    /// something to them). List elements are named by their `id` field where they have one, so
    /// paths stay meaningful after merges.
    pub fn conflicts(&mut self) -> Vec<Conflict> {
        // One walk gathers value conflicts, removed elements and references; removed elements
        // are judged once every reference to them is known.
        let mut walk = Walk::default();
        self.collect_conflicts(automerge::ROOT, String::new(), &mut walk);
        let mut found = walk.found;
        for removed in walk.removed {
            let unseen = self.unseen_edits(&removed.elem, &removed.label, &walk.refs);
            if unseen.is_empty() {
                continue;
            }
            let mut values: Vec<(String, Option<automerge::ObjId>)> = self
                .doc
                .get_all(&removed.elem, edit::REMOVED)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, id)| (REMOVAL.to_string(), Some(id)))
                .collect();
            values.extend(unseen);
            found.push(RawConflict {
                path: removed.path,
                kind: ConflictKind::RemovedWhileEdited,
                list: Some(removed.list),
                element_id: Some(removed.label),
                values,
            });
        }
        found
            .into_iter()
            .map(|raw| Conflict {
                path: raw.path,
                kind: raw.kind,
                list: raw.list,
                element_id: raw.element_id,
                values: raw
                    .values
                    .into_iter()
                    .map(|(value, opid)| self.who_wrote(value, opid.as_ref()))
                    .collect(),
            })
            .collect()
    }

    fn who_wrote(&mut self, value: String, opid: Option<&automerge::ObjId>) -> ConflictValue {
        let meta = opid
            .and_then(|o| self.doc.hash_for_opid(o))
            .and_then(|h| self.doc.get_change_meta_by_hash(&h));
        let note = meta
            .as_ref()
            .and_then(|m| m.message.as_deref())
            .and_then(|m| serde_json::from_str::<ChangeNote>(m).ok());
        ConflictValue {
            value,
            user: note.as_ref().map(|n| n.user.clone()),
            device: note.map(|n| n.device),
            at: meta.map(|m| format_millis(m.timestamp)),
        }
    }

    fn is_removed(&self, elem: &automerge::ObjId) -> bool {
        self.doc
            .get_all(elem, edit::REMOVED)
            .is_ok_and(|all| !all.is_empty())
    }

    /// A list element's `id`, or its index.
    fn label(&self, elem: &automerge::ObjId, index: usize) -> String {
        match self.doc.get(elem, "id") {
            Ok(Some((Value::Scalar(s), _))) => scalar_text(&s),
            _ => index.to_string(),
        }
    }

    fn collect_conflicts(&self, obj: automerge::ObjId, path: String, walk: &mut Walk) {
        let kind = self.doc.object_type(&obj);
        match kind {
            Ok(ObjType::Map) | Ok(ObjType::Table) => {
                for key in self.doc.keys(&obj).collect::<Vec<_>>() {
                    let child_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    let mut all = self.doc.get_all(&obj, key.as_str()).unwrap_or_default();
                    if all.len() > 1 && key != edit::REMOVED {
                        // The value shown (automerge's winner) first.
                        if let Ok(Some((_, winner))) = self.doc.get(&obj, key.as_str())
                            && let Some(i) = all.iter().position(|(_, id)| *id == winner)
                        {
                            all.swap(0, i);
                        }
                        // Devices that wrote the same value agree: nothing to settle.
                        let values: Vec<(String, Option<automerge::ObjId>)> = all
                            .iter()
                            .map(|(v, id)| (self.display(v, id), Some(id.clone())))
                            .collect();
                        if values.iter().any(|(v, _)| *v != values[0].0) {
                            walk.found.push(RawConflict {
                                path: child_path.clone(),
                                kind: ConflictKind::Values,
                                list: None,
                                element_id: None,
                                values,
                            });
                        }
                    }
                    if let Some((Value::Object(_), child)) = all.into_iter().next() {
                        self.collect_conflicts(child, child_path, walk);
                    }
                }
            }
            Ok(ObjType::List) => {
                for i in 0..self.doc.length(&obj) {
                    let Ok(Some((Value::Object(_), child))) = self.doc.get(&obj, i) else {
                        continue;
                    };
                    let label = self.label(&child, i);
                    let elem_path = format!("{path}[{label}]");
                    if self.is_removed(&child) {
                        // What else is inside a removed element is no longer shown.
                        walk.removed.push(Removed {
                            elem: child,
                            label,
                            list: path.clone(),
                            path: elem_path,
                        });
                        continue;
                    }
                    // Attaching a photo or a seized quantity to a finding is an edit of that
                    // finding, for removals.
                    if let Ok(Some((Value::Scalar(s), opid))) = self.doc.get(&child, "finding_id") {
                        walk.refs.push(Reference {
                            target: scalar_text(&s),
                            holder: child.clone(),
                            opid,
                            what: format!("{label} attached to it"),
                        });
                    }
                    self.collect_conflicts(child, elem_path, walk);
                }
            }
            _ => {}
        }
    }

    /// The edits of a removed element that no removal of it saw: each field written (or
    /// cleared) after, or concurrently with, every removal, and every element that came to refer
    /// to it unseen. Empty when some removal saw the element as it is now.
    fn unseen_edits(
        &self,
        elem: &automerge::ObjId,
        label: &str,
        refs: &[Reference],
    ) -> Vec<(String, Option<automerge::ObjId>)> {
        let removals: Vec<ChangeHash> = self
            .doc
            .get_all(elem, edit::REMOVED)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(_, id)| self.doc.hash_for_opid(&id))
            .collect();
        let mut first = None;
        for removal in removals {
            let at = [removal];
            let mut unseen = Vec::new();
            self.changed_since(elem, &at, "", &mut unseen);
            for r in refs.iter().filter(|r| r.target == label) {
                let seen = self
                    .doc
                    .get_all_at(&r.holder, "finding_id", &at)
                    .is_ok_and(|then| then.iter().any(|(_, id)| *id == r.opid));
                if !seen {
                    unseen.push((r.what.clone(), Some(r.opid.clone())));
                }
            }
            if unseen.is_empty() {
                return unseen;
            }
            first.get_or_insert(unseen);
        }
        first.unwrap_or_default()
    }

    /// Fields of `obj` (and of the maps inside it) whose values differ from those at `at`.
    fn changed_since(
        &self,
        obj: &automerge::ObjId,
        at: &[ChangeHash],
        prefix: &str,
        out: &mut Vec<(String, Option<automerge::ObjId>)>,
    ) {
        let mut keys: std::collections::BTreeSet<String> = self.doc.keys(obj).collect();
        keys.extend(self.doc.keys_at(obj, at));
        for key in keys {
            if prefix.is_empty() && key == edit::REMOVED {
                continue;
            }
            let field = format!("{prefix}{key}");
            let now = self.doc.get_all(obj, key.as_str()).unwrap_or_default();
            let then: Vec<automerge::ObjId> = self
                .doc
                .get_all_at(obj, key.as_str(), at)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, id)| id)
                .collect();
            if now.is_empty() && !then.is_empty() {
                out.push((format!("{field} cleared"), None));
            }
            for (value, id) in now {
                if !then.contains(&id) {
                    out.push((format!("{field} = {}", self.display(&value, &id)), Some(id)));
                } else if let Value::Object(ObjType::Map) = value {
                    self.changed_since(&id, at, &format!("{field}."), out);
                }
            }
        }
    }

    fn display(&self, value: &Value<'_>, id: &automerge::ObjId) -> String {
        match value {
            Value::Scalar(s) => scalar_text(s),
            Value::Object(ObjType::Text) => self.doc.text(id).unwrap_or_default(),
            Value::Object(_) => serde_json::to_string(&self.to_json_at(id)).unwrap_or_default(),
        }
    }

    fn to_json_at(&self, id: &automerge::ObjId) -> serde_json::Value {
        // Objects inside a conflict are rare (two devices created the same map at once); show
        // their keys so the officer can tell them apart.
        let keys: Vec<String> = self.doc.keys(id).collect();
        serde_json::json!({ "keys": keys })
    }
}

/// An element that names another element (see [`Document::conflicts`]).
struct Reference {
    target: String,
    holder: automerge::ObjId,
    opid: automerge::ObjId,
    what: String,
}

/// What one walk of a document gathers for [`Document::conflicts`].
#[derive(Default)]
struct Walk {
    found: Vec<RawConflict>,
    removed: Vec<Removed>,
    refs: Vec<Reference>,
}

/// A removed list element met on the walk.
struct Removed {
    elem: automerge::ObjId,
    label: String,
    list: String,
    path: String,
}

/// A conflict before the authors of its values are looked up.
struct RawConflict {
    path: String,
    kind: ConflictKind,
    list: Option<String>,
    element_id: Option<String>,
    values: Vec<(String, Option<automerge::ObjId>)>,
}

/// A scalar as a person reads it.
fn scalar_text(s: &ScalarValue) -> String {
    match s {
        ScalarValue::Str(s) => s.to_string(),
        ScalarValue::Int(i) => i.to_string(),
        ScalarValue::Uint(u) => u.to_string(),
        ScalarValue::F64(f) => f.to_string(),
        ScalarValue::Boolean(b) => b.to_string(),
        ScalarValue::Null => "(cleared)".to_string(),
        other => other.to_string(),
    }
}

/// Milliseconds since the epoch as RFC 3339.
fn format_millis(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::edit::ROOT;
    use super::*;

    #[test]
    fn a_derived_actor_is_its_devices_and_nothing_else_is() {
        let own = "00112233445566778899aabbccddeeff";
        let derived = |level: &str| format!("13b22309{level}{own}");
        assert!(is_own_actor(own, own));
        assert!(is_own_actor(&derived("01"), own));
        assert!(is_own_actor(&derived("8001"), own), "a two-byte level");
        // Another device's actor, a wrong magic, no level, a malformed level, extra bytes.
        assert!(!is_own_actor("ffeeddccbbaa99887766554433221100", own));
        assert!(!is_own_actor(&format!("13b2230801{own}"), own));
        assert!(!is_own_actor(&format!("13b22309{own}"), own));
        assert!(!is_own_actor(&derived("80"), own));
        assert!(!is_own_actor(&format!("{}00", derived("01")), own));
        assert!(!is_own_actor(&derived("01"), ""));
    }

    #[test]
    fn an_isolated_edit_is_concurrent_with_what_came_after_its_version() {
        let author = Author {
            user: "ama".into(),
            device: "d".into(),
        };
        let actor = [7u8; 16];
        let mut doc = Document::new(&actor);
        doc.change(&author, "create", |e| {
            e.set(&ROOT, "notes", Some("a".into()))
        })
        .unwrap();
        let opened = format_heads(&doc.heads());
        doc.change(&author, "later", |e| {
            e.set(&ROOT, "notes", Some("b".into()))
        })
        .unwrap();
        assert!(doc.isolate(&opened).unwrap());
        assert_eq!(
            doc.root_text("notes").as_deref(),
            Some("a"),
            "reads the old version"
        );
        doc.change(&author, "form", |e| e.set(&ROOT, "notes", Some("c".into())))
            .unwrap();
        doc.integrate();
        assert_eq!(doc.conflicts().len(), 1, "both later values survive");
        let actors = doc.change_actors();
        assert_eq!(actors.len(), 2, "{actors:?}");
        assert!(actors.iter().all(|a| is_own_actor(a, &hex::encode(actor))));
        // The current version, or none, edits in place.
        let now = format_heads(&doc.heads());
        assert!(!doc.isolate(&now).unwrap());
        assert!(!doc.isolate(&[]).unwrap());
        assert!(doc.isolate(&["ab".repeat(32)]).is_err());
    }
}
