//! Bounded trials of what RELIABILITY.md promises: a device process killed mid-write, the server
//! killed mid-write and mid-sync, and syncs through a network that cuts, resets, truncates and
//! delays. Each trial checks that nothing acknowledged was lost. The `reliability` binary runs
//! hundreds of them and prints the counts; `tests/reliability.rs` runs a few of each every time.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use quayside_core::sync::client::HttpClient;
use quayside_core::sync::engine;
use quayside_core::{
    CustodyFields, FieldStore, FindingFields, InspectionFields, PhotoFields, SeizedItem,
    SeizureFields,
};

use crate::{Agency, Device, FaultProxy, Faults, ServerProcess, free_addr, new_inspection};

/// What one kind of trial found.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub trials: u64,
    /// Writes the system acknowledged before the fault (edits, changes, photos).
    pub acknowledged: u64,
    /// Of those, how many were missing afterwards (the promise is 0).
    pub lost: u64,
    /// Faults injected (kills, cut or broken connections).
    pub faults: u64,
    /// What went wrong, one line each.
    pub problems: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.trials += other.trials;
        self.acknowledged += other.acknowledged;
        self.lost += other.lost;
        self.faults += other.faults;
        self.problems.extend(other.problems);
    }

    fn lose(&mut self, what: String) {
        self.lost += 1;
        self.problems.push(what);
    }
}

fn jpeg(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    bytes.extend((0..len).map(|_| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 33) as u8
    }));
    bytes
}

/// The child process of a device trial: opens the store and records edits of every kind as
/// fast as it can, printing `BEGIN <op>` before and `ACK <op>` after each call returns, until
/// it is killed.
pub fn child_writer(store: &Path, key: &str, inspection: &str, seed: u64) -> ! {
    let s = FieldStore::open(store.display().to_string(), hex::decode(key).unwrap()).unwrap();
    let id = inspection.to_string();
    let mut out = std::io::stdout();
    let mut say = |line: String| {
        writeln!(out, "{line}").unwrap();
        out.flush().unwrap();
    };
    let mut findings: Vec<String> = Vec::new();
    for i in 0u64.. {
        let pick = (seed.wrapping_add(i).wrapping_mul(2654435761)) % 6;
        match (pick, findings.last().cloned()) {
            (1, Some(f)) => {
                let kg = 100 + i;
                say(format!("BEGIN U {f} {kg}"));
                s.update_finding(
                    id.clone(),
                    f.clone(),
                    FindingFields {
                        net_mass_kg: Some(kg as f64),
                        ..Default::default()
                    },
                    vec![],
                )
                .unwrap();
                say(format!("ACK U {f} {kg}"));
            }
            (2, _) => {
                let note = format!("note-{i}");
                say(format!("BEGIN N {note}"));
                s.update_inspection(
                    id.clone(),
                    InspectionFields {
                        notes: Some(note.clone()),
                        ..Default::default()
                    },
                    vec![],
                )
                .unwrap();
                say(format!("ACK N {note}"));
            }
            (3, _) => {
                say("BEGIN P".into());
                let bytes = jpeg(20_000 + (i as usize % 7) * 30_000, seed ^ i);
                let sha = s
                    .add_photo(id.clone(), bytes, PhotoFields::default())
                    .unwrap()
                    .photo
                    .sha256;
                say(format!("ACK P {sha}"));
            }
            (4, _) => {
                say("BEGIN C".into());
                let view = s
                    .add_custody(
                        id.clone(),
                        CustodyFields {
                            from: "ama".into(),
                            to: format!("clerk {i}"),
                            location: None,
                            note: None,
                            at: None,
                        },
                    )
                    .unwrap();
                let entry = view
                    .inspection
                    .seizure
                    .unwrap()
                    .custody
                    .last()
                    .unwrap()
                    .id
                    .clone();
                say(format!("ACK C {entry}"));
            }
            (5, Some(f)) => {
                let kg = 10 + i;
                say(format!("BEGIN S {f} {kg}"));
                s.set_seizure(
                    id.clone(),
                    SeizureFields {
                        items: Some(vec![SeizedItem {
                            finding_id: f.clone(),
                            quantity_kg: kg as f64,
                            cylinders: None,
                        }]),
                        ..Default::default()
                    },
                    vec![],
                )
                .unwrap();
                say(format!("ACK S {f} {kg}"));
            }
            _ => {
                let kg = i as f64;
                say(format!("BEGIN F {kg}"));
                let f = s
                    .add_finding(
                        id.clone(),
                        FindingFields {
                            identified_substance: Some("R-22".into()),
                            net_mass_kg: Some(kg),
                            ..Default::default()
                        },
                    )
                    .unwrap()
                    .finding_id;
                say(format!("ACK F {f} {kg}"));
                findings.push(f);
            }
        }
    }
    unreachable!()
}

/// One device trial: a writer process records edits into a fresh store and is killed with
/// SIGKILL at a random moment (usually inside a write); the store is then opened again and
/// every edit it acknowledged must be there, whole.
pub fn device_kill_trial(writer_bin: &Path, seed: u64) -> Tally {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let key = quayside_core::generate_store_key();
    let id = {
        let s = FieldStore::create(
            path.display().to_string(),
            key.clone(),
            "ama".into(),
            "GHTEM".into(),
        )
        .unwrap();
        new_inspection(&s, "CSQU3054383")
    };
    let mut child = std::process::Command::new(writer_bin)
        .args([
            "child-writer",
            &path.display().to_string(),
            &hex::encode(&key),
            &id,
            &seed.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill after a random number of acknowledged edits, a random moment into the next one.
    let kill_after = 5 + (seed % 60) as usize;
    let pause = Duration::from_micros(seed.wrapping_mul(7919) % 4000);
    let mut acked: Vec<String> = Vec::new();
    let mut in_flight: Option<String> = None;
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let Ok(line) = line else { break };
        if let Some(op) = line.strip_prefix("BEGIN ") {
            in_flight = Some(op.to_string());
        } else if let Some(op) = line.strip_prefix("ACK ") {
            acked.push(op.to_string());
            in_flight = None;
            if acked.len() >= kill_after {
                std::thread::sleep(pause);
                break;
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    // A BEGIN line written just before the kill still says what might be half done.
    for line in lines.map_while(Result::ok) {
        if let Some(op) = line.strip_prefix("BEGIN ") {
            in_flight = Some(op.to_string());
        } else if let Some(op) = line.strip_prefix("ACK ") {
            acked.push(op.to_string());
            in_flight = None;
        }
    }
    let mut tally = Tally {
        trials: 1,
        acknowledged: acked.len() as u64,
        faults: 1,
        ..Default::default()
    };
    check_device(&path, &key, &id, &acked, in_flight.as_deref(), &mut tally);
    tally
}

/// Every acknowledged edit is in the reopened store; a value may also be that of the edit that
/// was in flight when the process died (it may have committed without being acknowledged).
fn check_device(
    path: &Path,
    key: &[u8],
    id: &str,
    acked: &[String],
    in_flight: Option<&str>,
    t: &mut Tally,
) {
    let check = || -> Result<String, String> {
        let c =
            rusqlite::Connection::open(path.join("quayside.sqlite3")).map_err(|e| e.to_string())?;
        let key = quayside_core::store::StoreKey::from_bytes(key).map_err(|e| e.to_string())?;
        quayside_core::store::key::apply(&c, &key).map_err(|e| e.to_string())?;
        c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| e.to_string())
    };
    let integrity = check().unwrap_or_else(|e| e);
    if integrity != "ok" {
        t.lose(format!("store integrity check: {integrity}"));
    }
    let store = match FieldStore::open(path.display().to_string(), key.to_vec()) {
        Ok(s) => s,
        Err(e) => {
            t.lose(format!("the store does not open after the kill: {e}"));
            return;
        }
    };
    let ins = store.get_inspection(id.to_string()).unwrap().inspection;
    let last = |kind: &str, key: Option<&str>| {
        acked
            .iter()
            .rev()
            .find(|op| {
                let mut w = op.split(' ');
                w.next() == Some(kind) && key.is_none_or(|k| w.next() == Some(k))
            })
            .map(|op| op.rsplit(' ').next().unwrap().to_string())
    };
    let in_flight_value = |kind: &str, key: Option<&str>| {
        in_flight.and_then(|op| {
            let mut w = op.split(' ');
            (w.next() == Some(kind) && key.is_none_or(|k| w.next() == Some(k)))
                .then(|| op.rsplit(' ').next().unwrap().to_string())
        })
    };
    let seizure = ins.seizure.clone();
    for op in acked {
        let w: Vec<&str> = op.split(' ').collect();
        match w[0] {
            "F" => {
                let Some(f) = ins.findings.iter().find(|f| f.id == w[1]) else {
                    t.lose(format!("acknowledged finding {} lost", w[1]));
                    continue;
                };
                let kg = format!("{}", f.net_mass_kg.unwrap_or(-1.0));
                let want = last("U", Some(w[1])).unwrap_or_else(|| w[2].to_string());
                if kg != want && Some(kg.clone()) != in_flight_value("U", Some(w[1])) {
                    t.lose(format!(
                        "finding {} holds {kg} kg, acknowledged {want}",
                        w[1]
                    ));
                }
            }
            "P" => match store.read_photo(w[1].to_string()) {
                Ok(_) if ins.photos.iter().any(|p| p.sha256 == w[1]) => {}
                Ok(_) => t.lose(format!("photo {} stored but not in the inspection", w[1])),
                Err(e) => t.lose(format!("acknowledged photo {} unreadable: {e}", w[1])),
            },
            "C" if !seizure
                .as_ref()
                .is_some_and(|s| s.custody.iter().any(|c| c.id == w[1])) =>
            {
                t.lose(format!("acknowledged custody entry {} lost", w[1]));
            }
            _ => {}
        }
    }
    if let Some(want) = last("N", None)
        && ins.notes != want
        && Some(ins.notes.clone()) != in_flight_value("N", None)
    {
        t.lose(format!("notes read {:?}, acknowledged {want:?}", ins.notes));
    }
    // Each seizure edit replaces the seized items: they are those of the last acknowledged one,
    // or of the one in flight.
    if let Some(op) = acked.iter().rev().find(|op| op.starts_with("S ")) {
        let items: Vec<String> = seizure
            .as_ref()
            .map(|s| {
                s.items
                    .iter()
                    .map(|i| format!("S {} {}", i.finding_id, i.quantity_kg))
                    .collect()
            })
            .unwrap_or_default();
        let as_acked = items == [op.clone()];
        let as_in_flight = in_flight.is_some_and(|f| f.starts_with("S ") && items == [f]);
        if !(as_acked || as_in_flight) {
            t.lose(format!("seized items {items:?}, acknowledged {op}"));
        }
    }
    // The store still takes edits.
    if let Err(e) = store.update_inspection(
        id.to_string(),
        InspectionFields {
            selection_reason: Some("after the crash".into()),
            ..Default::default()
        },
        vec![],
    ) {
        t.lose(format!("the store refuses edits after the kill: {e}"));
    }
}

/// A server data directory with the stations and users the trials use.
fn seeded_server_data(data: &crate::ServerData) -> String {
    let db = data.db();
    crate::seed(&db);
    db.create_enrol_code("ama", 1).unwrap()
}

/// One server trial: a device records and syncs (findings and photos) against the real server
/// binary, which is killed with SIGKILL at a random moment of that traffic. Everything the
/// server had confirmed to the device (the heads it merged, the photos it reported complete)
/// must be in the server's data afterwards; restarted, it must take the rest.
pub fn server_kill_trial(server_bin: &Path, seed: u64) -> Tally {
    let data = crate::ServerData::new();
    let code = seeded_server_data(&data);
    let addr = free_addr();
    let server = ServerProcess::start_binary(
        server_bin,
        data.path(),
        data.url(),
        data.blobs.as_deref(),
        addr,
    );
    let url = format!("http://{addr}");
    let device = Device::new("ama", "GHTEM");
    device
        .store
        .enroll(url.clone(), code, "phone".into(), None)
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let store = device.store.clone();
    let flag = stop.clone();
    let writer = std::thread::spawn(move || {
        let mut ids: Vec<String> = Vec::new();
        let mut i = 0u64;
        while !flag.load(Ordering::Relaxed) {
            i += 1;
            if ids.is_empty() || i.is_multiple_of(5) {
                let id = new_inspection(&store, "CSQU3054383");
                ids.push(id);
            }
            let id = ids[(i as usize * 7) % ids.len()].clone();
            store
                .add_finding(
                    id.clone(),
                    FindingFields {
                        identified_substance: Some("R-22".into()),
                        net_mass_kg: Some(i as f64),
                        ..Default::default()
                    },
                )
                .unwrap();
            if i.is_multiple_of(3) {
                store
                    .add_photo(
                        id,
                        jpeg(50_000 + (i as usize % 5) * 60_000, seed ^ i),
                        PhotoFields::default(),
                    )
                    .unwrap();
            }
            // Sync failures are expected once the server is gone.
            let _ = store.sync(None);
        }
    });
    std::thread::sleep(Duration::from_millis(150 + seed % 600));
    server.kill();
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();

    let mut tally = Tally {
        trials: 1,
        faults: 1,
        ..Default::default()
    };
    let quayside_core::store::sync_state::Confirmed { docs, photos } =
        device.store.inner().confirmed_by_server().unwrap();
    tally.acknowledged = (docs.iter().map(|(_, h)| h.len()).sum::<usize>() + photos.len()) as u64;
    {
        let db = data.db();
        for (id, heads) in &docs {
            match db.document(id) {
                Ok(mut doc) => {
                    for h in quayside_core::doc::parse_heads(heads).unwrap() {
                        if !doc.has_change(&h) {
                            tally.lose(format!("change {h} of {id} confirmed, then lost"));
                        }
                    }
                }
                Err(e) => tally.lose(format!("inspection {id} confirmed, then lost: {e}")),
            }
        }
        let uploads = data.photos();
        for sha in &photos {
            if let Err(e) = uploads.read(sha) {
                tally.lose(format!("photo {sha} confirmed, then lost: {e}"));
            }
        }
    }
    // Restarted, the server takes everything the device still holds.
    let _server = ServerProcess::start_binary(
        server_bin,
        data.path(),
        data.url(),
        data.blobs.as_deref(),
        addr,
    );
    let mut settled = false;
    for _ in 0..5 {
        if let Ok(r) = device.store.sync(None)
            && r.rejected.is_empty()
            && device
                .store
                .sync_status()
                .is_ok_and(|s| s.unsynced_inspections == 0 && s.unsynced_photos == 0)
        {
            settled = true;
            break;
        }
    }
    if !settled {
        tally.lose("the device could not sync everything after the restart".into());
    }
    let quayside_core::store::sync_state::Confirmed { docs, photos } =
        device.store.inner().confirmed_by_server().unwrap();
    let db = data.db();
    for (id, _) in &docs {
        let mut held = device.store.inner().document("inspection", id).unwrap();
        let heads = held.heads();
        match db.document(id) {
            Ok(mut doc) => {
                if heads.iter().any(|h| !doc.has_change(h)) {
                    tally.lose(format!(
                        "{id}: the device's changes did not all reach the server"
                    ));
                }
            }
            Err(e) => tally.lose(format!("{id} missing on the server after the restart: {e}")),
        }
    }
    let uploads = data.photos();
    for sha in &photos {
        if let Err(e) = uploads.read(sha) {
            tally.lose(format!(
                "photo {sha} missing on the server after the restart: {e}"
            ));
        }
    }
    tally
}

/// One network trial: a new device records a few edits and photos and syncs through a proxy
/// that cuts, resets, truncates and delays connections, retrying with backoff; once the faults
/// stop, server and device must hold the same documents and photos.
pub fn network_fault_trial(agency: &Agency, seed: u64) -> Tally {
    // A station and an officer of its own, so that no trial pulls what earlier ones recorded.
    const PLACE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let place: String = (0..3)
        .map(|i| PLACE[((seed >> (5 * i)) & 31) as usize] as char)
        .collect();
    let station = format!("GH{place}");
    let user = format!("officer-{seed}");
    let db = agency.db();
    db.add_station(&station, "GH", "trial port").unwrap();
    if db
        .add_user(&user, "officer", std::slice::from_ref(&station), None)
        .is_err()
    {
        // Seeds repeat across calls: the user is there already.
    }
    let device = Device::enrolled(agency, &agency.url(), &user, &station);
    let proxy = FaultProxy::start(
        agency.addr,
        Faults {
            cut: 0.15,
            reset: 0.1,
            truncate: 0.15,
            max_delay_ms: 3,
        },
    );
    let token = device.store.inner().server_link().unwrap().unwrap().token;
    let client = HttpClient::new(&proxy.url(), Some(token)).unwrap();
    let mut ids = Vec::new();
    for round in 0..(2 + seed % 3) {
        let id = new_inspection(&device.store, "CSQU3054383");
        device
            .store
            .add_finding(
                id.clone(),
                FindingFields {
                    net_mass_kg: Some(round as f64),
                    ..Default::default()
                },
            )
            .unwrap();
        device
            .store
            .add_photo(
                id.clone(),
                jpeg(30_000, seed ^ round),
                PhotoFields::default(),
            )
            .unwrap();
        ids.push(id);
        let _ = engine::sync_with_retry(
            device.store.inner(),
            &client,
            8,
            Duration::from_millis(1),
            &mut |_| {},
            &mut |_, _, _| {},
        );
    }
    let mut tally = Tally {
        trials: 1,
        faults: proxy
            .faults_injected
            .load(std::sync::atomic::Ordering::Relaxed),
        ..Default::default()
    };
    // What the server confirmed while the network misbehaved is on the server.
    let quayside_core::store::sync_state::Confirmed { docs, photos } =
        device.store.inner().confirmed_by_server().unwrap();
    tally.acknowledged = (docs.len() + photos.len()) as u64;
    proxy.set(Faults::NONE);
    if let Err(e) = engine::sync_with_retry(
        device.store.inner(),
        &client,
        3,
        Duration::from_millis(1),
        &mut |_| {},
        &mut |_, _, _| {},
    ) {
        tally.lose(format!("sync failed once the network was sound: {e}"));
    }
    for id in &ids {
        let mut held = device.store.inner().document("inspection", id).unwrap();
        let ok = agency
            .db()
            .document(id)
            .is_ok_and(|mut doc| held.heads().iter().all(|h| doc.has_change(h)));
        if !ok {
            tally.lose(format!("{id}: not all changes reached the server"));
        }
    }
    for sha in device.store.inner().confirmed_by_server().unwrap().photos {
        if agency.photos().read(&sha).is_err() {
            tally.lose(format!("photo {sha} not on the server"));
        }
    }
    if photos.len()
        > device
            .store
            .inner()
            .confirmed_by_server()
            .unwrap()
            .photos
            .len()
    {
        tally.lose("photos confirmed earlier are no longer confirmed".into());
    }
    tally
}

/// Runs `n` trials of `trial`, seeds `first..first+n`, adding up what they found.
pub fn run(n: u64, first: u64, mut trial: impl FnMut(u64) -> Tally) -> Tally {
    let mut total = Tally::default();
    for seed in first..first + n {
        total.add(trial(seed));
    }
    total
}
