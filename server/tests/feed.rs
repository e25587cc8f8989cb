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
    let (_dir, _database, db) = common::open_db();
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

/// A phone that pushed more than a page of its own documents reads past them in one request on
/// its next sync (they are left out by the query, not page by page), sees a colleague's document
/// among them, and its cursor ends past the last of its own, so the sync after starts there.
#[test]
fn own_writes_do_not_cost_a_page_each() {
    let (_dir, _database, db) = common::open_db();
    db.add_station("GHTEM", "GH", "Tema").unwrap();
    db.add_user("ama", "officer", &["GHTEM".into()], None)
        .unwrap();
    db.add_user("esi", "supervisor", &["GHTEM".into()], None)
        .unwrap();
    let ama = common::enrolled_phone(&db, "ama");
    let esi = db.principal(&db.create_api_token("esi").unwrap()).unwrap();
    // 1,200 documents, all ama's own but for a colleague's at numbers 700 and 900.
    let mut last = 0;
    db.write(|c| {
        for n in 0..1_200i64 {
            let id = format!("d{n:04}");
            let writer = if n == 700 || n == 900 {
                "kofis-phone"
            } else {
                ama.device_id.as_str()
            };
            c.execute(
                "INSERT INTO documents(id, kind, snapshot, heads, updated_at) VALUES (?1, 'inspection', ?2, '[]', '2026-01-01')",
                args![id, vec![0u8]],
            )?;
            last = 1_000 + n * 3;
            c.execute(
                "INSERT INTO doc_index(id, kind, station, seq, device_id) VALUES (?1, 'inspection', 'GHTEM', ?2, ?3)",
                args![id, last, writer],
            )?;
        }
        Ok(())
    })
    .unwrap();
    let page = db.feed(&ama, 0, 500).unwrap();
    let ids: Vec<&str> = page.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["d0700", "d0900"], "only the colleague's documents");
    assert!(
        !page.more,
        "nothing more: one request read past 1,198 own writes"
    );
    assert_eq!(
        page.cursor, last as u64,
        "the cursor ends past her own last write"
    );
    let next = db.feed(&ama, page.cursor, 500).unwrap();
    assert!(next.entries.is_empty() && !next.more);
    assert_eq!(next.cursor, page.cursor, "an idle feed keeps its cursor");
    // Pages of one: the first colleague's document, more to come, the cursor at it; then the
    // second, nothing more, the cursor past her own last write.
    let one = db.feed(&ama, 0, 1).unwrap();
    assert_eq!(one.entries[0].id, "d0700");
    assert!(one.more);
    assert_eq!(one.cursor, 1_000 + 700 * 3);
    let two = db.feed(&ama, one.cursor, 1).unwrap();
    assert_eq!(two.entries[0].id, "d0900");
    assert!(!two.more);
    assert_eq!(two.cursor, last as u64);
    // Anyone else (here through an API token, no device) reads all 1,200, page by page.
    assert_eq!(entries(&db, &esi, 500).len(), 1_200);
}
