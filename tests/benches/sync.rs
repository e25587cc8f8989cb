//! Sync benchmarks against baselines measured in the same run:
//! - initial sync of 1,000 inspections (~20 changes each) to a real server on loopback, vs
//!   automerge's own sync protocol between two in-memory peers for the same documents; and a new
//!   phone pulling them all, vs that push;
//! - incremental sync of 10 changed among 10,000, vs a reconnect with nothing changed;
//! - photo upload throughput vs a raw loopback HTTP POST of the same bytes;
//! - 200 devices syncing at once: p50 / p99 latency and errors (each device has synced once
//!   before, its HTTP client built; `QUAYSIDE_BENCH_COLD_CLIENTS=1` times their first sync;
//!   `QUAYSIDE_BENCH_PERF_CONTROL` lets `perf record` profile the timed round on PostgreSQL);
//! - `--only tls`: the initial sync and a photo upload over HTTPS vs plain HTTP;
//! - `--only postgres`: the server's records in PostgreSQL (the server `QUAYSIDE_BENCH_POSTGRES`
//!   names, e.g. `$(scripts/postgres.sh)`) vs the embedded SQLite file in the same run: initial
//!   push and pull,
//!   incremental sync, and 200 devices at once across two instances vs one embedded server;
//! - `--only photo-s3`: the photo upload with the records in PostgreSQL and the photos in the
//!   S3 store at `QUAYSIDE_BENCH_S3` (e.g. from `scripts/s3.sh`, with its key pair in
//!   `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`), vs the same bytes in one PUT to the store
//!   (through the server's streaming S3 client, the limit, and through its blocking one), vs
//!   a bare relay on loopback passing the phone's photo on to the store (with and without the
//!   hashes the server computes) and vs the embedded server with local files;
//! - `--only devices-pg`: only the 200 devices of `--only postgres`;
//! - `--only feed-own`: the feed a phone reads on the sync after pushing 100,000 documents of its
//!   own (left out by the query), vs a colleague paging through the same entries 500 at a time,
//!   on the embedded database and, with `QUAYSIDE_BENCH_POSTGRES`, on PostgreSQL;
//! - `--only feed-delay`: how soon a change one officer pushes is in the feed while a colleague's
//!   push of 1,000 new inspections runs on the server, vs the same with nothing else running,
//!   on the embedded database and, with `QUAYSIDE_BENCH_POSTGRES`, on PostgreSQL;
//! - `--only growth-pg`: the PostgreSQL half of `--only growth` alone;
//! - `--only growth [--sizes 1000,10000,100000]`: the server (the real binary) grown step by
//!   step, on the embedded file and, with `QUAYSIDE_BENCH_POSTGRES`, on PostgreSQL: at each size
//!   a push of 100 new inspections by a phone caught up with the feed (and the part of it the
//!   server's sync handler took, from its metrics), an idle reconnect, a new phone pulling
//!   everything, a CSV export of every seizure row, the server's memory at rest and at its
//!   peak, and the disk used.
//!
//! `cargo bench -p quayside-e2e --bench sync` (release build). Prints a Markdown table.

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use automerge::sync::{State, SyncDoc};
use quayside_core::FieldStore;
use quayside_core::doc::inspection::{self, Header};
use quayside_core::doc::{Author, Document};
use quayside_core::model::edits::{CustodyInput, FindingPatch, InspectionPatch, SeizurePatch};
use quayside_core::model::{SeizureAction, SeizureItem};
use quayside_e2e::{Agency, Device};

fn main() {
    println!("| benchmark | Quayside | baseline | ratio |");
    println!("|---|---|---|---|");
    // `--only devices` (or initial, incremental, photo): one group of rows.
    let args: Vec<String> = std::env::args().collect();
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1).cloned());
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if run("initial") {
        initial_sync(1_000);
        initial_sync(5_000);
    }
    if run("incremental") {
        incremental_sync();
    }
    if run("photo") {
        photo_upload();
    }
    if run("devices") {
        many_devices(200);
    }
    if only.as_deref() == Some("photo-s3") {
        let admin = std::env::var("QUAYSIDE_BENCH_POSTGRES").expect("QUAYSIDE_BENCH_POSTGRES");
        let endpoint = std::env::var("QUAYSIDE_BENCH_S3").expect("QUAYSIDE_BENCH_S3");
        photo_upload_s3(&admin, &endpoint);
    }
    if only.as_deref() == Some("feed-own") {
        feed_past_own_writes(100_000);
    }
    if only.as_deref() == Some("feed-delay") {
        feed_delay(1_000);
    }
    if run("tls") {
        over_https(1_000);
    }
    if run("postgres") {
        on_postgres(1_000, 200);
    }
    if only.as_deref() == Some("devices-pg") {
        match postgres_server() {
            Some(admin) => devices_on_postgres(&admin, 200),
            None => {
                println!("| 200 devices on PostgreSQL | not run: set QUAYSIDE_BENCH_POSTGRES | | |")
            }
        }
    }
    if matches!(only.as_deref(), Some("growth" | "growth-pg")) {
        let sizes: Vec<usize> = args
            .iter()
            .position(|a| a == "--sizes")
            .and_then(|i| args.get(i + 1))
            .map(|s| s.split(',').map(|n| n.parse().unwrap()).collect())
            .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
        if only.as_deref() == Some("growth") {
            growth(&sizes, None);
        }
        if let Some(admin) = postgres_server() {
            growth(&sizes, Some(&admin));
        }
    }
}

/// A kB figure of the server process's /proc status (VmRSS, VmHWM).
fn proc_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The time the server's sync handler has spent so far, from its own metrics (the sum of
/// `quayside_sync_duration_seconds`): what a push costs the server, apart from the phone's work.
fn server_sync_seconds(client: &reqwest::blocking::Client, base: &str) -> f64 {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("quayside_sync_duration_seconds_sum "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the server reports quayside_sync_duration_seconds_sum")
}

/// The server binary grown to each of `sizes` inspections by one phone; see the module notes.
fn growth(sizes: &[usize], postgres: Option<&str>) {
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "embedded"
    };
    let data = tempfile::tempdir().unwrap();
    let database = postgres.map(quayside_e2e::TestDatabase::create);
    let url = database.as_ref().map(|d| d.url.clone());
    let (code, token) = {
        let db = quayside_server::db::Db::open_with(data.path(), url.as_deref()).unwrap();
        quayside_e2e::seed(&db);
        db.add_user("nana", "ozone_analyst", &[], Some("GH"))
            .unwrap();
        (
            db.create_enrol_code("ama", 1).unwrap(),
            db.create_api_token("nana").unwrap(),
        )
    };
    let addr = quayside_e2e::free_addr();
    let server = quayside_e2e::ServerProcess::start_binary(
        &quayside_e2e::server_binary(),
        data.path(),
        url.as_deref(),
        None,
        addr,
    );
    let pid = server.child.id();
    let base = format!("http://{addr}");
    let ama = Device::new("ama", "GHTEM");
    ama.store
        .enroll(base.clone(), code, "ama's phone".into(), None)
        .unwrap();
    let timed = |d: &Device| {
        let t = Instant::now();
        let r = d.store.sync(None).unwrap();
        assert!(r.rejected.is_empty());
        t.elapsed()
    };
    let client = reqwest::blocking::Client::new();
    let mut held = 0;
    println!(
        "| {backend}: inspections held | push of 100 new (of it, the server's sync handler) | idle reconnect | a new phone pulls all (per inspection) | CSV export of every seizure row | server memory at rest / peak | disk |"
    );
    println!("|---|---|---|---|---|---|---|");
    for &size in sizes {
        fill(&ama, size - 100 - held);
        ama.store.sync(None).unwrap();
        // Caught up: the feed entries of what that sync pushed (one per document) are read by
        // the next sync, which would otherwise count them against the push of 100 below.
        ama.store.sync(None).unwrap();
        fill(&ama, 100);
        let served = server_sync_seconds(&client, &base);
        let push = timed(&ama);
        let served = server_sync_seconds(&client, &base) - served;
        held = size;
        let idle = timed(&ama);
        let kofi = Device::new("kofi", "GHTEM");
        let code = quayside_server::db::Db::open_with(data.path(), url.as_deref())
            .unwrap()
            .create_enrol_code("kofi", 1)
            .unwrap();
        kofi.store
            .enroll(base.clone(), code, format!("phone {size}"), None)
            .unwrap();
        let t = Instant::now();
        let pulled = kofi.store.sync(None).unwrap();
        let pull = t.elapsed();
        assert_eq!(pulled.received as usize, size);
        let rest = proc_kb(pid, "VmRSS:");
        let t = Instant::now();
        let csv = client
            .get(format!("{base}/v1/seizures?format=csv&state=all"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .bytes()
            .unwrap();
        let export = t.elapsed();
        let rows = csv.iter().filter(|b| **b == b'\n').count() - 1;
        let peak = proc_kb(pid, "VmHWM:");
        let disk = match &url {
            Some(u) => {
                let c = quayside_server::pg::Standalone::connect(u).unwrap();
                let c: &dyn quayside_core::sql::Sql = &c;
                c.value::<i64>(
                    "SELECT pg_database_size(current_database())",
                    quayside_core::args![],
                )
                .unwrap() as u64
            }
            None => std::fs::read_dir(data.path())
                .unwrap()
                .filter_map(|e| e.ok())
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("server.sqlite3")
                })
                .map(|e| e.metadata().unwrap().len())
                .sum(),
        };
        println!(
            "| {size} | {:.0} ms ({:.0} ms) | {:.1} ms | {:.1} s ({:.2} ms) | {:.2} s, {rows} rows | {:.0} / {:.0} MB | {:.0} MB ({:.1} KB per inspection) |",
            push.as_secs_f64() * 1e3,
            served * 1e3,
            idle.as_secs_f64() * 1e3,
            pull.as_secs_f64(),
            pull.as_secs_f64() * 1e3 / size as f64,
            export.as_secs_f64(),
            rest as f64 / 1024.0,
            peak as f64 / 1024.0,
            disk as f64 / 1e6,
            disk as f64 / 1e3 / size as f64
        );
    }
    drop(server);
    // `QUAYSIDE_BENCH_KEEP=DIR`: the embedded server's data directory is kept there (to read its
    // tables' page use with `dbstat`).
    if let (Ok(keep), None) = (std::env::var("QUAYSIDE_BENCH_KEEP"), &url) {
        let _ = std::fs::remove_dir_all(&keep);
        std::fs::rename(data.keep(), &keep).unwrap();
        eprintln!("kept the server's data in {keep}");
    }
}

/// The same syncs with the server's records in PostgreSQL and in the embedded SQLite file.
/// The PostgreSQL server the `postgres` benchmarks create their databases on.
fn postgres_server() -> Option<String> {
    std::env::var("QUAYSIDE_BENCH_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

fn on_postgres(n: usize, devices: usize) {
    let Some(admin) = postgres_server() else {
        println!(
            "| PostgreSQL rows | not run: set QUAYSIDE_BENCH_POSTGRES=$(scripts/postgres.sh) | | |"
        );
        return;
    };
    let mut runs = Vec::new();
    for pg in [false, true] {
        let database = pg.then(|| quayside_e2e::TestDatabase::create(&admin));
        let agency = Agency::start_with(quayside_server::Options {
            database: database.as_ref().map(|d| d.url.clone()),
            ..Default::default()
        });
        let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
        fill(&ama, n);
        let timed = |d: &Device| {
            let t = Instant::now();
            let r = d.store.sync(None).unwrap();
            assert!(r.rejected.is_empty());
            t.elapsed()
        };
        let push = timed(&ama);
        let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
        let pull = timed(&kofi);
        let idle = timed(&ama);
        change_ten(&ama);
        let changed = timed(&ama);
        assert_eq!(agency.db().document_count().unwrap(), n as u64);
        runs.push([push, pull, idle, changed]);
        drop(agency);
    }
    let names = [
        format!("initial sync of {n} inspections"),
        format!("a new phone pulls the same {n}"),
        format!("reconnect with nothing changed ({n} held)"),
        format!("incremental sync: 10 changed among {n}"),
    ];
    for (i, name) in names.iter().enumerate() {
        let (embedded, pg) = (runs[0][i], runs[1][i]);
        println!(
            "| {name}, PostgreSQL | {:.1} ms | {:.1} ms (embedded SQLite) | {:.2}x |",
            pg.as_secs_f64() * 1e3,
            embedded.as_secs_f64() * 1e3,
            pg.as_secs_f64() / embedded.as_secs_f64()
        );
    }
    devices_on_postgres(&admin, devices);
}

/// The feed a phone reads on its sync after pushing `n` documents of its own (the query leaves
/// them out, so one request reads past them all), against a colleague reading the same entries
/// 500 at a time (what the phone paid before, a page per 500 of its own), straight on the
/// server's database: embedded, and PostgreSQL when `QUAYSIDE_BENCH_POSTGRES` names a server.
fn feed_past_own_writes(n: usize) {
    use quayside_core::args;
    let admin = std::env::var("QUAYSIDE_BENCH_POSTGRES").ok();
    let mut backends = vec![("embedded SQLite", None)];
    if let Some(admin) = &admin {
        backends.push((
            "PostgreSQL",
            Some(quayside_e2e::TestDatabase::create(admin)),
        ));
    }
    for (name, database) in backends {
        let dir = tempfile::tempdir().unwrap();
        let db = quayside_server::db::Db::open_with(
            dir.path(),
            database.as_ref().map(|d| d.url.as_str()),
        )
        .unwrap();
        db.add_station("GHTEM", "GH", "Tema").unwrap();
        db.add_user("ama", "officer", &["GHTEM".into()], None)
            .unwrap();
        db.add_user("esi", "supervisor", &["GHTEM".into()], None)
            .unwrap();
        let phone = db
            .enroll(&quayside_core::sync::protocol::EnrollRequest {
                code: db.create_enrol_code("ama", 1).unwrap(),
                actor: "00112233445566778899aabbccddeeff".into(),
                device_id: uuid::Uuid::new_v4().to_string(),
                device_name: "phone".into(),
                public_key: quayside_core::signing::public_key_of(&[7; 32]),
                user: Some("ama".into()),
            })
            .unwrap();
        let ama = db.principal(&phone.token).unwrap();
        let esi = db.principal(&db.create_api_token("esi").unwrap()).unwrap();
        // In two steps with ANALYZE between: PostgreSQL plans the check of the first rows'
        // reference to `documents` while that table is empty (a scan of the table) and keeps the
        // plan until statistics change, so one transaction of 100,000 from empty takes minutes
        // (a server with autovacuum off runs ANALYZE itself every minute; see README).
        for range in [0..1_000.min(n as i64), 1_000.min(n as i64)..n as i64] {
            db.write(|c| {
                for i in range.clone() {
                    let id = format!("d{i:07}");
                    c.execute(
                        "INSERT INTO documents(id, kind, snapshot, heads, updated_at) VALUES (?1, 'inspection', ?2, '[]', '2026-01-01')",
                        args![id, vec![0u8]],
                    )?;
                    c.execute(
                        "INSERT INTO doc_index(id, kind, station, seq, device_id) VALUES (?1, 'inspection', 'GHTEM', ?2, ?3)",
                        args![id, 1_000 + i, ama.device_id],
                    )?;
                }
                Ok(())
            })
            .unwrap();
            db.write(|c| Ok(c.batch("ANALYZE")?)).unwrap();
        }
        let runs = 5;
        let own = median_of(runs, |_| {
            let start = Instant::now();
            let page = db.feed(&ama, 0, 500).unwrap();
            assert!(page.entries.is_empty() && !page.more);
            start.elapsed()
        });
        let mut pages = 0;
        let paged = median_of(runs, |_| {
            let (mut since, mut read) = (0, 0);
            pages = 0;
            let start = Instant::now();
            loop {
                let page = db.feed(&esi, since, 500).unwrap();
                pages += 1;
                read += page.entries.len();
                since = page.cursor;
                if !page.more {
                    break;
                }
            }
            assert_eq!(read, n);
            start.elapsed()
        });
        println!(
            "| the feed on a phone's sync after it pushed {n} of its own, {name} | {:.1} ms, 1 request | {:.1} ms, {pages} requests (the same entries read 500 at a time, as the phone paged through its own before) | {:.3}x |",
            own.as_secs_f64() * 1e3,
            paged.as_secs_f64() * 1e3,
            own.as_secs_f64() / paged.as_secs_f64()
        );
    }
}

/// How soon a change is in the feed while a large push runs. Ama (at Tema) pushes `n` new
/// inspections; meanwhile Piet (at Rotterdam, so his syncs pull none of them) records and pushes
/// one inspection after another, and an administrator's feed, read straight on the server's
/// database as a sync reads it, is polled until each is in it. Timed from Piet's sync starting
/// to his inspection in the feed, against the same with nothing else running. On the embedded
/// server Piet's push waits for the one writer; on PostgreSQL it commits at once and the feed
/// stops below the oldest transaction still writing (ARCHITECTURE.md), so it waits there.
fn feed_delay(n: usize) {
    let mut backends = vec![("embedded SQLite", None)];
    if let Some(admin) = postgres_server() {
        backends.push((
            "PostgreSQL",
            Some(quayside_e2e::TestDatabase::create(&admin)),
        ));
    }
    for (name, database) in backends {
        let agency = Agency::start_with(quayside_server::Options {
            database: database.as_ref().map(|d| d.url.clone()),
            ..Default::default()
        });
        let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
        let piet = Device::enrolled(&agency, &agency.url(), "piet", "NLRTM");
        let db = agency.db();
        let root = db.principal(&db.create_api_token("root").unwrap()).unwrap();
        let mut since = 0;
        // From the start of Piet's sync to his new inspection in the feed.
        let mut visible = || {
            let id = quayside_e2e::new_inspection(&piet.store, "MSCU1234566");
            let start = Instant::now();
            piet.store.sync(None).unwrap();
            loop {
                let page = db.feed(&root, since, 5000).unwrap();
                since = page.cursor;
                if page.entries.iter().any(|e| e.id == id) {
                    return start.elapsed();
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        };
        let alone: Vec<Duration> = (0..15).map(|_| visible()).collect();
        fill(&ama, n);
        let store = ama.store.clone();
        let pushing = std::thread::spawn(move || {
            let start = Instant::now();
            store.sync(None).unwrap();
            start.elapsed()
        });
        let mut during = Vec::new();
        loop {
            during.push(visible());
            if pushing.is_finished() {
                break;
            }
        }
        let push = pushing.join().unwrap();
        assert_eq!(
            db.document_count().unwrap(),
            (n + alone.len() + during.len()) as u64
        );
        let longest = |t: &[Duration]| t.iter().max().copied().unwrap_or_default();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "| a change in the feed while a colleague pushes {n} new inspections ({:.0} ms), {name} | median {:.0} ms, longest {:.0} ms ({} changes) | median {:.0} ms, longest {:.0} ms (the same with nothing else running, {} changes) | {:.1}x longest |",
            ms(push),
            ms(median(during.clone())),
            ms(longest(&during)),
            during.len(),
            ms(median(alone.clone())),
            ms(longest(&alone)),
            alone.len(),
            ms(longest(&during)) / ms(longest(&alone)),
        );
    }
}

/// `devices` devices syncing at once across two instances on PostgreSQL vs one embedded server.
fn devices_on_postgres(admin: &str, devices: usize) {
    let one = devices_at_once(devices, None, 1);
    let two = devices_at_once(devices, Some(admin), 2);
    println!(
        "| {devices} devices syncing at once, two instances on PostgreSQL behind a balancer | {} | {} (one embedded server) | {:.2}x p99 |",
        two.summary(),
        one.summary(),
        two.p99.as_secs_f64() / one.p99.as_secs_f64()
    );
}

/// The machine's CPU time so far, from `/proc/stat`, in ticks.
#[derive(Clone, Copy)]
struct Ticks {
    /// Taken by the hypervisor for other machines.
    stolen: u64,
    /// Idle, or waiting for the disk.
    idle: u64,
    all: u64,
}

fn cpu_ticks() -> Option<Ticks> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .map(|t| t.parse().unwrap_or(0))
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is counted in user).
    Some(Ticks {
        stolen: *ticks.get(7)?,
        idle: ticks.get(3)? + ticks.get(4)?,
        all: ticks.iter().take(8).sum(),
    })
}

/// The shares of the machine's CPU the hypervisor took and that nothing used between two
/// [`cpu_ticks`]: on a shared virtual machine the first varies from hour to hour, and every
/// latency here moves with it; the second tells waiting from work.
fn stolen_between(before: Option<Ticks>, after: Option<Ticks>) -> Option<(f64, f64)> {
    let (b, a) = (before?, after?);
    let all = a.all.checked_sub(b.all).filter(|&d| d > 0)? as f64;
    Some((
        (a.stolen - b.stolen) as f64 / all,
        (a.idle - b.idle) as f64 / all,
    ))
}

/// The same initial sync of `n` inspections and the same 32 MiB photo upload, over HTTPS (the
/// server serving TLS itself with a private CA's certificate, the device trusting that CA) and
/// over plain HTTP in the same run.
fn over_https(n: usize) {
    let tmp = tempfile::tempdir().unwrap();
    let pki = quayside_e2e::private_ca(tmp.path());
    let mut results = Vec::new();
    for tls in [false, true] {
        let agency = if tls {
            quayside_e2e::https_agency(&pki)
        } else {
            Agency::start()
        };
        let device = Device::new("ama", "GHTEM");
        device
            .store
            .enroll(
                agency.url(),
                agency.code("ama"),
                "phone".into(),
                tls.then(|| quayside_core::ServerTrust {
                    ca_pem: Some(pki.ca_pem.clone()),
                    pin_sha256: None,
                }),
            )
            .unwrap();
        fill(&device, n);
        let start = Instant::now();
        let report = device.store.sync(None).unwrap();
        let docs = start.elapsed();
        assert!(report.rejected.is_empty());
        let id = device.store.list_inspections(Default::default()).unwrap()[0]
            .id
            .clone();
        let mut photo: Vec<u8> = (0..32 * 1024 * 1024)
            .map(|i| (i * 31 % 253) as u8)
            .collect();
        photo[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
        let upload = median_of(3, |i| {
            photo[5] = i as u8;
            device
                .store
                .add_photo(id.clone(), photo.clone(), Default::default())
                .unwrap();
            let start = Instant::now();
            assert_eq!(device.store.sync(None).unwrap().photos_uploaded, 1);
            start.elapsed()
        });
        results.push((docs, upload));
    }
    let ((http_docs, http_photo), (tls_docs, tls_photo)) = (results[0], results[1]);
    println!(
        "| initial sync of {n} inspections over HTTPS | {:.3} s | {:.3} s (the same over plain HTTP) | {:.2}x |",
        tls_docs.as_secs_f64(),
        http_docs.as_secs_f64(),
        tls_docs.as_secs_f64() / http_docs.as_secs_f64()
    );
    let mib = |d: Duration| 32.0 / d.as_secs_f64();
    println!(
        "| photo upload 32 MiB over HTTPS | {:.0} MiB/s | {:.0} MiB/s (the same over plain HTTP) | {:.2}x time |",
        mib(tls_photo),
        mib(http_photo),
        tls_photo.as_secs_f64() / http_photo.as_secs_f64()
    );
}

/// One realistic inspection of about 20 changes, made with this device's identity.
fn inspection_doc(actor: &[u8], user: &str, device: &str, n: usize) -> (String, Document) {
    let author = Author {
        user: user.into(),
        device: device.into(),
    };
    let mut doc = Document::new(actor);
    let id = uuid::Uuid::now_v7().to_string();
    let header = Header {
        id: id.clone(),
        station: "GHTEM".into(),
        officer: user.into(),
        device: device.into(),
        created_at: format!("2026-{:02}-{:02}T10:00:00.000Z", 1 + n % 11, 1 + n % 28),
    };
    let fields = InspectionPatch {
        container_number: Some("CSQU3054383".into()),
        ..Default::default()
    };
    inspection::create(&mut doc, &author, &header, &fields).unwrap();
    let mut first = String::new();
    for k in 0..3 {
        let fid = format!("f-{n}-{k}");
        let patch = FindingPatch {
            declared_substance: Some("HFC-134a".into()),
            identified_substance: Some(["HCFC-22", "R-404A", "CFC-12"][k].into()),
            cylinders: Some(100 + k as u32),
            net_mass_kg: Some(1360.0 + k as f64),
            ..Default::default()
        };
        inspection::add_finding(&mut doc, &author, &fid, &patch).unwrap();
        if k == 0 {
            first = fid;
        }
    }
    for step in 0..12 {
        let patch = InspectionPatch {
            selection_reason: Some(format!("risk profile {step}")),
            seals: Some(vec![format!("SEAL{n}"), format!("S{step}")]),
            ..Default::default()
        };
        inspection::update(&mut doc, &author, &patch).unwrap();
    }
    let seizure = SeizurePatch {
        case_ref: Some(format!("CASE-{n}")),
        action: Some(SeizureAction::Seized),
        items: Some(vec![SeizureItem {
            finding_id: first,
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
    (id, doc)
}

/// Fills an enrolled device with `n` inspections as if recorded offline; returns their
/// documents' change bytes, compressed save bytes and the documents themselves.
fn fill(device: &Device, n: usize) -> (usize, usize, usize, Vec<Document>) {
    let info = device.store.device_info();
    let actor = hex::decode(&info.actor_id).unwrap();
    let (mut change_bytes, mut save_bytes, mut changes) = (0, 0, 0);
    let mut docs = Vec::new();
    let mut batch = Vec::new();
    for i in 0..n {
        let (id, mut doc) = inspection_doc(&actor, &info.user, &info.device_id, i);
        let c = doc.changes_since(&[]).unwrap();
        changes += c.len();
        change_bytes += c.iter().map(Vec::len).sum::<usize>();
        save_bytes += doc.save().len();
        batch.push((id, c));
        docs.push(doc);
        if batch.len() == 500 {
            device.store.inner().merge_inspections(&batch).unwrap();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        device.store.inner().merge_inspections(&batch).unwrap();
    }
    (changes, change_bytes, save_bytes, docs)
}

fn kib(n: u64) -> String {
    format!("{:.0} KiB", n as f64 / 1024.0)
}

/// automerge's sync protocol between two in-memory peers, document by document.
fn automerge_sync(docs: &mut [Document]) -> (Duration, u64, u64) {
    let saved: Vec<Vec<u8>> = docs.iter_mut().map(|d| d.save()).collect();
    let start = Instant::now();
    let (mut bytes, mut max_rounds) = (0u64, 0u64);
    for s in &saved {
        let mut a = automerge::AutoCommit::load(s).unwrap();
        let mut b = automerge::AutoCommit::new();
        let (mut sa, mut sb) = (State::new(), State::new());
        let mut rounds = 0;
        loop {
            let ma = a.sync().generate_sync_message(&mut sa);
            let mb = b.sync().generate_sync_message(&mut sb);
            if ma.is_none() && mb.is_none() {
                break;
            }
            if let Some(m) = ma {
                let enc = m.encode();
                bytes += enc.len() as u64;
                b.sync()
                    .receive_sync_message(&mut sb, automerge::sync::Message::decode(&enc).unwrap())
                    .unwrap();
            }
            if let Some(m) = mb {
                let enc = m.encode();
                bytes += enc.len() as u64;
                a.sync()
                    .receive_sync_message(&mut sa, automerge::sync::Message::decode(&enc).unwrap())
                    .unwrap();
            }
            rounds += 1;
        }
        assert_eq!(a.get_heads(), b.get_heads());
        max_rounds = max_rounds.max(rounds);
    }
    (start.elapsed(), bytes, max_rounds)
}

fn initial_sync(n: usize) {
    let agency = Agency::start();
    let device = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let (changes, change_bytes, save_bytes, mut docs) = fill(&device, n);
    let start = Instant::now();
    let report = device.store.sync(None).unwrap();
    let ours = start.elapsed();
    assert_eq!(agency.db().document_count().unwrap(), n as u64);
    assert!(report.rejected.is_empty());
    let (base, base_bytes, base_rounds) = automerge_sync(&mut docs);
    println!(
        "| initial sync of {n} inspections ({changes} changes; raw changes {}, compressed saves {}) | {:.3} s, {} round trips, {} sent + {} received | {:.3} s, {} round trips per document, {} (automerge sync protocol, in memory) | {:.2}x time, {:.2}x bytes |",
        kib(change_bytes as u64),
        kib(save_bytes as u64),
        ours.as_secs_f64(),
        report.round_trips,
        kib(report.bytes_sent),
        kib(report.bytes_received),
        base.as_secs_f64(),
        base_rounds,
        kib(base_bytes),
        ours.as_secs_f64() / base.as_secs_f64(),
        (report.bytes_sent + report.bytes_received) as f64 / base_bytes as f64
    );
    // A colleague's new phone at the same station pulls them all: it should cost what the
    // push cost, not more.
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let start = Instant::now();
    let pulled = kofi.store.sync(None).unwrap();
    let pull = start.elapsed();
    assert_eq!(
        kofi.store
            .list_inspections(quayside_core::InspectionFilter {
                limit: Some(n as u32 + 1),
                ..Default::default()
            })
            .unwrap()
            .len(),
        n
    );
    println!(
        "| a new phone pulls the same {n} inspections | {:.3} s, {} round trips, {} received | {:.3} s (the push above) | {:.2}x |",
        pull.as_secs_f64(),
        pulled.round_trips,
        kib(pulled.bytes_received),
        ours.as_secs_f64(),
        pull.as_secs_f64() / ours.as_secs_f64()
    );
}

/// Edits ten of the device's inspections.
fn change_ten(device: &Device) {
    let ids: Vec<String> = device
        .store
        .list_inspections(quayside_core::InspectionFilter {
            limit: Some(10),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    for id in &ids {
        device
            .store
            .update_inspection(
                id.clone(),
                quayside_core::InspectionFields {
                    selection_reason: Some("changed".into()),
                    ..Default::default()
                },
                vec![],
            )
            .unwrap();
    }
}

fn incremental_sync() {
    let agency = Agency::start();
    let device = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    fill(&device, 10_000);
    device.store.sync(None).unwrap();
    // Reconnect with nothing changed.
    let start = Instant::now();
    let idle = device.store.sync(None).unwrap();
    let idle_time = start.elapsed();
    change_ten(&device);
    let start = Instant::now();
    let report = device.store.sync(None).unwrap();
    let t = start.elapsed();
    assert_eq!(report.pushed, 10);
    println!(
        "| incremental sync: 10 changed among 10,000 | {:.1} ms, {} round trips, {} B sent + {} B received ({} B per changed document) | {:.1} ms, {} B sent + {} B received (reconnect, nothing changed) | {:.2}x time |",
        t.as_secs_f64() * 1e3,
        report.round_trips,
        report.bytes_sent,
        report.bytes_received,
        (report.bytes_sent + report.bytes_received) / 10,
        idle_time.as_secs_f64() * 1e3,
        idle.bytes_sent,
        idle.bytes_received,
        t.as_secs_f64() / idle_time.as_secs_f64()
    );
}

/// Uploads of a fresh photo of one size to one agency, as a device's sync sends them
/// (`HttpClient::upload_blob`: a photo of one chunk sent at once, a larger one after a `HEAD`, in
/// 8 MiB `PATCH` chunks with a CRC32C each, through the core's own HTTP client) and nothing else:
/// the inspection that references the photo is synced before each, outside the timing.
struct Uploader {
    device: Device,
    inspection: String,
    client: quayside_core::sync::client::HttpClient,
    /// The last photo sent (for the baselines' copies).
    photo: Vec<u8>,
    /// The SHA-256 of every photo sent.
    sent: Vec<String>,
}

impl Uploader {
    fn new(agency: &Agency, size: usize) -> Uploader {
        let device = Device::enrolled(agency, &agency.url(), "ama", "GHTEM");
        let inspection = device
            .store
            .create_inspection(quayside_core::InspectionFields {
                container_number: Some("CSQU3054383".into()),
                ..Default::default()
            })
            .unwrap()
            .inspection
            .id;
        let token = device.store.inner().server_link().unwrap().unwrap().token;
        let client =
            quayside_core::sync::client::HttpClient::new(&agency.url(), Some(token)).unwrap();
        let mut photo: Vec<u8> = (0..size).map(|i| (i * 31 % 253) as u8).collect();
        photo[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
        Uploader {
            device,
            inspection,
            client,
            photo,
            sent: Vec::new(),
        }
    }

    /// Times the upload of photo number `i` (a new photo for every `i`).
    fn timed(&mut self, i: usize) -> Duration {
        let size = self.photo.len();
        self.photo[5] = i as u8;
        self.photo[6] = (size >> 20) as u8;
        self.photo[7] = (i >> 8) as u8;
        let sha = quayside_core::blobs::sha256_hex(&self.photo);
        self.sent.push(sha.clone());
        // The inspection names the photo (the device does not hold it, so its sync does not
        // upload it): the server now lets this device upload it.
        self.device
            .store
            .inner()
            .edit_inspection(&self.inspection, |doc, author, _| {
                inspection::add_photo(
                    doc,
                    author,
                    &quayside_core::model::Photo {
                        sha256: sha.clone(),
                        bytes: size as u64,
                        mime: "image/jpeg".into(),
                        captured_at: "2026-12-02T10:00:00.000Z".into(),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
        self.device.store.sync(None).unwrap();
        // Copied before the timing, as the baselines' copies are.
        let bytes = self.photo.clone();
        let start = Instant::now();
        self.client
            .upload_blob(&sha, size as u64, || Ok(bytes))
            .unwrap();
        start.elapsed()
    }
}

/// Median time of `runs` uploads of a fresh photo of `size` bytes to `agency` ([`Uploader`]);
/// the uploader comes back with it (the last photo's bytes, for the baselines, and what it sent).
fn upload_median(agency: &Agency, runs: usize, size: usize) -> (Duration, Uploader) {
    let mut uploader = Uploader::new(agency, size);
    let median = median_of(runs, |i| uploader.timed(i));
    (median, uploader)
}

/// The median of `runs` timings, each taken by `timed(run)`.
fn median_of(runs: usize, timed: impl FnMut(usize) -> Duration) -> Duration {
    median((0..runs).map(timed).collect())
}

/// The median of `times` (the upper one of an even count).
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn mib_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / (1024.0 * 1024.0)
}

fn timed_mib(bytes: usize, d: Duration) -> String {
    format!(
        "{:.0} ms, {:.0} MiB/s",
        d.as_secs_f64() * 1e3,
        mib_per_s(bytes, d)
    )
}

/// A row comparing an upload of `size` bytes that took `ours` with a baseline that took `base`,
/// as a percentage of the baseline's throughput (`versus`) or as a ratio of times (`None`).
fn upload_row(
    name: &str,
    size: usize,
    ours: Duration,
    base: Duration,
    baseline: &str,
    versus: Option<&str>,
) {
    let ratio = match versus {
        Some(of) => format!(
            "{:.0}% of {of}",
            100.0 * mib_per_s(size, ours) / mib_per_s(size, base)
        ),
        None => format!("{:.2}x time", ours.as_secs_f64() / base.as_secs_f64()),
    };
    println!(
        "| {name} | {} | {} ({baseline}) | {ratio} |",
        timed_mib(size, ours),
        timed_mib(size, base)
    );
}

/// Rows "the same upload" under an [`upload_row`]: `ours` against each of `baselines` (its time,
/// what it is, and what the percentage is of, or None for a ratio of times).
fn same_upload_rows(size: usize, ours: Duration, baselines: &[(Duration, &str, Option<&str>)]) {
    for &(base, baseline, versus) in baselines {
        upload_row("the same upload", size, ours, base, baseline, versus);
    }
}

/// The photo upload with the records in PostgreSQL and the photos in the S3 store at `endpoint`,
/// against its honest limit (the same bytes in one PUT to the store) and against the embedded
/// server with local files, in the same run.
fn photo_upload_s3(admin: &str, endpoint: &str) {
    let runs = 5;
    let local = Agency::start_embedded();
    let database = quayside_e2e::TestDatabase::create(admin);
    let blobs = format!(
        "s3://quayside-bench-{}?endpoint={endpoint}",
        uuid::Uuid::new_v4().simple()
    );
    let agency = Agency::start_with(quayside_server::Options {
        database: Some(database.url.clone()),
        blobs: Some(blobs.clone()),
        ..Default::default()
    });
    let store = quayside_server::s3::ObjectStore::from_url(&blobs).unwrap();
    // Every object the run writes, removed at the end (a run writes about 1 GB).
    let mut written = phone_photo_s3(&local, &agency, &store, &blobs);
    // A large photo: 8 MiB chunks, a multipart upload joined at the end.
    let size = 32 * 1024 * 1024;
    let (on_local, _) = upload_median(&local, runs, size);
    let (ours, uploader) = upload_median(&agency, runs, size);
    let photo = uploader.photo;
    written.extend(uploader.sent.iter().map(|sha| photo_key(sha)));
    written.extend((0..runs).flat_map(|i| {
        [
            format!("bench/{size}-{i}"),
            format!("bench/parts-{size}-{i}"),
        ]
    }));
    let put = median_of(runs, |i| put_once(&store, &photo, i));
    upload_row(
        "photo upload, 32 MiB in 8 MiB chunks, PostgreSQL + S3 (s3s-fs), median of 5",
        size,
        ours,
        put,
        "the same bytes in one PUT to the store, median of 5",
        Some("that limit"),
    );
    // What the store itself takes for the same bytes as a multipart upload: the parts one after
    // another, then the join (which s3s-fs does by copying every part).
    let joined = median_of(runs, |i| {
        let key = format!("bench/parts-{size}-{i}");
        let parts: Vec<Vec<u8>> = photo
            .chunks(quayside_core::sync::engine::CHUNK_BYTES)
            .map(<[u8]>::to_vec)
            .collect();
        let start = Instant::now();
        let id = store.start_multipart(&key).unwrap();
        let etags: Vec<String> = parts
            .into_iter()
            .enumerate()
            .map(|(n, part)| store.put_part(&key, &id, n as u16 + 1, part).unwrap())
            .collect();
        store.finish_multipart(&key, &id, &etags).unwrap();
        start.elapsed()
    });
    same_upload_rows(
        size,
        ours,
        &[
            (
                joined,
                "the same bytes straight to the store in 8 MiB parts, joined, median of 5",
                Some("that"),
            ),
            (on_local, "embedded server, local files, same run", None),
        ],
    );
    for key in written {
        store.delete(&key).unwrap();
    }
}

/// Where the server keeps a finished photo in its bucket (`object_uploads`).
fn photo_key(sha256: &str) -> String {
    format!("photos/{sha256}")
}

/// Times one PUT of `photo` (copied before the timing) to the store, as round `i`.
fn put_once(store: &quayside_server::s3::ObjectStore, photo: &[u8], i: usize) -> Duration {
    let bytes = photo.to_vec();
    let start = Instant::now();
    store
        .put(&format!("bench/{}-{i}", photo.len()), bytes)
        .unwrap();
    start.elapsed()
}

/// The phone's photo (4 MiB, one chunk, one PUT to the store) against one PUT of the same bytes
/// (the limit: through the server's own S3 client as it streams a photo on; and through the
/// blocking client it uses for bytes it holds, the limit used before 2026-12-04, which measured
/// slower), against a bare relay on loopback (what the hop through a server costs by itself on
/// this machine) with and without the SHA-256 and CRC32C the server computes, and against the
/// embedded server. Every timing is interleaved round by round (blocks of five runs one after
/// another let the machine's drift move one PUT's median between runs, from 12 to 15 ms here),
/// and each row is the median of its rounds. Returns the keys of the objects it wrote.
fn phone_photo_s3(
    local: &Agency,
    agency: &Agency,
    store: &quayside_server::s3::ObjectStore,
    blobs: &str,
) -> Vec<String> {
    let (size, rounds) = (4 * 1024 * 1024, 21);
    let mut uploader = Uploader::new(agency, size);
    let mut on_local = Uploader::new(local, size);
    let relay = Relay::start(blobs);
    let mut times: [Vec<Duration>; 6] = Default::default();
    for i in 0..rounds {
        // Each round starts one further along, so that no timing always follows the same one
        // (what ran just before moves a timing by up to a fifth here: the store's or the
        // database's writes still being flushed).
        for k in 0..times.len() {
            let which = (i + k) % times.len();
            let photo = uploader.photo.clone();
            times[which].push(match which {
                0 => uploader.timed(i),
                1 => relay.put_direct(&photo, i),
                2 => put_once(store, &photo, i),
                3 => relay.put(&photo, false, i),
                4 => relay.put(&photo, true, i),
                _ => on_local.timed(i),
            });
        }
    }
    let [ours, put, put_blocking, bare, hashed, on_local] = times.map(median);
    let limit =
        "the same bytes in one PUT to the store through the server's streaming client, interleaved";
    upload_row(
        &format!("photo upload, 4 MiB in one chunk, PostgreSQL + S3 (s3s-fs), median of {rounds}"),
        size,
        ours,
        put,
        limit,
        Some("that limit"),
    );
    same_upload_rows(
        size,
        ours,
        &[
            (
                put_blocking,
                "the same PUT through the blocking client, interleaved",
                Some("that"),
            ),
            (
                bare,
                "a bare relay: one loopback PUT streamed on into one PUT to the store, interleaved",
                Some("that"),
            ),
            (
                hashed,
                "the same relay computing SHA-256 and CRC32C on the way, interleaved",
                Some("that"),
            ),
            (on_local, "embedded server, local files, interleaved", None),
        ],
    );
    // What any relay reaches of the same limit here.
    for (relay, name) in [(bare, "the bare relay"), (hashed, "the hashing relay")] {
        upload_row(
            &format!("{name} (for comparison)"),
            size,
            relay,
            put,
            limit,
            Some("that limit"),
        );
    }
    let mut written: Vec<String> = uploader.sent.iter().map(|sha| photo_key(sha)).collect();
    written.extend((0..rounds).flat_map(|i| {
        [
            format!("bench/direct-{i}"),
            format!("bench/{size}-{i}"),
            format!("bench/{i}"),
        ]
    }));
    written
}

/// A bare relay on loopback: `PUT /relay/{bare|hashed}/{key}` streams the request's body on into
/// one PUT to the store, as the server passes on a photo, with nothing checked or recorded
/// (`hashed`: the SHA-256 and CRC32C of every byte computed on the way).
struct Relay {
    addr: std::net::SocketAddr,
    client: reqwest::blocking::Client,
    runtime: tokio::runtime::Runtime,
    store: Arc<quayside_server::s3::ObjectStore>,
}

impl Relay {
    fn start(blobs: &str) -> Relay {
        use axum::extract::{Path, State};
        type Store = Arc<quayside_server::s3::ObjectStore>;
        let store: Store = Arc::new(quayside_server::s3::ObjectStore::from_url(blobs).unwrap());
        let for_direct = store.clone();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let relay = |State(store): State<Store>,
                     Path((mode, key)): Path<(String, String)>,
                     headers: axum::http::HeaderMap,
                     body: axum::body::Body| async move {
            let len: u64 = headers[axum::http::header::CONTENT_LENGTH]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            let body = Relayed {
                body: std::sync::Mutex::new(body),
                left: len,
                sums: (mode == "hashed").then(|| (sha2::Sha256::default(), 0u32)),
            };
            tokio::task::spawn_blocking(move || store.put_arriving(&format!("bench/{key}"), body))
                .await
                .unwrap()
                .unwrap();
            axum::http::StatusCode::NO_CONTENT
        };
        let app = axum::Router::new()
            .route("/relay/{mode}/{key}", axum::routing::put(relay))
            .with_state(store)
            .layer(axum::extract::DefaultBodyLimit::disable());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Relay {
            addr,
            client: reqwest::blocking::Client::new(),
            runtime,
            store: for_direct,
        }
    }

    /// Times one PUT of `photo` straight to the store through the server's streaming client
    /// (`ObjectStore::put_arriving`, on a blocking thread of a runtime, as the server calls it),
    /// the body one frame of bytes copied before the timing.
    fn put_direct(&self, photo: &[u8], i: usize) -> Duration {
        let bytes = axum::body::Bytes::from(photo.to_vec());
        let (store, len) = (self.store.clone(), bytes.len() as u64);
        let start = Instant::now();
        self.runtime
            .block_on(self.runtime.spawn_blocking(move || {
                store.put_arriving(
                    &format!("bench/direct-{i}"),
                    Relayed {
                        body: std::sync::Mutex::new(axum::body::Body::from(bytes)),
                        left: len,
                        sums: None,
                    },
                )
            }))
            .unwrap()
            .unwrap();
        start.elapsed()
    }

    /// Times one PUT of `photo` through the relay.
    fn put(&self, photo: &[u8], hashed: bool, i: usize) -> Duration {
        let mode = if hashed { "hashed" } else { "bare" };
        let bytes = photo.to_vec();
        let start = Instant::now();
        let resp = self
            .client
            .put(format!("http://{}/relay/{mode}/{i}", self.addr))
            .body(bytes)
            .send()
            .unwrap();
        assert!(resp.status().is_success());
        start.elapsed()
    }
}

/// A request body passed on as it arrives (as the server passes a photo on to the store),
/// optionally through SHA-256 and CRC32C.
struct Relayed {
    body: std::sync::Mutex<axum::body::Body>,
    left: u64,
    sums: Option<(sha2::Sha256, u32)>,
}

impl http_body::Body for Relayed {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<axum::body::Bytes>, std::io::Error>>> {
        use sha2::Digest;
        let this = self.get_mut();
        let body = this.body.get_mut().unwrap();
        match std::task::ready!(std::pin::Pin::new(body).poll_frame(cx)) {
            Some(Ok(frame)) => {
                let data = frame.into_data().unwrap_or_default();
                this.left -= data.len() as u64;
                if let Some((sha, crc)) = &mut this.sums {
                    sha.update(&data);
                    *crc = crc32c::crc32c_append(*crc, &data);
                }
                std::task::Poll::Ready(Some(Ok(http_body::Frame::data(data))))
            }
            Some(Err(e)) => std::task::Poll::Ready(Some(Err(std::io::Error::other(e)))),
            None => std::task::Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

/// A fresh 32 MiB photo per run (median of 5) vs POSTing the same bytes, on the same HTTP stack
/// (median of 5), to a handler that writes them to a file and fsyncs it (the honest limit) and to
/// one that reads and drops them.
fn photo_upload() {
    let agency = Agency::start();
    let runs = 5;
    let (ours, uploader) = upload_median(&agency, runs, 32 * 1024 * 1024);
    let photo = uploader.photo;
    let size = photo.len();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    // The honest limit: the same bytes POSTed, written to a file and fsynced before the answer.
    let files = tempfile::tempdir().unwrap();
    let dir = files.path().to_path_buf();
    let app = axum::Router::new()
        .route(
            "/sink",
            axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }),
        )
        .route(
            "/file",
            axum::routing::post(move |body: axum::body::Bytes| {
                let path = dir.join(uuid::Uuid::new_v4().to_string());
                async move {
                    tokio::task::spawn_blocking(move || {
                        use std::io::Write;
                        let mut f = std::fs::File::create(&path).unwrap();
                        f.write_all(&body).unwrap();
                        f.sync_all().unwrap();
                        body.len().to_string()
                    })
                    .await
                    .unwrap()
                }
            }),
        )
        .layer(axum::extract::DefaultBodyLimit::disable());
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = reqwest::blocking::Client::new();
    let post = |path: &str| {
        median_of(runs, |_| {
            let start = Instant::now();
            let resp = client
                .post(format!("http://{addr}/{path}"))
                .body(photo.clone())
                .send()
                .unwrap();
            assert!(resp.status().is_success());
            start.elapsed()
        })
    };
    let (raw, limit) = (post("sink"), post("file"));
    let mbps = |d: Duration| mib_per_s(size, d);
    let timed = |d: Duration| timed_mib(size, d);
    for (name, base, base_name, of) in [
        (
            "photo upload, 32 MiB in 8 MiB chunks (crc32c per chunk, SHA-256 of the whole, fsynced), median of 5",
            limit,
            "one POST written to a file and fsynced, median of 5",
            "that limit",
        ),
        (
            "the same upload",
            raw,
            "one POST read and dropped, median of 5",
            "raw",
        ),
    ] {
        println!(
            "| {name} | {} | {} ({base_name}) | {:.0}% of {of} |",
            timed(ours),
            timed(base),
            100.0 * mbps(ours) / mbps(base)
        );
    }
}

/// `n` officers at 40 stations (5 per station), each with 5 new inspections, sync at the same
/// moment; then the same again one device at a time, as the baseline.
fn many_devices(n: usize) {
    let r = devices_at_once(n, None, 1);
    println!(
        "| {n} devices at 40 stations syncing at once (5 new inspections each, colleagues' pulled) | {} | p50 {:.0} ms, p99 {:.0} ms (the same syncs one device at a time) | {:.1}x p99 |",
        r.summary(),
        r.s50.as_secs_f64() * 1e3,
        r.s99.as_secs_f64() * 1e3,
        r.p99.as_secs_f64() / r.s99.as_secs_f64()
    );
}

/// What [`devices_at_once`] measured.
struct AtOnce {
    p50: Duration,
    p99: Duration,
    errors: usize,
    /// The shares of the CPU the host took and that nothing used while the devices synced at
    /// once.
    stolen: Option<(f64, f64)>,
    /// p50 and p99 of the same syncs one device at a time.
    s50: Duration,
    s99: Duration,
}

impl AtOnce {
    /// p50, p99, errors and the host's and the idle share of the CPU, as the tables print them.
    fn summary(&self) -> String {
        let stolen = self
            .stolen
            .map(|(s, idle)| {
                format!(
                    ", {:.0}% of the CPU stolen by the host, {:.0}% idle",
                    s * 100.0,
                    idle * 100.0
                )
            })
            .unwrap_or_default();
        format!(
            "p50 {:.0} ms, p99 {:.0} ms, {} errors{stolen}",
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.errors
        )
    }
}

/// Sends `command` (`enable`, `disable`) to the control FIFO of a `perf record` started with
/// `--delay=-1 --control fifo:FILE`, named by `QUAYSIDE_BENCH_PERF_CONTROL`: a profile of the
/// timed phase of the devices at once on PostgreSQL alone (BENCHMARKS.md).
fn profiler(command: &str) {
    if let Some(fifo) = std::env::var_os("QUAYSIDE_BENCH_PERF_CONTROL") {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(fifo)
            .expect("perf's control FIFO");
        writeln!(f, "{command}").expect("perf's control FIFO");
    }
}

/// [`many_devices`] against `instances` server instances (behind a balancing proxy when more
/// than one) keeping their records in a new database on the PostgreSQL server `postgres`, or
/// in the embedded file.
fn devices_at_once(n: usize, postgres: Option<&str>, instances: usize) -> AtOnce {
    let database = postgres.map(quayside_e2e::TestDatabase::create);
    let options = quayside_server::Options {
        // 200 devices enrol from one address in a moment: no limit in the way.
        enrol_per_minute: 1_000_000,
        database: database.as_ref().map(|d| d.url.clone()),
        ..Default::default()
    };
    let agency = Agency::start_with(options.clone());
    let others: Vec<quayside_server::Server> = (1..instances)
        .map(|_| {
            quayside_server::Server::start_with(agency.dir.path(), "127.0.0.1:0", options.clone())
                .unwrap()
        })
        .collect();
    let mut addrs = vec![agency.addr];
    addrs.extend(others.iter().map(|s| s.addr));
    let proxy = quayside_e2e::FaultProxy::balance(addrs, quayside_e2e::Faults::NONE);
    let url = if instances > 1 {
        proxy.url()
    } else {
        agency.url()
    };
    let letters: Vec<char> = ('A'..='Z').collect();
    let stations: Vec<String> = (0..40)
        .map(|i| format!("GH{}{}X", letters[i / 26], letters[i % 26]))
        .collect();
    for s in &stations {
        agency.db().add_station(s, "GH", s).unwrap();
    }
    let devices: Vec<Device> = (0..n)
        .map(|i| {
            let user = format!("officer{i}");
            let station = &stations[i % stations.len()];
            agency
                .db()
                .add_user(&user, "officer", std::slice::from_ref(station), None)
                .unwrap();
            Device::enrolled(&agency, &url, &user, station)
        })
        .collect();
    if std::env::var_os("QUAYSIDE_BENCH_COLD_CLIENTS").is_none() {
        // Each phone has synced before, as an app that has been running has: its HTTP client is
        // built (once per app, cached by the store; on Linux building one reads and parses every
        // file of the system's trust store, some 10 ms of CPU). Otherwise 200 phones would build
        // theirs on the same two cores as the servers, inside the timing.
        for d in &devices {
            d.store.sync(None).unwrap();
        }
    }
    let record = |round: usize| {
        for d in &devices {
            for k in 0..5 {
                d.store
                    .create_inspection(quayside_core::InspectionFields {
                        container_number: Some("CSQU3054383".into()),
                        selection_reason: Some(format!("{round}-{k}")),
                        ..Default::default()
                    })
                    .unwrap();
            }
        }
    };
    let percentiles = |mut times: Vec<Duration>| {
        times.sort();
        let p = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
        (p(0.5), p(0.99))
    };
    record(0);
    if postgres.is_some() {
        profiler("enable");
    }
    let ticks = cpu_ticks();
    let barrier = Arc::new(Barrier::new(n));
    let stores: Vec<Arc<FieldStore>> = devices.iter().map(|d| d.store.clone()).collect();
    let handles: Vec<_> = stores
        .into_iter()
        .map(|s| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                let t = Instant::now();
                let ok = s.sync(None).is_ok();
                (t.elapsed(), ok)
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (t, ok) = h.join().unwrap();
        times.push(t);
        errors += usize::from(!ok);
    }
    let stolen = stolen_between(ticks, cpu_ticks());
    if postgres.is_some() {
        profiler("disable");
    }
    let (p50, p99) = percentiles(times);
    record(1);
    let sequential: Vec<Duration> = devices
        .iter()
        .map(|d| {
            let t = Instant::now();
            d.store.sync(None).unwrap();
            t.elapsed()
        })
        .collect();
    let (s50, s99) = percentiles(sequential);
    assert_eq!(errors, 0);
    assert_eq!(agency.db().document_count().unwrap(), (n * 10) as u64);
    AtOnce {
        p50,
        p99,
        errors,
        stolen,
        s50,
        s99,
    }
}
