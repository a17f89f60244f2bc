//! A real headless Chromium, driven through ChromeDriver (W3C WebDriver), against a
//! running `chainatlas serve`: the chain map must draw the chain's nodes.

mod support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::Server;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver {
    child: Child,
    url: String,
    session: Option<String>,
}

impl Driver {
    fn start(profile: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            session: None,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{}/status", driver.url)).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1400,1000",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let session = driver.post("/session", capabilities);
        driver.session = Some(
            session["sessionId"]
                .as_str()
                .expect("a session id")
                .to_string(),
        );
        driver
    }

    fn try_post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let url = match &self.session {
            Some(id) => format!("{}/session/{id}{path}", self.url),
            None => format!("{}{path}", self.url),
        };
        let mut response = ureq::post(&url)
            .send_json(body)
            .map_err(|e| format!("WebDriver {path}: {e}"))?;
        let reply: Value = response
            .body_mut()
            .read_json()
            .map_err(|e| format!("WebDriver {path}: {e}"))?;
        Ok(reply["value"].clone())
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.try_post(path, &body).unwrap_or_else(|e| panic!("{e}"))
    }

    /// A WebDriver GET of this session (`/cookie`).
    fn get(&self, path: &str) -> Value {
        let url = format!(
            "{}/session/{}{path}",
            self.url,
            self.session.as_ref().unwrap()
        );
        let reply: Value = ureq::get(&url)
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        reply["value"].clone()
    }

    /// The session's cookies as a `Cookie` header, to fetch what a link downloads.
    fn cookie_header(&self) -> String {
        self.get("/cookie")
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}={}",
                    c["name"].as_str().unwrap(),
                    c["value"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    fn script(&self, source: &str) -> Value {
        self.post("/execute/sync", json!({ "script": source, "args": [] }))
    }

    /// Polls `source` until it returns something other than null.
    fn wait_for(&self, source: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            // While a page is loading, scripts may fail: that is "not yet".
            let value = self
                .try_post("/execute/sync", &json!({ "script": source, "args": [] }))
                .unwrap_or(Value::Null);
            if !value.is_null() {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {source}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn element(&self, css: &str) -> String {
        let element = self.post("/element", json!({ "using": "css selector", "value": css }));
        element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("element found")
            .to_string()
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.post(&format!("/element/{id}/click"), json!({}));
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.post(&format!("/element/{id}/value"), json!({ "text": text }));
    }

    fn screenshot(&self, path: &Path) {
        let url = format!(
            "{}/session/{}/screenshot",
            self.url,
            self.session.as_ref().unwrap()
        );
        let reply: Value = ureq::get(&url)
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        let png = decode_base64(reply["value"].as_str().unwrap());
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(id) = &self.session {
            let _ = ureq::delete(&format!("{}/session/{id}", self.url)).call();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let bytes: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .map(value)
        .collect();
    bytes
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &v)| acc | (v as u32) << (18 - 6 * i));
            let out = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.into_iter().take(chunk.len() - 1)
        })
        .collect()
}

/// An API token for `username`, made with the real command line.
fn api_token(db: &Path, username: &str) -> String {
    let output = support::chainatlas(db, &["token", "create", username, "--name", "browser test"]);
    assert!(output.status.success(), "{}", support::stderr(&output));
    support::stdout(&output)
        .lines()
        .find(|l| l.starts_with("ca_token_"))
        .expect("the token is printed")
        .to_string()
}

/// GET `path` of the API with a bearer token, as a script would.
fn api_with_token(base: &str, token: &str, path: &str) -> Value {
    ureq::get(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap()
}

fn browser_available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    if std::env::var_os("CHAINATLAS_SKIP_BROWSER").is_some() {
        eprintln!("CHAINATLAS_SKIP_BROWSER is set and Chromium is missing: browser test not run");
        return false;
    }
    panic!("the browser test needs Debian's chromium and chromium-driver: run scripts/test, which installs them");
}

/// Text of every label the chart drew.
const CHART_LABELS: &str =
    "return Array.from(document.querySelectorAll('#chain-map svg text')).map(function (t) { return t.textContent; });";

#[test]
fn the_chain_map_draws_every_node_of_the_chain_in_both_languages() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("atlas.db"));
    let (username, password) = server.account("analyst");
    let token = api_token(&dir.path().join("atlas.db"), "analyst");
    let map = api_with_token(
        &server.base,
        &token,
        "/api/v1/chains/rail/map?region=430200",
    );
    let nodes = map["nodes"].as_array().unwrap();
    assert!(nodes.len() >= 12);

    let driver = Driver::start(&dir.path().join("profile"));
    // A visitor is sent to the login page, and comes back after signing in.
    driver.goto(&format!("{}/chains/rail?region=430200", server.base));
    driver.wait_for("return document.getElementById('username') ? true : null;");
    driver.type_into("#username", &username);
    driver.type_into("#password", &password);
    driver.click("#sign-in");
    let rendered = driver.wait_for(
        "return document.getElementById('chain-map').getAttribute('data-rendered-nodes');",
    );
    assert_eq!(rendered.as_str().unwrap(), nodes.len().to_string());
    let labels: Vec<String> = serde_json::from_value(driver.script(CHART_LABELS)).unwrap();
    for n in nodes {
        let expected = format!(
            "{} ({})",
            n["node"]["name_zh"].as_str().unwrap(),
            n["enterprises"]
        );
        assert!(
            labels.contains(&expected),
            "the chart shows '{expected}'; it drew {labels:?}"
        );
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("chain-map.png");
    driver.screenshot(&out);
    assert!(
        std::fs::metadata(&out).unwrap().len() > 10_000,
        "a real screenshot was taken"
    );

    // The region picker finds a division by its pinyin initials, as the user types.
    driver.script(
        "var i = document.querySelector('input[data-picker=region]'); i.value = ''; return true;",
    );
    driver.type_into("input[data-picker=region]", "zz");
    let offered = driver.wait_for(
        "var i = document.querySelector('input[data-picker=region]'); \
         return i.getAttribute('data-suggestions') ? Array.from(document.getElementById(i.getAttribute('list')).options).map(function (o) { return o.value; }) : null;",
    );
    let offered: Vec<String> = serde_json::from_value(offered).unwrap();
    assert!(offered.iter().any(|o| o == "株洲市 430200"), "{offered:?}");

    // One click to English; the chart follows.
    driver.click("#lang-switch");
    driver.wait_for("return document.documentElement.lang === 'en' && document.getElementById('chain-map').getAttribute('data-rendered-nodes') ? true : null;");
    let labels: Vec<String> = serde_json::from_value(driver.script(CHART_LABELS)).unwrap();
    let bogies = nodes
        .iter()
        .find(|n| n["node"]["code"] == "rail-bogie")
        .unwrap();
    assert!(
        labels.contains(&format!("Bogies ({})", bogies["enterprises"])),
        "{labels:?}"
    );

    // The dashboard draws output by chain, enterprises by province and agreements by month.
    driver.goto(&format!("{}/", server.base));
    let drawn = driver.wait_for(
        "var ids = ['chain-chart', 'province-chart', 'agreement-chart']; \
         var n = ids.map(function (id) { var e = document.getElementById(id); return e && e.getAttribute('data-rendered-bars'); }); \
         return n.every(function (x) { return x; }) ? n : null;",
    );
    let drawn: Vec<String> = serde_json::from_value(drawn).unwrap();
    assert_eq!(drawn[0], "8", "one bar per demo chain");
    assert!(drawn[1] != "0" && drawn[2] != "0", "{drawn:?}");
    // The agreements form picks enterprises by name: "name #id" (the page is in English now).
    driver.goto(&format!("{}/agreements", server.base));
    driver.type_into("input[name=buyer_id]", "株洲");
    let offered = driver.wait_for(
        "var i = document.querySelector('input[name=buyer_id]'); \
         return i.getAttribute('data-suggestions') ? Array.from(document.getElementById(i.getAttribute('list')).options).map(function (o) { return o.value; }) : null;",
    );
    let offered: Vec<String> = serde_json::from_value(offered).unwrap();
    assert!(
        !offered.is_empty()
            && offered
                .iter()
                .all(|o| (o.contains("株洲") || o.contains("Zhuzhou")) && o.contains(" #")),
        "{offered:?}"
    );
    driver.goto(&format!("{}/chains/rail?region=430200", server.base));
    driver.wait_for("return document.getElementById('chain-map') && document.getElementById('chain-map').getAttribute('data-rendered-nodes') ? true : null;");

    // The diagnosis page colours the map by coverage and draws the supporting-rate chart.
    driver.click("#diagnosis-link");
    driver.wait_for("return document.getElementById('chain-map') && document.getElementById('chain-map').getAttribute('data-rendered-nodes') && document.getElementById('supporting-chart').getAttribute('data-rendered-bars') ? true : null;");
    let labels: Vec<String> = serde_json::from_value(driver.script(CHART_LABELS)).unwrap();
    assert!(
        labels.contains(&"Bearings · missing".to_string()),
        "{labels:?}"
    );
    let short_boards =
        driver.script("return document.querySelectorAll('#short-boards tbody tr').length;");
    assert!(short_boards.as_u64().unwrap() >= 2);
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("diagnosis.png"));

    // The simulator: losing Zhuzhou colours the map by the share each node loses.
    driver.goto(&format!("{}/chains/rail/disruption", server.base));
    driver.wait_for("return document.getElementById('disruption-form') ? true : null;");
    driver.click("#region-choices input[value='430200']");
    driver.script("document.getElementById('disruption-form').submit(); return true;");
    driver.wait_for("return document.getElementById('total-loss') && document.getElementById('chain-map').getAttribute('data-rendered-nodes') ? true : null;");
    let labels: Vec<String> = serde_json::from_value(driver.script(CHART_LABELS)).unwrap();
    assert!(
        labels
            .iter()
            .any(|l| l.contains(" · −") && !l.ends_with("−0.0%")),
        "{labels:?}"
    );
    let tiers = driver.script("return document.getElementById('tiers').textContent;");
    assert!(tiers.as_str().unwrap().trim().parse::<u32>().unwrap() >= 1);
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("disruption.png"));

    // Signing out ends the session: the map needs a login again.
    driver.click("#sign-out");
    driver.wait_for("return document.getElementById('username') ? true : null;");
    driver.goto(&format!("{}/chains/rail?region=430200", server.base));
    let url = driver
        .wait_for("return document.getElementById('username') ? window.location.pathname : null;");
    assert_eq!(url, "/login");
}

fn sign_in(driver: &Driver, base: &str, username: &str, password: &str) {
    driver.goto(&format!("{base}/login"));
    driver.wait_for("return document.getElementById('username') ? true : null;");
    driver.type_into("#username", username);
    driver.type_into("#password", password);
    driver.click("#sign-in");
    driver.wait_for("return document.getElementById('current-user') ? true : null;");
}

fn sign_out(driver: &Driver) {
    driver.click("#sign-out");
    driver.wait_for("return document.getElementById('username') ? true : null;");
}

/// Fills the form field `name` inside the form `form` (inputs, selects).
fn fill(driver: &Driver, form: &str, name: &str, value: &str) {
    let script = format!(
        "var f = document.querySelector('{form} [name={name}]'); f.value = {}; return true;",
        serde_json::to_string(value).unwrap()
    );
    driver.script(&script);
}

#[test]
fn an_organiser_and_two_enterprises_run_a_small_event() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let server = Server::start(&db);
    let base = server.base.clone();
    let (organiser, organiser_password) = server.account("analyst");
    let (buyer, buyer_password) = server.account("enterprise");
    // A second enterprise account, made with the real command line.
    let added = support::chainatlas(
        &db,
        &[
            "user",
            "add",
            "supplier2",
            "--role",
            "enterprise",
            "--enterprise",
            "2",
        ],
    );
    assert!(added.status.success(), "{}", support::stderr(&added));
    let supplier_password = support::stdout(&added)
        .lines()
        .find_map(|l| l.strip_prefix("密码："))
        .and_then(|l| l.split_whitespace().next())
        .expect("the password is printed")
        .to_string();
    let driver = Driver::start(&dir.path().join("profile"));

    // The organiser creates the event.
    sign_in(&driver, &base, &organiser, &organiser_password);
    driver.goto(&format!("{base}/events"));
    driver.wait_for("return document.getElementById('event-form') ? true : null;");
    for (name, value) in [
        ("name", "浏览器测试对接会"),
        ("venue", "武汉光谷科技会展中心"),
        ("starts_on", "2099-05-20"),
        ("slots_per_day", "6"),
        ("breaks", "4"),
        ("tables", "3"),
        ("groups", "采购方;供应方"),
        ("may_meet", "采购方:供应方"),
    ] {
        fill(&driver, "#event-form", name, value);
    }
    driver.click("#create-event");
    driver.wait_for("return document.getElementById('event-name') ? true : null;");
    let event_url: String =
        serde_json::from_value(driver.script("return window.location.pathname;")).unwrap();
    sign_out(&driver);

    // Two enterprises register: a buyer and a supplier.
    for (user, password, group) in [
        (&buyer, &buyer_password, "采购方"),
        (&"supplier2".to_string(), &supplier_password, "供应方"),
    ] {
        sign_in(&driver, &base, user, password);
        driver.goto(&format!("{base}{event_url}"));
        driver.wait_for("return document.getElementById('register-form') ? true : null;");
        fill(&driver, "#register-form", "group", group);
        driver.click("#register");
        driver.wait_for("return document.getElementById('registered') ? true : null;");
        if group == "采购方" {
            sign_out(&driver);
        }
    }
    // The supplier sends the buyer a request from the participants table.
    driver.click("#participants .request-meeting");
    driver.wait_for("return document.querySelector('#requests-sent tbody tr') ? true : null;");
    sign_out(&driver);

    // The buyer accepts it.
    sign_in(&driver, &base, &buyer, &buyer_password);
    driver.goto(&format!("{base}{event_url}"));
    driver.wait_for("return document.querySelector('#requests-received .accept') ? true : null;");
    driver.click("#requests-received .accept");
    let status = driver.wait_for("var c = document.querySelector('#requests-received .request-status'); return c && !document.querySelector('#requests-received .accept') ? c.textContent : null;");
    assert_eq!(status, "已接受");
    sign_out(&driver);

    // The organiser schedules and publishes.
    sign_in(&driver, &base, &organiser, &organiser_password);
    driver.goto(&format!("{base}{event_url}"));
    driver.wait_for("return document.getElementById('run-schedule') ? true : null;");
    driver.click("#run-schedule");
    driver.wait_for("return document.getElementById('publish') ? true : null;");
    driver.click("#publish");
    let meetings = driver.wait_for("return document.getElementById('publish') ? null : document.querySelectorAll('#meetings tbody tr').length;");
    assert_eq!(meetings, 1);
    let meeting: i64 = serde_json::from_value(
        driver
            .script("return Number(document.querySelector('#meetings tbody tr').dataset.meeting);"),
    )
    .unwrap();
    sign_out(&driver);

    // The buyer sees the meeting on its agenda, with a calendar file.
    sign_in(&driver, &base, &buyer, &buyer_password);
    driver.goto(&format!("{base}{event_url}"));
    driver.wait_for("return document.getElementById('my-agenda') ? true : null;");
    driver.click("#my-agenda");
    let rows = driver.wait_for("return document.getElementById('agenda') ? document.querySelectorAll('#agenda tbody tr').length : null;");
    assert_eq!(rows, 1);
    let agenda = driver.script("return document.getElementById('agenda').textContent;");
    assert!(
        agenda.as_str().unwrap().contains("2099-05-20 09:00"),
        "{agenda}"
    );
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("agenda.png"));
    let ics = driver.script("var x = new XMLHttpRequest(); x.open('GET', document.getElementById('ics').href, false); x.send(); return x.responseText;");
    assert!(ics.as_str().unwrap().contains("BEGIN:VEVENT"), "{ics}");
    sign_out(&driver);

    // The organiser marks the meeting held, records the agreement, and reads the report.
    sign_in(&driver, &base, &organiser, &organiser_password);
    driver.goto(&format!("{base}{event_url}"));
    driver.wait_for("return document.querySelector('#meetings .mark-held') ? true : null;");
    driver.click("#meetings .mark-held");
    driver.wait_for("return document.querySelector('#meetings .mark-held') ? null : true;");
    let event_id = event_url.trim_start_matches("/events/");
    driver.goto(&format!("{base}/agreements?event_id={event_id}"));
    driver.wait_for("return document.getElementById('agreement-form') ? true : null;");
    for (name, value) in [
        ("title", "智能产线配套合作"),
        ("buyer_id", "1"),
        ("supplier_id", "2"),
        ("value_yuan", "250000000"),
        ("signed_on", "2099-05-20"),
        ("meeting_id", &meeting.to_string()),
    ] {
        fill(&driver, "#agreement-form", name, value);
    }
    driver.click("#record-agreement");
    // The demo's agreements are listed already: wait for this one.
    driver.wait_for("return document.querySelector('#agreements') && document.getElementById('agreements').textContent.indexOf('智能产线配套合作') >= 0 ? true : null;");
    driver.goto(&format!("{base}{event_url}/report"));
    let rendered = driver.wait_for("var f = document.getElementById('funnel-chart'); return f && f.getAttribute('data-rendered') ? f.getAttribute('data-rendered') : null;");
    assert_eq!(rendered, "4");
    let figures: Vec<String> = serde_json::from_value(driver.script("return Array.from(document.querySelectorAll('#report-figures .value')).map(function (v) { return v.textContent; });")).unwrap();
    // participants, requested, accepted, scheduled, held, agreements, value (万元)
    assert_eq!(figures, ["2", "1", "1", "1", "1", "1", "25,000.0"]);
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("event-report.png"));
}

#[test]
fn an_enterprise_posts_a_demand_and_reads_its_matches_in_both_languages() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let server = Server::start(&db);
    let base = server.base.clone();
    let (user, password) = server.account("enterprise");
    // A live supply of another enterprise, in a chain node, from the real API.
    let token = api_token(&db, "analyst");
    let page: Value = ureq::get(&format!(
        "{base}/api/v1/listings?side=supply&status=open&valid=true&limit=100"
    ))
    .header("Authorization", &format!("Bearer {token}"))
    .call()
    .unwrap()
    .body_mut()
    .read_json()
    .unwrap();
    let supply = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["enterprise_id"] != 1 && l["node_id"].is_i64())
        .expect("the demo has live supplies in chain nodes")
        .clone();
    let supply_id = supply["id"].as_i64().unwrap();
    let title = format!("求购 {}", supply["title"].as_str().unwrap());

    // The enterprise posts a demand for it through the form.
    let driver = Driver::start(&dir.path().join("profile"));
    sign_in(&driver, &base, &user, &password);
    driver.goto(&format!("{base}/listings/new"));
    driver.wait_for("return document.getElementById('listing-form') ? true : null;");
    for (name, value) in [
        ("side", "demand"),
        ("kind", supply["kind"].as_str().unwrap()),
        ("title", &title),
        ("description", supply["description"].as_str().unwrap()),
        ("node_id", &supply["node_id"].to_string()),
        ("region_code", supply["region_code"].as_str().unwrap()),
    ] {
        fill(&driver, "#listing-form", name, value);
    }
    driver.click("#save-listing");
    driver.wait_for("return document.getElementById('listing-facts') ? true : null;");
    let path: String =
        serde_json::from_value(driver.script("return window.location.pathname;")).unwrap();
    let demand_id = path.trim_start_matches("/listings/").to_string();

    // Its page ranks the supply among its matches, with reasons in Chinese.
    let reasons_of = |id: i64| {
        format!("var a = document.querySelector('#matches a[href=\"/listings/{id}\"]'); return a ? a.closest('li').querySelector('.reasons').textContent : null;")
    };
    let reasons = driver.wait_for(&reasons_of(supply_id));
    let reasons = reasons.as_str().unwrap();
    assert!(
        reasons.contains("共同词") && reasons.contains("同一环节"),
        "{reasons}"
    );
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("listing-matches.png"));

    // One click to English: the same match, its reasons in English.
    driver.click("#lang-switch");
    driver.wait_for("return document.documentElement.lang === 'en' ? true : null;");
    let reasons = driver.wait_for(&reasons_of(supply_id));
    let reasons = reasons.as_str().unwrap();
    assert!(
        reasons.contains("Shared terms") && reasons.contains("Same chain node"),
        "{reasons}"
    );

    // Closing the listing takes it out of open listings; the search page finds it closed.
    driver.click("#close-listing");
    driver.wait_for("return document.getElementById('reopen-listing') ? true : null;");
    driver.goto(&format!("{base}/listings"));
    driver.wait_for("return document.getElementById('listing-search') ? true : null;");
    fill(&driver, "#listing-search", "q", &title);
    fill(&driver, "#listing-search", "side", "demand");
    fill(&driver, "#listing-search", "status", "closed");
    driver.script("document.getElementById('listing-search').submit(); return true;");
    let found = driver.wait_for(&format!("return window.location.search.indexOf('status=closed') >= 0 ? !!document.querySelector('#listing-table a[href=\"/listings/{demand_id}\"]') : null;"));
    assert_eq!(found, true);
    fill(&driver, "#listing-search", "status", "open");
    driver.script("document.getElementById('listing-search').submit(); return true;");
    let found = driver.wait_for(&format!("return window.location.search.indexOf('status=open') >= 0 ? !!document.querySelector('#listing-table a[href=\"/listings/{demand_id}\"]') : null;"));
    assert_eq!(found, false);
}

/// A workbook of one new enterprise, as a clerk fills the template's enterprises sheet.
fn enterprise_workbook(path: &Path, credit_code: &str) {
    use chainatlas_bundle::sheet::{to_xlsx, Sheet};
    let header = [
        "credit_code",
        "name_zh",
        "region_code",
        "size",
        "tags",
        "revenue",
        "employees",
    ];
    let bytes = to_xlsx(&[Sheet {
        name: "enterprises".into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows: vec![vec![
            credit_code.into(),
            "湘江星辰精密装备有限公司".into(),
            "430211".into(),
            "small".into(),
            "specialized_new".into(),
            "12000000".into(),
            "35".into(),
        ]],
    }])
    .unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// Uploads `file` from the import page with one of its buttons and waits for the
/// import's page to settle; answers its state.
fn upload(driver: &Driver, base: &str, file: &Path, button: &str) -> String {
    driver.goto(&format!("{base}/imports"));
    driver.wait_for("return document.getElementById('import-file') ? true : null;");
    driver.type_into("#import-file", &file.display().to_string());
    driver.click(button);
    let state = driver.wait_for(
        "var s = document.getElementById('import-state'); \
         return s && s.dataset.state !== 'running' ? s.dataset.state : null;",
    );
    state.as_str().unwrap().to_string()
}

fn text_of(driver: &Driver, css: &str) -> String {
    let script = format!("var e = document.querySelector('{css}'); return e ? e.textContent : '';");
    driver
        .script(&script)
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits for the page at `path` to have loaded (its URL path equal to it).
fn wait_for_path(driver: &Driver, prefix: &str) -> String {
    let script = format!(
        "return document.readyState === 'complete' && window.location.pathname.indexOf('{prefix}') === 0 ? window.location.pathname : null;"
    );
    driver.wait_for(&script).as_str().unwrap().to_string()
}

#[test]
fn a_clerk_imports_finds_edits_exports_and_opens_an_account_in_the_browser() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let server = Server::start(&db);
    let base = server.base.clone();
    let (admin, admin_password) = server.account("admin");
    let driver = Driver::start(&dir.path().join("profile"));
    sign_in(&driver, &base, &admin, &admin_password);

    // The template is one click away on the import page.
    driver.goto(&format!("{base}/imports"));
    let href = driver.wait_for(
        "var a = document.getElementById('template-link'); return a ? a.getAttribute('href') : null;",
    );
    let template = ureq::get(&format!("{base}{}", href.as_str().unwrap()))
        .header("Cookie", &driver.cookie_header())
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    assert_eq!(&template[..2], b"PK", "a workbook");

    // A workbook with one mistyped credit code: the preview names the cell in Chinese,
    // and neither it nor a direct commit changes anything.
    let good = chainatlas_model::CreditCode::with_check_character("91430211MA4P7XK1Q")
        .unwrap()
        .to_string();
    let mut bad = good.clone();
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    let bad_file = dir.path().join("企业名单-有误.xlsx");
    enterprise_workbook(&bad_file, &bad);
    assert_eq!(
        upload(&driver, &base, &bad_file, "#import-preview"),
        "refused"
    );
    let problems = text_of(&driver, "#import-problems");
    assert!(
        problems.contains("工作表 enterprises 第 2 行"),
        "{problems}"
    );
    assert!(problems.contains("credit_code"), "{problems}");
    assert_eq!(
        text_of(&driver, "#import-confirm"),
        "",
        "nothing to confirm"
    );
    assert_eq!(
        upload(&driver, &base, &bad_file, "#import-commit"),
        "refused"
    );
    let none = driver.script(
        "var x = new XMLHttpRequest(); x.open('GET', '/api/v1/search?q=' + encodeURIComponent('星辰精密'), false); x.send(); return x.responseText;",
    );
    assert!(
        !none.as_str().unwrap().contains("湘江星辰"),
        "nothing was written"
    );

    // Fixed: previewed, then confirmed.
    let good_file = dir.path().join("企业名单.xlsx");
    enterprise_workbook(&good_file, &good);
    assert_eq!(
        upload(&driver, &base, &good_file, "#import-preview"),
        "done"
    );
    driver.click("#import-confirm");
    driver.wait_for(
        "var s = document.getElementById('import-state'); \
         return s && s.dataset.state === 'done' && !document.getElementById('import-confirm') ? true : null;",
    );

    // Found by its abbreviation through the header's search box.
    driver.type_into("#search-box", "星辰精密");
    driver.script("document.getElementById('search-box').form.submit(); return true;");
    wait_for_path(&driver, "/search");
    let href = driver.wait_for(
        "var a = Array.from(document.querySelectorAll('a')).find(function (a) { return a.textContent.indexOf('湘江星辰精密装备') >= 0; }); return a ? a.getAttribute('href') : null;",
    );
    let enterprise_page = href.as_str().unwrap().to_string();
    let id: i64 = enterprise_page
        .trim_start_matches("/enterprises/")
        .parse()
        .unwrap();

    // Edited: more employees, saved through the form.
    driver.goto(&format!("{base}{enterprise_page}"));
    driver.wait_for("return document.getElementById('edit-enterprise') ? true : null;");
    driver.click("#edit-enterprise");
    driver.wait_for("return document.getElementById('record-form') ? true : null;");
    fill(&driver, "#record-form", "employees", "88");
    driver.click("#save-record");
    wait_for_path(&driver, "/enterprises/");
    assert!(
        text_of(&driver, ".facts").contains("88"),
        "{}",
        text_of(&driver, ".facts")
    );

    // Placed in a node with the node picker: typing a name offers the node.
    driver.goto(&format!(
        "{base}/records/enterprise_nodes/new?enterprise_id={id}"
    ));
    driver.wait_for("return document.getElementById('record-form') ? true : null;");
    let node_name = driver.script(
        "var x = new XMLHttpRequest(); x.open('GET', '/api/v1/nodes/1', false); x.send(); return JSON.parse(x.responseText).node.name_zh;",
    );
    driver.type_into("#record-form [name=node_id]", node_name.as_str().unwrap());
    let offered = driver.wait_for(
        "var o = document.querySelector('#node_id-list option'); return o ? o.value : null;",
    );
    assert!(offered.as_str().unwrap().ends_with("#1"), "{offered}");
    fill(
        &driver,
        "#record-form",
        "node_id",
        offered.as_str().unwrap(),
    );
    fill(&driver, "#record-form", "output", "800万");
    fill(&driver, "#record-form", "capacity", "1,000万");
    driver.click("#save-record");
    wait_for_path(&driver, "/enterprises/");

    // The node's enterprises, exported to Excel from the node's page, hold it.
    driver.goto(&format!("{base}/nodes/1"));
    let href = driver.wait_for(
        "var a = document.getElementById('export-enterprises'); return a ? a.getAttribute('href') : null;",
    );
    let bytes = ureq::get(&format!("{base}{}", href.as_str().unwrap()))
        .header("Cookie", &driver.cookie_header())
        .call()
        .unwrap()
        .body_mut()
        .read_to_vec()
        .unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let rows = book.worksheet_range(&sheet).unwrap();
    let row = rows
        .rows()
        .find(|r| r[1] == calamine::Data::String("湘江星辰精密装备有限公司".into()))
        .expect("the new enterprise is in the export");
    assert_eq!(
        row[4],
        calamine::Data::Float(800.0),
        "output in 万元, a number"
    );

    // An account for it, made on the users page; its password is shown once.
    driver.goto(&format!("{base}/admin/users"));
    driver.wait_for("return document.getElementById('new-user') ? true : null;");
    fill(&driver, "#new-user", "username", "xingchen");
    fill(&driver, "#new-user", "role", "enterprise");
    fill(
        &driver,
        "#new-user",
        "enterprise",
        &format!("湘江星辰 #{id}"),
    );
    driver.click("#create-user");
    let password = driver
        .wait_for("var s = document.getElementById('secret'); return s ? s.textContent : null;");
    let password = password.as_str().unwrap().to_string();
    sign_out(&driver);

    // The new user signs in, opens its own enterprise and edits its English name.
    sign_in(&driver, &base, "xingchen", &password);
    driver.click("#nav-my-enterprise");
    wait_for_path(&driver, "/enterprises/");
    driver.wait_for("return document.getElementById('edit-enterprise') ? true : null;");
    driver.click("#edit-enterprise");
    driver.wait_for("return document.getElementById('record-form') ? true : null;");
    let credit =
        driver.script("return document.querySelector('#record-form [name=credit_code]').readOnly;");
    assert_eq!(
        credit,
        Value::Bool(true),
        "its credit code is the office's to change"
    );
    fill(
        &driver,
        "#record-form",
        "name_en",
        "Xiangjiang Xingchen Precision Equipment Co., Ltd.",
    );
    driver.click("#save-record");
    wait_for_path(&driver, "/enterprises/");
    let subtitle = driver.wait_for(
        "var s = document.querySelector('.subtitle'); return s && s.textContent.indexOf('Xingchen') >= 0 ? s.textContent : null;",
    );
    assert!(subtitle.as_str().unwrap().contains("Precision Equipment"));
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-profile.png"));
}

/// A park's roster as it arrives: its own headers (the name under 企业（单位）, which no
/// rule knows), a known enterprise with its code and an address, the same name as
/// another known enterprise but a different code, and a firm the atlas lacks.
fn roster_workbook(path: &Path, known: &Value, namesake: &Value, new_code: &str, dup_code: &str) {
    use chainatlas_bundle::sheet::{to_xlsx, Sheet};
    let header = [
        "序号",
        "企业（单位）",
        "统一社会信用代码",
        "所在地区",
        "注册地址",
    ];
    let text = |v: &Value, k: &str| v[k].as_str().unwrap().to_string();
    let bytes = to_xlsx(&[Sheet {
        name: "园区企业".into(),
        header: header.iter().map(|h| h.to_string()).collect(),
        rows: vec![
            vec![
                "1".into(),
                text(known, "name_zh"),
                text(known, "credit_code"),
                text(known, "region_code"),
                "株洲市天元区黄河南路 9 号".into(),
            ],
            vec![
                "2".into(),
                text(namesake, "name_zh"),
                dup_code.into(),
                text(namesake, "region_code"),
                String::new(),
            ],
            vec![
                "3".into(),
                "湘江云帆智能装备有限公司".into(),
                new_code.into(),
                "株洲市".into(),
                "株洲市芦淞区董家塅".into(),
            ],
        ],
    }])
    .unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn api_get(driver: &Driver, path: &str) -> Value {
    let text = driver.script(&format!(
        "var x = new XMLHttpRequest(); x.open('GET', '{path}', false); x.send(); return JSON.stringify({{status: x.status, body: x.responseText}});"
    ));
    let reply: Value = serde_json::from_str(text.as_str().unwrap()).unwrap();
    let body = reply["body"].as_str().unwrap();
    json!({ "status": reply["status"], "body": serde_json::from_str::<Value>(body).unwrap_or(Value::Null) })
}

/// Clicks `css` and waits for the page that follows to have loaded.
fn click_and_wait(driver: &Driver, css: &str) {
    driver.script("window.__before = true; return true;");
    driver.click(css);
    driver.wait_for("return document.readyState === 'complete' && !window.__before ? true : null;");
}

#[test]
fn a_clerk_resolves_a_messy_list_and_undoes_a_merge_in_the_browser() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let server = Server::start(&db);
    let base = server.base.clone();
    let (admin, admin_password) = server.account("admin");
    let driver = Driver::start(&dir.path().join("profile"));
    sign_in(&driver, &base, &admin, &admin_password);

    let known = api_get(&driver, "/api/v1/enterprises/2")["body"].clone();
    let namesake = api_get(&driver, "/api/v1/enterprises/3")["body"].clone();
    let code = |s: &str| {
        chainatlas_model::CreditCode::with_check_character(s)
            .unwrap()
            .to_string()
    };
    let (new_code, dup_code) = (code("91430203MA4R2Y5K7"), code("91430203MA4R2Y5K8"));
    let file = dir.path().join("园区企业名录.xlsx");
    roster_workbook(&file, &known, &namesake, &new_code, &dup_code);

    // Uploaded from the lists page; the name column is chosen by hand.
    driver.goto(&format!("{base}/resolutions"));
    driver.wait_for("return document.getElementById('list-file') ? true : null;");
    driver.type_into("#list-file", &file.display().to_string());
    driver.click("#list-upload");
    driver.wait_for("return document.getElementById('mapping-form') ? true : null;");
    let list_path = driver
        .script("return window.location.pathname;")
        .as_str()
        .unwrap()
        .to_string();
    fill(&driver, "#mapping-form", "\"map.name\"", "企业（单位）");
    click_and_wait(&driver, "#resolve-button");
    driver.wait_for("return document.getElementById('review-table') ? true : null;");
    assert_eq!(
        driver.script("return document.querySelector('#row-2').dataset.decision;"),
        "match"
    );

    // One proposal confirmed, one rejected (the namesake with another code is a firm of
    // its own), then the list committed.
    click_and_wait(&driver, "#row-2 button.confirm");
    assert_eq!(
        driver.script("return document.querySelector('#row-2').dataset.choice;"),
        "confirm"
    );
    click_and_wait(&driver, "#row-3 button.reject");
    assert_eq!(
        driver.script("return document.querySelector('#row-3').dataset.choice;"),
        "reject"
    );
    assert!(
        text_of(&driver, "#commit-hint").contains("新增 2 家"),
        "{}",
        text_of(&driver, "#commit-hint")
    );
    click_and_wait(&driver, "#commit-list");
    driver.wait_for("return document.getElementById('committed-note') ? true : null;");
    assert_eq!(
        driver.script("return window.location.pathname;"),
        list_path.as_str()
    );
    let added = |row: u32| -> i64 {
        let href = driver.script(&format!(
            "var a = document.querySelector('#row-{row} td:last-child a'); return a ? a.getAttribute('href') : null;"
        ));
        href.as_str()
            .unwrap()
            .trim_start_matches("/enterprises/")
            .parse()
            .unwrap()
    };
    let (twin, fresh) = (added(3), added(4));

    // The enriched enterprise shows the list's address; the new one is found by name.
    driver.goto(&format!("{base}/enterprises/2"));
    driver.wait_for("return document.querySelector('.facts') ? true : null;");
    assert!(text_of(&driver, ".facts").contains("株洲市天元区黄河南路 9 号"));
    driver.type_into("#search-box", "云帆智能");
    driver.script("document.getElementById('search-box').form.submit(); return true;");
    wait_for_path(&driver, "/search");
    let href = driver.wait_for(
        "var a = Array.from(document.querySelectorAll('a')).find(function (a) { return a.textContent.indexOf('湘江云帆智能装备') >= 0; }); return a ? a.getAttribute('href') : null;",
    );
    assert_eq!(href, format!("/enterprises/{fresh}").as_str());

    // The rejected row made a twin of enterprise 3: merged into it, then the merge undone
    // leaves both as they were.
    let before = (
        api_get(&driver, "/api/v1/enterprises/3"),
        api_get(&driver, &format!("/api/v1/enterprises/{twin}")),
        api_get(&driver, "/api/v1/stats"),
    );
    driver.goto(&format!("{base}/enterprises/3"));
    driver.wait_for("return document.getElementById('merge-with-form') ? true : null;");
    fill(&driver, "#merge-with-form", "drop", &format!("x #{twin}"));
    driver.script("document.getElementById('merge-with-form').submit(); return true;");
    driver.wait_for("return document.getElementById('confirm-merge') ? true : null;");
    click_and_wait(&driver, "#confirm-merge");
    driver.wait_for("return document.getElementById('undo-merge') ? true : null;");
    assert_eq!(
        api_get(&driver, &format!("/api/v1/enterprises/{twin}"))["status"],
        404
    );
    let merged = api_get(&driver, "/api/v1/enterprises/3")["body"].clone();
    assert!(
        merged["other_names"].as_array().unwrap().is_empty(),
        "the same name is no other name"
    );
    click_and_wait(&driver, "#undo-merge");
    driver.wait_for("return document.getElementById('merge-undone') ? true : null;");
    let after = (
        api_get(&driver, "/api/v1/enterprises/3"),
        api_get(&driver, &format!("/api/v1/enterprises/{twin}")),
        api_get(&driver, "/api/v1/stats"),
    );
    assert_eq!(after, before);
}

#[test]
fn an_analyst_reads_a_regions_new_boards_on_the_quadrant_chart_and_in_the_table() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("atlas.db"));
    let (username, password) = server.account("analyst");
    let token = api_token(&dir.path().join("atlas.db"), "analyst");
    let dto = api_with_token(
        &server.base,
        &token,
        "/api/v1/regions/430200/opportunities?top=30",
    );
    let plotted = dto["space"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["present"] == true || !p["density"].is_null())
        .count();
    let first = &dto["new_boards"][0];

    let driver = Driver::start(&dir.path().join("profile"));
    sign_in(&driver, &server.base, &username, &password);
    driver.goto(&format!("{}/opportunities?region=430200", server.base));
    let points = driver.wait_for(
        "var e = document.getElementById('quadrant-chart'); return e && e.getAttribute('data-rendered-points');",
    );
    assert_eq!(points.as_str().unwrap(), plotted.to_string());
    let nodes = driver.wait_for(
        "var e = document.getElementById('space-chart'); return e && e.getAttribute('data-rendered-nodes');",
    );
    assert_eq!(
        nodes.as_str().unwrap(),
        dto["space"].as_array().unwrap().len().to_string()
    );
    // The first row is the first new board, with its reasons as the API gives them.
    let row = text_of(&driver, "#new-boards tbody tr:first-child");
    assert!(
        row.contains(first["node"]["name_zh"].as_str().unwrap()),
        "{row}"
    );
    assert!(
        row.contains(first["reasons"][0]["text_zh"].as_str().unwrap()),
        "{row}"
    );
    // In English, one click away.
    driver.click("#lang-switch");
    driver.wait_for("return document.documentElement.lang === 'en' && document.getElementById('quadrant-chart').getAttribute('data-rendered-points') ? true : null;");
    let row = text_of(&driver, "#new-boards tbody tr:first-child");
    assert!(
        row.contains(first["reasons"][0]["text_en"].as_str().unwrap()),
        "{row}"
    );
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("opportunities.png");
    driver.screenshot(&out);
}

/// POST `body` to `path` of the API with a bearer token, as a script would.
fn api_post_with_token(base: &str, token: &str, path: &str, body: Value) -> Value {
    ureq::post(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .send_json(&body)
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap()
}

#[test]
fn an_enterprise_appeals_an_official_replies_and_the_enterprise_assesses_itself() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("atlas.db");
    let server = Server::start(&db);
    let base = server.base.clone();
    let (firm, firm_password) = server.account("enterprise");
    let (analyst, analyst_password) = server.account("analyst");
    let token = api_token(&db, "analyst");
    let analyst_id = api_with_token(&base, &token, "/api/v1/me")["id"]
        .as_i64()
        .unwrap();
    let counted = |path: &str| {
        api_with_token(&base, &token, path)["total"]["appeals"]
            .as_u64()
            .unwrap()
    };
    let before = counted("/api/v1/blocking-points?by=category");
    // A provider that fills the equipment-networking gap, in the real API.
    let provider = api_post_with_token(
        &base,
        &token,
        "/api/v1/listings",
        json!({"enterprise_id": 2, "side": "supply", "kind": "technology", "title": "浏览器测试：设备联网与数据采集方案",
               "description": "设备联网、数据采集、工业互联网平台接入", "region_code": "430200"}),
    );
    let provider_id = provider["id"].as_i64().unwrap();

    // The enterprise submits an appeal.
    let driver = Driver::start(&dir.path().join("profile"));
    sign_in(&driver, &base, &firm, &firm_password);
    driver.goto(&format!("{base}/services/appeals"));
    driver.wait_for("return document.getElementById('appeal-form') ? true : null;");
    fill(&driver, "#appeal-form", "category", "logistics");
    fill(
        &driver,
        "#appeal-form",
        "title",
        "浏览器测试：铁路专用线运力紧张",
    );
    fill(
        &driver,
        "#appeal-form",
        "description",
        "旺季发运受限，影响订单交付",
    );
    click_and_wait(&driver, "#submit-appeal");
    let path = wait_for_path(&driver, "/services/appeals/");
    let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
    assert_eq!(text_of(&driver, "#appeal-state").trim(), "待受理");
    sign_out(&driver);

    // An official accepts, assigns to themself and replies.
    sign_in(&driver, &base, &analyst, &analyst_password);
    driver.goto(&format!("{base}{path}"));
    driver.wait_for("return document.getElementById('step-accept') ? true : null;");
    click_and_wait(&driver, "#step-accept button");
    driver.wait_for("return document.getElementById('step-assign') ? true : null;");
    fill(&driver, "#step-assign", "department", "市交通运输局");
    fill(
        &driver,
        "#step-assign",
        "handler_id",
        &analyst_id.to_string(),
    );
    click_and_wait(&driver, "#step-assign button");
    driver.wait_for("return document.getElementById('step-reply') ? true : null;");
    fill(&driver, "#step-reply", "note", "已协调铁路部门增开班列");
    click_and_wait(&driver, "#step-reply button");
    let state = driver.wait_for("var s = document.getElementById('appeal-state'); return s ? s.getAttribute('data-state') : null;");
    assert_eq!(state, "replied");
    assert!(text_of(&driver, "#deadlines").contains('/'));
    sign_out(&driver);

    // The enterprise reads the reply and rates it.
    sign_in(&driver, &base, &firm, &firm_password);
    driver.goto(&format!("{base}{path}"));
    driver.wait_for("return document.getElementById('step-rate') ? true : null;");
    assert!(text_of(&driver, "#appeal-reply").contains("增开班列"));
    fill(&driver, "#step-rate", "satisfaction", "5");
    click_and_wait(&driver, "#step-rate button");
    assert_eq!(text_of(&driver, "#appeal-satisfaction").trim(), "5 / 5");
    sign_out(&driver);

    // The blocking-point dashboard counts it, and draws it.
    sign_in(&driver, &base, &analyst, &analyst_password);
    driver.goto(&format!("{base}/services/blocking?by=category"));
    driver.wait_for("var c = document.getElementById('blocking-chart'); return c && c.getAttribute('data-rendered-bars') ? true : null;");
    let shown: u64 = text_of(&driver, "#total-appeals").trim().parse().unwrap();
    assert_eq!(shown, before + 1);
    assert_eq!(counted("/api/v1/blocking-points?by=category"), before + 1);
    let detail = api_with_token(&base, &token, &format!("/api/v1/appeals/{id}"));
    assert_eq!(detail["appeal"]["satisfaction"], 5);
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("blocking-points.png"));
    sign_out(&driver);

    // The enterprise takes the assessment and sees the provider for its weakest answer.
    sign_in(&driver, &base, &firm, &firm_password);
    driver.goto(&format!("{base}/services/assessments"));
    driver.wait_for("return document.getElementById('assessment-form') ? true : null;");
    driver.script(
        "['f1','f2','f3','o1','o2','o3','m1','m2','m3','r1','r2','r3'].forEach(function (q) {
           document.querySelector('#assessment-form input[name=' + q + '][value=\"' + (q === 'f1' ? 0 : 2) + '\"]').checked = true;
         }); return true;",
    );
    click_and_wait(&driver, "#submit-assessment");
    wait_for_path(&driver, "/services/assessments/");
    let providers = driver.wait_for(
        "var s = document.querySelector('section.gap[data-gap=f1]'); return s ? Array.from(s.querySelectorAll('.providers a')).map(function (a) { return a.getAttribute('href'); }) : null;",
    );
    assert!(
        providers
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h == &json!(format!("/listings/{provider_id}"))),
        "{providers}"
    );
    // foundation (0 + 2 + 2) / 9 = 44.4, the others 66.7: the mean 61.1 is level 3
    assert_eq!(text_of(&driver, "#digital-level").trim(), "三级");
    driver.wait_for("var c = document.getElementById('assessment-chart'); return c && c.getAttribute('data-rendered-bars') ? true : null;");
    driver.click("#lang-switch");
    driver.wait_for("return document.documentElement.lang === 'en' ? true : null;");
    assert!(text_of(&driver, "main").contains("Recommended providers"));
    driver.screenshot(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("assessment.png"));
}
