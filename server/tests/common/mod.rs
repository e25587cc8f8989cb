//! What the server's integration tests share: the PostgreSQL database of one test when the
//! tests run on PostgreSQL (`QUAYSIDE_TEST_POSTGRES`), created new and dropped at the end, and
//! a user's phone enrolled straight through the database.

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

/// A server database for one test: the embedded file in a temporary folder, or a new database on
/// the PostgreSQL server `QUAYSIDE_TEST_POSTGRES` names. Keep all three until the test ends.
#[allow(dead_code)] // each test binary compiles this module; not all of them open a database
pub fn open_db() -> (tempfile::TempDir, Option<Database>, quayside_server::db::Db) {
    let dir = tempfile::tempdir().unwrap();
    let database = Database::new();
    let db =
        quayside_server::db::Db::open_with(dir.path(), database.as_ref().map(|d| d.url.as_str()))
            .unwrap();
    (dir, database, db)
}

/// `user`'s phone, enrolled with a fresh code: the principal its token names.
#[allow(dead_code)] // each test binary compiles this module; not all of them enrol a phone
pub fn enrolled_phone(
    db: &quayside_server::db::Db,
    user: &str,
) -> quayside_core::sync::policy::Principal {
    let phone = db
        .enroll(&quayside_core::sync::protocol::EnrollRequest {
            code: db.create_enrol_code(user, 1).unwrap(),
            actor: "00112233445566778899aabbccddeeff".into(),
            device_id: "01a2278c-0f38-71a2-b484-673a87603b8c".into(),
            device_name: "phone".into(),
            public_key: quayside_core::signing::public_key_of(&[7; 32]),
            user: Some(user.into()),
        })
        .unwrap();
    db.principal(&phone.token).unwrap()
}
