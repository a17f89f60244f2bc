//! Accounts, roles and security, through the real router.

mod support;

use axum::http::{header, Method, StatusCode};
use chainatlas_auth::{hash_password, secret_hash, Role};
use support::{app_with, get_as, login_form, post_form, send, try_login, App, Who};

/// Expected answer: 200, 403, a 401 JSON error, or a redirect to the login page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    Forbidden,
    Unauthorized,
    ToLogin,
}
use Expect::*;

async fn check(app: &App, who: &Who, path: &str, expect: Expect) {
    let reply = get_as(app, path, who, None).await;
    let got = match reply.status {
        StatusCode::OK => Ok,
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::UNAUTHORIZED => Unauthorized,
        StatusCode::SEE_OTHER
            if reply.headers[header::LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/login?next=") =>
        {
            ToLogin
        }
        other => panic!(
            "{} GET {path}: unexpected {other}: {}",
            who.name, reply.body
        ),
    };
    assert_eq!(got, expect, "{} GET {path}", who.name);
}

#[tokio::test]
async fn every_role_meets_every_page_and_endpoint_as_designed() {
    let app = app_with(&[]);
    // (path, anonymous, enterprise, analyst, admin); enterprise 1 is the firm's own.
    let pages = [
        ("/", Ok, Ok, Ok, Ok),
        ("/login", Ok, Ok, Ok, Ok),
        ("/assets/app.css", Ok, Ok, Ok, Ok),
        ("/chains", ToLogin, Ok, Ok, Ok),
        ("/chains/rail?region=430200", ToLogin, Ok, Ok, Ok),
        ("/nodes/1", ToLogin, Ok, Ok, Ok),
        ("/enterprises/1", ToLogin, Ok, Ok, Ok),
        ("/enterprises/2", ToLogin, Ok, Ok, Ok),
        ("/admin/audit", ToLogin, Forbidden, Forbidden, Ok),
        ("/admin/users", ToLogin, Forbidden, Forbidden, Ok),
        // A page's table as a workbook: the page's own rules.
        (
            "/admin/audit?format=xlsx",
            ToLogin,
            Forbidden,
            Forbidden,
            Ok,
        ),
        ("/chains?format=xlsx", ToLogin, Ok, Ok, Ok),
        ("/nodes/1?format=xlsx", ToLogin, Ok, Ok, Ok),
        ("/agreements/export.xlsx", ToLogin, Ok, Ok, Ok),
        // Diagnostics reveal every firm's figures: analysts and administrators only.
        (
            "/chains/rail/diagnosis?region=430200",
            ToLogin,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/chains/rail/disruption", ToLogin, Forbidden, Ok, Ok),
        (
            "/chains/rail/diagnosis?region=430200&format=xlsx",
            ToLogin,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/chains/rail/disruption?region=430200&format=xlsx",
            ToLogin,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/listings?format=xlsx", ToLogin, Ok, Ok, Ok),
        ("/listings/1?format=xlsx", ToLogin, Ok, Ok, Ok),
        // Listings are published to every signed-in user; prices stay private (below).
        ("/listings", ToLogin, Ok, Ok, Ok),
        (
            "/listings?q=%E8%AE%BE%E5%A4%87&side=demand",
            ToLogin,
            Ok,
            Ok,
            Ok,
        ),
        ("/listings/1", ToLogin, Ok, Ok, Ok),
        ("/listings/new", ToLogin, Ok, Ok, Ok),
        // Events: everyone signed in sees them and who takes part; the report and the
        // table sheets are the organisers'; an agenda is its participant's (the firm is
        // not registered in the test atlas) and the organisers'.
        ("/events", ToLogin, Ok, Ok, Ok),
        ("/events/1", ToLogin, Ok, Ok, Ok),
        ("/events/1/report", ToLogin, Forbidden, Ok, Ok),
        (
            "/events/1/report/export?format=csv",
            ToLogin,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/events/1/tables", ToLogin, Forbidden, Ok, Ok),
        ("/events/1/agenda/1", ToLogin, Forbidden, Ok, Ok),
        ("/events/1/agenda/1/ics", ToLogin, Forbidden, Ok, Ok),
        ("/agreements", ToLogin, Ok, Ok, Ok),
        // Imports write the whole atlas: analysts and administrators only.
        ("/imports", ToLogin, Forbidden, Ok, Ok),
        ("/imports/template.xlsx", ToLogin, Forbidden, Ok, Ok),
        // Lists resolved against the atlas, duplicates and merges: the office only.
        ("/resolutions", ToLogin, Forbidden, Ok, Ok),
        ("/duplicates", ToLogin, Forbidden, Ok, Ok),
        ("/opportunities?region=430200", ToLogin, Forbidden, Ok, Ok),
        (
            "/opportunities/industries?region=430200",
            ToLogin,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/merges/new?keep=1&drop=2", ToLogin, Forbidden, Ok, Ok),
        // Editing: analysts and admins everything; a firm its own profile only.
        ("/records/enterprises/1", ToLogin, Ok, Ok, Ok),
        ("/records/enterprises/2", ToLogin, Forbidden, Ok, Ok),
        ("/records/enterprises/new", ToLogin, Forbidden, Ok, Ok),
        ("/records/chains/1", ToLogin, Forbidden, Ok, Ok),
        (
            "/records/chain_nodes/new?chain_id=1",
            ToLogin,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/records/supply_relations/1", ToLogin, Forbidden, Ok, Ok),
        (
            "/chains/rail/disruption?region=430200",
            ToLogin,
            Forbidden,
            Ok,
            Ok,
        ),
    ];
    for (path, anonymous, firm, analyst, admin) in pages {
        check(&app, &app.anonymous, path, anonymous).await;
        check(&app, &app.firm, path, firm).await;
        check(&app, &app.analyst, path, analyst).await;
        check(&app, &app.admin, path, admin).await;
    }
    let api = [
        ("/api/v1/openapi.json", Ok, Ok, Ok, Ok),
        ("/healthz", Ok, Ok, Ok, Ok),
        ("/api/v1/stats", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/regions", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/chains", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/chains/rail/map", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/nodes/1", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/nodes/1/enterprises", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/enterprises?q=%E6%A0%AA", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/enterprises/1", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/enterprises/2", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/enterprises/1/suppliers", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/enterprises/1/buyers", Unauthorized, Ok, Ok, Ok),
        (
            "/api/v1/enterprises/2/suppliers",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/enterprises/2/buyers",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/api/v1/me", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/appeals", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/notifications", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/calendar", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/supervisors", Unauthorized, Forbidden, Ok, Ok),
        ("/api/v1/visits", Unauthorized, Forbidden, Ok, Ok),
        ("/api/v1/visits/unvisited", Unauthorized, Forbidden, Ok, Ok),
        ("/api/v1/blocking-points", Unauthorized, Forbidden, Ok, Ok),
        ("/api/v1/assessments", Unauthorized, Ok, Ok, Ok),
        (
            "/api/v1/assessments/rollup",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/api/v1/users", Unauthorized, Forbidden, Forbidden, Ok),
        ("/api/v1/tokens", Unauthorized, Forbidden, Forbidden, Ok),
        ("/api/v1/records/enterprises/1", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/resolutions", Unauthorized, Forbidden, Ok, Ok),
        ("/api/v1/duplicates", Unauthorized, Forbidden, Ok, Ok),
        (
            "/api/v1/records/enterprises/2",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/records/chain_nodes/1",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/records/supply_relations/1",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        ("/api/v1/listings", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/listings/1", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/listings/1/matches", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/events", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/events/1", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/events/1/report", Unauthorized, Forbidden, Ok, Ok),
        ("/api/v1/agreements", Unauthorized, Ok, Ok, Ok),
        ("/api/v1/audit", Unauthorized, Forbidden, Forbidden, Ok),
        (
            "/api/v1/chains/rail/diagnosis?region=430200",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/chains/rail/disruption?region=430200",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/chains/rail/chokepoints?top=3",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/chains/rail/attraction?region=430200",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/regions/430200/opportunities",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
        (
            "/api/v1/regions/430200/industry-opportunities",
            Unauthorized,
            Forbidden,
            Ok,
            Ok,
        ),
    ];
    for (path, anonymous, firm, analyst, admin) in api {
        check(&app, &app.anonymous, path, anonymous).await;
        // The API answers the same to a session cookie and to a bearer token.
        for (session, token, expect) in [
            (&app.firm, &app.firm_token, firm),
            (&app.analyst, &app.analyst_token, analyst),
            (&app.admin, &app.admin_token, admin),
        ] {
            check(&app, session, path, expect).await;
            check(&app, token, path, expect).await;
        }
    }
}

#[tokio::test]
async fn an_enterprise_never_sees_another_enterprises_private_data() {
    let app = app_with(&[]);
    let own = get_as(&app, "/api/v1/enterprises/1", &app.firm_token, None)
        .await
        .json();
    assert!(own["revenue_fen"].is_i64(), "its own figures");
    let other = get_as(&app, "/api/v1/enterprises/2", &app.firm_token, None)
        .await
        .json();
    assert!(other["revenue_fen"].is_null());
    assert!(other["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["output_fen"].is_null() && n["capacity_fen"].is_null()));
    let analyst_view = get_as(&app, "/api/v1/enterprises/2", &app.analyst_token, None)
        .await
        .json();
    assert!(analyst_view["revenue_fen"].is_i64(), "staff see everything");

    let node = own["nodes"][0]["node"]["id"].as_i64().unwrap();
    let list = get_as(
        &app,
        &format!("/api/v1/nodes/{node}/enterprises?limit=500"),
        &app.firm_token,
        None,
    )
    .await
    .json();
    for item in list["items"].as_array().unwrap() {
        let mine = item["enterprise"]["id"] == 1;
        assert_eq!(item["output_fen"].is_i64(), mine, "{item}");
    }
    // Not even the order tells who produces more.
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["enterprise"]["id"].as_i64().unwrap())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "by id for an enterprise user: {ids:?}"
    );
    let staff = get_as(
        &app,
        &format!("/api/v1/nodes/{node}/enterprises?limit=500"),
        &app.analyst_token,
        None,
    )
    .await
    .json();
    let outputs: Vec<i64> = staff["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["output_fen"].as_i64().unwrap())
        .collect();
    assert!(
        outputs.windows(2).all(|w| w[0] >= w[1]),
        "largest output first for staff"
    );
    let map = get_as(
        &app,
        "/api/v1/chains/rail/map?region=430200",
        &app.firm_token,
        None,
    )
    .await
    .json();
    assert!(
        map["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["output_fen"].is_null()),
        "no per-region totals that reveal one firm"
    );
    let chains = get_as(&app, "/api/v1/chains", &app.firm_token, None)
        .await
        .json();
    assert!(chains
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["output_fen"].is_null()));

    // Pages: another enterprise shows its public profile only.
    let page = get_as(&app, "/enterprises/2", &app.firm, None).await;
    assert!(page.body.contains("id=\"private-note\""));
    let main = &page.body[page.body.find("<main>").unwrap()..];
    assert!(
        !main.contains("/enterprises/1\""),
        "no supplier or buyer links (the header's 我的企业 is its own)"
    );
    let revenue = analyst_view["revenue_fen"].as_i64().unwrap();
    let wan = format!("{}", revenue / 1_000_000);
    assert!(
        !page.body.contains(&format!(">{wan}")),
        "revenue is not shown"
    );
    let own_page = get_as(&app, "/enterprises/1", &app.firm, None).await;
    assert!(!own_page.body.contains("id=\"private-note\""));
}

#[tokio::test]
async fn state_changing_requests_need_the_sessions_csrf_token() {
    let app = app_with(&[]);
    let no_token = post_form(&app, "/logout", &app.analyst, None, "").await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    let wrong = post_form(&app, "/logout", &app.analyst, None, "csrf_token=forged").await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(
        get_as(&app, "/chains", &app.analyst, None).await.status,
        StatusCode::OK,
        "still signed in"
    );
    let header_token = send(
        &app,
        Method::POST,
        "/logout",
        &app.analyst,
        None,
        &[("x-csrf-token", "forged")],
        "",
    )
    .await;
    assert_eq!(header_token.status, StatusCode::FORBIDDEN);

    let csrf = app.analyst.csrf.clone().unwrap();
    let logout = post_form(
        &app,
        "/logout",
        &app.analyst,
        None,
        &format!("csrf_token={csrf}"),
    )
    .await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert!(logout.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    // The session is gone on the server, not just the cookie.
    let after = get_as(&app, "/chains", &app.analyst, None).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    let log = app.store().audit_log(5, 0).unwrap();
    assert_eq!(log.items[0].change.action, "logout");
    assert_eq!(log.items[0].actor.name, "analyst");
}

/// An analyst account whose password is "the right passphrase".
fn analyst_with_password(app: &App, username: &str) {
    app.store()
        .create_user(
            &support::actor(),
            username,
            &hash_password("the right passphrase"),
            Role::Analyst,
            None,
            false,
        )
        .unwrap();
}

#[tokio::test]
async fn signing_in_sets_a_hardened_session_cookie_and_is_audited() {
    let app = app_with(&[]);
    app.store()
        .create_user(
            &support::actor(),
            "chen",
            &hash_password("a long passphrase"),
            Role::Analyst,
            None,
            false,
        )
        .unwrap();
    let wrong = try_login(&app, "chen", "wrong password").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("用户名或密码错误"));
    let unknown = try_login(&app, "nobody", "a long passphrase").await;
    assert_eq!(
        unknown.status,
        StatusCode::UNAUTHORIZED,
        "the same answer for unknown users"
    );

    let ok = try_login(&app, "chen", "a%20long%20passphrase").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.headers[header::LOCATION], "/chains");
    let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("ca_session=ca_session_"));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=28800"] {
        assert!(cookie.contains(attribute), "{cookie} has {attribute}");
    }
    let session = Who {
        name: "chen",
        cookie: Some(cookie.split(';').next().unwrap().to_string()),
        csrf: None,
        bearer: None,
    };
    assert_eq!(
        get_as(&app, "/api/v1/me", &session, None).await.json()["username"],
        "chen"
    );
    let log = app.store().audit_log(1, 0).unwrap();
    assert_eq!(
        (
            log.items[0].change.action.as_str(),
            log.items[0].actor.name.as_str()
        ),
        ("login", "chen")
    );

    // Without the form's token the login is refused before any password is checked.
    let forged = post_form(
        &app,
        "/login",
        &app.anonymous,
        None,
        "username=chen&password=a%20long%20passphrase",
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_a_clear_message() {
    let app = app_with(&[]);
    analyst_with_password(&app, "wang");
    for _ in 0..5 {
        assert_eq!(
            try_login(&app, "wang", "guess").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let throttled = try_login(&app, "wang", "the%20right%20passphrase").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        throttled.body.contains("登录失败次数过多"),
        "{}",
        throttled.body
    );
    assert!(throttled.body.contains("15 分钟"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn simultaneous_guesses_cannot_outrun_the_throttle_and_are_audited() {
    let app = std::sync::Arc::new(app_with(&[]));
    analyst_with_password(&app, "zhao");
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..40 {
        let app = app.clone();
        guesses.spawn(async move { try_login(&app, "zhao", &format!("guess{i}")).await.status });
    }
    let mut statuses = Vec::new();
    while let Some(status) = guesses.join_next().await {
        statuses.push(status.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, throttled), (5, 35), "{statuses:?}");
    let log = app.store().audit_log(100, 0).unwrap();
    let count = |action: &str| {
        log.items
            .iter()
            .filter(|e| e.change.action == action)
            .count()
    };
    assert_eq!(count("sign_in_failed"), 5);
    assert_eq!(
        count("sign_in_throttled"),
        1,
        "one entry per blocked window, not per request"
    );
    let failed = log
        .items
        .iter()
        .find(|e| e.change.action == "sign_in_failed")
        .unwrap();
    assert!(failed
        .change
        .after
        .as_deref()
        .unwrap_or("")
        .contains("zhao"));
}

#[tokio::test]
async fn a_known_browser_is_not_locked_out_by_others_guessing_at_its_address() {
    let app = app_with(&[]);
    analyst_with_password(&app, "sun");
    let ok = try_login(&app, "sun", "the%20right%20passphrase").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let device = ok
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("ca_device="))
        .expect("a device cookie");
    assert!(
        device.contains("HttpOnly") && device.contains("Path=/login"),
        "{device}"
    );
    let device = device.split(';').next().unwrap().to_string();
    // Someone at the same address (all test requests share one) guesses at 20 accounts.
    for i in 0..20 {
        try_login(&app, &format!("user{i}"), "guess").await;
    }
    let blocked = try_login(&app, "sun", "the%20right%20passphrase").await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a new browser waits"
    );
    let form = login_form(&app).await;
    let token = form.split_once('=').unwrap().1;
    let known = post_form(
        &app,
        "/login",
        &app.anonymous,
        Some(&format!("{form}; {device}")),
        &format!("csrf_token={token}&username=sun&password=the%20right%20passphrase&next=%2F"),
    )
    .await;
    assert_eq!(known.status, StatusCode::SEE_OTHER, "{}", known.body);
}

#[tokio::test]
async fn redirects_only_go_to_paths_of_this_site() {
    let app = app_with(&[]);
    for (next, expected) in [
        (
            "%2Fchains%2Frail%3Fregion%3D430200",
            "/chains/rail?region=430200",
        ),
        ("%2F%5Cevil.example", "/"),
        ("%2F%5C%2Fevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
    ] {
        let r = get_as(&app, &format!("/lang/en?next={next}"), &app.anonymous, None).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(r.headers[header::LOCATION], expected, "{next}");
    }
    for next in ["%2F%09%2Fevil.example", "%2Fa%0D%0ASet-Cookie%3A%20x%3D1"] {
        let r = get_as(&app, &format!("/lang/en?next={next}"), &app.anonymous, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{next}");
        let r = get_as(&app, &format!("/login?next={next}"), &app.anonymous, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{next}");
    }
    // After signing in, too.
    analyst_with_password(&app, "liming");
    let form = login_form(&app).await;
    let token = form.split_once('=').unwrap().1;
    let signed_in = post_form(
        &app,
        "/login",
        &app.anonymous,
        Some(&form),
        &format!("csrf_token={token}&username=liming&password=the%20right%20passphrase&next=%2F%5Cevil.example"),
    )
    .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers[header::LOCATION], "/");
}

#[tokio::test]
async fn expired_sessions_revoked_tokens_and_disabled_accounts_stop_working() {
    let app = app_with(&[]);
    let mut store = app.store();
    // A session that expired a second ago.
    let user = store
        .users()
        .unwrap()
        .into_iter()
        .find(|u| u.username == "analyst")
        .unwrap();
    let now = support::chainatlas_web_now();
    store
        .create_session(
            &support::actor(),
            &user,
            &secret_hash("ca_session_old"),
            "c",
            now - 1,
        )
        .unwrap();
    let old = Who {
        name: "old",
        cookie: Some("ca_session=ca_session_old".into()),
        csrf: None,
        bearer: None,
    };
    assert_eq!(
        get_as(&app, "/chains", &old, None).await.status,
        StatusCode::SEE_OTHER
    );

    assert_eq!(
        get_as(&app, "/api/v1/me", &app.firm_token, None)
            .await
            .status,
        StatusCode::OK
    );
    let token = store
        .tokens()
        .unwrap()
        .into_iter()
        .find(|t| t.username == "firm")
        .unwrap();
    store.revoke_token(&support::actor(), token.id).unwrap();
    let revoked = get_as(&app, "/api/v1/me", &app.firm_token, None).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.json()["error"]["code"], "unauthorized");

    store
        .set_disabled(&support::actor(), "admin", true)
        .unwrap();
    assert_eq!(
        get_as(&app, "/api/v1/me", &app.admin_token, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        get_as(&app, "/chains", &app.admin, None).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = app_with(&[]);
    for (path, who) in [
        ("/", &app.anonymous),
        ("/chains", &app.analyst),
        ("/api/v1/stats", &app.analyst_token),
        ("/nope", &app.analyst),
    ] {
        let reply = get_as(&app, path, who, None).await;
        let h = &reply.headers;
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'")
                && csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
    }
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = app_with(&[]);
    let csrf = app.analyst.csrf.clone().unwrap();
    let body = format!("csrf_token={csrf}&filler={}", "x".repeat(70 * 1024));
    let reply = post_form(&app, "/logout", &app.analyst, None, &body).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A JSON body over the limit through the API, with a token: 413 as documented.
    let listing = format!(
        r#"{{"side":"demand","kind":"product","title":"{}","region_code":"430200"}}"#,
        "长".repeat(30_000)
    );
    let reply = support::send_json(
        &app,
        Method::POST,
        "/api/v1/listings",
        &app.firm_token,
        &listing,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["error"]["code"], "too_large");
}

#[tokio::test]
async fn a_second_login_page_load_keeps_the_form_on_screen_valid() {
    let app = app_with(&[]);
    let cookie = login_form(&app).await;
    // A browser's automatic /favicon.ico request must not end at the login page.
    let favicon = get_as(&app, "/favicon.ico", &app.anonymous, Some(&cookie)).await;
    assert_eq!(favicon.status, StatusCode::NOT_FOUND);
    let again = get_as(&app, "/login", &app.anonymous, Some(&cookie)).await;
    let token = cookie.split_once('=').unwrap().1;
    assert!(again.body.contains(token), "the same token is reused");
}
