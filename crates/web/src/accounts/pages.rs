//! Server-rendered HTML pages. Every visible word comes from `i18n::Texts`; every value
//! is escaped by the templates.

use crate::core::auth::{cookie, local_target, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS};
use crate::core::layout::*;
use axum::http::HeaderMap;
use axum::response::AppendHeaders;
use chainatlas_auth::{constant_time_eq, new_secret, secret_hash, verify_password};
use chainatlas_store::Actor;

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chainatlas_auth::Permission;

use crate::core::api::Params;
use crate::core::auth::Viewer;
use crate::core::i18n::{Lang, LangTexts, PageLang};
use crate::core::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/admin/audit", get(audit_page))
}

/// The cookie that marks a browser that signed in to an account before.
const DEVICE_COOKIE: &str = "ca_device";

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    layout: Layout,
    next: String,
    csrf: String,
    username: String,
    message: String,
}

/// What the login form shows besides its token.
struct LoginForm {
    next: String,
    username: String,
    message: String,
    status: StatusCode,
}

/// The login form. Its CSRF token lives in a cookie the form echoes; an existing token is
/// kept, so that a second page load (another tab, a redirected favicon request) does not
/// invalidate the form already on screen.
fn login_page(
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    headers: &HeaderMap,
    form: LoginForm,
) -> Response {
    let csrf = cookie(headers, LOGIN_CSRF_COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(|| new_secret(""), str::to_string);
    let page = LoginPage {
        layout: Layout::new(lang, lang.texts().sign_in, uri, viewer),
        next: form.next,
        csrf: csrf.clone(),
        username: form.username,
        message: form.message,
    };
    let cookie =
        format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600");
    (
        form.status,
        [(header::SET_COOKIE, cookie)],
        crate::core::layout::render(&page),
    )
        .into_response()
}

pub async fn login_form(
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    headers: HeaderMap,
    Params(params): Params<NextPage>,
) -> Response {
    let next = match local_target(params.next.as_deref()) {
        Ok(next) => next,
        Err(refused) => return refused.into_response(),
    };
    login_page(
        lang,
        &uri,
        &viewer,
        &headers,
        LoginForm {
            next,
            username: String::new(),
            message: String::new(),
            status: StatusCode::OK,
        },
    )
}

/// The sign-in form. Sign-in has no session yet, so it carries its own CSRF token (the
/// guard does not check this one).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct SignIn {
    username: String,
    password: String,
    next: Option<String>,
    csrf_token: String,
}

pub async fn login(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    headers: HeaderMap,
    axum::Form(form): axum::Form<SignIn>,
) -> Response {
    let t = lang.texts();
    let next = match local_target(form.next.as_deref()) {
        Ok(next) => next,
        Err(refused) => return refused.into_response(),
    };
    let username = form.username.trim().to_string();
    let password = form.password;
    // The form again, with a message.
    let again = |message: String, status: StatusCode| {
        let form = LoginForm {
            next: next.clone(),
            username: username.clone(),
            message,
            status,
        };
        login_page(lang, &uri, &viewer, &headers, form)
    };
    // Sign-in has no session yet: its CSRF token is a cookie the form must echo.
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    let sent = form.csrf_token.as_str();
    if expected.is_empty() || !constant_time_eq(expected, sent) {
        return again(t.form_expired.into(), StatusCode::FORBIDDEN);
    }
    let now = state.clock.now_unix();
    let actor = Actor {
        user_id: None,
        name: username.chars().take(64).collect(),
        address: viewer.address.clone(),
        at: now,
    };
    let audit = |action: &'static str, user_id: Option<i64>| {
        let (actor, name) = (actor.clone(), username.clone());
        state.write(move |store| Ok(store.record_failed_sign_in(&actor, action, user_id, &name)?))
    };
    let trusted =
        cookie(&headers, DEVICE_COOKIE).is_some_and(|c| state.device_key.verify(c, &username));
    let attempt = match state
        .throttle
        .begin(&username, &viewer.address, trusted, now)
    {
        Ok(attempt) => attempt,
        Err(refused) => {
            if refused.first {
                if let Err(e) = audit("sign_in_throttled", None).await {
                    return crate::core::error::ApiError(e).into_response();
                }
            }
            let minutes = (refused.wait + 59) / 60;
            return again(
                t.too_many_attempts
                    .replace("{minutes}", &minutes.to_string()),
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
    };
    let user = match signed_in_user(&state, &username, password).await {
        Ok(Ok(user)) => user,
        Ok(Err(id)) => {
            if let Err(e) = audit("sign_in_failed", id).await {
                return crate::core::error::ApiError(e).into_response();
            }
            return again(t.bad_credentials.into(), StatusCode::UNAUTHORIZED);
        }
        Err(e) => return crate::core::error::ApiError(e).into_response(),
    };
    state.throttle.succeeded(attempt);
    start_session(&state, user, &viewer.address, now, &next).await
}

/// The account `username` names, if `password` is its password and it is enabled; else
/// the id of the account named, if there is one. A real hash is checked even for unknown
/// users, so that timing does not tell which usernames exist; at most
/// [`crate::core::state::PASSWORD_CHECKS_AT_ONCE`] checks run at once.
async fn signed_in_user(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Result<chainatlas_store::User, Option<i64>>, crate::core::error::AppError> {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3Bw5y5YdVvA5r2tBq3F5mM5QeU1yVb7dZ0zT1q8wq1k";
    let name = username.to_string();
    let found = state
        .read(move |store| Ok(store.user_for_login(&name)?))
        .await?;
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, DUMMY.to_string()),
    };
    let password_ok = {
        let _turn = state.hashing.acquire().await;
        tokio::task::spawn_blocking(move || verify_password(&hash, &password))
            .await
            .unwrap_or(false)
    };
    Ok(match user {
        Some(user) if password_ok && !user.disabled => Ok(user),
        other => Err(other.map(|u| u.id)),
    })
}

/// Opens a session for `user` and sends the browser on to `next`, with the session cookie
/// and a device cookie for the account.
async fn start_session(
    state: &AppState,
    user: chainatlas_store::User,
    address: &str,
    now: i64,
    next: &str,
) -> Response {
    let username = user.username.clone();
    let secret = new_secret("ca_session_");
    let csrf = new_secret("");
    let hash = secret_hash(&secret);
    let actor = Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        address: address.to_string(),
        at: now,
    };
    let created = state
        .write(move |store| {
            Ok(store.create_session(&actor, &user, &hash, &csrf, now + SESSION_SECONDS)?)
        })
        .await;
    if let Err(e) = created {
        return crate::core::error::ApiError(e).into_response();
    }
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let session_cookie = format!("{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECONDS}{secure}");
    let device = state.device_key.issue(&username);
    let device_cookie = format!(
        "{DEVICE_COOKIE}={device}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=31536000{secure}"
    );
    (
        AppendHeaders([
            (header::SET_COOKIE, session_cookie),
            (header::SET_COOKIE, device_cookie),
        ]),
        Redirect::to(next),
    )
        .into_response()
}

pub async fn logout(State(state): State<AppState>, viewer: Viewer, headers: HeaderMap) -> Response {
    if let Some(secret) = cookie(&headers, SESSION_COOKIE) {
        let hash = secret_hash(secret);
        let actor = viewer.actor();
        if let Err(e) = state
            .write(move |store| Ok(store.end_session(&actor, &hash)?))
            .await
        {
            return crate::core::error::ApiError(e).into_response();
        }
    }
    let expired = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    ([(header::SET_COOKIE, expired)], Redirect::to("/login")).into_response()
}

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub entity: String,
    pub change: String,
}

#[derive(Template)]
#[template(path = "accounts/audit.html")]
struct AuditPage {
    layout: Layout,
    rows: Vec<AuditRow>,
    total: u64,
}

/// A Unix time as people in China read it: `2026-05-21 09:02:03 北京时间` (China
/// Standard Time, the `Asia/Shanghai` zone).
pub(super) fn china_time(seconds: i64, lang: Lang) -> String {
    let zone = match lang {
        Lang::Zh => "北京时间",
        Lang::En => "China Standard Time",
    };
    format!("{} {zone}", chainatlas_app::clock::china_time(seconds))
}

/// The audit log's actions and kinds of record, as people say them.
const AUDIT_WORDS: &[(&str, &str, &str)] = &[
    ("create", "新建", "created"),
    ("update", "修改", "updated"),
    ("delete", "删除", "deleted"),
    ("import", "导入", "imported"),
    ("demo", "生成演示数据", "demo data"),
    ("register", "报名", "registered"),
    ("request", "发起邀约", "requested"),
    ("expire", "过期处理", "expired"),
    ("schedule", "排期", "scheduled"),
    ("publish", "发布", "published"),
    ("login", "登录", "signed in"),
    ("logout", "退出", "signed out"),
    ("sign_in_failed", "登录失败", "sign-in failed"),
    ("sign_in_throttled", "登录受限", "sign-in throttled"),
    ("disable", "停用", "disabled"),
    ("enable", "启用", "enabled"),
    ("revoke", "撤销", "revoked"),
    ("atlas", "图谱", "atlas"),
    ("bundle", "数据包", "bundle"),
    ("enterprise", "企业", "enterprise"),
    ("chain", "产业链", "chain"),
    ("chain_node", "环节", "chain node"),
    ("node_input", "环节投入关系", "node input"),
    ("enterprise_node", "企业所在环节", "enterprise's node"),
    ("supply_relation", "供应关系", "supply relation"),
    ("listing", "供需信息", "listing"),
    ("event", "对接活动", "event"),
    ("participant", "参会方", "participant"),
    ("meeting_request", "洽谈邀约", "meeting request"),
    ("meeting", "洽谈", "meeting"),
    ("agreement", "合作项目", "agreement"),
    ("user", "用户", "user"),
    ("api_token", "API 令牌", "API token"),
    ("session", "会话", "session"),
];

/// An audited action in words: a meeting request's or a meeting's new status by the
/// status's own name (`RequestStatus::name`, `MeetingStatus::name`), others from
/// [`AUDIT_WORDS`].
fn action_word<'a>(lang: Lang, action: &'a str, entity: &str) -> &'a str {
    use chainatlas_model::{MeetingStatus, RequestStatus};
    let status = match entity {
        "meeting_request" => action.parse::<RequestStatus>().ok().map(|s| s.name(lang)),
        "meeting" => action.parse::<MeetingStatus>().ok().map(|s| s.name(lang)),
        _ => None,
    };
    status.unwrap_or_else(|| word(lang, action))
}

fn word(lang: Lang, key: &str) -> &str {
    AUDIT_WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, zh, en)| lang.pick(zh, en))
}

/// What a change changed: for records kept as JSON objects, each field that differs as
/// `field: before → after` (long values shortened); otherwise the snapshots themselves.
fn readable_change(before: Option<&str>, after: Option<&str>) -> String {
    use serde_json::Value;
    let short = |v: &Value| {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Null => "—".to_string(),
            other => other.to_string(),
        };
        if text.chars().count() > 60 {
            text.chars().take(59).collect::<String>() + "…"
        } else {
            text
        }
    };
    let parse = |s: Option<&str>| s.and_then(|s| serde_json::from_str::<Value>(s).ok());
    match (parse(before), parse(after)) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let null = Value::Null;
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k) != a.get(*k))
                .map(|k| {
                    let (old, new) = (b.get(k).unwrap_or(&null), a.get(k).unwrap_or(&null));
                    format!("{k}: {} → {}", short(old), short(new))
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        (None, Some(Value::Object(a))) => a
            .iter()
            .map(|(k, v)| format!("{k}: {}", short(v)))
            .collect::<Vec<_>>()
            .join("; "),
        _ => match (before, after) {
            (Some(b), Some(a)) => format!("{b} → {a}"),
            (None, Some(a)) => a.to_string(),
            (Some(b), None) => format!("{b} → —"),
            (None, None) => String::new(),
        },
    }
}

async fn audit_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(params): Params<crate::core::api::ListQuery>,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::ManageUsers)
        .or_page(lang, &uri, &viewer)?;
    let export = params.workbook().or_page(lang, &uri, &viewer)?;
    // A workbook holds the latest entries up to its limit; the page the latest 200.
    let limit = if export {
        crate::core::download::MAX_EXPORT_ROWS
    } else {
        200
    };
    let log = state
        .read(move |store| Ok(store.audit_log(limit, 0)?))
        .await
        .or_page(lang, &uri, &viewer)?;
    let rows = log
        .items
        .iter()
        .map(|e| AuditRow {
            at: china_time(e.actor.at, lang),
            actor: e.actor.name.clone(),
            address: e.actor.address.clone(),
            action: action_word(lang, &e.change.action, &e.change.entity).to_string(),
            entity: format!("{} {}", word(lang, &e.change.entity), e.change.entity_id),
            change: readable_change(e.change.before.as_deref(), e.change.after.as_deref()),
        })
        .collect::<Vec<AuditRow>>();
    if export {
        let t = lang.texts();
        let sheet = chainatlas_bundle::sheet::Sheet {
            name: t.audit_log.to_string(),
            header: [
                t.audit_at,
                t.audit_actor,
                t.audit_address,
                t.audit_action,
                t.audit_entity,
                t.audit_change,
            ]
            .map(str::to_string)
            .to_vec(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.at.clone(),
                        r.actor.clone(),
                        r.address.clone(),
                        r.action.clone(),
                        r.entity.clone(),
                        r.change.clone(),
                    ]
                })
                .collect(),
        };
        return crate::core::download::workbook("audit-log", &[sheet]).or_page(lang, &uri, &viewer);
    }
    let page = AuditPage {
        layout: Layout::new(lang, lang.texts().audit_log, &uri, &viewer),
        rows,
        total: log.total,
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_audited_change_reads_as_the_fields_it_changed() {
        let before = r#"{"title":"激光切割机","price_fen":100,"status":"open"}"#;
        let after = r#"{"title":"激光切割机","price_fen":250,"status":"closed"}"#;
        assert_eq!(
            readable_change(Some(before), Some(after)),
            "price_fen: 100 → 250; status: open → closed"
        );
        assert_eq!(
            readable_change(None, Some(r#"{"title":"新"}"#)),
            "title: 新"
        );
        assert_eq!(readable_change(Some("a"), Some("b")), "a → b");
        assert_eq!(word(Lang::Zh, "meeting_request"), "洽谈邀约");
        assert_eq!(word(Lang::En, "update"), "updated");
        assert_eq!(
            action_word(Lang::Zh, "accepted", "meeting_request"),
            "已接受"
        );
        assert_eq!(action_word(Lang::Zh, "cancelled", "meeting"), "已取消");
        assert_eq!(
            action_word(Lang::Zh, "cancelled", "meeting_request"),
            "已撤回"
        );
        assert_eq!(word(Lang::Zh, "something_new"), "something_new");
    }

    #[test]
    fn audit_times_read_in_china_standard_time() {
        assert_eq!(china_time(0, Lang::Zh), "1970-01-01 08:00:00 北京时间");
        assert_eq!(
            china_time(1_779_321_600 + 3_723, Lang::En),
            "2026-05-21 09:02:03 China Standard Time"
        );
    }
}
