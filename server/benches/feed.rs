//! The feed a device reads first on every sync, on a server that holds far more of other
//! stations' documents than of the caller's, against a baseline measured in the same run on the
//! same SQLite file:
//! - a new supervisor's first feed, paged to the end (5,000 entries a page), when the server
//!   holds 2,000 documents of their station among 40,000: vs a bare SELECT of their station's
//!   entries in sequence order through the station index;
//! - an idle reconnect (nothing new since the device's cursor): vs the same bare SELECT from the
//!   cursor.
//!
//! `cargo bench -p quayside-server --bench feed` (release build). Prints a Markdown table.

mod common;

use common::{median, row};
use quayside_server::db::{DB_FILE, Db};
use rusqlite::{Connection, params};

/// Documents in the index, and how many of them are the supervisor's station's (spread evenly).
const DOCUMENTS: usize = 40_000;
const THEIRS: usize = 2_000;

fn main() {
    let work = tempfile::tempdir().unwrap();
    let db = Db::open(work.path()).unwrap();
    db.add_station("GHTEM", "GH", "Tema port").unwrap();
    db.add_station("NLRTM", "NL", "Rotterdam").unwrap();
    db.add_user("esi", "supervisor", &["GHTEM".into()], None)
        .unwrap();
    let esi = db.principal(&db.create_api_token("esi").unwrap()).unwrap();
    let conn = Connection::open(work.path().join(DB_FILE)).unwrap();
    let every = DOCUMENTS / THEIRS;
    let tx = conn.unchecked_transaction().unwrap();
    for n in 0..DOCUMENTS {
        let id = format!("doc-{n:06}");
        let station = if n % every == 0 { "GHTEM" } else { "NLRTM" };
        tx.execute(
            "INSERT INTO documents(id, kind, snapshot, heads, updated_at)
             VALUES (?1, 'inspection', x'00', '[]', '2026-01-01')",
            [&id],
        )
        .unwrap();
        tx.execute(
            "INSERT INTO doc_index(id, kind, station, seq, device_id) VALUES (?1, 'inspection', ?2, ?3, 'elsewhere')",
            params![id, station, n as i64 + 1],
        )
        .unwrap();
    }
    tx.commit().unwrap();

    println!("| benchmark | Quayside | baseline | ratio |");
    println!("|---|---|---|---|");

    let first_feed = || {
        let (mut since, mut seen) = (0, 0);
        loop {
            let page = db.feed(&esi, since, 5_000).unwrap();
            seen += page.entries.len();
            since = page.cursor;
            if !page.more {
                return seen;
            }
        }
    };
    assert_eq!(first_feed(), THEIRS);
    let bare = |since: i64| {
        conn.prepare_cached(
            "SELECT id, kind, seq, device_id FROM doc_index
             WHERE station = 'GHTEM' AND seq > ?1 ORDER BY seq",
        )
        .unwrap()
        .query_map([since], |r| r.get::<_, String>(0))
        .unwrap()
        .count()
    };
    let ours = median(9, || {
        first_feed();
    });
    let base = median(9, || {
        bare(0);
    });
    row(
        &format!("a new supervisor's first feed: {THEIRS} of {DOCUMENTS} documents, paged"),
        ours,
        base,
        "bare SELECT of their station's entries, station index",
    );

    let end = DOCUMENTS as u64;
    assert!(db.feed(&esi, end, 5_000).unwrap().entries.is_empty());
    let ours = median(51, || {
        db.feed(&esi, end, 5_000).unwrap();
    });
    let base = median(51, || {
        bare(end as i64);
    });
    row(
        "an idle reconnect: nothing new since the cursor",
        ours,
        base,
        "the same bare SELECT from the cursor",
    );
}
