//! Editing the atlas one record at a time, through the forms and `/api/v1/records`: the
//! import's checks with every problem named in the page's language and nothing written,
//! the database's ids, an audit entry per change, deletes refused while something refers
//! to the record, an enterprise user's own profile and nothing else, and many clients at
//! once losing nothing.

mod support;

use axum::http::{Method, StatusCode};
use chainatlas_model::{CreditCode, EnterpriseId, Money, RecordKind};
use support::*;

use support::form_body as form;

fn pairs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn credit_code(n: u32) -> String {
    CreditCode::with_check_character(&format!("91430200MA4L2{n:04}"))
        .unwrap()
        .to_string()
}

fn count(app: &App, kind: RecordKind) -> u64 {
    app.store().snapshot().unwrap().count(kind).unwrap()
}

fn last_audit(app: &App) -> chainatlas_store::AuditEntry {
    app.store().audit_log(1, 0).unwrap().items.remove(0)
}

#[tokio::test]
async fn an_analyst_creates_edits_and_deletes_an_enterprise_through_the_forms() {
    let app = app_with(&[]);
    let page = get(&app, "/records/enterprises/new", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("统一社会信用代码"), "{}", page.body);
    let text = visible_text(&page.body);
    assert_eq!(english_sentence(&text), None, "{text}");

    // A mistyped credit code: refused beside its field, in Chinese, what was typed kept.
    let code = credit_code(1);
    let before = count(&app, RecordKind::Enterprise);
    let fields = |code: &str, name: &str| {
        vec![
            ("credit_code", code.to_string()),
            ("name_zh", name.to_string()),
            ("region_code", "株洲市 430200".to_string()),
            ("size", "small".to_string()),
            ("tags", "specialized_new".to_string()),
            ("revenue", "1,200万".to_string()),
            ("employees", "35".to_string()),
        ]
    };
    let bad = fields(&mistyped(&code), "湘江星辰精密科技有限公司");
    let reply = post_form(
        &app,
        "/records/enterprises/new",
        &app.analyst,
        None,
        &form(&app.analyst, &pairs(&bad)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("credit_code"), "{}", reply.body);
    assert!(
        reply
            .body
            .contains("统一社会信用代码（credit_code）：校验码"),
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("湘江星辰精密科技有限公司"),
        "the name typed is kept"
    );
    assert_eq!(
        count(&app, RecordKind::Enterprise),
        before,
        "nothing written"
    );

    // An industry code with a division that does not exist: refused beside its field.
    let mut bad_industry = fields(&code, "湘江星辰精密科技有限公司");
    bad_industry.push(("industry_code", "9912".to_string()));
    let reply = post_form(
        &app,
        "/records/enterprises/new",
        &app.analyst,
        None,
        &form(&app.analyst, &pairs(&bad_industry)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(
        reply.body.contains("行业大类“99”不存在：大类为 01 至 97"),
        "{}",
        reply.body
    );

    // Fixed: created with the id the database assigns, the amount read as written.
    let mut good = fields(&code, "湘江星辰精密科技有限公司");
    good.push(("industry_code", "3491".to_string()));
    let reply = post_form(
        &app,
        "/records/enterprises/new",
        &app.analyst,
        None,
        &form(&app.analyst, &pairs(&good)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.headers["location"].to_str().unwrap().to_string();
    let id: i64 = location
        .trim_start_matches("/enterprises/")
        .parse()
        .unwrap();
    let e = app.store().enterprise(EnterpriseId(id)).unwrap().unwrap();
    assert_eq!(e.revenue, "12000000".parse::<Money>().unwrap());
    assert_eq!(e.credit_code.as_str(), code);
    assert_eq!(e.industry.unwrap().to_string(), "3491");
    let entry = last_audit(&app);
    assert_eq!(
        (entry.change.action.as_str(), entry.change.entity.as_str()),
        ("create", "enterprise")
    );
    assert_eq!(entry.actor.name, "analyst");

    // The form shows it back with its region by name and revenue in 万元.
    let page = get(&app, &format!("/records/enterprises/{id}"), None).await;
    assert!(page.body.contains("1,200万"), "{}", page.body);
    assert!(page.body.contains("株洲市 430200"), "{}", page.body);

    // Renamed: an update, audited with the field before and after.
    let renamed = fields(&code, "湘江星辰精密制造有限公司");
    let reply = post_form(
        &app,
        &format!("/records/enterprises/{id}"),
        &app.analyst,
        None,
        &form(&app.analyst, &pairs(&renamed)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let entry = last_audit(&app);
    assert_eq!(entry.change.action, "update");
    assert!(entry
        .change
        .before
        .unwrap()
        .contains("湘江星辰精密科技有限公司"));
    assert!(entry
        .change
        .after
        .unwrap()
        .contains("湘江星辰精密制造有限公司"));
    let audit = get_as(&app, "/admin/audit", &app.admin, None).await;
    assert!(audit
        .body
        .contains("name_zh: 湘江星辰精密科技有限公司 → 湘江星辰精密制造有限公司"));

    // Put in a node through its picker's text; then the enterprise cannot be deleted.
    let reply = post_form(
        &app,
        "/records/enterprise_nodes/new",
        &app.analyst,
        None,
        &form(
            &app.analyst,
            &[
                ("enterprise_id", &format!("湘江星辰 #{id}")),
                ("node_id", "某环节 #1"),
                ("output", "800万"),
                ("capacity", "1000万"),
            ],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let reply = post_form(
        &app,
        &format!("/records/enterprises/{id}/delete"),
        &app.analyst,
        None,
        &form(&app.analyst, &[]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert!(
        reply.body.contains("仍有 1 项所在环节引用它"),
        "{}",
        reply.body
    );
    assert!(app.store().enterprise(EnterpriseId(id)).unwrap().is_some());

    // Its node first, then the enterprise itself.
    for path in [
        format!("/records/enterprise_nodes/{id}-1/delete"),
        format!("/records/enterprises/{id}/delete"),
    ] {
        let reply = post_form(&app, &path, &app.analyst, None, &form(&app.analyst, &[])).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{path}: {}",
            reply.body
        );
    }
    assert!(app.store().enterprise(EnterpriseId(id)).unwrap().is_none());
    assert_eq!(last_audit(&app).change.action, "delete");
}

#[tokio::test]
async fn the_api_edits_chains_nodes_and_relations_and_names_what_refers_to_them() {
    let app = app_with(&[]);
    let who = &app.analyst_token;
    let reply = send_json(
        &app,
        Method::POST,
        "/api/v1/records/chains",
        who,
        r#"{"code":"low-altitude","name_zh":"低空经济","name_en":"Low-altitude economy"}"#,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let chain = reply.json()["key"].as_str().unwrap().to_string();

    // The same code again: a duplicate, named by its column.
    let again = send_json(
        &app,
        Method::POST,
        "/api/v1/records/chains",
        who,
        r#"{"code":"low-altitude","name_zh":"低空经济二"}"#,
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert_eq!(again.json()["error"]["code"], "invalid_record");
    assert!(again.body.contains("code"), "{}", again.body);

    let node = send_json(
        &app,
        Method::POST,
        "/api/v1/records/chain_nodes",
        who,
        &format!(
            r#"{{"chain_id":{chain},"code":"uav-airframe","name_zh":"无人机机体","segment":"midstream"}}"#
        ),
    )
    .await;
    assert_eq!(node.status, StatusCode::CREATED, "{}", node.body);
    let node = node.json()["key"].as_str().unwrap().to_string();

    // An input from a node that does not exist: refused on that field, nothing written.
    let inputs = count(&app, RecordKind::NodeInput);
    let bad = send_json(
        &app,
        Method::POST,
        "/api/v1/records/node_inputs",
        who,
        &format!(r#"{{"input_node_id":999999,"output_node_id":{node}}}"#),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("input_node_id"), "{}", bad.body);
    assert_eq!(count(&app, RecordKind::NodeInput), inputs);

    // The chain cannot go while its node is in it; the message names the node.
    let refused = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/records/chains/{chain}"),
        who,
        None,
        &[],
        "",
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.json()["error"]["code"], "record_in_use");
    assert!(refused.body.contains("uav-airframe"), "{}", refused.body);

    // A supply relation between two demo enterprises, then changed and read back.
    let relation = send_json(
        &app,
        Method::POST,
        "/api/v1/records/supply_relations",
        who,
        &format!(r#"{{"supplier_id":2,"buyer_id":3,"node_id":{node},"annual_value":"50万"}}"#),
    )
    .await;
    assert_eq!(relation.status, StatusCode::CREATED, "{}", relation.body);
    assert_eq!(relation.json()["fields"]["annual_value"], "500000");
    let key = relation.json()["key"].as_str().unwrap().to_string();
    let changed = send_json(
        &app,
        Method::PUT,
        &format!("/api/v1/records/supply_relations/{key}"),
        who,
        &format!(r#"{{"supplier_id":2,"buyer_id":3,"node_id":{node},"annual_value":800000}}"#),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.json()["fields"]["annual_value"], "800000");
    let same_firm = send_json(
        &app,
        Method::PUT,
        &format!("/api/v1/records/supply_relations/{key}"),
        who,
        &format!(r#"{{"supplier_id":2,"buyer_id":2,"node_id":{node},"annual_value":1}}"#),
    )
    .await;
    assert_eq!(
        same_firm.status,
        StatusCode::BAD_REQUEST,
        "{}",
        same_firm.body
    );

    // Deleted in order: relation, node, chain.
    for path in [
        format!("/api/v1/records/supply_relations/{key}"),
        format!("/api/v1/records/chain_nodes/{node}"),
        format!("/api/v1/records/chains/{chain}"),
    ] {
        let reply = send(&app, Method::DELETE, &path, who, None, &[], "").await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{path}: {}",
            reply.body
        );
    }
    let gone = send(
        &app,
        Method::GET,
        &format!("/api/v1/records/chains/{chain}"),
        who,
        None,
        &[],
        "",
    )
    .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let unknown = send(
        &app,
        Method::GET,
        "/api/v1/records/listings/1",
        who,
        None,
        &[],
        "",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
}

#[tokio::test]
async fn an_enterprise_user_edits_its_own_profile_and_nothing_else() {
    let app = app_with(&[]);
    let own = get_as(&app, "/records/enterprises/1", &app.firm, None).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert!(
        own.body.contains("readonly"),
        "the credit code is shown, not editable"
    );
    assert!(
        !own.body.contains("delete-record"),
        "no delete for an enterprise user"
    );
    let old = app.store().enterprise(FIRM).unwrap().unwrap();

    // Every field as the form holds it, with more employees.
    let reply = send_json(
        &app,
        Method::GET,
        "/api/v1/records/enterprises/1",
        &app.firm_token,
        "",
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut fields = reply.json()["fields"].clone();
    fields["employees"] = serde_json::json!(old.employees + 10);
    let put = |body: String| {
        let app = &app;
        async move {
            send_json(
                app,
                Method::PUT,
                "/api/v1/records/enterprises/1",
                &app.firm_token,
                &body,
            )
            .await
        }
    };
    let reply = put(fields.to_string()).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let now = app.store().enterprise(FIRM).unwrap().unwrap();
    assert_eq!(now.employees, old.employees + 10);

    // Its credit code is the chain office's to change.
    fields["credit_code"] = serde_json::json!(credit_code(9));
    let reply = put(fields.to_string()).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("credit_code"), "{}", reply.body);

    // Another firm's profile, new records and deletes are refused.
    for (method, uri, body) in [
        (Method::GET, "/api/v1/records/enterprises/2", ""),
        (Method::PUT, "/api/v1/records/enterprises/2", "{}"),
        (
            Method::POST,
            "/api/v1/records/chains",
            r#"{"code":"x","name_zh":"x"}"#,
        ),
        (Method::DELETE, "/api/v1/records/enterprises/1", ""),
        (Method::GET, "/api/v1/records/enterprise_nodes/1-1", ""),
    ] {
        let reply = send_json(&app, method.clone(), uri, &app.firm_token, body).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {uri}: {}",
            reply.body
        );
    }
    let page = get_as(&app, "/records/enterprises/2", &app.firm, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let page = get_as(&app, "/records/chains/new", &app.firm, None).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_clients_creating_and_editing_at_once_lose_nothing() {
    let app = std::sync::Arc::new(app_with(&[]));
    let before = count(&app, RecordKind::Enterprise);
    let mut tasks = Vec::new();
    for i in 0..16u32 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let body = format!(
                r#"{{"credit_code":"{}","name_zh":"并发新建测试企业{i}号有限公司","region_code":"430211","size":"small","revenue":"100万","employees":{i}}}"#,
                credit_code(100 + i)
            );
            send_json(&app, Method::POST, "/api/v1/records/enterprises", &app.analyst_token, &body).await
        }));
    }
    // Meanwhile, eight clients rename one enterprise.
    let mut renames = Vec::new();
    let base = app.store().enterprise(EnterpriseId(2)).unwrap().unwrap();
    for i in 0..8u32 {
        let app = app.clone();
        let base = base.clone();
        renames.push(tokio::spawn(async move {
            let body = serde_json::json!({
                "credit_code": base.credit_code.as_str(),
                "name_zh": format!("并发改名企业{i}"),
                "region_code": base.region.to_string(),
                "size": base.size.as_str(),
                "revenue": base.revenue.to_string(),
                "employees": base.employees,
            });
            let reply = send_json(
                &app,
                Method::PUT,
                "/api/v1/records/enterprises/2",
                &app.admin_token,
                &body.to_string(),
            )
            .await;
            (format!("并发改名企业{i}"), reply)
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        ids.insert(reply.json()["key"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), 16, "every client got its own id");
    assert_eq!(count(&app, RecordKind::Enterprise), before + 16);
    let mut names = Vec::new();
    for task in renames {
        let (name, reply) = task.await.unwrap();
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        names.push(name);
    }
    let last = app.store().enterprise(EnterpriseId(2)).unwrap().unwrap();
    assert!(
        names.contains(&last.name_zh),
        "the last rename is kept: {}",
        last.name_zh
    );
    let log = app.store().audit_log(100, 0).unwrap();
    let creates = log
        .items
        .iter()
        .filter(|e| e.change.action == "create" && e.change.entity == "enterprise")
        .count();
    let updates = log
        .items
        .iter()
        .filter(|e| e.change.action == "update" && e.change.entity_id == "2")
        .count();
    assert_eq!(creates, 16);
    assert_eq!(updates, 8, "each rename changed the name and was audited");
}

#[tokio::test]
async fn a_pair_already_joined_is_refused_as_a_duplicate() {
    let app = app_with(&[]);
    let store = app.store();
    let node = store.enterprise_nodes_of(FIRM).unwrap()[0].item.id;
    let before = count(&app, RecordKind::EnterpriseNode);
    let body = format!(
        r#"{{"enterprise_id":{},"node_id":{},"output":"1万","capacity":"2万"}}"#,
        FIRM.0, node.0
    );
    let again = send_json(
        &app,
        Method::POST,
        "/api/v1/records/enterprise_nodes",
        &app.analyst_token,
        &body,
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.body);
    assert_eq!(again.json()["error"]["code"], "invalid_record");
    assert!(again.body.contains("enterprise_id"), "{}", again.body);
    assert_eq!(
        count(&app, RecordKind::EnterpriseNode),
        before,
        "nothing written"
    );
}
