//! Entity resolution in the browser and the API: enterprise lists mapped, reviewed,
//! committed and undone; duplicates in the atlas; merges and their undoing. Over
//! `chainatlas_app::resolution`.

pub mod api;
pub mod pages;
