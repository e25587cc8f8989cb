//! Where the command line finds the store key (a phone keeps it in its keystore): in
//! `QUAYSIDE_STORE_KEY` (64 hexadecimal digits), in a key file (`--key-file`, or
//! `QUAYSIDE_KEY_FILE`), or by default in the file `DIR.key` beside the store directory `DIR`,
//! which `init` creates readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::{CliError, CliResult};

/// The store key's bytes, wiped when dropped.
pub type Key = Zeroizing<Vec<u8>>;

/// Where the key is kept.
pub enum Source {
    /// `QUAYSIDE_STORE_KEY`.
    Environment(Key),
    /// A key file, and the store directory it is the key of.
    File(PathBuf, PathBuf),
}

impl Source {
    /// `QUAYSIDE_STORE_KEY` if set, else `key_file`, else `DIR.key` beside the store.
    pub fn find(store_dir: &str, key_file: Option<&Path>) -> CliResult<Source> {
        if let Ok(text) = std::env::var("QUAYSIDE_STORE_KEY") {
            return Ok(Source::Environment(parse(&text, "QUAYSIDE_STORE_KEY")?));
        }
        let file = match key_file {
            Some(path) => path.to_path_buf(),
            None => PathBuf::from(format!("{}.key", store_dir.trim_end_matches('/'))),
        };
        Ok(Source::File(file, PathBuf::from(store_dir)))
    }

    /// The key of an existing store.
    pub fn read(&self) -> CliResult<Key> {
        match self {
            Source::Environment(key) => Ok(key.clone()),
            Source::File(path, store) => match std::fs::read_to_string(path) {
                Ok(text) => parse(&Zeroizing::new(text), &path.display().to_string()),
                // No key because there is no store: say that, as opening it would.
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        && !store.join(quayside_core::store::DB_FILE).exists() =>
                {
                    Err(CliError::Usage(format!(
                        "no Quayside store in {} (create one with `quayside init`)",
                        store.display()
                    )))
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    Err(CliError::Usage(format!(
                        "no store key at {} (the store's key file; or give --key-file or QUAYSIDE_STORE_KEY)",
                        path.display()
                    )))
                }
                Err(e) => Err(CliError::Usage(format!("{}: {e}", path.display()))),
            },
        }
    }

    /// The key for a new store: the one given, or a new one written to the key file (which must
    /// not exist: a key file is never overwritten, it may be another store's only key). Returns
    /// the key and the file it was written to.
    pub fn read_or_create(&self) -> CliResult<(Key, Option<PathBuf>)> {
        let path = match self {
            Source::File(path, _) if !path.exists() => path,
            _ => return Ok((self.read()?, None)),
        };
        let key = Zeroizing::new(quayside_core::generate_store_key());
        let text = Zeroizing::new(format!("{}\n", hex::encode(&*key)));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options.open(path).and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        });
        written.map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        Ok((key, Some(path.clone())))
    }
}

fn parse(text: &str, what: &str) -> CliResult<Key> {
    hex::decode(text.trim()).map(Zeroizing::new).map_err(|_| {
        CliError::Usage(format!(
            "{what}: a store key is written as 64 hexadecimal digits"
        ))
    })
}
