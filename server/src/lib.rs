//! Quayside's agency server: officers' devices enrol with a one-time code and sync their records
//! here; every change is checked before it is stored. Embedded SQLite in a data directory.
//!
//! [`Server::start`] runs the real HTTP server on a listener, for the binary and for tests.

pub mod accounts;
pub mod app;
pub mod backup;
pub mod blobs;
pub mod client_address;
pub mod console;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;
pub mod migrate;
pub mod object_uploads;
pub mod pg;
pub mod pg_tls;
pub mod photos;
pub mod review_desk;
pub mod s3;
pub mod sessions;
pub mod storage;
pub mod tls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use app::{AppState, Metrics};

/// Settings of a running server beyond its data directory and address.
#[derive(Debug, Clone)]
pub struct Options {
    /// Enrolment attempts one client address may make per minute.
    pub enrol_per_minute: u32,
    /// Load balancers whose `X-Forwarded-For` names the client (addresses or networks; see
    /// [`client_address::TrustedProxies`]).
    pub trusted_proxies: Vec<String>,
    /// Serve HTTPS with this PEM certificate chain and PEM private key.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Keep the records in this PostgreSQL database (a `postgres://` URL) instead of the
    /// embedded SQLite file in the data directory (which keeps the photos either way).
    pub database: Option<String>,
    /// Connections this instance keeps to PostgreSQL at most ([`pg::default_connections`]).
    pub database_connections: u32,
    /// Keep the photos in this S3-compatible object store (an `s3://` address, see
    /// [`s3::ObjectStore::from_url`]) instead of the data directory.
    pub blobs: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            enrol_per_minute: app::ENROL_PER_MINUTE,
            trusted_proxies: Vec::new(),
            tls: None,
            database: None,
            database_connections: pg::default_connections(),
            blobs: None,
        }
    }
}

/// Opens the data directory: database and photo store. Refuses a data directory it cannot
/// write (a server that answers "ok" while every write fails would lose what devices send).
pub fn open_state(data: &Path) -> error::ServerResult<Arc<AppState>> {
    open_state_with(data, Options::default())
}

/// [`open_state`] with settings.
pub fn open_state_with(data: &Path, options: Options) -> error::ServerResult<Arc<AppState>> {
    let per_minute = std::num::NonZeroU32::new(options.enrol_per_minute).ok_or_else(|| {
        error::ServerError::BadRequest("enrolment attempts per minute must be at least 1".into())
    })?;
    let trusted_proxies = client_address::TrustedProxies::parse(&options.trusted_proxies)
        .map_err(error::ServerError::BadRequest)?;
    let db = db::Db::open_connected(
        data,
        options.database.as_deref(),
        options.database_connections,
    )?;
    let photos = photos::Photos::open(data, options.blobs.as_deref())?;
    let state = AppState {
        metrics: Metrics::for_backend(db.storage().backend(), photos.backend()),
        db,
        photos,
        enrol_per_minute: options.enrol_per_minute,
        enrol_limiter: governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute)),
        trusted_proxies,
    };
    state.check_writable().map_err(|e| {
        error::ServerError::Internal(format!(
            "the data directory {} cannot be written: {e}",
            data.display()
        ))
    })?;
    Ok(Arc::new(state))
}

/// A server running on its own runtime thread (tests, benchmarks, the demo).
pub struct Server {
    pub addr: SocketAddr,
    /// Whether it serves HTTPS.
    pub https: bool,
    pub data: PathBuf,
    pub state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server on `listen` (use port 0 for any free port) over the data directory.
    pub fn start(data: &Path, listen: &str) -> error::ServerResult<Server> {
        Self::start_with(data, listen, Options::default())
    }

    /// [`Server::start`] with settings.
    pub fn start_with(data: &Path, listen: &str, options: Options) -> error::ServerResult<Server> {
        let tls = match &options.tls {
            Some((cert, key)) => Some(tls::server_config(cert, key)?),
            None => None,
        };
        let https = tls.is_some();
        let state = open_state_with(data, options)?;
        let std_listener = bind(listen)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = app::router(state.clone());
        let sweep_state = state.clone();
        let thread = std::thread::Builder::new()
            .name(format!("quayside-server-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(async move {
                    // Every minute, from a minute after start (opening the database gathered
                    // the first statistics): PostgreSQL without autovacuum gets fresh statistics
                    // of the tables that changed, as autovacuum would have given them, and
                    // enrolment attempts over a minute old are forgotten.
                    let housekeeper = sweep_state.clone();
                    tokio::spawn(async move {
                        let minute = std::time::Duration::from_secs(60);
                        let mut every =
                            tokio::time::interval_at(tokio::time::Instant::now() + minute, minute);
                        loop {
                            every.tick().await;
                            let s = housekeeper.clone();
                            let _ = tokio::task::spawn_blocking(move || {
                                if let Err(e) = s.db.storage().maintain() {
                                    tracing::warn!(error = %e, "database housekeeping failed");
                                }
                                if let Err(e) = s.db.forget_enrol_attempts() {
                                    tracing::warn!(error = %e, "could not forget old enrolment attempts");
                                }
                            })
                            .await;
                        }
                    });
                    // Hourly: unfinished uploads nobody touched for a week are removed, and the
                    // enrolment limiter forgets addresses that stopped trying.
                    let sweeper = sweep_state.clone();
                    tokio::spawn(async move {
                        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
                        loop {
                            every.tick().await;
                            sweeper.enrol_limiter.retain_recent();
                            let s = sweeper.clone();
                            let removed = tokio::task::spawn_blocking(move || {
                                s.photos.sweep_abandoned(&s.db, blobs::ABANDONED_AFTER)
                            })
                            .await
                            .unwrap_or(Ok(0))
                            .unwrap_or_else(|e| {
                                tracing::warn!(error = %e, "could not sweep abandoned uploads");
                                0
                            });
                            if removed > 0 {
                                tracing::info!(removed, "removed abandoned partial uploads");
                            }
                        }
                    });
                    let listener =
                        tokio::net::TcpListener::from_std(std_listener).expect("listener");
                    let shutdown = async {
                        let _ = rx.await;
                    };
                    let service = app.into_make_service_with_connect_info::<SocketAddr>();
                    match tls {
                        Some(config) => {
                            use axum::serve::ListenerExt;
                            // `tap_io` gives the listener axum's client-address support.
                            let listener = tls::TlsListener::new(listener, config)
                                .expect("TLS listener")
                                .tap_io(|_| {});
                            let _ = axum::serve(listener, service)
                                .with_graceful_shutdown(shutdown)
                                .await;
                        }
                        None => {
                            use axum::serve::ListenerExt;
                            let listener = listener.tap_io(|tcp| send_at_once(tcp));
                            let _ = axum::serve(listener, service)
                                .with_graceful_shutdown(shutdown)
                                .await;
                        }
                    }
                });
                // Abandon connections still open (a killed server does the same).
                rt.shutdown_timeout(std::time::Duration::from_millis(100));
            })?;
        Ok(Server {
            addr,
            https,
            data: data.to_path_buf(),
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (`https://` when serving TLS).
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting, finishes in-flight requests and returns when the server is gone.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Connections the kernel queues for a listener before they are accepted: tokio's own default.
/// std's 128 overflowed when 200 phones connected at once, and each connection dropped that way
/// is tried again by the phone only a second later.
const LISTEN_BACKLOG: i32 = 1024;

/// Has an accepted connection send what is written at once (`TCP_NODELAY`): with Nagle's
/// algorithm, a part of an answer written after another waits until the peer acknowledges the
/// first, which a peer with nothing to send back delays by up to 40 ms.
pub(crate) fn send_at_once(tcp: &tokio::net::TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
    }
}

/// A TCP listener on `listen` (`host:port`) with room for [`LISTEN_BACKLOG`] waiting
/// connections (also what the tests' load balancer listens with).
pub fn bind(listen: &str) -> std::io::Result<std::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let addr = listen.to_socket_addrs()?.next().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{listen}: no address to listen on"),
        )
    })?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    // As std does: a restarted server binds its port again at once.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(LISTEN_BACKLOG)?;
    Ok(socket.into())
}
