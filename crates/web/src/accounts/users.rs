//! Users and API tokens for administrators: the page `/admin/users` and
//! `/api/v1/users`, `/api/v1/tokens`, over [`chainatlas_app::accounts`]. A password or
//! token created here is shown once, in the answer to the request that made it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chainatlas_auth::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::core::api::{body, ApiResult, ErrorBody};
use crate::core::auth::Viewer;
use crate::core::error::{ApiError, AppError, HttpStatus};
use crate::core::form::PageForm;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{render, Layout, OrPage, PageError};
use crate::core::AppState;
use chainatlas_app::accounts::{self, Secret, TokenDto, UserDto, UserInput};

pub fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_page).post(create_user_form))
        .route("/admin/users/{name}/{action}", post(user_action_form))
        .route("/admin/tokens/{id}/revoke", post(revoke_form))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{name}", axum::routing::put(update_user))
        .route("/users/{name}/{action}", post(user_action))
        .route("/tokens", get(list_tokens))
        .route("/tokens/{id}", axum::routing::delete(revoke_token))
}

/// A token's name, as a form or a JSON body sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    #[serde(default)]
    pub name: String,
}

/// What an action on one user does, by its path segment.
enum UserAction {
    Disable,
    Enable,
    Password,
    Token(String),
    Role(UserInput),
}

/// A user's answer to an action: the user as it is now, or a secret shown once.
enum Done {
    User(UserDto),
    Secret(Secret),
}

fn act(
    store: &mut chainatlas_store::Store,
    viewer: &Viewer,
    name: &str,
    action: UserAction,
) -> Result<Done, AppError> {
    Ok(match action {
        UserAction::Disable => Done::User(accounts::set_disabled(store, viewer, name, true)?),
        UserAction::Enable => Done::User(accounts::set_disabled(store, viewer, name, false)?),
        UserAction::Password => Done::Secret(accounts::reset_password(store, viewer, name)?),
        UserAction::Token(token) => {
            Done::Secret(accounts::create_token(store, viewer, name, &token)?)
        }
        UserAction::Role(input) => Done::User(accounts::set_role(store, viewer, name, &input)?),
    })
}

fn unknown_action(action: &str) -> AppError {
    AppError::new(
        crate::core::error::ErrorCode::NotFound,
        chainatlas_app::text!(
            "“{action}”不是对用户的操作：应为 disable、enable、password、tokens 或 role",
            "'{action}' is not an action on a user: expected disable, enable, password, tokens or role"
        ),
    )
}

// ---- API ----

#[utoipa::path(get, path = "/api/v1/users", tag = "accounts",
    responses((status = 200, description = "Every user", body = [UserDto]),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Vec<UserDto>> {
    Ok(Json(
        state
            .read(move |store| accounts::users(store, &viewer))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    responses((status = 200, description = "Every API token (never the token itself)", body = [TokenDto]),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn list_tokens(
    State(state): State<AppState>,
    viewer: Viewer,
) -> ApiResult<Vec<TokenDto>> {
    Ok(Json(
        state
            .read(move |store| accounts::tokens(store, &viewer))
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "accounts",
    request_body = UserInput,
    responses((status = 201, description = "Created; the password is shown only in this answer", body = Secret),
        (status = 400, description = "Invalid user: every field named (invalid_user)", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    viewer: Viewer,
    payload: Result<Json<UserInput>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<Secret>), ApiError> {
    let input = body(payload)?;
    let (_, secret) = state
        .write(move |store| accounts::create_user(store, &viewer, &input))
        .await?;
    Ok((StatusCode::CREATED, Json(secret)))
}

#[utoipa::path(put, path = "/api/v1/users/{name}", tag = "accounts",
    params(("name" = String, Path)),
    request_body = UserInput,
    responses((status = 200, description = "Role and enterprise set; the user's sessions end", body = UserDto),
        (status = 400, description = "Invalid role or enterprise", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "An admin's own role", body = ErrorBody)))]
pub(crate) async fn update_user(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    payload: Result<Json<UserInput>, axum::extract::rejection::JsonRejection>,
) -> ApiResult<UserDto> {
    let input = body(payload)?;
    let user = state
        .write(move |store| accounts::set_role(store, &viewer, &name, &input))
        .await?;
    Ok(Json(user))
}

#[utoipa::path(post, path = "/api/v1/users/{name}/{action}", tag = "accounts",
    params(("name" = String, Path), ("action" = String, Path, description = "disable, enable, password (a new random password, shown once) or tokens (a new API token, shown once; body {\"name\": …})")),
    responses((status = 200, description = "disable, enable: the user", body = UserDto),
        (status = 201, description = "password, tokens: the secret, shown only in this answer", body = Secret),
        (status = 404, description = "No such user or action", body = ErrorBody)))]
pub(crate) async fn user_action(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((name, action)): Path<(String, String)>,
    payload: Option<Json<TokenInput>>,
) -> Result<Response, ApiError> {
    let action = match action.as_str() {
        "disable" => UserAction::Disable,
        "enable" => UserAction::Enable,
        "password" => UserAction::Password,
        "tokens" => UserAction::Token(payload.map(|Json(t)| t.name).unwrap_or_default()),
        other => return Err(unknown_action(other).into()),
    };
    let done = state
        .write(move |store| act(store, &viewer, &name, action))
        .await?;
    Ok(match done {
        Done::User(u) => Json(u).into_response(),
        Done::Secret(s) => (StatusCode::CREATED, Json(s)).into_response(),
    })
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path)),
    responses((status = 204, description = "Revoked: it authenticates nothing from now on"),
        (status = 404, description = "No live token with this id", body = ErrorBody)))]
pub(crate) async fn revoke_token(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = chainatlas_app::view::parse_id("token", &id)?;
    state
        .write(move |store| accounts::revoke_token(store, &viewer, id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- The page ----

pub struct RoleChoice {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct UserRow {
    pub username: String,
    pub role: String,
    pub role_label: &'static str,
    pub enterprise: String,
    /// What the enterprise field holds: `name #id`.
    pub enterprise_value: String,
    pub disabled: bool,
    pub created: String,
}

pub struct TokenRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    layout: Layout,
    w: Words,
    roles: Vec<RoleChoice>,
    users: Vec<UserRow>,
    tokens: Vec<TokenRow>,
    /// A password or token just made, shown this once.
    secret: Option<Secret>,
    error: Option<String>,
    /// What the create form holds after a refusal.
    form: UserInput,
}

pub struct Words {
    pub title: &'static str,
    pub new_user: &'static str,
    pub username: &'static str,
    pub role: &'static str,
    pub enterprise: &'static str,
    pub password: &'static str,
    pub password_hint: &'static str,
    pub create: &'static str,
    pub status: &'static str,
    pub active: &'static str,
    pub disabled: &'static str,
    pub created: &'static str,
    pub actions: &'static str,
    pub save_role: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub reset_password: &'static str,
    pub token_name: &'static str,
    pub new_token: &'static str,
    pub tokens: &'static str,
    pub token_user: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub secret_for: &'static str,
    pub secret_once: &'static str,
}

fn words(lang: Lang) -> Words {
    let p = |zh, en| lang.pick(zh, en);
    Words {
        title: p("用户管理", "Users"),
        new_user: p("新建用户", "New user"),
        username: p("用户名", "Username"),
        role: p("角色", "Role"),
        enterprise: p("所属企业（企业用户）", "Enterprise (enterprise users)"),
        password: p("初始密码", "Initial password"),
        password_hint: p("留空则随机生成", "empty: a random one"),
        create: p("创建", "Create"),
        status: p("状态", "Status"),
        active: p("正常", "active"),
        disabled: p("已停用", "disabled"),
        created: p("创建时间", "Created"),
        actions: p("操作", "Actions"),
        save_role: p("保存角色", "Save role"),
        disable: p("停用", "Disable"),
        enable: p("启用", "Enable"),
        reset_password: p("重置密码", "Reset password"),
        token_name: p("令牌用途", "Token purpose"),
        new_token: p("新建 API 令牌", "New API token"),
        tokens: p("API 令牌", "API tokens"),
        token_user: p("用户", "User"),
        revoke: p("撤销", "Revoke"),
        revoked: p("已撤销", "revoked"),
        secret_for: p("请立即复制并交给", "Copy it now and give it to"),
        secret_once: p(
            "只显示这一次，系统不保存明文",
            "shown only now; it is not stored",
        ),
    }
}

fn role_label(lang: Lang, role: &str) -> &'static str {
    match (role, lang) {
        ("admin", Lang::Zh) => "管理员",
        ("analyst", Lang::Zh) => "分析员",
        ("enterprise", Lang::Zh) => "企业用户",
        ("admin", Lang::En) => "admin",
        ("analyst", Lang::En) => "analyst",
        _ => "enterprise",
    }
}

fn users_page_of(
    store: &chainatlas_store::Store,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    secret: Option<Secret>,
    error: Option<String>,
    form: UserInput,
) -> Result<UsersPage, AppError> {
    let w = words(lang);
    let time = |t: i64| super::pages::china_time(t, lang);
    let users = accounts::users(store, viewer)?
        .into_iter()
        .map(|u| {
            let enterprise = u.enterprise_name.clone().unwrap_or_default();
            UserRow {
                enterprise_value: u
                    .enterprise_id
                    .map(|id| format!("{enterprise} #{id}"))
                    .unwrap_or_default(),
                role_label: role_label(lang, &u.role),
                username: u.username,
                role: u.role,
                enterprise,
                disabled: u.disabled,
                created: time(u.created_at),
            }
        })
        .collect();
    let tokens = accounts::tokens(store, viewer)?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            username: t.username,
            name: t.name,
            created: time(t.created_at),
            revoked: t.revoked,
        })
        .collect();
    Ok(UsersPage {
        layout: Layout::new(lang, w.title, uri, viewer),
        roles: Role::ALL
            .iter()
            .map(|r| RoleChoice {
                value: r.as_str(),
                label: role_label(lang, r.as_str()),
            })
            .collect(),
        w,
        users,
        tokens,
        secret,
        error,
        form,
    })
}

async fn users_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let (u, v) = (uri.clone(), viewer.clone());
    let page = state
        .read(move |store| users_page_of(store, lang, &u, &v, None, None, UserInput::default()))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

/// Answers a form's action: the page again, with the secret made or why it was refused.
async fn answer(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    form: UserInput,
    run: impl FnOnce(&mut chainatlas_store::Store, &Viewer) -> Result<Option<Secret>, AppError>
        + Send
        + 'static,
) -> Result<Response, PageError> {
    let (u, v) = (uri.clone(), viewer.clone());
    let page = state
        .write(move |store| {
            let (status, secret, error, form) = match run(store, &v) {
                Ok(secret) => (StatusCode::OK, secret, None, UserInput::default()),
                Err(e) if e.is_invalid_input() || matches!(e.status().as_u16(), 404 | 409) => (
                    e.status(),
                    None,
                    Some(e.public_message(lang).to_string()),
                    form,
                ),
                Err(e) => return Err(e),
            };
            Ok((
                status,
                users_page_of(store, lang, &u, &v, secret, error, form)?,
            ))
        })
        .await
        .or_page(lang, uri, viewer)?;
    match page {
        // Nothing to show once: back to the list, so that a reload does not post again.
        (StatusCode::OK, p) if p.secret.is_none() => {
            Ok(Redirect::to("/admin/users").into_response())
        }
        (status, p) => Ok((status, render(&p)).into_response()),
    }
}

async fn create_user_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(input): PageForm<UserInput>,
) -> Result<Response, PageError> {
    let kept = UserInput {
        password: String::new(),
        ..input.clone()
    };
    answer(&state, lang, &uri, &viewer, kept, move |store, v| {
        accounts::create_user(store, v, &input).map(|(_, secret)| Some(secret))
    })
    .await
}

/// A user action's form: the role form's fields, or a token's name.
#[derive(Clone, Debug, Default, Deserialize)]
struct ActionForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    enterprise: String,
    #[serde(default)]
    name: String,
}

async fn user_action_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((name, action)): Path<(String, String)>,
    PageForm(f): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    let action = match action.as_str() {
        "disable" => UserAction::Disable,
        "enable" => UserAction::Enable,
        "password" => UserAction::Password,
        "tokens" => UserAction::Token(f.name),
        "role" => UserAction::Role(UserInput {
            username: name.clone(),
            role: f.role,
            enterprise: f.enterprise,
            password: String::new(),
        }),
        other => return Err(unknown_action(other)).or_page(lang, &uri, &viewer),
    };
    answer(
        &state,
        lang,
        &uri,
        &viewer,
        UserInput::default(),
        move |store, v| {
            Ok(match act(store, v, &name, action)? {
                Done::Secret(s) => Some(s),
                Done::User(_) => None,
            })
        },
    )
    .await
}

async fn revoke_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = chainatlas_app::view::parse_id("token", &id).or_page(lang, &uri, &viewer)?;
    answer(
        &state,
        lang,
        &uri,
        &viewer,
        UserInput::default(),
        move |store, v| accounts::revoke_token(store, v, id).map(|()| None),
    )
    .await
}
