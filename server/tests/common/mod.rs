//! What the server's integration tests share: the PostgreSQL database of one test when the
//! tests run on PostgreSQL (`QUAYSIDE_TEST_POSTGRES`), created new and dropped at the end.

/// The PostgreSQL database of one test, when the tests run on PostgreSQL; dropped at the end.
pub struct Database {
    admin: String,
    name: String,
    pub url: String,
}

impl Database {
    /// A new database on the server `QUAYSIDE_TEST_POSTGRES` names, or None (the embedded run).
    pub fn new() -> Option<Database> {
        let admin = std::env::var("QUAYSIDE_TEST_POSTGRES")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = format!("quayside_t_{}", uuid::Uuid::new_v4().simple());
        let url = quayside_server::pg::create_database(&admin, &name).unwrap();
        Some(Database { admin, name, url })
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = quayside_server::pg::drop_database(&self.admin, &self.name);
    }
}
