//! The public error type: what phones and the CLI see. Internal errors are converted here, in
//! one place, into messages a person can act on.

use crate::error::Error;

/// An error from a [`super::FieldStore`] call. Nothing was changed by a call that failed.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The input was not acceptable (malformed, out of range, inconsistent).
    #[error("{message}")]
    Invalid { message: String },
    /// The container number's check digit is wrong; retry with the override to record it anyway.
    #[error("{message}")]
    CheckDigit { message: String, expected: u32 },
    /// The substance name is not in the reference.
    #[error("{message}")]
    UnknownSubstance { message: String, name: String },
    /// No record with that id.
    #[error("{message}")]
    NotFound {
        message: String,
        kind: String,
        id: String,
    },
    /// The record changed since it was shown (a colleague's edit arrived); show it again and
    /// let the person decide on what it says now. Nothing was written.
    #[error("{message}")]
    Stale { message: String },
    /// The store could not be created or opened.
    #[error("{message}")]
    Store { message: String },
    /// Stored data failed a check (a photo altered on disk, a document that does not load).
    #[error("{message}")]
    Integrity { message: String },
    /// A file could not be read or written.
    #[error("{message}")]
    Io { message: String },
    /// The server could not be reached or the connection broke; nothing recorded was lost and
    /// a later sync resumes.
    #[error("{message}")]
    Network { message: String },
    /// The server refused the request (revoked device, unknown enrolment code, ...).
    #[error("{message}")]
    Server { message: String, status: u16 },
    /// An unexpected internal failure (database, document engine).
    #[error("{message}")]
    Internal { message: String },
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e {
            Error::Invalid(_) => ApiError::Invalid { message },
            Error::CheckDigit { expected, .. } => ApiError::CheckDigit { message, expected },
            Error::UnknownSubstance(name) => ApiError::UnknownSubstance { message, name },
            Error::NotFound { kind, id } => ApiError::NotFound {
                message,
                kind: kind.to_string(),
                id,
            },
            Error::Stale(_) => ApiError::Stale { message },
            Error::Store(_) => ApiError::Store { message },
            Error::Integrity(_) => ApiError::Integrity { message },
            Error::Io { .. } => ApiError::Io { message },
            Error::Network(_) => ApiError::Network { message },
            Error::Server { status, .. } => ApiError::Server { message, status },
            Error::Sqlite(_) | Error::Automerge(_) => ApiError::Internal { message },
        }
    }
}
