//! Numbered schema migrations of the device store, applied in order on open; `PRAGMA
//! user_version` records how many have run.

use rusqlite::Connection;

use crate::error::{Error, Result};

/// Every migration, in order. Never edit one that has shipped: add the next number.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("001_initial", include_str!("migrations/001_initial.sql")),
    (
        "002_substance_search",
        include_str!("migrations/002_substance_search.sql"),
    ),
    ("003_sync", include_str!("migrations/003_sync.sql")),
    ("004_reviews", include_str!("migrations/004_reviews.sql")),
    (
        "005_wanted_photos",
        include_str!("migrations/005_wanted_photos.sql"),
    ),
    (
        "006_list_heads",
        include_str!("migrations/006_list_heads.sql"),
    ),
    (
        "007_submitted_versions",
        include_str!("migrations/007_submitted_versions.sql"),
    ),
    (
        "008_unknown_kg",
        include_str!("migrations/008_unknown_kg.sql"),
    ),
    (
        "009_drafts_refusals",
        include_str!("migrations/009_drafts_refusals.sql"),
    ),
    ("010_unsynced", include_str!("migrations/010_unsynced.sql")),
    (
        "011_pending_indexes",
        include_str!("migrations/011_pending_indexes.sql"),
    ),
    (
        "012_list_order",
        include_str!("migrations/012_list_order.sql"),
    ),
];

/// The schema version a fully migrated store has.
pub fn latest() -> usize {
    MIGRATIONS.len()
}

/// Brings the database up to the latest schema, one transaction per migration. Refuses a
/// database newer than this code (a downgraded app must not touch it).
pub fn migrate(conn: &mut Connection) -> Result<usize> {
    migrate_to(conn, latest())
}

/// Applies migrations up to `target` (tests build every old schema with it).
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<usize> {
    apply(conn, MIGRATIONS, target)
}

/// Applies the numbered `migrations` up to `target` to any database (the server has its own
/// list); refuses a database newer than the list.
pub fn apply(conn: &mut Connection, migrations: &[(&str, &str)], target: usize) -> Result<usize> {
    let current: usize =
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > migrations.len() {
        return Err(Error::Store(format!(
            "this database has schema {current}, newer than this version of Quayside understands ({}); update Quayside",
            migrations.len()
        )));
    }
    for (index, (_name, sql)) in migrations.iter().enumerate().take(target).skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(current)
}
