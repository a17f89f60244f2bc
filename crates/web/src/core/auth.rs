//! Who is asking, and whether they may. This module is the one place where requests are
//! authenticated (session cookie or bearer token), where anonymous requests are turned
//! away, and where state-changing requests are checked for a CSRF token. Handlers receive
//! a [`Viewer`] and ask it about permissions; they never read cookies or headers.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chainatlas_auth::{constant_time_eq, secret_hash};

use crate::core::api::BODY_LIMIT;
use crate::core::error::{request_lang, ApiError, AppError, ErrorCode, HttpStatus};
use crate::core::AppState;
use chainatlas_app::Text;

pub const SESSION_COOKIE: &str = "ca_session";
pub(crate) const LOGIN_CSRF_COOKIE: &str = "ca_login_csrf";
/// How long a session lasts after sign-in.
pub const SESSION_SECONDS: i64 = 8 * 3600;

/// The requester, as handlers see it: who (the use cases' [`chainatlas_app::Viewer`])
/// and, for pages, the session's CSRF token.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub viewer: chainatlas_app::Viewer,
    /// The session's CSRF token, for forms; `None` for bearer tokens and visitors.
    pub csrf: Option<String>,
}

impl std::ops::Deref for Viewer {
    type Target = chainatlas_app::Viewer;
    fn deref(&self) -> &chainatlas_app::Viewer {
        &self.viewer
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned().unwrap_or(Viewer {
            // Only requests that did not pass the guard get here (none do): no clock to ask.
            viewer: chainatlas_app::Viewer::anonymous("unknown", 0),
            csrf: None,
        }))
    }
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn client_address(request: &Request) -> String {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(
            || "unknown".to_string(),
            |ConnectInfo(addr)| addr.ip().to_string(),
        )
}

/// Paths anyone may open: the landing page, sign-in, language switch, assets, the API
/// description, and the health check.
fn is_public(method: &Method, path: &str) -> bool {
    path == "/"
        || (method == Method::GET && path == "/healthz")
        || path == "/login"
        || path == "/favicon.ico"
        || path.starts_with("/assets/")
        || path.starts_with("/lang/")
        || (method == Method::GET && path == "/api/v1/openapi.json")
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// A refusal by the guard: JSON for the API, a line of text in the page's language for
/// pages (the guard runs before any page could be rendered).
fn refuse(path: &str, headers: &HeaderMap, error: AppError) -> Response {
    if is_api(path) {
        ApiError(error).into_response()
    } else {
        let lang = request_lang(headers);
        (error.status(), error.public_message(lang).to_string()).into_response()
    }
}

/// Authenticates, turns anonymous requests away from private paths, and checks CSRF
/// tokens on state-changing requests made with a session cookie.
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let address = client_address(&request);
    let now = state.clock.now_unix();
    let path = request.uri().path().to_string();
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let session = cookie(request.headers(), SESSION_COOKIE).map(str::to_string);
    let (principal, csrf) = match (&bearer, &session) {
        (Some(token), _) => {
            let hash = secret_hash(token);
            match state
                .read(move |store| Ok(store.token_principal(&hash)?))
                .await
            {
                Ok(Some(p)) => (Some(p), None),
                Ok(None) => {
                    return refuse(
                        &path,
                        request.headers(),
                        AppError::new(
                            ErrorCode::Unauthorized,
                            Text::new(
                                "API 令牌无效或已被撤销",
                                "the API token is not valid or was revoked",
                            ),
                        ),
                    )
                }
                Err(e) => return ApiError(e).into_response(),
            }
        }
        (None, Some(secret)) => {
            let hash = secret_hash(secret);
            match state
                .read(move |store| Ok(store.session(&hash, now)?))
                .await
            {
                Ok(Some((p, csrf))) => (Some(p), Some(csrf)),
                Ok(None) => (None, None),
                Err(e) => return refuse(&path, request.headers(), e),
            }
        }
        (None, None) => (None, None),
    };
    let method = request.method().clone();
    if principal.is_none() && !is_public(&method, &path) {
        if is_api(&path) {
            return refuse(
                &path,
                request.headers(),
                AppError::new(
                    ErrorCode::Unauthorized,
                    Text::new(
                        "请登录，或发送 API 令牌（Authorization: Bearer …）",
                        "sign in or send an API token (Authorization: Bearer …)",
                    ),
                ),
            );
        }
        let here = request.uri().path_and_query().map_or("/", |p| p.as_str());
        return Redirect::to(&format!(
            "/login?next={}",
            crate::core::url::percent_encode(here)
        ))
        .into_response();
    }
    let changes_state = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state && bearer.is_none() && path != "/login" {
        // Cookie-authenticated writes must prove they come from our own pages: in the
        // X-CSRF-Token header (scripts; the body, an upload, is left to stream), or in the
        // form's csrf_token field.
        let (parts, body) = request.into_parts();
        let header = parts
            .headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let (body, sent) = match header {
            Some(sent) => (body, Some(sent)),
            None => {
                let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
                    Ok(bytes) => bytes,
                    Err(_) => {
                        return refuse(&path, &parts.headers, crate::core::api::body_too_large())
                    }
                };
                let sent = form_field(&bytes, "csrf_token");
                (Body::from(bytes), sent)
            }
        };
        let valid = matches!((&csrf, &sent), (Some(expected), Some(sent)) if constant_time_eq(expected, sent));
        if !valid {
            let stale = AppError::new(
                ErrorCode::Csrf,
                Text::new(
                    "表单的安全令牌缺失或已过期：请刷新页面后重试",
                    "the form's security token is missing or stale: reload the page and try again",
                ),
            );
            return refuse(&path, &parts.headers, stale);
        }
        request = Request::from_parts(parts, body);
    }
    request.extensions_mut().insert(Viewer {
        viewer: chainatlas_app::Viewer {
            principal,
            address,
            at: now,
        },
        csrf,
    });
    next.run(request).await
}

/// The value of one field of a URL-encoded form body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Adds the headers every response carries.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, header::HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-frame-options", "DENY");
    if !headers.contains_key(header::CACHE_CONTROL) {
        // Pages and API answers hold data a shared cache must not keep.
        set(headers, "cache-control", "no-store");
    }
    response
}

/// A `next` parameter with a control character in it: answered 400.
#[derive(Debug)]
pub(crate) struct MalformedPath;

impl IntoResponse for MalformedPath {
    fn into_response(self) -> Response {
        let message =
            "跳转地址 next 含有控制字符，不是有效路径。\nnext: control characters are not allowed in a path";
        (StatusCode::BAD_REQUEST, message).into_response()
    }
}

/// Where a `next` parameter may send the browser: a path on this site, else `/`.
/// Browsers read `/\host` and `/<tab>/host` as another host (`//host`), so a backslash or
/// a second slash (after any control characters are dropped) is refused. A control
/// character cannot be part of a URL at all: that request is malformed (400).
pub(crate) fn local_target(next: Option<&str>) -> Result<String, MalformedPath> {
    let Some(next) = next else {
        return Ok("/".into());
    };
    if next.chars().any(char::is_control) {
        return Err(MalformedPath);
    }
    let local = next.starts_with('/')
        && !next[1..].starts_with('/')
        && !next.contains('\\')
        && !next.starts_with("/login");
    Ok(if local { next.to_string() } else { "/".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_next_paths_are_followed() {
        let target = |next: &str| local_target(Some(next)).ok();
        assert_eq!(
            target("/chains?region=430200").as_deref(),
            Some("/chains?region=430200")
        );
        for elsewhere in [
            "//evil.example",
            "/\\evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "https://evil.example",
            "evil.example",
            "/login?next=//evil.example",
        ] {
            assert_eq!(target(elsewhere).as_deref(), Some("/"), "{elsewhere}");
        }
        for malformed in ["/\t/evil.example", "/a\r\nSet-Cookie: x=1", "/\n"] {
            let refused = local_target(Some(malformed)).unwrap_err().into_response();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{malformed:?}");
        }
        assert_eq!(local_target(None).ok().as_deref(), Some("/"));
    }
}
