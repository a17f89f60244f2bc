//! The atlas: the dashboard, chains and their maps, nodes, enterprises and their supply
//! relations, as pages and through the API.

pub mod api;
pub mod pages;
