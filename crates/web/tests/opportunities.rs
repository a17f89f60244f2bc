//! A region's new and long boards through the API and the page, as an analyst, over the
//! demo atlas; and the cached landscape following a write.

mod support;

use axum::http::StatusCode;
use serde_json::Value;
use support::{app_with, get};

fn board<'a>(dto: &'a Value, code: &str) -> Option<&'a Value> {
    dto["new_boards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["node"]["code"] == code)
}

#[tokio::test]
async fn zhuzhou_new_boards_are_ranked_explained_and_tied_to_its_short_boards() {
    let app = app_with(&[]);
    let r = get(&app, "/api/v1/regions/430200/opportunities?top=50", None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = r.json();
    assert_eq!(d["region"]["name_zh"], "株洲市");
    assert_eq!(
        (d["level"].as_str(), d["measure"].as_str()),
        (Some("city"), Some("output"))
    );
    let (rank, of) = (
        d["eci_rank"].as_u64().unwrap(),
        d["regions_compared"].as_u64().unwrap(),
    );
    assert!(1 <= rank && rank <= of && of > 10, "{rank} of {of}");
    let boards = d["new_boards"].as_array().unwrap();
    assert!(!boards.is_empty() && boards.len() <= 50);
    let feasibility: Vec<f64> = boards
        .iter()
        .map(|b| b["feasibility"].as_f64().unwrap())
        .collect();
    assert!(
        feasibility.windows(2).all(|w| w[0] >= w[1]),
        "{feasibility:?}"
    );
    for b in boards {
        assert!(b["rca"].as_f64().unwrap() <= 1.0, "{b}");
        for part in ["relatedness", "readiness", "pull"] {
            if let Some(v) = b[part].as_f64() {
                assert!((0.0..=1.0).contains(&v), "{part} {b}");
            }
        }
        let reasons = b["reasons"].as_array().unwrap();
        assert!(reasons
            .iter()
            .all(|r| !r["text_zh"].as_str().unwrap().is_empty()
                && !r["text_en"].as_str().unwrap().is_empty()));
    }
    // Metro vehicles: Zhuzhou makes most of their inputs; among those it lacks is the
    // braking system, the short board the demo leaves out of Hunan.
    let metro = board(&d, "rail-metro-vehicle").expect("metro vehicles among the new boards");
    let missing: Vec<&str> = metro["inputs_missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap())
        .collect();
    assert!(missing.contains(&"rail-brake-system"), "{metro}");
    assert!(
        metro["reasons"].to_string().contains("缺少：制动系统"),
        "{metro}"
    );
    // Long boards are where it is strong; the space holds every node compared.
    let long = d["long_boards"].as_array().unwrap();
    assert!(!long.is_empty() && long.iter().all(|b| b["rca"].as_f64().unwrap() > 1.0));
    let space = d["space"].as_array().unwrap();
    assert_eq!(
        space.iter().filter(|p| p["present"] == true).count(),
        long.len()
    );
    assert!(!d["links"].as_array().unwrap().is_empty());
    // Key sectors of Zhuzhou's own table: classified, the most output lost first.
    let sectors = d["key_sectors"].as_array().unwrap();
    assert!(!sectors.is_empty());
    let lost: Vec<f64> = sectors
        .iter()
        .map(|k| k["extraction_share"].as_f64().unwrap())
        .collect();
    assert!(
        lost.windows(2).all(|w| w[0] >= w[1]) && lost[0] > 0.0,
        "{lost:?}"
    );
    assert!(sectors
        .iter()
        .all(|k| ["key", "backward", "forward", "weak"].contains(&k["class"].as_str().unwrap())));
    // Each new board names its chain, whose diagnosis lists attraction targets, and its
    // own best targets: producers of the node outside the region.
    assert_eq!(metro["chain_code"], "rail");
    let targets = metro["targets"].as_array().unwrap();
    assert!(!targets.is_empty() && targets.len() <= 3, "{metro}");
    assert!(targets
        .iter()
        .all(|t| !t["region"]["code"].as_str().unwrap().starts_with("4302")));

    // The page: the quadrant chart's data, the ranked table with reasons, the workbook.
    let page = get(&app, "/opportunities?region=430200", None).await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "新板（锻新板）",
        "长板（锻长板）",
        "关键部门（本地投入产出）",
        "/chains/rail/diagnosis?region=430200#sec-short-boards",
        "quadrant-chart",
        "opportunities-data",
        "缺少：制动系统",
        "招商目标：",
    ] {
        assert!(page.body.contains(needle), "{needle}");
    }
    let sheet = get(&app, "/opportunities?region=430200&format=xlsx", None).await;
    assert_eq!(sheet.status, StatusCode::OK);
    // Among a chosen peer group (the region itself always in it): three cities compared.
    let peers = get(
        &app,
        "/api/v1/regions/430200/opportunities?peers=430100,420100",
        None,
    )
    .await
    .json();
    assert_eq!(peers["regions_compared"], 3, "{}", peers["notes"]);
    let bad = get(
        &app,
        "/api/v1/regions/430200/opportunities?peers=999999",
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    // Parameters out of range are refused in the user's terms.
    let bad = get(
        &app,
        "/api/v1/regions/430200/opportunities?measure=jobs",
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("output、enterprises 或 employees"),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn the_landscape_follows_a_write() {
    let app = app_with(&[]);
    let before = get(&app, "/api/v1/regions/430200/opportunities?top=200", None)
        .await
        .json();
    let first = &before["new_boards"][0];
    let node = first["node"]["id"].as_i64().unwrap();
    let code = first["node"]["code"].as_str().unwrap().to_string();
    // A large producer of the first new board opens in Zhuzhou.
    support::add_producer(
        &app,
        90_001,
        "91430200M000200Y4E",
        "株洲新板制造有限公司",
        "430202",
        node,
        800_000_000,
    );
    let after = get(&app, "/api/v1/regions/430200/opportunities?top=200", None)
        .await
        .json();
    assert!(
        board(&after, &code).is_none(),
        "{code} is still a new board"
    );
    assert!(after["long_boards"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["node"]["code"] == code.as_str()));
}

#[tokio::test]
async fn new_boards_by_industry_class_through_the_api_the_page_and_the_workbook() {
    let app = app_with(&[]);
    let r = get(
        &app,
        "/api/v1/regions/430200/industry-opportunities?digits=4",
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = r.json();
    assert_eq!(d["digits"], 4);
    assert_eq!(d["enterprises_with_code"], d["enterprises_compared"]);
    let long: Vec<&str> = d["long_boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["industry"]["code"].as_str().unwrap())
        .collect();
    // Zhuzhou's rail works: high-speed train sets (3711) are a long board.
    assert!(long.contains(&"3711"), "{long:?}");
    let boards = d["new_boards"].as_array().unwrap();
    assert!(!boards.is_empty());
    for b in boards {
        assert!(b["rca"].as_f64().unwrap() <= 1.0, "{b}");
        let related = b["related"].as_array().unwrap();
        assert!(related
            .iter()
            .all(|r| long.contains(&r["industry"]["code"].as_str().unwrap())));
    }
    // Divisions: two digits, named.
    let d2 = get(
        &app,
        "/api/v1/regions/430200/industry-opportunities?digits=2",
        None,
    )
    .await
    .json();
    let first = &d2["long_boards"][0]["industry"];
    assert_eq!(first["code"].as_str().unwrap().len(), 2, "{first}");
    assert!(
        first["name_zh"].as_str().unwrap().ends_with("业"),
        "{first}"
    );
    let bad = get(
        &app,
        "/api/v1/regions/430200/industry-opportunities?digits=6",
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("应为 2（大类）、3（中类）或 4（小类）"),
        "{}",
        bad.body
    );

    // The page in both languages, linked from the node page, and its workbook.
    let node_page = get(&app, "/opportunities?region=430200", None).await;
    assert!(node_page
        .body
        .contains("/opportunities/industries?region=430200"));
    let page = get(
        &app,
        "/opportunities/industries?region=430200&digits=4",
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "新板机会（按国民经济行业）",
        "3711 铁路、船舶、航空航天和其他运输设备制造业",
        "有行业代码的企业",
    ] {
        assert!(page.body.contains(needle), "{needle}");
    }
    let english = get(
        &app,
        "/opportunities/industries?region=430200&digits=4",
        Some("lang=en"),
    )
    .await;
    assert!(english
        .body
        .contains("3711 Railway, ship, aerospace and other transport equipment"));
    // English punctuation in English: the related classes' proximity in ASCII brackets.
    assert!(
        !english.body.contains('（'),
        "full-width brackets in the English page"
    );
    let sheet = get(
        &app,
        "/opportunities/industries?region=430200&format=xlsx",
        None,
    )
    .await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert!(sheet.raw.starts_with(b"PK"), "an xlsx workbook");
}
