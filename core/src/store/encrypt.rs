//! Converting a store from before encryption, on its first open with a key. The plain database
//! is copied into an encrypted one beside it (SQLCipher's `sqlcipher_export`) and checked, every
//! photo is sealed in place (each file atomically), and only then is the encrypted copy renamed
//! over the plain file: a kill at any point leaves either the plain store or the encrypted one
//! whole, and the next open with the key finishes the work. The rename is the one moment the
//! store changes from plain to encrypted; nothing before it has touched a record.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params};

use super::DB_FILE;
use super::key::{self, StoreKey};
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
        let raw_key = format!("x'{}'", key.to_hex().as_str());
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            params![copy_path, raw_key.as_str()],
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
    blobs.seal_plain_files()?;
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

/// Whether the store in `dir` is still plain (written before encryption).
pub fn is_plain(dir: &Path) -> Result<bool> {
    key::is_plain(&dir.join(DB_FILE))
}
