//! Web console benchmarks for supervisors, each against a baseline measured in the same run on the
//! same SQLite file:
//! - keeping an inspection's review-queue row current (what every stored change now also does)
//!   vs a bare INSERT of as many columns;
//! - the review queue of 10,000 submitted inspections (the first 500 waiting, oldest first) and a
//!   two-word search in it vs bare SELECTs of the same rows;
//! - one inspection as the page shows it (its document read, the view the phones show with its
//!   figures and conflicts, its reviews and history, the photos that arrived) vs loading the
//!   document and reading the inspection out of it.
//!
//! `cargo bench -p quayside-server --bench console` (release build). Prints a Markdown table.

mod common;

use std::time::{Duration, Instant};

use common::{median, row};

use quayside_core::model::review::ReviewState;
use quayside_core::model::{Container, Declaration, Finding, Inspection, Status};
use quayside_server::db::{DB_FILE, Db};
use quayside_server::review_desk::{self, QueueQuery};
use rusqlite::Connection;

/// Submitted inspections in the queue table, at two stations.
const INSPECTIONS: usize = 10_000;

fn main() {
    let work = tempfile::tempdir().unwrap();
    let db = Db::open(work.path()).unwrap();
    db.add_user("admin", "admin", &[], None).unwrap();
    quayside_server::demo::seed(&db).unwrap();
    let esi = db.principal(&db.create_api_token("esi").unwrap()).unwrap();
    let conn = Connection::open(work.path().join(DB_FILE)).unwrap();

    println!("| benchmark | Quayside | baseline | ratio |");
    println!("|---|---|---|---|");

    let all: Vec<Inspection> = (0..INSPECTIONS).map(inspection).collect();
    let t = Instant::now();
    for batch in all.chunks(500) {
        let tx = conn.unchecked_transaction().unwrap();
        for ins in batch {
            review_desk::project(&tx, ins, ReviewState::AwaitingReview).unwrap();
        }
        tx.commit().unwrap();
    }
    let ours = t.elapsed() / INSPECTIONS as u32;
    let base = bare_inserts(&conn);
    row(
        "keep one inspection's queue row, batches of 500",
        ours,
        base,
        "a bare INSERT of 13 columns, same batches",
    );

    let waiting = QueueQuery::default();
    let found = db.review_queue(&esi, &waiting).unwrap();
    assert_eq!(found.rows.len(), review_desk::QUEUE_LIMIT as usize);
    let ours = median(9, || {
        db.review_queue(&esi, &waiting).unwrap();
    });
    let base = median(9, || {
        conn.prepare_cached(
            "SELECT id, station, officer, container, case_ref, created_at, submitted_at,
                    review_state, findings, photos, seized_kg, substances
             FROM inspection_rows ORDER BY submitted_at LIMIT 501",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .for_each(drop);
    });
    row(
        &format!(
            "review queue of {INSPECTIONS} waiting: first {} rows",
            found.rows.len()
        ),
        ours,
        base,
        "bare SELECT of 501 rows, same order",
    );

    let search = QueueQuery {
        q: "msku r22".into(),
        ..Default::default()
    };
    let hits = db.review_queue(&esi, &search).unwrap().rows.len();
    let ours = median(9, || {
        db.review_queue(&esi, &search).unwrap();
    });
    let base = median(9, || {
        conn.prepare_cached(
            "SELECT id FROM inspection_rows
             WHERE search LIKE '%msku%' AND search LIKE '%hcfc-22%'
             ORDER BY submitted_at LIMIT 501",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .for_each(drop);
    });
    row(
        &format!("queue search of two words ({hits} found)"),
        ours,
        base,
        "bare SELECT with the same two LIKEs, same order",
    );

    // A demo inspection (a document with findings, a seizure, custody and a signed submission).
    let id: String = conn
        .query_row(
            "SELECT id FROM inspection_rows WHERE container = 'CSQU3054383'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let load = || quayside_core::store::load_document(&conn, &[0; 16], "inspection", &id).unwrap();
    let ours = median(51, || {
        quayside_core::store::projection::Snapshot::of(&mut load()).unwrap();
    });
    let base = median(51, || {
        quayside_core::doc::inspection::read(&load()).unwrap();
    });
    row(
        "the version shown: inspection, heads, conflicts and the version the officer signed",
        ours,
        base,
        "loading the document and reading the inspection",
    );
    let page = db.inspection_page(&esi, &id).unwrap();
    let ours = median(51, || {
        db.inspection_page(&esi, &id).unwrap();
    });
    let base = median(51, || {
        quayside_core::doc::inspection::read(&load()).unwrap();
    });
    row(
        &format!(
            "one inspection as its page shows it ({} findings, {} changes)",
            page.view.inspection.findings.len(),
            page.history.len()
        ),
        ours,
        base,
        "loading its document and reading the inspection",
    );
}

/// Submitted inspection `n`: a container, a consignee, an R-22 finding.
fn inspection(n: usize) -> Inspection {
    Inspection {
        id: format!("bench-{n:06}"),
        station: if n.is_multiple_of(3) {
            "GHTKD"
        } else {
            "GHTEM"
        }
        .into(),
        officer: "ama".into(),
        device: "bench".into(),
        created_at: format!("2026-{:02}-{:02}T10:00:00.000Z", n % 12 + 1, n % 28 + 1),
        submitted_at: Some(format!(
            "2026-{:02}-{:02}T11:{:02}:00.000Z",
            n % 12 + 1,
            n % 28 + 1,
            n % 60
        )),
        status: Status::Submitted,
        container: Container {
            number: format!("{}U{:07}", ["MSK", "CSQ", "TGH"][n % 3], n),
            ..Default::default()
        },
        declaration: Declaration {
            consignee: Some(format!("Consignee {}", n % 97)),
            ..Default::default()
        },
        findings: vec![Finding {
            id: "f-1".into(),
            declared_substance: Some("HFC-134a".into()),
            identified_substance: Some("HCFC-22".into()),
            net_mass_kg: Some(544.0),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// A bare INSERT of 13 columns per inspection, same batches, into a table of its own; time per
/// row.
fn bare_inserts(conn: &Connection) -> Duration {
    conn.execute_batch(
        "CREATE TABLE bare (id TEXT PRIMARY KEY, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12)
         WITHOUT ROWID",
    )
    .unwrap();
    let t = Instant::now();
    for batch in 0..INSPECTIONS / 500 {
        let tx = conn.unchecked_transaction().unwrap();
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO bare VALUES (?1, ?2, ?2, ?2, ?2, ?2, ?2, ?2, ?2, ?2, ?2, ?2, ?2)",
            )
            .unwrap();
        for i in 0..500 {
            stmt.execute(rusqlite::params![
                format!("b-{batch}-{i}"),
                "value of a column"
            ])
            .unwrap();
        }
        drop(stmt);
        tx.commit().unwrap();
    }
    t.elapsed() / INSPECTIONS as u32
}
