//! The device's sync engine: pull the feed, push and pull documents in batches (one round trip
//! per batch), upload photos resumably, and retry with backoff and jitter. Every step is safe to
//! interrupt and repeat: the server identifies changes by hash, and the device records the shared
//! heads only after the server's answer has been merged.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_bytes::ByteBuf;

use super::client::HttpClient;
use super::protocol::RefusalCode;
use super::protocol::{
    DocPush, EnrollRequest, EnrollResponse, Outcome, PROTOCOL_VERSION, ResyncRequest, SyncRequest,
};
use super::tls::Trust;
use crate::doc::SyncState;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::sync_state::{Incoming, ServerLink};

/// Documents per sync request.
pub const BATCH_DOCS: usize = 500;
/// Bytes of changes per sync request (a batch closes early when it reaches this).
pub const BATCH_BYTES: usize = 8 * 1024 * 1024;
pub use super::client::CHUNK_BYTES;

/// The step a sync is at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    Feed,
    Documents,
    Photos,
    Done,
}

impl Phase {
    /// As shown on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Feed => "feed",
            Phase::Documents => "documents",
            Phase::Photos => "photos",
            Phase::Done => "done",
        }
    }
}

pub use super::protocol::Refused;

/// Where a sync stands, reported as it goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncProgress {
    pub phase: Phase,
    pub documents_done: u64,
    pub documents_total: u64,
    pub photos_done: u64,
    pub photos_total: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// What a finished sync did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Documents whose local changes the server accepted.
    pub pushed: u64,
    /// Documents that brought changes from the server.
    pub received: u64,
    /// Documents the server refused, with its reason.
    pub rejected: Vec<Refused>,
    pub photos_uploaded: u64,
    /// Colleagues' photos fetched for inspections this device holds.
    pub photos_downloaded: u64,
    /// Documents brought together with the server through automerge's sync protocol (the
    /// server did not know what this device had synced).
    pub resynced: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// HTTP requests made.
    pub round_trips: u64,
    /// The server had been restored from a backup: everything held here was offered again.
    pub server_restored: bool,
    /// An administrator revoked this device and ordered it wiped: what the server accepted was
    /// pushed, and the store (database and photos) has been deleted. What the server refused
    /// (listed in `rejected`) went with it. The app closes the store and forgets its key.
    pub wiped: bool,
}

/// Enrols the store with a server using a one-time code.
pub fn enroll(
    store: &Store,
    url: &str,
    code: &str,
    device_name: &str,
    trust: &Trust,
) -> Result<EnrollResponse> {
    if store.server_link()?.is_some() {
        return Err(Error::Invalid("this device is already enrolled".into()));
    }
    let client = HttpClient::with_trust(url, None, trust)?;
    let res = client.enroll(&EnrollRequest {
        code: normalize_code(code),
        actor: hex::encode(&store.device().actor),
        device_id: store.device().device_id.clone(),
        public_key: store.public_key(),
        device_name: device_name.into(),
        user: Some(store.device().user.clone()),
    })?;
    if res.user != store.device().user {
        return Err(Error::Invalid(format!(
            "this code enrols user {}, but this store belongs to {}; create a store for {} instead",
            res.user,
            store.device().user,
            res.user
        )));
    }
    store.set_server_link(&ServerLink {
        url: url.trim().trim_end_matches('/').into(),
        token: res.token.clone(),
        device_id: res.device_id.clone(),
        role: res.role.clone(),
        trust: trust.clone(),
    })?;
    Ok(res)
}

/// An enrolment code as the server issued it (`7KQ2-M9XD-4RTA`) from what a person typed
/// ("7kq2 m9xd 4rta", "7KQ2M9XD4RTA").
pub fn normalize_code(typed: &str) -> String {
    let chars: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() == 12 {
        format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..])
    } else {
        typed.trim().to_ascii_uppercase()
    }
}

/// A client for the server this store is enrolled with (create once and reuse: it keeps
/// connections open and building one loads the system's root certificates).
pub fn client_for(store: &Store) -> Result<HttpClient> {
    let link = store.server_link()?.ok_or_else(|| Error::NotEnrolled)?;
    HttpClient::with_trust(&link.url, Some(link.token), &link.trust)
}

/// One complete sync: feed, documents both ways, photos.
pub fn sync_once(
    store: &Store,
    client: &HttpClient,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let mut p = SyncProgress {
        phase: Phase::Feed,
        ..Default::default()
    };
    progress(&p);

    // 1. What changed on the server since last time (only documents this user may read).
    let start_cursor = store.feed_cursor()?;
    let mut cursor = start_cursor;
    let mut from_server: BTreeMap<String, String> = BTreeMap::new();
    let mut wipe = false;
    loop {
        let (page, bytes) = client.feed(cursor)?;
        report.round_trips += 1;
        report.bytes_received += bytes as u64;
        // Ordered wiped: push what is here (the feed brings nothing more), then wipe.
        wipe |= page.wipe;
        if let Some(restore) = &page.restored {
            // The server was restored from a backup since this device last looked: what it had
            // confirmed since the backup was taken may be gone. Everything is offered again.
            if store.recheck_after_server_restore(restore)? {
                report.server_restored = true;
            }
        }
        for e in page.entries {
            if matches!(e.kind.as_str(), "inspection" | "review")
                && e.seq > store.known_seq(&e.id)?
            {
                from_server.insert(e.id, e.kind);
            }
        }
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }

    // 2. Documents both ways, in batches.
    // Inspections before reviews, so a review never arrives ahead of what it reviews.
    let mut todo: BTreeMap<String, String> = store
        .unsynced_documents()?
        .into_iter()
        .map(|id| (id, String::new()))
        .collect();
    todo.extend(from_server);
    let mut todo: Vec<(String, String)> = todo.into_iter().collect();
    todo.sort_by_key(|(_, kind)| kind == "review");
    p.phase = Phase::Documents;
    p.documents_total = todo.len() as u64;
    show(&mut p, &report, progress);
    let mut full_resend: Vec<(String, String)> = Vec::new();
    for chunk in batches(store, &todo, false)? {
        let resync = push_batch(store, client, chunk, &mut report, &mut p, progress)?;
        full_resend.extend(resync);
    }
    // The server did not know our shared heads (say, it was restored from a backup): inspections
    // fall back to automerge's sync protocol, reviews (written once) are sent whole again.
    let (inspections, others): (Vec<_>, Vec<_>) = full_resend
        .into_iter()
        .partition(|(_, kind)| kind != "review");
    let mut incoming = Vec::new();
    for (id, kind) in inspections {
        incoming.push(resync_document(store, client, &id, &kind, &mut report)?);
    }
    store.apply_incoming(&incoming)?;
    for chunk in batches(store, &others, true)? {
        let again = push_batch(store, client, chunk, &mut report, &mut p, progress)?;
        for (id, kind) in again {
            report.rejected.push(Refused {
                id,
                kind,
                code: RefusalCode::Other,
                reason: "the server asked for a resync twice".into(),
            });
        }
    }
    if cursor != start_cursor {
        store.set_feed_cursor(cursor)?;
    }

    // 3. Photos the server does not have yet.
    let photos = store.photos_to_upload()?;
    p.phase = Phase::Photos;
    p.photos_total = photos.len() as u64;
    show(&mut p, &report, progress);
    for (sha, bytes) in photos {
        match upload_photo(store, client, &sha, bytes, &mut report) {
            Ok(()) => {}
            // Refused (say, the inspection showing it was refused): the photo stays here, is
            // listed, and the next sync offers it again. Only a refused device stops the sync.
            Err(Error::Server { status, message }) if status != 401 => {
                report.rejected.push(Refused {
                    id: sha.clone(),
                    kind: "photo".into(),
                    code: if status == 403 {
                        RefusalCode::NotAllowed
                    } else {
                        RefusalCode::Other
                    },
                    reason: format!("photo refused: {message}"),
                });
            }
            // Altered or damaged on this device (its seal or its hash fails): not sent, listed,
            // and the file kept as it is for whoever examines the phone.
            Err(Error::Integrity(why)) => report.rejected.push(Refused {
                id: sha.clone(),
                kind: "photo".into(),
                code: RefusalCode::Malformed,
                reason: format!("photo not sent: {why}"),
            }),
            Err(e) => return Err(e),
        }
        p.photos_done += 1;
        show(&mut p, &report, progress);
    }
    // A device ordered wiped has pushed what the server accepts (a broken connection ended the
    // sync above and keeps everything for the next contact): confirm, then delete the store.
    if wipe {
        client.confirm_wiped()?;
        report.round_trips += 1;
        store.wipe()?;
        report.wiped = true;
        p.phase = Phase::Done;
        show(&mut p, &report, progress);
        return Ok(report);
    }
    // 4. Colleagues' photos shown by inspections this device holds (a supervisor's evidence).
    for (sha, _) in store.wanted_photos()? {
        match client.get(&format!("/v1/blobs/{sha}"), &[]) {
            Ok(bytes) => {
                report.round_trips += 1;
                report.bytes_received += bytes.len() as u64;
                store.store_downloaded_photo(&sha, &bytes)?;
                report.photos_downloaded += 1;
                show(&mut p, &report, progress);
            }
            // Not uploaded by its officer yet: the next sync tries again.
            Err(Error::Server { status: 404, .. }) => report.round_trips += 1,
            Err(e) => return Err(e),
        }
    }
    store.mark_synced()?;
    p.phase = Phase::Done;
    show(&mut p, &report, progress);
    Ok(report)
}

/// Reports progress with the byte counts tallied so far (the report is the one tally).
fn show(p: &mut SyncProgress, report: &SyncReport, progress: &mut dyn FnMut(&SyncProgress)) {
    p.bytes_sent = report.bytes_sent;
    p.bytes_received = report.bytes_received;
    progress(p);
}

/// Groups documents into requests of at most [`BATCH_DOCS`] documents and about [`BATCH_BYTES`].
fn batches(store: &Store, ids: &[(String, String)], full: bool) -> Result<Vec<Vec<DocPush>>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0;
    for (id, kind) in ids {
        let o = store.outgoing(id, if kind.is_empty() { "inspection" } else { kind }, full)?;
        let size: usize =
            o.changes.iter().map(Vec::len).sum::<usize>() + o.snapshot.as_ref().map_or(0, Vec::len);
        if !current.is_empty() && (current.len() == BATCH_DOCS || bytes + size > BATCH_BYTES) {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += size;
        current.push(DocPush {
            id: o.id,
            kind: o.kind,
            shared_heads: o.shared_heads,
            heads: o.heads,
            changes: o.changes.into_iter().map(ByteBuf::from).collect(),
            snapshot: o.snapshot.map(ByteBuf::from),
        });
    }
    if !current.is_empty() {
        out.push(current);
    }
    Ok(out)
}

/// Sends one batch and merges the answer; returns documents (id, kind) the server wants resent
/// whole.
fn push_batch(
    store: &Store,
    client: &HttpClient,
    docs: Vec<DocPush>,
    report: &mut SyncReport,
    p: &mut SyncProgress,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<Vec<(String, String)>> {
    let pushed_changes: BTreeMap<String, usize> = docs
        .iter()
        .map(|d| {
            (
                d.id.clone(),
                d.changes.len() + usize::from(d.snapshot.is_some()),
            )
        })
        .collect();
    let count = docs.len() as u64;
    let kinds: BTreeMap<String, String> = docs
        .iter()
        .map(|d| (d.id.clone(), d.kind.clone()))
        .collect();
    let (res, sent, received) = client.sync(&SyncRequest {
        version: PROTOCOL_VERSION,
        docs,
    })?;
    report.round_trips += 1;
    report.bytes_sent += sent as u64;
    report.bytes_received += received as u64;
    let mut incoming = Vec::with_capacity(res.docs.len());
    let mut resync = Vec::new();
    for d in res.docs {
        match d.outcome {
            Outcome::Ok => {
                if pushed_changes.get(&d.id).copied().unwrap_or(0) > 0 {
                    report.pushed += 1;
                }
                if !d.changes.is_empty() || d.snapshot.is_some() {
                    report.received += 1;
                }
                incoming.push(Incoming::Merged {
                    kind: kinds
                        .get(&d.id)
                        .cloned()
                        .unwrap_or_else(|| "inspection".into()),
                    id: d.id,
                    heads: d.heads,
                    changes: d.changes.into_iter().map(|c| c.into_vec()).collect(),
                    snapshot: d.snapshot.map(|s| s.into_vec()),
                    seq: d.seq,
                });
            }
            Outcome::Rejected { reason, code } => {
                report.rejected.push(Refused {
                    id: d.id.clone(),
                    kind: kinds
                        .get(&d.id)
                        .cloned()
                        .unwrap_or_else(|| "inspection".into()),
                    code,
                    reason: reason.clone(),
                });
                incoming.push(Incoming::Rejected {
                    id: d.id,
                    reason,
                    code,
                });
            }
            Outcome::Resync => {
                let kind = kinds.get(&d.id).cloned().unwrap_or_default();
                resync.push((d.id, kind));
            }
        }
    }
    store.apply_incoming(&incoming)?;
    p.documents_done += count;
    show(p, report, progress);
    Ok(resync)
}

/// Brings one document and the server's copy together with automerge's sync protocol, one
/// request per round (the server keeps no state: it travels with each request).
fn resync_document(
    store: &Store,
    client: &HttpClient,
    id: &str,
    kind: &str,
    report: &mut SyncReport,
) -> Result<Incoming> {
    let mut local = store.document(crate::store::kind_name(kind), id)?;
    let mut mine = SyncState::new();
    let mut theirs: Option<ByteBuf> = None;
    let mut heads = Vec::new();
    for _ in 0..32 {
        let message = local.generate_sync_message(&mut mine);
        let (res, sent, received) = client.resync(&ResyncRequest {
            version: PROTOCOL_VERSION,
            id: id.to_string(),
            kind: kind.to_string(),
            message: message.clone().map(ByteBuf::from),
            state: theirs.take(),
        })?;
        report.round_trips += 1;
        report.bytes_sent += sent as u64;
        report.bytes_received += received as u64;
        if let Outcome::Rejected { reason, code } = res.outcome {
            report.rejected.push(Refused {
                id: id.to_string(),
                kind: kind.to_string(),
                code,
                reason: reason.clone(),
            });
            return Ok(Incoming::Rejected {
                id: id.to_string(),
                reason,
                code,
            });
        }
        theirs = Some(res.state);
        heads = res.heads;
        match res.message {
            Some(m) => local.receive_sync_message(&mut mine, &m)?,
            None if message.is_none() => break,
            None => {}
        }
    }
    report.resynced += 1;
    Ok(Incoming::Merged {
        id: id.to_string(),
        kind: kind.to_string(),
        heads,
        changes: local.changes_since(&[])?,
        snapshot: None,
        seq: 0,
    })
}

/// Uploads one photo from where the server's copy stops.
fn upload_photo(
    store: &Store,
    client: &HttpClient,
    sha: &str,
    total: u64,
    report: &mut SyncReport,
) -> Result<()> {
    // Opened (the file is sealed on the device) and checked against its hash: a photo altered
    // on this device is not sent as evidence (the server checks again).
    let sent = client.upload_blob(sha, total, || store.blobs().read_verified(sha))?;
    report.round_trips += sent.round_trips;
    report.bytes_sent += sent.bytes_sent;
    store.mark_photo_uploaded(sha)?;
    report.photos_uploaded += 1;
    Ok(())
}

/// Retries [`sync_once`] after network failures, waiting `base * 2^n` plus up to 50% jitter
/// between attempts. A refusal by the server (revoked device) is not retried.
pub fn sync_with_retry(
    store: &Store,
    client: &HttpClient,
    attempts: u32,
    base: Duration,
    progress: &mut dyn FnMut(&SyncProgress),
    on_retry: &mut dyn FnMut(u32, &Error, Duration),
) -> Result<SyncReport> {
    let mut attempt = 0;
    loop {
        match sync_once(store, client, progress) {
            Err(e @ Error::Network(_)) if attempt + 1 < attempts => {
                let backoff = base.saturating_mul(1 << attempt.min(10));
                let jitter = backoff.mul_f64(rand::random::<f64>() * 0.5);
                let wait = (backoff + jitter).min(Duration::from_secs(300));
                on_retry(attempt + 1, &e, wait);
                std::thread::sleep(wait);
                attempt += 1;
            }
            other => return other,
        }
    }
}
