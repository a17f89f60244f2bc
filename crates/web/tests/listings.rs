//! Listings and matches through the real router: writing rules, private prices in
//! listings and in matches, the index kept current on writes and rebuilt when deleted or
//! behind, bad input refused with every problem and nothing written.

mod support;

use axum::http::{Method, StatusCode};
use chainatlas_model::{
    EnterpriseId, Listing, ListingId, ListingKind, ListingSide, ListingStatus, Money, NodeId,
    RegionCode,
};
use chainatlas_store::Store;
use chainatlas_web::{router, AppState};
use support::{actor, app_with, get_as, post_form, App, Who};

async fn post_json(app: &App, uri: &str, who: &Who, body: &str) -> support::Reply {
    support::send_json(app, Method::POST, uri, who, body).await
}

async fn put_json(app: &App, uri: &str, who: &Who, body: &str) -> support::Reply {
    support::send_json(app, Method::PUT, uri, who, body).await
}

fn listing_count(app: &App) -> usize {
    let mut n = 0;
    app.store().for_each_listing(|_| n += 1).unwrap();
    n
}

const LASER_DEMAND: &str = r#"{"side":"demand","kind":"equipment","title":"采购光纤激光切割机 GF-3015","description":"设备更新，功率 6kW","quantity":2,"unit":"台","price_fen":50000000,"region_code":"430200","tags":["ISO 9001"]}"#;

fn laser_supply(enterprise: i64, price_yuan: i64) -> String {
    format!(
        r#"{{"enterprise_id":{enterprise},"side":"supply","kind":"equipment","title":"光纤激光切割机 GF3015","description":"6 千瓦激光器，含安装","quantity":5,"unit":"台","price_fen":{},"region_code":"430200","tags":["ISO9001"]}}"#,
        price_yuan * 100
    )
}

#[tokio::test]
async fn enterprises_write_their_own_listings_and_staff_write_any() {
    let app = app_with(&[]);
    // An enterprise user publishes for its own enterprise without naming it.
    let r = post_json(&app, "/api/v1/listings", &app.firm_token, LASER_DEMAND).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let own = r.json();
    assert_eq!(own["enterprise_id"], 1);
    assert_eq!(own["editable"], true);
    // … and may not publish for another.
    let other = LASER_DEMAND.replacen('{', r#"{"enterprise_id":2,"#, 1);
    let r = post_json(&app, "/api/v1/listings", &app.firm_token, &other).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    // Staff publish for any enterprise, and must say which.
    let r = post_json(
        &app,
        "/api/v1/listings",
        &app.analyst_token,
        &laser_supply(2, 240_000),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let supply_id = r.json()["id"].as_i64().unwrap();
    let r = post_json(&app, "/api/v1/listings", &app.analyst_token, LASER_DEMAND).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("enterprise_id：未填写"), "{}", r.body);
    // The firm may neither edit nor close enterprise 2's listing; the analyst may.
    let uri = format!("/api/v1/listings/{supply_id}");
    let r = put_json(&app, &uri, &app.firm_token, &laser_supply(2, 1)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_json(&app, &format!("{uri}/close"), &app.firm_token, "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post_json(&app, &format!("{uri}/close"), &app.analyst_token, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "closed");
    let stored = app.store().listing(ListingId(supply_id)).unwrap().unwrap();
    assert_eq!(stored.status, ListingStatus::Closed);
    // Every write is audited.
    let audit = app.store().audit_log(50, 0).unwrap();
    assert!(audit.items.iter().any(|e| e.change.entity == "listing"
        && e.change.action == "update"
        && e.change.before.is_some()));
}

#[tokio::test]
async fn bad_listings_are_refused_with_every_problem_and_nothing_is_written() {
    let app = app_with(&[]);
    let before = listing_count(&app);
    let bad = r#"{"enterprise_id":999999,"side":"sell","kind":"product","node_id":999999,"title":" ","region_code":"430299","valid_until":"2026-02-30","price_fen":-5}"#;
    let r = post_json(&app, "/api/v1/listings", &app.analyst_token, bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let message = r.json()["error"]["message"].as_str().unwrap().to_string();
    for expected in [
        "enterprise_id：没有编号为 999999 的企业",
        "side：“sell”不是 demand、supply 之一",
        "node_id：没有编号为 999999 的环节",
        "title：为空，应填写文字",
        "price_fen：为负数",
        "region_code：430299 不是图谱中的地区",
        "valid_until：“2026-02-30”不是日历上的日子",
    ] {
        assert!(message.contains(expected), "{expected} in {message}");
    }
    // Malformed JSON and unknown fields say so.
    let r = post_json(&app, "/api/v1/listings", &app.analyst_token, r#"{"side":"#).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = post_json(
        &app,
        "/api/v1/listings",
        &app.analyst_token,
        r#"{"colour":"red"}"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("colour"), "{}", r.body);
    assert_eq!(listing_count(&app), before);
}

#[tokio::test]
async fn prices_stay_private_in_listings_and_in_matches() {
    let app = app_with(&[]);
    let demand = post_json(&app, "/api/v1/listings", &app.firm_token, LASER_DEMAND)
        .await
        .json();
    let demand_id = demand["id"].as_i64().unwrap();
    assert_eq!(
        demand["price_fen"], 50_000_000,
        "the owner sees its own budget"
    );
    let supply = post_json(
        &app,
        "/api/v1/listings",
        &app.analyst_token,
        &laser_supply(2, 240_000),
    )
    .await
    .json();
    let supply_id = supply["id"].as_i64().unwrap();
    // Another enterprise's price is hidden from the firm, shown to staff.
    let r = get_as(
        &app,
        &format!("/api/v1/listings/{supply_id}"),
        &app.firm_token,
        None,
    )
    .await;
    assert_eq!(r.json()["price_fen"], serde_json::Value::Null);
    let r = get_as(
        &app,
        &format!("/api/v1/listings/{supply_id}"),
        &app.analyst_token,
        None,
    )
    .await;
    assert_eq!(r.json()["price_fen"], 24_000_000);
    // The firm's demand finds the supply first, with reasons, but no price comparison.
    let zero = format!("/api/v1/listings/{demand_id}/matches?top=0");
    let r = get_as(&app, &zero, &app.firm_token, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("参数 top：“0”不是 1 到 100 之间的整数"),
        "{}",
        r.body
    );
    let uri = format!("/api/v1/listings/{demand_id}/matches?top=5");
    let firm_view = get_as(&app, &uri, &app.firm_token, None).await.json();
    let best = &firm_view["matches"][0];
    assert_eq!(best["listing_id"], supply_id, "{firm_view:#}");
    assert_eq!(best["score"]["price"], serde_json::Value::Null);
    let zh: Vec<String> = serde_json::from_value(best["reasons_zh"].clone()).unwrap();
    assert!(
        zh.iter()
            .any(|r| r.contains("gf3015") || r.contains("gf-3015")),
        "{zh:?}"
    );
    assert!(zh.iter().any(|r| r.starts_with("同城")), "{zh:?}");
    assert!(zh.iter().any(|r| r.contains("具备ISO 9001")), "{zh:?}");
    assert!(!zh.iter().any(|r| r.contains("预算")), "{zh:?}");
    let en: Vec<String> = serde_json::from_value(best["reasons_en"].clone()).unwrap();
    assert!(en.iter().any(|r| r.starts_with("Same city")), "{en:?}");
    // Staff see the price part: 240,000 within the 500,000 budget.
    let staff_view = get_as(&app, &uri, &app.analyst_token, None).await.json();
    assert_eq!(staff_view["matches"][0]["score"]["price"], 1.0);
    let zh: Vec<String> =
        serde_json::from_value(staff_view["matches"][0]["reasons_zh"].clone()).unwrap();
    assert!(zh.contains(&"报价在预算内".to_string()), "{zh:?}");
    // The firm's own listings never come back as its counterparts.
    let own_supply = post_json(
        &app,
        "/api/v1/listings",
        &app.firm_token,
        &laser_supply(1, 1).replace(r#""enterprise_id":1,"#, ""),
    )
    .await;
    assert_eq!(
        own_supply.status,
        StatusCode::CREATED,
        "{}",
        own_supply.body
    );
    let own_id = own_supply.json()["id"].as_i64().unwrap();
    let again = get_as(&app, &uri, &app.firm_token, None).await.json();
    assert!(again["matches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["listing_id"] != own_id));
    // A closed supply is not matched any more.
    post_json(
        &app,
        &format!("/api/v1/listings/{supply_id}/close"),
        &app.analyst_token,
        "",
    )
    .await;
    let after = get_as(&app, &uri, &app.firm_token, None).await.json();
    assert!(after["matches"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["listing_id"] != supply_id));
}

#[tokio::test]
async fn a_hidden_price_cannot_be_read_back_from_totals_or_order() {
    let app = app_with(&[]);
    let demand = post_json(&app, "/api/v1/listings", &app.firm_token, LASER_DEMAND)
        .await
        .json();
    let demand_id = demand["id"].as_i64().unwrap();
    // Two competitors' supplies alike but for their hidden asking prices: one within the
    // firm's budget, one far above it.
    let mut supplies = Vec::new();
    for (enterprise, price) in [(2, 240_000), (3, 900_000)] {
        let created = post_json(
            &app,
            "/api/v1/listings",
            &app.analyst_token,
            &laser_supply(enterprise, price),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        supplies.push(created.json()["id"].as_i64().unwrap());
    }
    // Everything but the price weighted 0: the total would be the price part itself.
    let uri = format!(
        "/api/v1/listings/{demand_id}/matches?top=20&weights=text=0,node=0,region=0,tags=0,quantity=0,validity=0,price=1"
    );
    let totals = |view: &serde_json::Value| -> Vec<(i64, f64)> {
        view["matches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| supplies.contains(&m["listing_id"].as_i64().unwrap()))
            .map(|m| {
                (
                    m["listing_id"].as_i64().unwrap(),
                    m["score"]["total"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let firm = totals(&get_as(&app, &uri, &app.firm_token, None).await.json());
    assert_eq!(firm.len(), 2, "{firm:?}");
    // The firm reads the same total for both, the one a listing without a price gets,
    // and the order does not follow the price (ties go by id).
    assert_eq!(firm, vec![(supplies[0], 0.5), (supplies[1], 0.5)]);
    // Staff may see the prices, and their totals follow them.
    let staff = totals(&get_as(&app, &uri, &app.analyst_token, None).await.json());
    assert_eq!(staff[0], (supplies[0], 1.0));
    assert!(staff[1].1 < 0.5, "{staff:?}");
}

#[tokio::test]
async fn search_filters_and_sees_writes_at_once() {
    let app = app_with(&[]);
    let created = post_json(
        &app,
        "/api/v1/listings",
        &app.analyst_token,
        &laser_supply(2, 1000),
    )
    .await
    .json();
    let id = created["id"].as_i64().unwrap();
    for (query, found) in [
        ("q=gf-3015", true),
        (
            "q=%EF%BC%A7%EF%BC%A6%EF%BC%93%EF%BC%90%EF%BC%91%EF%BC%95",
            true,
        ), // ＧＦ３０１５
        ("q=GF3015&side=demand", false),
        ("q=GF3015&side=supply&kind=equipment&region=430000", true),
        ("q=GF3015&region=420000", false),
        ("q=GF3015&status=closed", false),
    ] {
        let r = get_as(
            &app,
            &format!("/api/v1/listings?{query}"),
            &app.firm_token,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
        let ids: Vec<i64> = r.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids.contains(&id), found, "{query}: {ids:?}");
    }
    // An edit is searchable at once; the old words are gone.
    let edited = laser_supply(2, 1000).replace("光纤激光切割机 GF3015", "数控折弯机 WE67K");
    let r = put_json(
        &app,
        &format!("/api/v1/listings/{id}"),
        &app.analyst_token,
        &edited,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = get_as(&app, "/api/v1/listings?q=WE67K", &app.firm_token, None)
        .await
        .json();
    assert_eq!(r["items"][0]["id"], id);
    let r = get_as(&app, "/api/v1/listings?q=GF3015", &app.firm_token, None)
        .await
        .json();
    assert!(r["items"].as_array().unwrap().iter().all(|l| l["id"] != id));
    // Bad parameters are named.
    let r = get_as(&app, "/api/v1/listings?side=sell", &app.firm_token, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("side：“sell”"), "{}", r.body);
    let r = get_as(&app, "/api/v1/listings?chain=nope", &app.firm_token, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

fn direct_listing(id: i64, title: &str) -> Listing {
    Listing {
        id: ListingId(id),
        enterprise: EnterpriseId(3),
        side: ListingSide::Supply,
        kind: ListingKind::Product,
        node: None,
        title: title.into(),
        description: String::new(),
        quantity: None,
        unit: String::new(),
        price: Some(Money::from_yuan(1)),
        region: RegionCode::new(430200).unwrap(),
        valid_until: None,
        status: ListingStatus::Open,
        tags: Vec::new(),
    }
}

#[test]
fn the_index_follows_other_writers_by_replaying_their_changes_not_by_rebuilding() {
    use chainatlas_app::matchmaking::Matchmaker;
    use chainatlas_matching::{Filter, QueryText};
    let app = app_with(&[]);
    let mut store = app.store();
    let (m, _) = Matchmaker::open(&store).unwrap();
    let found = |m: &Matchmaker, q: &str| {
        let text = QueryText::typed(m.index().analysis(), q);
        m.index()
            .search(&text, &Filter::default(), 0, 10)
            .unwrap()
            .1
    };
    // Another writer (a second server process, the CLI) creates and changes listings.
    let mut ids = Vec::new();
    for title in ["变频器 ABC123", "齿轮箱 XYZ789", "减速机 KLM456"] {
        ids.push(
            store
                .create_listing(&actor(), &direct_listing(0, title))
                .unwrap(),
        );
    }
    let mut changed = direct_listing(ids[2].0, "减速机 TUV888");
    changed.id = ids[2];
    store.update_listing(&actor(), &changed).unwrap();
    assert_eq!(m.sync(&store).unwrap(), None, "replayed, not rebuilt");
    assert_eq!(found(&m, "abc123"), 1);
    assert_eq!(found(&m, "tuv888"), 1);
    assert_eq!(found(&m, "klm456"), 0, "the old text is gone");
    // An index far behind the change log's reach is rebuilt whole, and then current.
    for i in 0..21 {
        let mut l = direct_listing(ids[0].0, &format!("光伏逆变器 第{i}版"));
        l.id = ids[0];
        for _ in 0..1_000 {
            store.update_listing(&actor(), &l).unwrap();
        }
    }
    let rebuilt = m.sync(&store).unwrap().expect("rebuilt");
    assert_eq!(rebuilt.why, "behind the database");
    assert_eq!(found(&m, "光伏逆变器"), 1);
    assert_eq!(found(&m, "abc123"), 0, "its old text is gone");
}

#[tokio::test]
async fn the_index_is_rebuilt_when_deleted_or_behind_the_database() {
    let app = app_with(&[]);
    let search = |q: &'static str| {
        let app = &app;
        async move {
            let r = get_as(
                app,
                &format!("/api/v1/listings?q={q}"),
                &app.firm_token,
                None,
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            r.json()["total"].as_u64().unwrap()
        }
    };
    assert_eq!(search("ZX9000").await, 0);
    // Another program (an import, the CLI) writes a listing: the index is behind.
    let mut store = app.store();
    store
        .create_listing(&actor(), &direct_listing(0, "高压变频器 ZX9000"))
        .unwrap();
    assert_eq!(search("ZX9000").await, 1);
    // The index deleted: a new server (the old one stopped, releasing its claim on the
    // index) rebuilds it from the database.
    let path = app.db.location().to_path_buf();
    let index = chainatlas_app::matchmaking::index_dir(&path);
    assert!(index.is_dir());
    std::fs::remove_dir_all(&index).unwrap();
    drop(app.router);
    drop(app.state);
    let state = AppState::new(chainatlas_store::Pool::open(&path, 2).unwrap());
    let fresh = App {
        router: router(state.clone()),
        state,
        ..app
    };
    let r = get_as(
        &fresh,
        "/api/v1/listings?q=zx-9000",
        &fresh.firm_token,
        None,
    )
    .await;
    assert_eq!(r.json()["total"], 1, "{}", r.body);
    assert!(index.is_dir());
    // A damaged index is rebuilt too (by the next server, once this one has stopped).
    drop(fresh.router);
    drop(fresh.state);
    let store = Store::open(&path).unwrap();
    std::fs::write(index.join("meta.json"), b"not json").unwrap();
    let (m, rebuilt) = chainatlas_app::matchmaking::Matchmaker::open(&store).unwrap();
    assert_eq!(rebuilt.unwrap().why, "unreadable");
    assert!(!m.index().is_empty());
}

#[tokio::test]
async fn pages_publish_show_matches_and_report_bad_input() {
    let app = app_with(&[]);
    let csrf = app.firm.csrf.clone().unwrap();
    let form = format!(
        "csrf_token={csrf}&side=demand&kind=equipment&title=%E9%87%87%E8%B4%AD%E6%BF%80%E5%85%89%E5%88%87%E5%89%B2%E6%9C%BA+GF-3015&description=&region_code=%E6%A0%AA%E6%B4%B2%E5%B8%82+430200&quantity=2&unit=%E5%8F%B0&price=50%E4%B8%87&node_id=%E7%8E%AF%E8%8A%82+%231&tags=ISO+9001"
    );
    let r = post_form(&app, "/listings/new", &app.firm, None, &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers["location"].to_str().unwrap().to_string();
    let stored = app
        .store()
        .listing(ListingId(
            location.rsplit('/').next().unwrap().parse().unwrap(),
        ))
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.price,
        Some(Money::from_yuan(500_000)),
        "50万 is 500,000 yuan"
    );
    assert_eq!(stored.tags, ["ISO 9001"]);
    // The search box finds it, its side named in the page's language.
    let found = get_as(&app, "/search?q=GF-3015", &app.firm, None).await;
    assert!(
        found.body.contains("id=\"results-listing\"") && found.body.contains("<small>需求</small>"),
        "{:.3000}",
        found.body
    );
    assert_eq!(stored.node, Some(NodeId(1)), "the node picker's 'name #1'");
    assert_eq!(
        stored.region,
        RegionCode::new(430200).unwrap(),
        "the region picker's '株洲市 430200'"
    );
    post_json(
        &app,
        "/api/v1/listings",
        &app.analyst_token,
        &laser_supply(2, 240_000),
    )
    .await;
    let page = get_as(&app, &location, &app.firm, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("id=\"listing-price\">50<") && page.body.contains("单价（万元）"),
        "the price in 万元"
    );
    assert!(
        page.body.contains("推荐对接") && page.body.contains("同城"),
        "{:.3000}",
        page.body
    );
    assert!(
        page.body.contains("id=\"close-listing\""),
        "the owner may close it"
    );
    let en = get_as(&app, &location, &app.firm, Some("lang=en")).await;
    assert!(en.body.contains("Recommended counterparts") && en.body.contains("Same city"));
    // Bad input: the form comes back with the problems and what was typed; nothing saved.
    let before = listing_count(&app);
    let bad =
        format!("csrf_token={csrf}&side=demand&kind=equipment&title=&region_code=12&price=abc");
    let r = post_form(&app, "/listings/new", &app.firm, None, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("id=\"form-error\"") && r.body.contains("price"),
        "{:.2000}",
        r.body
    );
    let bad = format!("csrf_token={csrf}&side=demand&kind=equipment&title=&region_code=12");
    let r = post_form(&app, "/listings/new", &app.firm, None, &bad).await;
    assert!(
        r.body.contains("title：为空") && r.body.contains("region_code"),
        "{:.2000}",
        r.body
    );
    assert_eq!(listing_count(&app), before);
    // The search page finds it by model number.
    let r = get_as(&app, "/listings?q=gf3015&side=demand", &app.firm, None).await;
    assert!(r.body.contains(&location), "{:.2000}", r.body);
}

#[tokio::test]
async fn the_server_reads_its_injected_clock_for_now_and_today() {
    let app = app_with(&[]);
    let path = app.db.location().to_path_buf();
    let with_clock = |at: i64| {
        router(
            AppState::new(chainatlas_store::Pool::open(&path, 2).unwrap())
                .with_clock(std::sync::Arc::new(chainatlas_app::FixedClock(at))),
        )
    };
    // 2020-06-01 15:59:59 UTC: 23:59:59 in China, the last second of June 1st there.
    let at = 1_591_027_199;
    let clocked = App {
        router: with_clock(at),
        ..app
    };
    let demand = LASER_DEMAND.replace(r#""tags""#, r#""valid_until":"2020-06-01","tags""#);
    let created = post_json(&clocked, "/api/v1/listings", &clocked.firm_token, &demand).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let log = clocked.store().audit_log(1, 0).unwrap();
    assert_eq!(
        log.items[0].actor.at, at,
        "the write is recorded at the clock's time"
    );
    let uri = "/api/v1/listings?q=gf-3015&valid=true";
    // On the clock's day in China the listing is still valid ...
    let found = get_as(&clocked, uri, &clocked.analyst_token, None).await;
    assert_eq!(found.json()["total"], 1, "{}", found.body);
    // ... and one second later, on June 2nd in China, it is not.
    let next = App {
        router: with_clock(at + 1),
        ..clocked
    };
    let found = get_as(&next, uri, &next.analyst_token, None).await;
    assert_eq!(found.json()["total"], 0, "{}", found.body);
}

#[tokio::test]
async fn an_expired_listing_reads_expired_is_not_open_and_matches_nothing() {
    let app = app_with(&[]);
    let path = app.db.location().to_path_buf();
    // 2020-06-02 in China: a day after the demand's last valid day.
    let clocked = App {
        router: router(
            AppState::new(chainatlas_store::Pool::open(&path, 2).unwrap()).with_clock(
                std::sync::Arc::new(chainatlas_app::FixedClock(1_591_027_200)),
            ),
        ),
        ..app
    };
    let supply = laser_supply(2, 450_000);
    let made = post_json(
        &clocked,
        "/api/v1/listings",
        &clocked.analyst_token,
        &supply,
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let demand = LASER_DEMAND.replace(r#""tags""#, r#""valid_until":"2020-06-01","tags""#);
    let created = post_json(&clocked, "/api/v1/listings", &clocked.firm_token, &demand).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.json()["status"], "expired");

    let matches = get_as(
        &clocked,
        &format!("/api/v1/listings/{id}/matches"),
        &clocked.analyst_token,
        None,
    )
    .await;
    assert_eq!(matches.status, StatusCode::OK, "{}", matches.body);
    assert_eq!(matches.json()["matches"].as_array().unwrap().len(), 0);
    let page = get_as(&clocked, &format!("/listings/{id}"), &clocked.analyst, None).await;
    assert!(page.body.contains("已过期"), "{}", page.body);
    assert!(page.body.contains("不再推荐对接"), "{}", page.body);

    // `status=open` means open today.
    let open = get_as(
        &clocked,
        "/api/v1/listings?q=gf-3015&side=demand&status=open",
        &clocked.analyst_token,
        None,
    )
    .await;
    assert_eq!(open.json()["total"], 0, "{}", open.body);
    let any = get_as(
        &clocked,
        "/api/v1/listings?q=gf-3015&side=demand",
        &clocked.analyst_token,
        None,
    )
    .await;
    assert!(any.json()["total"].as_u64().unwrap() >= 1, "{}", any.body);
    // The supply, still valid, is matched with nothing expired either.
    let supply_id = made.json()["id"].as_i64().unwrap();
    let theirs = get_as(
        &clocked,
        &format!("/api/v1/listings/{supply_id}/matches"),
        &clocked.analyst_token,
        None,
    )
    .await;
    assert!(
        theirs.json()["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["listing_id"].as_i64() != Some(id)),
        "{}",
        theirs.body
    );
}
