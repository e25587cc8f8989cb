//! The server's error type and how each error becomes an HTTP response: a clear 4xx for bad
//! input, 5xx only for the server's own failures. Every error body has one JSON shape
//! (`ErrorBody`); the text of internal failures (database, disk) is logged with the request's id
//! and never sent.

use axum::http::{HeaderValue, StatusCode, header};
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
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many attempts from one place; retry after this many seconds.
    #[error("{0}")]
    TooManyRequests(String, u64),
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ServerResult<T> = Result<T, ServerError>;

impl From<quayside_core::error::Error> for ServerError {
    fn from(e: quayside_core::error::Error) -> Self {
        use quayside_core::error::Error;
        match e {
            Error::Invalid(_)
            | Error::Quantity(_)
            | Error::Composition(_)
            | Error::Rule(..)
            | Error::CheckDigit { .. }
            | Error::UnknownSubstance(_) => ServerError::BadRequest(e.to_string()),
            Error::Forbidden(_) => ServerError::Forbidden(e.to_string()),
            Error::NotFound { .. } => ServerError::NotFound(e.to_string()),
            Error::Stale(_) => ServerError::Conflict(e.to_string()),
            Error::DatabaseUnavailable(detail) => {
                // The device retries later; what the database said is for the log only.
                tracing::warn!(%detail, "database unavailable");
                ServerError::Unavailable(
                    "the database is unavailable for the moment; retry shortly".into(),
                )
            }
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

impl ServerError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ServerError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::Conflict(_) => StatusCode::CONFLICT,
            ServerError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            ServerError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServerError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// What an internal failure said, kept on the response for [`error_bodies`] to log with the
/// request id; the body sent says only that it happened.
#[derive(Debug, Clone)]
pub struct InternalDetail(pub String);

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (message, detail) = match &self {
            ServerError::Internal(detail) => (
                "internal error: the server could not complete the request".to_string(),
                Some(detail.clone()),
            ),
            other => (other.to_string(), None),
        };
        let mut response = (
            status,
            axum::Json(ErrorBody {
                error: message,
                request_id: None,
            }),
        )
            .into_response();
        if let ServerError::TooManyRequests(_, after) = &self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*after));
        }
        if let Some(detail) = detail {
            response.extensions_mut().insert(InternalDetail(detail));
        }
        response
    }
}

/// Middleware: every error answer, whoever produced it (a handler, an extractor's rejection,
/// the router's 404/405, a body limit, a timeout), leaves as the documented JSON shape with the
/// request's id; an internal failure's text goes to the log, not to the caller.
pub async fn error_bodies(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let response = next.run(request).await;
    let status = response.status();
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_page {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let detail = parts.extensions.remove::<InternalDetail>();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let message = match serde_json::from_slice::<ErrorBody>(&bytes) {
        Ok(body) => body.error,
        Err(_) => {
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if text.is_empty() || status.is_server_error() {
                status
                    .canonical_reason()
                    .unwrap_or("error")
                    .to_ascii_lowercase()
            } else {
                text
            }
        }
    };
    match &detail {
        Some(InternalDetail(d)) => {
            tracing::error!(request_id = %request_id, status = status.as_u16(), error = %d, "request failed")
        }
        None if status.is_server_error() => {
            tracing::error!(request_id = %request_id, status = status.as_u16(), %message, "request failed")
        }
        None => {}
    }
    let body = ErrorBody {
        error: if status.is_server_error() {
            format!("{message} (request {request_id})")
        } else {
            message
        },
        request_id: Some(request_id),
    };
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(
        parts,
        axum::body::Body::from(serde_json::to_vec(&body).expect("error bodies serialise")),
    )
}
