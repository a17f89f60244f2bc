//! One mapping from failures to HTTP status and a stable error code, for the API (JSON)
//! and for pages (HTML). Internal details are logged, never sent to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::api::{ErrorBody, ErrorDetail};

#[derive(Debug)]
pub enum AppError {
    /// The thing asked for does not exist.
    NotFound(String),
    /// The request itself is wrong; the message says how, in the user's terms.
    BadRequest(String),
    /// Signed in, but the role does not allow it.
    Forbidden(String),
    /// Well formed, but the current state does not allow it (a request already answered,
    /// a cap reached): asking again later, or differently, may succeed.
    Conflict(String),
    /// The request body is over its documented limit.
    TooLarge(String),
    /// Our fault. The string is logged, not shown.
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::TooLarge(_) => "too_large",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client may read.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound(m)
            | AppError::BadRequest(m)
            | AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::TooLarge(m) => m.clone(),
            AppError::Internal(detail) => {
                eprintln!("internal error: {detail}");
                "internal error; the details are in the server log".to_string()
            }
        }
    }
}

impl std::fmt::Display for AppError {
    /// The full message, internal details included: for the local operator (CLI, logs).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::NotFound(m)
            | AppError::BadRequest(m)
            | AppError::Forbidden(m)
            | AppError::Conflict(m)
            | AppError::TooLarge(m)
            | AppError::Internal(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for AppError {}

/// An error answered as JSON.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.0.code().to_string(),
                message: self.0.public_message(),
            },
        };
        (self.0.status(), Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_details_stay_in_the_log() {
        let error = AppError::Internal("disk I/O error at /var/lib/chainatlas/atlas.db".into());
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.code(), "internal");
        assert!(!error.public_message().contains("atlas.db"));
        assert_eq!(
            AppError::Forbidden("no".into()).status(),
            StatusCode::FORBIDDEN
        );
    }
}
