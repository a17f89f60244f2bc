//! Users and API tokens managed in the web app: an admin creates a user whose password is
//! shown once and works, binds enterprises, changes roles (ending sessions), disables,
//! resets passwords, creates and revokes tokens; bad input is refused field by field in
//! Chinese with nothing written; only admins may; many admins at once lose nothing.

mod support;

use axum::http::{header, Method, StatusCode};
use support::*;

use support::form_body as form;

/// The secret a page shows once.
fn secret(body: &str) -> String {
    let start = body.find("<code id=\"secret\">").expect("a secret") + "<code id=\"secret\">".len();
    body[start..].split('<').next().unwrap().to_string()
}

fn users(app: &App) -> Vec<chainatlas_store::User> {
    app.store().users().unwrap()
}

#[tokio::test]
async fn an_admin_creates_an_enterprise_user_whose_password_works_once_shown() {
    let app = app_with(&[]);
    let page = get_as(&app, "/admin/users", &app.admin, None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(english_sentence(&visible_text(&page.body)), None);

    // An enterprise user without an enterprise, and a guessable password: both named.
    let before = users(&app).len();
    let reply = post_form(
        &app,
        "/admin/users",
        &app.admin,
        None,
        &form(
            &app.admin,
            &[
                ("username", "lixiang"),
                ("role", "enterprise"),
                ("enterprise", ""),
                ("password", "password1"),
            ],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(
        reply.body.contains("企业用户须绑定一家企业"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("password："), "{}", reply.body);
    assert!(reply.body.contains("至少应为 10 个"), "{}", reply.body);
    assert_eq!(
        english_sentence(&visible_text(&reply.body)),
        None,
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("value=\"lixiang\""),
        "the username typed is kept"
    );
    assert_eq!(users(&app).len(), before, "nothing written");

    // Bound to enterprise 2 through the picker's text, with a random password shown once.
    let reply = post_form(
        &app,
        "/admin/users",
        &app.admin,
        None,
        &form(
            &app.admin,
            &[
                ("username", "lixiang"),
                ("role", "enterprise"),
                ("enterprise", "某企业 #2"),
                ("password", ""),
            ],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let password = secret(&reply.body);
    assert_eq!(password.len(), 16);
    let again = get_as(&app, "/admin/users", &app.admin, None).await;
    assert!(!again.body.contains(&password), "shown only once");

    let signed_in = try_login(&app, "lixiang", &password).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.body
    );
    let cookie = signed_in.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let who = Who {
        name: "lixiang",
        cookie: Some(cookie),
        csrf: None,
        bearer: None,
    };
    let me = get_as(&app, "/api/v1/me", &who, None).await;
    assert_eq!(me.json()["enterprise_id"], 2, "{}", me.body);

    // The same name again is taken.
    let taken = send_json(
        &app,
        Method::POST,
        "/api/v1/users",
        &app.admin_token,
        r#"{"username":"lixiang","role":"analyst"}"#,
    )
    .await;
    assert_eq!(taken.status, StatusCode::BAD_REQUEST, "{}", taken.body);
    assert_eq!(taken.json()["error"]["code"], "invalid_user");

    // A new role ends the sessions opened under the old one.
    let changed = post_form(
        &app,
        "/admin/users/lixiang/role",
        &app.admin,
        None,
        &form(&app.admin, &[("role", "analyst"), ("enterprise", "")]),
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let me = get_as(&app, "/api/v1/me", &who, None).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let entry = app.store().audit_log(1, 0).unwrap().items.remove(0);
    assert_eq!(
        (entry.change.action.as_str(), entry.change.entity.as_str()),
        ("update", "user")
    );

    // A reset password replaces the old one.
    let reset = post_form(
        &app,
        "/admin/users/lixiang/password",
        &app.admin,
        None,
        &form(&app.admin, &[]),
    )
    .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    let new_password = secret(&reset.body);
    assert_eq!(
        try_login(&app, "lixiang", &password).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        try_login(&app, "lixiang", &new_password).await.status,
        StatusCode::SEE_OTHER
    );

    // Disabled: no sign-in.
    let disabled = post_form(
        &app,
        "/admin/users/lixiang/disable",
        &app.admin,
        None,
        &form(&app.admin, &[]),
    )
    .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER);
    assert_eq!(
        try_login(&app, "lixiang", &new_password).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn tokens_are_shown_once_work_and_stop_when_revoked() {
    let app = app_with(&[]);
    let reply = post_form(
        &app,
        "/admin/users/analyst/tokens",
        &app.admin,
        None,
        &form(&app.admin, &[("name", "夜间导出")]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let token = secret(&reply.body);
    let who = Who {
        name: "script",
        cookie: None,
        csrf: None,
        bearer: Some(token),
    };
    assert_eq!(
        get_as(&app, "/api/v1/me", &who, None).await.status,
        StatusCode::OK
    );
    let listed = get_as(&app, "/api/v1/tokens", &app.admin_token, None).await;
    let id = listed
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "夜间导出")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let unnamed = post_form(
        &app,
        "/admin/users/analyst/tokens",
        &app.admin,
        None,
        &form(&app.admin, &[("name", " ")]),
    )
    .await;
    assert_eq!(unnamed.status, StatusCode::BAD_REQUEST);
    assert!(unnamed.body.contains("应写明用途"), "{}", unnamed.body);

    let revoked = post_form(
        &app,
        &format!("/admin/tokens/{id}/revoke"),
        &app.admin,
        None,
        &form(&app.admin, &[]),
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    assert_eq!(
        get_as(&app, "/api/v1/me", &who, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let twice = send(
        &app,
        Method::DELETE,
        &format!("/api/v1/tokens/{id}"),
        &app.admin_token,
        None,
        &[],
        "",
    )
    .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND, "{}", twice.body);
}

#[tokio::test]
async fn only_admins_manage_users_and_no_admin_locks_themselves_out() {
    let app = app_with(&[]);
    for who in [&app.analyst, &app.firm] {
        let page = get_as(&app, "/admin/users", who, None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", who.name);
        let post = post_form(
            &app,
            "/admin/users",
            who,
            None,
            &form(who, &[("username", "intruder"), ("role", "admin")]),
        )
        .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN, "{}", who.name);
    }
    for who in [&app.analyst_token, &app.firm_token] {
        let reply = send_json(
            &app,
            Method::POST,
            "/api/v1/users",
            who,
            r#"{"username":"intruder","role":"admin"}"#,
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        let reply = send(
            &app,
            Method::POST,
            "/api/v1/users/admin/password",
            who,
            None,
            &[],
            "",
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }
    assert!(users(&app).iter().all(|u| u.username != "intruder"));

    let own = post_form(
        &app,
        "/admin/users/admin/disable",
        &app.admin,
        None,
        &form(&app.admin, &[]),
    )
    .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    assert!(own.body.contains("不能更改自己的角色或停用自己"));
    let own = send_json(
        &app,
        Method::PUT,
        "/api/v1/users/admin",
        &app.admin_token,
        r#"{"role":"analyst"}"#,
    )
    .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    assert!(users(&app)
        .iter()
        .any(|u| u.username == "admin" && !u.disabled && u.role == chainatlas_auth::Role::Admin));
    let nobody = send(
        &app,
        Method::POST,
        "/api/v1/users/nobody/disable",
        &app.admin_token,
        None,
        &[],
        "",
    )
    .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    assert_eq!(nobody.json()["error"]["code"], "user_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_admins_creating_users_at_once_lose_nothing() {
    let app = std::sync::Arc::new(app_with(&[]));
    let before = users(&app).len();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let app = app.clone();
        // Four of them ask for the same name: one gets it.
        let name = if i < 4 {
            "shared.name".to_string()
        } else {
            format!("clerk{i:02}")
        };
        tasks.push(tokio::spawn(async move {
            let body = format!(r#"{{"username":"{name}","role":"analyst"}}"#);
            (
                name,
                send_json(&app, Method::POST, "/api/v1/users", &app.admin_token, &body).await,
            )
        }));
    }
    let mut created = 0;
    let mut shared = 0;
    for task in tasks {
        let (name, reply) = task.await.unwrap();
        match reply.status {
            StatusCode::CREATED => {
                created += 1;
                shared += usize::from(name == "shared.name");
            }
            StatusCode::BAD_REQUEST => {
                assert_eq!(name, "shared.name", "{}", reply.body);
                assert!(
                    reply.body.contains("taken") || reply.body.contains("已被使用"),
                    "{}",
                    reply.body
                );
            }
            other => panic!("{other}: {}", reply.body),
        }
    }
    assert_eq!(shared, 1);
    assert_eq!(created, 13);
    assert_eq!(users(&app).len(), before + 13);
}
