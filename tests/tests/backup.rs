//! Backups of a running server and restores from them: the copy is consistent while devices
//! sync, damage is found and refused, and after a restore the devices that synced since the
//! backup give the server back everything it lost (documents, reviews, photos).

use std::fs;
use std::path::{Path, PathBuf};

use quayside_core::PhotoFields;
use quayside_e2e::*;
use quayside_server::backup::{self, Error};

fn photo(seed: u8) -> Vec<u8> {
    [b"\xFF\xD8\xFF\xE0".as_slice(), &[seed; 4096]].concat()
}

fn sync(d: &Device) -> quayside_core::SyncReportRecord {
    let r = d.store.sync(None).unwrap();
    assert!(r.rejected.is_empty(), "{}: {:?}", d.user, r.rejected);
    r
}

fn no_progress(_: &backup::Progress) {}

/// An inspection with a finding and a photo, submitted; its id and the photo's hash.
fn submitted(d: &Device, container: &str, seed: u8) -> (String, String) {
    let id = new_inspection(&d.store, container);
    d.store.add_finding(id.clone(), finding(120.0)).unwrap();
    let added = d
        .store
        .add_photo(id.clone(), photo(seed), PhotoFields::default())
        .unwrap();
    d.store.submit(id.clone()).unwrap();
    (id, added.photo.sha256)
}

fn has_photo(agency: &Agency, sha256: &str) -> bool {
    let state = &agency.server.as_ref().unwrap().state;
    state.photos.complete_len(sha256).unwrap().is_some()
}

fn review_state(agency: &Agency, id: &str) -> String {
    agency.with_db(|db| db.review_state(id).1)
}

#[test]
fn a_restored_server_gets_back_what_devices_confirmed_after_the_backup() {
    if embedded_only("backup and restore copy the embedded database") {
        return;
    }
    let mut agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let esi = Device::enrolled(&agency, &agency.url(), "esi", "GHTEM");
    let (a, photo_a) = submitted(&ama, "CSQU3054383", 1);
    let edited_later = new_inspection(&ama.store, "ZEPU0037255");
    sync(&ama);
    sync(&esi);
    esi.store
        .approve(a.clone(), shown(&esi, &a), "checked".into())
        .unwrap();
    sync(&esi);

    let backups = tempfile::tempdir().unwrap();
    let to = backups.path().join("monday");
    let manifest = backup::backup(agency.dir.path(), &to, &mut no_progress).unwrap();
    assert_eq!(manifest.counts.inspections, 2);
    assert_eq!(manifest.counts.reviews, 1);
    assert_eq!(manifest.photos.len(), 1);

    // After the backup: a new inspection with a photo, an edit, an approval, all acknowledged.
    let (c, photo_c) = submitted(&ama, "MSKU9070323", 2);
    ama.store
        .add_finding(edited_later.clone(), finding(40.0))
        .unwrap();
    sync(&ama);
    sync(&esi);
    esi.store
        .approve(c.clone(), shown(&esi, &c), String::new())
        .unwrap();
    sync(&esi);
    assert_eq!(review_state(&agency, &c), "approved");
    let ama_sees_c = inspection_json(&ama.store, &c);
    let edited_json = inspection_json(&ama.store, &edited_later);

    // The machine is lost; the agency restores Monday's backup.
    agency.restart_with(|dir| {
        fs::remove_dir_all(dir).unwrap();
        let restored = backup::restore(&to, dir, &mut no_progress).unwrap();
        assert_eq!(restored.manifest, manifest);
    });
    assert!(agency.with_db(|db| db.document(&c)).is_err());
    assert!(!has_photo(&agency, &photo_c));
    assert!(has_photo(&agency, &photo_a));
    assert_eq!(review_state(&agency, &a), "approved");

    // The officer's phone syncs first, then the supervisor's: each hears of the restore once.
    let r = sync(&ama);
    assert!(r.server_restored);
    assert_eq!(r.photos_uploaded, 2, "both photos asked about again");
    let r = sync(&esi);
    assert!(r.server_restored);
    for d in [&ama, &esi] {
        let r = sync(d);
        assert!(!r.server_restored, "a restore is acted on once");
        assert_eq!(r.pushed, 0, "{} has nothing more to send", d.user);
    }

    // Everything acknowledged after the backup is back, and only once.
    assert!(has_photo(&agency, &photo_c));
    assert_eq!(review_state(&agency, &c), "approved");
    assert_eq!(review_state(&agency, &a), "approved");
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    sync(&kofi);
    assert_eq!(inspection_json(&kofi.store, &c), ama_sees_c);
    assert_eq!(inspection_json(&kofi.store, &edited_later), edited_json);
    assert_eq!(
        kofi.store.read_photo(photo_c.clone()).unwrap(),
        photo(2),
        "the photo the restored server lacked is whole again"
    );
    // Three inspections and two reviews, none twice.
    assert_eq!(agency.with_db(|db| db.document_count()).unwrap(), 5);
}

#[test]
fn backups_taken_while_a_device_keeps_syncing_are_whole() {
    if embedded_only("backup and restore copy the embedded database") {
        return;
    }
    let agency = Agency::start();
    let kofi = Device::enrolled(&agency, &agency.url(), "kofi", "GHTEM");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let store = kofi.store.clone();
        std::thread::spawn(move || {
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let id = new_inspection(&store, "CSQU3054383");
                store
                    .add_photo(id, photo(n as u8), PhotoFields::default())
                    .unwrap();
                store.sync(None).unwrap();
                n += 1;
            }
            n
        })
    };
    let backups = tempfile::tempdir().unwrap();
    let mut taken = Vec::new();
    for i in 0..4 {
        std::thread::sleep(std::time::Duration::from_millis(150));
        let before = agency.with_db(|db| db.document_count()).unwrap();
        let to = backups.path().join(format!("b{i}"));
        let m = backup::backup(agency.dir.path(), &to, &mut no_progress).unwrap();
        assert!(
            m.counts.inspections >= before,
            "the backup misses documents"
        );
        taken.push((to, m));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0);
    for (dir, m) in &taken {
        assert_eq!(&backup::verify(dir, &mut no_progress).unwrap(), m);
        // Every photo the copied database records as received is in the copy (verify checks
        // it); each backup restores into a server that starts.
        let restored = tempfile::tempdir().unwrap();
        let data = restored.path().join("data");
        backup::restore(dir, &data, &mut no_progress).unwrap();
        let db = quayside_server::db::Db::open(&data).unwrap();
        assert_eq!(db.document_count().unwrap(), m.counts.inspections);
    }
}

/// Copies a directory tree (to damage a copy of a backup, not the backup).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

fn flip_last_byte(path: &Path) {
    let mut bytes = fs::read(path).unwrap();
    *bytes.last_mut().unwrap() ^= 0x01;
    fs::write(path, bytes).unwrap();
}

fn photo_path(root: &Path, sha256: &str) -> PathBuf {
    root.join("blobs").join(&sha256[..2]).join(sha256)
}

#[test]
fn damage_is_found_and_nothing_is_restored_from_it() {
    if embedded_only("backup and restore copy the embedded database") {
        return;
    }
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    let (_, sha) = submitted(&ama, "CSQU3054383", 7);
    sync(&ama);
    let work = tempfile::tempdir().unwrap();
    let good = work.path().join("good");
    backup::backup(agency.dir.path(), &good, &mut no_progress).unwrap();

    // Refused before anything is written.
    let again = backup::backup(agency.dir.path(), &good, &mut no_progress).unwrap_err();
    assert!(matches!(again, Error::Refused(_)), "{again}");
    let not_a_server =
        backup::backup(work.path(), &work.path().join("x"), &mut no_progress).unwrap_err();
    assert!(matches!(not_a_server, Error::Refused(_)), "{not_a_server}");
    let onto_a_server = backup::restore(&good, agency.dir.path(), &mut no_progress).unwrap_err();
    assert!(
        matches!(onto_a_server, Error::Refused(_)),
        "{onto_a_server}"
    );

    // A photo altered in the backup.
    let bad_photo = work.path().join("bad-photo");
    copy_tree(&good, &bad_photo);
    flip_last_byte(&photo_path(&bad_photo, &sha));
    let e = backup::verify(&bad_photo, &mut no_progress).unwrap_err();
    assert!(
        matches!(&e, Error::Damaged { why, .. } if why.contains(&sha)),
        "{e}"
    );
    let target = work.path().join("restored");
    assert!(backup::restore(&bad_photo, &target, &mut no_progress).is_err());
    assert!(!target.join(quayside_server::db::DB_FILE).exists());

    // The database altered, a photo missing, the manifest missing.
    let bad_db = work.path().join("bad-db");
    copy_tree(&good, &bad_db);
    flip_last_byte(&bad_db.join(quayside_server::db::DB_FILE));
    let e = backup::verify(&bad_db, &mut no_progress).unwrap_err();
    assert!(
        matches!(&e, Error::Damaged { why, .. } if why.contains("hashes")),
        "{e}"
    );
    let no_photo = work.path().join("no-photo");
    copy_tree(&good, &no_photo);
    fs::remove_file(photo_path(&no_photo, &sha)).unwrap();
    let e = backup::verify(&no_photo, &mut no_progress).unwrap_err();
    assert!(
        matches!(&e, Error::Damaged { why, .. } if why.contains("missing")),
        "{e}"
    );
    let unfinished = work.path().join("unfinished");
    copy_tree(&good, &unfinished);
    fs::remove_file(unfinished.join(backup::MANIFEST)).unwrap();
    let e = backup::verify(&unfinished, &mut no_progress).unwrap_err();
    assert!(matches!(e, Error::Refused(_)), "{e}");

    // A server whose own photo was altered on disk is not backed up as if it were whole, and
    // the failed backup leaves nothing behind.
    flip_last_byte(&photo_path(agency.dir.path(), &sha));
    let failed = work.path().join("failed");
    let e = backup::backup(agency.dir.path(), &failed, &mut no_progress).unwrap_err();
    assert!(
        matches!(&e, Error::Damaged { why, .. } if why.contains("altered")),
        "{e}"
    );
    assert!(!failed.exists());
    let left: Vec<_> = fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".quayside-backup"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // The good backup is untouched by all of this and restores; restoring only reads it.
    let listing = |dir: &Path| {
        let mut all = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in fs::read_dir(&d).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    todo.push(e.path());
                }
                all.push((e.path(), fs::read(e.path()).ok()));
            }
        }
        all.sort();
        all
    };
    let before = listing(&good);
    backup::restore(&good, &target, &mut no_progress).unwrap();
    assert_eq!(listing(&good), before, "the backup changed");
}

#[test]
fn the_server_binary_backs_up_a_running_server_and_restores_it() {
    if embedded_only("backup and restore copy the embedded database") {
        return;
    }
    let agency = Agency::start();
    let ama = Device::enrolled(&agency, &agency.url(), "ama", "GHTEM");
    submitted(&ama, "CSQU3054383", 3);
    sync(&ama);
    let work = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(server_binary())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let data = agency.dir.path().display().to_string();
    let to = work.path().join("b").display().to_string();
    let (ok, out, err) = run(&["--data", &data, "backup", "--to", &to]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("1 inspections") && out.contains("1 photos"),
        "{out}"
    );
    assert!(err.contains("photos: 1/1"), "progress is shown: {err}");
    let (ok, out, _) = run(&["verify-backup", &to]);
    assert!(ok && out.contains("is whole"), "{out}");
    let restored = work.path().join("restored").display().to_string();
    let (ok, out, err) = run(&["--data", &restored, "restore", "--from", &to]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("revoke them again"), "{out}");
    let (ok, _, err) = run(&["--data", &restored, "restore", "--from", &to]);
    assert!(!ok && err.contains("already holds a server"), "{err}");
    // The restored server starts, and tells devices it was restored.
    let addr = free_addr();
    let _server = ServerProcess::start(Path::new(&restored), addr);
    let client = quayside_core::sync::client::HttpClient::new(
        &format!("http://{addr}"),
        Some(ama.store.inner().server_link().unwrap().unwrap().token),
    )
    .unwrap();
    let (feed, _) = client.feed(0).unwrap();
    assert!(feed.restored.is_some());
    assert_eq!(
        feed.entries.len(),
        0,
        "ama's own inspection is not fed back"
    );
}

#[test]
fn a_backup_killed_midway_leaves_no_backup_and_the_next_one_is_whole() {
    if embedded_only("backup and restore copy the embedded database") {
        return;
    }
    let agency = Agency::start();
    // Enough photos that the copy takes a while (photos are never granted here: the backup
    // copies every finished photo file all the same).
    let blobs = quayside_core::blobs::BlobStore::open(agency.dir.path().join("blobs")).unwrap();
    for n in 0..40u8 {
        let mut bytes = vec![n; 2 * 1024 * 1024];
        bytes[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
        blobs.put_bytes(&bytes).unwrap();
    }
    let work = tempfile::tempdir().unwrap();
    let to = work.path().join("nightly");
    let data = agency.dir.path().display().to_string();
    for delay_ms in [5, 40, 120] {
        let mut child = std::process::Command::new(server_binary())
            .args(["--data", &data, "backup", "--to"])
            .arg(&to)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            // Finished before the kill: whole.
            backup::verify(&to, &mut no_progress).unwrap();
            fs::remove_dir_all(&to).unwrap();
        } else {
            assert!(!to.exists(), "a killed backup left {} behind", to.display());
        }
    }
    let m = backup::backup(agency.dir.path(), &to, &mut no_progress).unwrap();
    assert_eq!(m.photos.len(), 40);
    assert_eq!(backup::verify(&to, &mut no_progress).unwrap(), m);
}
