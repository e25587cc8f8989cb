//! `quayside-server migrate`: an embedded server moved into PostgreSQL keeps serving the same
//! devices, accounts, records, reviews and photos, the copy checked table by table, the source
//! only read. Runs in the PostgreSQL pass of the tests (`QUAYSIDE_TEST_POSTGRES`).

use std::path::Path;
use std::process::Command;

use quayside_core::{InspectionFields, PhotoFields};
use quayside_e2e::*;
use sha2::{Digest, Sha256};

fn sync(d: &Device) -> quayside_core::SyncReportRecord {
    let r = d.store.sync(None).unwrap();
    assert!(r.rejected.is_empty(), "{}: {:?}", d.user, r.rejected);
    r
}

/// SHA-256 of every file of the embedded database (the file and any WAL beside it).
fn database_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("server.sqlite3"))
        })
        .filter(|p| !p.to_string_lossy().ends_with("-shm"))
        .map(|p| {
            (
                p.display().to_string(),
                hex::encode(Sha256::digest(std::fs::read(&p).unwrap())),
            )
        })
        .collect();
    files.sort();
    files
}

fn migrate(from: &Path, to: &str, blobs: Option<&str>) -> std::process::Output {
    let mut command = Command::new(server_binary());
    command
        .args(["migrate", "--from", from.to_str().unwrap(), "--to", to])
        .env_remove("QUAYSIDE_DATABASE")
        .env_remove("QUAYSIDE_BLOBS");
    if let Some(address) = blobs {
        command.args(["--blobs", address]);
    }
    command.output().unwrap()
}

#[test]
fn an_embedded_server_moves_to_postgres_and_its_devices_carry_on() {
    let Some(admin) = test_postgres() else {
        eprintln!("migrate needs PostgreSQL: set QUAYSIDE_TEST_POSTGRES");
        return;
    };
    let mut agency = Agency::start_embedded();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let id = new_inspection(&ama.store, "CSQU3054383");
    ama.store.add_finding(id.clone(), finding(120.0)).unwrap();
    let photo = [b"\xFF\xD8\xFF\xE0".as_slice(), &[7u8; 4096]].concat();
    let sha = ama
        .store
        .add_photo(id.clone(), photo, PhotoFields::default())
        .unwrap()
        .photo
        .sha256;
    ama.store.submit(id.clone()).unwrap();
    sync(&ama);
    sync(&esi);
    esi.store
        .approve(id.clone(), shown(&esi, &id), "checked".into())
        .unwrap();
    sync(&esi);
    sync(&ama);
    assert_eq!(agency.db().review_state(&id).1, "approved");
    let dir = agency.dir.path().to_path_buf();
    agency.server.take().unwrap().stop();
    let before = database_files(&dir);

    let database = TestDatabase::create(&admin);
    // With an S3 server the photos move too, into a bucket of the test's own.
    let blobs = test_bucket();
    let photo_file = dir.join("blobs").join(&sha[..2]).join(&sha);
    let photo_before = std::fs::read(&photo_file).unwrap();
    let out = migrate(&dir, &database.url, blobs.as_deref());
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("moved and checked"), "{said}");
    if blobs.is_some() {
        assert!(said.contains("and 1 photos into"), "{said}");
    }
    for table in [
        "users",
        "devices",
        "documents",
        "doc_index",
        "approvals",
        "seizure_rows",
    ] {
        assert!(
            said.lines().any(|l| l.starts_with(table)),
            "{table}: {said}"
        );
    }
    assert_eq!(database_files(&dir), before, "the source was written to");
    assert!(
        std::fs::read(&photo_file).unwrap() == photo_before,
        "the source's photo was written to"
    );
    // Into a database that holds records already: refused, nothing added.
    let again = migrate(&dir, &database.url, None);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds records"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    // The same data directory (photos) and address, the records in PostgreSQL: the phones carry
    // on with the tokens they hold.
    let _server = ServerProcess::start_binary(
        &server_binary(),
        &dir,
        Some(&database.url),
        None,
        agency.addr,
    );
    let db = quayside_server::db::Db::open_with(&dir, Some(&database.url)).unwrap();
    assert_eq!(db.review_state(&id).1, "approved");
    ama.store
        .update_inspection(
            id.clone(),
            InspectionFields {
                selection_reason: Some("after the move".into()),
                ..Default::default()
            },
            vec![],
        )
        .unwrap();
    sync(&ama);
    assert_eq!(db.review_state(&id).1, "changed_since_approval");
    // A colleague enrols afterwards and pulls the same record and its photo.
    let kofi = Device::new("kofi", "GHTEM");
    kofi.store
        .enroll(
            agency.url(),
            db.create_enrol_code("kofi", 1).unwrap(),
            "kofi's phone".into(),
            None,
        )
        .unwrap();
    let pulled = sync(&kofi);
    assert_eq!(
        inspection_json(&kofi.store, &id),
        inspection_json(&ama.store, &id)
    );
    assert!(pulled.photos_downloaded >= 1, "{pulled:?}");
    assert!(
        kofi.store.read_photo(sha.clone()).is_ok(),
        "the photo {sha} did not reach the new phone"
    );
    // New accounts get new ids after the moved ones.
    db.add_user("yaw", "officer", &["GHTEM".into()], None)
        .unwrap();
    assert_eq!(db.users().unwrap().len(), 6);
}
