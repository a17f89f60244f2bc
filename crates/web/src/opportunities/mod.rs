//! Opportunities for analysts: a region's new boards (锻新板) and long boards (锻长板),
//! as a page and an endpoint (docs/complexity.md).

pub mod api;
mod industries;
pub mod pages;
