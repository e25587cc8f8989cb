//! Every old server schema upgrades to the current one, keeping its data.

use quayside_core::store::migrations;
use quayside_server::db::{DB_FILE, Db, MIGRATIONS};

fn schema(conn: &rusqlite::Connection) -> Vec<(String, String)> {
    conn.prepare("SELECT name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn every_old_schema_upgrades_keeping_accounts_and_documents() {
    let fresh = tempfile::tempdir().unwrap();
    Db::open(fresh.path()).unwrap();
    let want = schema(&rusqlite::Connection::open(fresh.path().join(DB_FILE)).unwrap());
    for version in 1..MIGRATIONS.len() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        migrations::apply(&mut conn, MIGRATIONS, version).unwrap();
        conn.execute_batch(
            "INSERT INTO stations VALUES ('GHTEM', 'GH', 'Tema');
             INSERT INTO users(id, name, role, created_at) VALUES (1, 'ama', 'officer', '2026-01-01');
             INSERT INTO user_stations VALUES (1, 'GHTEM');
             INSERT INTO documents(id, kind, snapshot, heads, updated_at) VALUES ('d1', 'inspection', x'00', '[]', '2026-01-01');
             INSERT INTO doc_index(id, kind, station, seq) VALUES ('d1', 'inspection', 'GHTEM', 7);",
        )
        .unwrap();
        drop(conn);
        let db = Db::open(dir.path()).unwrap();
        assert_eq!(
            schema(&rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap()),
            want,
            "from v{version}"
        );
        assert_eq!(db.users().unwrap()[0].stations, vec!["GHTEM".to_string()]);
        assert_eq!(db.document_count().unwrap(), 1);
        let code = db.create_enrol_code("ama", 1).unwrap();
        let enrolled = db
            .enroll(&quayside_core::sync::protocol::EnrollRequest {
                code,
                actor: "00112233445566778899aabbccddeeff".into(),
                device_id: "01a2278c-0f38-71a2-b484-673a87603b8c".into(),
                device_name: "phone".into(),
                public_key: quayside_core::signing::public_key_of(&[7; 32]),
                user: Some("ama".into()),
            })
            .unwrap();
        let who = db.principal(&enrolled.token).unwrap();
        let feed = db.feed(&who, 0, 100).unwrap();
        assert_eq!(feed.entries.len(), 1, "from v{version}");
        assert_eq!(feed.cursor, 7);
    }
}
