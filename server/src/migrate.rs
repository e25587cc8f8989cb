//! `quayside-server migrate`: moves an embedded server's records (accounts, devices and their
//! tokens, documents, reviews, projections, everything in its database) into an empty
//! PostgreSQL database, then proves the copy by reading both back: every table's row count and a
//! SHA-256 over its rows in key order must match. Its photos either stay in the data directory,
//! which the PostgreSQL server keeps using (`--data`), or move to an object store
//! ([`migrate_photos`]), each read back from the store and re-hashed. The source is only read.

use std::path::Path;

use quayside_core::sql::{Arg, Row, Sql, Value, arg_refs};
use quayside_core::store::open_connection;
use rusqlite::OpenFlags;
use sha2::{Digest, Sha256};

use crate::db::{DB_FILE, MIGRATIONS};
use crate::error::{ServerError, ServerResult};
use crate::storage::Storage;

/// Tables in an order that inserts each after the tables it refers to; every table of the
/// embedded schema must be here (a table added by a later migration is refused until it is).
const TABLES: &[&str] = &[
    "meta",
    "stations",
    "users",
    "user_stations",
    "enrol_codes",
    "devices",
    "api_tokens",
    "documents",
    "document_chunks",
    "doc_index",
    "blobs",
    "approvals",
    "photo_refs",
    "blob_grants",
    "seizure_rows",
    "seizure_parts",
    "console_sessions",
    "console_challenges",
    "inspection_rows",
    "photo_uploads",
    "enrol_attempts",
];

/// Rows sent to PostgreSQL in one round trip.
const BATCH: usize = 500;

/// One table moved and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub table: String,
    pub rows: u64,
    /// SHA-256 of the table's rows in key order, the same on both sides.
    pub sha256: String,
}

/// How a migration is going: a table's rows as they are copied, then checked.
#[derive(Debug, Clone)]
pub enum Progress {
    Copying {
        table: String,
        done: u64,
        total: u64,
    },
    Checked(Moved),
}

/// A table's columns and the ones its primary key is made of, from the embedded schema.
fn columns(source: &rusqlite::Connection, table: &str) -> ServerResult<(Vec<String>, Vec<String>)> {
    let mut cols = Vec::new();
    let mut key: Vec<(i64, String)> = Vec::new();
    let mut stmt = source.prepare(&format!("PRAGMA table_info({table})"))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let name: String = r.get(1)?;
        let pk: i64 = r.get(5)?;
        if pk > 0 {
            key.push((pk, name.clone()));
        }
        cols.push(name);
    }
    key.sort();
    let key = if key.is_empty() {
        cols.clone()
    } else {
        key.into_iter().map(|(_, k)| k).collect()
    };
    Ok((cols, key))
}

/// Adds one value to a table's digest, tagged by its kind so no two rows read alike.
fn digest_value(h: &mut Sha256, v: Value<'_>) {
    match v {
        Value::Null => h.update([0u8]),
        Value::Int(i) => {
            h.update([1u8]);
            h.update(i.to_be_bytes());
        }
        Value::Real(f) => {
            h.update([2u8]);
            h.update(f.to_bits().to_be_bytes());
        }
        Value::Text(t) => {
            h.update([3u8]);
            h.update((t.len() as u64).to_be_bytes());
            h.update(t.as_bytes());
        }
        Value::Blob(b) => {
            h.update([4u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    }
}

/// Row count and digest of `table` read through `c`, rows in key order.
fn fingerprint(
    c: &dyn Sql,
    table: &str,
    cols: &[String],
    key: &[String],
) -> ServerResult<(u64, String)> {
    let mut h = Sha256::new();
    let mut n = 0u64;
    c.for_each(
        &format!(
            "SELECT {} FROM {table} ORDER BY {}",
            cols.join(", "),
            key.join(", ")
        ),
        quayside_core::args![],
        |r| {
            n += 1;
            for i in 0..cols.len() {
                digest_value(&mut h, r.value(i)?);
            }
            Ok::<_, ServerError>(())
        },
    )?;
    Ok((n, hex::encode(h.finalize())))
}

fn owned(v: Value<'_>) -> Arg {
    match v {
        Value::Null => Arg::Null,
        Value::Int(i) => Arg::Int(i),
        Value::Real(f) => Arg::Real(f),
        Value::Text(t) => Arg::Text(t.to_string()),
        Value::Blob(b) => Arg::Blob(b.to_vec()),
    }
}

/// Moves the embedded server in `from` into the empty PostgreSQL database at `to`, checks the
/// copy and returns what each table holds. Nothing is written to `from`; on any failure the
/// PostgreSQL database is left without the copy (one transaction).
pub fn migrate(
    from: &Path,
    to: &str,
    progress: &mut dyn FnMut(&Progress),
) -> ServerResult<Vec<Moved>> {
    let file = from.join(DB_FILE);
    if !file.is_file() {
        return Err(ServerError::NotFound(format!(
            "no Quayside server data in {}: pass --from the directory the server runs on",
            from.display()
        )));
    }
    let source = open_connection(&file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let schema: i64 = source.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if schema as usize != MIGRATIONS.len() {
        return Err(ServerError::Conflict(format!(
            "the server in {} has schema {schema}, this version moves schema {}: start this version once on it first (it upgrades the database), then migrate",
            from.display(),
            MIGRATIONS.len()
        )));
    }
    let mut present: Vec<String> = Vec::new();
    {
        let mut stmt = source.prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            present.push(r.get(0)?);
        }
    }
    if let Some(unknown) = present.iter().find(|t| !TABLES.contains(&t.as_str())) {
        return Err(ServerError::Internal(format!(
            "table {unknown} is not one migrate knows how to move"
        )));
    }
    let target = Storage::open_postgres(to, crate::pg::default_connections(), MIGRATIONS)?;
    // Read in one snapshot of the source (other readers and a running server may go on).
    source.execute_batch("BEGIN")?;
    let shapes: Vec<(String, Vec<String>, Vec<String>)> = TABLES
        .iter()
        .map(|t| columns(&source, t).map(|(c, k)| (t.to_string(), c, k)))
        .collect::<ServerResult<_>>()?;
    let src: &dyn Sql = &source;
    target.write(|c| {
        for table in TABLES {
            let held: bool = c.value(
                &format!("SELECT EXISTS(SELECT 1 FROM {table})"),
                quayside_core::args![],
            )?;
            if held {
                return Err(ServerError::Conflict(format!(
                    "the PostgreSQL database already holds records ({table}): migrate moves a server into an empty database"
                )));
            }
        }
        for (table, cols, _) in &shapes {
            let total: u64 = src.value(&format!("SELECT count(*) FROM {table}"), quayside_core::args![])?;
            let insert = format!(
                "INSERT INTO {table}({}) VALUES ({})",
                cols.join(", "),
                (1..=cols.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ")
            );
            let mut done = 0u64;
            src.for_each(&format!("SELECT {} FROM {table}", cols.join(", ")), quayside_core::args![], |r: &dyn Row| {
                let args: Vec<Arg> = (0..cols.len())
                    .map(|i| r.value(i).map(owned))
                    .collect::<Result<_, _>>()?;
                c.defer(&insert, &arg_refs(&args))?;
                done += 1;
                if done.is_multiple_of(BATCH as u64) || done == total {
                    // Sends what was deferred (one round trip per batch).
                    c.batch("")?;
                    progress(&Progress::Copying { table: table.clone(), done, total });
                }
                Ok::<_, ServerError>(())
            })?;
        }
        // New users get ids after the moved ones.
        c.batch(
            "SELECT setval(pg_get_serial_sequence('users', 'id'), coalesce(max(id), 0) + 1, false) FROM users",
        )?;
        Ok(())
    })?;
    // The proof: both sides read back, row by row.
    let mut moved = Vec::new();
    for (table, cols, key) in &shapes {
        let (rows, sha256) = fingerprint(src, table, cols, key)?;
        let (pg_rows, pg_sha) = target.read(|c| fingerprint(c, table, cols, key))?;
        if (rows, &sha256) != (pg_rows, &pg_sha) {
            return Err(ServerError::Internal(format!(
                "{table}: {rows} rows (SHA-256 {sha256}) in the embedded database but {pg_rows} ({pg_sha}) in PostgreSQL"
            )));
        }
        let m = Moved {
            table: table.clone(),
            rows,
            sha256,
        };
        progress(&Progress::Checked(m.clone()));
        moved.push(m);
    }
    source.execute_batch("COMMIT")?;
    // Changes made on PostgreSQL from now on are numbered above the moved ones (a row of its own
    // in `meta`, written once the copies were compared).
    target.settle_numbering()?;
    Ok(moved)
}

/// Copies every photo of the embedded server in `from` into the object store at `address`
/// (see [`crate::s3::ObjectStore::from_url`]): each is verified on the way out, written, then
/// read back from the store and hashed again. Photos the store already holds are checked the
/// same way and not written twice. Returns how many photos the store now holds for `from`.
pub fn migrate_photos(
    from: &Path,
    address: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> ServerResult<usize> {
    let local = quayside_core::blobs::BlobStore::open(from.join("blobs"))?;
    let target = crate::object_uploads::ObjectUploads::open(
        address,
        crate::blobs::MAX_PENDING_BYTES_PER_DEVICE,
    )?;
    let all = local.list()?;
    progress(0, all.len());
    for (i, sha) in all.iter().enumerate() {
        let bytes = local.read_verified(sha)?;
        let len = bytes.len() as u64;
        if target.complete_len(sha)? != Some(len) {
            target.put_verified(sha, bytes)?;
        }
        // The proof: the store's copy, read back whole, hashes to the photo's name.
        let back = target.read(sha)?;
        if back.len() as u64 != len {
            return Err(ServerError::Internal(format!(
                "photo {sha}: {len} bytes here but {} in {}",
                back.len(),
                target.address()
            )));
        }
        progress(i + 1, all.len());
    }
    Ok(all.len())
}
