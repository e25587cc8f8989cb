//! Seizure exports as the files an ozone unit opens: JSON, CSV and an XLSX workbook. The CSV
//! columns and the spreadsheet columns come from one table, so the two never disagree.
//!
//! CSV numbers are written in full (to the nanotonne the projection keeps) so that nothing is
//! lost on import; the workbook holds the same numbers and only formats them for reading.

use quayside_core::signing::exported;
use rust_xlsxwriter::{Format as Style, Workbook, Worksheet};

use std::io::{Seek, Write};

use super::{Aggregate, AggregateReport, Format, Group, Report, ReportHead, SeizureRow};
use crate::error::{ServerError, ServerResult};

/// A source of rows: calls the function it is given with every row, in order, stopping at the
/// first error (rows straight from the database, or a report's rows in memory).
pub type Rows<'a> =
    &'a mut dyn FnMut(&mut dyn FnMut(&SeizureRow) -> ServerResult<()>) -> ServerResult<()>;

/// Renders a report held in memory in `format`.
pub fn render(report: &Report, format: Format) -> ServerResult<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    render_to(
        &report.head,
        &mut |each| report.rows.iter().try_for_each(each),
        format,
        &mut out,
    )?;
    Ok(out.into_inner())
}

/// Writes a report in `format` to `out`, taking the rows one at a time from `rows`: nothing
/// keeps them (the workbook's rows sheet is written in constant-memory mode).
pub fn render_to<W: Write + Seek + Send>(
    head: &ReportHead,
    rows: Rows<'_>,
    format: Format,
    out: &mut W,
) -> ServerResult<()> {
    match format {
        Format::Json => json_report(head, rows, out),
        Format::Csv => rows_csv(rows, out),
        Format::Xlsx => rows_xlsx(head, rows, out),
    }
}

fn io_err(e: std::io::Error) -> ServerError {
    ServerError::Internal(format!("writing the export: {e}"))
}

fn json_err(e: serde_json::Error) -> ServerError {
    ServerError::Internal(format!("json: {e}"))
}

/// JSON of a report, its rows written as they come: the same document [`Report`] serialises to
/// (the head's fields, then `rows`).
fn json_report<W: Write>(head: &ReportHead, rows: Rows<'_>, out: &mut W) -> ServerResult<()> {
    let mut w = std::io::BufWriter::new(out);
    let mut head = serde_json::to_vec(head).map_err(json_err)?;
    // An object: open it again after the head's last field.
    if head.pop() != Some(b'}') {
        return Err(ServerError::Internal(
            "the report head is not an object".into(),
        ));
    }
    w.write_all(&head).map_err(io_err)?;
    w.write_all(b",\"rows\":[").map_err(io_err)?;
    let mut first = true;
    rows(&mut |r| {
        if !first {
            w.write_all(b",\n").map_err(io_err)?;
        }
        first = false;
        serde_json::to_writer(&mut w, r).map_err(json_err)
    })?;
    w.write_all(b"]}\n").map_err(io_err)?;
    w.flush().map_err(io_err)
}

/// Renders grouped sums in `format`: JSON as the API answers, CSV one line per group then the
/// total, XLSX one sheet.
pub fn render_aggregates(report: &AggregateReport, format: Format) -> ServerResult<Vec<u8>> {
    match format {
        Format::Json => serde_json::to_vec_pretty(report).map_err(json_err),
        Format::Csv => aggregates_csv(report.group, &report.groups, &report.total),
        Format::Xlsx => aggregates_xlsx(report),
    }
}

// ---------------------------------------------------------------------------------------------
// Cells and columns
// ---------------------------------------------------------------------------------------------

/// What a number measures, which decides how the spreadsheet shows it.
#[derive(Clone, Copy)]
enum Num {
    Int,
    Kg,
    Tonnes,
    Odp,
    OdpTonnes,
    Gwp,
    Co2e,
}

/// One cell of a row, whatever the file.
enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    /// Text shown in red in the spreadsheet: declared as something other than what was found,
    /// or a record changed since its approval.
    Flag(&'a str),
    Date(&'a str),
    Num(f64, Num),
    /// A total line's formula with its cached result, formatted as its column.
    Formula(rust_xlsxwriter::Formula, Num),
    Blank,
}

impl Cell<'_> {
    fn text(v: &Option<String>) -> Cell<'_> {
        v.as_deref().map_or(Cell::Blank, Cell::Text)
    }

    fn num(v: Option<f64>, kind: Num) -> Cell<'static> {
        v.map_or(Cell::Blank, |v| Cell::Num(v, kind))
    }

    /// As a CSV field: text that a spreadsheet would run as a formula gets a leading `'`.
    fn csv(&self) -> String {
        let text = |s: &str| {
            if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s.to_string()
            }
        };
        match self {
            Cell::Text(s) | Cell::Flag(s) | Cell::Date(s) => text(s),
            Cell::Owned(s) => text(s),
            Cell::Num(v, Num::Int) => format!("{v:.0}"),
            Cell::Num(v, _) => v.to_string(),
            Cell::Formula(..) | Cell::Blank => String::new(),
        }
    }
}

/// A column of the seizure rows: its CSV name, its spreadsheet header (None: CSV only) and
/// whether the spreadsheet's total row sums it.
struct Column {
    csv: &'static str,
    sheet: Option<&'static str>,
    sum: bool,
    cell: for<'a> fn(&'a SeizureRow) -> Cell<'a>,
}

const fn col(
    csv: &'static str,
    sheet: Option<&'static str>,
    cell: for<'a> fn(&'a SeizureRow) -> Cell<'a>,
) -> Column {
    Column {
        csv,
        sheet,
        sum: false,
        cell,
    }
}

const fn summed(
    csv: &'static str,
    sheet: &'static str,
    cell: for<'a> fn(&'a SeizureRow) -> Cell<'a>,
) -> Column {
    Column {
        csv,
        sheet: Some(sheet),
        sum: true,
        cell,
    }
}

fn approval<'a>(r: &'a SeizureRow, part: fn(&'a super::ApprovalProof) -> Cell<'a>) -> Cell<'a> {
    r.approval.as_ref().map_or(Cell::Blank, part)
}

const COLUMNS: &[Column] = &[
    col("date", Some("Date"), |r| Cell::Date(&r.day)),
    col("month", None, |r| Cell::Text(&r.month)),
    col("year", None, |r| Cell::Text(&r.year)),
    col("country", Some("Country"), |r| Cell::Text(&r.country)),
    col("station", Some("Port"), |r| Cell::Text(&r.station)),
    col("station_name", Some("Port name"), |r| {
        Cell::text(&r.station_name)
    }),
    col("case_ref", Some("Case ref"), |r| Cell::text(&r.case_ref)),
    col("container", Some("Container"), |r| Cell::Text(&r.container)),
    col("action", Some("Action"), |r| Cell::text(&r.action)),
    col("modus_operandi", Some("Modus operandi"), |r| {
        Cell::Owned(r.modus_operandi.join("; "))
    }),
    col("legal_basis", Some("Legal basis"), |r| {
        Cell::text(&r.legal_basis)
    }),
    col("origin", Some("Origin"), |r| Cell::text(&r.origin)),
    col("destination", Some("Destination"), |r| {
        Cell::text(&r.destination)
    }),
    col("transit", Some("Transit"), |r| {
        Cell::Owned(r.transit.join("; "))
    }),
    col("consignor", Some("Consignor"), |r| Cell::text(&r.consignor)),
    col("consignee", Some("Consignee"), |r| Cell::text(&r.consignee)),
    col("declared_hs", Some("HS declared"), |r| {
        Cell::text(&r.declared_hs)
    }),
    col("observed_hs", Some("HS of the goods"), |r| {
        Cell::text(&r.observed_hs)
    }),
    col("review_state", Some("Review state"), |r| {
        if r.as_approved {
            Cell::Flag(&r.review_state)
        } else {
            Cell::Text(&r.review_state)
        }
    }),
    col("as_approved", None, |r| {
        Cell::Text(if r.as_approved { "true" } else { "false" })
    }),
    col(exported::FINDING_ID, None, |r| Cell::Text(&r.finding_id)),
    col("substance", Some("Substance"), |r| Cell::Text(&r.substance)),
    col("basis", Some("Figures from"), |r| Cell::Text(&r.basis)),
    col("annex_group", Some("Annex group"), |r| {
        Cell::text(&r.annex_group)
    }),
    col("declared_substance", Some("Declared as"), |r| {
        match r.declared_substance.as_deref() {
            Some(d) if d != r.substance => Cell::Flag(d),
            Some(d) => Cell::Text(d),
            None => Cell::Blank,
        }
    }),
    col("cylinder_type", Some("Cylinder type"), |r| {
        Cell::text(&r.cylinder_type)
    }),
    col("cylinders", Some("Cylinders"), |r| {
        Cell::num(r.cylinders.map(f64::from), Num::Int)
    }),
    summed("quantity_kg", "Quantity (kg)", |r| {
        Cell::Num(r.quantity_kg, Num::Kg)
    }),
    summed("tonnes", "Tonnes", |r| Cell::Num(r.tonnes, Num::Tonnes)),
    col("odp", Some("ODP"), |r| Cell::num(r.odp, Num::Odp)),
    summed("odp_tonnes", "ODP-tonnes", |r| {
        Cell::Num(r.odp_tonnes, Num::OdpTonnes)
    }),
    col("gwp", Some("GWP"), |r| Cell::num(r.gwp, Num::Gwp)),
    summed("co2e_tonnes", "CO2-eq (t)", |r| {
        Cell::Num(r.co2e_tonnes, Num::Co2e)
    }),
    summed("odp_unknown_kg", "kg of unknown ODP", |r| {
        Cell::Num(r.odp_unknown_kg, Num::Kg)
    }),
    summed("gwp_unknown_kg", "kg of unknown GWP", |r| {
        Cell::Num(r.gwp_unknown_kg, Num::Kg)
    }),
    col("odp_source", Some("ODP source"), |r| {
        Cell::Text(&r.odp_source)
    }),
    col("gwp_source", Some("GWP source"), |r| {
        Cell::Text(&r.gwp_source)
    }),
    col("case_items", Some("Case items"), |r| {
        Cell::Num(f64::from(r.case_items), Num::Int)
    }),
    col("case_kg", Some("Case kg"), |r| {
        Cell::Num(r.case_kg, Num::Kg)
    }),
    col("case_odp_tonnes", Some("Case ODP-t"), |r| {
        Cell::Num(r.case_odp_tonnes, Num::OdpTonnes)
    }),
    col("case_co2e_tonnes", Some("Case CO2-eq (t)"), |r| {
        Cell::Num(r.case_co2e_tonnes, Num::Co2e)
    }),
    col("recorded_at", None, |r| Cell::Text(&r.recorded_at)),
    col(exported::INSPECTION_ID, Some("Inspection"), |r| {
        Cell::Text(&r.inspection_id)
    }),
    col(exported::APPROVED_BY, Some("Approved by"), |r| {
        approval(r, |a| Cell::Text(&a.reviewer))
    }),
    col(exported::APPROVED_AT, Some("Approved at"), |r| {
        approval(r, |a| Cell::Text(&a.decided_at))
    }),
    col(exported::APPROVAL_COMMENT, None, |r| {
        approval(r, |a| Cell::Text(&a.comment))
    }),
    col(exported::APPROVED_HEADS, None, |r| {
        approval(r, |a| Cell::Owned(a.reviewed_heads.join(" ")))
    }),
    col(exported::APPROVAL_PUBLIC_KEY, None, |r| {
        approval(r, |a| Cell::Text(&a.public_key))
    }),
    col(
        exported::APPROVAL_SIGNATURE,
        Some("Approval signature (Ed25519)"),
        |r| approval(r, |a| Cell::Text(&a.signature)),
    ),
];

/// A column naming the group of an aggregate.
type KeyColumn = (
    &'static str,
    &'static str,
    for<'a> fn(&'a Aggregate) -> Cell<'a>,
);

/// The columns that name a group, per grouping.
fn key_columns(group: Group) -> &'static [KeyColumn] {
    match group {
        Group::Substance => &[
            ("substance", "Substance", |a| Cell::Text(&a.key)),
            ("annex_group", "Annex group", |a| Cell::text(&a.label)),
            ("odp", "ODP", |a| Cell::num(a.odp, Num::Odp)),
            ("gwp", "GWP", |a| Cell::num(a.gwp, Num::Gwp)),
            ("gwp_source", "GWP source", |a| Cell::text(&a.gwp_source)),
        ],
        Group::AnnexGroup => &[("annex_group", "Annex group", |a| Cell::Text(&a.key))],
        Group::Origin => &[("origin", "Country of origin", |a| Cell::Text(&a.key))],
        Group::Port => &[
            ("station", "Port", |a| Cell::Text(&a.key)),
            ("station_name", "Port name", |a| Cell::text(&a.label)),
            ("country", "Country", |a| Cell::text(&a.country)),
        ],
        Group::Month => &[("month", "Month", |a| Cell::Text(&a.key))],
        Group::Year => &[("year", "Year", |a| Cell::Text(&a.key))],
        Group::Annual => &[
            ("year", "Year", |a| Cell::Text(&a.key)),
            ("annex_group", "Annex group", |a| Cell::text(&a.annex_group)),
            ("substance", "Substance", |a| Cell::text(&a.substance)),
            ("odp", "ODP", |a| Cell::num(a.odp, Num::Odp)),
            ("gwp", "GWP", |a| Cell::num(a.gwp, Num::Gwp)),
        ],
    }
}

/// The sums every aggregate carries: CSV name, spreadsheet header, value.
type SumColumn = (&'static str, &'static str, fn(&Aggregate) -> Cell<'static>);

const SUM_COLUMNS: &[SumColumn] = &[
    ("cases", "Cases", |a| Cell::Num(a.cases as f64, Num::Int)),
    ("items", "Items", |a| Cell::Num(a.items as f64, Num::Int)),
    ("kg", "Quantity (kg)", |a| Cell::Num(a.kg, Num::Kg)),
    ("tonnes", "Tonnes", |a| Cell::Num(a.tonnes, Num::Tonnes)),
    ("odp_tonnes", "ODP-tonnes", |a| {
        Cell::Num(a.odp_tonnes, Num::OdpTonnes)
    }),
    ("co2e_tonnes", "CO2-eq (t)", |a| {
        Cell::Num(a.co2e_tonnes, Num::Co2e)
    }),
    ("odp_unknown_kg", "kg of unknown ODP", |a| {
        Cell::Num(a.odp_unknown_kg, Num::Kg)
    }),
    ("gwp_unknown_kg", "kg of unknown GWP", |a| {
        Cell::Num(a.gwp_unknown_kg, Num::Kg)
    }),
    (
        "changed_since_approval_cases",
        "Cases changed since approval",
        |a| Cell::Num(a.changed_since_approval_cases as f64, Num::Int),
    ),
];

/// The cells of one aggregate line; `total`: the grand total line, its key cells blank but the
/// first.
fn aggregate_cells(group: Group, a: &Aggregate, total: bool) -> Vec<Cell<'_>> {
    let keys = key_columns(group)
        .iter()
        .enumerate()
        .map(|(n, (_, _, cell))| match (total, n) {
            (true, 0) => Cell::Text("Total"),
            (true, _) => Cell::Blank,
            (false, _) => cell(a),
        });
    keys.chain(SUM_COLUMNS.iter().map(|(_, _, cell)| cell(a)))
        .collect()
}

/// How a grouping is titled in the workbook.
fn title(group: Group) -> &'static str {
    match group {
        Group::Substance => "By substance (blends split into their components)",
        Group::AnnexGroup => "By Montreal Protocol annex group",
        Group::Origin => "By country of origin",
        Group::Port => "By port",
        Group::Month => "By month",
        Group::Year => "By year",
        Group::Annual => "Annual summary by annex group and substance",
    }
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

fn csv_file(header: Vec<&str>, lines: impl Iterator<Item = Vec<String>>) -> ServerResult<Vec<u8>> {
    let err = |e: csv::Error| ServerError::Internal(format!("csv: {e}"));
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    w.write_record(header).map_err(err)?;
    for line in lines {
        w.write_record(line).map_err(err)?;
    }
    w.into_inner()
        .map_err(|e| ServerError::Internal(format!("csv: {e}")))
}

/// CSV: a header line, one line per seized item, written as the rows come.
fn rows_csv<W: Write>(rows: Rows<'_>, out: &mut W) -> ServerResult<()> {
    let err = |e: csv::Error| ServerError::Internal(format!("csv: {e}"));
    let mut w = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    w.write_record(COLUMNS.iter().map(|c| c.csv)).map_err(err)?;
    rows(&mut |r| {
        w.write_record(COLUMNS.iter().map(|c| (c.cell)(r).csv()))
            .map_err(err)
    })?;
    w.flush().map_err(io_err)
}

fn aggregates_csv(group: Group, groups: &[Aggregate], total: &Aggregate) -> ServerResult<Vec<u8>> {
    let header = key_columns(group)
        .iter()
        .map(|(name, _, _)| *name)
        .chain(SUM_COLUMNS.iter().map(|(name, _, _)| *name))
        .collect();
    let lines = groups
        .iter()
        .map(|a| aggregate_cells(group, a, false))
        .chain(std::iter::once(aggregate_cells(group, total, true)))
        .map(|cells| cells.iter().map(Cell::csv).collect());
    csv_file(header, lines)
}

// ---------------------------------------------------------------------------------------------
// XLSX
// ---------------------------------------------------------------------------------------------

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> ServerError {
    ServerError::Internal(format!("xlsx: {e}"))
}

/// The formats of a workbook, made once.
struct Styles {
    title: Style,
    subtitle: Style,
    section: Style,
    header: Style,
    date: Style,
    flag: Style,
    plain: Style,
}

impl Styles {
    fn new() -> Styles {
        use rust_xlsxwriter::{Color, FormatBorder};
        let navy = Color::RGB(0x1F3864);
        Styles {
            title: Style::new()
                .set_bold()
                .set_font_size(14)
                .set_font_color(navy),
            subtitle: Style::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959)),
            section: Style::new()
                .set_bold()
                .set_font_size(12)
                .set_font_color(navy),
            header: Style::new()
                .set_bold()
                .set_font_color(Color::White)
                .set_background_color(navy)
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap(),
            date: Style::new().set_num_format("yyyy-mm-dd"),
            flag: Style::new().set_bold().set_font_color(Color::RGB(0xC00000)),
            plain: Style::new(),
        }
    }

    fn number(kind: Num) -> Style {
        Style::new().set_num_format(match kind {
            Num::Int => "#,##0",
            Num::Kg => "#,##0.0##",
            Num::Tonnes => "#,##0.000###",
            Num::Odp => "0.0#####",
            Num::OdpTonnes => "#,##0.0000##",
            Num::Gwp => "#,##0.##",
            Num::Co2e => "#,##0.0##",
        })
    }

    /// `f` as it looks on a total line: bold, double rule above.
    fn total(f: &Style) -> Style {
        f.clone()
            .set_bold()
            .set_border_top(rust_xlsxwriter::FormatBorder::Double)
    }
}

fn write_cells(
    ws: &mut Worksheet,
    row: u32,
    cells: &[Cell],
    s: &Styles,
    total: bool,
) -> ServerResult<()> {
    for (c, cell) in cells.iter().enumerate() {
        let c = c as u16;
        let style = |f: &Style| if total { Styles::total(f) } else { f.clone() };
        match cell {
            Cell::Text(t) if !t.is_empty() => {
                ws.write_string_with_format(row, c, *t, &style(&s.plain))
            }
            Cell::Owned(t) if !t.is_empty() => {
                ws.write_string_with_format(row, c, t, &style(&s.plain))
            }
            Cell::Flag(t) => ws.write_string_with_format(row, c, *t, &style(&s.flag)),
            Cell::Date(d) => match rust_xlsxwriter::ExcelDateTime::parse_from_str(d) {
                Ok(date) => ws.write_datetime_with_format(row, c, &date, &style(&s.date)),
                Err(_) => ws.write_string_with_format(row, c, *d, &style(&s.plain)),
            },
            Cell::Num(v, kind) => {
                ws.write_number_with_format(row, c, *v, &style(&Styles::number(*kind)))
            }
            Cell::Formula(f, kind) => {
                ws.write_formula_with_format(row, c, f.clone(), &style(&Styles::number(*kind)))
            }
            _ if total => ws.write_blank(row, c, &style(&s.plain)),
            _ => continue,
        }
        .map_err(xlsx_err)?;
    }
    Ok(())
}

fn write_header<'h>(
    ws: &mut Worksheet,
    row: u32,
    heads: impl Iterator<Item = &'h str>,
    s: &Styles,
) -> ServerResult<()> {
    for (c, h) in heads.enumerate() {
        ws.write_string_with_format(row, c as u16, h, &s.header)
            .map_err(xlsx_err)?;
    }
    Ok(())
}

/// What every sheet says above its data.
struct Heading {
    subtitle: String,
}

const NOTE: &str = "Tonnes are metric. ODP-tonnes = tonnes x ODP (Montreal Protocol annexes); \
                    CO2-eq tonnes = tonnes x GWP (100-year, IPCC AR4, as listed in the Kigali \
                    Amendment). Blends count as their components by mass; a measured reading as \
                    what was measured. Kilograms whose ODP or GWP is not known (unidentified \
                    goods, substances outside the reference) are counted apart, never as zero.";

impl Heading {
    fn new(title: &str, generated_at: &str, generated_by: &str, total: &Aggregate) -> Heading {
        let generated = chrono::DateTime::parse_from_rfc3339(generated_at)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|_| generated_at.to_string());
        let mut subtitle = format!(
            "Filter: {title} · generated {generated} by {generated_by} · {} case(s), {} seized \
             item(s)",
            total.cases, total.items
        );
        if total.changed_since_approval_cases > 0 {
            subtitle.push_str(&format!(
                " · {} case(s) changed since approval, counted as approved",
                total.changed_since_approval_cases
            ));
        }
        Heading { subtitle }
    }

    /// Writes the title, the filter and the note; call after autofit so that their long text
    /// does not widen column A.
    fn write(&self, ws: &mut Worksheet, title: &str, s: &Styles) -> ServerResult<()> {
        ws.write_string_with_format(0, 0, title, &s.title)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(1, 0, &self.subtitle, &s.subtitle)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(2, 0, NOTE, &s.subtitle)
            .map_err(xlsx_err)?;
        Ok(())
    }
}

/// A new workbook for a report: its styles, the heading every sheet shows and the workbook with
/// its properties set.
fn workbook(
    title: &str,
    generated_at: &str,
    generated_by: &str,
    total: &Aggregate,
) -> (Styles, Heading, Workbook) {
    let heading = Heading::new(title, generated_at, generated_by, total);
    let mut wb = Workbook::new();
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title("Quayside seizures")
            .set_subject("Seizures of ozone-depleting substances and HFCs")
            .set_author("Quayside")
            .set_comment(&heading.subtitle),
    );
    (Styles::new(), heading, wb)
}

fn finish(ws: &mut Worksheet) {
    ws.set_autofit_max_width(280);
    ws.autofit();
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
}

/// Writes a titled table of grouped sums from `row`; returns the next free row.
fn write_section(
    ws: &mut Worksheet,
    mut row: u32,
    group: Group,
    groups: &[Aggregate],
    total: &Aggregate,
    s: &Styles,
) -> ServerResult<u32> {
    ws.write_string_with_format(row, 0, title(group), &s.section)
        .map_err(xlsx_err)?;
    row += 1;
    let keys = key_columns(group).iter().map(|(_, h, _)| *h);
    write_header(
        ws,
        row,
        keys.chain(SUM_COLUMNS.iter().map(|(_, h, _)| *h)),
        s,
    )?;
    row += 1;
    for a in groups {
        write_cells(ws, row, &aggregate_cells(group, a, false), s, false)?;
        row += 1;
    }
    write_cells(ws, row, &aggregate_cells(group, total, true), s, true)?;
    Ok(row + 2)
}

const HEAD: u32 = 4;

/// The widest a column is made (in characters, about 280 pixels); longer text wraps in the
/// cell's width when opened.
const MAX_WIDTH: usize = 40;

/// About how many characters a cell shows (the rows sheet is sized as it is written: it keeps no
/// rows to measure afterwards).
fn shown_width(cell: &Cell) -> usize {
    // Digits of the whole part, thousands separators, the point and the decimals shown.
    let digits = |v: f64, decimals: usize| {
        let whole = v.abs().trunc();
        let whole = if whole < 1.0 {
            1
        } else {
            whole.log10() as usize + 1
        };
        whole + (whole - 1) / 3 + decimals + usize::from(decimals > 0)
    };
    match cell {
        Cell::Text(t) | Cell::Flag(t) => t.chars().count(),
        Cell::Owned(t) => t.chars().count(),
        Cell::Date(_) => 10,
        Cell::Formula(..) => 0,
        Cell::Num(v, Num::Int) => digits(*v, 0),
        Cell::Num(v, Num::Gwp) => digits(*v, 2),
        Cell::Num(v, Num::Kg | Num::Co2e) => digits(*v, 3),
        Cell::Num(v, Num::Odp | Num::Tonnes | Num::OdpTonnes) => digits(*v, 6),
        Cell::Blank => 0,
    }
}

/// XLSX: a "Seizures" sheet (title naming the filter and when it was made; one row per seized
/// item under a frozen header with filter buttons; a total row that follows the filters), a
/// "Totals" sheet by annex group, substance, origin, port, month and year, and an "Annual
/// summary" sheet per year, annex group and substance. The rows sheet is written in
/// rust_xlsxwriter's constant-memory mode, row by row into a temporary file, so a workbook of
/// any size costs the memory of one row.
fn rows_xlsx<W: Write + Seek + Send>(
    head: &ReportHead,
    rows: Rows<'_>,
    out: &mut W,
) -> ServerResult<()> {
    use rust_xlsxwriter::Formula;
    use rust_xlsxwriter::utility::row_col_to_cell;

    let (s, heading, mut wb) = workbook(
        &head.title,
        &head.generated_at,
        &head.generated_by,
        &head.total,
    );
    let columns: Vec<&Column> = COLUMNS.iter().filter(|c| c.sheet.is_some()).collect();
    // Headers wrap: a column is at least as wide as its longest word.
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            c.sheet
                .unwrap_or_default()
                .split(' ')
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut sums: Vec<Option<(f64, Num)>> = columns.iter().map(|_| None).collect();

    let ws = wb.add_worksheet_with_constant_memory().map_err(xlsx_err)?;
    ws.set_name("Seizures").map_err(xlsx_err)?;
    heading.write(ws, "Seizures of ozone-depleting substances and HFCs", &s)?;
    write_header(ws, HEAD, columns.iter().filter_map(|c| c.sheet), &s)?;
    let mut row = HEAD + 1;
    rows(&mut |r| {
        let cells: Vec<Cell> = columns.iter().map(|c| (c.cell)(r)).collect();
        for (c, cell) in cells.iter().enumerate() {
            widths[c] = widths[c].max(shown_width(cell));
            if let (true, Cell::Num(v, kind)) = (columns[c].sum, cell) {
                let (sum, _) = sums[c].unwrap_or((0.0, *kind));
                sums[c] = Some((sum + v, *kind));
            }
        }
        write_cells(ws, row, &cells, &s, false)?;
        row += 1;
        Ok(())
    })?;
    let last_col = columns.len() as u16 - 1;
    if row == HEAD + 1 {
        ws.write_string_with_format(row, 0, "No seizures match this filter.", &s.subtitle)
            .map_err(xlsx_err)?;
    } else {
        let (first, last) = (HEAD + 1, row - 1);
        let mut cells: Vec<Cell> = (0..=last_col).map(|_| Cell::Blank).collect();
        cells[0] = Cell::Text("Total");
        // SUBTOTAL(109, ...) sums the visible rows only, so the total follows the filters; the
        // cached result, shown by viewers that do not calculate, is the sum of every row.
        for (c, sum) in sums.iter().enumerate() {
            if columns[c].sum {
                let (sum, kind) = sum.unwrap_or((0.0, Num::Kg));
                let formula = Formula::new(format!(
                    "=SUBTOTAL(109,{}:{})",
                    row_col_to_cell(first, c as u16),
                    row_col_to_cell(last, c as u16)
                ))
                .set_result(super::tidy(sum).to_string());
                cells[c] = Cell::Formula(formula, kind);
            }
        }
        write_cells(ws, row, &cells, &s, true)?;
        ws.autofilter(HEAD, 0, last, last_col).map_err(xlsx_err)?;
    }
    for (c, width) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*width).min(MAX_WIDTH) as f64 + 1.5)
            .map_err(xlsx_err)?;
    }
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_freeze_panes(HEAD + 1, 1).map_err(xlsx_err)?;
    ws.set_repeat_rows(HEAD, HEAD).map_err(xlsx_err)?;

    let ws = wb.add_worksheet();
    ws.set_name("Totals").map_err(xlsx_err)?;
    let mut row = HEAD;
    for (group, groups) in head.groups.iter().filter(|(g, _)| *g != Group::Annual) {
        row = write_section(ws, row, *group, groups, &head.total, &s)?;
    }
    finish(ws);
    heading.write(ws, "Seizure totals", &s)?;

    if let Some((group, groups)) = head.groups.iter().find(|(g, _)| *g == Group::Annual) {
        let ws = wb.add_worksheet();
        ws.set_name("Annual summary").map_err(xlsx_err)?;
        write_section(ws, HEAD, *group, groups, &head.total, &s)?;
        finish(ws);
        heading.write(ws, "Illegal trade by year, annex group and substance", &s)?;
    }

    wb.save_to_writer(out).map_err(xlsx_err)
}

/// XLSX of one grouping: one sheet.
fn aggregates_xlsx(report: &AggregateReport) -> ServerResult<Vec<u8>> {
    let (s, heading, mut wb) = workbook(
        &report.title,
        &report.generated_at,
        &report.generated_by,
        &report.total,
    );
    let ws = wb.add_worksheet();
    ws.set_name("Totals").map_err(xlsx_err)?;
    write_section(ws, HEAD, report.group, &report.groups, &report.total, &s)?;
    finish(ws);
    heading.write(ws, "Seizure totals", &s)?;
    wb.save_to_buffer().map_err(xlsx_err)
}
