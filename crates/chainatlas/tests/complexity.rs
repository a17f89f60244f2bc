//! `chainatlas complexity` and `chainatlas io` as an analyst runs them on a table of
//! their own: output columns, languages, and refusals that say where the table is wrong.

mod support;

use support::{chainatlas, stderr, stdout};

/// Three cities × four industries: 长沙 strong in machinery, 株洲 in rail, 武汉 in both
/// optics and cars.
const TABLE: &str = "city,industry,output\n\
长沙,工程机械,900\n长沙,轨道交通,50\n长沙,光电子,30\n长沙,汽车,20\n\
株洲,工程机械,40\n株洲,轨道交通,800\n株洲,光电子,10\n株洲,汽车,60\n\
武汉,工程机械,100\n武汉,轨道交通,20\n武汉,光电子,700\n武汉,汽车,650\n";

fn refs(a: &[String]) -> Vec<&str> {
    a.iter().map(String::as_str).collect()
}

#[test]
fn a_long_table_gives_one_row_per_city_and_industry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let input = dir.path().join("产值.csv");
    std::fs::write(&input, TABLE).unwrap();
    let args = |format: &str| {
        vec![
            "complexity".to_string(),
            "--input".into(),
            input.to_str().unwrap().into(),
            "--location".into(),
            "city".into(),
            "--product".into(),
            "industry".into(),
            "--value".into(),
            "output".into(),
            "--format".into(),
            format.into(),
        ]
    };
    let a = args("csv");
    let out = chainatlas(&db, &refs(&a));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "location,product,rca,M,density,eci,pci,diversity,ubiquity,coi,cog"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 12);
    // 长沙's machinery: 900 of its 1,000 against 1,040 of 4,380 in all.
    let row = rows
        .iter()
        .find(|r| r[0] == "长沙" && r[1] == "工程机械")
        .unwrap();
    let rca: f64 = row[2].parse().unwrap();
    assert!(
        (rca - (900.0 / 1000.0) / (1040.0 / 3380.0)).abs() < 1e-12,
        "{row:?}"
    );
    assert_eq!(row[3], "1");

    let a = args("json");
    let out = chainatlas(&db, &refs(&a));
    let first: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().next().unwrap()).unwrap();
    assert!(
        first["eci"].is_number() || first["eci"].is_null(),
        "{first}"
    );
}

#[test]
fn a_bad_table_is_refused_with_every_problem_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let input = dir.path().join("bad.csv");
    std::fs::write(
        &input,
        "location,product,value\na,x,1\na,x,2\nb,y,abc\nc,z,-5\n",
    )
    .unwrap();
    let out = chainatlas(&db, &["complexity", "--input", input.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("文件 bad.csv 第 3 行：地区 a 与产品 x 出现了两次"),
        "{err}"
    );
    assert!(err.contains("第 4 行，value 列：“abc”不是数字"), "{err}");
    assert!(
        err.contains("第 5 行：地区 c、产品 z：-5 不是非负数"),
        "{err}"
    );
    assert!(err.contains("3 处问题"), "{err}");
    // In English on request; and a table without the columns names its header.
    let out = chainatlas(
        &db,
        &[
            "complexity",
            "--input",
            input.to_str().unwrap(),
            "--location",
            "city",
            "--lang",
            "en",
        ],
    );
    let err = stderr(&out);
    assert!(
        err.contains("missing column 'city' (the header is: location, product, value)"),
        "{err}"
    );
}

#[test]
fn an_io_table_gives_linkages_and_extraction_per_sector() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let input = dir.path().join("io.csv");
    // A = [[0.2, 0.3], [0.4, 0.1]], x = (100, 200); a total row and column to ignore.
    std::fs::write(
        &input,
        "row,col,value\na,a,20\na,b,60\na,total,80\nb,a,40\nb,b,20\nb,total,60\n\
         total,a,60\ntotal,b,80\noutput,a,100\noutput,b,200\n",
    )
    .unwrap();
    let out = chainatlas(
        &db,
        &["io", "--input", input.to_str().unwrap(), "--format", "csv"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{text}");
    let backward: f64 = rows[0][1].parse().unwrap();
    assert!((backward - (1.5 + 2.0 / 3.0)).abs() < 1e-12, "{text}");
    assert_eq!(rows[1][6].parse::<f64>().unwrap().round(), 275.0, "{text}");

    // The same table as a wide sheet gives the same answer, byte for byte.
    let wide = dir.path().join("wide.csv");
    std::fs::write(
        &wide,
        "部门,a,b,total\na,20,60,80\nb,40,20,60\ntotal,60,80,\noutput,100,200,\n",
    )
    .unwrap();
    let from_wide = chainatlas(
        &db,
        &[
            "io",
            "--input",
            wide.to_str().unwrap(),
            "--wide",
            "--format",
            "csv",
        ],
    );
    assert!(from_wide.status.success(), "{}", stderr(&from_wide));
    assert_eq!(stdout(&from_wide), text);
    // A cell that is not a number is refused where it is.
    std::fs::write(&wide, "部门,a,b\na,20,x\nb,40,20\noutput,100,200\n").unwrap();
    let bad = chainatlas(&db, &["io", "--input", wide.to_str().unwrap(), "--wide"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("第 2 行"), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("“x”不是数字"), "{}", stderr(&bad));

    // Without an output row, it says which rows would do.
    std::fs::write(&input, "row,col,value\na,a,20\n").unwrap();
    let out = chainatlas(&db, &["io", "--input", input.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("缺少总产出行"), "{}", stderr(&out));
}

#[test]
fn opportunities_by_national_industry_class_rank_what_a_region_lacks_by_relatedness() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    assert!(chainatlas(&db, &["demo"]).status.success());
    let args = |digits: &str| {
        let mut a = vec!["opportunities", "--region", "430200", "--by", "industry"];
        a.extend(["--digits", digits, "--format", "json"]);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |digits: &str| {
        let a = args(digits);
        chainatlas(&db, &a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let out = run("4");
    assert!(out.status.success(), "{}", stderr(&out));
    let dto: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(dto["digits"], 4);
    // Every demo enterprise carries its chain segment's code.
    assert_eq!(dto["enterprises_with_code"], dto["enterprises_compared"]);
    // Zhuzhou's rail works (3711 high-speed train sets) are a long board.
    let long: Vec<&str> = dto["long_boards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["industry"]["code"].as_str().unwrap())
        .collect();
    assert!(long.contains(&"3711"), "{long:?}");
    let boards = dto["new_boards"].as_array().unwrap();
    assert!(!boards.is_empty());
    let relatedness: Vec<f64> = boards
        .iter()
        .map(|b| b["relatedness"].as_f64().unwrap())
        .collect();
    assert!(
        relatedness.windows(2).all(|w| w[0] >= w[1]),
        "{relatedness:?}"
    );
    assert!(boards.iter().all(|b| b["rca"].as_f64().unwrap() <= 1.0));
    assert!(boards[0]["industry"]["name_zh"]
        .as_str()
        .unwrap()
        .ends_with("业"));
    // By division, the classes fold into fewer, two-digit activities.
    let out = run("2");
    let dto: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(dto["long_boards"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["industry"]["code"].as_str().unwrap().len() == 2));
    let bad = run("5");
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("应为 2（大类）、3（中类）或 4（小类）"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn opportunities_of_an_article_region_are_ranked_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    assert!(chainatlas(&db, &["demo"]).status.success());
    let out = chainatlas(
        &db,
        &[
            "opportunities",
            "--region",
            "430200",
            "--top",
            "10",
            "--format",
            "json",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let dto: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(dto["region"]["name_zh"], "株洲市");
    assert_eq!(dto["level"], "city");
    let boards = dto["new_boards"].as_array().unwrap();
    assert_eq!(boards.len(), 10);
    let feasibility: Vec<f64> = boards
        .iter()
        .map(|b| b["feasibility"].as_f64().unwrap())
        .collect();
    assert!(
        feasibility.windows(2).all(|w| w[0] >= w[1]),
        "{feasibility:?}"
    );
    for b in boards {
        assert!(b["rca"].as_f64().unwrap() <= 1.0, "{b}");
        let reasons = b["reasons"].as_array().unwrap();
        assert!(!reasons.is_empty(), "{b}");
        assert!(reasons
            .iter()
            .all(|r| r["text_zh"].is_string() && r["text_en"].is_string()));
    }
    let long = dto["long_boards"].as_array().unwrap();
    assert!(long.iter().all(|b| b["rca"].as_f64().unwrap() > 1.0));
    // Every region the articles name has explained new boards, in both languages.
    for (code, name) in [
        ("430100", "长沙市"),
        ("420100", "武汉市"),
        ("140100", "太原市"),
        ("440100", "广州市"),
        ("440300", "深圳市"),
    ] {
        let out = chainatlas(
            &db,
            &[
                "opportunities",
                "--region",
                code,
                "--top",
                "3",
                "--format",
                "json",
            ],
        );
        assert!(out.status.success(), "{code}: {}", stderr(&out));
        let dto: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(dto["region"]["name_zh"], name);
        let boards = dto["new_boards"].as_array().unwrap();
        assert_eq!(boards.len(), 3, "{code}");
        assert!(boards
            .iter()
            .all(|b| !b["reasons"].as_array().unwrap().is_empty()));
    }
    // A level that is not one is refused in the user's terms.
    let out = chainatlas(
        &db,
        &["opportunities", "--region", "430200", "--level", "town"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("county、city 或 province"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn each_year_is_computed_on_its_own_and_written_under_one_header() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let input = dir.path().join("years.csv");
    let mut text = String::from("year,location,product,value\n");
    for year in ["2023", "2024"] {
        for line in TABLE.lines().skip(1) {
            text.push_str(&format!("{year},{line}\n"));
        }
    }
    std::fs::write(&input, text).unwrap();
    let out = chainatlas(
        &db,
        &[
            "complexity",
            "--input",
            input.to_str().unwrap(),
            "--year",
            "year",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("year,")).count(),
        1,
        "{csv}"
    );
    assert_eq!(csv.lines().filter(|l| l.starts_with("2023,")).count(), 12);
    assert_eq!(csv.lines().filter(|l| l.starts_with("2024,")).count(), 12);
}
