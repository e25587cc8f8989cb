//! Sync on the exported API: enrolment, a sync run with progress callbacks, and what is not yet
//! on the server.

use std::sync::Arc;
use std::time::Duration;

use crate::sync::engine::{self, SyncProgress, SyncReport};
use crate::sync::schedule;

use super::{
    ApiError, ApiResult, DocumentKind, ErrorCode, FieldStore, MessageKey, RefusalCode, Role,
    SyncPhase, UserMessage,
};

/// Receives progress while a sync runs (on the syncing thread).
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    /// Called at each step: feed read, each batch of documents, each photo, retries, done.
    fn on_progress(&self, progress: SyncProgressRecord);
}

/// Where a sync stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct SyncProgressRecord {
    pub phase: SyncPhase,
    pub documents_done: u64,
    pub documents_total: u64,
    pub photos_done: u64,
    pub photos_total: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// For `Retry`: which attempt failed, with what, and the wait before the next.
    pub retry: Option<RetryRecord>,
    /// What to show for this step.
    pub message: UserMessage,
}

/// A failed attempt inside [`FieldStore::sync_with_retry`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct RetryRecord {
    pub attempt: u32,
    pub error: ErrorCode,
    pub wait_ms: u64,
}

impl From<&SyncProgress> for SyncProgressRecord {
    fn from(p: &SyncProgress) -> Self {
        let phase: SyncPhase = p.phase.into();
        let message = match phase {
            SyncPhase::Documents => UserMessage::new(
                MessageKey::SyncPhaseDocuments,
                [p.documents_done.to_string(), p.documents_total.to_string()],
            ),
            SyncPhase::Photos => UserMessage::new(
                MessageKey::SyncPhasePhotos,
                [p.photos_done.to_string(), p.photos_total.to_string()],
            ),
            SyncPhase::Done => UserMessage::plain(MessageKey::SyncPhaseDone),
            SyncPhase::Feed | SyncPhase::Retry => UserMessage::plain(MessageKey::SyncPhaseFeed),
        };
        Self {
            phase,
            documents_done: p.documents_done,
            documents_total: p.documents_total,
            photos_done: p.photos_done,
            photos_total: p.photos_total,
            bytes_sent: p.bytes_sent,
            bytes_received: p.bytes_received,
            retry: None,
            message,
        }
    }
}

/// A document (or photo) the server refused, and why. It stays on this device, never lost.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct RejectedRecord {
    pub id: String,
    pub kind: DocumentKind,
    pub code: RefusalCode,
    /// The server's own words (English), for the record and support.
    pub reason: String,
    /// What to show.
    pub message: UserMessage,
}

impl RejectedRecord {
    fn list(refused: Vec<engine::Refused>) -> Vec<RejectedRecord> {
        refused
            .into_iter()
            .map(|r| {
                let code: RefusalCode = r.code.into();
                RejectedRecord {
                    message: UserMessage::new(code.label_key(), [r.reason.clone()]),
                    kind: DocumentKind::parse(&r.kind).unwrap_or(DocumentKind::Inspection),
                    id: r.id,
                    code,
                    reason: r.reason,
                }
            })
            .collect()
    }
}

/// What a finished sync did.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct SyncReportRecord {
    pub pushed: u64,
    pub received: u64,
    pub rejected: Vec<RejectedRecord>,
    pub photos_uploaded: u64,
    /// Colleagues' photos fetched for inspections this device holds.
    pub photos_downloaded: u64,
    /// Inspections brought together with the server through automerge's sync protocol.
    pub resynced: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub round_trips: u64,
    /// The server had been restored from a backup: everything this device holds was offered to
    /// it again.
    pub server_restored: bool,
    /// An administrator revoked this device and ordered it wiped: what the server accepted was
    /// pushed and the store has been deleted (what it refused, in `rejected`, went with it).
    /// Close the store, forget its key and show the set-up screen.
    pub wiped: bool,
}

impl From<SyncReport> for SyncReportRecord {
    fn from(r: SyncReport) -> Self {
        Self {
            pushed: r.pushed,
            received: r.received,
            rejected: RejectedRecord::list(r.rejected),
            photos_uploaded: r.photos_uploaded,
            photos_downloaded: r.photos_downloaded,
            resynced: r.resynced,
            bytes_sent: r.bytes_sent,
            bytes_received: r.bytes_received,
            round_trips: r.round_trips,
            server_restored: r.server_restored,
            wiped: r.wiped,
        }
    }
}

/// What an agency gives at enrolment for an HTTPS server the platform's trust store does not
/// vouch for.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct ServerTrust {
    /// PEM of the agency's own CA certificate(s), trusted beside the platform's roots.
    #[uniffi(default = None)]
    pub ca_pem: Option<String>,
    /// SHA-256 of the server's public key (SubjectPublicKeyInfo), hex or base64: only that key
    /// is accepted.
    #[uniffi(default = None)]
    pub pin_sha256: Option<String>,
}

impl From<ServerTrust> for crate::sync::tls::Trust {
    fn from(t: ServerTrust) -> Self {
        let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        Self {
            ca_pem: given(t.ca_pem),
            pin_sha256: given(t.pin_sha256),
        }
    }
}

/// This device's enrolment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct EnrollmentRecord {
    pub device_id: String,
    pub user: String,
    pub role: Role,
    pub stations: Vec<String>,
}

/// What is not yet on the server.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct SyncStatusRecord {
    pub enrolled: bool,
    pub server_url: Option<String>,
    /// The role the server enrolled this device's user with.
    pub role: Option<Role>,
    /// Inspections with changes the server has not confirmed.
    pub unsynced_inspections: u64,
    /// Photos the server has not confirmed.
    pub unsynced_photos: u64,
    /// What the server refused, with its reason (kept locally, never lost).
    pub rejected: Vec<RejectedRecord>,
    pub last_sync_at: Option<String>,
}

/// What the OS should be asked to do about sync (see [`FieldStore::sync_schedule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum SyncAction {
    /// Run a sync now.
    Now,
    /// Run a sync after `delay_ms`.
    After,
    /// Nothing until the device is enrolled.
    Enrol,
    /// The server refused this device: nothing until it is enrolled again.
    EnrolAgain,
}

/// When to sync next, decided by the core after every write and every attempt. Shells pass
/// it to WorkManager / BGTaskScheduler and keep no retry policy of their own.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct SyncSchedule {
    pub action: SyncAction,
    pub delay_ms: u64,
    /// Recorded work is waiting: ask for expedited work where the OS allows.
    pub expedited: bool,
    pub unsynced_inspections: u64,
    pub unsynced_photos: u64,
    /// Failed attempts since the last success, and the last failure.
    pub failures: u32,
    pub last_error: Option<ErrorCode>,
    /// What to show about sync now.
    pub message: UserMessage,
}

fn notify(observer: &Option<Arc<dyn SyncObserver>>) -> impl FnMut(&SyncProgress) + '_ {
    move |p| {
        if let Some(o) = observer {
            o.on_progress(p.into());
        }
    }
}

fn role_of(role: &str) -> ApiResult<Role> {
    Ok(crate::sync::policy::Role::parse(role)?.into())
}

impl FieldStore {
    /// Runs a sync and records how it ended for [`FieldStore::sync_schedule`].
    fn recorded(
        &self,
        run: impl FnOnce() -> ApiResult<SyncReportRecord>,
    ) -> ApiResult<SyncReportRecord> {
        let result = run();
        let failure = result.as_ref().err().map(ApiError::code);
        // Bookkeeping must not hide the sync's own outcome (a full disk fails the next
        // write anyway, where it is reported).
        let _ = self
            .store
            .record_sync_attempt(failure.map(ErrorCode::as_str));
        result
    }

    /// The cached client for the enrolled server (rebuilt if the enrolment changed).
    fn sync_client(&self) -> ApiResult<crate::sync::client::HttpClient> {
        let link = self.store.server_link()?;
        let mut cached = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if let (Some(c), Some(l)) = (cached.as_ref(), link.as_ref())
            && c.is_for(&l.url, &l.token)
        {
            return Ok(c.clone());
        }
        let client = engine::client_for(&self.store)?;
        *cached = Some(client.clone());
        Ok(client)
    }
}

#[uniffi::export]
impl FieldStore {
    /// Enrols this device with the agency server using a one-time code from an administrator.
    /// `trust` carries what the agency gives for a server the platform's trust store does not
    /// vouch for (its own CA, or a pinned key); it is kept with the enrolment.
    #[uniffi::method(default(trust = None))]
    pub fn enroll(
        &self,
        server_url: String,
        code: String,
        device_name: String,
        trust: Option<ServerTrust>,
    ) -> ApiResult<EnrollmentRecord> {
        let trust = trust.map(Into::into).unwrap_or_default();
        let res = engine::enroll(&self.store, &server_url, &code, &device_name, &trust)?;
        Ok(EnrollmentRecord {
            device_id: res.device_id,
            user: res.user,
            role: role_of(&res.role)?,
            stations: res.stations,
        })
    }

    /// Syncs once with the server: pushes what was recorded offline, pulls colleagues' changes,
    /// uploads photos. Recording can go on meanwhile. Fails with `ApiError::Network` when the
    /// connection breaks; calling again resumes. The outcome feeds [`FieldStore::sync_schedule`].
    pub fn sync(&self, observer: Option<Arc<dyn SyncObserver>>) -> ApiResult<SyncReportRecord> {
        self.recorded(|| {
            let client = self.sync_client()?;
            Ok(engine::sync_once(&self.store, &client, &mut notify(&observer))?.into())
        })
    }

    /// Like [`FieldStore::sync`], retrying up to `attempts` times after network failures with
    /// exponential backoff (from 1 s) and jitter.
    pub fn sync_with_retry(
        &self,
        attempts: u32,
        observer: Option<Arc<dyn SyncObserver>>,
    ) -> ApiResult<SyncReportRecord> {
        self.recorded(|| {
            let mut on_progress = notify(&observer);
            // Only a broken connection is retried (engine::sync_with_retry), so a retry's
            // error is always `Network`.
            let mut on_retry = |attempt: u32, _: &crate::error::Error, wait: Duration| {
                if let Some(o) = &observer {
                    let seconds = format!("{:.0}", wait.as_secs_f64().ceil());
                    o.on_progress(SyncProgressRecord {
                        phase: SyncPhase::Retry,
                        documents_done: 0,
                        documents_total: 0,
                        photos_done: 0,
                        photos_total: 0,
                        bytes_sent: 0,
                        bytes_received: 0,
                        retry: Some(RetryRecord {
                            attempt,
                            error: ErrorCode::Network,
                            wait_ms: wait.as_millis() as u64,
                        }),
                        message: UserMessage::new(
                            MessageKey::SyncPhaseRetry,
                            [attempt.to_string(), seconds],
                        ),
                    });
                }
            };
            let client = self.sync_client()?;
            Ok(engine::sync_with_retry(
                &self.store,
                &client,
                attempts.max(1),
                Duration::from_secs(1),
                &mut on_progress,
                &mut on_retry,
            )?
            .into())
        })
    }

    /// When to sync next and why, from what waits to be sent and how the last attempts ended.
    /// Shells ask for this after every write and after every sync, and hand the answer to the
    /// OS scheduler.
    pub fn sync_schedule(&self) -> ApiResult<SyncSchedule> {
        let link = self.store.server_link()?;
        let pending = self.store.pending()?;
        let (failures, last_error, last_attempt) = self.store.sync_attempts()?;
        let since = |at: Option<String>| {
            at.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
                .map(|t| {
                    (chrono::Utc::now() - t.with_timezone(&chrono::Utc))
                        .to_std()
                        .unwrap_or_default()
                })
        };
        let advice = schedule::advise(&schedule::Inputs {
            enrolled: link.is_some(),
            pending_documents: pending.documents,
            pending_photos: pending.photos,
            failures,
            last_error: last_error.clone(),
            since_attempt: since(last_attempt),
            since_success: since(self.store.last_sync()?),
        });
        let action = match advice.action {
            schedule::Action::Now => SyncAction::Now,
            schedule::Action::After => SyncAction::After,
            schedule::Action::Enrol => SyncAction::Enrol,
            schedule::Action::EnrolAgain => SyncAction::EnrolAgain,
        };
        let (docs, photos) = (pending.documents.to_string(), pending.photos.to_string());
        let message = match action {
            SyncAction::Enrol => UserMessage::plain(MessageKey::SyncNotEnrolled),
            SyncAction::EnrolAgain => UserMessage::plain(MessageKey::SyncEnrolAgain),
            _ if pending.documents + pending.photos == 0 => {
                UserMessage::plain(MessageKey::SyncUpToDate)
            }
            SyncAction::After if failures > 0 => UserMessage::new(
                MessageKey::SyncWaiting,
                [docs, photos, advice.delay.as_secs().to_string()],
            ),
            _ => UserMessage::new(MessageKey::SyncPending, [docs, photos]),
        };
        Ok(SyncSchedule {
            action,
            delay_ms: advice.delay.as_millis() as u64,
            expedited: advice.expedited,
            unsynced_inspections: pending.documents,
            unsynced_photos: pending.photos,
            failures,
            last_error: last_error.as_deref().and_then(ErrorCode::parse),
            message,
        })
    }

    /// What is not yet on the server, and what it refused.
    pub fn sync_status(&self) -> ApiResult<SyncStatusRecord> {
        let link = self.store.server_link()?;
        let pending = self.store.pending()?;
        Ok(SyncStatusRecord {
            enrolled: link.is_some(),
            role: link.as_ref().and_then(|l| role_of(&l.role).ok()),
            server_url: link.map(|l| l.url),
            unsynced_inspections: pending.documents,
            unsynced_photos: pending.photos,
            rejected: RejectedRecord::list(pending.rejected),
            last_sync_at: self.store.last_sync()?,
        })
    }
}

/// Which seizures to fetch from the server (every field narrows; `state` defaults to
/// `approved`, `country` to the caller's own).
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct SeizureFilter {
    /// First day, `2026-01-01`.
    #[uniffi(default = None)]
    pub from: Option<String>,
    /// Last day, `2026-12-31`.
    #[uniffi(default = None)]
    pub to: Option<String>,
    /// Station (port) UN/LOCODE.
    #[uniffi(default = None)]
    pub station: Option<String>,
    /// Any reference name of a substance.
    #[uniffi(default = None)]
    pub substance: Option<String>,
    /// Review state, or `all`.
    #[uniffi(default = None)]
    pub state: Option<String>,
    /// ISO country code (administrators; analysts see their own).
    #[uniffi(default = None)]
    pub country: Option<String>,
}

/// Fetches seizure data from the server with an API token (ozone-unit analysts, supervisors):
/// `format` is `json`, `csv` or `xlsx`; `group` (`substance`, `annex_group`, `origin`, `port`,
/// `month`, `year` or `annual`) fetches sums in that format instead of rows.
#[uniffi::export]
pub fn fetch_seizures(
    server_url: String,
    token: String,
    filter: SeizureFilter,
    format: String,
    group: Option<String>,
) -> ApiResult<Vec<u8>> {
    let client = crate::sync::client::HttpClient::new(&server_url, Some(token))?;
    // The server takes values exactly as its API description spells them; people type
    // "ghtem, ghtkd" or "Approved".
    let list = |v: String, upper: bool| {
        v.split(',')
            .map(|x| {
                let x = x.trim().replace(' ', "");
                if upper {
                    x.to_ascii_uppercase()
                } else {
                    x.to_ascii_lowercase().replace('-', "_")
                }
            })
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(",")
    };
    let word = |v: String| v.trim().to_ascii_lowercase();
    let mut query: Vec<(&str, String)> = [
        ("from", filter.from.map(|v| v.trim().to_string())),
        ("to", filter.to.map(|v| v.trim().to_string())),
        ("station", filter.station.map(|v| list(v, true))),
        // Any name the reference knows, sent as its id.
        (
            "substance",
            filter.substance.map(|v| {
                crate::reference::substance(&v)
                    .map(|s| s.id.clone())
                    .unwrap_or_else(|| v.trim().to_string())
            }),
        ),
        ("state", filter.state.map(|v| list(v, false))),
        ("country", filter.country.map(|v| list(v, true))),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
    .collect();
    query.push(("format", word(format)));
    let path = match group {
        Some(g) => {
            query.push(("group", word(g).replace(['-', ' '], "_")));
            "/v1/seizures/aggregates"
        }
        None => "/v1/seizures",
    };
    Ok(client.get(path, &query)?)
}
