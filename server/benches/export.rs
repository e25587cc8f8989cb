//! Seizure-export benchmarks for ozone units, each against a baseline measured in the same run
//! on the same SQLite file:
//! - projecting a seized case (its rows and the parts its blends are split into) vs bare
//!   INSERTs of as many rows;
//! - the analyst's report over 20,000 seized items (rows and every grouping) vs a bare SELECT of
//!   the same rows, and the same for one of the two ports;
//! - CSV and XLSX renderings vs writing the same cells with the csv and rust_xlsxwriter crates
//!   and nothing else;
//! - the annual summary (per year, annex group and substance) vs a bare GROUP BY.
//!
//! `cargo bench -p quayside-server --bench export` (release build). Prints a Markdown table.
//! `-- --keep` leaves the database behind (its path printed) to study the queries in `sqlite3`.

mod common;

use std::time::{Duration, Instant};

use common::{median, row};

use quayside_core::model::{
    CylinderType, Declaration, Finding, Inspection, Seizure, SeizureAction, SeizureItem,
};
use quayside_server::db::{DB_FILE, Db};
use quayside_server::export::{self, Format, Group, SeizureQuery};
use rusqlite::Connection;

/// Seized cases in the database: two items each (an R-404A blend and R-22).
const CASES: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child-export") {
        child_export(&args[i + 1], &args[i + 2], &args[i + 3], &args[i + 4]);
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let db = Db::open(work.path()).unwrap();
    db.add_station("GHTEM", "GH", "Tema port").unwrap();
    db.add_station("GHTKD", "GH", "Takoradi port").unwrap();
    db.add_user("nana", "ozone_analyst", &[], Some("GH"))
        .unwrap();
    let nana = db.principal(&db.create_api_token("nana").unwrap()).unwrap();
    let conn = Connection::open(work.path().join(DB_FILE)).unwrap();

    println!("| benchmark | Quayside | baseline | ratio |");
    println!("|---|---|---|---|");

    // Projection: every case in batches of 500 per transaction, as a sync would store them.
    let cases: Vec<Inspection> = (0..CASES).map(case).collect();
    let t = Instant::now();
    for batch in cases.chunks(500) {
        let tx = conn.unchecked_transaction().unwrap();
        for ins in batch {
            export::reproject_inspection(&tx, &ins.id, ins, "approved", false).unwrap();
        }
        tx.commit().unwrap();
    }
    let ours = t.elapsed() / CASES as u32;
    let parts: i64 = conn
        .query_row("SELECT count(*) FROM seizure_parts", [], |r| r.get(0))
        .unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM seizure_rows", [], |r| r.get(0))
        .unwrap();
    let per_case = ((rows + parts) / CASES as i64) as usize;
    let base = bare_inserts(&conn, per_case);
    row(
        &format!(
            "project one seized case ({} rows + {} parts), batches of 500",
            rows / CASES as i64,
            parts / CASES as i64
        ),
        ours,
        base,
        &format!("{per_case} bare INSERTs of 45 columns, same batches"),
    );

    // The analyst's report: rows, grand total and seven groupings, one snapshot.
    let q = SeizureQuery {
        state: Some("all".into()),
        ..Default::default()
    };
    let report = export::report(&conn, &nana, &q).unwrap();
    assert_eq!(report.rows.len(), 2 * CASES);
    let ours = median(5, || {
        export::report(&conn, &nana, &q).unwrap();
    });
    let base = median(5, || {
        bare_select(&conn);
    });
    row(
        &format!(
            "report of {} seized items (rows + 7 groupings + total)",
            report.rows.len()
        ),
        ours,
        base,
        "bare SELECT * of the rows",
    );

    // One port's report: a third of the rows, which should cost a third, not the country.
    let one_port = SeizureQuery {
        state: Some("all".into()),
        station: Some("GHTKD".into()),
        ..Default::default()
    };
    let port_rows = export::report(&conn, &nana, &one_port).unwrap().rows.len();
    let ours = median(5, || {
        export::report(&conn, &nana, &one_port).unwrap();
    });
    let base = median(5, || {
        conn.prepare_cached("SELECT * FROM seizure_rows WHERE station = 'GHTKD'")
            .unwrap()
            .query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .for_each(drop);
    });
    row(
        &format!("report of one port ({port_rows} seized items)"),
        ours,
        base,
        "bare SELECT * of that port's rows",
    );

    let raw = raw_cells(&conn);
    let ours = median(5, || {
        export::render(&report, Format::Csv).unwrap();
    });
    let base = median(5, || {
        bare_csv(&raw);
    });
    row(
        "CSV of the report",
        ours,
        base,
        "csv crate writing the same cells",
    );

    let ours = median(3, || {
        export::render(&report, Format::Xlsx).unwrap();
    });
    let base = median(3, || {
        bare_xlsx(&raw);
    });
    row(
        "XLSX of the report (3 sheets, formats, totals)",
        ours,
        base,
        "rust_xlsxwriter writing the same cells, no formats",
    );

    let ours = median(5, || {
        export::aggregate_report(&conn, &nana, &q, Group::Annual).unwrap();
    });
    let base = median(5, || {
        conn.prepare_cached(
            "SELECT year, annex_group, substance, count(DISTINCT inspection_id), total(kg),
                 total(odp_tonnes), total(co2e_tonnes)
             FROM seizure_parts GROUP BY 1, 2, 3",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .for_each(drop);
    });
    row(
        "annual summary by annex group and substance",
        ours,
        base,
        "bare GROUP BY over the parts",
    );

    // Downloads as the server answers them, each in a fresh process for its peak memory, at
    // this size and after growing the database to 100,000 seized items.
    let token = db.create_api_token("nana").unwrap();
    println!();
    println!(
        "| download (all states) | streamed to a file | peak RSS | rows and file held in memory (`report` + `render`) | peak RSS | bare streamed CSV | peak RSS | RSS streamed / bare |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    downloads(work.path(), &token, 2 * CASES);
    let grown = 5 * CASES;
    for batch in (CASES..grown).collect::<Vec<_>>().chunks(500) {
        let tx = conn.unchecked_transaction().unwrap();
        for n in batch {
            let ins = case(*n);
            export::reproject_inspection(&tx, &ins.id, &ins, "approved", false).unwrap();
        }
        tx.commit().unwrap();
    }
    downloads(work.path(), &token, 2 * grown);

    if std::env::args().any(|a| a == "--keep") {
        eprintln!("database kept: {}", work.path().join(DB_FILE).display());
        std::mem::forget(work);
    }
}

/// Case `n`: R-404A (split into three HFCs) and R-22, seized, spread over two ports and a year.
fn case(n: usize) -> Inspection {
    let finding = |id: &str, substance: &str, kg: f64| Finding {
        id: id.into(),
        declared_substance: Some("R-134a".into()),
        identified_substance: Some(substance.into()),
        cylinders: Some(40),
        cylinder_type: Some(CylinderType::Disposable),
        net_mass_kg: Some(kg),
        ..Default::default()
    };
    let item = |id: &str, kg: f64| SeizureItem {
        finding_id: id.into(),
        quantity_kg: kg,
        cylinders: Some(40),
    };
    Inspection {
        id: format!("case-{n:06}"),
        station: if n.is_multiple_of(3) {
            "GHTKD"
        } else {
            "GHTEM"
        }
        .into(),
        officer: "ama".into(),
        device: "bench".into(),
        created_at: format!("2026-{:02}-{:02}T10:00:00.000Z", n % 12 + 1, n % 28 + 1),
        declaration: Declaration {
            hs_code: Some("2903.45".into()),
            origin: Some(["CN", "AE", "IN"][n % 3].into()),
            destination: Some("GH".into()),
            ..Default::default()
        },
        findings: vec![
            finding("f-1", "R-404A", 436.0),
            finding("f-2", "HCFC-22", 544.0),
        ],
        seizure: Some(Seizure {
            case_ref: Some(format!("GRA-{n}")),
            action: Some(SeizureAction::Seized),
            items: vec![item("f-1", 436.0), item("f-2", 544.0)],
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// `per_case` INSERTs of 45 columns for every case, in the same batches, into a table of its
/// own in the same file; time per case.
fn bare_inserts(conn: &Connection, per_case: usize) -> Duration {
    let columns: Vec<String> = (0..45).map(|c| format!("c{c}")).collect();
    conn.execute_batch(&format!(
        "CREATE TABLE bare (id INTEGER PRIMARY KEY, {})",
        columns.join(", ")
    ))
    .unwrap();
    let marks: Vec<String> = (1..=45).map(|c| format!("?{c}")).collect();
    let sql = format!(
        "INSERT INTO bare ({}) VALUES ({})",
        columns.join(", "),
        marks.join(", ")
    );
    let values: Vec<String> = (0..45).map(|c| format!("value {c}")).collect();
    let t = Instant::now();
    for _ in 0..CASES / 500 {
        let tx = conn.unchecked_transaction().unwrap();
        let mut stmt = tx.prepare_cached(&sql).unwrap();
        for _ in 0..500 * per_case {
            stmt.execute(rusqlite::params_from_iter(values.iter()))
                .unwrap();
        }
        drop(stmt);
        tx.commit().unwrap();
    }
    t.elapsed() / CASES as u32
}

fn bare_select(conn: &Connection) -> usize {
    let mut stmt = conn.prepare_cached("SELECT * FROM seizure_rows").unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, rusqlite::types::Value>(i))
            .collect::<Result<Vec<_>, _>>()
    })
    .unwrap()
    .count()
}

/// The rows as text cells, for the baselines that only write them.
fn raw_cells(conn: &Connection) -> Vec<Vec<String>> {
    let mut stmt = conn.prepare("SELECT * FROM seizure_rows").unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| {
        Ok((0..n)
            .map(|i| match r.get::<_, rusqlite::types::Value>(i) {
                Ok(rusqlite::types::Value::Text(t)) => t,
                Ok(rusqlite::types::Value::Real(v)) => v.to_string(),
                Ok(rusqlite::types::Value::Integer(v)) => v.to_string(),
                _ => String::new(),
            })
            .collect())
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn bare_csv(rows: &[Vec<String>]) -> usize {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap().len()
}

fn bare_xlsx(rows: &[Vec<String>]) -> usize {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, r) in rows.iter().enumerate() {
        for (c, cell) in r.iter().enumerate() {
            match cell.parse::<f64>() {
                Ok(v) => ws.write_number(i as u32, c as u16, v),
                Err(_) => ws.write_string(i as u32, c as u16, cell),
            }
            .unwrap();
        }
    }
    wb.save_to_buffer().unwrap().len()
}

/// What one download process did: its time, the file's size and the process's peak RSS (KiB).
struct Measured {
    time: Duration,
    bytes: u64,
    peak_kib: u64,
}

/// Runs `--child-export MODE FORMAT DIR TOKEN` in a fresh process, median time of 3, with the
/// largest peak RSS of the three.
fn measure(mode: &str, format: &str, dir: &std::path::Path, token: &str) -> Measured {
    let mut runs: Vec<Measured> = (0..3)
        .map(|_| {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--child-export", mode, format])
                .arg(dir)
                .arg(token)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            let v: Vec<u64> = text
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            Measured {
                time: Duration::from_nanos(v[0]),
                bytes: v[1],
                peak_kib: v[2],
            }
        })
        .collect();
    let peak_kib = runs.iter().map(|m| m.peak_kib).max().unwrap();
    runs.sort_by_key(|m| m.time);
    let mid = runs.swap_remove(1);
    Measured { peak_kib, ..mid }
}

/// One table row per format: the streamed download, the same file built in memory first (as
/// exports were made before), and the baseline: a bare SELECT of the rows written through the
/// csv crate into a file, in a process that opened the same database the same way.
fn downloads(dir: &std::path::Path, token: &str, items: usize) {
    let bare = measure("bare", "csv", dir, token);
    let mb = |kib: u64| format!("{:.1} MB", kib as f64 / 1024.0);
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    for format in ["csv", "xlsx", "json"] {
        let streamed = measure("stream", format, dir, token);
        let held = measure("memory", format, dir, token);
        assert!(
            streamed.bytes.abs_diff(held.bytes) < 64,
            "{format}: the streamed file differs in size from the rendered one"
        );
        println!(
            "| {format} of {items} seized items ({:.1} MB) | {} | {} | {} | {} | {} | {} | {:.2}x |",
            streamed.bytes as f64 / 1e6,
            ms(streamed.time),
            mb(streamed.peak_kib),
            ms(held.time),
            mb(held.peak_kib),
            ms(bare.time),
            mb(bare.peak_kib),
            streamed.peak_kib as f64 / bare.peak_kib as f64
        );
    }
}

/// A download in this process: `stream` (the server's `write_report` into a file), `memory`
/// (`report` then `render`, then the file) or `bare`. Prints nanoseconds, bytes, VmHWM in KiB.
fn child_export(mode: &str, format: &str, dir: &str, token: &str) {
    use std::io::{Seek, Write};
    let db = Db::open(std::path::Path::new(dir)).unwrap();
    let who = db.principal(token).unwrap();
    let format: Format = format.parse().unwrap();
    let q = SeizureQuery {
        state: Some("all".into()),
        ..Default::default()
    };
    let mut file = tempfile::tempfile().unwrap();
    let t = Instant::now();
    match mode {
        "stream" => {
            db.read_alone(|c| export::write_report(c, &who, &q, format, &mut file))
                .unwrap();
        }
        "memory" => {
            let report = db.read_alone(|c| export::report(c, &who, &q)).unwrap();
            file.write_all(&export::render(&report, format).unwrap())
                .unwrap();
        }
        _ => {
            // A read-only connection of its own, as the server's exports open one.
            let conn = quayside_core::store::open_connection(
                &std::path::Path::new(dir).join(DB_FILE),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap();
            let mut w = csv::Writer::from_writer(&mut file);
            let mut stmt = conn.prepare("SELECT * FROM seizure_rows").unwrap();
            let n = stmt.column_count();
            let mut rows = stmt.query([]).unwrap();
            while let Some(r) = rows.next().unwrap() {
                let cells: Vec<String> = (0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                        rusqlite::types::ValueRef::Real(v) => v.to_string(),
                        rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                        _ => String::new(),
                    })
                    .collect();
                w.write_record(&cells).unwrap();
            }
            w.flush().unwrap();
        }
    }
    file.flush().unwrap();
    let elapsed = t.elapsed();
    let bytes = file.stream_position().unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("0");
    println!("{} {bytes} {hwm}", elapsed.as_nanos());
}
