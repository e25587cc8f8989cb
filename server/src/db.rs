//! The server's records: numbered migrations, and the checked, transactional storage of pushed
//! documents with the change sequence the feed reads, on whichever database [`Storage`] holds
//! (the embedded SQLite file, or PostgreSQL). Accounts and tokens are in [`crate::accounts`].

use std::path::Path;

use quayside_core::args;
use quayside_core::doc::{self, DocKind, Document, SyncState};
use quayside_core::model::Inspection;
use quayside_core::model::review::{Review, ReviewState, review_state};
use quayside_core::sql::{Issued, Row, Sql};
use quayside_core::store::{
    StoredDocument, append_counted, append_document, insert_document, insert_document_bytes,
    load_counted, load_document, of_kind, stored_documents,
};
use quayside_core::sync::policy::{self, Principal, Role};
use quayside_core::sync::protocol::{
    DocPush, DocResult, FeedEntry, FeedResponse, Outcome, PROTOCOL_VERSION, RefusalCode,
    ResyncRequest, ResyncResponse, SyncRequest, SyncResponse,
};
use serde_bytes::ByteBuf;

use crate::error::{ServerError, ServerResult};
use crate::storage::Storage;

/// The server's numbered schema migrations.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("001_initial", include_str!("../migrations/001_initial.sql")),
    (
        "002_last_writer",
        include_str!("../migrations/002_last_writer.sql"),
    ),
    ("003_reviews", include_str!("../migrations/003_reviews.sql")),
    (
        "004_seizure_rows",
        include_str!("../migrations/004_seizure_rows.sql"),
    ),
    (
        "005_approvals",
        include_str!("../migrations/005_approvals.sql"),
    ),
    (
        "006_photo_refs",
        include_str!("../migrations/006_photo_refs.sql"),
    ),
    (
        "007_evidence_rights",
        include_str!("../migrations/007_evidence_rights.sql"),
    ),
    (
        "008_review_states",
        include_str!("../migrations/008_review_states.sql"),
    ),
    (
        "009_seizure_reporting",
        include_str!("../migrations/009_seizure_reporting.sql"),
    ),
    ("010_console", include_str!("../migrations/010_console.sql")),
    (
        "011_review_queue",
        include_str!("../migrations/011_review_queue.sql"),
    ),
    (
        "012_last_sync",
        include_str!("../migrations/012_last_sync.sql"),
    ),
    (
        "013_photo_uploads",
        include_str!("../migrations/013_photo_uploads.sql"),
    ),
    (
        "014_device_wipe",
        include_str!("../migrations/014_device_wipe.sql"),
    ),
    (
        "015_enrol_attempts",
        include_str!("../migrations/015_enrol_attempts.sql"),
    ),
];
/// File name of the database in the data directory.
pub const DB_FILE: &str = "server.sqlite3";

/// The database and the server's own automerge actor (used only to hold merged documents).
pub struct Db {
    storage: Storage,
    actor: Vec<u8>,
    /// The id of the restore this database came from, if it was restored from a backup (told
    /// to devices with the feed, see [`crate::backup`]).
    restored: Option<String>,
}

/// A list bound to SQL as a JSON array (read back with `json_each`).
pub(crate) fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).expect("a list of strings serialises")
}

pub(crate) fn now() -> String {
    quayside_core::model::edits::now_rfc3339()
}

/// What a caller may do with one photo (see [`Db::blob_rights`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BlobRights {
    pub readable: bool,
    /// Inspections the caller may write that reference the photo: an upload is accepted only
    /// when there is one, and is granted to them.
    pub writable_refs: Vec<String>,
}

impl Db {
    /// Opens (creating and migrating) the embedded database in `dir`.
    pub fn open(dir: &Path) -> ServerResult<Db> {
        Self::open_with(dir, None)
    }

    /// Opens the PostgreSQL database at `database` (a `postgres://` URL) when given, else the
    /// embedded database in `dir`; creates and migrates it.
    pub fn open_with(dir: &Path, database: Option<&str>) -> ServerResult<Db> {
        Self::open_connected(dir, database, crate::pg::default_connections())
    }

    /// [`Db::open_with`], keeping up to `connections` connections to PostgreSQL.
    pub fn open_connected(
        dir: &Path,
        database: Option<&str>,
        connections: u32,
    ) -> ServerResult<Db> {
        let storage = match database {
            Some(url) => Storage::open_postgres(url, connections, MIGRATIONS)?,
            None => {
                std::fs::create_dir_all(dir)?;
                Storage::open_sqlite(&dir.join(DB_FILE), MIGRATIONS)?
            }
        };
        storage.settle_numbering()?;
        let actor = storage.write(|c| {
            let actor: Option<String> =
                c.opt("SELECT value FROM meta WHERE key = 'actor'", args![], |r| {
                    r.get(0)
                })?;
            Ok(match actor {
                Some(a) => {
                    hex::decode(a).map_err(|_| ServerError::Internal("bad server actor".into()))?
                }
                None => {
                    let a: [u8; 16] = rand::random();
                    c.execute(
                        "INSERT INTO meta(key, value) VALUES ('actor', ?1)",
                        args![hex::encode(a)],
                    )?;
                    a.to_vec()
                }
            })
        })?;
        // A server upgraded with documents already stored fills the seizure projection once.
        storage.write(|c| {
            crate::export::rebuild_if_needed(c, &actor, |c, id, doc, ins| {
                after_store_doc(c, &actor, id, doc, Some(ins.clone()), None, false)
            })
        })?;
        let restored: Option<String> = storage.read(|c| {
            Ok(c.opt(
                "SELECT value FROM meta WHERE key = 'restore_id'",
                args![],
                |r| r.get(0),
            )?)
        })?;
        Ok(Db {
            storage,
            actor,
            restored,
        })
    }

    /// Where the records are kept.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Runs `f` in a write transaction (see [`Storage::write`]).
    pub fn write<T>(&self, f: impl FnOnce(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        self.storage.write(f)
    }

    /// Runs `f` in a read transaction (see [`Storage::read`]).
    pub fn read<T>(&self, f: impl FnOnce(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        self.storage.read(f)
    }

    /// Runs `f`, reads that need no common snapshot, outside a transaction on PostgreSQL (see
    /// [`Storage::read_statement`]): one round trip a statement. `f` may run twice.
    pub fn read_statement<T>(&self, f: impl Fn(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        self.storage.read_statement(f)
    }

    /// Runs `f` in a read transaction on a connection of its own, for a long read (an export
    /// streaming its rows) that must not hold the shared reader (see [`Storage::read_alone`]).
    pub fn read_alone<T>(&self, f: impl FnOnce(&dyn Sql) -> ServerResult<T>) -> ServerResult<T> {
        self.storage.read_alone(f)
    }

    /// The server's own automerge actor (documents are loaded with it).
    pub(crate) fn actor(&self) -> &[u8] {
        &self.actor
    }

    /// Writes a row and takes it back: proves the database accepts writes.
    pub fn write_probe(&self) -> ServerResult<()> {
        self.write(|c| {
            c.execute(
                "INSERT INTO meta(key, value) VALUES ('write_probe', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                args![now()],
            )?;
            c.execute("DELETE FROM meta WHERE key = 'write_probe'", args![])?;
            Ok(())
        })
    }

    /// Documents changed after `since` that `who` may read, oldest change first: one statement
    /// (on PostgreSQL one round trip, outside a transaction), its own snapshot serving where
    /// numbers are settled, the page and the cursor alike.
    pub fn feed(&self, who: &Principal, since: u64, limit: u32) -> ServerResult<FeedResponse> {
        self.saw_sync(who)?;
        let limit = limit.clamp(1, 5000);
        // Only the entries of the stations the caller reads, through the station index: a
        // station's device pays for its station's changes, not for the whole country's.
        let scope = match who.role {
            Role::Admin => None,
            Role::Officer | Role::Supervisor => Some((
                "d.station IN (SELECT value FROM json_each(?4)) AND",
                json_list(&who.stations),
            )),
            Role::OzoneAnalyst => Some((
                "d.station IN (SELECT locode FROM stations
                               WHERE country IN (SELECT value FROM json_each(?4))) AND",
                json_list(&who.countries),
            )),
        };
        let (from, within) = match &scope {
            Some((within, _)) => ("doc_index d INDEXED BY doc_index_by_station_seq", *within),
            None => ("doc_index d", ""),
        };
        // Numbers a writer still running may yet commit are not passed (see `issue_seqs`): the
        // feed goes up to them and no further. A device already has what it wrote itself (the
        // server answered its push with anything else it lacked): its own writes are left out
        // of the page, so a device that pushed thousands does not page through them on its next
        // sync. One more row than asked for tells whether there is more. When there is no more,
        // every settled entry after `since` was read, the caller's own writes among them: the
        // last row (no id) carries the cursor past the last of them all, so the next sync
        // starts after them.
        let statement = |settled: &str| {
            format!(
                "WITH settled(below) AS MATERIALIZED ({settled}),
                 page AS MATERIALIZED (
                    SELECT d.id, d.kind, d.seq, d.station FROM {from}
                    WHERE {within} d.seq > ?1 AND d.seq < (SELECT below FROM settled)
                      AND (?3 = '' OR coalesce(d.device_id, '') <> ?3)
                    ORDER BY d.seq LIMIT ?2)
                 SELECT id, kind, seq, station FROM page
                 UNION ALL
                 SELECT NULL, NULL,
                        CASE WHEN (SELECT count(*) FROM page) < ?2 THEN
                            (SELECT max(d.seq) FROM {from}
                             WHERE {within} d.seq > ?1 AND d.seq < (SELECT below FROM settled))
                        END,
                        NULL"
            )
        };
        let since = since as i64;
        let fetch = i64::from(limit) + 1;
        let device = who.device_id.as_str();
        type FeedRow = (Option<String>, Option<String>, Option<i64>, Option<String>);
        let rows: Vec<FeedRow> = self.storage.read_statement(|c| {
            let statement = statement(
                c.settled_below_query()
                    .unwrap_or("SELECT 9223372036854775807"),
            );
            let read =
                |r: &dyn Row| Ok::<_, ServerError>((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?));
            Ok(match &scope {
                Some((_, list)) => c.rows(&statement, args![since, fetch, device, list], read)?,
                None => c.rows(&statement, args![since, fetch, device], read)?,
            })
        })?;
        let last = rows.iter().find(|r| r.0.is_none()).and_then(|r| r.2);
        let mut page: Vec<(String, String, i64, String)> = rows
            .into_iter()
            .filter_map(|(id, kind, seq, station)| Some((id?, kind?, seq?, station?)))
            .collect();
        page.sort_by_key(|r| r.2);
        let more = page.len() as i64 == fetch;
        let cursor = if more {
            page.truncate(limit as usize);
            page.last().map_or(since, |r| r.2)
        } else {
            last.unwrap_or(since)
        };
        let entries = page
            .into_iter()
            .filter(|(_, _, _, station)| who.may_read_station(station))
            .map(|(id, kind, seq, _)| FeedEntry {
                id,
                kind,
                seq: seq as u64,
            })
            .collect();
        Ok(FeedResponse {
            wipe: false,
            entries,
            cursor: cursor as u64,
            more,
            restored: self.restored.clone(),
        })
    }

    /// Notes that `who`'s device is syncing (every sync starts with the feed), at most once a
    /// minute so polling does not turn into writes, and never waiting for the writer: while
    /// another request writes, the note is left for the next feed (reading the feed must not
    /// queue behind other devices' pushes).
    fn saw_sync(&self, who: &Principal) -> ServerResult<()> {
        if who.device_id.is_empty() {
            return Ok(());
        }
        let minute_ago = (chrono::Utc::now() - chrono::Duration::minutes(1))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        self.storage.write_if_free(|c| {
            // Deferred: on PostgreSQL it goes with the commit, a round trip saved.
            c.defer(
                "UPDATE devices SET last_sync_at = ?2
                 WHERE id = ?1 AND (last_sync_at IS NULL OR last_sync_at < ?3)",
                args![who.device_id, now(), minute_ago],
            )?;
            Ok(())
        })?;
        Ok(())
    }

    /// Runs a sync request: every document is checked and stored (or refused) on its own, all
    /// in one transaction that commits before the answer is sent. Documents the device only
    /// asks for (nothing pushed) are answered from the reader, outside that transaction:
    /// reading needs no write rights, and must not queue behind other devices' pushes or cost
    /// what checking a push costs.
    pub fn sync(
        &self,
        who: &Principal,
        req: &SyncRequest,
        blob_present: &dyn Fn(&str) -> bool,
    ) -> ServerResult<SyncResponse> {
        req.validate()?;
        // Each document's own checks (a repeated id, a malformed push), in request order.
        let mut seen = std::collections::HashSet::new();
        let checks: Vec<Result<(), SyncRefusal>> = req
            .docs
            .iter()
            .map(|push| push.check(&mut seen).map_err(SyncRefusal::from))
            .collect();
        let pull_only = |push: &DocPush| push.changes.is_empty() && push.snapshot.is_none();
        // The documents that passed their own checks and are only pulled, or pushed.
        let passed = |pulled: bool| -> Vec<&str> {
            req.docs
                .iter()
                .zip(&checks)
                .filter(|(push, check)| pull_only(push) == pulled && check.is_ok())
                .map(|(push, _)| push.id.as_str())
                .collect()
        };
        let mut results: Vec<Option<DocResult>> = vec![None; req.docs.len()];
        if req.docs.iter().any(pull_only) {
            // One snapshot of the database for every document read.
            self.read(|c| {
                // Their index rows in one query, then those the caller may read in another.
                let mut index = indexed_rows(c, &passed(true))?;
                let readable: Vec<&str> = index
                    .iter()
                    .filter(|(_, row)| who.may_read_station(&row.station))
                    .map(|(id, _)| id.as_str())
                    .collect();
                let mut stored = stored_documents(c, &readable)?;
                for (i, push) in req.docs.iter().enumerate() {
                    if !pull_only(push) {
                        continue;
                    }
                    let outcome = match &checks[i] {
                        Err(SyncRefusal::Refused(code, why)) => {
                            Err(SyncRefusal::Refused(*code, why.clone()))
                        }
                        _ => pull_one(
                            &self.actor,
                            who,
                            push,
                            index.remove(&push.id),
                            stored.remove(&push.id),
                        ),
                    };
                    results[i] = Some(answer(push, who, outcome)?);
                }
                Ok(())
            })?;
        }
        if req.docs.iter().any(|p| !pull_only(p)) {
            let (changed, first) = self.storage.write_documents(|tx| {
                // Every pushed document held before it is read (see Storage::write_documents):
                // pushes of other documents, to any instance, go on at the same time.
                let held = passed(false);
                tx.hold(&held)?;
                let mut index = indexed_rows(tx, &held)?;
                // The documents that changed, numbered once all are stored.
                let mut changed = Vec::new();
                for (i, push) in req.docs.iter().enumerate() {
                    if pull_only(push) {
                        continue;
                    }
                    tx.savepoint("doc")?;
                    // A document that makes the document engine panic is refused like any other
                    // bad document (its savepoint rolls back); it must not take the batch down
                    // with it.
                    let outcome = match &checks[i] {
                        Err(SyncRefusal::Refused(code, why)) => {
                            Err(SyncRefusal::Refused(*code, why.clone()))
                        }
                        _ => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            sync_one(tx, &self.actor, who, push, index.remove(&push.id), blob_present)
                        }))
                        .unwrap_or_else(|_| {
                            tracing::error!(doc = %push.id, "the document engine panicked on a pushed document");
                            Err(SyncRefusal::Refused(
                                RefusalCode::Malformed,
                                "the document could not be processed".into(),
                            ))
                        }),
                    };
                    if outcome.is_ok() {
                        tx.release("doc")?;
                    } else {
                        // Rolls back this document only.
                        tx.rollback_to("doc")?;
                    }
                    let outcome = outcome.map(|(result, stored)| {
                        if stored {
                            changed.push(i);
                        }
                        result
                    });
                    results[i] = Some(answer(push, who, outcome)?);
                }
                let ids: Vec<&str> = changed
                    .iter()
                    .map(|&i| results[i].as_ref().expect("every document is answered").id.as_str())
                    .collect();
                let first = issue_seqs(tx, &ids)?;
                tx.defer(
                    "UPDATE devices SET last_sync_at = ?2 WHERE id = ?1",
                    args![who.device_id, now()],
                )?;
                Ok((changed, first))
            })?;
            let first = first.get()?;
            for (n, &i) in changed.iter().enumerate() {
                let result = results[i].as_mut().expect("every document is answered");
                result.seq = (first + n as i64) as u64;
            }
        }
        Ok(SyncResponse {
            version: PROTOCOL_VERSION,
            docs: results.into_iter().flatten().collect(),
        })
    }

    /// One round of automerge's sync protocol for an inspection the caller may read: what the
    /// device's message brings is checked by the write policy and stored (or refused whole)
    /// before the server answers with its own message.
    pub fn resync(&self, who: &Principal, req: &ResyncRequest) -> ServerResult<ResyncResponse> {
        if req.version != PROTOCOL_VERSION {
            return Err(ServerError::BadRequest(format!(
                "protocol version {} is not supported",
                req.version
            )));
        }
        let refused = |code: RefusalCode, reason: String| ResyncResponse {
            outcome: Outcome::Rejected { reason, code },
            message: None,
            state: ByteBuf::new(),
            heads: vec![],
        };
        if req.kind != DocKind::Inspection.as_str() {
            return Ok(refused(
                RefusalCode::Malformed,
                format!("{} documents are resent whole, not resynced", req.kind),
            ));
        }
        self.storage.write_documents(|tx| {
            tx.hold(&[req.id.as_str()])?;
            let station: Option<String> = tx.opt(
                "SELECT station FROM doc_index WHERE id = ?1 AND kind = 'inspection'",
                args![req.id],
                |r| r.get(0),
            )?;
            match station {
                Some(s) if who.may_read_station(&s) => {}
                _ => {
                    return Ok(refused(
                        RefusalCode::NotAllowed,
                        format!("inspection {} is not yours to read or write", req.id),
                    ));
                }
            }
            let mut doc = load_document(tx, &self.actor, DocKind::Inspection.as_str(), &req.id)?;
            let mut state = req
                .state
                .as_ref()
                .map(|s| SyncState::decode(s))
                .unwrap_or_default();
            if let Some(message) = &req.message {
                let before = doc.heads();
                let mut fork = doc.fork_with_actor(&self.actor);
                if let Err(e) = fork.receive_sync_message(&mut state, message) {
                    return Ok(refused(RefusalCode::of(&e), e.to_string()));
                }
                let new_changes = fork.changes_since(&before)?;
                if !new_changes.is_empty() {
                    match policy::apply_inspection_push(
                        who,
                        &req.id,
                        Some(&mut doc),
                        policy::Push::Changes(&new_changes),
                        &self.actor,
                    ) {
                        Ok((mut checked, ins)) => {
                            append_document(tx, &req.id, &mut checked, &before)?;
                            tx.defer(
                                "UPDATE doc_index SET station = ?2, device_id = ?3 WHERE id = ?1",
                                args![req.id, ins.station, who.device_id],
                            )?;
                            after_store_doc(
                                tx,
                                &self.actor,
                                &req.id,
                                &mut checked,
                                Some(ins),
                                Some(who),
                                false,
                            )?;
                            issue_seqs(tx, &[req.id.as_str()])?;
                            doc = checked;
                        }
                        Err(
                            e @ (quayside_core::error::Error::Invalid(_)
                            | quayside_core::error::Error::Rule(..)
                            | quayside_core::error::Error::Forbidden(_)),
                        ) => {
                            return Ok(refused(RefusalCode::of(&e), e.to_string()));
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            let message = doc.generate_sync_message(&mut state).map(ByteBuf::from);
            let heads = doc::format_heads(&doc.heads());
            Ok(ResyncResponse {
                outcome: Outcome::Ok,
                message,
                state: ByteBuf::from(state.encode()),
                heads,
            })
        })
    }

    /// Loads a document the server holds (for tests and the demo).
    pub fn document(&self, id: &str) -> ServerResult<Document> {
        self.read(|c| {
            Ok(load_document(
                c,
                &self.actor,
                DocKind::Inspection.as_str(),
                id,
            )?)
        })
    }

    /// Stores a document made on the server itself (the demo data).
    pub fn insert_local(&self, id: &str, station: &str, doc: &mut Document) -> ServerResult<()> {
        self.write(|tx| {
            insert_document(tx, DocKind::Inspection.as_str(), id, doc)?;
            tx.defer(
                "INSERT INTO doc_index(id, kind, station, seq) VALUES (?1, 'inspection', ?2, 0)",
                args![id, station],
            )?;
            after_store(tx, &self.actor, id)?;
            issue_seqs(tx, &[id])?;
            Ok(())
        })
    }

    /// The inspection and its review state as the server holds them.
    pub fn review_state(&self, inspection_id: &str) -> (Inspection, String) {
        let (ins, state, _) = self
            .read(|c| server_review_state(c, &self.actor, inspection_id))
            .expect("inspection on the server");
        (ins, state.as_str().to_string())
    }

    /// What `who` may do with a photo: read it (it is granted to an inspection of a station
    /// they read), and upload it (inspections they may write reference it: those are listed).
    pub fn blob_rights(&self, who: &Principal, sha256: &str) -> ServerResult<BlobRights> {
        // Asked before every chunk of a photo: two statements, each its own snapshot (a grant
        // or reference that lands between them is as if it landed after both).
        self.read_statement(|c| {
            let readable = may_read_blob(c, who, sha256)?;
            let mut writable_refs = Vec::new();
            if who.role == Role::Officer && !who.device_id.is_empty() {
                let refs: Vec<(String, String)> = c.rows(
                    "SELECT p.inspection_id, d.station FROM photo_refs p
                     JOIN doc_index d ON d.id = p.inspection_id WHERE p.sha256 = ?1",
                    args![sha256],
                    |r| Ok::<_, ServerError>((r.get(0)?, r.get(1)?)),
                )?;
                writable_refs = refs
                    .into_iter()
                    .filter(|(_, station)| who.stations.contains(station))
                    .map(|(id, _)| id)
                    .collect();
            }
            Ok(BlobRights {
                readable,
                writable_refs,
            })
        })
    }

    /// Records that `who` uploaded the verified bytes of a photo that `inspections` (which they
    /// may write) reference: their readers may read it from now on.
    pub fn grant_blob(
        &self,
        who: &Principal,
        sha256: &str,
        inspections: &[String],
    ) -> ServerResult<()> {
        // Held like the inspections' own pushes, which write the same grants.
        self.storage.write_documents(|c| {
            c.hold(&inspections.iter().map(String::as_str).collect::<Vec<_>>())?;
            for id in inspections {
                grant(c, sha256, id, &who.device_id)?;
            }
            Ok(())
        })
    }

    /// How many documents the server holds.
    pub fn document_count(&self) -> ServerResult<u64> {
        self.read(|c| Ok(c.value("SELECT count(*) FROM doc_index", args![])?))
    }
}

/// The next change sequence number on SQLite, the time in microseconds as `?1`: after every
/// number issued, and never below the current time in microseconds. A server restored from an
/// older backup therefore still numbers new changes above every feed cursor it handed out before
/// (devices would otherwise skip them). PostgreSQL keeps the same rule its own way
/// (`pg::settle_numbering`).
const NEXT_SEQ: &str = "SELECT CASE WHEN coalesce(max(seq), 0) >= ?1 THEN max(seq) + 1 ELSE ?1 END
     FROM doc_index";

fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// Gives each of `ids` (documents this transaction stored) its change number, consecutive in
/// their order, at the end of the transaction ([`Sql::issue_numbers`]). On SQLite the first is
/// [`NEXT_SEQ`], and from there to the commit the transaction holds every writer, so a number is
/// committed before the next writer issues its own; on PostgreSQL writers number at once from
/// their transaction's id and the feed stops below the oldest still writing. Either way a feed
/// reader never sees a number appear behind its cursor. The numbering may travel with the
/// commit: the first number is known once the transaction has committed. None to number,
/// nothing held.
fn issue_seqs(tx: &dyn Sql, ids: &[&str]) -> ServerResult<Issued> {
    if ids.is_empty() {
        return Ok(Issued::known(0));
    }
    // Each entry travels as its place, zero-padded to 20 digits, then its id, so one JSON list
    // of strings carries the pairs on both databases.
    let places: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| format!("{n:020}{id}"))
        .collect();
    Ok(tx.issue_numbers(
        ids.len(),
        (NEXT_SEQ, args![now_micros()]),
        (NUMBER_DOCUMENTS, args![json_list(&places)]),
    )?)
}

/// Numbers the documents of a list of places and ids from the first number `?1`, in one
/// statement: one per document was planned and run one after another, and on PostgreSQL a
/// push's numbering grew with the table (BENCHMARKS.md, Growth).
const NUMBER_DOCUMENTS: &str =
    "UPDATE doc_index SET seq = ?1 + CAST(substr(l.value, 1, 20) AS BIGINT)
     FROM json_each(?2) AS l WHERE doc_index.id = substr(l.value, 21)";

/// Why one document of a batch was not stored.
enum SyncRefusal {
    Refused(RefusalCode, String),
    Resync,
    Failed(ServerError),
}

impl From<quayside_core::error::Error> for SyncRefusal {
    fn from(e: quayside_core::error::Error) -> Self {
        use quayside_core::error::Error;
        match e {
            // What a document says is the sender's: a document that does not load, breaks the
            // schema or the rules is refused alone, with the reason.
            Error::Invalid(ref reason) | Error::Forbidden(ref reason) => {
                SyncRefusal::Refused(RefusalCode::of(&e), reason.clone())
            }
            Error::Integrity(_)
            | Error::Automerge(_)
            | Error::NotFound { .. }
            | Error::CheckDigit { .. }
            | Error::UnknownSubstance(_)
            | Error::Quantity(_)
            | Error::Composition(_)
            | Error::Rule(..)
            | Error::Stale(_) => SyncRefusal::Refused(RefusalCode::of(&e), e.to_string()),
            // The server's own failures (database, disk) fail the request: the device retries.
            other => SyncRefusal::Failed(other.into()),
        }
    }
}

impl From<ServerError> for SyncRefusal {
    fn from(e: ServerError) -> Self {
        SyncRefusal::Failed(e)
    }
}

/// The answer for one document: its result, or its refusal in the words the device reads; only
/// the server's own failures fail the request.
fn answer(
    push: &DocPush,
    who: &Principal,
    outcome: Result<DocResult, SyncRefusal>,
) -> ServerResult<DocResult> {
    let refused = |outcome: Outcome| DocResult {
        id: push.id.clone(),
        outcome,
        heads: vec![],
        changes: vec![],
        seq: 0,
        snapshot: None,
    };
    match outcome {
        Ok(result) => Ok(result),
        Err(SyncRefusal::Refused(code, reason)) => {
            tracing::info!(doc = %push.id, user = %who.user, %reason, "refused document");
            Ok(refused(Outcome::Rejected { reason, code }))
        }
        Err(SyncRefusal::Resync) => Ok(refused(Outcome::Resync)),
        Err(SyncRefusal::Failed(e)) => Err(e),
    }
}

/// A document the server holds: its station and sequence number (None: not held).
type Held = Option<(String, i64)>;

/// A document's row in `doc_index`, as [`indexed_for`] checks a push against it.
struct Indexed {
    station: String,
    seq: i64,
    kind: String,
}

/// The index rows of the documents `ids` (those the server holds), read at once: one query for
/// a whole push or pull instead of one per document.
fn indexed_rows(
    conn: &dyn Sql,
    ids: &[&str],
) -> ServerResult<std::collections::HashMap<String, Indexed>> {
    let mut rows = std::collections::HashMap::with_capacity(ids.len());
    conn.for_each::<ServerError>(
        "SELECT id, station, seq, kind FROM doc_index WHERE id IN (SELECT value FROM json_each(?1))",
        args![json_list(ids)],
        |r| {
            let indexed = Indexed {
                station: r.get(1)?,
                seq: r.get(2)?,
                kind: r.get(3)?,
            };
            rows.insert(r.get(0)?, indexed);
            Ok(())
        },
    )?;
    Ok(rows)
}

/// The kind a push names and, for a document the server holds, its station and sequence
/// number; refused when the kind is unknown, the caller may not read the document, or it is
/// another kind of document. `indexed` is the document's index row, if the server holds it.
fn indexed_for(
    who: &Principal,
    push: &DocPush,
    indexed: Option<Indexed>,
) -> Result<(DocKind, Held), SyncRefusal> {
    let kind = DocKind::parse(&push.kind).ok_or_else(|| {
        SyncRefusal::Refused(
            RefusalCode::Malformed,
            format!("unknown document kind {:?}", push.kind),
        )
    })?;
    let Some(Indexed {
        station,
        seq,
        kind: stored_kind,
    }) = indexed
    else {
        return Ok((kind, None));
    };
    if !who.may_read_station(&station) {
        return Err(SyncRefusal::Refused(
            RefusalCode::NotAllowed,
            format!("{kind} {} is not yours to read or write", push.id),
        ));
    }
    if stored_kind != kind.as_str() {
        return Err(SyncRefusal::Refused(
            RefusalCode::InvalidContent,
            format!("{} is a {stored_kind}, not a {kind}", push.id),
        ));
    }
    Ok((kind, Some((station, seq))))
}

/// A document the device only asks for: what it lacks after its heads (all of it, compressed,
/// when it has nothing), if the caller may read it. No write rights are needed and nothing is
/// written. `row` is its index row and `stored` the document, if the server holds it.
fn pull_one(
    actor: &[u8],
    who: &Principal,
    push: &DocPush,
    row: Option<Indexed>,
    stored: Option<StoredDocument>,
) -> Result<DocResult, SyncRefusal> {
    let (kind, indexed) = indexed_for(who, push, row)?;
    let absent = || {
        SyncRefusal::Refused(
            RefusalCode::InvalidContent,
            format!("no {kind} {}", push.id),
        )
    };
    let Some((_, seq)) = indexed else {
        return Err(absent());
    };
    let found = of_kind(stored, kind.as_str(), &push.id).map_err(|_| absent())?;
    let shared = doc::parse_heads(&push.shared_heads)?;
    let device_heads = doc::parse_heads(&push.heads)?;
    let mut result = DocResult {
        id: push.id.clone(),
        outcome: Outcome::Ok,
        heads: Vec::new(),
        changes: Vec::new(),
        seq: seq as u64,
        snapshot: None,
    };
    let snapshot = |found: StoredDocument, mut result: DocResult| {
        result.heads = found.heads;
        result.snapshot = Some(ByteBuf::from(found.bytes));
        Ok(result)
    };
    if shared.is_empty() && device_heads.is_empty() {
        // The device has nothing: all of it, as stored, without loading it.
        return snapshot(found, result);
    }
    let mut doc = Document::load(&found.bytes, actor)?;
    if shared
        .iter()
        .chain(&device_heads)
        .any(|h| !doc.has_change(h))
    {
        return Err(SyncRefusal::Resync);
    }
    if device_heads.is_empty() {
        return snapshot(found, result);
    }
    result.heads = doc::format_heads(&doc.heads());
    result.changes = doc
        .changes_since(&device_heads)?
        .into_iter()
        .map(ByteBuf::from)
        .collect();
    Ok(result)
}

/// A pushed document after its kind's write policy: the document to store, its station, the
/// inspection a review names (whose projections change), and the inspection as checked (reused
/// by the projections).
struct Checked {
    doc: Document,
    station: String,
    reviewed: Option<String>,
    inspection: Option<Inspection>,
}

/// What a push brings: its changes, or the whole document it sent, loaded.
struct Incoming {
    changes: Vec<Vec<u8>>,
    snapshot: Option<Document>,
}

/// A document the device pushed (changes or a whole snapshot): checked by the write policy of
/// its kind ([`check_inspection`], [`check_review`]), stored when it changed (true: it needs a
/// new sequence number), its projections kept in step, and answered with what the device lacks.
/// The caller holds the document ([`Sql::hold`]).
fn sync_one(
    conn: &dyn Sql,
    actor: &[u8],
    who: &Principal,
    push: &DocPush,
    row: Option<Indexed>,
    blob_present: &dyn Fn(&str) -> bool,
) -> Result<(DocResult, bool), SyncRefusal> {
    let (kind, indexed) = indexed_for(who, push, row)?;
    // With its count of incremental saves, so storing the next one reads nothing more.
    let (mut existing, chunks) = match &indexed {
        Some(_) => {
            let (doc, chunks) = load_counted(conn, actor, kind.as_str(), &push.id)?;
            (Some(doc), chunks)
        }
        None => (None, 0),
    };
    let shared = doc::parse_heads(&push.shared_heads)?;
    let device_heads = doc::parse_heads(&push.heads)?;
    let shared_known = match existing.as_mut() {
        Some(d) => shared.iter().all(|h| d.has_change(h)),
        None => shared.is_empty(),
    };
    if !shared_known {
        return Err(SyncRefusal::Resync);
    }
    let incoming = Incoming {
        changes: push.changes.iter().map(|c| c.to_vec()).collect(),
        snapshot: match &push.snapshot {
            Some(bytes) => Some(Document::load(bytes, actor)?),
            None => None,
        },
    };
    let new_from_snapshot = existing.is_none() && incoming.snapshot.is_some();
    let before = existing.as_mut().map(|d| d.heads());
    let checked = match kind {
        DocKind::Inspection => check_inspection(who, push, existing.as_mut(), incoming, actor)?,
        DocKind::Review => check_review(
            conn,
            who,
            push,
            existing.as_mut(),
            incoming,
            actor,
            blob_present,
        )?,
    };
    let Checked {
        mut doc,
        station,
        reviewed,
        inspection,
    } = checked;
    let seq = indexed.as_ref().map(|(_, s)| *s).unwrap_or(0);
    let heads = doc.heads();
    // Stored documents are numbered when the whole batch is stored (`issue_seqs`); until then a
    // new one has 0, below every feed cursor, and is seen by no other transaction anyway.
    let stored = before.as_ref() != Some(&heads);
    let first = before.is_none();
    if stored {
        match before {
            Some(before) => {
                append_counted(conn, &push.id, &mut doc, &before, chunks)?;
                conn.defer(
                    "UPDATE doc_index SET station = ?2, device_id = ?3 WHERE id = ?1",
                    args![push.id, station, who.device_id],
                )?;
            }
            None => {
                if new_from_snapshot {
                    // The bytes loaded and passed every check: keep them as they came.
                    let bytes = push.snapshot.as_deref().expect("snapshot present");
                    insert_document_bytes(conn, kind.as_str(), &push.id, bytes, &mut doc)?;
                } else {
                    insert_document(conn, kind.as_str(), &push.id, &mut doc)?;
                }
                conn.defer(
                    "INSERT INTO doc_index(id, kind, station, seq, device_id, inspection_id)
                     VALUES (?1, ?2, ?3, 0, ?4, ?5)",
                    args![push.id, kind.as_str(), station, who.device_id, reviewed],
                )?;
            }
        }
        match &reviewed {
            // A review: its inspection's projections change.
            Some(reviewed) => after_store(conn, actor, reviewed),
            None => after_store_doc(
                conn,
                actor,
                &push.id,
                &mut doc,
                inspection,
                Some(who),
                first,
            ),
        }
        .map_err(SyncRefusal::Failed)?;
    }
    // What the device lacks: everything after its heads, if the server knows them all.
    if device_heads.iter().any(|h| !doc.has_change(h)) {
        return Err(SyncRefusal::Resync);
    }
    let result = DocResult {
        id: push.id.clone(),
        outcome: Outcome::Ok,
        heads: doc::format_heads(&heads),
        changes: doc
            .changes_since(&device_heads)?
            .into_iter()
            .map(ByteBuf::from)
            .collect(),
        seq: seq as u64,
        snapshot: None,
    };
    Ok((result, stored))
}

/// An inspection push through the inspection write policy (officers of its station, their own
/// actor's changes, fields that never change, submissions signed).
fn check_inspection(
    who: &Principal,
    push: &DocPush,
    existing: Option<&mut Document>,
    incoming: Incoming,
    actor: &[u8],
) -> Result<Checked, SyncRefusal> {
    let policy_push = match incoming.snapshot {
        Some(doc) => policy::Push::Snapshot(Box::new(doc)),
        None => policy::Push::Changes(&incoming.changes),
    };
    let (doc, ins) = policy::apply_inspection_push(who, &push.id, existing, policy_push, actor)?;
    Ok(Checked {
        doc,
        station: ins.station.clone(),
        reviewed: None,
        inspection: Some(ins),
    })
}

/// A review push through the review write policy, against the server's copy of the inspection
/// it names (written once, by a supervisor of its station, signed, every photo arrived: a photo
/// has arrived when its verified bytes are granted to the inspection).
fn check_review(
    conn: &dyn Sql,
    who: &Principal,
    push: &DocPush,
    mut existing: Option<&mut Document>,
    incoming: Incoming,
    actor: &[u8],
    blob_present: &dyn Fn(&str) -> bool,
) -> Result<Checked, SyncRefusal> {
    // The grant (a row here) first: the photo store is asked only about granted photos.
    let photo_present = |inspection: &str, sha: &str| {
        blob_granted(conn, sha, inspection).unwrap_or(false) && blob_present(sha)
    };
    let review_doc = match (incoming.snapshot, existing.as_deref_mut()) {
        (Some(doc), _) => doc,
        (None, None) => {
            let mut d = Document::new(actor);
            d.apply_changes(&incoming.changes)?;
            d
        }
        (None, Some(existing)) => {
            let mut d = existing.fork_with_actor(actor);
            d.apply_changes(&incoming.changes)?;
            d
        }
    };
    let target = quayside_core::doc::review::read(&review_doc)?.inspection_id;
    // The inspection is read and its projections written: held like its own pushes hold it.
    conn.hold(&[target.as_str()])?;
    let mut inspection_doc = match load_document(conn, actor, DocKind::Inspection.as_str(), &target)
    {
        Ok(d) => Some(d),
        Err(quayside_core::error::Error::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let (doc, review) = policy::apply_review_push(
        who,
        &push.id,
        existing,
        policy::Push::Snapshot(Box::new(review_doc)),
        actor,
        inspection_doc.as_mut(),
        &photo_present,
    )?;
    let station: String = conn.value(
        "SELECT station FROM doc_index WHERE id = ?1",
        args![review.inspection_id],
    )?;
    Ok(Checked {
        doc,
        station,
        reviewed: Some(review.inspection_id),
        inspection: None,
    })
}

/// The review state of an inspection as the server holds it, with the approval it rests on
/// when approved.
pub fn server_review_state(
    conn: &dyn Sql,
    actor: &[u8],
    inspection_id: &str,
) -> ServerResult<(Inspection, ReviewState, Option<Review>)> {
    let mut doc = load_document(conn, actor, DocKind::Inspection.as_str(), inspection_id)?;
    let reviews = stored_reviews(conn, actor, inspection_id)?;
    review_state_of(&mut doc, None, reviews)
}

/// [`server_review_state`] for an inspection document and its stored reviews already in hand.
fn review_state_of(
    doc: &mut Document,
    read: Option<Inspection>,
    reviews: Vec<Review>,
) -> ServerResult<(Inspection, ReviewState, Option<Review>)> {
    let ins = match read {
        Some(ins) => ins,
        None => quayside_core::doc::inspection::read(doc)?,
    };
    let heads = doc::format_heads(&doc.heads());
    let submitted = quayside_core::doc::inspection::submitted_version(doc, &ins);
    let state = review_state(&ins, &heads, submitted.as_deref(), &reviews);
    // The approval the state rests on: the latest one of the version the officer signed.
    let approval = match state {
        ReviewState::Approved | ReviewState::ChangedSinceApproval => reviews
            .into_iter()
            .filter(|r| {
                r.decision == Some(quayside_core::model::review::Decision::Approved)
                    && submitted.as_deref().is_some_and(|v| {
                        quayside_core::model::review::same_heads(&r.reviewed_heads, v)
                    })
            })
            .max_by(|a, b| a.decided_at.cmp(&b.decided_at)),
        _ => None,
    };
    Ok((ins, state, approval))
}

/// The reviews of an inspection the server holds (every one passed the write policy, its
/// signature included), in no particular order.
pub(crate) fn stored_reviews(
    conn: &dyn Sql,
    actor: &[u8],
    inspection_id: &str,
) -> ServerResult<Vec<Review>> {
    let ids: Vec<String> = conn.rows(
        "SELECT id FROM doc_index WHERE inspection_id = ?1 AND kind = 'review'",
        args![inspection_id],
        |r| r.get(0),
    )?;
    ids.iter()
        .map(|id| {
            let d = load_document(conn, actor, DocKind::Review.as_str(), id)?;
            Ok(quayside_core::doc::review::read(&d)?)
        })
        .collect()
}

/// Keeps `photo_refs` in step with the photos an inspection shows. A reference pushed by
/// `writer` to a photo the writer may already read is granted to this inspection too (it shows
/// nothing the writer could not have uploaded again); any other reference grants nothing until
/// its bytes are uploaded.
fn record_photo_refs(
    conn: &dyn Sql,
    ins: &Inspection,
    writer: Option<&Principal>,
) -> ServerResult<()> {
    conn.defer(
        "DELETE FROM photo_refs WHERE inspection_id = ?1",
        args![ins.id],
    )?;
    for p in &ins.photos {
        conn.defer(
            "INSERT INTO photo_refs(sha256, inspection_id) VALUES (?1, ?2)
             ON CONFLICT DO NOTHING",
            args![p.sha256, ins.id],
        )?;
        if let Some(who) = writer
            && !blob_granted(conn, &p.sha256, &ins.id)?
            && may_read_blob(conn, who, &p.sha256)?
        {
            grant(conn, &p.sha256, &ins.id, &who.device_id)?;
        }
    }
    Ok(())
}

/// Whether `who` may read the photo: it is granted to an inspection of a station they read.
fn may_read_blob(conn: &dyn Sql, who: &Principal, sha256: &str) -> ServerResult<bool> {
    let stations: Vec<String> = conn.rows(
        "SELECT d.station FROM blob_grants g JOIN doc_index d ON d.id = g.inspection_id
         WHERE g.sha256 = ?1",
        args![sha256],
        |r| r.get(0),
    )?;
    Ok(stations.iter().any(|s| who.may_read_station(s)))
}

/// Whether the photo's verified bytes are granted to the inspection.
pub fn blob_granted(conn: &dyn Sql, sha256: &str, inspection_id: &str) -> ServerResult<bool> {
    Ok(conn.value(
        "SELECT EXISTS(SELECT 1 FROM blob_grants WHERE sha256 = ?1 AND inspection_id = ?2)",
        args![sha256, inspection_id],
    )?)
}

fn grant(conn: &dyn Sql, sha256: &str, inspection_id: &str, device: &str) -> ServerResult<()> {
    conn.defer(
        "INSERT INTO blob_grants(sha256, inspection_id, device_id, granted_at)
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
        args![sha256, inspection_id, device, now()],
    )?;
    Ok(())
}

/// Keeps the `approvals` table in step: the approval an inspection rests on, or none.
fn record_approval(
    conn: &dyn Sql,
    inspection_id: &str,
    approval: Option<&Review>,
) -> ServerResult<()> {
    conn.defer(
        "DELETE FROM approvals WHERE inspection_id = ?1",
        args![inspection_id],
    )?;
    if let Some(r) = approval {
        let sig = r.signature.clone().unwrap_or_default();
        conn.defer(
            "INSERT INTO approvals(inspection_id, reviewer, decided_at, comment, reviewed_heads, public_key, signature)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            args![
                inspection_id,
                r.reviewer,
                r.decided_at,
                r.comment,
                r.reviewed_heads.join(" "),
                sig.public_key,
                sig.signature
            ],
        )?;
    }
    Ok(())
}

/// Keeps the projections of an inspection current after it or one of its reviews was stored.
fn after_store(conn: &dyn Sql, actor: &[u8], inspection_id: &str) -> ServerResult<()> {
    let mut doc = load_document(conn, actor, DocKind::Inspection.as_str(), inspection_id)?;
    after_store_doc(conn, actor, inspection_id, &mut doc, None, None, false)
}

/// [`after_store`] with the inspection's document already in hand (no reload); `writer` is who
/// pushed it (their references to photos they may read are granted). `first`: this is the
/// first version the server stores, so no review of it is stored yet (a review is refused
/// until its inspection is held, see `policy::apply_review_push`) and none is read.
fn after_store_doc(
    conn: &dyn Sql,
    actor: &[u8],
    inspection_id: &str,
    doc: &mut Document,
    read: Option<Inspection>,
    writer: Option<&Principal>,
    first: bool,
) -> ServerResult<()> {
    let reviews = if first {
        Vec::new()
    } else {
        stored_reviews(conn, actor, inspection_id)?
    };
    let (ins, state, approval) = review_state_of(doc, read, reviews)?;
    record_approval(conn, inspection_id, approval.as_ref())?;
    record_photo_refs(conn, &ins, writer)?;
    crate::review_desk::project(conn, &ins, state)?;
    project_seizures(conn, inspection_id, doc, &ins, state, approval.as_ref())
}

/// Projects an inspection's seizure rows. A case changed since its approval keeps the figures of
/// the version approved, marked as such: what was signed stays in the reports, with a word that
/// the record has moved on, instead of vanishing or showing unapproved figures.
fn project_seizures(
    conn: &dyn Sql,
    inspection_id: &str,
    doc: &mut Document,
    ins: &Inspection,
    state: ReviewState,
    approval: Option<&Review>,
) -> ServerResult<()> {
    if state == ReviewState::ChangedSinceApproval
        && let Some(r) = approval
        && let Ok(heads) = doc::parse_heads(&r.reviewed_heads)
        && let Ok(approved) = doc.read_at(&heads, quayside_core::doc::inspection::read)
    {
        return crate::export::reproject_inspection(
            conn,
            inspection_id,
            &approved,
            state.as_str(),
            true,
        );
    }
    crate::export::reproject_inspection(conn, inspection_id, ins, state.as_str(), false)
}
