//! Docking events without I/O: the rules of meeting requests (who may ask whom, caps,
//! vetoes, expiry), the scheduling plan that turns an event into a scheduler instance and
//! its result back into meetings, recommended pairs from the match engine, the event
//! report, and iCalendar agendas.
//!
//! The store keeps events; the CLI and the web app load an [`EventData`], ask this crate
//! what is allowed or what the schedule is, and write the answer back.
//!
//! [`EventData`]: chainatlas_model::EventData

mod ics;
mod plan;
mod recommend;
mod report;
mod rules;

pub use ics::{agenda_ics, AgendaItem};
pub use plan::{apply, plan, Plan, PlanOptions, ScheduleOutcome};
pub use recommend::{recommend, Recommendation};
pub use report::{report, Breakdown, Report, ReportFacts};
pub use rules::{answer, cancel, new_request, Answer, RequestError, Who};

#[cfg(test)]
mod tests;
