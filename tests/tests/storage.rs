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
