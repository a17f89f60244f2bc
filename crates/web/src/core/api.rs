//! What every API route shares: the error body, the JSON body reader, query parameters,
//! paging, and the answer for a path no endpoint serves.

use std::collections::HashMap;

use axum::extract::Query;
use axum::Json;

use crate::core::error::{ApiError, AppError};
pub use crate::core::error::{ErrorBody, ErrorDetail};
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
    AppError::TooLarge(format!(
        "请求内容超过 {} KiB 上限 / request body: over the limit of {BODY_LIMIT} bytes",
        BODY_LIMIT / 1024
    ))
}

pub(crate) type ApiResult<T> = Result<Json<T>, ApiError>;
pub(crate) type Params = Query<HashMap<String, String>>;

pub(crate) fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(String::as_str)
}

/// A numeric parameter, if given. Unlike pages (whose forms send empty fields), the API
/// treats `limit=` as a mistake, as its document says.
pub(crate) fn number<'a>(params: &'a Params, name: &str) -> Result<Option<&'a str>, AppError> {
    match param(params, name) {
        Some(v) if v.trim().is_empty() => Err(AppError::BadRequest(format!(
            "parameter {name} is empty, expected a whole number"
        ))),
        other => Ok(other),
    }
}

pub(crate) fn paging(params: &Params) -> Result<(u32, u32), AppError> {
    let limit = view::parse_count("limit", number(params, "limit")?, 50, 0..=MAX_LIMIT)?;
    let offset = view::parse_count("offset", number(params, "offset")?, 0, 0..=i32::MAX as u32)?;
    Ok((limit, offset))
}

pub(crate) async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError(AppError::NotFound(format!(
        "no API endpoint at {}",
        uri.path()
    )))
}

/// A JSON body that did not parse, answered in the API's error shape.
pub(crate) fn body<T>(
    payload: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    payload.map(|Json(v)| v).map_err(|e| {
        ApiError(if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            body_too_large()
        } else {
            AppError::BadRequest(format!("request body: {}", e.body_text()))
        })
    })
}
