//! Accounts: signing in and out (with the throttle and device cookies), who is asking
//! (`/api/v1/me`), the audit log, and users and API tokens for administrators.

pub mod api;
pub mod pages;
pub mod users;
