//! Converting a store from before encryption, on its first open with a key. The plain database
//! is copied into an encrypted one beside it (SQLCipher's `sqlcipher_export`) and checked, every
//! photo is sealed in place (each file atomically), and only then is the encrypted copy renamed
//! over the plain file: a kill at any point leaves either the plain store or the encrypted one
//! whole, and the next open with the key finishes the work. The rename is the one moment the
//! store changes from plain to encrypted; nothing before it has touched a record.
//!
//! Changing the key of an encrypted store ([`Store::change_key`]): SQLCipher's `rekey` rewrites
//! every page under the new key in one transaction (either key opens the store whole, never a
//! mix), then every photo is sealed again under the new key, one file at a time. Until the last
//! is, the old photo key is kept inside the re-keyed database (`meta.retired_photo_key`), so
//! every photo opens throughout, and an open after a crash finishes the work.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::key::{self, StoreKey};
use super::{DB_FILE, Store, open_connection_keyed, photo_key};
use crate::blobs::seal::PhotoKey;
use crate::blobs::{BlobStore, sync_dir};
use crate::error::{Error, Result};

/// The encrypted copy while it is being made (removed and made again after a crash).
pub const ENCRYPTING: &str = "quayside.sqlite3.encrypting";

/// Encrypts the plain store in `dir` under `key` (see the module comment); `blobs` is the
/// store's photo folder, opened sealed under the key's photo key.
pub fn convert(dir: &Path, key: &StoreKey, blobs: &BlobStore) -> Result<()> {
    let db = dir.join(DB_FILE);
    let copy = dir.join(ENCRYPTING);
    // A copy an earlier, interrupted conversion left behind: not trusted, made again.
    for leftover in [copy.clone(), dir.join(format!("{ENCRYPTING}-journal"))] {
        remove_if_present(&leftover)?;
    }
    let counts = {
        // CREATE: the attached copy below is created with the main connection's flags (the
        // plain file itself exists: `Store::open` checked).
        let plain = Connection::open_with_flags(
            &db,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        plain.busy_timeout(std::time::Duration::from_secs(10))?;
        // One whole file: the committed WAL folded in and the WAL removed, so nothing plain is
        // left beside the database, and the copy below reads every committed record.
        let mode: String = plain.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(Error::Store(
                "the store is open in another process; close it there and open it again".into(),
            ));
        }
        let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let copy_path = copy
            .to_str()
            .ok_or_else(|| Error::Store(format!("{}: not a UTF-8 path", copy.display())))?;
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            params![copy_path, key.sql_literal().as_str()],
        )?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.pragma_update(Some("encrypted"), "user_version", version)?;
        plain.execute_batch("DETACH DATABASE encrypted")?;
        row_counts(&plain)?
    };
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .map_err(Error::io(&copy))?;
    // The copy must hold what the plain store holds before it may replace it.
    {
        let encrypted = Connection::open_with_flags(&copy, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        key::apply(&encrypted, key)?;
        let check: String = encrypted.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        let copied = row_counts(&encrypted)?;
        if check != "ok" || copied != counts {
            return Err(Error::Integrity(format!(
                "the encrypted copy of the store does not match the plain store ({check}); the plain store is unchanged"
            )));
        }
    }
    blobs.reseal_stale()?;
    // Photos an app from before encryption left in the camera's inbox, sealed in place.
    blobs.reseal_files(&super::inbox::inbox_files(dir)?)?;
    // Nothing of the plain database may be read as part of the encrypted one.
    for plain_side in ["-wal", "-shm", "-journal"] {
        remove_if_present(&dir.join(format!("{DB_FILE}{plain_side}")))?;
    }
    std::fs::rename(&copy, &db).map_err(Error::io(&db))?;
    sync_dir(dir)
}

/// Every table's row count, by name (what the copy is checked against).
fn row_counts(conn: &Connection) -> Result<Vec<(String, i64)>> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tables
        .into_iter()
        .map(|t| {
            let n = conn.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0))?;
            Ok((t, n))
        })
        .collect()
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path)(e)),
        _ => Ok(()),
    }
}

/// Where the old photo key waits while photos are sealed again under a new one.
const RETIRED_PHOTO_KEY: &str = "retired_photo_key";

impl Store {
    /// Re-encrypts the store under `new` (see the module comment). The app keeps both keys
    /// until this returns; after a crash during it, whichever of the two opens the store is its
    /// key (the new one once the database was re-keyed), and opening it finishes the photos.
    pub fn change_key(&self, new: &StoreKey) -> Result<()> {
        let path = self.dir().join(DB_FILE);
        // A change that failed part-way leaves photos under the key it retired: sealed again
        // first, since only one retired key is kept.
        self.finish_key_change()?;
        let Some(old_photos) = self.blobs().current_key() else {
            return Err(Error::Store("this photo store has no key".into()));
        };
        {
            // Nothing reads or writes the database while its pages change key.
            let writer = self.writer();
            let mut reader = self.reader();
            writer.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![RETIRED_PHOTO_KEY, hex::encode(old_photos.secret())],
            )?;
            let pragma = zeroize::Zeroizing::new(format!(
                "PRAGMA rekey = \"{}\"",
                new.sql_literal().as_str()
            ));
            writer.execute_batch(&pragma)?;
            key::check_key(&writer)?;
            *reader = open_connection_keyed(&path, OpenFlags::SQLITE_OPEN_READ_ONLY, new)?;
            super::configure_reader(&reader)?;
            self.blobs().change_key(photo_key(new));
        }
        self.finish_key_change()
    }

    /// Seals again the photos still under a retired key, then forgets it. Run by
    /// [`Store::change_key`] and, after a crash interrupted one, by [`Store::open`].
    pub(crate) fn finish_key_change(&self) -> Result<()> {
        let retired: Option<String> = self
            .writer()
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                [RETIRED_PHOTO_KEY],
                |r| r.get(0),
            )
            .optional()?;
        let Some(retired) = retired else {
            return Ok(());
        };
        let secret: [u8; key::KEY_BYTES] = hex::decode(&retired)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Integrity("the retired photo key is malformed".into()))?;
        self.blobs()
            .retiring(PhotoKey::new(zeroize::Zeroizing::new(secret)));
        self.blobs().reseal_stale()?;
        // The camera's photos kept in the inbox are sealed like the photos.
        self.blobs()
            .reseal_files(&super::inbox::inbox_files(self.dir())?)?;
        self.writer()
            .execute("DELETE FROM meta WHERE key = ?1", [RETIRED_PHOTO_KEY])?;
        self.blobs().retired();
        Ok(())
    }
}
