//! Inspections in automerge: how each domain field is laid out in the document, written from
//! validated edits and read back into [`Inspection`].

use automerge::ObjId;

use super::edit::{Edit, REMOVED, ROOT, Scalar};
use super::{Author, Document};
use crate::error::{Error, Result};
use crate::model::edits::{CustodyInput, FindingPatch, InspectionPatch, PhotoPatch, SeizurePatch};
use crate::model::{ElementList, INSPECTION_SCHEMA, Inspection, Photo, Status};

/// Who created an inspection, where and when: fixed at creation.
#[derive(Debug, Clone)]
pub struct Header {
    pub id: String,
    pub station: String,
    pub officer: String,
    pub device: String,
    pub created_at: String,
}

/// Creates the inspection document's first change.
pub fn create(
    doc: &mut Document,
    author: &Author,
    header: &Header,
    fields: &InspectionPatch,
) -> Result<()> {
    let summary = format!(
        "created inspection of container {}",
        fields.container_number.as_deref().unwrap_or("?")
    );
    doc.change(author, &summary, |e| {
        e.set(&ROOT, "schema", Some(Scalar::Int(INSPECTION_SCHEMA)))?;
        e.set(&ROOT, "kind", Some("inspection".into()))?;
        e.set(&ROOT, "id", Some(header.id.as_str().into()))?;
        e.set(&ROOT, "station", Some(header.station.as_str().into()))?;
        e.set(&ROOT, "officer", Some(header.officer.as_str().into()))?;
        e.set(&ROOT, "device", Some(header.device.as_str().into()))?;
        e.set(&ROOT, "created_at", Some(header.created_at.as_str().into()))?;
        e.set(&ROOT, "status", Some(Status::Draft.as_str().into()))?;
        // Every nested object exists from the first change. Two devices that each created a
        // missing map offline would create two maps at one key, and one of them (with what was
        // written into it) would lose the merge.
        let container = e.map(&ROOT, "container")?;
        e.list(&container, "seals")?;
        let declaration = e.map(&ROOT, "declaration")?;
        e.list(&declaration, "transit")?;
        e.map(&ROOT, "location")?;
        e.list(&ROOT, "findings")?;
        e.list(&ROOT, "photos")?;
        let seizure = e.map(&ROOT, "seizure")?;
        e.list(&seizure, "modus_operandi")?;
        e.list(&seizure, "items")?;
        e.list(&seizure, "custody")?;
        write_fields(e, fields).map(drop)
    })
}

/// Applies a validated patch of the inspection's own fields. The history names the fields the
/// edit really changed: a form sends all its fields, most of them as they were.
pub fn update(doc: &mut Document, author: &Author, fields: &InspectionPatch) -> Result<()> {
    doc.change_summarised(author, |e| {
        let changed = write_fields(e, fields)?;
        let summary = if changed.is_empty() {
            "edited inspection".to_string()
        } else {
            format!("set {}", changed.join(", "))
        };
        Ok(((), summary))
    })
}

/// Writes the patch's fields; returns the names of those that changed.
fn write_fields(e: &mut Edit<'_>, p: &InspectionPatch) -> Result<Vec<&'static str>> {
    let mut changed = Vec::new();
    let ch = &mut changed;
    if p.container_number.is_some() || p.seals.is_some() || p.size_type.is_some() {
        let c = e.map(&ROOT, "container")?;
        e.noting(ch, "container number", |e| {
            e.set_some(&c, "number", p.container_number.clone())
        })?;
        if let Some(seals) = &p.seals {
            e.noting(ch, "seals", |e| e.set_strings(&c, "seals", seals))?;
        }
        e.noting(ch, "size/type", |e| {
            e.set_text_field(&c, "size_type", p.size_type.as_deref())
        })?;
    }
    e.noting(ch, "station", |e| {
        e.set_some(&ROOT, "station", p.station.clone())
    })?;
    let d = &p.declaration;
    if *d != Default::default() {
        let m = e.map(&ROOT, "declaration")?;
        for (name, key, value) in [
            ("declaration number", "number", &d.number),
            ("bill of lading", "bill_of_lading", &d.bill_of_lading),
            ("declared HS code", "hs_code", &d.hs_code),
            ("declared description", "description", &d.description),
            ("consignor", "consignor", &d.consignor),
            ("consignee", "consignee", &d.consignee),
            ("origin", "origin", &d.origin),
            ("destination", "destination", &d.destination),
        ] {
            e.noting(ch, name, |e| e.set_text_field(&m, key, value.as_deref()))?;
        }
        e.noting(ch, "declared quantity", |e| {
            e.set_some(&m, "quantity_kg", d.quantity_kg)
        })?;
        if let Some(t) = &d.transit {
            e.noting(ch, "transit", |e| e.set_strings(&m, "transit", t))?;
        }
    }
    if let Some(loc) = &p.location {
        let m = e.map(&ROOT, "location")?;
        e.noting(ch, "location", |e| {
            e.set(&m, "lat", Some(loc.lat.into()))?;
            e.set(&m, "lon", Some(loc.lon.into()))?;
            e.set(&m, "accuracy_m", loc.accuracy_m.map(Scalar::F64))
        })?;
    }
    e.noting(ch, "selection reason", |e| {
        e.set_text_field(&ROOT, "selection_reason", p.selection_reason.as_deref())
    })?;
    // Free text is one value, never a character sequence: two officers rewriting the notes
    // offline must end with both versions side by side as a conflict, not interleaved letters.
    e.noting(ch, "notes", |e| {
        e.set_text_field(&ROOT, "notes", p.notes.as_deref())
    })?;
    Ok(changed)
}

/// Adds a validated finding under the new id `finding_id`.
pub fn add_finding(
    doc: &mut Document,
    author: &Author,
    finding_id: &str,
    f: &FindingPatch,
) -> Result<()> {
    let what = f
        .identified_substance
        .as_deref()
        .or(f.declared_substance.as_deref())
        .unwrap_or("unidentified goods");
    let summary = match f.net_mass_kg {
        Some(kg) => format!("added finding {finding_id}: {what}, {kg} kg"),
        None => format!("added finding {finding_id}: {what}"),
    };
    doc.change(author, &summary, |e| {
        let m = e.push_map(&ROOT, "findings")?;
        e.set(&m, "id", Some(finding_id.into()))?;
        e.map(&m, "identifier_reading")?;
        write_finding(e, &m, f)
    })
}

/// Changes fields of the finding `finding_id`.
pub fn update_finding(
    doc: &mut Document,
    author: &Author,
    finding_id: &str,
    f: &FindingPatch,
) -> Result<()> {
    doc.change(author, &format!("edited finding {finding_id}"), |e| {
        let m = e.require_by_id(&ROOT, "findings", "finding", finding_id)?;
        write_finding(e, &m, f)
    })
}

/// Removes the finding `finding_id`; refused while a seizure item or photo refers to it.
pub fn remove_finding(
    doc: &mut Document,
    author: &Author,
    current: &Inspection,
    finding_id: &str,
    at: &str,
) -> Result<()> {
    let referenced = current
        .photos
        .iter()
        .any(|p| p.finding_id.as_deref() == Some(finding_id))
        || current
            .seizure
            .as_ref()
            .is_some_and(|s| s.items.iter().any(|i| i.finding_id == finding_id));
    if referenced {
        return Err(Error::Invalid(format!(
            "finding {finding_id} is referred to by a photo or a seized item; change those first"
        )));
    }
    doc.change(author, &format!("removed finding {finding_id}"), |e| {
        e.remove_by_id(&ROOT, "findings", "finding", finding_id, at)
    })
}

fn write_finding(e: &mut Edit<'_>, m: &ObjId, f: &FindingPatch) -> Result<()> {
    e.set_text_field(m, "declared_substance", f.declared_substance.as_deref())?;
    e.set_text_field(m, "identified_substance", f.identified_substance.as_deref())?;
    e.set_text_field(m, "identified_other", f.identified_other.as_deref())?;
    // A substance from the reference and one outside it are one fact: setting one clears the
    // other.
    let given = |v: &Option<String>| v.as_deref().is_some_and(|x| !x.trim().is_empty());
    if given(&f.identified_substance) {
        e.set(m, "identified_other", None)?;
    }
    if given(&f.identified_other) {
        e.set(m, "identified_substance", None)?;
    }
    if let Some(parts) = &f.composition {
        // One reading, one value: two officers' readings stay side by side as a conflict.
        let text = parts
            .iter()
            .map(|(c, pct)| format!("{c}={pct}"))
            .collect::<Vec<_>>()
            .join("; ");
        e.set_text_field(m, "composition", Some(&text))?;
    }
    e.set_some(m, "content_pct", f.content_pct)?;
    if f.instrument.is_some() || f.reading_result.is_some() || f.purity_pct.is_some() {
        let r = e.map(m, "identifier_reading")?;
        e.set_text_field(&r, "instrument", f.instrument.as_deref())?;
        e.set_text_field(&r, "result", f.reading_result.as_deref())?;
        e.set_some(&r, "purity_pct", f.purity_pct)?;
    }
    e.set_text_field(m, "hs_code_observed", f.hs_code_observed.as_deref())?;
    e.set_some(m, "cylinders", f.cylinders)?;
    e.set_some(m, "cylinder_type", f.cylinder_type.map(|t| t.as_str()))?;
    e.set_some(m, "net_mass_kg", f.net_mass_kg)?;
    e.set_text_field(m, "labels", f.labels.as_deref())?;
    e.set_text_field(m, "concealment", f.concealment.as_deref())?;
    e.set_text_field(m, "notes", f.notes.as_deref())?;
    Ok(())
}

/// Records a photo already stored in the blob store.
pub fn add_photo(doc: &mut Document, author: &Author, photo: &Photo) -> Result<()> {
    let summary = format!(
        "added photo {} ({} bytes)",
        &photo.sha256[..12],
        photo.bytes
    );
    doc.change(author, &summary, |e| {
        if let Some(f) = &photo.finding_id {
            e.require_by_id(&ROOT, "findings", "finding", f)?;
        }
        // Photos are identified by their content: attaching a removed photo again brings it back.
        let m = match e.find_by_id(&ROOT, "photos", &photo.sha256)? {
            Some(m) => {
                e.restore(&m)?;
                m
            }
            None => e.push_map(&ROOT, "photos")?,
        };
        e.set(&m, "id", Some(photo.sha256.as_str().into()))?;
        e.set(&m, "sha256", Some(photo.sha256.as_str().into()))?;
        e.set(&m, "bytes", Some(Scalar::Int(photo.bytes as i64)))?;
        e.set(&m, "mime", Some(photo.mime.as_str().into()))?;
        e.set(&m, "captured_at", Some(photo.captured_at.as_str().into()))?;
        e.set_some(&m, "lat", photo.lat)?;
        e.set_some(&m, "lon", photo.lon)?;
        e.set_text_field(&m, "caption", photo.caption.as_deref())?;
        e.set_some(&m, "finding_id", photo.finding_id.clone())?;
        Ok(())
    })
}

/// Applies a validated seizure patch, creating the seizure record on first use.
pub fn set_seizure(doc: &mut Document, author: &Author, s: &SeizurePatch, at: &str) -> Result<()> {
    let summary = match s.action {
        Some(a) => format!("set seizure ({a})"),
        None => "edited seizure".to_string(),
    };
    doc.change(author, &summary, |e| {
        let m = e.map(&ROOT, "seizure")?;
        e.set_text_field(&m, "case_ref", s.case_ref.as_deref())?;
        e.set_some(&m, "action", s.action.map(|a| a.as_str()))?;
        e.set_text_field(&m, "legal_basis", s.legal_basis.as_deref())?;
        if let Some(mo) = &s.modus_operandi {
            let names: Vec<String> = mo.iter().map(|m| m.as_str().to_string()).collect();
            e.set_strings(&m, "modus_operandi", &names)?;
        }
        e.set_text_field(&m, "storage_location", s.storage_location.as_deref())?;
        if let Some(items) = &s.items {
            // Items are keyed by finding: update in place, add new, remove dropped.
            for item in items {
                let elem = match e.find_by_id(&m, "items", &item.finding_id)? {
                    Some(elem) => {
                        e.restore(&elem)?;
                        elem
                    }
                    None => {
                        let elem = e.push_map(&m, "items")?;
                        e.set(&elem, "id", Some(item.finding_id.as_str().into()))?;
                        elem
                    }
                };
                e.set(&elem, "finding_id", Some(item.finding_id.as_str().into()))?;
                e.set(&elem, "quantity_kg", Some(item.quantity_kg.into()))?;
                e.set(&elem, "cylinders", item.cylinders.map(Scalar::from))?;
            }
            for id in e.live_ids(&m, "items")? {
                if !items.iter().any(|i| i.finding_id == id) {
                    e.remove_by_id(&m, "items", "seized item", &id, at)?;
                }
            }
        }
        Ok(())
    })
}

/// Appends a chain-of-custody entry (validated, with its time) under the new id `entry_id`.
pub fn add_custody(
    doc: &mut Document,
    author: &Author,
    entry_id: &str,
    c: &CustodyInput,
    at: &str,
) -> Result<()> {
    let summary = format!("custody: {} -> {}", c.from.trim(), c.to.trim());
    doc.change(author, &summary, |e| {
        let s = e.map(&ROOT, "seizure")?;
        let m = e.push_map(&s, "custody")?;
        e.set(&m, "id", Some(entry_id.into()))?;
        write_custody(e, &m, c, at)
    })
}

/// Corrects a chain-of-custody entry (the history keeps what it said before).
pub fn correct_custody(
    doc: &mut Document,
    author: &Author,
    entry_id: &str,
    c: &CustodyInput,
    at: &str,
) -> Result<()> {
    doc.change(
        author,
        &format!("corrected custody entry {entry_id}"),
        |e| {
            let s = e.map(&ROOT, "seizure")?;
            let m = e.require_by_id(&s, "custody", "custody entry", entry_id)?;
            write_custody(e, &m, c, at)
        },
    )
}

fn write_custody(e: &mut Edit<'_>, m: &ObjId, c: &CustodyInput, at: &str) -> Result<()> {
    e.set(m, "at", Some(at.into()))?;
    e.set(m, "from", Some(c.from.trim().into()))?;
    e.set(m, "to", Some(c.to.trim().into()))?;
    e.set_text_field(m, "location", c.location.as_deref())?;
    e.set_text_field(m, "note", c.note.as_deref())
}

/// Changes a photo's caption or the finding it shows (`Some("")` unlinks it).
pub fn update_photo(
    doc: &mut Document,
    author: &Author,
    sha256: &str,
    patch: &PhotoPatch,
) -> Result<()> {
    let summary = format!("edited photo {}", &sha256[..sha256.len().min(12)]);
    doc.change(author, &summary, |e| {
        let m = e.require_by_id(&ROOT, "photos", "photo", sha256)?;
        e.set_text_field(&m, "caption", patch.caption.as_deref())?;
        match patch.finding_id.as_deref().map(str::trim) {
            None => {}
            Some("") => e.set(&m, "finding_id", None)?,
            Some(f) => {
                e.require_by_id(&ROOT, "findings", "finding", f)?;
                e.set(&m, "finding_id", Some(f.into()))?;
            }
        }
        Ok(())
    })
}

/// Removes an element of one of the inspection's lists (photos, seized items, custody
/// entries; findings go through [`remove_finding`], which checks references first). Removing an
/// element already removed confirms the removal, settling a removed-while-edited conflict.
pub fn remove_element(
    doc: &mut Document,
    author: &Author,
    list: ElementList,
    id: &str,
    at: &str,
) -> Result<()> {
    doc.change(author, &format!("removed {} {id}", list.noun()), |e| {
        let elem = element(e, list, id)?;
        e.confirm_removed(&elem, at)
    })
}

/// Brings back a removed element with every edit made to it (one step to undo a removal that
/// raced a colleague's edit).
pub fn restore_element(
    doc: &mut Document,
    author: &Author,
    list: ElementList,
    id: &str,
) -> Result<()> {
    doc.change(author, &format!("restored {} {id}", list.noun()), |e| {
        let elem = element(e, list, id)?;
        if !e.is_removed(&elem)? {
            return Err(Error::Invalid(format!(
                "{} {id} has not been removed",
                list.noun()
            )));
        }
        e.restore(&elem)
    })
}

/// The element `id` of `list`, removed or not.
fn element(e: &mut Edit<'_>, list: ElementList, id: &str) -> Result<ObjId> {
    let parent = match list {
        ElementList::Findings | ElementList::Photos => ROOT,
        ElementList::SeizureItems | ElementList::Custody => e.map(&ROOT, "seizure")?,
    };
    e.find_by_id(&parent, list.key(), id)?
        .ok_or_else(|| Error::NotFound {
            kind: list.noun(),
            id: id.to_string(),
        })
}

/// Marks the inspection submitted for review, with the officer's signature over the heads
/// being submitted (everything recorded up to this change).
pub fn submit(doc: &mut Document, author: &Author, at: &str, secret: &[u8; 32]) -> Result<()> {
    let heads = super::format_heads(&doc.heads());
    let id = read(doc)?.id;
    let payload = crate::signing::submission_payload(&id, &heads, &author.user, at);
    let signed = crate::signing::sign(secret, &payload);
    doc.change(author, "submitted for review", |e| {
        e.set(&ROOT, "status", Some(Status::Submitted.as_str().into()))?;
        e.set(&ROOT, "submitted_at", Some(at.into()))?;
        let m = e.map(&ROOT, "submission")?;
        e.set_strings(&m, "heads", &heads)?;
        e.set(&m, "at", Some(at.into()))?;
        e.set(&m, "public_key", Some(signed.public_key.as_str().into()))?;
        e.set(&m, "signature", Some(signed.signature.as_str().into()))
    })
}

/// The version the officer's signature covers: the heads just after the change that wrote the
/// current submission, when its signature holds and that change was made directly on the heads
/// it signs. None for a draft or a submission that does not hold.
pub fn submitted_version(doc: &mut Document, ins: &Inspection) -> Option<Vec<String>> {
    let s = ins.submission.as_ref()?;
    s.verify(&ins.id, &ins.officer).ok()?;
    let change = doc.change_writing(&["submission", "signature"])?;
    let deps = doc.deps_of(&change)?;
    crate::model::review::same_heads(&super::format_heads(&deps), &s.heads)
        .then(|| vec![change.to_string()])
}

/// Checks that the change which submitted `version` changed nothing but the submission
/// itself: what the officer signed (the heads before it) is exactly what is submitted.
pub fn check_submission_only(doc: &mut Document, version: &[String]) -> Result<()> {
    let at = super::parse_heads(version)?;
    let [change] = at.as_slice() else {
        return Err(Error::Invalid("a submitted version is one change".into()));
    };
    let signed = doc
        .deps_of(change)
        .ok_or_else(|| Error::Invalid(format!("unknown change {change}")))?;
    let strip = |mut ins: Inspection| {
        ins.status = Status::Draft;
        ins.submitted_at = None;
        ins.submission = None;
        ins
    };
    let before = strip(doc.read_at(&signed, read)?);
    let after = strip(doc.read_at(&at, read)?);
    if before == after {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "inspection {} was changed by the change that submitted it: a submission may only sign what was recorded",
            after.id
        )))
    }
}

/// An element removed from one of an inspection's lists: hidden from what is read, kept in the
/// document with every edit made to it, and brought back by [`restore_element`].
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub list: ElementList,
    pub id: String,
    /// When it was removed (RFC 3339).
    pub at: String,
}

/// Reads the inspection out of its document. Objects that exist but hold nothing yet (the
/// seizure, the location, an identifier reading) read as absent.
pub fn read(doc: &Document) -> Result<Inspection> {
    read_with_removed(doc).map(|(ins, _)| ins)
}

/// [`read`], and the elements removed from its lists.
pub fn read_with_removed(doc: &Document) -> Result<(Inspection, Vec<Removed>)> {
    let mut json = doc.to_json();
    let removed = take_removed(&mut json);
    prune_empty(&mut json, &["location", "seizure"]);
    if let Some(findings) = json.get_mut("findings").and_then(|f| f.as_array_mut()) {
        for f in findings {
            prune_empty(f, &["identifier_reading"]);
            if let Some(map) = f.as_object_mut()
                && let Some(text) = map.get("composition").and_then(|c| c.as_str())
            {
                let parts = decode_composition(text)?;
                map.insert("composition".into(), serde_json::json!(parts));
            }
        }
    }
    let ins = serde_json::from_value(json)
        .map_err(|e| Error::Integrity(format!("inspection document does not match schema: {e}")))?;
    Ok((ins, removed))
}

/// Reads a measured composition as written into the document (`HCFC-22=60; R-290=38; air=2`).
fn decode_composition(text: &str) -> Result<Vec<crate::model::MeasuredComponent>> {
    text.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (component, pct) = p
                .rsplit_once('=')
                .ok_or_else(|| Error::Integrity(format!("malformed composition entry {p:?}")))?;
            Ok(crate::model::MeasuredComponent {
                component: component.trim().to_string(),
                pct: pct
                    .trim()
                    .parse()
                    .map_err(|_| Error::Integrity(format!("malformed composition share {p:?}")))?,
            })
        })
        .collect()
}

/// Takes removed list elements out of what is read (they count for nothing and show only as
/// conflicts when a removal raced an edit) and returns them, in list order.
fn take_removed(json: &mut serde_json::Value) -> Vec<Removed> {
    let mut removed = Vec::new();
    let mut take = |list: ElementList, items: Option<&mut serde_json::Value>| {
        if let Some(items) = items.and_then(|l| l.as_array_mut()) {
            items.retain(|e| {
                let Some(at) = e.get(REMOVED) else {
                    return true;
                };
                if let Some(id) = e.get("id").and_then(|i| i.as_str()) {
                    removed.push(Removed {
                        list,
                        id: id.to_string(),
                        at: at.as_str().unwrap_or_default().to_string(),
                    });
                }
                false
            });
        }
    };
    take(ElementList::Findings, json.get_mut("findings"));
    take(ElementList::Photos, json.get_mut("photos"));
    if let Some(seizure) = json.get_mut("seizure") {
        take(ElementList::SeizureItems, seizure.get_mut("items"));
        take(ElementList::Custody, seizure.get_mut("custody"));
    }
    removed
}

/// Removes each of `keys` from `obj` when it is a map whose values are all empty lists.
fn prune_empty(obj: &mut serde_json::Value, keys: &[&str]) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    for key in keys {
        let empty = map.get(*key).and_then(|v| v.as_object()).is_some_and(|m| {
            m.values()
                .all(|v| v.as_array().is_some_and(|a| a.is_empty()))
        });
        if empty {
            map.remove(*key);
        }
    }
}
