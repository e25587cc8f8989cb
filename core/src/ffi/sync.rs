//! Sync on the exported API: enrolment, a sync run with progress callbacks, and what is not yet
//! on the server.

use std::sync::Arc;
use std::time::Duration;

use crate::sync::engine::{self, SyncProgress, SyncReport};

use super::{ApiResult, FieldStore};

/// Receives progress while a sync runs (on the syncing thread).
#[uniffi::export(with_foreign)]
pub trait SyncObserver: Send + Sync {
    /// Called at each step: feed read, each batch of documents, each photo, retries, done.
    fn on_progress(&self, progress: SyncProgressRecord);
}

/// Where a sync stands.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct SyncProgressRecord {
    /// `feed`, `documents`, `photos`, `retry` or `done`.
    pub phase: String,
    pub documents_done: u64,
    pub documents_total: u64,
    pub photos_done: u64,
    pub photos_total: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// For `retry`: why, and how long until the next attempt.
    pub message: Option<String>,
}

impl From<&SyncProgress> for SyncProgressRecord {
    fn from(p: &SyncProgress) -> Self {
        Self {
            phase: p.phase.clone(),
            documents_done: p.documents_done,
            documents_total: p.documents_total,
            photos_done: p.photos_done,
            photos_total: p.photos_total,
            bytes_sent: p.bytes_sent,
            bytes_received: p.bytes_received,
            message: None,
        }
    }
}

/// A document the server refused, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct RejectedRecord {
    pub inspection_id: String,
    pub reason: String,
}

impl RejectedRecord {
    fn list(refused: Vec<(String, String)>) -> Vec<RejectedRecord> {
        refused
            .into_iter()
            .map(|(inspection_id, reason)| RejectedRecord {
                inspection_id,
                reason,
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
        }
    }
}

/// This device's enrolment.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct EnrollmentRecord {
    pub device_id: String,
    pub user: String,
    pub role: String,
    pub stations: Vec<String>,
}

/// What is not yet on the server.
#[derive(Debug, Clone, PartialEq, serde::Serialize, uniffi::Record)]
pub struct SyncStatusRecord {
    pub enrolled: bool,
    pub server_url: Option<String>,
    /// The role the server enrolled this device's user with (`officer`, `supervisor`, ...).
    pub role: Option<String>,
    /// Inspections with changes the server has not confirmed.
    pub unsynced_inspections: u64,
    /// Photos the server has not confirmed.
    pub unsynced_photos: u64,
    /// Inspections the server refused, with its reason (kept locally, never lost).
    pub rejected: Vec<RejectedRecord>,
    pub last_sync_at: Option<String>,
}

fn notify(observer: &Option<Arc<dyn SyncObserver>>) -> impl FnMut(&SyncProgress) + '_ {
    move |p| {
        if let Some(o) = observer {
            o.on_progress(p.into());
        }
    }
}

impl FieldStore {
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
    pub fn enroll(
        &self,
        server_url: String,
        code: String,
        device_name: String,
    ) -> ApiResult<EnrollmentRecord> {
        let res = engine::enroll(&self.store, &server_url, &code, &device_name)?;
        Ok(EnrollmentRecord {
            device_id: res.device_id,
            user: res.user,
            role: res.role,
            stations: res.stations,
        })
    }

    /// Syncs once with the server: pushes what was recorded offline, pulls colleagues' changes,
    /// uploads photos. Recording can go on meanwhile. Fails with `ApiError::Network` when the
    /// connection breaks; calling again resumes.
    pub fn sync(&self, observer: Option<Arc<dyn SyncObserver>>) -> ApiResult<SyncReportRecord> {
        let client = self.sync_client()?;
        Ok(engine::sync_once(&self.store, &client, &mut notify(&observer))?.into())
    }

    /// Like [`FieldStore::sync`], retrying up to `attempts` times after network failures with
    /// exponential backoff (from 1 s) and jitter.
    pub fn sync_with_retry(
        &self,
        attempts: u32,
        observer: Option<Arc<dyn SyncObserver>>,
    ) -> ApiResult<SyncReportRecord> {
        let mut on_progress = notify(&observer);
        let mut on_retry = |attempt: u32, e: &crate::error::Error, wait: Duration| {
            if let Some(o) = &observer {
                o.on_progress(SyncProgressRecord {
                    phase: "retry".into(),
                    documents_done: 0,
                    documents_total: 0,
                    photos_done: 0,
                    photos_total: 0,
                    bytes_sent: 0,
                    bytes_received: 0,
                    message: Some(format!(
                        "attempt {attempt} failed ({e}); retrying in {:.1} s",
                        wait.as_secs_f64()
                    )),
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
    }

    /// What is not yet on the server, and what it refused.
    pub fn sync_status(&self) -> ApiResult<SyncStatusRecord> {
        let link = self.store.server_link()?;
        let pending = self.store.pending()?;
        Ok(SyncStatusRecord {
            enrolled: link.is_some(),
            role: link.as_ref().map(|l| l.role.clone()),
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
