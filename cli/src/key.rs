//! Where the command line finds the store key (a phone keeps it in its keystore): in
//! `QUAYSIDE_STORE_KEY` (64 hexadecimal digits), in a key file (`--key-file`, or
//! `QUAYSIDE_KEY_FILE`), or by default in the file `DIR.key` beside the store directory `DIR`,
//! which `init` creates readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use quayside_core::{ApiError, FieldStore};
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
        Ok((write_new_key(path)?, Some(path.clone())))
    }

    /// Deletes the key file (the store it opened was wiped); a key from the environment is the
    /// caller's.
    pub fn forget(&self) -> CliResult {
        match self {
            Source::File(path, _) => match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(CliError::Usage(format!("{}: {e}", path.display())))
                }
                _ => Ok(()),
            },
            Source::Environment(_) => Ok(()),
        }
    }

    /// Opens the store with its key, first finishing a key change a crash interrupted (see
    /// [`change`]).
    pub fn open(&self, dir: &str) -> CliResult<Arc<FieldStore>> {
        if let Source::File(path, _) = self {
            let pending = pending(path);
            if pending.exists() {
                let new = parse(&read_text(&pending)?, &pending.display().to_string())?;
                let store = match FieldStore::open(dir.to_string(), new.to_vec()) {
                    // The store had changed key: the new key is its key.
                    Ok(store) => store,
                    // It had not: change it now.
                    Err(ApiError::WrongKey { .. }) => {
                        let store = FieldStore::open(dir.to_string(), self.read()?.to_vec())?;
                        store.change_key(new.to_vec())?;
                        store
                    }
                    Err(e) => return Err(e.into()),
                };
                replace(&pending, path)?;
                return Ok(store);
            }
        }
        Ok(FieldStore::open(dir.to_string(), self.read()?.to_vec())?)
    }
}

/// Re-encrypts the store in `dir` under a new key: the new key is written to `FILE.new` beside
/// the key file, the store changes key, and `FILE.new` is renamed over the key file. A crash
/// leaves the old key in `FILE` and the new one in `FILE.new`, and the next command that opens
/// the store finishes the change. Returns the key file.
pub fn change(dir: &str, source: &Source) -> CliResult<PathBuf> {
    let Source::File(path, _) = source else {
        return Err(CliError::Usage(
            "the key comes from QUAYSIDE_STORE_KEY: give the store a key file (--key-file) to change its key".into(),
        ));
    };
    let store = source.open(dir)?;
    let pending = pending(path);
    let new = write_new_key(&pending)?;
    store.change_key(new.to_vec())?;
    replace(&pending, path)?;
    Ok(path.clone())
}

/// Where a key change keeps the new key until the store has it.
fn pending(key_file: &Path) -> PathBuf {
    PathBuf::from(format!("{}.new", key_file.display()))
}

fn read_text(path: &Path) -> CliResult<Zeroizing<String>> {
    std::fs::read_to_string(path)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

/// Renames `from` over `to` and makes the rename durable.
fn replace(from: &Path, to: &Path) -> CliResult {
    let io = |e: std::io::Error| CliError::Usage(format!("{}: {e}", to.display()));
    std::fs::rename(from, to).map_err(io)?;
    let parent = to.parent().filter(|p| !p.as_os_str().is_empty());
    std::fs::File::open(parent.unwrap_or(Path::new(".")))
        .and_then(|d| d.sync_all())
        .map_err(io)
}

/// A new key written to `path` (which must not exist), readable by its owner only, on disk
/// before this returns.
fn write_new_key(path: &Path) -> CliResult<Key> {
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
    Ok(key)
}

fn parse(text: &str, what: &str) -> CliResult<Key> {
    hex::decode(text.trim()).map(Zeroizing::new).map_err(|_| {
        CliError::Usage(format!(
            "{what}: a store key is written as 64 hexadecimal digits"
        ))
    })
}
