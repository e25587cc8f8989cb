//! Which database the server keeps its records in, and the transactions every query runs in:
//! the embedded SQLite file (the default: one writer connection and one reader), or PostgreSQL
//! shared by several server instances (a pool, writers holding what they write, see [`pg`]).
//!
//! Code above this module asks for a read or a write transaction and gets a [`Sql`] connection
//! inside it; it never names the backend.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use quayside_core::sql::Sql;
use quayside_core::store::{migrations, open_connection};
use rusqlite::{Connection, OpenFlags};

use crate::error::ServerResult;
use crate::pg;

/// The server's database.
#[allow(clippy::large_enum_variant)] // one per server: its size does not matter
pub enum Storage {
    Sqlite {
        writer: Mutex<Connection>,
        /// A second connection for reads that need not wait for writes (WAL).
        reader: Mutex<Connection>,
        path: PathBuf,
    },
    Postgres(pg::Pool),
}

fn locked(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `f` between `begin` and COMMIT; rolls back when `f` fails or panics (the panic goes on).
fn in_transaction<T>(
    c: &dyn Sql,
    begin: &str,
    f: impl FnOnce(&dyn Sql) -> ServerResult<T>,
) -> ServerResult<T> {
    c.batch(begin)?;
    begun(c, f)
}

/// Runs `f` in the transaction `c` has begun: commits when `f` succeeds, rolls back when it
/// fails or panics.
fn begun<T>(c: &dyn Sql, f: impl FnOnce(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(c))) {
        Ok(Ok(v)) => match c.batch("COMMIT") {
            Ok(()) => Ok(v),
            Err(e) => {
                let _ = c.batch("ROLLBACK");
                Err(e.into())
            }
        },
        Ok(Err(e)) => {
            let _ = c.batch("ROLLBACK");
            Err(e)
        }
        Err(panic) => {
            let _ = c.batch("ROLLBACK");
            std::panic::resume_unwind(panic)
        }
    }
}

/// Runs `f` in a transaction begun with `begin` on `session`, a pooled connection (begun again
/// on a new connection should the one lent have been ended, see [`pg::Conn::begin`]).
fn pg_transaction<T>(
    mut session: pg::Pooled,
    begin: &str,
    f: impl FnOnce(&dyn Sql) -> ServerResult<T>,
) -> ServerResult<T> {
    begun(&pg::Conn::begin(&mut session, begin)?, f)
}

const PG_READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// The embedded database's page size. Stored documents are about 0.9-1.4 KB: SQLite's default
/// 4 KiB pages held two or three of them and left 32% of the documents table empty (10,000
/// inspections, BENCHMARKS.md "Growth"); 8 KiB pages leave 15%, with pushes and pulls as fast.
pub const PAGE_SIZE: i64 = 8192;

impl Storage {
    /// The embedded database `file`, created and brought to the newest of `migrations`.
    pub fn open_sqlite(file: &Path, migrations_list: &[(&str, &str)]) -> ServerResult<Storage> {
        if !file.exists() {
            // The page size is fixed when the file is first written (WAL mode writes its header):
            // set before anything else. A database made before keeps its own.
            let fresh = rusqlite::Connection::open(file)?;
            fresh.pragma_update(None, "page_size", PAGE_SIZE)?;
            fresh.pragma_update(None, "journal_mode", "WAL")?;
        }
        let mut conn = open_connection(
            file,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        )?;
        migrations::apply(&mut conn, migrations_list, migrations_list.len())?;
        let reader = open_connection(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        Ok(Storage::Sqlite {
            writer: Mutex::new(conn),
            reader: Mutex::new(reader),
            path: file.to_path_buf(),
        })
    }

    /// The PostgreSQL database at `url`, brought to the newest of `migrations`, with up to
    /// `connections` connections to it ([`pg::default_connections`]).
    pub fn open_postgres(
        url: &str,
        connections: u32,
        migrations_list: &[(&str, &str)],
    ) -> ServerResult<Storage> {
        let pool = pg::Pool::connect(url, connections)?;
        pg::migrate(&pool, migrations_list)?;
        if pg::analyze_if_unattended(&pool, true)? {
            tracing::warn!(
                database = %pool.shown,
                "PostgreSQL's autovacuum is off: this server runs ANALYZE at start and on tables that changed; turn autovacuum on"
            );
        }
        Ok(Storage::Postgres(pool))
    }

    /// Housekeeping the database may need from the server, every minute (see
    /// [`pg::analyze_if_unattended`]).
    pub fn maintain(&self) -> ServerResult<()> {
        if let Storage::Postgres(pool) = self {
            pg::analyze_if_unattended(pool, false)?;
        }
        Ok(())
    }

    /// Raises the base PostgreSQL numbers changes from above every number stored and the time
    /// (see [`pg::settle_numbering`]); SQLite numbers from what it holds each time.
    pub fn settle_numbering(&self) -> ServerResult<()> {
        if let Storage::Postgres(pool) = self {
            let mut session = pool.get()?;
            pg::settle_numbering(&pg::Conn::new(&mut session))?;
        }
        Ok(())
    }

    /// On PostgreSQL, the connections requests take theirs from: (open, of them idle, at most).
    pub fn connections(&self) -> Option<(u32, u32, u32)> {
        match self {
            Storage::Sqlite { .. } => None,
            Storage::Postgres(pool) => Some(pool.state()),
        }
    }

    /// `sqlite` or `postgres` (for readiness and metrics).
    pub fn backend(&self) -> &'static str {
        match self {
            Storage::Sqlite { .. } => "sqlite",
            Storage::Postgres(_) => "postgres",
        }
    }

    /// Runs `f` in a write transaction, after every other writer (of every instance) and before
    /// the next; commits when `f` succeeds, rolls back when it fails.
    pub fn write<T>(&self, f: impl FnOnce(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        match self {
            Storage::Sqlite { writer, .. } => {
                in_transaction(&*locked(writer), "BEGIN IMMEDIATE", f)
            }
            Storage::Postgres(pool) => {
                let begin = format!("BEGIN; SELECT pg_advisory_xact_lock({})", pg::WRITE_LOCK);
                pg_transaction(pool.get()?, &begin, f)
            }
        }
    }

    /// Runs `f` in a write transaction that holds only what it names: the documents it writes
    /// ([`Sql::hold`], before reading them). Its change numbers ([`Sql::issue_numbers`], last)
    /// wait for no other writer of documents. On PostgreSQL, transactions of different
    /// documents therefore run at once across instances; on SQLite this is [`Storage::write`].
    /// Numbering waits for a writer that takes [`Sql::hold_all`] first ([`Storage::write`]), so
    /// such a writer must not wait for rows this transaction writes before its numbering
    /// (documents and their projections): the two would wait for each other.
    pub fn write_documents<T>(
        &self,
        f: impl FnOnce(&dyn Sql) -> ServerResult<T>,
    ) -> ServerResult<T> {
        match self {
            Storage::Sqlite { .. } => self.write(f),
            Storage::Postgres(pool) => pg_transaction(pool.get()?, "BEGIN", f),
        }
    }

    /// [`Storage::write`], or None without waiting when the embedded database's writer is busy
    /// (a bookkeeping write that may be skipped rather than queue behind pushes). On
    /// PostgreSQL, what `f` defers is sent in one message, which runs as one transaction,
    /// without `BEGIN` or the whole-database lock (one round trip, see
    /// [`pg::Conn::autocommit`]); `f` may run twice, and must not read what it writes.
    pub fn write_if_free<T>(
        &self,
        f: impl Fn(&dyn Sql) -> ServerResult<T>,
    ) -> ServerResult<Option<T>> {
        match self {
            Storage::Sqlite { writer, .. } => {
                let conn = match writer.try_lock() {
                    Ok(conn) => conn,
                    Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
                    Err(std::sync::TryLockError::WouldBlock) => return Ok(None),
                };
                in_transaction(&*conn, "BEGIN IMMEDIATE", f).map(Some)
            }
            // Without the write lock: one row's bookkeeping, under its own row lock.
            Storage::Postgres(pool) => pg::Conn::autocommit(&mut *pool.get()?, f).map(Some),
        }
    }

    /// Runs `f` in a read transaction: one consistent snapshot, not waiting for writers.
    pub fn read<T>(&self, f: impl FnOnce(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        match self {
            Storage::Sqlite { reader, .. } => in_transaction(&*locked(reader), "BEGIN", f),
            Storage::Postgres(pool) => pg_transaction(pool.get()?, PG_READ, f),
        }
    }

    /// [`Storage::read`] for a read of one statement (a token looked up on every request),
    /// which is a consistent snapshot by itself, or of several that need no common snapshot:
    /// on PostgreSQL it runs outside a transaction, one round trip a statement and none for
    /// `BEGIN` and `COMMIT` (see [`pg::Conn::autocommit`]). `f` may run twice.
    pub fn read_statement<T>(&self, f: impl Fn(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        match self {
            Storage::Sqlite { .. } => self.read(f),
            Storage::Postgres(pool) => pg::Conn::autocommit(&mut *pool.get()?, f),
        }
    }

    /// [`Storage::read`] on a connection of its own, for a long read (an export streaming its
    /// rows) that must not hold the shared reader (SQLite) or a pooled connection (PostgreSQL)
    /// that authentication and the feed wait on.
    pub fn read_alone<T>(&self, f: impl FnOnce(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        match self {
            Storage::Sqlite { path, .. } => {
                let conn = open_connection(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                in_transaction(&conn, "BEGIN", f)
            }
            Storage::Postgres(pool) => pg_transaction(pool.alone()?, PG_READ, f),
        }
    }
}
