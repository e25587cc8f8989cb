//! Resumable photo uploads in the style of tus 1.0: `HEAD` tells how much of a photo the server
//! has, `PATCH` appends a chunk at that offset with a per-chunk SHA-256, and the finished file is
//! re-hashed whole and kept under its SHA-256 only if it matches the name it was sent under.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine;
use quayside_core::blobs::{BlobStore, is_sha256};
use sha2::{Digest, Sha256};

use crate::error::{ServerError, ServerResult};

/// The server's photo store: finished blobs by hash and partial uploads beside them.
pub struct Uploads {
    blobs: BlobStore,
    partial: PathBuf,
    /// SHA-256 of each upload in progress, fed as chunks arrive, with the offset it covers.
    /// Lost on restart: the finished file is then hashed once more.
    hashing: Mutex<HashMap<String, (u64, Sha256)>>,
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
        })
    }

    fn check(sha256: &str) -> ServerResult<()> {
        if is_sha256(sha256) {
            Ok(())
        } else {
            Err(ServerError::BadRequest(format!(
                "{sha256:?} is not a lower-case hex SHA-256"
            )))
        }
    }

    /// How much of the photo the server has.
    pub fn state(&self, sha256: &str) -> ServerResult<UploadState> {
        Self::check(sha256)?;
        if self.blobs.contains(sha256) {
            let len = fs::metadata(self.blobs.path(sha256))?.len();
            return Ok(UploadState {
                offset: len,
                complete: true,
            });
        }
        let offset = fs::metadata(self.partial.join(sha256))
            .map(|m| m.len())
            .unwrap_or(0);
        Ok(UploadState {
            offset,
            complete: false,
        })
    }

    /// Appends `chunk` at `offset` of a photo of `total` bytes. The chunk's checksum header
    /// (`crc32c <base64>` or `sha256 <base64>`, as in tus's checksum extension) must match; the
    /// finished file must hash to `sha256`.
    pub fn append(
        &self,
        sha256: &str,
        offset: u64,
        total: u64,
        checksum: Option<&str>,
        chunk: &[u8],
    ) -> ServerResult<UploadState> {
        Self::check(sha256)?;
        if total == 0 || total > quayside_core::blobs::MAX_PHOTO_BYTES {
            return Err(ServerError::BadRequest(format!(
                "Upload-Length {total} is outside 1..={} bytes",
                quayside_core::blobs::MAX_PHOTO_BYTES
            )));
        }
        if offset
            .checked_add(chunk.len() as u64)
            .is_none_or(|end| end > total)
        {
            return Err(ServerError::BadRequest(
                "chunk runs past Upload-Length".into(),
            ));
        }
        let header = checksum
            .ok_or_else(|| ServerError::BadRequest("Upload-Checksum is required".into()))?;
        let (algorithm, expected) = header.split_once(' ').unwrap_or((header, ""));
        let b64 = &base64::engine::general_purpose::STANDARD;
        let actual = match algorithm {
            "crc32c" => b64.encode(crc32c::crc32c(chunk).to_be_bytes()),
            "sha256" => b64.encode(Sha256::digest(chunk)),
            other => {
                return Err(ServerError::BadRequest(format!(
                    "Upload-Checksum algorithm {other:?} is not supported (crc32c, sha256)"
                )));
            }
        };
        if actual != expected.trim() {
            return Err(ServerError::Unprocessable(
                "chunk checksum mismatch: nothing was written".into(),
            ));
        }
        let path = self.partial.join(sha256);
        let end = offset + chunk.len() as u64;
        {
            // One writer at a time: the offset check and the append must not interleave with
            // another request for the same photo.
            let mut hashing = self.hashing.lock().unwrap_or_else(|p| p.into_inner());
            let state = self.state(sha256)?;
            if state.complete {
                return Ok(state);
            }
            if offset != state.offset {
                return Err(ServerError::Conflict(format!(
                    "Upload-Offset {offset} does not match the {} bytes received",
                    state.offset
                )));
            }
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
            let hasher = hashing.remove(sha256).filter(|(at, _)| *at == offset);
            let hasher = match (hasher, offset) {
                (Some((_, h)), _) => Some(h),
                (None, 0) => Some(Sha256::new()),
                (None, _) => None, // restarted mid-upload: hash the whole file at the end
            };
            if let Some(mut h) = hasher {
                h.update(chunk);
                hashing.insert(sha256.to_string(), (end, h));
            }
        }
        if end < total {
            return Ok(UploadState {
                offset: end,
                complete: false,
            });
        }
        self.finish(sha256, &path)
    }

    /// Checks the whole upload's hash; keeps it under its hash only if it matches.
    fn finish(&self, sha256: &str, path: &Path) -> ServerResult<UploadState> {
        let hashed = self
            .hashing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(sha256)
            .map(|(_, h)| hex::encode(h.finalize()));
        match self.blobs.adopt(path, sha256, hashed) {
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

    /// A finished photo's bytes, verified.
    pub fn read(&self, sha256: &str) -> ServerResult<Vec<u8>> {
        Self::check(sha256)?;
        Ok(self.blobs.read_verified(sha256)?)
    }
}
