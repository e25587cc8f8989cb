//! The ozone-unit analyst's dashboard: approved seizures of their country as totals by month,
//! substance, annex group, port and country of origin, in kg, ODP-tonnes and CO2-eq tonnes, as
//! charts drawn on the server (SVG, no script) beside the tables they come from, the cases
//! behind them, and the same selection as CSV, XLSX or JSON.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use quayside_core::sync::policy::Role;
use serde::Deserialize;

use super::{Chrome, page, signed_in_as};
use crate::app::{Shared, blocking};
use crate::error::ServerError;
use crate::export::{Aggregate, Format, Group, Report, SeizureQuery};

/// What the dashboard's form sends: every field may be empty (no filter).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct DashboardQuery {
    from: String,
    to: String,
    port: String,
    substance: String,
    /// `approved` (default: approved, changed since approval included) or `all`.
    state: String,
    /// `kg`, `odp` (default) or `co2e`: what the charts measure.
    metric: String,
    /// `csv`, `xlsx` or `json`: the selection as a file instead of the page.
    format: String,
}

impl DashboardQuery {
    fn seizure_query(&self) -> SeizureQuery {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        SeizureQuery {
            from: given(&self.from),
            to: given(&self.to),
            port: given(&self.port),
            substance: given(&self.substance),
            state: match self.state.as_str() {
                "all" => Some("all".into()),
                _ => None,
            },
            ..Default::default()
        }
    }

    /// This selection's query string with `format` set (a download of the same selection).
    fn with_format(&self, format: &str) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("port", &self.port),
            ("substance", &self.substance),
            ("state", &self.state),
        ];
        let mut out: Vec<(&str, &str)> = pairs
            .into_iter()
            .map(|(k, v)| (k, v.trim()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        out.push(("format", format));
        serde_urlencoded::to_string(out).unwrap_or_default()
    }
}

/// What the charts measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Metric {
    Kg,
    OdpTonnes,
    Co2eTonnes,
}

impl Metric {
    const ALL: [(Metric, &'static str, &'static str); 3] = [
        (Metric::OdpTonnes, "odp", "ODP-tonnes"),
        (Metric::Co2eTonnes, "co2e", "CO2-eq tonnes"),
        (Metric::Kg, "kg", "kilograms"),
    ];

    fn parse(s: &str) -> Metric {
        Self::ALL
            .iter()
            .find(|(_, name, _)| *name == s)
            .map_or(Metric::OdpTonnes, |(m, ..)| *m)
    }

    fn label(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(m, ..)| *m == self)
            .map_or("", |(.., label)| label)
    }

    fn of(self, a: &Aggregate) -> f64 {
        match self {
            Metric::Kg => a.kg,
            Metric::OdpTonnes => a.odp_tonnes,
            Metric::Co2eTonnes => a.co2e_tonnes,
        }
    }

    fn show(self, v: f64) -> String {
        match self {
            Metric::Kg => format!("{} kg", quayside_core::model::quantity::format(v, '.')),
            Metric::OdpTonnes => format!("{v:.3}"),
            Metric::Co2eTonnes => format!("{v:.1}"),
        }
    }
}

/// One bar of a chart, laid out in the chart's own units (the template draws it).
struct Bar {
    label: String,
    value: String,
    y: u32,
    width: u32,
    text_x: u32,
}

/// A horizontal bar chart and the table it is drawn from.
struct Chart {
    id: &'static str,
    title: String,
    height: u32,
    bars: Vec<Bar>,
    rows: Vec<TableRow>,
}

struct TableRow {
    key: String,
    cases: u64,
    kg: String,
    odp: String,
    co2e: String,
}

/// The chart's geometry: labels on the left, bars after them, values at their ends.
const LABEL_WIDTH: u32 = 130;
const BAR_SPACE: u32 = 250;
const ROW: u32 = 26;
/// The most bars a chart draws; the rest are summed into one.
const MOST_BARS: usize = 12;

fn row_of(a: &Aggregate) -> TableRow {
    TableRow {
        key: a.key.clone(),
        cases: a.cases,
        kg: quayside_core::model::quantity::format(a.kg, '.'),
        odp: format!("{:.3}", a.odp_tonnes),
        co2e: format!("{:.1}", a.co2e_tonnes),
    }
}

fn chart(id: &'static str, title: &str, groups: &[Aggregate], metric: Metric) -> Chart {
    let mut shown: Vec<(String, f64)> = groups
        .iter()
        .map(|a| (a.key.clone(), metric.of(a)))
        .collect();
    // Months read in their order; everything else largest first, the tail summed.
    if id != "month" {
        shown.sort_by(|a, b| b.1.total_cmp(&a.1));
    }
    if shown.len() > MOST_BARS {
        let rest: f64 = shown[MOST_BARS - 1..].iter().map(|(_, v)| v).sum();
        let others = shown.len() - (MOST_BARS - 1);
        shown.truncate(MOST_BARS - 1);
        shown.push((format!("{others} others"), rest));
    }
    let top = shown.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    let bars = shown
        .into_iter()
        .enumerate()
        .map(|(i, (label, v))| {
            let width = if top > 0.0 {
                ((v / top) * f64::from(BAR_SPACE)).round() as u32
            } else {
                0
            };
            Bar {
                label: if label.chars().count() > 18 {
                    format!("{}…", label.chars().take(17).collect::<String>())
                } else {
                    label
                },
                value: metric.show(v),
                y: i as u32 * ROW,
                width,
                text_x: LABEL_WIDTH + width + 6,
            }
        })
        .collect::<Vec<_>>();
    Chart {
        id,
        title: format!("{title} ({})", metric.label()),
        height: (bars.len() as u32).max(1) * ROW,
        bars,
        rows: groups.iter().map(row_of).collect(),
    }
}

/// A case behind the totals.
struct CaseLine {
    id: String,
    case_ref: String,
    container: String,
    port: String,
    day: String,
    substances: String,
    kg: String,
    odp: String,
    co2e: String,
    changed: bool,
}

/// The most cases the dashboard lists (the newest; the downloads hold every one).
pub const LISTED_CASES: u32 = 200;

/// One line per case, from rows in which each case's items follow each other.
fn cases(report: &Report) -> Vec<CaseLine> {
    let mut out: Vec<CaseLine> = Vec::new();
    for r in &report.rows {
        if let Some(c) = out.last_mut().filter(|c| c.id == r.inspection_id) {
            if !c.substances.split(", ").any(|s| s == r.substance) {
                c.substances.push_str(", ");
                c.substances.push_str(&r.substance);
            }
            continue;
        }
        out.push(CaseLine {
            id: r.inspection_id.clone(),
            case_ref: r.case_ref.clone().unwrap_or_default(),
            container: r.container.clone(),
            port: r.station_name.clone().unwrap_or_else(|| r.station.clone()),
            day: r.day.clone(),
            substances: r.substance.clone(),
            kg: quayside_core::model::quantity::format(r.case_kg, '.'),
            odp: format!("{:.3}", r.case_odp_tonnes),
            co2e: format!("{:.1}", r.case_co2e_tonnes),
            changed: r.as_approved,
        });
    }
    out
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "console/seizures.html")]
struct Dashboard {
    chrome: Chrome,
    query: DashboardQuery,
    title: String,
    error: Option<String>,
    total_cases: u64,
    total_kg: String,
    total_odp: String,
    total_co2e: String,
    unknown: String,
    changed_cases: u64,
    charts: Vec<Chart>,
    cases: Vec<CaseLine>,
    ports: Vec<Choice>,
    metrics: Vec<Choice>,
    all_states: bool,
    csv: String,
    xlsx: String,
    json: String,
    label_width: u32,
    bar_x: u32,
}

pub(super) async fn dashboard(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(query): Query<DashboardQuery>,
) -> Response {
    let s = match signed_in_as(&state, &headers, &[Role::OzoneAnalyst]).await {
        Ok(s) => s,
        Err(answer) => return answer,
    };
    let who = s.principal.clone();
    let q = query.seizure_query();
    let st = state.clone();
    if !query.format.is_empty() {
        return download(&st, who, q, &query.format).await;
    }
    let countries = who.countries.clone();
    let found = blocking(move || {
        let ports = st.db.stations_of(&countries)?;
        // A connection of its own: the sums read every part of the selection. The summary's own
        // failure (a contradictory filter) is kept for the page to show.
        let report = st
            .db
            .read_alone(|c| Ok(crate::export::summary(c, &who, &q, LISTED_CASES)))?;
        Ok((report, ports))
    })
    .await;
    let (report, ports) = match found {
        Ok(found) => found,
        Err(e) => return e.into_response(),
    };
    let metric = Metric::parse(&query.metric);
    let mut dashboard = Dashboard {
        chrome: Chrome::of(&s, "/console/seizures"),
        title: String::new(),
        error: None,
        total_cases: 0,
        total_kg: String::new(),
        total_odp: String::new(),
        total_co2e: String::new(),
        unknown: String::new(),
        changed_cases: 0,
        charts: Vec::new(),
        cases: Vec::new(),
        ports: ports
            .into_iter()
            .map(|(locode, name)| Choice {
                selected: locode == query.port,
                label: format!("{name} ({locode})"),
                value: locode,
            })
            .collect(),
        metrics: Metric::ALL
            .iter()
            .map(|&(m, name, label)| Choice {
                value: name.into(),
                label: label.into(),
                selected: m == metric,
            })
            .collect(),
        all_states: query.state == "all",
        csv: query.with_format("csv"),
        xlsx: query.with_format("xlsx"),
        json: query.with_format("json"),
        label_width: LABEL_WIDTH,
        bar_x: LABEL_WIDTH,
        query,
    };
    match report {
        Ok(report) => {
            let t = &report.total;
            dashboard.title = report.title.clone();
            dashboard.total_cases = t.cases;
            dashboard.total_kg = quayside_core::model::quantity::format(t.kg, '.');
            dashboard.total_odp = format!("{:.3}", t.odp_tonnes);
            dashboard.total_co2e = format!("{:.1}", t.co2e_tonnes);
            dashboard.changed_cases = t.changed_since_approval_cases;
            let unknown = [(t.odp_unknown_kg, "ODP"), (t.gwp_unknown_kg, "GWP")]
                .iter()
                .filter(|(kg, _)| *kg > 0.0)
                .map(|(kg, what)| {
                    format!(
                        "{} kg with no known {what} are left out of its tonnes",
                        quayside_core::model::quantity::format(*kg, '.')
                    )
                })
                .collect::<Vec<_>>();
            dashboard.unknown = unknown.join("; ");
            let of = |g: Group| {
                report
                    .groups
                    .iter()
                    .find(|(group, _)| *group == g)
                    .map(|(_, a)| a.as_slice())
                    .unwrap_or_default()
            };
            dashboard.charts = vec![
                chart("month", "By month", of(Group::Month), metric),
                chart("substance", "By substance", of(Group::Substance), metric),
                chart(
                    "annex",
                    "By Montreal Protocol annex group",
                    of(Group::AnnexGroup),
                    metric,
                ),
                chart("port", "By port", of(Group::Port), metric),
                chart("origin", "By country of origin", of(Group::Origin), metric),
            ];
            dashboard.cases = cases(&report);
            page(StatusCode::OK, &dashboard)
        }
        Err(ServerError::BadRequest(why) | ServerError::Conflict(why)) => {
            dashboard.error = Some(why);
            page(StatusCode::BAD_REQUEST, &dashboard)
        }
        Err(e) => e.into_response(),
    }
}

/// The dashboard's selection as a file, exactly as the API's `/v1/seizures` renders it.
async fn download(
    state: &Shared,
    who: quayside_core::sync::policy::Principal,
    q: SeizureQuery,
    format: &str,
) -> Response {
    let made = match format.parse::<Format>() {
        Ok(format) => crate::app::seizure_file(state, who, q, format).await,
        Err(e) => Err(e),
    };
    made.unwrap_or_else(IntoResponse::into_response)
}
