//! What every API route shares: the error body, the JSON body reader, query parameters,
//! paging, and the answer for a path no endpoint serves.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chainatlas_model::RegionCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::core::error::{ApiError, AppError, ErrorCode};
pub use crate::core::error::{ErrorBody, ErrorDetail};
use chainatlas_app::text;
use chainatlas_app::view::{self, MAX_LIMIT};

/// A 6-digit division code as a query parameter, or nothing, as the OpenAPI document
/// states it: the model's own rule, `chainatlas_model::REGION_CODE_PATTERN`, defined once.
pub(crate) struct RegionParam;

impl utoipa::PartialSchema for RegionParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let code = chainatlas_model::REGION_CODE_PATTERN
            .trim_start_matches('^')
            .trim_end_matches('$');
        string_schema(format!("^({code})?$"))
    }
}

impl utoipa::ToSchema for RegionParam {}

/// A 6-digit division code, as a list item of a query parameter.
pub(crate) struct RegionCodeParam;

impl utoipa::PartialSchema for RegionCodeParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        string_schema(chainatlas_model::REGION_CODE_PATTERN.to_string())
    }
}

impl utoipa::ToSchema for RegionCodeParam {}

fn string_schema(pattern: String) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(pattern))
        .into()
}

/// The largest request body any endpoint accepts.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A request body over [`BODY_LIMIT`], refused in both languages.
pub fn body_too_large() -> AppError {
    let kib = BODY_LIMIT / 1024;
    AppError::new(
        ErrorCode::TooLarge,
        text!(
            "请求内容超过 {kib} KiB 上限",
            "request body: over the limit of {BODY_LIMIT} bytes"
        ),
    )
}

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;

/// A query string as `T`, a struct of its parameters. Each field is the text as sent; the
/// struct's methods read it by the parameter's one rule (`view::parse_region`,
/// `view::parse_count`, …) so that a mistake gets its precise message. A query string
/// that does not even fit `T` (a parameter given twice) is refused in the reader's
/// language: as JSON on the API, as a line of text on a page.
pub(crate) struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(raw).map(Params).map_err(|e| {
            let refused = AppError::parameter(text!("查询参数有误：{e}", "query string: {e}"));
            if parts.uri.path().starts_with("/api/") {
                ApiError(refused).into_response()
            } else {
                let lang = crate::core::error::request_lang(&parts.headers);
                let message = refused.public_message(lang).to_string();
                (StatusCode::BAD_REQUEST, message).into_response()
            }
        })
    }
}

/// The parameters of a list or a map in the atlas: a region filter, a search text,
/// paging. An endpoint reads those its document names.
#[derive(Default, Deserialize)]
pub(crate) struct ListQuery {
    region: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    page: Option<String>,
    /// `xlsx`: the page's table as an Excel workbook instead of the page.
    format: Option<String>,
}

impl ListQuery {
    /// Whether the page's table is asked for as a workbook (`format=xlsx`).
    pub(crate) fn workbook(&self) -> Result<bool, AppError> {
        view::wants_workbook(self.format.as_deref())
    }

    /// The region filter: a code, or what a region picker sends (`株洲市 430200`).
    pub(crate) fn region(&self) -> Result<Option<RegionCode>, AppError> {
        view::parse_region_text(self.region.as_deref())
    }

    /// The search text, trimmed; empty when not given.
    pub(crate) fn text(&self) -> String {
        self.q.as_deref().unwrap_or("").trim().to_string()
    }

    /// `limit` (default 50, at most [`MAX_LIMIT`]) and `offset`. Unlike pages (whose forms
    /// send empty fields), the API treats `limit=` as a mistake, as its document says.
    pub(crate) fn paging(&self) -> Result<(u32, u32), AppError> {
        let limit = view::parse_count("limit", given("limit", &self.limit)?, 50, 0..=MAX_LIMIT)?;
        let offset = given("offset", &self.offset)?;
        let offset = view::parse_count("offset", offset, 0, 0..=i32::MAX as u32)?;
        Ok((limit, offset))
    }

    /// A page's `page` number, from 1 (blank and 0 are the first).
    pub(crate) fn page(&self, max: u32) -> Result<u32, AppError> {
        Ok(view::parse_count("page", self.page.as_deref(), 1, 0..=max)?.max(1))
    }
}

/// A numeric parameter, if given, and not blank.
fn given<'a>(name: &str, value: &'a Option<String>) -> Result<Option<&'a str>, AppError> {
    match value.as_deref() {
        Some(v) if v.trim().is_empty() => Err(AppError::parameter(text!(
            "参数 {name} 为空，应为整数",
            "parameter {name} is empty, expected a whole number"
        ))),
        other => Ok(other),
    }
}

pub(crate) async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    let path = uri.path();
    ApiError(AppError::new(
        ErrorCode::NotFound,
        text!("此处没有 API 接口：{path}", "no API endpoint at {path}"),
    ))
}

/// A JSON body that did not parse, answered in the API's error shape.
pub(crate) fn body<T>(
    payload: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    payload.map(|Json(v)| v).map_err(|e| {
        ApiError(if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            body_too_large()
        } else {
            let detail = e.body_text();
            AppError::new(
                ErrorCode::InvalidBody,
                text!(
                    "请求内容不是所需的 JSON：{detail}",
                    "request body: {detail}"
                ),
            )
        })
    })
}
