//! Every old server schema upgrades to the current one, keeping its data: on the embedded
//! database, and on PostgreSQL when `QUAYSIDE_TEST_POSTGRES` names a server.

use quayside_core::args;
use quayside_core::sql::Sql;
use quayside_core::store::migrations;
use quayside_server::db::{DB_FILE, Db, MIGRATIONS};
use quayside_server::storage::Storage;

mod common;

/// A station, a user of it and one indexed document, written into a schema of any version.
fn old_records(c: &dyn Sql) {
    c.batch("INSERT INTO stations VALUES ('GHTEM', 'GH', 'Tema')")
        .unwrap();
    c.batch(
        "INSERT INTO users(id, name, role, created_at) VALUES (1, 'ama', 'officer', '2026-01-01')",
    )
    .unwrap();
    c.batch("INSERT INTO user_stations VALUES (1, 'GHTEM')")
        .unwrap();
    c.execute(
        "INSERT INTO documents(id, kind, snapshot, heads, updated_at) VALUES ('d1', 'inspection', ?1, '[]', '2026-01-01')",
        args![vec![0u8]],
    )
    .unwrap();
    c.batch(
        "INSERT INTO doc_index(id, kind, station, seq) VALUES ('d1', 'inspection', 'GHTEM', 7)",
    )
    .unwrap();
}

/// The upgraded server holds the old records and works: enrolment, the feed.
fn still_serves(db: &Db, version: usize) {
    assert_eq!(db.users().unwrap()[0].stations, vec!["GHTEM".to_string()]);
    assert_eq!(db.document_count().unwrap(), 1);
    let who = common::enrolled_phone(db, "ama");
    let feed = db.feed(&who, 0, 100).unwrap();
    assert_eq!(feed.entries.len(), 1, "from v{version}");
    assert_eq!(feed.cursor, 7);
}

fn schema(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    conn.prepare("SELECT name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn page_size(dir: &std::path::Path) -> i64 {
    rusqlite::Connection::open(dir.join(DB_FILE))
        .unwrap()
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn every_old_schema_upgrades_keeping_accounts_and_documents() {
    let fresh = tempfile::tempdir().unwrap();
    Db::open(fresh.path()).unwrap();
    assert_eq!(
        page_size(fresh.path()),
        quayside_server::storage::PAGE_SIZE,
        "a new database gets the server's page size"
    );
    let want = schema(&rusqlite::Connection::open(fresh.path().join(DB_FILE)).unwrap());
    for version in 1..MIGRATIONS.len() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        migrations::apply(&mut conn, MIGRATIONS, version).unwrap();
        old_records(&conn);
        drop(conn);
        let db = Db::open(dir.path()).unwrap();
        assert_eq!(
            schema(&rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap()),
            want,
            "from v{version}"
        );
        still_serves(&db, version);
        assert_eq!(
            page_size(dir.path()),
            4096,
            "an existing database keeps its pages"
        );
    }
}

/// The tables, columns, types, defaults and indexes of a PostgreSQL database's own schema.
fn pg_schema(url: &str) -> Vec<String> {
    let c = quayside_server::pg::Standalone::connect(url).unwrap();
    let c: &dyn Sql = &c;
    c.rows(
        "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                || coalesce(column_default, '')
         FROM information_schema.columns WHERE table_schema = 'public'
         UNION ALL
         SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
         ORDER BY 1",
        args![],
        |r| r.get::<String>(0),
    )
    .unwrap()
}

#[test]
fn every_old_schema_upgrades_on_postgres_too() {
    let Some(fresh) = common::Database::new() else {
        eprintln!("PostgreSQL upgrades need QUAYSIDE_TEST_POSTGRES");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    Db::open_with(dir.path(), Some(&fresh.url)).unwrap();
    let want = pg_schema(&fresh.url);
    for version in 1..MIGRATIONS.len() {
        let old = common::Database::new().unwrap();
        let storage = Storage::open_postgres(&old.url, 2, &MIGRATIONS[..version]).unwrap();
        storage
            .write(|c| {
                old_records(c);
                Ok(())
            })
            .unwrap();
        drop(storage);
        let db = Db::open_with(dir.path(), Some(&old.url)).unwrap();
        assert_eq!(pg_schema(&old.url), want, "from v{version}");
        still_serves(&db, version);
    }
}
