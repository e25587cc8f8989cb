//! Device-store benchmarks, each against a baseline measured in the same run:
//! a durable field edit vs a bare SQLite insert of the same bytes; list and search over 10,000
//! inspections; what an idle reconnect asks (the documents to push) in a store of 10,000; opening a store of 10,000 (time and peak RSS, in a fresh process) vs opening the
//! bare SQLite file; photo add vs a plain file copy with fsync.
//!
//! The stores are encrypted (SQLCipher, sealed photos) as on a phone; the baselines are plain
//! SQLite and plain files, reading a plain copy of the same rows.
//!
//! `cargo bench -p quayside-core --bench store` (release build). Prints a Markdown table.

use std::path::Path;
use std::time::{Duration, Instant};

use quayside_core::doc::inspection::{self, Header};
use quayside_core::doc::{Author, Document};
use quayside_core::model::edits::{CustodyInput, FindingPatch, InspectionPatch, SeizurePatch};
use quayside_core::model::{SeizureAction, SeizureItem};
use quayside_core::{FieldStore, FindingFields, InspectionFields, InspectionFilter, PhotoFields};

const N: usize = 10_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child-open") {
        return child_open(&args[i + 1], &args[i + 2]);
    }
    let work = tempfile::tempdir().unwrap();
    println!("| benchmark | Quayside | baseline | ratio |");
    println!("|---|---|---|---|");
    if !args.iter().any(|a| a == "--list-only") {
        durable_edit(work.path());
    }
    // `--edit-only`: just the first row (quick to repeat on a noisy machine).
    if args.iter().any(|a| a == "--edit-only") {
        return;
    }
    let store_dir = populate(work.path());
    list_and_search(&store_dir);
    // `--list-only`: the list and search rows (what a change to the list query moves).
    if args.iter().any(|a| a == "--list-only") {
        if let Ok(keep) = std::env::var("QUAYSIDE_BENCH_KEEP") {
            let _ = std::fs::remove_dir_all(&keep);
            std::fs::rename(work.path(), &keep).unwrap();
        }
        return;
    }
    idle_reconnect(&store_dir);
    open_store(&store_dir);
    photo_add(work.path());
}

/// The benchmark stores' key (a phone's comes from its keystore).
fn key() -> Vec<u8> {
    vec![0x5a; 32]
}

/// A connection to the encrypted store in `path`.
fn keyed(path: &str) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(Path::new(path).join("quayside.sqlite3")).unwrap();
    let key = quayside_core::store::StoreKey::from_bytes(&key()).unwrap();
    quayside_core::store::key::apply(&conn, &key).unwrap();
    conn
}

/// A plain SQLite copy (the same tables, rows and indexes) of the encrypted store in `path`,
/// named `name` beside it: what the baselines read.
fn plain_copy(path: &str, name: &str) -> std::path::PathBuf {
    let plain = Path::new(path).with_file_name(name);
    let _ = std::fs::remove_file(&plain);
    let conn = keyed(path);
    conn.execute(
        "ATTACH DATABASE ?1 AS plain KEY ''",
        [plain.display().to_string()],
    )
    .unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))
        .unwrap();
    conn.execute_batch("DETACH DATABASE plain").unwrap();
    plain
}

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn row(name: &str, ours: Duration, base: Duration, base_name: &str) {
    println!(
        "| {name} | {} | {} ({base_name}) | {:.2}x |",
        ms(ours),
        ms(base),
        ours.as_secs_f64() / base.as_secs_f64()
    );
}

fn bare_db(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "FULL").unwrap();
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, doc TEXT, data BLOB)",
    )
    .unwrap();
    conn
}

/// One field edit through FieldStore (validate, load document, commit change, append, project,
/// fsync) vs inserting the same number of bytes into a bare WAL SQLite table with the same
/// durability (synchronous=FULL).
fn durable_edit(dir: &Path) {
    let store = FieldStore::create(
        dir.join("edit").display().to_string(),
        key(),
        "ama".into(),
        "GHTEM".into(),
    )
    .unwrap();
    let id = store
        .create_inspection(InspectionFields {
            container_number: Some("CSQU3054383".into()),
            ..Default::default()
        })
        .unwrap()
        .inspection
        .id;
    let f = store
        .add_finding(
            id.clone(),
            FindingFields {
                identified_substance: Some("R-22".into()),
                net_mass_kg: Some(1.0),
                ..Default::default()
            },
        )
        .unwrap()
        .finding_id;
    let runs = 300;
    let mut i = 0.0;
    let ours = median(runs, || {
        i += 1.0;
        store
            .update_finding(
                id.clone(),
                f.clone(),
                FindingFields {
                    net_mass_kg: Some(i),
                    ..Default::default()
                },
                vec![],
            )
            .unwrap();
    });
    // The bytes one such edit appends (the incremental change).
    let heads: Vec<String> = vec![
        store
            .history(id.clone())
            .unwrap()
            .last()
            .unwrap()
            .hash
            .clone(),
    ];
    store
        .update_finding(
            id.clone(),
            f,
            FindingFields {
                net_mass_kg: Some(-0.0 + 7.5),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    let change = store.inner().inspection_changes_since(&id, &heads).unwrap();
    let bytes = change.iter().map(Vec::len).sum::<usize>();
    let conn = bare_db(&dir.join("bare.sqlite3"));
    let payload = vec![7u8; bytes];
    let base = median(runs, || {
        conn.execute(
            "INSERT INTO t (doc, data) VALUES (?1, ?2)",
            rusqlite::params![id, payload],
        )
        .unwrap();
    });
    row(
        &format!("durable field edit ({bytes} B change)"),
        ours,
        base,
        "bare SQLite insert, same bytes, WAL+FULL",
    );
    // A form saved on the version it was filled from, after the record moved on (here by this
    // device's own change, the costlier case: a fresh sub-actor each time): the edit is made on
    // a copy of the document at that version and merged.
    let history = store.history(id.clone()).unwrap().len();
    let runs = 100;
    let mut i = 0.0;
    let mut based = Vec::with_capacity(runs);
    for _ in 0..runs {
        i += 1.0;
        let opened = store.get_inspection(id.clone()).unwrap().heads;
        store
            .update_inspection(
                id.clone(),
                InspectionFields {
                    notes: Some(format!("moved on {i}")),
                    ..Default::default()
                },
                vec![],
            )
            .unwrap();
        let t = Instant::now();
        store
            .update_inspection(
                id.clone(),
                InspectionFields {
                    selection_reason: Some(format!("form {i}")),
                    notes: Some(format!("moved on {}", i - 1.0)),
                    ..Default::default()
                },
                opened,
            )
            .unwrap();
        based.push(t.elapsed());
    }
    based.sort();
    row(
        &format!("form saved on an older version ({history} changes of history)"),
        based[runs / 2],
        ours,
        "the same edit on the current version",
    );
    // What a keystroke costs: the form's draft (a dozen fields as typed) kept durably.
    let heads = store.get_inspection(id.clone()).unwrap().heads;
    let fields: std::collections::HashMap<String, String> = (0..12)
        .map(|k| {
            (
                format!("field{k}"),
                "typed text of a form field, ".repeat(4),
            )
        })
        .collect();
    let draft_bytes = fields.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let mut typed = 0;
    let draft = median(300, || {
        // Each keystroke changes the text (identical content would write nothing at all).
        typed += 1;
        let mut now = fields.clone();
        now.insert("field0".into(), format!("typed {typed}"));
        store
            .save_draft(
                format!("inspection:{id}"),
                Some(id.clone()),
                heads.clone(),
                now,
            )
            .unwrap();
    });
    let payload = vec![7u8; draft_bytes];
    let base = median(300, || {
        conn.execute(
            "INSERT INTO t (doc, data) VALUES (?1, ?2)",
            rusqlite::params![id, payload],
        )
        .unwrap();
    });
    row(
        &format!("draft saved ({draft_bytes} B of fields)"),
        draft,
        base,
        "bare SQLite insert, same bytes, WAL+FULL",
    );
}

/// A realistic inspection document of about 20 changes, made in memory.
fn inspection_changes(n: usize) -> (String, Vec<Vec<u8>>) {
    let actor: [u8; 16] = rand::random();
    let author = Author {
        user: format!("officer{}", n % 40),
        device: "bench-device".into(),
    };
    let mut doc = Document::new(&actor);
    let id = uuid::Uuid::now_v7().to_string();
    let containers = ["CSQU3054383", "ZEPU0037255", "MSKU9070323"];
    let header = Header {
        id: id.clone(),
        station: ["GHTEM", "NLRTM", "KEMBA", "THLCH"][n % 4].into(),
        officer: author.user.clone(),
        device: author.device.clone(),
        created_at: format!(
            "2026-{:02}-{:02}T{:02}:00:00.000Z",
            1 + n % 11,
            1 + n % 28,
            n % 24
        ),
    };
    let fields = InspectionPatch {
        container_number: Some(containers[n % 3].into()),
        ..Default::default()
    };
    inspection::create(&mut doc, &author, &header, &fields).unwrap();
    let substances = ["HCFC-22", "R-404A", "HFC-134a", "R-410A", "CFC-12"];
    let mut findings = Vec::new();
    for k in 0..3 {
        let fid = format!("f-{n}-{k}");
        let patch = FindingPatch {
            declared_substance: Some("HFC-134a".into()),
            identified_substance: Some(substances[(n + k) % substances.len()].into()),
            cylinders: Some(100 + k as u32),
            net_mass_kg: Some(1360.0 + k as f64),
            ..Default::default()
        };
        inspection::add_finding(&mut doc, &author, &fid, &patch).unwrap();
        findings.push(fid);
    }
    for step in 0..10 {
        let patch = InspectionPatch {
            selection_reason: Some(format!("risk profile {step}")),
            seals: Some(vec![format!("SEAL{n}"), format!("SEAL{step}")]),
            ..Default::default()
        };
        inspection::update(&mut doc, &author, &patch).unwrap();
    }
    let seizure = SeizurePatch {
        case_ref: Some(format!("CASE-{n}")),
        action: Some(SeizureAction::Seized),
        items: Some(vec![SeizureItem {
            finding_id: findings[0].clone(),
            quantity_kg: 1360.0,
            cylinders: Some(100),
        }]),
        ..Default::default()
    };
    inspection::set_seizure(&mut doc, &author, &seizure, "2026-11-29T10:00:00.000Z").unwrap();
    for c in 0..3 {
        let entry = CustodyInput {
            from: format!("officer {c}"),
            to: format!("clerk {c}"),
            ..Default::default()
        };
        inspection::add_custody(
            &mut doc,
            &author,
            &format!("c-{c}"),
            &entry,
            "2026-11-29T10:00:00.000Z",
        )
        .unwrap();
    }
    let changes = doc.changes_since(&[]).unwrap();
    (id, changes)
}

/// A store of N inspections, imported in batches (as a sync pull would bring them).
fn populate(dir: &Path) -> String {
    let path = dir.join("ten-thousand").display().to_string();
    let store = FieldStore::create(path.clone(), key(), "analyst".into(), "GHTEM".into()).unwrap();
    let t = Instant::now();
    let mut batch = Vec::new();
    for n in 0..N {
        batch.push(inspection_changes(n));
        if batch.len() == 500 {
            store.inner().merge_inspections(&batch).unwrap();
            batch.clear();
        }
    }
    eprintln!(
        "populated {N} inspections in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    path
}

/// What a sync asks the store first: the documents the server has not confirmed. With every
/// one of the 10,000 confirmed (an idle reconnect), against the full comparison of every
/// document with its sync state that answered it before the `unsynced` table.
fn idle_reconnect(path: &str) {
    keyed(path)
        .execute(
            "INSERT OR REPLACE INTO sync_state(doc_id, shared_heads) SELECT id, heads FROM documents",
            [],
        )
        .unwrap();
    let conn = rusqlite::Connection::open(plain_copy(path, "synced-plain.sqlite3")).unwrap();
    let store = FieldStore::open(path.to_string(), key()).unwrap();
    assert!(store.inner().unsynced_documents().unwrap().is_empty());
    let ours = median(51, || {
        store.inner().unsynced_documents().unwrap();
    });
    let base = median(51, || {
        conn.prepare_cached(
            "SELECT d.id FROM documents d LEFT JOIN sync_state s ON s.doc_id = d.id
             WHERE s.doc_id IS NULL OR s.shared_heads != d.heads ORDER BY d.id",
        )
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .for_each(drop);
    });
    row(
        &format!("documents to push, all {N} synced (an idle reconnect)"),
        ours,
        base,
        "every document compared with its sync state, as before",
    );
    // What the phones ask after every write.
    let ours = median(51, || {
        store.inner().pending().unwrap();
    });
    let base = median(51, || {
        conn.prepare_cached(
            "SELECT (SELECT count(*) FROM inspections i LEFT JOIN sync_state s ON s.doc_id = i.id
                     WHERE s.doc_id IS NULL OR s.shared_heads != i.heads)
                  + (SELECT count(*) FROM reviews r LEFT JOIN sync_state s ON s.doc_id = r.id
                     WHERE s.doc_id IS NULL OR s.shared_heads = '[]'),
                    (SELECT count(*) FROM blobs WHERE uploaded_at IS NULL),
                    (SELECT count(*) FROM sync_state WHERE rejected IS NOT NULL)",
        )
        .unwrap()
        .query_row([], |r| r.get::<_, i64>(0))
        .unwrap();
    });
    row(
        &format!("what waits for the server, all {N} synced (after every write)"),
        ours,
        base,
        "the same counts over every inspection and sync state, as before",
    );
}

fn list_and_search(path: &str) {
    let store = FieldStore::open(path.to_string(), key()).unwrap();
    let conn = rusqlite::Connection::open(plain_copy(path, "list-plain.sqlite3")).unwrap();
    // Baseline: the same number of rows read bare from the same table, every column.
    let bare = |rows: usize| {
        let mut stmt = conn
            .prepare_cached("SELECT * FROM inspections ORDER BY created_at DESC LIMIT ?1")
            .unwrap();
        let n = stmt
            .query_map([rows as i64], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, f64>(9)?,
                ))
            })
            .unwrap()
            .count();
        assert_eq!(n, rows);
    };
    let cases: Vec<(&str, InspectionFilter)> = vec![
        ("list newest 100 of 10,000", InspectionFilter::default()),
        (
            "list all 10,000",
            InspectionFilter {
                limit: Some(10_000),
                ..Default::default()
            },
        ),
        (
            "search substance R-404A, all matches",
            InspectionFilter {
                substance: Some("R-404A".into()),
                limit: Some(10_000),
                ..Default::default()
            },
        ),
        (
            "search container 'zepu', first 100",
            InspectionFilter {
                container: Some("zepu".into()),
                ..Default::default()
            },
        ),
        (
            "search station + date range",
            InspectionFilter {
                station: Some("NLRTM".into()),
                from: Some("2026-03-01".into()),
                to: Some("2026-05-31".into()),
                limit: Some(10_000),
                ..Default::default()
            },
        ),
    ];
    for (name, filter) in cases {
        let mut got = 0;
        let ours = median(30, || {
            got = store.list_inspections(filter.clone()).unwrap().len();
        });
        assert!(got > 0, "{name}: no rows");
        let base = median(30, || bare(got));
        row(
            &format!("{name} ({got} rows)"),
            ours,
            base,
            "bare SELECT of as many rows",
        );
    }
    // What the phones ask after every write: when to sync next (it counts what is unsynced).
    let mut schedule = None;
    let ours = median(30, || schedule = Some(store.sync_schedule().unwrap()));
    let pending = schedule.unwrap().unsynced_inspections;
    let base = median(30, || bare(100));
    row(
        &format!("sync schedule over 10,000 ({pending} unsynced)"),
        ours,
        base,
        "bare SELECT of the first page, 100 rows",
    );
}

fn child_open(mode: &str, path: &str) {
    let t = Instant::now();
    match mode {
        "store" => {
            let store = FieldStore::open(path.to_string(), key()).unwrap();
            let rows = store.list_inspections(InspectionFilter::default()).unwrap();
            assert_eq!(rows.len(), 100);
        }
        _ => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let n: i64 = conn
                .query_row("SELECT count(*) FROM (SELECT id FROM inspections ORDER BY created_at DESC LIMIT 100)", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n, 100);
        }
    }
    let elapsed = t.elapsed();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .unwrap_or("0");
    println!("{} {}", elapsed.as_nanos(), hwm);
}

/// Opening the store (migrations check, device identity, first page of the list) in a fresh
/// process, vs opening the same SQLite file bare and reading the same page.
fn open_store(path: &str) {
    let run = |mode: &str, path: &str| -> (Duration, u64) {
        let mut results: Vec<(u128, u64)> = (0..7)
            .map(|_| {
                let out = std::process::Command::new(std::env::current_exe().unwrap())
                    .args(["--child-open", mode, path])
                    .output()
                    .unwrap();
                let text = String::from_utf8(out.stdout).unwrap();
                let mut parts = text.split_whitespace();
                (
                    parts.next().unwrap().parse().unwrap(),
                    parts.next().unwrap().parse().unwrap(),
                )
            })
            .collect();
        results.sort();
        let (nanos, kb) = results[results.len() / 2];
        (Duration::from_nanos(nanos as u64), kb)
    };
    let (ours, ours_kb) = run("store", path);
    // The plain copy idle_reconnect made of the same store.
    let plain = Path::new(path).with_file_name("synced-plain.sqlite3");
    let (base, base_kb) = run("bare", &plain.display().to_string());
    row(
        "open store of 10,000 + first page",
        ours,
        base,
        "bare SQLite open + same page",
    );
    println!(
        "| peak RSS of that process | {:.1} MB | {:.1} MB (bare) | {:.2}x |",
        ours_kb as f64 / 1024.0,
        base_kb as f64 / 1024.0,
        ours_kb as f64 / base_kb as f64
    );
}

/// Attaching 4 MB photos (hash, temp file, fsync, rename, fsync dir, record in the document)
/// vs copying the same file and fsyncing it.
fn photo_add(dir: &Path) {
    let store = FieldStore::create(
        dir.join("photos").display().to_string(),
        key(),
        "ama".into(),
        "GHTEM".into(),
    )
    .unwrap();
    let id = store
        .create_inspection(InspectionFields {
            container_number: Some("CSQU3054383".into()),
            ..Default::default()
        })
        .unwrap()
        .inspection
        .id;
    let size = 4 * 1024 * 1024;
    let runs = 15;
    let sources: Vec<std::path::PathBuf> = (0..runs)
        .map(|i| {
            let p = dir.join(format!("photo{i}.jpg"));
            let mut bytes: Vec<u8> = (0..size).map(|b| (b * 31 + i * 7) as u8).collect();
            bytes[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    let mut i = 0;
    let ours = median(runs, || {
        store
            .add_photo_file(
                id.clone(),
                sources[i].display().to_string(),
                PhotoFields::default(),
            )
            .unwrap();
        i += 1;
    });
    let mut j = 0;
    let base = median(runs, || {
        let dest = dir.join(format!("copy{j}.jpg"));
        std::fs::copy(&sources[j], &dest).unwrap();
        std::fs::File::open(&dest).unwrap().sync_all().unwrap();
        j += 1;
    });
    let mbps = |d: Duration| size as f64 / d.as_secs_f64() / (1024.0 * 1024.0);
    println!(
        "| photo add, 4 MiB | {} ({:.0} MiB/s) | {} ({:.0} MiB/s, copy + fsync) | {:.2}x |",
        ms(ours),
        mbps(ours),
        ms(base),
        mbps(base),
        ours.as_secs_f64() / base.as_secs_f64()
    );
}
