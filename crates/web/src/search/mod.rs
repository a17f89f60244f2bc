//! Search: the box in every page's header, its results page, and `/api/v1/search`.

pub mod api;
pub mod pages;
