//! The write policy: who may change which documents and fields. The server runs it on every
//! incoming change before storing anything; it depends on the document layer only, so the device
//! can run the same checks.

use crate::doc::{Document, inspect_change, inspection};
use crate::error::{Error, Result, Rule};
use crate::model::review::{Decision, Review};
use crate::model::{Inspection, Status};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Officer,
    Supervisor,
    OzoneAnalyst,
    Admin,
}

impl Role {
    /// The role as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::OzoneAnalyst => "ozone_analyst",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored role.
    pub fn parse(s: &str) -> Result<Role> {
        match s {
            "officer" => Ok(Role::Officer),
            "supervisor" => Ok(Role::Supervisor),
            "ozone_analyst" => Ok(Role::OzoneAnalyst),
            "admin" => Ok(Role::Admin),
            other => Err(Error::Invalid(format!(
                "unknown role {other:?}; expected officer, supervisor, ozone_analyst or admin"
            ))),
        }
    }
}

/// The enrolled device and user a sync request comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user: String,
    pub role: Role,
    /// Stations (UN/LOCODEs) the user belongs to.
    pub stations: Vec<String>,
    /// Countries (ISO 3166 alpha-2) whose data the user may read (analysts).
    pub countries: Vec<String>,
    pub device_id: String,
    /// Hex of the device's automerge actor id.
    pub actor: String,
    /// Hex of the device's Ed25519 public key, registered at enrolment (empty for API tokens).
    pub public_key: String,
}

impl Principal {
    /// Whether changes by `actor` (hex) are this device's: its own actor, or the one automerge
    /// derives from it for an edit made on the version a form was filled from
    /// (`Document::isolate`). Enrolment requires a 16-byte actor, so no device can register
    /// an actor that is another's derived one.
    pub fn owns_actor(&self, actor: &str) -> bool {
        crate::doc::is_own_actor(actor, &self.actor)
    }

    /// Whether this user may read a document of this station.
    pub fn may_read_station(&self, station: &str) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Officer | Role::Supervisor => self.stations.iter().any(|s| s == station),
            Role::OzoneAnalyst => self
                .countries
                .iter()
                .any(|c| c == crate::model::locode::country_of(station)),
        }
    }
}

/// What a device pushes for one document.
pub enum Push<'a> {
    /// Raw changes since the shared heads.
    Changes(&'a [Vec<u8>]),
    /// The whole document (loaded from its compressed save), for a first push.
    Snapshot(Box<Document>),
}

/// Checks a push to one inspection against the current server copy (`existing`, None for a new
/// document) and returns the document as it would be stored. Nothing is stored by this
/// function; on error, nothing may be.
pub fn apply_inspection_push(
    principal: &Principal,
    id: &str,
    existing: Option<&mut Document>,
    push: Push<'_>,
    server_actor: &[u8],
) -> Result<(Document, Inspection)> {
    let (changes, mut base) = match (push, existing) {
        (Push::Snapshot(doc), None) => {
            let mut doc = *doc;
            // A new document in one piece: every change in it must be this device's.
            if let Some(other) = doc
                .change_actors()
                .into_iter()
                .find(|a| !principal.owns_actor(a))
            {
                return Err(Error::Forbidden(format!(
                    "document {id} holds changes by actor {other}, not by this device ({})",
                    principal.actor
                )));
            }
            require_officer(principal)?;
            let after = inspection::read(&doc)?;
            check_inspection(principal, id, None, &after)?;
            check_submission_change(&mut doc, None, &after)?;
            return Ok((doc, after));
        }
        (Push::Snapshot(mut doc), Some(existing)) => {
            let changes = doc.changes_since(&[])?;
            return apply_inspection_push(
                principal,
                id,
                Some(existing),
                Push::Changes(&changes),
                server_actor,
            );
        }
        (Push::Changes(changes), existing) => (changes, existing),
    };
    let before = match base.as_deref_mut() {
        Some(doc) => Some(inspection::read(doc)?),
        None => None,
    };
    // Changes the server lacks must all come from this device.
    let mut new = Vec::new();
    for bytes in changes {
        let info = inspect_change(bytes)?;
        let known = base
            .as_deref_mut()
            .is_some_and(|d| d.has_change(&info.hash));
        if known {
            continue;
        }
        if !principal.owns_actor(&info.actor) {
            return Err(Error::Forbidden(format!(
                "change {} was made by actor {}, not by this device ({})",
                info.hash, info.actor, principal.actor
            )));
        }
        new.push(bytes.clone());
    }
    let mut doc = match base {
        Some(doc) => doc.fork_with_actor(server_actor),
        None => Document::new(server_actor),
    };
    if new.is_empty() {
        let ins = inspection::read(&doc)?;
        return Ok((doc, ins));
    }
    require_officer(principal)?;
    doc.apply_changes(&new)?;
    let after = inspection::read(&doc)?;
    check_inspection(principal, id, before.as_ref(), &after)?;
    check_submission_change(&mut doc, before.as_ref(), &after)?;
    Ok((doc, after))
}

/// A push that submits must not change anything else in the change that submits: the
/// signature covers the heads before that change, so whatever it carried besides the
/// submission would look signed without being so.
fn check_submission_change(
    doc: &mut Document,
    before: Option<&Inspection>,
    after: &Inspection,
) -> Result<()> {
    if after.submission.is_none()
        || before.and_then(|b| b.submission.as_ref()) == after.submission.as_ref()
    {
        return Ok(());
    }
    match inspection::submitted_version(doc, after) {
        Some(version) => inspection::check_submission_only(doc, &version),
        None => Ok(()),
    }
}

fn require_officer(principal: &Principal) -> Result<()> {
    if principal.role == Role::Officer {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "a {} may not write inspections; only officers record them",
            principal.role.as_str()
        )))
    }
}

/// The rules an inspection must still satisfy after a push by `principal`.
fn check_inspection(
    principal: &Principal,
    id: &str,
    before: Option<&Inspection>,
    after: &Inspection,
) -> Result<()> {
    let forbid = |why: String| Err(Error::Forbidden(why));
    if after.id != id {
        return forbid(format!(
            "document {id} claims to be inspection {:?}",
            after.id
        ));
    }
    let own = |station: &str| principal.stations.iter().any(|s| s == station);
    match before {
        Some(b) => {
            if !own(&b.station) {
                return forbid(format!(
                    "inspection {id} belongs to station {}, not one of yours",
                    b.station
                ));
            }
            let fixed = [
                ("officer", &b.officer, &after.officer),
                ("device", &b.device, &after.device),
                ("created_at", &b.created_at, &after.created_at),
            ];
            if let Some((field, _, _)) = fixed.iter().find(|(_, x, y)| x != y) {
                return forbid(format!("{field} of inspection {id} cannot be changed"));
            }
        }
        None => {
            if after.officer != principal.user || after.device != principal.device_id {
                return forbid(format!(
                    "a new inspection must name its officer ({}) and device as enrolled",
                    principal.user
                ));
            }
        }
    }
    if !own(&after.station) {
        return forbid(format!(
            "inspection {id} is for station {}, and {} is not enrolled there",
            after.station, principal.user
        ));
    }
    let resubmitted = after.submission.is_some()
        && before.and_then(|b| b.submission.as_ref()) != after.submission.as_ref();
    if resubmitted || (after.status == Status::Submitted && after.submission.is_none()) {
        let s = after.submission.as_ref().ok_or_else(|| {
            Error::Invalid(format!(
                "inspection {id} is marked submitted without a signed submission"
            ))
        })?;
        if principal.public_key.is_empty() || s.public_key != principal.public_key {
            return forbid(format!(
                "the submission of {id} is not signed with this device's registered key"
            ));
        }
        s.verify(id, &after.officer)?;
    }
    if after.schema != crate::model::INSPECTION_SCHEMA {
        return forbid(format!(
            "inspection schema {} is not supported",
            after.schema
        ));
    }
    Ok(())
}

/// Checks a pushed review. Reviews are written once, by a supervisor of the inspection's
/// station, name inspection heads the server holds, and are signed with the device's registered
/// key; an approval needs the inspection submitted at those heads and every photo it references
/// received and verified for that inspection (`photo_present(inspection, sha256)`). Returns the review document to store.
pub fn apply_review_push(
    principal: &Principal,
    id: &str,
    existing: Option<&mut Document>,
    push: Push<'_>,
    server_actor: &[u8],
    inspection_doc: Option<&mut Document>,
    photo_present: &dyn Fn(&str, &str) -> bool,
) -> Result<(Document, Review)> {
    let forbid = |why: String| Err(Error::Forbidden(why));
    if principal.role != Role::Supervisor {
        return forbid(format!(
            "a {} may not write reviews; only supervisors review inspections",
            principal.role.as_str()
        ));
    }
    let mut doc = match push {
        Push::Snapshot(doc) => *doc,
        Push::Changes(changes) => {
            let mut doc = Document::new(server_actor);
            doc.apply_changes(changes)?;
            doc
        }
    };
    if let Some(existing) = existing {
        // Written once: a push may only repeat what the server has.
        if doc.heads() != existing.heads() {
            return forbid(format!(
                "review {id} has already been recorded and cannot be changed"
            ));
        }
        let review = crate::doc::review::read(existing)?;
        return Ok((existing.fork_with_actor(server_actor), review));
    }
    if let Some(other) = doc
        .change_actors()
        .into_iter()
        .find(|a| !principal.owns_actor(a))
    {
        return forbid(format!(
            "review {id} holds changes by actor {other}, not by this device ({})",
            principal.actor
        ));
    }
    let review = crate::doc::review::read(&doc)?;
    if review.id != id {
        return forbid(format!("document {id} claims to be review {:?}", review.id));
    }
    if review.reviewer != principal.user || review.device != principal.device_id {
        return forbid(format!(
            "review {id} must name its reviewer ({}) and device as enrolled",
            principal.user
        ));
    }
    let sig = review
        .signature
        .as_ref()
        .ok_or_else(|| Error::Invalid(format!("review {id} is not signed")))?;
    if principal.public_key.is_empty() || sig.public_key != principal.public_key {
        return forbid(format!(
            "review {id} is not signed with this device's registered key"
        ));
    }
    review.verify()?;
    let Some(inspection_doc) = inspection_doc else {
        return forbid(format!(
            "review {id} is for inspection {}, which the server does not hold",
            review.inspection_id
        ));
    };
    let heads = crate::doc::parse_heads(&review.reviewed_heads)?;
    if heads.is_empty() || heads.iter().any(|h| !inspection_doc.has_change(h)) {
        return Err(Error::Rule(
            Rule::InspectionNotArrived,
            format!(
                "review {id} names inspection heads the server does not hold; sync the inspection first"
            ),
        ));
    }
    let reviewed = inspection_doc.read_at(&heads, inspection::read)?;
    if !principal.stations.contains(&reviewed.station) {
        return forbid(format!(
            "inspection {} belongs to station {}, which {} does not supervise",
            review.inspection_id, reviewed.station, principal.user
        ));
    }
    if review.decision == Some(Decision::Approved) {
        // Only a version the officer signed can be approved: the reviewed heads must be exactly
        // those just after a submission whose signature holds, and that submission must have
        // changed nothing but itself.
        let mut then = inspection_doc.fork_at(&heads)?;
        let covered = inspection::submitted_version(&mut then, &reviewed)
            .is_some_and(|v| crate::model::review::same_heads(&v, &review.reviewed_heads));
        if reviewed.status != Status::Submitted || !covered {
            return forbid(format!(
                "inspection {} was not submitted and signed by its officer at the version approved; only a submitted version can be approved",
                review.inspection_id
            ));
        }
        inspection::check_submission_only(inspection_doc, &review.reviewed_heads)?;
        if let Some(missing) = reviewed
            .photos
            .iter()
            .find(|p| !photo_present(&review.inspection_id, &p.sha256))
        {
            return Err(Error::Rule(
                Rule::PhotoNotArrived,
                format!(
                    "photo {} of inspection {} has not arrived verified; approve once it has",
                    missing.sha256, review.inspection_id
                ),
            ));
        }
    }
    Ok((doc, review))
}
