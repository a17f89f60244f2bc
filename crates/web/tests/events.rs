//! A docking event through the real router and API: an organiser creates it, enterprises
//! register, ask and answer, the schedule is run and published, agendas export, an
//! agreement is recorded, and the report adds up. Bad input changes nothing.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use support::{app_with, get_as, post_form, send, App, Who};

async fn post(app: &App, uri: &str, who: &Who, body: Value) -> support::Reply {
    support::send_json(app, Method::POST, uri, who, &body.to_string()).await
}

fn event_input() -> Value {
    json!({
        "name": "测试对接会", "venue": "武汉", "starts_on": "2099-03-01", "days": "1",
        "day_start": "09:00", "slot_minutes": "20", "slots_per_day": "6", "breaks": "4",
        "tables": "2", "groups": "buyer;supplier", "may_meet": "buyer:supplier",
        "request_cap": "2", "meeting_cap": "3", "request_days": "3", "nodes": "1;2"
    })
}

#[tokio::test]
async fn an_event_runs_from_registration_to_report() {
    let app = app_with(&[]);
    let (analyst, firm) = (&app.analyst_token, &app.firm_token);

    // Bad input: every problem named, nothing created.
    let before = get_as(&app, "/api/v1/events", analyst, None).await.json();
    let mut bad = event_input();
    bad["days"] = json!("x");
    bad["starts_on"] = json!("2099-02-30");
    bad["may_meet"] = json!("buyer:nobody");
    bad["nodes"] = json!("1;99999");
    let reply = post(&app, "/api/v1/events", analyst, bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    for expected in [
        "days：“x”不是整数",
        "starts_on：“2099-02-30”不是日历上的日子",
        "may_meet：“buyer:nobody”",
    ] {
        assert!(reply.body.contains(expected), "{}", reply.body);
    }
    assert_eq!(
        get_as(&app, "/api/v1/events", analyst, None).await.json(),
        before
    );
    assert_eq!(
        post(&app, "/api/v1/events", firm, event_input())
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let created = post(&app, "/api/v1/events", analyst, event_input()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.json()["slots"], 5, "six slots a day less the break");
    assert_eq!(created.json()["node_ids"], json!([1, 2]));
    let base = format!("/api/v1/events/{id}");

    // Registration: the firm registers itself, organisers anyone.
    let me = post(
        &app,
        &format!("{base}/participants"),
        firm,
        json!({"group": "buyer"}),
    )
    .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    let me = me.json()["id"].as_i64().unwrap();
    let other = post(
        &app,
        &format!("{base}/participants"),
        firm,
        json!({"group": "supplier", "enterprise_id": "2"}),
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let mut ids = Vec::new();
    for (enterprise, group) in [(2, "supplier"), (3, "supplier"), (4, "buyer")] {
        let r = post(
            &app,
            &format!("{base}/participants"),
            analyst,
            json!({"group": group, "enterprise_id": enterprise.to_string()}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let (two, three, four) = (ids[0], ids[1], ids[2]);

    // Requests follow the rules.
    let ask = |to: i64| json!({"to": to.to_string(), "priority": "5"});
    let first = post(&app, &format!("{base}/requests"), firm, ask(two)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let first = first.json()["id"].as_i64().unwrap();
    let again = post(&app, &format!("{base}/requests"), firm, ask(two)).await;
    assert!(
        again.body.contains("双方之间已有一条待回复的邀约"),
        "{}",
        again.body
    );
    let buyer = post(&app, &format!("{base}/requests"), firm, ask(four)).await;
    assert!(
        buyer.body.contains("本场活动中“buyer”组不与“buyer”组洽谈"),
        "{}",
        buyer.body
    );
    // The firm cannot answer its own request; the recipient's side can.
    let own = post(
        &app,
        &format!("{base}/requests/{first}/accept"),
        firm,
        json!({}),
    )
    .await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);
    let accepted = post(
        &app,
        &format!("{base}/requests/{first}/accept"),
        analyst,
        json!({}),
    )
    .await;
    assert_eq!(accepted.json()["status"], "accepted", "{}", accepted.body);
    // Answering it again conflicts with its state: 409, named.
    let again = post(
        &app,
        &format!("{base}/requests/{first}/decline"),
        analyst,
        json!({}),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again.body.contains("的状态是“已接受”，不是待回复"),
        "{}",
        again.body
    );
    // A veto stops further requests to that participant.
    let second = post(&app, &format!("{base}/requests"), firm, ask(three))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // Organisers may answer a pending request in the recipient's name from the page.
    let page = get_as(&app, &format!("/events/{id}"), analyst, None).await;
    let all = &page.body[page.body.find("id=\"all-requests\"").unwrap()..];
    assert!(
        all.contains(&format!("action=\"/events/{id}/requests/{second}/accept\"")),
        "{all:.3000}"
    );
    post(
        &app,
        &format!("{base}/requests/{second}/not_interested"),
        analyst,
        json!({}),
    )
    .await;
    let vetoed = post(&app, &format!("{base}/requests"), firm, ask(three)).await;
    assert!(vetoed.body.contains("不感兴趣"), "{}", vetoed.body);

    // The schedule: organisers only; published, it reaches the firm's agenda.
    assert_eq!(
        post(&app, &format!("{base}/schedule"), firm, json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The body is optional: none at all schedules the requested meetings.
    let summary = send(
        &app,
        Method::POST,
        &format!("{base}/schedule"),
        analyst,
        None,
        &[],
        "",
    )
    .await
    .json();
    assert_eq!(
        (summary["placed"].as_u64(), summary["wanted"].as_u64()),
        (Some(1), Some(1)),
        "{summary}"
    );
    let seen = get_as(&app, &base, firm, None).await.json();
    assert!(
        seen["meetings"].as_array().unwrap().is_empty(),
        "drafts are not on agendas"
    );
    // The event page says what the last run did, to organisers only.
    let page = get_as(&app, &format!("/events/{id}"), analyst, None).await;
    assert!(
        page.body.contains("id=\"last-run\"")
            && page.body.contains("已安排 1/1 场洽谈，过期邀约 0 条"),
        "{:.4000}",
        page.body
    );
    let firm_page = get_as(&app, &format!("/events/{id}"), firm, None).await;
    assert!(!firm_page.body.contains("id=\"last-run\""));
    assert_eq!(
        post(&app, &format!("{base}/publish"), analyst, json!({}))
            .await
            .json()["published"],
        1
    );
    let seen = get_as(&app, &base, firm, None).await.json();
    assert_eq!(seen["me"], me);
    let meeting = &seen["meetings"][0];
    assert_eq!(meeting["published"], true);
    assert_eq!(
        seen["requests"].as_array().unwrap().len(),
        2,
        "the firm sees its own requests"
    );
    let ics = get_as(
        &app,
        &format!("/events/{id}/agenda/{me}/ics"),
        &app.firm,
        None,
    )
    .await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(
        ics.body.contains("DTSTART;TZID=Asia/Shanghai:20990301T"),
        "{}",
        ics.body
    );
    let agenda = get_as(&app, &format!("/events/{id}/agenda/{me}"), &app.firm, None).await;
    assert!(
        agenda.body.contains("id=\"print\" data-print") && agenda.body.contains("/assets/print.js"),
        "an agenda has a print button"
    );
    let script = support::get(&app, "/assets/print.js", None).await;
    assert!(script.body.contains("window.print()"));
    let others = get_as(&app, &format!("/events/{id}/agenda/{two}"), &app.firm, None).await;
    assert_eq!(others.status, StatusCode::FORBIDDEN);

    // The agreement from that meeting; a firm cannot record others' agreements.
    let agreement = json!({"title": "年度采购协议", "buyer_id": "1", "supplier_id": "2", "value_yuan": "1.5亿",
        "status": "signed", "signed_on": "2099-03-01", "event_id": id.to_string(), "meeting_id": meeting["id"].to_string()});
    let recorded = post(&app, "/api/v1/agreements", firm, agreement.clone()).await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    // It moves along its lifecycle, each status with its date, through the API and the page.
    let aid = recorded.json()["id"].as_i64().unwrap();
    let uri = format!("/api/v1/agreements/{aid}");
    let mut started = agreement.clone();
    started["status"] = json!("started");
    let r = support::send_json(&app, Method::PUT, &uri, firm, &started.to_string()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("started_on：未填写"), "{}", r.body);
    started["started_on"] = json!("2099-04-01");
    let r = support::send_json(&app, Method::PUT, &uri, firm, &started.to_string()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "started");
    let missing = support::send_json(
        &app,
        Method::PUT,
        "/api/v1/agreements/999999",
        firm,
        &started.to_string(),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let form = get_as(&app, &format!("/agreements/{aid}"), firm, None).await;
    assert!(
        form.body.contains(&format!("action=\"/agreements/{aid}\""))
            && form.body.contains("value=\"年度采购协议\"")
            && form.body.contains("value=\"2099-04-01\""),
        "{:.3000}",
        form.body
    );
    let csrf = app.firm.csrf.clone().unwrap();
    let completed = post_form(
        &app,
        &format!("/agreements/{aid}"),
        &app.firm,
        None,
        &format!(
            "csrf_token={csrf}&title=%E5%B9%B4%E5%BA%A6%E9%87%87%E8%B4%AD%E5%8D%8F%E8%AE%AE&buyer_id=%E4%B9%B0%E6%96%B9+%231&supplier_id=%E5%8D%96%E6%96%B9+%232&node_id=&value_yuan=1.5%E4%BA%BF&status=completed&intended_on=&signed_on=2099-03-01&started_on=2099-04-01&completed_on=2099-06-30&event_id={id}&meeting_id={}",
            meeting["id"]
        ),
    )
    .await;
    assert_eq!(
        completed.status,
        StatusCode::SEE_OTHER,
        "{}",
        completed.body
    );
    let stored = app
        .store()
        .agreement(chainatlas_model::AgreementId(aid))
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, chainatlas_model::AgreementStatus::Completed);
    assert_eq!(
        (stored.buyer.0, stored.supplier.0),
        (1, 2),
        "pickers fill 'name #id'; the id is what counts"
    );
    let mut foreign = agreement.clone();
    foreign["buyer_id"] = json!("3");
    foreign["meeting_id"] = json!("");
    assert_eq!(
        post(&app, "/api/v1/agreements", firm, foreign).await.status,
        StatusCode::FORBIDDEN
    );
    let mut undated = agreement;
    undated["signed_on"] = json!("");
    let undated = post(&app, "/api/v1/agreements", firm, undated).await;
    assert!(
        undated.body.contains("signed_on：未填写"),
        "{}",
        undated.body
    );
    // The page's form comes back as typed, with the reason, and records nothing.
    let before = app.store().agreements(None).unwrap().len();
    let csrf = app.analyst.csrf.clone().unwrap();
    let refused = post_form(
        &app,
        "/agreements",
        &app.analyst,
        None,
        &format!(
            "csrf_token={csrf}&title=%E8%AE%BE%E5%A4%87%E9%87%87%E8%B4%AD&buyer_id=1&supplier_id=2&node_id=&value_yuan=12%2C00%E4%B8%87&status=signed&signed_on=2099-03-01&event_id=&meeting_id="
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("id=\"form-error\""));
    assert!(
        refused.body.contains("value_yuan：“12,00万”不是金额"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"设备采购\""),
        "the title is kept"
    );
    assert!(
        refused.body.contains("value=\"12,00万\""),
        "the amount is kept"
    );
    assert_eq!(app.store().agreements(None).unwrap().len(), before);

    // Held, then the report adds up.
    let mid = meeting["id"].as_i64().unwrap();
    let csrf = app.analyst.csrf.clone().unwrap();
    let held = post_form(
        &app,
        &format!("/events/{id}/meetings/{mid}/held"),
        &app.analyst,
        None,
        &format!("csrf_token={csrf}"),
    )
    .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    assert_eq!(
        get_as(&app, &format!("{base}/report"), firm, None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let report = get_as(&app, &format!("{base}/report"), analyst, None)
        .await
        .json();
    assert_eq!(report["participants"], 4);
    assert_eq!(
        (report["requested"].as_u64(), report["accepted"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        (report["scheduled"].as_u64(), report["held"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(report["agreements"], 1);
    assert_eq!(report["value_fen"], 15_000_000_000i64);
    let page = get_as(&app, &format!("/events/{id}/report"), &app.analyst, None).await;
    assert!(page.body.contains("15,000.0"), "the value in 万元");
    assert!(
        page.body.contains("\"values\":[15000.0"),
        "the chart's value by chain, in 万元"
    );
    let csv = get_as(
        &app,
        &format!("/events/{id}/report/export?format=csv"),
        &app.analyst,
        None,
    )
    .await;
    assert!(csv.body.contains("签约项目"), "{}", csv.body);
    // With the event's participants, requests and meetings by name, one table each.
    for table in ["参会企业", "洽谈邀约", "洽谈安排"] {
        assert!(
            csv.body.contains(&format!("\n{table},")),
            "{table}: {}",
            csv.body
        );
    }
    // Every page of the event reads in Chinese only.
    let me_agenda = format!("/events/{id}/agenda/{me}");
    for uri in [
        format!("/events/{id}"),
        format!("/events/{id}/report"),
        format!("/events/{id}/tables"),
        me_agenda,
        "/events".to_string(),
        "/agreements".to_string(),
        format!("/events/{id}/agenda/999999"),
    ] {
        let page = get_as(&app, &uri, &app.analyst, None).await;
        let text = support::visible_text(&page.body);
        assert_eq!(
            support::english_sentence(&text),
            None,
            "{uri}: {text:.2000}"
        );
    }
}

#[tokio::test]
async fn a_refused_event_form_comes_back_as_typed() {
    let app = app_with(&[]);
    let before = app.store().events().unwrap().len();
    let csrf = app.analyst.csrf.clone().unwrap();
    let form = format!(
        "csrf_token={csrf}&name=%E6%B5%8B%E8%AF%95%E4%BC%9A&venue=&starts_on=2099-02-30&days=9&day_start=09%3A00&slot_minutes=20&slots_per_day=6&breaks=&tables=2&groups=&may_meet=&chains=&nodes=&request_cap=10&meeting_cap=12&request_days=5"
    );
    let r = post_form(&app, "/events", &app.analyst, None, &form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("id=\"form-error\""));
    assert!(
        r.body.contains("starts_on：“2099-02-30”不是日历上的日子"),
        "{}",
        r.body
    );
    assert!(r.body.contains("value=\"测试会\""), "the name is kept");
    assert!(r.body.contains("value=\"2099-02-30\""), "the date is kept");
    assert_eq!(
        app.store().events().unwrap().len(),
        before,
        "nothing created"
    );
}

#[tokio::test]
async fn events_are_edited_within_what_registrations_and_meetings_allow() {
    let app = app_with(&[]);
    let (analyst, firm) = (&app.analyst_token, &app.firm_token);
    let created = post(&app, "/api/v1/events", analyst, event_input()).await;
    let id = created.json()["id"].as_i64().unwrap();
    let uri = format!("/api/v1/events/{id}");
    let put = |body: Value, who: &'static str| {
        let who = if who == "firm" { firm } else { analyst };
        let (app, uri) = (&app, &uri);
        async move { support::send_json(app, Method::PUT, uri, who, &body.to_string()).await }
    };
    // Name, caps and the grid change freely while nothing depends on them.
    let mut changed = event_input();
    changed["name"] = json!("改名后的对接会");
    changed["request_cap"] = json!("3");
    changed["slots_per_day"] = json!("8");
    let r = put(changed.clone(), "analyst").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["name"], "改名后的对接会");
    assert_eq!(r.json()["slots"], 7, "eight slots a day less the break");
    assert_eq!(
        put(changed.clone(), "firm").await.status,
        StatusCode::FORBIDDEN
    );
    // Once a registration gives its slots and names a group, those stay.
    let registered = post(
        &app,
        &format!("{uri}/participants"),
        firm,
        json!({"group": "buyer", "available": "1-3"}),
    )
    .await;
    assert_eq!(registered.status, StatusCode::OK, "{}", registered.body);
    let mut refused = changed.clone();
    refused["slots_per_day"] = json!("6");
    refused["groups"] = json!("supplier");
    refused["may_meet"] = json!("");
    let r = put(refused, "analyst").await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("时段设置不能再改"), "{}", r.body);
    assert!(r.body.contains("仍有参会方属于“buyer”组"), "{}", r.body);
    let now = get_as(&app, &uri, analyst, None).await.json();
    assert_eq!(now["event"]["slots"], 7, "nothing changed: {now}");
    // The page: a form filled with the event, for organisers only.
    let form = get_as(&app, &format!("/events/{id}/edit"), &app.analyst, None).await;
    assert!(
        form.body.contains("value=\"改名后的对接会\"") && form.body.contains("value=\"8\""),
        "{:.3000}",
        form.body
    );
    let denied = get_as(&app, &format!("/events/{id}/edit"), &app.firm, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let csrf = app.analyst.csrf.clone().unwrap();
    let r = post_form(
        &app,
        &format!("/events/{id}/edit"),
        &app.analyst,
        None,
        &format!(
            "csrf_token={csrf}&name=%E6%96%B0%E5%90%8D&venue=&starts_on=2099-03-01&days=1&day_start=09%3A00&slot_minutes=20&slots_per_day=6&breaks=4&tables=2&groups=buyer%3Bsupplier&may_meet=buyer%3Asupplier&chains=&nodes=1%3B2&request_cap=3&meeting_cap=3&request_days=3"
        ),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the grid is fixed now, as the API says"
    );
    assert!(r.body.contains("id=\"form-error\"") && r.body.contains("value=\"新名\""));
}

#[tokio::test]
async fn the_event_form_picks_chains_by_box_and_nodes_by_name() {
    let app = app_with(&[]);
    let csrf = app.analyst.csrf.clone().unwrap();
    let form = support::get(&app, "/events", None).await;
    assert!(
        form.body.contains("name=\"chains\" value=\"rail\""),
        "chains are check boxes"
    );
    assert!(
        form.body.contains("data-picker=\"node\" data-multiple"),
        "nodes are picked"
    );
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [
        ("csrf_token", csrf.as_str()),
        ("name", "挑选测试对接会"),
        ("venue", ""),
        ("breaks", ""),
        ("starts_on", "2099-04-01"),
        ("days", "1"),
        ("day_start", "09:00"),
        ("slot_minutes", "20"),
        ("slots_per_day", "6"),
        ("tables", "2"),
        ("chains", "rail"),
        ("chains", "nev"),
        ("nodes", "某环节 #1; 另一环节 #2"),
    ] {
        body.append_pair(k, v);
    }
    let r = post_form(&app, "/events", &app.analyst, None, &body.finish()).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.headers["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/events/")
        .parse()
        .unwrap();
    let event = app
        .store()
        .event(chainatlas_model::EventId(id))
        .unwrap()
        .unwrap();
    assert_eq!(event.chains.len(), 2);
    assert_eq!(event.nodes.iter().map(|n| n.0).collect::<Vec<_>>(), [1, 2]);
    // Edited, the form shows the nodes by name and the chains ticked.
    let edit = support::get(&app, &format!("/events/{id}/edit"), None).await;
    let node = app
        .store()
        .node(chainatlas_model::NodeId(1))
        .unwrap()
        .unwrap();
    assert!(
        edit.body.contains(&format!("{} #1; ", node.name_zh)),
        "{}",
        edit.body
    );
    assert!(
        edit.body.contains("value=\"rail\" checked"),
        "{}",
        edit.body
    );
}
