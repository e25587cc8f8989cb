//! Photos at rest on the device: sealed with AES-256-GCM in 64 KiB chunks, so a photo is written
//! as it streams in and a cut, reordered or altered file fails to open. Each file has its own
//! key, derived (HKDF-SHA256) from the store's photo key and a random salt in the file's header;
//! chunk `i` is sealed under the nonce `0^7 || i (32-bit big-endian) || last` (the STREAM
//! construction of Hoang, Reyhanitabar, Rogaway and Vizár), so chunks cannot be dropped,
//! repeated, reordered or cut off at a chunk boundary without the check failing.
//!
//! ```text
//! "QSPHOTO1" | key id (8) | salt (32) | chunk 0 + tag (16) | ... | last chunk + tag
//! ```
//! The key id says which photo key sealed the file, so a file sealed under another key is told
//! apart from a damaged one. The photo's name stays the SHA-256 of its plaintext.

use std::io::Write;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::store::key::{KEY_BYTES, derive_key};

/// Every sealed file starts with these bytes.
pub const MAGIC: &[u8; 8] = b"QSPHOTO1";
/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const KEY_ID: usize = 8;
const SALT: usize = 32;
/// The header's length: magic, key id, salt.
pub const HEADER: usize = MAGIC.len() + KEY_ID + SALT;

/// The key photos are sealed under (derived from the store key, see [`crate::store::Store`]).
#[derive(Clone)]
pub struct PhotoKey {
    secret: Zeroizing<[u8; KEY_BYTES]>,
    id: [u8; KEY_ID],
}

impl std::fmt::Debug for PhotoKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhotoKey({})", hex::encode(self.id))
    }
}

impl PhotoKey {
    /// The photo key for `secret` (a key derived from the store key for photos).
    pub fn new(secret: Zeroizing<[u8; KEY_BYTES]>) -> PhotoKey {
        let derived = derive_key(&secret[..], b"", b"quayside photo key id");
        let mut id = [0u8; KEY_ID];
        id.copy_from_slice(&derived[..KEY_ID]);
        PhotoKey { secret, id }
    }

    /// Whether the sealed file (or its header) `sealed` names this key.
    pub fn sealed(&self, sealed: &[u8]) -> bool {
        is_sealed(sealed) && sealed.get(MAGIC.len()..MAGIC.len() + KEY_ID) == Some(&self.id[..])
    }

    /// The key's secret (kept, inside the encrypted database, while files sealed under it are
    /// sealed again under a new key).
    pub fn secret(&self) -> &[u8; KEY_BYTES] {
        &self.secret
    }

    fn file_key(&self, salt: &[u8]) -> LessSafeKey {
        let key = derive_key(&self.secret[..], salt, b"quayside photo file");
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key[..]).expect("a 32-byte AES-256 key"))
    }
}

/// Whether `bytes` (a stored file, or its first bytes) is a sealed photo.
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

fn nonce(index: u32, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[7..11].copy_from_slice(&index.to_be_bytes());
    n[11] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

/// Seals what is written to it into `out`, chunk by chunk; [`SealWriter::finish`] seals the
/// last chunk. A full chunk is sealed only once more bytes arrive, so the last is always known.
pub struct SealWriter<W: Write> {
    out: W,
    key: LessSafeKey,
    buf: Zeroizing<Vec<u8>>,
    index: u32,
}

impl<W: Write> SealWriter<W> {
    /// Starts a sealed file in `out` (writes its header).
    pub fn new(photo: &PhotoKey, mut out: W) -> std::io::Result<SealWriter<W>> {
        let salt: [u8; SALT] = rand::random();
        out.write_all(MAGIC)?;
        out.write_all(&photo.id)?;
        out.write_all(&salt)?;
        Ok(SealWriter {
            out,
            key: photo.file_key(&salt),
            buf: Zeroizing::new(Vec::with_capacity(CHUNK + TAG)),
            index: 0,
        })
    }

    fn seal_chunk(&mut self, last: bool) -> std::io::Result<()> {
        let tag = self
            .key
            .seal_in_place_separate_tag(nonce(self.index, last), Aad::empty(), &mut self.buf[..])
            .map_err(|_| std::io::Error::other("sealing a photo chunk failed"))?;
        self.out.write_all(&self.buf)?;
        self.out.write_all(tag.as_ref())?;
        self.buf.clear();
        self.index = self
            .index
            .checked_add(1)
            .ok_or_else(|| std::io::Error::other("a photo too large to seal"))?;
        Ok(())
    }

    /// Seals the last chunk and returns the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.seal_chunk(true)?;
        Ok(self.out)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        if self.buf.len() == CHUNK {
            self.seal_chunk(false)?;
        }
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Opens a sealed file's bytes in place and returns the plaintext. Fails with
/// [`Error::Integrity`] when the file was sealed under another key, cut short, or altered.
pub fn open(photo: &PhotoKey, mut sealed: Vec<u8>, what: &str) -> Result<Vec<u8>> {
    let damaged = |why: &str| Error::Integrity(format!("photo {what}: {why}"));
    if sealed.len() < HEADER + TAG || !is_sealed(&sealed) {
        return Err(damaged("not a sealed photo, or cut short"));
    }
    if sealed[MAGIC.len()..MAGIC.len() + KEY_ID] != photo.id {
        return Err(damaged(
            "sealed under another store key (not this store's photo)",
        ));
    }
    let key = photo.file_key(&sealed[MAGIC.len() + KEY_ID..HEADER]);
    let body = &mut sealed[HEADER..];
    let chunks = body.len().div_ceil(CHUNK + TAG);
    let mut plain_len = 0;
    for i in 0..chunks {
        let start = i * (CHUNK + TAG);
        let end = (start + CHUNK + TAG).min(body.len());
        let last = i + 1 == chunks;
        let index = u32::try_from(i).map_err(|_| damaged("too many chunks"))?;
        let plain = key
            .open_in_place(nonce(index, last), Aad::empty(), &mut body[start..end])
            .map_err(|_| damaged("altered or cut (its authentication failed)"))?;
        let n = plain.len();
        // Compact the plaintext towards the front, over the tags already checked.
        body.copy_within(start..start + n, plain_len);
        plain_len += n;
    }
    sealed.copy_within(HEADER..HEADER + plain_len, 0);
    sealed.truncate(plain_len);
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> PhotoKey {
        PhotoKey::new(Zeroizing::new([byte; KEY_BYTES]))
    }

    fn seal(k: &PhotoKey, plain: &[u8], writes: usize) -> Vec<u8> {
        let mut w = SealWriter::new(k, Vec::new()).unwrap();
        for part in plain.chunks(writes.max(1)) {
            w.write_all(part).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn round_trips_at_every_chunk_boundary() {
        let k = key(1);
        for len in [
            1,
            100,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            3 * CHUNK,
            3 * CHUNK + 7,
        ] {
            let plain: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            for writes in [1000, CHUNK, 7 * CHUNK] {
                let sealed = seal(&k, &plain, writes);
                assert!(is_sealed(&sealed));
                assert_eq!(
                    sealed.len(),
                    HEADER + plain.len() + plain.len().div_ceil(CHUNK) * TAG
                );
                assert_eq!(open(&k, sealed, "x").unwrap(), plain, "len {len}");
            }
        }
    }

    #[test]
    fn no_plaintext_survives_and_the_same_photo_seals_differently() {
        let k = key(2);
        let plain = b"\xFF\xD8\xFF consignee ACME Refrigerants Ltd, R-22 cylinders".repeat(50);
        let (a, b) = (seal(&k, &plain, 4096), seal(&k, &plain, 4096));
        assert_ne!(a, b, "a random salt per file");
        assert!(!a.windows(12).any(|w| plain.windows(12).any(|p| p == w)));
    }

    #[test]
    fn altered_cut_reordered_or_foreign_files_are_refused() {
        let k = key(3);
        let plain: Vec<u8> = (0..3 * CHUNK + 10).map(|i| i as u8).collect();
        let sealed = seal(&k, &plain, CHUNK);
        let refused = |bytes: Vec<u8>, why: &str| {
            assert!(
                matches!(open(&k, bytes, "x"), Err(Error::Integrity(_))),
                "{why}"
            )
        };
        let mut flipped = sealed.clone();
        flipped[HEADER + 5] ^= 1;
        refused(flipped, "a flipped bit");
        let mut salt = sealed.clone();
        salt[MAGIC.len() + KEY_ID] ^= 1;
        refused(salt, "another salt");
        // Cut at a chunk boundary: the chunk before the cut was not sealed as the last.
        refused(
            sealed[..HEADER + 2 * (CHUNK + TAG)].to_vec(),
            "cut at a boundary",
        );
        refused(sealed[..sealed.len() - 1].to_vec(), "cut inside a chunk");
        let mut swapped = sealed[..HEADER].to_vec();
        swapped.extend_from_slice(&sealed[HEADER + CHUNK + TAG..HEADER + 2 * (CHUNK + TAG)]);
        swapped.extend_from_slice(&sealed[HEADER..HEADER + CHUNK + TAG]);
        swapped.extend_from_slice(&sealed[HEADER + 2 * (CHUNK + TAG)..]);
        refused(swapped, "two chunks swapped");
        let err = open(&key(4), sealed.clone(), "x").unwrap_err();
        assert!(err.to_string().contains("another store key"), "{err}");
        refused(plain, "a plain file");
        assert_eq!(open(&k, sealed, "x").unwrap().len(), 3 * CHUNK + 10);
    }
}
