//! The HTTP API (axum): enrolment, feed, batched sync, resumable photo uploads, administration,
//! health and Prometheus metrics. Handlers are thin: they authenticate, decode, hand the work to
//! the database on a blocking thread, and encode the answer.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use quayside_core::sync::policy::{Principal, Role};
use quayside_core::sync::protocol::{
    self, CBOR, EnrollRequest, Outcome, ResyncRequest, SyncRequest,
};
use serde::Deserialize;

use crate::blobs::{Chunk, UploadState};
use crate::db::Db;
use crate::error::{ServerError, ServerResult};
use crate::photos::Photos;

/// Everything a handler needs.
pub struct AppState {
    pub db: Db,
    pub photos: Photos,
    pub metrics: Metrics,
    /// Enrolment attempts one client address may make in any minute, counted in the database
    /// ([`Db::enrol_attempt`]) so that every instance on it counts the same attempts.
    pub enrol_per_minute: u32,
    /// The same limit counted by this instance alone, in memory: a flood of attempts from one
    /// address is turned away before it costs the database anything.
    pub enrol_limiter: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    /// Whose `X-Forwarded-For` names the client the limits count.
    pub trusted_proxies: crate::client_address::TrustedProxies,
}

/// Enrolment attempts one client address may make in any minute by default (then none until
/// the oldest of them is a minute old: [`Db::enrol_attempt`]).
pub const ENROL_PER_MINUTE: u32 = 10;

impl AppState {
    /// Writes (and removes) a probe in the database and the photo store: the data directory
    /// must take writes for the server to be of use.
    pub fn check_writable(&self) -> ServerResult<()> {
        self.db.write_probe()?;
        self.photos.write_probe()
    }
}

/// Counters exported at `/metrics`.
pub struct Metrics {
    registry: Registry,
    pub sync_requests: Counter,
    pub docs_stored: Counter,
    pub docs_rejected: Counter,
    pub docs_resync: Counter,
    pub sync_bytes_in: Counter,
    pub sync_bytes_out: Counter,
    pub photo_bytes_in: Counter,
    pub sync_seconds: Histogram,
    /// PostgreSQL's connections for requests: open, idle, at most (read at each scrape).
    database_connections: [Gauge; 3],
    /// This process's id (new at every start): several instances behind one address tell
    /// their metrics and readiness apart by it.
    pub instance: String,
    /// When this process started (RFC 3339).
    pub started_at: String,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::for_backend("sqlite", "local")
    }
}

impl Metrics {
    /// The metrics of a server whose records are kept by `database` (`sqlite` or `postgres`).
    pub fn for_backend(database: &str, photos: &str) -> Self {
        let mut registry = Registry::with_prefix("quayside");
        let instance = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
        let info = prometheus_client::metrics::info::Info::new(vec![
            ("instance_id".to_string(), instance.clone()),
            ("version".to_string(), env!("CARGO_PKG_VERSION").to_string()),
            ("database".to_string(), database.to_string()),
            ("photos".to_string(), photos.to_string()),
        ]);
        registry.register(
            "server",
            "This server process: its instance id, version and storage backends",
            info,
        );
        let m = Metrics {
            instance,
            started_at: crate::db::now(),
            sync_requests: Counter::default(),
            docs_stored: Counter::default(),
            docs_rejected: Counter::default(),
            docs_resync: Counter::default(),
            sync_bytes_in: Counter::default(),
            sync_bytes_out: Counter::default(),
            photo_bytes_in: Counter::default(),
            sync_seconds: Histogram::new([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
            database_connections: Default::default(),
            registry: Registry::default(),
        };
        if database == "postgres" {
            // Open equal to the most with none idle: requests wait for a connection
            // (`--database-connections`).
            for (gauge, (name, help)) in m.database_connections.iter().zip([
                (
                    "database_connections_open",
                    "Connections to PostgreSQL open for requests",
                ),
                (
                    "database_connections_idle",
                    "Of those, connections waiting for a request",
                ),
                (
                    "database_connections_max",
                    "Connections to PostgreSQL this instance opens at most for requests",
                ),
            ]) {
                registry.register(name, help, gauge.clone());
            }
        }
        registry.register(
            "sync_requests",
            "Sync requests handled",
            m.sync_requests.clone(),
        );
        registry.register(
            "sync_documents_stored",
            "Documents accepted by sync",
            m.docs_stored.clone(),
        );
        registry.register(
            "sync_documents_rejected",
            "Documents refused by the write policy",
            m.docs_rejected.clone(),
        );
        registry.register(
            "sync_documents_resync",
            "Documents answered with resync",
            m.docs_resync.clone(),
        );
        registry.register(
            "sync_request_bytes",
            "Bytes of sync request bodies",
            m.sync_bytes_in.clone(),
        );
        registry.register(
            "sync_response_bytes",
            "Bytes of sync response bodies",
            m.sync_bytes_out.clone(),
        );
        registry.register(
            "photo_upload_bytes",
            "Photo bytes received",
            m.photo_bytes_in.clone(),
        );
        registry.register(
            "sync_duration_seconds",
            "Time to handle a sync request",
            m.sync_seconds.clone(),
        );
        Metrics { registry, ..m }
    }
}

pub(crate) type Shared = Arc<AppState>;

/// The router with every route, limit and timeout.
pub fn router(state: Shared) -> Router {
    let api = Router::new()
        .route("/v1/enroll", post(enroll))
        .route(
            "/v1/resync",
            post(resync).layer(DefaultBodyLimit::max(protocol::MAX_SYNC_BODY)),
        )
        .route("/v1/feed", get(feed))
        .route("/v1/device/wiped", post(device_wiped))
        .route(
            "/v1/sync",
            post(sync).layer(DefaultBodyLimit::max(protocol::MAX_SYNC_BODY)),
        )
        .route(
            "/v1/blobs/{sha256}",
            get(blob_get)
                .head(blob_head)
                .patch(blob_patch)
                .layer(DefaultBodyLimit::max(protocol::MAX_CHUNK_BYTES)),
        )
        .route("/v1/admin/stations", post(admin_station))
        .route("/v1/admin/users", post(admin_user).get(admin_users))
        .route("/v1/admin/enrolment-codes", post(admin_code))
        .route("/v1/admin/devices", get(admin_devices))
        .route("/v1/admin/devices/{id}/revoke", post(admin_revoke))
        .route("/v1/seizures", get(seizures))
        .route("/v1/seizures/aggregates", get(seizure_aggregates))
        .route("/v1/openapi.yaml", get(openapi));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(api)
        .merge(crate::console::router())
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(axum::middleware::from_fn(crate::error::error_bodies))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), uri = %req.uri(), request_id = %id)
                },
            ),
        )
        .layer(tower_http::request_id::PropagateRequestIdLayer::x_request_id())
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
        .with_state(state)
}

/// Runs database work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ServerResult<T> + Send + 'static,
) -> ServerResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServerError::Internal(format!("worker: {e}")))?
}

/// The authenticated caller (from `Authorization: Bearer <token>`).
pub struct Caller(pub Principal);

impl FromRequestParts<Shared> for Caller {
    type Rejection = ServerError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        // A device ordered wiped reaches only the sync endpoints (`Db::principal` refuses it).
        let token = bearer(parts)?;
        let state = state.clone();
        let principal = blocking(move || state.db.principal(&token)).await?;
        Ok(Caller(principal))
    }
}

/// The caller of the device's sync endpoints (feed, sync, resync, photo upload), which a revoked
/// device ordered wiped may still use to push what it holds before it wipes its store
/// ([`crate::accounts::Access::PushThenWipe`]); every other endpoint takes [`Caller`], which refuses it.
pub struct SyncCaller(pub Principal, pub crate::accounts::Access);

impl FromRequestParts<Shared> for SyncCaller {
    type Rejection = ServerError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let state = state.clone();
        let (who, access) = blocking(move || state.db.access(&token)).await?;
        Ok(SyncCaller(who, access))
    }
}

fn bearer(parts: &Parts) -> ServerResult<String> {
    Ok(parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| ServerError::Unauthorized("missing bearer token".into()))?
        .to_string())
}

fn require_admin(who: &Principal) -> ServerResult<()> {
    if who.role == Role::Admin {
        Ok(())
    } else {
        Err(ServerError::Forbidden("administrators only".into()))
    }
}

fn cbor(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, CBOR)], bytes).into_response()
}

/// `GET /healthz`: `ok` when the database and the photo store take writes; 503 otherwise.
async fn healthz(State(state): State<Shared>) -> Response {
    match blocking(move || state.check_writable()).await {
        Ok(()) => "ok\n".into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            ServerError::Unavailable(
                "the server cannot write its data directory; devices should retry later".into(),
            )
            .into_response()
        }
    }
}

/// One store the server needs, as `/readyz` reports it.
#[derive(serde::Serialize)]
struct StoreCheck {
    backend: &'static str,
    /// A write was taken and removed just now.
    ok: bool,
    /// How long the probe took.
    millis: f64,
}

/// What `/readyz` reports.
#[derive(serde::Serialize)]
struct Readiness {
    ready: bool,
    instance: String,
    version: &'static str,
    started_at: String,
    database: StoreCheck,
    photos: StoreCheck,
}

/// `GET /readyz`: for a load balancer or an operator: whether this instance can serve, with a
/// write probe of each store it needs (which store, whether it took the write, how long it
/// took); 200 when both did, 503 (the error shape, naming the store that failed) otherwise.
/// Why a probe failed goes to the log, not here.
async fn readyz(State(state): State<Shared>) -> Response {
    let checked = blocking(move || {
        let probe = |backend: &'static str, what: &str, f: &dyn Fn() -> ServerResult<()>| {
            let t = std::time::Instant::now();
            let ok = match f() {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(error = %e, store = what, "readiness probe failed");
                    false
                }
            };
            StoreCheck {
                backend,
                ok,
                millis: t.elapsed().as_secs_f64() * 1e3,
            }
        };
        let database = probe(state.db.storage().backend(), "database", &|| {
            state.db.write_probe()
        });
        let photos = probe(state.photos.backend(), "photos", &|| {
            state.photos.write_probe()
        });
        Ok(Readiness {
            ready: database.ok && photos.ok,
            instance: state.metrics.instance.clone(),
            version: env!("CARGO_PKG_VERSION"),
            started_at: state.metrics.started_at.clone(),
            database,
            photos,
        })
    })
    .await;
    match checked {
        Ok(r) if r.ready => axum::Json(r).into_response(),
        // Every error answer has the one error shape: it names the store that failed.
        Ok(r) => {
            let state_of = |name: &str, c: &StoreCheck| {
                format!(
                    "{name} ({}) {}",
                    c.backend,
                    if c.ok {
                        "takes writes"
                    } else {
                        "does not take writes"
                    }
                )
            };
            ServerError::Unavailable(format!(
                "instance {} is not ready: {}; {}",
                r.instance,
                state_of("the database", &r.database),
                state_of("the photo store", &r.photos)
            ))
            .into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn metrics(State(state): State<Shared>) -> ServerResult<Response> {
    if let Some((open, idle, max)) = state.db.storage().connections() {
        for (gauge, value) in state
            .metrics
            .database_connections
            .iter()
            .zip([open, idle, max])
        {
            gauge.set(i64::from(value));
        }
    }
    let mut out = String::new();
    prometheus_client::encoding::text::encode(&mut out, &state.metrics.registry)
        .map_err(|e| ServerError::Internal(e.to_string()))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        out,
    )
        .into_response())
}

/// Whether one more enrolment attempt from the client behind `peer` (the connection's address,
/// see [`crate::client_address`]) is allowed now (phones and console alike): limited per client
/// address ([`ENROL_PER_MINUTE`] by default), so codes cannot be tried in bulk.
pub(crate) async fn enrol_allowed(
    state: &Shared,
    peer: Option<std::net::IpAddr>,
    headers: &axum::http::HeaderMap,
) -> ServerResult<()> {
    let peer = peer.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let client = state.trusted_proxies.client(peer, headers);
    let wait = match state.enrol_limiter.check_key(&client) {
        Err(wait) => {
            use governor::clock::Clock;
            Some(
                wait.wait_time_from(governor::clock::DefaultClock::default().now())
                    .as_secs()
                    .max(1),
            )
        }
        Ok(()) => {
            let state = state.clone();
            blocking(move || {
                state
                    .db
                    .enrol_attempt(&client.to_string(), state.enrol_per_minute)
            })
            .await?
        }
    };
    if let Some(after) = wait {
        return Err(ServerError::TooManyRequests(
            format!("too many enrolment attempts from this address; try again in {after} s"),
            after,
        ));
    }
    Ok(())
}

async fn enroll(
    State(state): State<Shared>,
    connect: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> ServerResult<Response> {
    enrol_allowed(&state, connect.map(|c| c.0.0.ip()), &headers).await?;
    let req: EnrollRequest = serde_json::from_slice(&body)
        .map_err(|e| ServerError::BadRequest(format!("malformed enrolment request: {e}")))?;
    let res = blocking(move || state.db.enroll(&req)).await?;
    tracing::info!(user = %res.user, device = %res.device_id, "device enrolled");
    Ok(Json(res).into_response())
}

#[derive(Deserialize)]
struct FeedQuery {
    #[serde(default)]
    since: u64,
    #[serde(default = "default_feed_limit")]
    limit: u32,
}

fn default_feed_limit() -> u32 {
    1000
}

async fn feed(
    State(state): State<Shared>,
    SyncCaller(who, access): SyncCaller,
    Query(q): Query<FeedQuery>,
) -> ServerResult<Response> {
    if q.since > i64::MAX as u64 {
        return Err(ServerError::BadRequest(format!(
            "since {} is past the largest cursor ({})",
            q.since,
            i64::MAX
        )));
    }
    if !(1..=5000).contains(&q.limit) {
        return Err(ServerError::BadRequest(format!(
            "limit {} is outside 1..=5000",
            q.limit
        )));
    }
    if access == crate::accounts::Access::PushThenWipe {
        // Nothing more reaches a device ordered wiped: it is told to push and wipe.
        return Ok(cbor(protocol::encode(&protocol::FeedResponse {
            entries: Vec::new(),
            cursor: q.since,
            more: false,
            restored: None,
            wipe: true,
        })));
    }
    let res = blocking(move || state.db.feed(&who, q.since, q.limit)).await?;
    Ok(cbor(protocol::encode(&res)))
}

/// `POST /v1/device/wiped`: a device ordered wiped has pushed what the server accepts and is
/// deleting its store; its token is refused from now on.
async fn device_wiped(
    State(state): State<Shared>,
    SyncCaller(who, access): SyncCaller,
) -> ServerResult<Response> {
    if access != crate::accounts::Access::PushThenWipe {
        return Err(ServerError::Conflict(
            "this device has not been ordered wiped".into(),
        ));
    }
    blocking(move || state.db.device_wiped(&who)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn sync(
    State(state): State<Shared>,
    // A device ordered wiped may still push (see SyncCaller).
    SyncCaller(who, _): SyncCaller,
    body: Bytes,
) -> ServerResult<Response> {
    let started = std::time::Instant::now();
    let req: SyncRequest = protocol::decode(&body)?;
    let st = state.clone();
    let res = blocking(move || {
        let blob_present = |sha: &str| st.photos.complete_len(sha).is_ok_and(|l| l.is_some());
        st.db.sync(&who, &req, &blob_present)
    })
    .await?;
    let m = &state.metrics;
    m.sync_requests.inc();
    m.sync_bytes_in.inc_by(body.len() as u64);
    for d in &res.docs {
        match d.outcome {
            Outcome::Ok => m.docs_stored.inc(),
            Outcome::Rejected { .. } => m.docs_rejected.inc(),
            Outcome::Resync => m.docs_resync.inc(),
        };
    }
    let bytes = protocol::encode(&res);
    m.sync_bytes_out.inc_by(bytes.len() as u64);
    m.sync_seconds.observe(started.elapsed().as_secs_f64());
    Ok(cbor(bytes))
}

async fn resync(
    State(state): State<Shared>,
    // A device ordered wiped may still push (see SyncCaller).
    SyncCaller(who, _): SyncCaller,
    body: Bytes,
) -> ServerResult<Response> {
    let req: ResyncRequest = protocol::decode(&body)?;
    let st = state.clone();
    let res = blocking(move || st.db.resync(&who, &req)).await?;
    state.metrics.docs_resync.inc();
    Ok(cbor(protocol::encode(&res)))
}

fn upload_headers(offset: u64, complete: bool) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("Tus-Resumable", HeaderValue::from_static("1.0.0"));
    h.insert("Upload-Offset", HeaderValue::from(offset));
    if complete {
        h.insert("Upload-Length", HeaderValue::from(offset));
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h
}

/// `HEAD /v1/blobs/{sha256}`: a photo the caller may read answers with its length; a photo
/// the caller may upload (an inspection they write references it) answers with how much of
/// their own upload has arrived; anything else is 404, so a hash alone reveals nothing.
async fn blob_head(
    State(state): State<Shared>,
    // A device ordered wiped may still push (see SyncCaller).
    SyncCaller(who, _): SyncCaller,
    Path(sha): Path<String>,
) -> ServerResult<Response> {
    let s = blocking(move || {
        Photos::check(&sha)?;
        let rights = state.db.blob_rights(&who, &sha)?;
        if rights.readable
            && let Some(len) = state.photos.complete_len(&sha)?
        {
            return Ok(UploadState {
                offset: len,
                complete: true,
            });
        }
        if rights.writable_refs.is_empty() {
            return Err(ServerError::NotFound(format!(
                "no photo {sha} you may read or upload"
            )));
        }
        Ok(UploadState {
            offset: state
                .photos
                .partial_offset(&state.db, &who.device_id, &sha)?,
            complete: false,
        })
    })
    .await?;
    Ok((StatusCode::OK, upload_headers(s.offset, s.complete)).into_response())
}

fn header_u64(headers: &HeaderMap, name: &str) -> ServerResult<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ServerError::BadRequest(format!("{name} header is required (a byte count)")))
}

/// `PATCH /v1/blobs/{sha256}`: appends a chunk to the caller's upload. Only an officer's device
/// whose inspection references the photo may upload it; the finished, verified bytes are
/// granted to those inspections.
async fn blob_patch(
    State(state): State<Shared>,
    // A device ordered wiped may still push (see SyncCaller).
    SyncCaller(who, _): SyncCaller,
    Path(sha): Path<String>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> ServerResult<Response> {
    let offset = header_u64(&headers, "Upload-Offset")?;
    let total = header_u64(&headers, "Upload-Length")?;
    let checksum = headers
        .get("Upload-Checksum")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        ServerError::PayloadTooLarge(format!(
            "a chunk is at most {} bytes",
            protocol::MAX_CHUNK_BYTES
        ))
    };
    if declared.is_some_and(|len| len > protocol::MAX_CHUNK_BYTES as u64) {
        return Err(too_large());
    }
    let st = state.clone();
    let (caller, photo) = (who.clone(), sha.clone());
    let rights = blocking(move || {
        Photos::check(&photo)?;
        if caller.role != Role::Officer || caller.device_id.is_empty() {
            return Err(ServerError::Forbidden(
                "only an officer's enrolled device uploads photos".into(),
            ));
        }
        let rights = st.db.blob_rights(&caller, &photo)?;
        if rights.readable
            && let Some(len) = st.photos.complete_len(&photo)?
        {
            // Already here and readable by this device: nothing to add.
            return Ok(Err(len));
        }
        if rights.writable_refs.is_empty() {
            return Err(ServerError::Forbidden(format!(
                "no inspection you may write references photo {photo}: sync the inspection first"
            )));
        }
        Ok(Ok(rights))
    })
    .await;
    let rights = match rights {
        Ok(Ok(rights)) => rights,
        answered => {
            // Answered before the chunk is read: it is read and dropped first, as closing a
            // connection with bytes unread resets it, and the device would miss the answer.
            let _ = axum::body::to_bytes(body, protocol::MAX_CHUNK_BYTES).await;
            let Err(held) = answered? else {
                unreachable!("rights to upload go on to the upload")
            };
            return Ok((StatusCode::NO_CONTENT, upload_headers(held, true)).into_response());
        }
    };
    let chunk = match declared {
        // Its length known, the chunk is handed over while it arrives.
        Some(len) if state.photos.streams() => Chunk::Arriving { len, body },
        _ => Chunk::Whole(
            axum::body::to_bytes(body, protocol::MAX_CHUNK_BYTES)
                .await
                .map_err(|_| too_large())?,
        ),
    };
    let len = chunk.len();
    let st = state.clone();
    let s = blocking(move || {
        let s = st.photos.append(
            &st.db,
            &who.device_id,
            &sha,
            offset,
            total,
            checksum.as_deref(),
            chunk,
        )?;
        if s.complete {
            st.db.grant_blob(&who, &sha, &rights.writable_refs)?;
        }
        Ok(s)
    })
    .await?;
    state.metrics.photo_bytes_in.inc_by(len);
    Ok((StatusCode::NO_CONTENT, upload_headers(s.offset, s.complete)).into_response())
}

/// `GET /v1/blobs/{sha256}`: a photo's verified bytes, to those who may read an inspection it
/// was granted to.
async fn blob_get(
    State(state): State<Shared>,
    Caller(who): Caller,
    Path(sha): Path<String>,
) -> ServerResult<Response> {
    let bytes = blocking(move || {
        Photos::check(&sha)?;
        if !state.db.blob_rights(&who, &sha)?.readable {
            return Err(ServerError::NotFound(format!(
                "no photo {sha} you may read"
            )));
        }
        state.photos.read(&sha)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response())
}

/// Checks a value the API description constrains, exactly as it spells it (the command line is
/// lenient with what people type; the HTTP API states its shapes and holds to them).
fn require_shape(name: &str, value: &str, ok: bool, expected: &str) -> ServerResult<()> {
    if ok {
        Ok(())
    } else {
        Err(ServerError::BadRequest(format!(
            "{name} {value:?} is not {expected}"
        )))
    }
}

/// `^[A-Z]{2}[A-Z2-9]{3}$`
fn is_locode(s: &str) -> bool {
    s.len() == 5
        && s[..2].chars().all(|c| c.is_ascii_uppercase())
        && s[2..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='9').contains(&c))
}

/// A user name: `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`.
pub fn is_user_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Free text people read (names): no control characters, not blank, not padded with white
/// space, at most 200 characters.
fn is_label(s: &str) -> bool {
    !s.trim().is_empty()
        && s.trim() == s
        && !s.chars().any(char::is_control)
        && s.chars().count() <= 200
}

#[derive(Deserialize)]
struct StationBody {
    locode: String,
    country: Option<String>,
    name: String,
}

async fn admin_station(
    State(state): State<Shared>,
    Caller(who): Caller,
    Json(b): Json<StationBody>,
) -> ServerResult<Response> {
    require_admin(&who)?;
    require_shape(
        "locode",
        &b.locode,
        is_locode(&b.locode),
        "a UN/LOCODE such as GHTEM",
    )?;
    require_shape(
        "name",
        &b.name,
        is_label(&b.name),
        "a name (1 to 200 characters, not padded)",
    )?;
    if let Some(c) = &b.country {
        require_shape(
            "country",
            c,
            c.len() == 2 && c.chars().all(|x| x.is_ascii_uppercase()),
            "two capital letters such as GH",
        )?;
        if c != quayside_core::model::locode::country_of(&b.locode) {
            return Err(ServerError::Conflict(format!(
                "country {c} does not match station {}, which is in {}",
                b.locode,
                quayside_core::model::locode::country_of(&b.locode)
            )));
        }
    }
    let locode = blocking(move || {
        let country = quayside_core::model::locode::country_of(&b.locode).to_string();
        state.db.add_station(&b.locode, &country, &b.name)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "locode": locode })),
    )
        .into_response())
}

#[derive(Deserialize)]
struct UserBody {
    name: String,
    role: String,
    #[serde(default)]
    stations: Vec<String>,
    country: Option<String>,
}

async fn admin_user(
    State(state): State<Shared>,
    Caller(who): Caller,
    Json(b): Json<UserBody>,
) -> ServerResult<Response> {
    require_admin(&who)?;
    require_shape(
        "name",
        &b.name,
        is_user_name(&b.name),
        "a user name of letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)",
    )?;
    for s in &b.stations {
        require_shape("station", s, is_locode(s), "a UN/LOCODE such as GHTEM")?;
    }
    if let Some(c) = &b.country {
        require_shape(
            "country",
            c,
            quayside_core::model::locode::ISO_3166_ALPHA_2.contains(&c.as_str()),
            "an ISO 3166-1 alpha-2 code such as GH",
        )?;
    }
    let user = blocking(move || {
        state
            .db
            .add_user(&b.name, &b.role, &b.stations, b.country.as_deref())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(user)).into_response())
}

async fn admin_users(State(state): State<Shared>, Caller(who): Caller) -> ServerResult<Response> {
    require_admin(&who)?;
    Ok(Json(blocking(move || state.db.users()).await?).into_response())
}

#[derive(Deserialize)]
struct CodeBody {
    user: String,
    /// A JSON number with no fraction (`48` or `48.0`: JSON does not tell them apart).
    #[serde(default = "default_hours")]
    hours: f64,
}

fn default_hours() -> f64 {
    72.0
}

async fn admin_code(
    State(state): State<Shared>,
    Caller(who): Caller,
    Json(b): Json<CodeBody>,
) -> ServerResult<Response> {
    require_admin(&who)?;
    require_shape("user", &b.user, is_user_name(&b.user), "a user name")?;
    let hours = b.hours;
    if hours.fract() != 0.0 || !(1.0..=crate::accounts::MAX_CODE_HOURS as f64).contains(&hours) {
        return Err(ServerError::BadRequest(format!(
            "an enrolment code is valid for 1 to {} whole hours, not {hours}",
            crate::accounts::MAX_CODE_HOURS
        )));
    }
    let code = blocking(move || state.db.create_enrol_code(&b.user, hours as i64)).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "code": code })),
    )
        .into_response())
}

async fn admin_devices(State(state): State<Shared>, Caller(who): Caller) -> ServerResult<Response> {
    require_admin(&who)?;
    Ok(Json(blocking(move || state.db.devices()).await?).into_response())
}

#[derive(Deserialize)]
struct RevokeQuery {
    #[serde(default)]
    wipe: bool,
}

async fn admin_revoke(
    State(state): State<Shared>,
    Caller(who): Caller,
    Path(id): Path<String>,
    Query(q): Query<RevokeQuery>,
) -> ServerResult<Response> {
    require_admin(&who)?;
    blocking(move || state.db.revoke_device(&id, q.wipe)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v1/seizures`: the seizures the caller may read, as JSON, CSV or XLSX.
async fn seizures(
    State(state): State<Shared>,
    Caller(who): Caller,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> ServerResult<Response> {
    let (q, how) = crate::export::parse_query(query.as_deref())?;
    seizure_file(&state, who, q, how.format).await
}

/// The seizures `who` asked for (`q`) as a file in `format`; the API and the console's
/// dashboard answer downloads with it. The file is written row by row (on a connection of its
/// own, one snapshot) into an unnamed temporary file and streamed from there with its length,
/// so neither the rows nor the rendered file are held in memory, whatever their size.
pub(crate) async fn seizure_file(
    state: &Shared,
    who: Principal,
    q: crate::export::SeizureQuery,
    format: crate::export::Format,
) -> ServerResult<Response> {
    let state = state.clone();
    let (file, len, stem) = blocking(move || {
        let mut file = tempfile::tempfile()?;
        let head = state
            .db
            .read_alone(|c| crate::export::write_report(c, &who, &q, format, &mut file))?;
        let len = std::io::Seek::stream_position(&mut file)?;
        std::io::Seek::rewind(&mut file)?;
        Ok((file, len, head.filter.file_stem()))
    })
    .await?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
        tokio::fs::File::from_std(file),
        64 * 1024,
    ));
    let mut response = download(body, &stem, format)?;
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    Ok(response)
}

/// `GET /v1/seizures/aggregates`: cases, kg, tonnes, ODP-tonnes and CO2-eq tonnes by annex
/// group, substance, origin, port, month or year, or the annual summary; JSON, CSV or XLSX.
async fn seizure_aggregates(
    State(state): State<Shared>,
    Caller(who): Caller,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> ServerResult<Response> {
    let (q, how) = crate::export::parse_query(query.as_deref())?;
    let (body, stem) = blocking(move || {
        let report = state
            .db
            .read(|c| crate::export::aggregate_report(c, &who, &q, how.group))?;
        Ok((
            crate::export::render_aggregates(&report, how.format)?,
            format!("{}-by-{}", report.filter.file_stem(), how.group.as_str()),
        ))
    })
    .await?;
    download(body, &stem, how.format)
}

/// An export's answer: its content type, never cached, and CSV or XLSX as a named attachment.
fn download(
    body: impl axum::response::IntoResponse,
    stem: &str,
    format: crate::export::Format,
) -> ServerResult<Response> {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if format != crate::export::Format::Json {
        let disposition = format!("attachment; filename=\"{stem}.{}\"", format.extension());
        headers.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_str(&disposition)
                .map_err(|e| ServerError::Internal(format!("file name: {e}")))?,
        );
    }
    Ok((headers, body).into_response())
}

/// `GET /v1/openapi.yaml`: the description of this API.
async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/yaml")],
        include_str!("../openapi.yaml"),
    )
        .into_response()
}
