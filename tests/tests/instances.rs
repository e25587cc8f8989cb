//! Several server instances on one PostgreSQL database, behind a load balancer that sends each
//! connection to any of them: devices hop between instances, instances are killed mid-sync,
//! the database drops every connection. Everything converges; nothing acknowledged is lost or
//! stored twice. These run in the PostgreSQL pass of the tests (`QUAYSIDE_TEST_POSTGRES`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use quayside_core::InspectionFields;
use quayside_e2e::*;

/// The PostgreSQL server, or None (the test says so and does nothing: several instances need
/// a shared database).
fn postgres() -> Option<String> {
    let url = test_postgres();
    if url.is_none() {
        eprintln!("several instances need PostgreSQL: set QUAYSIDE_TEST_POSTGRES");
    }
    url
}

/// Two in-process instances on one new, seeded database, behind a balancing proxy (no faults
/// yet); None without PostgreSQL.
fn two_instances() -> Option<(
    ServerData,
    quayside_server::Server,
    quayside_server::Server,
    FaultProxy,
)> {
    postgres()?;
    let data = ServerData::new();
    seed(&data.db());
    let (a, b) = (data.instance(), data.instance());
    let proxy = FaultProxy::balance(vec![a.addr, b.addr], Faults::NONE);
    Some((data, a, b, proxy))
}

/// A device of `user` enrolled through `url`.
fn enrolled(data: &ServerData, url: &str, user: &str) -> Device {
    let d = Device::new(user, "GHTEM");
    let code = data.db().create_enrol_code(user, 1).unwrap();
    d.store
        .enroll(url.into(), code, format!("{user}'s phone"), None)
        .unwrap();
    d
}

/// Syncs every device until none has anything left to send and a last round brings nothing.
fn settle(devices: &[&Device]) {
    for round in 0..10 {
        let mut moved = 0;
        for d in devices {
            let r = d.store.sync_with_retry(5, None).unwrap();
            assert!(r.rejected.is_empty(), "{}: {:?}", d.user, r.rejected);
            moved += r.pushed + r.received;
        }
        let unsynced: u64 = devices
            .iter()
            .map(|d| d.store.sync_status().unwrap().unsynced_inspections)
            .sum();
        if moved == 0 && unsynced == 0 {
            return;
        }
        assert!(round < 9, "the devices did not settle");
    }
}

/// Every change number was handed out once, and the feed order is the commit order.
fn assert_sequence_whole(data: &ServerData) {
    let (n, distinct): (i64, i64) = data
        .db()
        .read(|c| {
            Ok(c.one(
                "SELECT count(*), count(DISTINCT seq) FROM doc_index",
                quayside_core::args![],
                |r| Ok::<_, quayside_core::error::Error>((r.get(0)?, r.get(1)?)),
            )?)
        })
        .unwrap();
    assert_eq!(n, distinct, "a change number was handed out twice");
}

#[test]
fn devices_hopping_between_two_instances_converge_with_nothing_lost() {
    let Some((data, _a, _b, proxy)) = two_instances() else {
        return;
    };
    let ama = Arc::new(enrolled(&data, &proxy.url(), "ama"));
    let kofi = Arc::new(enrolled(&data, &proxy.url(), "kofi"));
    let shared: Vec<String> = (0..4)
        .map(|_| new_inspection(&ama.store, "CSQU3054383"))
        .collect();
    settle(&[&ama, &kofi]);
    // Both officers edit the same inspections at once, each syncing after every edit through
    // whichever instance the balancer picks, over connections that fail now and then.
    proxy.set(Faults {
        cut: 0.03,
        reset: 0.02,
        truncate: 0.02,
        max_delay_ms: 1,
    });
    let rounds = 24;
    let work = |d: Arc<Device>, shared: Vec<String>, salt: usize| {
        std::thread::spawn(move || {
            for i in 0..rounds {
                let id = &shared[(i + salt) % shared.len()];
                d.store
                    .add_finding(id.clone(), finding((salt * 1000 + i) as f64))
                    .unwrap();
                if i % 4 == salt {
                    d.store
                        .update_inspection(
                            id.clone(),
                            InspectionFields {
                                selection_reason: Some(format!("{} round {i}", d.user)),
                                ..Default::default()
                            },
                            vec![],
                        )
                        .unwrap();
                }
                if i % 6 == 0 {
                    new_inspection(&d.store, "MSCU1234566");
                }
                let _ = d.store.sync(None);
            }
        })
    };
    let (t1, t2) = (
        work(ama.clone(), shared.clone(), 1),
        work(kofi.clone(), shared.clone(), 2),
    );
    t1.join().unwrap();
    t2.join().unwrap();
    proxy.set(Faults::NONE);
    settle(&[&ama, &kofi]);

    let (on_ama, on_kofi) = (ids(&ama), ids(&kofi));
    assert_eq!(on_ama, on_kofi, "both phones hold the same inspections");
    assert_eq!(on_ama.len(), 4 + 2 * rounds.div_ceil(6));
    let db = data.db();
    assert_eq!(db.document_count().unwrap() as usize, on_ama.len());
    let mut findings = 0;
    for id in &on_ama {
        let mine = inspection_json(&ama.store, id);
        assert_eq!(mine, inspection_json(&kofi.store, id), "{id} differs");
        let server = quayside_core::doc::inspection::read(&db.document(id).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_value(&server).unwrap()["findings"],
            mine["findings"],
            "{id}: the server holds other findings"
        );
        findings += mine["findings"].as_array().unwrap().len();
    }
    assert_eq!(
        findings,
        2 * rounds,
        "every finding either officer added is kept"
    );
    assert_sequence_whole(&data);
    assert!(
        proxy
            .faults_injected
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    );
}

/// Officers pushing at once through both instances, each push holding only its own documents
/// until it numbers them, while a colleague reads the feed all the while and then once more:
/// the colleague holds every inspection (a number committed behind a cursor the feed already
/// handed out would be skipped for good), and no number is handed out twice.
#[test]
fn a_feed_read_while_both_instances_take_pushes_misses_nothing() {
    let Some((data, _a, _b, proxy)) = two_instances() else {
        return;
    };
    let (officers, rounds, per_round) = (6, 8, 3);
    let pushers: Vec<Arc<Device>> = (0..officers)
        .map(|i| {
            let user = format!("officer{i}");
            data.db()
                .add_user(&user, "officer", &["GHTEM".to_string()], None)
                .unwrap();
            Arc::new(enrolled(&data, &proxy.url(), &user))
        })
        .collect();
    let reader = enrolled(&data, &proxy.url(), "kofi");
    let threads: Vec<_> = pushers
        .iter()
        .cloned()
        .map(|d| {
            std::thread::spawn(move || {
                for _ in 0..rounds {
                    for _ in 0..per_round {
                        new_inspection(&d.store, "CSQU3054383");
                    }
                    let r = d.store.sync_with_retry(5, None).unwrap();
                    assert!(r.rejected.is_empty(), "{:?}", r.rejected);
                }
            })
        })
        .collect();
    let mut reads = 0;
    while threads.iter().any(|t| !t.is_finished()) {
        reader.store.sync_with_retry(5, None).unwrap();
        reads += 1;
    }
    for t in threads {
        t.join().unwrap();
    }
    reader.store.sync_with_retry(5, None).unwrap();
    assert!(reads > 1, "the feed was read while the pushes went on");
    let mut everyone: BTreeSet<String> = BTreeSet::new();
    for d in &pushers {
        everyone.extend(ids(d));
    }
    assert_eq!(everyone.len(), officers * rounds * per_round);
    assert_eq!(
        ids(&reader).into_iter().collect::<BTreeSet<_>>(),
        everyone,
        "the colleague reading the feed holds every inspection pushed"
    );
    assert_sequence_whole(&data);
}

#[test]
fn an_instance_killed_mid_sync_loses_nothing_the_other_carries_on() {
    if postgres().is_none() {
        return;
    }
    let data = ServerData::new();
    seed(&data.db());
    let (addr_a, addr_b) = (free_addr(), free_addr());
    let a = ServerProcess::start_on(&data, addr_a);
    let _b = ServerProcess::start_on(&data, addr_b);
    let proxy = FaultProxy::balance(vec![addr_a, addr_b], Faults::NONE);
    let ama = enrolled(&data, &proxy.url(), "ama");
    let all: BTreeSet<String> = (0..300)
        .map(|_| new_inspection(&ama.store, "CSQU3054383"))
        .collect();
    let store = ama.store.clone();
    let syncing = std::thread::spawn(move || store.sync(None));
    std::thread::sleep(Duration::from_millis(rand::random_range(5..80)));
    a.kill();
    let first = syncing.join().unwrap();
    // The device retries; the balancer sends it to the instance still running.
    let report = ama.store.sync_with_retry(5, None).unwrap();
    assert!(report.rejected.is_empty(), "{report:?}");
    // The killed instance comes back; a colleague's phone pulls through both.
    let _a = ServerProcess::start_on(&data, addr_a);
    let kofi = enrolled(&data, &proxy.url(), "kofi");
    settle(&[&ama, &kofi]);
    let db = data.db();
    assert_eq!(
        db.document_count().unwrap(),
        300,
        "first attempt before the kill: {first:?}"
    );
    for id in &all {
        let mut held = ama.store.inner().document("inspection", id).unwrap();
        let mut stored = db.document(id).unwrap();
        assert_eq!(stored.heads(), held.heads(), "{id}");
    }
    assert_eq!(ids(&kofi), all.into_iter().collect::<Vec<_>>());
    assert_sequence_whole(&data);
}

#[test]
fn the_database_dropping_every_connection_mid_sync_loses_nothing() {
    let Some((data, a, b, proxy)) = two_instances() else {
        return;
    };
    let ama = Arc::new(enrolled(&data, &proxy.url(), "ama"));
    let device = ama.clone();
    let writer = std::thread::spawn(move || {
        let mut all = BTreeSet::new();
        for i in 0..40 {
            let id = new_inspection(&device.store, "CSQU3054383");
            device
                .store
                .add_finding(id.clone(), finding(i as f64))
                .unwrap();
            all.insert(id);
            // Failures are expected while the database is gone.
            let _ = device.store.sync(None);
        }
        all
    });
    let database = data.database.as_ref().unwrap();
    let mut cut = 0;
    for _ in 0..6 {
        std::thread::sleep(Duration::from_millis(rand::random_range(20..120)));
        cut += database.cut_connections();
    }
    let all = writer.join().unwrap();
    assert!(cut > 0, "no connection was cut");
    settle(&[&ama]);
    let db = data.db();
    assert_eq!(db.document_count().unwrap(), 40);
    for id in &all {
        let mut held = ama.store.inner().document("inspection", id).unwrap();
        assert_eq!(db.document(id).unwrap().heads(), held.heads(), "{id}");
    }
    // Both instances serve at once: a pooled connection the cut killed is found out when its
    // transaction begins (or, for the one-statement read that checks a request's token, when
    // that read fails), and replaced, whether or not it was tested before being lent (one used
    // within the last second is not, and the pool lends the one used last). Cut again right
    // after each instance wrote: no request fails.
    let token = data.db().create_api_token("ama").unwrap();
    let device_token = ama.store.inner().server_link().unwrap().unwrap().token;
    let device = a.state.db.principal(&device_token).unwrap();
    // `what` 32 times on each instance, right after the database cut every connection.
    type Request<'a> =
        &'a dyn Fn(&quayside_server::db::Db) -> quayside_server::error::ServerResult<()>;
    let after_a_cut = |what: &str, request: Request| {
        for server in [&a, &b] {
            server.state.db.write_probe().unwrap();
        }
        assert!(database.cut_connections() > 0, "no connection was cut");
        for server in [&a, &b] {
            for n in 0..32 {
                request(&server.state.db).unwrap_or_else(|e| {
                    panic!("{what} {n} after the database cut its connections failed: {e}")
                });
            }
        }
    };
    after_a_cut("token check", &|db| {
        assert_eq!(db.principal(&token)?.user, "ama");
        Ok(())
    });
    // The feed, which first notes when the device synced (a write of its own).
    after_a_cut("feed", &|db| db.feed(&device, 0, 10).map(drop));
    after_a_cut("write", &|db| db.write_probe());
    assert_sequence_whole(&data);
}
