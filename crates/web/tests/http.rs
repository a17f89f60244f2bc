//! The real router, over a real database filled by the demo generator (an SQLite file, or
//! PostgreSQL with `CHAINATLAS_TEST_POSTGRES`), as a signed-in analyst unless a test says
//! otherwise.

mod support;

use axum::http::{header, Method, StatusCode};
use chainatlas_model::{Chain, ChainId, Record};
use chainatlas_store::{Change, Store};
use support::{app_with, english_sentence, get, get_as, visible_text};

#[tokio::test]
async fn the_health_check_answers_without_sign_in_and_names_the_database() {
    let app = app_with(&[]);
    let health = get_as(&app, "/healthz", &app.anonymous, None).await;
    assert_eq!(health.status, StatusCode::OK);
    let body = health.json();
    assert_eq!(body["status"], "ok");
    let expected = if app.db.is_postgres() {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
    assert_eq!(body["schema_version"], 13);
    assert_eq!(
        body["generation"].as_u64(),
        Some(app.store().generation().unwrap())
    );
    // Nothing else is public.
    assert_eq!(
        get_as(&app, "/api/v1/regions", &app.anonymous, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pages_are_chinese_by_default_and_english_on_request() {
    let app = app_with(&[]);
    let zh = get(&app, "/", None).await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(zh.body.contains("<html lang=\"zh-CN\">"));
    assert!(zh.body.contains("产业链总览"));
    assert!(zh.body.contains("演示数据"), "synthetic data is labelled");
    assert!(zh.body.contains("轨道交通装备"));
    let en = get(&app, "/", Some("lang=en")).await;
    assert!(en.body.contains("Industrial chains at a glance"));
    assert!(en.body.contains("Rail transit equipment"));

    let switch = get(
        &app,
        "/lang/en?next=%2Fchains%2Frail%3Fregion%3D430200",
        None,
    )
    .await;
    assert_eq!(switch.status, StatusCode::SEE_OTHER);
    assert_eq!(
        switch.headers[header::LOCATION],
        "/chains/rail?region=430200"
    );
    assert!(switch.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .starts_with("lang=en;"));
    // Never an open redirect.
    let evil = support::get_as(
        &app,
        "/lang/en?next=%2F%2Fevil.example",
        &app.anonymous,
        None,
    )
    .await;
    assert_eq!(evil.headers[header::LOCATION], "/");
}

#[tokio::test]
async fn the_chain_map_page_embeds_the_map_and_lists_every_node() {
    let app = app_with(&[]);
    let page = get(&app, "/chains/rail?region=430200", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"chain-map-data\""));
    assert!(
        page.body.contains("id=\"map-legend\"") && page.body.contains("本地区暂无企业（短板）"),
        "the map has a legend"
    );
    assert!(page.body.contains("/assets/echarts.min.js"));
    let api = get(&app, "/api/v1/chains/rail/map?region=430200", None)
        .await
        .json();
    let nodes = api["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 24);
    for n in nodes {
        assert!(page.body.contains(n["node"]["name_zh"].as_str().unwrap()));
    }
    // Hunan has no brake-system maker: a short board, shown as an empty node.
    let brakes = nodes
        .iter()
        .find(|n| n["node"]["code"] == "rail-brake-system")
        .unwrap();
    assert_eq!(brakes["enterprises"], 0);
    assert_eq!(api["region"]["name_en"], "Zhuzhou");
    let js = get(&app, "/assets/echarts.min.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
}

#[tokio::test]
async fn region_filters_agree_with_the_whole() {
    let app = app_with(&[]);
    let all = get(&app, "/api/v1/chains/nev/map", None).await.json();
    let hunan = get(&app, "/api/v1/chains/nev/map?region=430000", None)
        .await
        .json();
    let sum = |v: &serde_json::Value| {
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["enterprises"].as_u64().unwrap())
            .sum::<u64>()
    };
    assert!(sum(&hunan) > 0 && sum(&hunan) < sum(&all));
}

/// The map's node totals come from the cached supply graph; they must be what the SQL
/// aggregation over the atlas gives (`Store::node_presence`), for every chain, for the
/// whole country, a province, a city and a region with no firms, and after a write.
#[tokio::test]
async fn chain_maps_from_the_graph_equal_the_sql_totals_and_follow_writes() {
    let app = app_with(&[]);
    let check = |store: &Store, map: &serde_json::Value, chain: ChainId, region: Option<&str>| {
        let sql = store
            .node_presence(chain, region.map(|r| r.parse().unwrap()))
            .unwrap();
        for n in map["nodes"].as_array().unwrap() {
            let id = n["node"]["id"].as_i64().unwrap();
            let (enterprises, output) = sql
                .iter()
                .find(|p| p.node.0 == id)
                .map_or((0, 0), |p| (p.enterprises, p.output.fen()));
            assert_eq!(
                n["enterprises"].as_u64().unwrap(),
                enterprises,
                "node {id} in {region:?}"
            );
            assert_eq!(
                n["output_fen"].as_i64().unwrap(),
                output,
                "node {id} in {region:?}"
            );
        }
    };
    let store = app.store();
    let chains = store.chains().unwrap();
    assert!(chains.len() >= 3);
    for chain in &chains {
        for region in [None, Some("430000"), Some("430200"), Some("650000")] {
            let query = region.map_or(String::new(), |r| format!("?region={r}"));
            let map = get(
                &app,
                &format!("/api/v1/chains/{}/map{query}", chain.code),
                None,
            )
            .await
            .json();
            check(&store, &map, chain.id, region);
        }
    }
    // A new producer in Zhuzhou is on the next map.
    let rail = chains.iter().find(|c| c.code == "rail").unwrap();
    let node = store.chain_nodes(rail.id).unwrap()[0].id;
    let before = get(&app, "/api/v1/chains/rail/map?region=430200", None)
        .await
        .json();
    support::add_producer(
        &app,
        990_001,
        "91350100M000100Y43",
        "新株洲轨道配件有限公司",
        "430211",
        node.0,
        12_000_000,
    );
    let after = get(&app, "/api/v1/chains/rail/map?region=430200", None)
        .await
        .json();
    check(&store, &after, rail.id, Some("430200"));
    let count = |map: &serde_json::Value| {
        map["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["node"]["id"] == node.0)
            .unwrap()["enterprises"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count(&after), count(&before) + 1);
    // The chain list's totals come from the graph too, and equal the SQL aggregation
    // after the write.
    for region in [None, Some("430000"), Some("430200"), Some("650000")] {
        let region = region.map(|r| r.parse().unwrap());
        let from_graph = app.state.caches.chain_summaries(&store, region).unwrap();
        assert_eq!(
            *from_graph,
            store.chain_summaries(region).unwrap(),
            "{region:?}"
        );
    }
}

#[tokio::test]
async fn enterprise_and_node_pages_show_their_links() {
    let app = app_with(&[]);
    let e = get(&app, "/api/v1/enterprises/1", None).await.json();
    assert_eq!(e["tags"][0], "chain_master");
    let page = get(&app, "/enterprises/1", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(e["credit_code"].as_str().unwrap()));
    // Its national industry code, with the division's name on the page.
    let code = e["industry_code"].as_str().unwrap();
    assert!((2..=4).contains(&code.len()), "{code}");
    assert!(page.body.contains("国民经济行业"));
    assert!(page.body.contains(&format!("<dd id=\"industry\">{code} ")));
    let suppliers = get(&app, "/api/v1/enterprises/1/suppliers?limit=5", None)
        .await
        .json();
    assert!(
        suppliers["total"].as_u64().unwrap() > 0,
        "a chain master has suppliers"
    );
    let node_id = e["nodes"][0]["node"]["id"].as_i64().unwrap();
    let node = get(&app, &format!("/nodes/{node_id}"), None).await;
    assert_eq!(node.status, StatusCode::OK);
    assert!(
        node.body.contains(&"/enterprises/1\"".to_string()),
        "the chain master is listed in its node"
    );
    let listed = get(
        &app,
        &format!("/api/v1/nodes/{node_id}/enterprises?limit=500"),
        None,
    )
    .await
    .json();
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["enterprise"]["id"] == 1));
    let found = get(
        &app,
        "/api/v1/enterprises?q=%E6%A0%AA%E6%B4%B2&limit=3",
        None,
    )
    .await
    .json();
    assert!(
        found["total"].as_u64().unwrap() > 0,
        "search by a Chinese city name"
    );
}

#[tokio::test]
async fn unknown_ids_are_404_and_bad_input_is_400_never_a_panic() {
    let app = app_with(&[]);
    for (uri, status, code) in [
        (
            "/api/v1/enterprises/999999",
            StatusCode::NOT_FOUND,
            "enterprise_not_found",
        ),
        (
            "/api/v1/enterprises/abc",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/v1/enterprises/-4/buyers",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/v1/nodes/99999/enterprises",
            StatusCode::NOT_FOUND,
            "node_not_found",
        ),
        (
            "/api/v1/chains/none/map",
            StatusCode::NOT_FOUND,
            "chain_not_found",
        ),
        (
            "/api/v1/chains?region=999999",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        (
            "/api/v1/chains?region=459999",
            StatusCode::NOT_FOUND,
            "region_not_found",
        ),
        (
            "/api/v1/enterprises?limit=100000",
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
        ),
        ("/api/v1/no/such/thing", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let reply = get(&app, uri, None).await;
        assert_eq!(reply.status, status, "{uri}: {}", reply.body);
        assert_eq!(reply.json()["error"]["code"], code, "{uri}");
    }
    // The message is Chinese unless the client asks for English.
    let uri = "/api/v1/enterprises/999999";
    let zh = get(&app, uri, None).await;
    assert_eq!(zh.json()["error"]["message"], "没有编号为 999999 的企业");
    let en_header = [("accept-language", "en-GB,en;q=0.9")];
    let en = support::send(&app, Method::GET, uri, &app.analyst, None, &en_header, "").await;
    assert_eq!(en.status, StatusCode::NOT_FOUND);
    assert_eq!(
        en.json()["error"]["message"],
        "no enterprise with id 999999"
    );
    let cookie = get(&app, uri, Some("lang=en")).await;
    assert_eq!(
        cookie.json()["error"]["message"],
        "no enterprise with id 999999"
    );
    for (uri, status) in [
        ("/enterprises/999999", StatusCode::NOT_FOUND),
        ("/enterprises/abc", StatusCode::BAD_REQUEST),
        ("/chains/none", StatusCode::NOT_FOUND),
        ("/nodes/1?region=12", StatusCode::BAD_REQUEST),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        let reply = get(&app, uri, None).await;
        assert_eq!(reply.status, status, "{uri}");
        assert!(reply.body.contains("<html"), "{uri} answers with a page");
    }
}

#[tokio::test]
async fn names_cannot_break_out_of_the_page() {
    let evil = "</script><script>alert(1)</script>";
    let app = app_with(&[Record::Chain(Chain {
        id: ChainId(99),
        code: "evil".into(),
        name_zh: evil.into(),
        name_en: evil.into(),
    })]);
    let page = get(&app, "/chains/evil", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let title = page
        .body
        .lines()
        .find(|l| l.contains("<title>"))
        .unwrap_or("")
        .to_string();
    assert!(
        !page.body.contains(evil),
        "the name is escaped everywhere: {title}"
    );
    assert!(
        title.contains("&#60;") || title.contains("&lt;"),
        "escaped as text in the page: {title}"
    );
    assert!(
        page.body.contains("\\u003c/script>"),
        "and inside the embedded JSON"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    let app = app_with(&[]);
    let doc = get(&app, "/api/v1/openapi.json", None).await.json();
    assert_eq!(doc["openapi"].as_str().unwrap().chars().next(), Some('3'));
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for path in [
        "/api/v1/stats",
        "/api/v1/regions",
        "/api/v1/chains",
        "/api/v1/chains/{code}/map",
        "/api/v1/nodes/{id}",
        "/api/v1/nodes/{id}/enterprises",
        "/api/v1/enterprises",
        "/api/v1/enterprises/{id}",
        "/api/v1/enterprises/{id}/suppliers",
        "/api/v1/enterprises/{id}/buyers",
    ] {
        assert!(paths.contains(&path), "{path} is documented");
    }
    // The match endpoint's `weights` pattern names exactly the settings ranking takes.
    let params = doc["paths"]["/api/v1/listings/{id}/matches"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let weights = params.iter().find(|p| p["name"] == "weights").unwrap();
    let pattern = weights["schema"]["pattern"].as_str().unwrap();
    let named: std::collections::BTreeSet<&str> = pattern
        .split(|c: char| !(c.is_ascii_lowercase() || c == '_'))
        .filter(|w| w.len() > 1)
        .collect();
    let settings: std::collections::BTreeSet<&str> =
        chainatlas_matching::SETTINGS.into_iter().collect();
    assert_eq!(named, settings, "{pattern}");
    let stats = get(&app, "/api/v1/stats", None).await.json();
    assert_eq!(stats["enterprises"], 300);
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object(),
        "bearer tokens are documented"
    );
}

#[tokio::test]
async fn cached_figures_follow_every_write() {
    let app = app_with(&[]);
    assert_eq!(
        get(&app, "/api/v1/stats", None).await.json()["enterprises"],
        300
    );
    let before = get(&app, "/", None).await.body;
    assert!(
        before.contains(">300<"),
        "the dashboard shows 300 enterprises"
    );
    // Another connection writes, as an import would.
    let mut store = Store::open(app.db.location()).unwrap();
    let mut writer = store.writer().unwrap();
    writer
        .insert(&Record::Enterprise(chainatlas_model::Enterprise {
            id: chainatlas_model::EnterpriseId(90_000),
            credit_code: "91350100M000100Y43".parse().unwrap(),
            name_zh: "新企业".into(),
            name_en: "New Co".into(),
            region: "430200".parse().unwrap(),
            size: chainatlas_model::EnterpriseSize::Small,
            tags: chainatlas_model::Tags::EMPTY,
            revenue: chainatlas_model::Money::from_yuan(1),
            employees: 1,
            source: "test".into(),
            other_names: Vec::new(),
            address: String::new(),
            phone: String::new(),
            legal_representative: String::new(),
            industry: None,
        }))
        .unwrap();
    writer
        .commit(
            &support::actor(),
            &Change::new("test", "enterprise", 90_000),
        )
        .unwrap();
    assert_eq!(
        get(&app, "/api/v1/stats", None).await.json()["enterprises"],
        301
    );
    assert!(get(&app, "/", None).await.body.contains(">301<"));
}

#[tokio::test]
async fn chinese_pages_and_their_errors_have_no_english_sentence() {
    let app = app_with(&[]);
    for uri in [
        "/",
        "/chains",
        "/chains/rail",
        "/chains/rail?region=430200",
        "/nodes/1",
        "/enterprises/1",
        "/chains/rail/diagnosis?region=430200",
        "/chains/rail/disruption?region=430200&node=1",
        // (the demo's own listings are partly in English: what users write is theirs)
        "/listings?q=%E6%97%A0%E6%AD%A4%E8%AF%8D",
        "/listings/new",
        "/events",
        "/agreements",
        "/admin/audit",
        // errors, each as a page
        "/enterprises/abc",
        "/enterprises/999999",
        "/chains/none",
        "/nodes/1?region=12",
        "/no/such/page",
        "/chains/rail/disruption?region=430200&fraction=2",
        "/chains/rail/diagnosis?region=999999",
        "/listings?side=sell",
    ] {
        let page = get(&app, uri, None).await;
        assert!(page.body.contains("<html lang=\"zh-CN\">"), "{uri}");
        let text = visible_text(&page.body);
        assert_eq!(english_sentence(&text), None, "{uri}: {text:.3000}");
        let en = visible_text(&get(&app, uri, Some("lang=en")).await.body);
        assert!(
            english_sentence(&en).is_some() || uri.contains("999999"),
            "the check can fail: {uri}"
        );
    }
}

#[tokio::test]
async fn the_region_picker_finds_any_division_by_pinyin_initials() {
    let app = app_with(&[]);
    let found = get(&app, "/api/v1/regions?q=zz", None).await.json();
    let codes: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"430200"), "{codes:?}");
    assert!(codes.len() <= 20);
    let liling = get(&app, "/api/v1/regions?q=%E9%86%B4%E9%99%B5", None)
        .await
        .json();
    assert_eq!(liling[0]["name_zh"], "醴陵市");
    assert_eq!(liling[0]["parent_code"], "430200");
    let all = get(&app, "/api/v1/regions", None).await.json();
    assert_eq!(
        all.as_array().unwrap().len(),
        chainatlas_model::divisions::all().len()
    );
    let bad = get(&app, "/api/v1/regions?q=zz&limit=0", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"]["code"], "invalid_parameter");
}

/// The JSON a page embeds for its charts.
fn embedded(body: &str, id: &str) -> serde_json::Value {
    let start = body.find(&format!("id=\"{id}\">")).expect("embedded data") + id.len() + 6;
    let end = start + body[start..].find("</script>").unwrap();
    serde_json::from_str(&body[start..end]).unwrap()
}

#[tokio::test]
async fn the_dashboard_charts_output_for_staff_and_only_counts_for_enterprises() {
    let app = app_with(&[]);
    let staff = embedded(&get(&app, "/", None).await.body, "dashboard-data");
    assert_eq!(staff["chains"]["money"], true);
    assert_eq!(staff["chains"]["title"], "各产业链产值（万元）");
    let labels = staff["chains"]["labels"].as_array().unwrap();
    assert!(labels.iter().any(|l| l == "轨道交通装备"));
    assert_eq!(
        labels.len(),
        staff["chains"]["values"].as_array().unwrap().len()
    );
    let provinces = staff["provinces"]["labels"].as_array().unwrap();
    assert!(provinces.iter().any(|p| p == "湖南省"), "{provinces:?}");
    let firm = get_as(&app, "/", &app.firm, None).await;
    let firm = embedded(&firm.body, "dashboard-data");
    assert_eq!(
        firm["chains"]["money"], false,
        "output is not an enterprise's to see"
    );
    assert_eq!(firm["chains"]["title"], "各产业链企业数");
    let values = firm["chains"]["values"].as_array().unwrap();
    assert!(
        values.iter().all(|v| v.as_f64().unwrap().fract() == 0.0),
        "counts only"
    );
}

#[tokio::test]
async fn one_search_box_finds_enterprises_chains_nodes_listings_and_events() {
    let app = app_with(&[]);
    let found = get(&app, "/api/v1/search?q=%E8%BD%A8%E9%81%93", None).await; // 轨道
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let hits = found.json()["hits"].as_array().unwrap().clone();
    let kinds: Vec<&str> = hits.iter().map(|h| h["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"chain"), "{kinds:?}");
    assert!(
        hits.iter()
            .any(|h| h["kind"] == "chain" && h["href"] == "/chains/rail"),
        "{hits:?}"
    );
    // An enterprise by its full name, and by its credit code.
    let e = app
        .store()
        .enterprise(chainatlas_model::EnterpriseId(1))
        .unwrap()
        .unwrap();
    let by_code = get(&app, &format!("/api/v1/search?q={}", e.credit_code), None)
        .await
        .json();
    assert_eq!(by_code["hits"][0]["href"], "/enterprises/1");
    // The page groups what it found, and keeps the words in the box.
    let page = get(&app, "/search?q=%E8%BD%A8%E9%81%93", None).await;
    assert!(
        page.body.contains("id=\"results-chain\""),
        "{:.2000}",
        page.body
    );
    assert!(page.body.contains("id=\"search-box\" value=\"轨道\""));
    assert!(
        !page.body.contains("<small>demand</small>")
            && !page.body.contains("<small>supply</small>"),
        "a listing's side is named in the page's language"
    );
    let nothing = get(&app, "/search?q=zzzzzz", None).await;
    assert!(nothing.body.contains("id=\"no-results\""));
    // The words have a limit, and a longer query is refused, not cut.
    let long = "x".repeat(101);
    for uri in [
        format!("/api/v1/search?q={long}"),
        format!("/api/v1/regions?q={long}"),
    ] {
        let r = get(&app, &uri, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("最多 100 个"));
    }
    // Every page has the box; an enterprise account has its own enterprise one click away.
    let firm = get_as(&app, "/chains", &app.firm, None).await;
    assert!(firm.body.contains("id=\"search-box\""));
    assert!(firm.body.contains("id=\"nav-my-enterprise\""));
    let staff = get(&app, "/chains", None).await;
    assert!(!staff.body.contains("id=\"nav-my-enterprise\""));
}

#[tokio::test]
async fn region_pickers_send_a_name_and_code_and_any_county_may_be_chosen() {
    let app = app_with(&[]);
    // What the type-ahead fills in: the name, then the code.
    let page = get(
        &app,
        "/chains?region=%E6%A0%AA%E6%B4%B2%E5%B8%82+430200",
        None,
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{:.2000}", page.body);
    assert!(
        page.body.contains("value=\"株洲市 430200\""),
        "the picker shows the choice"
    );
    assert!(
        page.body.contains("data-picker=\"region\"") && page.body.contains("/assets/picker.js")
    );
    // A name alone, for a county no enterprise is in yet.
    let liling = get(&app, "/chains?region=%E9%86%B4%E9%99%B5%E5%B8%82", None).await;
    assert_eq!(liling.status, StatusCode::OK);
    assert!(liling.body.contains("醴陵市"));
    let shared = get(&app, "/chains?region=%E6%9C%9D%E9%98%B3%E5%8C%BA", None).await; // 朝阳区
    assert_eq!(shared.status, StatusCode::BAD_REQUEST);
    assert!(
        shared.body.contains("有多个地区叫“朝阳区”"),
        "{:.2000}",
        shared.body
    );
    let script = get(&app, "/assets/picker.js", None).await;
    assert!(script.body.contains("/api/v1/regions?limit=12&q="));
}
