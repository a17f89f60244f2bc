//! Who asks: the signed-in principal (if any) and the address a request came from. The
//! web crate resolves it from a session or token; the CLI acts locally. Use cases ask it
//! what its role may do; *what* a role may do is decided in `chainatlas-auth`.

use chainatlas_auth::{Permission, Principal};
use chainatlas_store::Actor;

use chainatlas_model::Date;

use crate::AppError;

#[derive(Clone, Debug)]
pub struct Viewer {
    pub principal: Option<Principal>,
    /// The client's address, for the audit log.
    pub address: String,
    /// When the request was made (Unix seconds), from the server's [`Clock`]: every
    /// write it makes is recorded at this time, and "today" is this day in China.
    pub at: i64,
}

impl Viewer {
    /// Someone not signed in, from `address`, at `at`.
    pub fn anonymous(address: impl Into<String>, at: i64) -> Viewer {
        Viewer {
            principal: None,
            address: address.into(),
            at,
        }
    }

    /// The day of the request in China Standard Time.
    pub fn today(&self) -> Date {
        crate::clock::china_date(self.at)
    }

    pub fn may(&self, permission: Permission) -> bool {
        self.principal.as_ref().is_some_and(|p| p.may(permission))
    }

    pub fn may_see_private(&self, enterprise: chainatlas_model::EnterpriseId) -> bool {
        self.principal
            .as_ref()
            .is_some_and(|p| p.may_see_private(enterprise))
    }

    /// The actor to record for a write made on this viewer's behalf, at the request's time.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.principal.as_ref().map(|p| p.user_id),
            name: self
                .principal
                .as_ref()
                .map_or_else(|| "anonymous".to_string(), |p| p.username.clone()),
            address: self.address.clone(),
            at: self.at,
        }
    }

    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        if self.may(permission) {
            Ok(())
        } else {
            Err(AppError::forbidden(chainatlas_model::Text::new(
                "您的账号角色无权进行此操作",
                "your account's role does not allow this",
            )))
        }
    }
}
