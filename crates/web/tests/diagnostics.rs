//! The diagnostics API and pages over the demo atlas, as an analyst.

mod support;

use axum::http::StatusCode;
use serde_json::Value;
use support::{app_with, get};

fn node_id(map: &Value, code: &str) -> i64 {
    map["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["node"]["code"] == code)
        .unwrap_or_else(|| panic!("no node {code}"))["node"]["id"]
        .as_i64()
        .unwrap()
}

fn status_of(diagnosis: &Value, code: &str) -> String {
    diagnosis["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["node"]["code"] == code)
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn hunan_rail_has_the_deliberate_short_boards_and_they_heal_after_a_write() {
    let app = app_with(&[]);
    let d = get(&app, "/api/v1/chains/rail/diagnosis?region=430000", None).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    let d = d.json();
    assert_eq!(d["region"]["name_zh"], "湖南省");
    // The demo leaves bearings and braking systems out of Hunan.
    assert_eq!(status_of(&d, "rail-bearing"), "missing");
    assert_eq!(status_of(&d, "rail-brake-system"), "missing");
    let boards: Vec<&str> = d["short_boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["node"]["code"].as_str().unwrap())
        .collect();
    assert!(boards.contains(&"rail-bearing") && boards.contains(&"rail-brake-system"));
    // Short boards come most local downstream output first.
    let downstream: Vec<i64> = d["short_boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["downstream_output_fen"].as_i64().unwrap())
        .collect();
    assert!(downstream.windows(2).all(|w| w[0] >= w[1]));
    let overall = &d["supporting"]["overall"];
    let (city, province) = (
        overall["city_rate"].as_f64().unwrap(),
        overall["province_rate"].as_f64().unwrap(),
    );
    assert!(
        0.0 < city && city <= province && province < 1.0,
        "{city} {province}"
    );
    assert!(!d["supporting"]["chain_masters"]
        .as_array()
        .unwrap()
        .is_empty());
    // Zhuzhou's rail chain master buys one input from a single supplier.
    let z = get(
        &app,
        "/api/v1/chains/rail/diagnosis?region=430200&limit=500",
        None,
    )
    .await
    .json();
    assert!(z["dependencies"]["single_sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["buyer"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "chain_master")));

    // A bearing maker opens in Changsha: the next diagnosis sees it.
    let map = get(&app, "/api/v1/chains/rail/map", None).await.json();
    let bearing = node_id(&map, "rail-bearing");
    support::add_producer(
        &app,
        90_000,
        "91350100M000100Y43",
        "长沙新轴承有限公司",
        "430100",
        bearing,
        80_000_000,
    );
    let after = get(&app, "/api/v1/chains/rail/diagnosis?region=430000", None)
        .await
        .json();
    assert_ne!(status_of(&after, "rail-bearing"), "missing");
}

#[tokio::test]
async fn a_region_disruption_travels_downstream_and_names_alternatives() {
    let app = app_with(&[]);
    let r = get(&app, "/api/v1/chains/rail/disruption?region=430200", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = r.json();
    let (direct, total) = (
        r["direct_loss_fen"].as_i64().unwrap(),
        r["total_loss_fen"].as_i64().unwrap(),
    );
    assert!(
        direct > 0 && total > direct,
        "the loss spreads beyond Zhuzhou: {direct} < {total}"
    );
    assert!(r["tiers"].as_u64().unwrap() >= 1);
    assert!(r["by_region"].as_array().unwrap().len() > 1);
    let by_tier: i64 = r["by_tier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["loss_fen"].as_i64().unwrap())
        .sum();
    assert!(
        (by_tier - total).abs() <= r["by_tier"].as_array().unwrap().len() as i64,
        "tiers add up"
    );
    let lost = r["lost_inputs"].as_array().unwrap();
    assert!(!lost.is_empty());
    for input in lost {
        for a in input["alternatives"].as_array().unwrap() {
            assert_ne!(
                a["enterprise"]["region"]["code"], "430200",
                "Zhuzhou's own firms are hit"
            );
            assert!(a["spare_fen"].as_i64().unwrap() > 0);
        }
        let restorable = input["restorable"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&restorable));
    }
    // Half the capacity loses less, never more.
    let half = get(
        &app,
        "/api/v1/chains/rail/disruption?region=430200&fraction=0.5",
        None,
    )
    .await
    .json();
    assert!(half["total_loss_fen"].as_i64().unwrap() <= total);
    // Removing nothing loses nothing; an empty list item is no item.
    for nothing in ["", "?region=", "?enterprise=&node="] {
        let r = get(
            &app,
            &format!("/api/v1/chains/rail/disruption{nothing}"),
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{nothing}: {}", r.body);
        assert_eq!(
            (
                r.json()["total_loss_fen"].as_i64(),
                r.json()["hit_units"].as_u64()
            ),
            (Some(0), Some(0))
        );
    }
    // Keys may repeat or list values with commas.
    let a = get(
        &app,
        "/api/v1/chains/rail/disruption?enterprise=1&enterprise=2",
        None,
    )
    .await
    .json();
    let b = get(&app, "/api/v1/chains/rail/disruption?enterprise=1,2", None)
        .await
        .json();
    assert_eq!(a["total_loss_fen"], b["total_loss_fen"]);
    assert_eq!(a["shock"]["enterprises"], serde_json::json!([1, 2]));
    // As the simulator's enterprise picker fills the field: names, then ids.
    let picked = get(
        &app,
        "/api/v1/chains/rail/disruption?enterprise=%E6%A0%AA%E6%B4%B2%E5%A4%A9%E9%82%A6+%231%3B+%E6%9F%90%E4%BC%81%E4%B8%9A+%232",
        None,
    )
    .await
    .json();
    assert_eq!(picked["total_loss_fen"], a["total_loss_fen"]);
    // The page shows the removed enterprises by name in the picker.
    let page = get(&app, "/chains/rail/disruption?enterprise=1;2", None).await;
    assert!(
        page.body.contains("data-picker=\"enterprise\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("株洲天邦轨道装备股份有限公司 #1; "),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn bad_diagnostics_requests_say_what_is_wrong() {
    let app = app_with(&[]);
    for (uri, status, words) in [
        (
            "/api/v1/chains/rail/diagnosis",
            StatusCode::BAD_REQUEST,
            "请填写参数 region",
        ),
        (
            "/api/v1/chains/rail/diagnosis?region=43020",
            StatusCode::BAD_REQUEST,
            "region",
        ),
        (
            "/api/v1/chains/rail/diagnosis?region=430200&weak_below=-1",
            StatusCode::BAD_REQUEST,
            "weak_below",
        ),
        (
            "/api/v1/chains/rail/diagnosis?region=430200&strong_from=x",
            StatusCode::BAD_REQUEST,
            "strong_from",
        ),
        (
            "/api/v1/chains/rail/diagnosis?region=990000",
            StatusCode::BAD_REQUEST,
            "region",
        ),
        (
            "/api/v1/chains/rail/diagnosis?region=659999",
            StatusCode::NOT_FOUND,
            "659999",
        ),
        (
            "/api/v1/chains/nope/diagnosis?region=430200",
            StatusCode::NOT_FOUND,
            "nope",
        ),
        (
            "/api/v1/chains/rail/disruption?region=430200&fraction=0",
            StatusCode::BAD_REQUEST,
            "fraction",
        ),
        (
            "/api/v1/chains/rail/disruption?region=430200&fraction=1.5",
            StatusCode::BAD_REQUEST,
            "fraction",
        ),
        (
            "/api/v1/chains/rail/disruption?enterprise=abc",
            StatusCode::BAD_REQUEST,
            "abc",
        ),
        (
            "/api/v1/chains/rail/disruption?enterprise=999999",
            StatusCode::NOT_FOUND,
            "999999",
        ),
        (
            "/api/v1/chains/nev/disruption?node=1",
            StatusCode::NOT_FOUND,
            "没有编号为 1 的环节",
        ),
        (
            "/api/v1/chains/rail/chokepoints?top=501",
            StatusCode::BAD_REQUEST,
            "top",
        ),
        (
            "/api/v1/chains/rail/attraction",
            StatusCode::BAD_REQUEST,
            "请填写参数 region",
        ),
    ] {
        let reply = get(&app, uri, None).await;
        assert_eq!(reply.status, status, "{uri}: {:.300}", reply.body);
        assert!(reply.body.contains(words), "{uri}: {}", reply.body);
    }
}

#[tokio::test]
async fn chokepoints_are_ranked_and_targets_come_with_reasons() {
    let app = app_with(&[]);
    let c = get(&app, "/api/v1/chains/rail/chokepoints?top=5", None)
        .await
        .json();
    let losses: Vec<i64> = c["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["downstream_loss_fen"].as_i64().unwrap())
        .collect();
    assert_eq!(losses.len(), 5);
    assert!(losses.windows(2).all(|w| w[0] >= w[1]) && losses[0] > 0);
    assert!(c["simulated"].as_u64().unwrap() <= c["candidates"].as_u64().unwrap());
    assert_eq!(
        c["nodes"].as_array().unwrap().len(),
        24,
        "every rail node is ranked"
    );

    let a = get(
        &app,
        "/api/v1/chains/rail/attraction?region=430000&limit=3",
        None,
    )
    .await
    .json();
    let boards = a["short_boards"].as_array().unwrap();
    assert!(!boards.is_empty());
    let mut targets = 0;
    for board in boards {
        for t in board["targets"].as_array().unwrap() {
            targets += 1;
            assert!(
                !t["enterprise"]["region"]["code"]
                    .as_str()
                    .unwrap()
                    .starts_with("43"),
                "outside Hunan"
            );
            let reasons = t["reasons"].as_array().unwrap();
            assert_eq!(reasons[0]["kind"], "produces");
            assert!(reasons
                .iter()
                .all(|r| !r["text_zh"].as_str().unwrap().is_empty()
                    && !r["text_en"].as_str().unwrap().is_empty()));
            let score = t["score"].as_f64().unwrap();
            assert!((0.0..=100.0).contains(&score));
        }
    }
    assert!(targets > 0);
}

#[tokio::test]
async fn the_pages_show_the_diagnosis_and_the_simulation() {
    let app = app_with(&[]);
    let page = get(&app, "/chains/rail/diagnosis?region=430000", None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for part in [
        "id=\"short-boards\"",
        "轴承",
        "缺失",
        "id=\"supporting-data\"",
        "id=\"single-sources\"",
        "id=\"chokepoints\"",
        "\"status\":\"missing\"",
    ] {
        assert!(page.body.contains(part), "diagnosis page lacks {part}");
    }
    let en = get(
        &app,
        "/chains/rail/diagnosis?region=430000",
        Some("lang=en"),
    )
    .await;
    assert!(en.body.contains("Short boards") && en.body.contains("Bearings"));
    // The long page opens with a table of contents whose links land on its sections.
    for section in [
        "sec-short-boards",
        "sec-supporting",
        "sec-dependencies",
        "sec-single-sources",
        "sec-chokepoints",
        "sec-nodes",
    ] {
        assert!(
            en.body.contains(&format!("href=\"#{section}\"")),
            "{section}"
        );
        assert!(
            en.body.contains(&format!("<h2 id=\"{section}\"")),
            "{section}"
        );
    }
    let first = get(&app, "/chains/rail/diagnosis", None).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("请选择一个地区"));

    let empty = get(&app, "/chains/rail/disruption", None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("id=\"disruption-form\"") && !empty.body.contains("id=\"impact\""));
    // Regions and nodes are ticked one by one: no multi-select that needs Ctrl-click.
    assert!(!empty.body.contains(" multiple"), "no multi-select");
    assert!(
        empty.body.contains("id=\"region-choices\"")
            && empty.body.contains("type=\"checkbox\" name=\"node\"")
    );
    let sim = get(
        &app,
        "/chains/rail/disruption?region=430200&node=&enterprise=&fraction=1",
        None,
    )
    .await;
    assert_eq!(sim.status, StatusCode::OK, "{}", sim.body);
    for part in [
        "id=\"impact\"",
        "id=\"lost-inputs\"",
        "id=\"by-tier\"",
        "\"loss_share\"",
    ] {
        assert!(sim.body.contains(part), "simulator lacks {part}");
    }
    let bad = get(
        &app,
        "/chains/rail/disruption?region=430200&fraction=7",
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("fraction"));
}

/// A write to the atlas patches the graph in memory (no load of the whole atlas), and a
/// server started later on the same database reads the graph's snapshot and patches it
/// with what changed since: both answer as a load from scratch would.
#[tokio::test]
async fn a_write_patches_the_graph_and_a_new_server_starts_from_its_snapshot() {
    use chainatlas_app::cache::GraphRefresh;
    use support::{send_json, App};
    let app = app_with(&[]);
    let diagnosis = "/api/v1/chains/rail/diagnosis?region=430000&limit=500";
    let first = get(&app, diagnosis, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(matches!(
        app.state.caches.graph_refresh(),
        Some(GraphRefresh::Loaded { .. })
    ));
    // One supply relation of a Hunan firm, its value raised through the API.
    let suppliers = get(&app, "/api/v1/enterprises/1/suppliers?limit=1", None)
        .await
        .json();
    let relation = suppliers["items"][0]["relation_id"].as_i64().unwrap();
    let uri = format!("/api/v1/records/supply_relations/{relation}");
    let record = get(&app, &uri, None).await.json();
    let mut fields = record["fields"].as_object().unwrap().clone();
    fields.insert("annual_value".into(), Value::from("987654321"));
    let put = send_json(
        &app,
        axum::http::Method::PUT,
        &uri,
        &app.admin_token,
        &Value::Object(fields).to_string(),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let patched = get(&app, diagnosis, None).await;
    assert_eq!(
        app.state.caches.graph_refresh(),
        Some(GraphRefresh::Patched {
            enterprises: 2,
            restructured: false,
            millis: match app.state.caches.graph_refresh() {
                Some(GraphRefresh::Patched { millis, .. }) => millis,
                other => panic!("not patched: {other:?}"),
            }
        })
    );
    assert_ne!(patched.body, first.body, "the diagnosis follows the write");
    // A new server on the same database, once the first wrote its snapshot.
    let snapshot = chainatlas_app::matchmaking::derived_path(app.db.location(), "graph");
    for _ in 0..300 {
        if snapshot.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(snapshot.exists(), "no snapshot at {}", snapshot.display());
    let state =
        chainatlas_web::AppState::new(chainatlas_store::Pool::open(app.db.location(), 2).unwrap());
    let fresh = App {
        router: chainatlas_web::router(state.clone()),
        state,
        ..app
    };
    let again = get(&fresh, diagnosis, None).await;
    assert!(matches!(
        fresh.state.caches.graph_refresh(),
        Some(GraphRefresh::FromSnapshot { changed: 2, .. })
    ));
    // The graph from the snapshot is the graph a load gives, and so are the answers.
    let loaded = fresh.store().supply_graph().unwrap();
    assert!(*fresh.state.caches.graph(&fresh.store()).unwrap() == loaded);
    // The command line reads the same snapshot, brought up to date.
    let read = chainatlas_app::cache::graph_from_snapshot(&fresh.store()).unwrap();
    assert!(read.is_some_and(|g| *g == loaded));
    let differ = again
        .body
        .char_indices()
        .zip(patched.body.chars())
        .find(|((_, a), b)| a != b)
        .map(|((i, _), _)| i);
    assert!(
        differ.is_none() && again.body.len() == patched.body.len(),
        "the answers differ from {:?}: {} / {}",
        differ,
        &again.body[differ.unwrap_or(0).saturating_sub(40)..][..80],
        &patched.body[differ.unwrap_or(0).saturating_sub(40)..][..80]
    );
}

/// A change of the chain structure through the API (an input link, a new node with a
/// relation in it, that node taken off again) is taken on by the graph in memory, not by
/// loading it again; after each the graph is the one a load gives.
#[tokio::test]
async fn chain_structure_edits_are_taken_on_without_a_load() {
    use axum::http::Method;
    use chainatlas_app::cache::GraphRefresh;
    use support::{send, send_json};
    let app = app_with(&[]);
    let who = &app.admin_token;
    let diagnosis = "/api/v1/chains/rail/diagnosis?region=430000&limit=500";
    assert_eq!(get(&app, diagnosis, None).await.status, StatusCode::OK);
    let follows = |step: &str| {
        let graph = app.state.caches.graph(&app.store()).unwrap();
        assert!(
            matches!(
                app.state.caches.graph_refresh(),
                Some(GraphRefresh::Patched {
                    restructured: true,
                    ..
                })
            ),
            "{step}: {:?}",
            app.state.caches.graph_refresh()
        );
        assert!(
            *graph == app.store().supply_graph().unwrap(),
            "{step}: the graph differs from a load"
        );
    };
    let store = app.store();
    let rail = store.chain_by_code("rail").unwrap().unwrap();
    let nodes = store.chain_nodes(rail.id).unwrap();
    let (first, last) = (nodes[0].id.0, nodes[nodes.len() - 1].id.0);

    let link = send_json(
        &app,
        Method::POST,
        "/api/v1/records/node_inputs",
        who,
        &format!(r#"{{"input_node_id":{first},"output_node_id":{last}}}"#),
    )
    .await;
    assert_eq!(link.status, StatusCode::CREATED, "{}", link.body);
    assert_eq!(get(&app, diagnosis, None).await.status, StatusCode::OK);
    follows("an input link");

    let node = send_json(
        &app,
        Method::POST,
        "/api/v1/records/chain_nodes",
        who,
        &format!(
            r#"{{"chain_id":{},"code":"rail-test-wheel","name_zh":"测试车轮","segment":"midstream"}}"#,
            rail.id.0
        ),
    )
    .await;
    assert_eq!(node.status, StatusCode::CREATED, "{}", node.body);
    let node = node.json()["key"].as_str().unwrap().to_string();
    let relation = send_json(
        &app,
        Method::POST,
        "/api/v1/records/supply_relations",
        who,
        &format!(r#"{{"supplier_id":2,"buyer_id":3,"node_id":{node},"annual_value":"50万"}}"#),
    )
    .await;
    assert_eq!(relation.status, StatusCode::CREATED, "{}", relation.body);
    let relation = relation.json()["key"].as_str().unwrap().to_string();
    assert_eq!(get(&app, diagnosis, None).await.status, StatusCode::OK);
    follows("a new node with a relation in it");

    for path in [
        format!("/api/v1/records/supply_relations/{relation}"),
        format!("/api/v1/records/chain_nodes/{node}"),
    ] {
        let reply = send(&app, Method::DELETE, &path, who, None, &[], "").await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{path}: {}",
            reply.body
        );
    }
    assert_eq!(get(&app, diagnosis, None).await.status, StatusCode::OK);
    follows("the node taken off");
}
