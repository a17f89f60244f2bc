//! What a use case can answer besides its result: one enum, with a stable code for each
//! kind. Where it becomes an HTTP status is the web crate's business; internal details are
//! logged, never shown.

use chainatlas_store::StoreError;

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

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(e.to_string())
    }
}
