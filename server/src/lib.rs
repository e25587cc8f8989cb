//! Quayside's agency server: officers' devices enrol with a one-time code and sync their records
//! here; every change is checked before it is stored. Embedded SQLite in a data directory.
//!
//! [`Server::start`] runs the real HTTP server on a listener, for the binary and for tests.

pub mod app;
pub mod blobs;
pub mod db;
pub mod demo;
pub mod error;
pub mod export;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use app::{AppState, Metrics};

/// Opens the data directory: database and photo store.
pub fn open_state(data: &Path) -> error::ServerResult<Arc<AppState>> {
    Ok(Arc::new(AppState {
        db: db::Db::open(data)?,
        uploads: blobs::Uploads::open(data)?,
        metrics: Metrics::default(),
    }))
}

/// A server running on its own runtime thread (tests, benchmarks, the demo).
pub struct Server {
    pub addr: SocketAddr,
    pub data: PathBuf,
    pub state: Arc<AppState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server on `listen` (use port 0 for any free port) over the data directory.
    pub fn start(data: &Path, listen: &str) -> error::ServerResult<Server> {
        let state = open_state(data)?;
        let std_listener = std::net::TcpListener::bind(listen)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = app::router(state.clone());
        let thread = std::thread::Builder::new()
            .name(format!("quayside-server-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(std_listener).expect("listener");
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = rx.await;
                        })
                        .await;
                });
                // Abandon connections still open (a killed server does the same).
                rt.shutdown_timeout(std::time::Duration::from_millis(100));
            })?;
        Ok(Server {
            addr,
            data: data.to_path_buf(),
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
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
