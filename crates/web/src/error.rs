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
    /// Our fault. The string is logged, not shown.
    Internal(String),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::BadRequest(_) => "bad_request",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the client may read.
    pub fn public_message(&self) -> String {
        match self {
            AppError::NotFound(m) | AppError::BadRequest(m) => m.clone(),
            AppError::Internal(detail) => {
                eprintln!("internal error: {detail}");
                "internal error; the details are in the server log".to_string()
            }
        }
    }
}

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
