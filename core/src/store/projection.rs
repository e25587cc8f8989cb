//! The list projection: one summary row per inspection (and its substances), rewritten from the
//! document in the same transaction as every change, so lists and searches never load documents.

use rusqlite::{Connection, params};

use crate::doc::{Document, inspection};
use crate::error::Result;
use crate::model::Inspection;
use crate::model::assess::assess;

/// Rewrites the projection rows of the inspection held in `doc`; returns what it read.
pub fn project_inspection(conn: &Connection, doc: &mut Document) -> Result<Inspection> {
    let ins = inspection::read(doc)?;
    let a = assess(&ins);
    let conflicts = doc.conflicts().len();
    let mut substances: Vec<String> = ins
        .findings
        .iter()
        .flat_map(|f| [f.declared_substance.clone(), f.identified_substance.clone()])
        .flatten()
        .collect();
    substances.sort();
    substances.dedup();
    conn.prepare_cached(
        "INSERT INTO inspections(id, station, officer, container_number, status, created_at, updated_at,
             finding_count, photo_count, total_kg, odp_tonnes, co2e_tonnes, flag_count, conflict_count,
             seizure_action, substances)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT(id) DO UPDATE SET station = excluded.station, officer = excluded.officer,
             container_number = excluded.container_number, status = excluded.status,
             updated_at = excluded.updated_at, finding_count = excluded.finding_count,
             photo_count = excluded.photo_count, total_kg = excluded.total_kg,
             odp_tonnes = excluded.odp_tonnes, co2e_tonnes = excluded.co2e_tonnes,
             flag_count = excluded.flag_count, conflict_count = excluded.conflict_count,
             seizure_action = excluded.seizure_action, substances = excluded.substances",
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
    ])?;
    conn.prepare_cached("DELETE FROM inspection_substances WHERE inspection_id = ?1")?
        .execute([&ins.id])?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO inspection_substances(inspection_id, substance) VALUES (?1, ?2)",
    )?;
    for s in &substances {
        insert.execute(params![ins.id, s])?;
    }
    Ok(ins)
}
