//! `chainatlas resolve` and `evaluate-resolve` as a chain office runs them: a park's
//! roster with its own column names against the atlas, and against another list.

mod support;

use support::{chainatlas, stderr, stdout};

const ROSTER: &str = "序号,企业名称,所在地区,联系电话\n\
1,株洲天邦轨道装备股份有限公司,株洲市,0731-22881234\n\
2,乌鲁木齐雪莲冰川矿泉水有限公司,乌鲁木齐市,\n";

fn lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn a_roster_with_its_own_headers_resolves_against_the_atlas() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    assert!(chainatlas(&db, &["demo"]).status.success());
    let roster = dir.path().join("园区名录.csv");
    std::fs::write(&roster, ROSTER).unwrap();
    let out = chainatlas(
        &db,
        &[
            "resolve",
            "--input",
            roster.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = lines(&out);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "1");
    assert_eq!(rows[0]["decision"], "match", "{:#}", rows[0]);
    assert_eq!(rows[0]["match"], "1");
    let reasons = rows[0]["candidates"][0]["reasons"].to_string();
    assert!(reasons.contains("名称："), "{reasons}");
    assert!(reasons.contains("地区：同市"), "{reasons}");
    assert_eq!(rows[1]["decision"], "new", "{:#}", rows[1]);
    assert!(rows[1]["match"].is_null());
    // The summary speaks Chinese unless English is asked for.
    assert!(stderr(&out).starts_with("2 行对照"), "{}", stderr(&out));
    let table = chainatlas(&db, &["resolve", "--input", roster.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&table.stdout).contains("共 2 行：匹配 1，待复核 0，新企业 1"),
        "{}",
        String::from_utf8_lossy(&table.stdout)
    );
    let english = chainatlas(
        &db,
        &["resolve", "--input", roster.to_str().unwrap(), "--english"],
    );
    assert!(
        String::from_utf8_lossy(&english.stdout).contains("2 rows: 1 match, 0 review, 1 new"),
        "{}",
        String::from_utf8_lossy(&english.stdout)
    );

    // A list without a name column is refused, saying which headers would do.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "序号,地址\n1,株洲\n").unwrap();
    let out = chainatlas(&db, &["resolve", "--input", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("企业名称"), "{}", stderr(&out));
    // A chosen column overrides the guess.
    let named = dir.path().join("named.csv");
    std::fs::write(&named, "code,公司\nx1,株洲天邦轨道装备股份有限公司\n").unwrap();
    let out = chainatlas(
        &db,
        &[
            "resolve",
            "--input",
            named.to_str().unwrap(),
            "--column",
            "id=code",
            "--column",
            "name=公司",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("id,name,decision,candidate"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn one_list_resolves_against_another_and_the_evaluation_reports_its_scores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let registry = dir.path().join("registry.csv");
    std::fs::write(
        &registry,
        "id,name,credit_code,region\n\
         r1,杭州士兰微电子股份有限公司,,330100\n\
         r2,马鞍山钢铁股份有限公司,,340500\n\
         r3,深圳市农产品集团股份有限公司,,440300\n",
    )
    .unwrap();
    let list = dir.path().join("signups.csv");
    std::fs::write(
        &list,
        "编号,企业名称,城市\ns1,士兰微,杭州\ns2,马钢股份,马鞍山\n",
    )
    .unwrap();
    let out = chainatlas(
        &db,
        &[
            "resolve",
            "--input",
            list.to_str().unwrap(),
            "--against",
            registry.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = lines(&out);
    assert_eq!(rows[0]["candidates"][0]["id"], "r1", "{:#}", rows[0]);
    assert_eq!(rows[1]["candidates"][0]["id"], "r2", "{:#}", rows[1]);

    let out = chainatlas(
        &db,
        &[
            "evaluate-resolve",
            "--demo",
            "--scale",
            "2000",
            "--inputs",
            "1000",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = lines(&out);
    let scores = &rows[0]["scores"];
    for key in ["precision", "recall", "f1", "recall_at_1"] {
        let v = scores[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&v), "{key} {v}");
    }
    assert!(rows[0]["bm25_characters_recall_at_1"].as_f64().is_some());
}
