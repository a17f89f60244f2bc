//! Enterprise services: visits to enterprises (走访) by their responsible officials (包联),
//! and enterprise appeals (企业诉求) with the closed loop they are handled in: accepted, assigned
//! to a department and an official, handled, replied to, closed after a follow-up call,
//! reopened when the enterprise is not satisfied. Which move leads where, and which party
//! may make it, is decided here, in one table ([`Move::apply`]); who a signed-in user
//! *is* towards an appeal is the application's business.
//!
//! Deadlines are counted in working days on China's official calendar
//! ([`crate::workdays::WorkCalendar`]) from the day an appeal is accepted, per category
//! ([`AppealCategory::deadlines`]).

use crate::entity::vocabulary;
use crate::{ChainId, Date, EnterpriseId, Lang, NodeId, Text};

vocabulary!(
    /// What an appeal is about: the categories chain offices count blocking points by.
    AppealCategory {
        Finance = "finance",
        Labour = "labour",
        Land = "land",
        Utilities = "utilities",
        Approval = "approval",
        Logistics = "logistics",
        Market = "market",
        Technology = "technology",
        Policy = "policy",
        Other = "other",
    }
);

/// The deadlines of a category, in working days from acceptance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// A first substantive reply to the enterprise.
    pub reply: u32,
    /// The matter resolved and the appeal closed.
    pub resolve: u32,
}

impl AppealCategory {
    /// What people call this category.
    pub fn name(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            AppealCategory::Finance => ("融资信贷", "finance and credit"),
            AppealCategory::Labour => ("用工招聘", "labour and hiring"),
            AppealCategory::Land => ("用地厂房", "land and premises"),
            AppealCategory::Utilities => ("水电气要素保障", "water, power and gas"),
            AppealCategory::Approval => ("审批证照", "approvals and licences"),
            AppealCategory::Logistics => ("物流运输", "logistics"),
            AppealCategory::Market => ("市场与供需对接", "markets and supply matching"),
            AppealCategory::Technology => ("技术创新与数字化", "technology and digitalisation"),
            AppealCategory::Policy => ("政策兑现", "policy benefits"),
            AppealCategory::Other => ("其他", "other"),
        };
        lang.pick(zh, en)
    }

    /// Reply and resolution deadlines in working days, in the range published schemes
    /// use: a reply within 1–3 working days; resolution within 10–15, and up to 30 for
    /// matters that need other departments or approvals (land, approvals, finance).
    pub fn deadlines(self) -> Deadlines {
        let (reply, resolve) = match self {
            AppealCategory::Utilities => (1, 10),
            AppealCategory::Logistics | AppealCategory::Labour | AppealCategory::Market => (3, 15),
            AppealCategory::Technology | AppealCategory::Policy | AppealCategory::Other => (3, 15),
            AppealCategory::Finance => (3, 20),
            AppealCategory::Land | AppealCategory::Approval => (3, 30),
        };
        Deadlines { reply, resolve }
    }
}

vocabulary!(
    /// How an appeal reached the office.
    AppealChannel {
        Online = "online",
        Visit = "visit",
        Hotline = "hotline",
        Event = "event",
    }
);

impl AppealChannel {
    pub fn name(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            AppealChannel::Online => ("企业在线提交", "submitted online"),
            AppealChannel::Visit => ("走访发现", "found on a visit"),
            AppealChannel::Hotline => ("热线电话", "hotline call"),
            AppealChannel::Event => ("对接活动", "docking event"),
        };
        lang.pick(zh, en)
    }
}

vocabulary!(
    /// Where an appeal stands.
    AppealState {
        Submitted = "submitted",
        Accepted = "accepted",
        Assigned = "assigned",
        InProgress = "in_progress",
        Replied = "replied",
        Closed = "closed",
        Reopened = "reopened",
        Declined = "declined",
    }
);

impl AppealState {
    pub fn name(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            AppealState::Submitted => ("待受理", "submitted"),
            AppealState::Accepted => ("已受理", "accepted"),
            AppealState::Assigned => ("已交办", "assigned"),
            AppealState::InProgress => ("办理中", "in progress"),
            AppealState::Replied => ("已答复", "replied"),
            AppealState::Closed => ("已办结", "closed"),
            AppealState::Reopened => ("已重启", "reopened"),
            AppealState::Declined => ("不予受理", "declined"),
        };
        lang.pick(zh, en)
    }

    /// Whether the office still owes the enterprise something: a reply or a resolution.
    pub fn is_open(self) -> bool {
        !matches!(self, AppealState::Closed | AppealState::Declined)
    }

    /// Whether the office has replied in this round (a reopened appeal has not).
    pub fn has_reply(self) -> bool {
        matches!(self, AppealState::Replied | AppealState::Closed)
    }
}

vocabulary!(
    /// A step in an appeal's life. `rate` and `supervise` leave its state as it is.
    Move {
        Accept = "accept",
        Decline = "decline",
        Assign = "assign",
        Start = "start",
        Reply = "reply",
        Close = "close",
        Reopen = "reopen",
        Rate = "rate",
        Supervise = "supervise",
    }
);

/// Who someone is towards one appeal. One user may be several at once (an admin who is
/// also the assigned official).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// A user of the enterprise the appeal is from.
    Owner,
    /// Chain office staff (analysts and admins).
    Staff,
    /// The official the appeal is assigned to.
    Handler,
    /// A supervisor (督办): escalations reach them, and they may supervise.
    Supervisor,
}

impl Party {
    pub const ALL: [Party; 4] = [
        Party::Owner,
        Party::Staff,
        Party::Handler,
        Party::Supervisor,
    ];
}

impl Move {
    /// What people call this move.
    pub fn name(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Move::Accept => ("受理", "accept"),
            Move::Decline => ("不予受理", "decline"),
            Move::Assign => ("交办", "assign"),
            Move::Start => ("开始办理", "start handling"),
            Move::Reply => ("答复", "reply"),
            Move::Close => ("回访办结", "close after follow-up"),
            Move::Reopen => ("重新办理", "reopen"),
            Move::Rate => ("评价", "rate"),
            Move::Supervise => ("督办", "supervise"),
        };
        lang.pick(zh, en)
    }

    /// The parties that may make this move.
    pub fn parties(self) -> &'static [Party] {
        use Party::*;
        match self {
            Move::Accept | Move::Decline | Move::Assign | Move::Close => &[Staff],
            Move::Start | Move::Reply => &[Staff, Handler],
            Move::Reopen => &[Staff, Owner],
            Move::Rate => &[Owner],
            Move::Supervise => &[Supervisor],
        }
    }

    /// The state this move leads to from `from`, or `None` when it cannot be made there.
    pub fn next(self, from: AppealState) -> Option<AppealState> {
        use AppealState::*;
        match (self, from) {
            (Move::Accept, Submitted) => Some(Accepted),
            (Move::Decline, Submitted) => Some(Declined),
            (Move::Assign, Accepted | Assigned | InProgress | Reopened) => Some(Assigned),
            (Move::Start, Assigned) => Some(InProgress),
            (Move::Reply, Assigned | InProgress) => Some(Replied),
            (Move::Close, Replied) => Some(Closed),
            (Move::Reopen, Replied | Closed) => Some(Reopened),
            (Move::Rate, Replied | Closed) => Some(from),
            (Move::Supervise, s) if s.is_open() && s != Submitted => Some(s),
            _ => None,
        }
    }

    /// The state `from` leads to when someone who is every one of `parties` makes this
    /// move, or why not.
    pub fn apply(self, from: AppealState, parties: &[Party]) -> Result<AppealState, MoveRefused> {
        if !self.parties().iter().any(|p| parties.contains(p)) {
            return Err(MoveRefused::NotAllowed { step: self });
        }
        self.next(from)
            .ok_or(MoveRefused::WrongState { step: self, from })
    }

    /// Whether this move needs a note (the reply's text, the reason to decline, reopen
    /// or supervise, the follow-up call's record).
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            Move::Decline | Move::Reply | Move::Close | Move::Reopen | Move::Supervise
        )
    }
}

/// Why a move was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    #[error("you may not {} this appeal", step.name(Lang::En))]
    NotAllowed { step: Move },
    #[error("an appeal that is {} cannot be {}", from.name(Lang::En), step.name(Lang::En))]
    WrongState { step: Move, from: AppealState },
}

impl crate::Explain for MoveRefused {
    fn explain(&self) -> Text {
        match *self {
            MoveRefused::NotAllowed { step } => {
                let (zh, en) = (step.name(Lang::Zh), step.name(Lang::En));
                crate::text!("您无权对此诉求执行“{zh}”", "you may not {en} this appeal")
            }
            MoveRefused::WrongState { step, from } => {
                let (s_zh, s_en) = (step.name(Lang::Zh), step.name(Lang::En));
                let (f_zh, f_en) = (from.name(Lang::Zh), from.name(Lang::En));
                crate::text!(
                    "诉求当前为“{f_zh}”，不能执行“{s_zh}”",
                    "an appeal that is {f_en} cannot be given the step '{s_en}'"
                )
            }
        }
    }
}

/// The most characters of an appeal's title.
pub const MAX_APPEAL_TITLE_CHARS: usize = 100;
/// The most characters of an appeal's description and of any step's note.
pub const MAX_APPEAL_TEXT_CHARS: usize = 4_000;
/// The most attachments (their metadata; files are kept elsewhere) of one appeal.
pub const MAX_APPEAL_ATTACHMENTS: usize = 10;

/// An attachment an appeal refers to: its name, size and type. Chain Atlas keeps the
/// metadata; the file itself stays where the enterprise keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: u64,
    pub media_type: String,
}

/// One appeal as it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appeal {
    pub id: i64,
    pub enterprise: EnterpriseId,
    pub category: AppealCategory,
    pub channel: AppealChannel,
    pub chain: Option<ChainId>,
    pub node: Option<NodeId>,
    pub title: String,
    pub description: String,
    pub attachments: Vec<Attachment>,
    /// The visit it was found on, if any.
    pub visit: Option<i64>,
    pub state: AppealState,
    /// Unix seconds.
    pub submitted_at: i64,
    /// The day it was (last) accepted or reopened: deadlines count from here.
    pub accepted_on: Option<Date>,
    pub reply_due: Option<Date>,
    pub resolve_due: Option<Date>,
    pub department: String,
    /// The official (user id) it is assigned to.
    pub handler: Option<i64>,
    pub reply: String,
    pub replied_on: Option<Date>,
    pub closed_on: Option<Date>,
    /// 1 (very dissatisfied) to 5 (very satisfied), given by the enterprise.
    pub satisfaction: Option<u8>,
    /// 0: on time; 1: reminded before a deadline; 2: overdue and escalated to supervisors.
    pub escalation: u8,
    pub reopened: u32,
}

impl Appeal {
    /// Whether a deadline has passed on `today` without what it asks for.
    pub fn overdue(&self, today: Date) -> bool {
        if !self.state.is_open() {
            return self
                .closed_on
                .zip(self.resolve_due)
                .is_some_and(|(c, d)| c > d);
        }
        let reply_late = !self.state.has_reply() && self.reply_due.is_some_and(|d| today > d);
        let resolve_late = self.resolve_due.is_some_and(|d| today > d);
        reply_late || resolve_late
    }
}

/// A visit to an enterprise, planned or made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visit {
    pub id: i64,
    pub enterprise: EnterpriseId,
    pub planned_on: Date,
    /// When it took place; `None` while it is only planned.
    pub visited_on: Option<Date>,
    /// The officials (user ids) who go or went.
    pub officials: Vec<i64>,
    pub purpose: String,
    /// What was found, in the officials' words.
    pub findings: String,
    /// The category of a difficulty found, counted among blocking points even before
    /// an appeal is recorded from it.
    pub finding: Option<AppealCategory>,
}

/// The most officials on one visit.
pub const MAX_VISIT_OFFICIALS: usize = 10;

#[cfg(test)]
mod tests {
    use super::*;

    /// Every move from every state by every single party: allowed exactly where the
    /// table says, and refused for the right reason elsewhere.
    #[test]
    fn every_move_from_every_state_by_every_party() {
        use AppealState::*;
        let allowed: &[(Move, AppealState, AppealState)] = &[
            (Move::Accept, Submitted, Accepted),
            (Move::Decline, Submitted, Declined),
            (Move::Assign, Accepted, Assigned),
            (Move::Assign, Assigned, Assigned),
            (Move::Assign, InProgress, Assigned),
            (Move::Assign, Reopened, Assigned),
            (Move::Start, Assigned, InProgress),
            (Move::Reply, Assigned, Replied),
            (Move::Reply, InProgress, Replied),
            (Move::Close, Replied, Closed),
            (Move::Reopen, Replied, Reopened),
            (Move::Reopen, Closed, Reopened),
            (Move::Rate, Replied, Replied),
            (Move::Rate, Closed, Closed),
            (Move::Supervise, Accepted, Accepted),
            (Move::Supervise, Assigned, Assigned),
            (Move::Supervise, InProgress, InProgress),
            (Move::Supervise, Replied, Replied),
            (Move::Supervise, Reopened, Reopened),
        ];
        let mut checked = 0;
        for &step in Move::ALL {
            for &from in AppealState::ALL {
                for party in Party::ALL {
                    let got = step.apply(from, &[party]);
                    let may = step.parties().contains(&party);
                    let to = allowed
                        .iter()
                        .find(|(m, f, _)| *m == step && *f == from)
                        .map(|t| t.2);
                    let expected = match (may, to) {
                        (false, _) => Err(MoveRefused::NotAllowed { step }),
                        (true, None) => Err(MoveRefused::WrongState { step, from }),
                        (true, Some(to)) => Ok(to),
                    };
                    assert_eq!(got, expected, "{step} from {from} by {party:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 9 * 8 * 4);
        // who may do what, spelled out
        assert!(Move::Rate.apply(Closed, &[Party::Staff]).is_err());
        assert!(Move::Accept.apply(Submitted, &[Party::Owner]).is_err());
        assert!(Move::Reply.apply(Assigned, &[Party::Handler]).is_ok());
        assert!(Move::Close.apply(Replied, &[Party::Handler]).is_err());
        assert!(Move::Supervise.apply(Assigned, &[Party::Staff]).is_err());
        assert_eq!(
            Move::Reopen.apply(Closed, &[Party::Owner, Party::Handler]),
            Ok(Reopened)
        );
    }

    #[test]
    fn every_category_has_deadlines_in_the_published_ranges() {
        for &c in AppealCategory::ALL {
            let d = c.deadlines();
            assert!((1..=3).contains(&d.reply), "{c}");
            assert!((10..=30).contains(&d.resolve), "{c}");
            assert_ne!(c.name(Lang::Zh), c.name(Lang::En));
        }
    }

    #[test]
    fn a_refusal_explains_itself_in_both_languages() {
        use crate::Explain;
        let t = MoveRefused::WrongState {
            step: Move::Close,
            from: AppealState::Submitted,
        }
        .explain();
        assert_eq!(t.get(Lang::Zh), "诉求当前为“待受理”，不能执行“回访办结”");
        assert!(t.get(Lang::En).contains("submitted"), "{}", t.get(Lang::En));
    }
}
