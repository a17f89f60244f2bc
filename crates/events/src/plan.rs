//! From an event to a scheduler instance, and from the schedule back to meetings.
//!
//! Wanted meetings are the accepted requests (weight: their priority), the pairs the
//! organiser already added, and, if the organiser asks, recommended pairs (weight 1).
//! Published meetings, and meetings already held or missed, are passed as fixed: the
//! scheduler keeps them where they still fit. A published meeting that has to move comes
//! back unpublished, so that nobody's printed agenda changes silently.

use std::collections::HashMap;

use chainatlas_model::{
    EventData, EventId, Meeting, MeetingId, MeetingStatus, ParticipantId, RequestId, RequestStatus,
};
use chainatlas_schedule::{Instance, Placement, Schedule, UnplacedReason, Wanted};

/// Where a wanted meeting comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Request(RequestId),
    /// A pair added by the organiser (kept from an earlier schedule or recommended now).
    Pair,
}

#[derive(Clone, Debug)]
struct WantedMeeting {
    source: Source,
    a: ParticipantId,
    b: ParticipantId,
    /// The meeting that already exists for it, if any.
    existing: Option<Meeting>,
}

/// What the organiser asks of a scheduling run.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    /// Recommended pairs to schedule too, at weight 1, where nobody said no.
    pub recommended: Vec<(ParticipantId, ParticipantId)>,
}

/// A scheduler instance and how its meetings map back to the event.
#[derive(Clone, Debug)]
pub struct Plan {
    pub instance: Instance,
    event: EventId,
    wanted: Vec<WantedMeeting>,
}

/// A new schedule for the event.
#[derive(Clone, Debug)]
pub struct ScheduleOutcome {
    /// Every meeting of the new schedule (held and missed ones included), existing ids kept.
    pub meetings: Vec<Meeting>,
    /// Wanted meetings left out: (request, a, b, reason); request `None` for a pair.
    pub unplaced: Vec<(
        Option<RequestId>,
        ParticipantId,
        ParticipantId,
        UnplacedReason,
    )>,
    pub weight: u64,
    pub gaps: u64,
    /// Published meetings that had to move (they come back unpublished).
    pub moved: usize,
}

const PAIR_IDS: u64 = 1 << 40;

/// The scheduling problem of the event as it stands.
pub fn plan(data: &EventData, options: &PlanOptions) -> Plan {
    let slots = data.event.grid.slots();
    let live_meeting = |m: &&Meeting| m.status != MeetingStatus::Cancelled;
    let mut wanted: Vec<WantedMeeting> = Vec::new();
    for r in data
        .requests
        .iter()
        .filter(|r| r.status == RequestStatus::Accepted)
    {
        let existing = data
            .meetings
            .iter()
            .filter(live_meeting)
            .find(|m| m.request == Some(r.id))
            .cloned();
        wanted.push(WantedMeeting {
            source: Source::Request(r.id),
            a: r.from,
            b: r.to,
            existing,
        });
    }
    for m in data
        .meetings
        .iter()
        .filter(live_meeting)
        .filter(|m| m.request.is_none())
    {
        wanted.push(WantedMeeting {
            source: Source::Pair,
            a: m.a,
            b: m.b,
            existing: Some(m.clone()),
        });
    }
    for &(a, b) in &options.recommended {
        let said_no = data.requests.iter().any(|r| {
            r.involves(a)
                && r.involves(b)
                && matches!(
                    r.status,
                    RequestStatus::Declined
                        | RequestStatus::NotInterested
                        | RequestStatus::Cancelled
                )
        });
        let wanted_already = wanted
            .iter()
            .any(|w| (w.a == a && w.b == b) || (w.a == b && w.b == a));
        let known = data.participant(a).is_some() && data.participant(b).is_some();
        if a != b && known && !said_no && !wanted_already {
            wanted.push(WantedMeeting {
                source: Source::Pair,
                a,
                b,
                existing: None,
            });
        }
    }
    let weight_of = |w: &WantedMeeting| match w.source {
        Source::Request(id) => data
            .requests
            .iter()
            .find(|r| r.id == id)
            .map_or(1, |r| u32::from(r.priority)),
        Source::Pair => 1,
    };
    let meetings = wanted
        .iter()
        .enumerate()
        .map(|(i, w)| Wanted {
            id: match w.source {
                Source::Request(id) => id.0 as u64,
                Source::Pair => PAIR_IDS + i as u64,
            },
            a: w.a.0 as u64,
            b: w.b.0 as u64,
            weight: weight_of(w),
            fixed: w
                .existing
                .as_ref()
                .filter(|m| m.published || m.status != MeetingStatus::Scheduled)
                .filter(|m| m.slot < slots.len() && m.table >= 1 && m.table <= data.event.tables)
                .map(|m| Placement {
                    slot: m.slot,
                    table: m.table as usize - 1,
                }),
        })
        .collect();
    let instance = Instance {
        slots: slots.len(),
        slot_days: slots.iter().map(|s| u32::from(s.day)).collect(),
        tables: data.event.tables as usize,
        participants: data
            .participants
            .iter()
            .map(|p| chainatlas_schedule::Participant {
                id: p.id.0 as u64,
                group: p.group.clone(),
                available: p
                    .available
                    .as_ref()
                    .map(|a| a.iter().copied().filter(|&s| s < slots.len()).collect()),
                max_meetings: Some(p.meeting_cap(&data.event)),
            })
            .collect(),
        may_meet: data.event.may_meet.clone(),
        meetings,
    };
    Plan {
        instance,
        event: data.event.id,
        wanted,
    }
}

/// Turns the scheduler's answer into the event's meetings: existing meetings keep their
/// ids (and their publication, if they did not move); new ones are numbered upward from
/// `next_id`, provisionally: the store gives them their ids when the schedule is saved.
pub fn apply(plan: &Plan, schedule: &Schedule, next_id: MeetingId) -> ScheduleOutcome {
    let index: HashMap<u64, usize> = plan
        .instance
        .meetings
        .iter()
        .enumerate()
        .map(|(i, w)| (w.id, i))
        .collect();
    let mut next = next_id.0;
    let mut meetings = Vec::with_capacity(schedule.placed.len());
    for p in &schedule.placed {
        let w = &plan.wanted[index[&p.id]];
        let table = p.table as u32 + 1;
        let meeting = match &w.existing {
            Some(m) => Meeting {
                slot: p.slot,
                table,
                published: m.published && m.slot == p.slot && m.table == table,
                ..m.clone()
            },
            None => {
                next += 1;
                Meeting {
                    id: MeetingId(next - 1),
                    event: plan.event,
                    request: match w.source {
                        Source::Request(id) => Some(id),
                        Source::Pair => None,
                    },
                    a: w.a,
                    b: w.b,
                    slot: p.slot,
                    table,
                    published: false,
                    status: MeetingStatus::Scheduled,
                }
            }
        };
        meetings.push(meeting);
    }
    let unplaced = schedule
        .unplaced
        .iter()
        .map(|u| {
            let w = &plan.wanted[index[&u.id]];
            let request = match w.source {
                Source::Request(id) => Some(id),
                Source::Pair => None,
            };
            (request, w.a, w.b, u.reason)
        })
        .collect();
    ScheduleOutcome {
        meetings,
        unplaced,
        weight: schedule.weight,
        gaps: schedule.gaps,
        moved: schedule.moved,
    }
}
