//! Enterprise services: appeals and their workflow, visits and responsible officials,
//! notifications, the working-day calendar, and blocking points. Rules in
//! [`chainatlas_app::services`].

pub mod api;
pub mod pages;
