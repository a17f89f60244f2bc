//! Imports through the API and the pages: a workbook with a bad credit code is refused
//! with the located problem in Chinese and changes nothing; fixed, it previews, commits
//! from the preview, and the enterprise is found; only analysts and admins may import.

mod support;

use axum::http::{Method, StatusCode};
use chainatlas_bundle::sheet::{to_xlsx, Sheet};
use chainatlas_model::CreditCode;
use support::*;

fn workbook(credit_code: &str) -> Vec<u8> {
    workbook_of(credit_code, "湘江星辰精密科技有限公司")
}

fn workbook_of(credit_code: &str, name: &str) -> Vec<u8> {
    let header = [
        "credit_code",
        "name_zh",
        "region_code",
        "size",
        "revenue",
        "employees",
    ];
    to_xlsx(&[Sheet {
        name: "enterprises".into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows: vec![vec![
            credit_code.into(),
            name.into(),
            "430211".into(),
            "small".into(),
            "12000000".into(),
            "35".into(),
        ]],
    }])
    .unwrap()
}

async fn upload(app: &App, who: &Who, query: &str, body: Vec<u8>) -> Reply {
    let csrf = who.csrf.clone().unwrap_or_default();
    let headers: Vec<(&str, &str)> = if who.cookie.is_some() {
        vec![("x-csrf-token", csrf.as_str())]
    } else {
        vec![]
    };
    send_bytes(
        app,
        Method::POST,
        &format!("/api/v1/imports?{query}"),
        who,
        None,
        &headers,
        body,
    )
    .await
}

fn enterprises_named(app: &App, name: &str) -> u64 {
    app.store()
        .search_enterprises(name, None, 10, 0)
        .unwrap()
        .total
}

#[tokio::test]
async fn a_bad_workbook_is_refused_where_it_is_wrong_and_a_good_one_previews_then_commits() {
    let app = app_with(&[]);
    let good = CreditCode::with_check_character("91430200MA4L00001").unwrap();
    let bad = mistyped(good.as_str());

    // Refused, in Chinese, naming the sheet, row and column; nothing written.
    let reply = upload(
        &app,
        &app.analyst_token,
        "mode=commit&name=e.xlsx",
        workbook(&bad),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["state"], "refused");
    let message = report["problems"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("工作表 enterprises 第 2 行，A 列（credit_code）："),
        "{message}"
    );
    assert!(english_sentence(message).is_none(), "{message}");
    // Its page says the same, in Chinese only.
    let refused = report["id"].as_u64().unwrap();
    let page = get(&app, &format!("/imports/{refused}"), None).await;
    let text = visible_text(&page.body);
    assert!(text.contains("工作表 enterprises 第 2 行"), "{text}");
    assert_eq!(english_sentence(&text), None, "{text}");
    assert_eq!(enterprises_named(&app, "湘江星辰"), 0);

    // Fixed: a preview counts one enterprise added and writes nothing.
    let reply = upload(
        &app,
        &app.analyst,
        "mode=preview&name=e.xlsx",
        workbook(good.as_str()),
    )
    .await;
    let report = reply.json();
    assert_eq!(report["state"], "done", "{}", reply.body);
    let enterprises = report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "enterprises")
        .unwrap();
    assert_eq!(enterprises["added"], 1);
    assert_eq!(enterprises_named(&app, "湘江星辰"), 0);

    // Its page offers the commit; committing the preview imports it.
    let id = report["id"].as_u64().unwrap();
    let page = get(&app, &format!("/imports/{id}"), None).await;
    assert!(page.body.contains("id=\"import-confirm\""), "{}", page.body);
    let reply = post_form(
        &app,
        &format!("/imports/{id}/commit"),
        &app.analyst,
        None,
        &format!("csrf_token={}", app.analyst.csrf.clone().unwrap()),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let next = reply.headers["location"].to_str().unwrap().to_string();
    let committed: u64 = next.trim_start_matches("/imports/").parse().unwrap();
    let report = loop {
        let report = get(&app, &format!("/api/v1/imports/{committed}"), None)
            .await
            .json();
        if report["state"] != "running" {
            break report;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(report["state"], "done", "{report}");
    assert_eq!(report["mode"], "commit");
    assert_eq!(enterprises_named(&app, "湘江星辰"), 1);
    // A second commit of the same preview is refused.
    let again = send_json(
        &app,
        Method::POST,
        &format!("/api/v1/imports/{id}/commit"),
        &app.analyst_token,
        "",
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
}

#[tokio::test]
async fn only_analysts_and_admins_import_and_a_stranger_cannot_read_an_import() {
    let app = app_with(&[]);
    let reply = upload(&app, &app.firm_token, "mode=preview", workbook("x")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let page = get_as(&app, "/imports", &app.firm, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let reply = upload(
        &app,
        &app.analyst_token,
        "mode=preview",
        b"not a workbook".to_vec(),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["error"]["code"], "invalid_bundle");
    // The analyst's import is not the firm's to read.
    let reply = upload(&app, &app.analyst_token, "mode=preview", workbook("x")).await;
    let id = reply.json()["id"].as_u64().unwrap();
    let other = get_as(
        &app,
        &format!("/api/v1/imports/{id}"),
        &app.firm_token,
        None,
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    // A cookie upload without the page's token is refused.
    let stale = send_bytes(
        &app,
        Method::POST,
        "/api/v1/imports",
        &app.analyst,
        None,
        &[],
        workbook("x"),
    )
    .await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN);
    assert_eq!(stale.json()["error"]["code"], "csrf");
}

#[tokio::test]
async fn the_template_workbook_downloads() {
    let app = app_with(&[]);
    let reply = get(&app, "/imports/template.xlsx", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("chainatlas-template.xlsx"));
}

#[tokio::test]
async fn the_whole_export_imports_back_unchanged_and_is_staff_only() {
    let app = app_with(&[]);
    let denied = get_as(&app, "/api/v1/export?format=zip", &app.firm_token, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    for format in ["zip", "xlsx"] {
        let request = axum::http::Request::builder()
            .uri(format!("/api/v1/export?format={format}"))
            .header(
                "authorization",
                format!("Bearer {}", app.analyst_token.bearer.clone().unwrap()),
            )
            .body(axum::body::Body::empty())
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.router.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        let reply = upload(&app, &app.analyst_token, "mode=preview", bytes).await;
        let report = reply.json();
        assert_eq!(report["state"], "done", "{format}: {}", reply.body);
        for kind in report["changes"].as_array().unwrap() {
            assert_eq!(
                (kind["added"].as_u64(), kind["changed"].as_u64()),
                (Some(0), Some(0)),
                "{format}: {kind}"
            );
        }
        let agreements = report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "agreements")
            .unwrap();
        assert!(agreements["unchanged"].as_u64().unwrap() > 0, "{format}");
    }
}

/// Many clients at once: imports run one at a time (the others are told so and write
/// nothing), every acknowledged import and every listing published meanwhile is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_imports_and_writes_lose_nothing() {
    let app = std::sync::Arc::new(app_with(&[]));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let code = CreditCode::with_check_character(&format!("91430200MA4L1{i:04}")).unwrap();
            let name = format!("并发导入测试企业{i}号有限公司");
            let reply = upload(
                &app,
                &app.analyst_token,
                "mode=commit",
                workbook_of(code.as_str(), &name),
            )
            .await;
            (name, reply)
        }));
    }
    let mut listings = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        listings.push(tokio::spawn(async move {
            let body = format!(
                r#"{{"side":"demand","kind":"equipment","title":"并发发布的需求 {i}","region_code":"430200"}}"#
            );
            send_json(&app, Method::POST, "/api/v1/listings", &app.firm_token, &body).await
        }));
    }
    let mut done = 0;
    for task in tasks {
        let (name, reply) = task.await.unwrap();
        let found = enterprises_named(&app, &name);
        if reply.status == StatusCode::OK {
            assert_eq!(reply.json()["state"], "done", "{}", reply.body);
            assert_eq!(found, 1, "{name} was acknowledged");
            done += 1;
        } else {
            assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
            assert_eq!(reply.json()["error"]["code"], "import_running");
            assert_eq!(found, 0, "{name} was refused");
        }
    }
    assert!(done >= 1);
    for task in listings {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let id = reply.json()["id"].as_i64().unwrap();
        assert!(app
            .store()
            .listing(chainatlas_model::ListingId(id))
            .unwrap()
            .is_some());
    }
}
