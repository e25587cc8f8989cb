//! What an analyst asks for and may see: the query string held to the API description, the
//! formats and groupings, and the filter actually applied after defaults and access rules.

use super::*;
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
