//! Content-addressed photo files: each stored once under its SHA-256, written atomically
//! (temp file, fsync, rename, fsync of the directory) and verified whenever it is read back.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The largest photo accepted (a phone photo is a few MB; this leaves room for RAW-ish files).
pub const MAX_PHOTO_BYTES: u64 = 64 * 1024 * 1024;

/// A directory of files named by their SHA-256.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
}

/// A stored blob's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub bytes: u64,
}

impl BlobStore {
    /// Uses (and creates) `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(dir.join("tmp")).map_err(Error::io(&dir))?;
        Ok(Self { dir })
    }

    /// The folder that holds the blobs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the blob with this hash lives.
    pub fn path(&self, sha256: &str) -> PathBuf {
        path_in(&self.dir, sha256)
    }

    /// Every stored blob's hash, sorted (files under other names, such as unfinished temporary
    /// files, are not blobs and are skipped).
    pub fn list(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for fan in fs::read_dir(&self.dir).map_err(Error::io(&self.dir))? {
            let fan = fan.map_err(Error::io(&self.dir))?.path();
            let prefix = fan.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if prefix.len() != 2 || !fan.is_dir() {
                continue;
            }
            for file in fs::read_dir(&fan).map_err(Error::io(&fan))? {
                let file = file.map_err(Error::io(&fan))?.path();
                if let Some(name) = file.file_name().and_then(|n| n.to_str())
                    && is_sha256(name)
                    && name.starts_with(prefix)
                    && file.is_file()
                {
                    out.push(name.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Whether a blob with this hash is stored.
    pub fn contains(&self, sha256: &str) -> bool {
        is_sha256(sha256) && self.path(sha256).is_file()
    }

    /// Stores `bytes`; returns their hash. Storing the same content twice is harmless.
    pub fn put_bytes(&self, bytes: &[u8]) -> Result<StoredBlob> {
        self.put_reader(bytes, &PathBuf::from("(photo bytes)"))
    }

    /// Stores a copy of the file at `path`.
    pub fn put_file(&self, path: &Path) -> Result<StoredBlob> {
        let file = File::open(path).map_err(Error::io(path))?;
        self.put_reader(file, path)
    }

    fn put_reader(&self, mut source: impl Read, what: &Path) -> Result<StoredBlob> {
        let tmp_dir = self.dir.join("tmp");
        let mut tmp = tempfile::NamedTempFile::new_in(&tmp_dir).map_err(Error::io(&tmp_dir))?;
        let mut hasher = Sha256::new();
        let mut total: u64 = 0;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = source.read(&mut buf).map_err(Error::io(what))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_PHOTO_BYTES {
                return Err(Error::Invalid(format!(
                    "{}: larger than the {} MiB photo limit",
                    what.display(),
                    MAX_PHOTO_BYTES / (1024 * 1024)
                )));
            }
            hasher.update(&buf[..n]);
            tmp.write_all(&buf[..n]).map_err(Error::io(tmp.path()))?;
        }
        if total == 0 {
            return Err(Error::Invalid(format!(
                "{}: empty file, not a photo",
                what.display()
            )));
        }
        let sha256 = hex::encode(hasher.finalize());
        let dest = self.path(&sha256);
        if dest.is_file() {
            return Ok(StoredBlob {
                sha256,
                bytes: total,
            });
        }
        tmp.as_file().sync_all().map_err(Error::io(tmp.path()))?;
        let parent = dest.parent().expect("blob paths have a parent");
        fs::create_dir_all(parent).map_err(Error::io(parent))?;
        tmp.persist(&dest).map_err(|e| Error::io(&dest)(e.error))?;
        sync_dir(parent)?;
        Ok(StoredBlob {
            sha256,
            bytes: total,
        })
    }

    /// Moves a finished file (on the same filesystem) into the store under `sha256` if its
    /// content hashes to it; one pass over the bytes, no copy. A mismatch removes the file.
    ///
    /// `hashed`, when given, is the SHA-256 (hex) computed while the file was written; the file
    /// is then not read again.
    pub fn adopt(&self, path: &Path, sha256: &str, hashed: Option<String>) -> Result<StoredBlob> {
        if !is_sha256(sha256) {
            return Err(Error::Invalid(format!("malformed SHA-256 {sha256:?}")));
        }
        let file = File::open(path).map_err(Error::io(path))?;
        let bytes = file.metadata().map_err(Error::io(path))?.len();
        let actual = match hashed {
            Some(h) => h,
            None => {
                let mut hasher = Sha256::new();
                std::io::copy(&mut &file, &mut hasher).map_err(Error::io(path))?;
                hex::encode(hasher.finalize())
            }
        };
        if actual != sha256 {
            fs::remove_file(path).map_err(Error::io(path))?;
            return Err(Error::Integrity(format!(
                "the file hashes to {actual}, not {sha256}: discarded"
            )));
        }
        file.sync_all().map_err(Error::io(path))?;
        let dest = self.path(sha256);
        let parent = dest.parent().expect("blob paths have a parent");
        fs::create_dir_all(parent).map_err(Error::io(parent))?;
        fs::rename(path, &dest).map_err(Error::io(&dest))?;
        sync_dir(parent)?;
        Ok(StoredBlob {
            sha256: sha256.to_string(),
            bytes,
        })
    }

    /// Reads a blob and checks it still hashes to its name.
    pub fn read_verified(&self, sha256: &str) -> Result<Vec<u8>> {
        if !is_sha256(sha256) {
            return Err(Error::Invalid(format!("malformed SHA-256 {sha256:?}")));
        }
        let path = self.path(sha256);
        let bytes = fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NotFound {
                kind: "photo",
                id: sha256.to_string(),
            },
            _ => Error::io(&path)(e),
        })?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(Error::Integrity(format!(
                "photo {sha256} has been altered on disk (its content now hashes to {actual})"
            )));
        }
        Ok(bytes)
    }
}

/// The SHA-256 of `bytes` in lower-case hex (what names a photo).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `s` is a SHA-256 in lower-case hex.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Where a blob store in `dir` keeps the blob with this hash (`ab/abcd...`), for reading a store
/// without opening it (opening one creates its temporary folder).
pub fn path_in(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2]).join(sha256)
}

/// Makes a rename durable by syncing its directory (a no-op where directories cannot be opened).
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(Error::io(dir))?;
    }
    let _ = dir;
    Ok(())
}

/// Guesses an image's MIME type from its first bytes.
pub fn sniff_image_mime(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        match &head[8..12] {
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" => Some("image/heic"),
            b"avif" => Some("image/avif"),
            _ => None,
        }
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_once_by_hash_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        let a = store.put_bytes(b"\xFF\xD8\xFFjpeg bytes").unwrap();
        let b = store.put_bytes(b"\xFF\xD8\xFFjpeg bytes").unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.sha256,
            hex::encode(Sha256::digest(b"\xFF\xD8\xFFjpeg bytes"))
        );
        assert_eq!(
            store.read_verified(&a.sha256).unwrap(),
            b"\xFF\xD8\xFFjpeg bytes"
        );
        fs::write(store.path(&a.sha256), b"swapped").unwrap();
        assert!(matches!(
            store.read_verified(&a.sha256),
            Err(Error::Integrity(_))
        ));
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn rejects_empty_and_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(dir.path()).unwrap();
        assert!(store.put_bytes(b"").is_err());
        let missing = "0".repeat(64);
        assert!(matches!(
            store.read_verified(&missing),
            Err(Error::NotFound { .. })
        ));
        assert!(store.read_verified("../etc/passwd").is_err());
    }

    #[test]
    fn sniffs_common_photo_formats() {
        assert_eq!(sniff_image_mime(b"\xFF\xD8\xFF\xE0"), Some("image/jpeg"));
        assert_eq!(
            sniff_image_mime(b"\x89PNG\r\n\x1a\n...."),
            Some("image/png")
        );
        assert_eq!(
            sniff_image_mime(b"\0\0\0\x18ftypheic...."),
            Some("image/heic")
        );
        assert_eq!(sniff_image_mime(b"hello world!"), None);
    }
}
