//! Resumable photo uploads whose bytes go to S3-compatible object storage, for several server
//! instances: the progress of each upload (offset, running SHA-256, the parts sent) lives in
//! the shared database, so consecutive chunks may reach different instances, and a photo
//! becomes readable only once its whole content has hashed to its name. The tus rules every
//! store shares (checksums, limits) are in `blobs`; who may upload what is decided in `db`.

use std::sync::{Arc, Mutex};

use quayside_core::args;
use quayside_core::error::Error;
use quayside_core::sql::Sql;
use sha2_resume::Digest;
use sha2_resume::digest::common::hazmat::{SerializableState, SerializedState};

use crate::blobs::{Chunk, ChunkSum, UploadState, check_bounds};
use crate::db::{Db, now};
use crate::error::{ServerError, ServerResult};
use crate::s3::ObjectStore;

type Hasher = sha2_resume::Sha256;

/// Every part of a multipart upload but the last must be at least this long (S3's rule);
/// smaller chunks wait in the database until they add up to a part.
pub const PART_BYTES: usize = 5 * 1024 * 1024;

/// Where finished photos are kept in the bucket.
fn photo_key(sha256: &str) -> String {
    format!("photos/{sha256}")
}

/// Photos in an object store, with upload progress in the database.
pub struct ObjectUploads {
    store: ObjectStore,
    max_pending: u64,
}

/// One unfinished upload, as the database holds it.
struct Progress {
    total: u64,
    received: u64,
    multipart_id: Option<String>,
    etags: Vec<String>,
    hash: Hasher,
    tail: Vec<u8>,
}

impl Progress {
    fn load(c: &dyn Sql, device: &str, sha256: &str) -> ServerResult<Option<Progress>> {
        c.opt(
            "SELECT total, received, multipart_id, etags, hash_state, tail FROM photo_uploads
             WHERE device = ?1 AND sha256 = ?2",
            args![device, sha256],
            |r| {
                let state: Vec<u8> = r.get(4)?;
                let hash = SerializedState::<Hasher>::try_from(state.as_slice())
                    .ok()
                    .and_then(|s| Hasher::deserialize(&s).ok())
                    .ok_or_else(|| {
                        ServerError::Internal(format!(
                            "the upload of {sha256} has an unreadable hash state"
                        ))
                    })?;
                let etags: String = r.get(3)?;
                Ok(Progress {
                    total: r.get(0)?,
                    received: r.get(1)?,
                    multipart_id: r.get(2)?,
                    etags: serde_json::from_str(&etags).map_err(|e| {
                        ServerError::Internal(format!("the upload of {sha256}: {e}"))
                    })?,
                    hash,
                    tail: r.get(5)?,
                })
            },
        )
    }

    /// Writes this progress if the row still says `expected` bytes were received and no
    /// request is finishing the upload (or, for a new upload, if there is no row yet): of two
    /// requests carrying the same chunk, one wins.
    fn save(
        &self,
        c: &dyn Sql,
        device: &str,
        sha256: &str,
        expected: Option<u64>,
    ) -> ServerResult<bool> {
        let etags = serde_json::to_string(&self.etags).expect("a list of strings serialises");
        let state = self.hash.serialize().to_vec();
        let (total, received) = (self.total as i64, self.received as i64);
        let changed = match expected {
            None => c.execute(
                "INSERT INTO photo_uploads
                    (device, sha256, total, received, multipart_id, etags, hash_state, tail, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT (device, sha256) DO NOTHING",
                args![
                    device,
                    sha256,
                    total,
                    received,
                    self.multipart_id,
                    etags,
                    state,
                    self.tail,
                    now()
                ],
            )?,
            Some(at) => c.execute(
                "UPDATE photo_uploads SET received = ?3, multipart_id = ?4, etags = ?5,
                    hash_state = ?6, tail = ?7, updated_at = ?8
                 WHERE device = ?1 AND sha256 = ?2 AND received = ?9
                   AND (finishing_until IS NULL OR finishing_until < ?8)",
                args![
                    device,
                    sha256,
                    received,
                    self.multipart_id,
                    etags,
                    state,
                    self.tail,
                    now(),
                    at as i64
                ],
            )?,
        };
        Ok(changed == 1)
    }
}

/// Marks the upload as being finished by the caller until `until` (a lease, so a finisher that
/// dies does not block it for good), if it still stands at `at` bytes and nobody holds the lease.
fn claim(c: &dyn Sql, device: &str, sha256: &str, at: u64, until: &str) -> ServerResult<bool> {
    let changed = c.execute(
        "UPDATE photo_uploads SET finishing_until = ?3
         WHERE device = ?1 AND sha256 = ?2 AND received = ?4
           AND (finishing_until IS NULL OR finishing_until < ?5)",
        args![device, sha256, until, at as i64, now()],
    )?;
    Ok(changed == 1)
}

/// How long a request that is finishing an upload keeps others from finishing it too. Another
/// request with the same last chunk waits for it (then finds the photo kept); after an instance
/// died mid-finish, the device's next attempt waits at most this long and finishes it itself.
/// A finish is a last part and a join (well under a second on a healthy store); one that takes
/// longer than this may meet a second finisher, which sends the same verified bytes.
const FINISHING_LEASE: std::time::Duration = std::time::Duration::from_secs(10);

/// Bytes of unfinished uploads `device` holds.
fn pending_bytes(c: &dyn Sql, device: &str) -> ServerResult<u64> {
    let sum: i64 = c.value(
        "SELECT COALESCE(SUM(received), 0) FROM photo_uploads WHERE device = ?1",
        args![device],
    )?;
    Ok(sum as u64)
}

fn forget(db: &Db, device: &str, sha256: &str) -> ServerResult<()> {
    db.write(|c| {
        c.execute(
            "DELETE FROM photo_uploads WHERE device = ?1 AND sha256 = ?2",
            args![device, sha256],
        )?;
        Ok(())
    })
}

impl ObjectUploads {
    /// Photos in the store at `address` (see [`ObjectStore::from_url`]); creates its bucket
    /// when it is missing.
    pub fn open(address: &str, max_pending: u64) -> ServerResult<ObjectUploads> {
        let store = ObjectStore::from_url(address)?;
        store.ensure_bucket()?;
        Ok(ObjectUploads { store, max_pending })
    }

    /// The store's address (it holds no secret).
    pub fn address(&self) -> &str {
        self.store.address()
    }

    /// The store itself (for `migrate` and the tests).
    pub fn store(&self) -> &ObjectStore {
        &self.store
    }

    /// The length of the finished photo, if the store has it.
    pub fn complete_len(&self, sha256: &str) -> ServerResult<Option<u64>> {
        self.store.head(&photo_key(sha256))
    }

    /// How much of its upload of this photo `device` has sent.
    pub fn partial_offset(&self, db: &Db, device: &str, sha256: &str) -> ServerResult<u64> {
        Ok(db
            .read_statement(|c| Progress::load(c, device, sha256))?
            .map_or(0, |p| p.received))
    }

    /// Appends `chunk` at `offset` of `device`'s upload (the same contract as the local store's
    /// `append`). Chunks add to the running hash and to a tail kept in the database; once the
    /// tail makes a part it goes to the store; the last chunk finishes the object, but only if
    /// everything received hashes to `sha256`. A chunk still arriving that makes a part by
    /// itself, or a whole photo, goes on to the store while it arrives ([`Checked`]).
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &self,
        db: &Db,
        device: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        checksum: Option<&str>,
        chunk: Chunk,
    ) -> ServerResult<UploadState> {
        if device.is_empty() {
            return Err(ServerError::Forbidden(
                "only an enrolled device uploads photos".into(),
            ));
        }
        let len = chunk.len();
        let (mut p, expected, mut sum) =
            match self.start(db, device, sha256, offset, total, len, checksum) {
                Ok(started) => started,
                Err(e) => {
                    chunk.discard();
                    return Err(e);
                }
            };
        let key = photo_key(sha256);
        let end = offset + len;
        let arriving = matches!(chunk, Chunk::Arriving { .. });
        if arriving && end == total && expected.is_none() {
            // The whole photo in one chunk: one PUT makes it readable whole or not at all, and
            // its last bytes wait until it hashes to its name. No row.
            Checked::send(chunk, sum, p.hash, Some(sha256), |body| {
                self.store.put_arriving(&key, body)
            })?;
            return Ok(UploadState {
                offset: total,
                complete: true,
            });
        }
        if arriving && end == total && p.tail.is_empty() && p.multipart_id.is_some() {
            // The last part by itself: on to the store as it arrives, then the join.
            p.received = end;
            return self.finish(db, device, sha256, expected, p, Last::Arriving(chunk, sum));
        }
        let mut started = None;
        if arriving && end < total && p.tail.is_empty() && len >= PART_BYTES as u64 {
            // A part by itself: on to the store as it arrives (parts are not readable).
            let (id, number) = match self
                .upload_id(&key, &p, &mut started)
                .and_then(|id| Ok((id, part_number(p.etags.len())?)))
            {
                Ok(part) => part,
                Err(e) => {
                    chunk.discard();
                    return Err(e);
                }
            };
            let sent = Checked::send(chunk, sum, p.hash.clone(), None, |body| {
                self.store.put_part_arriving(&key, &id, number, body)
            });
            let (etag, hash) = match sent {
                Ok(sent) => sent,
                Err(e) => {
                    if let Some(id) = started {
                        let _ = self.store.abort_multipart(&key, &id);
                    }
                    return Err(e.into());
                }
            };
            p.hash = hash;
            p.etags.push(etag);
            p.multipart_id = Some(id);
            p.received = end;
        } else {
            let chunk = chunk.into_bytes()?;
            sum.update(&chunk);
            sum.verify()?;
            p.hash.update(&chunk);
            p.tail.extend_from_slice(&chunk);
            p.received = end;
            if p.received == total {
                return self.finish(db, device, sha256, expected, p, Last::Held);
            }
            if p.tail.len() >= PART_BYTES {
                let id = self.upload_id(&key, &p, &mut started)?;
                let number = part_number(p.etags.len())?;
                let etag = self
                    .store
                    .put_part(&key, &id, number, std::mem::take(&mut p.tail))?;
                p.multipart_id = Some(id);
                p.etags.push(etag);
            }
        }
        if !db.write(|c| p.save(c, device, sha256, expected))? {
            if let Some(id) = started {
                let _ = self.store.abort_multipart(&key, &id);
            }
            return Err(busy());
        }
        Ok(UploadState {
            offset: p.received,
            complete: false,
        })
    }

    /// Checks a chunk of `len` bytes against the upload it adds to, before any of it is read;
    /// returns the upload's progress (a new one if there is none), the bytes its row held (None
    /// for no row), and the chunk's checksum to compute.
    #[allow(clippy::too_many_arguments)]
    fn start(
        &self,
        db: &Db,
        device: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        len: u64,
        checksum: Option<&str>,
    ) -> ServerResult<(Progress, Option<u64>, ChunkSum)> {
        check_bounds(offset, total, len)?;
        let sum = ChunkSum::parse(checksum)?;
        // The upload's row, and for a new upload what the device's other uploads hold: asked
        // before every chunk, each statement on its own snapshot (the row is written back only
        // if it has not moved since; the sum is a limit checked without a lock, as it was).
        let (found, pending) = db.read_statement(|c| {
            let found = Progress::load(c, device, sha256)?;
            let pending = match found {
                Some(_) => 0,
                None => pending_bytes(c, device)?,
            };
            Ok((found, pending))
        })?;
        let expected = found.as_ref().map(|p| p.received);
        let received = expected.unwrap_or(0);
        if offset != received {
            return Err(ServerError::Conflict(format!(
                "Upload-Offset {offset} does not match the {received} bytes received"
            )));
        }
        let p = match found {
            Some(p) if p.total != total => {
                return Err(ServerError::BadRequest(format!(
                    "Upload-Length {total} differs from the {} this upload started with",
                    p.total
                )));
            }
            Some(p) => p,
            None => {
                if pending + total > self.max_pending {
                    return Err(ServerError::PayloadTooLarge(format!(
                        "this device already holds {pending} bytes of unfinished uploads (at most {} at once): finish those first",
                        self.max_pending
                    )));
                }
                Progress {
                    total,
                    received: 0,
                    multipart_id: None,
                    etags: Vec::new(),
                    hash: Hasher::new(),
                    tail: Vec::new(),
                }
            }
        };
        Ok((p, expected, sum))
    }

    /// The upload's multipart id, starting one (and noting it in `started`) if it has none.
    fn upload_id(
        &self,
        key: &str,
        p: &Progress,
        started: &mut Option<String>,
    ) -> ServerResult<String> {
        if let Some(id) = &p.multipart_id {
            return Ok(id.clone());
        }
        let id = self.store.start_multipart(key)?;
        *started = Some(id.clone());
        Ok(id)
    }

    /// The last chunk arrived (`done` is the upload with it, `last` says where its bytes are;
    /// the row held `expected` bytes, None for no row yet): the object is kept under its hash
    /// only if everything received hashes to the name (for a last part still arriving, checked
    /// as it passes, before its last frame reaches the store). One request at a
    /// time finishes an upload (a lease on its row); the row stays until the object is whole,
    /// so a finish that fails part-way is taken up again by the device's next request.
    fn finish(
        &self,
        db: &Db,
        device: &str,
        sha256: &str,
        expected: Option<u64>,
        done: Progress,
        last: Last,
    ) -> ServerResult<UploadState> {
        let key = photo_key(sha256);
        if let Last::Held = last
            && let actual = hex::encode(done.hash.clone().finalize())
            && actual != sha256
        {
            if let Some(id) = &done.multipart_id {
                let _ = self.store.abort_multipart(&key, id);
            }
            forget(db, device, sha256)?;
            return Err(ServerError::Unprocessable(format!(
                "the uploaded photo does not match its name (its content hashes to {actual}); upload it again"
            )));
        }
        let Some(at) = expected else {
            // The whole photo in one chunk, verified: one PUT makes it readable whole or not at
            // all, and a second request with the same chunk would PUT the same bytes. No row.
            self.store.put(&key, done.tail)?;
            return Ok(UploadState {
                offset: done.total,
                complete: true,
            });
        };
        let waiting = std::time::Instant::now();
        loop {
            let until = (chrono::Utc::now()
                + chrono::Duration::from_std(FINISHING_LEASE).expect("a short lease"))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            if db.write(|c| claim(c, device, sha256, at, &until))? {
                break;
            }
            // Someone else is finishing it (or has moved it on): wait for them.
            let row = db.read(|c| Progress::load(c, device, sha256))?;
            if row.as_ref().map(|r| r.received) != Some(at) {
                last.discard();
                if row.is_none() && self.store.head(&key)? == Some(done.total) {
                    return Ok(UploadState {
                        offset: done.total,
                        complete: true,
                    });
                }
                return Err(busy());
            }
            if waiting.elapsed() > FINISHING_LEASE + std::time::Duration::from_secs(1) {
                last.discard();
                return Err(busy());
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let mut misnamed = false;
        let sent = if self.store.head(&key)? == Some(done.total) {
            // An earlier request finished the object (checked then as now) and did not get to
            // forget the upload: nothing to send again.
            last.discard();
            Ok(())
        } else {
            match (&done.multipart_id, last) {
                (None, Last::Held) => self.store.put(&key, done.tail),
                (None, Last::Arriving(chunk, _)) => {
                    chunk.discard();
                    Err(ServerError::Internal(
                        "only a multipart upload's last part is sent on as it arrives".into(),
                    ))
                }
                (Some(id), last) => {
                    let mut etags = done.etags;
                    let number = part_number(etags.len());
                    let etag = match (number, last) {
                        (Err(e), last) => {
                            last.discard();
                            Err(e)
                        }
                        (Ok(n), Last::Held) => self.store.put_part(&key, id, n, done.tail),
                        (Ok(n), Last::Arriving(chunk, sum)) => {
                            let hash = done.hash.clone();
                            Checked::send(chunk, sum, hash, Some(sha256), |body| {
                                self.store.put_part_arriving(&key, id, n, body)
                            })
                            .map(|(etag, _)| etag)
                            .map_err(|f| {
                                misnamed = f.misnamed;
                                f.error
                            })
                        }
                    };
                    etag.and_then(|etag| {
                        etags.push(etag);
                        self.store.finish_multipart(&key, id, &etags)
                    })
                }
            }
        };
        if let Err(e) = sent
            // Another finisher (one that outlived its lease) may have joined it meanwhile.
            && self.store.head(&key)? != Some(done.total)
        {
            if let (true, Some(id)) = (
                misnamed || matches!(e, ServerError::Internal(_)),
                &done.multipart_id,
            ) {
                // The photo does not hash to its name, or the store refused the parts (one is
                // not what was recorded: two different chunks were sent for one offset): start
                // the upload over.
                let _ = self.store.abort_multipart(&key, id);
                forget(db, device, sha256)?;
                return Err(e);
            }
            // Let the device's next request try again at once rather than wait for the lease.
            let _ = db.write(|c| {
                c.execute(
                    "UPDATE photo_uploads SET finishing_until = NULL WHERE device = ?1 AND sha256 = ?2",
                    args![device, sha256],
                )?;
                Ok(())
            });
            return Err(e);
        }
        forget(db, device, sha256)?;
        Ok(UploadState {
            offset: done.total,
            complete: true,
        })
    }

    /// Removes unfinished uploads nobody has added to for `age` (and their parts in the
    /// store); returns how many.
    pub fn sweep_abandoned(&self, db: &Db, age: std::time::Duration) -> ServerResult<usize> {
        // The same spelling as `now()`, so the times compare as text.
        let cutoff = chrono::Duration::from_std(age)
            .ok()
            .and_then(|age| chrono::Utc::now().checked_sub_signed(age))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let stale = db.read(|c| {
            c.rows(
                "SELECT device, sha256, multipart_id FROM photo_uploads WHERE updated_at <= ?1",
                args![cutoff],
                |r| {
                    Ok::<_, ServerError>((
                        r.get::<String>(0)?,
                        r.get::<String>(1)?,
                        r.get::<Option<String>>(2)?,
                    ))
                },
            )
        })?;
        for (device, sha256, id) in &stale {
            if let Some(id) = id {
                self.store.abort_multipart(&photo_key(sha256), id)?;
            }
            forget(db, device, sha256)?;
        }
        Ok(stale.len())
    }

    /// Writes and removes a small object: the store must take writes.
    pub fn write_probe(&self) -> ServerResult<()> {
        let key = format!("probes/{}", uuid::Uuid::now_v7());
        self.store.put(&key, b"probe".to_vec())?;
        self.store.delete(&key)
    }

    /// A finished photo's bytes, verified against its name.
    pub fn read(&self, sha256: &str) -> ServerResult<Vec<u8>> {
        let bytes = self
            .store
            .get(&photo_key(sha256))?
            .ok_or_else(|| Error::NotFound {
                kind: "photo",
                id: sha256.to_string(),
            })?;
        let actual = quayside_core::blobs::sha256_hex(&bytes);
        if actual != sha256 {
            return Err(Error::Integrity(format!(
                "photo {sha256} has been altered in the object store (its content now hashes to {actual})"
            ))
            .into());
        }
        Ok(bytes)
    }

    /// Stores a finished photo whose bytes the caller holds (used by `migrate`); they are
    /// checked against the name first.
    pub fn put_verified(&self, sha256: &str, bytes: Vec<u8>) -> ServerResult<()> {
        let actual = quayside_core::blobs::sha256_hex(&bytes);
        if actual != sha256 {
            return Err(
                Error::Integrity(format!("photo {sha256} hashes to {actual}: not copied")).into(),
            );
        }
        self.store.put(&photo_key(sha256), bytes)
    }
}

/// Why a chunk sent on while it arrived was not kept.
struct Failure {
    error: ServerError,
    /// It ended the photo, and the photo does not hash to its name: the upload starts over.
    misnamed: bool,
}

impl From<ServerError> for Failure {
    fn from(error: ServerError) -> Self {
        Failure {
            error,
            misnamed: false,
        }
    }
}

impl From<Failure> for ServerError {
    fn from(f: Failure) -> Self {
        f.error
    }
}

/// The last bytes of an upload, as it is finished.
enum Last {
    /// Received whole, in the progress's tail (and in its hash).
    Held,
    /// The last part by itself, still arriving: sent on as it arrives and checked on the way.
    Arriving(Chunk, ChunkSum),
}

impl Last {
    /// Reads and drops what is still to come, before an answer given without it.
    fn discard(self) {
        if let Last::Arriving(chunk, _) = self {
            chunk.discard();
        }
    }
}

/// A chunk on its way to the store while it arrives, checked on the way: its checksum and, when
/// it ends the photo, the whole photo's SHA-256. Its last frame is held back until both match,
/// so a chunk that fails either reaches the store cut short, and a store keeps nothing of a
/// body cut short (S3 never adds a partial object or part).
struct Checked {
    /// The request's body (in a mutex only to be `Sync`, as the store's client wants; it is
    /// only ever reached through `&mut`).
    body: Mutex<axum::body::Body>,
    /// Bytes of the chunk still to come.
    left: u64,
    declared: u64,
    sum: Option<ChunkSum>,
    hash: Hasher,
    /// The photo's name, when this chunk ends the upload.
    ends: Option<String>,
    verdict: Arc<Mutex<Verdict>>,
}

/// What the body found, for the caller once the store has answered.
#[derive(Default)]
struct Verdict {
    refused: Option<ServerError>,
    /// The chunk ended the photo, and the photo does not hash to its name.
    misnamed: bool,
    /// The running hash with the whole chunk in it, once the chunk has passed.
    hash: Option<Hasher>,
}

impl Checked {
    /// Sends an arriving chunk to the store through `send`, checked as it goes; returns what
    /// the store answered and the upload's running hash with the chunk in it. A chunk that
    /// fails its checks is the error, whatever the store made of the cut-short body.
    fn send<T>(
        chunk: Chunk,
        sum: ChunkSum,
        hash: Hasher,
        ends: Option<&str>,
        send: impl FnOnce(Checked) -> ServerResult<T>,
    ) -> Result<(T, Hasher), Failure> {
        let Chunk::Arriving { len, body } = chunk else {
            unreachable!("only a chunk still arriving is sent on as it arrives")
        };
        let verdict = Arc::new(Mutex::new(Verdict::default()));
        let answer = send(Checked {
            body: Mutex::new(body),
            left: len,
            declared: len,
            sum: Some(sum),
            hash,
            ends: ends.map(str::to_string),
            verdict: verdict.clone(),
        });
        let mut verdict = verdict.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(error) = verdict.refused.take() {
            return Err(Failure {
                error,
                misnamed: verdict.misnamed,
            });
        }
        let answer = answer.map_err(Failure::from)?;
        let hash = verdict.hash.take().ok_or_else(|| {
            Failure::from(ServerError::Internal(
                "the store answered before the whole chunk was sent".into(),
            ))
        })?;
        Ok((answer, hash))
    }

    fn refuse(&mut self, why: ServerError) -> std::io::Error {
        let message = why.to_string();
        self.verdict
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .refused = Some(why);
        std::io::Error::other(message)
    }

    /// The whole chunk has arrived (its last frame not yet passed on): checks it.
    fn conclude(&mut self) -> Result<(), std::io::Error> {
        let sum = self.sum.take().expect("a chunk concludes once");
        if let Err(e) = sum.verify() {
            return Err(self.refuse(e));
        }
        if let Some(name) = self.ends.take() {
            let actual = hex::encode(self.hash.clone().finalize());
            if actual != name {
                self.verdict
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .misnamed = true;
                return Err(self.refuse(ServerError::Unprocessable(format!(
                    "the uploaded photo does not match its name (its content hashes to {actual}); upload it again"
                ))));
            }
        }
        self.verdict.lock().unwrap_or_else(|p| p.into_inner()).hash = Some(self.hash.clone());
        Ok(())
    }
}

impl http_body::Body for Checked {
    type Data = bytes::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, std::io::Error>>> {
        use std::task::Poll;
        let this = self.get_mut();
        if this.left == 0 {
            return Poll::Ready(None);
        }
        let body = this.body.get_mut().unwrap_or_else(|p| p.into_inner());
        let frame = match std::task::ready!(std::pin::Pin::new(body).poll_frame(cx)) {
            Some(Ok(frame)) => frame,
            None => {
                let got = this.declared - this.left;
                let why = ServerError::BadRequest(format!(
                    "the chunk ended after {got} of the {} bytes it declared",
                    this.declared
                ));
                return Poll::Ready(Some(Err(this.refuse(why))));
            }
            Some(Err(e)) => {
                let why = ServerError::BadRequest(format!("the chunk did not arrive whole: {e}"));
                return Poll::Ready(Some(Err(this.refuse(why))));
            }
        };
        // Trailers carry nothing of the chunk: passed on as an empty frame.
        let data = frame.into_data().unwrap_or_default();
        if data.len() as u64 > this.left {
            let why = ServerError::BadRequest(format!(
                "the chunk runs past the {} bytes it declared",
                this.declared
            ));
            return Poll::Ready(Some(Err(this.refuse(why))));
        }
        this.left -= data.len() as u64;
        if let Some(sum) = &mut this.sum {
            sum.update(&data);
        }
        this.hash.update(&data);
        if this.left == 0
            && let Err(e) = this.conclude()
        {
            return Poll::Ready(Some(Err(e)));
        }
        Poll::Ready(Some(Ok(http_body::Frame::data(data))))
    }

    fn is_end_stream(&self) -> bool {
        self.left == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

/// Another request is adding to (or finishing) the same upload.
fn busy() -> ServerError {
    ServerError::Conflict(
        "another request is adding to this upload at the same time: ask where it stands (HEAD) and go on from there".into(),
    )
}

/// S3 numbers parts from 1 to 10,000.
fn part_number(sent: usize) -> ServerResult<u16> {
    u16::try_from(sent + 1)
        .ok()
        .filter(|n| *n <= 10_000)
        .ok_or_else(|| ServerError::BadRequest("too many parts in one upload".into()))
}
