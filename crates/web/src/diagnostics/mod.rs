//! Chain diagnostics for analysts: the diagnosis page, the disruption simulator, and the
//! diagnosis, disruption, chokepoint and attraction endpoints.

pub mod api;
pub mod pages;
mod sheets;
