//! Accounts: signing in and out (with the throttle and device cookies), who is asking
//! (`/api/v1/me`), and the audit log for administrators.

pub mod api;
pub mod pages;
