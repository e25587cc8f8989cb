//! The PostgreSQL backend: a pool of connections that run the server's one SQL text (see
//! [`quayside_core::sql`]), the numbered migrations read for PostgreSQL, and the values each
//! side binds and reads.
//!
//! Several server instances may share one database. Writers hold transaction-scoped advisory
//! locks: one per document they write ([`Sql::hold`]), taken before reading it, so a document's
//! heads are read and replaced by one writer at a time; and one for the whole database
//! ([`WRITE_LOCK`], [`Sql::hold_all`]), which other writes take at `BEGIN`. Sync does not hold
//! it to number what it stored: change numbers come from the transaction's id
//! ([`NUMBERS_PER_TRANSACTION`]), so they need no lock, and the feed stops below the oldest
//! transaction still writing (a reader never sees a number appear behind its cursor).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::error::Error as _;
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Statement};
use quayside_core::error::Error;
use quayside_core::sql::{Issued, Row, Sql, ToValue, Value};

type CoreResult<T> = quayside_core::error::Result<T>;

/// Prepared statements one connection keeps.
const STATEMENTS_KEPT: usize = 256;

/// The advisory lock every write transaction holds (an arbitrary key: "quay" in ASCII).
pub const WRITE_LOCK: i64 = 0x7175_6179;

/// The class of the advisory locks on single documents ([`Sql::hold`]): the two-key advisory
/// locks are a key space of their own, apart from [`WRITE_LOCK`]'s ("docs" in ASCII).
const DOCUMENT_LOCKS: i32 = 0x646f_6373;

/// How many change numbers one transaction may issue. A transaction's numbers are
/// `base + id * NUMBERS_PER_TRANSACTION + place`: `id` is PostgreSQL's transaction id (64 bits,
/// never reused), `place` counts from 0 in the transaction and `base` (in `meta`) puts them all
/// above every number issued before ([`settle_numbering`]). A transaction still writing is
/// among those running in a reader's snapshot, or has an id above all of them: below `base +
/// (oldest running id) * NUMBERS_PER_TRANSACTION` nothing new can appear, and the feed stops
/// there ([`Sql::numbers_settled_below`], [`SETTLED_BELOW`]). A push carries at most
/// [`quayside_core::sync::protocol::MAX_DOCS_PER_BATCH`] documents.
pub const NUMBERS_PER_TRANSACTION: i64 = 1024;
const _: () =
    assert!(quayside_core::sync::protocol::MAX_DOCS_PER_BATCH as i64 <= NUMBERS_PER_TRANSACTION);

/// The first number of the transaction ([`NUMBERS_PER_TRANSACTION`]).
const FIRST_NUMBER: &str = "SELECT coalesce(
        (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'change_number_base'), 0)
     + CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT) * 1024";

/// Below it every number that will ever be committed is ([`NUMBERS_PER_TRANSACTION`]): the
/// oldest transaction still running in this snapshot, leaving out those known to write another
/// database of the same PostgreSQL (creating or dropping one takes a while, and a write left
/// open elsewhere would hold this feed back), else the first id not yet handed out. A running
/// transaction whose database is not known any more has ended since: it counts, so a reader
/// stays below it.
const SETTLED_BELOW: &str = "SELECT coalesce(
        (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'change_number_base'), 0)
     + coalesce(
        (SELECT min(CAST(CAST(x AS TEXT) AS BIGINT))
           FROM pg_snapshot_xip(pg_current_snapshot()) AS x
          WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                             WHERE a.backend_xid = CAST(x AS xid)
                               AND a.datid <> (SELECT oid FROM pg_database
                                                WHERE datname = current_database()))),
        CAST(CAST(pg_snapshot_xmax(pg_current_snapshot()) AS TEXT) AS BIGINT)) * 1024";

/// One connection and the statements prepared on it.
pub struct Session {
    client: Client,
    statements: HashMap<String, Statement>,
    /// Deferred statements prepared on this connection by SQL `PREPARE` ([`Conn::defer`]):
    /// their shared text, the name they run by and how many parameters they take.
    deferred: HashMap<String, (String, usize)>,
    /// Names given to deferred statements so far (never twice on one connection: one
    /// forgotten by [`Session::deferred`] may still exist).
    named: u64,
    /// When a transaction last finished on it (see [`Manager::is_valid`]).
    last_used: Instant,
    /// How to connect again ([`Session::again_if_lost`]).
    manager: Manager,
}

impl Session {
    /// Runs `attempt`, which says whether it found the connection ended ([`connection_lost`]);
    /// if it did and failed, runs it once more on a new connection (prepared statements
    /// forgotten). For work that changed nothing before it failed, or may be done twice.
    fn again_if_lost<T, E: From<Error>>(
        &mut self,
        attempt: impl Fn(&mut Session) -> (Result<T, E>, bool),
    ) -> Result<T, E> {
        match attempt(self) {
            (Err(_), true) => {
                tracing::debug!(
                    "a pooled connection was ended since its last use; connecting again"
                );
                self.client = self.manager.open().map_err(pg_err)?;
                self.statements.clear();
                self.deferred.clear();
                attempt(self).0
            }
            (done, _) => done,
        }
    }
}

/// A connection used this recently is lent again without a test query (see
/// [`Manager::is_valid`]).
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// Makes and checks the pool's connections.
#[derive(Clone)]
pub struct Manager {
    config: postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
}

impl Manager {
    /// Connections as `url` describes them, TLS included (see [`crate::pg_tls`]).
    fn new(url: &str) -> CoreResult<Manager> {
        let c = crate::pg_tls::connection(url)?;
        Ok(Manager {
            config: c.config,
            tls: c.tls,
        })
    }

    /// A new connection, set up as [`literal`] needs it.
    fn open(&self) -> Result<Client, postgres::Error> {
        let mut client = self.config.connect(self.tls.clone())?;
        // Deferred writes are sent as text with their values quoted (see [`literal`]): a quote
        // is the only character special inside a string literal with this setting.
        client.batch_execute("SET standard_conforming_strings = on")?;
        Ok(client)
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = Session;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Session, postgres::Error> {
        Ok(Session {
            client: self.open()?,
            statements: HashMap::new(),
            deferred: HashMap::new(),
            named: 0,
            last_used: Instant::now(),
            manager: self.clone(),
        })
    }

    /// A connection idle for a while is tested before it is lent (PostgreSQL may have restarted
    /// or dropped it meanwhile); one that finished a transaction within [`TRUSTED_FOR`] is not:
    /// under load that test was a round trip on every request. Should it have died all the
    /// same, its transaction's `BEGIN` finds out and connects again ([`Conn::begin`]).
    fn is_valid(&self, s: &mut Session) -> Result<(), postgres::Error> {
        if s.last_used.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        s.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, s: &mut Session) -> bool {
        s.client.is_closed()
    }
}

/// How many connections one server instance keeps to PostgreSQL unless told
/// (`--database-connections`): twice the processor cores this instance sees, from 4 to 16.
/// Under load the work is the CPU's (PostgreSQL's backends, the server's threads): in four
/// rounds with two instances on two cores, 200 devices syncing at once had a p99 of
/// 0.95-1.0 s with 16 connections each, 0.70-0.84 s with 4 (BENCHMARKS.md, "200 devices at
/// once"); more backends than cores only share the same CPU and each warm its own
/// statements.
pub fn default_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    (2 * cores).clamp(4, 16)
}

/// How many long reads ([`Pool::alone`]) one instance runs at once; more wait their turn.
pub const LONG_READS: u32 = 2;

/// The connections of one server instance to its database.
pub struct Pool {
    pool: r2d2::Pool<Manager>,
    /// The connections of long reads ([`Pool::alone`]).
    long_reads: r2d2::Pool<Manager>,
    /// The URL with any password removed (for messages and metrics).
    pub shown: String,
}

/// A pooled connection, borrowed for one transaction.
pub type Pooled = r2d2::PooledConnection<Manager>;

impl Pool {
    /// Connects to `url` (`postgres://user@host:port/database`), keeping up to `connections`
    /// connections (see [`default_connections`]).
    pub fn connect(url: &str, connections: u32) -> CoreResult<Pool> {
        if connections == 0 {
            return Err(Error::Invalid(
                "a server needs at least one connection to its database".into(),
            ));
        }
        let manager = Manager::new(url)?;
        let shown = shown_url(url);
        let failed = |e| unavailable(&shown, e);
        let pool = r2d2::Pool::builder()
            .max_size(connections)
            // Connections are opened as requests need them, not all at start: several
            // instances (and their command-line tools) share PostgreSQL's connection limit.
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(10))
            .build(manager.clone())
            .map_err(failed)?;
        let long_reads = r2d2::Pool::builder()
            .max_size(LONG_READS)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(60))
            .build(manager)
            .map_err(failed)?;
        Ok(Pool {
            pool,
            long_reads,
            shown,
        })
    }

    /// A connection for a long read (an export of every seizure row, the sums of the seizures
    /// dashboard), from a pool of its own of [`LONG_READS`]: an export of 100,000 rows reads
    /// for seconds, and from the pool the devices' syncs use a few of them would hold every
    /// connection those wait for. Waits up to a minute for one to be free.
    pub fn alone(&self) -> CoreResult<Pooled> {
        self.long_reads
            .get()
            .map_err(|e| unavailable(&self.shown, e))
    }

    /// The pool's connections for requests: (open, of them idle, at most).
    pub fn state(&self) -> (u32, u32, u32) {
        let s = self.pool.state();
        (s.connections, s.idle_connections, self.pool.max_size())
    }

    /// A connection (waits up to ten seconds for one to be free or to connect).
    pub fn get(&self) -> CoreResult<Pooled> {
        self.pool.get().map_err(|e| unavailable(&self.shown, e))
    }
}

/// No connection to the database `shown` (a URL without its password) could be had.
fn unavailable(shown: &str, e: r2d2::Error) -> Error {
    Error::DatabaseUnavailable(format!("PostgreSQL at {shown}: {e}"))
}

/// `url` without its password.
pub fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(unreadable URL)".into(),
    }
}

/// Creates database `name` (letters, digits, `_`) on the PostgreSQL server `admin` connects to,
/// with the collation Quayside needs; returns its URL.
pub fn create_database(admin: &str, name: &str) -> CoreResult<String> {
    database_name(name)?;
    let mut client = admin_client(admin)?;
    client
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
        ))
        .map_err(pg_err)?;
    let mut url = url::Url::parse(admin)
        .map_err(|e| Error::Database(format!("database URL {}: {e}", shown_url(admin))))?;
    url.set_path(name);
    Ok(url.to_string())
}

/// Drops database `name` on the server `admin` connects to, ending its connections.
pub fn drop_database(admin: &str, name: &str) -> CoreResult<()> {
    database_name(name)?;
    let mut client = admin_client(admin)?;
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .map_err(pg_err)
}

/// A plain client of the server `admin` names (TLS as its URL asks).
fn admin_client(admin: &str) -> CoreResult<Client> {
    let c = crate::pg_tls::connection(admin)?;
    c.config.connect(c.tls).map_err(pg_err)
}

fn database_name(name: &str) -> CoreResult<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Error::Invalid(format!(
            "{name:?} is not a database name of lower-case letters, digits and _"
        )));
    }
    Ok(())
}

/// One connection of its own, outside any pool, each statement its own transaction unless
/// the caller begins one (tools and tests that read or write a database directly).
pub struct Standalone(RefCell<Session>);

impl Standalone {
    pub fn connect(url: &str) -> CoreResult<Standalone> {
        let session = r2d2::ManageConnection::connect(&Manager::new(url)?).map_err(pg_err)?;
        Ok(Standalone(RefCell::new(session)))
    }
}

/// Nothing is deferred: each call runs on its own.
impl Sql for Standalone {
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> CoreResult<u64> {
        Conn::new(&mut self.0.borrow_mut()).execute(sql, params)
    }
    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        each: &mut dyn FnMut(&dyn Row) -> CoreResult<()>,
    ) -> CoreResult<()> {
        Conn::new(&mut self.0.borrow_mut()).each(sql, params, each)
    }
    fn batch(&self, sql: &str) -> CoreResult<()> {
        Conn::new(&mut self.0.borrow_mut()).batch(sql)
    }
}

/// A pooled connection seen through [`Sql`], with the writes deferred until its next call.
pub struct Conn<'a> {
    session: RefCell<&'a mut Session>,
    /// Deferred statements, values written in, sent before anything else on this connection.
    pending: RefCell<String>,
    /// Deferred statements new to the connection, prepared just before the deferred text is
    /// sent ([`Conn::defer_with`]).
    preparing: RefCell<Vec<Preparing>>,
    /// Numbers the deferred statements issue ([`Sql::issue_numbers`]), each read from the one
    /// result column of that name when they are sent.
    issuing: RefCell<Vec<(String, Issued)>>,
    /// Whether this transaction has issued its numbers (once: they come from its id).
    numbered: Cell<bool>,
    /// The savepoints still among the deferred statements, innermost last, each with how much
    /// was deferred before it (text, numbers issued): undoing to one of them is forgetting
    /// what follows it, without a word to PostgreSQL.
    unsent_savepoints: RefCell<Vec<(String, usize, usize)>>,
    /// A call found the connection gone ([`connection_lost`]).
    lost: Cell<bool>,
}

impl<'a> Conn<'a> {
    pub fn new(session: &'a mut Session) -> Conn<'a> {
        Conn {
            session: RefCell::new(session),
            pending: RefCell::new(String::new()),
            preparing: RefCell::new(Vec::new()),
            issuing: RefCell::new(Vec::new()),
            numbered: Cell::new(false),
            unsent_savepoints: RefCell::new(Vec::new()),
            lost: Cell::new(false),
        }
    }

    /// Starts a transaction on `session` with `begin`, sent at once. A connection lent without a
    /// test ([`Manager::is_valid`]) may have been ended since its last use (PostgreSQL
    /// restarted, or an administrator ended its sessions): should `begin` fail, nothing has been
    /// done on it (a transaction there ends with it), so `begin` is sent once more on a new
    /// connection, and a restart of the database costs no request.
    /// Any other failure (a lock wait cut short by a timeout, say) is the request's.
    pub fn begin(session: &'a mut Session, begin: &str) -> CoreResult<Conn<'a>> {
        session.again_if_lost(|s| match s.client.batch_execute(begin) {
            Ok(()) => (Ok(()), false),
            Err(e) => {
                let lost = connection_lost(&e);
                (Err(pg_err(e)), lost)
            }
        })?;
        Ok(Conn::new(session))
    }

    /// Runs `f` on `session` outside any transaction: each statement it runs is its own
    /// snapshot and commits on its own, and what it defers is sent at the end in one message,
    /// which PostgreSQL runs as one transaction. A read of one statement then costs one round
    /// trip where a transaction costs three (`BEGIN`, the statement, `COMMIT`); statements of
    /// `f` share no snapshot. Should the connection turn out ended, as [`Conn::begin`] finds out
    /// at `BEGIN`, `f` runs once more on a new one: it must be safe to run twice (a read, or a
    /// write that sets what it sets whether or not it ran before).
    pub fn autocommit<T, E: From<Error>>(
        session: &mut Session,
        f: impl Fn(&dyn Sql) -> Result<T, E>,
    ) -> Result<T, E> {
        session.again_if_lost(|session| {
            let c = Conn::new(session);
            let done = f(&c).and_then(|v| Ok(c.flush().map(|()| v)?));
            (done, c.lost.get())
        })
    }

    /// [`pg_err`], noting whether the connection is gone.
    fn failed(&self, e: postgres::Error) -> Error {
        if connection_lost(&e) {
            self.lost.set(true);
        }
        pg_err(e)
    }

    /// Appends `statement` to what is deferred. Savepoints and their releases go there too: a
    /// push of five new documents that reads nothing between them is then a few round trips
    /// (the locks with the index rows, everything else with the commit), not several for each
    /// document.
    fn push(&self, statement: &str) {
        let mut pending = self.pending.borrow_mut();
        pending.push_str(statement);
        pending.push_str(";\n");
    }

    /// Sends the deferred statements (one round trip), so what follows sees them.
    fn flush(&self) -> CoreResult<()> {
        self.batch("")
    }

    /// Defers `sql` run with `args` (SQL expressions, one for each of its parameters `?1`,
    /// `?2`, ... in order): as `EXECUTE` of a statement prepared on this connection, so that
    /// PostgreSQL parses and analyses it once per connection instead of on every run (and, as
    /// for any prepared statement, plans it once when a generic plan serves). The first time,
    /// it is prepared when the deferred text is sent, just before it, in a message of its own
    /// with any others new in that text: PostgreSQL keeps the whole text a statement was
    /// prepared from, which for a `PREPARE` among the deferred writes would be all of them,
    /// values included. A statement whose parameters are not numbered 1 to `args.len()` is
    /// written out with its arguments in place, as are all statements once [`STATEMENTS_KEPT`]
    /// are prepared.
    fn defer_with(&self, sql: &str, args: &[String]) -> CoreResult<()> {
        let mut session = self.session.try_borrow_mut().map_err(|_| busy())?;
        let mut preparing = self.preparing.borrow_mut();
        let known = session.deferred.get(sql).cloned().or_else(|| {
            preparing
                .iter()
                .find(|p| p.sql == sql)
                .map(|p| (p.name.clone(), p.parameters))
        });
        let name = match known {
            Some((name, parameters)) if parameters == args.len() => name,
            Some(_) => return Err(Error::Database(format!("parameters of {sql}"))),
            None if session.deferred.len() + preparing.len() < STATEMENTS_KEPT
                && numbered_in_order(sql, args.len())? =>
            {
                session.named += 1;
                let name = format!("quayside_{}", session.named);
                preparing.push(Preparing {
                    sql: sql.to_string(),
                    name: name.clone(),
                    parameters: args.len(),
                });
                name
            }
            None => {
                let text = rewrite(sql, |out, n| {
                    let arg = args
                        .get(n.wrapping_sub(1))
                        .ok_or_else(|| Error::Database(format!("no parameter ?{n} given")))?;
                    out.push_str(arg);
                    Ok(())
                })?;
                self.push(&text);
                return Ok(());
            }
        };
        let mut text = format!("EXECUTE {name}");
        if !args.is_empty() {
            text.push('(');
            text.push_str(&args.join(", "));
            text.push(')');
        }
        self.push(&text);
        Ok(())
    }
}

/// A deferred statement to prepare before the deferred text is sent ([`Conn::defer_with`]).
struct Preparing {
    sql: String,
    name: String,
    parameters: usize,
}

/// Whether the parameters `sql` uses are exactly `?1` to `?count` (a statement prepared with a
/// parameter it never uses could not tell that parameter's type).
fn numbered_in_order(sql: &str, count: usize) -> CoreResult<bool> {
    let mut used = vec![false; count];
    let mut beyond = false;
    rewrite(sql, |_, n| {
        match n.checked_sub(1).and_then(|i| used.get_mut(i)) {
            Some(u) => *u = true,
            None => beyond = true,
        }
        Ok(())
    })?;
    if beyond {
        return Err(Error::Database(format!(
            "{sql} uses a parameter beyond the {count} given"
        )));
    }
    Ok(used.iter().all(|u| *u))
}

/// The connection goes back to the pool having just been used (see [`Manager::is_valid`]).
impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Ok(mut s) = self.session.try_borrow_mut() {
            s.last_used = Instant::now();
        }
    }
}

fn pg_err(e: postgres::Error) -> Error {
    let detail = match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => match e.source() {
            Some(s) => format!("{e}: {s}"),
            None => e.to_string(),
        },
    };
    // A deadlock PostgreSQL broke by ending this transaction (two writers each holding what
    // the other waits for, see `Storage::write_documents`), like a lost connection, is over
    // once the other commits: the device retries.
    let transient = e.code().is_some_and(|c| {
        *c == SqlState::T_R_DEADLOCK_DETECTED || *c == SqlState::T_R_SERIALIZATION_FAILURE
    });
    if e.as_db_error().is_none() || e.is_closed() || transient {
        Error::DatabaseUnavailable(format!("PostgreSQL: {detail}"))
    } else {
        Error::Database(format!("PostgreSQL: {detail}"))
    }
}

/// Whether `e` says the connection is gone: closed, broken (an error of the socket, not of
/// PostgreSQL), or ended by PostgreSQL (a `FATAL` error: the server shutting down, an
/// administrator ending the session; or a connection exception, class 08).
fn connection_lost(e: &postgres::Error) -> bool {
    match e.as_db_error() {
        None => true,
        Some(db) => {
            use postgres::error::Severity;
            matches!(
                db.parsed_severity(),
                Some(Severity::Fatal | Severity::Panic)
            ) || db.code().code().starts_with("08")
        }
    }
}

fn busy() -> Error {
    Error::Database(
        "a query was started while another was still being read on the same connection".into(),
    )
}

impl Conn<'_> {
    fn statement(&self, sql: &str) -> CoreResult<Statement> {
        self.flush()?;
        let mut s = self.session.try_borrow_mut().map_err(|_| busy())?;
        if let Some(st) = s.statements.get(sql) {
            return Ok(st.clone());
        }
        let st = s
            .client
            .prepare(&to_postgres(sql))
            .map_err(|e| self.failed(e))?;
        if s.statements.len() >= STATEMENTS_KEPT {
            // Filters make statements of many shapes: keep the cache (and the server's memory
            // for it) bounded, as SQLite's statement cache is.
            s.statements.clear();
        }
        s.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

impl Sql for Conn<'_> {
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> CoreResult<u64> {
        let st = self.statement(sql)?;
        let args = pg_args(params);
        let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a as _).collect();
        let mut s = self.session.try_borrow_mut().map_err(|_| busy())?;
        s.client.execute(&st, &refs).map_err(|e| self.failed(e))
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        each: &mut dyn FnMut(&dyn Row) -> CoreResult<()>,
    ) -> CoreResult<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let st = self.statement(sql)?;
        let args = pg_args(params);
        let mut s = self.session.try_borrow_mut().map_err(|_| busy())?;
        let mut rows = s
            .client
            .query_raw(&st, args.iter().map(|a| a as &dyn ToSql))
            .map_err(|e| self.failed(e))?;
        while let Some(row) = rows.next().map_err(|e| self.failed(e))? {
            each(&PgRow(row))?;
        }
        Ok(())
    }

    fn batch(&self, sql: &str) -> CoreResult<()> {
        let mut text = std::mem::take(&mut *self.pending.borrow_mut());
        let mut issuing = std::mem::take(&mut *self.issuing.borrow_mut());
        let mut preparing = std::mem::take(&mut *self.preparing.borrow_mut());
        // Every savepoint deferred is sent now (or, by a rollback, forgotten).
        self.unsent_savepoints.borrow_mut().clear();
        if sql.trim_start().starts_with("ROLLBACK") {
            // Deferred writes are undone by a rollback: all of them were made in the
            // transaction, or after the savepoint rolled back to (which was sent before them,
            // see `rollback_to`).
            text.clear();
            issuing.clear();
            preparing.clear();
        }
        text.push_str(sql);
        if text.is_empty() {
            return Ok(());
        }
        let mut s = self.session.try_borrow_mut().map_err(|_| busy())?;
        if !preparing.is_empty() {
            // A prepared statement outlives the transaction, whatever becomes of it.
            let prepare: String = preparing
                .iter()
                .map(|p| format!("PREPARE {} AS {};\n", p.name, to_postgres(&p.sql)))
                .collect();
            s.client
                .batch_execute(&prepare)
                .map_err(|e| self.failed(e))?;
            for p in preparing {
                s.deferred.insert(p.sql, (p.name, p.parameters));
            }
        }
        let messages = if issuing.is_empty() {
            s.client.batch_execute(&text).map(|()| Vec::new())
        } else {
            s.client.simple_query(&text)
        }
        .map_err(|e| {
            if e.code() == Some(&SqlState::INVALID_SQL_STATEMENT_NAME) {
                // Something deallocated what this connection prepared (`DISCARD ALL`, say):
                // prepared again from the next transaction on.
                s.deferred.clear();
            }
            self.failed(e)
        })?;
        for message in messages {
            if let postgres::SimpleQueryMessage::Row(row) = message {
                let name = row.columns().first().map(|c| c.name());
                if let Some((_, issued)) = issuing.iter().find(|(n, _)| Some(n.as_str()) == name) {
                    let value = row.get(0).and_then(|v| v.parse().ok()).ok_or_else(|| {
                        Error::Database("a number issued was not a whole number".into())
                    })?;
                    issued.set(value);
                }
            }
        }
        Ok(())
    }

    /// Deferred, as the writes it separates.
    fn savepoint(&self, name: &str) -> CoreResult<()> {
        let before = (self.pending.borrow().len(), self.issuing.borrow().len());
        self.push(&format!("SAVEPOINT {name}"));
        self.unsent_savepoints
            .borrow_mut()
            .push((name.to_string(), before.0, before.1));
        Ok(())
    }

    /// Deferred, as the writes it keeps. As in PostgreSQL, the savepoints made after `name` go
    /// with it.
    fn release(&self, name: &str) -> CoreResult<()> {
        let mut unsent = self.unsent_savepoints.borrow_mut();
        match unsent.iter().rposition(|(n, ..)| n == name) {
            Some(at) => unsent.truncate(at),
            // Sent before every savepoint still deferred.
            None => unsent.clear(),
        }
        drop(unsent);
        self.push(&format!("RELEASE {name}"));
        Ok(())
    }

    fn rollback_to(&self, name: &str) -> CoreResult<()> {
        let mut unsent = self.unsent_savepoints.borrow_mut();
        if let Some(at) = unsent.iter().rposition(|(n, ..)| n == name) {
            // Nothing since the savepoint reached PostgreSQL: forgetting it, and all that was
            // deferred after it, undoes it all.
            let (text, issuing) = (unsent[at].1, unsent[at].2);
            unsent.truncate(at);
            self.pending.borrow_mut().truncate(text);
            self.issuing.borrow_mut().truncate(issuing);
            return Ok(());
        }
        drop(unsent);
        self.batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))
    }

    /// Deferred, sent before the next statement reads anything: one round trip for the locks
    /// and what follows. The locks are taken in the order of their hashes, the same in every
    /// transaction (two keys of one hash share a lock).
    fn hold(&self, keys: &[&str]) -> CoreResult<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let list =
            serde_json::to_string(keys).map_err(|e| Error::Database(format!("lock keys: {e}")))?;
        self.defer(
            &format!(
                "SELECT pg_advisory_xact_lock({DOCUMENT_LOCKS}, h) FROM
                 (SELECT DISTINCT hashtext(k) AS h FROM json_array_elements_text(?1::text::json) k ORDER BY h) s"
            ),
            &[&list as &dyn ToValue],
        )
    }

    fn hold_all(&self) -> CoreResult<()> {
        self.batch(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
    }

    /// Deferred, to be sent with the commit (or whatever comes next): the whole-database lock
    /// shared, the first number (from this transaction's id, see [`NUMBERS_PER_TRANSACTION`])
    /// read into a setting of this transaction and `number` reading it from there; `first` is
    /// not run. Writers of documents do not wait for each other to number: held in turn up to
    /// each commit, one lock queued every push behind the one before (BENCHMARKS.md, "200
    /// devices at once"). The shared lock only keeps the numbering's base from moving while a
    /// transaction numbers ([`settle_numbering`]).
    fn issue_numbers(
        &self,
        count: usize,
        _first: (&str, &[&dyn ToValue]),
        (number, params): (&str, &[&dyn ToValue]),
    ) -> CoreResult<Issued> {
        if count as i64 > NUMBERS_PER_TRANSACTION {
            return Err(Error::Database(format!(
                "{count} change numbers in one transaction; at most {NUMBERS_PER_TRANSACTION}"
            )));
        }
        if self.numbered.replace(true) {
            return Err(Error::Database(
                "change numbers were issued twice in one transaction".into(),
            ));
        }
        let name = "quayside_issued";
        let setting = "quayside.issued";
        self.defer_with(
            &format!("SELECT pg_advisory_xact_lock_shared({WRITE_LOCK})"),
            &[],
        )?;
        self.defer_with(
            &format!("SELECT set_config('{setting}', ({FIRST_NUMBER})::text, true) AS {name}"),
            &[],
        )?;
        // `?1` is the number, read back from the setting; the statement's own values follow.
        let mut args = vec![format!("CAST(current_setting('{setting}') AS BIGINT)")];
        args.extend(params.iter().map(|p| literal_text(p.to_value())));
        self.defer_with(number, &args)?;
        let issued = Issued::default();
        self.issuing
            .borrow_mut()
            .push((name.to_string(), issued.clone()));
        Ok(issued)
    }

    /// The numbers of every transaction older than the oldest still writing: those are all
    /// committed or rolled back, and every later one is numbered above them.
    fn settled_below_query(&self) -> Option<&'static str> {
        Some(SETTLED_BELOW)
    }

    fn defer(&self, sql: &str, params: &[&dyn ToValue]) -> CoreResult<()> {
        let args: Vec<String> = params.iter().map(|p| literal_text(p.to_value())).collect();
        self.defer_with(sql, &args)
    }
}

/// `v` as a literal ([`literal`]).
fn literal_text(v: Value<'_>) -> String {
    let mut out = String::new();
    literal(v, &mut out);
    out
}

/// `sql` as PostgreSQL reads it: `$1` for `?1`, and the few SQLite spellings the shared text
/// uses: `json_each(?1)` over a JSON list, and `INDEXED BY` hints (dropped).
pub fn to_postgres(sql: &str) -> String {
    rewrite(sql, |out, n| {
        out.push('$');
        out.push_str(&n.to_string());
        Ok(())
    })
    .expect("writing a parameter's number cannot fail")
}

/// A value written into SQL text: numbers as numbers, text quoted (quotes doubled; the session
/// has `standard_conforming_strings` on), bytes decoded from hex. What the shared SQL binds is
/// typed by its context (a column, a comparison), as a bound parameter would be.
fn literal(v: Value<'_>, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::Null => out.push_str("NULL"),
        Value::Int(i) => {
            let _ = write!(out, "({i})");
        }
        Value::Real(f) if f.is_finite() => {
            let _ = write!(out, "CAST({f:?} AS DOUBLE PRECISION)");
        }
        Value::Real(f) => {
            let word = if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            };
            let _ = write!(out, "CAST('{word}' AS DOUBLE PRECISION)");
        }
        Value::Text(t) => {
            out.push('\'');
            out.push_str(&t.replace('\'', "''"));
            out.push('\'');
        }
        Value::Blob(b) => {
            let _ = write!(out, "decode('{}', 'hex')", hex::encode(b));
        }
    }
}

/// `sql` with PostgreSQL's spellings (see [`to_postgres`]), each numbered parameter written by
/// `param` (its number, from 1).
fn rewrite(
    sql: &str,
    mut param: impl FnMut(&mut String, usize) -> CoreResult<()>,
) -> CoreResult<String> {
    let mut out = String::with_capacity(sql.len() + 16);
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' {
            // A string literal, copied as it is ('' is a quote inside it).
            let start = i;
            i += 1;
            while i < bytes.len() {
                if bytes[i] == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            out.push_str(&sql[start..i]);
            continue;
        }
        if c == b'?' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let start = i + 1;
            i = start;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let n: usize = sql[start..i]
                .parse()
                .map_err(|_| Error::Database(format!("parameter ?{}", &sql[start..i])))?;
            param(&mut out, n)?;
            continue;
        }
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if word_start && sql[i..].starts_with("json_each(") {
            out.push_str("quayside_list(");
            i += "json_each(".len();
            continue;
        }
        if word_start && sql[i..].starts_with("INDEXED BY ") {
            i += "INDEXED BY ".len();
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            continue;
        }
        let ch = sql[i..].chars().next().expect("a character");
        out.push(ch);
        i += ch.len_utf8();
    }
    Ok(out)
}

/// A migration written for SQLite, as PostgreSQL runs it: its types named as PostgreSQL names
/// them, and the statements marked `-- embedded only` (data fixes that only an old SQLite
/// database can need) left out.
pub fn migration_to_postgres(sql: &str) -> String {
    let mut out = Vec::new();
    for statement in sql.split_inclusive(';') {
        if statement.contains("-- embedded only") {
            continue;
        }
        let mut s = statement.replace("WITHOUT ROWID", "");
        s = s.replace(
            "INTEGER PRIMARY KEY",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        );
        s = replace_word(&s, "INTEGER", "BIGINT");
        s = replace_word(&s, "REAL", "DOUBLE PRECISION");
        s = replace_word(&s, "BLOB", "BYTEA");
        out.push(s);
    }
    out.concat()
}

fn replace_word(s: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        out.push_str(&rest[..at]);
        if before.is_some_and(ident) || after.is_some_and(ident) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// What the shared SQL needs that PostgreSQL lacks: `quayside_list(json)`, the elements of a
/// JSON list of strings (SQLite's `json_each`).
const SUPPORT: &str = "
CREATE OR REPLACE FUNCTION quayside_list(list TEXT) RETURNS TABLE(value TEXT)
    LANGUAGE sql IMMUTABLE AS $$ SELECT json_array_elements_text(list::json) $$;
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
";

/// Refreshes the planner's table statistics when PostgreSQL does not keep them itself: with
/// autovacuum off nothing runs ANALYZE, and without statistics the feed every sync starts with
/// (`seq > cursor`) is planned as a full scan that grows with the records (BENCHMARKS.md,
/// Growth). At start (`every`: true) every table; then, called every minute, the tables changed
/// since their last statistics by more than autovacuum itself would wait for
/// (`autovacuum_analyze_threshold` rows plus `autovacuum_analyze_scale_factor` of the table).
/// Returns whether autovacuum is off (whether this server looks after the statistics).
pub fn analyze_if_unattended(pool: &Pool, every: bool) -> CoreResult<bool> {
    let mut session = pool.get()?;
    let conn = Conn::new(&mut session);
    let c: &dyn Sql = &conn;
    let autovacuum: String = c.value("SHOW autovacuum", quayside_core::args![])?;
    if autovacuum == "on" {
        return Ok(false);
    }
    if every {
        c.batch("ANALYZE")?;
        return Ok(true);
    }
    let changed: Vec<String> = c.rows(
        "SELECT quote_ident(s.relname) FROM pg_stat_user_tables s JOIN pg_class t ON t.oid = s.relid
         WHERE s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8
             + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(t.reltuples, 0)",
        quayside_core::args![],
        |r| r.get(0),
    )?;
    if !changed.is_empty() {
        c.batch(&format!("ANALYZE {}", changed.join(", ")))?;
    }
    Ok(true)
}

/// Brings the database to the newest of `migrations` (each in its own transaction, under the
/// write lock, so instances starting together apply each once). Refuses a database whose
/// collation would order text differently from SQLite (times are kept as ISO 8601 text).
pub fn migrate(pool: &Pool, migrations: &[(&str, &str)]) -> CoreResult<usize> {
    let mut session = pool.get()?;
    let conn = Conn::new(&mut session);
    let c: &dyn Sql = &conn;
    let collation: String = c.value(
        "SELECT datcollate::text FROM pg_database WHERE datname = current_database()",
        quayside_core::args![],
    )?;
    if collation != "C" && collation != "POSIX" {
        return Err(Error::Database(format!(
            "the database at {} sorts text by the {collation:?} collation; Quayside needs byte order (create it with: CREATE DATABASE name TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C')",
            pool.shown
        )));
    }
    c.batch(&format!(
        "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK}); {SUPPORT} COMMIT;"
    ))?;
    let mut applied = 0;
    for (index, (name, sql)) in migrations.iter().enumerate() {
        let version = index as i64 + 1;
        c.batch(&format!(
            "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK});"
        ))?;
        let done = c
            .opt(
                "SELECT 1 FROM schema_migrations WHERE version = ?1",
                quayside_core::args![version],
                |r| r.get::<i64>(0),
            )
            .and_then(|found| {
                if found.is_none() {
                    c.batch(&migration_to_postgres(sql))?;
                    c.execute(
                        "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, ?3)",
                        quayside_core::args![version, *name, crate::db::now()],
                    )?;
                    applied += 1;
                }
                Ok(())
            });
        match done {
            Ok(()) => c.batch("COMMIT")?,
            Err(e) => {
                let _ = c.batch("ROLLBACK");
                return Err(Error::Database(format!("migration {name}: {e}")));
            }
        }
    }
    let newest: Option<i64> = c.value(
        "SELECT max(version) FROM schema_migrations",
        quayside_core::args![],
    )?;
    if newest.unwrap_or(0) as usize > migrations.len() {
        return Err(Error::Store(format!(
            "this database has schema {}, newer than this version of Quayside understands ({}); update Quayside",
            newest.unwrap_or(0),
            migrations.len()
        )));
    }
    Ok(applied)
}

/// Raises the base of change numbers ([`NUMBERS_PER_TRANSACTION`]) so that every transaction
/// from now on numbers above every number already stored (moved here by `migrate`, or issued
/// before an upgrade) and above the time in microseconds, as the embedded server numbers: a
/// database restored from an older backup then still numbers new changes above every feed
/// cursor handed out before (devices would otherwise skip them). Run at every start and after
/// `migrate`, holding the whole-database lock: no transaction numbers meanwhile, and one that
/// numbered before read the old base and has committed. Until it first runs the base is 0.
pub fn settle_numbering(c: &dyn Sql) -> CoreResult<()> {
    let now = chrono::Utc::now().timestamp_micros();
    c.batch(&format!(
        "BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK});
         INSERT INTO meta(key, value) VALUES ('change_number_base', '0') ON CONFLICT (key) DO NOTHING;
         UPDATE meta SET value = CAST(greatest(
                CAST(value AS BIGINT),
                greatest((SELECT coalesce(max(seq), 0) + 1 FROM doc_index), {now})
                  - CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT) * {NUMBERS_PER_TRANSACTION}
             ) AS TEXT)
          WHERE key = 'change_number_base';
         COMMIT;"
    ))
}

// ---- values ----

/// A [`Value`] bound as whatever type PostgreSQL inferred for its parameter.
#[derive(Debug)]
struct PgArg<'a>(Value<'a>);

fn pg_args<'a>(params: &'a [&dyn ToValue]) -> Vec<PgArg<'a>> {
    params.iter().map(|p| PgArg(p.to_value())).collect()
}

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl ToSql for PgArg<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        let wrong =
            || -> BoxError { format!("cannot bind {:?} as a PostgreSQL {ty}", self.0).into() };
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
                Type::FLOAT8 => (i as f64).to_sql(ty, out),
                Type::FLOAT4 => (i as f32).to_sql(ty, out),
                Type::BOOL => (i != 0).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => i.to_string().to_sql(ty, out),
                _ => Err(wrong()),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (f as f32).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR | Type::UNKNOWN => f.to_string().to_sql(ty, out),
                _ => Err(wrong()),
            },
            Value::Text(s) => match *ty {
                Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                    s.to_sql(ty, out)
                }
                Type::JSON => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => Err(wrong()),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.to_sql(ty, out),
                _ => Err(wrong()),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A column read as the [`Value`] it holds, whatever its PostgreSQL type.
struct PgValue<'a>(Value<'a>);

impl<'a> FromSql<'a> for PgValue<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Ok(PgValue(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::JSON => {
                Value::Text(<&str>::from_sql(ty, raw)?)
            }
            _ => return Err(format!("PostgreSQL type {ty} is not read by Quayside").into()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(PgValue(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A NUMERIC (what PostgreSQL's `sum` of integers gives) as an integer when it is whole and
/// fits, else as a float. Binary form: digit count, weight, sign, scale, then base-10000 digits.
fn numeric(raw: &[u8]) -> Result<Value<'static>, BoxError> {
    let word = |i: usize| -> Result<u16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "short NUMERIC".into())
    };
    let ndigits = word(0)? as usize;
    let weight = word(1)? as i16 as i32;
    let sign = word(2)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let mut whole: i128 = 0;
    let mut real = 0f64;
    let mut fractional = false;
    for d in 0..ndigits {
        let digit = word(4 + d)?;
        let power = weight - d as i32;
        real += f64::from(digit) * 10000f64.powi(power);
        if power < 0 {
            fractional |= digit != 0;
        } else {
            whole = whole * 10000 + i128::from(digit);
        }
    }
    if !fractional {
        // Trailing zero groups left out of the digits.
        let last = weight - ndigits as i32 + 1;
        for _ in 0..last.max(0) {
            whole *= 10000;
        }
    }
    let negative = sign == 0x4000;
    if !fractional && let Ok(i) = i64::try_from(if negative { -whole } else { whole }) {
        return Ok(Value::Int(i));
    }
    Ok(Value::Real(if negative { -real } else { real }))
}

struct PgRow(postgres::Row);

impl Row for PgRow {
    fn value(&self, column: usize) -> CoreResult<Value<'_>> {
        self.0
            .try_get::<_, PgValue<'_>>(column)
            .map(|v| v.0)
            .map_err(|e| Error::Database(format!("column {column}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_and_sqlite_spellings_become_postgres() {
        assert_eq!(
            to_postgres(
                "SELECT a FROM t INDEXED BY t_by_x WHERE x IN (SELECT value FROM json_each(?12)) AND y = '?1 json_each(' AND z = ?2"
            ),
            "SELECT a FROM t  WHERE x IN (SELECT value FROM quayside_list($12)) AND y = '?1 json_each(' AND z = $2"
        );
        assert_eq!(
            to_postgres("SELECT 'it''s ?1', ?1"),
            "SELECT 'it''s ?1', $1"
        );
        assert_eq!(
            to_postgres("SELECT my_json_each(?1)"),
            "SELECT my_json_each($1)"
        );
    }

    #[test]
    fn deferred_values_are_written_in_as_literals() {
        let blob = [0u8, 0xff];
        let text = rewrite(
            "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6, '?1') ON CONFLICT DO NOTHING",
            |out, n| {
                let v = [
                    Value::Int(-5),
                    Value::Real(0.25),
                    Value::Text("it's; -- x"),
                    Value::Blob(&blob),
                    Value::Null,
                    Value::Real(f64::NAN),
                ][n - 1];
                literal(v, out);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            text,
            "INSERT INTO t VALUES ((-5), CAST(0.25 AS DOUBLE PRECISION), 'it''s; -- x', decode('00ff', 'hex'), NULL, CAST('NaN' AS DOUBLE PRECISION), '?1') ON CONFLICT DO NOTHING"
        );
    }

    #[test]
    fn migrations_name_postgres_types() {
        let sql = "CREATE TABLE users (\n id INTEGER PRIMARY KEY,\n n INTEGER NOT NULL, real_kg REAL, b BLOB\n) WITHOUT ROWID;\n-- embedded only\nINSERT OR IGNORE INTO x SELECT strftime('%s');\nCREATE INDEX i ON users(n);";
        let pg = migration_to_postgres(sql);
        assert!(pg.contains("id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
        assert!(pg.contains("n BIGINT NOT NULL, real_kg DOUBLE PRECISION, b BYTEA"));
        assert!(!pg.contains("ROWID") && !pg.contains("strftime"), "{pg}");
        assert!(pg.contains("CREATE INDEX i ON users(n);"));
    }

    #[test]
    fn numerics_read_as_integers_when_whole() {
        // 12345678 = 1234 5678 (weight 1); 20000 = 2 (weight 1, one digit); -1.5 = 1 . 5000
        let enc = |digits: &[u16], weight: i16, sign: u16| {
            let mut v = Vec::new();
            for w in [digits.len() as u16, weight as u16, sign, 0] {
                v.extend_from_slice(&w.to_be_bytes());
            }
            for d in digits {
                v.extend_from_slice(&d.to_be_bytes());
            }
            v
        };
        assert_eq!(
            numeric(&enc(&[1234, 5678], 1, 0)).unwrap(),
            Value::Int(12_345_678)
        );
        assert_eq!(numeric(&enc(&[2], 1, 0)).unwrap(), Value::Int(20_000));
        assert_eq!(numeric(&enc(&[], 0, 0)).unwrap(), Value::Int(0));
        assert_eq!(
            numeric(&enc(&[1, 5000], 0, 0x4000)).unwrap(),
            Value::Real(-1.5)
        );
    }
}
