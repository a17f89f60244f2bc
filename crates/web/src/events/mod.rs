//! Docking events: registration, meeting requests, schedules, agendas, agreements and
//! reports, as pages and through the API.

pub mod api;
pub mod pages;
