use chainatlas_model::{
    Agreement, AgreementId, AgreementStatus, ChainId, Date, EnterpriseId, Event, EventData,
    EventId, ListingId, Meeting, MeetingId, MeetingRequest, MeetingStatus, Money, NodeId,
    Participant, ParticipantId, RegionCode, RequestId, RequestOrigin, RequestStatus, SlotGrid,
};

use crate::*;

fn day(s: &str) -> Date {
    s.parse().unwrap()
}

/// Four participants: 1 and 2 buyers, 3 and 4 suppliers; buyers meet suppliers only.
fn event() -> EventData {
    let event = Event {
        id: EventId(1),
        name: "对接会".into(),
        venue: "武汉国际博览中心".into(),
        starts_on: day("2026-12-10"),
        grid: SlotGrid {
            days: 1,
            day_start: 9 * 60,
            slot_minutes: 20,
            slots_per_day: 6,
            breaks: vec![3],
        },
        tables: 2,
        groups: vec!["buyer".into(), "supplier".into()],
        may_meet: vec![("buyer".into(), "supplier".into())],
        chains: vec![],
        nodes: vec![],
        request_cap: 2,
        meeting_cap: 2,
        request_days: 3,
    };
    let participants = (1..=4)
        .map(|i| Participant {
            id: ParticipantId(i),
            event: EventId(1),
            enterprise: EnterpriseId(100 + i),
            group: if i <= 2 { "buyer" } else { "supplier" }.into(),
            people: String::new(),
            available: None,
            max_meetings: None,
            listings: vec![ListingId(1000 + i)],
        })
        .collect();
    EventData {
        event,
        participants,
        requests: vec![],
        meetings: vec![],
        agreements: vec![],
    }
}

fn ask(d: &mut EventData, from: i64, to: i64, today: &str) -> Result<RequestId, RequestError> {
    let id = RequestId(d.requests.len() as i64 + 1);
    let r = new_request(
        d,
        id,
        ParticipantId(from),
        ParticipantId(to),
        3,
        RequestOrigin::Manual,
        "",
        day(today),
    )?;
    d.requests.push(r);
    Ok(id)
}

fn set(d: &mut EventData, id: RequestId, status: RequestStatus) {
    d.requests.iter_mut().find(|r| r.id == id).unwrap().status = status;
}

#[test]
fn requests_follow_groups_and_refuse_duplicates() {
    let mut d = event();
    assert_eq!(
        ask(&mut d, 1, 2, "2026-12-01"),
        Err(RequestError::Groups("buyer".into(), "buyer".into()))
    );
    assert_eq!(ask(&mut d, 1, 1, "2026-12-01"), Err(RequestError::Itself));
    assert_eq!(
        ask(&mut d, 1, 9, "2026-12-01"),
        Err(RequestError::NotParticipant(ParticipantId(9)))
    );
    let first = ask(&mut d, 1, 3, "2026-12-01").unwrap();
    // Either way round, one live request per pair.
    assert_eq!(
        ask(&mut d, 3, 1, "2026-12-01"),
        Err(RequestError::Duplicate {
            id: first,
            status: RequestStatus::Pending
        })
    );
    assert_eq!(
        ask(&mut d, 1, 3, "2026-12-11"),
        Err(RequestError::Over(day("2026-12-10")))
    );
}

#[test]
fn unanswered_requests_expire_and_free_the_pair() {
    let mut d = event();
    let id = ask(&mut d, 1, 3, "2026-12-01").unwrap();
    assert_eq!(d.requests[0].expires_on, day("2026-12-04"));
    assert_eq!(
        d.requests[0].status_on(day("2026-12-04")),
        RequestStatus::Pending
    );
    assert_eq!(
        d.requests[0].status_on(day("2026-12-05")),
        RequestStatus::Expired
    );
    // An expired request cannot be accepted any more...
    assert_eq!(
        answer(&d, id, ParticipantId(3), Answer::Accept, day("2026-12-05")),
        Err(RequestError::NotPending {
            id,
            status: RequestStatus::Expired
        })
    );
    // ...and no longer blocks a new one, nor counts against the sender's cap.
    ask(&mut d, 1, 3, "2026-12-05").unwrap();
}

#[test]
fn not_interested_vetoes_the_sender_only() {
    let mut d = event();
    let id = ask(&mut d, 1, 3, "2026-12-01").unwrap();
    assert_eq!(
        answer(&d, id, ParticipantId(1), Answer::Decline, day("2026-12-01")),
        Err(RequestError::NotRecipient)
    );
    let status = answer(
        &d,
        id,
        ParticipantId(3),
        Answer::NotInterested,
        day("2026-12-02"),
    )
    .unwrap();
    set(&mut d, id, status);
    assert_eq!(ask(&mut d, 1, 3, "2026-12-03"), Err(RequestError::Vetoed));
    // The one who said no may still ask.
    ask(&mut d, 3, 1, "2026-12-03").unwrap();
    // A plain decline is no veto.
    let id = ask(&mut d, 2, 4, "2026-12-01").unwrap();
    set(&mut d, id, RequestStatus::Declined);
    ask(&mut d, 2, 4, "2026-12-02").unwrap();
}

#[test]
fn caps_on_requests_and_on_accepted_meetings() {
    let mut d = event();
    d.participants.push(Participant {
        id: ParticipantId(5),
        group: "supplier".into(),
        enterprise: EnterpriseId(105),
        max_meetings: Some(1),
        ..d.participants[2].clone()
    });
    ask(&mut d, 1, 3, "2026-12-01").unwrap();
    let second = ask(&mut d, 1, 4, "2026-12-01").unwrap();
    assert_eq!(
        ask(&mut d, 1, 5, "2026-12-01"),
        Err(RequestError::RequestCap(2))
    );
    // Cancelling one makes room.
    assert_eq!(
        cancel(&d, second, ParticipantId(1), day("2026-12-01")),
        Ok(RequestStatus::Cancelled)
    );
    set(&mut d, second, RequestStatus::Cancelled);
    let to_five = ask(&mut d, 1, 5, "2026-12-01").unwrap();
    let from_two = ask(&mut d, 2, 5, "2026-12-01").unwrap();
    // Participant 5 caps itself at one meeting.
    set(&mut d, to_five, RequestStatus::Accepted);
    assert_eq!(
        answer(
            &d,
            from_two,
            ParticipantId(5),
            Answer::Accept,
            day("2026-12-01")
        ),
        Err(RequestError::MeetingCap {
            who: Who::You,
            count: 1,
            cap: 1
        })
    );
    assert_eq!(
        answer(
            &d,
            from_two,
            ParticipantId(5),
            Answer::Decline,
            day("2026-12-01")
        ),
        Ok(RequestStatus::Declined)
    );
}

fn accepted(d: &mut EventData, pairs: &[(i64, i64, u8)]) {
    for &(a, b, priority) in pairs {
        let id = RequestId(d.requests.len() as i64 + 1);
        d.requests.push(MeetingRequest {
            id,
            event: EventId(1),
            from: ParticipantId(a),
            to: ParticipantId(b),
            priority,
            origin: RequestOrigin::Manual,
            status: RequestStatus::Accepted,
            message: String::new(),
            created_on: day("2026-12-01"),
            expires_on: day("2026-12-04"),
            answered_on: Some(day("2026-12-02")),
        });
    }
}

fn run(d: &EventData, options: &PlanOptions) -> ScheduleOutcome {
    let p = plan(d, options);
    let s = chainatlas_schedule::schedule(&p.instance).unwrap();
    chainatlas_schedule::check(&p.instance, &s).unwrap();
    apply(
        &p,
        &s,
        MeetingId(d.meetings.iter().map(|m| m.id.0).max().unwrap_or(0) + 1),
    )
}

#[test]
fn accepted_requests_are_scheduled_within_the_grid() {
    let mut d = event();
    accepted(&mut d, &[(1, 3, 3), (1, 4, 5), (2, 3, 1), (2, 4, 2)]);
    let out = run(&d, &PlanOptions::default());
    assert_eq!(out.meetings.len(), 4);
    assert!(out.unplaced.is_empty());
    assert_eq!(out.weight, 11);
    // Five meeting slots (slot 4 of 6 is the break), two tables.
    assert!(out
        .meetings
        .iter()
        .all(|m| m.slot < 5 && (1..=2).contains(&m.table)));
    assert!(out
        .meetings
        .iter()
        .all(|m| m.request.is_some() && !m.published));
    assert_eq!(d.event.grid.slots()[3].span(), "10:20–10:40");
    let grid = SlotGrid {
        days: 2,
        ..d.event.grid.clone()
    };
    let all = grid.slots();
    assert_eq!(
        (0..all.len() + 1).map(|i| grid.slot(i)).collect::<Vec<_>>(),
        all.iter()
            .copied()
            .map(Some)
            .chain([None])
            .collect::<Vec<_>>()
    );
}

#[test]
fn rescheduling_keeps_published_meetings_and_unpublishes_moved_ones() {
    let mut d = event();
    accepted(&mut d, &[(1, 3, 3), (2, 4, 3)]);
    let mut first = run(&d, &PlanOptions::default());
    for m in &mut first.meetings {
        m.published = true;
    }
    d.meetings = first.meetings.clone();
    // A late acceptance: the published meetings stay put.
    accepted(&mut d, &[(1, 4, 2)]);
    let second = run(&d, &PlanOptions::default());
    assert_eq!(second.moved, 0);
    for m in &first.meetings {
        let again = second.meetings.iter().find(|x| x.id == m.id).unwrap();
        assert_eq!(
            (again.slot, again.table, again.published),
            (m.slot, m.table, true)
        );
    }
    assert_eq!(second.meetings.len(), 3);
    // Participant 3 now can only come to slot 4 (its meeting was elsewhere): it moves and
    // comes back unpublished.
    let m13 = first
        .meetings
        .iter()
        .find(|m| m.involves(ParticipantId(3)))
        .unwrap();
    let only = if m13.slot == 4 { 3 } else { 4 };
    d.participants[2].available = Some(vec![only]);
    d.meetings = second.meetings.clone();
    let third = run(&d, &PlanOptions::default());
    assert_eq!(third.moved, 1);
    let moved = third.meetings.iter().find(|m| m.id == m13.id).unwrap();
    assert_eq!(moved.slot, only);
    assert!(!moved.published);
}

#[test]
fn recommended_pairs_fill_in_where_nobody_said_no() {
    let mut d = event();
    accepted(&mut d, &[(1, 3, 3)]);
    let id = RequestId(9);
    d.requests.push(MeetingRequest {
        id,
        status: RequestStatus::Declined,
        from: ParticipantId(2),
        to: ParticipantId(3),
        ..d.requests[0].clone()
    });
    let options = PlanOptions {
        recommended: vec![
            (ParticipantId(1), ParticipantId(3)), // already wanted
            (ParticipantId(2), ParticipantId(3)), // declined
            (ParticipantId(2), ParticipantId(4)),
        ],
    };
    let out = run(&d, &options);
    assert_eq!(out.meetings.len(), 2);
    let pair = out.meetings.iter().find(|m| m.request.is_none()).unwrap();
    assert_eq!((pair.a, pair.b), (ParticipantId(2), ParticipantId(4)));
}

#[test]
fn the_report_counts_each_stage_and_breaks_value_down() {
    let mut d = event();
    accepted(&mut d, &[(1, 3, 3), (1, 4, 3), (2, 3, 3)]);
    d.requests[2].status = RequestStatus::Pending; // expires 2026-12-04
    let meeting = |id: i64, a: i64, b: i64, status| Meeting {
        id: MeetingId(id),
        event: EventId(1),
        request: Some(RequestId(id)),
        a: ParticipantId(a),
        b: ParticipantId(b),
        slot: id as usize,
        table: 1,
        published: true,
        status,
    };
    d.meetings = vec![
        meeting(1, 1, 3, MeetingStatus::Held),
        meeting(2, 1, 4, MeetingStatus::NoShow),
    ];
    let agreement = |id: i64, buyer: i64, supplier: i64, chain: i64, yuan: i64| Agreement {
        id: AgreementId(id),
        title: format!("项目{id}"),
        buyer: EnterpriseId(buyer),
        supplier: EnterpriseId(supplier),
        chain: Some(ChainId(chain)),
        node: Some(NodeId(chain * 10)),
        value: Money::from_fen(yuan * 100),
        status: AgreementStatus::Signed,
        intended_on: None,
        signed_on: Some(day("2026-12-10")),
        started_on: None,
        completed_on: None,
        event: Some(EventId(1)),
        meeting: None,
    };
    d.agreements = vec![
        agreement(1, 101, 103, 1, 5_000_000),
        agreement(2, 102, 104, 2, 2_000_000),
    ];
    let mut facts = ReportFacts::default();
    for (e, region) in [(101, 420102), (102, 420106), (103, 420502), (104, 310115)] {
        facts
            .enterprise_region
            .insert(EnterpriseId(e), RegionCode::new(region).unwrap());
    }
    for (l, node) in [(1001, 10), (1002, 20), (1003, 10), (1004, 20)] {
        facts.listing_node.insert(ListingId(l), NodeId(node));
    }
    facts.node_chain.insert(NodeId(10), ChainId(1));
    facts.node_chain.insert(NodeId(20), ChainId(2));
    let r = report(&d, &facts, day("2026-12-10"));
    assert_eq!(r.participants, 4);
    assert_eq!(
        r.by_group,
        vec![("buyer".into(), 2), ("supplier".into(), 2)]
    );
    assert_eq!((r.requested, r.accepted), (3, 2));
    assert!(r.requests_by_status.contains(&(RequestStatus::Expired, 1)));
    assert_eq!((r.scheduled, r.held, r.no_show), (2, 1, 1));
    assert_eq!(r.agreements, 2);
    assert_eq!(r.value, Money::from_fen(7_000_000 * 100));
    let chain1 = r
        .by_chain
        .iter()
        .find(|b| b.key == Some(ChainId(1)))
        .unwrap();
    assert_eq!(
        (
            chain1.participants,
            chain1.meetings_held,
            chain1.agreements,
            chain1.value
        ),
        (2, 1, 1, Money::from_fen(500_000_000))
    );
    // Largest value first.
    assert_eq!(r.by_chain[0].key, Some(ChainId(1)));
    // Wuhan's two districts fold into the city 420100; agreements land with the buyer.
    let wuhan = r
        .by_region
        .iter()
        .find(|b| b.key == Some(RegionCode::new(420100).unwrap()))
        .unwrap();
    assert_eq!(
        (wuhan.participants, wuhan.meetings_held, wuhan.agreements),
        (2, 1, 2)
    );
    let sum: i64 = r.by_region.iter().map(|b| b.value.fen()).sum();
    assert_eq!(sum, r.value.fen());
}

#[test]
fn agendas_export_as_icalendar() {
    let d = event();
    let slot = d.event.grid.slots()[4];
    let text = agenda_ics(
        &d.event,
        "对接会 · 议程",
        &[AgendaItem {
            uid: "meeting-7@chainatlas".into(),
            slot,
            table: 2,
            with: "武汉光谷激光, 有限公司".into(),
            note: String::new(),
        }],
        "20261201T000000Z",
    );
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(text.contains("DTSTART;TZID=Asia/Shanghai:20261210T104000\r\n"));
    assert!(text.contains("DTEND;TZID=Asia/Shanghai:20261210T110000\r\n"));
    assert!(text.contains("SUMMARY:洽谈 Meeting: 武汉光谷激光\\, 有限公司"));
    assert!(text.lines().all(|l| l.len() <= 75));
    assert!(text.ends_with("END:VCALENDAR\r\n"));
}
