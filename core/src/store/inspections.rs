//! Inspection operations on the store: validate, load the document, apply the edit, append it
//! and rewrite the projection, all in one SQLite transaction that commits before returning.

use std::path::Path;

use rusqlite::TransactionBehavior;

use super::{Store, append_document, insert_document, load_document, projection};
use crate::blobs::sniff_image_mime;
use crate::doc::{self, Author, Conflict, Document, HistoryEntry, inspection};
use crate::error::{Error, Result, Rule};
use crate::model::edits::{
    CustodyInput, FindingPatch, InspectionPatch, NewInspection, PhotoPatch, SeizurePatch,
    now_rfc3339,
};
use crate::model::review::{Decision, Review, ReviewState};
use crate::model::{ElementList, Inspection, Photo, Status, check_position};

/// Metadata of a photo being attached.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhotoInput {
    /// MIME type; sniffed from the content when absent.
    pub mime: Option<String>,
    /// RFC 3339; now when absent.
    pub captured_at: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub caption: Option<String>,
    pub finding_id: Option<String>,
}

const KIND: &str = "inspection";

pub use super::projection::Snapshot;

impl Store {
    /// Starts a new inspection at this device's station (or the one given).
    pub fn create_inspection(&self, new: NewInspection) -> Result<Inspection> {
        let mut fields = new.validate()?;
        let device = self.device();
        let header = inspection::Header {
            id: uuid::Uuid::now_v7().to_string(),
            station: fields
                .station
                .take()
                .unwrap_or_else(|| device.station.clone()),
            officer: device.user.clone(),
            device: device.device_id.clone(),
            created_at: now_rfc3339(),
        };
        let mut document = Document::new(&device.actor);
        inspection::create(&mut document, &device.author(), &header, &fields)?;
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_document(&tx, KIND, &header.id, &mut document)?;
        let snap = projection::project_inspection(&tx, &mut document)?;
        tx.commit()?;
        let ins = snap.inspection.clone();
        self.remember(snap);
        Ok(ins)
    }

    /// Runs one edit of inspection `id` durably: `f` gets the document, this device's author and
    /// the inspection as it stands. Returns `f`'s value and the inspection after the edit.
    pub fn edit_inspection<T>(
        &self,
        id: &str,
        f: impl FnOnce(&mut Document, &Author, &Inspection) -> Result<T>,
    ) -> Result<(T, Inspection)> {
        self.edit_inspection_in(id, &[], |_, d, a, i| f(d, a, i))
    }

    /// Like [`Store::edit_inspection`], made on the version `based_on` (the heads a form was
    /// opened at; empty for the current version): `f` sees the inspection as it was then, so
    /// only what the person changed in the form is written, and what colleagues changed
    /// meanwhile stays (see [`Document::isolate`]).
    pub fn edit_inspection_based_on<T>(
        &self,
        id: &str,
        based_on: &[String],
        f: impl FnOnce(&mut Document, &Author, &Inspection) -> Result<T>,
    ) -> Result<(T, Inspection)> {
        self.edit_inspection_in(id, based_on, |_, d, a, i| f(d, a, i))
    }

    /// Like [`Store::edit_inspection_based_on`], with the transaction, for edits that also
    /// write rows of their own (the photo index) that must commit or roll back with the
    /// document.
    fn edit_inspection_in<T>(
        &self,
        id: &str,
        based_on: &[String],
        f: impl FnOnce(&rusqlite::Transaction<'_>, &mut Document, &Author, &Inspection) -> Result<T>,
    ) -> Result<(T, Inspection)> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let author = self.device().author();
        let (value, after, snap) = self.write_document(tx, KIND, id, |tx, document| {
            let before = document.heads();
            let isolated = document.isolate(based_on)?;
            let value =
                inspection::read(document).and_then(|current| f(tx, document, &author, &current));
            if isolated {
                document.integrate();
            }
            let value = value?;
            if append_document(tx, id, document, &before)? {
                let snap = projection::project_inspection(tx, document)?;
                Ok((value, snap.inspection.clone(), Some(snap)))
            } else {
                Ok((value, inspection::read(document)?, None))
            }
        })?;
        // The view that follows an edit reads this instead of the document again.
        if let Some(snap) = snap {
            self.remember(snap);
        }
        Ok((value, after))
    }

    /// Changes the inspection's own fields.
    pub fn update_inspection(&self, id: &str, patch: InspectionPatch) -> Result<Inspection> {
        self.update_inspection_based_on(id, &[], patch)
    }

    /// Changes the inspection's own fields as edited in a form opened at `based_on`.
    pub fn update_inspection_based_on(
        &self,
        id: &str,
        based_on: &[String],
        patch: InspectionPatch,
    ) -> Result<Inspection> {
        let patch = patch.validate()?;
        Ok(self
            .edit_inspection_based_on(id, based_on, |d, a, _| inspection::update(d, a, &patch))?
            .1)
    }

    /// Adds a finding; returns its new id and the inspection.
    pub fn add_finding(&self, id: &str, finding: FindingPatch) -> Result<(String, Inspection)> {
        let finding = finding.validate()?;
        let finding_id = format!("f-{}", uuid::Uuid::now_v7().simple());
        self.edit_inspection(id, |d, a, _| {
            inspection::add_finding(d, a, &finding_id, &finding)?;
            Ok(finding_id.clone())
        })
    }

    /// Changes fields of a finding.
    pub fn update_finding(
        &self,
        id: &str,
        finding_id: &str,
        patch: FindingPatch,
    ) -> Result<Inspection> {
        self.update_finding_based_on(id, &[], finding_id, patch)
    }

    /// Changes fields of a finding as edited in a form opened at `based_on`.
    pub fn update_finding_based_on(
        &self,
        id: &str,
        based_on: &[String],
        finding_id: &str,
        patch: FindingPatch,
    ) -> Result<Inspection> {
        let patch = patch.validate()?;
        Ok(self
            .edit_inspection_based_on(id, based_on, |d, a, _| {
                inspection::update_finding(d, a, finding_id, &patch)
            })?
            .1)
    }

    /// Removes a finding that nothing refers to.
    pub fn remove_finding(&self, id: &str, finding_id: &str) -> Result<Inspection> {
        Ok(self
            .edit_inspection(id, |d, a, current| {
                inspection::remove_finding(d, a, current, finding_id, &now_rfc3339())
            })?
            .1)
    }

    /// Removes an element of one of the inspection's lists. The element stays in the document
    /// (hidden): a removal that raced a colleague's edit shows as a conflict. Removing an element
    /// that is already removed confirms the removal and settles such a conflict.
    pub fn remove_element(
        &self,
        id: &str,
        list: ElementList,
        element_id: &str,
    ) -> Result<Inspection> {
        Ok(self
            .edit_inspection(id, |d, a, current| {
                let live_finding =
                    list == ElementList::Findings && current.finding(element_id).is_some();
                if live_finding {
                    inspection::remove_finding(d, a, current, element_id, &now_rfc3339())
                } else {
                    inspection::remove_element(d, a, list, element_id, &now_rfc3339())
                }
            })?
            .1)
    }

    /// Brings back a removed element with every edit made to it.
    pub fn restore_element(
        &self,
        id: &str,
        list: ElementList,
        element_id: &str,
    ) -> Result<Inspection> {
        Ok(self
            .edit_inspection(id, |d, a, _| {
                inspection::restore_element(d, a, list, element_id)
            })?
            .1)
    }

    /// Changes a photo's caption or the finding it shows.
    pub fn update_photo(
        &self,
        id: &str,
        based_on: &[String],
        sha256: &str,
        patch: PhotoPatch,
    ) -> Result<Inspection> {
        Ok(self
            .edit_inspection_based_on(id, based_on, |d, a, _| {
                inspection::update_photo(d, a, sha256, &patch)
            })?
            .1)
    }

    /// Attaches a photo given as bytes.
    pub fn add_photo_bytes(
        &self,
        id: &str,
        bytes: &[u8],
        input: PhotoInput,
    ) -> Result<(Photo, Inspection)> {
        let mime = photo_mime(input.mime.as_deref(), bytes, "the photo")?;
        self.check_photo_input(id, &input)?;
        let blob = self.blobs().put_bytes(bytes)?;
        self.record_photo(id, blob, mime, input)
    }

    /// Attaches a photo from a file (copied into the store).
    pub fn add_photo_file(
        &self,
        id: &str,
        path: &Path,
        input: PhotoInput,
    ) -> Result<(Photo, Inspection)> {
        let mut head = [0u8; 32];
        let n = {
            use std::io::Read;
            let mut f = std::fs::File::open(path).map_err(Error::io(path))?;
            f.read(&mut head).map_err(Error::io(path))?
        };
        let mime = photo_mime(
            input.mime.as_deref(),
            &head[..n],
            &path.display().to_string(),
        )?;
        self.check_photo_input(id, &input)?;
        let blob = self.blobs().put_file(path)?;
        self.record_photo(id, blob, mime, input)
    }

    /// Everything about a photo that can be refused is checked before its file is written, so a
    /// refused photo leaves nothing behind.
    fn check_photo_input(&self, id: &str, input: &PhotoInput) -> Result<()> {
        let current = self.inspection(id)?;
        if let Some(f) = &input.finding_id
            && current.finding(f).is_none()
        {
            return Err(Error::NotFound {
                kind: "finding",
                id: f.clone(),
            });
        }
        match (input.lat, input.lon) {
            (Some(lat), Some(lon)) => check_position(lat, lon)?,
            (None, None) => {}
            _ => {
                return Err(Error::Invalid(
                    "a photo position needs both lat and lon".into(),
                ));
            }
        }
        if let Some(t) = &input.captured_at {
            crate::model::edits::parse_time(t)?;
        }
        Ok(())
    }

    fn record_photo(
        &self,
        id: &str,
        blob: crate::blobs::StoredBlob,
        mime: String,
        input: PhotoInput,
    ) -> Result<(Photo, Inspection)> {
        let photo = Photo {
            sha256: blob.sha256.clone(),
            bytes: blob.bytes,
            mime,
            captured_at: match &input.captured_at {
                Some(t) => crate::model::edits::parse_time(t)?,
                None => now_rfc3339(),
            },
            lat: input.lat,
            lon: input.lon,
            caption: input.caption.as_deref().and_then(crate::model::clean_text),
            finding_id: input.finding_id.clone(),
        };
        let (_, ins) = self.edit_inspection_in(id, &[], |tx, d, a, current| {
            if current.photos.iter().any(|p| p.sha256 == photo.sha256) {
                return Err(Error::Invalid(format!(
                    "this photo ({}) is already attached to the inspection",
                    &photo.sha256[..12]
                )));
            }
            inspection::add_photo(d, a, &photo)?;
            tx.execute(
                "INSERT INTO blobs(sha256, bytes, mime, added_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(sha256) DO NOTHING",
                rusqlite::params![photo.sha256, photo.bytes as i64, photo.mime, now_rfc3339()],
            )?;
            Ok(())
        })?;
        Ok((photo, ins))
    }

    /// Reads a photo's bytes, verified against its hash. Only photos recorded in an inspection
    /// are served (a file left by an interrupted attach is not evidence).
    pub fn read_photo(&self, sha256: &str) -> Result<Vec<u8>> {
        let recorded: bool = self.reader().query_row(
            "SELECT EXISTS(SELECT 1 FROM blobs WHERE sha256 = ?1)",
            [sha256],
            |r| r.get(0),
        )?;
        if !recorded {
            return Err(Error::NotFound {
                kind: "photo",
                id: sha256.to_string(),
            });
        }
        self.blobs().read_verified(sha256)
    }

    /// Changes the seizure record.
    pub fn set_seizure(&self, id: &str, patch: SeizurePatch) -> Result<Inspection> {
        self.set_seizure_based_on(id, &[], patch)
    }

    /// Changes the seizure record as edited in a form opened at `based_on`.
    pub fn set_seizure_based_on(
        &self,
        id: &str,
        based_on: &[String],
        patch: SeizurePatch,
    ) -> Result<Inspection> {
        Ok(self
            .edit_inspection_based_on(id, based_on, |d, a, current| {
                let ids: Vec<&str> = current.findings.iter().map(|f| f.id.as_str()).collect();
                let patch = patch.clone().validate(&ids)?;
                inspection::set_seizure(d, a, &patch, &now_rfc3339())
            })?
            .1)
    }

    /// Appends a chain-of-custody entry; returns its new id and the inspection.
    pub fn add_custody(&self, id: &str, entry: CustodyInput) -> Result<(String, Inspection)> {
        let at = entry.validate()?;
        let entry_id = format!("c-{}", uuid::Uuid::now_v7().simple());
        self.edit_inspection(id, |d, a, _| {
            inspection::add_custody(d, a, &entry_id, &entry, &at)?;
            Ok(entry_id.clone())
        })
    }

    /// Corrects a chain-of-custody entry (its earlier content stays in the history).
    pub fn correct_custody(
        &self,
        id: &str,
        based_on: &[String],
        entry_id: &str,
        entry: CustodyInput,
    ) -> Result<Inspection> {
        let at = entry.validate()?;
        Ok(self
            .edit_inspection_based_on(id, based_on, |d, a, _| {
                inspection::correct_custody(d, a, entry_id, &entry, &at)
            })?
            .1)
    }

    /// Submits the inspection for review, signing exactly the version recorded now. A returned
    /// inspection, or one changed since it was submitted or approved, is submitted again.
    pub fn submit(&self, id: &str) -> Result<Inspection> {
        Ok(self
            .edit_inspection(id, |d, a, current| {
                if current.status == Status::Submitted {
                    let state = ReviewState::parse(&self.review_state(id)?);
                    match state {
                        Some(ReviewState::AwaitingReview) => {
                            return Err(Error::Rule(
                                Rule::AlreadySubmitted,
                                format!("inspection {id} is already submitted and unchanged since"),
                            ));
                        }
                        Some(ReviewState::Approved) => {
                            return Err(Error::Rule(
                                Rule::ApprovedAsItStands,
                                format!(
                                    "inspection {id} is approved as it stands; nothing to submit"
                                ),
                            ));
                        }
                        _ => {}
                    }
                }
                inspection::submit(d, a, &now_rfc3339(), self.secret())
            })?
            .1)
    }

    /// The inspection as it stands.
    pub fn inspection(&self, id: &str) -> Result<Inspection> {
        self.read_document(KIND, id, |d| inspection::read(d))
    }

    /// The inspection as it stands, with the heads of exactly that version, its conflicts and
    /// whether a valid submission covers it; all read from one state of the document.
    pub fn inspection_snapshot(&self, id: &str) -> Result<Snapshot> {
        let stored = super::stored_heads(&*self.reader(), KIND, id)?;
        if let Some(snap) = self.remembered(id, &stored) {
            return Ok(snap);
        }
        self.read_document(KIND, id, Snapshot::of)
    }

    /// Records a supervisor's decision on exactly the version they were shown (`shown_heads`,
    /// from the view they read) as a new signed review document. Refused, writing nothing, when
    /// the inspection has changed since it was shown, and (for an approval) unless the
    /// officer's submission signature covers that version.
    pub fn review(
        &self,
        inspection_id: &str,
        shown_heads: &[String],
        decision: Decision,
        comment: &str,
    ) -> Result<Review> {
        let role = self.role()?;
        if role.as_deref() != Some("supervisor") {
            return Err(Error::Rule(
                Rule::NotSupervisor,
                format!(
                    "only supervisors review inspections; this device is enrolled as {}",
                    role.as_deref().unwrap_or("nobody yet")
                ),
            ));
        }
        let snap = self.inspection_snapshot(inspection_id)?;
        let ins = &snap.inspection;
        if ins.status != Status::Submitted {
            return Err(Error::Rule(
                Rule::NotSubmitted,
                format!("inspection {inspection_id} has not been submitted for review"),
            ));
        }
        if !crate::model::review::same_heads(shown_heads, &snap.heads) {
            return Err(Error::Stale(format!(
                "inspection {inspection_id} has changed since it was shown; open it again and review what it says now"
            )));
        }
        if decision == Decision::Approved
            && !snap
                .submitted
                .as_deref()
                .is_some_and(|v| crate::model::review::same_heads(v, &snap.heads))
        {
            return Err(Error::Rule(
                Rule::ChangedSinceSubmission,
                format!(
                    "inspection {inspection_id} has changed since the officer submitted it; only a version the officer signed can be approved (return it, or wait for the officer to submit again)"
                ),
            ));
        }
        if decision == Decision::Returned && comment.trim().is_empty() {
            return Err(Error::Rule(
                Rule::CommentNeeded,
                "returning an inspection needs a comment for the officer".into(),
            ));
        }
        let heads = snap.heads.clone();
        let device = self.device();
        let mut review = Review {
            schema: crate::model::review::REVIEW_SCHEMA,
            id: uuid::Uuid::now_v7().to_string(),
            inspection_id: inspection_id.to_string(),
            reviewer: device.user.clone(),
            device: device.device_id.clone(),
            decided_at: now_rfc3339(),
            decision: Some(decision),
            comment: comment.trim().to_string(),
            reviewed_heads: heads,
            signature: None,
        };
        review.signature = Some(crate::signing::sign(self.secret(), &review.payload()));
        let mut doc = Document::new(&device.actor);
        crate::doc::review::create(&mut doc, &device.author(), &review)?;
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // The inspection may have moved on between the check above and this transaction.
        let stored: Vec<String> =
            serde_json::from_str(&super::stored_heads(&tx, KIND, inspection_id)?)
                .unwrap_or_default();
        if !crate::model::review::same_heads(&stored, &review.reviewed_heads) {
            return Err(Error::Stale(format!(
                "inspection {inspection_id} has changed since it was shown; open it again and review what it says now"
            )));
        }
        insert_document(&tx, "review", &review.id, &mut doc)?;
        projection::project_review(&tx, &mut doc, &device.actor)?;
        tx.commit()?;
        Ok(review)
    }

    /// The reviews of an inspection, oldest first, each with whether its signature holds.
    pub fn reviews(&self, inspection_id: &str) -> Result<Vec<(Review, bool)>> {
        let ids: Vec<String> = self
            .reader()
            .prepare_cached("SELECT id FROM reviews WHERE inspection_id = ?1 ORDER BY decided_at")?
            .query_map([inspection_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.iter()
            .map(|id| {
                self.read_document("review", id, |d| {
                    let r = crate::doc::review::read(d)?;
                    let ok = r.verify().is_ok();
                    Ok((r, ok))
                })
            })
            .collect()
    }

    /// The inspection's review state as projected.
    pub fn review_state(&self, inspection_id: &str) -> Result<String> {
        use rusqlite::OptionalExtension;
        self.reader()
            .query_row(
                "SELECT review_state FROM inspections WHERE id = ?1",
                [inspection_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                kind: KIND,
                id: inspection_id.to_string(),
            })
    }

    /// Every change of the inspection, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<HistoryEntry>> {
        self.read_document(KIND, id, |d| Ok(d.history()))
    }

    /// Fields of the inspection with more than one surviving value.
    pub fn conflicts(&self, id: &str) -> Result<Vec<Conflict>> {
        self.read_document(KIND, id, |d| Ok(d.conflicts()))
    }

    /// Applies changes made elsewhere (another device, the server) to a stored inspection, or
    /// stores it if new. Used by sync and by tests that merge stores.
    pub fn merge_inspection_changes(&self, id: &str, changes: &[Vec<u8>]) -> Result<Inspection> {
        self.merge_inspections(&[(id.to_string(), changes.to_vec())])?;
        self.inspection(id)
    }

    /// Applies changes to many inspections in one transaction: all of them are stored, or (on
    /// the first refused document) none.
    pub fn merge_inspections(&self, batch: &[(String, Vec<Vec<u8>>)]) -> Result<()> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, changes) in batch {
            merge_one(&tx, &self.device().actor, KIND, id, changes)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Changes of inspection `id` after `heads` (hex), as raw automerge changes.
    pub fn inspection_changes_since(&self, id: &str, heads: &[String]) -> Result<Vec<Vec<u8>>> {
        let heads = doc::parse_heads(heads)?;
        self.read_document(KIND, id, |d| d.changes_since(&heads))
    }
}

/// The MIME type to record: the one given (any `type/subtype`, so a scanned document can be
/// attached too), else sniffed from the content, which must then be an image.
fn photo_mime(given: Option<&str>, head: &[u8], what: &str) -> Result<String> {
    match given.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) if m.contains('/') => Ok(m.to_ascii_lowercase()),
        Some(m) => Err(Error::Invalid(format!("malformed MIME type {m:?}"))),
        None => sniff_image_mime(head).map(str::to_string).ok_or_else(|| {
            Error::Invalid(format!(
                "{what} is not a recognised image (JPEG, PNG, HEIC, WebP); give its MIME type to attach it anyway"
            ))
        }),
    }
}

/// Applies changes from elsewhere to a stored document of `kind`, or stores it if new.
pub(crate) fn merge_one(
    tx: &rusqlite::Connection,
    actor: &[u8],
    kind: &str,
    id: &str,
    changes: &[Vec<u8>],
) -> Result<()> {
    match load_document(tx, actor, super::kind_name(kind), id) {
        Ok(mut document) => {
            let before = document.heads();
            document.apply_changes(changes)?;
            if append_document(tx, id, &mut document, &before)? {
                projection::project(tx, kind, &mut document, actor)?;
            }
            Ok(())
        }
        Err(Error::NotFound { .. }) => {
            let mut document = Document::new(actor);
            document.apply_changes(changes)?;
            store_new(tx, actor, kind, id, None, &mut document)
        }
        Err(e) => Err(e),
    }
}

/// Merges a whole document received in automerge's save format: stored as it came when new
/// (after it loaded and proved to be the document named), merged change by change otherwise.
pub(crate) fn merge_snapshot(
    tx: &rusqlite::Connection,
    actor: &[u8],
    kind: &str,
    id: &str,
    bytes: &[u8],
) -> Result<()> {
    let mut incoming = Document::load(bytes, actor)?;
    if super::stored_heads(tx, super::kind_name(kind), id).is_ok() {
        let changes = incoming.changes_since(&[])?;
        return merge_one(tx, actor, kind, id, &changes);
    }
    store_new(tx, actor, kind, id, Some(bytes), &mut incoming)
}

/// Stores a document received whole, after checking it is the one named.
fn store_new(
    tx: &rusqlite::Connection,
    actor: &[u8],
    kind: &str,
    id: &str,
    bytes: Option<&[u8]>,
    doc: &mut Document,
) -> Result<()> {
    let declared = doc.root_text("kind");
    let named = doc.root_text("id");
    if declared.as_deref() != Some(kind) || named.as_deref() != Some(id) {
        return Err(Error::Invalid(format!(
            "changes for {kind} {id} describe {} {:?}",
            declared.unwrap_or_default(),
            named.unwrap_or_default()
        )));
    }
    match bytes {
        Some(b) => super::insert_document_bytes(tx, kind, id, b, doc)?,
        None => insert_document(tx, kind, id, doc)?,
    }
    projection::project(tx, kind, doc, actor)
}
