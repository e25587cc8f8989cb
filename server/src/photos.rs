//! Where the server keeps photos, chosen at start: files in the data directory (the default,
//! one instance), or an S3-compatible object store with upload progress in the shared database
//! (several instances). Handlers ask this module and never name the backend.

use std::path::Path;

use crate::blobs::{Chunk, MAX_PENDING_BYTES_PER_DEVICE, UploadState, Uploads};
use crate::db::Db;
use crate::error::ServerResult;
use crate::object_uploads::ObjectUploads;

/// The server's photo store.
pub enum Photos {
    /// `DATA/blobs` and `DATA/uploads`.
    Local(Uploads),
    /// A bucket (`--blobs s3://...`).
    Object(ObjectUploads),
}

impl Photos {
    /// The local store in `data`, or the object store at `address` when one is given.
    pub fn open(data: &Path, address: Option<&str>) -> ServerResult<Photos> {
        Ok(match address {
            None => Photos::Local(Uploads::open(data)?),
            Some(address) => {
                Photos::Object(ObjectUploads::open(address, MAX_PENDING_BYTES_PER_DEVICE)?)
            }
        })
    }

    /// Whether a chunk is best handed over while it arrives (the object store sends it on)
    /// rather than whole.
    pub fn streams(&self) -> bool {
        matches!(self, Photos::Object(_))
    }

    /// "local" or "s3", for readiness and metrics.
    pub fn backend(&self) -> &'static str {
        match self {
            Photos::Local(_) => "local",
            Photos::Object(_) => "s3",
        }
    }

    /// Refuses anything but a lower-case hex SHA-256.
    pub fn check(sha256: &str) -> ServerResult<()> {
        Uploads::check(sha256)
    }

    /// The length of the finished photo, if the server has it.
    pub fn complete_len(&self, sha256: &str) -> ServerResult<Option<u64>> {
        Self::check(sha256)?;
        match self {
            Photos::Local(u) => u.complete_len(sha256),
            Photos::Object(o) => o.complete_len(sha256),
        }
    }

    /// How much of its upload of this photo `device` has sent.
    pub fn partial_offset(&self, db: &Db, device: &str, sha256: &str) -> ServerResult<u64> {
        Self::check(sha256)?;
        match self {
            Photos::Local(u) => u.partial_offset(device, sha256),
            Photos::Object(o) => o.partial_offset(db, device, sha256),
        }
    }

    /// Appends a chunk to `device`'s upload (see [`Uploads::append`]). The object store sends a
    /// chunk still arriving on as it arrives; local files take it whole.
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
        Self::check(sha256)?;
        match self {
            Photos::Local(u) => {
                let chunk = chunk.into_bytes()?;
                u.append(device, sha256, offset, total, checksum, &chunk)
            }
            Photos::Object(o) => o.append(db, device, sha256, offset, total, checksum, chunk),
        }
    }

    /// A finished photo's bytes, verified against its name.
    pub fn read(&self, sha256: &str) -> ServerResult<Vec<u8>> {
        Self::check(sha256)?;
        match self {
            Photos::Local(u) => u.read(sha256),
            Photos::Object(o) => o.read(sha256),
        }
    }

    /// Writes and removes a probe where photos are written.
    pub fn write_probe(&self) -> ServerResult<()> {
        match self {
            Photos::Local(u) => u.write_probe(),
            Photos::Object(o) => o.write_probe(),
        }
    }

    /// Removes unfinished uploads nobody has added to for `age`; returns how many.
    pub fn sweep_abandoned(&self, db: &Db, age: std::time::Duration) -> ServerResult<usize> {
        match self {
            Photos::Local(u) => Ok(u.sweep_abandoned(age)),
            Photos::Object(o) => o.sweep_abandoned(db, age),
        }
    }
}
