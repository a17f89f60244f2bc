//! Docking events: the event with its slot grid, registered participants, meeting
//! requests between them, the meetings placed in (slot, table), and the ledger of
//! cooperation agreements that come out of them.

use std::fmt;

use crate::{text, ChainId, Date, EnterpriseId, Lang, ListingId, Money, NodeId, Text};

crate::ids::id_type!(
    /// Identifies an [`Event`].
    EventId
);
crate::ids::id_type!(
    /// Identifies a [`Participant`] (one enterprise at one event).
    ParticipantId
);
crate::ids::id_type!(
    /// Identifies a [`MeetingRequest`].
    RequestId
);
crate::ids::id_type!(
    /// Identifies a [`Meeting`].
    MeetingId
);
crate::ids::id_type!(
    /// Identifies an [`Agreement`].
    AgreementId
);

/// The most meeting slots an event may have (the scheduler's limit).
pub const MAX_EVENT_SLOTS: usize = 128;

/// When meetings happen: `days` consecutive days from the event's first day, each with
/// `slots_per_day` slots of `slot_minutes` from `day_start`; the slots listed in `breaks`
/// (positions within a day, from 0) hold no meetings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotGrid {
    pub days: u8,
    /// Minutes after midnight (540 is 09:00).
    pub day_start: u16,
    pub slot_minutes: u16,
    pub slots_per_day: u8,
    pub breaks: Vec<u8>,
}

/// One meeting slot: its day (from 0) and its start and end, in minutes after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotTime {
    pub day: u8,
    pub start: u16,
    pub end: u16,
}

impl SlotTime {
    /// `09:20–09:40`.
    pub fn span(&self) -> String {
        format!("{}–{}", clock(self.start), clock(self.end))
    }
}

/// `540` → `09:00`.
/// Reads a time of day, `09:00` or `9：00`, as minutes after midnight.
pub fn parse_clock(raw: &str) -> Option<u16> {
    let (h, m) = raw.trim().split_once([':', '：'])?;
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

pub fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl SlotGrid {
    /// The meeting slots in time order (breaks left out). A meeting slot's index in this
    /// list is its number everywhere else (availability, placements).
    pub fn slots(&self) -> Vec<SlotTime> {
        let mut out = Vec::new();
        for day in 0..self.days {
            for i in 0..self.slots_per_day {
                if self.breaks.contains(&i) {
                    continue;
                }
                let start = self.day_start + u16::from(i) * self.slot_minutes;
                out.push(SlotTime {
                    day,
                    start,
                    end: start + self.slot_minutes,
                });
            }
        }
        out
    }

    /// Meeting slot `index` (as numbered by [`SlotGrid::slots`]), without listing them all.
    pub fn slot(&self, index: usize) -> Option<SlotTime> {
        let per_day = (0..self.slots_per_day)
            .filter(|i| !self.breaks.contains(i))
            .count();
        if per_day == 0 || index >= per_day * usize::from(self.days) {
            return None;
        }
        let position = (0..self.slots_per_day)
            .filter(|i| !self.breaks.contains(i))
            .nth(index % per_day)?;
        let start = self.day_start + u16::from(position) * self.slot_minutes;
        Some(SlotTime {
            day: (index / per_day) as u8,
            start,
            end: start + self.slot_minutes,
        })
    }

    /// Every problem of the grid, each naming its field.
    pub fn problems(&self) -> Vec<Text> {
        let mut p = Vec::new();
        let (days, minutes, per_day) = (self.days, self.slot_minutes, self.slots_per_day);
        if !(1..=7).contains(&days) {
            p.push(text!(
                "days（天数）：填了 {days}，应为 1 到 7",
                "days: {days} given, expected 1 to 7"
            ));
        }
        if !(5..=240).contains(&minutes) {
            p.push(text!(
                "slot_minutes（每场分钟数）：填了 {minutes}，应为 5 到 240",
                "slot_minutes: {minutes} given, expected 5 to 240"
            ));
        }
        if per_day == 0 {
            p.push(text!(
                "slots_per_day（每天场次）：填了 0，至少应为 1",
                "slots_per_day: 0 given, expected at least 1"
            ));
        }
        let end = u32::from(self.day_start) + u32::from(per_day) * u32::from(minutes);
        if end > 24 * 60 {
            let start = clock(self.day_start);
            p.push(text!(
                "slots_per_day（每天场次）：从 {start} 起 {per_day} 场、每场 {minutes} 分钟，超过了午夜",
                "slots_per_day: {per_day} slots of {minutes} minutes from {start} run past midnight"
            ));
        }
        if let Some(b) = self.breaks.iter().find(|&&b| b >= per_day) {
            let slot = u32::from(*b) + 1;
            p.push(text!(
                "breaks（休息场次）：第 {slot} 场不在一天的 {per_day} 场之内（场次从 1 起编号）",
                "breaks: slot {slot} is not within a day of {per_day} slots (they are numbered from 1)"
            ));
        }
        let n = self.slots().len();
        if p.is_empty() && (n == 0 || n > MAX_EVENT_SLOTS) {
            p.push(text!(
                "洽谈时段共 {n} 个，应为 1 到 {MAX_EVENT_SLOTS} 个",
                "the grid has {n} meeting slots, expected 1 to {MAX_EVENT_SLOTS}"
            ));
        }
        p
    }
}

/// A docking event (供需对接会).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub name: String,
    pub venue: String,
    pub starts_on: Date,
    pub grid: SlotGrid,
    /// Tables (or rooms), numbered from 1.
    pub tables: u32,
    /// Participant groups, such as 采购方 and 供应方.
    pub groups: Vec<String>,
    /// Pairs of groups whose members may meet, either way round. Empty: anyone may meet.
    pub may_meet: Vec<(String, String)>,
    /// Chains and nodes in focus.
    pub chains: Vec<ChainId>,
    pub nodes: Vec<NodeId>,
    /// Most open or accepted requests one participant may have sent.
    pub request_cap: u32,
    /// Most meetings one participant takes, unless their own cap is lower.
    pub meeting_cap: u32,
    /// Days an unanswered request stays open before it expires.
    pub request_days: u32,
}

impl Event {
    /// The date of a grid day.
    pub fn date_of(&self, day: u8) -> Date {
        self.starts_on.add_days(i64::from(day))
    }

    pub fn ends_on(&self) -> Date {
        self.date_of(self.grid.days.saturating_sub(1))
    }

    /// Whether members of groups `a` and `b` may meet.
    pub fn may_meet(&self, a: &str, b: &str) -> bool {
        self.may_meet.is_empty()
            || self
                .may_meet
                .iter()
                .any(|(x, y)| (x == a && y == b) || (x == b && y == a))
    }
}

/// An enterprise registered for an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub id: ParticipantId,
    pub event: EventId,
    pub enterprise: EnterpriseId,
    pub group: String,
    /// Who comes: names and roles, as the enterprise writes them.
    pub people: String,
    /// Meeting slots this participant can attend; `None`: all.
    pub available: Option<Vec<usize>>,
    /// Their own cap on meetings, at most the event's.
    pub max_meetings: Option<u32>,
    /// Listings the enterprise brings to the event.
    pub listings: Vec<ListingId>,
}

impl Participant {
    pub fn meeting_cap(&self, event: &Event) -> u32 {
        self.max_meetings
            .map_or(event.meeting_cap, |m| m.min(event.meeting_cap))
    }
}

/// Writes meeting slot numbers (0-based) as 1-based ranges: `1-6,9,11-16`.
pub fn format_slots(slots: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < slots.len() {
        let mut j = i;
        while j + 1 < slots.len() && slots[j + 1] == slots[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            (slots[i] + 1).to_string()
        } else {
            format!("{}-{}", slots[i] + 1, slots[j] + 1)
        });
        i = j + 1;
    }
    out.join(",")
}

/// Reads 1-based slot ranges (`1-6,9,11-16`) into sorted 0-based slot numbers below
/// `slots`.
pub fn parse_slots(text: &str, slots: usize) -> Result<Vec<usize>, Text> {
    let mut out = Vec::new();
    for part in text.split([',', '，', ';', ' ']).filter(|p| !p.is_empty()) {
        let number = |s: &str| -> Result<usize, Text> {
            match s.trim().parse::<usize>() {
                Ok(n) if (1..=slots).contains(&n) => Ok(n - 1),
                _ => Err(text!(
                    "“{s}”不是场次编号：应为 1 到 {slots}，或 1-6 这样的范围",
                    "'{s}' is not a slot number: expected 1 to {slots}, or a range such as 1-6"
                )),
            }
        };
        let (a, b) = match part.split_once(['-', '–']) {
            Some((a, b)) => (number(a)?, number(b)?),
            None => (number(part)?, number(part)?),
        };
        if a > b {
            return Err(text!(
                "“{part}”的范围前大后小",
                "'{part}' is a range backwards"
            ));
        }
        out.extend(a..=b);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

crate::entity::vocabulary!(
    /// Where a meeting request came from.
    RequestOrigin { Manual = "manual", Recommended = "recommended" }
);
crate::entity::vocabulary!(
    /// Where a meeting request stands. Only `pending` and `accepted` are live;
    /// `not_interested` is the recipient's veto: no further requests from that sender.
    RequestStatus {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        NotInterested = "not_interested",
        Expired = "expired",
        Cancelled = "cancelled",
    }
);

impl RequestStatus {
    pub fn is_live(self) -> bool {
        matches!(self, RequestStatus::Pending | RequestStatus::Accepted)
    }
}

/// One participant asking another for a 1:1 meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MeetingRequest {
    pub id: RequestId,
    pub event: EventId,
    pub from: ParticipantId,
    pub to: ParticipantId,
    /// 1 (nice to have) to 5 (must meet): the scheduler's weight.
    pub priority: u8,
    pub origin: RequestOrigin,
    pub status: RequestStatus,
    pub message: String,
    pub created_on: Date,
    /// Unanswered past this day, the request expires.
    pub expires_on: Date,
    pub answered_on: Option<Date>,
}

impl MeetingRequest {
    /// The status on `today`: a pending request past its expiry is expired, written or not.
    pub fn status_on(&self, today: Date) -> RequestStatus {
        if self.status == RequestStatus::Pending && today > self.expires_on {
            RequestStatus::Expired
        } else {
            self.status
        }
    }

    pub fn involves(&self, p: ParticipantId) -> bool {
        self.from == p || self.to == p
    }
}

crate::entity::vocabulary!(
    /// What became of a placed meeting.
    MeetingStatus {
        Scheduled = "scheduled",
        Held = "held",
        NoShow = "no_show",
        Cancelled = "cancelled",
    }
);

/// A meeting placed in the schedule. `request` is `None` for a pair the organiser added
/// from the match engine's recommendations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meeting {
    pub id: MeetingId,
    pub event: EventId,
    pub request: Option<RequestId>,
    pub a: ParticipantId,
    pub b: ParticipantId,
    /// Meeting slot number in the event's grid, from 0.
    pub slot: usize,
    /// Table number, from 1.
    pub table: u32,
    /// Published meetings are on people's agendas; re-scheduling keeps them if it can.
    pub published: bool,
    pub status: MeetingStatus,
}

impl Meeting {
    pub fn involves(&self, p: ParticipantId) -> bool {
        self.a == p || self.b == p
    }

    pub fn other(&self, p: ParticipantId) -> ParticipantId {
        if self.a == p {
            self.b
        } else {
            self.a
        }
    }
}

crate::entity::vocabulary!(
    /// How far a cooperation project has come.
    AgreementStatus {
        Intended = "intended",
        Signed = "signed",
        Started = "started",
        Completed = "completed",
    }
);

/// A cooperation project in the ledger (签约项目).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    pub id: AgreementId,
    pub title: String,
    pub buyer: EnterpriseId,
    pub supplier: EnterpriseId,
    pub chain: Option<ChainId>,
    pub node: Option<NodeId>,
    pub value: Money,
    pub status: AgreementStatus,
    pub intended_on: Option<Date>,
    pub signed_on: Option<Date>,
    pub started_on: Option<Date>,
    pub completed_on: Option<Date>,
    pub event: Option<EventId>,
    pub meeting: Option<MeetingId>,
}

impl Agreement {
    /// Problems with the status and its dates: a status needs its date, and the dates
    /// must not run backwards.
    pub fn problems(&self) -> Vec<Text> {
        let mut p = Vec::new();
        if self.buyer == self.supplier {
            p.push(text!(
                "supplier_id（供方）：与采购方是同一家企业",
                "supplier_id: the same enterprise as the buyer"
            ));
        }
        if self.value.fen() < 0 {
            p.push(text!(
                "value（金额）：为负数，应为 0 或更多元",
                "value: is negative, expected 0 or more yuan"
            ));
        }
        let status = self.status;
        let dated = [
            (AgreementStatus::Intended, "intended_on", self.intended_on),
            (AgreementStatus::Signed, "signed_on", self.signed_on),
            (AgreementStatus::Started, "started_on", self.started_on),
            (
                AgreementStatus::Completed,
                "completed_on",
                self.completed_on,
            ),
        ];
        for (stage, field, date) in dated {
            if stage <= status && stage != AgreementStatus::Intended && date.is_none() {
                p.push(text!(
                    "{field}：未填写，状态为 {status} 时应填写该日期",
                    "{field}: is missing, expected the date for status {status}"
                ));
            }
            if stage > status && date.is_some() {
                p.push(text!(
                    "{field}：已填写，但状态仅为 {status}",
                    "{field}: given, but the status is only {status}"
                ));
            }
        }
        let mut last: Option<(&str, Date)> = None;
        for (_, field, date) in dated {
            if let Some(d) = date {
                if let Some((before, b)) = last {
                    if d < b {
                        p.push(text!(
                            "{field}：{d} 早于 {before}（{b}）",
                            "{field}: {d} is before {before} ({b})"
                        ));
                    }
                }
                last = Some((field, d));
            }
        }
        p
    }
}

impl fmt::Display for SlotTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.span())
    }
}

/// Everything about one event: what its pages, its scheduler and its report read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventData {
    pub event: Event,
    /// In id order.
    pub participants: Vec<Participant>,
    pub requests: Vec<MeetingRequest>,
    /// Not cancelled ones too: the report counts what was cancelled.
    pub meetings: Vec<Meeting>,
    /// Agreements linked to the event.
    pub agreements: Vec<Agreement>,
}

impl EventData {
    pub fn participant(&self, id: ParticipantId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    pub fn participant_of(&self, enterprise: EnterpriseId) -> Option<&Participant> {
        self.participants
            .iter()
            .find(|p| p.enterprise == enterprise)
    }
}

impl AgreementStatus {
    /// What people call this status.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (AgreementStatus::Intended, Lang::Zh) => "意向",
            (AgreementStatus::Signed, Lang::Zh) => "已签约",
            (AgreementStatus::Started, Lang::Zh) => "已开工",
            (AgreementStatus::Completed, Lang::Zh) => "已完成",
            (AgreementStatus::Intended, Lang::En) => "intended",
            (AgreementStatus::Signed, Lang::En) => "signed",
            (AgreementStatus::Started, Lang::En) => "started",
            (AgreementStatus::Completed, Lang::En) => "completed",
        }
    }

    /// Its name in both languages.
    pub fn label(self) -> Text {
        Text::new(self.name(Lang::Zh), self.name(Lang::En))
    }
}

impl RequestStatus {
    /// What people call this status.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (RequestStatus::Pending, Lang::Zh) => "待回复",
            (RequestStatus::Accepted, Lang::Zh) => "已接受",
            (RequestStatus::Declined, Lang::Zh) => "已婉拒",
            (RequestStatus::NotInterested, Lang::Zh) => "不感兴趣",
            (RequestStatus::Expired, Lang::Zh) => "已过期",
            (RequestStatus::Cancelled, Lang::Zh) => "已撤回",
            (s, Lang::En) => match s {
                RequestStatus::NotInterested => "not interested",
                s => s.as_str(),
            },
        }
    }

    /// Its name in both languages.
    pub fn label(self) -> Text {
        Text::new(self.name(Lang::Zh), self.name(Lang::En))
    }
}

impl MeetingStatus {
    /// What people call this status.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (MeetingStatus::Scheduled, Lang::Zh) => "已排期",
            (MeetingStatus::Held, Lang::Zh) => "已举行",
            (MeetingStatus::NoShow, Lang::Zh) => "未到场",
            (MeetingStatus::Cancelled, Lang::Zh) => "已取消",
            (MeetingStatus::NoShow, Lang::En) => "no-show",
            (s, Lang::En) => s.as_str(),
        }
    }

    /// Its name in both languages.
    pub fn label(self) -> Text {
        Text::new(self.name(Lang::Zh), self.name(Lang::En))
    }
}
