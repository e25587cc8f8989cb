//! Test harness for end-to-end tests: a real agency server on loopback (in-process or as the
//! real binary in a child process), enrolled device stores, and a fault-injecting TCP proxy that
//! cuts, resets, truncates and delays connections between them.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use quayside_core::FieldStore;
use quayside_server::db::Db;

pub mod reliability;

/// A temporary agency server with stations GHTEM and NLRTM and users ama and kofi (officers at
/// GHTEM), esi (supervisor at GHTEM) and piet (officer at NLRTM).
pub struct Agency {
    pub dir: tempfile::TempDir,
    /// The server (in the scale-out pass, the first of two instances).
    pub server: Option<quayside_server::Server>,
    /// In the scale-out pass: the second instance on the same database and bucket.
    pub second: Option<quayside_server::Server>,
    /// In the scale-out pass: the load balancer in front of both instances, at `addr` (held
    /// for as long as the agency runs: dropping it stops it).
    _balancer: Option<FaultProxy>,
    /// Where devices reach it: the server, or the load balancer in front of both instances.
    pub addr: SocketAddr,
    options: quayside_server::Options,
    /// The PostgreSQL database it keeps its records in, when the tests run on PostgreSQL
    /// (dropped after the server).
    pub database: Option<TestDatabase>,
}

/// The PostgreSQL server the tests run against, from `QUAYSIDE_TEST_POSTGRES` (a URL of a
/// database the tests may connect to and create databases from, such as
/// `postgres://postgres@127.0.0.1:5432/postgres`); None runs them on the embedded SQLite.
pub fn test_postgres() -> Option<String> {
    std::env::var("QUAYSIDE_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// The S3-protocol server the tests keep photos on in the PostgreSQL pass, from
/// `QUAYSIDE_TEST_S3` (its endpoint, such as `http://127.0.0.1:8014`; the credentials are in
/// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`); None keeps photos in the data directory.
pub fn test_s3() -> Option<String> {
    std::env::var("QUAYSIDE_TEST_S3")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// The address of a new bucket of one test's own on the tests' S3 server, if there is one
/// (the server creates the bucket when it starts).
pub fn test_bucket() -> Option<String> {
    test_s3().map(|endpoint| {
        format!(
            "s3://quayside-t-{}?endpoint={endpoint}",
            uuid::Uuid::new_v4().simple()
        )
    })
}

/// A PostgreSQL database of one test's own, created with the collation Quayside needs and
/// dropped (with its connections) when the test ends.
pub struct TestDatabase {
    admin: String,
    name: String,
    /// The URL the server is given.
    pub url: String,
}

impl TestDatabase {
    /// A new empty database on the server `admin` names.
    pub fn create(admin: &str) -> TestDatabase {
        let name = format!("quayside_t_{}", uuid::Uuid::new_v4().simple());
        let url = quayside_server::pg::create_database(admin, &name)
            .unwrap_or_else(|e| panic!("QUAYSIDE_TEST_POSTGRES={admin}: {e}"));
        TestDatabase {
            admin: admin.to_string(),
            name,
            url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let _ = quayside_server::pg::drop_database(&self.admin, &self.name);
    }
}

impl TestDatabase {
    /// Ends every connection to this database, as a PostgreSQL restart or a failover would;
    /// returns how many were ended.
    pub fn cut_connections(&self) -> u64 {
        let admin = quayside_server::pg::Standalone::connect(&self.admin).unwrap();
        let admin: &dyn quayside_core::sql::Sql = &admin;
        admin
            .value(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                 WHERE datname = ?1 AND pid <> pg_backend_pid()",
                quayside_core::args![self.name],
            )
            .unwrap()
    }
}

/// True, after saying why, when the tests run on PostgreSQL and the calling test is about the
/// embedded database itself (its file, its backups): the test is for the SQLite run only.
pub fn embedded_only(why: &str) -> bool {
    if test_postgres().is_some() {
        eprintln!("embedded database only ({why}): not run on PostgreSQL");
        return true;
    }
    false
}

/// True, after saying why, when the tests keep photos in an object store and the calling test
/// is about photo files in the data directory: the test is for the local photo store only.
pub fn local_photos_only(why: &str) -> bool {
    if test_postgres().is_some() && test_s3().is_some() {
        eprintln!("local photo store only ({why}): not run on object storage");
        return true;
    }
    false
}

/// A server's data as the tests run it: a data directory (the photos, and the embedded
/// database) and, when the tests run on PostgreSQL, a database of its own.
pub struct ServerData {
    pub dir: tempfile::TempDir,
    pub database: Option<TestDatabase>,
    /// The object store it keeps photos in, when the tests run on PostgreSQL with S3.
    pub blobs: Option<String>,
}

impl ServerData {
    pub fn new() -> ServerData {
        let database = test_postgres().map(|admin| TestDatabase::create(&admin));
        let blobs = database.as_ref().and_then(|_| test_bucket());
        ServerData {
            dir: tempfile::tempdir().unwrap(),
            database,
            blobs,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The PostgreSQL URL the server is given, if any.
    pub fn url(&self) -> Option<&str> {
        self.database.as_ref().map(|d| d.url.as_str())
    }

    /// The server's records, opened as the server opens them.
    pub fn db(&self) -> Db {
        Db::open_with(self.path(), self.url()).unwrap()
    }

    /// An in-process server instance over this data (several may run at once on PostgreSQL).
    pub fn instance(&self) -> quayside_server::Server {
        quayside_server::Server::start_with(
            self.path(),
            "127.0.0.1:0",
            quayside_server::Options {
                database: self.url().map(String::from),
                blobs: self.blobs.clone(),
                ..Default::default()
            },
        )
        .unwrap()
    }

    /// The server's photos, opened as the server opens them.
    pub fn photos(&self) -> quayside_server::photos::Photos {
        quayside_server::photos::Photos::open(self.path(), self.blobs.as_deref()).unwrap()
    }
}

impl Default for ServerData {
    fn default() -> Self {
        Self::new()
    }
}

/// Creates the accounts every test uses.
pub fn seed(db: &Db) {
    db.add_station("GHTEM", "GH", "Tema").unwrap();
    db.add_station("NLRTM", "NL", "Rotterdam").unwrap();
    db.add_user("ama", "officer", &["GHTEM".into()], None)
        .unwrap();
    db.add_user("kofi", "officer", &["GHTEM".into()], None)
        .unwrap();
    db.add_user("esi", "supervisor", &["GHTEM".into()], None)
        .unwrap();
    db.add_user("piet", "officer", &["NLRTM".into()], None)
        .unwrap();
    db.add_user("root", "admin", &[], None).unwrap();
}

impl Agency {
    /// Starts an in-process server on a free loopback port.
    pub fn start() -> Agency {
        Self::start_with(quayside_server::Options::default())
    }

    /// [`Agency::start`] with server settings (say, more enrolments per minute).
    pub fn start_with(options: quayside_server::Options) -> Agency {
        Self::start_on(options, test_postgres(), true)
    }

    /// One in-process instance in every pass (on PostgreSQL in that pass), for tests of what
    /// each instance keeps to itself: its metrics.
    pub fn start_one_instance() -> Agency {
        Self::start_on(quayside_server::Options::default(), test_postgres(), false)
    }

    /// An in-process server on its embedded database whichever pass the tests run in (a
    /// server to migrate, say).
    pub fn start_embedded() -> Agency {
        Self::start_on(quayside_server::Options::default(), None, false)
    }

    /// [`Agency::start_with`], its records in a new database on the PostgreSQL server `postgres`
    /// names unless `options` names a database or `postgres` is None; there, two instances
    /// behind a load balancer when `balanced`.
    fn start_on(
        mut options: quayside_server::Options,
        postgres: Option<String>,
        balanced: bool,
    ) -> Agency {
        let dir = tempfile::tempdir().unwrap();
        let database = match (&options.database, postgres) {
            (None, Some(admin)) => {
                let db = TestDatabase::create(&admin);
                options.database = Some(db.url.clone());
                // The scale-out pass: PostgreSQL and, when there is one, an object store.
                if options.blobs.is_none() {
                    options.blobs = test_bucket();
                }
                Some(db)
            }
            _ => None,
        };
        seed(&Db::open_with(dir.path(), options.database.as_deref()).unwrap());
        let start = || {
            quayside_server::Server::start_with(dir.path(), "127.0.0.1:0", options.clone()).unwrap()
        };
        let server = start();
        // The scale-out pass runs every test against two instances on one database (and
        // bucket) behind a load balancer that sends each connection to either.
        let (second, balancer, addr) = if balanced && database.is_some() {
            let second = start();
            let balancer = FaultProxy::balance(vec![server.addr, second.addr], Faults::NONE);
            let addr = balancer.addr;
            (Some(second), Some(balancer), addr)
        } else {
            (None, None, server.addr)
        };
        Agency {
            dir,
            server: Some(server),
            second,
            _balancer: balancer,
            addr,
            options,
            database,
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.options.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    pub fn db(&self) -> &Db {
        &self.server.as_ref().expect("server running").state.db
    }

    /// The running server's photo store.
    pub fn photos(&self) -> &quayside_server::photos::Photos {
        &self.server.as_ref().expect("server running").state.photos
    }

    /// Replaces the stored bytes of photo `sha256` behind the server's back (a disk or a
    /// bucket altered by someone with access to it).
    pub fn tamper_photo(&self, sha256: &str, bytes: &[u8]) {
        match self.photos() {
            quayside_server::photos::Photos::Local(_) => {
                let file = self
                    .dir
                    .path()
                    .join("blobs")
                    .join(&sha256[..2])
                    .join(sha256);
                std::fs::write(file, bytes).unwrap();
            }
            quayside_server::photos::Photos::Object(o) => o
                .store()
                .put(&format!("photos/{sha256}"), bytes.to_vec())
                .unwrap(),
        }
    }

    /// Runs `f` with the server's database.
    pub fn with_db<T>(&self, f: impl FnOnce(&Db) -> T) -> T {
        f(self.db())
    }

    /// A one-time code for `user`.
    pub fn code(&self, user: &str) -> String {
        self.db().create_enrol_code(user, 1).unwrap()
    }

    /// Stops the server and starts it again on the same address and data.
    pub fn restart(&mut self) {
        self.restart_with(|_| {});
    }

    /// Stops the server, runs `between` on its data directory (a backup, a restore), and starts
    /// it again on the same address.
    pub fn restart_with(&mut self, between: impl FnOnce(&Path)) {
        let addrs: Vec<SocketAddr> = [&self.server, &self.second]
            .into_iter()
            .flatten()
            .map(|s| s.addr)
            .collect();
        for s in [self.server.take(), self.second.take()]
            .into_iter()
            .flatten()
        {
            s.stop();
        }
        between(self.dir.path());
        let start = |addr: SocketAddr| {
            quayside_server::Server::start_with(
                self.dir.path(),
                &addr.to_string(),
                self.options.clone(),
            )
            .unwrap()
        };
        // The same addresses as before (the balancer's, when there is one, stays as it was).
        let addrs = if addrs.is_empty() {
            vec![self.addr]
        } else {
            addrs
        };
        self.server = Some(start(addrs[0]));
        self.second = addrs.get(1).map(|a| start(*a));
    }
}

/// A finding of `kg` kilograms of R-22.
pub fn finding(kg: f64) -> quayside_core::FindingFields {
    quayside_core::FindingFields {
        identified_substance: Some("R-22".into()),
        net_mass_kg: Some(kg),
        ..Default::default()
    }
}

/// The ids of every inspection a device holds, sorted.
pub fn ids(d: &Device) -> Vec<String> {
    let mut v: Vec<String> = d
        .store
        .list_inspections(quayside_core::InspectionFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    v.sort();
    v
}

/// A device: a store in its own temporary directory, encrypted under its own key.
pub struct Device {
    pub dir: tempfile::TempDir,
    pub store: Arc<FieldStore>,
    pub user: String,
    /// The store key (what the phone keeps in its keystore).
    pub key: Vec<u8>,
}

impl Device {
    /// Creates a store for `user` at `station`, not enrolled.
    pub fn new(user: &str, station: &str) -> Device {
        let dir = tempfile::tempdir().unwrap();
        let key = quayside_core::generate_store_key();
        let store = FieldStore::create(
            dir.path().join("store").display().to_string(),
            key.clone(),
            user.into(),
            station.into(),
        )
        .unwrap();
        Device {
            dir,
            store,
            user: user.into(),
            key,
        }
    }

    /// Creates and enrols a store with `agency` through `url` (the agency or a proxy).
    pub fn enrolled(agency: &Agency, url: &str, user: &str, station: &str) -> Device {
        let d = Device::new(user, station);
        d.store
            .enroll(
                url.into(),
                agency.code(user),
                format!("{user}'s phone"),
                None,
            )
            .unwrap();
        d
    }

    /// Reopens the store (as after the app was killed).
    pub fn reopen(&mut self) {
        self.store = FieldStore::open(
            self.dir.path().join("store").display().to_string(),
            self.key.clone(),
        )
        .unwrap();
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("store")
    }
}

/// A client enrolled by hand with a key the test holds: what a modified app could send.
pub struct RawClient {
    pub client: quayside_core::sync::client::HttpClient,
    pub token: String,
    pub device_id: String,
    pub actor: Vec<u8>,
    pub secret: [u8; 32],
}

impl RawClient {
    /// Enrols a made-up device for `user` with a one-time code.
    pub fn enrol(agency: &Agency, user: &str) -> RawClient {
        let secret = quayside_core::signing::new_secret();
        let actor: [u8; 16] = rand::random();
        let device_id = uuid::Uuid::now_v7().to_string();
        let res = quayside_core::sync::client::HttpClient::new(&agency.url(), None)
            .unwrap()
            .enroll(&quayside_core::sync::protocol::EnrollRequest {
                code: agency.code(user),
                actor: hex::encode(actor),
                device_id: device_id.clone(),
                public_key: quayside_core::signing::public_key_of(&secret),
                device_name: format!("{user}'s modified app"),
                user: Some(user.into()),
            })
            .unwrap();
        RawClient {
            client: quayside_core::sync::client::HttpClient::new(
                &agency.url(),
                Some(res.token.clone()),
            )
            .unwrap(),
            token: res.token,
            device_id,
            actor: actor.to_vec(),
            secret,
        }
    }

    /// A review of `inspection_id` at `heads`, signed with this client's registered key, as a
    /// document ready to push.
    pub fn review(
        &self,
        user: &str,
        inspection_id: &str,
        heads: &[String],
        decision: quayside_core::model::review::Decision,
    ) -> (String, quayside_core::doc::Document) {
        let mut r = quayside_core::model::review::Review {
            schema: 1,
            id: uuid::Uuid::now_v7().to_string(),
            inspection_id: inspection_id.into(),
            reviewer: user.into(),
            device: self.device_id.clone(),
            decided_at: quayside_core::model::edits::now_rfc3339(),
            decision: Some(decision),
            comment: "checked".into(),
            reviewed_heads: heads.to_vec(),
            signature: None,
        };
        r.signature = Some(quayside_core::signing::sign(&self.secret, &r.payload()));
        let mut doc = quayside_core::doc::Document::new(&self.actor);
        quayside_core::doc::review::create(
            &mut doc,
            &quayside_core::doc::Author {
                user: user.into(),
                device: self.device_id.clone(),
            },
            &r,
        )
        .unwrap();
        (r.id, doc)
    }

    /// Pushes one whole document; the server's verdict on it.
    pub fn push(
        &self,
        kind: &str,
        id: &str,
        doc: &mut quayside_core::doc::Document,
    ) -> quayside_core::sync::protocol::Outcome {
        push_whole(&self.client, kind, id, doc)
    }
}

/// Pushes one whole document by hand (as a first push does, or a modified app would); the
/// server's verdict on it.
pub fn push_whole(
    client: &quayside_core::sync::client::HttpClient,
    kind: &str,
    id: &str,
    doc: &mut quayside_core::doc::Document,
) -> quayside_core::sync::protocol::Outcome {
    let (res, _, _) = client
        .sync(&quayside_core::sync::protocol::SyncRequest {
            version: quayside_core::sync::protocol::PROTOCOL_VERSION,
            docs: vec![quayside_core::sync::protocol::DocPush {
                id: id.into(),
                kind: kind.into(),
                shared_heads: vec![],
                heads: vec![],
                changes: vec![],
                snapshot: Some(serde_bytes::ByteBuf::from(doc.save())),
            }],
        })
        .unwrap();
    res.docs[0].outcome.clone()
}

/// Starts an inspection of `container` on `store`; its id.
pub fn new_inspection(store: &FieldStore, container: &str) -> String {
    store
        .create_inspection(quayside_core::InspectionFields {
            container_number: Some(container.into()),
            ..Default::default()
        })
        .unwrap()
        .inspection
        .id
}

/// The JSON of an inspection, to compare copies across devices.
/// The heads of the inspection as `d` shows it now: what a supervisor who opened it reviews.
pub fn shown(d: &Device, id: &str) -> Vec<String> {
    d.store.get_inspection(id.to_string()).unwrap().heads
}

pub fn inspection_json(store: &FieldStore, id: &str) -> serde_json::Value {
    serde_json::to_value(store.get_inspection(id.into()).unwrap().inspection).unwrap()
}

/// What the proxy does to connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Chance that a connection is cut (closed) after a random number of bytes.
    pub cut: f64,
    /// Chance that a connection is reset (RST) after a random number of bytes.
    pub reset: f64,
    /// Chance that the server's answer is truncated (closed part-way).
    pub truncate: f64,
    /// Delay added to every read, in milliseconds (0..=max).
    pub max_delay_ms: u64,
}

impl Faults {
    pub const NONE: Faults = Faults {
        cut: 0.0,
        reset: 0.0,
        truncate: 0.0,
        max_delay_ms: 0,
    };
}

/// A TCP proxy on loopback that forwards to `upstream` (or, balancing, to any of several
/// server instances), injecting [`Faults`].
pub struct FaultProxy {
    pub addr: SocketAddr,
    faults: Arc<Mutex<Faults>>,
    stop: Arc<AtomicBool>,
    /// Connections that were cut, reset or truncated.
    pub faults_injected: Arc<AtomicU64>,
}

impl FaultProxy {
    pub fn start(upstream: SocketAddr, faults: Faults) -> FaultProxy {
        Self::balance(vec![upstream], faults)
    }

    /// A proxy that sends each new connection to one of `upstreams` at random, skipping those
    /// that refuse it (a load balancer in front of several server instances, one of which may
    /// be down).
    pub fn balance(upstreams: Vec<SocketAddr>, faults: Faults) -> FaultProxy {
        let upstreams = Arc::new(upstreams);
        // With a load balancer's backlog: std's 128 dropped connections of 200 phones at once.
        let listener = quayside_server::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let faults = Arc::new(Mutex::new(faults));
        let stop = Arc::new(AtomicBool::new(false));
        let injected = Arc::new(AtomicU64::new(0));
        let (f, s, inj) = (faults.clone(), stop.clone(), injected.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let (plan, inj, ups) = (f.clone(), inj.clone(), upstreams.clone());
                        std::thread::spawn(move || proxy_connection(client, &ups, plan, inj));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        FaultProxy {
            addr,
            faults,
            stop,
            faults_injected: injected,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the faults for new connections.
    pub fn set(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults;
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn proxy_connection(
    client: TcpStream,
    upstreams: &[SocketAddr],
    faults: Arc<Mutex<Faults>>,
    injected: Arc<AtomicU64>,
) {
    let first = rand::random_range(0..upstreams.len());
    let server = (0..upstreams.len())
        .map(|i| upstreams[(first + i) % upstreams.len()])
        .find_map(|up| TcpStream::connect(up).ok());
    let Some(server) = server else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    // As a load balancer does: what arrives is passed on at once, not held by Nagle's algorithm
    // until the previous piece is acknowledged.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    // Faults are rolled for every chunk a client sends (a request, or part of one), so a
    // long-lived keep-alive connection meets them as often as fresh ones.
    let cut_reply: Arc<Mutex<Option<u64>>> = Arc::new(Mutex::new(None));
    let (c2, s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let up_cut = cut_reply.clone();
    let up_faults = faults.clone();
    let up = std::thread::spawn(move || {
        let (mut from, mut to) = (client, server);
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            // The faults in force now (a test may switch them off mid-connection).
            let plan = *up_faults.lock().unwrap();
            delay(plan.max_delay_ms);
            let roll = rand::random::<f64>();
            if roll < plan.cut + plan.reset {
                // Forward part of the chunk, then drop the connection (RST for a reset).
                injected.fetch_add(1, Ordering::Relaxed);
                let _ = to.write_all(&buf[..rand::random_range(0..=n)]);
                if roll >= plan.cut {
                    let _ = socket_reset(&to);
                    let _ = socket_reset(&from);
                }
                let _ = to.shutdown(Shutdown::Both);
                let _ = from.shutdown(Shutdown::Both);
                return;
            }
            if roll < plan.cut + plan.reset + plan.truncate {
                injected.fetch_add(1, Ordering::Relaxed);
                *up_cut.lock().unwrap() = Some(rand::random_range(0..600u64));
            }
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
    let (mut from, mut to) = (s2, c2);
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        delay(faults.lock().unwrap().max_delay_ms);
        let budget = cut_reply.lock().unwrap().take();
        if let Some(limit) = budget {
            // Truncate this answer part-way and close.
            let _ = to.write_all(&buf[..(limit as usize).min(n)]);
            let _ = to.shutdown(Shutdown::Both);
            let _ = from.shutdown(Shutdown::Both);
            break;
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = up.join();
}

fn delay(max_ms: u64) {
    if max_ms > 0 {
        std::thread::sleep(Duration::from_millis(rand::random_range(0..=max_ms)));
    }
}

/// Makes the next close send RST instead of FIN (SO_LINGER with a zero timeout).
fn socket_reset(s: &TcpStream) -> std::io::Result<()> {
    socket2::SockRef::from(s).set_linger(Some(Duration::ZERO))
}

/// The `quayside-server` binary built beside the test executable.
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("quayside-server");
    assert!(
        bin.exists(),
        "{} not built: run the tests with `cargo nextest run --workspace`",
        bin.display()
    );
    bin
}

/// The real server binary in a child process (to kill it hard).
pub struct ServerProcess {
    pub child: std::process::Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Starts the binary on `addr` over `data`, waiting until it answers.
    pub fn start(data: &Path, addr: SocketAddr) -> ServerProcess {
        Self::start_binary(&server_binary(), data, None, None, addr)
    }

    /// Starts the binary on `addr` over `data` (its directory, and its PostgreSQL database
    /// when the tests run on PostgreSQL).
    pub fn start_on(data: &ServerData, addr: SocketAddr) -> ServerProcess {
        Self::start_binary(
            &server_binary(),
            data.path(),
            data.url(),
            data.blobs.as_deref(),
            addr,
        )
    }

    /// [`ServerProcess::start`] with the binary at `binary`, keeping its records in
    /// `database` (a PostgreSQL URL) and its photos in `blobs` (an object store) when given.
    pub fn start_binary(
        binary: &Path,
        data: &Path,
        database: Option<&str>,
        blobs: Option<&str>,
        addr: SocketAddr,
    ) -> ServerProcess {
        let mut command = std::process::Command::new(binary);
        command.env_remove("QUAYSIDE_DATABASE");
        command.env_remove("QUAYSIDE_BLOBS");
        if let Some(url) = database {
            command.env("QUAYSIDE_DATABASE", url);
        }
        if let Some(address) = blobs {
            command.env("QUAYSIDE_BLOBS", address);
        }
        #[allow(clippy::zombie_processes)] // killed and waited for in Drop, or on failure below
        let mut child = command
            .args([
                "--data",
                &data.display().to_string(),
                "--listen",
                &addr.to_string(),
            ])
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..200 {
            if TcpStream::connect(addr).is_ok() {
                return ServerProcess { child, addr };
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("server did not start on {addr}");
    }

    /// SIGKILL: no graceful shutdown.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback address.
pub fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A private CA (an agency without a public certificate) and a server certificate it signed.
pub struct Pki {
    pub ca_pem: String,
    pub server_der: Vec<u8>,
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// Makes a private CA and a server certificate for 127.0.0.1 and localhost, written to `dir`.
pub fn private_ca(dir: &std::path::Path) -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Ghana Customs test CA");
    let ca_cert = ca.clone().self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut leaf =
        rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    leaf.distinguished_name
        .push(rcgen::DnType::CommonName, "quayside");
    leaf.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = leaf.signed_by(&key, &issuer).unwrap();
    let (cert, keyfile) = (dir.join("server.pem"), dir.join("server.key"));
    std::fs::write(&cert, leaf.pem()).unwrap();
    std::fs::write(&keyfile, key.serialize_pem()).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server_der: leaf.der().to_vec(),
        cert,
        key: keyfile,
    }
}

/// A server serving HTTPS with the certificate of `pki`.
pub fn https_agency(pki: &Pki) -> Agency {
    Agency::start_with(quayside_server::Options {
        tls: Some((pki.cert.clone(), pki.key.clone())),
        ..Default::default()
    })
}
