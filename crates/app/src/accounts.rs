//! Managing accounts from the web app, as `chainatlas user` and `chainatlas token` do on
//! the command line: create users, set roles and the enterprise an enterprise user acts
//! for, disable and enable, reset passwords, create and revoke API tokens. Admins only;
//! every change audited by the store. A new or reset password is random unless one that
//! passes the password policy is given, and a password or token is shown once, never
//! stored (only its hash).

use chainatlas_auth::{
    check_password_policy, hash_password, new_password, new_secret, secret_hash, Permission, Role,
};
use chainatlas_model::{text, EnterpriseId, Text};
use chainatlas_store::{AccountError, ApiToken, Store, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problems::{picked_id, Problems};
use crate::{AppError, ErrorCode, Viewer};

/// A user as admins see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    /// admin, analyst or enterprise.
    pub role: String,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: Option<String>,
    pub disabled: bool,
    /// Still the password the demo printed.
    pub demo_password: bool,
    pub created_at: i64,
}

/// An API token as listed (never the token itself).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: i64,
    pub revoked: bool,
}

impl From<&ApiToken> for TokenDto {
    fn from(t: &ApiToken) -> Self {
        TokenDto {
            id: t.id,
            username: t.username.clone(),
            name: t.name.clone(),
            created_at: t.created_at,
            revoked: t.revoked_at.is_some(),
        }
    }
}

/// A new user, or a user's new role: what the form or the JSON body holds.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[serde(default)]
    pub username: String,
    pub role: String,
    /// For an enterprise user: the enterprise's id, or a picker's `名称 #id`.
    #[serde(default)]
    pub enterprise: String,
    /// A password that passes the policy, or empty for a random one shown once.
    #[serde(default)]
    pub password: String,
}

/// A secret shown once: a password set, or an API token created.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Secret {
    pub username: String,
    /// The password or token; it is not stored and cannot be shown again.
    pub secret: String,
}

fn user_dto(store: &Store, u: &User) -> Result<UserDto, AppError> {
    let enterprise_name = match u.enterprise {
        Some(e) => store.enterprise(e)?.map(|e| e.name_zh),
        None => None,
    };
    Ok(UserDto {
        id: u.id,
        username: u.username.clone(),
        role: u.role.as_str().to_string(),
        enterprise_id: u.enterprise.map(|e| e.0),
        enterprise_name,
        disabled: u.disabled,
        demo_password: u.demo_password,
        created_at: u.created_at,
    })
}

pub fn users(store: &Store, viewer: &Viewer) -> Result<Vec<UserDto>, AppError> {
    viewer.require(Permission::ManageUsers)?;
    store.users()?.iter().map(|u| user_dto(store, u)).collect()
}

pub fn tokens(store: &Store, viewer: &Viewer) -> Result<Vec<TokenDto>, AppError> {
    viewer.require(Permission::ManageUsers)?;
    Ok(store.tokens()?.iter().map(TokenDto::from).collect())
}

/// The role and enterprise an input names, every problem collected.
fn role_of(input: &UserInput, problems: &mut Problems) -> Option<(Role, Option<EnterpriseId>)> {
    let role = match input.role.trim().parse::<Role>() {
        Ok(r) => Some(r),
        Err(_) => {
            let raw = input.role.trim();
            problems.bad(
                "role",
                text!(
                    "“{raw}”不是角色：应为 admin（管理员）、analyst（分析员）或 enterprise（企业用户）",
                    "'{raw}' is not a role: expected admin, analyst or enterprise"
                ),
            );
            None
        }
    };
    let enterprise = match picked_id(&input.enterprise) {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(id) if id > 0 => Some(EnterpriseId(id)),
            _ => {
                problems.bad(
                    "enterprise",
                    text!(
                        "“{raw}”不是企业：请从列表中选择",
                        "'{raw}' is not an enterprise: pick one from the list"
                    ),
                );
                return None;
            }
        },
    };
    let role = role?;
    match (role, enterprise) {
        (Role::Enterprise, None) => problems.bad(
            "enterprise",
            text!(
                "为空：企业用户须绑定一家企业",
                "is empty: an enterprise user acts for one enterprise"
            ),
        ),
        (Role::Admin | Role::Analyst, Some(_)) => problems.bad(
            "enterprise",
            text!(
                "应为空：管理员和分析员不绑定企业",
                "expected empty: admins and analysts act for no enterprise"
            ),
        ),
        _ => {}
    }
    Some((role, enterprise))
}

/// The password to set: the one given if it passes the policy, else a random one that
/// the caller shows once.
fn password_of(given: &str, username: &str, problems: &mut Problems) -> Option<String> {
    if given.is_empty() {
        return Some(new_password());
    }
    match check_password_policy(given, &[username]) {
        Ok(()) => Some(given.to_string()),
        Err(e) => {
            let why = chainatlas_model::Explain::explain(&e);
            let (zh, en) = (
                why.get(chainatlas_model::Lang::Zh),
                why.get(chainatlas_model::Lang::En),
            );
            problems.bad(
                "password",
                text!(
                    "{zh}；留空则随机生成",
                    "{en}; leave it empty for a random one"
                ),
            );
            None
        }
    }
}

/// Creates a user; answers it with its password, to be shown once.
pub fn create_user(
    store: &mut Store,
    viewer: &Viewer,
    input: &UserInput,
) -> Result<(UserDto, Secret), AppError> {
    viewer.require(Permission::ManageUsers)?;
    let username = input.username.trim().to_string();
    let mut problems = Problems::default();
    let role = role_of(input, &mut problems);
    let password = password_of(&input.password, &username, &mut problems);
    problems.finish(ErrorCode::InvalidUser)?;
    let ((role, enterprise), password) = (role.expect("checked"), password.expect("checked"));
    let user = store
        .create_user(
            &viewer.actor(),
            &username,
            &hash_password(&password),
            role,
            enterprise,
            false,
        )
        .map_err(account_error)?;
    Ok((
        user_dto(store, &user)?,
        Secret {
            username,
            secret: password,
        },
    ))
}

/// Sets a user's role and enterprise. An admin does not change their own role: another
/// admin must, so that no one locks the office out by mistake.
pub fn set_role(
    store: &mut Store,
    viewer: &Viewer,
    username: &str,
    input: &UserInput,
) -> Result<UserDto, AppError> {
    viewer.require(Permission::ManageUsers)?;
    refuse_self(viewer, username)?;
    let mut problems = Problems::default();
    let role = role_of(input, &mut problems);
    problems.finish(ErrorCode::InvalidUser)?;
    let (role, enterprise) = role.expect("checked");
    let user = store
        .set_role(&viewer.actor(), username, role, enterprise)
        .map_err(account_error)?;
    user_dto(store, &user)
}

/// Disables (ending the user's sessions; their tokens stop working) or enables a user.
pub fn set_disabled(
    store: &mut Store,
    viewer: &Viewer,
    username: &str,
    disabled: bool,
) -> Result<UserDto, AppError> {
    viewer.require(Permission::ManageUsers)?;
    refuse_self(viewer, username)?;
    let user = store
        .set_disabled(&viewer.actor(), username, disabled)
        .map_err(account_error)?;
    user_dto(store, &user)
}

/// Gives a user a new random password, shown once.
pub fn reset_password(
    store: &mut Store,
    viewer: &Viewer,
    username: &str,
) -> Result<Secret, AppError> {
    viewer.require(Permission::ManageUsers)?;
    let password = new_password();
    store
        .set_password(&viewer.actor(), username, &hash_password(&password))
        .map_err(account_error)?;
    Ok(Secret {
        username: username.to_string(),
        secret: password,
    })
}

/// The longest name of a token.
pub const MAX_TOKEN_NAME: usize = 100;

/// Creates an API token for a user, shown once.
pub fn create_token(
    store: &mut Store,
    viewer: &Viewer,
    username: &str,
    name: &str,
) -> Result<Secret, AppError> {
    viewer.require(Permission::ManageUsers)?;
    let name = name.trim();
    let mut problems = Problems::default();
    if name.is_empty() {
        problems.bad(
            "name",
            text!(
                "为空，应写明用途，如“夜间导出”",
                "is empty, expected what it is for, e.g. 'nightly export'"
            ),
        );
    }
    if name.chars().count() > MAX_TOKEN_NAME {
        problems.bad(
            "name",
            crate::problems::too_long(name.chars().count(), MAX_TOKEN_NAME),
        );
    }
    problems.finish(ErrorCode::InvalidUser)?;
    let secret = new_secret("ca_token_");
    store
        .create_token(&viewer.actor(), username, name, &secret_hash(&secret))
        .map_err(account_error)?;
    Ok(Secret {
        username: username.to_string(),
        secret,
    })
}

pub fn revoke_token(store: &mut Store, viewer: &Viewer, id: i64) -> Result<(), AppError> {
    viewer.require(Permission::ManageUsers)?;
    store
        .revoke_token(&viewer.actor(), id)
        .map_err(account_error)
}

fn refuse_self(viewer: &Viewer, username: &str) -> Result<(), AppError> {
    if viewer
        .principal
        .as_ref()
        .is_some_and(|p| p.username == username)
    {
        return Err(AppError::new(
            ErrorCode::Conflict,
            text!(
                "不能更改自己的角色或停用自己：请另一位管理员操作",
                "you cannot change your own role or disable yourself: ask another admin"
            ),
        ));
    }
    Ok(())
}

fn account_error(e: AccountError) -> AppError {
    let message: Text = match &e {
        AccountError::UsernameTaken(name) => {
            text!("username：“{name}”已被使用", "username: '{name}' is taken")
        }
        AccountError::BadUsername(name) => text!(
            "username：“{name}”不可用：应为 3 到 64 个字母、数字、“.”“_”或“-”",
            "username: '{name}' is not valid: expected 3 to 64 letters, digits, '.', '_' or '-'"
        ),
        AccountError::NoSuchEnterprise(id) => text!(
            "enterprise：没有编号为 {id} 的企业",
            "enterprise: no enterprise with id {id}"
        ),
        AccountError::EnterpriseBinding { .. } => text!(
            "enterprise：企业用户须绑定一家企业，管理员和分析员不绑定",
            "enterprise: an enterprise user acts for one enterprise, staff for none"
        ),
        AccountError::NoSuchUser(name) => {
            return AppError::new(
                ErrorCode::UserNotFound,
                text!("没有名为“{name}”的用户", "no user named '{name}'"),
            )
        }
        AccountError::NoSuchToken(id) => {
            return AppError::new(
                ErrorCode::TokenNotFound,
                text!(
                    "没有编号为 {id} 的有效 API 令牌",
                    "no live API token with id {id}"
                ),
            )
        }
        AccountError::Store(_) => return AppError::internal(e.to_string()),
    };
    AppError::new(ErrorCode::InvalidUser, message)
}
