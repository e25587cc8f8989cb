//! One way to run SQL whichever database is under it: the device's and the embedded server's
//! SQLite file, or the agency server's PostgreSQL. Code that stores documents, accounts and
//! projections is written once against [`Sql`]; each backend binds [`Value`]s and reads them back.
//!
//! SQL text is written in the subset both databases read, with numbered parameters (`?1`); a
//! backend may rewrite the text it is given (PostgreSQL's `$1`), never what it means.

use crate::error::{Error, Result};

/// A value bound to a statement or read from a row, borrowed where it can be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl Value<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }
}

/// Something that can be bound as a statement parameter.
pub trait ToValue {
    fn to_value(&self) -> Value<'_>;
}

impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        *self
    }
}
impl ToValue for i64 {
    fn to_value(&self) -> Value<'_> {
        Value::Int(*self)
    }
}
impl ToValue for i32 {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for u32 {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for usize {
    fn to_value(&self) -> Value<'_> {
        Value::Int(*self as i64)
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value<'_> {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Text(self)
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value<'_> {
        Value::Blob(self)
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value<'_> {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}

/// An owned parameter, for statements whose parameters are collected at run time (a filter).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl ToValue for Arg {
    fn to_value(&self) -> Value<'_> {
        match self {
            Arg::Null => Value::Null,
            Arg::Int(i) => Value::Int(*i),
            Arg::Real(f) => Value::Real(*f),
            Arg::Text(s) => Value::Text(s),
            Arg::Blob(b) => Value::Blob(b),
        }
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}
impl From<i64> for Arg {
    fn from(i: i64) -> Self {
        Arg::Int(i)
    }
}

/// The parameters of a statement whose parameters were collected at run time.
pub fn arg_refs(args: &[Arg]) -> Vec<&dyn ToValue> {
    args.iter().map(|a| a as &dyn ToValue).collect()
}

/// A type a column can be read as.
pub trait FromValue: Sized {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String>;
}

fn mismatch<T>(want: &str, v: Value<'_>) -> std::result::Result<T, String> {
    Err(format!("expected {want}, found {}", v.kind()))
}

impl FromValue for i64 {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i),
            v => mismatch("an integer", v),
        }
    }
}
impl FromValue for u64 {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Int(i) => u64::try_from(i).map_err(|_| format!("{i} is negative")),
            v => mismatch("an integer", v),
        }
    }
}
impl FromValue for u32 {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Int(i) => u32::try_from(i).map_err(|_| format!("{i} is out of range")),
            v => mismatch("an integer", v),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i != 0),
            v => mismatch("a boolean", v),
        }
    }
}
impl FromValue for f64 {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Real(f) => Ok(f),
            // SQLite keeps a whole REAL as an integer in expressions (sum of 2.0 and 3.0).
            Value::Int(i) => Ok(i as f64),
            v => mismatch("a number", v),
        }
    }
}
impl FromValue for String {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.to_string()),
            v => mismatch("text", v),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b.to_vec()),
            v => mismatch("a blob", v),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value<'_>) -> std::result::Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// One row of a result, read column by column (from 0).
pub trait Row {
    fn value(&self, column: usize) -> Result<Value<'_>>;
}

impl dyn Row + '_ {
    /// Column `column` read as `T`.
    pub fn get<T: FromValue>(&self, column: usize) -> Result<T> {
        T::from_value(self.value(column)?)
            .map_err(|why| Error::Database(format!("column {column}: {why}")))
    }

    /// Column `column` as text borrowed from the row (no copy).
    pub fn text(&self, column: usize) -> Result<&str> {
        match self.value(column)? {
            Value::Text(s) => Ok(s),
            v => Err(Error::Database(format!(
                "column {column}: expected text, found {}",
                v.kind()
            ))),
        }
    }

    /// Column `column` as bytes borrowed from the row (no copy).
    pub fn blob(&self, column: usize) -> Result<&[u8]> {
        match self.value(column)? {
            Value::Blob(b) => Ok(b),
            v => Err(Error::Database(format!(
                "column {column}: expected a blob, found {}",
                v.kind()
            ))),
        }
    }
}

/// A connection (inside whatever transaction its owner opened).
pub trait Sql {
    /// Runs one statement; the number of rows it changed.
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64>;
    /// Runs a query, handing each row to `each` as it arrives; `each` returning an error stops it.
    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()>;
    /// Runs statements without parameters or results (transaction control, DDL).
    fn batch(&self, sql: &str) -> Result<()>;
    /// Marks savepoint `name`: what is written after it can be undone on its own
    /// ([`Sql::rollback_to`]). A backend may send it with the next call on this connection, as
    /// the writes it separates ([`Sql::defer`]).
    fn savepoint(&self, name: &str) -> Result<()> {
        self.batch(&format!("SAVEPOINT {name}"))
    }
    /// Keeps what was written since savepoint `name`, and forgets the savepoint. A backend may
    /// send it with the next call: what it keeps is already written.
    fn release(&self, name: &str) -> Result<()> {
        self.batch(&format!("RELEASE {name}"))
    }
    /// Undoes what was written since savepoint `name`, and forgets the savepoint.
    fn rollback_to(&self, name: &str) -> Result<()> {
        self.batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))
    }
    /// Runs a statement whose result the caller does not need (a write kept in step inside a
    /// transaction). A backend may hold it and send it with the next call on this connection
    /// (PostgreSQL sends the writes a pushed document causes in one round trip), so its error,
    /// if any, may come from that next call, which is still in the same transaction.
    fn defer(&self, sql: &str, params: &[&dyn ToValue]) -> Result<()> {
        self.execute(sql, params).map(|_| ())
    }
    /// Holds each of `keys` (documents, by the key their writers agree on) until the transaction
    /// ends, against every other transaction holding one of them: all at once, in one order
    /// every writer follows, so two writers never wait for each other. A backend whose write
    /// transactions already run one at a time (SQLite) has nothing to do.
    fn hold(&self, keys: &[&str]) -> Result<()> {
        let _ = keys;
        Ok(())
    }
    /// Holds the lock every writer of the whole database takes (see [`Sql::hold`]), until the
    /// transaction ends.
    fn hold_all(&self) -> Result<()> {
        Ok(())
    }
    /// Issues the transaction's change numbers, as late in it as it can: the first of `count`
    /// consecutive numbers is bound as `?1` of the statement `number` (its own parameters from
    /// `?2` on), which gives them to what the transaction wrote. Numbers are issued so that a
    /// reader who stops below [`Sql::numbers_settled_below`] never sees one appear behind a
    /// number it has read. Here (writers that run one at a time) the query `first` with its
    /// parameters reads the first number (one row, one whole number) holding every writer
    /// ([`Sql::hold_all`]) from there to the commit. A backend whose writers run at once may
    /// issue them its own way and not run `first` (PostgreSQL numbers from the transaction's
    /// id, holding no writer: see the server's `pg` module). A backend may send all of it with
    /// the commit; the number is then known once the transaction commits.
    fn issue_numbers(
        &self,
        count: usize,
        (first, first_params): (&str, &[&dyn ToValue]),
        (number, params): (&str, &[&dyn ToValue]),
    ) -> Result<Issued> {
        let _ = count;
        self.hold_all()?;
        let value = first_number(self, first, first_params)?;
        let mut all: Vec<&dyn ToValue> = Vec::with_capacity(params.len() + 1);
        all.push(&value);
        all.extend_from_slice(params);
        self.execute(number, &all)?;
        Ok(Issued::known(value))
    }
    /// The query (one row, one whole number) of where a reader of change numbers stops: every
    /// number below it that will ever be committed is committed and seen by the statement's
    /// snapshot, so a reader that goes no further never skips one committed later
    /// ([`Sql::issue_numbers`]). None where numbers are committed in the order they are issued:
    /// every number is settled once seen. A reader may run it as part of a statement of its
    /// own, so that one snapshot serves both.
    fn settled_below_query(&self) -> Option<&'static str> {
        None
    }
    /// Where a reader of change numbers stops, read on its own ([`Sql::settled_below_query`]).
    fn numbers_settled_below(&self) -> Result<Option<i64>> {
        match self.settled_below_query() {
            Some(query) => first_number(self, query, &[]).map(Some),
            None => Ok(None),
        }
    }
}

/// The whole number in the first column of the first row `query` answers (for the trait's own
/// methods, whose `self` is no `dyn Sql` to call `value` on).
fn first_number<C: Sql + ?Sized>(conn: &C, query: &str, params: &[&dyn ToValue]) -> Result<i64> {
    let mut value = None;
    conn.each(query, params, &mut |r| {
        value = value.or(Some(r.get::<i64>(0)?));
        Ok(())
    })?;
    value.ok_or_else(|| Error::Database(format!("no row from {query}")))
}

/// A number a transaction issues ([`Sql::issue_numbers`]): known once the statements
/// that issue it have run, at the latest when the transaction has committed.
#[derive(Clone, Debug, Default)]
pub struct Issued(std::sync::Arc<std::sync::OnceLock<i64>>);

impl Issued {
    /// A number already known.
    pub fn known(value: i64) -> Issued {
        let issued = Issued::default();
        issued.set(value);
        issued
    }

    /// Records the number (a backend, once the database has issued it).
    pub fn set(&self, value: i64) {
        let _ = self.0.set(value);
    }

    /// The number, or an error while the statements that issue it have not run.
    pub fn get(&self) -> Result<i64> {
        self.0.get().copied().ok_or_else(|| {
            Error::Database("a number was read before the transaction issuing it committed".into())
        })
    }
}

/// A boxed connection runs what it holds.
impl<T: Sql + ?Sized> Sql for Box<T> {
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
        (**self).execute(sql, params)
    }
    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        (**self).each(sql, params, each)
    }
    fn batch(&self, sql: &str) -> Result<()> {
        (**self).batch(sql)
    }
    fn savepoint(&self, name: &str) -> Result<()> {
        (**self).savepoint(name)
    }
    fn release(&self, name: &str) -> Result<()> {
        (**self).release(name)
    }
    fn rollback_to(&self, name: &str) -> Result<()> {
        (**self).rollback_to(name)
    }
    fn defer(&self, sql: &str, params: &[&dyn ToValue]) -> Result<()> {
        (**self).defer(sql, params)
    }
    fn hold(&self, keys: &[&str]) -> Result<()> {
        (**self).hold(keys)
    }
    fn hold_all(&self) -> Result<()> {
        (**self).hold_all()
    }
    fn issue_numbers(
        &self,
        count: usize,
        first: (&str, &[&dyn ToValue]),
        number: (&str, &[&dyn ToValue]),
    ) -> Result<Issued> {
        (**self).issue_numbers(count, first, number)
    }
    fn settled_below_query(&self) -> Option<&'static str> {
        (**self).settled_below_query()
    }
}

/// Parameters of a statement: `args![id, seq]`.
#[macro_export]
macro_rules! args {
    () => { &[] as &[&dyn $crate::sql::ToValue] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::sql::ToValue),+] as &[&dyn $crate::sql::ToValue] };
}

impl dyn Sql + '_ {
    /// Every row, each read by `f`. `f` may fail with the caller's own error type.
    pub fn rows<T, E: From<Error>>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        mut f: impl FnMut(&dyn Row) -> std::result::Result<T, E>,
    ) -> std::result::Result<Vec<T>, E> {
        let mut out = Vec::new();
        self.for_each::<E>(sql, params, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands every row to `f` as it arrives, without collecting them; `f` may fail with the
    /// caller's own error type, which stops the query and is returned as it is.
    pub fn for_each<E: From<Error>>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        mut f: impl FnMut(&dyn Row) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let mut failed: Option<E> = None;
        let done = self.each(sql, params, &mut |r| match f(r) {
            Ok(()) => Ok(()),
            Err(e) => {
                failed = Some(e);
                Err(Error::Database("stopped by the reader".into()))
            }
        });
        match (failed, done) {
            (Some(e), _) => Err(e),
            (None, r) => Ok(r?),
        }
    }

    /// The first row read by `f`, or None.
    pub fn opt<T, E: From<Error>>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnOnce(&dyn Row) -> std::result::Result<T, E>,
    ) -> std::result::Result<Option<T>, E> {
        let mut f = Some(f);
        let mut out = None;
        let mut failed: Option<E> = None;
        let done = self.each(sql, params, &mut |r| {
            if let Some(f) = f.take() {
                match f(r) {
                    Ok(v) => out = Some(v),
                    Err(e) => {
                        failed = Some(e);
                        return Err(Error::Database("stopped by the reader".into()));
                    }
                }
            }
            Ok(())
        });
        match (failed, done) {
            (Some(e), _) => Err(e),
            (None, r) => {
                r?;
                Ok(out)
            }
        }
    }

    /// The first row read by `f`; an error if there is none.
    pub fn one<T, E: From<Error>>(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        f: impl FnOnce(&dyn Row) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        self.opt(sql, params, f)?.ok_or_else(|| {
            E::from(Error::Database(format!(
                "query returned no row: {}",
                sql.split_whitespace().collect::<Vec<_>>().join(" ")
            )))
        })
    }

    /// The first column of the one row `sql` returns, as `T`.
    pub fn value<T: FromValue>(&self, sql: &str, params: &[&dyn ToValue]) -> Result<T> {
        self.one(sql, params, |r| r.get(0))
    }
}

// ---- SQLite (rusqlite) ----

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(i),
            Value::Real(f) => ValueRef::Real(f),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

impl Row for rusqlite::Row<'_> {
    fn value(&self, column: usize) -> Result<Value<'_>> {
        use rusqlite::types::ValueRef;
        Ok(match self.get_ref(column)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Int(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(
                std::str::from_utf8(t)
                    .map_err(|e| Error::Database(format!("column {column}: {e}")))?,
            ),
            ValueRef::Blob(b) => Value::Blob(b),
        })
    }
}

fn sqlite_params<'a>(params: &'a [&dyn ToValue]) -> Vec<Value<'a>> {
    params.iter().map(|p| p.to_value()).collect()
}

impl Sql for rusqlite::Connection {
    fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
        let values = sqlite_params(params);
        let n = self
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(values.iter()))?;
        Ok(n as u64)
    }

    fn each(
        &self,
        sql: &str,
        params: &[&dyn ToValue],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let values = sqlite_params(params);
        let mut stmt = self.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values.iter()))?;
        while let Some(r) = rows.next()? {
            each(r)?;
        }
        Ok(())
    }

    fn batch(&self, sql: &str) -> Result<()> {
        Ok(self.execute_batch(sql)?)
    }
}

/// A transaction or savepoint runs what its connection runs.
macro_rules! through_connection {
    ($($t:ty),+) => {$(
        impl Sql for $t {
            fn execute(&self, sql: &str, params: &[&dyn ToValue]) -> Result<u64> {
                Sql::execute(&**self, sql, params)
            }
            fn each(
                &self,
                sql: &str,
                params: &[&dyn ToValue],
                each: &mut dyn FnMut(&dyn Row) -> Result<()>,
            ) -> Result<()> {
                Sql::each(&**self, sql, params, each)
            }
            fn batch(&self, sql: &str) -> Result<()> {
                Sql::batch(&**self, sql)
            }
        }
    )+};
}

through_connection!(rusqlite::Transaction<'_>, rusqlite::Savepoint<'_>);

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, x REAL, b BLOB)")
            .unwrap();
        c
    }

    #[test]
    fn values_round_trip_through_sqlite() {
        let conn = db();
        let c: &dyn Sql = &conn;
        let blob = vec![0u8, 1, 255];
        let none: Option<i64> = None;
        c.execute(
            "INSERT INTO t(id, n, x, b) VALUES (?1, ?2, ?3, ?4)",
            args!["a", 7i64, 2.5f64, blob],
        )
        .unwrap();
        c.execute(
            "INSERT INTO t(id, n, x, b) VALUES (?1, ?2, NULL, NULL)",
            args!["b", none],
        )
        .unwrap();
        type Stored = (String, Option<i64>, Option<f64>, Option<Vec<u8>>);
        let rows: Vec<Stored> = c
            .rows("SELECT id, n, x, b FROM t ORDER BY id", args![], |r| {
                Ok::<_, Error>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .unwrap();
        assert_eq!(
            rows,
            vec![
                ("a".into(), Some(7), Some(2.5), Some(blob)),
                ("b".into(), None, None, None)
            ]
        );
        assert_eq!(
            c.value::<i64>("SELECT count(*) FROM t", args![]).unwrap(),
            2
        );
        assert!(
            c.opt("SELECT id FROM t WHERE id = ?1", args!["z"], |r| r
                .get::<String>(0))
                .unwrap()
                .is_none()
        );
        let err = c
            .one("SELECT id FROM t WHERE id = ?1", args!["z"], |r| {
                r.get::<String>(0)
            })
            .unwrap_err();
        assert!(err.to_string().contains("no row"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_an_error_not_a_guess() {
        let conn = db();
        let c: &dyn Sql = &conn;
        c.execute("INSERT INTO t(id, n) VALUES ('a', 1)", args![])
            .unwrap();
        let err = c
            .value::<String>("SELECT n FROM t", args![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected text, found integer"), "{err}");
    }

    #[test]
    fn the_readers_own_error_stops_the_query_and_comes_back() {
        #[derive(Debug, PartialEq)]
        enum Mine {
            Enough,
            Db(String),
        }
        impl From<Error> for Mine {
            fn from(e: Error) -> Self {
                Mine::Db(e.to_string())
            }
        }
        let conn = db();
        let c: &dyn Sql = &conn;
        for i in 0..5i64 {
            c.execute(
                "INSERT INTO t(id, n) VALUES (?1, ?2)",
                args![i.to_string(), i],
            )
            .unwrap();
        }
        let mut seen = 0;
        let r = c.for_each("SELECT n FROM t ORDER BY n", args![], |_| {
            seen += 1;
            if seen == 2 { Err(Mine::Enough) } else { Ok(()) }
        });
        assert_eq!(r, Err(Mine::Enough));
        assert_eq!(seen, 2);
    }
}
