//! Backup benchmarks, each against a baseline measured in the same run on the same data: a server
//! holding 5,000 inspections and 100 photos of 2 MiB.
//! - `backup::backup` (SQLite's online backup, integrity check, every photo re-hashed while
//!   copied with fsync, manifest) vs copying the same files with `std::fs::copy` and an fsync each;
//! - `backup::verify` (hash and integrity of the database, row counts, every photo re-hashed) vs
//!   SHA-256 of the same files and nothing else;
//! - `backup::restore` (verify, then every photo re-hashed while copied, the database last) vs
//!   both baselines one after the other.
//!
//! `cargo bench -p quayside-server --bench backup` (release build). Prints a Markdown table.
//! `-- --keep` leaves the server's data directory behind (its path printed) to study.

mod common;

use std::fs::File;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{median, row};
use quayside_core::blobs::BlobStore;
use quayside_core::doc::inspection::{self, Header};
use quayside_core::doc::{Author, Document};
use quayside_core::model::edits::{FindingPatch, InspectionPatch};
use quayside_server::backup;
use quayside_server::db::{DB_FILE, Db};
use sha2::{Digest, Sha256};

const INSPECTIONS: usize = 5_000;
const PHOTOS: usize = 100;
const PHOTO_BYTES: usize = 2 * 1024 * 1024;

fn main() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let db = Db::open(&data).unwrap();
    db.add_station("GHTEM", "GH", "Tema port").unwrap();
    db.add_user("ama", "officer", &["GHTEM".into()], None)
        .unwrap();
    let author = Author {
        user: "ama".into(),
        device: "bench".into(),
    };
    let actor: [u8; 16] = rand::random();
    for n in 0..INSPECTIONS {
        let mut doc = Document::new(&actor);
        let id = format!("ins-{n:06}");
        let header = Header {
            id: id.clone(),
            station: "GHTEM".into(),
            officer: "ama".into(),
            device: "bench".into(),
            created_at: quayside_core::model::edits::now_rfc3339(),
        };
        let fields = InspectionPatch {
            container_number: Some("CSQU3054383".into()),
            notes: Some(format!(
                "inspection {n}: cylinders behind the declared goods"
            )),
            ..Default::default()
        }
        .validate()
        .unwrap();
        inspection::create(&mut doc, &author, &header, &fields).unwrap();
        let finding = FindingPatch {
            declared_substance: Some("R-134a".into()),
            identified_substance: Some("R-22".into()),
            cylinders: Some(40),
            net_mass_kg: Some(544.0),
            ..Default::default()
        }
        .validate()
        .unwrap();
        inspection::add_finding(&mut doc, &author, "f-1", &finding).unwrap();
        db.insert_local(&id, "GHTEM", &mut doc).unwrap();
    }
    drop(db);
    let blobs = BlobStore::open(data.join("blobs")).unwrap();
    let mut photo_bytes = 0u64;
    for n in 0..PHOTOS {
        let mut bytes = vec![0u8; PHOTO_BYTES];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u32)
                .wrapping_mul(2_654_435_761)
                .wrapping_add(n as u32) as u8;
        }
        photo_bytes += blobs.put_bytes(&bytes).unwrap().bytes;
    }
    let db_bytes = std::fs::metadata(data.join(DB_FILE)).unwrap().len();
    let files = {
        let mut f = vec![data.join(DB_FILE)];
        f.extend(blobs.list().unwrap().iter().map(|s| blobs.path(s)));
        f
    };

    println!("| benchmark | Quayside | baseline | ratio |");
    println!("|---|---|---|---|");
    let mut n = 0;
    let ours = median(3, || {
        n += 1;
        let to = work.path().join(format!("backup-{n}"));
        backup::backup(&data, &to, &mut |_| {}).unwrap();
    });
    let copy = median(3, || {
        n += 1;
        bare_copy(&files, &work.path().join(format!("copy-{n}")));
    });
    let base = copy;
    let what = format!(
        "{INSPECTIONS} inspections ({:.1} MB database) and {PHOTOS} photos ({:.0} MB)",
        db_bytes as f64 / 1e6,
        photo_bytes as f64 / 1e6
    );
    row(
        &format!("backup of {what}"),
        ours,
        base,
        "fs::copy of the same files, fsync each",
    );
    let kept = work.path().join("backup-1");
    let ours = median(3, || {
        backup::verify(&kept, &mut |_| {}).unwrap();
    });
    let base = median(3, || {
        for f in &files {
            let mut h = Sha256::new();
            std::io::copy(&mut File::open(f).unwrap(), &mut h).unwrap();
            std::hint::black_box(h.finalize());
        }
    });
    row(
        "verify-backup of the same",
        ours,
        base,
        "SHA-256 of the same files",
    );
    let ours: Duration = {
        let t = Instant::now();
        backup::restore(&kept, &work.path().join("restored"), &mut |_| {}).unwrap();
        t.elapsed()
    };
    row(
        "restore of the same (verify, then copy)",
        ours,
        base + copy,
        "SHA-256, then fs::copy + fsync of the same files",
    );
    if std::env::args().any(|a| a == "--keep") {
        eprintln!("server data kept: {}", data.display());
        std::mem::forget(work);
    }
}

/// Copies every file into `to`, each fsynced.
fn bare_copy(files: &[std::path::PathBuf], to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (i, f) in files.iter().enumerate() {
        let target = to.join(i.to_string());
        std::fs::copy(f, &target).unwrap();
        File::open(&target).unwrap().sync_all().unwrap();
    }
}
