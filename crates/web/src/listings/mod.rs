//! Matchmaking: listings (demands and supplies) and their ranked matches, as pages and
//! through the API.

pub mod api;
pub mod pages;
