//! `chainatlas match`, `index` and `evaluate` as an organiser runs them.

mod support;

use std::path::Path;

use support::{chainatlas, stderr, stdout};

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

const DEMANDS: &str = "id,title,description,region,quantity,unit,budget,tags,contact\n\
D1,采购伺服电机 MS1H4-75B,功率 7.5 kW,420100,20,台,9000,ISO 9001,张三\n\
D2,Sourcing lithium battery cells,\"LFP 280Ah, 5 t per month\",430200,,,,,李四\n";

const SUPPLIES: &str = "id,title,description,region,quantity,unit,price,tags\n\
S1,伺服电机 MS1H4-75B/7.5千瓦,现货,420100,50,台,8500,iso-9001\n\
S2,磷酸铁锂电芯 280Ah,LFP battery cells 5000 kg monthly,430200,,,,\n\
S3,数控机床 VMC850,立式加工中心,110100,3,台,320000,\n";

#[test]
fn two_spreadsheets_are_matched_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let (d, s) = (
        dir.path().join("demands.csv"),
        dir.path().join("supplies.csv"),
    );
    write(&d, DEMANDS);
    write(&s, SUPPLIES);
    let db = dir.path().join("unused.db");
    let args = [
        "match",
        "--demands",
        d.to_str().unwrap(),
        "--supplies",
        s.to_str().unwrap(),
        "--top",
        "2",
        "--format",
        "json",
    ];
    let out = chainatlas(&db, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["query"], "D1");
    assert_eq!(json[0]["matches"][0]["id"], "S1");
    assert_eq!(json[1]["matches"][0]["id"], "S2");
    let reasons = json[0]["matches"][0]["reasons_en"].to_string();
    assert!(
        reasons.contains("ms1h4-75b")
            && reasons.contains("Same city")
            && reasons.contains("Holds ISO 9001"),
        "{reasons}"
    );
    assert!(json[0]["matches"][0]["breakdown"]["price"] == 1.0);
    assert!(!db.exists(), "matching two lists needs no database");
    // CSV and table output, in English.
    let csv = stdout(&chainatlas(
        &db,
        &[
            "match",
            "--demands",
            d.to_str().unwrap(),
            "--supplies",
            s.to_str().unwrap(),
            "--format",
            "csv",
            "--lang",
            "en",
        ],
    ));
    assert!(
        csv.starts_with("query,rank,candidate,candidate_title,score,reasons\nD1,1,S1,"),
        "{csv}"
    );
    let table = stdout(&chainatlas(
        &db,
        &[
            "match",
            "--demands",
            d.to_str().unwrap(),
            "--supplies",
            s.to_str().unwrap(),
        ],
    ));
    assert!(
        table.contains("D2  Sourcing lithium battery cells") && table.contains("共同词"),
        "{table}"
    );
}

#[test]
fn bad_spreadsheets_are_refused_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let (d, s) = (
        dir.path().join("demands.csv"),
        dir.path().join("supplies.csv"),
    );
    write(&s, SUPPLIES);
    write(
        &d,
        "id,title,description,region,quantity,budget\nD1,,x,4201,-3,12.345\nD1,泵,,420100,,\n",
    );
    let db = dir.path().join("unused.db");
    let run = |lang: &str| {
        chainatlas(
            &db,
            &[
                "match",
                "--demands",
                d.to_str().unwrap(),
                "--supplies",
                s.to_str().unwrap(),
                "--lang",
                lang,
            ],
        )
    };
    let out = run("zh");
    assert!(!out.status.success());
    let err = stderr(&out);
    for expected in [
        "文件 demands.csv 第 2 行，title 列：",
        "5 个问题",
        "未做匹配",
    ] {
        assert!(err.contains(expected), "{expected} in {err}");
    }
    let out = run("en");
    assert!(!out.status.success());
    let err = stderr(&out);
    for expected in [
        "demands.csv line 2, column title: is empty, expected text",
        "demands.csv line 2, column region:",
        "demands.csv line 2, column quantity: '-3' is not a whole number",
        "demands.csv line 2, column budget:",
        "demands.csv line 3, column id: 'D1' appears twice in this list",
        "5 problems in",
        "nothing was matched",
    ] {
        assert!(err.contains(expected), "{expected} in {err}");
    }
    assert!(stdout(&out).is_empty(), "nothing printed as a result");
    // A list without the required columns, and a file that is no list.
    write(&d, "name,text\nx,y\n");
    let err = stderr(&chainatlas(
        &db,
        &[
            "match",
            "--demands",
            d.to_str().unwrap(),
            "--supplies",
            s.to_str().unwrap(),
        ],
    ));
    assert!(
        err.contains("文件 demands.csv 第 1 行：缺少列“id”"),
        "{err}"
    );
    let txt = dir.path().join("list.txt");
    write(&txt, "x");
    let err = stderr(&chainatlas(
        &db,
        &[
            "match",
            "--demands",
            txt.to_str().unwrap(),
            "--supplies",
            s.to_str().unwrap(),
        ],
    ));
    assert!(
        err.contains("list.txt：不是 .csv 文件或 .xlsx 工作簿"),
        "{err}"
    );
}

#[test]
fn database_listings_are_matched_one_by_one_and_all_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    assert!(chainatlas(&db, &["demo"]).status.success());
    // The first use builds the index and says so.
    let out = chainatlas(
        &db,
        &[
            "match",
            "--demand",
            "3",
            "--top",
            "3",
            "--format",
            "json",
            "--today",
            "2026-11-01",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("was missing: rebuilt 300 listings"),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json[0]["query"], "3");
    assert_eq!(json[0]["matches"].as_array().unwrap().len(), 3);
    assert!(
        json[0]["matches"][0]["title"]
            .as_str()
            .unwrap()
            .contains("光纤激光切割机"),
        "{json:#}"
    );
    // The wrong side is named.
    let out = chainatlas(&db, &["match", "--supply", "3"]);
    assert!(
        stderr(&out).contains("listing 3 is a demand listing, not a supply"),
        "{}",
        stderr(&out)
    );
    let out = chainatlas(&db, &["match", "--demand", "3", "--weights", "region=x"]);
    assert!(
        stderr(&out).contains("--weights `region=x`: the value must be a non-negative number"),
        "{}",
        stderr(&out)
    );
    // Every open demand into a match sheet.
    let sheet = dir.path().join("matches.csv");
    let out = chainatlas(
        &db,
        &[
            "match",
            "--all",
            "--top",
            "2",
            "--out",
            sheet.to_str().unwrap(),
            "--today",
            "2026-11-01",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(
        text.starts_with("demand,demand_title,rank,supply,"),
        "{text:.300}"
    );
    assert!(text.lines().count() > 100, "{}", text.lines().count());
    let xlsx = dir.path().join("matches.xlsx");
    let out = chainatlas(
        &db,
        &[
            "match",
            "--all",
            "--out",
            xlsx.to_str().unwrap(),
            "--today",
            "2026-11-01",
        ],
    );
    assert!(
        out.status.success() && xlsx.metadata().unwrap().len() > 1000,
        "{}",
        stderr(&out)
    );
    // Deleting the index is harmless: status rebuilds it.
    std::fs::remove_dir_all(dir.path().join("a.db.index")).unwrap();
    let status = chainatlas(&db, &["index", "status"]);
    assert!(
        stderr(&status).contains("was missing"),
        "{}",
        stderr(&status)
    );
    assert!(
        stdout(&status).contains("300 listings"),
        "{}",
        stdout(&status)
    );
    assert!(chainatlas(&db, &["index", "rebuild"]).status.success());
}

#[test]
fn evaluation_reports_recall_and_mrr_beside_plain_bm25() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let out = chainatlas(&db, &["evaluate", "--judged", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let ours = json["chainatlas"]["recall_at_1"].as_f64().unwrap();
    let plain = json["bm25-plain"]["recall_at_1"].as_f64().unwrap();
    assert!(ours > plain, "{json:#}");
    let pairs = dir.path().join("pairs.txt");
    write(&pairs, "COL name VAL a\tCOL name VAL b\tyes\n");
    let err = stderr(&chainatlas(
        &db,
        &["evaluate", "--pairs", pairs.to_str().unwrap()],
    ));
    assert!(
        err.contains("line 1: the label must be 0 or 1, found `yes`"),
        "{err}"
    );
}
