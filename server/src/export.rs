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
use quayside_core::model::assess::assess;
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

/// The substance of a seized item nobody identified (or one the reference does not know).
pub const UNIDENTIFIED: &str = "unidentified";

/// The `meta` key migration 004 sets when documents exist whose rows must be built.
const REBUILD_KEY: &str = "reproject_seizures";

// ---------------------------------------------------------------------------------------------
// Projection
// ---------------------------------------------------------------------------------------------

/// Rewrites the seizure rows of inspection `id` from its current content. Call it in the same
/// transaction that stores the inspection or one of its reviews; `review_state` is one of
/// [`review_states`].
pub fn reproject_inspection(
    conn: &Connection,
    id: &str,
    ins: &Inspection,
    review_state: &str,
) -> ServerResult<()> {
    if quayside_core::model::review::ReviewState::parse(review_state).is_none() {
        return Err(ServerError::Internal(format!(
            "unknown review state {review_state:?} for inspection {id}"
        )));
    }
    conn.prepare_cached("DELETE FROM seizure_rows WHERE inspection_id = ?1")?
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
    struct Valued<'a> {
        finding_id: &'a str,
        substance: String,
        declared: Option<&'a str>,
        annex_group: Option<&'static str>,
        cylinders: Option<u32>,
        kg: f64,
        odp: f64,
        gwp: f64,
        odp_source: String,
        gwp_source: String,
    }
    let valued: Vec<Valued> = items
        .iter()
        .map(|&(finding_id, kg, cylinders)| {
            let figure = figures.iter().find(|f| f.finding_id == finding_id);
            let known = figure
                .and_then(|f| f.substance.as_deref())
                .and_then(reference::substance);
            let declared = ins
                .finding(finding_id)
                .and_then(|f| f.declared_substance.as_deref());
            match (figure, known) {
                (Some(f), Some(s)) => Valued {
                    finding_id,
                    substance: s.id.clone(),
                    declared,
                    annex_group: s.annex_group.as_deref(),
                    cylinders,
                    kg,
                    odp: f.odp.unwrap_or(s.odp),
                    gwp: f.gwp.unwrap_or(s.gwp),
                    odp_source: s.odp_source.clone(),
                    gwp_source: f.gwp_source.clone().unwrap_or_else(|| s.gwp_source.clone()),
                },
                _ => Valued {
                    finding_id,
                    substance: UNIDENTIFIED.into(),
                    declared,
                    annex_group: None,
                    cylinders,
                    kg,
                    odp: 0.0,
                    gwp: 0.0,
                    odp_source: "substance not identified: no ODP applied".into(),
                    gwp_source: "substance not identified: no GWP applied".into(),
                },
            }
        })
        .collect();

    let odp_t = |v: &Valued| v.kg / 1000.0 * v.odp;
    let co2e_t = |v: &Valued| v.kg / 1000.0 * v.gwp;
    let case_kg: f64 = valued.iter().map(|v| v.kg).sum();
    let case_odp: f64 = valued.iter().map(odp_t).sum();
    let case_co2e: f64 = valued.iter().map(co2e_t).sum();

    let country: String = conn
        .prepare_cached("SELECT country FROM stations WHERE locode = ?1")?
        .query_row([&ins.station], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| locode::country_of(&ins.station).to_ascii_uppercase());
    let day = recorded_day(&ins.created_at);
    let month = day.get(..7).unwrap_or("").to_string();
    let modus: Vec<&str> = seizure.modus_operandi.iter().map(|m| m.as_str()).collect();
    let mut insert = conn.prepare_cached(
        "INSERT INTO seizure_rows(inspection_id, finding_id, station, country, container, case_ref,
             action, modus_operandi, recorded_at, day, month, substance, declared_substance,
             annex_group, cylinders, quantity_kg, odp, gwp, odp_tonnes, co2e_tonnes, odp_source,
             gwp_source, case_items, case_kg, case_odp_tonnes, case_co2e_tonnes, review_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
    )?;
    for v in &valued {
        insert.execute(params![
            id,
            v.finding_id,
            ins.station,
            country,
            ins.container.number,
            seizure.case_ref,
            seizure.action.map(|a| a.as_str()),
            modus.join("|"),
            ins.created_at,
            day,
            month,
            v.substance,
            v.declared,
            v.annex_group,
            v.cylinders,
            v.kg,
            v.odp,
            v.gwp,
            odp_t(v),
            co2e_t(v),
            v.odp_source,
            v.gwp_source,
            valued.len() as i64,
            case_kg,
            case_odp,
            case_co2e,
            review_state,
        ])?;
    }
    Ok(())
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

/// Fills `seizure_rows` from the stored inspections if migration 004 asked for it (a server that
/// held documents before the table existed); a no-op otherwise. Call once at start-up, after the
/// migrations, inside a write transaction. `review_state` answers the state of one inspection
/// (given the connection, its id, its document and its content). An inspection that cannot be
/// read is logged and skipped (the document itself stays as it is). Returns how many were
/// projected.
pub fn rebuild_if_needed(
    conn: &Connection,
    actor: &[u8],
    mut review_state: impl FnMut(&Connection, &str, &mut Document, &Inspection) -> ServerResult<String>,
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
        let state = review_state(conn, &id, &mut doc, &ins)?;
        reproject_inspection(conn, &id, &ins, &state)?;
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
        && !["substance", "month", "port"].contains(&g.as_str())
    {
        return bad("group", format!("{g:?} is not substance, month or port"));
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
    #[default]
    Substance,
    Month,
    Port,
}

impl std::str::FromStr for Group {
    type Err = ServerError;
    fn from_str(s: &str) -> ServerResult<Group> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "substance" => Ok(Group::Substance),
            "month" => Ok(Group::Month),
            "port" | "station" => Ok(Group::Port),
            other => Err(ServerError::BadRequest(format!(
                "unknown group {other:?}; expected substance, month or port"
            ))),
        }
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
        states.push("approved".to_string());
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
fn where_clause(f: &Filter) -> (String, Vec<String>) {
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
        clauses.push(format!("{column} IN ({})", marks.join(", ")));
    };
    any_of("r.country", &f.countries, &mut args);
    any_of("r.station", &f.stations, &mut args);
    any_of("r.review_state", &f.states, &mut args);
    if let Some(s) = &f.substance {
        any_of("r.substance", std::slice::from_ref(s), &mut args);
    }
    if let Some(a) = &f.action {
        any_of("r.action", std::slice::from_ref(a), &mut args);
    }
    if let Some(from) = &f.from {
        args.push(from.clone());
        clauses.push(format!("r.day >= ?{}", args.len()));
    }
    if let Some(to) = &f.to {
        args.push(to.clone());
        clauses.push(format!("r.day <= ?{}", args.len()));
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
    pub country: String,
    /// Station or port, UN/LOCODE.
    pub station: String,
    pub station_name: Option<String>,
    pub container: String,
    pub action: Option<String>,
    pub modus_operandi: Vec<String>,
    pub review_state: String,
    pub finding_id: String,
    /// Reference id, or `unidentified`.
    pub substance: String,
    /// What the goods were declared as, if different from nothing.
    pub declared_substance: Option<String>,
    pub annex_group: Option<String>,
    pub cylinders: Option<u32>,
    pub quantity_kg: f64,
    pub odp: f64,
    pub odp_tonnes: f64,
    pub gwp: f64,
    pub co2e_tonnes: f64,
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

/// Sums over a group of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// The substance id, month (`YYYY-MM`) or station; `total` for the grand total.
    pub key: String,
    /// Station name (ports); the substance's Montreal Protocol annex group (substances).
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
    pub odp_tonnes: f64,
    pub co2e_tonnes: f64,
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
    #[serde(skip)]
    pub by_substance: Vec<Aggregate>,
    #[serde(skip)]
    pub by_month: Vec<Aggregate>,
    #[serde(skip)]
    pub by_port: Vec<Aggregate>,
}

/// Grouped sums for `GET /v1/seizures/aggregates`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AggregateReport {
    pub filter: Filter,
    pub title: String,
    pub generated_at: String,
    pub group: Group,
    pub groups: Vec<Aggregate>,
    pub total: Aggregate,
}

const ROW_COLUMNS: &str = "r.inspection_id, r.case_ref, r.recorded_at, r.day, r.month, r.country,
    r.station, s.name, r.container, r.action, r.modus_operandi, r.review_state, r.finding_id,
    r.substance, r.declared_substance, r.annex_group, r.cylinders, r.quantity_kg, r.odp,
    r.odp_tonnes, r.gwp, r.co2e_tonnes, r.odp_source, r.gwp_source, r.case_items, r.case_kg,
    r.case_odp_tonnes, r.case_co2e_tonnes, a.reviewer, a.decided_at, a.comment, a.reviewed_heads,
    a.public_key, a.signature";

/// Drops binary floating-point noise (`0.9267719999999999` -> `0.926772`); a nanotonne is far
/// below anything weighed at a port.
fn tidy(v: f64) -> f64 {
    if v.is_finite() {
        (v * 1e9).round() / 1e9
    } else {
        0.0
    }
}

fn query_rows(conn: &Connection, f: &Filter) -> ServerResult<Vec<SeizureRow>> {
    let (clause, args) = where_clause(f);
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM seizure_rows r LEFT JOIN stations s ON s.locode = r.station
         LEFT JOIN approvals a ON a.inspection_id = r.inspection_id
         {clause} ORDER BY r.day, r.recorded_at, r.inspection_id, r.finding_id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
        let modus: String = r.get(10)?;
        Ok(SeizureRow {
            inspection_id: r.get(0)?,
            case_ref: r.get(1)?,
            recorded_at: r.get(2)?,
            day: r.get(3)?,
            month: r.get(4)?,
            country: r.get(5)?,
            station: r.get(6)?,
            station_name: r.get(7)?,
            container: r.get(8)?,
            action: r.get(9)?,
            modus_operandi: modus
                .split('|')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect(),
            review_state: r.get(11)?,
            finding_id: r.get(12)?,
            substance: r.get(13)?,
            declared_substance: r.get(14)?,
            annex_group: r.get(15)?,
            cylinders: r.get(16)?,
            quantity_kg: tidy(r.get(17)?),
            odp: tidy(r.get(18)?),
            odp_tonnes: tidy(r.get(19)?),
            gwp: tidy(r.get(20)?),
            co2e_tonnes: tidy(r.get(21)?),
            odp_source: r.get(22)?,
            gwp_source: r.get(23)?,
            case_items: r.get(24)?,
            case_kg: tidy(r.get(25)?),
            case_odp_tonnes: tidy(r.get(26)?),
            case_co2e_tonnes: tidy(r.get(27)?),
            approval: match r.get::<_, Option<String>>(28)? {
                Some(reviewer) => Some(ApprovalProof {
                    reviewer,
                    decided_at: r.get(29)?,
                    comment: r.get(30)?,
                    reviewed_heads: r
                        .get::<_, String>(31)?
                        .split_whitespace()
                        .map(str::to_string)
                        .collect(),
                    public_key: r.get(32)?,
                    signature: r.get(33)?,
                }),
                None => None,
            },
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn query_aggregates(
    conn: &Connection,
    f: &Filter,
    group: Option<Group>,
) -> ServerResult<Vec<Aggregate>> {
    let (clause, args) = where_clause(f);
    let (key, extra, group_by) = match group {
        None => ("'total'", "NULL, NULL", ""),
        Some(Group::Substance) => ("r.substance", "NULL, NULL", "GROUP BY r.substance"),
        Some(Group::Month) => ("r.month", "NULL, NULL", "GROUP BY r.month"),
        Some(Group::Port) => (
            "r.station",
            "max(s.name), max(r.country)",
            "GROUP BY r.station",
        ),
    };
    let sql = format!(
        "SELECT {key}, {extra}, count(DISTINCT r.inspection_id), count(*), total(r.quantity_kg),
             total(r.odp_tonnes), total(r.co2e_tonnes)
         FROM seizure_rows r LEFT JOIN stations s ON s.locode = r.station
         {clause} {group_by} ORDER BY 1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
        Ok(Aggregate {
            key: r.get(0)?,
            label: r.get(1)?,
            country: r.get(2)?,
            odp: None,
            gwp: None,
            gwp_source: None,
            cases: r.get::<_, i64>(3)? as u64,
            items: r.get::<_, i64>(4)? as u64,
            kg: tidy(r.get(5)?),
            odp_tonnes: tidy(r.get(6)?),
            co2e_tonnes: tidy(r.get(7)?),
        })
    })?;
    let mut out: Vec<Aggregate> = rows.collect::<Result<_, _>>()?;
    if group == Some(Group::Substance) {
        for a in &mut out {
            if let Some(s) = reference::substance(&a.key) {
                a.label = s.annex_group.clone();
                a.odp = Some(s.odp);
                a.gwp = Some(s.gwp);
                a.gwp_source = Some(s.gwp_source.clone());
            }
        }
    }
    Ok(out)
}

fn total_of(conn: &Connection, f: &Filter) -> ServerResult<Aggregate> {
    query_aggregates(conn, f, None)?
        .pop()
        .ok_or_else(|| ServerError::Internal("no total row".into()))
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

/// Sums of kg, ODP-tonnes, CO2-eq tonnes and cases over the seizures `who` asked for, grouped.
pub fn aggregates(
    conn: &Connection,
    who: &Principal,
    q: &SeizureQuery,
    group: Group,
) -> ServerResult<Vec<Aggregate>> {
    let f = resolve(who, q)?;
    query_aggregates(conn, &f, Some(group))
}

/// [`aggregates`] with the filter applied and the grand total, read in one snapshot.
pub fn aggregate_report(
    conn: &Connection,
    who: &Principal,
    q: &SeizureQuery,
    group: Group,
) -> ServerResult<AggregateReport> {
    let filter = resolve(who, q)?;
    let tx = conn.unchecked_transaction()?;
    let groups = query_aggregates(&tx, &filter, Some(group))?;
    let total = total_of(&tx, &filter)?;
    drop(tx);
    Ok(AggregateReport {
        title: filter.describe(),
        filter,
        generated_at: generated_at(),
        group,
        groups,
        total,
    })
}

/// The rows and every total an export shows, read in one snapshot.
pub fn report(conn: &Connection, who: &Principal, q: &SeizureQuery) -> ServerResult<Report> {
    let filter = resolve(who, q)?;
    let tx = conn.unchecked_transaction()?;
    let rows = query_rows(&tx, &filter)?;
    let total = total_of(&tx, &filter)?;
    let by_substance = query_aggregates(&tx, &filter, Some(Group::Substance))?;
    let by_month = query_aggregates(&tx, &filter, Some(Group::Month))?;
    let by_port = query_aggregates(&tx, &filter, Some(Group::Port))?;
    drop(tx);
    Ok(Report {
        title: filter.describe(),
        filter,
        generated_at: generated_at(),
        generated_by: who.user.clone(),
        total,
        rows,
        by_substance,
        by_month,
        by_port,
    })
}

// ---------------------------------------------------------------------------------------------
// Renderings
// ---------------------------------------------------------------------------------------------

/// Renders a report in `format`.
pub fn render(report: &Report, format: Format) -> ServerResult<Vec<u8>> {
    match format {
        Format::Json => to_json(report),
        Format::Csv => to_csv(report),
        Format::Xlsx => to_xlsx(report),
    }
}

/// JSON: the filter applied, the grand total and every row.
pub fn to_json(report: &Report) -> ServerResult<Vec<u8>> {
    serde_json::to_vec_pretty(report).map_err(|e| ServerError::Internal(format!("json: {e}")))
}

/// `v` with at most `decimals` decimals, trailing zeros dropped (`0.055`, `1810`, `3921.6`).
fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A text cell that a spreadsheet will not run as a formula when the CSV is opened.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

const CSV_HEADER: [&str; 34] = [
    "date",
    "month",
    "country",
    "station",
    "station_name",
    "case_ref",
    "container",
    "action",
    "modus_operandi",
    "review_state",
    "finding_id",
    "substance",
    "annex_group",
    "declared_substance",
    "cylinders",
    "quantity_kg",
    "odp",
    "odp_tonnes",
    "gwp",
    "co2e_tonnes",
    "gwp_source",
    "odp_source",
    "case_items",
    "case_kg",
    "case_odp_tonnes",
    "case_co2e_tonnes",
    "recorded_at",
    "inspection_id",
    "approved_by",
    "approved_at",
    "approval_comment",
    "approved_heads",
    "approval_public_key",
    "approval_signature",
];

/// CSV: a header row, one row per seized item; kg and CO2-eq tonnes with 1 decimal, ODP-tonnes
/// with 4; text that could start a formula is quoted with a leading `'`.
pub fn to_csv(report: &Report) -> ServerResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let err = |e: csv::Error| ServerError::Internal(format!("csv: {e}"));
    w.write_record(CSV_HEADER).map_err(err)?;
    for r in &report.rows {
        let opt = |v: &Option<String>| csv_text(v.as_deref().unwrap_or(""));
        w.write_record([
            csv_text(&r.day),
            csv_text(&r.month),
            csv_text(&r.country),
            csv_text(&r.station),
            opt(&r.station_name),
            opt(&r.case_ref),
            csv_text(&r.container),
            opt(&r.action),
            csv_text(&r.modus_operandi.join("; ")),
            csv_text(&r.review_state),
            csv_text(&r.finding_id),
            csv_text(&r.substance),
            opt(&r.annex_group),
            opt(&r.declared_substance),
            r.cylinders.map(|c| c.to_string()).unwrap_or_default(),
            format!("{:.1}", r.quantity_kg),
            trimmed(r.odp, 6),
            format!("{:.4}", r.odp_tonnes),
            trimmed(r.gwp, 2),
            format!("{:.1}", r.co2e_tonnes),
            csv_text(&r.gwp_source),
            csv_text(&r.odp_source),
            r.case_items.to_string(),
            format!("{:.1}", r.case_kg),
            format!("{:.4}", r.case_odp_tonnes),
            format!("{:.1}", r.case_co2e_tonnes),
            csv_text(&r.recorded_at),
            csv_text(&r.inspection_id),
            csv_text(r.approval.as_ref().map_or("", |a| a.reviewer.as_str())),
            csv_text(r.approval.as_ref().map_or("", |a| a.decided_at.as_str())),
            csv_text(r.approval.as_ref().map_or("", |a| a.comment.as_str())),
            r.approval
                .as_ref()
                .map(|a| a.reviewed_heads.join(" "))
                .unwrap_or_default(),
            r.approval
                .as_ref()
                .map(|a| a.public_key.clone())
                .unwrap_or_default(),
            r.approval
                .as_ref()
                .map(|a| a.signature.clone())
                .unwrap_or_default(),
        ])
        .map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| ServerError::Internal(format!("csv: {e}")))
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ServerError {
    ServerError::Internal(format!("xlsx: {e}"))
}

/// One spreadsheet cell to write.
enum Cell<'a> {
    Text(&'a str),
    /// Text shown in red: declared as something other than what was found.
    Flag(&'a str),
    Date(&'a str),
    Num(f64, &'a rust_xlsxwriter::Format),
    Blank,
}

/// The formats of the workbook, made once.
struct Styles {
    title: rust_xlsxwriter::Format,
    subtitle: rust_xlsxwriter::Format,
    section: rust_xlsxwriter::Format,
    header: rust_xlsxwriter::Format,
    date: rust_xlsxwriter::Format,
    flag: rust_xlsxwriter::Format,
    int: rust_xlsxwriter::Format,
    kg: rust_xlsxwriter::Format,
    odp: rust_xlsxwriter::Format,
    odp_t: rust_xlsxwriter::Format,
    gwp: rust_xlsxwriter::Format,
    co2e: rust_xlsxwriter::Format,
}

impl Styles {
    fn new() -> Styles {
        use rust_xlsxwriter::{Color, Format, FormatBorder};
        let navy = Color::RGB(0x1F3864);
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(14)
                .set_font_color(navy),
            subtitle: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
            section: Format::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(navy),
            header: Format::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(navy)
                .set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            flag: Format::new()
                .set_bold()
                .set_font_color(Color::RGB(0xC00000)),
            int: Format::new().set_num_format("#,##0"),
            kg: Format::new().set_num_format("#,##0.0"),
            odp: Format::new().set_num_format("0.0#####"),
            odp_t: Format::new().set_num_format("#,##0.0000"),
            gwp: Format::new().set_num_format("#,##0.##"),
            co2e: Format::new().set_num_format("#,##0.0"),
        }
    }

    /// `f` as it looks on a total row: bold, double rule above.
    fn total(f: &rust_xlsxwriter::Format) -> rust_xlsxwriter::Format {
        f.clone()
            .set_bold()
            .set_border_top(rust_xlsxwriter::FormatBorder::Double)
    }
}

fn write_cells(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    cells: &[Cell],
    styles: &Styles,
    total: bool,
) -> ServerResult<()> {
    let plain = rust_xlsxwriter::Format::new();
    for (c, cell) in cells.iter().enumerate() {
        let c = c as u16;
        let style = |f: &rust_xlsxwriter::Format| {
            if total { Styles::total(f) } else { f.clone() }
        };
        match cell {
            Cell::Text(t) if !t.is_empty() => {
                ws.write_string_with_format(row, c, *t, &style(&plain))
            }
            Cell::Flag(t) => ws.write_string_with_format(row, c, *t, &style(&styles.flag)),
            Cell::Date(d) => match rust_xlsxwriter::ExcelDateTime::parse_from_str(d) {
                Ok(date) => ws.write_datetime_with_format(row, c, &date, &style(&styles.date)),
                Err(_) => ws.write_string_with_format(row, c, *d, &style(&plain)),
            },
            Cell::Num(v, f) => ws.write_number_with_format(row, c, *v, &style(f)),
            Cell::Text(_) | Cell::Blank if total => ws.write_blank(row, c, &style(&plain)),
            Cell::Text(_) | Cell::Blank => continue,
        }
        .map_err(xlsx_err)?;
    }
    Ok(())
}

/// The Seizures sheet's columns: header and the cell of one row.
type Column = (
    &'static str,
    for<'a> fn(&'a SeizureRow, &'a Styles) -> Cell<'a>,
);

const SEIZURE_COLUMNS: [Column; 29] = [
    ("Date", |r, _| Cell::Date(&r.day)),
    ("Month", |r, _| Cell::Text(&r.month)),
    ("Country", |r, _| Cell::Text(&r.country)),
    ("Port", |r, _| Cell::Text(&r.station)),
    ("Port name", |r, _| {
        Cell::Text(r.station_name.as_deref().unwrap_or(""))
    }),
    ("Case ref", |r, _| {
        Cell::Text(r.case_ref.as_deref().unwrap_or(""))
    }),
    ("Container", |r, _| Cell::Text(&r.container)),
    ("Action", |r, _| {
        Cell::Text(r.action.as_deref().unwrap_or(""))
    }),
    ("Modus operandi", |_, _| Cell::Blank), // written separately (a joined list)
    ("Review state", |r, _| Cell::Text(&r.review_state)),
    ("Substance", |r, _| Cell::Text(&r.substance)),
    ("Annex group", |r, _| {
        Cell::Text(r.annex_group.as_deref().unwrap_or(""))
    }),
    ("Declared as", |r, _| {
        match r.declared_substance.as_deref() {
            Some(d) if d != r.substance => Cell::Flag(d),
            Some(d) => Cell::Text(d),
            None => Cell::Blank,
        }
    }),
    ("Cylinders", |r, s| match r.cylinders {
        Some(n) => Cell::Num(f64::from(n), &s.int),
        None => Cell::Blank,
    }),
    ("Quantity (kg)", |r, s| Cell::Num(r.quantity_kg, &s.kg)),
    ("ODP", |r, s| Cell::Num(r.odp, &s.odp)),
    ("ODP-tonnes", |r, s| Cell::Num(r.odp_tonnes, &s.odp_t)),
    ("GWP", |r, s| Cell::Num(r.gwp, &s.gwp)),
    ("CO2-eq (t)", |r, s| Cell::Num(r.co2e_tonnes, &s.co2e)),
    ("GWP source", |r, _| Cell::Text(&r.gwp_source)),
    ("ODP source", |r, _| Cell::Text(&r.odp_source)),
    ("Case items", |r, s| {
        Cell::Num(f64::from(r.case_items), &s.int)
    }),
    ("Case kg", |r, s| Cell::Num(r.case_kg, &s.kg)),
    ("Case ODP-t", |r, s| Cell::Num(r.case_odp_tonnes, &s.odp_t)),
    ("Case CO2-eq (t)", |r, s| {
        Cell::Num(r.case_co2e_tonnes, &s.co2e)
    }),
    ("Inspection", |r, _| Cell::Text(&r.inspection_id)),
    ("Approved by", |r, _| match &r.approval {
        Some(a) => Cell::Text(&a.reviewer),
        None => Cell::Blank,
    }),
    ("Approved at", |r, _| match &r.approval {
        Some(a) => Cell::Text(&a.decided_at),
        None => Cell::Blank,
    }),
    ("Approval signature (Ed25519)", |r, _| match &r.approval {
        Some(a) => Cell::Text(&a.signature),
        None => Cell::Blank,
    }),
];

/// A table of the Totals sheet: title, key headers, the groups and their key cells.
type TotalsSection<'a> = (&'a str, &'a [&'a str], &'a [Aggregate], Vec<Vec<Cell<'a>>>);

/// Column indexes of the Seizures sheet that get a subtotal.
const SUM_COLUMNS: [u16; 3] = [14, 16, 18];
const MODUS_COLUMN: u16 = 8;

/// XLSX: a "Seizures" sheet (a title naming the filter and when it was made, one row per seized
/// item under a frozen bold header with filter buttons, number formats, and a total row that
/// follows the filters) and a "Totals" sheet by substance, month and port.
pub fn to_xlsx(report: &Report) -> ServerResult<Vec<u8>> {
    use rust_xlsxwriter::utility::row_col_to_cell;
    use rust_xlsxwriter::{DocProperties, Formula, Workbook};

    let s = Styles::new();
    let generated = chrono::DateTime::parse_from_rfc3339(&report.generated_at)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| report.generated_at.clone());
    let subtitle = format!(
        "Filter: {} · generated {generated} by {} · {} case(s), {} seized item(s)",
        report.title, report.generated_by, report.total.cases, report.total.items
    );
    let note = "ODP-tonnes = tonnes x ODP (Montreal Protocol annexes); CO2-eq tonnes = tonnes x \
                GWP (100-year, IPCC AR4, as listed in the Kigali Amendment); blends by mass \
                fraction of their components. One row per seized item; the Case columns total \
                the whole case. Declared-as in red: declared as another substance.";

    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("Quayside seizures")
            .set_subject("Seizures of ozone-depleting substances and HFCs")
            .set_author("Quayside")
            .set_comment(&subtitle),
    );

    // Title, filter and note above the data; written after autofit so that their long text
    // does not widen column A.
    let heading = |ws: &mut rust_xlsxwriter::Worksheet, title: &str| -> ServerResult<()> {
        ws.write_string_with_format(0, 0, title, &s.title)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(1, 0, &subtitle, &s.subtitle)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(2, 0, note, &s.subtitle)
            .map_err(xlsx_err)?;
        Ok(())
    };

    let ws = wb.add_worksheet();
    ws.set_name("Seizures").map_err(xlsx_err)?;
    const HEAD: u32 = 4;
    for (c, (h, _)) in SEIZURE_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(HEAD, c as u16, *h, &s.header)
            .map_err(xlsx_err)?;
    }
    let mut row = HEAD + 1;
    for r in &report.rows {
        let cells: Vec<Cell> = SEIZURE_COLUMNS
            .iter()
            .map(|(_, cell)| cell(r, &s))
            .collect();
        write_cells(ws, row, &cells, &s, false)?;
        ws.write_string(row, MODUS_COLUMN, r.modus_operandi.join(", "))
            .map_err(xlsx_err)?;
        row += 1;
    }
    let last_col = SEIZURE_COLUMNS.len() as u16 - 1;
    if report.rows.is_empty() {
        ws.write_string_with_format(row, 0, "No seizures match this filter.", &s.subtitle)
            .map_err(xlsx_err)?;
    } else {
        let (first, last) = (HEAD + 1, row - 1);
        let mut cells: Vec<Cell> = (0..=last_col).map(|_| Cell::Blank).collect();
        cells[0] = Cell::Text("Total");
        write_cells(ws, row, &cells, &s, true)?;
        // SUBTOTAL(109, ...) sums the visible rows only, so the total follows the filters;
        // the cached result is the total of every row, shown by viewers that do not calculate.
        let totals = [
            (report.total.kg, &s.kg),
            (report.total.odp_tonnes, &s.odp_t),
            (report.total.co2e_tonnes, &s.co2e),
        ];
        for (c, (v, f)) in SUM_COLUMNS.into_iter().zip(totals) {
            let formula = Formula::new(format!(
                "=SUBTOTAL(109,{}:{})",
                row_col_to_cell(first, c),
                row_col_to_cell(last, c)
            ))
            .set_result(v.to_string());
            ws.write_formula_with_format(row, c, formula, &Styles::total(f))
                .map_err(xlsx_err)?;
        }
        ws.autofilter(HEAD, 0, last, last_col).map_err(xlsx_err)?;
    }
    ws.set_autofit_max_width(280);
    ws.autofit();
    ws.set_freeze_panes(HEAD + 1, 1).map_err(xlsx_err)?;
    ws.set_repeat_rows(HEAD, HEAD).map_err(xlsx_err)?;
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    heading(ws, "Seizures of ozone-depleting substances and HFCs")?;

    let ws = wb.add_worksheet();
    ws.set_name("Totals").map_err(xlsx_err)?;
    let mut row: u32 = 4;
    let substance_rows: Vec<Vec<Cell>> = report
        .by_substance
        .iter()
        .map(|a| {
            vec![
                Cell::Text(&a.key),
                Cell::Text(a.label.as_deref().unwrap_or("")),
                a.odp.map_or(Cell::Blank, |v| Cell::Num(v, &s.odp)),
                a.gwp.map_or(Cell::Blank, |v| Cell::Num(v, &s.gwp)),
                Cell::Text(a.gwp_source.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let month_rows: Vec<Vec<Cell>> = report
        .by_month
        .iter()
        .map(|a| vec![Cell::Text(&a.key)])
        .collect();
    let port_rows: Vec<Vec<Cell>> = report
        .by_port
        .iter()
        .map(|a| {
            vec![
                Cell::Text(&a.key),
                Cell::Text(a.label.as_deref().unwrap_or("")),
                Cell::Text(a.country.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    let sections: [TotalsSection; 3] = [
        (
            "By substance",
            &["Substance", "Annex group", "ODP", "GWP", "GWP source"],
            &report.by_substance,
            substance_rows,
        ),
        ("By month", &["Month"], &report.by_month, month_rows),
        (
            "By port",
            &["Port", "Port name", "Country"],
            &report.by_port,
            port_rows,
        ),
    ];
    for (title, heads, groups, keys) in sections {
        ws.write_string_with_format(row, 0, title, &s.section)
            .map_err(xlsx_err)?;
        row += 1;
        let tail = [
            "Cases",
            "Items",
            "Quantity (kg)",
            "ODP-tonnes",
            "CO2-eq (t)",
        ];
        for (c, h) in heads.iter().chain(tail.iter()).enumerate() {
            ws.write_string_with_format(row, c as u16, *h, &s.header)
                .map_err(xlsx_err)?;
        }
        row += 1;
        let sums = |a: &Aggregate| -> [f64; 5] {
            [
                a.cases as f64,
                a.items as f64,
                a.kg,
                a.odp_tonnes,
                a.co2e_tonnes,
            ]
        };
        let formats = [&s.int, &s.int, &s.kg, &s.odp_t, &s.co2e];
        for (a, mut cells) in groups.iter().zip(keys) {
            cells.extend(
                sums(a)
                    .into_iter()
                    .zip(formats)
                    .map(|(v, f)| Cell::Num(v, f)),
            );
            write_cells(ws, row, &cells, &s, false)?;
            row += 1;
        }
        let mut cells: Vec<Cell> = heads.iter().map(|_| Cell::Blank).collect();
        cells[0] = Cell::Text("Total");
        cells.extend(
            sums(&report.total)
                .into_iter()
                .zip(formats)
                .map(|(v, f)| Cell::Num(v, f)),
        );
        write_cells(ws, row, &cells, &s, true)?;
        row += 2;
    }
    ws.set_autofit_max_width(280);
    ws.autofit();
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    heading(ws, "Seizure totals by substance, month and port")?;

    wb.save_to_buffer().map_err(xlsx_err)
}
