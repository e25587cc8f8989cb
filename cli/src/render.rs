//! Text and JSON output of the CLI: JSON for scripts, aligned text for people.

use std::fmt::Write;

use quayside_core::{
    ConflictKind, ElementList, HistoryRecord, InspectionSummary, InspectionView, ReferenceEntry,
    ReviewRecord, SyncProgressRecord, SyncReportRecord, SyncStatusRecord,
};
use serde::Serialize;

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
        let _ = writeln!(out, "  ! {}", f.message);
    }
    out
}

/// After an edit: what was done, the totals and the flags.
pub fn updated(view: &InspectionView, what: &str) -> String {
    let i = &view.inspection;
    let t = &view.assessment.total;
    let mut out = format!(
        "{what} inspection {}\n  container {}  {} finding(s)  {}  {:.3} ODP-t  {:.0} t CO2-eq\n",
        i.id,
        i.container.number,
        i.findings.len(),
        kg(t.kg),
        t.odp_tonnes,
        t.co2e_tonnes
    );
    for f in &view.assessment.flags {
        let _ = writeln!(out, "  ! {}", f.message);
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
        view.review_state.replace('_', " ").to_uppercase()
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
        let _ = writeln!(
            o,
            "  {}  declared {}  identified {}",
            f.id,
            opt(&f.declared_substance),
            opt(&f.identified_substance)
        );
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
        if let Some(q) = &fig.quantity {
            let _ = writeln!(
                o,
                "      = {:.4} t   {:.3} ODP-t   {:.0} t CO2-eq   (ODP {}, GWP {} {})",
                q.tonnes,
                q.odp_tonnes,
                q.co2e_tonnes,
                fig.odp.unwrap_or_default(),
                fig.gwp.unwrap_or_default(),
                fig.gwp_source.as_deref().unwrap_or("")
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
        "  TOTAL  {}  = {:.4} t   {:.3} ODP-t   {:.0} t CO2-eq",
        kg(t.kg),
        t.tonnes,
        t.odp_tonnes,
        t.co2e_tonnes
    );

    if !i.photos.is_empty() {
        let _ = writeln!(o, "\nPhotos ({})", i.photos.len());
        for p in &i.photos {
            let _ = writeln!(
                o,
                "  {}  {} bytes  {}  {}{}",
                &p.sha256[..16],
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
                item.finding_id,
                item.cylinders
                    .map(|c| format!(" ({c} cylinders)"))
                    .unwrap_or_default()
            );
        }
        if !s.items.is_empty() {
            let q = &a.seized;
            let _ = writeln!(
                o,
                "  SEIZED {}  = {:.3} ODP-t   {:.0} t CO2-eq",
                kg(q.kg),
                q.odp_tonnes,
                q.co2e_tonnes
            );
        }
        if !s.custody.is_empty() {
            let _ = writeln!(o, "  chain of custody:");
            for c in &s.custody {
                let _ = writeln!(
                    o,
                    "    {}  {}  {} -> {}{}{}",
                    if c.id.is_empty() { "-" } else { &c.id },
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
            let _ = writeln!(o, "  ! {}", f.message);
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
                r.decision,
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
        if view.review_state == "changed_since_approval" {
            let _ = writeln!(
                o,
                "  ! changed since approval: the approval covers an earlier version"
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
                        &i.id[..i.id.len().min(8)],
                        c.list.map(list_name).unwrap_or("?"),
                        c.element_id.as_deref().unwrap_or("?")
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
        "{:<13} {:<11} {:<6} {:<22} {:<10} {:>10} {:>8} {:>10}  {}\n",
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
            "{:<13} {:<11} {:<6} {:<22} {:<10} {:>10.1} {:>8.3} {:>10.0}  {}{}",
            &r.id[..13.min(r.id.len())],
            r.container_number,
            r.station,
            r.review_state,
            &r.created_at[..10.min(r.created_at.len())],
            r.total_kg,
            r.odp_tonnes,
            r.co2e_tonnes,
            r.substances.join(", "),
            marks
        );
    }
    let _ = writeln!(o, "{} inspection(s)", rows.len());
    o
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
                    opt(&s.annex_group),
                    s.hs_code
                );
                let _ = writeln!(o, "  ODP {}  ({})", s.odp, s.odp_source);
                let _ = writeln!(o, "  GWP {}  ({})", s.gwp, s.gwp_source);
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
            "retry" => format!("\r\x1b[K{}\n", p.message.unwrap_or_default()),
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
    for x in &r.rejected {
        let _ = writeln!(
            o,
            "  ! refused by the server: {}: {}",
            x.inspection_id, x.reason
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
        let _ = writeln!(o, "  ! refused: {}: {}", x.inspection_id, x.reason);
    }
    o
}

/// After a review decision.
pub fn review(r: &ReviewRecord) -> String {
    format!(
        "{} inspection {} (signed; covers heads {}){}\nSync to send the decision to the server.\n",
        if r.decision == "approved" {
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
