//! The real router over a real SQLite file, with one account per role.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use chainatlas_auth::{new_secret, secret_hash, Role};
use chainatlas_demo::{generate, DemoConfig};
use chainatlas_model::{EnterpriseId, Record};
use chainatlas_store::testing::TestDatabase;
use chainatlas_store::{Actor, Change, InsertError, Pool, Store};
use chainatlas_web::{router, AppState};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// Who sends a request.
#[derive(Clone, Debug)]
pub struct Who {
    pub name: &'static str,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

pub struct App {
    /// The database: SQLite in a temporary directory, or a PostgreSQL schema
    /// (`CHAINATLAS_TEST_POSTGRES`).
    pub db: TestDatabase,
    pub router: axum::Router,
    /// The router's state: its caches, for tests that look at how they were filled.
    pub state: AppState,
    pub anonymous: Who,
    pub admin: Who,
    pub analyst: Who,
    /// Acts for enterprise 1 (a chain master of the demo).
    pub firm: Who,
    /// The same roles, with API tokens instead of sessions.
    pub admin_token: Who,
    pub analyst_token: Who,
    pub firm_token: Who,
}

pub const FIRM: EnterpriseId = EnterpriseId(1);

impl App {
    pub fn store(&self) -> Store {
        Store::open(self.db.location()).unwrap()
    }
}

/// A new enterprise in `region` producing `output_yuan` in `node`, written straight into
/// the app's database (as an import would), so the next request sees a new generation.
#[allow(dead_code)]
pub fn add_producer(
    app: &App,
    id: i64,
    credit_code: &str,
    name: &str,
    region: &str,
    node: i64,
    output_yuan: i64,
) {
    use chainatlas_model::{
        Enterprise, EnterpriseId, EnterpriseNode, EnterpriseSize, Money, NodeId, Record, Tags,
    };
    let mut store = chainatlas_store::Store::open(app.db.location()).unwrap();
    let mut writer = store.writer().unwrap();
    writer
        .insert(&Record::Enterprise(Enterprise {
            id: EnterpriseId(id),
            credit_code: credit_code.parse().unwrap(),
            name_zh: name.into(),
            name_en: format!("Test producer {id}"),
            region: region.parse().unwrap(),
            size: EnterpriseSize::Medium,
            tags: Tags::EMPTY,
            revenue: Money::from_yuan(output_yuan + output_yuan / 4),
            employees: 300,
            source: "test".into(),
            other_names: Vec::new(),
            address: String::new(),
            phone: String::new(),
            legal_representative: String::new(),
            industry: None,
        }))
        .unwrap();
    writer
        .insert(&Record::EnterpriseNode(EnterpriseNode {
            enterprise: EnterpriseId(id),
            node: NodeId(node),
            output: Money::from_yuan(output_yuan),
            capacity: Money::from_yuan(output_yuan + output_yuan / 4),
        }))
        .unwrap();
    writer
        .commit(
            &actor(),
            &chainatlas_store::Change::new("test", "enterprise", id),
        )
        .unwrap();
}

pub fn actor() -> Actor {
    Actor::local("tests", chainatlas_web_now())
}

pub fn chainatlas_web_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A user of `role` with a signed-in session and an API token.
fn account(store: &mut Store, username: &'static str, role: Role) -> (Who, Who) {
    let enterprise = (role == Role::Enterprise).then_some(FIRM);
    let user = store
        .create_user(
            &actor(),
            username,
            "not-a-real-hash",
            role,
            enterprise,
            false,
        )
        .unwrap();
    let secret = new_secret("ca_session_");
    let csrf = new_secret("");
    store
        .create_session(
            &actor(),
            &user,
            &secret_hash(&secret),
            &csrf,
            chainatlas_web_now() + 3600,
        )
        .unwrap();
    let token = new_secret("ca_token_");
    store
        .create_token(&actor(), username, "tests", &secret_hash(&token))
        .unwrap();
    (
        Who {
            name: username,
            cookie: Some(format!("ca_session={secret}")),
            csrf: Some(csrf),
            bearer: None,
        },
        Who {
            name: username,
            cookie: None,
            csrf: None,
            bearer: Some(token),
        },
    )
}

pub fn app_with(extra: &[Record]) -> App {
    let db = TestDatabase::new("atlas.db");
    let path = db.location().to_path_buf();
    let mut store = Store::open(&path).unwrap();
    let mut writer = store.writer().unwrap();
    generate::<InsertError>(
        &DemoConfig {
            enterprises: 300,
            listings: 30,
            ..DemoConfig::demo(2024)
        },
        &mut |r| writer.insert(&r),
    )
    .unwrap();
    for r in extra {
        writer.insert(r).unwrap();
    }
    writer
        .commit(&actor(), &Change::new("test", "atlas", 0))
        .unwrap();
    // The demo's two events (one held, one coming), over this small atlas.
    let mut listings = Vec::new();
    store.for_each_listing(|l| listings.push(l)).unwrap();
    let chains: std::collections::HashMap<_, _> =
        store.node_chains().unwrap().into_iter().collect();
    for e in chainatlas_demo::demo_events(&DemoConfig::demo(2024), &listings, &|n| {
        chains.get(&n).copied()
    }) {
        store.insert_event_data(&actor(), &e).unwrap();
    }
    let (admin, admin_token) = account(&mut store, "admin", Role::Admin);
    let (analyst, analyst_token) = account(&mut store, "analyst", Role::Analyst);
    let (firm, firm_token) = account(&mut store, "firm", Role::Enterprise);
    let state = AppState::new(Pool::open(&path, 4).unwrap());
    App {
        router: router(state.clone()),
        state,
        db,
        anonymous: Who {
            name: "anonymous",
            cookie: None,
            csrf: None,
            bearer: None,
        },
        admin,
        analyst,
        firm,
        admin_token,
        analyst_token,
        firm_token,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body's bytes (a download).
    pub raw: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn send(
    app: &App,
    method: Method,
    uri: &str,
    who: &Who,
    extra_cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    send_bytes(
        app,
        method,
        uri,
        who,
        extra_cookie,
        headers,
        body.as_bytes().to_vec(),
    )
    .await
}

/// A request with any body (an upload).
pub async fn send_bytes(
    app: &App,
    method: Method,
    uri: &str,
    who: &Who,
    extra_cookie: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    let cookies: Vec<&str> = who
        .cookie
        .as_deref()
        .into_iter()
        .chain(extra_cookie)
        .collect();
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    if let Some(token) = &who.bearer {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        raw: bytes.to_vec(),
    }
}

/// A GET as `who`, with an optional extra cookie (such as `lang=en`).
pub async fn get_as(app: &App, uri: &str, who: &Who, extra_cookie: Option<&str>) -> Reply {
    send(app, Method::GET, uri, who, extra_cookie, &[], "").await
}

/// A GET as the analyst, who may read everything.
pub async fn get(app: &App, uri: &str, extra_cookie: Option<&str>) -> Reply {
    get_as(app, uri, &app.analyst, extra_cookie).await
}

/// A form POST as `who`, with the session's CSRF token unless `csrf` overrides it.
pub async fn post_form(
    app: &App,
    uri: &str,
    who: &Who,
    extra_cookie: Option<&str>,
    form: &str,
) -> Reply {
    send(
        app,
        Method::POST,
        uri,
        who,
        extra_cookie,
        &[("content-type", "application/x-www-form-urlencoded")],
        form,
    )
    .await
}

/// A JSON request (`POST`, `PUT`) as `who`.
pub async fn send_json(app: &App, method: Method, uri: &str, who: &Who, body: &str) -> Reply {
    send(
        app,
        method,
        uri,
        who,
        None,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

/// The words a reader sees: tags, scripts and styles taken out.
pub fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        text.push(' ');
        let after = &rest[open..];
        let skip_to = ["<script", "<style"]
            .iter()
            .find(|t| after.starts_with(**t))
            .map(|t| format!("</{}>", &t[1..]));
        let end = match skip_to {
            Some(close) => after.find(&close).map_or(after.len(), |i| i + close.len()),
            None => after.find('>').map_or(after.len(), |i| i + 1),
        };
        rest = &after[end..];
    }
    text.push_str(rest);
    text
}

/// A run of four or more English words, two of them in lower case: a sentence where only
/// Chinese should be. (A name in title case, such as an enterprise's English name shown
/// beside its Chinese one, is not a sentence.)
pub fn english_sentence(text: &str) -> Option<String> {
    let mut run: Vec<&str> = Vec::new();
    for word in text.split_whitespace() {
        let word_like = word.trim_matches(|c: char| ",.;:!?()'\"".contains(c));
        if word_like.len() > 1
            && word_like
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '\'')
        {
            run.push(word_like);
            let lower = run
                .iter()
                .filter(|w| w.starts_with(|c: char| c.is_ascii_lowercase()))
                .count();
            if run.len() >= 4 && lower >= 2 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

/// The login form's CSRF cookie and token, as a browser would get them.
pub async fn login_form(app: &App) -> String {
    let form = get_as(app, "/login", &app.anonymous, None).await;
    let cookie = form.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    assert!(
        form.body.contains(&token),
        "the form carries the same token"
    );
    cookie
}

pub async fn try_login(app: &App, username: &str, password: &str) -> Reply {
    let cookie = login_form(app).await;
    let token = cookie.split_once('=').unwrap().1;
    post_form(
        app,
        "/login",
        &app.anonymous,
        Some(&cookie),
        &format!("csrf_token={token}&username={username}&password={password}&next=%2Fchains"),
    )
    .await
}

/// A form body as `who`'s page posts it: the session's CSRF token first, then `fields`
/// %-encoded (a field may repeat, as check boxes do).
pub fn form_body(who: &Who, fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("csrf_token", who.csrf.as_deref().unwrap_or_default());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A credit code with its check character changed: what a typing slip makes.
pub fn mistyped(code: &str) -> String {
    let mut bad = code.to_string();
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    bad
}
