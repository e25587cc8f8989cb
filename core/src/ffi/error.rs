//! The public error type: what phones and the CLI see. Internal errors are converted here, in
//! one place. Each variant is a stable code; `code()`, `retryable()` and `user_message()` give
//! every shell the same answer without reading the English text.

use serde::Serialize;

use super::messages::{MessageKey, UserMessage};
use crate::error::{Error, Rule};
use crate::model::edits::CompositionError;
use crate::model::quantity::QuantityError;

/// An error from a [`super::FieldStore`] call. Nothing was changed by a call that failed.
/// `message` is English, for logs and the command line; shells show `user_message()`.
#[derive(Debug, Clone, thiserror::Error, uniffi::Error)]
pub enum ApiError {
    /// The input was not acceptable (malformed, out of range, inconsistent). `field` names the
    /// form field it concerns when the core read a whole form
    /// ([`super::finding_fields_from_form`]).
    #[error("{message}")]
    Invalid {
        message: String,
        user: UserMessage,
        field: Option<String>,
    },
    /// The container number's check digit is wrong; retry with the override to record it anyway.
    #[error("{message}")]
    CheckDigit {
        message: String,
        number: String,
        found: u32,
        expected: u32,
    },
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
    /// The key given does not open this store (not the key it was created with). Nothing was
    /// changed; the app must not make a new store over it.
    #[error("{message}")]
    WrongKey { message: String },
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
    /// The device has not been enrolled with a server.
    #[error("{message}")]
    NotEnrolled { message: String },
    /// The server no longer accepts this device's token (revoked, or enrolled elsewhere):
    /// enrolling again is the way forward; retrying is not.
    #[error("{message}")]
    Unauthorized { message: String },
    /// The user may not do this (their role or station does not allow it).
    #[error("{message}")]
    Forbidden { message: String, user: UserMessage },
    /// The server refused the request for another reason (HTTP `status`).
    #[error("{message}")]
    Server { message: String, status: u16 },
    /// An unexpected internal failure (database, document engine).
    #[error("{message}")]
    Internal { message: String },
}

/// The stable code of an [`ApiError`], for decisions and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Invalid,
    CheckDigit,
    UnknownSubstance,
    NotFound,
    Stale,
    Store,
    WrongKey,
    Integrity,
    Io,
    Network,
    NotEnrolled,
    Unauthorized,
    Forbidden,
    ServerRefused,
    Internal,
}

impl ErrorCode {
    /// The code as written in logs and sync state (`network`, `unauthorized`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::CheckDigit => "check_digit",
            ErrorCode::UnknownSubstance => "unknown_substance",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Stale => "stale",
            ErrorCode::Store => "store",
            ErrorCode::WrongKey => "wrong_key",
            ErrorCode::Integrity => "integrity",
            ErrorCode::Io => "io",
            ErrorCode::Network => "network",
            ErrorCode::NotEnrolled => "not_enrolled",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ServerRefused => "server_refused",
            ErrorCode::Internal => "internal",
        }
    }

    /// Every code.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Invalid,
        ErrorCode::CheckDigit,
        ErrorCode::UnknownSubstance,
        ErrorCode::NotFound,
        ErrorCode::Stale,
        ErrorCode::Store,
        ErrorCode::WrongKey,
        ErrorCode::Integrity,
        ErrorCode::Io,
        ErrorCode::Network,
        ErrorCode::NotEnrolled,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::ServerRefused,
        ErrorCode::Internal,
    ];

    /// Parses [`ErrorCode::as_str`].
    pub fn parse(s: &str) -> Option<ErrorCode> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// Whether the same call may succeed later without anything changing on this device:
    /// only a connection that failed (including a server that is failing or busy).
    pub fn is_retryable(self) -> bool {
        matches!(self, ErrorCode::Network)
    }
}

#[uniffi::export]
impl ApiError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Invalid { .. } => ErrorCode::Invalid,
            ApiError::CheckDigit { .. } => ErrorCode::CheckDigit,
            ApiError::UnknownSubstance { .. } => ErrorCode::UnknownSubstance,
            ApiError::NotFound { .. } => ErrorCode::NotFound,
            ApiError::Stale { .. } => ErrorCode::Stale,
            ApiError::Store { .. } => ErrorCode::Store,
            ApiError::WrongKey { .. } => ErrorCode::WrongKey,
            ApiError::Integrity { .. } => ErrorCode::Integrity,
            ApiError::Io { .. } => ErrorCode::Io,
            ApiError::Network { .. } => ErrorCode::Network,
            ApiError::NotEnrolled { .. } => ErrorCode::NotEnrolled,
            ApiError::Unauthorized { .. } => ErrorCode::Unauthorized,
            ApiError::Forbidden { .. } => ErrorCode::Forbidden,
            ApiError::Server { .. } => ErrorCode::ServerRefused,
            ApiError::Internal { .. } => ErrorCode::Internal,
        }
    }

    /// Whether trying the same call again later may succeed (a broken connection, a failing
    /// server); false where only a person can help (bad input, a revoked device).
    pub fn retryable(&self) -> bool {
        self.code().is_retryable()
    }

    /// What to tell the person, as a key and arguments for the shell's own resources.
    pub fn user_message(&self) -> UserMessage {
        use MessageKey as K;
        match self {
            ApiError::Invalid { user, .. } => user.clone(),
            ApiError::CheckDigit {
                number,
                found,
                expected,
                ..
            } => UserMessage::new(
                K::ErrorCheckDigit,
                [number.clone(), found.to_string(), expected.to_string()],
            ),
            ApiError::UnknownSubstance { name, .. } => {
                UserMessage::new(K::ErrorUnknownSubstance, [name.clone()])
            }
            ApiError::NotFound { kind, id, .. } => {
                UserMessage::new(K::ErrorNotFound, [kind.clone(), id.clone()])
            }
            ApiError::Stale { .. } => UserMessage::plain(K::ErrorStale),
            ApiError::Store { message } => UserMessage::new(K::ErrorStore, [message.clone()]),
            ApiError::WrongKey { .. } => UserMessage::plain(K::ErrorWrongKey),
            ApiError::Integrity { message } => {
                UserMessage::new(K::ErrorIntegrity, [message.clone()])
            }
            ApiError::Io { message } => UserMessage::new(K::ErrorIo, [message.clone()]),
            ApiError::Network { .. } => UserMessage::plain(K::ErrorNetwork),
            ApiError::NotEnrolled { .. } => UserMessage::plain(K::ErrorNotEnrolled),
            ApiError::Unauthorized { .. } => UserMessage::plain(K::ErrorUnauthorized),
            ApiError::Forbidden { user, .. } => user.clone(),
            ApiError::Server { message, status } => {
                UserMessage::new(K::ErrorServerRefused, [status.to_string(), message.clone()])
            }
            ApiError::Internal { message } => UserMessage::new(K::ErrorInternal, [message.clone()]),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e {
            Error::Invalid(detail) => ApiError::Invalid {
                message,
                field: None,
                user: UserMessage::new(MessageKey::ErrorInvalid, [detail]),
            },
            Error::Quantity(q) => ApiError::Invalid {
                message,
                field: None,
                user: match q {
                    QuantityError::Empty => UserMessage::plain(MessageKey::QuantityEmpty),
                    QuantityError::NotANumber(text) => {
                        UserMessage::new(MessageKey::QuantityNotANumber, [text])
                    }
                    QuantityError::Negative => UserMessage::plain(MessageKey::QuantityNegative),
                    QuantityError::TooLarge(v) => {
                        UserMessage::new(MessageKey::QuantityTooLarge, [v.to_string()])
                    }
                    QuantityError::NotWhole(text) => {
                        UserMessage::new(MessageKey::CountNotWhole, [text])
                    }
                },
            },
            Error::Composition(c) => ApiError::Invalid {
                message,
                field: None,
                user: match c {
                    CompositionError::Unnamed(pct) => {
                        UserMessage::new(MessageKey::CompositionUnnamed, [pct])
                    }
                    CompositionError::ShareMissing(name) => {
                        UserMessage::new(MessageKey::CompositionShareMissing, [name])
                    }
                    CompositionError::ShareRange(name) => {
                        UserMessage::new(MessageKey::CompositionShareRange, [name])
                    }
                    CompositionError::Twice(name) => {
                        UserMessage::new(MessageKey::CompositionTwice, [name])
                    }
                    CompositionError::Polyol(name) => {
                        UserMessage::new(MessageKey::CompositionPolyol, [name])
                    }
                    CompositionError::Total(total) => {
                        UserMessage::new(MessageKey::CompositionTotal, [total])
                    }
                },
            },
            Error::CheckDigit {
                number,
                found,
                expected,
            } => ApiError::CheckDigit {
                message,
                number,
                found,
                expected,
            },
            Error::UnknownSubstance(name) => ApiError::UnknownSubstance { message, name },
            Error::NotFound { kind, id } => ApiError::NotFound {
                message,
                kind: kind.to_string(),
                id,
            },
            Error::Stale(_) => ApiError::Stale { message },
            Error::Store(_) => ApiError::Store { message },
            Error::WrongKey => ApiError::WrongKey { message },
            Error::Integrity(_) => ApiError::Integrity { message },
            Error::Io { .. } => ApiError::Io { message },
            Error::Network(_) => ApiError::Network { message },
            Error::NotEnrolled => ApiError::NotEnrolled { message },
            Error::Forbidden(detail) => ApiError::Forbidden {
                message,
                user: UserMessage::new(MessageKey::ErrorForbidden, [detail]),
            },
            Error::Rule(Rule::NotSupervisor, _) => ApiError::Forbidden {
                message,
                user: UserMessage::plain(MessageKey::RuleNotSupervisor),
            },
            Error::Rule(rule, detail) => ApiError::Invalid {
                message,
                field: None,
                user: match rule {
                    Rule::AlreadySubmitted => UserMessage::plain(MessageKey::RuleAlreadySubmitted),
                    Rule::ApprovedAsItStands => {
                        UserMessage::plain(MessageKey::RuleApprovedAsItStands)
                    }
                    Rule::NotSubmitted => UserMessage::plain(MessageKey::RuleNotSubmitted),
                    Rule::ChangedSinceSubmission => {
                        UserMessage::plain(MessageKey::RuleChangedSinceSubmission)
                    }
                    Rule::CommentNeeded => UserMessage::plain(MessageKey::RuleCommentNeeded),
                    Rule::IdentifiedTwice => UserMessage::plain(MessageKey::RuleIdentifiedTwice),
                    Rule::ContainerRequired => {
                        UserMessage::plain(MessageKey::RuleContainerRequired)
                    }
                    Rule::PercentRange => UserMessage::plain(MessageKey::RulePercentRange),
                    Rule::SeizedQuantityNeeded => {
                        UserMessage::plain(MessageKey::RuleSeizedQuantityNeeded)
                    }
                    Rule::CustodyParties => UserMessage::plain(MessageKey::RuleCustodyParties),
                    Rule::NotSupervisor => UserMessage::plain(MessageKey::RuleNotSupervisor),
                    Rule::PhotoNotArrived => {
                        UserMessage::new(MessageKey::RefusalWaitingForPhoto, [detail])
                    }
                    Rule::InspectionNotArrived => {
                        UserMessage::new(MessageKey::RefusalWaitingForInspection, [detail])
                    }
                },
            },
            Error::Server { status: 401, .. } => ApiError::Unauthorized { message },
            Error::Server {
                status: 403,
                message: ref detail,
            } => ApiError::Forbidden {
                user: UserMessage::new(MessageKey::ErrorForbidden, [detail.clone()]),
                message,
            },
            Error::Server { status, .. } => ApiError::Server { message, status },
            Error::Sqlite(_)
            | Error::Database(_)
            | Error::DatabaseUnavailable(_)
            | Error::Automerge(_) => ApiError::Internal { message },
        }
    }
}
