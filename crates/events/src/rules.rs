//! Who may ask whom for a meeting, and how requests are answered.
//!
//! - A participant asks another participant of the same event, of a group it may meet,
//!   while the event is not over.
//! - Between two participants there is at most one live (pending or accepted) request.
//! - "Not interested" is a veto: the sender cannot ask that recipient again.
//! - A participant has at most the event's `request_cap` live requests sent.
//! - Accepting needs room under both sides' meeting caps (accepted requests count).
//! - A pending request expires `request_days` after it was made; an expired request can
//!   no longer be answered.

use chainatlas_model::{
    Date, EventData, MeetingRequest, ParticipantId, RequestId, RequestOrigin, RequestStatus,
};

/// Why a request cannot be made or answered. The text says what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("participant {0} is not registered for this event")]
    NotParticipant(ParticipantId),
    #[error("there is no meeting request {0} in this event")]
    NoRequest(RequestId),
    #[error("a participant cannot ask itself for a meeting")]
    Itself,
    #[error("the event ended on {0}; no more requests")]
    Over(Date),
    #[error("group '{0}' does not meet group '{1}' at this event")]
    Groups(String, String),
    #[error("there is already a {status} request between these participants (request {id})")]
    Duplicate {
        id: RequestId,
        status: RequestStatus,
    },
    #[error(
        "the recipient answered an earlier request 'not interested'; it cannot be asked again"
    )]
    Vetoed,
    #[error("you already have {0} open or accepted requests, the most this event allows; cancel one first")]
    RequestCap(u32),
    #[error("{who} already has {count} accepted meetings, the most allowed ({cap})")]
    MeetingCap {
        who: &'static str,
        count: u32,
        cap: u32,
    },
    #[error("priority: {0} given, expected 1 (nice to meet) to 5 (must meet)")]
    Priority(u8),
    #[error("only the recipient answers a request")]
    NotRecipient,
    #[error("only the sender cancels a request")]
    NotSender,
    #[error("request {id} is {status}, not pending; it cannot be answered")]
    NotPending {
        id: RequestId,
        status: RequestStatus,
    },
    #[error("request {id} is {status}; only a pending or accepted request can be cancelled")]
    NotLive {
        id: RequestId,
        status: RequestStatus,
    },
    #[error("message: {0} characters, at most 500 allowed")]
    Message(usize),
}

/// How a recipient answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Decline,
    NotInterested,
}

impl Answer {
    pub fn status(self) -> RequestStatus {
        match self {
            Answer::Accept => RequestStatus::Accepted,
            Answer::Decline => RequestStatus::Declined,
            Answer::NotInterested => RequestStatus::NotInterested,
        }
    }
}

fn accepted_count(data: &EventData, p: ParticipantId) -> u32 {
    data.requests
        .iter()
        .filter(|r| r.status == RequestStatus::Accepted && r.involves(p))
        .count() as u32
}

/// A new request from `from` to `to`, checked against every rule above.
#[allow(clippy::too_many_arguments)]
pub fn new_request(
    data: &EventData,
    id: RequestId,
    from: ParticipantId,
    to: ParticipantId,
    priority: u8,
    origin: RequestOrigin,
    message: &str,
    today: Date,
) -> Result<MeetingRequest, RequestError> {
    let sender = data
        .participant(from)
        .ok_or(RequestError::NotParticipant(from))?;
    let recipient = data
        .participant(to)
        .ok_or(RequestError::NotParticipant(to))?;
    if from == to {
        return Err(RequestError::Itself);
    }
    if today > data.event.ends_on() {
        return Err(RequestError::Over(data.event.ends_on()));
    }
    if !(1..=5).contains(&priority) {
        return Err(RequestError::Priority(priority));
    }
    let message = message.trim();
    if message.chars().count() > 500 {
        return Err(RequestError::Message(message.chars().count()));
    }
    if !data.event.may_meet(&sender.group, &recipient.group) {
        return Err(RequestError::Groups(
            sender.group.clone(),
            recipient.group.clone(),
        ));
    }
    let between = |r: &&MeetingRequest| r.involves(from) && r.involves(to);
    if data
        .requests
        .iter()
        .any(|r| r.from == from && r.to == to && r.status == RequestStatus::NotInterested)
    {
        return Err(RequestError::Vetoed);
    }
    if let Some(r) = data
        .requests
        .iter()
        .filter(between)
        .find(|r| r.status_on(today).is_live())
    {
        return Err(RequestError::Duplicate {
            id: r.id,
            status: r.status_on(today),
        });
    }
    let live_sent = data
        .requests
        .iter()
        .filter(|r| r.from == from && r.status_on(today).is_live())
        .count() as u32;
    if live_sent >= data.event.request_cap {
        return Err(RequestError::RequestCap(data.event.request_cap));
    }
    Ok(MeetingRequest {
        id,
        event: data.event.id,
        from,
        to,
        priority,
        origin,
        status: RequestStatus::Pending,
        message: message.to_string(),
        created_on: today,
        expires_on: today.add_days(i64::from(data.event.request_days)),
        answered_on: None,
    })
}

fn find(data: &EventData, id: RequestId) -> Result<&MeetingRequest, RequestError> {
    data.requests
        .iter()
        .find(|r| r.id == id)
        .ok_or(RequestError::NoRequest(id))
}

/// The status `by` gives request `id` by answering it.
pub fn answer(
    data: &EventData,
    id: RequestId,
    by: ParticipantId,
    answer: Answer,
    today: Date,
) -> Result<RequestStatus, RequestError> {
    let r = find(data, id)?;
    if r.to != by {
        return Err(RequestError::NotRecipient);
    }
    let status = r.status_on(today);
    if status != RequestStatus::Pending {
        return Err(RequestError::NotPending { id, status });
    }
    if answer == Answer::Accept {
        for (who, p) in [("you", r.to), ("the sender", r.from)] {
            let participant = data.participant(p).ok_or(RequestError::NotParticipant(p))?;
            let cap = participant.meeting_cap(&data.event);
            let count = accepted_count(data, p);
            if count >= cap {
                return Err(RequestError::MeetingCap { who, count, cap });
            }
        }
    }
    Ok(answer.status())
}

/// Checks that `by` may cancel request `id` (the sender, while it is live).
pub fn cancel(
    data: &EventData,
    id: RequestId,
    by: ParticipantId,
    today: Date,
) -> Result<RequestStatus, RequestError> {
    let r = find(data, id)?;
    if r.from != by {
        return Err(RequestError::NotSender);
    }
    let status = r.status_on(today);
    if !status.is_live() {
        return Err(RequestError::NotLive { id, status });
    }
    Ok(RequestStatus::Cancelled)
}
