//! Reading the projection for a filter: the rows with their approvals, the parts summed into
//! every grouping in one read, and the report an export renders.

use super::*;
/// `WHERE ...` over `seizure_rows r` for a filter, with its parameters.
/// The SQL condition of a filter over `seizure_rows r` or `seizure_parts p` (`alias`), with its
/// arguments. A substance matches an item of that substance or containing it (a blend's
/// component); over parts, a part of that substance or of an item of it.
fn where_clause(f: &Filter, alias: &str) -> (String, Vec<Arg>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    let mut any_of = |column: &str, values: &[String], args: &mut Vec<Arg>| {
        if values.is_empty() {
            return;
        }
        let marks: Vec<String> = values
            .iter()
            .map(|v| {
                args.push(Arg::from(v.as_str()));
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
        args.push(Arg::from(s.as_str()));
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
        args.push(Arg::from(from.as_str()));
        clauses.push(format!("{alias}.day >= ?{}", args.len()));
    }
    if let Some(to) = &f.to {
        args.push(Arg::from(to.as_str()));
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

/// What a report shows beside its rows: the filter, who made it and when, the grand total and
/// the groupings of the workbook's Totals sheets. Small whatever the row count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportHead {
    pub filter: Filter,
    /// `Filter::describe`.
    pub title: String,
    pub generated_at: String,
    pub generated_by: String,
    pub total: Aggregate,
    /// The Totals sheets of an XLSX export.
    #[serde(skip)]
    pub groups: Groupings,
}

/// The seizures matching a filter, with the totals to show beside them, all in memory (tests and
/// small reads; downloads stream with [`write_report`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub head: ReportHead,
    pub rows: Vec<SeizureRow>,
}

impl std::ops::Deref for Report {
    type Target = ReportHead;
    fn deref(&self) -> &ReportHead {
        &self.head
    }
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
pub(super) fn tidy(v: f64) -> f64 {
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

/// The row a `SELECT {ROW_COLUMNS}` line holds.
fn row_of(r: &dyn Row) -> ServerResult<SeizureRow> {
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
        odp: r.get::<Option<f64>>(31)?.map(tidy),
        odp_tonnes: tidy(r.get(32)?),
        gwp: r.get::<Option<f64>>(33)?.map(tidy),
        co2e_tonnes: tidy(r.get(34)?),
        odp_unknown_kg: tidy(r.get(35)?),
        gwp_unknown_kg: tidy(r.get(36)?),
        odp_source: r.get(37)?,
        gwp_source: r.get(38)?,
        case_items: r.get(39)?,
        case_kg: tidy(r.get(40)?),
        case_odp_tonnes: tidy(r.get(41)?),
        case_co2e_tonnes: tidy(r.get(42)?),
        approval: match r.get::<Option<String>>(43)? {
            Some(reviewer) => Some(ApprovalProof {
                reviewer,
                decided_at: r.get(44)?,
                comment: r.get(45)?,
                reviewed_heads: r.text(46)?.split_whitespace().map(str::to_string).collect(),
                public_key: r.get(47)?,
                signature: r.get(48)?,
            }),
            None => None,
        },
    })
}

/// The rows of a filter in export order (by day), one at a time: memory stays bounded whatever
/// their number.
pub(super) fn for_each_row(
    c: &dyn Sql,
    f: &Filter,
    each: &mut dyn FnMut(&SeizureRow) -> ServerResult<()>,
) -> ServerResult<()> {
    let (clause, args) = where_clause(f, "r");
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM seizure_rows r LEFT JOIN stations s ON s.locode = r.station
         LEFT JOIN approvals a ON a.inspection_id = r.inspection_id
         {clause} ORDER BY r.day, r.recorded_at, r.inspection_id, r.finding_id"
    );
    c.for_each(&sql, &arg_refs(&args), |r| each(&row_of(r)?))
}

fn query_rows(c: &dyn Sql, f: &Filter) -> ServerResult<Vec<SeizureRow>> {
    let mut out = Vec::new();
    for_each_row(c, f, &mut |r| {
        out.push(r.clone());
        Ok(())
    })?;
    Ok(out)
}

/// The rows of the `cases` most recently recorded cases of a filter, newest first (the
/// dashboard's list; the download has them all).
pub(super) fn latest_rows(c: &dyn Sql, f: &Filter, cases: u32) -> ServerResult<Vec<SeizureRow>> {
    let (clause, mut args) = where_clause(f, "r");
    args.push(Arg::from(i64::from(cases)));
    let limit = args.len();
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM seizure_rows r LEFT JOIN stations s ON s.locode = r.station
         LEFT JOIN approvals a ON a.inspection_id = r.inspection_id
         WHERE r.inspection_id IN (SELECT r.inspection_id FROM seizure_rows r {clause}
             GROUP BY r.inspection_id ORDER BY max(r.day) DESC, max(r.recorded_at) DESC,
             r.inspection_id LIMIT CAST(?{limit} AS BIGINT))
         ORDER BY r.day DESC, r.recorded_at DESC, r.inspection_id, r.finding_id"
    );
    c.rows(&sql, &arg_refs(&args), row_of)
}

/// One part of a seized item as the sums need it (a row of `seizure_parts`).
struct PartRow {
    /// The case (inspection) and the seized item, numbered as read in case order: a group has
    /// a new case (item) whenever the number differs from the last one it saw.
    case: u64,
    item: u64,
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

/// Feeds the parts of the seized items the filter selects to `each`, one at a time, in case
/// order (so cases and items are counted without keeping their ids).
fn for_each_part(c: &dyn Sql, f: &Filter, each: &mut dyn FnMut(&PartRow)) -> ServerResult<()> {
    let (clause, args) = where_clause(f, "p");
    let sql = format!(
        "SELECT p.inspection_id, p.finding_id, p.substance, p.annex_group, p.origin, p.station,
             s.name, p.country, p.month, p.year, p.kg, p.tonnes, p.odp_tonnes, p.co2e_tonnes,
             p.review_state = 'changed_since_approval'
         FROM seizure_parts p LEFT JOIN stations s ON s.locode = p.station {clause}
         ORDER BY p.inspection_id, p.finding_id, p.part"
    );
    let (mut case, mut item) = (0u64, 0u64);
    let (mut last_case, mut last_finding) = (String::new(), String::new());
    c.for_each(&sql, &arg_refs(&args), |r| -> ServerResult<()> {
        let inspection_id = r.text(0)?;
        let finding_id = r.text(1)?;
        if case == 0 || inspection_id != last_case {
            case += 1;
            item += 1;
            last_case.clear();
            last_case.push_str(inspection_id);
            last_finding.clear();
            last_finding.push_str(finding_id);
        } else if finding_id != last_finding {
            item += 1;
            last_finding.clear();
            last_finding.push_str(finding_id);
        }
        let odp_tonnes: Option<f64> = r.get(12)?;
        let annex_key = match r.get::<Option<String>>(3)? {
            Some(group) => group,
            None if odp_tonnes.is_none() => "not known".to_string(),
            None => "not controlled".to_string(),
        };
        each(&PartRow {
            case,
            item,
            substance: r.get(2)?,
            annex_key,
            origin: r
                .get::<Option<String>>(4)?
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
        });
        Ok(())
    })
}

/// Running sums of one group. Parts arrive in case order, so a case (item) is new to the group
/// when its number differs from the last one the group counted.
#[derive(Default)]
struct Sums {
    cases: u64,
    items: u64,
    changed: u64,
    last_case: u64,
    last_item: u64,
    last_changed: u64,
    kg: f64,
    tonnes: f64,
    odp_tonnes: f64,
    co2e_tonnes: f64,
    odp_unknown_kg: f64,
    gwp_unknown_kg: f64,
    label: Option<String>,
    country: Option<String>,
}

impl Sums {
    fn add(&mut self, p: &PartRow, group: Option<Group>) {
        if self.last_case != p.case {
            self.last_case = p.case;
            self.cases += 1;
        }
        if self.last_item != p.item {
            self.last_item = p.item;
            self.items += 1;
        }
        if p.changed_since_approval && self.last_changed != p.case {
            self.last_changed = p.case;
            self.changed += 1;
        }
        self.kg += p.kg;
        self.tonnes += p.tonnes;
        match p.odp_tonnes {
            Some(v) => self.odp_tonnes += v,
            None => self.odp_unknown_kg += p.kg,
        }
        match p.co2e_tonnes {
            Some(v) => self.co2e_tonnes += v,
            None => self.gwp_unknown_kg += p.kg,
        }
        if group == Some(Group::Port) && self.country.is_none() {
            self.label = p.station_name.clone();
            self.country = Some(p.country.clone());
        }
    }
}

/// Separates the parts of a group's key (year, annex group, substance for the annual summary).
const KEY_SEPARATOR: char = '\u{1f}';

/// The sums of one grouping (`None`: the grand total, one entry keyed `total`), fed part by part:
/// memory grows with the number of groups, not of parts. Every figure comes from the parts, so
/// a blend counts as its components and an unknown substance in kilograms only.
struct Grouping {
    group: Option<Group>,
    sums: std::collections::BTreeMap<String, Sums>,
    key: String,
}

impl Grouping {
    fn new(group: Option<Group>) -> Grouping {
        Grouping {
            group,
            sums: std::collections::BTreeMap::new(),
            key: String::new(),
        }
    }

    fn add(&mut self, p: &PartRow) {
        self.key.clear();
        match self.group {
            None => self.key.push_str("total"),
            Some(Group::Substance) => self.key.push_str(&p.substance),
            Some(Group::AnnexGroup) => self.key.push_str(&p.annex_key),
            Some(Group::Origin) => self.key.push_str(&p.origin),
            Some(Group::Port) => self.key.push_str(&p.station),
            Some(Group::Month) => self.key.push_str(&p.month),
            Some(Group::Year) => self.key.push_str(&p.year),
            Some(Group::Annual) => {
                for (n, part) in [&p.year, &p.annex_key, &p.substance].iter().enumerate() {
                    if n > 0 {
                        self.key.push(KEY_SEPARATOR);
                    }
                    self.key.push_str(part);
                }
            }
        }
        match self.sums.get_mut(self.key.as_str()) {
            Some(s) => s.add(p, self.group),
            None => self
                .sums
                .entry(self.key.clone())
                .or_default()
                .add(p, self.group),
        }
    }

    /// The aggregates in key order.
    fn finish(self) -> Vec<Aggregate> {
        let group = self.group;
        self.sums
            .into_iter()
            .map(|(key, s)| {
                let mut parts = key.split(KEY_SEPARATOR);
                let key = parts.next().unwrap_or_default().to_string();
                let annex_group = parts.next().unwrap_or_default();
                let substance = parts.next().unwrap_or_default();
                let valued = match group {
                    Some(Group::Substance) => reference::substance(&key),
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
                    key,
                    annex_group: annual.then(|| annex_group.to_string()),
                    substance: annual.then(|| substance.to_string()),
                    label,
                    country: s.country,
                    odp: valued.map(|x| x.odp),
                    gwp: valued.and_then(|x| x.gwp),
                    gwp_source: valued.map(|x| x.gwp_source.clone()),
                    cases: s.cases,
                    items: s.items,
                    kg: tidy(s.kg),
                    tonnes: tidy(s.tonnes),
                    odp_tonnes: tidy(s.odp_tonnes),
                    co2e_tonnes: tidy(s.co2e_tonnes),
                    odp_unknown_kg: tidy(s.odp_unknown_kg),
                    gwp_unknown_kg: tidy(s.gwp_unknown_kg),
                    changed_since_approval_cases: s.changed,
                }
            })
            .collect()
    }

    /// The one aggregate of the grand total (zero when there were no parts).
    fn finish_total(self) -> Aggregate {
        self.finish().pop().unwrap_or_else(|| Aggregate {
            key: "total".into(),
            ..Default::default()
        })
    }
}

/// Each grouping with its aggregates, in the order asked for.
pub type Groupings = Vec<(Group, Vec<Aggregate>)>;

/// The grand total and each of `groups`, summed from one read of the parts.
fn sums(c: &dyn Sql, f: &Filter, groups: &[Group]) -> ServerResult<(Aggregate, Groupings)> {
    let mut total = Grouping::new(None);
    let mut each: Vec<Grouping> = groups.iter().map(|g| Grouping::new(Some(*g))).collect();
    for_each_part(c, f, &mut |p| {
        total.add(p);
        for g in &mut each {
            g.add(p);
        }
    })?;
    let groups = groups
        .iter()
        .zip(each)
        .map(|(g, sums)| (*g, sums.finish()))
        .collect();
    Ok((total.finish_total(), groups))
}

fn generated_at() -> String {
    quayside_core::model::edits::now_rfc3339()
}

/// The seizures `who` asked for and may see.
pub fn seizures(c: &dyn Sql, who: &Principal, q: &SeizureQuery) -> ServerResult<Vec<SeizureRow>> {
    let f = resolve(who, q)?;
    query_rows(c, &f)
}

/// Sums of kg, tonnes, ODP-tonnes, CO2-eq tonnes and cases over the seizures `who` asked for,
/// grouped.
pub fn aggregates(
    c: &dyn Sql,
    who: &Principal,
    q: &SeizureQuery,
    group: Group,
) -> ServerResult<Vec<Aggregate>> {
    let f = resolve(who, q)?;
    let (_, mut groups) = sums(c, &f, &[group])?;
    Ok(groups.pop().map(|(_, g)| g).unwrap_or_default())
}

/// [`aggregates`] with the filter applied and the grand total, from one read.
pub fn aggregate_report(
    c: &dyn Sql,
    who: &Principal,
    q: &SeizureQuery,
    group: Group,
) -> ServerResult<AggregateReport> {
    let filter = resolve(who, q)?;
    let (total, mut groups) = sums(c, &filter, &[group])?;
    Ok(AggregateReport {
        title: filter.describe(),
        filter,
        generated_at: generated_at(),
        generated_by: who.user.clone(),
        group,
        groups: groups.pop().map(|(_, g)| g).unwrap_or_default(),
        total,
    })
}

/// The groupings of a report, in the order the workbook shows them.
const REPORT_GROUPS: [Group; 7] = [
    Group::AnnexGroup,
    Group::Substance,
    Group::Origin,
    Group::Port,
    Group::Month,
    Group::Year,
    Group::Annual,
];

/// The head of a report for an already resolved filter.
fn head_of(c: &dyn Sql, who: &Principal, filter: Filter) -> ServerResult<ReportHead> {
    let (total, groups) = sums(c, &filter, &REPORT_GROUPS)?;
    Ok(ReportHead {
        title: filter.describe(),
        filter,
        generated_at: generated_at(),
        generated_by: who.user.clone(),
        total,
        groups,
    })
}

/// The rows and every total an export shows, read in one snapshot (the caller's read
/// transaction), in memory.
pub fn report(c: &dyn Sql, who: &Principal, q: &SeizureQuery) -> ServerResult<Report> {
    let filter = resolve(who, q)?;
    let head = head_of(c, who, filter)?;
    let rows = query_rows(c, &head.filter)?;
    Ok(Report { head, rows })
}

/// The totals and groupings of what `who` asked for, with the rows of the `cases` most recently
/// recorded cases (newest first), in one snapshot (the caller's read transaction): what the
/// analysts' dashboard shows.
pub fn summary(c: &dyn Sql, who: &Principal, q: &SeizureQuery, cases: u32) -> ServerResult<Report> {
    let filter = resolve(who, q)?;
    let head = head_of(c, who, filter)?;
    let rows = latest_rows(c, &head.filter, cases)?;
    Ok(Report { head, rows })
}

/// Writes the export of what `who` asked for to `out` in `format`, in one snapshot (the
/// caller's read transaction, on a connection of its own: `Db::read_alone`): the sums
/// first (one pass over the parts), then the rows one at a time straight into the file, so
/// memory stays bounded whatever the row count (the workbook's rows sheet in constant-memory
/// mode). Returns the report's head (the file's name comes from its filter).
pub fn write_report<W: std::io::Write + std::io::Seek + Send>(
    c: &dyn Sql,
    who: &Principal,
    q: &SeizureQuery,
    format: Format,
    out: &mut W,
) -> ServerResult<ReportHead> {
    let filter = resolve(who, q)?;
    let head = head_of(c, who, filter)?;
    super::render::render_to(
        &head,
        &mut |each| for_each_row(c, &head.filter, each),
        format,
        out,
    )?;
    Ok(head)
}
