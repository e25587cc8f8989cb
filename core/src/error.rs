//! The core's internal error type: every module returns `Result<T, Error>`; only `ffi` turns it
//! into the public `ApiError`.

use std::path::PathBuf;

/// Everything that can go wrong inside the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller gave a value the domain does not accept (a malformed container number, a
    /// negative mass, an unknown enum value). Nothing was written.
    #[error("{0}")]
    Invalid(String),
    /// A container number whose check digit does not match; the officer may confirm it anyway.
    #[error(
        "container number {number}: check digit is {found}, expected {expected} (a typo, or a fictitious number); confirm it to record it anyway"
    )]
    CheckDigit {
        number: String,
        found: u32,
        expected: u32,
    },
    /// A substance name that is not in the shipped reference.
    #[error("unknown substance {0:?}: try `quayside reference {0}` to search the reference")]
    UnknownSubstance(String),
    /// An id that names nothing in this store.
    #[error("no {kind} with id {id}")]
    NotFound { kind: &'static str, id: String },
    /// The record has changed since the caller read it (a review must name the version shown).
    #[error("{0}")]
    Stale(String),
    /// The store directory holds no store yet, or one already.
    #[error("{0}")]
    Store(String),
    /// Stored bytes did not match their recorded hash, or a document failed to load.
    #[error("integrity check failed: {0}")]
    Integrity(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The server could not be reached or the connection broke; retrying may succeed.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error (refused token, bad request).
    #[error("server refused ({status}): {message}")]
    Server { status: u16, message: String },
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("document: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}
