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
    text, Date, EventData, Explain, Lang, MeetingRequest, ParticipantId, RequestId, RequestOrigin,
    RequestStatus, Text,
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
    MeetingCap { who: Who, count: u32, cap: u32 },
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

/// Whose meeting cap is reached when a recipient accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The recipient, who is answering.
    You,
    Sender,
}

impl std::fmt::Display for Who {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Who::You => "you",
            Who::Sender => "the sender",
        })
    }
}

impl Explain for RequestError {
    fn explain(&self) -> Text {
        match self {
            RequestError::NotParticipant(p) => text!(
                "参会方 {p} 未报名本场活动",
                "participant {p} is not registered for this event"
            ),
            RequestError::NoRequest(r) => text!(
                "本场活动没有编号为 {r} 的洽谈邀约",
                "there is no meeting request {r} in this event"
            ),
            RequestError::Itself => text!(
                "不能向自己发起洽谈邀约",
                "a participant cannot ask itself for a meeting"
            ),
            RequestError::Over(d) => text!(
                "活动已于 {d} 结束，不能再发起邀约",
                "the event ended on {d}; no more requests"
            ),
            RequestError::Groups(a, b) => text!(
                "本场活动中“{a}”组不与“{b}”组洽谈",
                "group '{a}' does not meet group '{b}' at this event"
            ),
            RequestError::Duplicate { id, status } => {
                let (zh, en) = (status.name(Lang::Zh), status.name(Lang::En));
                text!(
                    "双方之间已有一条{zh}的邀约（邀约 {id}）",
                    "there is already a {en} request between these participants (request {id})"
                )
            }
            RequestError::Vetoed => text!(
                "对方曾对您的邀约选择“不感兴趣”，不能再次邀约",
                "the recipient answered an earlier request 'not interested'; it cannot be asked again"
            ),
            RequestError::RequestCap(n) => text!(
                "您已有 {n} 条待回复或已接受的邀约，已达本场活动上限；请先撤回一条",
                "you already have {n} open or accepted requests, the most this event allows; cancel one first"
            ),
            RequestError::MeetingCap { who, count, cap } => {
                let zh = match who {
                    Who::You => "您",
                    Who::Sender => "邀约方",
                };
                text!(
                    "{zh}已有 {count} 场已接受的洽谈，达到上限（{cap} 场）",
                    "{who} already has {count} accepted meetings, the most allowed ({cap})"
                )
            }
            RequestError::Priority(p) => text!(
                "priority（优先级）：填了 {p}，应为 1（可以见）到 5（必须见）",
                "priority: {p} given, expected 1 (nice to meet) to 5 (must meet)"
            ),
            RequestError::NotRecipient => {
                text!("只有被邀约方可以回复邀约", "only the recipient answers a request")
            }
            RequestError::NotSender => {
                text!("只有邀约方可以撤回邀约", "only the sender cancels a request")
            }
            RequestError::NotPending { id, status } => {
                let (zh, en) = (status.name(Lang::Zh), status.name(Lang::En));
                text!(
                    "邀约 {id} 的状态是“{zh}”，不是待回复，不能再回复",
                    "request {id} is {en}, not pending; it cannot be answered"
                )
            }
            RequestError::NotLive { id, status } => {
                let (zh, en) = (status.name(Lang::Zh), status.name(Lang::En));
                text!(
                    "邀约 {id} 的状态是“{zh}”；只有待回复或已接受的邀约可以撤回",
                    "request {id} is {en}; only a pending or accepted request can be cancelled"
                )
            }
            RequestError::Message(n) => text!(
                "message（留言）：{n} 个字符，最多 500 个",
                "message: {n} characters, at most 500 allowed"
            ),
        }
    }
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
        for (who, p) in [(Who::You, r.to), (Who::Sender, r.from)] {
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
