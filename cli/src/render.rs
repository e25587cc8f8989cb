//! Text and JSON output of the CLI: JSON for scripts, aligned text for people.

use std::fmt::Write;

use quayside_core::{
    ConflictKind, ElementList, FlagRecord, HistoryRecord, InspectionSummary, InspectionView,
    QuantityRecord, ReferenceEntry, ReviewRecord, SyncProgressRecord, SyncReportRecord,
    SyncStatusRecord,
};
use serde::Serialize;

use crate::ids::short;
use crate::{CliError, CliResult};

/// Prints `value` as JSON, or `text()` for a person.
/// A closed pipe (`quayside list | head`) ends the output quietly.
pub fn emit<T: Serialize>(json: bool, value: &T, text: impl FnOnce() -> String) -> CliResult {
    use std::io::Write;
    let out = if json {
        let mut s = serde_json::to_string_pretty(value)
            .map_err(|e| CliError::Usage(format!("cannot print JSON: {e}")))?;
        s.push('\n');
        s
    } else {
        text()
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::Usage(format!("cannot write output: {e}")))
        }
        _ => Ok(()),
    }
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

fn kg(v: f64) -> String {
    format!("{v:.1} kg")
}

/// After `inspection new`.
pub fn created(view: &InspectionView) -> String {
    let i = &view.inspection;
    let mut out = format!(
        "Started inspection {}\n  container {}  station {}  officer {}\n",
        i.id, i.container.number, i.station, i.officer
    );
    for f in &view.assessment.flags {
        let _ = writeln!(out, "  ! {}", flag(f));
    }
    out
}

/// After an edit: what was done, the totals and the flags.
pub fn updated(view: &InspectionView, what: &str) -> String {
    let i = &view.inspection;
    let t = &view.assessment.total;
    let mut out = format!(
        "{what} inspection {}\n  container {}  {} finding(s)  {}  {}  {}\n",
        i.id,
        i.container.number,
        i.findings.len(),
        kg(t.kg),
        odp_tonnes(t),
        co2e_tonnes(t)
    );
    for f in &view.assessment.flags {
        let _ = writeln!(out, "  ! {}", flag(f));
    }
    if !view.conflicts.is_empty() {
        let _ = writeln!(
            out,
            "  {} field(s) in conflict: see `quayside show {}`",
            view.conflicts.len(),
            i.id
        );
    }
    out
}

/// One inspection in full.
pub fn inspection(view: &InspectionView) -> String {
    let i = &view.inspection;
    let a = &view.assessment;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Inspection {}  [{}]",
        i.id,
        view.review_state.as_str().replace('_', " ").to_uppercase()
    );
    let _ = writeln!(
        o,
        "  station    {}    officer {}    created {}",
        i.station, i.officer, i.created_at
    );
    if let Some(at) = &i.submitted_at {
        let _ = writeln!(o, "  submitted  {at}");
    }
    let _ = writeln!(o, "  version    {}", version(&view.heads));
    let _ = writeln!(
        o,
        "  container  {}   seals {}   size/type {}",
        i.container.number,
        if i.container.seals.is_empty() {
            "-".to_string()
        } else {
            i.container.seals.join(", ")
        },
        opt(&i.container.size_type)
    );
    if let Some(l) = &i.location {
        let _ = writeln!(
            o,
            "  location   {:.5}, {:.5}{}",
            l.lat,
            l.lon,
            l.accuracy_m
                .map(|a| format!(" (±{a:.0} m)"))
                .unwrap_or_default()
        );
    }
    if let Some(r) = &i.selection_reason {
        let _ = writeln!(o, "  selected   {r}");
    }
    let d = &i.declaration;
    let _ = writeln!(o, "\nDeclaration");
    let _ = writeln!(
        o,
        "  number {}   B/L {}   HS {}",
        opt(&d.number),
        opt(&d.bill_of_lading),
        opt(&d.hs_code)
    );
    let _ = writeln!(
        o,
        "  goods  {}   {}",
        opt(&d.description),
        d.quantity_kg.map(kg).unwrap_or_else(|| "-".into())
    );
    let _ = writeln!(
        o,
        "  from   {} ({})  to {} ({})",
        opt(&d.consignor),
        opt(&d.origin),
        opt(&d.consignee),
        opt(&d.destination)
    );
    if !d.transit.is_empty() {
        let _ = writeln!(o, "  via    {}", d.transit.join(" -> "));
    }

    let _ = writeln!(o, "\nFindings ({})", i.findings.len());
    for (f, fig) in i.findings.iter().zip(&a.findings) {
        let identified = match (&f.identified_substance, &f.identified_other) {
            (_, Some(other)) => format!("{other} (not in the reference)"),
            (Some(id), None) => id.clone(),
            (None, None) => "-".into(),
        };
        let _ = writeln!(
            o,
            "  {}  declared {}  identified {identified}",
            short(&f.id),
            opt(&f.declared_substance),
        );
        if !f.composition.is_empty() {
            let measured: Vec<String> = f
                .composition
                .iter()
                .map(|c| format!("{} {} %", c.component, c.pct))
                .collect();
            let _ = writeln!(o, "      measured {}", measured.join(", "));
        }
        if let Some(c) = f.content_pct {
            let _ = writeln!(o, "      HCFC-141b content {c} % by mass");
        }
        let cyl = match (f.cylinders, f.cylinder_type) {
            (Some(n), Some(t)) => format!("{n} {} cylinders", t.as_str()),
            (Some(n), None) => format!("{n} cylinders"),
            (None, Some(t)) => format!("{} cylinders", t.as_str()),
            (None, None) => "-".into(),
        };
        let _ = writeln!(
            o,
            "      {cyl}   net {}   HS seen {}",
            f.net_mass_kg.map(kg).unwrap_or_else(|| "-".into()),
            opt(&f.hs_code_observed)
        );
        if let Some(r) = &f.identifier_reading {
            let _ = writeln!(
                o,
                "      identifier {}: {}{}",
                opt(&r.instrument),
                opt(&r.result),
                r.purity_pct
                    .map(|p| format!(" ({p}% pure)"))
                    .unwrap_or_default()
            );
        }
        if fig.parts.len() > 1 {
            let parts: Vec<String> = fig
                .parts
                .iter()
                .map(|p| {
                    format!(
                        "{} {} %{}",
                        p.substance,
                        figure(p.fraction * 100.0, 1),
                        p.annex_group
                            .as_ref()
                            .map(|g| format!(" ({g})"))
                            .unwrap_or_default()
                    )
                })
                .collect();
            let _ = writeln!(o, "      made of {}", parts.join(", "));
        }
        if let Some(q) = &fig.quantity {
            let _ = writeln!(
                o,
                "      = {} t   {}   {}   (ODP {}, GWP {}{})",
                figure(q.tonnes, 4),
                odp_tonnes(q),
                co2e_tonnes(q),
                fig.odp.map_or("unknown".into(), |v| figure(v, 3)),
                fig.gwp.map_or("unknown".into(), |v| figure(v, 0)),
                fig.gwp_source
                    .as_deref()
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default()
            );
        }
        for (label, v) in [
            ("labels", &f.labels),
            ("concealment", &f.concealment),
            ("notes", &f.notes),
        ] {
            if let Some(v) = v {
                let _ = writeln!(o, "      {label}: {v}");
            }
        }
    }
    let t = &a.total;
    let _ = writeln!(
        o,
        "  TOTAL  {}  = {} t   {}   {}",
        kg(t.kg),
        figure(t.tonnes, 4),
        odp_tonnes(t),
        co2e_tonnes(t)
    );

    if !i.photos.is_empty() {
        let _ = writeln!(o, "\nPhotos ({})", i.photos.len());
        for p in &i.photos {
            let _ = writeln!(
                o,
                "  {}  {} bytes  {}  {}{}",
                short(&p.sha256),
                p.bytes,
                p.mime,
                p.captured_at,
                p.caption
                    .as_ref()
                    .map(|c| format!("  \"{c}\""))
                    .unwrap_or_default()
            );
        }
    }

    if let Some(s) = &i.seizure {
        let _ = writeln!(
            o,
            "\nSeizure  case {}   action {}",
            opt(&s.case_ref),
            s.action.map(|a| a.as_str()).unwrap_or("-")
        );
        let _ = writeln!(o, "  legal basis {}", opt(&s.legal_basis));
        if !s.modus_operandi.is_empty() {
            let mo: Vec<&str> = s.modus_operandi.iter().map(|m| m.as_str()).collect();
            let _ = writeln!(o, "  modus operandi {}", mo.join(", "));
        }
        let _ = writeln!(o, "  stored at {}", opt(&s.storage_location));
        for item in &s.items {
            let _ = writeln!(
                o,
                "  seized {} from {}{}",
                kg(item.quantity_kg),
                short(&item.finding_id),
                item.cylinders
                    .map(|c| format!(" ({c} cylinders)"))
                    .unwrap_or_default()
            );
        }
        if !s.items.is_empty() {
            let q = &a.seized;
            let _ = writeln!(
                o,
                "  SEIZED {}  = {}   {}",
                kg(q.kg),
                odp_tonnes(q),
                co2e_tonnes(q)
            );
        }
        if !s.custody.is_empty() {
            let _ = writeln!(o, "  chain of custody:");
            for c in &s.custody {
                let _ = writeln!(
                    o,
                    "    {}  {}  {} -> {}{}{}",
                    if c.id.is_empty() { "-" } else { short(&c.id) },
                    c.at,
                    c.from,
                    c.to,
                    c.location
                        .as_ref()
                        .map(|l| format!("  at {l}"))
                        .unwrap_or_default(),
                    c.note
                        .as_ref()
                        .map(|n| format!("  ({n})"))
                        .unwrap_or_default()
                );
            }
        }
    }

    if !i.notes.is_empty() {
        let _ = writeln!(o, "\nNotes\n  {}", i.notes.replace('\n', "\n  "));
    }
    if !a.flags.is_empty() {
        let _ = writeln!(o, "\nFlags");
        for f in &a.flags {
            let _ = writeln!(o, "  ! {}", flag(f));
        }
    }
    if let Some(verified) = view.submission_verified {
        let verdict = match (verified, view.submission_covers_shown) {
            (true, true) => "valid, covers this version (every field and photo hash shown)",
            (true, false) => {
                "valid for an earlier version only: CHANGED SINCE SUBMISSION (submit again to sign what is shown)"
            }
            (false, _) => "INVALID",
        };
        let _ = writeln!(o, "\nSubmission signature: {verdict}");
    }
    if !view.reviews.is_empty() {
        let _ = writeln!(o, "\nReviews");
        for r in &view.reviews {
            let _ = writeln!(
                o,
                "  {}  {} by {}  signature {}{}",
                r.decided_at,
                r.decision.map(|d| d.as_str()).unwrap_or("unknown decision"),
                r.reviewer,
                if r.signature_verified {
                    "valid"
                } else {
                    "INVALID"
                },
                if r.comment.is_empty() {
                    String::new()
                } else {
                    format!("  \"{}\"", r.comment)
                }
            );
        }
        if view.review_state == quayside_core::ReviewState::ChangedSinceApproval {
            let _ = writeln!(
                o,
                "  ! changed since approval: the approval covers an earlier version"
            );
        }
    }
    if !view.removed.is_empty() {
        let _ = writeln!(
            o,
            "\nRemoved (kept with every edit; `quayside restore {} LIST ID` brings one back)",
            short(&i.id)
        );
        for r in &view.removed {
            let _ = writeln!(
                o,
                "  {:<14} {}  removed {}",
                list_name(r.list),
                short(&r.id),
                r.removed_at
            );
        }
    }
    if !view.conflicts.is_empty() {
        let _ = writeln!(
            o,
            "\nConflicts (concurrent edits kept every version; set the field again to settle it)"
        );
        for c in &view.conflicts {
            match c.kind {
                ConflictKind::Values => {
                    let _ = writeln!(o, "  {}", c.path);
                }
                ConflictKind::RemovedWhileEdited => {
                    let _ = writeln!(
                        o,
                        "  {}  REMOVED WHILE EDITED: `quayside restore {} {} {}` keeps it with the edits; `quayside remove ...` again confirms the removal",
                        c.path,
                        short(&i.id),
                        c.list.map(list_name).unwrap_or("?"),
                        c.element_id.as_deref().map(short).unwrap_or("?")
                    );
                }
            }
            for v in &c.values {
                let _ = writeln!(
                    o,
                    "    {:<24} by {} on device {} at {}",
                    v.value,
                    opt(&v.user),
                    opt(&v.device),
                    opt(&v.at)
                );
            }
        }
    }
    o
}

/// A list of inspections as a table.
pub fn list(rows: &[InspectionSummary]) -> String {
    if rows.is_empty() {
        return "No inspections match.\n".into();
    }
    let mut o = format!(
        "{:<9} {:<11} {:<6} {:<22} {:<10} {:>10} {:>8} {:>10}  {}\n",
        "ID", "CONTAINER", "PORT", "REVIEW", "CREATED", "KG", "ODP-T", "CO2-EQ T", "SUBSTANCES"
    );
    for r in rows {
        let marks = format!(
            "{}{}{}",
            if r.pending_sync { " (not synced)" } else { "" },
            if r.flag_count > 0 {
                format!(" !{}", r.flag_count)
            } else {
                String::new()
            },
            if r.conflict_count > 0 {
                format!(" conflicts:{}", r.conflict_count)
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            o,
            "{:<9} {:<11} {:<6} {:<22} {:<10} {:>10} {:>8} {:>10}  {}{}",
            short(&r.id),
            r.container_number,
            r.station,
            r.review_state,
            &r.created_at[..10.min(r.created_at.len())],
            figure(r.total_kg, 1),
            cell(r.odp_tonnes, 3, r.odp_unknown_kg, r.total_kg),
            cell(r.co2e_tonnes, 0, r.gwp_unknown_kg, r.total_kg),
            r.substances.join(", "),
            marks
        );
    }
    let _ = writeln!(o, "{} inspection(s)", rows.len());
    if rows
        .iter()
        .any(|r| r.odp_unknown_kg > 0.0 || r.gwp_unknown_kg > 0.0)
    {
        let _ = writeln!(
            o,
            ">= : at least; part of the goods is not identified (`show` says how many kg)"
        );
    }
    o
}

/// A figure in a table cell: `unknown` when none of the kilograms has a known value, `>=` before
/// it when some have not.
fn cell(v: f64, decimals: usize, unknown_kg: f64, all_kg: f64) -> String {
    if unknown_kg > 0.0 && unknown_kg >= all_kg {
        "unknown".into()
    } else if unknown_kg > 0.0 {
        format!(">={}", figure(v, decimals))
    } else {
        figure(v, decimals)
    }
}

/// A record's history.
pub fn history(entries: &[HistoryRecord]) -> String {
    let mut o = String::new();
    for h in entries {
        let _ = writeln!(
            o,
            "{}  {:<12} device {}  {}",
            h.at,
            opt(&h.user),
            h.device
                .as_deref()
                .map(|d| &d[..d.len().min(13)])
                .unwrap_or("-"),
            h.summary
        );
    }
    o
}

/// Reference lookup results.
pub fn reference(hits: &[ReferenceEntry]) -> String {
    let mut o = String::new();
    for hit in hits {
        match hit {
            ReferenceEntry::Substance { substance: s } => {
                let _ = writeln!(
                    o,
                    "{}  ({}){}",
                    s.id,
                    s.chemical_name,
                    s.formula
                        .as_ref()
                        .map(|f| format!(" {f}"))
                        .unwrap_or_default()
                );
                let _ = writeln!(o, "  also: {}", s.aliases.join(", "));
                let _ = writeln!(
                    o,
                    "  group {}  annex {}  HS {}",
                    s.group,
                    if s.controlled {
                        opt(&s.annex_group)
                    } else {
                        "- (not controlled by the Montreal Protocol)"
                    },
                    s.hs_code
                );
                let range = s
                    .odp_range
                    .as_ref()
                    .map(|r| format!(" (the Protocol's range {}-{})", r[0], r[1]))
                    .unwrap_or_default();
                let _ = writeln!(o, "  ODP {}{range}  ({})", s.odp, s.odp_source);
                let _ = writeln!(
                    o,
                    "  GWP {}  ({})",
                    s.gwp.map_or("unknown".into(), |g| g.to_string()),
                    s.gwp_source
                );
                if !s.components.is_empty() {
                    let parts: Vec<String> = s
                        .components
                        .iter()
                        .map(|c| format!("{} {}%", c.substance_id, c.mass_pct))
                        .collect();
                    let _ = writeln!(o, "  blend of {}", parts.join(" / "));
                }
            }
            ReferenceEntry::HsCode { code } | ReferenceEntry::BaselCode { code } => {
                let _ = writeln!(o, "{} {}  {}", code.list, code.code, code.description);
                let _ = writeln!(o, "  source: {}", code.source);
                if let Some(n) = &code.note {
                    let _ = writeln!(o, "  note: {n}");
                }
            }
        }
    }
    o
}

/// Sync progress on one updating line of stderr (only when stderr is a terminal).
pub struct ProgressLine {
    show: bool,
}

impl ProgressLine {
    pub fn new(show: bool) -> Self {
        Self { show }
    }
}

impl quayside_core::SyncObserver for ProgressLine {
    fn on_progress(&self, p: SyncProgressRecord) {
        if !self.show {
            return;
        }
        let line = match p.phase.as_str() {
            "retry" => format!("\r\x1b[K{}\n", p.message.to_english()),
            "done" => "\r\x1b[K".to_string(),
            phase => format!(
                "\r\x1b[K{phase:<9} documents {}/{}  photos {}/{}  sent {}  received {}",
                p.documents_done,
                p.documents_total,
                p.photos_done,
                p.photos_total,
                bytes(p.bytes_sent),
                bytes(p.bytes_received)
            ),
        };
        eprint!("{line}");
    }
}

fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

/// After a sync.
pub fn sync_report(r: &SyncReportRecord) -> String {
    let mut o = format!(
        "Synced: {} inspection(s) sent, {} received, {} photo(s) uploaded; {} sent, {} received in {} request(s)\n",
        r.pushed,
        r.received,
        r.photos_uploaded,
        bytes(r.bytes_sent),
        bytes(r.bytes_received),
        r.round_trips
    );
    if r.server_restored {
        o.push_str(
            "  The server was restored from a backup: everything on this device was offered to it again.\n",
        );
    }
    if r.wiped {
        o.push_str(
            "  An administrator revoked this device and ordered it wiped: what the server accepted was sent, and the store and its key were deleted.\n",
        );
    }
    for x in &r.rejected {
        let _ = writeln!(
            o,
            "  ! refused by the server ({}): {} {}: {}",
            x.code,
            x.kind.as_str(),
            x.id,
            x.reason
        );
    }
    o
}

/// What is not yet on the server.
pub fn sync_status(s: &SyncStatusRecord) -> String {
    let mut o = match &s.server_url {
        Some(url) => format!(
            "Server {url}   last sync {}\n",
            s.last_sync_at.as_deref().unwrap_or("never")
        ),
        None => {
            "Not enrolled with a server (`quayside enroll --server URL --code CODE`)\n".to_string()
        }
    };
    let _ = writeln!(
        o,
        "Not yet on the server: {} inspection(s), {} photo(s)",
        s.unsynced_inspections, s.unsynced_photos
    );
    for x in &s.rejected {
        let _ = writeln!(
            o,
            "  ! refused ({}): {} {}: {}",
            x.code,
            x.kind.as_str(),
            x.id,
            x.reason
        );
    }
    o
}

/// After a review decision.
pub fn review(r: &ReviewRecord) -> String {
    format!(
        "{} inspection {} (signed; covers heads {}){}\nSync to send the decision to the server.\n",
        if r.decision == Some(quayside_core::Decision::Approved) {
            "Approved"
        } else {
            "Returned"
        },
        r.inspection_id,
        r.reviewed_heads
            .iter()
            .map(|h| &h[..12])
            .collect::<Vec<_>>()
            .join(", "),
        if r.comment.is_empty() {
            String::new()
        } else {
            format!(": \"{}\"", r.comment)
        }
    )
}

/// A version as people type it back (`review approve --version`): head prefixes joined by `+`.
pub fn version(heads: &[String]) -> String {
    heads
        .iter()
        .map(|h| &h[..h.len().min(12)])
        .collect::<Vec<_>>()
        .join("+")
}

/// The name of a list on the command line.
fn list_name(l: ElementList) -> &'static str {
    match l {
        ElementList::Findings => "findings",
        ElementList::Photos => "photos",
        ElementList::SeizureItems => "seizure-items",
        ElementList::Custody => "custody",
    }
}

/// A flag as a line: the finding it is about (by the id end people type), then what it says.
fn flag(f: &FlagRecord) -> String {
    match &f.finding_id {
        Some(id) => format!("[{}] {}", short(id), f.text),
        None => f.text.clone(),
    }
}

/// A figure with `decimals` decimals, or more where fewer would show a non-zero value as zero
/// (`0.00055`, never `0.000`).
pub fn figure(v: f64, decimals: usize) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let mut d = decimals;
    let zero = |text: &str| text.chars().all(|c| matches!(c, '0' | '.' | '-'));
    if v != 0.0 && v.is_finite() {
        while d < 15 && zero(&format!("{v:.d$}")) {
            d += 1;
        }
        if d > decimals {
            d += 1; // two significant digits
        }
    }
    format!("{v:.d$}")
}

/// ODP-tonnes as a person should read them: unknown when nothing is known, a lower bound
/// naming the unknown kilograms when part is.
fn odp_tonnes(q: &QuantityRecord) -> String {
    known_part(q.odp_tonnes, 3, q.odp_unknown_kg, q.kg, "ODP-t")
}

/// CO2-eq tonnes, the same way.
fn co2e_tonnes(q: &QuantityRecord) -> String {
    known_part(q.co2e_tonnes, 0, q.gwp_unknown_kg, q.kg, "t CO2-eq")
}

fn known_part(v: f64, decimals: usize, unknown_kg: f64, all_kg: f64, unit: &str) -> String {
    if unknown_kg > 0.0 && unknown_kg >= all_kg {
        format!("unknown {unit}")
    } else if unknown_kg > 0.0 {
        format!(
            "at least {} {unit} ({} not known)",
            figure(v, decimals),
            kg(unknown_kg)
        )
    } else {
        format!("{} {unit}", figure(v, decimals))
    }
}
