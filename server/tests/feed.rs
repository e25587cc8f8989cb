//! The feed by role: each caller reads exactly the entries of the stations it may read, in
//! sequence order, paged without loss or repeat, and never what its own device wrote. On the
//! embedded database, or on PostgreSQL when `QUAYSIDE_TEST_POSTGRES` names a server.

use quayside_core::args;
use quayside_server::db::Db;

mod common;

fn entries(db: &Db, who: &quayside_core::sync::policy::Principal, limit: u32) -> Vec<String> {
    let (mut since, mut out) = (0, Vec::new());
    loop {
        let page = db.feed(who, since, limit).unwrap();
        assert!(page.cursor >= since, "the cursor never goes back");
        out.extend(page.entries.into_iter().map(|e| e.id));
        since = page.cursor;
        if !page.more {
            return out;
        }
    }
}

#[test]
fn each_role_pages_through_exactly_the_stations_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let database = common::Database::new();
    let db = Db::open_with(dir.path(), database.as_ref().map(|d| d.url.as_str())).unwrap();
    db.add_station("GHTEM", "GH", "Tema").unwrap();
    db.add_station("GHTKD", "GH", "Takoradi").unwrap();
    db.add_station("NLRTM", "NL", "Rotterdam").unwrap();
    db.add_user("ama", "officer", &["GHTEM".into()], None)
        .unwrap();
    db.add_user("esi", "supervisor", &["GHTEM".into(), "GHTKD".into()], None)
        .unwrap();
    db.add_user("nana", "ozone_analyst", &[], Some("GH"))
        .unwrap();
    db.add_user("root", "admin", &[], None).unwrap();
    let who = |user: &str| db.principal(&db.create_api_token(user).unwrap()).unwrap();
    let (esi, nana, root) = (who("esi"), who("nana"), who("root"));
    // ama reads through her phone: what it wrote itself is not fed back to it.
    let ama = common::enrolled_phone(&db, "ama");

    // 30 documents round the three stations; every fifth written by ama's own "device".
    let stations = ["GHTEM", "GHTKD", "NLRTM"];
    let mut expected: std::collections::HashMap<&str, Vec<String>> = Default::default();
    for n in 0..30usize {
        let id = format!("d{n:02}");
        let station = stations[n % 3];
        let writer = if n % 5 == 0 {
            ama.device_id.as_str()
        } else {
            "a-phone"
        };
        db.write(|c| {
            c.execute(
                "INSERT INTO documents(id, kind, snapshot, heads, updated_at) VALUES (?1, 'inspection', ?2, '[]', '2026-01-01')",
                args![id, vec![0u8]],
            )?;
            c.execute(
                "INSERT INTO doc_index(id, kind, station, seq, device_id) VALUES (?1, 'inspection', ?2, ?3, ?4)",
                args![id, station, 100 + n as i64 * 7, writer],
            )?;
            Ok(())
        })
        .unwrap();
        expected.entry(station).or_default().push(id);
    }
    let of = |names: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = names.iter().flat_map(|s| expected[s].clone()).collect();
        v.sort();
        v
    };
    for limit in [1, 2, 4, 100] {
        let ama_sees = entries(&db, &ama, limit);
        let mut want = of(&["GHTEM"]);
        want.retain(|id| id[1..].parse::<usize>().unwrap() % 5 != 0);
        assert_eq!(
            ama_sees, want,
            "officer, limit {limit}: her station, not her own writes"
        );
        assert_eq!(
            entries(&db, &esi, limit),
            of(&["GHTEM", "GHTKD"]),
            "supervisor"
        );
        assert_eq!(
            entries(&db, &nana, limit),
            of(&["GHTEM", "GHTKD"]),
            "analyst of GH"
        );
        assert_eq!(
            entries(&db, &root, limit),
            of(&["GHTEM", "GHTKD", "NLRTM"]),
            "admin"
        );
    }
    // From a cursor: only what came after it.
    let later = db.feed(&esi, 100 + 20 * 7, 100).unwrap();
    assert!(later.entries.iter().all(|e| e.seq > 240));
    assert_eq!(later.entries.len(), 6, "d21..d29 at GHTEM or GHTKD");
}
