//! Enterprise services through the real router and a real SQLite file: an appeal goes
//! round the closed loop with every move checked by role; deadlines count working days
//! on the official calendar across a Golden Week; reminders and escalation reach the
//! right people once; an enterprise sees only its own; visits and responsible officials.

mod support;

use axum::http::{Method, StatusCode};
use chainatlas_app::blocking;
use chainatlas_app::services::{self, StepInput};
use chainatlas_app::Viewer;
use chainatlas_auth::Role;
use chainatlas_model::{Date, EnterpriseId};
use chainatlas_store::{Actor, Store};
use serde_json::{json, Value};
use support::{actor, app_with, get_as, send_json, App, Who};

async fn post(app: &App, uri: &str, who: &Who, body: Value) -> support::Reply {
    send_json(app, Method::POST, uri, who, &body.to_string()).await
}

async fn step(app: &App, id: i64, who: &Who, body: Value) -> support::Reply {
    post(app, &format!("/api/v1/appeals/{id}/steps"), who, body).await
}

fn user_id(store: &Store, name: &str) -> i64 {
    store
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.username == name)
        .unwrap()
        .id
}

/// Unix seconds at 10:00 China Standard Time on `day`.
fn at(day: &str) -> i64 {
    let d: Date = day.parse().unwrap();
    d.days_since_epoch() * 86_400 + 2 * 3600
}

/// The use cases' viewer for a stored user, at 10:00 on `day` in China.
fn viewer(store: &Store, name: &str, day: &str) -> Viewer {
    let user = store
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.username == name)
        .unwrap();
    Viewer {
        principal: Some(user.principal()),
        address: "test".into(),
        at: at(day),
    }
}

async fn load_calendar(app: &App, who: &Who, file: &str) -> support::Reply {
    let csv = [("content-type", "text/csv")];
    support::send(app, Method::POST, "/api/v1/calendar", who, None, &csv, file).await
}

fn move_input(step: &str, note: &str) -> StepInput {
    StepInput {
        step: step.into(),
        note: note.into(),
        ..StepInput::default()
    }
}

#[tokio::test]
async fn an_appeal_goes_round_the_closed_loop_with_every_move_checked() {
    let app = app_with(&[]);
    let (analyst, firm, admin) = (&app.analyst_token, &app.firm_token, &app.admin_token);
    let analyst_id = user_id(&app.store(), "analyst");

    // Bad input: every problem named, nothing created.
    let bad = post(
        &app,
        "/api/v1/appeals",
        firm,
        json!({"category": "weather", "title": " ", "node_id": "99999"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    for expected in [
        "category：“weather”不是",
        "title：为空",
        "node_id：没有编号为 99999 的环节",
    ] {
        assert!(bad.body.contains(expected), "{}", bad.body);
    }
    let none = get_as(&app, "/api/v1/appeals", analyst, None).await.json();
    assert_eq!(none["total"], 0);

    // The enterprise submits; staff are told.
    let created = post(
        &app,
        "/api/v1/appeals",
        firm,
        json!({"category": "utilities", "title": "新厂区双回路供电迟迟未接入",
               "description": "影响二期产线投产", "node_id": "1",
               "attachments": [{"name": "供电申请.pdf", "bytes": 120000, "media_type": "application/pdf"}]}),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let a = created.json();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["state"], "submitted");
    assert_eq!(a["channel"], "online");
    assert_eq!(a["enterprise_id"], support::FIRM.0);
    assert_eq!(a["attachments"][0]["name"], "供电申请.pdf");
    assert_eq!(a["moves"], json!([]), "the enterprise waits for acceptance");
    let admin_news = get_as(&app, "/api/v1/notifications", admin, None)
        .await
        .json();
    assert_eq!(admin_news["unread"], 1, "{admin_news}");
    assert!(admin_news["notifications"][0]["zh"]
        .as_str()
        .unwrap()
        .contains("新诉求待受理"));

    // The enterprise may not accept its own appeal; staff may not rate it.
    let refused = step(&app, id, firm, json!({"step": "accept"})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(
        refused.body.contains("您无权对此诉求执行“受理”"),
        "{}",
        refused.body
    );
    // A move the state does not allow is a conflict.
    let early = step(
        &app,
        id,
        analyst,
        json!({"step": "reply", "note": "已处理"}),
    )
    .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(
        early.body.contains("诉求当前为“待受理”，不能执行“答复”"),
        "{}",
        early.body
    );

    let accepted = step(&app, id, analyst, json!({"step": "accept"})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let v = accepted.json();
    assert_eq!(v["appeal"]["state"], "accepted");
    let (reply_due, resolve_due) = (
        v["appeal"]["reply_due"].as_str().unwrap().to_string(),
        v["appeal"]["resolve_due"].as_str().unwrap().to_string(),
    );
    assert!(reply_due < resolve_due);

    // Assigning needs a department and an active staff member.
    let bad = step(
        &app,
        id,
        analyst,
        json!({"step": "assign", "handler_id": "firm"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("department：为空"), "{}", bad.body);
    assert!(
        bad.body.contains("handler_id：“firm”不是整数"),
        "{}",
        bad.body
    );
    let firm_id = user_id(&app.store(), "firm");
    let bad = step(
        &app,
        id,
        analyst,
        json!({"step": "assign", "department": "供电公司", "handler_id": firm_id.to_string()}),
    )
    .await;
    assert!(bad.body.contains("不是在岗的工作人员"), "{}", bad.body);
    let assigned = step(
        &app,
        id,
        analyst,
        json!({"step": "assign", "department": "市供电公司", "handler_id": analyst_id.to_string()}),
    )
    .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.json()["appeal"]["handler_name"], "analyst");

    // A reply needs its text.
    let empty = step(&app, id, analyst, json!({"step": "reply"})).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("note：为空"), "{}", empty.body);
    let replied = step(
        &app,
        id,
        analyst,
        json!({"step": "reply", "note": "已协调供电公司，12 月底前完成接入"}),
    )
    .await;
    assert_eq!(replied.status, StatusCode::OK, "{}", replied.body);

    // The enterprise sees the reply, and may rate or reopen now.
    let seen = get_as(&app, &format!("/api/v1/appeals/{id}"), firm, None)
        .await
        .json();
    assert_eq!(seen["appeal"]["state"], "replied");
    assert_eq!(seen["appeal"]["moves"], json!(["reopen", "rate"]));
    let news = get_as(&app, "/api/v1/notifications", firm, None)
        .await
        .json();
    let texts: Vec<&str> = news["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["zh"].as_str().unwrap())
        .collect();
    assert!(texts[0].starts_with("您的诉求已答复"), "{texts:?}");
    assert!(texts[1].starts_with("您的诉求已受理"), "{texts:?}");
    let bad = step(&app, id, firm, json!({"step": "rate", "satisfaction": "6"})).await;
    assert!(bad.body.contains("“6”不是 1 到 5 的整数"), "{}", bad.body);
    let rated = step(&app, id, firm, json!({"step": "rate", "satisfaction": "5"})).await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    assert_eq!(rated.json()["appeal"]["satisfaction"], 5);

    let closed = step(
        &app,
        id,
        analyst,
        json!({"step": "close", "note": "回访：企业确认已接入，满意"}),
    )
    .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let detail = closed.json();
    let steps: Vec<&str> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["submit", "accept", "assign", "reply", "rate", "close"]
    );
    assert_eq!(detail["steps"][1]["actor"], "analyst");

    // Reopened by the enterprise: the rating is cleared, new deadlines run.
    let reopened = step(
        &app,
        id,
        firm,
        json!({"step": "reopen", "note": "接入后仍频繁跳闸"}),
    )
    .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    let r = reopened.json();
    assert_eq!(r["appeal"]["state"], "reopened");
    assert_eq!(r["appeal"]["reopened"], 1);
    assert_eq!(r["appeal"]["satisfaction"], Value::Null);

    // The inbox orders by the soonest deadline when asked; a bad order is named.
    let due = get_as(&app, "/api/v1/appeals?state=open&sort=due", analyst, None).await;
    assert_eq!(due.status, StatusCode::OK);
    assert_eq!(due.json()["appeals"][0]["id"], id);
    let bad = get_as(&app, "/api/v1/appeals?sort=oldest", analyst, None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("sort：“oldest”应为 due 或 new"),
        "{}",
        bad.body
    );

    // The audit log has every step.
    let audit = app.store().audit_log(100, 0).unwrap();
    let appeal_steps = audit
        .items
        .iter()
        .filter(|e| e.change.entity == "appeal" && e.change.entity_id == id.to_string())
        .count();
    assert_eq!(appeal_steps, 7);
}

#[tokio::test]
async fn an_enterprise_sees_its_own_appeals_only() {
    let app = app_with(&[]);
    let mut store = app.store();
    store
        .create_user(
            &actor(),
            "other",
            "x",
            Role::Enterprise,
            Some(EnterpriseId(2)),
            false,
        )
        .unwrap();
    let other = viewer(&store, "other", "2026-11-02");
    let mine = post(
        &app,
        "/api/v1/appeals",
        &app.firm_token,
        json!({"category": "finance", "title": "流动资金贷款续贷困难"}),
    )
    .await
    .json();
    let id = mine["id"].as_i64().unwrap();
    // Another enterprise: not found, not listed, cannot move it.
    assert!(services::appeal_detail(&store, &other, id).is_err());
    let listed = services::appeal_page(&store, &other, Default::default()).unwrap();
    assert_eq!(listed.total, 0);
    let refused = services::step_appeal(&mut store, &other, id, &move_input("reopen", "x"));
    assert_eq!(
        refused.unwrap_err().code(),
        chainatlas_app::ErrorCode::AppealNotFound
    );
    // An enterprise cannot appeal for another.
    let forged = post(
        &app,
        "/api/v1/appeals",
        &app.firm_token,
        json!({"enterprise_id": "2", "category": "finance", "title": "代别人提"}),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    // Staff record one for any enterprise, by hotline by default.
    let recorded = post(
        &app,
        "/api/v1/appeals",
        &app.analyst_token,
        json!({"enterprise_id": "2", "category": "labour", "title": "技工招聘难"}),
    )
    .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    assert_eq!(recorded.json()["channel"], "hotline");
    let theirs = services::appeal_page(&store, &other, Default::default()).unwrap();
    assert_eq!(theirs.total, 1);
    // The office's internal steps are hidden from the enterprise.
    let rid = recorded.json()["id"].as_i64().unwrap();
    let analyst = viewer(&store, "analyst", "2026-11-02");
    services::step_appeal(&mut store, &analyst, rid, &move_input("accept", "")).unwrap();
    let admin = viewer(&store, "admin", "2026-11-02");
    services::step_appeal(&mut store, &admin, rid, &move_input("supervise", "请加快")).unwrap();
    let staff_sees = services::appeal_detail(&store, &analyst, rid).unwrap();
    let firm_sees = services::appeal_detail(&store, &other, rid).unwrap();
    assert_eq!(staff_sees.steps.len(), 3);
    assert_eq!(firm_sees.steps.len(), 2, "no supervision note");
}

/// Accepted on 30 September 2026, the eve of National Day: the holidays (1–7 October)
/// do not count, and Saturday 10 October, worked in lieu, does (the official calendar).
#[tokio::test]
async fn deadlines_count_working_days_across_golden_week_and_escalate_once() {
    let app = app_with(&[]);
    let mut store = app.store();
    let firm = viewer(&store, "firm", "2026-09-29");
    let input = services::AppealInput {
        category: "market".into(),
        title: "希望对接省内整车企业".into(),
        ..Default::default()
    };
    let a = services::submit_appeal(&mut store, &firm, &input).unwrap();
    let analyst = viewer(&store, "analyst", "2026-09-30");
    let accepted =
        services::step_appeal(&mut store, &analyst, a.id, &move_input("accept", "")).unwrap();
    let d = |s: &str| s.parse::<Date>().unwrap();
    assert_eq!(accepted.reply_due, Some(d("2026-10-10")), "3 working days");
    // 15 working days: 8, 9, 10 (Sat, in lieu), 12–16, 19–23, 26, 27 October.
    assert_eq!(accepted.resolve_due, Some(d("2026-10-27")));
    let handler = viewer(&store, "analyst", "2026-09-30");
    let mut assign = move_input("assign", "");
    assign.department = "市工信局".into();
    assign.handler_id = user_id(&store, "analyst").to_string();
    services::step_appeal(&mut store, &handler, a.id, &assign).unwrap();

    let run = |store: &mut Store, day: &str| {
        services::escalate(store, &Actor::local("system", at(day))).unwrap()
    };
    // In the holidays nothing is due yet.
    assert_eq!(run(&mut store, "2026-10-05"), Default::default());
    // The working day before the reply is due: the handler is reminded, once.
    let r = run(&mut store, "2026-10-09");
    assert_eq!((r.reminded.as_slice(), r.escalated.len()), (&[a.id][..], 0));
    assert_eq!(run(&mut store, "2026-10-09"), Default::default());
    // Past it (Monday 12 October): escalated to the supervisors (every admin), once.
    let r = run(&mut store, "2026-10-12");
    assert_eq!((r.reminded.len(), r.escalated.as_slice()), (0, &[a.id][..]));
    assert_eq!(run(&mut store, "2026-10-13"), Default::default());
    let admin = user_id(&store, "admin");
    let (news, unread) = store.notifications(admin, 10).unwrap();
    assert!(unread >= 1);
    assert!(
        news[0].text.zh.contains("已超过时限 2026-10-10"),
        "{:?}",
        news[0]
    );
    let now = store.appeal(a.id).unwrap().unwrap();
    assert!(now.overdue(d("2026-10-12")));
    assert_eq!(now.escalation, 2);
    // Once replied, the resolution deadline gets its own reminder and escalation.
    let late = viewer(&store, "analyst", "2026-10-12");
    services::step_appeal(
        &mut store,
        &late,
        a.id,
        &move_input("reply", "已推荐三家整车企业"),
    )
    .unwrap();
    assert_eq!(run(&mut store, "2026-10-20"), Default::default());
    let r = run(&mut store, "2026-10-26");
    assert_eq!(r.reminded, [a.id]);
    let r = run(&mut store, "2026-10-28");
    assert_eq!(r.escalated, [a.id]);
    // A supervisor list replaces the admins.
    let analyst_id = user_id(&store, "analyst");
    let admin_viewer = viewer(&store, "admin", "2026-10-28");
    services::set_supervisors(&mut store, &admin_viewer, &[analyst_id]).unwrap();
    assert_eq!(store.supervisors().unwrap(), [analyst_id]);
    let firm_id = user_id(&store, "firm");
    assert!(services::set_supervisors(&mut store, &admin_viewer, &[firm_id]).is_err());
}

#[tokio::test]
async fn an_admin_loads_next_years_calendar_and_bad_lines_are_named() {
    let app = app_with(&[]);
    let admin = &app.admin_token;
    let before = get_as(&app, "/api/v1/calendar?year=2027", admin, None)
        .await
        .json();
    assert_eq!(before["last_year"], 2026);
    assert_eq!(before["days"], json!([]));
    let bad = "date,kind,holiday\n2027-01-01,holiday,New Year's Day\n2027-02-30,holiday,Spring Festival\n2027-02-07,rest,Spring Festival\n";
    let reply = load_calendar(&app, admin, bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(reply.body.contains("第 3 行"), "{}", reply.body);
    assert!(reply.body.contains("第 4 行"), "{}", reply.body);
    let good = "date,kind,holiday\n2027-01-01,holiday,New Year's Day\n2027-02-07,workday,Spring Festival\n";
    let refused = load_calendar(&app, &app.analyst_token, good).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let loaded = load_calendar(&app, admin, good).await;
    assert_eq!(loaded.status, StatusCode::OK, "{}", loaded.body);
    assert_eq!(loaded.json()["last_year"], 2027);
    let after = get_as(&app, "/api/v1/calendar?year=2027", admin, None)
        .await
        .json();
    assert_eq!(after["days"][1]["date"], "2027-02-07");
    assert_eq!(after["days"][1]["kind"], "workday");
    // Deadlines now count Sunday 7 February 2027 as a working day.
    let cal = services::calendar(&app.store()).unwrap();
    let sat: Date = "2027-02-06".parse().unwrap();
    assert_eq!(cal.add_working_days(sat, 1), "2027-02-07".parse().unwrap());
}

#[tokio::test]
async fn visits_are_planned_recorded_and_the_unvisited_are_listed() {
    let app = app_with(&[]);
    let analyst = &app.analyst_token;
    let analyst_id = user_id(&app.store(), "analyst");
    let assigned = send_json(
        &app,
        Method::PUT,
        "/api/v1/enterprises/3/official",
        analyst,
        &json!({"official_id": analyst_id}).to_string(),
    )
    .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(
        app.store().official_of(EnterpriseId(3)).unwrap(),
        Some(analyst_id)
    );
    let bad = post(
        &app,
        "/api/v1/visits",
        analyst,
        json!({"enterprise_id": "3", "planned_on": "2026-13-01", "officials": "1,x", "finding": "mood"}),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    for expected in [
        "planned_on：",
        "officials：“x”不是整数",
        "finding：“mood”不是",
    ] {
        assert!(bad.body.contains(expected), "{}", bad.body);
    }
    let unvisited = |body: Value| body["total"].as_u64().unwrap();
    let before = get_as(
        &app,
        "/api/v1/visits/unvisited?from=2026-01-01&to=2026-12-31&official=me",
        analyst,
        None,
    )
    .await
    .json();
    assert_eq!(unvisited(before.clone()), 1, "{before}");
    assert_eq!(before["enterprises"][0]["enterprise_id"], 3);
    let visit = post(
        &app,
        "/api/v1/visits",
        analyst,
        json!({"enterprise_id": "3", "planned_on": "2026-06-01", "visited_on": "2026-06-02",
               "officials": analyst_id.to_string(), "purpose": "季度走访",
               "findings": "用地指标不足，扩产受限", "finding": "land"}),
    )
    .await;
    assert_eq!(visit.status, StatusCode::CREATED, "{}", visit.body);
    let after = get_as(
        &app,
        "/api/v1/visits/unvisited?from=2026-01-01&to=2026-12-31&official=me",
        analyst,
        None,
    )
    .await
    .json();
    assert_eq!(unvisited(after), 0);
    let listed = get_as(&app, "/api/v1/visits?official=me", analyst, None)
        .await
        .json();
    assert_eq!(listed[0]["finding"], "land");
    assert_eq!(listed[0]["officials"], json!([analyst_id]));
    // The page's form assigns an official too, and a bad id is named.
    let page_form = support::form_body(
        &app.analyst,
        &[
            ("enterprise_id", "某企业 #4"),
            ("official_id", &analyst_id.to_string()),
        ],
    );
    let assigned =
        support::post_form(&app, "/services/officials", &app.analyst, None, &page_form).await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.body);
    assert_eq!(
        app.store().official_of(EnterpriseId(4)).unwrap(),
        Some(analyst_id)
    );
    let bad_form = support::form_body(
        &app.analyst,
        &[("enterprise_id", "4"), ("official_id", "x")],
    );
    let refused =
        support::post_form(&app, "/services/officials", &app.analyst, None, &bad_form).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("official_id：“x”不是编号"),
        "{}",
        refused.body
    );
    // Enterprises do not see the office's visits.
    let firm = get_as(&app, "/api/v1/visits", &app.firm_token, None).await;
    assert_eq!(firm.status, StatusCode::FORBIDDEN);
}

/// The pages, in both languages, for the enterprise and for staff: a form submission,
/// the moves offered, the dashboard counting it, the diagnosis listing its node, and
/// the workbook export.
#[tokio::test]
async fn the_service_pages_work_for_enterprises_and_staff_in_both_languages() {
    use support::{form_body, post_form, visible_text};
    let app = app_with(&[]);
    let (firm, analyst) = (&app.firm, &app.analyst);
    // A refused form comes back with the reason and what was typed.
    let refused = post_form(
        &app,
        "/services/appeals",
        firm,
        None,
        &form_body(
            firm,
            &[
                ("category", "finance"),
                ("title", ""),
                ("description", "留着"),
            ],
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("title：为空"), "{}", refused.body);
    assert!(refused.body.contains("留着"));
    let sent = post_form(
        &app,
        "/services/appeals",
        firm,
        None,
        &form_body(
            firm,
            &[
                ("category", "logistics"),
                ("title", "铁路专用线运力紧张"),
                ("node_id", "1"),
                ("attachment_meta", "运力说明.pdf\t52000\tapplication/pdf"),
            ],
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let location = sent.headers["location"].to_str().unwrap().to_string();
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let mine = get_as(&app, "/services/appeals", firm, None).await;
    assert!(mine.body.contains("铁路专用线运力紧张"));
    assert!(visible_text(&mine.body).contains("我的诉求"));

    let page = get_as(&app, &location, analyst, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("运力说明.pdf (51 KB)"), "{}", page.body);
    for form in ["step-accept", "step-decline"] {
        assert!(page.body.contains(form), "{form}");
    }
    assert!(!page.body.contains("step-close"));
    let accepted = post_form(
        &app,
        &format!("/services/appeals/{id}/steps"),
        analyst,
        None,
        &form_body(analyst, &[("step", "accept")]),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    // A move the state no longer allows comes back on the page with the reason.
    let again = post_form(
        &app,
        &format!("/services/appeals/{id}/steps"),
        analyst,
        None,
        &form_body(analyst, &[("step", "accept")]),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("诉求当前为“已受理”"), "{}", again.body);

    let board = get_as(&app, "/services/blocking?by=category", analyst, None).await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(
        board.body.contains("id=\"total-appeals\">1<"),
        "{}",
        board.body
    );
    assert!(visible_text(&board.body).contains("物流运输"));
    let english = get_as(&app, "/services/blocking?by=node", analyst, Some("lang=en")).await;
    assert!(visible_text(&english.body).contains("Blocking points"));
    let xlsx = get_as(
        &app,
        "/services/blocking?by=category&format=xlsx",
        analyst,
        None,
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.raw.starts_with(b"PK"), "a workbook");
    assert_eq!(
        get_as(&app, "/services/blocking", firm, None).await.status,
        StatusCode::FORBIDDEN
    );
    // The chain diagnosis lists the node beside its short boards.
    let code = app.store().chains().unwrap()[0].code.clone();
    let node = app
        .store()
        .node(chainatlas_model::NodeId(1))
        .unwrap()
        .unwrap();
    assert_eq!(app.store().chains().unwrap()[0].id, node.chain);
    let region = app
        .store()
        .enterprise(support::FIRM)
        .unwrap()
        .unwrap()
        .region;
    let diagnosis = get_as(
        &app,
        &format!("/chains/{code}/diagnosis?region={region}"),
        analyst,
        None,
    )
    .await;
    assert!(
        diagnosis.body.contains("id=\"blockages\""),
        "{}",
        diagnosis.body
    );
    assert!(diagnosis
        .body
        .contains(&format!("/services/appeals?node=1&amp;region={region}")));

    for (path, who) in [
        ("/services/visits", analyst),
        ("/notifications", firm),
        ("/notifications", analyst),
    ] {
        let page = get_as(&app, path, who, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let text = visible_text(&page.body);
        assert_eq!(support::english_sentence(&text), None, "{path}: {text}");
    }
    let firm_news = get_as(&app, "/notifications", firm, None).await;
    assert!(visible_text(&firm_news.body).contains("您的诉求已受理"));
}

/// Appeals in three categories, some closed with ratings, one overdue, and a visit
/// finding: every row adds up to the total, and the numbers are the ones made.
#[tokio::test]
async fn blocking_points_add_up_by_every_grouping() {
    let app = app_with(&[]);
    let mut store = app.store();
    let analyst_id = user_id(&store, "analyst").to_string();
    let make = |store: &mut Store, category: &str, title: &str, steps: &[(&str, &str)]| {
        let firm = viewer(store, "firm", "2026-03-02");
        let input = services::AppealInput {
            category: category.into(),
            title: title.into(),
            node_id: "1".into(),
            ..Default::default()
        };
        let a = services::submit_appeal(store, &firm, &input).unwrap();
        for (step, day) in steps {
            let who = if *step == "rate" { "firm" } else { "analyst" };
            let v = viewer(store, who, day);
            let mut input = move_input(step, "记录");
            input.department = "工信局".into();
            input.handler_id = analyst_id.clone();
            input.satisfaction = "4".into();
            services::step_appeal(store, &v, a.id, &input).unwrap();
        }
        a.id
    };
    let done = [
        ("accept", "2026-03-02"),
        ("assign", "2026-03-02"),
        ("reply", "2026-03-05"),
        ("rate", "2026-03-06"),
        ("close", "2026-03-09"),
    ];
    make(&mut store, "utilities", "园区供电容量不足", &done);
    make(
        &mut store,
        "utilities",
        "园区供电容量不足影响扩产",
        &done[..3],
    );
    make(
        &mut store,
        "land",
        "扩产用地指标不足",
        &[("accept", "2026-03-02")],
    );
    make(&mut store, "finance", "贷款续贷", &[]);
    let analyst = viewer(&store, "analyst", "2026-06-30");
    services::save_visit(
        &mut store,
        &analyst,
        None,
        &services::VisitInput {
            enterprise_id: "2".into(),
            planned_on: "2026-04-01".into(),
            visited_on: "2026-04-01".into(),
            finding: "land".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let caches = chainatlas_app::cache::Caches::default();
    let report = |store: &Store, by: &str| {
        let q = blocking::BlockingQuery {
            by: Some(by.into()),
            from: Some("2026-01-01".into()),
            to: Some("2026-06-30".into()),
            ..Default::default()
        };
        let scope = q.scope(store, analyst.today()).unwrap();
        caches.blocking(store, &scope, analyst.today()).unwrap()
    };
    let by_category = report(&store, "category");
    let t = &by_category.total;
    assert_eq!(
        (t.appeals, t.open, t.closed, t.rated, t.found_on_visits),
        (4, 3, 1, 1, 1)
    );
    // Accepted 2 March, closed 9 March: five working days. The land appeal's reply was
    // due 5 March; the second utilities one is replied but past its 10-day resolution.
    assert_eq!(t.median_days_to_resolve, Some(5.0));
    assert_eq!(t.overdue, 2);
    assert_eq!(t.satisfaction, Some(4.0));
    for by in ["category", "node", "chain", "region", "month"] {
        let r = report(&store, by);
        let sum: u32 = r.rows.iter().map(|row| row.appeals).sum();
        assert_eq!(sum, 4, "{by}");
        let open: u32 = r.rows.iter().map(|row| row.open).sum();
        assert_eq!(open, 3, "{by}");
    }
    let utilities = by_category
        .rows
        .iter()
        .find(|r| r.key == "utilities")
        .unwrap();
    assert_eq!(
        (utilities.appeals, utilities.open, utilities.overdue),
        (2, 1, 1)
    );
    let land = by_category.rows.iter().find(|r| r.key == "land").unwrap();
    assert_eq!((land.appeals, land.found_on_visits), (1, 1));
    assert_eq!(
        by_category.clusters.len(),
        1,
        "the two power appeals are one class"
    );
    assert_eq!(by_category.clusters[0].appeals.len(), 2);
    // Outside the period nothing counts.
    let q = blocking::BlockingQuery {
        from: Some("2025-01-01".into()),
        to: Some("2025-12-31".into()),
        ..Default::default()
    };
    let empty = caches
        .blocking(
            &store,
            &q.scope(&store, analyst.today()).unwrap(),
            analyst.today(),
        )
        .unwrap();
    assert_eq!(empty.total.appeals, 0);
    // The enterprise may not read it (the page and the API check the role).
    let firm = get_as(&app, "/api/v1/blocking-points", &app.firm_token, None).await;
    assert_eq!(firm.status, StatusCode::FORBIDDEN);
}

fn all_answers(points: &str) -> serde_json::Map<String, Value> {
    [
        "f1", "f2", "f3", "o1", "o2", "o3", "m1", "m2", "m3", "r1", "r2", "r3",
    ]
    .iter()
    .map(|q| (q.to_string(), json!(points.parse::<u8>().unwrap())))
    .collect()
}

/// An enterprise takes the assessment: levels by the documented bands, its gaps, the
/// providers whose listings fit them (another enterprise's, in its chain link first,
/// never a price), a drafted demand it publishes; nobody else sees it.
#[tokio::test]
async fn an_assessment_scores_finds_providers_and_publishes_a_draft() {
    let app = app_with(&[]);
    let (firm, analyst) = (&app.firm_token, &app.analyst_token);
    let store = app.store();
    let node = store.enterprise_nodes_of(support::FIRM).unwrap()[0]
        .item
        .id
        .0;
    let region = store
        .enterprise(support::FIRM)
        .unwrap()
        .unwrap()
        .region
        .to_string();
    // Two providers saying the same, one in the firm's chain link, both with prices.
    for (title, node) in [
        ("设备联网与数据采集方案", None),
        ("设备联网与数据采集方案（本环节）", Some(node)),
    ] {
        let listing = post(
            &app,
            "/api/v1/listings",
            analyst,
            json!({"enterprise_id": 2, "side": "supply", "kind": "technology", "node_id": node,
                   "title": title, "description": "设备联网、数据采集、物联网接入", "region_code": region,
                   "price_fen": 12_345_600}),
        )
        .await;
        assert_eq!(listing.status, StatusCode::CREATED, "{}", listing.body);
    }
    let mut bad = all_answers("2");
    bad.remove("m1");
    bad.insert("f3".into(), json!(7));
    bad.insert("g1".into(), json!(1));
    let refused = post(&app, "/api/v1/assessments", firm, json!({"answers": bad})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    for expected in [
        "f3：“7”不是 0 到 3 的整数",
        "m1：未作答",
        "g2：未作答；“绿色制造”要么全部作答",
    ] {
        assert!(refused.body.contains(expected), "{}", refused.body);
    }
    let mut answers = all_answers("3");
    answers.insert("f1".into(), json!(0));
    answers.insert("f2".into(), json!(1));
    answers.insert("f3".into(), json!(2));
    let taken = post(
        &app,
        "/api/v1/assessments",
        firm,
        json!({"answers": answers}),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let r = taken.json();
    let id = r["id"].as_i64().unwrap();
    // foundation 3 of 9 → 33.3, level 1; the others 100; the mean 83.3, level 4.
    assert_eq!(r["dimensions"][0]["score"], 33.3);
    assert_eq!(r["dimensions"][0]["level"], 1);
    assert_eq!(r["digital"]["level"], 4);
    let gaps: Vec<&str> = r["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["question"].as_str().unwrap())
        .collect();
    assert_eq!(gaps, ["f1", "f2"]);
    let providers = &r["gaps"][0]["providers"];
    assert_eq!(
        providers[0]["title"], "设备联网与数据采集方案（本环节）",
        "{providers}"
    );
    assert!(providers[0]["reasons_zh"]
        .as_str()
        .unwrap()
        .contains("同一产业链环节"));
    assert!(
        !taken.body.contains("12345600") && !taken.body.contains("price"),
        "no price"
    );
    assert!(providers
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["enterprise_id"] != support::FIRM.0));
    assert_eq!(r["gaps"][0]["draft"]["side"], "demand");

    // Nobody else sees it; staff do.
    let mut store = app.store();
    store
        .create_user(
            &actor(),
            "other",
            "x",
            Role::Enterprise,
            Some(EnterpriseId(2)),
            false,
        )
        .unwrap();
    let other = viewer(&store, "other", "2026-11-02");
    let app_state = chainatlas_app::App::default();
    assert_eq!(
        chainatlas_app::assessments::result(&app_state, &store, &other, id)
            .unwrap_err()
            .code(),
        chainatlas_app::ErrorCode::AssessmentNotFound
    );
    assert!(
        chainatlas_app::assessments::publish_draft(&app_state, &mut store, &other, id, "f1")
            .is_err()
    );
    let seen = get_as(&app, &format!("/api/v1/assessments/{id}"), analyst, None).await;
    assert_eq!(seen.status, StatusCode::OK);

    // One click publishes the drafted demand as the firm's listing.
    let published = post(
        &app,
        &format!("/api/v1/assessments/{id}/publish"),
        firm,
        json!({"question": "f1"}),
    )
    .await;
    assert_eq!(published.status, StatusCode::CREATED, "{}", published.body);
    let listing_id = published.json()["listing_id"].as_i64().unwrap();
    let listing = get_as(&app, &format!("/api/v1/listings/{listing_id}"), firm, None)
        .await
        .json();
    assert_eq!(listing["side"], "demand");
    assert_eq!(listing["kind"], "technology");
    assert_eq!(listing["enterprise_id"], support::FIRM.0);
    assert_eq!(listing["title"], "需求：设备联网与数据采集改造");
    let no_gap = post(
        &app,
        &format!("/api/v1/assessments/{id}/publish"),
        firm,
        json!({"question": "m1"}),
    )
    .await;
    assert_eq!(no_gap.status, StatusCode::BAD_REQUEST);

    // The roll-up counts it, for staff only.
    let rollup = get_as(&app, "/api/v1/assessments/rollup", analyst, None)
        .await
        .json();
    assert_eq!(rollup["assessed"], 1);
    assert_eq!(rollup["levels"][0]["levels"], json!([0, 0, 0, 1]));
    assert_eq!(rollup["common_gaps"][0]["question"], "f1");
    let firm_rollup = get_as(&app, "/api/v1/assessments/rollup", firm, None).await;
    assert_eq!(firm_rollup.status, StatusCode::FORBIDDEN);
    // The pages show it.
    let page = get_as(
        &app,
        &format!("/services/assessments/{id}"),
        &app.firm,
        None,
    )
    .await;
    assert!(page.body.contains("设备联网与数据采集方案（本环节）"));
    assert!(page.body.contains("publish-form"));
    let form = get_as(&app, "/services/assessments", &app.firm, None).await;
    assert!(form.body.contains("name=\"e3\""));
}

/// Appeals are activity: a step leaves the supply graph (seconds to load at province
/// scale) as it is.
#[tokio::test]
async fn an_appeal_leaves_the_supply_graph_loaded() {
    let app = app_with(&[]);
    let mut store = app.store();
    let caches = chainatlas_app::App::default().caches;
    let before = caches.graph(&store).unwrap();
    let firm = viewer(&store, "firm", "2026-11-02");
    let input = services::AppealInput {
        category: "finance".into(),
        title: "贷款续贷".into(),
        ..Default::default()
    };
    let a = services::submit_appeal(&mut store, &firm, &input).unwrap();
    let analyst = viewer(&store, "analyst", "2026-11-02");
    services::step_appeal(&mut store, &analyst, a.id, &move_input("accept", "")).unwrap();
    let after = caches.graph(&store).unwrap();
    assert!(std::sync::Arc::ptr_eq(&before, &after));
}
