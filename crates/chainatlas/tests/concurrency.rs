//! Many clients write at once through the real server (`chainatlas serve` on a SQLite
//! file): listings, events and their edits, registrations, meeting requests and their
//! answers, and agreements and their changes of status; enterprise lists committed and
//! enterprises merged; supply relations edited while the graph is patched; an import
//! racing deletes of the firms it refers to. Every write the
//! server acknowledged is there afterwards, unchanged, under the id it was acknowledged
//! with, and no record changes owner.

mod support;

use chainatlas_store::testing::TestDatabase;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::thread;

use serde_json::{json, Value};
use support::{chainatlas, stdout, Server};

/// An API client with a bearer token that reads every status, not only successes.
#[derive(Clone)]
struct Client {
    agent: ureq::Agent,
    base: String,
    token: String,
}

impl Client {
    fn new(base: &str, token: String) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Client {
            agent,
            base: base.to_string(),
            token,
        }
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.token);
        let reply = match (method, body) {
            ("GET", _) => self.agent.get(&url).header("Authorization", &auth).call(),
            ("POST", Some(b)) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(&b),
            ("PUT", Some(b)) => self
                .agent
                .put(&url)
                .header("Authorization", &auth)
                .send_json(&b),
            ("DELETE", None) => self
                .agent
                .delete(&url)
                .header("Authorization", &auth)
                .call(),
            other => panic!("not used here: {other:?}"),
        };
        let mut reply = reply.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = reply.status().as_u16();
        let text = reply.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn get(&self, path: &str) -> Value {
        let (status, body) = self.send("GET", path, None);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

/// An API token for `user`, made with the CLI while the server runs.
fn token(db: &std::path::Path, user: &str) -> String {
    let out = chainatlas(db, &["token", "create", user, "--name", "concurrency test"]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    stdout(&out)
        .split_whitespace()
        .find(|w| w.starts_with("ca_token_"))
        .expect("the token is printed")
        .to_string()
}

/// Runs `work(i)` on `n` threads at once and returns the results in order.
fn at_once<T: Send + 'static>(
    n: usize,
    work: impl Fn(usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let work = Arc::new(work);
    let barrier = Arc::new(std::sync::Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|i| {
            let (work, barrier) = (work.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                work(i)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn every_acknowledged_write_survives_many_concurrent_clients() {
    let test_db = TestDatabase::new("atlas.db");
    let db = test_db.location().to_path_buf();
    let server = Server::start(&db);
    let admin = Client::new(&server.base, token(&db, "admin"));
    let first = Client::new(&server.base, token(&db, "enterprise"));
    let first_enterprise = first.get("/api/v1/me")["enterprise_id"].as_i64().unwrap();
    let second_enterprise = if first_enterprise == 2 { 3 } else { 2 };
    let added = chainatlas(
        &db,
        &[
            "user",
            "add",
            "firm2",
            "--role",
            "enterprise",
            "--enterprise",
            &second_enterprise.to_string(),
        ],
    );
    assert!(added.status.success(), "{}", support::stderr(&added));
    let second = Client::new(&server.base, token(&db, "firm2"));
    let firms = Arc::new([(first, first_enterprise), (second, second_enterprise)]);

    // Listings: 16 clients of two enterprises create 5 each and revise their first
    // twice, while searching; the acknowledged titles are the last word.
    let f = firms.clone();
    let written: Vec<Vec<(i64, i64, String)>> = at_once(16, move |i| {
        let (client, enterprise) = &f[i % 2];
        let mut mine = Vec::new();
        for k in 0..5 {
            let title = format!("并发测试 {i}-{k} 数控机床");
            let body = json!({"side": "supply", "kind": "equipment", "title": title,
                "description": "负载测试", "region_code": "430200", "price_fen": 100 * (i * 10 + k) as i64});
            let (status, created) = client.send("POST", "/api/v1/listings", Some(body));
            assert_eq!(status, 201, "{created}");
            assert_eq!(created["enterprise_id"].as_i64(), Some(*enterprise));
            mine.push((created["id"].as_i64().unwrap(), *enterprise, title));
            client.get("/api/v1/listings?q=数控机床");
        }
        for revision in 1..=2 {
            let title = format!("并发测试 {i}-0 数控机床 第{revision}版");
            let body = json!({"side": "supply", "kind": "equipment", "title": title,
                "description": "负载测试", "region_code": "430200"});
            let (status, updated) = client.send(
                "PUT",
                &format!("/api/v1/listings/{}", mine[0].0),
                Some(body),
            );
            assert_eq!(status, 200, "{updated}");
            mine[0].2 = title;
        }
        mine
    });
    let listings: Vec<(i64, i64, String)> = written.into_iter().flatten().collect();
    let ids: HashSet<i64> = listings.iter().map(|l| l.0).collect();
    assert_eq!(ids.len(), 80, "every create got its own id");
    for (id, enterprise, title) in &listings {
        let stored = admin.get(&format!("/api/v1/listings/{id}"));
        assert_eq!(
            stored["title"].as_str(),
            Some(title.as_str()),
            "listing {id}"
        );
        assert_eq!(
            stored["enterprise_id"].as_i64(),
            Some(*enterprise),
            "listing {id} kept its owner"
        );
    }
    // An update that names another enterprise is refused and changes nothing.
    let (id, _, title) = &listings[0];
    let (client, _) = &firms[0];
    let body = json!({"enterprise_id": second_enterprise, "side": "supply", "kind": "equipment",
        "title": "换主人", "region_code": "430200"});
    let (status, _) = client.send("PUT", &format!("/api/v1/listings/{id}"), Some(body));
    assert!(status == 400 || status == 403, "{status}");
    assert_eq!(
        admin.get(&format!("/api/v1/listings/{id}"))["title"].as_str(),
        Some(title.as_str())
    );

    // Events: four organisers' clients create one each at once.
    let a = admin.clone();
    let events: Vec<i64> = at_once(4, move |i| {
        let body = json!({"name": format!("并发对接会 {i}"), "venue": "武汉", "starts_on": "2099-03-01",
            "days": "1", "day_start": "09:00", "slot_minutes": "20", "slots_per_day": "8", "breaks": "",
            "tables": "10", "groups": "buyer;supplier", "may_meet": "buyer:supplier",
            "request_cap": "10", "meeting_cap": "10", "request_days": "3"});
        let (status, created) = a.send("POST", "/api/v1/events", Some(body));
        assert_eq!(status, 201, "{created}");
        created["id"].as_i64().unwrap()
    });
    assert_eq!(events.iter().collect::<HashSet<_>>().len(), 4);
    for (i, id) in events.iter().enumerate() {
        let stored = admin.get(&format!("/api/v1/events/{id}"));
        assert_eq!(stored["event"]["name"], format!("并发对接会 {i}"));
    }
    let event = events[0];

    // Edits: eight organisers' clients rename one event at once. The last to commit wins,
    // whole: its name with its own lists, none lost or doubled by a neighbour's rewrite.
    let edited = events[3];
    let a = admin.clone();
    at_once(8, move |i| {
        let body = json!({"name": format!("改名 {i}"), "venue": "武汉", "starts_on": "2099-03-01",
            "days": "1", "day_start": "09:00", "slot_minutes": "20", "slots_per_day": "8", "breaks": "",
            "tables": "10", "groups": format!("buyer;supplier;g{i}"), "may_meet": "buyer:supplier",
            "request_cap": "10", "meeting_cap": "10", "request_days": "3"});
        let (status, e) = a.send("PUT", &format!("/api/v1/events/{edited}"), Some(body));
        assert_eq!(status, 200, "{e}");
    });
    let stored = admin.get(&format!("/api/v1/events/{edited}"));
    let name = stored["event"]["name"].as_str().unwrap().to_string();
    let i = name.strip_prefix("改名 ").expect("one of the edits");
    assert_eq!(
        stored["event"]["groups"],
        json!(["buyer", "supplier", format!("g{i}")]),
        "the winner's lists, whole"
    );

    // Registrations: 24 enterprises at once.
    let a = admin.clone();
    let registered: Vec<(i64, i64, &'static str)> = at_once(24, move |i| {
        let enterprise = 100 + i as i64;
        let group = if i % 2 == 0 { "buyer" } else { "supplier" };
        let body = json!({"enterprise_id": enterprise.to_string(), "group": group});
        let (status, p) = a.send(
            "POST",
            &format!("/api/v1/events/{event}/participants"),
            Some(body),
        );
        assert_eq!(status, 200, "{p}");
        (p["id"].as_i64().unwrap(), enterprise, group)
    });
    let detail = admin.get(&format!("/api/v1/events/{event}"));
    let stored: HashMap<i64, i64> = detail["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_i64().unwrap(),
                p["enterprise_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(stored.len(), 24);
    for (id, enterprise, _) in &registered {
        assert_eq!(stored.get(id), Some(enterprise), "participant {id}");
    }

    // Requests: every buyer asks two suppliers, all at once.
    let buyers: Vec<i64> = registered
        .iter()
        .filter(|p| p.2 == "buyer")
        .map(|p| p.0)
        .collect();
    let suppliers: Vec<i64> = registered
        .iter()
        .filter(|p| p.2 == "supplier")
        .map(|p| p.0)
        .collect();
    let pairs: Vec<(i64, i64)> = buyers
        .iter()
        .enumerate()
        .flat_map(|(i, b)| {
            [
                (*b, suppliers[i]),
                (*b, suppliers[(i + 1) % suppliers.len()]),
            ]
        })
        .collect();
    let pairs = Arc::new(pairs);
    let (a, p) = (admin.clone(), pairs.clone());
    let requests: Vec<i64> = at_once(pairs.len(), move |i| {
        let (from, to) = p[i];
        let body = json!({"to": to.to_string(), "as_participant": from.to_string()});
        let (status, r) = a.send(
            "POST",
            &format!("/api/v1/events/{event}/requests"),
            Some(body),
        );
        assert_eq!(status, 201, "{r}");
        r["id"].as_i64().unwrap()
    });
    assert_eq!(requests.iter().collect::<HashSet<_>>().len(), pairs.len());
    // Answers, all at once: the organiser accepts each for its recipient.
    let (a, r) = (admin.clone(), Arc::new(requests.clone()));
    at_once(r.len(), move |i| {
        let (status, body) = a.send(
            "POST",
            &format!("/api/v1/events/{event}/requests/{}/accept", r[i]),
            Some(json!({})),
        );
        assert_eq!(status, 200, "{body}");
    });
    let detail = admin.get(&format!("/api/v1/events/{event}"));
    let stored: HashMap<i64, (i64, i64, String)> = detail["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["id"].as_i64().unwrap();
            let from = r["from"].as_i64().unwrap();
            let to = r["to"].as_i64().unwrap();
            (id, (from, to, r["status"].as_str().unwrap().to_string()))
        })
        .collect();
    for (id, (from, to)) in requests.iter().zip(pairs.iter()) {
        assert_eq!(
            stored.get(id),
            Some(&(*from, *to, "accepted".to_string())),
            "request {id}"
        );
    }

    // Agreements: both firms record ten each at once, as buyer with the other as supplier.
    let f = firms.clone();
    let agreements: Vec<(i64, String, i64, i64)> = at_once(20, move |i| {
        let (client, me) = &f[i % 2];
        let (_, other) = &f[1 - i % 2];
        let title = format!("并发协议 {i}");
        let body = json!({"title": title, "buyer_id": me.to_string(), "supplier_id": other.to_string(),
            "value_yuan": (1000 + i).to_string(), "status": "intended", "intended_on": "2099-03-01"});
        let (status, a) = client.send("POST", "/api/v1/agreements", Some(body));
        assert_eq!(status, 201, "{a}");
        (
            a["id"].as_i64().unwrap(),
            title,
            *me,
            (1000 + i as i64) * 100,
        )
    });
    let ledger = admin.get("/api/v1/agreements");
    let stored: HashMap<i64, &Value> = ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_i64().unwrap(), a))
        .collect();
    assert_eq!(
        agreements.iter().map(|a| a.0).collect::<HashSet<_>>().len(),
        20
    );
    for (id, title, buyer, value_fen) in &agreements {
        let a = stored
            .get(id)
            .unwrap_or_else(|| panic!("agreement {id} is missing"));
        assert_eq!(a["title"].as_str(), Some(title.as_str()));
        assert_eq!(a["buyer_id"].as_i64(), Some(*buyer));
        assert_eq!(a["value_fen"].as_i64(), Some(*value_fen));
    }
    // Both parties move each agreement on at once: every change is kept, none overwritten
    // by an older read (the status and the new date arrive together).
    let f = firms.clone();
    let moved = agreements.clone();
    at_once(20, move |i| {
        let (id, title, buyer, value_fen) = &moved[i];
        let supplier = if f[0].1 == *buyer { f[1].1 } else { f[0].1 };
        let (client, _) = &f[i % 2];
        let body = json!({"title": title, "buyer_id": buyer.to_string(), "supplier_id": supplier.to_string(),
            "value_yuan": (value_fen / 100).to_string(), "status": "signed",
            "intended_on": "2099-03-01", "signed_on": "2099-03-02"});
        let (status, a) = client.send("PUT", &format!("/api/v1/agreements/{id}"), Some(body));
        assert_eq!(status, 200, "{a}");
    });
    let ledger = admin.get("/api/v1/agreements");
    let signed = ledger
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "signed" && a["signed_on"] == "2099-03-02")
        .count();
    assert_eq!(signed, 20, "every acknowledged change is there");
    drop(server);
}

impl Client {
    /// Uploads `body` as an enterprise list named `name`.
    fn upload_list(&self, name: &str, body: &str) -> (u16, Value) {
        let url = format!("{}/api/v1/resolutions?name={name}", self.base);
        let mut reply = self
            .agent
            .post(&url)
            .header("Authorization", &format!("Bearer {}", self.token))
            .header("Content-Type", "application/octet-stream")
            .send(body.as_bytes())
            .unwrap_or_else(|e| panic!("upload {name}: {e}"));
        let status = reply.status().as_u16();
        let text = reply.body_mut().read_to_string().unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

#[test]
fn lists_committed_and_merges_made_by_many_clients_at_once_are_each_written_once() {
    let test_db = TestDatabase::new("atlas.db");
    let db = test_db.location().to_path_buf();
    let server = Server::start(&db);
    let admin = Client::new(&server.base, token(&db, "admin"));
    let before = admin.get("/api/v1/stats")["enterprises"].as_i64().unwrap();

    // Eight clerks each upload, map and commit a list of one new firm, all at once:
    // each firm is there under the id its commit acknowledged.
    let c = admin.clone();
    let added = at_once(8, move |i| {
        let code =
            chainatlas_model::CreditCode::with_check_character(&format!("91430211MA4Q0C{i:02}9"))
                .unwrap();
        let name = format!("并发测试第{i}号新材料有限公司");
        let (status, list) = c.upload_list(
            &format!("list{i}.csv"),
            &format!("企业名称,统一社会信用代码,所在地区\n{name},{code},株洲市\n"),
        );
        assert_eq!(status, 201, "{list}");
        let id = list["id"].as_i64().unwrap();
        let (status, mapped) = c.send(
            "POST",
            &format!("/api/v1/resolutions/{id}/mapping"),
            Some(json!({})),
        );
        assert_eq!(status, 200, "{mapped}");
        let (status, done) = c.send(
            "POST",
            &format!("/api/v1/resolutions/{id}/commit"),
            Some(json!({})),
        );
        assert_eq!(status, 200, "{done}");
        (id, name, done["rows"][0]["enterprise"].as_i64().unwrap())
    });
    let lists: HashSet<i64> = added.iter().map(|(id, _, _)| *id).collect();
    assert_eq!(lists.len(), 8);
    for (_, name, enterprise) in &added {
        assert_eq!(
            admin.get(&format!("/api/v1/enterprises/{enterprise}"))["name_zh"],
            name.as_str()
        );
    }
    assert_eq!(
        admin.get("/api/v1/stats")["enterprises"].as_i64().unwrap(),
        before + 8
    );

    // Eight commits of one more list at once: one writes, the others are told it is
    // committed.
    let code = chainatlas_model::CreditCode::with_check_character("91430211MA4Q0D001").unwrap();
    let (_, list) = admin.upload_list(
        "again.csv",
        &format!("企业名称,统一社会信用代码,所在地区\n长沙麓山生物医药有限公司,{code},株洲市\n"),
    );
    let id = list["id"].as_i64().unwrap();
    let (_, mapped) = admin.send(
        "POST",
        &format!("/api/v1/resolutions/{id}/mapping"),
        Some(json!({})),
    );
    assert_eq!(mapped["rows"][0]["action"], "add", "{mapped}");
    let c = admin.clone();
    let statuses = at_once(8, move |_| {
        c.send(
            "POST",
            &format!("/api/v1/resolutions/{id}/commit"),
            Some(json!({})),
        )
        .0
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );

    // Eight merges of the first two new firms at once: one merge.
    let (keep, drop) = (added[0].2, added[1].2);
    let c = admin.clone();
    let statuses = at_once(8, move |_| {
        c.send(
            "POST",
            "/api/v1/merges",
            Some(json!({"survivor": keep, "merged": drop})),
        )
        .0
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        admin.get("/api/v1/stats")["enterprises"].as_i64().unwrap(),
        before + 8
    );
}

#[test]
fn appeals_visits_and_their_steps_from_many_clients_at_once_are_each_kept_once() {
    let test_db = TestDatabase::new("atlas.db");
    let db = test_db.location().to_path_buf();
    let server = Server::start(&db);
    let analyst = Client::new(&server.base, token(&db, "analyst"));
    let firm = Client::new(&server.base, token(&db, "enterprise"));
    let enterprise = firm.get("/api/v1/me")["enterprise_id"].as_i64().unwrap();
    let analyst_id = analyst.get("/api/v1/me")["id"].as_i64().unwrap();

    // Sixteen clients: the enterprise submits appeals while staff record visits.
    let (f, a) = (firm.clone(), analyst.clone());
    let written: Vec<Vec<(&str, i64, String)>> = at_once(16, move |i| {
        (0..5)
            .map(|k| {
                let title = format!("并发诉求 {i}-{k}");
                if i % 2 == 0 {
                    let body = json!({"category": "logistics", "title": title});
                    let (status, created) = f.send("POST", "/api/v1/appeals", Some(body));
                    assert_eq!(status, 201, "{created}");
                    ("appeals", created["id"].as_i64().unwrap(), title)
                } else {
                    let body = json!({"enterprise_id": enterprise.to_string(), "planned_on": "2026-06-01",
                        "visited_on": "2026-06-02", "officials": analyst_id.to_string(), "purpose": title});
                    let (status, created) = a.send("POST", "/api/v1/visits", Some(body));
                    assert_eq!(status, 201, "{created}");
                    ("visits", created["id"].as_i64().unwrap(), title)
                }
            })
            .collect()
    });
    let written: Vec<(&str, i64, String)> = written.into_iter().flatten().collect();
    let ids: HashSet<(&str, i64)> = written.iter().map(|(k, id, _)| (*k, *id)).collect();
    assert_eq!(ids.len(), 80, "every create got its own id");
    for (kind, id, title) in &written {
        let stored = analyst.get(&format!("/api/v1/{kind}/{id}"));
        let got = match *kind {
            "appeals" => stored["appeal"]["title"].as_str(),
            _ => stored["purpose"].as_str(),
        };
        assert_eq!(got, Some(title.as_str()), "{kind} {id}");
    }

    // Sixteen clients accept one appeal at once: one move lands, the others are told
    // it has moved on, and the appeal has one acceptance.
    let id = written.iter().find(|w| w.0 == "appeals").unwrap().1;
    let a = analyst.clone();
    let statuses = at_once(16, move |_| {
        a.send(
            "POST",
            &format!("/api/v1/appeals/{id}/steps"),
            Some(json!({"step": "accept"})),
        )
        .0
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    // Sixteen assignments at once: each is a step of its own, and the last one stands.
    let a = analyst.clone();
    let departments = at_once(16, move |i| {
        let department = format!("部门{i}");
        let body = json!({"step": "assign", "department": department, "handler_id": analyst_id.to_string()});
        let (status, body) = a.send("POST", &format!("/api/v1/appeals/{id}/steps"), Some(body));
        assert_eq!(status, 200, "{body}");
        department
    });
    let detail = analyst.get(&format!("/api/v1/appeals/{id}"));
    let steps = detail["steps"].as_array().unwrap();
    let count = |name: &str| steps.iter().filter(|s| s["step"] == name).count();
    assert_eq!((count("accept"), count("assign")), (1, 16));
    let last = steps.last().unwrap()["to"].as_str().unwrap().to_string();
    assert_eq!(last, "assigned");
    let department = detail["appeal"]["department"].as_str().unwrap();
    assert!(departments.iter().any(|d| d == department));

    // Sixteen self-assessments and sixteen official assignments at once: each kept
    // under its own id, with the answers it was acknowledged with.
    let (f, a) = (firm.clone(), analyst.clone());
    let taken: Vec<(i64, u64)> = at_once(16, move |i| {
        if i % 2 == 1 {
            let body = json!({"official_id": analyst_id});
            let (status, body) = a.send(
                "PUT",
                &format!("/api/v1/enterprises/{}/official", i + 2),
                Some(body),
            );
            assert_eq!(status, 200, "{body}");
            return (0, 0);
        }
        let points = (i / 2 % 4) as u64;
        let answers: serde_json::Map<String, serde_json::Value> = [
            "f1", "f2", "f3", "o1", "o2", "o3", "m1", "m2", "m3", "r1", "r2", "r3",
        ]
        .iter()
        .map(|q| (q.to_string(), json!(points)))
        .collect();
        let (status, body) = f.send(
            "POST",
            "/api/v1/assessments",
            Some(json!({"answers": answers})),
        );
        assert_eq!(status, 201, "{body}");
        (body["id"].as_i64().unwrap(), points)
    });
    let taken: Vec<(i64, u64)> = taken.into_iter().filter(|t| t.0 > 0).collect();
    let ids: HashSet<i64> = taken.iter().map(|t| t.0).collect();
    assert_eq!(ids.len(), 8);
    for (id, points) in &taken {
        let stored = firm.get(&format!("/api/v1/assessments/{id}"));
        assert_eq!(
            stored["answers"]["f1"].as_u64(),
            Some(*points),
            "assessment {id}"
        );
    }
    let unvisited = analyst
        .get("/api/v1/visits/unvisited?from=2026-01-01&to=2026-01-31&official=me&limit=1000");
    let assigned: HashSet<i64> = unvisited["enterprises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["enterprise_id"].as_i64().unwrap())
        .collect();
    for i in (1..16).step_by(2) {
        assert!(
            assigned.contains(&(i as i64 + 2)),
            "enterprise {} has its official",
            i + 2
        );
    }
}

#[test]
fn two_servers_on_one_database_serve_each_others_writes() {
    // Two `serve` processes on one database (PostgreSQL with CHAINATLAS_TEST_POSTGRES, a
    // shared SQLite file otherwise): what one writes, the other's caches and listing index
    // follow on its next request.
    let test_db = TestDatabase::new("atlas.db");
    let db = test_db.location().to_path_buf();
    let first = Server::start(&db);
    let second = Server::start(&db);
    let admin_token = token(&db, "admin");
    let firm_token = token(&db, "enterprise");
    let (a, b) = (
        Client::new(&first.base, admin_token.clone()),
        Client::new(&second.base, admin_token),
    );
    let firm_a = Client::new(&first.base, firm_token);

    // The second server has built what it derives before the writes.
    let before = b.get("/api/v1/chains").as_array().unwrap().len();
    b.get("/api/v1/listings?q=液压泵");

    let (status, created) = a.send(
        "POST",
        "/api/v1/records/chains",
        Some(json!({"code": "two-servers", "name_zh": "双服务器测试链", "name_en": "Two servers"})),
    );
    assert_eq!(status, 201, "{created}");
    let after = b.get("/api/v1/chains");
    assert_eq!(after.as_array().unwrap().len(), before + 1, "{after}");
    assert!(after.to_string().contains("two-servers"), "{after}");

    let title = "双服务器 唯一标题 液压泵";
    let (status, listing) = firm_a.send(
        "POST",
        "/api/v1/listings",
        Some(json!({"side": "supply", "kind": "product", "title": title,
            "description": "两台服务器", "region_code": "430200"})),
    );
    assert_eq!(status, 201, "{listing}");
    let found = b.get("/api/v1/listings?q=液压泵");
    assert!(found.to_string().contains(title), "{found}");

    // Both read one counter. A server's own background work (the escalation of appeals
    // it runs on starting) may commit between two reads, so b's reading must fall
    // between two of a's rather than equal one of them.
    let generation = |c: &Client| c.get("/healthz")["generation"].as_u64().unwrap();
    let (a_before, b_now, a_after) = (generation(&a), generation(&b), generation(&a));
    assert!(
        a_before <= b_now && b_now <= a_after,
        "the second server reads generation {b_now}, the first {a_before} then {a_after}"
    );
}

#[test]
fn atlas_edits_from_many_clients_at_once_all_reach_the_patched_graph() {
    // Twelve clients change twelve supply relations at once through the API, each asking
    // for the diagnosis right after, so the server patches its supply graph write by
    // write while others read it. Afterwards every acknowledged value is stored, and the
    // server's diagnosis is the one a new server gives after loading the graph whole.
    let test_db = TestDatabase::new("atlas.db");
    let db = test_db.location().to_path_buf();
    let server = Server::start(&db);
    let admin = Client::new(&server.base, token(&db, "admin"));
    let diagnosis = "/api/v1/chains/rail/diagnosis?region=430000&limit=500";
    let before = admin.get(diagnosis);
    let relations: Vec<i64> = (1..=60)
        .filter_map(|e| {
            admin.get(&format!("/api/v1/enterprises/{e}/suppliers?limit=1"))["items"][0]
                ["relation_id"]
                .as_i64()
        })
        .take(12)
        .collect();
    assert_eq!(relations.len(), 12);
    let writer = admin.clone();
    let ids = relations.clone();
    let acknowledged = at_once(12, move |i| {
        let uri = format!("/api/v1/records/supply_relations/{}", ids[i]);
        let mut fields = writer.get(&uri)["fields"].clone();
        let value = 7_000_000 + 1_000 * i as i64;
        fields["annual_value"] = json!(value.to_string());
        let (status, body) = writer.send("PUT", &uri, Some(fields));
        writer.get(diagnosis);
        (ids[i], value, status, body)
    });
    for (id, value, status, body) in &acknowledged {
        assert_eq!(*status, 200, "PUT relation {id}: {body}");
        let stored = admin.get(&format!("/api/v1/records/supply_relations/{id}"));
        let yuan: f64 = stored["fields"]["annual_value"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(yuan, *value as f64, "relation {id}");
    }
    let patched = admin.get(diagnosis);
    assert_ne!(patched, before, "the writes reached the diagnosis");
    // A new server with no snapshot to start from loads the graph from the database.
    drop(server);
    let snapshot = chainatlas_app::matchmaking::derived_path(&db, "graph");
    let _ = std::fs::remove_file(&snapshot);
    let fresh = Server::start(&db);
    let loaded = Client::new(&fresh.base, token(&db, "admin")).get(diagnosis);
    assert_eq!(patched, loaded);
}

#[test]
fn an_import_racing_deletes_of_what_it_refers_to_leaves_no_dangling_reference() {
    // A merging import through the command line (its bulk session turns SQLite's own
    // reference check off) brings supply relations sold by twelve new firms, while twelve
    // clients delete those firms through the API. Whatever the order: either the import
    // finds a firm gone and writes nothing, or it commits first and the deletes of the
    // firms it refers to are refused. Never a relation whose supplier is gone.
    let test_db = TestDatabase::new("atlas.db");
    let db = test_db.location().to_path_buf();
    let server = Server::start(&db);
    let admin = Client::new(&server.base, token(&db, "admin"));
    let bundle = tempfile::tempdir().unwrap();
    let node = match &admin.get("/api/v1/records/supply_relations/1")["fields"]["node_id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let (mut imported, mut refused) = (0, 0);
    for round in 0..4u32 {
        let firms: Vec<i64> = (0..12u32)
            .map(|i| {
                let n = round * 100 + i;
                let code = chainatlas_model::CreditCode::with_check_character(&format!(
                    "91430200MA4L3{n:04}"
                ))
                .unwrap();
                let (status, body) = admin.send(
                    "POST",
                    "/api/v1/records/enterprises",
                    Some(json!({"credit_code": code.to_string(),
                        "name_zh": format!("导入竞争测试企业{n}号有限公司"),
                        "region_code": "430211", "size": "small", "revenue": "100万",
                        "employees": 10})),
                );
                assert_eq!(status, 201, "{body}");
                body["key"].as_str().unwrap().parse().unwrap()
            })
            .collect();
        let mut csv = String::from("id,supplier_id,buyer_id,node_id,annual_value\n");
        for (i, firm) in firms.iter().enumerate() {
            let id = 9_000_000 + round as usize * 100 + i;
            csv.push_str(&format!("{id},{firm},1,{node},{}\n", 1000 + i));
        }
        std::fs::write(bundle.path().join("supply_relations.csv"), csv).unwrap();

        let path = bundle.path().to_path_buf();
        let database = db.clone();
        let import =
            thread::spawn(move || chainatlas(&database, &["import", path.to_str().unwrap()]));
        let deleter = admin.clone();
        let targets = firms.clone();
        // The deletes start later each round, so that the import, a process of its own,
        // comes before them in some rounds, after them in others, and amid them in some.
        let delay = std::time::Duration::from_millis([0, 150, 400, 1000][round as usize]);
        let deletes = at_once(12, move |i| {
            thread::sleep(delay + std::time::Duration::from_millis(20 * i as u64));
            deleter.send(
                "DELETE",
                &format!("/api/v1/records/enterprises/{}", targets[i]),
                None,
            )
        });
        let import = import.join().unwrap();
        let store = chainatlas_store::Store::open(&db).unwrap();
        assert_eq!(store.foreign_key_violations().unwrap(), 0, "round {round}");
        let present: Vec<bool> = firms
            .iter()
            .map(|&f| {
                store
                    .enterprise(chainatlas_model::EnterpriseId(f))
                    .unwrap()
                    .is_some()
            })
            .collect();
        for (i, (status, body)) in deletes.iter().enumerate() {
            match status {
                204 => assert!(
                    !present[i],
                    "round {round}: firm {} deleted yet there",
                    firms[i]
                ),
                409 => assert!(present[i], "round {round}: firm {} kept yet gone", firms[i]),
                other => panic!("round {round}: DELETE answered {other}: {body}"),
            }
        }
        if import.status.success() {
            imported += 1;
            // Every firm it sold from is still there, refused to its deleter.
            assert!(present.iter().all(|&p| p), "round {round}: {present:?}");
        } else {
            refused += 1;
            let said = support::stderr(&import);
            assert!(said.contains("supplier_id"), "round {round}: {said}");
            assert!(
                present.iter().any(|&p| !p),
                "round {round}: refused with every firm there"
            );
        }
    }
    eprintln!("{imported} imports committed, {refused} refused for a firm deleted first");
}
