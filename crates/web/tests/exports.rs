//! A page's table as an Excel workbook: every row (not one page), sheet and column names
//! in the viewer's language, numbers as numbers, and the permission rules of the page.

mod support;

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use support::*;

/// Every sheet of a workbook answer: its name and rows.
fn all_sheets(reply: &Reply) -> Vec<(String, Vec<Vec<Data>>)> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = reply.raw.clone();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            (name, range.rows().map(|r| r.to_vec()).collect())
        })
        .collect()
}

/// The first sheet of a workbook answer: its name and rows.
fn first_sheet(reply: &Reply) -> (String, Vec<Vec<Data>>) {
    all_sheets(reply).swap_remove(0)
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(x) => *x,
        Data::Int(x) => *x as f64,
        other => panic!("not a number: {other:?}"),
    }
}

#[tokio::test]
async fn a_node_s_enterprises_export_whole_in_the_viewer_s_language() {
    let app = app_with(&[]);
    let store = app.store();
    let node = store.enterprise_nodes_of(FIRM).unwrap()[0].item.id;
    let total = store
        .node_enterprises(node, None, chainatlas_store::EnterpriseOrder::ById, 1, 0)
        .unwrap()
        .total;
    assert!(total > 1, "the firm shares its node with others");

    let reply = get(&app, &format!("/nodes/{}?format=xlsx", node.0), None).await;
    let (name, rows) = first_sheet(&reply);
    assert_eq!(name, "企业");
    assert_eq!(rows[0][4], Data::String("产值 (万元)".into()));
    assert_eq!(
        rows.len() as u64,
        total + 1,
        "every enterprise, not one page"
    );
    assert!(
        rows[1..].iter().all(|r| matches!(r[4], Data::Float(_))),
        "output as numbers"
    );

    // An enterprise user sees its own figures and a dash for everyone else's.
    let reply = get_as(
        &app,
        &format!("/nodes/{}?format=xlsx", node.0),
        &app.firm,
        Some("lang=en"),
    )
    .await;
    let (name, rows) = first_sheet(&reply);
    assert_eq!(name, "Enterprises");
    assert_eq!(rows[0][4], Data::String("Output (10k yuan)".into()));
    for row in &rows[1..] {
        let own = row[0] == Data::Float(FIRM.0 as f64);
        assert_eq!(matches!(row[4], Data::Float(_)), own, "{row:?}");
    }

    let bad = get(&app, &format!("/nodes/{}?format=pdf", node.0), None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("应为 xlsx"), "{}", bad.body);
}

#[tokio::test]
async fn chains_nodes_and_the_audit_log_export_as_their_pages_show_them() {
    let app = app_with(&[]);
    let chains = app.store().chains().unwrap().len();
    let (name, rows) = first_sheet(&get(&app, "/chains?format=xlsx", None).await);
    assert_eq!(name, "产业链");
    assert_eq!(rows.len(), chains + 1);

    let (_, rows) = first_sheet(&get(&app, "/chains/rail?format=xlsx&region=430200", None).await);
    let nodes = app
        .store()
        .chain_nodes(app.store().chain_by_code("rail").unwrap().unwrap().id)
        .unwrap()
        .len();
    assert_eq!(rows.len(), nodes + 1);

    let (name, rows) =
        first_sheet(&get_as(&app, "/admin/audit?format=xlsx", &app.admin, None).await);
    assert_eq!(name, "审计日志");
    assert!(rows.len() > 1);
    let refused = get_as(&app, "/admin/audit?format=xlsx", &app.analyst, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_enterprise_s_agreements_export_holds_only_its_own() {
    let app = app_with(&[]);
    let all = get(&app, "/api/v1/agreements", None).await.json();
    let own = get_as(&app, "/api/v1/agreements", &app.firm, None)
        .await
        .json();
    let count = |v: &serde_json::Value| {
        v.as_array()
            .or_else(|| v["items"].as_array())
            .map_or(0, |a| a.len())
    };
    assert!(count(&all) > count(&own), "the demo has others' agreements");
    let (name, rows) = first_sheet(&get(&app, "/agreements/export.xlsx", None).await);
    assert_eq!(name, "签约项目台账");
    assert_eq!(rows.len(), count(&all) + 1);
    let (_, rows) = first_sheet(&get_as(&app, "/agreements/export.xlsx", &app.firm, None).await);
    assert_eq!(rows.len(), count(&own) + 1, "only the firm's own");
}

#[tokio::test]
async fn a_diagnosis_exports_each_section_as_a_sheet_with_numbers_as_numbers() {
    let app = app_with(&[]);
    let reply = get(
        &app,
        "/chains/rail/diagnosis?region=430200&format=xlsx",
        None,
    )
    .await;
    let book = all_sheets(&reply);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "短板环节",
            "本地配套率",
            "供应依赖",
            "单一来源依赖",
            "卡点企业与环节",
            "各环节企业分布"
        ]
    );
    let api = get(&app, "/api/v1/chains/rail/diagnosis?region=430200", None)
        .await
        .json();
    let coverage = &book[5].1;
    assert_eq!(
        coverage.len(),
        api["coverage"].as_array().unwrap().len() + 1,
        "every node of the chain"
    );
    // Output in 万元 and the share as numbers, as the page shows them.
    let first = &api["coverage"][0];
    let wan = |fen: &serde_json::Value| fen.as_i64().unwrap() as f64 / 1_000_000.0;
    assert!((number(&coverage[1][3]) - wan(&first["output_fen"])).abs() <= 0.05);
    assert!((number(&coverage[1][4]) - first["share"].as_f64().unwrap()).abs() < 0.001);
    // Every short board appears, with its targets a row each.
    let boards = &book[0].1;
    for board in api["short_boards"].as_array().unwrap() {
        let name = board["node"]["name_zh"].as_str().unwrap();
        assert!(
            boards.iter().any(|r| r[0] == Data::String(name.into())),
            "{name}"
        );
    }

    let en = get(
        &app,
        "/chains/rail/diagnosis?region=430200&format=xlsx",
        Some("lang=en"),
    )
    .await;
    assert_eq!(all_sheets(&en)[0].0, "Short boards");

    let without_region = get(&app, "/chains/rail/diagnosis?format=xlsx", None).await;
    assert_eq!(without_region.status, StatusCode::BAD_REQUEST);
    assert!(
        without_region.body.contains("导出诊断需要选择一个地区"),
        "{}",
        without_region.body
    );
}

#[tokio::test]
async fn a_disruption_exports_its_figures_and_tables() {
    let app = app_with(&[]);
    let book = all_sheets(
        &get(
            &app,
            "/chains/rail/disruption?region=430200&format=xlsx",
            None,
        )
        .await,
    );
    let api = get(&app, "/api/v1/chains/rail/disruption?region=430200", None)
        .await
        .json();
    let (name, summary) = &book[0];
    assert_eq!(name, "概要");
    assert_eq!(
        number(&summary[1][1]),
        api["hit_enterprises"].as_f64().unwrap()
    );
    let total_loss = api["total_loss_fen"].as_i64().unwrap() as f64 / 1_000_000.0;
    assert!((number(&summary[3][1]) - total_loss).abs() <= 0.05);
    let affected = &book.iter().find(|(n, _)| n == "受影响企业").unwrap().1;
    assert_eq!(
        affected.len(),
        api["enterprises"].as_array().unwrap().len() + 1
    );

    let nothing = get(&app, "/chains/rail/disruption?format=xlsx", None).await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_listing_search_exports_every_listing_found_and_a_listing_its_matches() {
    let app = app_with(&[]);
    let api = get(&app, "/api/v1/listings?side=supply&limit=5", None)
        .await
        .json();
    let total = api["total"].as_u64().unwrap();
    assert!(total > 5, "more than one page of listings");
    let (name, rows) = first_sheet(&get(&app, "/listings?side=supply&format=xlsx", None).await);
    assert_eq!(name, "供需对接");
    assert_eq!(rows.len() as u64, total + 1, "every listing, not one page");
    assert!(rows[1..]
        .iter()
        .all(|r| r[2] == Data::String("供给".into())));

    let id = api["items"][0]["id"].as_i64().unwrap();
    // The same viewer on both doors: a firm sees no other firm's price, so its scores
    // leave the price part out.
    let matches = get_as(
        &app,
        &format!("/api/v1/listings/{id}/matches?top=5"),
        &app.firm,
        None,
    )
    .await
    .json();
    let (name, rows) = first_sheet(
        &get_as(
            &app,
            &format!("/listings/{id}?format=xlsx&top=5"),
            &app.firm,
            Some("lang=en"),
        )
        .await,
    );
    assert_eq!(name, "Recommended counterparts");
    let expected = matches["matches"].as_array().unwrap();
    assert_eq!(rows.len(), expected.len() + 1);
    for (row, m) in rows[1..].iter().zip(expected) {
        assert_eq!(number(&row[0]), m["listing_id"].as_f64().unwrap());
        assert_eq!(
            number(&row[2]),
            (m["score"]["total"].as_f64().unwrap() * 100.0).round()
        );
    }
}

#[tokio::test]
async fn every_table_of_the_opportunities_pages_is_a_sheet() {
    let app = app_with(&[]);
    let names = |reply: &Reply| -> Vec<String> {
        all_sheets(reply)
            .into_iter()
            .map(|(name, rows)| {
                assert!(rows.len() > 1, "{name} has rows");
                name
            })
            .collect()
    };
    let nodes = get(&app, "/opportunities?region=430200&format=xlsx", None).await;
    assert_eq!(
        names(&nodes),
        [
            "新板（锻新板）",
            "长板（锻长板）",
            "关键部门（本地投入产出）"
        ]
    );
    let industries = get(
        &app,
        "/opportunities/industries?region=430200&format=xlsx",
        Some("lang=en"),
    )
    .await;
    assert_eq!(names(&industries), ["New boards", "Long boards"]);
    let (_, rows) = all_sheets(&industries).swap_remove(1);
    assert!(rows[1..].iter().any(|r| r[0]
        == Data::String("3711 Railway, ship, aerospace and other transport equipment".into())));
}
