//! The server's error type and how each error becomes an HTTP response (a clear 4xx for bad
//! input, 5xx only for the server's own failures).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quayside_core::sync::protocol::ErrorBody;

/// An error while handling a request.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ServerResult<T> = Result<T, ServerError>;

impl From<quayside_core::error::Error> for ServerError {
    fn from(e: quayside_core::error::Error) -> Self {
        use quayside_core::error::Error;
        match e {
            Error::Invalid(_) | Error::CheckDigit { .. } | Error::UnknownSubstance(_) => {
                ServerError::BadRequest(e.to_string())
            }
            Error::NotFound { .. } => ServerError::NotFound(e.to_string()),
            _ => ServerError::Internal(e.to_string()),
        }
    }
}

impl From<rusqlite::Error> for ServerError {
    fn from(e: rusqlite::Error) -> Self {
        ServerError::Internal(format!("database: {e}"))
    }
}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        ServerError::Internal(format!("io: {e}"))
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = match &self {
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Conflict(_) => StatusCode::CONFLICT,
            ServerError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (
            status,
            axum::Json(ErrorBody {
                error: self.to_string(),
            }),
        )
            .into_response()
    }
}
