//! A page's table as an Excel workbook: every row (not one page), sheet and column names
//! in the viewer's language, numbers as numbers, and the permission rules of the page.

mod support;

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use support::*;

/// The first sheet of a workbook answer: its name and rows.
fn first_sheet(reply: &Reply) -> (String, Vec<Vec<Data>>) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = reply.raw.clone();
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    (name, range.rows().map(|r| r.to_vec()).collect())
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
