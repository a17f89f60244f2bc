use proptest::prelude::*;

use crate::*;

fn participant(id: u64, group: &str) -> Participant {
    Participant {
        id,
        group: group.into(),
        available: None,
        max_meetings: None,
    }
}

fn wanted(id: u64, a: u64, b: u64, weight: u32) -> Wanted {
    Wanted {
        id,
        a,
        b,
        weight,
        fixed: None,
    }
}

fn slot_of(s: &Schedule, id: u64) -> Option<usize> {
    s.placed.iter().find(|m| m.id == id).map(|m| m.slot)
}

fn reason_of(s: &Schedule, id: u64) -> Option<UnplacedReason> {
    s.unplaced.iter().find(|u| u.id == id).map(|u| u.reason)
}

#[test]
fn ejection_places_what_first_fit_cannot() {
    // Two slots. First-fit puts 1–2 into slot 0; then 1–3 can only go to slot 1, and
    // 2–3 finds no slot. Moving 1–2 to slot 1 ... the scheduler finds all three cannot
    // fit (a triangle needs three slots), but with a third participant pair it must
    // choose the heavier meetings.
    let instance = Instance {
        slots: 2,
        tables: 2,
        participants: (1..=4).map(|i| participant(i, "")).collect(),
        meetings: vec![
            wanted(1, 1, 2, 1),
            wanted(2, 3, 4, 1),
            wanted(3, 1, 3, 5),
            wanted(4, 2, 4, 5),
        ],
        ..Instance::default()
    };
    let greedy = first_fit(&instance).unwrap();
    check(&instance, &greedy).unwrap();
    let best = schedule(&instance).unwrap();
    check(&instance, &best).unwrap();
    // All four fit in two slots: {1–2, 3–4} and {1–3, 2–4}.
    assert_eq!(best.weight, 12, "{best:?}");
    assert!(best.weight >= greedy.weight);
}

#[test]
fn heavier_meetings_win_the_last_table() {
    let instance = Instance {
        slots: 1,
        tables: 1,
        participants: (1..=4).map(|i| participant(i, "")).collect(),
        meetings: vec![wanted(1, 1, 2, 1), wanted(2, 3, 4, 3)],
        ..Instance::default()
    };
    let s = schedule(&instance).unwrap();
    assert_eq!(slot_of(&s, 2), Some(0));
    assert_eq!(reason_of(&s, 1), Some(UnplacedReason::Crowded));
    // First-fit books in request order.
    let f = first_fit(&instance).unwrap();
    assert_eq!(slot_of(&f, 1), Some(0));
}

#[test]
fn groups_availability_and_caps_are_obeyed_and_explained() {
    let mut buyer = participant(1, "buyer");
    buyer.max_meetings = Some(1);
    let mut late = participant(4, "supplier");
    late.available = Some(vec![2]);
    let mut early = participant(5, "buyer");
    early.available = Some(vec![0]);
    let instance = Instance {
        slots: 3,
        tables: 5,
        participants: vec![
            buyer,
            participant(2, "supplier"),
            participant(3, "supplier"),
            late,
            early,
        ],
        may_meet: vec![("buyer".into(), "supplier".into())],
        meetings: vec![
            wanted(1, 1, 2, 2),
            wanted(2, 1, 3, 1), // buyer 1 is capped at one meeting
            wanted(3, 2, 3, 1), // supplier with supplier: not allowed
            wanted(4, 5, 4, 1), // no common slot
        ],
        ..Instance::default()
    };
    let s = schedule(&instance).unwrap();
    check(&instance, &s).unwrap();
    assert!(slot_of(&s, 1).is_some());
    assert_eq!(reason_of(&s, 2), Some(UnplacedReason::Cap));
    assert_eq!(reason_of(&s, 3), Some(UnplacedReason::GroupRule));
    assert_eq!(reason_of(&s, 4), Some(UnplacedReason::NoCommonSlot));
}

#[test]
fn a_participants_meetings_are_packed_without_idle_slots() {
    // Participant 1 meets 2, 3 and 4; 6 slots; nobody else is busy.
    let instance = Instance {
        slots: 6,
        tables: 3,
        participants: (1..=4).map(|i| participant(i, "")).collect(),
        meetings: vec![wanted(1, 1, 2, 1), wanted(2, 1, 3, 1), wanted(3, 1, 4, 1)],
        ..Instance::default()
    };
    let s = schedule(&instance).unwrap();
    let mut slots: Vec<usize> = (1..=3).filter_map(|id| slot_of(&s, id)).collect();
    slots.sort();
    assert_eq!(slots.len(), 3);
    assert_eq!(
        slots[2] - slots[0],
        2,
        "three meetings back to back: {slots:?}"
    );
    assert_eq!(s.gaps, 0);
}

#[test]
fn idle_slots_count_within_a_day_only() {
    // Slot 1 is the last of day 0, slot 2 the first of day 1: meetings in both leave no
    // idle slot even though nothing happens in between overnight.
    let mut one = participant(1, "");
    one.available = Some(vec![0, 3]);
    let instance = Instance {
        slots: 4,
        slot_days: vec![0, 0, 1, 1],
        tables: 1,
        participants: vec![one, participant(2, ""), participant(3, "")],
        meetings: vec![wanted(1, 1, 2, 1), wanted(2, 1, 3, 1)],
        ..Instance::default()
    };
    let s = schedule(&instance).unwrap();
    assert_eq!(s.placed.len(), 2);
    assert_eq!(s.gaps, 0, "{s:?}");
}

#[test]
fn rescheduling_keeps_published_meetings() {
    let mut instance = Instance {
        slots: 6,
        tables: 2,
        participants: (1..=6).map(|i| participant(i, "")).collect(),
        meetings: vec![
            wanted(1, 1, 2, 1),
            wanted(2, 3, 4, 1),
            wanted(3, 5, 6, 1),
            wanted(4, 1, 3, 1),
            wanted(5, 2, 4, 1),
        ],
        ..Instance::default()
    };
    let first = schedule(&instance).unwrap();
    assert!(first.unplaced.is_empty());
    // Publish: every meeting fixed where it is; then late changes arrive.
    for m in &mut instance.meetings {
        let p = first.placed.iter().find(|x| x.id == m.id).unwrap();
        m.fixed = Some(Placement {
            slot: p.slot,
            table: p.table,
        });
    }
    instance.meetings.push(wanted(6, 5, 1, 3));
    instance.meetings.push(wanted(7, 6, 2, 1));
    let second = schedule(&instance).unwrap();
    check(&instance, &second).unwrap();
    assert_eq!(second.moved, 0, "{second:?}");
    for p in &first.placed {
        assert!(second.placed.contains(p), "{p:?} kept in {second:?}");
    }
    assert!(slot_of(&second, 6).is_some());

    // Publish again; then participant 1 withdraws from the slot of meeting 1: with free
    // slots left, only that meeting moves.
    for m in &mut instance.meetings {
        let p = second.placed.iter().find(|x| x.id == m.id).unwrap();
        m.fixed = Some(Placement {
            slot: p.slot,
            table: p.table,
        });
    }
    let m1 = *second.placed.iter().find(|x| x.id == 1).unwrap();
    instance.participants[0].available = Some((0..6).filter(|&s| s != m1.slot).collect());
    let third = schedule(&instance).unwrap();
    check(&instance, &third).unwrap();
    assert_eq!(third.moved, 1, "{third:?}");
    assert!(third.unplaced.is_empty());
    assert_ne!(slot_of(&third, 1), Some(m1.slot));
    for p in second.placed.iter().filter(|p| p.id != 1) {
        assert!(
            third.placed.contains(p),
            "{p:?} moved without need: {third:?}"
        );
    }
}

#[test]
fn bad_instances_are_named_precisely() {
    let mut instance = Instance {
        slots: 2,
        tables: 1,
        participants: vec![participant(1, ""), participant(2, "")],
        meetings: vec![wanted(7, 1, 9, 1)],
        ..Instance::default()
    };
    assert_eq!(
        schedule(&instance).unwrap_err().to_string(),
        "meetings[0] (id 7): participant 9 is not in participants"
    );
    instance.meetings[0].b = 1;
    assert_eq!(
        schedule(&instance).unwrap_err().to_string(),
        "meetings[0] (id 7): a participant cannot meet itself (1)"
    );
    instance.meetings[0].b = 2;
    instance.participants[1].available = Some(vec![5]);
    assert_eq!(
        schedule(&instance).unwrap_err().to_string(),
        "participants[1] (id 2): available slot 5 is not below slots (2)"
    );
    instance.slots = 0;
    assert_eq!(
        schedule(&instance).unwrap_err().to_string(),
        "slots: 0 slots; an event has 1 to 128"
    );
}

#[test]
fn check_catches_a_double_booking() {
    let instance = Instance {
        slots: 1,
        tables: 2,
        participants: (1..=3).map(|i| participant(i, "")).collect(),
        meetings: vec![wanted(1, 1, 2, 1), wanted(2, 1, 3, 1)],
        ..Instance::default()
    };
    let bad = Schedule {
        placed: vec![
            PlacedMeeting {
                id: 1,
                slot: 0,
                table: 0,
            },
            PlacedMeeting {
                id: 2,
                slot: 0,
                table: 1,
            },
        ],
        weight: 2,
        ..Schedule::default()
    };
    assert_eq!(
        check(&instance, &bad).unwrap_err(),
        Violation::ParticipantTwice {
            participant: 1,
            slot: 0
        }
    );
}

fn instances() -> impl Strategy<Value = Instance> {
    (2usize..24, 1usize..10, 1usize..6, 0usize..60, any::<u64>()).prop_map(
        |(people, slots, tables, meetings, seed)| {
            // A small deterministic generator driven by the seed, so that shrinking
            // keeps instances coherent.
            let mut x = seed | 1;
            let mut next = move |n: u64| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x % n.max(1)
            };
            let groups = ["buyer", "supplier", "guest"];
            let participants: Vec<Participant> = (0..people as u64)
                .map(|id| Participant {
                    id: id + 1,
                    group: groups[next(3) as usize].into(),
                    available: (next(3) == 0)
                        .then(|| (0..slots).filter(|_| next(4) != 0).collect()),
                    max_meetings: (next(4) == 0).then(|| next(4) as u32),
                })
                .collect();
            let may_meet = if next(2) == 0 {
                Vec::new()
            } else {
                vec![
                    ("buyer".into(), "supplier".into()),
                    ("guest".into(), "supplier".into()),
                ]
            };
            let meetings = (0..meetings as u64)
                .map(|id| {
                    let a = next(people as u64) + 1;
                    let mut b = next(people as u64) + 1;
                    if b == a {
                        b = a % people as u64 + 1;
                    }
                    Wanted {
                        id: id + 1,
                        a,
                        b,
                        weight: next(5) as u32 + 1,
                        fixed: (next(4) == 0).then(|| Placement {
                            slot: next(slots as u64) as usize,
                            table: next(tables as u64) as usize,
                        }),
                    }
                })
                .collect();
            Instance {
                slots,
                slot_days: (0..slots).map(|s| (s / 4) as u32).collect(),
                tables,
                participants,
                may_meet,
                meetings,
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn every_schedule_is_valid_complete_and_deterministic(instance in instances()) {
        let s = schedule(&instance).unwrap();
        prop_assert_eq!(check(&instance, &s), Ok(()));
        prop_assert_eq!(s.placed.len() + s.unplaced.len(), instance.meetings.len());
        prop_assert_eq!(&schedule(&instance).unwrap(), &s);
        let f = first_fit(&instance).unwrap();
        prop_assert_eq!(check(&instance, &f), Ok(()));
    }

    #[test]
    fn an_unplaced_meeting_fits_nowhere_as_things_stand(instance in instances()) {
        // Local optimality: no unplaced meeting could simply be added.
        let s = schedule(&instance).unwrap();
        for u in &s.unplaced {
            let mut more = s.clone();
            let m = instance.meetings.iter().find(|m| m.id == u.id).unwrap();
            for slot in 0..instance.slots {
                let used: Vec<usize> = s.placed.iter().filter(|p| p.slot == slot).map(|p| p.table).collect();
                let Some(table) = (0..instance.tables).find(|t| !used.contains(t)) else { continue };
                more.placed.push(PlacedMeeting { id: u.id, slot, table });
                more.weight += m.weight as u64;
                prop_assert!(check(&instance, &more).is_err(), "meeting {} fits in slot {}", u.id, slot);
                more.placed.pop();
                more.weight -= m.weight as u64;
            }
        }
    }
}
