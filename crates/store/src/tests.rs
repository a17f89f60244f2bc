use chainatlas_model::*;

use crate::testing::TestDatabase;
use crate::{InsertError, Store};

fn region(code: &str, zh: &str, en: &str) -> Record {
    let code: RegionCode = code.parse().unwrap();
    Record::Region(Region {
        code,
        name_zh: zh.into(),
        name_en: en.into(),
        parent: code.implied_parent(),
        level: code.level(),
    })
}

fn enterprise(id: i64, credit17: &str, region: &str) -> Record {
    Record::Enterprise(Enterprise {
        id: EnterpriseId(id),
        credit_code: CreditCode::with_check_character(credit17).unwrap(),
        name_zh: format!("企业{id}"),
        name_en: format!("Enterprise {id}"),
        region: region.parse().unwrap(),
        size: EnterpriseSize::Small,
        tags: Tags::EMPTY.with(Tag::HighTech),
        revenue: Money::from_yuan(1_000_000),
        employees: 50,
        source: "test".into(),
        other_names: Vec::new(),
        address: String::new(),
        phone: String::new(),
        legal_representative: String::new(),
        industry: None,
    })
}

pub(super) fn small_atlas(store: &mut Store) {
    let mut w = store.writer().unwrap();
    for r in [
        region("430000", "湖南省", "Hunan"),
        region("430200", "株洲市", "Zhuzhou"),
        region("420000", "湖北省", "Hubei"),
        region("420100", "武汉市", "Wuhan"),
    ] {
        w.insert(&r).unwrap();
    }
    w.insert(&Record::Chain(Chain {
        id: ChainId(1),
        code: "rail".into(),
        name_zh: "轨道交通".into(),
        name_en: "Rail".into(),
    }))
    .unwrap();
    for (id, code, segment) in [
        (1, "steel", Segment::Upstream),
        (2, "bogie", Segment::Midstream),
        (3, "loco", Segment::Downstream),
    ] {
        w.insert(&Record::ChainNode(ChainNode {
            id: NodeId(id),
            chain: ChainId(1),
            code: code.into(),
            name_zh: code.into(),
            name_en: code.into(),
            segment,
        }))
        .unwrap();
    }
    w.insert(&Record::NodeInput(NodeInput {
        input: NodeId(1),
        output: NodeId(2),
    }))
    .unwrap();
    w.insert(&Record::NodeInput(NodeInput {
        input: NodeId(2),
        output: NodeId(3),
    }))
    .unwrap();
    w.insert(&enterprise(1, "91430200MA0000001", "430200"))
        .unwrap();
    w.insert(&enterprise(2, "91430200MA0000002", "430200"))
        .unwrap();
    w.insert(&enterprise(3, "91420100MA0000003", "420100"))
        .unwrap();
    for (e, n, out) in [(1, 3, 900), (2, 2, 300), (3, 2, 200), (3, 1, 100)] {
        w.insert(&Record::EnterpriseNode(EnterpriseNode {
            enterprise: EnterpriseId(e),
            node: NodeId(n),
            output: Money::from_yuan(out),
            capacity: Money::from_yuan(out * 2),
        }))
        .unwrap();
    }
    for (id, s, b, n, v) in [(1, 2, 1, 2, 120), (2, 3, 1, 2, 80), (3, 3, 2, 1, 50)] {
        w.insert(&Record::SupplyRelation(SupplyRelation {
            id: SupplyRelationId(id),
            supplier: EnterpriseId(s),
            buyer: EnterpriseId(b),
            node: NodeId(n),
            annual_value: Money::from_yuan(v),
        }))
        .unwrap();
    }
    w.commit(
        &crate::Actor::local("tests", 0),
        &crate::Change::new("test", "atlas", 0),
    )
    .unwrap();
}

#[test]
fn a_new_database_is_migrated_and_empty() {
    let db = TestDatabase::new("a.db");
    let store = Store::open(db.location()).unwrap();
    assert_eq!(store.schema_version().unwrap(), crate::migrate::LATEST);
    assert!(store.is_empty().unwrap());
    assert_eq!(store.generation().unwrap(), 0);
    drop(store);
    // Opening again applies nothing twice.
    let store = Store::open(db.location()).unwrap();
    assert_eq!(store.schema_version().unwrap(), crate::migrate::LATEST);
}

#[test]
fn every_commit_moves_the_generation_and_a_rollback_does_not() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    assert_eq!(store.generation().unwrap(), 1);
    {
        let mut w = store.writer().unwrap();
        w.insert(&region("440000", "广东省", "Guangdong")).unwrap();
    }
    assert_eq!(store.generation().unwrap(), 1, "dropped without commit");
    let mut w = store.writer().unwrap();
    w.insert(&region("440000", "广东省", "Guangdong")).unwrap();
    w.commit(
        &crate::Actor::local("tests", 0),
        &crate::Change::new("test", "atlas", 0),
    )
    .unwrap();
    assert_eq!(store.generation().unwrap(), 2);
    assert_eq!(store.facts_generation().unwrap(), 2);
}

#[test]
fn a_write_refused_at_commit_leaves_nothing_and_the_next_write_works() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let counts = store.counts().unwrap();
    let actor = crate::Actor::local("tests", 0);
    let change = crate::Change::new("test", "atlas", 0);
    // References are checked at commit: the relation's enterprises do not exist.
    let dangling = Record::SupplyRelation(SupplyRelation {
        id: SupplyRelationId(900),
        supplier: EnterpriseId(901),
        buyer: EnterpriseId(902),
        node: NodeId(903),
        annual_value: Money::from_fen(100),
    });
    let refused = {
        let mut w = store.writer().unwrap();
        w.insert(&dangling).is_err() || w.commit(&actor, &change).is_err()
    };
    assert!(refused, "a dangling reference was committed");
    assert_eq!(
        store.counts().unwrap(),
        counts,
        "nothing of the refused write stays"
    );
    assert_eq!(store.foreign_key_violations().unwrap(), 0);
    let mut w = store.writer().unwrap();
    w.insert(&region("440000", "广东省", "Guangdong")).unwrap();
    w.commit(&actor, &change).unwrap();
    assert_eq!(store.generation().unwrap(), 2);
}

#[test]
fn saving_a_listing_moves_the_generation_but_not_the_facts() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let (generation, facts) = (
        store.generation().unwrap(),
        store.facts_generation().unwrap(),
    );
    let listing = listing_of(1, "采购轮对");
    store
        .create_listing(&crate::Actor::local("tests", 0), &listing)
        .unwrap();
    assert_eq!(store.generation().unwrap(), generation + 1);
    assert_eq!(store.facts_generation().unwrap(), facts);
}

fn listing_of(enterprise: i64, title: &str) -> Listing {
    Listing {
        id: ListingId(0),
        enterprise: EnterpriseId(enterprise),
        side: ListingSide::Supply,
        kind: ListingKind::Product,
        node: None,
        title: title.into(),
        description: String::new(),
        quantity: None,
        unit: String::new(),
        price: None,
        region: "430200".parse().unwrap(),
        valid_until: None,
        status: ListingStatus::Open,
        tags: Vec::new(),
    }
}

#[test]
fn creates_get_their_ids_from_the_database_and_updates_keep_the_owner() {
    let db = TestDatabase::new("a.db");
    let path = db.location().to_path_buf();
    let mut store = Store::open(&path).unwrap();
    small_atlas(&mut store);
    let actor = crate::Actor::local("tests", 0);
    // Two connections (two server threads) create at once: each gets its own id.
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let actor = crate::Actor::local("tests", 0);
                (0..10)
                    .map(|k| {
                        store
                            .create_listing(&actor, &listing_of(1 + i % 2, &format!("{i}-{k}")))
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: Vec<ListingId> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 80);
    assert_eq!(store.counts().unwrap().listings, 80);
    // An update never moves a listing to another enterprise, nor makes one up.
    let mut stolen = store.listing(ids[0]).unwrap().unwrap();
    let owner = stolen.enterprise;
    stolen.enterprise = EnterpriseId(if owner.0 == 1 { 2 } else { 1 });
    assert!(matches!(
        store.update_listing(&actor, &stolen),
        Err(InsertError::Rejected(m)) if m.contains("does not change")
    ));
    let mut unknown = listing_of(1, "x");
    unknown.id = ListingId(9_999);
    assert!(matches!(
        store.update_listing(&actor, &unknown),
        Err(InsertError::Rejected(_))
    ));
    assert_eq!(store.listing(ids[0]).unwrap().unwrap().enterprise, owner);
}

#[test]
fn an_exclusive_unit_commits_whole_or_not_at_all() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let actor = crate::Actor::local("tests", 0);
    let failed: Result<(), InsertError> = store.exclusive(|s| {
        s.create_listing(&actor, &listing_of(1, "first"))?;
        s.create_listing(&actor, &listing_of(1, "second"))?;
        Err(InsertError::Rejected(
            "a rule read inside did not hold".into(),
        ))
    });
    assert!(failed.is_err());
    assert_eq!(
        store.counts().unwrap().listings,
        0,
        "both writes rolled back"
    );
    let done: Result<ListingId, InsertError> = store.exclusive(|s| {
        s.create_listing(&actor, &listing_of(1, "first"))?;
        s.create_listing(&actor, &listing_of(1, "second"))
    });
    assert!(done.is_ok());
    assert_eq!(store.counts().unwrap().listings, 2);
}

#[test]
fn presence_and_links_are_aggregated_per_region() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let counts = store.counts().unwrap();
    assert_eq!(
        (
            counts.enterprises,
            counts.supply_relations,
            counts.enterprise_nodes
        ),
        (3, 3, 4)
    );

    let hunan = store
        .node_presence(ChainId(1), Some("430000".parse().unwrap()))
        .unwrap();
    let bogie = hunan.iter().find(|p| p.node == NodeId(2)).unwrap();
    assert_eq!(
        (bogie.enterprises, bogie.output),
        (1, Money::from_yuan(300))
    );
    let everywhere = store.node_presence(ChainId(1), None).unwrap();
    let bogie = everywhere.iter().find(|p| p.node == NodeId(2)).unwrap();
    assert_eq!(
        (bogie.enterprises, bogie.output, bogie.capacity),
        (2, Money::from_yuan(500), Money::from_yuan(1000))
    );

    let suppliers = store.suppliers_of(EnterpriseId(1), 10, 0).unwrap();
    assert_eq!(suppliers.total, 2);
    assert_eq!(suppliers.items[0].counterpart.id, EnterpriseId(2));
    assert_eq!(suppliers.items[0].annual_value, Money::from_yuan(120));
    let buyers = store.buyers_of(EnterpriseId(3), 10, 0).unwrap();
    assert_eq!(
        buyers
            .items
            .iter()
            .map(|l| l.counterpart.id.0)
            .collect::<Vec<_>>(),
        vec![1, 2]
    );

    let summaries = store
        .chain_summaries(Some("420100".parse().unwrap()))
        .unwrap();
    assert_eq!(
        (
            summaries[0].nodes,
            summaries[0].enterprises,
            summaries[0].output
        ),
        (3, 1, Money::from_yuan(300))
    );

    let found = store.search_enterprises("企业2", None, 10, 0).unwrap();
    assert_eq!(
        found.items.iter().map(|e| e.id.0).collect::<Vec<_>>(),
        vec![2]
    );
    let (inputs, outputs) = store.node_neighbours(NodeId(2)).unwrap();
    assert_eq!((inputs[0].id, outputs[0].id), (NodeId(1), NodeId(3)));
}

#[test]
fn duplicates_are_reported_by_column_and_nothing_is_written_without_commit() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    {
        let mut w = store.writer().unwrap();
        w.insert(&enterprise(9, "91430200MA0000009", "430200"))
            .unwrap();
        let err = w
            .insert(&enterprise(9, "91430200MA0000008", "430200"))
            .unwrap_err();
        assert!(
            matches!(&err, InsertError::Duplicate { columns } if columns == "id"),
            "{err}"
        );
        let err = w
            .insert(&enterprise(10, "91430200MA0000001", "430200"))
            .unwrap_err();
        assert!(
            matches!(&err, InsertError::Duplicate { columns } if columns == "credit_code"),
            "{err}"
        );
        let err = w
            .insert(&Record::NodeInput(NodeInput {
                input: NodeId(1),
                output: NodeId(2),
            }))
            .unwrap_err();
        assert!(
            matches!(&err, InsertError::Duplicate { columns } if columns == "input_node_id, output_node_id")
        );
        // dropped without commit
    }
    assert_eq!(store.counts().unwrap().enterprises, 3);
    assert!(store.enterprise(EnterpriseId(9)).unwrap().is_none());
}

#[test]
fn records_stream_back_in_key_order() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let mut codes = Vec::new();
    store
        .for_each_record::<crate::StoreError>(RecordKind::Region, |r| {
            if let Record::Region(r) = r {
                codes.push(r.code.to_string());
            }
            Ok(())
        })
        .unwrap();
    // Every built-in division, in code order, and the atlas's own among them.
    assert_eq!(codes.len(), chainatlas_model::divisions::all().len());
    assert!(codes.windows(2).all(|w| w[0] < w[1]));
    for own in ["420000", "420100", "430000", "430200"] {
        assert!(codes.iter().any(|c| c == own), "{own}");
    }
}

mod accounts {
    use chainatlas_auth::Role;
    use chainatlas_model::EnterpriseId;

    use super::small_atlas;
    use crate::testing::TestDatabase;
    use crate::{AccountError, Actor, Store};

    fn actor(at: i64) -> Actor {
        Actor::local("cli:test", at)
    }

    fn store() -> (TestDatabase, Store) {
        let db = TestDatabase::new("a.db");
        let mut store = Store::open(db.location()).unwrap();
        small_atlas(&mut store);
        (db, store)
    }

    #[test]
    fn enterprise_users_must_be_bound_to_an_existing_enterprise() {
        let (_dir, mut store) = store();
        let err = store
            .create_user(&actor(1), "firm", "h", Role::Enterprise, None, false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a user with role enterprise must be bound to an enterprise (--enterprise ID)"
        );
        let err = store
            .create_user(
                &actor(1),
                "firm",
                "h",
                Role::Enterprise,
                Some(EnterpriseId(99)),
                false,
            )
            .unwrap_err();
        assert!(matches!(
            err,
            AccountError::NoSuchEnterprise(EnterpriseId(99))
        ));
        let err = store
            .create_user(&actor(1), "x y", "h", Role::Admin, None, false)
            .unwrap_err();
        assert!(matches!(err, AccountError::BadUsername(_)));
        store
            .create_user(
                &actor(1),
                "firm",
                "h",
                Role::Enterprise,
                Some(EnterpriseId(1)),
                false,
            )
            .unwrap();
        let err = store
            .create_user(&actor(1), "firm", "h", Role::Admin, None, false)
            .unwrap_err();
        assert!(matches!(err, AccountError::UsernameTaken(_)));
    }

    #[test]
    fn sessions_expire_end_on_logout_and_on_disable() {
        let (_dir, mut store) = store();
        let user = store
            .create_user(&actor(100), "ana", "hash", Role::Analyst, None, false)
            .unwrap();
        store
            .create_session(&actor(100), &user, "s1", "csrf1", 200)
            .unwrap();
        let (principal, csrf) = store.session("s1", 150).unwrap().unwrap();
        assert_eq!(
            (principal.username.as_str(), csrf.as_str()),
            ("ana", "csrf1")
        );
        assert!(
            store.session("s1", 200).unwrap().is_none(),
            "expired at expires_at"
        );
        assert!(store.session("other", 150).unwrap().is_none());

        store
            .create_session(&actor(300), &user, "s2", "csrf2", 1000)
            .unwrap();
        assert!(store.end_session(&actor(301), "s2").unwrap());
        assert!(
            store.session("s2", 302).unwrap().is_none(),
            "logout ends the session"
        );

        store
            .create_session(&actor(400), &user, "s3", "csrf3", 1000)
            .unwrap();
        store.set_disabled(&actor(401), "ana", true).unwrap();
        assert!(
            store.session("s3", 402).unwrap().is_none(),
            "disabling ends sessions"
        );
    }

    #[test]
    fn revoked_tokens_authenticate_nothing() {
        let (_dir, mut store) = store();
        store
            .create_user(&actor(1), "ana", "hash", Role::Analyst, None, false)
            .unwrap();
        let token = store
            .create_token(&actor(2), "ana", "nightly", "tokenhash")
            .unwrap();
        assert_eq!(
            store
                .token_principal("tokenhash")
                .unwrap()
                .unwrap()
                .username,
            "ana"
        );
        store.revoke_token(&actor(3), token.id).unwrap();
        assert!(store.token_principal("tokenhash").unwrap().is_none());
        assert!(matches!(
            store.revoke_token(&actor(4), token.id),
            Err(AccountError::NoSuchToken(_))
        ));
    }

    #[test]
    fn every_account_change_is_audited_without_secrets() {
        let (_dir, mut store) = store();
        store
            .create_user(&actor(10), "ana", "SECRET-HASH", Role::Analyst, None, true)
            .unwrap();
        assert!(store.any_demo_password().unwrap());
        store.set_password(&actor(11), "ana", "NEW-HASH").unwrap();
        assert!(!store.any_demo_password().unwrap());
        let log = store.audit_log(10, 0).unwrap();
        let actions: Vec<&str> = log.items.iter().map(|e| e.change.action.as_str()).collect();
        assert_eq!(actions, ["set_password", "create", "test"]);
        let change = &log.items[0].change;
        assert!(change
            .before
            .as_deref()
            .unwrap()
            .contains("\"demo_password\":true"));
        assert!(change
            .after
            .as_deref()
            .unwrap()
            .contains("\"demo_password\":false"));
        assert!(
            log.items.iter().all(|e| !format!("{e:?}").contains("HASH")),
            "hashes never reach the log"
        );
        assert_eq!(
            (
                log.items[0].actor.name.as_str(),
                log.items[0].actor.address.as_str(),
                log.items[0].actor.at
            ),
            ("cli:test", "local", 11)
        );
    }
}

#[test]
fn event_records_survive_and_block_a_replacing_write_that_would_orphan_them() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let actor = crate::Actor::local("test", 0);
    let event = Event {
        id: EventId(1),
        name: "对接会".into(),
        venue: String::new(),
        starts_on: "2026-12-10".parse().unwrap(),
        grid: SlotGrid {
            days: 1,
            day_start: 540,
            slot_minutes: 20,
            slots_per_day: 6,
            breaks: vec![3],
        },
        tables: 2,
        groups: vec!["buyer".into(), "supplier".into()],
        may_meet: vec![("buyer".into(), "supplier".into())],
        chains: vec![],
        nodes: vec![],
        request_cap: 5,
        meeting_cap: 5,
        request_days: 3,
    };
    let facts = store.facts_generation().unwrap();
    assert_eq!(store.create_event(&actor, &event).unwrap(), EventId(1));
    let participant = Participant {
        id: ParticipantId(1),
        event: EventId(1),
        enterprise: EnterpriseId(1),
        group: "buyer".into(),
        people: "王强".into(),
        available: Some(vec![0, 1, 4]),
        max_meetings: Some(3),
        listings: vec![],
    };
    assert_eq!(
        store.register_participant(&actor, &participant).unwrap(),
        ParticipantId(1)
    );
    let data = store.event_data(EventId(1)).unwrap().unwrap();
    assert_eq!(data.event, event);
    assert_eq!(data.participants, vec![participant]);
    assert_eq!(
        store.facts_generation().unwrap(),
        facts,
        "event writes are activity"
    );
    // A replacing write that drops enterprise 1 is told what still refers to it.
    let w = store.writer().unwrap();
    w.tx().execute("DELETE FROM enterprises", []).unwrap();
    let orphans = w.orphaned_references().unwrap();
    assert!(
        orphans
            .iter()
            .any(|(file, m)| *file == "enterprises.csv" && m.en.contains("registered for event 1")),
        "{orphans:?}"
    );
    drop(w);
    assert!(store.event(EventId(1)).unwrap().is_some());
}

#[test]
fn migration_8_moves_event_lists_into_child_rows_in_order() {
    // SQLite's own migrations: a PostgreSQL database starts at version 12.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database as version 7 left it: lists in text columns.
        let conn = crate::db::Connection::sqlite(rusqlite::Connection::open(&path).unwrap());
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        crate::migrate::apply_until(&conn, &path, 7).unwrap();
        // Today's writer fills the columns of migrations 10 and 11; they are added for it
        // and dropped again, so that the file is as version 7 had it.
        const LATER: [&str; 5] = [
            "other_names",
            "address",
            "phone",
            "legal_representative",
            "industry_code",
        ];
        for c in LATER {
            conn.execute_batch(&format!(
                "ALTER TABLE enterprises ADD COLUMN {c} TEXT NOT NULL DEFAULT ''"
            ))
            .unwrap();
        }
        // The same for the graph's change log of migration 13, which a commit keeps short.
        conn.execute_batch(
            "CREATE TABLE graph_changes (id INTEGER PRIMARY KEY AUTOINCREMENT, enterprise_id INTEGER)",
        )
        .unwrap();
        let mut store = Store {
            conn,
            path: path.clone(),
        };
        small_atlas(&mut store);
        for c in LATER {
            store
                .conn
                .execute_batch(&format!("ALTER TABLE enterprises DROP COLUMN {c}"))
                .unwrap();
        }
        store
            .conn
            .execute_batch("DROP TABLE graph_changes")
            .unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO events (id, name, venue, starts_on, days, day_start, slot_minutes, slots_per_day,
                   breaks, tables, groups, may_meet, chains, nodes, request_cap, meeting_cap, request_days)
                 VALUES (5, '对接会', '', '2026-12-10', 1, 540, 20, 6, '3', 2, '采购方;供应方;服务方',
                   '采购方:供应方;采购方:服务方', '1', '3,1', 5, 5, 3);
                 INSERT INTO event_participants (id, event_id, enterprise_id, grp, people, available, max_meetings)
                 VALUES (7, 5, 1, '采购方', '王强', '4,0,1', 3), (8, 5, 2, '供应方', '', NULL, NULL);",
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let data = store.event_data(EventId(5)).unwrap().unwrap();
    assert_eq!(data.event.groups, ["采购方", "供应方", "服务方"]);
    assert_eq!(
        data.event.may_meet,
        [
            ("采购方".to_string(), "供应方".to_string()),
            ("采购方".to_string(), "服务方".to_string())
        ]
    );
    assert_eq!(data.event.chains, [ChainId(1)]);
    assert_eq!(
        data.event.nodes,
        [NodeId(3), NodeId(1)],
        "in the order given"
    );
    assert_eq!(data.event.grid.breaks, [3]);
    assert_eq!(data.participants[0].available, Some(vec![0, 1, 4]));
    assert_eq!(data.participants[1].available, None, "every slot");
    // The references are checked now: a pair of groups the event does not have is refused.
    let refused = store.conn.execute(
        "INSERT INTO event_may_meet (event_id, position, group_a, group_b) VALUES (5, 9, '采购方', '无此组')",
        [],
    );
    assert!(refused.is_err());
}

#[test]
fn enterprises_sit_in_any_county_and_roll_up_to_its_city_and_province() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    assert!(
        store.is_empty().unwrap(),
        "the built-in divisions are not an atlas"
    );
    small_atlas(&mut store);
    // 醴陵市, a county-level city of Zhuzhou that no bundle brought: built in.
    let liling = "430281".parse().unwrap();
    assert_eq!(store.region(liling).unwrap().unwrap().name_zh, "醴陵市");
    let mut w = store.writer().unwrap();
    w.insert(&enterprise(4, "91430281MA0000004", "430281"))
        .unwrap();
    w.insert(&Record::EnterpriseNode(EnterpriseNode {
        enterprise: EnterpriseId(4),
        node: NodeId(3),
        output: Money::from_yuan(500),
        capacity: Money::from_yuan(600),
    }))
    .unwrap();
    w.commit(
        &crate::Actor::local("tests", 0),
        &crate::Change::new("test", "enterprise", 4),
    )
    .unwrap();
    for region in ["430281", "430200", "430000"] {
        let page = store
            .node_enterprises(
                NodeId(3),
                Some(region.parse().unwrap()),
                crate::EnterpriseOrder::ById,
                50,
                0,
            )
            .unwrap();
        assert!(
            page.items.iter().any(|row| row.item.id == EnterpriseId(4)),
            "{region}"
        );
    }
    // A region filter offers the regions in use and those around them, not all 3,000.
    let offered: Vec<String> = store
        .regions_in_use()
        .unwrap()
        .iter()
        .map(|r| r.code.to_string())
        .collect();
    assert_eq!(offered, ["420000", "420100", "430000", "430200", "430281"]);
}

#[test]
fn enterprises_are_found_by_abbreviation_substring_or_credit_code() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let names = [
        (11, "91340500MA0000011", "马鞍山钢铁股份有限公司"),
        (12, "91430200MA0000012", "株洲天邦轨道装备有限公司"),
        (13, "91330100MA0000013", "杭州士兰微电子股份有限公司"),
        (14, "91430200MA0000014", "株洲钢构工程有限公司"),
    ];
    let mut w = store.writer().unwrap();
    for (id, credit, name) in names {
        let Record::Enterprise(mut e) = enterprise(id, credit, "430200") else {
            unreachable!()
        };
        e.name_zh = name.into();
        w.insert(&Record::Enterprise(e)).unwrap();
    }
    w.commit(
        &crate::Actor::local("tests", 0),
        &crate::Change::new("test", "enterprise", 0),
    )
    .unwrap();
    let found = |q: &str| -> Vec<String> {
        store
            .search_enterprises(q, None, 10, 0)
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.name_zh)
            .collect()
    };
    assert_eq!(found("马钢"), ["马鞍山钢铁股份有限公司"]);
    assert_eq!(found("株洲天邦")[0], "株洲天邦轨道装备有限公司");
    assert_eq!(found("天邦轨道"), ["株洲天邦轨道装备有限公司"]);
    assert_eq!(found("士兰微"), ["杭州士兰微电子股份有限公司"]);
    // The name holding the words as typed comes before one that only holds them in order.
    assert_eq!(
        found("株洲钢"),
        ["株洲钢构工程有限公司"],
        "株洲…钢 in order is not in 马鞍山钢铁"
    );
    let code = CreditCode::with_check_character("91430200MA0000012").unwrap();
    assert_eq!(found(code.as_str())[0], "株洲天邦轨道装备有限公司");
    assert!(
        found("钢马").is_empty(),
        "the order of the characters counts"
    );
}

#[test]
fn an_industry_code_is_kept_with_its_leading_zero_and_reaches_the_graph() {
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let Record::Enterprise(mut e) = enterprise(21, "91430200MA0000021", "430200") else {
        unreachable!()
    };
    e.industry = Some("0111".parse().unwrap());
    let mut w = store.writer().unwrap();
    let id = w.create_enterprise(&e).unwrap();
    w.commit(
        &crate::Actor::local("tests", 0),
        &crate::Change::new("test", "enterprise", id.0),
    )
    .unwrap();
    let back = store.enterprise(id).unwrap().unwrap();
    assert_eq!(back.industry.unwrap().to_string(), "0111");
    let graph = store.supply_graph().unwrap();
    let index = (0..graph.enterprise_count() as u32)
        .find(|&i| graph.profile(i).id == id)
        .unwrap();
    assert_eq!(graph.profile(index).industry, back.industry);
    // An enterprise without a code has none.
    assert!(store
        .enterprise(EnterpriseId(1))
        .unwrap()
        .unwrap()
        .industry
        .is_none());
}

#[test]
fn a_database_moves_to_the_other_backend_whole_and_verified_and_back() {
    // From SQLite into the run's backend (PostgreSQL with CHAINATLAS_TEST_POSTGRES), and
    // from there into a new SQLite file.
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::open(dir.path().join("source.db")).unwrap();
    small_atlas(&mut source);
    let actor = crate::Actor::local("tests", 7);
    source
        .create_user(
            &actor,
            "admin",
            "h",
            chainatlas_auth::Role::Admin,
            None,
            false,
        )
        .unwrap();
    let listing = source
        .create_listing(&actor, &listing_of(1, "数控刀片 \t tab\nline \\ back"))
        .unwrap();
    let db = TestDatabase::new("target.db");
    let mut target = Store::open(db.location()).unwrap();
    let mut heard = Vec::new();
    let copies = source
        .copy_into(&mut target, |t| heard.push(t.table))
        .unwrap();
    assert_eq!(heard.len(), crate::transfer::TABLES.len());
    assert_eq!(copies, source.checksums().unwrap());
    assert_eq!(target.checksums().unwrap(), copies);
    let rows = |table: &str| copies.iter().find(|c| c.table == table).unwrap().rows;
    assert_eq!(rows("enterprises"), 3);
    assert_eq!(rows("users"), 1);
    assert!(rows("audit_log") >= 2);
    assert_eq!(target.generation().unwrap(), source.generation().unwrap());
    assert_eq!(
        target.listing(listing).unwrap().unwrap().title,
        "数控刀片 \t tab\nline \\ back"
    );
    // The target assigns the next ids after those it received, and logs the listing.
    let next = target
        .create_listing(&actor, &listing_of(2, "second"))
        .unwrap();
    assert_eq!(next.0, listing.0 + 1);
    let revision = target.listing_revision().unwrap();
    assert_eq!(
        target.listing_changes_since(revision - 1, 10).unwrap(),
        Some((revision, vec![next]))
    );

    // A database with data of its own is not a target.
    let again = source.copy_into(&mut target, |_| {}).unwrap_err();
    assert!(
        matches!(again, crate::TransferError::TargetNotEmpty(_)),
        "{again}"
    );

    // And back into SQLite.
    let mut back = Store::open(dir.path().join("back.db")).unwrap();
    let copies_back = target.copy_into(&mut back, |_| {}).unwrap();
    assert_eq!(back.checksums().unwrap(), copies_back);
    assert_eq!(copies_back, target.checksums().unwrap());
}

#[test]
fn a_pool_lends_at_most_its_bound_on_postgresql_and_a_returned_connection_goes_on() {
    let db = TestDatabase::new("a.db");
    let pool = crate::Pool::open(db.location(), 4).unwrap();
    let bound = if db.is_postgres() {
        crate::POSTGRES_MAX_OPEN
    } else {
        40 // SQLite connections are not counted
    };
    let lent: Vec<_> = (0..bound).map(|_| pool.get().unwrap()).collect();
    assert_eq!(lent.len(), bound);
    std::thread::scope(|s| {
        let waiting = s.spawn(|| pool.get().map(|store| store.generation().unwrap()));
        std::thread::sleep(std::time::Duration::from_millis(200));
        // On PostgreSQL the request beyond the bound waits for a connection to come back.
        assert_eq!(waiting.is_finished(), !db.is_postgres());
        drop(lent);
        assert_eq!(waiting.join().unwrap().unwrap(), 0);
    });
}

#[test]
fn a_connection_opens_while_another_holds_the_write_lock() {
    // A server opens pooled connections while an import writes: opening must not wait
    // for the write lock (PostgreSQL's migrations check takes it only when behind).
    let db = TestDatabase::new("a.db");
    let mut store = Store::open(db.location()).unwrap();
    let writer = store.writer().unwrap();
    // Were it to wait, it would fail after `lock_timeout` (5 s) instead.
    let other = Store::open(db.location()).unwrap();
    assert_eq!(other.schema_version().unwrap(), crate::migrate::LATEST);
    drop(writer);
}

/// The graph's change log names what each write changed, so a graph in memory is patched
/// to what loading it again would give, chain structure changes included; bulk loads ask
/// for a load.
#[test]
fn the_graph_change_log_patches_a_graph_to_what_a_load_gives() {
    use crate::GraphUpdate;
    let db = TestDatabase::new("graph-log.db");
    let mut store = Store::open(db.location()).unwrap();
    small_atlas(&mut store);
    let actor = crate::Actor::local("tests", 0);
    let change = crate::Change::new("test", "atlas", 0);
    // The small atlas came in one ordinary write: every enterprise is in the log.
    let (graph, position) = store.supply_graph_logged().unwrap();
    assert!(position > 0);
    assert!(matches!(
        store.graph_changes(position, 100).unwrap(),
        GraphUpdate::Unchanged
    ));
    let patch = |store: &Store, graph: &chainatlas_analysis::Graph, since: i64| match store
        .graph_changes(since, 100)
        .unwrap()
    {
        GraphUpdate::Patch {
            through,
            structure,
            changes,
        } => {
            let patched = graph.updated(structure.as_ref(), &changes).unwrap();
            assert_eq!(patched, store.supply_graph().unwrap());
            let mut ids: Vec<i64> = changes.iter().map(|c| c.id.0).collect();
            ids.sort();
            (patched, through, ids)
        }
        other => panic!("expected a patch, found {other:?}"),
    };

    // One relation's value changed: its buyer and supplier.
    let mut w = store.writer().unwrap();
    w.replace(&Record::SupplyRelation(SupplyRelation {
        id: SupplyRelationId(2),
        supplier: EnterpriseId(3),
        buyer: EnterpriseId(1),
        node: NodeId(2),
        annual_value: Money::from_yuan(95),
    }))
    .unwrap();
    w.commit(&actor, &change).unwrap();
    let (graph, position, ids) = patch(&store, &graph, position);
    assert_eq!(ids, [1, 3]);

    // A new enterprise with a unit and a sale, and a unit deleted.
    let mut w = store.writer().unwrap();
    let new = w
        .create_enterprise(match &enterprise(0, "91430200MA0000004", "430200") {
            Record::Enterprise(e) => e,
            _ => unreachable!(),
        })
        .unwrap();
    w.insert(&Record::EnterpriseNode(EnterpriseNode {
        enterprise: new,
        node: NodeId(1),
        output: Money::from_yuan(70),
        capacity: Money::from_yuan(70),
    }))
    .unwrap();
    w.create(&Record::SupplyRelation(SupplyRelation {
        id: SupplyRelationId(0),
        supplier: new,
        buyer: EnterpriseId(2),
        node: NodeId(1),
        annual_value: Money::from_yuan(30),
    }))
    .unwrap();
    assert!(w.delete(RecordKind::EnterpriseNode, [3, 1]).unwrap());
    w.commit(&actor, &change).unwrap();
    let (graph, position, ids) = patch(&store, &graph, position);
    assert_eq!(ids, [2, 3, new.0]);
    assert_eq!(graph.enterprise_count(), 4);

    // A name is not in the graph: the log stays as it was.
    let w = store.writer().unwrap();
    w.tx()
        .execute("UPDATE enterprises SET name_zh = '改名' WHERE id = 1", [])
        .unwrap();
    w.commit(&actor, &change).unwrap();
    assert!(matches!(
        store.graph_changes(position, 100).unwrap(),
        GraphUpdate::Unchanged
    ));
    // More enterprises than the caller patches: load whole.
    let w = store.writer().unwrap();
    w.tx()
        .execute("UPDATE enterprises SET employees = employees + 1", [])
        .unwrap();
    w.commit(&actor, &change).unwrap();
    assert!(matches!(
        store.graph_changes(position, 3).unwrap(),
        GraphUpdate::Reload
    ));
    let (graph, position, _) = patch(&store, &graph, position);

    // The chain structure: an input link, then a new node with a unit in it and a
    // sale of it, then that node taken off again with what was in it.
    let mut w = store.writer().unwrap();
    w.insert(&Record::NodeInput(NodeInput {
        input: NodeId(1),
        output: NodeId(3),
    }))
    .unwrap();
    w.commit(&actor, &change).unwrap();
    assert!(matches!(
        store.graph_changes(position, 100).unwrap(),
        GraphUpdate::Patch {
            structure: Some(_),
            ..
        }
    ));
    let (graph, position, ids) = patch(&store, &graph, position);
    assert!(ids.is_empty());
    let node = NodeId(4);
    let mut w = store.writer().unwrap();
    w.insert(&Record::ChainNode(ChainNode {
        id: node,
        chain: ChainId(1),
        code: "wheel".into(),
        name_zh: "车轮".into(),
        name_en: "Wheel".into(),
        segment: Segment::Midstream,
    }))
    .unwrap();
    w.insert(&Record::NodeInput(NodeInput {
        input: node,
        output: NodeId(3),
    }))
    .unwrap();
    w.insert(&Record::EnterpriseNode(EnterpriseNode {
        enterprise: EnterpriseId(2),
        node,
        output: Money::from_yuan(40),
        capacity: Money::from_yuan(50),
    }))
    .unwrap();
    w.create(&Record::SupplyRelation(SupplyRelation {
        id: SupplyRelationId(0),
        supplier: EnterpriseId(2),
        buyer: EnterpriseId(1),
        node,
        annual_value: Money::from_yuan(12),
    }))
    .unwrap();
    w.commit(&actor, &change).unwrap();
    let (graph, position, ids) = patch(&store, &graph, position);
    assert_eq!(ids, [1, 2]);
    assert_eq!(graph.node_count(), 4);
    let w = store.writer().unwrap();
    w.tx()
        .execute_batch(
            "DELETE FROM supply_relations WHERE node_id = 4;
             DELETE FROM enterprise_nodes WHERE node_id = 4;
             DELETE FROM node_inputs WHERE input_node_id = 4;
             DELETE FROM chain_nodes WHERE id = 4;",
        )
        .unwrap();
    w.commit(&actor, &change).unwrap();
    let (graph, position, _) = patch(&store, &graph, position);
    assert_eq!(graph.node_count(), 3);

    // A bulk load: load whole.
    let mut w = store.writer().unwrap();
    w.bulk_load().unwrap();
    w.insert(&enterprise(9, "91430200MA0000009", "430200"))
        .unwrap();
    w.commit(&actor, &change).unwrap();
    assert!(matches!(
        store.graph_changes(position, 100).unwrap(),
        GraphUpdate::Reload
    ));
    // The log's triggers are back after the bulk load.
    let (_, position) = store.supply_graph_logged().unwrap();
    let mut w = store.writer().unwrap();
    assert!(w.delete(RecordKind::SupplyRelation, [1, 0]).unwrap());
    w.commit(&actor, &change).unwrap();
    match store.graph_changes(position, 100).unwrap() {
        GraphUpdate::Patch { changes, .. } => assert_eq!(changes.len(), 2),
        other => panic!("expected a patch, found {other:?}"),
    }
}

/// A bulk load into empty tables builds their secondary indexes at commit instead of
/// row by row (SQLite): afterwards every index is there, and a rollback leaves them too.
#[test]
fn a_bulk_load_builds_the_indexes_of_empty_tables_at_commit() {
    let db = TestDatabase::new("bulk-indexes.db");
    let mut store = Store::open(db.location()).unwrap();
    if store.backend() != crate::db::Backend::Sqlite {
        return; // PostgreSQL keeps its indexes: dropping one would lock out readers.
    }
    let indexes = |store: &Store| -> Vec<String> {
        let mut stmt = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<crate::db::Result<_>>()
            .unwrap()
    };
    let all = indexes(&store);
    assert!(all.iter().any(|n| n == "supply_relations_buyer"));
    // Rolled back: nothing dropped for good.
    let mut w = store.writer().unwrap();
    w.bulk_load().unwrap();
    drop(w);
    assert_eq!(indexes(&store), all);
    // Committed: the indexes are back, and they serve queries.
    let mut w = store.writer().unwrap();
    w.bulk_load().unwrap();
    assert!(!indexes_in(&w).contains(&"supply_relations_buyer".to_string()));
    w.commit(
        &crate::Actor::local("tests", 0),
        &crate::Change::new("test", "atlas", 0),
    )
    .unwrap();
    assert_eq!(indexes(&store), all);
    small_atlas(&mut store);
    assert_eq!(store.suppliers_of(EnterpriseId(1), 10, 0).unwrap().total, 2);
}

fn indexes_in(w: &crate::Writer<'_>) -> Vec<String> {
    let mut stmt = w
        .tx()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<crate::db::Result<_>>()
        .unwrap()
}
