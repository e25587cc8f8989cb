//! The document storage the device and the server share passes one suite on every backend:
//! here the server's database (the embedded SQLite file, or PostgreSQL in the tests' PostgreSQL
//! pass); the device's store runs the same suite in the core's own tests.

use quayside_e2e::*;

#[test]
fn the_servers_database_passes_the_document_storage_suite() {
    let data = ServerData::new();
    data.db()
        .write(|c| {
            quayside_core::doc::storage::conformance::run(c);
            Ok(())
        })
        .unwrap();
}

/// PostgreSQL without autovacuum keeps no table statistics and plans the feed as a full scan
/// that grows with the records: the server refreshes them itself, at start and hourly.
#[test]
fn postgres_without_autovacuum_gets_table_statistics_from_the_server() {
    let data = ServerData::new();
    let Some(url) = data.url() else {
        eprintln!("PostgreSQL only: set QUAYSIDE_TEST_POSTGRES");
        return;
    };
    let db = data.db();
    let c = quayside_server::pg::Standalone::connect(url).unwrap();
    let c: &dyn quayside_core::sql::Sql = &c;
    let autovacuum: String = c.value("SHOW autovacuum", quayside_core::args![]).unwrap();
    let analyzed: bool = c
        .value(
            "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'doc_index'",
            quayside_core::args![],
        )
        .unwrap();
    assert_eq!(
        analyzed,
        autovacuum == "off",
        "autovacuum {autovacuum}: the server analyzes exactly when PostgreSQL does not"
    );
    // And again on the hourly round.
    db.storage().maintain().unwrap();
}
