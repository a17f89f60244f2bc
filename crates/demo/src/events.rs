//! Two demo docking events over the demo atlas: one held a month before the reference
//! date, with its requests answered, its schedule run by the real scheduler, meetings held
//! or missed and agreements signed; and one coming up, with requests still open.

use std::collections::{HashMap, HashSet};

use chainatlas_events::{plan, PlanOptions};
use chainatlas_model::{
    Agreement, AgreementId, AgreementStatus, ChainId, Date, EnterpriseId, Event, EventData,
    EventId, Listing, ListingId, ListingSide, ListingStatus, MeetingId, MeetingRequest,
    MeetingStatus, Money, NodeId, Participant, ParticipantId, RequestId, RequestOrigin,
    RequestStatus, SlotGrid,
};

use crate::rng::Rng;
use crate::DemoConfig;

pub const BUYERS: &str = "采购方";
pub const SUPPLIERS: &str = "供应方";

/// Ids continue across both events (they are global in the database).
struct Ids {
    participant: i64,
    request: i64,
    meeting: i64,
    agreement: i64,
}

/// The demo events for an atlas whose listings are `listings`; `node_chain` gives each
/// node's chain.
pub fn demo_events(
    config: &DemoConfig,
    listings: &[Listing],
    node_chain: &dyn Fn(NodeId) -> Option<ChainId>,
) -> Vec<EventData> {
    let mut rng = Rng::new(config.seed ^ 0x000e_7e47);
    let mut ids = Ids {
        participant: 1,
        request: 1,
        meeting: 1,
        agreement: 1,
    };
    let today = config.reference_date;
    let past = event(
        1,
        "2026年光电子信息产业链供需对接会",
        "武汉光谷科技会展中心",
        today.add_days(-30),
        2,
    );
    let upcoming = event(
        2,
        "2026年汽车及零部件产业链供需对接会",
        "武汉国际博览中心",
        today.add_days(40),
        1,
    );
    let index = Listings::new(listings);
    let size = config.event_participants;
    let mut out = Vec::new();
    for (e, size, done) in [
        (past, size, true),
        (upcoming, (size * 5 / 8).max(30), false),
    ] {
        out.push(fill(
            e, size, done, &index, node_chain, &mut rng, &mut ids, today,
        ));
    }
    out
}

/// The open listings by id and by enterprise and side, and the enterprises that have any,
/// in order of first listing: looked up once, not scanned per participant (a province has
/// millions of listings).
struct Listings<'a> {
    by_id: HashMap<ListingId, &'a Listing>,
    of_firm: HashMap<(EnterpriseId, ListingSide), Vec<ListingId>>,
    /// Each enterprise with an open listing, with the side of its first one.
    firms: Vec<(EnterpriseId, ListingSide)>,
}

impl<'a> Listings<'a> {
    fn new(listings: &'a [Listing]) -> Listings<'a> {
        let mut index = Listings {
            by_id: HashMap::new(),
            of_firm: HashMap::new(),
            firms: Vec::new(),
        };
        let mut seen = HashSet::new();
        for l in listings.iter().filter(|l| l.status == ListingStatus::Open) {
            index.by_id.insert(l.id, l);
            index
                .of_firm
                .entry((l.enterprise, l.side))
                .or_default()
                .push(l.id);
            if seen.insert(l.enterprise) {
                index.firms.push((l.enterprise, l.side));
            }
        }
        index
    }

    fn node(&self, id: ListingId) -> Option<NodeId> {
        self.by_id.get(&id)?.node
    }
}

fn event(id: i64, name: &str, venue: &str, starts_on: Date, days: u8) -> Event {
    Event {
        id: EventId(id),
        name: name.into(),
        venue: venue.into(),
        starts_on,
        grid: SlotGrid {
            days,
            day_start: 9 * 60,
            slot_minutes: 20,
            // 09:00–12:00, lunch 12:00–13:40 as five break slots, 13:40–16:20.
            slots_per_day: 22,
            breaks: vec![9, 10, 11, 12, 13],
        },
        tables: 12,
        groups: vec![BUYERS.into(), SUPPLIERS.into()],
        may_meet: vec![(BUYERS.into(), SUPPLIERS.into())],
        chains: Vec::new(),
        nodes: Vec::new(),
        request_cap: 10,
        meeting_cap: 8,
        request_days: 5,
    }
}

#[allow(clippy::too_many_arguments)]
fn fill(
    mut event: Event,
    size: usize,
    done: bool,
    listings: &Listings,
    node_chain: &dyn Fn(NodeId) -> Option<ChainId>,
    rng: &mut Rng,
    ids: &mut Ids,
    today: Date,
) -> EventData {
    // A table for every four participants, at least the venue's twelve.
    event.tables = event.tables.max(size as u32 / 4);
    // Enterprises with open listings come; each brings its listings of one side.
    let mut firms = listings.firms.clone();
    // A different, deterministic half of them for each event.
    let offset = (event.id.0 as usize * 7) % firms.len().max(1);
    firms.rotate_left(offset);
    let buyers: Vec<_> = firms
        .iter()
        .filter(|f| f.1 == ListingSide::Demand)
        .take(size / 2)
        .collect();
    let suppliers: Vec<_> = firms
        .iter()
        .filter(|f| f.1 == ListingSide::Supply)
        .take(size / 2)
        .collect();
    let mut participants = Vec::new();
    for &&(enterprise, side) in buyers.iter().chain(&suppliers) {
        let brought = listings
            .of_firm
            .get(&(enterprise, side))
            .cloned()
            .unwrap_or_default();
        let people = rng.pick(&[
            "总经理 王强；采购部 李娜",
            "副总经理 陈军",
            "市场部 张伟；技术部 刘洋",
            "董事长 赵敏；销售部 周杰",
        ]);
        participants.push(Participant {
            id: ParticipantId(ids.participant),
            event: event.id,
            enterprise,
            group: if side == ListingSide::Demand {
                BUYERS
            } else {
                SUPPLIERS
            }
            .into(),
            people: people.to_string(),
            // A few leave early or come late.
            available: rng.chance(0.15).then(|| {
                let n = event.grid.slots().len();
                if rng.chance(0.5) {
                    (0..n / 2).collect()
                } else {
                    (n / 2..n).collect()
                }
            }),
            max_meetings: rng.chance(0.2).then(|| rng.between(3, 6) as u32),
            listings: brought,
        });
        ids.participant += 1;
    }
    let mut focus_nodes: Vec<NodeId> = participants
        .iter()
        .flat_map(|p| &p.listings)
        .filter_map(|id| listings.node(*id))
        .collect();
    focus_nodes.sort();
    focus_nodes.dedup();
    let mut chains: Vec<ChainId> = focus_nodes.iter().filter_map(|n| node_chain(*n)).collect();
    chains.sort();
    chains.dedup();
    event.chains = chains;
    event.nodes = focus_nodes.into_iter().take(6).collect();

    // Requests: every buyer asks a few suppliers, and some suppliers ask buyers.
    let (b, s): (Vec<&Participant>, Vec<&Participant>) =
        participants.iter().partition(|p| p.group == BUYERS);
    let opened = if done {
        event.starts_on.add_days(-20)
    } else {
        today.add_days(-3)
    };
    let mut requests: Vec<MeetingRequest> = Vec::new();
    let mut pairs = std::collections::HashSet::new();
    for (askers, asked) in [(&b, &s), (&s, &b)] {
        for from in askers.iter() {
            let n = if askers[0].group == BUYERS {
                rng.between(3, 6)
            } else {
                rng.between(0, 2)
            };
            for _ in 0..n {
                if asked.is_empty() {
                    break;
                }
                let to = *rng.pick(asked);
                if !pairs.insert((from.id.min(to.id), from.id.max(to.id))) {
                    continue;
                }
                let created_on = opened.add_days(rng.between(0, 6));
                let status = if done {
                    *rng.pick(&[
                        RequestStatus::Accepted,
                        RequestStatus::Accepted,
                        RequestStatus::Accepted,
                        RequestStatus::Accepted,
                        RequestStatus::Accepted,
                        RequestStatus::Accepted,
                        RequestStatus::Declined,
                        RequestStatus::NotInterested,
                        RequestStatus::Expired,
                        RequestStatus::Cancelled,
                    ])
                } else {
                    *rng.pick(&[
                        RequestStatus::Pending,
                        RequestStatus::Pending,
                        RequestStatus::Accepted,
                        RequestStatus::Accepted,
                        RequestStatus::Declined,
                    ])
                };
                let answered = !matches!(status, RequestStatus::Pending | RequestStatus::Expired);
                requests.push(MeetingRequest {
                    id: RequestId(ids.request),
                    event: event.id,
                    from: from.id,
                    to: to.id,
                    priority: rng.between(1, 5) as u8,
                    origin: if rng.chance(0.6) {
                        RequestOrigin::Recommended
                    } else {
                        RequestOrigin::Manual
                    },
                    status,
                    message: String::new(),
                    created_on,
                    expires_on: created_on.add_days(i64::from(event.request_days)),
                    answered_on: answered.then(|| created_on.add_days(rng.between(0, 3))),
                });
                ids.request += 1;
            }
        }
    }
    let mut data = EventData {
        event,
        participants,
        requests,
        meetings: Vec::new(),
        agreements: Vec::new(),
    };
    if !done {
        return data;
    }
    // The past event: the real scheduler placed the accepted requests, all published.
    let p = plan(&data, &PlanOptions::default());
    let schedule = chainatlas_schedule::schedule(&p.instance).expect("the demo instance is valid");
    let outcome = chainatlas_events::apply(&p, &schedule, MeetingId(ids.meeting));
    ids.meeting += outcome.meetings.len() as i64;
    data.meetings = outcome
        .meetings
        .into_iter()
        .map(|mut m| {
            m.published = true;
            m.status = if rng.chance(0.9) {
                MeetingStatus::Held
            } else {
                MeetingStatus::NoShow
            };
            m
        })
        .collect();
    // About one held meeting in five ends in a project.
    let titles = [
        "年度采购框架协议",
        "联合研发项目",
        "产线配套合作",
        "智能化改造项目",
        "首台（套）应用合作",
    ];
    for m in data
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Held)
    {
        if !rng.chance(0.2) {
            continue;
        }
        let (pa, pb) = (
            data.participant(m.a).expect("known"),
            data.participant(m.b).expect("known"),
        );
        let (buyer, supplier) = if pa.group == BUYERS {
            (pa, pb)
        } else {
            (pb, pa)
        };
        let node = supplier
            .listings
            .iter()
            .chain(&buyer.listings)
            .find_map(|id| listings.node(*id));
        let signed = data.event.date_of(m.slot as u8 / 17);
        let status = *rng.pick(&[
            AgreementStatus::Signed,
            AgreementStatus::Signed,
            AgreementStatus::Signed,
            AgreementStatus::Started,
            AgreementStatus::Intended,
        ]);
        data.agreements.push(Agreement {
            id: AgreementId(ids.agreement),
            title: rng.pick(&titles).to_string(),
            buyer: buyer.enterprise,
            supplier: supplier.enterprise,
            chain: node.and_then(node_chain),
            node,
            // Projects of 0.2 to 8 billion yuan, as signed at such events.
            value: Money::from_yuan((rng.log_between(2e8, 8e9) / 1e6).round() as i64 * 1_000_000),
            status,
            intended_on: Some(signed),
            signed_on: (status >= AgreementStatus::Signed).then_some(signed),
            started_on: (status >= AgreementStatus::Started).then(|| signed.add_days(20)),
            completed_on: None,
            event: Some(data.event.id),
            meeting: Some(m.id),
        });
        ids.agreement += 1;
    }
    data
}
