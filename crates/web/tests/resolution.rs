//! Enterprise lists resolved against the atlas through the API and the pages: upload,
//! map a column the headers did not name, review, a commit refused for a row that cannot
//! be added (nothing written), commit, undo; merges moved and undone to the atlas as it
//! was; duplicates found; and many clients at once writing each thing once.

mod support;

use axum::http::{header, Method, StatusCode};
use chainatlas_model::{CreditCode, EnterpriseId, Record};
use support::*;

fn csrf_headers(who: &Who) -> Vec<(&'static str, String)> {
    match (&who.cookie, &who.csrf) {
        (Some(_), Some(csrf)) => vec![("x-csrf-token", csrf.clone())],
        _ => Vec::new(),
    }
}

async fn upload(app: &App, who: &Who, name: &str, body: &str) -> Reply {
    let headers = csrf_headers(who);
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    send_bytes(
        app,
        Method::POST,
        &format!("/api/v1/resolutions?name={name}"),
        who,
        None,
        &headers,
        body.as_bytes().to_vec(),
    )
    .await
}

async fn post_json(app: &App, who: &Who, uri: &str, body: &str) -> Reply {
    let mut headers = csrf_headers(who);
    headers.push(("content-type", "application/json".into()));
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    send(app, Method::POST, uri, who, None, &headers, body).await
}

fn new_code(seq: &str) -> String {
    CreditCode::with_check_character(&format!("91430200MA4L{seq}"))
        .unwrap()
        .to_string()
}

fn row(list: &serde_json::Value, n: u64) -> &serde_json::Value {
    list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["row"] == n)
        .unwrap_or_else(|| panic!("no row {n} in {list}"))
}

/// A park's roster: the legal name and code of enterprise 2 with its address under a
/// header nobody recognises (厂址), a new firm, and a new firm without a credit code.
fn roster(app: &App) -> (String, chainatlas_model::Enterprise) {
    let known = app.store().enterprise(EnterpriseId(2)).unwrap().unwrap();
    let csv = format!(
        "序号,企业名称,统一社会信用代码,所在地区,厂址,联系电话\n\
         1,{},{},{},株洲市天元区黄河南路 9 号,0731-22880000\n\
         2,湘江星辰精密科技有限公司,{},株洲市,株洲市芦淞区董家塅,0731-28000001\n\
         3,无代码新材料有限公司,,株洲市,,\n",
        known.name_zh,
        known.credit_code,
        known.region,
        new_code("0X0X1"),
    );
    (csv, known)
}

#[tokio::test]
async fn a_messy_list_is_mapped_reviewed_committed_and_undone() {
    let app = app_with(&[]);
    let (csv, known) = roster(&app);
    let before = app.store().counts().unwrap();

    let up = upload(&app, &app.analyst, "%E5%9B%AD%E5%8C%BA.csv", &csv).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let list = up.json();
    assert_eq!(list["status"], "uploaded");
    assert_eq!(list["counts"]["rows"], 3);
    let field = |l: &serde_json::Value, f: &str| {
        l["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["field"] == f)
            .unwrap()["columns"]
            .clone()
    };
    assert_eq!(field(&list, "name"), serde_json::json!(["企业名称"]));
    assert_eq!(field(&list, "id"), serde_json::json!(["序号"]));
    assert_eq!(
        field(&list, "address"),
        serde_json::json!([]),
        "厂址 is not a known header"
    );
    let id = list["id"].as_i64().unwrap();

    // The address column mapped by hand; every row resolved.
    let mapped = post_json(
        &app,
        &app.analyst,
        &format!("/api/v1/resolutions/{id}/mapping"),
        r#"{"mapping": {"address": "厂址"}}"#,
    )
    .await;
    assert_eq!(mapped.status, StatusCode::OK, "{}", mapped.body);
    let list = mapped.json();
    assert_eq!(list["status"], "review");
    assert_eq!(field(&list, "address"), serde_json::json!(["厂址"]));
    let first = row(&list, 2);
    assert_eq!(first["decision"], "match", "{first}");
    assert_eq!(first["target"], 2);
    assert_eq!(first["action"], "enrich");
    assert_eq!(first["address"], "株洲市天元区黄河南路 9 号");
    assert!(!first["candidates"][0]["reasons"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(row(&list, 3)["decision"], "new");
    assert_eq!(row(&list, 3)["action"], "add");

    // The firm without a credit code cannot be added: the commit is refused, naming
    // its row, and nothing is written.
    let refused = post_json(
        &app,
        &app.analyst,
        &format!("/api/v1/resolutions/{id}/commit"),
        "",
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("第 4 行"), "{}", refused.body);
    assert!(
        refused.body.contains("统一社会信用代码"),
        "{}",
        refused.body
    );
    assert_eq!(app.store().counts().unwrap(), before);

    // Skipped, the list commits: enterprise 2 gains the address and phone, the new firm
    // is added with the database's id.
    let skip = post_json(
        &app,
        &app.analyst,
        &format!("/api/v1/resolutions/{id}/rows/4"),
        r#"{"choice": "skip"}"#,
    )
    .await;
    assert_eq!(skip.status, StatusCode::OK, "{}", skip.body);
    let done = post_json(
        &app,
        &app.analyst,
        &format!("/api/v1/resolutions/{id}/commit"),
        "",
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let list = done.json();
    assert_eq!(list["status"], "committed");
    assert_eq!(row(&list, 2)["outcome"], "enriched");
    assert_eq!(row(&list, 4)["outcome"], "skipped");
    let added = row(&list, 3)["enterprise"].as_i64().unwrap();
    let store = app.store();
    let enriched = store.enterprise(EnterpriseId(2)).unwrap().unwrap();
    assert_eq!(enriched.address, "株洲市天元区黄河南路 9 号");
    assert_eq!(enriched.phone, "0731-22880000");
    assert_eq!(enriched.name_zh, known.name_zh, "nothing overwritten");
    let new = store.enterprise(EnterpriseId(added)).unwrap().unwrap();
    assert_eq!(new.name_zh, "湘江星辰精密科技有限公司");
    assert_eq!(new.region.to_string(), "430200");
    assert_eq!(new.source, "名单 园区.csv");
    assert_eq!(store.counts().unwrap().enterprises, before.enterprises + 1);
    // The new firm is found by the search box, and its page shows the address to staff.
    let found = get(&app, "/api/v1/search?q=%E6%98%9F%E8%BE%B0", None).await;
    assert!(
        found.body.contains(&format!("\"id\":{added}")),
        "{}",
        found.body
    );
    let page = get(&app, "/enterprises/2", None).await;
    assert!(page.body.contains("株洲市天元区黄河南路 9 号"));
    // A firm user does not see another enterprise's contact details.
    let as_firm = get_as(&app, "/api/v1/enterprises/2", &app.firm, None)
        .await
        .json();
    assert_eq!(as_firm["address"], serde_json::Value::Null);

    // A committed list takes no more choices, and commits once.
    let late = post_json(
        &app,
        &app.analyst,
        &format!("/api/v1/resolutions/{id}/rows/2"),
        r#"{"choice": "reject"}"#,
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);

    // Undone: the new firm is gone, enterprise 2 as it was.
    let undone = post_json(
        &app,
        &app.analyst,
        &format!("/api/v1/resolutions/{id}/undo"),
        "",
    )
    .await;
    assert_eq!(undone.status, StatusCode::OK, "{}", undone.body);
    let store = app.store();
    assert_eq!(store.enterprise(EnterpriseId(2)).unwrap().unwrap(), known);
    assert!(store.enterprise(EnterpriseId(added)).unwrap().is_none());
    assert_eq!(store.counts().unwrap(), before);
    // Every step is in the audit log.
    let log = store.audit_log(20, 0).unwrap();
    let actions: Vec<&str> = log
        .items
        .iter()
        .filter(|e| e.change.entity == "resolution")
        .map(|e| e.change.action.as_str())
        .collect();
    assert_eq!(actions, ["undo", "commit", "choose", "map", "upload"]);
}

#[tokio::test]
async fn the_review_pages_confirm_reject_and_choose_in_either_language() {
    let app = app_with(&[]);
    let (csv, _) = roster(&app);
    let id = upload(&app, &app.analyst, "roster.csv", &csv).await.json()["id"]
        .as_i64()
        .unwrap();
    // The mapping form as a page sends it: one select per field.
    let page = get(&app, &format!("/resolutions/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("列映射") && page.body.contains("按此映射比对"));
    let csrf = app.analyst.csrf.clone().unwrap();
    let mapped = post_form(
        &app,
        &format!("/resolutions/{id}/mapping"),
        &app.analyst,
        None,
        &format!("csrf_token={csrf}&map.name=%E4%BC%81%E4%B8%9A%E5%90%8D%E7%A7%B0&map.address=%E5%8E%82%E5%9D%80&map.region="),
    )
    .await;
    assert_eq!(mapped.status, StatusCode::SEE_OTHER, "{}", mapped.body);
    let review = get(&app, &format!("/resolutions/{id}"), None).await;
    assert!(review.body.contains("确认匹配") && review.body.contains("id=\"row-2\""));
    let english = get(&app, &format!("/resolutions/{id}"), Some("lang=en")).await;
    assert!(english.body.contains("Confirm the match") && english.body.contains("On commit"));
    // Reject row 2 (it becomes a new enterprise, whose credit code is taken: refused
    // at commit), choose enterprise 3 for row 3 instead.
    for (row, form) in [
        (2, "choice=reject".to_string()),
        (3, "choice=choose&enterprise=x+%233".to_string()),
    ] {
        let r = post_form(
            &app,
            &format!("/resolutions/{id}/rows/{row}"),
            &app.analyst,
            None,
            &format!("csrf_token={csrf}&{form}"),
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            r.headers[header::LOCATION].to_str().unwrap(),
            format!("/resolutions/{id}#row-{row}")
        );
    }
    let list = get(&app, &format!("/api/v1/resolutions/{id}"), None)
        .await
        .json();
    assert_eq!(row(&list, 2)["action"], "add");
    assert_eq!(row(&list, 3)["action"], "enrich");
    assert_eq!(row(&list, 3)["target"], 3);
    let refused = post_form(
        &app,
        &format!("/resolutions/{id}/commit"),
        &app.analyst,
        None,
        &format!("csrf_token={csrf}"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused.body.contains("第 2 行") && refused.body.contains("已属于另一家企业"),
        "{}",
        refused.body
    );
    // A firm may not touch it.
    let firm = post_form(
        &app,
        &format!("/resolutions/{id}/commit"),
        &app.firm,
        None,
        &format!("csrf_token={}", app.firm.csrf.clone().unwrap()),
    )
    .await;
    assert_eq!(firm.status, StatusCode::FORBIDDEN);
    let lists = get(&app, "/resolutions", None).await;
    assert!(lists.body.contains("roster.csv"));
}

/// Every table of the atlas as CSV text.
fn snapshot(app: &App) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    chainatlas_bundle::export(&app.store(), &out, &mut |_| {}).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Two enterprises with nodes and relations that take part in no event together.
fn pair(app: &App) -> (i64, i64) {
    let store = app.store();
    let ids: Vec<i64> = (2..60)
        .filter(|&i| {
            !store
                .enterprise_nodes_of(EnterpriseId(i))
                .unwrap()
                .is_empty()
        })
        .filter(|&i| store.suppliers_of(EnterpriseId(i), 1, 0).unwrap().total > 0)
        .collect();
    (ids[0], ids[1])
}

#[tokio::test]
async fn a_merge_moves_everything_to_the_survivor_and_its_undo_leaves_the_atlas_as_it_was() {
    let app = app_with(&[]);
    let before = snapshot(&app);
    let (keep, drop) = pair(&app);
    let dropped = app.store().enterprise(EnterpriseId(drop)).unwrap().unwrap();
    let nodes_before = app
        .store()
        .enterprise_nodes_of(EnterpriseId(keep))
        .unwrap()
        .len()
        + app
            .store()
            .enterprise_nodes_of(EnterpriseId(drop))
            .unwrap()
            .len();

    let merged = post_json(
        &app,
        &app.analyst,
        "/api/v1/merges",
        &format!(r#"{{"survivor": {keep}, "merged": {drop}}}"#),
    )
    .await;
    assert_eq!(merged.status, StatusCode::CREATED, "{}", merged.body);
    let m = merged.json();
    let merge_id = m["id"].as_i64().unwrap();
    let store = app.store();
    assert!(store.enterprise(EnterpriseId(drop)).unwrap().is_none());
    let survivor = store.enterprise(EnterpriseId(keep)).unwrap().unwrap();
    assert!(
        survivor.other_names.contains(&dropped.name_zh),
        "{:?}",
        survivor.other_names
    );
    let nodes_after = store.enterprise_nodes_of(EnterpriseId(keep)).unwrap().len() as u64;
    assert_eq!(
        nodes_after + m["removed_nodes"].as_u64().unwrap(),
        nodes_before as u64
    );
    assert_eq!(
        get(&app, &format!("/api/v1/enterprises/{drop}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Merging it again: it no longer exists.
    let again = post_json(
        &app,
        &app.analyst,
        "/api/v1/merges",
        &format!(r#"{{"survivor": {keep}, "merged": {drop}}}"#),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    // The merge page offers the undo; the undo puts every table back as it was.
    let page = get(&app, &format!("/merges/{merge_id}"), None).await;
    assert!(page.body.contains("撤销合并"));
    assert!(
        page.body.contains("供应关系") && !page.body.contains("supply_relations"),
        "what moved is named for people"
    );
    let csrf = app.analyst.csrf.clone().unwrap();
    let undone = post_form(
        &app,
        &format!("/merges/{merge_id}/undo"),
        &app.analyst,
        None,
        &format!("csrf_token={csrf}"),
    )
    .await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER, "{}", undone.body);
    assert_eq!(snapshot(&app), before);
    let twice = post_json(
        &app,
        &app.analyst,
        &format!("/api/v1/merges/{merge_id}/undo"),
        "",
    )
    .await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    // An enterprise cannot be merged with itself.
    let itself = post_json(
        &app,
        &app.analyst,
        "/api/v1/merges",
        &format!(r#"{{"survivor": {keep}, "merged": {keep}}}"#),
    )
    .await;
    assert_eq!(itself.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_copy_of_an_enterprise_is_found_as_a_duplicate() {
    let probe = app_with(&[]);
    let original = probe.store().enterprise(EnterpriseId(5)).unwrap().unwrap();
    let mut copy = original.clone();
    copy.id = EnterpriseId(9_001);
    copy.credit_code = new_code("0D0P1").parse().unwrap();
    copy.name_zh = format!("{}（原）", original.name_zh).replace("有限公司（原）", "有限责任公司");
    let app = app_with(&[Record::Enterprise(copy)]);
    let pairs = get(&app, "/api/v1/duplicates", None).await.json();
    let found = pairs.as_array().unwrap().iter().any(|p| {
        let ids = [
            p["a"]["id"].as_i64().unwrap(),
            p["b"]["id"].as_i64().unwrap(),
        ];
        ids.contains(&5) && ids.contains(&9_001)
    });
    assert!(found, "{pairs}");
    let page = get(&app, "/duplicates", None).await;
    assert!(
        page.body.contains("/merges/new?keep=5&amp;drop=9001"),
        "{}",
        page.body
    );
    let en = get(&app, "/merges/new?keep=5&drop=9001", Some("lang=en")).await;
    assert!(en.body.contains("Confirm the merge"));
}

/// Runs `n` requests at once, each from its own task; their statuses in order.
async fn at_once<F, Fut>(app: &std::sync::Arc<App>, n: usize, f: F) -> Vec<StatusCode>
where
    F: Fn(std::sync::Arc<App>) -> Fut,
    Fut: std::future::Future<Output = StatusCode> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(f(app.clone()))).collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

#[tokio::test]
async fn many_clients_at_once_upload_choose_commit_and_merge_each_thing_once() {
    let app = std::sync::Arc::new(app_with(&[]));
    let (csv, _) = roster(&app);
    let csv = std::sync::Arc::new(csv);
    // 16 uploads at once: 16 lists with distinct numbers.
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (app, csv) = (app.clone(), csv.clone());
        tasks.push(tokio::spawn(async move {
            upload(&app, &app.analyst_token, "roster.csv", &csv)
                .await
                .json()["id"]
                .as_i64()
                .unwrap()
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 16);
    let id = ids[0];
    let mapped = post_json(
        &app,
        &app.analyst_token,
        &format!("/api/v1/resolutions/{id}/mapping"),
        "{}",
    )
    .await;
    assert_eq!(mapped.status, StatusCode::OK, "{}", mapped.body);
    // Choices on every row at once, each kept.
    let mut tasks = Vec::new();
    for (row, choice) in [(2, "confirm"), (3, "proposed"), (4, "skip")] {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            post_json(
                &app,
                &app.analyst_token,
                &format!("/api/v1/resolutions/{id}/rows/{row}"),
                &format!(r#"{{"choice": "{choice}"}}"#),
            )
            .await
            .status
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let before = app.store().counts().unwrap().enterprises;
    // 16 commits of one list at once: exactly one writes.
    let commit = format!("/api/v1/resolutions/{id}/commit");
    let statuses = at_once(&app, 16, move |app| {
        let commit = commit.clone();
        async move {
            post_json(&app, &app.analyst_token, &commit, "")
                .await
                .status
        }
    })
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT));
    assert_eq!(app.store().counts().unwrap().enterprises, before + 1);
    // 16 merges of one pair at once: one merge, the rest find it gone.
    let (keep, drop) = pair(&app);
    let body = format!(r#"{{"survivor": {keep}, "merged": {drop}}}"#);
    let statuses = at_once(&app, 16, move |app| {
        let body = body.clone();
        async move {
            post_json(&app, &app.analyst_token, "/api/v1/merges", &body)
                .await
                .status
        }
    })
    .await;
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(app.store().counts().unwrap().enterprises, before);
}

#[tokio::test]
async fn one_choice_for_every_row_of_a_kind() {
    let app = app_with(&[]);
    let (csv, _) = roster(&app);
    let id = upload(&app, &app.analyst, "roster.csv", &csv).await.json()["id"]
        .as_i64()
        .unwrap();
    let map = format!("/api/v1/resolutions/{id}/mapping");
    assert_eq!(
        post_json(&app, &app.analyst, &map, "{}").await.status,
        StatusCode::OK
    );
    let all = format!("/api/v1/resolutions/{id}/rows");
    let skipped = post_json(
        &app,
        &app.analyst,
        &all,
        r#"{"decision": "new", "choice": "skip"}"#,
    )
    .await;
    assert_eq!(skipped.status, StatusCode::OK, "{}", skipped.body);
    assert_eq!(skipped.json()["count"], 2);
    let list = get(&app, &format!("/api/v1/resolutions/{id}"), None)
        .await
        .json();
    assert_eq!(list["counts"]["skip"], 2);
    assert_eq!(list["counts"]["enrich"], 1);
    for bad in [
        r#"{"decision": "new", "choice": "choose"}"#,
        r#"{"decision": "everything", "choice": "skip"}"#,
    ] {
        assert_eq!(
            post_json(&app, &app.analyst, &all, bad).await.status,
            StatusCode::BAD_REQUEST
        );
    }
    // The page's form: back to the proposals for the new rows.
    let csrf = app.analyst.csrf.clone().unwrap();
    let reset = post_form(
        &app,
        &format!("/resolutions/{id}/rows"),
        &app.analyst,
        None,
        &format!("csrf_token={csrf}&decision=new&choice=proposed"),
    )
    .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER, "{}", reset.body);
    let list = get(&app, &format!("/api/v1/resolutions/{id}"), None)
        .await
        .json();
    assert_eq!(list["counts"]["add"], 2);
    let page = get(&app, &format!("/resolutions/{id}?decision=new"), None).await;
    assert!(page.body.contains("id=\"choose-all-form\""));
}
