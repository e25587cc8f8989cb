//! What the device store remembers about sync: the server it is enrolled with, the feed cursor,
//! per document the server heads it has merged (or the server's refusal), and which photos the
//! server has confirmed. Results of a sync round are applied in one transaction.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::{
    Store,
    inspections::{merge_one, merge_snapshot},
    stored_bytes, stored_heads,
};
use crate::doc;
use crate::error::Result;
use crate::model::edits::now_rfc3339;

/// What the server has confirmed holding (see [`Store::confirmed_by_server`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Confirmed {
    /// Each synced document with the server heads this device merged.
    pub docs: Vec<(String, Vec<String>)>,
    /// Every photo the server reported complete.
    pub photos: Vec<String>,
}

/// The server this store syncs with.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerLink {
    pub url: String,
    pub token: String,
    pub device_id: String,
    /// The user's role as the server told it at enrolment.
    pub role: String,
    /// The agency CA or pinned key given at enrolment.
    pub trust: crate::sync::trust::Trust,
}

/// A document to push: what the server has seen of it and what changed since.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub id: String,
    /// `inspection` or `review`.
    pub kind: String,
    pub shared_heads: Vec<String>,
    pub heads: Vec<String>,
    pub changes: Vec<Vec<u8>>,
    /// The whole stored document, instead of `changes`, when the server has seen none of it.
    pub snapshot: Option<Vec<u8>>,
}

/// The server's answer for one document, as the store applies it.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Merged {
        id: String,
        kind: String,
        heads: Vec<String>,
        changes: Vec<Vec<u8>>,
        /// The whole document, when this device had none of it.
        snapshot: Option<Vec<u8>>,
        seq: u64,
    },
    Rejected {
        id: String,
        reason: String,
        code: crate::sync::protocol::RefusalCode,
    },
}

/// What is not yet on the server.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pending {
    pub documents: u64,
    pub photos: u64,
    pub rejected: Vec<crate::sync::protocol::Refused>,
}

fn meta(conn: &rusqlite::Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn set_meta(conn: &rusqlite::Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

impl Store {
    /// The server this store is enrolled with.
    pub fn server_link(&self) -> Result<Option<ServerLink>> {
        let conn = self.reader();
        let (Some(url), Some(token), Some(device_id)) = (
            meta(&conn, "server_url")?,
            meta(&conn, "server_token")?,
            meta(&conn, "server_device_id")?,
        ) else {
            return Ok(None);
        };
        let role = meta(&conn, "role")?.unwrap_or_default();
        let trust = crate::sync::trust::Trust {
            ca_pem: meta(&conn, "server_ca_pem")?.filter(|v| !v.is_empty()),
            pin_sha256: meta(&conn, "server_pin_sha256")?.filter(|v| !v.is_empty()),
        };
        Ok(Some(ServerLink {
            url,
            token,
            device_id,
            role,
            trust,
        }))
    }

    /// Remembers the server after enrolment.
    pub fn set_server_link(&self, link: &ServerLink) -> Result<()> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        set_meta(&tx, "server_url", &link.url)?;
        set_meta(&tx, "server_token", &link.token)?;
        set_meta(&tx, "server_device_id", &link.device_id)?;
        set_meta(&tx, "role", &link.role)?;
        set_meta(
            &tx,
            "server_ca_pem",
            link.trust.ca_pem.as_deref().unwrap_or(""),
        )?;
        set_meta(
            &tx,
            "server_pin_sha256",
            link.trust.pin_sha256.as_deref().unwrap_or(""),
        )?;
        set_meta(&tx, "feed_cursor", "0")?;
        tx.commit()?;
        Ok(())
    }

    /// The role this device was enrolled with, if enrolled.
    pub fn role(&self) -> Result<Option<String>> {
        meta(&self.reader(), "role")
    }

    /// The server says it was restored from a backup (`restore_id`, new with every restore).
    /// The first time this store hears of that restore, what the server had confirmed may be
    /// gone from it: every inspection (and, on a supervisor's device, every review: only their
    /// writer may push them) is marked as never synced, so the next push offers it whole (the
    /// server keeps what it lacks, after its checks, and ignores what it has), and every photo
    /// this device uploaded is asked about again (a download is not its to upload). Returns
    /// whether this restore was new. One transaction: a crash leaves it to the next sync.
    pub fn recheck_after_server_restore(&self, restore_id: &str) -> Result<bool> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        if meta(&tx, "server_restore")?.as_deref() == Some(restore_id) {
            return Ok(false);
        }
        let reviews_too = meta(&tx, "role")?.as_deref() == Some("supervisor");
        tx.execute(
            "UPDATE sync_state SET shared_heads = '[]'
             WHERE shared_heads != '[]' AND doc_id IN
                (SELECT id FROM documents WHERE kind = 'inspection' OR (?1 AND kind = 'review'))",
            [reviews_too],
        )?;
        // A downloaded photo is stored with uploaded_at = added_at; this device's own were
        // confirmed later than they were taken.
        tx.execute(
            "UPDATE blobs SET uploaded_at = NULL
             WHERE uploaded_at IS NOT NULL AND uploaded_at != added_at",
            [],
        )?;
        set_meta(&tx, "server_restore", restore_id)?;
        tx.commit()?;
        Ok(true)
    }

    /// The feed cursor: server changes up to here have been merged.
    pub fn feed_cursor(&self) -> Result<u64> {
        Ok(meta(&self.reader(), "feed_cursor")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0))
    }

    /// Advances the feed cursor.
    pub fn set_feed_cursor(&self, cursor: u64) -> Result<()> {
        set_meta(&self.writer(), "feed_cursor", &cursor.to_string())
    }

    /// When the last sync finished, if ever.
    pub fn last_sync(&self) -> Result<Option<String>> {
        meta(&self.reader(), "last_sync_at")
    }

    /// Records that a sync finished now.
    pub fn mark_synced(&self) -> Result<()> {
        set_meta(&self.writer(), "last_sync_at", &now_rfc3339())
    }

    /// Records how a sync attempt ended: `None` for success, else the failure's code. Failures
    /// since the last success are counted (the schedule backs off on them).
    pub fn record_sync_attempt(&self, failure: Option<&str>) -> Result<()> {
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        let failures: u32 = match failure {
            None => 0,
            Some(_) => meta(&tx, "sync_failures")?
                .and_then(|f| f.parse().ok())
                .unwrap_or(0u32)
                .saturating_add(1),
        };
        set_meta(&tx, "sync_failures", &failures.to_string())?;
        set_meta(&tx, "sync_last_error", failure.unwrap_or(""))?;
        set_meta(&tx, "sync_last_attempt_at", &now_rfc3339())?;
        tx.commit()?;
        Ok(())
    }

    /// Failed attempts since the last success, the last failure's code, and when the last
    /// attempt ended.
    pub fn sync_attempts(&self) -> Result<(u32, Option<String>, Option<String>)> {
        let conn = self.reader();
        let failures = meta(&conn, "sync_failures")?
            .and_then(|f| f.parse().ok())
            .unwrap_or(0);
        let last_error = meta(&conn, "sync_last_error")?.filter(|e| !e.is_empty());
        Ok((failures, last_error, meta(&conn, "sync_last_attempt_at")?))
    }

    /// Ids of documents with changes the server has not confirmed (local heads differ from the
    /// shared heads), oldest first.
    /// Read from `unsynced`, which triggers keep exact on every write (migration 010), so this
    /// costs what changed, not what is stored; debug builds (every test) check it against the
    /// full comparison of every document with its sync state.
    pub fn unsynced_documents(&self) -> Result<Vec<String>> {
        let conn = self.reader();
        let ids: Vec<String> = conn
            .prepare_cached("SELECT doc_id FROM unsynced ORDER BY doc_id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if cfg!(debug_assertions) {
            let every: Vec<String> = conn
                .prepare_cached(
                    "SELECT d.id FROM documents d LEFT JOIN sync_state s ON s.doc_id = d.id
                     WHERE s.doc_id IS NULL OR s.shared_heads != d.heads ORDER BY d.id",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            assert_eq!(
                ids, every,
                "the unsynced table disagrees with the documents"
            );
        }
        Ok(ids)
    }

    /// The feed sequence number last merged for each of `ids` (0 when never synced).
    pub fn known_seq(&self, id: &str) -> Result<u64> {
        Ok(self
            .reader()
            .prepare_cached("SELECT seq FROM sync_state WHERE doc_id = ?1")?
            .query_row([id], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0) as u64)
    }

    /// What to send for document `id`: its changes since the shared heads, or, when the server
    /// has seen none of it (or `full`), the stored document as it is (compressed, not loaded).
    /// A document this device does not have yet is asked for with nothing, as `kind`.
    pub fn outgoing(&self, id: &str, kind: &str, full: bool) -> Result<Outgoing> {
        let stored_kind: Option<String> = self
            .reader()
            .prepare_cached("SELECT kind FROM documents WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let kind = stored_kind.unwrap_or_else(|| kind.to_string());
        let shared: Vec<String> = if full {
            Vec::new()
        } else {
            self.reader()
                .prepare_cached("SELECT shared_heads FROM sync_state WHERE doc_id = ?1")?
                .query_row([id], |r| r.get::<_, String>(0))
                .optional()?
                .map(|h| serde_json::from_str(&h).unwrap_or_default())
                .unwrap_or_default()
        };
        let empty = |heads: Vec<String>, snapshot: Option<Vec<u8>>| Outgoing {
            id: id.into(),
            kind: kind.clone(),
            shared_heads: Vec::new(),
            heads,
            changes: Vec::new(),
            snapshot,
        };
        if shared.is_empty() {
            return Ok(match stored_bytes(&*self.reader(), id)? {
                Some((bytes, heads)) => empty(heads, Some(bytes)),
                None => empty(Vec::new(), None),
            });
        }
        let found = self.read_document(super::kind_name(&kind), id, |d| {
            let heads = doc::format_heads(&d.heads());
            let changes = d.changes_since(&doc::parse_heads(&shared)?)?;
            Ok((heads, changes))
        });
        let (heads, changes) = match found {
            Ok(found) => found,
            // Shared heads this device does not hold (a damaged record): send it whole.
            Err(crate::error::Error::Invalid(_)) => return self.outgoing(id, &kind, true),
            Err(e) => return Err(e),
        };
        Ok(Outgoing {
            id: id.into(),
            kind,
            shared_heads: shared,
            heads,
            changes,
            snapshot: None,
        })
    }

    /// Applies the server's answers in one transaction: merges what the device lacked and
    /// records the new shared heads, or the refusal.
    pub fn apply_incoming(&self, results: &[Incoming]) -> Result<()> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let actor = self.device().actor.clone();
        for r in results {
            match r {
                Incoming::Merged {
                    id,
                    kind,
                    heads,
                    changes,
                    snapshot,
                    seq,
                } => {
                    if let Some(bytes) = snapshot {
                        merge_snapshot(&tx, &actor, kind, id, bytes)?;
                    }
                    if !changes.is_empty() {
                        merge_one(&tx, &actor, kind, id, changes)?;
                    }
                    // Nothing stored (the server had no changes for a document asked about).
                    if stored_heads(&tx, super::kind_name(kind), id).is_err() {
                        continue;
                    }
                    tx.prepare_cached(
                        "INSERT INTO sync_state(doc_id, shared_heads, seq, rejected, rejected_at)
                         VALUES (?1, ?2, ?3, NULL, NULL)
                         ON CONFLICT(doc_id) DO UPDATE SET shared_heads = excluded.shared_heads,
                             seq = max(seq, excluded.seq), rejected = NULL, rejected_at = NULL",
                    )?
                    .execute(params![
                        id,
                        serde_json::to_string(heads).expect("heads serialise"),
                        *seq as i64
                    ])?;
                }
                // A refusal is remembered for documents this device holds (a document it only
                // asked about has nothing to keep).
                Incoming::Rejected { id, .. } if stored_bytes(&tx, id)?.is_none() => {}
                Incoming::Rejected { id, reason, code } => {
                    tx.prepare_cached(
                        "INSERT INTO sync_state(doc_id, rejected, rejected_code, rejected_at) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT(doc_id) DO UPDATE SET rejected = excluded.rejected,
                             rejected_code = excluded.rejected_code, rejected_at = excluded.rejected_at",
                    )?
                    .execute(params![id, reason, code.as_str(), now_rfc3339()])?;
                }
            }
        }
        // Cached copies of merged documents no longer match the stored heads, so the cache
        // will not serve them.
        tx.commit()?;
        Ok(())
    }

    /// Photos not yet confirmed by the server: (sha256, bytes).
    pub fn photos_to_upload(&self) -> Result<Vec<(String, u64)>> {
        let conn = self.reader();
        let mut stmt = conn.prepare_cached(
            "SELECT sha256, bytes FROM blobs WHERE uploaded_at IS NULL ORDER BY added_at",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Photos to download: shown by inspections here, files not here yet (sha256, bytes).
    pub fn wanted_photos(&self) -> Result<Vec<(String, u64)>> {
        let conn = self.reader();
        let mut stmt =
            conn.prepare_cached("SELECT sha256, bytes FROM wanted_photos ORDER BY sha256")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Stores a downloaded photo after checking it hashes to its name; the server has it, so it
    /// is not uploaded back.
    pub fn store_downloaded_photo(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let stored = self.blobs().put_bytes(bytes)?;
        if stored.sha256 != sha256 {
            return Err(crate::error::Error::Integrity(format!(
                "downloaded photo {sha256} hashes to {}",
                stored.sha256
            )));
        }
        let mut conn = self.writer();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO blobs(sha256, bytes, mime, added_at, uploaded_at)
             SELECT sha256, ?2, mime, ?3, ?3 FROM wanted_photos WHERE sha256 = ?1
             ON CONFLICT(sha256) DO NOTHING",
            params![sha256, stored.bytes as i64, now_rfc3339()],
        )?;
        tx.execute("DELETE FROM wanted_photos WHERE sha256 = ?1", [sha256])?;
        tx.commit()?;
        Ok(())
    }

    /// Records that the server holds a verified copy of the photo.
    pub fn mark_photo_uploaded(&self, sha256: &str) -> Result<()> {
        self.writer().execute(
            "UPDATE blobs SET uploaded_at = ?2 WHERE sha256 = ?1",
            params![sha256, now_rfc3339()],
        )?;
        Ok(())
    }

    /// What the server has confirmed holding: each synced document with the server heads this
    /// device merged, and every photo the server reported complete.
    pub fn confirmed_by_server(&self) -> Result<Confirmed> {
        let conn = self.reader();
        let docs = conn
            .prepare("SELECT doc_id, shared_heads FROM sync_state WHERE shared_heads != '[]' ORDER BY doc_id")?
            .query_map([], |r| {
                let heads: String = r.get(1)?;
                Ok((r.get(0)?, serde_json::from_str(&heads).unwrap_or_default()))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let photos = conn
            .prepare("SELECT sha256 FROM blobs WHERE uploaded_at IS NOT NULL ORDER BY sha256")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Confirmed { docs, photos })
    }

    /// What is not yet on the server.
    pub fn pending(&self) -> Result<Pending> {
        let conn = self.reader();
        // The phones ask this after every write: it reads only what is waiting (the `unsynced`
        // table and partial indexes), not every stored document. An inspection waits while the
        // server has not confirmed its heads; a review, written once, until the server has
        // merged any of it.
        let documents: i64 = conn
            .prepare_cached(
                "SELECT (SELECT count(*) FROM unsynced u JOIN inspections i ON i.id = u.doc_id)
                      + (SELECT count(*) FROM unsynced u JOIN reviews r ON r.id = u.doc_id
                         LEFT JOIN sync_state s ON s.doc_id = u.doc_id
                         WHERE s.doc_id IS NULL OR s.shared_heads = '[]')",
            )?
            .query_row([], |r| r.get(0))?;
        if cfg!(debug_assertions) {
            let every: i64 = conn
                .prepare_cached(
                    "SELECT (SELECT count(*) FROM inspections i LEFT JOIN sync_state s ON s.doc_id = i.id
                             WHERE s.doc_id IS NULL OR s.shared_heads != i.heads)
                          + (SELECT count(*) FROM reviews r LEFT JOIN sync_state s ON s.doc_id = r.id
                             WHERE s.doc_id IS NULL OR s.shared_heads = '[]')",
                )?
                .query_row([], |r| r.get(0))?;
            assert_eq!(
                documents, every,
                "pending documents disagree with the projections"
            );
        }
        let documents = documents as u64;
        let photos: i64 = conn
            .prepare_cached("SELECT count(*) FROM blobs INDEXED BY blobs_not_uploaded WHERE uploaded_at IS NULL")?
            .query_row([], |r| r.get(0))?;
        let rejected = conn
            .prepare_cached(
                "SELECT s.doc_id, d.kind, s.rejected_code, s.rejected
                 FROM sync_state s INDEXED BY sync_state_refused
                 JOIN documents d ON d.id = s.doc_id
                 WHERE s.rejected IS NOT NULL ORDER BY s.doc_id",
            )?
            .query_map([], |r| {
                Ok(crate::sync::protocol::Refused {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    code: crate::sync::protocol::RefusalCode::parse(
                        r.get::<_, Option<String>>(2)?.as_deref().unwrap_or("other"),
                    ),
                    reason: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Pending {
            documents,
            photos: photos as u64,
            rejected,
        })
    }
}
