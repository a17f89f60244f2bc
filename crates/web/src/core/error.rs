//! Failures as HTTP answers: the status and code come from the one error table
//! (`chainatlas_app::ErrorCode`), the message is in the reader's language. The API reads
//! the language from the `lang` cookie the pages set, else `Accept-Language`, and answers
//! in Chinese by default. Internal details are logged, never sent to the client.

use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

pub use chainatlas_app::{AppError, ErrorCode, Lang};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code from the error table, such as `chain_not_found`,
    /// `invalid_listing` or `unauthorized` (docs/api.md lists them all).
    #[schema(schema_with = error_codes)]
    pub code: String,
    /// What went wrong, for people, in the request's language (Chinese unless the `lang`
    /// cookie or `Accept-Language` asks for English).
    pub message: String,
}

/// Every code of the error table, as the OpenAPI document's enumeration.
fn error_codes() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .description(Some(
            "Stable machine-readable code from the error table (docs/api.md).",
        ))
        .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
        .build()
}

/// The HTTP status of an [`AppError`], from the error table.
pub trait HttpStatus {
    fn status(&self) -> StatusCode;
}

impl HttpStatus for AppError {
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code().status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// An error answered as JSON.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

/// The error an API answer carries until [`localize`] writes it in the reader's language.
#[derive(Clone)]
struct Unlocalized(AppError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut response = (self.0.status(), Json(body(&self.0, Lang::Zh))).into_response();
        response.extensions_mut().insert(Unlocalized(self.0));
        response
    }
}

fn body(error: &AppError, lang: Lang) -> ErrorBody {
    ErrorBody {
        error: ErrorDetail {
            code: error.code().as_str().to_string(),
            message: error.public_message(lang).to_string(),
        },
    }
}

/// The language an API request reads: the `lang` cookie of the pages, else the first
/// language of `Accept-Language`; Chinese when neither says English.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    let cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("lang="));
    let english = match cookie {
        Some(value) => value == "en",
        None => headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en")),
    };
    if english {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// Writes every JSON error in the language of its request (they leave handlers in
/// Chinese).
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = request_lang(request.headers());
    let mut response = next.run(request).await;
    if lang == Lang::Zh {
        return response;
    }
    match response.extensions_mut().remove::<Unlocalized>() {
        Some(Unlocalized(error)) => (error.status(), Json(body(&error, lang))).into_response(),
        None => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_come_from_the_table() {
        let error = AppError::internal("disk I/O error at /var/lib/chainatlas/atlas.db");
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!body(&error, Lang::En).error.message.contains("atlas.db"));
        assert_eq!(
            HttpStatus::status(&AppError::forbidden(chainatlas_app::Text::same("no"))),
            StatusCode::FORBIDDEN
        );
        for code in ErrorCode::ALL {
            assert!(StatusCode::from_u16(code.status()).is_ok(), "{code:?}");
        }
    }

    #[test]
    fn the_api_answers_in_chinese_unless_asked_for_english() {
        let mut headers = HeaderMap::new();
        assert_eq!(request_lang(&headers), Lang::Zh);
        headers.insert(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9".parse().unwrap());
        assert_eq!(request_lang(&headers), Lang::En);
        headers.insert(header::COOKIE, "lang=zh".parse().unwrap());
        assert_eq!(request_lang(&headers), Lang::Zh, "the page's choice wins");
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "zh-CN,en;q=0.5".parse().unwrap());
        assert_eq!(request_lang(&headers), Lang::Zh);
    }
}
