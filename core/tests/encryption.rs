//! The device store at rest: what someone holding a lost phone's storage can read (nothing
//! recorded), what a wrong key does (fails, changes nothing), and the conversion of a store from
//! before encryption, including when the process is killed in the middle of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use quayside_core::store::{StoreKey, key as store_key};
use quayside_core::{
    ApiError, DeclarationFields, FieldStore, FindingFields, InspectionFields, InspectionFilter,
    PhotoFields,
};
use sha2::{Digest, Sha256};

const CONTAINER: &str = "CSQU3054383";
const CONSIGNEE: &str = "Kwame Refrigeration Supplies Ltd";
const NOTE: &str = "informant: second container at berth 4";
const CAPTION: &str = "relabelled cylinder, R-22 under R-134a labels";

fn photo(seed: u8, len: usize) -> Vec<u8> {
    let mut b: Vec<u8> = (0..len)
        .map(|i| (i as u64 * 2654435761 % 251) as u8 ^ seed)
        .collect();
    b[..4].copy_from_slice(b"\xFF\xD8\xFF\xE0");
    b
}

fn path_of(dir: &Path) -> String {
    dir.display().to_string()
}

/// Records an inspection with a consignee, a note, a finding and a photo; returns its id and
/// the photo's bytes.
fn record(store: &FieldStore, photo_bytes: &[u8]) -> String {
    let id = store
        .create_inspection(InspectionFields {
            container_number: Some(CONTAINER.into()),
            declaration: Some(DeclarationFields {
                consignee: Some(CONSIGNEE.into()),
                ..Default::default()
            }),
            notes: Some(NOTE.into()),
            ..Default::default()
        })
        .unwrap()
        .inspection
        .id;
    store
        .add_finding(
            id.clone(),
            FindingFields {
                identified_substance: Some("R-22".into()),
                net_mass_kg: Some(13.6),
                ..Default::default()
            },
        )
        .unwrap();
    store
        .add_photo(
            id.clone(),
            photo_bytes.to_vec(),
            PhotoFields {
                caption: Some(CAPTION.into()),
                ..Default::default()
            },
        )
        .unwrap();
    id
}

/// Every file under `dir` with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Fails if any file under `dir` holds any of `secrets`.
fn assert_unreadable(dir: &Path, secrets: &[&[u8]]) {
    let all = files(dir);
    assert!(all.len() >= 2, "the store has its files: {:?}", all.keys());
    for (path, bytes) in &all {
        for s in secrets {
            assert!(
                !contains(bytes, s),
                "{:?} is readable in {}",
                String::from_utf8_lossy(s),
                path.display()
            );
        }
    }
}

#[test]
fn nothing_recorded_is_readable_in_any_file_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("store");
    let key = quayside_core::generate_store_key();
    let store =
        FieldStore::create(path_of(&at), key.clone(), "ama".into(), "GHTEM".into()).unwrap();
    let jpeg = photo(1, 300_000);
    let id = record(&store, &jpeg);
    // The shutter returned; the officer has not captioned the photo yet.
    let camera = [photo(2, 90_000), vec![0xFF, 0xD9]].concat();
    let kept = store
        .keep_camera_photo(id.clone(), camera.clone(), "jpg".into())
        .unwrap();
    assert!(Path::new(&kept).starts_with(at.join("inbox")));
    let secrets: [&[u8]; 7] = [
        CONTAINER.as_bytes(),
        CONSIGNEE.as_bytes(),
        NOTE.as_bytes(),
        CAPTION.as_bytes(),
        b"R-22",
        &jpeg[1000..1032],
        &camera[1000..1032],
    ];
    // While the store is open: the edits sit in the WAL.
    assert!(
        files(&at)
            .keys()
            .any(|p| p.to_string_lossy().ends_with("-wal")),
        "the WAL is there to be read"
    );
    assert_unreadable(&at, &secrets);
    drop(store);
    assert_unreadable(&at, &secrets);
    assert!(!store_key::is_plain(&at.join("quayside.sqlite3")).unwrap());
    // Not a SQLite database to anyone without the key.
    let plain = rusqlite::Connection::open(at.join("quayside.sqlite3")).unwrap();
    assert!(
        plain
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
                .get::<_, i64>(0))
            .is_err()
    );
    // With the key everything is there.
    let store = FieldStore::open(path_of(&at), key).unwrap();
    let ins = store.get_inspection(id.clone()).unwrap().inspection;
    assert_eq!(ins.declaration.consignee.as_deref(), Some(CONSIGNEE));
    assert_eq!(
        store.read_photo(ins.photos[0].sha256.clone()).unwrap(),
        jpeg
    );
    let added = store
        .attach_photo_file(kept.clone(), PhotoFields::default())
        .unwrap();
    assert_eq!(store.read_photo(added.photo.sha256).unwrap(), camera);
    assert!(!Path::new(&kept).exists());
    // A kept photo altered on disk is refused, and set aside at start rather than attached.
    let kept = store
        .keep_camera_photo(id.clone(), photo(3, 5000), "jpg".into())
        .unwrap();
    let mut raw = std::fs::read(&kept).unwrap();
    raw[200] ^= 1;
    std::fs::write(&kept, raw).unwrap();
    assert!(matches!(
        store.attach_photo_file(kept.clone(), PhotoFields::default()),
        Err(ApiError::Integrity { .. })
    ));
    assert!(matches!(
        &store.recover_photos().unwrap()[..],
        [quayside_core::RecoveredPhoto::Incomplete { .. }]
    ));
    assert_eq!(store.get_inspection(id).unwrap().inspection.photos.len(), 2);
}

#[test]
fn a_wrong_key_fails_clearly_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("store");
    let key = quayside_core::generate_store_key();
    // The store as a crash leaves it: its files copied while it is open, the last edits still
    // in the WAL (which a close would have folded into the database).
    let live = dir.path().join("live");
    let store =
        FieldStore::create(path_of(&live), key.clone(), "ama".into(), "GHTEM".into()).unwrap();
    let id = record(&store, &photo(2, 5000));
    copy_dir(&live, &at);
    drop(store);
    let before = files(&at);
    assert!(
        before
            .iter()
            .any(|(p, b)| p.to_string_lossy().ends_with("-wal") && !b.is_empty()),
        "the copy has a WAL to fold"
    );
    for wrong in [quayside_core::generate_store_key(), {
        let mut k = key.clone();
        k[31] ^= 1;
        k
    }] {
        let err = FieldStore::open(path_of(&at), wrong).err().unwrap();
        assert!(matches!(err, ApiError::WrongKey { .. }), "{err:?}");
        assert_eq!(err.code(), quayside_core::ErrorCode::WrongKey);
        assert!(!err.retryable());
        assert!(err.to_string().contains("key"), "{err}");
    }
    for malformed in [vec![], vec![1; 16], vec![0; 32], vec![1; 33]] {
        let err = FieldStore::open(path_of(&at), malformed).err().unwrap();
        assert!(matches!(err, ApiError::Invalid { .. }), "{err:?}");
    }
    let after = files(&at);
    // (The WAL index, `-shm`, is rebuilt by any reader; it holds no records.)
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .filter(|p| !p.to_string_lossy().ends_with("-shm") && before.get(*p) != after.get(*p))
        .collect();
    assert!(changed.is_empty(), "a refused key changed {changed:?}");
    let store = FieldStore::open(path_of(&at), key).unwrap();
    assert_eq!(
        store.get_inspection(id).unwrap().inspection.findings.len(),
        1
    );
}

/// A copy of the encrypted store `from` as a store from before encryption: its database plain
/// (the same tables and rows) and its photos plain files.
fn plain_copy(from: &Path, key: &[u8], to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    let conn = rusqlite::Connection::open(from.join("quayside.sqlite3")).unwrap();
    store_key::apply(&conn, &StoreKey::from_bytes(key).unwrap()).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "ATTACH DATABASE ?1 AS plain KEY ''",
        [path_of(&to.join("quayside.sqlite3"))],
    )
    .unwrap();
    conn.query_row("SELECT sqlcipher_export('plain')", [], |_| Ok(()))
        .unwrap();
    conn.pragma_update(Some("plain"), "user_version", version)
        .unwrap();
    conn.execute_batch("DETACH DATABASE plain").unwrap();
    let store = FieldStore::open(path_of(from), key.to_vec()).unwrap();
    for (path, _) in files(&from.join("blobs")) {
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.len() != 64 {
            continue;
        }
        let dest = to.join("blobs").join(&name[..2]).join(&name);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, store.read_photo(name).unwrap()).unwrap();
    }
    assert!(store_key::is_plain(&to.join("quayside.sqlite3")).unwrap());
}

/// What a store holds, to compare before and after: every inspection as the API shows it, and
/// every photo's hash.
fn contents(store: &FieldStore) -> (Vec<String>, Vec<String>) {
    let mut views = Vec::new();
    let mut photos = Vec::new();
    for row in store.list_inspections(InspectionFilter::default()).unwrap() {
        let ins = store.get_inspection(row.id).unwrap().inspection;
        for p in &ins.photos {
            let bytes = store.read_photo(p.sha256.clone()).unwrap();
            assert_eq!(hex::encode(Sha256::digest(&bytes)), p.sha256);
            photos.push(p.sha256.clone());
        }
        views.push(serde_json::to_string(&ins).unwrap());
    }
    views.sort();
    photos.sort();
    (views, photos)
}

#[test]
fn a_store_from_before_encryption_is_encrypted_on_its_first_open_with_a_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = quayside_core::generate_store_key();
    let original = dir.path().join("original");
    let jpeg = photo(3, 200_000);
    let expected = {
        let store = FieldStore::create(
            path_of(&original),
            key.clone(),
            "ama".into(),
            "GHTEM".into(),
        )
        .unwrap();
        record(&store, &jpeg);
        contents(&store)
    };
    let old = dir.path().join("old");
    plain_copy(&original, &key, &old);
    // The camera of an app from before encryption wrote into the inbox; the app was killed.
    let id = only_inspection(&old);
    let left = [photo(5, 40_000), vec![0xFF, 0xD9]].concat();
    let inbox = old.join("inbox").join(&id);
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("0190.jpg"), &left).unwrap();
    assert!(
        files(&old)
            .values()
            .any(|b| contains(b, CONSIGNEE.as_bytes()))
    );

    // Its first open with a key (any key: a plain store has none yet) converts it.
    let new_key = quayside_core::generate_store_key();
    let store = FieldStore::open(path_of(&old), new_key.clone()).unwrap();
    assert_eq!(contents(&store), expected);
    drop(store);
    assert!(!store_key::is_plain(&old.join("quayside.sqlite3")).unwrap());
    assert!(!old.join("quayside.sqlite3.encrypting").exists());
    assert_unreadable(
        &old,
        &[
            CONTAINER.as_bytes(),
            CONSIGNEE.as_bytes(),
            &jpeg[5000..5032],
            &left[5000..5032],
        ],
    );
    // From now on only that key opens it, and it keeps working.
    assert!(matches!(
        FieldStore::open(path_of(&old), key).err().unwrap(),
        ApiError::WrongKey { .. }
    ));
    let store = FieldStore::open(path_of(&old), new_key).unwrap();
    assert_eq!(contents(&store), expected);
    record(&store, &photo(4, 1000));
    // The camera's photo, sealed in place, is attached at start like any the app left.
    let recovered = store.recover_photos().unwrap();
    assert!(
        matches!(&recovered[..], [quayside_core::RecoveredPhoto::Attached { sha256, .. }]
            if *sha256 == hex::encode(Sha256::digest(&left))),
        "{recovered:?}"
    );
}

/// The id of the one inspection in the plain store at `dir`.
fn only_inspection(dir: &Path) -> String {
    let conn = rusqlite::Connection::open(dir.join("quayside.sqlite3")).unwrap();
    conn.query_row("SELECT id FROM inspections", [], |r| r.get(0))
        .unwrap()
}

/// Not a test by itself: the child process of `a_conversion_killed_at_any_point_loses_nothing`.
/// Opens the plain store named in its environment with the key, which converts it.
#[test]
#[ignore = "run by a_conversion_killed_at_any_point_loses_nothing as its child process"]
fn conversion_child() {
    let Ok(dir) = std::env::var("QUAYSIDE_CONVERT_CHILD_STORE") else {
        return;
    };
    let key = hex::decode(std::env::var("QUAYSIDE_CONVERT_CHILD_KEY").unwrap()).unwrap();
    FieldStore::open(dir, key).unwrap();
    println!("CONVERTED");
}

/// A store in `at` under `key` big enough that converting or re-keying it takes a while:
/// `n` inspections, 3 photos of 400 KB in every 25; returns what it holds.
fn big_store(at: &Path, key: &[u8], n: u32) -> (Vec<String>, Vec<String>) {
    let store: Arc<FieldStore> =
        FieldStore::create(path_of(at), key.to_vec(), "ama".into(), "GHTEM".into()).unwrap();
    for i in 0..n {
        let id = store
            .create_inspection(InspectionFields {
                container_number: Some(CONTAINER.into()),
                notes: Some(format!("{NOTE} #{i}")),
                ..Default::default()
            })
            .unwrap()
            .inspection
            .id;
        if i % 25 < 3 {
            store
                .add_photo(id, photo(i as u8, 400_000), PhotoFields::default())
                .unwrap();
        }
    }
    contents(&store)
}

/// Runs the ignored test `name` of this file as a child process with `env`.
fn spawn_child(name: &str, env: &[(&str, String)]) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    for (path, bytes) in files(from) {
        let dest = to.join(path.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
}

/// The store in `dir` right after a kill: either still the plain store, whole, or the
/// encrypted one, whole. Returns whether the kill fell inside the conversion (it had begun and
/// not finished).
fn whole_after_kill(dir: &Path, key: &[u8], rows: i64) -> bool {
    let db = dir.join("quayside.sqlite3");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let plain = store_key::is_plain(&db).unwrap();
    if !plain {
        store_key::apply(&conn, &StoreKey::from_bytes(key).unwrap()).unwrap();
    }
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        check,
        "ok",
        "the {} store is damaged",
        if plain { "plain" } else { "encrypted" }
    );
    let n: i64 = conn
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, rows, "documents in the store after the kill");
    let sealed = files(&dir.join("blobs"))
        .values()
        .filter(|b| b.starts_with(b"QSPHOTO1"))
        .count();
    plain && (dir.join("quayside.sqlite3.encrypting").exists() || sealed > 0)
}

#[test]
fn a_conversion_killed_at_any_point_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let key = quayside_core::generate_store_key();
    // A store big enough that its conversion takes a while: 200 inspections, 24 photos.
    let original = dir.path().join("original");
    let expected = big_store(&original, &key, 200);
    let template = dir.path().join("template");
    plain_copy(&original, &key, &template);
    let rows: i64 = rusqlite::Connection::open(template.join("quayside.sqlite3"))
        .unwrap()
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    let child = |store: &Path| {
        spawn_child(
            "conversion_child",
            &[
                ("QUAYSIDE_CONVERT_CHILD_STORE", path_of(store)),
                ("QUAYSIDE_CONVERT_CHILD_KEY", hex::encode(&key)),
            ],
        )
    };
    // How long a whole conversion takes here, process start included.
    let timing = dir.path().join("timing");
    copy_dir(&template, &timing);
    let started = std::time::Instant::now();
    let out = child(&timing).wait_with_output().unwrap();
    let whole = started.elapsed();
    assert!(String::from_utf8_lossy(&out.stdout).contains("CONVERTED"));
    assert!(!store_key::is_plain(&timing.join("quayside.sqlite3")).unwrap());

    let rounds = 16;
    let mut inside = 0;
    for round in 0..rounds {
        let at = dir.path().join(format!("round{round}"));
        copy_dir(&template, &at);
        let mut process = child(&at);
        // Spread the kills over the whole run, from before the conversion starts to its end.
        std::thread::sleep(whole.mul_f64(f64::from(round) / f64::from(rounds)));
        process.kill().unwrap();
        process.wait().unwrap();
        if whole_after_kill(&at, &key, rows) {
            inside += 1;
        }
        // The next open finishes the conversion, with everything there.
        let store = FieldStore::open(path_of(&at), key.clone()).unwrap();
        assert_eq!(contents(&store), expected, "round {round}");
        drop(store);
        assert!(!store_key::is_plain(&at.join("quayside.sqlite3")).unwrap());
        assert!(
            files(&at.join("blobs"))
                .iter()
                .filter(|(p, _)| !p.starts_with(at.join("blobs").join("tmp")))
                .all(|(_, b)| b.starts_with(b"QSPHOTO1")),
            "round {round}: a photo left plain"
        );
    }
    // The kills really fell inside conversions, not only before or after them.
    assert!(
        inside >= 2,
        "only {inside} of {rounds} kills fell inside a conversion"
    );
}

/// The key id (bytes 8..16 of the header) of every sealed photo under `dir`.
fn photo_key_ids(dir: &Path) -> Vec<Vec<u8>> {
    files(&dir.join("blobs"))
        .into_iter()
        .filter(|(p, _)| !p.starts_with(dir.join("blobs").join("tmp")))
        .map(|(_, b)| {
            assert!(b.starts_with(b"QSPHOTO1"), "a photo is not sealed");
            b[8..16].to_vec()
        })
        .collect()
}

#[test]
fn changing_the_key_re_encrypts_everything_and_retires_the_old_key() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("store");
    let old = quayside_core::generate_store_key();
    let new = quayside_core::generate_store_key();
    let jpeg = photo(7, 150_000);
    let store =
        FieldStore::create(path_of(&at), old.clone(), "ama".into(), "GHTEM".into()).unwrap();
    let id = record(&store, &jpeg);
    let camera = [photo(9, 70_000), vec![0xFF, 0xD9]].concat();
    let kept = store
        .keep_camera_photo(id.clone(), camera.clone(), "jpg".into())
        .unwrap();
    let expected = contents(&store);
    let before = photo_key_ids(&at);
    assert!(matches!(
        store.change_key(vec![0; 32]).err().unwrap(),
        ApiError::Invalid { .. }
    ));
    store.change_key(new.clone()).unwrap();
    // The open store carries on under the new key: reads, photos, edits.
    assert_eq!(contents(&store), expected);
    record(&store, &photo(8, 2000));
    let after = photo_key_ids(&at);
    assert!(
        after.iter().all(|id| !before.contains(id)),
        "every photo is sealed under the new key"
    );
    let expected = contents(&store);
    drop(store);
    assert!(matches!(
        FieldStore::open(path_of(&at), old).err().unwrap(),
        ApiError::WrongKey { .. }
    ));
    let store = FieldStore::open(path_of(&at), new.clone()).unwrap();
    assert_eq!(contents(&store), expected);
    assert!(store.get_inspection(id).is_ok());
    // The camera's photo kept in the inbox was sealed again too: it opens under the new key.
    let inbox_ids: Vec<Vec<u8>> = files(&at.join("inbox"))
        .into_values()
        .map(|b| b[8..16].to_vec())
        .collect();
    assert_eq!(inbox_ids.len(), 1);
    assert!(!before.contains(&inbox_ids[0]) && after.contains(&inbox_ids[0]));
    drop(store);
    assert_unreadable(
        &at,
        &[CONSIGNEE.as_bytes(), &jpeg[9000..9032], &camera[9000..9032]],
    );
    let store = FieldStore::open(path_of(&at), new).unwrap();
    let added = store
        .attach_photo_file(kept, PhotoFields::default())
        .unwrap();
    assert_eq!(store.read_photo(added.photo.sha256).unwrap(), camera);
}

/// Not a test by itself: the child process of `a_key_change_killed_at_any_point_loses_nothing`.
#[test]
#[ignore = "run by a_key_change_killed_at_any_point_loses_nothing as its child process"]
fn key_change_child() {
    let Ok(dir) = std::env::var("QUAYSIDE_REKEY_CHILD_STORE") else {
        return;
    };
    let old = hex::decode(std::env::var("QUAYSIDE_REKEY_CHILD_OLD").unwrap()).unwrap();
    let new = hex::decode(std::env::var("QUAYSIDE_REKEY_CHILD_NEW").unwrap()).unwrap();
    FieldStore::open(dir, old).unwrap().change_key(new).unwrap();
    println!("CHANGED");
}

#[test]
fn a_key_change_killed_at_any_point_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let old = quayside_core::generate_store_key();
    let new = quayside_core::generate_store_key();
    let template = dir.path().join("template");
    let expected = big_store(&template, &old, 150);
    let child = |store: &Path| {
        spawn_child(
            "key_change_child",
            &[
                ("QUAYSIDE_REKEY_CHILD_STORE", path_of(store)),
                ("QUAYSIDE_REKEY_CHILD_OLD", hex::encode(&old)),
                ("QUAYSIDE_REKEY_CHILD_NEW", hex::encode(&new)),
            ],
        )
    };
    let timing = dir.path().join("timing");
    copy_dir(&template, &timing);
    let started = std::time::Instant::now();
    let out = child(&timing).wait_with_output().unwrap();
    let whole = started.elapsed();
    assert!(String::from_utf8_lossy(&out.stdout).contains("CHANGED"));

    let rounds = 16;
    let (mut under_old, mut photos_mixed) = (0, 0);
    for round in 0..rounds {
        let at = dir.path().join(format!("round{round}"));
        copy_dir(&template, &at);
        let mut process = child(&at);
        std::thread::sleep(whole.mul_f64(f64::from(round) / f64::from(rounds)));
        process.kill().unwrap();
        process.wait().unwrap();
        let ids = photo_key_ids(&at);
        if ids.iter().any(|id| id != &ids[0]) {
            photos_mixed += 1;
        }
        // The new key opens it (and finishes the photos), or else the old one does, whole, and
        // the change is made again.
        let store = match FieldStore::open(path_of(&at), new.clone()) {
            Ok(store) => store,
            Err(ApiError::WrongKey { .. }) => {
                under_old += 1;
                let store = FieldStore::open(path_of(&at), old.clone()).unwrap();
                assert_eq!(contents(&store), expected, "round {round}, old key");
                store.change_key(new.clone()).unwrap();
                store
            }
            Err(e) => panic!("round {round}: neither key opens the store: {e}"),
        };
        assert_eq!(contents(&store), expected, "round {round}");
        drop(store);
        let ids = photo_key_ids(&at);
        assert!(
            ids.iter().all(|id| id == &ids[0]),
            "round {round}: photos under two keys"
        );
        assert!(matches!(
            FieldStore::open(path_of(&at), old.clone()).err().unwrap(),
            ApiError::WrongKey { .. }
        ));
    }
    // Some kills fell before the database changed key, some while the photos followed.
    assert!(
        under_old >= 1 && photos_mixed >= 1,
        "{under_old} under the old key, {photos_mixed} with photos under both"
    );
}

#[test]
fn a_key_change_that_failed_part_way_is_finished_before_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("store");
    let first = quayside_core::generate_store_key();
    let store =
        FieldStore::create(path_of(&at), first.clone(), "ama".into(), "GHTEM".into()).unwrap();
    record(&store, &photo(11, 90_000));
    record(&store, &photo(12, 90_000));
    let expected = contents(&store);
    // The first change cannot seal the photos again (its scratch folder is gone): it fails after
    // the database took the new key, with every photo still under the old one.
    let scratch = at.join("blobs").join("tmp");
    std::fs::remove_dir_all(&scratch).unwrap();
    std::fs::write(&scratch, b"not a folder").unwrap();
    assert!(
        store
            .change_key(quayside_core::generate_store_key())
            .is_err()
    );
    std::fs::remove_file(&scratch).unwrap();
    std::fs::create_dir(&scratch).unwrap();
    // The next change first seals what the failed one left under the key it retired.
    let last = quayside_core::generate_store_key();
    store.change_key(last.clone()).unwrap();
    assert_eq!(contents(&store), expected);
    drop(store);
    let store = FieldStore::open(path_of(&at), last).unwrap();
    assert_eq!(contents(&store), expected);
    let ids = photo_key_ids(&at);
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one key seals every photo"
    );
}
