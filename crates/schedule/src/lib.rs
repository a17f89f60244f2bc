//! The meeting scheduler of docking events, with no I/O.
//!
//! An [`Instance`] is a slot grid (slots in time order, each on a day), a number of
//! tables, participants (each with a group, the slots they are available in and a cap on
//! meetings) and the meetings wanted between pairs of them, each with a weight (its
//! priority). [`schedule`] places as much weight as it can into (slot, table) so that
//! nobody and no table is booked twice, everyone is available and the group rules hold;
//! among placements of equal weight it prefers fewer idle slots between a participant's
//! meetings of a day. It is deterministic: the same instance gives the same schedule.
//!
//! Re-scheduling after late changes passes the published placements as
//! [`Wanted::fixed`]: they are kept where they still fit, and moved only when they must.
//! [`first_fit`] is the baseline a self-booking tool reaches (every meeting in request
//! order into the first slot both sides have free); [`check`] proves a schedule valid.

mod instance;
mod solve;

pub use instance::{Instance, InstanceError, Participant, Placement, Wanted, MAX_SLOTS};
pub use solve::{
    check, first_fit, schedule, PlacedMeeting, Schedule, Unplaced, UnplacedReason, Violation,
};

#[cfg(test)]
mod tests;
