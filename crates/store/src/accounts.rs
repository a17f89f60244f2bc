//! Users, sessions and API tokens. Every change to them is audited in its own transaction.

use crate::db::{params, OptionalExtension, Row};
use chainatlas_auth::{Principal, Role};
use chainatlas_model::EnterpriseId;

use crate::audit::{self, json_object, Actor, Change, Json};
use crate::{Result, Store, StoreError};

/// A user account as administrators see it (never the password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub enterprise: Option<EnterpriseId>,
    pub disabled: bool,
    /// The password is still the one the demo printed.
    pub demo_password: bool,
    pub created_at: i64,
}

impl User {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            role: self.role,
            enterprise: self.enterprise,
        }
    }

    fn snapshot(&self) -> String {
        json_object(&[
            ("username", Json::Str(&self.username)),
            ("role", Json::Str(self.role.as_str())),
            (
                "enterprise_id",
                self.enterprise.map_or(Json::Null, |e| Json::Int(e.0)),
            ),
            ("disabled", Json::Bool(self.disabled)),
            ("demo_password", Json::Bool(self.demo_password)),
        ])
    }
}

/// An API token as listed (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("username '{0}' is taken")]
    UsernameTaken(String),
    #[error("username '{0}' is not valid: expected 3 to 64 letters, digits, '.', '_' or '-'")]
    BadUsername(String),
    #[error("no user named '{0}'")]
    NoSuchUser(String),
    #[error("no enterprise with id {0}")]
    NoSuchEnterprise(EnterpriseId),
    #[error("a user with role {role} {}", if *.role == Role::Enterprise { "must be bound to an enterprise (--enterprise ID)" } else { "is not bound to an enterprise" })]
    EnterpriseBinding { role: Role },
    #[error("no API token with id {0}")]
    NoSuchToken(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<crate::db::Error> for AccountError {
    fn from(e: crate::db::Error) -> Self {
        AccountError::Store(e.into())
    }
}

const USER_COLUMNS: &str = "id, username, role, enterprise_id, disabled, demo_password, created_at";
/// [`USER_COLUMNS`] of the table aliased `u`, for joins.
const USER_COLUMNS_U: &str =
    "u.id, u.username, u.role, u.enterprise_id, u.disabled, u.demo_password, u.created_at";

fn user(row: &Row<'_>) -> crate::db::Result<User> {
    Ok(User {
        id: row.get(0)?,
        username: row.get(1)?,
        role: crate::rows::parsed(row, 2)?,
        enterprise: row.get::<Option<i64>>(3)?.map(EnterpriseId),
        disabled: row.get(4)?,
        demo_password: row.get(5)?,
        created_at: row.get(6)?,
    })
}

/// The user with this name, as `conn` (a transaction) sees it.
fn user_named(conn: &crate::db::Connection, username: &str) -> Result<User, AccountError> {
    conn.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
        [username],
        user,
    )
    .optional()?
    .ok_or_else(|| AccountError::NoSuchUser(username.into()))
}

fn valid_username(name: &str) -> bool {
    (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

impl Store {
    /// Creates a user. `password_hash` comes from `chainatlas_auth::hash_password`.
    pub fn create_user(
        &mut self,
        actor: &Actor,
        username: &str,
        password_hash: &str,
        role: Role,
        enterprise: Option<EnterpriseId>,
        demo_password: bool,
    ) -> Result<User, AccountError> {
        if !valid_username(username) {
            return Err(AccountError::BadUsername(username.into()));
        }
        if (role == Role::Enterprise) != enterprise.is_some() {
            return Err(AccountError::EnterpriseBinding { role });
        }
        if let Some(e) = enterprise {
            if self.enterprise(e)?.is_none() {
                return Err(AccountError::NoSuchEnterprise(e));
            }
        }
        let tx = self.conn.transaction()?;
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)",
            [username],
            |r| r.get(0),
        )?;
        if taken {
            return Err(AccountError::UsernameTaken(username.into()));
        }
        tx.execute(
            "INSERT INTO users (username, password_hash, role, enterprise_id, demo_password, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![username, password_hash, role.as_str(), enterprise.map(|e| e.0), demo_password, actor.at],
        )?;
        let created = tx.query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1"),
            [username],
            user,
        )?;
        audit::record(
            &tx,
            actor,
            &Change::new("create", "user", created.id).after(created.snapshot()),
        )?;
        tx.commit()?;
        Ok(created)
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))?;
        let users = stmt
            .query_map([], user)?
            .collect::<crate::db::Result<_>>()?;
        Ok(users)
    }

    pub fn user(&self, id: i64) -> Result<Option<User>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"))?;
        Ok(stmt.query_row([id], user).optional()?)
    }

    /// The enabled users who act for `enterprise`.
    pub fn enterprise_users(&self, enterprise: EnterpriseId) -> Result<Vec<i64>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM users WHERE enterprise_id = ?1 AND disabled = 0 ORDER BY id",
        )?;
        let ids = stmt
            .query_map([enterprise.0], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
        Ok(ids)
    }

    /// A user and their password hash, for signing in.
    pub fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?1");
        Ok(self
            .conn
            .query_row(&sql, [username], |r| Ok((user(r)?, r.get(7)?)))
            .optional()?)
    }

    fn user_by_name(&self, username: &str) -> Result<User, AccountError> {
        user_named(&self.conn, username)
    }

    /// Changes one user with one statement, auditing the user before and after.
    fn update_user(
        &mut self,
        actor: &Actor,
        username: &str,
        action: &str,
        sql: &str,
        value: &dyn crate::db::ToSql,
    ) -> Result<User, AccountError> {
        let tx = self.conn.transaction()?;
        let before = user_named(&tx, username)?;
        tx.execute(sql, params![value, before.id])?;
        let after = tx.query_row(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"),
            [before.id],
            user,
        )?;
        if after.disabled {
            // A disabled account loses its sessions at once.
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [after.id])?;
        }
        audit::record(
            &tx,
            actor,
            &Change::new(action, "user", after.id)
                .before(before.snapshot())
                .after(after.snapshot()),
        )?;
        tx.commit()?;
        Ok(after)
    }

    /// Sets a new password; it is no longer the demo's.
    pub fn set_password(
        &mut self,
        actor: &Actor,
        username: &str,
        password_hash: &str,
    ) -> Result<User, AccountError> {
        self.update_user(
            actor,
            username,
            "set_password",
            "UPDATE users SET password_hash = ?1, demo_password = 0 WHERE id = ?2",
            &password_hash,
        )
    }

    /// Disables (or enables again) an account. Disabling ends its sessions.
    pub fn set_disabled(
        &mut self,
        actor: &Actor,
        username: &str,
        disabled: bool,
    ) -> Result<User, AccountError> {
        let action = if disabled { "disable" } else { "enable" };
        self.update_user(
            actor,
            username,
            action,
            "UPDATE users SET disabled = ?1 WHERE id = ?2",
            &disabled,
        )
    }

    /// Sets a user's role and the enterprise it acts for (an enterprise user acts for
    /// exactly one; staff for none). A changed role ends the user's sessions, so that no
    /// page open under the old role keeps its rights.
    pub fn set_role(
        &mut self,
        actor: &Actor,
        username: &str,
        role: Role,
        enterprise: Option<EnterpriseId>,
    ) -> Result<User, AccountError> {
        if (role == Role::Enterprise) != enterprise.is_some() {
            return Err(AccountError::EnterpriseBinding { role });
        }
        if let Some(e) = enterprise {
            if self.enterprise(e)?.is_none() {
                return Err(AccountError::NoSuchEnterprise(e));
            }
        }
        let tx = self.conn.transaction()?;
        let before = user_named(&tx, username)?;
        tx.execute(
            "UPDATE users SET role = ?1, enterprise_id = ?2 WHERE id = ?3",
            params![role.as_str(), enterprise.map(|e| e.0), before.id],
        )?;
        let after = User {
            role,
            enterprise,
            ..before.clone()
        };
        if after != before {
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [after.id])?;
            audit::record(
                &tx,
                actor,
                &Change::new("update", "user", after.id)
                    .before(before.snapshot())
                    .after(after.snapshot()),
            )?;
        }
        tx.commit()?;
        Ok(after)
    }

    /// Whether any enabled account still has the password the demo printed.
    pub fn any_demo_password(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM users WHERE demo_password = 1 AND disabled = 0)",
            [],
            |r| r.get(0),
        )?)
    }

    /// Records a sign-in that did not happen (a wrong password, an unknown or disabled
    /// account, a throttled attempt). `username` is kept to its first 64 characters.
    pub fn record_failed_sign_in(
        &mut self,
        actor: &Actor,
        action: &str,
        user_id: Option<i64>,
        username: &str,
    ) -> Result<()> {
        let name: String = username.chars().take(64).collect();
        let change = Change::new(action, "session", user_id.unwrap_or(0)).after(
            crate::audit::json_object(&[("username", crate::audit::Json::Str(&name))]),
        );
        let tx = self.conn.transaction()?;
        audit::record(&tx, actor, &change)?;
        tx.commit()?;
        Ok(())
    }

    /// Starts a session for a user who has just proven their password.
    pub fn create_session(
        &mut self,
        actor: &Actor,
        user: &User,
        token_hash: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [actor.at])?;
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![token_hash, user.id, csrf_token, actor.at, expires_at, actor.address],
        )?;
        audit::record(&tx, actor, &Change::new("login", "session", user.id))?;
        tx.commit()?;
        Ok(())
    }

    /// The principal and CSRF token of a live session: not expired, account enabled.
    pub fn session(&self, token_hash: &str, now: i64) -> Result<Option<(Principal, String)>> {
        let sql = format!(
            "SELECT {}, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0",
            USER_COLUMNS_U
        );
        Ok(self
            .conn
            .query_row(&sql, params![token_hash, now], |r| {
                Ok((user(r)?.principal(), r.get(7)?))
            })
            .optional()?)
    }

    /// Ends a session (logout). Returns whether there was one.
    pub fn end_session(&mut self, actor: &Actor, token_hash: &str) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let ended = tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])? > 0;
        if ended {
            audit::record(
                &tx,
                actor,
                &Change::new("logout", "session", actor.user_id.unwrap_or_default()),
            )?;
        }
        tx.commit()?;
        Ok(ended)
    }

    /// Stores a new API token for `username`; the token itself is shown once by the caller.
    pub fn create_token(
        &mut self,
        actor: &Actor,
        username: &str,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken, AccountError> {
        let owner = self.user_by_name(username)?;
        let tx = self.conn.transaction()?;
        let id: i64 = tx.query_row(
            "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)
             RETURNING id",
            params![owner.id, name, token_hash, actor.at],
            |r| r.get(0),
        )?;
        let snapshot = json_object(&[("username", Json::Str(username)), ("name", Json::Str(name))]);
        audit::record(
            &tx,
            actor,
            &Change::new("create", "api_token", id).after(snapshot),
        )?;
        tx.commit()?;
        Ok(ApiToken {
            id,
            username: username.into(),
            name: name.into(),
            created_at: actor.at,
            revoked_at: None,
        })
    }

    pub fn tokens(&self) -> Result<Vec<ApiToken>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.id, u.username, t.name, t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id",
        )?;
        let tokens = stmt
            .query_map([], |r| {
                Ok(ApiToken {
                    id: r.get(0)?,
                    username: r.get(1)?,
                    name: r.get(2)?,
                    created_at: r.get(3)?,
                    revoked_at: r.get(4)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(tokens)
    }

    /// Revokes a token: from now on it authenticates nothing.
    pub fn revoke_token(&mut self, actor: &Actor, id: i64) -> Result<(), AccountError> {
        let tx = self.conn.transaction()?;
        let changed = tx.execute(
            "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            params![actor.at, id],
        )?;
        if changed == 0 {
            return Err(AccountError::NoSuchToken(id));
        }
        audit::record(&tx, actor, &Change::new("revoke", "api_token", id))?;
        tx.commit()?;
        Ok(())
    }

    /// The owner of a live token (not revoked, account enabled).
    pub fn token_principal(&self, token_hash: &str) -> Result<Option<Principal>> {
        let sql = format!(
            "SELECT {} FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.disabled = 0",
            USER_COLUMNS_U
        );
        Ok(self
            .conn
            .query_row(&sql, [token_hash], |r| Ok(user(r)?.principal()))
            .optional()?)
    }
}
