//! Seizure data for national ozone units: the `seizure_rows` projection (one row per seized item,
//! rewritten whenever an inspection or one of its reviews is stored), who may read which rows,
//! filtered queries, aggregates by substance, month or port, and the JSON, CSV and XLSX renderings.
//!
//! Quantities are valued from the reference data when the row is written: ODP-tonnes = tonnes x
//! ODP, CO2-eq tonnes = tonnes x GWP, each row naming the source of its GWP (and ODP). A seized
//! item whose substance is unknown keeps a row as `unidentified` with zero ODP and GWP, so
//! kilogram totals stay honest. Each row also carries its whole case's totals.
//!
//! Access: an ozone analyst reads the seizures of their own country (approved ones unless asked
//! otherwise), a supervisor those of their stations, an administrator everything; officers read
//! none of it.

use std::fmt::Write as _;

use quayside_core::doc::{Document, inspection};
use quayside_core::model::Inspection;
use quayside_core::model::assess::{Basis, FindingFigures, Part, Quantity, assess};
use quayside_core::model::locode;
use quayside_core::reference;
use quayside_core::store::load_document;
use quayside_core::sync::policy::{Principal, Role};
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde::{Deserialize, Serialize};

use crate::error::{ServerError, ServerResult};

/// Every review state an inspection (and so each of its rows) can be in.
pub fn review_states() -> impl Iterator<Item = &'static str> {
    quayside_core::model::review::ReviewState::ALL
        .iter()
        .map(|s| s.as_str())
}

pub use quayside_core::model::assess::UNIDENTIFIED;

/// The `meta` key migration 004 sets when documents exist whose rows must be built.
const REBUILD_KEY: &str = "reproject_seizures";

// ---------------------------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------------------------

/// Rewrites the seizure rows and parts of inspection `id` from `ins`. Call it in the same
/// transaction that stores the inspection or one of its reviews; `review_state` is one of
/// [`review_states`]. `as_approved`: `ins` is the version an approval covers, projected for a
/// case changed since (its rows keep the approved figures and say so).
pub fn reproject_inspection(
    conn: &Connection,
    id: &str,
    ins: &Inspection,
    review_state: &str,
    as_approved: bool,
) -> ServerResult<()> {
    if quayside_core::model::review::ReviewState::parse(review_state).is_none() {
        return Err(ServerError::Internal(format!(
            "unknown review state {review_state:?} for inspection {id}"
        )));
    }
    conn.prepare_cached("DELETE FROM seizure_rows WHERE inspection_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM seizure_parts WHERE inspection_id = ?1")?
        .execute([id])?;
    let Some(seizure) = &ins.seizure else {
        return Ok(());
    };
    // Items are keyed by finding; should two name the same finding, they are one seized lot.
    let mut items: Vec<(&str, f64, Option<u32>)> = Vec::new();
    for item in &seizure.items {
        let kg = if item.quantity_kg.is_finite() && item.quantity_kg > 0.0 {
            item.quantity_kg
        } else {
            0.0
        };
        match items.iter_mut().find(|(f, _, _)| *f == item.finding_id) {
            Some(lot) => {
                lot.1 += kg;
                lot.2 = match (lot.2, item.cylinders) {
                    (Some(a), Some(b)) => Some(a.saturating_add(b)),
                    (a, b) => a.or(b),
                };
            }
            None => items.push((&item.finding_id, kg, item.cylinders)),
        }
    }
    if items.is_empty() {
        return Ok(());
    }

    let figures = assess(ins).findings;
    let none_found = FindingFigures {
        finding_id: String::new(),
        substance: None,
        basis: Basis::NotRecorded,
        odp: None,
        gwp: None,
        gwp_source: None,
        parts: vec![Part {
            substance: UNIDENTIFIED.into(),
            annex_group: None,
            fraction: 1.0,
            odp: None,
            gwp: None,
        }],
        quantity: None,
    };
    let valued: Vec<(&str, f64, Option<u32>, &FindingFigures, Quantity)> = items
        .iter()
        .map(|&(finding_id, kg, cylinders)| {
            let figure = figures
                .iter()
                .find(|f| f.finding_id == finding_id)
                .unwrap_or(&none_found);
            (
                finding_id,
                kg,
                cylinders,
                figure,
                Quantity::of_parts(kg, &figure.parts),
            )
        })
        .collect();
    let mut case = Quantity::default();
    for (.., q) in &valued {
        case.add(q);
    }

    let country: String = conn
        .prepare_cached("SELECT country FROM stations WHERE locode = ?1")?
        .query_row([&ins.station], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| locode::country_of(&ins.station).to_ascii_uppercase());
    let day = recorded_day(&ins.created_at);
    let month = day.get(..7).unwrap_or("").to_string();
    let year = day.get(..4).unwrap_or("").to_string();
    let modus: Vec<&str> = seizure.modus_operandi.iter().map(|m| m.as_str()).collect();
    let d = &ins.declaration;
    let mut insert = conn.prepare_cached(
        "INSERT INTO seizure_rows(inspection_id, finding_id, station, country, container, case_ref,
             action, modus_operandi, legal_basis, recorded_at, day, month, year, origin,
             destination, transit, consignor, consignee, declared_hs, observed_hs, substance,
             basis, declared_substance, annex_group, cylinder_type, cylinders, quantity_kg,
             tonnes, odp, gwp, odp_tonnes, co2e_tonnes, odp_unknown_kg, gwp_unknown_kg,
             odp_source, gwp_source, case_items, case_kg, case_odp_tonnes, case_co2e_tonnes,
             case_odp_unknown_kg, case_gwp_unknown_kg, review_state, as_approved)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35,
             ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44)",
    )?;
    let mut part_insert = conn.prepare_cached(
        "INSERT INTO seizure_parts(inspection_id, finding_id, part, substance, item_substance,
             annex_group, station, country, origin, day, month, year, action, review_state, kg,
             tonnes, odp_tonnes, co2e_tonnes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    for (finding_id, kg, cylinders, figure, q) in &valued {
        let finding = ins.finding(finding_id);
        let substance = figure
            .substance
            .clone()
            .unwrap_or_else(|| UNIDENTIFIED.to_string());
        let groups: Vec<&str> = {
            let mut g: Vec<&str> = Vec::new();
            for p in &figure.parts {
                if let Some(a) = p.annex_group.as_deref()
                    && !g.contains(&a)
                {
                    g.push(a);
                }
            }
            g
        };
        let known = reference::substance(&substance);
        let (odp_source, gwp_source) = match (figure.basis, known) {
            (Basis::Identified | Basis::Declared, Some(s)) => {
                (s.odp_source.clone(), s.gwp_source.clone())
            }
            (Basis::Measured, _) => (
                "the measured composition, mass-weighted over the components' ODPs (Montreal Protocol annexes)".to_string(),
                "the measured composition, mass-weighted over the components' GWPs".to_string(),
            ),
            _ => (
                "substance not identified: ODP unknown (laboratory analysis)".to_string(),
                "substance not identified: GWP unknown (laboratory analysis)".to_string(),
            ),
        };
        insert.execute(params![
            id,
            finding_id,
            ins.station,
            country,
            ins.container.number,
            seizure.case_ref,
            seizure.action.map(|a| a.as_str()),
            modus.join("|"),
            seizure.legal_basis,
            ins.created_at,
            day,
            month,
            year,
            d.origin,
            d.destination,
            d.transit.join("|"),
            d.consignor,
            d.consignee,
            d.hs_code,
            finding.and_then(|f| f.hs_code_observed.clone()),
            substance,
            basis_name(figure.basis),
            finding.and_then(|f| f.declared_substance.clone()),
            (!groups.is_empty()).then(|| groups.join(", ")),
            finding.and_then(|f| f.cylinder_type).map(|c| c.as_str()),
            cylinders,
            kg,
            q.tonnes,
            figure.odp,
            figure.gwp,
            q.odp_tonnes,
            q.co2e_tonnes,
            q.odp_unknown_kg,
            q.gwp_unknown_kg,
            odp_source,
            gwp_source,
            valued.len() as i64,
            case.kg,
            case.odp_tonnes,
            case.co2e_tonnes,
            case.odp_unknown_kg,
            case.gwp_unknown_kg,
            review_state,
            as_approved,
        ])?;
        for (n, part) in figure.parts.iter().enumerate() {
            let part_kg = kg * part.fraction;
            let tonnes = part_kg / 1000.0;
            part_insert.execute(params![
                id,
                finding_id,
                n as i64,
                part.substance,
                substance,
                part.annex_group,
                ins.station,
                country,
                d.origin,
                day,
                month,
                year,
                seizure.action.map(|a| a.as_str()),
                review_state,
                part_kg,
                tonnes,
                part.odp.map(|o| tonnes * o),
                part.gwp.map(|g| tonnes * g),
            ])?;
        }
    }
    Ok(())
}

/// How a basis is stored and shown.
fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::Measured => "measured",
        Basis::Identified => "identified",
        Basis::Declared => "declared",
        Basis::NotIdentified => "not_identified",
        Basis::NotRecorded => "not_recorded",
    }
}

/// The calendar day an inspection was recorded, as the device's clock wrote it (`YYYY-MM-DD`;
/// empty if the timestamp is unreadable).
fn recorded_day(created_at: &str) -> String {
    created_at
        .get(..10)
        .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
        .unwrap_or("")
        .to_string()
}

/// Fills the seizure projection from the stored inspections if a migration asked for it (a
/// server that held documents before the tables changed); a no-op otherwise. Call once at
/// start-up, after the migrations, inside a write transaction. `project` projects one
/// inspection (given the connection, its id, its document and its content). An inspection that cannot be
/// read is logged and skipped (the document itself stays as it is). Returns how many were
/// projected.
pub fn rebuild_if_needed(
    conn: &Connection,
    actor: &[u8],
    mut project: impl FnMut(&Connection, &str, &mut Document, &Inspection) -> ServerResult<()>,
) -> ServerResult<usize> {
    let pending: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM meta WHERE key = ?1)",
        [REBUILD_KEY],
        |r| r.get(0),
    )?;
    if !pending {
        return Ok(0);
    }
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM doc_index WHERE kind = 'inspection' ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut done = 0;
    for id in ids {
        let loaded = load_document(conn, actor, "inspection", &id)
            .and_then(|doc| inspection::read(&doc).map(|ins| (doc, ins)));
        let (mut doc, ins) = match loaded {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(inspection = %id, error = %e, "cannot read inspection: no seizure rows for it");
                continue;
            }
        };
        project(conn, &id, &mut doc, &ins)?;
        done += 1;
    }
    conn.execute("DELETE FROM meta WHERE key = ?1", [REBUILD_KEY])?;
    Ok(done)
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/// What an analyst asks for (`GET /v1/seizures?...`). Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeizureQuery {
    /// First day, `YYYY-MM-DD`, inclusive (the day the inspection was recorded).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`, inclusive.
    pub to: Option<String>,
    /// Station or port UN/LOCODE; several separated by commas.
    pub station: Option<String>,
    /// The same as `station`.
    pub port: Option<String>,
    /// A substance by any name the reference knows ("R-22", "HCFC-22", "Freon 22"), or
    /// `unidentified`.
    pub substance: Option<String>,
    /// Review state(s), comma-separated; default `approved`; `all` for every state.
    pub state: Option<String>,
    /// ISO 3166 alpha-2; default the analyst's own. Other countries: administrators only.
    pub country: Option<String>,
    /// What was done with the goods (`seized`, `detained`, ...); default any.
    pub action: Option<String>,
}

/// How the HTTP layer wants the answer: not part of the filter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Presentation {
    pub format: Format,
    pub group: Group,
}

/// Everything the seizure routes accept, so a mistyped parameter is refused, not ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireQuery {
    from: Option<String>,
    to: Option<String>,
    station: Option<String>,
    port: Option<String>,
    substance: Option<String>,
    state: Option<String>,
    country: Option<String>,
    action: Option<String>,
    format: Option<String>,
    group: Option<String>,
}

/// Holds the query string to exactly what the API description states (OpenAPI at
/// `/v1/openapi.yaml`): a parameter given empty is a mistake, not "no filter", and values are
/// written as the description spells them. The command line and the apps normalise what people
/// type before they ask.
fn check_wire(w: &WireQuery) -> ServerResult<()> {
    let bad = |name: &str, why: String| Err(ServerError::BadRequest(format!("{name}: {why}")));
    let params = [
        ("from", &w.from),
        ("to", &w.to),
        ("station", &w.station),
        ("port", &w.port),
        ("substance", &w.substance),
        ("state", &w.state),
        ("country", &w.country),
        ("action", &w.action),
        ("format", &w.format),
        ("group", &w.group),
    ];
    for (name, value) in params {
        if value.as_deref() == Some("") {
            return bad(name, "empty; leave the parameter out for no filter".into());
        }
    }
    for (name, day) in [("from", &w.from), ("to", &w.to)] {
        if let Some(d) = day {
            let shaped = d.len() == 10
                && d.char_indices().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        c == '-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            if !shaped || chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
                return bad(name, format!("{d:?} is not a date YYYY-MM-DD"));
            }
        }
    }
    for (name, list) in [("station", &w.station), ("port", &w.port)] {
        for code in list.iter().flat_map(|l| l.split(',')) {
            let ok = code.len() == 5
                && code[..2].chars().all(|c| c.is_ascii_uppercase())
                && code[2..]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || ('2'..='9').contains(&c));
            if !ok {
                return bad(
                    name,
                    format!("{code:?} is not a UN/LOCODE such as GHTEM (comma-separate several)"),
                );
            }
        }
    }
    if let Some(list) = &w.state
        && list != "all"
        && list.split(',').any(|x| x == "all")
    {
        return bad("state", "all stands alone, not in a list".into());
    }
    for state in w.state.iter().flat_map(|l| l.split(',')) {
        if state != "all" && quayside_core::model::review::ReviewState::parse(state).is_none() {
            return bad(
                "state",
                format!(
                    "{state:?} is not all or one of {}",
                    review_states().collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    if let Some(name) = &w.substance
        && name != UNIDENTIFIED
        && !reference::substances().iter().any(|x| x.id == *name)
    {
        let hint = reference::substance(name)
            .map(|x| format!("; did you mean {:?}?", x.id))
            .unwrap_or_default();
        return bad(
            "substance",
            format!(
                "{name:?} is not a reference id (such as HCFC-22 or R-404A) or unidentified{hint}"
            ),
        );
    }
    if let Some(c) = &w.country
        && locode::ISO_3166_ALPHA_2.binary_search(&c.as_str()).is_err()
    {
        return bad(
            "country",
            format!("{c:?} is not an ISO 3166-1 alpha-2 code such as GH"),
        );
    }
    if let Some(a) = &w.action
        && !quayside_core::model::SeizureAction::ALL
            .iter()
            .any(|x| x.as_str() == a)
    {
        return bad(
            "action",
            format!("{a:?} is not one of detained, seized, re-exported, destroyed, released"),
        );
    }
    if let Some(f) = &w.format
        && !["json", "csv", "xlsx"].contains(&f.as_str())
    {
        return bad("format", format!("{f:?} is not json, csv or xlsx"));
    }
    if let Some(g) = &w.group
        && !Group::ALL.iter().any(|(n, _)| n == g)
    {
        return bad(
            "group",
            format!(
                "{g:?} is not one of {}",
                Group::ALL.map(|(n, _)| n).join(", ")
            ),
        );
    }
    Ok(())
}

/// Parses the query string of a seizure route (unknown parameters are a 400).
pub fn parse_query(query: Option<&str>) -> ServerResult<(SeizureQuery, Presentation)> {
    let uri: axum::http::Uri = format!("/?{}", query.unwrap_or(""))
        .parse()
        .map_err(|_| ServerError::BadRequest("malformed query string".into()))?;
    let axum::extract::Query(w) = axum::extract::Query::<WireQuery>::try_from_uri(&uri)
        .map_err(|e| ServerError::BadRequest(format!("{}; accepted parameters: from, to, station (or port), substance, state, country, action, format, group", e.body_text())))?;
    check_wire(&w)?;
    let presentation = Presentation {
        format: w
            .format
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or_default(),
        group: w
            .group
            .as_deref()
            .map(str::parse)
            .transpose()?
            .unwrap_or_default(),
    };
    Ok((
        SeizureQuery {
            from: w.from,
            to: w.to,
            station: w.station,
            port: w.port,
            substance: w.substance,
            state: w.state,
            country: w.country,
            action: w.action,
        },
        presentation,
    ))
}

/// Output format of `GET /v1/seizures`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Json,
    Csv,
    Xlsx,
}

impl std::str::FromStr for Format {
    type Err = ServerError;
    fn from_str(s: &str) -> ServerResult<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            other => Err(ServerError::BadRequest(format!(
                "unknown format {other:?}; expected json, csv or xlsx"
            ))),
        }
    }
}

impl Format {
    /// The media type of the rendering.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// What aggregates are grouped by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// The substance each item is made of (a blend counts as its components).
    #[default]
    Substance,
    /// Montreal Protocol annex and group (A/I, C/I, F/I, ...; `not controlled`; `not known` for
    /// goods whose substance is not identified).
    AnnexGroup,
    /// Country of origin declared.
    Origin,
    Port,
    Month,
    Year,
    /// Per year, annex group and substance: the shape of a report of illegal trade to the Ozone
    /// Secretariat and of a cross-check of Article 7 data.
    Annual,
}

impl Group {
    /// Every group, as the API spells it.
    pub const ALL: [(&'static str, Group); 7] = [
        ("substance", Group::Substance),
        ("annex_group", Group::AnnexGroup),
        ("origin", Group::Origin),
        ("port", Group::Port),
        ("month", Group::Month),
        ("year", Group::Year),
        ("annual", Group::Annual),
    ];

    /// As the API spells it.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, g)| *g == self)
            .map(|(n, _)| *n)
            .unwrap_or("substance")
    }
}

impl std::str::FromStr for Group {
    type Err = ServerError;
    fn from_str(s: &str) -> ServerResult<Group> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        if wanted.is_empty() {
            return Ok(Group::Substance);
        }
        Self::ALL
            .iter()
            .find(|(n, _)| *n == wanted)
            .map(|(_, g)| *g)
            .ok_or_else(|| {
                ServerError::BadRequest(format!(
                    "unknown group {s:?}; expected {}",
                    Self::ALL.map(|(n, _)| n).join(", ")
                ))
            })
    }
}

/// The filter actually applied, after defaults and access rules (echoed in every answer).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Filter {
    pub from: Option<String>,
    pub to: Option<String>,
    /// Countries the rows are limited to; empty = every country (administrators).
    pub countries: Vec<String>,
    /// Stations the rows are limited to; empty = every station of those countries.
    pub stations: Vec<String>,
    /// Reference id of the substance, or `unidentified`.
    pub substance: Option<String>,
    /// Review states; empty = every state.
    pub states: Vec<String>,
    pub action: Option<String>,
}

impl Filter {
    /// One line naming the filter, for titles.
    pub fn describe(&self) -> String {
        let list = |v: &[String], all: &str| {
            if v.is_empty() {
                all.to_string()
            } else {
                v.join(", ")
            }
        };
        let states = if self.states.is_empty() {
            "all review states".to_string()
        } else {
            self.states
                .iter()
                .map(|s| s.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let period = match (&self.from, &self.to) {
            (Some(f), Some(t)) => format!("{f} to {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("up to {t}"),
            (None, None) => "all dates".into(),
        };
        let mut out = format!(
            "{} · {} · {} · {} · {}",
            list(&self.countries, "all countries"),
            list(&self.stations, "all ports"),
            period,
            self.substance.as_deref().unwrap_or("all substances"),
            states,
        );
        if let Some(a) = &self.action {
            let _ = write!(out, " · action {a}");
        }
        out
    }

    /// A file name stem such as `quayside-seizures-GH-2026-01-01_2026-03-31`.
    pub fn file_stem(&self) -> String {
        let mut stem = String::from("quayside-seizures");
        for part in self.countries.iter().chain(&self.stations) {
            stem.push('-');
            stem.push_str(part);
        }
        if let Some(s) = &self.substance {
            stem.push('-');
            stem.push_str(s);
        }
        match (&self.from, &self.to) {
            (None, None) => {}
            (f, t) => {
                let _ = write!(
                    stem,
                    "-{}_{}",
                    f.as_deref().unwrap_or("start"),
                    t.as_deref().unwrap_or("end")
                );
            }
        }
        stem.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }
}

fn parse_day(what: &str, value: &Option<String>) -> ServerResult<Option<String>> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(|d| Some(d.format("%Y-%m-%d").to_string()))
        .map_err(|_| {
            ServerError::BadRequest(format!("{what} must be a date YYYY-MM-DD, got {v:?}"))
        })
}

fn split_list(value: &Option<String>) -> Vec<String> {
    value
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn officers_refused() -> ServerError {
    ServerError::Forbidden(
        "seizure data is for ozone analysts, supervisors and administrators".into(),
    )
}

/// Applies defaults and access rules: what `who` will see for `q`, or why not.
pub fn resolve(who: &Principal, q: &SeizureQuery) -> ServerResult<Filter> {
    if who.role == Role::Officer {
        return Err(officers_refused());
    }
    let from = parse_day("from", &q.from)?;
    let to = parse_day("to", &q.to)?;
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        return Err(ServerError::Conflict(format!(
            "from ({f}) is after to ({t}): the date filters contradict"
        )));
    }
    let mut stations = Vec::new();
    for s in split_list(&q.station).iter().chain(&split_list(&q.port)) {
        let s = locode::parse_locode(s)?;
        if !stations.contains(&s) {
            stations.push(s);
        }
    }
    let substance = match q.substance.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) if name.eq_ignore_ascii_case(UNIDENTIFIED) => Some(UNIDENTIFIED.to_string()),
        Some(name) => Some(
            reference::substance(name)
                .ok_or_else(|| {
                    ServerError::BadRequest(format!(
                        "unknown substance {name:?}: use a name from the reference, such as R-22, HCFC-22 or R-404A"
                    ))
                })?
                .id
                .clone(),
        ),
    };
    let mut states = Vec::new();
    let asked = split_list(&q.state);
    if asked.is_empty() {
        // What was approved, including cases changed since (they keep the approved figures and
        // say so): a case does not vanish from the totals because its record moved on.
        states.push("approved".to_string());
        states.push("changed_since_approval".to_string());
    } else if !asked.iter().any(|s| s.eq_ignore_ascii_case("all")) {
        for s in asked {
            let s = s.to_ascii_lowercase().replace(['-', ' '], "_");
            if quayside_core::model::review::ReviewState::parse(s.as_str()).is_none() {
                return Err(ServerError::BadRequest(format!(
                    "unknown review state {s:?}; expected all or any of {}",
                    review_states().collect::<Vec<_>>().join(", ")
                )));
            }
            if !states.contains(&s) {
                states.push(s);
            }
        }
    }
    let action = match q.action.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) => Some(
            a.parse::<quayside_core::model::SeizureAction>()?
                .as_str()
                .to_string(),
        ),
    };
    let country = match q.country.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) if c.len() == 2 && c.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(c.to_ascii_uppercase())
        }
        Some(c) => {
            return Err(ServerError::BadRequest(format!(
                "country must be an ISO 3166 alpha-2 code such as GH, got {c:?}"
            )));
        }
    };

    let countries = match who.role {
        Role::Officer => return Err(officers_refused()),
        Role::OzoneAnalyst => {
            if who.countries.is_empty() {
                return Err(ServerError::Forbidden(
                    "this analyst account has no country to report for".into(),
                ));
            }
            match country {
                Some(c) if who.countries.contains(&c) => vec![c],
                Some(c) => {
                    return Err(ServerError::Forbidden(format!(
                        "you report for {}; only administrators may read seizures of {c}",
                        who.countries.join(", ")
                    )));
                }
                None => who.countries.clone(),
            }
        }
        Role::Supervisor | Role::Admin => country.into_iter().collect(),
    };
    for s in &stations {
        let c = locode::country_of(s);
        if !countries.is_empty() && !countries.iter().any(|x| x == c) {
            return Err(if who.role == Role::OzoneAnalyst {
                ServerError::Forbidden(format!(
                    "station {s} is in {c}; you report for {}",
                    countries.join(", ")
                ))
            } else {
                // Two filters that contradict each other: said, not answered with nothing.
                ServerError::Conflict(format!(
                    "station {s} is not in {}: the station and country filters contradict",
                    countries.join(", ")
                ))
            });
        }
    }
    if who.role == Role::Supervisor {
        if stations.is_empty() {
            stations = who.stations.clone();
        } else if let Some(s) = stations.iter().find(|s| !who.stations.contains(s)) {
            return Err(ServerError::Forbidden(format!(
                "station {s} is not one of yours"
            )));
        }
        if stations.is_empty() {
            return Err(ServerError::Forbidden(
                "this supervisor account has no station".into(),
            ));
        }
    }
    Ok(Filter {
        from,
        to,
        countries,
        stations,
        substance,
        states,
        action,
    })
}

/// `WHERE ...` over `seizure_rows r` for a filter, with its parameters.
/// The SQL condition of a filter over `seizure_rows r` or `seizure_parts p` (`alias`), with its
/// arguments. A substance matches an item of that substance or containing it (a blend's
/// component); over parts, a part of that substance or of an item of it.
fn where_clause(f: &Filter, alias: &str) -> (String, Vec<String>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let mut any_of = |column: &str, values: &[String], args: &mut Vec<String>| {
        if values.is_empty() {
            return;
        }
        let marks: Vec<String> = values
            .iter()
            .map(|v| {
                args.push(v.clone());
                format!("?{}", args.len())
            })
            .collect();
        clauses.push(format!("{alias}.{column} IN ({})", marks.join(", ")));
    };
    any_of("country", &f.countries, &mut args);
    any_of("station", &f.stations, &mut args);
    any_of("review_state", &f.states, &mut args);
    if let Some(a) = &f.action {
        any_of("action", std::slice::from_ref(a), &mut args);
    }
    if let Some(s) = &f.substance {
        args.push(s.clone());
        let n = args.len();
        clauses.push(if alias == "p" {
            format!("(p.substance = ?{n} OR p.item_substance = ?{n})")
        } else {
            format!(
                "(r.substance = ?{n} OR EXISTS (SELECT 1 FROM seizure_parts q WHERE q.inspection_id = r.inspection_id AND q.finding_id = r.finding_id AND q.substance = ?{n}))"
            )
        });
    }
    if let Some(from) = &f.from {
        args.push(from.clone());
        clauses.push(format!("{alias}.day >= ?{}", args.len()));
    }
    if let Some(to) = &f.to {
        args.push(to.clone());
        clauses.push(format!("{alias}.day <= ?{}", args.len()));
    }
    if clauses.is_empty() {
        (String::new(), args)
    } else {
        (format!("WHERE {}", clauses.join(" AND ")), args)
    }
}

/// One seized item, valued, with its case's totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeizureRow {
    pub inspection_id: String,
    pub case_ref: Option<String>,
    /// When the inspection was recorded (RFC 3339, the device's clock).
    pub recorded_at: String,
    /// `YYYY-MM-DD` of `recorded_at`.
    pub day: String,
    /// `YYYY-MM` of `recorded_at`.
    pub month: String,
    pub year: String,
    pub country: String,
    /// Station or port, UN/LOCODE.
    pub station: String,
    pub station_name: Option<String>,
    pub container: String,
    pub action: Option<String>,
    pub modus_operandi: Vec<String>,
    pub legal_basis: Option<String>,
    /// Country of origin, destination and transit as declared.
    pub origin: Option<String>,
    pub destination: Option<String>,
    pub transit: Vec<String>,
    pub consignor: Option<String>,
    pub consignee: Option<String>,
    /// The HS code declared and the one seen on the goods.
    pub declared_hs: Option<String>,
    pub observed_hs: Option<String>,
    pub review_state: String,
    /// The figures are those of the version approved; the record has changed since.
    pub as_approved: bool,
    pub finding_id: String,
    /// A reference id, `unknown`, a name outside the reference, a measured composition
    /// (`measured: ...`) or `unidentified`.
    pub substance: String,
    /// What the figures rest on: measured, identified, declared, not_identified, not_recorded.
    pub basis: String,
    /// What the goods were declared as.
    pub declared_substance: Option<String>,
    /// The annex groups of what the item is made of.
    pub annex_group: Option<String>,
    pub cylinder_type: Option<String>,
    pub cylinders: Option<u32>,
    pub quantity_kg: f64,
    pub tonnes: f64,
    /// Per kg; None when not known.
    pub odp: Option<f64>,
    pub odp_tonnes: f64,
    pub gwp: Option<f64>,
    pub co2e_tonnes: f64,
    /// Kilograms whose ODP (GWP) is not known: not in `odp_tonnes` (`co2e_tonnes`).
    pub odp_unknown_kg: f64,
    pub gwp_unknown_kg: f64,
    pub odp_source: String,
    pub gwp_source: String,
    /// Seized items in the whole case.
    pub case_items: u32,
    pub case_kg: f64,
    pub case_odp_tonnes: f64,
    pub case_co2e_tonnes: f64,
    /// The approval the row's state rests on (approved or changed since approval), with what is
    /// needed to verify its signature: `quayside export verify` or any Ed25519 tool over
    /// `quayside_core::signing::review_payload`.
    pub approval: Option<ApprovalProof>,
}

/// A supervisor's signed approval, as exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApprovalProof {
    pub reviewer: String,
    pub decided_at: String,
    pub comment: String,
    /// The inspection heads approved (hex, space-separated in CSV).
    pub reviewed_heads: Vec<String>,
    pub public_key: String,
    pub signature: String,
}

/// Sums over a group of seized items, split into what they are made of.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// The substance, annex group, country of origin, station, month or year; `total` for the
    /// grand total.
    pub key: String,
    /// Annual summaries: the annex group and substance within the year.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annex_group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substance: Option<String>,
    /// Station name (ports); the substance's annex group (substances).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Country of a port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// ODP, GWP and the GWP's source of a substance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub odp: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gwp: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gwp_source: Option<String>,
    /// Distinct cases (inspections).
    pub cases: u64,
    /// Seized items.
    pub items: u64,
    pub kg: f64,
    pub tonnes: f64,
    pub odp_tonnes: f64,
    pub co2e_tonnes: f64,
    /// Kilograms whose ODP (GWP) is not known, left out of the tonnes above.
    pub odp_unknown_kg: f64,
    pub gwp_unknown_kg: f64,
    /// Cases counted with the figures of their approved version although their record has
    /// changed since.
    pub changed_since_approval_cases: u64,
}

/// The seizures matching a filter, with the totals to show beside them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub filter: Filter,
    /// `Filter::describe`.
    pub title: String,
    pub generated_at: String,
    pub generated_by: String,
    pub total: Aggregate,
    pub rows: Vec<SeizureRow>,
    /// The Totals sheets of an XLSX export.
    #[serde(skip)]
    pub groups: Vec<(Group, Vec<Aggregate>)>,
}

/// Grouped sums for `GET /v1/seizures/aggregates`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateReport {
    pub filter: Filter,
    pub title: String,
    pub generated_at: String,
    pub generated_by: String,
    pub group: Group,
    pub groups: Vec<Aggregate>,
    pub total: Aggregate,
}

const ROW_COLUMNS: &str = "r.inspection_id, r.case_ref, r.recorded_at, r.day, r.month, r.year,
    r.country, r.station, s.name, r.container, r.action, r.modus_operandi, r.legal_basis, r.origin,
    r.destination, r.transit, r.consignor, r.consignee, r.declared_hs, r.observed_hs,
    r.review_state, r.as_approved, r.finding_id, r.substance, r.basis, r.declared_substance,
    r.annex_group, r.cylinder_type, r.cylinders, r.quantity_kg, r.tonnes, r.odp, r.odp_tonnes,
    r.gwp, r.co2e_tonnes, r.odp_unknown_kg, r.gwp_unknown_kg, r.odp_source, r.gwp_source,
    r.case_items, r.case_kg, r.case_odp_tonnes, r.case_co2e_tonnes, a.reviewer, a.decided_at,
    a.comment, a.reviewed_heads, a.public_key, a.signature";

/// Drops binary floating-point noise (`0.9267719999999999` -> `0.926772`); a nanotonne is far
/// below anything weighed at a port.
fn tidy(v: f64) -> f64 {
    if v.is_finite() {
        (v * 1e9).round() / 1e9
    } else {
        0.0
    }
}

fn list(text: String) -> Vec<String> {
    text.split('|')
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect()
}

fn query_rows(conn: &Connection, f: &Filter) -> ServerResult<Vec<SeizureRow>> {
    let (clause, args) = where_clause(f, "r");
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM seizure_rows r LEFT JOIN stations s ON s.locode = r.station
         LEFT JOIN approvals a ON a.inspection_id = r.inspection_id
         {clause} ORDER BY r.day, r.recorded_at, r.inspection_id, r.finding_id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
        Ok(SeizureRow {
            inspection_id: r.get(0)?,
            case_ref: r.get(1)?,
            recorded_at: r.get(2)?,
            day: r.get(3)?,
            month: r.get(4)?,
            year: r.get(5)?,
            country: r.get(6)?,
            station: r.get(7)?,
            station_name: r.get(8)?,
            container: r.get(9)?,
            action: r.get(10)?,
            modus_operandi: list(r.get(11)?),
            legal_basis: r.get(12)?,
            origin: r.get(13)?,
            destination: r.get(14)?,
            transit: list(r.get(15)?),
            consignor: r.get(16)?,
            consignee: r.get(17)?,
            declared_hs: r.get(18)?,
            observed_hs: r.get(19)?,
            review_state: r.get(20)?,
            as_approved: r.get(21)?,
            finding_id: r.get(22)?,
            substance: r.get(23)?,
            basis: r.get(24)?,
            declared_substance: r.get(25)?,
            annex_group: r.get(26)?,
            cylinder_type: r.get(27)?,
            cylinders: r.get(28)?,
            quantity_kg: tidy(r.get(29)?),
            tonnes: tidy(r.get(30)?),
            odp: r.get::<_, Option<f64>>(31)?.map(tidy),
            odp_tonnes: tidy(r.get(32)?),
            gwp: r.get::<_, Option<f64>>(33)?.map(tidy),
            co2e_tonnes: tidy(r.get(34)?),
            odp_unknown_kg: tidy(r.get(35)?),
            gwp_unknown_kg: tidy(r.get(36)?),
            odp_source: r.get(37)?,
            gwp_source: r.get(38)?,
            case_items: r.get(39)?,
            case_kg: tidy(r.get(40)?),
            case_odp_tonnes: tidy(r.get(41)?),
            case_co2e_tonnes: tidy(r.get(42)?),
            approval: match r.get::<_, Option<String>>(43)? {
                Some(reviewer) => Some(ApprovalProof {
                    reviewer,
                    decided_at: r.get(44)?,
                    comment: r.get(45)?,
                    reviewed_heads: r
                        .get::<_, String>(46)?
                        .split_whitespace()
                        .map(str::to_string)
                        .collect(),
                    public_key: r.get(47)?,
                    signature: r.get(48)?,
                }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One part of a seized item as the sums need it (a row of `seizure_parts`).
struct PartRow {
    /// The case (inspection) and the seized item, numbered as read: counting distinct numbers
    /// is cheaper than counting distinct ids.
    case: u32,
    item: u32,
    substance: String,
    /// The annex group, or `not controlled` (ODP known, zero) or `not known`.
    annex_key: String,
    origin: String,
    station: String,
    station_name: Option<String>,
    country: String,
    month: String,
    year: String,
    kg: f64,
    tonnes: f64,
    odp_tonnes: Option<f64>,
    co2e_tonnes: Option<f64>,
    changed_since_approval: bool,
}

/// The parts of the seized items the filter selects, read once for every sum.
fn read_parts(conn: &Connection, f: &Filter) -> ServerResult<Vec<PartRow>> {
    let (clause, args) = where_clause(f, "p");
    let sql = format!(
        "SELECT p.inspection_id, p.finding_id, p.substance, p.annex_group, p.origin, p.station,
             s.name, p.country, p.month, p.year, p.kg, p.tonnes, p.odp_tonnes, p.co2e_tonnes,
             p.review_state = 'changed_since_approval'
         FROM seizure_parts p LEFT JOIN stations s ON s.locode = p.station {clause}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut cases: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut items: std::collections::HashMap<(u32, String), u32> = std::collections::HashMap::new();
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
        let inspection_id: String = r.get(0)?;
        let n = cases.len() as u32;
        let case = *cases.entry(inspection_id).or_insert(n);
        let n = items.len() as u32;
        let item = *items.entry((case, r.get(1)?)).or_insert(n);
        let odp_tonnes: Option<f64> = r.get(12)?;
        let annex_key = match r.get::<_, Option<String>>(3)? {
            Some(group) => group,
            None if odp_tonnes.is_none() => "not known".to_string(),
            None => "not controlled".to_string(),
        };
        Ok(PartRow {
            case,
            item,
            substance: r.get(2)?,
            annex_key,
            origin: r
                .get::<_, Option<String>>(4)?
                .unwrap_or_else(|| "not declared".to_string()),
            station: r.get(5)?,
            station_name: r.get(6)?,
            country: r.get(7)?,
            month: r.get(8)?,
            year: r.get(9)?,
            kg: r.get(10)?,
            tonnes: r.get(11)?,
            odp_tonnes,
            co2e_tonnes: r.get(13)?,
            changed_since_approval: r.get(14)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Running sums of one group.
#[derive(Default)]
struct Sums {
    cases: std::collections::HashSet<u32>,
    items: std::collections::HashSet<u32>,
    changed: std::collections::HashSet<u32>,
    kg: f64,
    tonnes: f64,
    odp_tonnes: f64,
    co2e_tonnes: f64,
    odp_unknown_kg: f64,
    gwp_unknown_kg: f64,
    label: Option<String>,
    country: Option<String>,
}

/// Sums `parts` grouped by `group` (`None`: the grand total, one entry keyed `total`), in key
/// order. Every figure comes from the parts, so a blend counts as its components and an
/// unknown substance in kilograms only.
fn sum_parts(parts: &[PartRow], group: Option<Group>) -> Vec<Aggregate> {
    type Key<'a> = (&'a str, &'a str, &'a str);
    let mut groups: std::collections::BTreeMap<Key, Sums> = std::collections::BTreeMap::new();
    for p in parts {
        let key: Key = match group {
            None => ("total", "", ""),
            Some(Group::Substance) => (&p.substance, "", ""),
            Some(Group::AnnexGroup) => (&p.annex_key, "", ""),
            Some(Group::Origin) => (&p.origin, "", ""),
            Some(Group::Port) => (&p.station, "", ""),
            Some(Group::Month) => (&p.month, "", ""),
            Some(Group::Year) => (&p.year, "", ""),
            Some(Group::Annual) => (&p.year, &p.annex_key, &p.substance),
        };
        let s = groups.entry(key).or_default();
        s.cases.insert(p.case);
        s.items.insert(p.item);
        if p.changed_since_approval {
            s.changed.insert(p.case);
        }
        s.kg += p.kg;
        s.tonnes += p.tonnes;
        match p.odp_tonnes {
            Some(v) => s.odp_tonnes += v,
            None => s.odp_unknown_kg += p.kg,
        }
        match p.co2e_tonnes {
            Some(v) => s.co2e_tonnes += v,
            None => s.gwp_unknown_kg += p.kg,
        }
        if group == Some(Group::Port) && s.country.is_none() {
            s.label = p.station_name.clone();
            s.country = Some(p.country.clone());
        }
    }
    groups
        .into_iter()
        .map(|((key, annex_group, substance), s)| {
            let valued = match group {
                Some(Group::Substance) => reference::substance(key),
                Some(Group::Annual) => reference::substance(substance),
                _ => None,
            };
            let annual = group == Some(Group::Annual);
            let label = match group {
                // A substance's annex group.
                Some(Group::Substance) => valued.and_then(|x| x.annex_group.clone()),
                _ => s.label,
            };
            Aggregate {
                key: key.to_string(),
                annex_group: annual.then(|| annex_group.to_string()),
                substance: annual.then(|| substance.to_string()),
                label,
                country: s.country,
                odp: valued.map(|x| x.odp),
                gwp: valued.and_then(|x| x.gwp),
                gwp_source: valued.map(|x| x.gwp_source.clone()),
                cases: s.cases.len() as u64,
                items: s.items.len() as u64,
                kg: tidy(s.kg),
                tonnes: tidy(s.tonnes),
                odp_tonnes: tidy(s.odp_tonnes),
                co2e_tonnes: tidy(s.co2e_tonnes),
                odp_unknown_kg: tidy(s.odp_unknown_kg),
                gwp_unknown_kg: tidy(s.gwp_unknown_kg),
                changed_since_approval_cases: s.changed.len() as u64,
            }
        })
        .collect()
}

/// The grand total of `parts` (zero when there are none).
fn total_of(parts: &[PartRow]) -> Aggregate {
    sum_parts(parts, None).pop().unwrap_or_else(|| Aggregate {
        key: "total".into(),
        ..Default::default()
    })
}

fn generated_at() -> String {
    quayside_core::model::edits::now_rfc3339()
}

/// The seizures `who` asked for and may see.
pub fn seizures(
    conn: &Connection,
    who: &Principal,
    q: &SeizureQuery,
) -> ServerResult<Vec<SeizureRow>> {
    let f = resolve(who, q)?;
    query_rows(conn, &f)
}

/// Sums of kg, tonnes, ODP-tonnes, CO2-eq tonnes and cases over the seizures `who` asked for,
/// grouped.
pub fn aggregates(
    conn: &Connection,
    who: &Principal,
    q: &SeizureQuery,
    group: Group,
) -> ServerResult<Vec<Aggregate>> {
    let f = resolve(who, q)?;
    Ok(sum_parts(&read_parts(conn, &f)?, Some(group)))
}

/// [`aggregates`] with the filter applied and the grand total, from one read.
pub fn aggregate_report(
    conn: &Connection,
    who: &Principal,
    q: &SeizureQuery,
    group: Group,
) -> ServerResult<AggregateReport> {
    let filter = resolve(who, q)?;
    let parts = read_parts(conn, &filter)?;
    Ok(AggregateReport {
        title: filter.describe(),
        filter,
        generated_at: generated_at(),
        generated_by: who.user.clone(),
        group,
        groups: sum_parts(&parts, Some(group)),
        total: total_of(&parts),
    })
}

/// The rows and every total an export shows, read in one snapshot.
pub fn report(conn: &Connection, who: &Principal, q: &SeizureQuery) -> ServerResult<Report> {
    let filter = resolve(who, q)?;
    let tx = conn.unchecked_transaction()?;
    let rows = query_rows(&tx, &filter)?;
    let parts = read_parts(&tx, &filter)?;
    drop(tx);
    // In the order the workbook shows them.
    let groups = [
        Group::AnnexGroup,
        Group::Substance,
        Group::Origin,
        Group::Port,
        Group::Month,
        Group::Year,
        Group::Annual,
    ]
    .into_iter()
    .map(|group| (group, sum_parts(&parts, Some(group))))
    .collect();
    Ok(Report {
        title: filter.describe(),
        filter,
        generated_at: generated_at(),
        generated_by: who.user.clone(),
        total: total_of(&parts),
        rows,
        groups,
    })
}

// ---------------------------------------------------------------------------------------------
// Renderings
// ---------------------------------------------------------------------------------------------

mod render;
pub use render::{render, render_aggregates};
