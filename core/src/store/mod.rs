//! The device store: one SQLite database (WAL) holding the device identity, every record's
//! automerge document and the projections that answer lists without loading documents, plus the
//! photo blob directory; the database encrypted as a whole and the photos sealed, under the key
//! the app gives ([`key`]). Every call that changes data has committed before it returns.

pub mod drafts;
pub mod encrypt;
pub mod inbox;
pub mod inspections;
pub mod key;
pub mod migrations;
pub mod projection;
pub mod query;
pub mod sync_state;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::blobs::BlobStore;
use crate::blobs::seal::PhotoKey;
pub use crate::doc::storage::{
    StoredDocument, append_counted, append_document, insert_document, insert_document_bytes,
    load_counted, load_document, of_kind, stored_bytes, stored_documents, stored_heads,
};
use crate::doc::{Author, Document};
use crate::error::{Error, Result};
pub use key::StoreKey;

/// File name of the database inside a store directory.
pub const DB_FILE: &str = "quayside.sqlite3";

/// Who this device is: fixed when the store is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: String,
    /// The automerge actor id (16 random bytes) every change from this store carries.
    pub actor: Vec<u8>,
    pub user: String,
    pub station: String,
    pub created_at: String,
}

impl Device {
    /// The author written into this device's changes.
    pub fn author(&self) -> Author {
        Author {
            user: self.user.clone(),
            device: self.device_id.clone(),
        }
    }
}

/// An open device store.
pub struct Store {
    dir: PathBuf,
    // The reader is closed before the writer (fields drop in this order): the writer's close,
    // the last, folds the WAL into the database and removes it.
    reader: Mutex<Connection>,
    writer: Mutex<Connection>,
    device: Device,
    blobs: BlobStore,
    cache: Mutex<DocCache>,
    /// The snapshot the last edits produced (see [`Store::inspection_snapshot`]).
    snapshots: Mutex<Vec<(String, projection::Snapshot)>>,
    /// The device's Ed25519 secret key: it signs submissions and reviews and never leaves here.
    secret: [u8; 32],
}

/// Recently used documents, so editing the record on screen does not reload it from SQLite for
/// every keystroke. An entry is used only while its heads equal the stored heads, so a change
/// written by another connection or process is never missed.
#[derive(Default)]
struct DocCache {
    entries: Vec<(String, String, Document)>,
}

const CACHE_SIZE: usize = 16;

impl DocCache {
    fn take(&mut self, id: &str, heads: &str) -> Option<Document> {
        let i = self.entries.iter().position(|(i, _, _)| i == id)?;
        let (_, cached_heads, doc) = self.entries.remove(i);
        (cached_heads == heads).then_some(doc)
    }

    fn put(&mut self, id: &str, heads: String, doc: Document) {
        self.entries.retain(|(i, _, _)| i != id);
        if self.entries.len() >= CACHE_SIZE {
            self.entries.remove(0);
        }
        self.entries.push((id.to_string(), heads, doc));
    }
}

/// Opens a SQLite connection the way every Quayside database is used: WAL, `synchronous=FULL`
/// (a commit survives power loss), foreign keys on, a busy timeout.
pub fn open_connection(path: &Path, flags: OpenFlags) -> Result<Connection> {
    configure(Connection::open_with_flags(path, flags)?)
}

/// Opens an encrypted database (a device store) like [`open_connection`], keyed before anything
/// else reads it: a wrong key is [`Error::WrongKey`] and has written nothing.
pub fn open_connection_keyed(path: &Path, flags: OpenFlags, key: &StoreKey) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    key::apply(&conn, key)?;
    configure(conn)
}

fn configure(conn: Connection) -> Result<Connection> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a committed edit survives power loss, not only the app being killed.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Every page read from the file is decrypted and its HMAC checked: the lists keep the pages
/// they read decrypted in memory (up to 16 MiB, taken only as pages are read) rather than
/// decrypting the list projection again for every screen.
fn configure_reader(reader: &Connection) -> Result<()> {
    reader.pragma_update(None, "cache_size", -16 * 1024)?;
    Ok(())
}

/// The key a store's photos are sealed under: derived from the store key, so the app keeps one
/// key.
fn photo_key(key: &StoreKey) -> PhotoKey {
    PhotoKey::new(key.derive(b"photos"))
}

impl Store {
    /// Creates a new store in `dir` for `user` at `station` (a UN/LOCODE), encrypted under `key`.
    pub fn init(dir: &Path, key: &StoreKey, user: &str, station: &str) -> Result<Store> {
        let user = crate::model::clean_text(user)
            .ok_or_else(|| Error::Invalid("a user name is required".into()))?;
        let station = crate::model::locode::parse_locode(station)?;
        if dir.join(DB_FILE).exists() {
            return Err(Error::Store(format!(
                "{} already holds a Quayside store",
                dir.display()
            )));
        }
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let mut conn = open_connection_keyed(
            &dir.join(DB_FILE),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            key,
        )?;
        migrations::migrate(&mut conn)?;
        let actor: [u8; 16] = rand::random();
        let tx = conn.transaction()?;
        for (key, value) in [
            ("device_id", uuid::Uuid::now_v7().to_string()),
            ("actor", hex::encode(actor)),
            ("user", user),
            ("station", station),
            ("created_at", crate::model::edits::now_rfc3339()),
        ] {
            tx.execute(
                "INSERT INTO meta(key, value) VALUES (?1, ?2)",
                params![key, value],
            )?;
        }
        tx.commit()?;
        drop(conn);
        Store::open(dir, key)
    }

    /// Opens the store in `dir` with `key`, migrating an older schema; a store from before
    /// encryption is encrypted under `key` first ([`encrypt`]).
    pub fn open(dir: &Path, key: &StoreKey) -> Result<Store> {
        let path = dir.join(DB_FILE);
        if !path.exists() {
            return Err(Error::Store(format!(
                "no Quayside store in {} (create one with `quayside init`)",
                dir.display()
            )));
        }
        let blobs = BlobStore::open_sealed(dir.join("blobs"), photo_key(key))?;
        if key::is_plain(&path)? {
            encrypt::convert(dir, key, &blobs)?;
        }
        let mut writer = open_connection_keyed(&path, OpenFlags::SQLITE_OPEN_READ_WRITE, key)?;
        migrations::migrate(&mut writer)?;
        let device = read_device(&writer)?;
        let secret = signing_secret(&writer)?;
        let reader = open_connection_keyed(&path, OpenFlags::SQLITE_OPEN_READ_ONLY, key)?;
        configure_reader(&reader)?;
        let store = Store {
            dir: dir.to_path_buf(),
            writer: Mutex::new(writer),
            reader: Mutex::new(reader),
            device,
            blobs,
            cache: Mutex::new(DocCache::default()),
            snapshots: Mutex::new(Vec::new()),
            secret,
        };
        store.reproject_if_needed()?;
        store.finish_key_change()?;
        Ok(store)
    }

    /// This device's identity.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The public half of this device's signing key (hex), registered at enrolment.
    pub fn public_key(&self) -> String {
        crate::signing::public_key_of(&self.secret)
    }

    /// Signs `payload` with this device's key.
    pub(crate) fn secret(&self) -> &[u8; 32] {
        &self.secret
    }

    /// Deletes everything this store holds: database, WAL, photos, the camera's inbox, drafts.
    /// What a device ordered wiped does once it has pushed what the server accepts. The files
    /// were encrypted and the app forgets the key, so nothing the flash may still keep of them
    /// opens. The connections stay open on deleted files: drop the store after this.
    pub fn wipe(&self) -> Result<()> {
        // No edit is half-written while the files go.
        let _writer = self.writer();
        std::fs::remove_dir_all(&self.dir).map_err(Error::io(&self.dir))?;
        if let Some(parent) = self.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::blobs::sync_dir(parent)?;
        }
        Ok(())
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The photo files.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    pub(crate) fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn reader(&self) -> MutexGuard<'_, Connection> {
        self.reader.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A fresh copy of the stored document `id` of `kind` (edits to it are not stored).
    pub fn document(&self, kind: &'static str, id: &str) -> Result<Document> {
        load_document(&*self.reader(), &self.device.actor, kind, id)
    }

    /// Runs `f` on the document `id` (of `kind`) as stored now.
    pub fn read_document<T>(
        &self,
        kind: &'static str,
        id: &str,
        f: impl FnOnce(&mut Document) -> Result<T>,
    ) -> Result<T> {
        let conn = self.reader();
        let tx = conn.unchecked_transaction()?;
        let heads = stored_heads(&tx, kind, id)?;
        let mut doc = match self.cache().take(id, &heads) {
            Some(doc) => doc,
            None => load_document(&tx, &self.device.actor, kind, id)?,
        };
        drop(tx);
        let result = f(&mut doc);
        self.cache().put(id, heads, doc);
        result
    }

    /// Runs `f` on the document `id` inside the write transaction `tx`; the document comes from
    /// the cache when it is current. `f` reports the new stored heads when it changed the
    /// document; the document is cached again only if `commit` succeeds.
    pub(crate) fn write_document<T>(
        &self,
        tx: rusqlite::Transaction<'_>,
        kind: &'static str,
        id: &str,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &mut Document) -> Result<T>,
    ) -> Result<T> {
        let heads = stored_heads(&tx, kind, id)?;
        let mut doc = match self.cache().take(id, &heads) {
            Some(doc) => doc,
            None => load_document(&tx, &self.device.actor, kind, id)?,
        };
        let value = f(&tx, &mut doc)?;
        let new_heads = stored_heads(&tx, kind, id)?;
        tx.commit()?;
        self.cache().put(id, new_heads, doc);
        Ok(value)
    }

    /// Keeps the snapshot an edit produced, for the view that follows it.
    pub(crate) fn remember(&self, snap: projection::Snapshot) {
        let mut all = self.snapshots.lock().unwrap_or_else(|p| p.into_inner());
        all.retain(|(id, _)| *id != snap.inspection.id);
        if all.len() >= 4 {
            all.remove(0);
        }
        all.push((snap.inspection.id.clone(), snap));
    }

    /// The snapshot kept for `id`, if it is of the stored version (`stored_heads` as stored).
    pub(crate) fn remembered(&self, id: &str, stored_heads: &str) -> Option<projection::Snapshot> {
        let all = self.snapshots.lock().unwrap_or_else(|p| p.into_inner());
        all.iter()
            .find(|(i, s)| {
                i == id && serde_json::to_string(&s.heads).is_ok_and(|h| h == stored_heads)
            })
            .map(|(_, s)| s.clone())
    }

    fn cache(&self) -> MutexGuard<'_, DocCache> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Rebuilds every projection from the documents when a migration asked for it.
    fn reproject_if_needed(&self) -> Result<()> {
        let mut conn = self.writer();
        let flagged: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'reproject'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if flagged.as_deref() != Some("1") {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Reviews first: an inspection's review state is derived from them.
        for kind in ["review", "inspection"] {
            let ids: Vec<String> = tx
                .prepare("SELECT id FROM documents WHERE kind = ?1")?
                .query_map([kind], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids {
                let mut doc = load_document(&tx, &self.device.actor, kind_name(kind), &id)?;
                projection::project(&tx, kind, &mut doc, &self.device.actor)?;
            }
        }
        tx.execute("DELETE FROM meta WHERE key = 'reproject'", [])?;
        tx.commit()?;
        Ok(())
    }
}

/// The `&'static` name of a stored document kind.
pub fn kind_name(kind: &str) -> &'static str {
    crate::doc::DocKind::parse(kind)
        .unwrap_or(crate::doc::DocKind::Inspection)
        .as_str()
}

/// The device's signing key, created on first open (stores made before signatures get one).
fn signing_secret(conn: &Connection) -> Result<[u8; 32]> {
    let stored: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'signing_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    match stored {
        Some(hex_key) => hex::decode(hex_key)
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| Error::Integrity("the store's signing key is malformed".into())),
        None => {
            let secret = crate::signing::new_secret();
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('signing_key', ?1)",
                [hex::encode(secret)],
            )?;
            Ok(secret)
        }
    }
}

fn read_device(conn: &Connection) -> Result<Device> {
    let get = |key: &str| -> Result<String> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::Store(format!("store has no {key}: not initialised")))
    };
    Ok(Device {
        device_id: get("device_id")?,
        actor: hex::decode(get("actor")?)
            .map_err(|_| Error::Integrity("the store's actor id is not hex".into()))?,
        user: get("user")?,
        station: get("station")?,
        created_at: get("created_at")?,
    })
}
