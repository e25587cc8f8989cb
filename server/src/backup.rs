//! Backups an agency can trust: a consistent copy of a running embedded server (SQLite's online
//! backup of the database, then every photo copied and re-hashed), a manifest that lets anyone
//! check the copy later, and a restore that checks it before it becomes a server's data.
//!
//! A restored server gets a new restore id; the feed tells devices, and each device then offers
//! the server everything it holds again (what it had confirmed after the backup was taken is not
//! on the restored server), see ARCHITECTURE.md, "Backup and restore".

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use quayside_core::blobs::{self, BlobStore};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::{DB_FILE, MIGRATIONS};

/// The manifest's file name in a backup directory.
pub const MANIFEST: &str = "backup.json";

/// What went wrong with a backup or a restore.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Refused before anything was written (a wrong directory, say).
    #[error("{0}")]
    Refused(String),
    /// The backup does not match its manifest, or the copy does not match its source.
    #[error("the backup in {dir} is damaged: {why}")]
    Damaged { dir: PathBuf, why: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("{0}")]
    Store(#[from] quayside_core::error::Error),
}

type Result<T> = std::result::Result<T, Error>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a backup holds, written last (a directory without it is not a finished backup) and
/// checked by [`verify`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// 1 for this layout: `server.sqlite3`, `blobs/`, `backup.json`.
    pub format: u32,
    pub created_at: String,
    /// The server version that wrote it.
    pub server_version: String,
    /// The last schema migration the copied database has.
    pub schema: String,
    pub database: FileEntry,
    pub counts: Counts,
    /// Every photo, by SHA-256 (its file name) and size.
    pub photos: Vec<FileEntry>,
}

/// A file of the backup and its SHA-256.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub sha256: String,
    pub bytes: u64,
}

/// Rows the copied database holds, recounted by [`verify`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub stations: u64,
    pub users: u64,
    pub devices: u64,
    pub inspections: u64,
    pub reviews: u64,
    /// Photos the database records as received and verified (each must be in the backup).
    pub granted_photos: u64,
}

/// How far a backup, a check or a restore has got (for a progress line).
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Database { bytes: u64 },
    Photos { done: u64, total: u64, bytes: u64 },
}

/// Copies the server data in `data` to `to` (a directory that must not exist yet) while the
/// server may keep running: the database in one read snapshot through SQLite's online backup
/// (devices keep syncing meanwhile), then the photos, each re-hashed as it is copied. The copy is
/// assembled beside `to` and renamed into place only when whole and checked.
pub fn backup(data: &Path, to: &Path, progress: &mut dyn FnMut(&Progress)) -> Result<Manifest> {
    let source_db = data.join(DB_FILE);
    if !source_db.is_file() {
        return Err(Error::Refused(format!(
            "no Quayside server data in {} (no {DB_FILE})",
            data.display()
        )));
    }
    if to.exists() {
        return Err(Error::Refused(format!(
            "{} already exists: a backup goes to a new directory",
            to.display()
        )));
    }
    let parent = to
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let work = tempfile::Builder::new()
        .prefix(".quayside-backup-")
        .tempdir_in(parent)
        .map_err(io(parent))?;

    // 1. The database, in one step: one read transaction, so the copy is one consistent moment
    //    of the server, and in WAL mode the server's writers are not held up by it.
    let copy_path = work.path().join(DB_FILE);
    {
        let source = Connection::open_with_flags(&source_db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        source.busy_timeout(std::time::Duration::from_secs(30))?;
        let mut copy = Connection::open(&copy_path)?;
        let step = Backup::new(&source, &mut copy)?;
        loop {
            match step.step(-1)? {
                StepResult::Done => break,
                // Only another writer's exclusive lock stops a reader: wait and go on.
                _ => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        }
        drop(step);
        copy.execute_batch("PRAGMA journal_mode = DELETE")?;
        check_integrity(&copy, work.path())?;
    }
    let database = hash_file(&copy_path)?;
    progress(&Progress::Database {
        bytes: database.bytes,
    });
    let conn = Connection::open_with_flags(&copy_path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let counts = count(&conn)?;
    let schema = schema_of(&conn)?;
    let granted = granted_photos(&conn)?;
    drop(conn);

    // 2. The photos. Photos are never changed or removed once finished, so every photo the
    //    database copy knows is already there; photos finished since are copied too (harmless).
    let source = BlobStore::open(data.join("blobs"))?;
    let target = BlobStore::open(work.path().join("blobs"))?;
    let names = source.list()?;
    if let Some(missing) = granted.iter().find(|g| names.binary_search(g).is_err()) {
        return Err(Error::Damaged {
            dir: data.to_path_buf(),
            why: format!(
                "the database records photo {missing} as received, but its file is missing"
            ),
        });
    }
    let total = names.len() as u64;
    let mut photos = Vec::with_capacity(names.len());
    let mut bytes = 0;
    for (i, name) in names.iter().enumerate() {
        let stored = target.put_file(&source.path(name))?;
        if &stored.sha256 != name {
            return Err(Error::Damaged {
                dir: data.to_path_buf(),
                why: format!(
                    "photo {name} has been altered on disk (its content hashes to {})",
                    stored.sha256
                ),
            });
        }
        bytes += stored.bytes;
        photos.push(FileEntry {
            sha256: stored.sha256,
            bytes: stored.bytes,
        });
        progress(&Progress::Photos {
            done: i as u64 + 1,
            total,
            bytes,
        });
    }
    fs::remove_dir(work.path().join("blobs").join("tmp")).map_err(io(work.path()))?;

    let manifest = Manifest {
        format: 1,
        created_at: crate::db::now(),
        server_version: env!("CARGO_PKG_VERSION").into(),
        schema,
        database,
        counts,
        photos,
    };
    write_durably(
        &work.path().join(MANIFEST),
        &serde_json::to_vec_pretty(&manifest).expect("a manifest serialises"),
    )?;
    let work = work.keep();
    fs::rename(&work, to).map_err(io(to))?;
    blobs::sync_dir(parent)?;
    Ok(manifest)
}

/// Checks a backup against its manifest: the database's hash and integrity, its row counts, and
/// every photo's hash. Reads everything once; changes nothing.
pub fn verify(dir: &Path, progress: &mut dyn FnMut(&Progress)) -> Result<Manifest> {
    let damaged = |why: String| Error::Damaged {
        dir: dir.to_path_buf(),
        why,
    };
    let manifest_path = dir.join(MANIFEST);
    let text = fs::read(&manifest_path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::Refused(format!(
            "{} is not a finished Quayside backup (no {MANIFEST})",
            dir.display()
        )),
        _ => io(&manifest_path)(e),
    })?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| damaged(format!("{MANIFEST} does not read: {e}")))?;
    if manifest.format != 1 {
        return Err(Error::Refused(format!(
            "backup format {} is not one this server reads",
            manifest.format
        )));
    }
    let db_path = dir.join(DB_FILE);
    if !db_path.is_file() {
        return Err(damaged(format!("{DB_FILE} is missing")));
    }
    let database = hash_file(&db_path)?;
    if database != manifest.database {
        return Err(damaged(format!(
            "{DB_FILE} hashes to {} ({} bytes), the manifest says {} ({} bytes)",
            database.sha256, database.bytes, manifest.database.sha256, manifest.database.bytes
        )));
    }
    progress(&Progress::Database {
        bytes: database.bytes,
    });
    let conn = Connection::open_with_flags(&db_path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    check_integrity(&conn, dir)?;
    let counts = count(&conn)?;
    if counts != manifest.counts {
        return Err(damaged(format!(
            "the database holds {counts:?}, the manifest says {:?}",
            manifest.counts
        )));
    }
    let granted = granted_photos(&conn)?;
    drop(conn);
    let mut listed: Vec<&str> = manifest.photos.iter().map(|p| p.sha256.as_str()).collect();
    listed.sort_unstable();
    if let Some(missing) = granted
        .iter()
        .find(|g| listed.binary_search(&g.as_str()).is_err())
    {
        return Err(damaged(format!(
            "photo {missing}, recorded as received, is not in the backup"
        )));
    }
    let total = manifest.photos.len() as u64;
    let mut bytes = 0;
    for (i, photo) in manifest.photos.iter().enumerate() {
        if !quayside_core::blobs::is_sha256(&photo.sha256) {
            return Err(damaged(format!(
                "{:?} is not a photo's SHA-256",
                photo.sha256
            )));
        }
        let path = blobs::path_in(&dir.join("blobs"), &photo.sha256);
        if !path.is_file() {
            return Err(damaged(format!("photo {} is missing", photo.sha256)));
        }
        let found = hash_file(&path)?;
        if &found != photo {
            return Err(damaged(format!(
                "photo {} hashes to {}",
                photo.sha256, found.sha256
            )));
        }
        bytes += found.bytes;
        progress(&Progress::Photos {
            done: i as u64 + 1,
            total,
            bytes,
        });
    }
    Ok(manifest)
}

/// What a restore made.
#[derive(Debug, Clone)]
pub struct Restored {
    pub manifest: Manifest,
    /// The new restore id the server tells devices.
    pub restore_id: String,
}

/// Checks the backup in `from` ([`verify`]) and makes `data` (which must hold no server) a
/// server data directory from it, with a new restore id. The database is put in place last, so
/// a restore stopped half way leaves no server that looks whole. The backup is not changed.
pub fn restore(from: &Path, data: &Path, progress: &mut dyn FnMut(&Progress)) -> Result<Restored> {
    if data.join(DB_FILE).exists() {
        return Err(Error::Refused(format!(
            "{} already holds a server: restore into a new directory",
            data.display()
        )));
    }
    let manifest = verify(from, progress)?;
    fs::create_dir_all(data).map_err(io(data))?;
    // The backup is only read (it may sit on read-only media): its photos by path.
    let target = BlobStore::open(data.join("blobs"))?;
    for photo in &manifest.photos {
        let stored = target.put_file(&blobs::path_in(&from.join("blobs"), &photo.sha256))?;
        if stored.sha256 != photo.sha256 {
            return Err(Error::Damaged {
                dir: from.to_path_buf(),
                why: format!("photo {} changed while it was restored", photo.sha256),
            });
        }
    }
    let partial = data.join(format!("{DB_FILE}.restoring"));
    fs::copy(from.join(DB_FILE), &partial).map_err(io(&partial))?;
    if hash_file(&partial)? != manifest.database {
        fs::remove_file(&partial).map_err(io(&partial))?;
        return Err(Error::Damaged {
            dir: from.to_path_buf(),
            why: format!("{DB_FILE} changed while it was restored"),
        });
    }
    let restore_id = uuid::Uuid::now_v7().to_string();
    {
        let conn = Connection::open(&partial)?;
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('restore_id', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [&restore_id],
        )?;
        conn.execute(
            "INSERT INTO meta(key, value) VALUES ('restored_from', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [&manifest.created_at],
        )?;
    }
    File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(io(&partial))?;
    fs::rename(&partial, data.join(DB_FILE)).map_err(io(data))?;
    blobs::sync_dir(data)?;
    Ok(Restored {
        manifest,
        restore_id,
    })
}

fn check_integrity(conn: &Connection, dir: &Path) -> Result<()> {
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(Error::Damaged {
            dir: dir.to_path_buf(),
            why: format!("SQLite's integrity check says: {verdict}"),
        });
    }
    Ok(())
}

fn count(conn: &Connection) -> Result<Counts> {
    let n =
        |sql: &str| -> Result<u64> { Ok(conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
    Ok(Counts {
        stations: n("SELECT count(*) FROM stations")?,
        users: n("SELECT count(*) FROM users")?,
        devices: n("SELECT count(*) FROM devices")?,
        inspections: n("SELECT count(*) FROM doc_index WHERE kind = 'inspection'")?,
        reviews: n("SELECT count(*) FROM doc_index WHERE kind = 'review'")?,
        granted_photos: n("SELECT count(DISTINCT sha256) FROM blob_grants")?,
    })
}

fn granted_photos(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare("SELECT DISTINCT sha256 FROM blob_grants ORDER BY sha256")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The newest migration the database has (a backup of an older server restores into a newer
/// one, which upgrades it on start).
fn schema_of(conn: &Connection) -> Result<String> {
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    Ok(
        match version.checked_sub(1).and_then(|i| MIGRATIONS.get(i)) {
            Some((name, _)) => name.to_string(),
            None => format!("schema {version}"),
        },
    )
}

fn hash_file(path: &Path) -> Result<FileEntry> {
    let mut file = File::open(path).map_err(io(path))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(io(path))?;
    Ok(FileEntry {
        sha256: hex::encode(hasher.finalize()),
        bytes,
    })
}

fn write_durably(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}
