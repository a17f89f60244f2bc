//! The event report leadership reads the morning after: participants, meetings from
//! requested to held, agreements and their value, broken down by chain, node and region.
//!
//! Breakdowns: a participant belongs to the chains and nodes of the listings it brings and
//! to its enterprise's city; a held meeting counts once for each chain, node and city of
//! its two sides; an agreement counts under its own chain and node and under the buyer's
//! city (where the project lands).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chainatlas_model::{
    AgreementStatus, ChainId, EnterpriseId, EventData, ListingId, MeetingStatus, Money, NodeId,
    ParticipantId, RegionCode, RequestStatus,
};

/// Atlas facts the report needs.
#[derive(Clone, Debug, Default)]
pub struct ReportFacts {
    pub enterprise_region: HashMap<EnterpriseId, RegionCode>,
    pub listing_node: HashMap<ListingId, NodeId>,
    pub node_chain: HashMap<NodeId, ChainId>,
}

/// One row of a breakdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breakdown<K> {
    /// `None`: agreements recorded without a chain or node.
    pub key: K,
    pub participants: u32,
    pub meetings_held: u32,
    pub agreements: u32,
    pub value: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub participants: u32,
    pub by_group: Vec<(String, u32)>,
    /// Requests made, and where they ended up.
    pub requested: u32,
    pub requests_by_status: Vec<(RequestStatus, u32)>,
    /// Requests accepted (whatever became of their meetings).
    pub accepted: u32,
    /// Meetings in the schedule (not cancelled): scheduled, held or missed.
    pub scheduled: u32,
    pub held: u32,
    pub no_show: u32,
    pub agreements: u32,
    pub value: Money,
    pub by_status: Vec<(AgreementStatus, u32, Money)>,
    pub by_chain: Vec<Breakdown<Option<ChainId>>>,
    pub by_node: Vec<Breakdown<Option<NodeId>>>,
    pub by_region: Vec<Breakdown<Option<RegionCode>>>,
}

#[derive(Default)]
struct Tally {
    participants: u32,
    held: u32,
    agreements: u32,
    value: i64,
}

fn rows<K: Ord + Copy>(map: BTreeMap<K, Tally>) -> Vec<Breakdown<K>> {
    let mut out: Vec<Breakdown<K>> = map
        .into_iter()
        .map(|(key, t)| Breakdown {
            key,
            participants: t.participants,
            meetings_held: t.held,
            agreements: t.agreements,
            value: Money::from_fen(t.value),
        })
        .collect();
    // Largest value first, then most meetings; the key keeps ties stable.
    out.sort_by(|a, b| {
        b.value
            .fen()
            .cmp(&a.value.fen())
            .then(b.meetings_held.cmp(&a.meetings_held))
            .then(b.participants.cmp(&a.participants))
            .then(a.key.cmp(&b.key))
    });
    out
}

/// The report of the event as recorded on `today` (pending requests past expiry count
/// as expired).
pub fn report(data: &EventData, facts: &ReportFacts, today: chainatlas_model::Date) -> Report {
    let city = |e: EnterpriseId| {
        facts
            .enterprise_region
            .get(&e)
            .map(|r| r.city().unwrap_or(*r))
    };
    let nodes_of: HashMap<ParticipantId, BTreeSet<NodeId>> = data
        .participants
        .iter()
        .map(|p| {
            let nodes = p
                .listings
                .iter()
                .filter_map(|l| facts.listing_node.get(l).copied())
                .collect();
            (p.id, nodes)
        })
        .collect();
    let chains_of = |p: ParticipantId| -> BTreeSet<ChainId> {
        nodes_of[&p]
            .iter()
            .filter_map(|n| facts.node_chain.get(n).copied())
            .collect()
    };
    let enterprise_of: HashMap<ParticipantId, EnterpriseId> = data
        .participants
        .iter()
        .map(|p| (p.id, p.enterprise))
        .collect();

    let mut by_chain: BTreeMap<Option<ChainId>, Tally> = BTreeMap::new();
    let mut by_node: BTreeMap<Option<NodeId>, Tally> = BTreeMap::new();
    let mut by_region: BTreeMap<Option<RegionCode>, Tally> = BTreeMap::new();
    let mut groups: BTreeMap<String, u32> = BTreeMap::new();
    for p in &data.participants {
        *groups.entry(p.group.clone()).or_default() += 1;
        for c in chains_of(p.id) {
            by_chain.entry(Some(c)).or_default().participants += 1;
        }
        for n in &nodes_of[&p.id] {
            by_node.entry(Some(*n)).or_default().participants += 1;
        }
        by_region
            .entry(city(p.enterprise))
            .or_default()
            .participants += 1;
    }
    let live = data
        .meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Cancelled);
    let (mut scheduled, mut held, mut no_show) = (0, 0, 0);
    for m in live {
        scheduled += 1;
        match m.status {
            MeetingStatus::Held => held += 1,
            MeetingStatus::NoShow => no_show += 1,
            _ => continue,
        }
        if m.status != MeetingStatus::Held {
            continue;
        }
        let sides = [m.a, m.b];
        let chains: BTreeSet<ChainId> = sides.iter().flat_map(|&p| chains_of(p)).collect();
        let nodes: BTreeSet<NodeId> = sides
            .iter()
            .flat_map(|p| nodes_of.get(p).into_iter().flatten().copied())
            .collect();
        let cities: BTreeSet<Option<RegionCode>> = sides
            .iter()
            .filter_map(|p| enterprise_of.get(p))
            .map(|&e| city(e))
            .collect();
        for c in chains {
            by_chain.entry(Some(c)).or_default().held += 1;
        }
        for n in nodes {
            by_node.entry(Some(n)).or_default().held += 1;
        }
        for c in cities {
            by_region.entry(c).or_default().held += 1;
        }
    }
    let mut statuses: BTreeMap<AgreementStatus, (u32, i64)> = BTreeMap::new();
    let mut value = 0i64;
    for a in &data.agreements {
        value += a.value.fen();
        let s = statuses.entry(a.status).or_default();
        s.0 += 1;
        s.1 += a.value.fen();
        for t in [
            by_chain.entry(a.chain).or_default(),
            by_node.entry(a.node).or_default(),
            by_region.entry(city(a.buyer)).or_default(),
        ] {
            t.agreements += 1;
            t.value += a.value.fen();
        }
    }
    let mut request_statuses: BTreeMap<RequestStatus, u32> = BTreeMap::new();
    for r in &data.requests {
        *request_statuses.entry(r.status_on(today)).or_default() += 1;
    }
    Report {
        participants: data.participants.len() as u32,
        by_group: groups.into_iter().collect(),
        requested: data.requests.len() as u32,
        accepted: request_statuses
            .get(&RequestStatus::Accepted)
            .copied()
            .unwrap_or(0),
        requests_by_status: request_statuses.into_iter().collect(),
        scheduled,
        held,
        no_show,
        agreements: data.agreements.len() as u32,
        value: Money::from_fen(value),
        by_status: statuses
            .into_iter()
            .map(|(s, (n, v))| (s, n, Money::from_fen(v)))
            .collect(),
        by_chain: rows(by_chain),
        by_node: rows(by_node),
        by_region: rows(by_region),
    }
}
