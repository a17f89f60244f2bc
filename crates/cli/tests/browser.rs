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

    fn post(&self, path: &str, body: Value) -> Value {
        let url = match &self.session {
            Some(id) => format!("{}/session/{id}{path}", self.url),
            None => format!("{}{path}", self.url),
        };
        let mut response = ureq::post(&url)
            .send_json(&body)
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"));
        let reply: Value = response
            .body_mut()
            .read_json()
            .expect("WebDriver answers JSON");
        reply["value"].clone()
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
            let value = self.script(source);
            if !value.is_null() {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {source}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, css: &str) {
        let element = self.post("/element", json!({ "using": "css selector", "value": css }));
        let id = element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .expect("element found")
            .to_string();
        self.post(&format!("/element/{id}/click"), json!({}));
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
    let map: Value = ureq::get(&format!(
        "{}/api/v1/chains/rail/map?region=430200",
        server.base
    ))
    .call()
    .unwrap()
    .body_mut()
    .read_json()
    .unwrap();
    let nodes = map["nodes"].as_array().unwrap();
    assert!(nodes.len() >= 12);

    let driver = Driver::start(&dir.path().join("profile"));
    driver.goto(&format!("{}/chains/rail?region=430200", server.base));
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
}
