//! What every feature shares and no feature owns: authentication and the request guard,
//! errors and their status, the API's common shapes, the page layout, words and labels,
//! and the embedded assets. `core` imports no feature.

pub mod api;
pub mod assets;
pub mod auth;
pub mod download;
pub mod error;
pub mod form;
pub mod health;
pub mod i18n;
pub mod layout;
pub mod state;
pub mod upload;
pub mod url;

pub use download::stream_file;
pub use state::AppState;
