//! Resumable photo uploads in the style of tus 1.0: `HEAD` tells how much of a photo the server
//! has, `PATCH` appends a chunk at that offset with a per-chunk checksum, and the finished file is
//! re-hashed whole and kept under its SHA-256 only if it matches the name it was sent under. Who
//! may upload or read which photo is decided in `db` (`blob_rights`); this module keeps bytes.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine;
use quayside_core::blobs::{BlobStore, is_sha256};
use sha2::{Digest, Sha256};

use crate::error::{ServerError, ServerResult};

/// Bytes of unfinished uploads one device may hold on the server at once: a device uploads one
/// photo at a time, so this leaves room for a few interrupted ones and no more.
pub const MAX_PENDING_BYTES_PER_DEVICE: u64 = 4 * quayside_core::blobs::MAX_PHOTO_BYTES;

/// Unfinished uploads untouched for this long are abandoned and removed.
pub const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

/// The server's photo store: finished blobs by hash, and each device's partial uploads apart
/// (`uploads/<device>/<sha256>`), so nobody can append to, or learn about, another's upload.
pub struct Uploads {
    blobs: BlobStore,
    partial: PathBuf,
    /// SHA-256 of each upload in progress, keyed by device and photo, fed as chunks arrive, with
    /// the offset it covers. Lost on restart: the finished file is then hashed once more.
    hashing: Mutex<HashMap<(String, String), (u64, Sha256)>>,
    /// Bytes of unfinished uploads one device may hold ([`MAX_PENDING_BYTES_PER_DEVICE`]).
    max_pending: u64,
}

/// Checks one chunk of an upload whichever store keeps it: `Upload-Length` within the photo
/// limit, the chunk inside it, and the chunk's checksum header (`crc32c <base64>` or
/// `sha256 <base64>`, as in tus's checksum extension) matching its bytes.
pub fn check_chunk(
    offset: u64,
    total: u64,
    checksum: Option<&str>,
    chunk: &[u8],
) -> ServerResult<()> {
    check_bounds(offset, total, chunk.len() as u64)?;
    let mut sum = ChunkSum::parse(checksum)?;
    sum.update(chunk);
    sum.verify()
}

/// Checks that a chunk of `len` bytes at `offset` lies inside an upload of `total` bytes, and
/// that `total` is within the photo limit.
pub fn check_bounds(offset: u64, total: u64, len: u64) -> ServerResult<()> {
    if total == 0 || total > quayside_core::blobs::MAX_PHOTO_BYTES {
        return Err(ServerError::BadRequest(format!(
            "Upload-Length {total} is outside 1..={} bytes",
            quayside_core::blobs::MAX_PHOTO_BYTES
        )));
    }
    if offset.checked_add(len).is_none_or(|end| end > total) {
        return Err(ServerError::BadRequest(
            "the chunk runs past Upload-Length: Upload-Offset plus the body must not exceed it"
                .into(),
        ));
    }
    Ok(())
}

/// A chunk's checksum (the `Upload-Checksum` header), computed as the chunk's bytes go by, so
/// a chunk can be checked while it streams on to where it is kept.
pub struct ChunkSum {
    expected: String,
    running: Running,
}

enum Running {
    Crc32c(u32),
    Sha256(Box<Sha256>),
}

impl ChunkSum {
    /// Reads the header: it is required, and names crc32c or sha256.
    pub fn parse(header: Option<&str>) -> ServerResult<ChunkSum> {
        let header =
            header.ok_or_else(|| ServerError::BadRequest("Upload-Checksum is required".into()))?;
        let (algorithm, expected) = header.split_once(' ').unwrap_or((header, ""));
        let running = match algorithm {
            "crc32c" => Running::Crc32c(0),
            "sha256" => Running::Sha256(Box::default()),
            other => {
                return Err(ServerError::BadRequest(format!(
                    "Upload-Checksum algorithm {other:?} is not supported (crc32c, sha256)"
                )));
            }
        };
        Ok(ChunkSum {
            expected: expected.trim().to_string(),
            running,
        })
    }

    /// Adds the next bytes of the chunk.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.running {
            Running::Crc32c(crc) => *crc = crc32c::crc32c_append(*crc, bytes),
            Running::Sha256(h) => h.update(bytes),
        }
    }

    /// Whether the bytes added match the header.
    pub fn verify(self) -> ServerResult<()> {
        let b64 = &base64::engine::general_purpose::STANDARD;
        let actual = match self.running {
            Running::Crc32c(crc) => b64.encode(crc.to_be_bytes()),
            Running::Sha256(h) => b64.encode(h.finalize()),
        };
        if actual != self.expected {
            return Err(ServerError::Unprocessable(
                "chunk checksum mismatch: nothing was written".into(),
            ));
        }
        Ok(())
    }
}

/// A chunk as the photo store receives it: whole, or still arriving (the request's body), so
/// a store that passes bytes on can pass them on while they arrive.
pub enum Chunk {
    Whole(bytes::Bytes),
    Arriving {
        /// The length the request declared.
        len: u64,
        body: axum::body::Body,
    },
}

impl Chunk {
    /// The chunk's length.
    pub fn len(&self) -> u64 {
        match self {
            Chunk::Whole(b) => b.len() as u64,
            Chunk::Arriving { len, .. } => *len,
        }
    }

    /// Whether the chunk is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads and drops what is still to come of the chunk, before an answer given without it:
    /// closing a connection with bytes unread resets it, and the device would miss the answer.
    pub fn discard(self) {
        if let Chunk::Arriving { .. } = self {
            let _ = self.into_bytes();
        }
    }

    /// The whole chunk, waiting (on a blocking thread of the server's runtime) for the rest of
    /// it if it is still arriving.
    pub fn into_bytes(self) -> ServerResult<bytes::Bytes> {
        match self {
            Chunk::Whole(b) => Ok(b),
            Chunk::Arriving { len, body } => {
                let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                    ServerError::Internal("a chunk is read on the server's runtime".into())
                })?;
                let bytes = runtime
                    .block_on(axum::body::to_bytes(body, len as usize + 1))
                    .map_err(|e| {
                        ServerError::BadRequest(format!("the chunk did not arrive whole: {e}"))
                    })?;
                if bytes.len() as u64 != len {
                    return Err(ServerError::BadRequest(format!(
                        "the chunk ended after {} of the {len} bytes it declared",
                        bytes.len()
                    )));
                }
                Ok(bytes)
            }
        }
    }
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadState {
    pub offset: u64,
    pub complete: bool,
}

impl Uploads {
    /// Uses `dir/blobs` and `dir/uploads`.
    pub fn open(dir: &Path) -> ServerResult<Uploads> {
        let partial = dir.join("uploads");
        fs::create_dir_all(&partial)?;
        Ok(Uploads {
            blobs: BlobStore::open(dir.join("blobs"))?,
            partial,
            hashing: Mutex::new(HashMap::new()),
            max_pending: MAX_PENDING_BYTES_PER_DEVICE,
        })
    }

    /// The same store with another limit on a device's unfinished uploads.
    pub fn with_max_pending(mut self, bytes: u64) -> Uploads {
        self.max_pending = bytes;
        self
    }

    /// Refuses anything but a lower-case hex SHA-256.
    pub fn check(sha256: &str) -> ServerResult<()> {
        if is_sha256(sha256) {
            Ok(())
        } else {
            Err(ServerError::BadRequest(format!(
                "{sha256:?} is not a lower-case hex SHA-256"
            )))
        }
    }

    /// The length of the finished photo, if the server has it.
    pub fn complete_len(&self, sha256: &str) -> ServerResult<Option<u64>> {
        Self::check(sha256)?;
        if !self.blobs.contains(sha256) {
            return Ok(None);
        }
        Ok(Some(fs::metadata(self.blobs.path(sha256))?.len()))
    }

    fn partial_path(&self, device: &str, sha256: &str) -> ServerResult<PathBuf> {
        Self::check(sha256)?;
        // Device ids are UUIDs the server issued; anything else never names a folder.
        if device.is_empty() || !device.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(ServerError::Forbidden(
                "only an enrolled device uploads photos".into(),
            ));
        }
        Ok(self.partial.join(device).join(sha256))
    }

    /// How much of its upload of this photo `device` has sent.
    pub fn partial_offset(&self, device: &str, sha256: &str) -> ServerResult<u64> {
        Ok(fs::metadata(self.partial_path(device, sha256)?)
            .map(|m| m.len())
            .unwrap_or(0))
    }

    /// Bytes of unfinished uploads `device` holds here.
    pub fn pending_bytes(&self, device: &str) -> u64 {
        let Ok(entries) = fs::read_dir(self.partial.join(device)) else {
            return 0;
        };
        entries
            .flatten()
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }

    /// Appends `chunk` at `offset` of `device`'s upload of a photo of `total` bytes. The chunk's
    /// checksum header (`crc32c <base64>` or `sha256 <base64>`, as in tus's checksum extension)
    /// must match; the finished file must hash to `sha256`. The caller has checked that the
    /// device may upload this photo.
    pub fn append(
        &self,
        device: &str,
        sha256: &str,
        offset: u64,
        total: u64,
        checksum: Option<&str>,
        chunk: &[u8],
    ) -> ServerResult<UploadState> {
        let path = self.partial_path(device, sha256)?;
        check_chunk(offset, total, checksum, chunk)?;
        let end = offset + chunk.len() as u64;
        let key = (device.to_string(), sha256.to_string());
        {
            // One writer at a time: the offset check and the append must not interleave with
            // another request for the same upload.
            let mut hashing = self.hashing.lock().unwrap_or_else(|p| p.into_inner());
            let received = self.partial_offset(device, sha256)?;
            if offset != received {
                return Err(ServerError::Conflict(format!(
                    "Upload-Offset {offset} does not match the {received} bytes received"
                )));
            }
            let pending = self.pending_bytes(device);
            if offset == 0 && pending + total > self.max_pending {
                return Err(ServerError::PayloadTooLarge(format!(
                    "this device already holds {pending} bytes of unfinished uploads (at most {} at once): finish those first",
                    self.max_pending
                )));
            }
            let dir = path
                .parent()
                .expect("partial uploads sit in a device folder");
            fs::create_dir_all(dir)?;
            let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
            file.write_all(chunk)?;
            // Start flushing this chunk while the next one is on the wire, so the final fsync
            // (which makes the photo durable before it is kept) has little left to do.
            std::thread::spawn(move || {
                let _ = file.sync_data();
            });
            // No fsync per chunk: HEAD reports the bytes actually on disk, so after a crash the
            // device resumes from what survived, and the finished file is hashed and fsynced
            // before it is kept.
            let hasher = hashing.remove(&key).filter(|(at, _)| *at == offset);
            let hasher = match (hasher, offset) {
                (Some((_, h)), _) => Some(h),
                (None, 0) => Some(Sha256::new()),
                (None, _) => None, // restarted mid-upload: hash the whole file at the end
            };
            if let Some(mut h) = hasher {
                h.update(chunk);
                hashing.insert(key.clone(), (end, h));
            }
        }
        if end < total {
            return Ok(UploadState {
                offset: end,
                complete: false,
            });
        }
        self.finish(&key, &path)
    }

    /// Checks the whole upload's hash; keeps it under its hash only if it matches (a photo the
    /// server already had is then simply proven to be held by this device too).
    fn finish(&self, key: &(String, String), path: &Path) -> ServerResult<UploadState> {
        let hashed = self
            .hashing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key)
            .map(|(_, h)| hex::encode(h.finalize()));
        match self.blobs.adopt(path, &key.1, hashed) {
            Ok(stored) => Ok(UploadState {
                offset: stored.bytes,
                complete: true,
            }),
            Err(quayside_core::error::Error::Integrity(why)) => Err(ServerError::Unprocessable(
                format!("the uploaded photo does not match its name ({why}); upload it again"),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes unfinished uploads nobody has added to for `age`; returns how many.
    pub fn sweep_abandoned(&self, age: std::time::Duration) -> usize {
        let now = std::time::SystemTime::now();
        let stale = |m: &fs::Metadata| {
            m.modified()
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|d| d >= age)
        };
        let mut removed = 0;
        let Ok(entries) = fs::read_dir(&self.partial) else {
            return 0;
        };
        let mut hashing = self.hashing.lock().unwrap_or_else(|p| p.into_inner());
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                let device = entry.file_name().to_string_lossy().into_owned();
                for upload in fs::read_dir(&path).into_iter().flatten().flatten() {
                    if upload.metadata().is_ok_and(|m| stale(&m))
                        && fs::remove_file(upload.path()).is_ok()
                    {
                        let sha = upload.file_name().to_string_lossy().into_owned();
                        hashing.remove(&(device.clone(), sha));
                        removed += 1;
                    }
                }
                let _ = fs::remove_dir(&path); // only if empty
            } else if entry.metadata().is_ok_and(|m| stale(&m)) && fs::remove_file(&path).is_ok() {
                // An upload from before uploads were kept per device.
                removed += 1;
            }
        }
        removed
    }

    /// Creates and removes a small file where uploads and photos are written.
    pub fn write_probe(&self) -> ServerResult<()> {
        for dir in [self.partial.as_path(), self.blobs.dir()] {
            let probe = dir.join(format!(".write-probe-{}", std::process::id()));
            fs::write(&probe, b"probe")?;
            fs::remove_file(&probe)?;
        }
        Ok(())
    }

    /// A finished photo's bytes, verified.
    pub fn read(&self, sha256: &str) -> ServerResult<Vec<u8>> {
        Self::check(sha256)?;
        Ok(self.blobs.read_verified(sha256)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crc(bytes: &[u8]) -> String {
        format!(
            "crc32c {}",
            base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(bytes).to_be_bytes())
        )
    }

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    const DEVICE: &str = "01a2278c-0f38-71a2-b484-673a87603b8c";

    #[test]
    fn a_device_cannot_hold_more_than_its_share_of_unfinished_uploads() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::open(dir.path()).unwrap().with_max_pending(100);
        let photo = [7u8; 80];
        let first = &photo[..40];
        uploads
            .append(DEVICE, &sha(&photo), 0, 80, Some(&crc(first)), first)
            .unwrap();
        let other = [9u8; 70];
        let err = uploads
            .append(
                DEVICE,
                &sha(&other),
                0,
                70,
                Some(&crc(&other[..10])),
                &other[..10],
            )
            .unwrap_err();
        assert!(matches!(err, ServerError::PayloadTooLarge(_)), "{err}");
        assert_eq!(uploads.pending_bytes(DEVICE), 40);
        // Another device is not held back by this one; finishing frees the room.
        let elsewhere = "01a2278c-0f38-71a2-b484-000000000000";
        uploads
            .append(elsewhere, &sha(&other), 0, 70, Some(&crc(&other)), &other)
            .unwrap();
        let rest = &photo[40..];
        assert!(
            uploads
                .append(DEVICE, &sha(&photo), 40, 80, Some(&crc(rest)), rest)
                .unwrap()
                .complete
        );
        assert_eq!(uploads.pending_bytes(DEVICE), 0);
    }

    #[test]
    fn abandoned_uploads_are_swept_and_finished_photos_stay() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::open(dir.path()).unwrap();
        let photo = [3u8; 64];
        let kept = [4u8; 8];
        uploads
            .append(
                DEVICE,
                &sha(&photo),
                0,
                64,
                Some(&crc(&photo[..16])),
                &photo[..16],
            )
            .unwrap();
        uploads
            .append(DEVICE, &sha(&kept), 0, 8, Some(&crc(&kept)), &kept)
            .unwrap();
        // Young uploads stay.
        assert_eq!(uploads.sweep_abandoned(ABANDONED_AFTER), 0);
        assert_eq!(uploads.partial_offset(DEVICE, &sha(&photo)).unwrap(), 16);
        assert_eq!(uploads.sweep_abandoned(std::time::Duration::ZERO), 1);
        assert_eq!(uploads.partial_offset(DEVICE, &sha(&photo)).unwrap(), 0);
        assert_eq!(uploads.pending_bytes(DEVICE), 0);
        assert_eq!(uploads.read(&sha(&kept)).unwrap(), kept);
        // The swept upload starts again from zero.
        assert!(
            uploads
                .append(
                    DEVICE,
                    &sha(&photo),
                    16,
                    64,
                    Some(&crc(&photo[16..])),
                    &photo[16..]
                )
                .is_err()
        );
    }

    #[test]
    fn device_folders_cannot_be_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = Uploads::open(dir.path()).unwrap();
        for device in ["", "../blobs", "a/b"] {
            assert!(
                uploads.partial_offset(device, &sha(b"x")).is_err(),
                "{device:?}"
            );
        }
    }
}
