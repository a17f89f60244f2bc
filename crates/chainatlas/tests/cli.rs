//! The `chainatlas` command as a user runs it.

mod support;

use chainatlas_store::testing::TestDatabase;
use support::{chainatlas, stderr, stdout};

#[test]
fn demo_stats_export_and_import_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDatabase::new("a.db");
    let db = test_db.location().to_path_buf();
    let demo = chainatlas(&db, &["demo", "--seed", "7"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    // Written in a bulk session, without the database checking each reference: every
    // reference still finds its record.
    let violations = |db: &std::path::Path| {
        chainatlas_store::Store::open(db)
            .unwrap()
            .foreign_key_violations()
            .unwrap()
    };
    assert_eq!(violations(&db), 0);
    let stats = chainatlas(&db, &["stats", "--format", "json"]);
    let counts: serde_json::Value = serde_json::from_str(&stdout(&stats)).unwrap();
    assert_eq!(counts["enterprises"], 2000);
    assert_eq!(counts["chains"], 8);
    assert!(counts["supply_relations"].as_u64().unwrap() > 5000);
    let table = stdout(&chainatlas(&db, &["stats"]));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("enterprises") && l.trim_end().ends_with("2000")),
        "{table}"
    );

    // A second demo would mix two atlases: refused unless asked to replace.
    let again = chainatlas(&db, &["demo"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("--replace"), "{}", stderr(&again));

    let bundle = dir.path().join("bundle");
    assert!(chainatlas(&db, &["export", bundle.to_str().unwrap()])
        .status
        .success());
    let copy = dir.path().join("b.db");
    let import = chainatlas(&copy, &["import", bundle.to_str().unwrap()]);
    assert!(import.status.success(), "{}", stderr(&import));
    assert_eq!(violations(&copy), 0);
    assert_eq!(
        stdout(&chainatlas(&copy, &["stats", "--format", "json"])),
        stdout(&stats)
    );

    let workbook = dir.path().join("atlas.xlsx");
    assert!(chainatlas(&db, &["export", workbook.to_str().unwrap()])
        .status
        .success());
    let from_xlsx = dir.path().join("c.db");
    assert!(
        chainatlas(&from_xlsx, &["import", workbook.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        stdout(&chainatlas(&from_xlsx, &["stats", "--format", "json"])),
        stdout(&stats)
    );
}

#[test]
fn a_bad_bundle_is_rejected_with_located_errors_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDatabase::new("a.db");
    let db = test_db.location().to_path_buf();
    assert!(chainatlas(&db, &["demo", "--seed", "3"]).status.success());
    let before = stdout(&chainatlas(&db, &["stats", "--format", "json"]));
    let bundle = dir.path().join("bad");
    std::fs::create_dir(&bundle).unwrap();
    std::fs::write(
        bundle.join("enterprises.csv"),
        "id,credit_code,name_zh,name_en,region_code,size,tags,revenue,employees,source\n\
         90001,91350100M000100Y44,新公司,New Co,430200,small,,1000,10,survey\n",
    )
    .unwrap();
    // In Chinese unless English is asked for.
    let import = chainatlas(&db, &["import", bundle.to_str().unwrap()]);
    assert!(!import.status.success());
    let err = stderr(&import);
    assert!(
        err.contains("文件 enterprises.csv 第 2 行，credit_code 列：校验码是“4”，应为“3”"),
        "{err}"
    );
    assert!(err.contains("未导入任何数据"), "{err}");
    let import = chainatlas(&db, &["import", bundle.to_str().unwrap(), "--lang", "en"]);
    assert!(!import.status.success());
    let err = stderr(&import);
    assert!(
        err.contains(
            "enterprises.csv line 2, column credit_code: check character is '4', expected '3'"
        ),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(
        stdout(&chainatlas(&db, &["stats", "--format", "json"])),
        before
    );
}

#[test]
fn the_database_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_chainatlas"))
        .args(["stats", "--format", "json"])
        .env("CHAINATLAS_DB", &db)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(db.exists(), "CHAINATLAS_DB names the database");
}

#[test]
fn accounts_tokens_and_the_audit_log_from_the_command_line() {
    let test_db = TestDatabase::new("a.db");
    let db = test_db.location().to_path_buf();
    let demo = chainatlas(&db, &["demo", "--seed", "5"]);
    assert!(demo.status.success());
    let printed = stdout(&demo);
    assert!(printed.contains("演示账户"), "{printed}");
    for role in ["admin", "analyst", "enterprise"] {
        assert!(
            printed
                .lines()
                .any(|l| l.trim_start().starts_with(role) && l.contains("角色")),
            "{role} account printed"
        );
    }

    let add = chainatlas(&db, &["user", "add", "zhao", "--role", "enterprise"]);
    assert!(!add.status.success());
    assert!(
        stderr(&add).contains("must be bound to an enterprise"),
        "{}",
        stderr(&add)
    );
    let add = chainatlas(
        &db,
        &[
            "user",
            "add",
            "zhao",
            "--role",
            "enterprise",
            "--enterprise",
            "3",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(
        stdout(&add).contains("密码："),
        "a random password is shown once"
    );

    let users: serde_json::Value = serde_json::from_str(&stdout(&chainatlas(
        &db,
        &["user", "list", "--format", "json"],
    )))
    .unwrap();
    let zhao = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "zhao")
        .unwrap();
    assert_eq!(
        (zhao["role"].as_str(), zhao["enterprise_id"].as_i64()),
        (Some("enterprise"), Some(3))
    );

    let token = chainatlas(&db, &["token", "create", "zhao", "--name", "sync"]);
    assert!(token.status.success());
    assert!(stdout(&token)
        .lines()
        .any(|l| l.starts_with("ca_token_") && l.len() == 9 + 64));
    assert!(chainatlas(&db, &["token", "revoke", "1"]).status.success());
    let again = chainatlas(&db, &["token", "revoke", "1"]);
    assert!(stderr(&again).contains("no API token with id 1"));
    assert!(chainatlas(&db, &["user", "disable", "zhao"])
        .status
        .success());

    let audit: serde_json::Value =
        serde_json::from_str(&stdout(&chainatlas(&db, &["audit", "--format", "json"]))).unwrap();
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(&actions[..4], ["disable", "revoke", "create", "create"]);
    assert!(actions.contains(&"demo"));
    assert!(audit
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["address"] == "local" && e["actor"].as_str().unwrap().starts_with("cli:")));
    assert!(
        !stdout(&chainatlas(&db, &["audit"])).contains("argon2"),
        "no password hash in the log"
    );
}

#[test]
fn serve_refuses_to_face_the_network_while_a_demo_password_remains() {
    let test_db = TestDatabase::new("a.db");
    let db = test_db.location().to_path_buf();
    assert!(chainatlas(&db, &["demo"]).status.success());
    let refused = chainatlas(&db, &["serve", "--addr", "0.0.0.0:0"]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("仍有账户使用演示时打印的密码"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn diagnostics_print_tables_json_and_csv_and_refuse_bad_input() {
    let test_db = TestDatabase::new("a.db");
    let db = test_db.location().to_path_buf();
    assert!(chainatlas(&db, &["demo"]).status.success());

    let table = chainatlas(&db, &["diagnose", "--chain", "rail", "--region", "430000"]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(
        text.contains("## short-boards") && text.contains("轴承") && text.contains("missing"),
        "{text}"
    );
    let csv = chainatlas(
        &db,
        &[
            "diagnose",
            "--chain",
            "rail",
            "--region",
            "430000",
            "--format",
            "csv",
            "--section",
            "single-sources",
            "--lang",
            "en",
        ],
    );
    let csv = stdout(&csv);
    assert!(csv.starts_with("buyer_id,node_id,suppliers,hhi,"), "{csv}");
    assert!(csv.lines().count() > 1);

    let json = chainatlas(
        &db,
        &[
            "disrupt",
            "--chain",
            "rail",
            "--region",
            "430200",
            "--fraction",
            "0.5",
            "--format",
            "json",
        ],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let impact: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert!(
        impact["total_loss_fen"].as_i64().unwrap() > impact["direct_loss_fen"].as_i64().unwrap()
    );
    assert!(stderr(&json).contains("传导"), "{}", stderr(&json));

    let ranked = chainatlas(
        &db,
        &[
            "chokepoints",
            "--chain",
            "rail",
            "--top",
            "3",
            "--format",
            "csv",
        ],
    );
    assert_eq!(stdout(&ranked).lines().count(), 4, "{}", stdout(&ranked));
    let targets = chainatlas(
        &db,
        &[
            "attract", "--chain", "rail", "--region", "430000", "--format", "json",
        ],
    );
    let targets: serde_json::Value = serde_json::from_str(&stdout(&targets)).unwrap();
    assert!(!targets["short_boards"][0]["targets"][0]["reasons"]
        .as_array()
        .unwrap()
        .is_empty());

    for (args, words) in [
        (vec!["disrupt", "--chain", "rail"], "say what to remove"),
        (
            vec![
                "disrupt",
                "--chain",
                "rail",
                "--region",
                "430200",
                "--fraction",
                "0",
            ],
            "fraction",
        ),
        (
            vec!["disrupt", "--chain", "rail", "--node", "999"],
            "no node 999",
        ),
        (
            vec!["diagnose", "--chain", "nope", "--region", "430200"],
            "no chain with code 'nope'",
        ),
        (
            vec!["diagnose", "--chain", "rail", "--region", "4302"],
            "6 digits",
        ),
        (
            vec![
                "diagnose",
                "--chain",
                "rail",
                "--region",
                "430200",
                "--format",
                "csv",
                "--section",
                "x",
            ],
            "expected one of coverage, short-boards",
        ),
    ] {
        // The messages as English gives them (`--lang en`).
        let args = [args.as_slice(), &["--lang", "en"]].concat();
        let out = chainatlas(&db, &args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
    }
    let out = chainatlas(&db, &["disrupt", "--chain", "rail"]);
    assert!(
        stderr(&out).contains("请说明要移除什么"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn a_command_whose_reader_goes_away_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    // `chainatlas evaluate … | head -0`: the reading end is closed before anything is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_chainatlas"))
        .args(["evaluate", "--judged"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = support::stderr(&output);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        output.status.signal(),
        Some(13),
        "ended by SIGPIPE: {:?}",
        output.status
    );
}

#[test]
fn the_demo_has_a_year_of_services_and_the_reports_read_them() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = TestDatabase::new("a.db");
    let db = test_db.location().to_path_buf();
    assert!(chainatlas(&db, &["demo", "--seed", "4"]).status.success());
    let report = chainatlas(
        &db,
        &[
            "appeals",
            "report",
            "--format",
            "json",
            "--today",
            "2026-11-01",
        ],
    );
    assert!(report.status.success(), "{}", stderr(&report));
    let r: serde_json::Value = serde_json::from_str(&stdout(&report)).unwrap();
    let total = &r["total"];
    assert!(total["appeals"].as_u64().unwrap() >= 300, "{total}");
    assert!(total["open"].as_u64().unwrap() > 0, "some still open");
    assert!(total["overdue"].as_u64().unwrap() > 0, "some overdue");
    assert!(total["found_on_visits"].as_u64().unwrap() > 0);
    assert!(total["satisfaction"].as_f64().unwrap() > 3.0);
    let sum: u64 = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["appeals"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, total["appeals"].as_u64().unwrap());
    assert!(!r["clusters"].as_array().unwrap().is_empty());
    // The article regions' chains have blocking points on their nodes.
    let rail = chainatlas(
        &db,
        &[
            "appeals",
            "report",
            "--by",
            "node",
            "--chain",
            "rail",
            "--region",
            "430200",
            "--format",
            "json",
            "--today",
            "2026-11-01",
        ],
    );
    let rail: serde_json::Value = serde_json::from_str(&stdout(&rail)).unwrap();
    assert!(rail["total"]["appeals"].as_u64().unwrap() > 0, "{rail}");
    let bad = chainatlas(&db, &["appeals", "report", "--by", "week"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("by: 'week' is not one of category"),
        "{}",
        stderr(&bad)
    );
    let xlsx = dir.path().join("blocking.xlsx");
    let out = chainatlas(
        &db,
        &[
            "appeals",
            "report",
            "--english",
            "--out",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));

    let rollup = chainatlas(&db, &["assessments", "report", "--format", "json"]);
    let rollup: serde_json::Value = serde_json::from_str(&stdout(&rollup)).unwrap();
    let assessed = rollup["assessed"].as_u64().unwrap();
    assert!(assessed > 100, "{rollup}");
    let levels: u64 = rollup["levels"][0]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(levels, assessed);
    let escalate = chainatlas(&db, &["appeals", "escalate"]);
    assert!(escalate.status.success(), "{}", stderr(&escalate));
    assert!(stdout(&escalate).contains("escalated"));
    // A demo replaced starts its services again.
    let again = chainatlas(&db, &["demo", "--seed", "4", "--replace"]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn migrate_moves_a_whole_database_to_the_other_backend_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db");
    let demo = chainatlas(&source, &["demo", "--seed", "7", "--scale", "300"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let stats = stdout(&chainatlas(&source, &["stats", "--format", "json"]));
    let users = stdout(&chainatlas(&source, &["user", "list"]));
    assert!(users.contains("admin"), "{users}");

    // Into the run's backend: PostgreSQL with CHAINATLAS_TEST_POSTGRES, else SQLite.
    let target = TestDatabase::new("target.db");
    let target = target.location().to_path_buf();
    let migrate = |from: &std::path::Path, to: &std::path::Path| {
        let (from_arg, to_arg) = (from.to_str().unwrap(), to.to_str().unwrap());
        chainatlas(from, &["migrate", "--from", from_arg, "--to", to_arg])
    };
    let moved = migrate(&source, &target);
    assert!(moved.status.success(), "{}", stderr(&moved));
    let said = stderr(&moved);
    assert!(said.contains("每张表的行数和校验和一致"), "{said}");
    assert!(said.contains("audit_log"), "{said}");
    // A PostgreSQL URL is shown without its password.
    let url = target.to_string_lossy().to_string();
    if let Some((_, rest)) = url.split_once("://") {
        if let Some((credentials, _)) = rest.rsplit_once('@') {
            if let Some((_, password)) = credentials.split_once(':') {
                assert!(!said.contains(password), "{said}");
            }
        }
    }
    assert_eq!(
        stdout(&chainatlas(&target, &["stats", "--format", "json"])),
        stats
    );
    assert_eq!(stdout(&chainatlas(&target, &["user", "list"])), users);

    // A target that holds data is refused, and keeps what it had.
    let again = migrate(&source, &target);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("empty database"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        stdout(&chainatlas(&target, &["stats", "--format", "json"])),
        stats
    );

    // And back into a new SQLite file.
    let back = dir.path().join("back.db");
    let returned = migrate(&target, &back);
    assert!(returned.status.success(), "{}", stderr(&returned));
    assert_eq!(
        stdout(&chainatlas(&back, &["stats", "--format", "json"])),
        stats
    );
}
