//! The list projection: one summary row per inspection (and its substances), rewritten from the
//! document in the same transaction as every change, so lists and searches never load documents.

use rusqlite::{Connection, params};

use crate::doc::{Conflict, Document, inspection, review};
use crate::error::Result;
use crate::model::Inspection;
use crate::model::assess::assess;
use crate::model::review::{Decision, Review, review_state};

/// One state of an inspection, read at once: what a view shows and a review must name.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub inspection: Inspection,
    /// The heads of exactly this version (hex, sorted).
    pub heads: Vec<String>,
    pub conflicts: Vec<Conflict>,
    /// Elements removed from its lists (restorable).
    pub removed: Vec<inspection::Removed>,
    /// The version the officer's valid submission signature covers, if any.
    pub submitted: Option<Vec<String>>,
}

impl Snapshot {
    /// Reads the inspection held in `doc`.
    pub fn of(doc: &mut Document) -> Result<Snapshot> {
        let (inspection, removed) = inspection::read_with_removed(doc)?;
        let submitted = inspection::submitted_version(doc, &inspection);
        Ok(Snapshot {
            heads: crate::doc::format_heads(&doc.heads()),
            conflicts: doc.conflicts(),
            removed,
            submitted,
            inspection,
        })
    }
}

/// Rewrites the projection rows of the inspection held in `doc`; returns what it read.
pub fn project_inspection(conn: &Connection, doc: &mut Document) -> Result<Snapshot> {
    let snap = Snapshot::of(doc)?;
    let ins = &snap.inspection;
    let a = assess(ins);
    let conflicts = snap.conflicts.len();
    // What `list --substance` finds: declared, identified and measured substances.
    let mut substances: Vec<String> = ins
        .findings
        .iter()
        .flat_map(|f| {
            [f.declared_substance.clone(), f.identified_substance.clone()]
                .into_iter()
                .flatten()
                .chain(
                    f.composition
                        .iter()
                        .map(|c| c.component.clone())
                        .filter(|c| crate::reference::substance(c).is_some()),
                )
        })
        .collect();
    substances.sort();
    substances.dedup();
    let heads = &snap.heads;
    let state = review_state(
        ins,
        heads,
        snap.submitted.as_deref(),
        &stored_reviews(conn, &ins.id)?,
    );
    conn.prepare_cached(
        "INSERT INTO inspections(id, station, officer, container_number, status, created_at, updated_at,
             finding_count, photo_count, total_kg, odp_tonnes, co2e_tonnes, flag_count, conflict_count,
             seizure_action, substances, review_state, heads, odp_unknown_kg, gwp_unknown_kg)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20)
         ON CONFLICT(id) DO UPDATE SET station = excluded.station, officer = excluded.officer,
             container_number = excluded.container_number, status = excluded.status,
             updated_at = excluded.updated_at, finding_count = excluded.finding_count,
             photo_count = excluded.photo_count, total_kg = excluded.total_kg,
             odp_tonnes = excluded.odp_tonnes, co2e_tonnes = excluded.co2e_tonnes,
             flag_count = excluded.flag_count, conflict_count = excluded.conflict_count,
             seizure_action = excluded.seizure_action, substances = excluded.substances,
             review_state = excluded.review_state, heads = excluded.heads,
             odp_unknown_kg = excluded.odp_unknown_kg, gwp_unknown_kg = excluded.gwp_unknown_kg",
    )?
    .execute(params![
        ins.id,
        ins.station,
        ins.officer,
        ins.container.number,
        ins.status.as_str(),
        ins.created_at,
        crate::model::edits::now_rfc3339(),
        ins.findings.len() as i64,
        ins.photos.len() as i64,
        a.total.kg,
        a.total.odp_tonnes,
        a.total.co2e_tonnes,
        a.flags.len() as i64,
        conflicts as i64,
        ins.seizure.as_ref().and_then(|s| s.action).map(|a| a.as_str()),
        substances.join("|"),
        state.as_str(),
        serde_json::to_string(heads).expect("heads serialise"),
        a.total.odp_unknown_kg,
        a.total.gwp_unknown_kg,
    ])?;
    conn.prepare_cached("DELETE FROM inspection_substances WHERE inspection_id = ?1")?
        .execute([&ins.id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO inspection_substances(inspection_id, substance) VALUES (?1, ?2)",
    )?;
    for s in &substances {
        insert.execute(params![ins.id, s])?;
    }
    // Photos shown here whose files this device lacks (recorded on a colleague's phone): the next
    // sync downloads them.
    let mut want = conn.prepare_cached(
        "INSERT OR IGNORE INTO wanted_photos(sha256, bytes, mime, inspection_id)
         SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?1)",
    )?;
    for p in &ins.photos {
        want.execute(params![p.sha256, p.bytes as i64, p.mime, ins.id])?;
    }
    Ok(snap)
}

/// The reviews of an inspection whose signatures hold, as the projection holds them
/// (signatures are checked when a review is projected; the state needs only decisions, times
/// and heads).
pub fn stored_reviews(conn: &Connection, inspection_id: &str) -> Result<Vec<Review>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, reviewer, decided_at, decision, comment, reviewed_heads FROM reviews
         WHERE inspection_id = ?1 AND signature_ok ORDER BY decided_at",
    )?;
    let rows = stmt.query_map([inspection_id], |r| {
        let decision: String = r.get(3)?;
        let heads: String = r.get(5)?;
        Ok(Review {
            id: r.get(0)?,
            inspection_id: inspection_id.to_string(),
            reviewer: r.get(1)?,
            decided_at: r.get(2)?,
            decision: Some(if decision == "approved" {
                Decision::Approved
            } else {
                Decision::Returned
            }),
            comment: r.get(4)?,
            reviewed_heads: serde_json::from_str(&heads).unwrap_or_default(),
            ..Default::default()
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records a review and refreshes its inspection's review state (if the inspection is here).
pub fn project_review(conn: &Connection, doc: &mut Document, actor: &[u8]) -> Result<Review> {
    let r = review::read(doc)?;
    let ok = r.verify().is_ok();
    conn.prepare_cached(
        "INSERT INTO reviews(id, inspection_id, reviewer, decided_at, decision, comment, reviewed_heads, signature_ok)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET signature_ok = excluded.signature_ok",
    )?
    .execute(params![
        r.id,
        r.inspection_id,
        r.reviewer,
        r.decided_at,
        r.decision.map(Decision::as_str).unwrap_or(""),
        r.comment,
        serde_json::to_string(&r.reviewed_heads).expect("heads serialise"),
        ok,
    ])?;
    match super::load_document(conn, actor, "inspection", &r.inspection_id) {
        Ok(mut ins) => {
            project_inspection(conn, &mut ins)?;
        }
        Err(crate::error::Error::NotFound { .. }) => {}
        Err(e) => return Err(e),
    }
    Ok(r)
}

/// Projects a stored document of either kind.
pub fn project(conn: &Connection, kind: &str, doc: &mut Document, actor: &[u8]) -> Result<()> {
    match kind {
        "review" => project_review(conn, doc, actor).map(|_| ()),
        _ => project_inspection(conn, doc).map(|_| ()),
    }
}
