//! Content-addressed photo files: each stored once under the SHA-256 of its content, written
//! atomically (temp file, fsync, rename, fsync of the directory) and verified whenever it is read
//! back. On a device the files are sealed ([`seal`]); the server keeps them as they are.

pub mod seal;

use std::fs::{self, File};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use seal::{PhotoKey, SealWriter};

/// The largest photo accepted (a phone photo is a few MB; this leaves room for RAW-ish files).
pub const MAX_PHOTO_BYTES: u64 = 64 * 1024 * 1024;

/// A directory of files named by the SHA-256 of their content.
#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
    /// On a device: the keys files are sealed under (shared by the store's clones, so a key
    /// change reaches every one).
    seal: Option<Arc<RwLock<SealKeys>>>,
}

/// The key new files are sealed under, and while the store key changes, the key the files not
/// yet sealed again are under.
#[derive(Debug)]
struct SealKeys {
    current: PhotoKey,
    retiring: Option<PhotoKey>,
}

impl SealKeys {
    /// The key a sealed file names in its header.
    fn for_file(&self, sealed: &[u8]) -> &PhotoKey {
        match &self.retiring {
            Some(old) if old.sealed(sealed) => old,
            _ => &self.current,
        }
    }
}

/// A stored blob's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBlob {
    pub sha256: String,
    pub bytes: u64,
}

impl BlobStore {
    /// Uses (and creates) `dir`, keeping files as they are (the server's photos).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        fs::create_dir_all(dir.join("tmp")).map_err(Error::io(&dir))?;
        Ok(Self { dir, seal: None })
    }

    /// Uses (and creates) `dir`, sealing every file it writes under `key` (a device's photos).
    pub fn open_sealed(dir: impl Into<PathBuf>, key: PhotoKey) -> Result<Self> {
        let mut store = Self::open(dir)?;
        store.seal = Some(Arc::new(RwLock::new(SealKeys {
            current: key,
            retiring: None,
        })));
        Ok(store)
    }

    fn keys(&self) -> Option<std::sync::RwLockReadGuard<'_, SealKeys>> {
        self.seal
            .as_ref()
            .map(|k| k.read().unwrap_or_else(|p| p.into_inner()))
    }

    fn keys_mut(&self) -> Option<std::sync::RwLockWriteGuard<'_, SealKeys>> {
        self.seal
            .as_ref()
            .map(|k| k.write().unwrap_or_else(|p| p.into_inner()))
    }

    /// Seals new files under `key` from now on; files sealed under the key used until now still
    /// open, until [`BlobStore::reseal_stale`] has sealed them again and
    /// [`BlobStore::retired`] forgets the old key. Waits for files being written to finish.
    pub fn change_key(&self, key: PhotoKey) {
        if let Some(mut keys) = self.keys_mut() {
            let old = std::mem::replace(&mut keys.current, key);
            keys.retiring = Some(old);
        }
    }

    /// Opens, until [`BlobStore::retired`], files sealed under `old` (a key change a crash
    /// interrupted, resumed on the next open).
    pub fn retiring(&self, old: PhotoKey) {
        if let Some(mut keys) = self.keys_mut() {
            keys.retiring = Some(old);
        }
    }

    /// Forgets the key being retired (every file is sealed under the current key).
    pub fn retired(&self) {
        if let Some(mut keys) = self.keys_mut() {
            keys.retiring = None;
        }
    }

    /// The photo key new files are sealed under (none for the server's plain files).
    pub fn current_key(&self) -> Option<PhotoKey> {
        self.keys().map(|k| k.current.clone())
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
        let tmp_path = tmp.path().to_path_buf();
        // Held until the file is in place, so a key change waits for it (and then seals it
        // again if it was sealed under the old key).
        let keys = self.keys();
        let mut sink = match keys.as_deref().map(|k| &k.current) {
            Some(key) => Sink::Sealed(Box::new(
                SealWriter::new(key, std::io::BufWriter::new(tmp.as_file_mut()))
                    .map_err(Error::io(&tmp_path))?,
            )),
            None => Sink::Plain(tmp.as_file_mut()),
        };
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
            sink.write_all(&buf[..n]).map_err(Error::io(&tmp_path))?;
        }
        if total == 0 {
            return Err(Error::Invalid(format!(
                "{}: empty file, not a photo",
                what.display()
            )));
        }
        sink.finish().map_err(Error::io(&tmp_path))?;
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
        if self.keys().is_some() {
            return Err(Error::Store(
                "a sealed photo store takes photos through put_bytes/put_file".into(),
            ));
        }
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

    /// Reads a blob (opening it when sealed) and checks it still hashes to its name.
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
        let keys = self.keys();
        let bytes = match keys.as_deref() {
            Some(keys) if seal::is_sealed(&bytes) => {
                seal::open(keys.for_file(&bytes), bytes, sha256)?
            }
            None if seal::is_sealed(&bytes) => {
                return Err(Error::Integrity(format!(
                    "photo {sha256} is sealed and this store has no key to open it"
                )));
            }
            // A file from before the store was encrypted (sealed when the store is converted,
            // see `store::encrypt`); its hash still vouches for it.
            _ => bytes,
        };
        let actual = hex::encode(Sha256::digest(&bytes));
        if actual != sha256 {
            return Err(Error::Integrity(format!(
                "photo {sha256} has been altered on disk (its content now hashes to {actual})"
            )));
        }
        Ok(bytes)
    }
}

impl BlobStore {
    /// Seals again every stored file not sealed under the current key: plain files (a store
    /// from before encryption) and files sealed under a key being retired. See
    /// [`BlobStore::reseal_files`]. Returns how many files were sealed.
    pub fn reseal_stale(&self) -> Result<usize> {
        let paths: Vec<PathBuf> = self.list()?.iter().map(|name| self.path(name)).collect();
        self.reseal_files(&paths)
    }

    /// Seals again each of `paths` not sealed under the current key. One file at a time, each
    /// atomically (sealed copy, fsync, rename over the old file), so a crash leaves every file
    /// whole under one key or the other. The bytes are sealed as they are: a file that no
    /// longer matches its hash still fails its check when read; a sealed file that no longer
    /// opens is left as it is. Returns how many files were sealed.
    pub fn reseal_files(&self, paths: &[PathBuf]) -> Result<usize> {
        let Some(keys) = self.keys() else {
            return Ok(0);
        };
        let mut sealed = 0;
        for path in paths {
            let name = path.display().to_string();
            let mut head = Vec::with_capacity(seal::HEADER);
            let mut file = File::open(path).map_err(Error::io(path))?;
            (&mut file)
                .take(seal::HEADER as u64)
                .read_to_end(&mut head)
                .map_err(Error::io(path))?;
            let plain: Box<dyn Read> = if !seal::is_sealed(&head) {
                file.rewind().map_err(Error::io(path))?;
                Box::new(file)
            } else if let Some(old) = keys.retiring.as_ref().filter(|k| k.sealed(&head)) {
                let bytes = fs::read(path).map_err(Error::io(path))?;
                match seal::open(old, bytes, &name) {
                    Ok(plain) => Box::new(std::io::Cursor::new(plain)),
                    Err(_) => continue,
                }
            } else {
                continue;
            };
            self.seal_into(&keys.current, plain, path)?;
            sealed += 1;
        }
        Ok(sealed)
    }

    /// Keeps `bytes` that are not a photo to store by their hash (a half-written camera file
    /// set aside) at `dest`, sealed like the photos, atomically. Only a device's (sealed) store
    /// has a camera inbox.
    pub fn keep_aside(&self, bytes: &[u8], dest: &Path) -> Result<()> {
        let Some(keys) = self.keys() else {
            return Err(Error::Store(
                "only a sealed photo store keeps camera files aside".into(),
            ));
        };
        self.seal_into(&keys.current, bytes, dest)
    }

    /// The plaintext of `sealed`, the bytes of a file kept with [`BlobStore::keep_aside`] at
    /// `path`; [`Error::Integrity`] when it was altered, cut or sealed under another key.
    pub fn open_kept(&self, sealed: Vec<u8>, path: &Path) -> Result<Vec<u8>> {
        let Some(keys) = self.keys() else {
            return Err(Error::Integrity(format!(
                "{} is sealed and this store has no key to open it",
                path.display()
            )));
        };
        seal::open(keys.for_file(&sealed), sealed, &path.display().to_string())
    }

    /// Writes `plain` sealed under `key` over the file at `path`, atomically.
    fn seal_into(&self, key: &PhotoKey, mut plain: impl Read, path: &Path) -> Result<()> {
        let tmp_dir = self.dir.join("tmp");
        let mut tmp = tempfile::NamedTempFile::new_in(&tmp_dir).map_err(Error::io(&tmp_dir))?;
        let mut w = SealWriter::new(key, std::io::BufWriter::new(tmp.as_file_mut()))
            .map_err(Error::io(path))?;
        std::io::copy(&mut plain, &mut w).map_err(Error::io(path))?;
        w.finish()
            .and_then(|mut b| b.flush())
            .map_err(Error::io(path))?;
        tmp.as_file().sync_all().map_err(Error::io(path))?;
        tmp.persist(path).map_err(|e| Error::io(path)(e.error))?;
        sync_dir(path.parent().expect("blob paths have a parent"))
    }
}

/// Where a new file's bytes go: as they are, or sealed.
enum Sink<'a> {
    Plain(&'a mut File),
    Sealed(Box<SealWriter<std::io::BufWriter<&'a mut File>>>),
}

impl Sink<'_> {
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Plain(f) => f.write_all(bytes),
            Sink::Sealed(w) => w.write_all(bytes),
        }
    }

    /// Writes out everything (seals the last chunk).
    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Plain(f) => f.flush(),
            Sink::Sealed(w) => w.finish()?.flush(),
        }
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

    fn sealed_store(dir: &Path, byte: u8) -> BlobStore {
        let key = PhotoKey::new(zeroize::Zeroizing::new([byte; 32]));
        BlobStore::open_sealed(dir, key).unwrap()
    }

    #[test]
    fn a_sealed_store_keeps_no_plaintext_and_refuses_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let store = sealed_store(dir.path(), 9);
        let photo: Vec<u8> = b"\xFF\xD8\xFF"
            .iter()
            .copied()
            .chain((0..300_000u32).map(|i| (i % 253) as u8))
            .collect();
        let a = store.put_bytes(&photo).unwrap();
        assert_eq!(
            a.sha256,
            sha256_hex(&photo),
            "named by the plaintext's hash"
        );
        assert_eq!(a.bytes, photo.len() as u64);
        assert_eq!(store.put_bytes(&photo).unwrap(), a, "stored once");
        let on_disk = fs::read(store.path(&a.sha256)).unwrap();
        assert!(seal::is_sealed(&on_disk));
        assert!(!on_disk.windows(32).any(|w| w == &photo[1000..1032]));
        assert_eq!(store.read_verified(&a.sha256).unwrap(), photo);
        assert_eq!(store.list().unwrap(), vec![a.sha256.clone()]);
        // Another key, a plain reader, a flipped bit: refused, never wrong bytes.
        assert!(matches!(
            sealed_store(dir.path(), 8).read_verified(&a.sha256),
            Err(Error::Integrity(_))
        ));
        assert!(matches!(
            BlobStore::open(dir.path())
                .unwrap()
                .read_verified(&a.sha256),
            Err(Error::Integrity(_))
        ));
        let mut flipped = on_disk.clone();
        flipped[seal::HEADER + 70_000] ^= 4;
        fs::write(store.path(&a.sha256), flipped).unwrap();
        assert!(matches!(
            store.read_verified(&a.sha256),
            Err(Error::Integrity(_))
        ));
        assert!(store.adopt(&dir.path().join("x"), &a.sha256, None).is_err());
    }

    #[test]
    fn plain_files_are_sealed_in_place_and_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let plain = BlobStore::open(dir.path()).unwrap();
        let a = plain.put_bytes(b"\xFF\xD8\xFFfirst photo").unwrap();
        let b = plain.put_bytes(b"\xFF\xD8\xFFsecond photo").unwrap();
        // A plain file altered before the conversion stays detectably altered.
        fs::write(plain.path(&b.sha256), b"swapped").unwrap();
        let sealed = sealed_store(dir.path(), 5);
        assert_eq!(
            sealed.read_verified(&a.sha256).unwrap(),
            b"\xFF\xD8\xFFfirst photo",
            "a plain file reads before it is sealed"
        );
        assert_eq!(sealed.reseal_stale().unwrap(), 2);
        assert_eq!(sealed.reseal_stale().unwrap(), 0, "nothing left to seal");
        for blob in [&a, &b] {
            assert!(seal::is_sealed(
                &fs::read(sealed.path(&blob.sha256)).unwrap()
            ));
        }
        assert_eq!(
            sealed.read_verified(&a.sha256).unwrap(),
            b"\xFF\xD8\xFFfirst photo"
        );
        assert!(matches!(
            sealed.read_verified(&b.sha256),
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
