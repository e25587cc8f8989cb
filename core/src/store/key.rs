//! The store key: the 32 bytes the app keeps in the platform keystore, which encrypt the device
//! database as a whole (SQLCipher) and, through HKDF, the photos. Here: how a connection is
//! keyed, how a wrong key is told apart from a damaged file, and how a file is known to be a
//! plain SQLite database from before encryption.

use std::io::Read;
use std::path::Path;

use rusqlite::Connection;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The length of a store key in bytes.
pub const KEY_BYTES: usize = 32;

/// The first 16 bytes of every plain SQLite database (an encrypted one starts with its salt).
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A store key. Its bytes are wiped from memory when it is dropped and never printed.
#[derive(Clone)]
pub struct StoreKey(Zeroizing<[u8; KEY_BYTES]>);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

impl StoreKey {
    /// A key from the app's 32 bytes; any other length is refused.
    pub fn from_bytes(bytes: &[u8]) -> Result<StoreKey> {
        let bytes: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| {
            Error::Invalid(format!(
                "a store key is {KEY_BYTES} bytes (from the platform keystore or a key file), not {}",
                bytes.len()
            ))
        })?;
        if bytes.iter().all(|b| *b == 0) {
            return Err(Error::Invalid(
                "a store key of all zero bytes is not a key".into(),
            ));
        }
        Ok(StoreKey(Zeroizing::new(bytes)))
    }

    /// A key written as 64 hexadecimal digits (a key file, an environment variable); surrounding
    /// white space is ignored.
    pub fn from_hex(text: &str) -> Result<StoreKey> {
        let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| {
            Error::Invalid(format!(
                "a store key is written as {} hexadecimal digits",
                KEY_BYTES * 2
            ))
        })?);
        StoreKey::from_bytes(&bytes)
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> StoreKey {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        rand::fill(&mut bytes[..]);
        StoreKey(bytes)
    }

    /// The key's bytes (to hand back to the app that keeps it).
    pub fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// The key as SQLCipher takes a raw key (`x'...'`): the bytes as they are, with no
    /// passphrase stretching (the app's key is already random), so opening costs no key
    /// derivation. For `PRAGMA key`, `PRAGMA rekey` and `ATTACH ... KEY`.
    pub fn sql_literal(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", self.to_hex().as_str()))
    }

    /// The key as 64 hexadecimal digits (what a key file holds).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(&self.0[..]))
    }

    /// A key for another purpose, derived with HKDF-SHA256 under the label `purpose`; knowing
    /// one derived key tells nothing about the store key or another purpose's key.
    pub fn derive(&self, purpose: &'static [u8]) -> Zeroizing<[u8; KEY_BYTES]> {
        derive_key(&self.0[..], b"quayside store key", purpose)
    }
}

/// HKDF-SHA256 (RFC 5869) of `secret` with `salt`, expanded to 32 bytes for `info`.
pub(crate) fn derive_key(secret: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; KEY_BYTES]> {
    struct Len;
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            KEY_BYTES
        }
    }
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, salt).extract(secret);
    let mut out = Zeroizing::new([0u8; KEY_BYTES]);
    let info = [info];
    prk.expand(&info, Len)
        .and_then(|okm| okm.fill(&mut out[..]))
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    out
}

/// Keys a freshly opened connection (before anything else reads the file) and checks the key:
/// a key that does not decrypt the file is [`Error::WrongKey`], and nothing has been written.
pub fn apply(conn: &Connection, key: &StoreKey) -> Result<()> {
    let pragma = Zeroizing::new(format!("PRAGMA key = \"{}\"", key.sql_literal().as_str()));
    conn.execute_batch(&pragma)?;
    // Until the key is known to be right, closing must not fold a WAL left by a crash into the
    // database (SQLite does on the last close): a refused key leaves the files as they were.
    let no_checkpoint = rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE;
    conn.set_db_config(no_checkpoint, true)?;
    check_key(conn)?;
    conn.set_db_config(no_checkpoint, false)?;
    Ok(())
}

/// Reads the schema, which fails on the first page when the key is wrong.
pub(crate) fn check_key(conn: &Connection) -> Result<()> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(Error::WrongKey)
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether the file at `path` is a plain (unencrypted) SQLite database: a store written before
/// encryption, to be converted on its first open with a key.
pub fn is_plain(path: &Path) -> Result<bool> {
    let mut head = Vec::with_capacity(PLAIN_HEADER.len());
    std::fs::File::open(path)
        .and_then(|f| f.take(PLAIN_HEADER.len() as u64).read_to_end(&mut head))
        .map_err(Error::io(path))?;
    Ok(head == PLAIN_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_bytes_and_never_printed() {
        assert!(StoreKey::from_bytes(&[7; 31]).is_err());
        assert!(StoreKey::from_bytes(&[0; 32]).is_err());
        assert!(StoreKey::from_hex("zz").is_err());
        let key = StoreKey::generate();
        let again = StoreKey::from_hex(&format!(" {}\n", key.to_hex().as_str())).unwrap();
        assert_eq!(key.bytes(), again.bytes());
        assert_eq!(format!("{key:?}"), "StoreKey(..)");
        // Derived keys differ by purpose and from the key itself.
        let (a, b) = (key.derive(b"a"), key.derive(b"b"));
        assert_ne!(*a, *b);
        assert_ne!(&*a, key.bytes());
        assert_eq!(*a, *again.derive(b"a"));
    }

    #[test]
    fn hkdf_matches_rfc_5869() {
        // RFC 5869, test case 1 (the first 32 bytes of its 42-byte OKM).
        let ikm = [0x0b; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        assert_eq!(
            hex::encode(*derive_key(&ikm, &salt, &info)),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        );
    }

    #[test]
    fn a_wrong_key_is_told_apart_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let key = StoreKey::generate();
        {
            let c = Connection::open(&path).unwrap();
            apply(&c, &key).unwrap();
            c.execute_batch("CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('seized R-22')")
                .unwrap();
        }
        assert!(!is_plain(&path).unwrap());
        let before = std::fs::read(&path).unwrap();
        let c = Connection::open(&path).unwrap();
        assert!(matches!(
            apply(&c, &StoreKey::generate()),
            Err(Error::WrongKey)
        ));
        drop(c);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let c = Connection::open(&path).unwrap();
        apply(&c, &key).unwrap();
        let x: String = c.query_row("SELECT x FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(x, "seized R-22");
        let plain = dir.path().join("p.db");
        Connection::open(&plain)
            .unwrap()
            .execute_batch("CREATE TABLE t(x)")
            .unwrap();
        assert!(is_plain(&plain).unwrap());
    }
}
