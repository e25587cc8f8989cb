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
    /// A quantity as typed could not be read (see [`crate::model::quantity`]).
    #[error(transparent)]
    Quantity(#[from] crate::model::quantity::QuantityError),
    /// A measured composition that cannot be recorded (see [`crate::model::edits`]).
    #[error(transparent)]
    Composition(#[from] crate::model::edits::CompositionError),
    /// The caller may not do this (another device's document, a role that may not decide).
    #[error("{0}")]
    Forbidden(String),
    /// A rule of the review workflow (or of recording) refused the request; [`Rule`] names which, so the phones
    /// can say it in the officer's language and offer the right next step.
    #[error("{1}")]
    Rule(Rule, String),
    /// The device has no server to talk to yet.
    #[error("this device is not enrolled with a server yet (`quayside enroll`)")]
    NotEnrolled,
    /// The record has changed since the caller read it (a review must name the version shown).
    #[error("{0}")]
    Stale(String),
    /// The store directory holds no store yet, or one already.
    #[error("{0}")]
    Store(String),
    /// The store key does not open this store: not the key it was created with (another
    /// device's key, or a key made anew after the old one was lost). Nothing was changed.
    #[error(
        "the key does not open this store: it is not the key the store was created with (nothing was changed)"
    )]
    WrongKey,
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
    /// A database other than the device's SQLite failed (the server's PostgreSQL), or a value
    /// read from one was not of the type asked for.
    #[error("database: {0}")]
    Database(String),
    /// The database could not be reached or the connection broke; retrying may succeed.
    #[error("database unavailable: {0}")]
    DatabaseUnavailable(String),
    #[error("document: {0}")]
    Automerge(#[from] automerge::AutomergeError),
}

/// The workflow rules a request can break (see [`Error::Rule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Submitting an inspection that is submitted and unchanged since.
    AlreadySubmitted,
    /// Submitting an inspection that is approved as it stands.
    ApprovedAsItStands,
    /// A review by someone who is not a supervisor.
    NotSupervisor,
    /// A review of an inspection not submitted.
    NotSubmitted,
    /// Approving a version the officer did not sign (changed since submission).
    ChangedSinceSubmission,
    /// Returning an inspection without a comment.
    CommentNeeded,
    /// The server refuses an approval while a photo of the inspection has not arrived.
    PhotoNotArrived,
    /// The server refuses a review of a version of the inspection it does not hold yet.
    InspectionNotArrived,
    /// A finding given both a substance from the reference and one outside it.
    IdentifiedTwice,
    /// An inspection form without a container number.
    ContainerRequired,
    /// A purity or controlled content outside 0..=100 %.
    PercentRange,
    /// A seized finding with cylinders counted but no quantity.
    SeizedQuantityNeeded,
    /// A custody hand-over without both parties named.
    CustodyParties,
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
