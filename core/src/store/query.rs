//! Lists and searches over the projection tables.

use rusqlite::{ToSql, params_from_iter};

use super::Store;
use crate::error::{Error, Result};
use crate::model::review::ReviewState;
use crate::model::{SeizureAction, Status};

/// What to list. Every field narrows the result; the default lists the newest 100.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub status: Option<Status>,
    pub station: Option<String>,
    /// Part of a container number (spaces and case ignored).
    pub container: Option<String>,
    /// A substance by any reference name; matches declared or identified.
    pub substance: Option<String>,
    /// Created on or after this day or time (`2026-11-01` or RFC 3339).
    pub from: Option<String>,
    /// Created before the end of this day, or before this time.
    pub to: Option<String>,
    /// At most this many rows (default 100, at most 10,000).
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    /// Review states to include (`awaiting_review`, `returned`, `approved`,
    /// `changed_since_approval`, `draft`); empty for all.
    pub review_states: Vec<String>,
}

/// One row of a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    pub id: String,
    pub container_number: String,
    pub station: String,
    pub officer: String,
    pub status: Status,
    pub created_at: String,
    pub updated_at: String,
    pub finding_count: u32,
    pub photo_count: u32,
    pub total_kg: f64,
    pub odp_tonnes: f64,
    pub co2e_tonnes: f64,
    /// Kilograms whose ODP (GWP) is not known, left out of the tonnes.
    pub odp_unknown_kg: f64,
    pub gwp_unknown_kg: f64,
    pub flag_count: u32,
    pub conflict_count: u32,
    pub seizure_action: Option<SeizureAction>,
    pub substances: Vec<String>,
    pub review_state: ReviewState,
    /// Changes the server has not confirmed yet.
    pub pending_sync: bool,
}

/// Turns a day (`2026-11-29`) or an RFC 3339 time into an RFC 3339 UTC bound; `end` moves a day
/// to the start of the next one.
fn time_bound(value: &str, end: bool) -> Result<String> {
    if let Ok(day) = chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
        let day = if end {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        return Ok(format!("{day}T00:00:00.000Z"));
    }
    crate::model::edits::parse_time(value).map_err(|_| {
        Error::Invalid(format!(
            "malformed date {value:?}: expected 2026-11-29 or an RFC 3339 time"
        ))
    })
}

impl Store {
    /// Lists inspections matching `filter`, newest first, from the projection only.
    pub fn list_inspections(&self, filter: &Filter) -> Result<Vec<Summary>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(s) = filter.status {
            clauses.push("i.status = ?".to_string());
            args.push(Box::new(s.as_str()));
        }
        if let Some(st) = &filter.station {
            clauses.push("i.station = ?".to_string());
            args.push(Box::new(crate::model::locode::parse_locode(st)?));
        }
        if let Some(c) = &filter.container {
            let needle: String = c
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_uppercase())
                .collect();
            clauses.push("instr(i.container_number, ?) > 0".to_string());
            args.push(Box::new(needle));
        }
        if let Some(name) = &filter.substance {
            let id = crate::model::edits::resolve_substance(name)?;
            clauses.push(
                "i.id IN (SELECT inspection_id FROM inspection_substances WHERE substance = ?)"
                    .to_string(),
            );
            args.push(Box::new(id));
        }
        if let Some(from) = &filter.from {
            clauses.push("i.created_at >= ?".to_string());
            args.push(Box::new(time_bound(from, false)?));
        }
        if let Some(to) = &filter.to {
            clauses.push("i.created_at < ?".to_string());
            args.push(Box::new(time_bound(to, true)?));
        }
        if !filter.review_states.is_empty() {
            let marks = vec!["?"; filter.review_states.len()].join(", ");
            clauses.push(format!("i.review_state IN ({marks})"));
            for s in &filter.review_states {
                args.push(Box::new(s.clone()));
            }
        }
        let limit = filter.limit.unwrap_or(100).min(10_000);
        let sql = format!(
            "SELECT i.id, i.container_number, i.station, i.officer, i.status, i.created_at, i.updated_at,
                    i.finding_count, i.photo_count, i.total_kg, i.odp_tonnes, i.co2e_tonnes,
                    i.flag_count, i.conflict_count, i.seizure_action, i.substances, i.review_state,
                    (s.doc_id IS NULL OR s.shared_heads != i.heads), i.odp_unknown_kg,
                    i.gwp_unknown_kg
             FROM inspections i LEFT JOIN sync_state s ON s.doc_id = i.id {} ORDER BY i.created_at DESC, i.id DESC LIMIT {} OFFSET {}",
            if clauses.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", clauses.join(" AND "))
            },
            limit,
            filter.offset.unwrap_or(0)
        );
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(&sql)?;
        // The words (status, states, substances) are read in place, not copied into a String
        // each: a full list of 10,000 is mostly such copies.
        let text = |r: &rusqlite::Row, i: usize| -> rusqlite::Result<String> {
            Ok(r.get_ref(i)?.as_str().unwrap_or_default().to_string())
        };
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            let word = |i: usize| -> rusqlite::Result<&str> {
                Ok(r.get_ref(i)?.as_str_or_null()?.unwrap_or_default())
            };
            Ok(Summary {
                id: text(r, 0)?,
                container_number: text(r, 1)?,
                station: text(r, 2)?,
                officer: text(r, 3)?,
                status: word(4)?.parse().unwrap_or(Status::Draft),
                created_at: text(r, 5)?,
                updated_at: text(r, 6)?,
                finding_count: r.get(7)?,
                photo_count: r.get(8)?,
                total_kg: r.get(9)?,
                odp_tonnes: r.get(10)?,
                co2e_tonnes: r.get(11)?,
                flag_count: r.get(12)?,
                conflict_count: r.get(13)?,
                seizure_action: word(14)?.parse().ok(),
                substances: word(15)?
                    .split('|')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                review_state: ReviewState::parse(word(16)?).unwrap_or(ReviewState::Draft),
                pending_sync: r.get(17)?,
                odp_unknown_kg: r.get(18)?,
                gwp_unknown_kg: r.get(19)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many inspections the store holds.
    pub fn count_inspections(&self) -> Result<u64> {
        Ok(self
            .reader()
            .query_row("SELECT count(*) FROM inspections", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }
}
