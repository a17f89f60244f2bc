//! Bad bundles are rejected with every problem located precisely, and change nothing.

use std::path::Path;

use chainatlas_bundle::{export, import, preview, FieldChange, ImportError, ImportOptions};
use chainatlas_demo::{generate, DemoConfig};
use chainatlas_model::{CreditCode, EnterpriseId, RecordKind};
use chainatlas_store::Store;

const REGIONS: &str = "code,name_zh,name_en,parent_code,level
430000,湖南省,Hunan,,province
430200,株洲市,Zhuzhou,430000,city
";
const CHAINS: &str = "id,code,name_zh,name_en\n1,rail,轨道交通装备,Rail transit equipment\n";
const NODES: &str = "id,chain_id,code,name_zh,name_en,segment
1,1,rail-bogie,转向架,Bogies,midstream
2,1,rail-emu,动车组,EMU trains,downstream
";

fn write_bundle(dir: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn problems(store: &mut Store, path: &Path) -> Vec<String> {
    match import(
        store,
        path,
        ImportOptions::default(),
        &tester(),
        &mut |_| {},
    ) {
        Err(ImportError::Invalid { problems, .. }) => {
            problems.iter().map(|p| p.to_string()).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn a_valid_bundle_imports() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let bundle = dir.path().join("bundle");
    write_bundle(
        &bundle,
        &[
            ("regions.csv", REGIONS),
            ("chains.csv", CHAINS),
            ("chain_nodes.csv", NODES),
        ],
    );
    let mut store = Store::open(test_db.location()).unwrap();
    let summary = import(
        &mut store,
        &bundle,
        ImportOptions::default(),
        &tester(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(summary.rows(), 5);
    assert_eq!(store.counts().unwrap().chain_nodes, 2);
}

#[test]
fn every_problem_is_reported_with_file_line_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let bundle = dir.path().join("bundle");
    let enterprises =
        "id,credit_code,name_zh,name_en,region_code,size,tags,revenue,employees,source
1,91350100M000100Y43,甲公司,A Co,430200,large,chain_master,1000000,100,survey
2,91350100M000100Y44,乙公司,B Co,430200,small,,500,10,survey
3,91110000600037341L,丙公司,C Co,439900,small,,500,10,survey
1,914403001922038216,丁公司,D Co,430200,giant,famous,-5,ten,survey
";
    let relations = "id,supplier_id,buyer_id,node_id,annual_value
1,1,3,1,1000.5
2,1,1,1,10
3,1,99,7,1.234
";
    let listings = "id,enterprise_id,side,kind,node_id,title,description,quantity,unit,price,region_code,valid_until,status
1,1,demand,product,1,采购转向架,,10,套,50000,430200,2025-02-30,open
";
    write_bundle(
        &bundle,
        &[
            ("regions.csv", REGIONS),
            ("chains.csv", CHAINS),
            ("chain_nodes.csv", NODES),
            ("enterprises.csv", enterprises),
            ("supply_relations.csv", relations),
            ("listings.csv", listings),
            ("node_inputs.csv", "input_node_id,output_node\n1,2\n"),
            ("enterprize.csv", "id\n"),
        ],
    );
    let mut store = Store::open(test_db.location()).unwrap();
    let found = problems(&mut store, &bundle);
    let expected = [
        "enterprize.csv line 1: is not part of a bundle: expected one of regions, chains, chain_nodes, node_inputs, enterprises, enterprise_nodes, supply_relations, listings, events, event_participants, meeting_requests, meetings, agreements",
        "node_inputs.csv line 1, column output_node: unexpected column 'output_node': the columns are input_node_id,output_node_id",
        "node_inputs.csv line 1: missing column 'output_node_id': the columns are input_node_id,output_node_id",
        "enterprises.csv line 3, column credit_code: check character is '4', expected '3'",
        "enterprises.csv line 4, column region_code: unknown region 439900: not in this bundle or the database",
        "enterprises.csv line 5, column size: 'giant' is not one of large, medium, small, micro",
        "enterprises.csv line 5, column tags: 'famous' is not one of chain_master, specialized_new, high_tech, listed",
        "enterprises.csv line 5, column revenue: is -5, expected an amount that is not negative",
        "enterprises.csv line 5, column employees: 'ten' is not a whole number (expected digits only, not negative)",
        "enterprises.csv line 5, column id: duplicate id: an earlier row or the database already has this value",
        "supply_relations.csv line 3, column buyer_id: is 1, the same as supplier_id: an enterprise does not supply itself",
        "supply_relations.csv line 4, column annual_value: '1.234' has more than 2 decimals: amounts are kept to the fen",
        "listings.csv line 2, column valid_until: '2025-02-30' is not a day of the calendar",
    ];
    assert_eq!(found, expected);
    assert!(
        store.is_empty().unwrap(),
        "a rejected import writes nothing"
    );
}

#[test]
fn references_to_rows_that_are_not_there_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let bundle = dir.path().join("bundle");
    let relations = "id,supplier_id,buyer_id,node_id,annual_value\n1,5,6,9,10\n";
    write_bundle(
        &bundle,
        &[
            ("regions.csv", REGIONS),
            ("chains.csv", CHAINS),
            ("chain_nodes.csv", NODES),
            ("supply_relations.csv", relations),
        ],
    );
    let mut store = Store::open(test_db.location()).unwrap();
    assert_eq!(
        problems(&mut store, &bundle),
        [
            "supply_relations.csv line 2, column supplier_id: unknown enterprise 5: not in this bundle or the database",
            "supply_relations.csv line 2, column buyer_id: unknown enterprise 6: not in this bundle or the database",
            "supply_relations.csv line 2, column node_id: unknown node 9: not in this bundle or the database",
        ]
    );
}

#[test]
fn rows_with_a_wrong_field_count_and_non_utf8_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let bundle = dir.path().join("bundle");
    write_bundle(
        &bundle,
        &[(
            "regions.csv",
            "code,name_zh,name_en,parent_code,level\n430000,湖南省,Hunan\n",
        )],
    );
    // "湖南" in GBK, as legacy Excel saves it.
    std::fs::write(
        bundle.join("chains.csv"),
        b"id,code,name_zh,name_en\n1,rail,\xba\xfe\xc4\xcf,Rail\n",
    )
    .unwrap();
    let mut store = Store::open(test_db.location()).unwrap();
    assert_eq!(
        problems(&mut store, &bundle),
        [
            "regions.csv line 2: has 3 fields, expected 5 as in the header",
            "chains.csv line 2: is not UTF-8 text: save the file as \"CSV UTF-8\" (in Excel: Save As → CSV UTF-8)",
        ]
    );
}

#[test]
fn merge_updates_and_adds_replace_removes_and_a_preview_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let mut store = Store::open(test_db.location()).unwrap();
    let mut writer = store.writer().unwrap();
    generate::<chainatlas_store::InsertError>(
        &DemoConfig {
            enterprises: 50,
            listings: 5,
            ..DemoConfig::demo(3)
        },
        &mut |r| writer.insert(&r),
    )
    .unwrap();
    writer
        .commit(
            &chainatlas_store::Actor::local("tests", 0),
            &chainatlas_store::Change::new("test", "atlas", 0),
        )
        .unwrap();
    let before = store.counts().unwrap();
    let copy = dir.path().join("copy");
    export(&store, &copy, &mut |_| {}).unwrap();

    let merge = |store: &mut Store| {
        import(
            store,
            &copy,
            ImportOptions::default(),
            &tester(),
            &mut |_| {},
        )
        .unwrap()
    };
    // The same atlas again: every row is unchanged, nothing is written.
    let again = merge(&mut store);
    let enterprises = again.get(RecordKind::Enterprise).unwrap();
    assert_eq!(
        (
            enterprises.added,
            enterprises.changed,
            enterprises.unchanged
        ),
        (0, 0, 50)
    );
    assert_eq!(store.counts().unwrap(), before);

    // Rename enterprise 1, add one without an id, and break two rows.
    let path = copy.join("enterprises.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let first: Vec<&str> = lines[1].split(',').collect();
    let (old_name, first_code) = (first[2].to_string(), first[1].to_string());
    lines[1] = lines[1].replacen(&old_name, "株洲新名字有限公司", 1);
    let fresh = CreditCode::with_check_character("91430200MA4L00001").unwrap();
    lines.push(format!(
        ",{fresh},株洲天邦轨道科技有限公司,,430211,small,,1200000,35,clerk,,,,,"
    ));
    let good = lines.join("\n") + "\n";
    // A new id with an existing enterprise's credit code, and a key twice.
    let bad = format!(
        "{good}9999,{first_code},重复代码公司,,430200,small,,1,1,x,,,,,\n{}\n",
        lines[2]
    );
    std::fs::write(&path, bad).unwrap();
    let found = problems(&mut store, &copy);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found[0].contains("column credit_code: duplicate credit_code"),
        "{found:?}"
    );
    assert!(found[1].contains("column id: duplicate id"), "{found:?}");
    assert_eq!(store.counts().unwrap(), before);

    // The preview says what would change, field by field, and changes nothing.
    std::fs::write(&path, &good).unwrap();
    let preview = preview(&mut store, &copy, ImportOptions::default(), &mut |_| {}).unwrap();
    assert!(preview.problems.is_empty(), "{:?}", preview.problems);
    let enterprises = preview.summary.get(RecordKind::Enterprise).unwrap();
    assert_eq!(
        (
            enterprises.added,
            enterprises.changed,
            enterprises.unchanged
        ),
        (1, 1, 49)
    );
    let sample = &enterprises.samples[0];
    assert_eq!(sample.key, "id 1");
    assert_eq!(sample.location.row, 2);
    assert_eq!(
        sample.fields,
        vec![FieldChange {
            column: "name_zh",
            before: old_name.clone(),
            after: "株洲新名字有限公司".into()
        }]
    );
    assert_eq!(store.counts().unwrap(), before);

    // The import itself: one updated, one added with the next id, nothing removed.
    merge(&mut store);
    let after = store.counts().unwrap();
    assert_eq!(after.enterprises, before.enterprises + 1);
    assert_eq!(after.listings, before.listings);
    let renamed = store.enterprise(EnterpriseId(1)).unwrap().unwrap();
    assert_eq!(renamed.name_zh, "株洲新名字有限公司");
    // Its id is the database's: after the 50 it had (PostgreSQL's sequence may have
    // moved past ids that the preview's rolled-back insert took).
    let added = store
        .snapshot()
        .unwrap()
        .enterprise_by_credit_code(fresh.as_str())
        .unwrap()
        .expect("added");
    assert!(added > 50, "{added}");
    if !test_db.is_postgres() {
        assert_eq!(added, 51);
    }

    // Replace with a bundle without listings: they are removed, and said to be.
    std::fs::remove_file(copy.join("listings.csv")).unwrap();
    let replaced = import(
        &mut store,
        &copy,
        ImportOptions {
            replace: true,
            ..Default::default()
        },
        &tester(),
        &mut |_| {},
    )
    .unwrap();
    let listings = replaced.get(RecordKind::Listing).unwrap();
    assert_eq!((listings.rows(), listings.removed), (0, 5));
    let enterprises = replaced.get(RecordKind::Enterprise).unwrap();
    assert_eq!((enterprises.unchanged, enterprises.removed), (51, 0));
    assert_eq!(store.counts().unwrap().listings, 0);
    assert_eq!(store.counts().unwrap().enterprises, 51);

    // Each import is audited as one change; the refused ones and the preview left none.
    let log = store.audit_log(10, 0).unwrap();
    assert_eq!(log.total, 4, "the demo fill and three imports");
    assert_eq!(log.items[0].change.action, "import");
    let total = replaced.rows();
    let expected =
        format!(r#"{{"records":{total},"added":0,"changed":0,"removed":5,"replace":true}}"#);
    assert_eq!(
        log.items[0].change.after.as_deref(),
        Some(expected.as_str())
    );
}

#[test]
fn workbook_problems_name_the_sheet_row_and_column_letter() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let path = dir.path().join("atlas.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("regions").unwrap();
    for (c, h) in ["code", "name_zh", "name_en", "parent_code", "level"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 430000.0).unwrap();
    sheet.write_string(1, 1, "湖南省").unwrap();
    sheet.write_string(1, 4, "province").unwrap();
    sheet.write_number(2, 0, 430200.0).unwrap();
    sheet.write_string(2, 1, "株洲市").unwrap();
    sheet.write_number(2, 3, 420000.0).unwrap();
    sheet.write_string(2, 4, "city").unwrap();
    workbook.save(&path).unwrap();
    let mut store = Store::open(test_db.location()).unwrap();
    assert_eq!(
        problems(&mut store, &path),
        ["sheet regions row 3, column D (parent_code): is 420000, expected 430000"]
    );
}

fn tester() -> chainatlas_store::Actor {
    chainatlas_store::Actor::local("tests", 0)
}

/// A workbook written part by part, for what spreadsheet writers will not produce: error
/// cells, a sheet that claims the whole grid, parts that unpack to more than they say.
fn raw_workbook(path: &Path, sheet_xml: &str, extra: Option<(&str, u64)>) {
    use std::io::Write;
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="regions" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, stored).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", stored).unwrap();
    zip.write_all(sheet_xml.as_bytes()).unwrap();
    if let Some((name, bytes)) = extra {
        zip.start_file(name, stored).unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..bytes >> 20 {
            zip.write_all(&block).unwrap();
        }
    }
    zip.finish().unwrap();
}

fn sheet(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>name_zh</t></is></c><c r="C1" t="inlineStr"><is><t>name_en</t></is></c><c r="D1" t="inlineStr"><is><t>parent_code</t></is></c><c r="E1" t="inlineStr"><is><t>level</t></is></c></row>{rows}</sheetData></worksheet>"#
    )
}

#[test]
fn a_sheet_that_claims_the_whole_grid_is_read_cell_by_cell_and_refused_where_it_overflows() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let path = dir.path().join("grid.xlsx");
    // One cell at XFD1048576: reading the sheet as a range would allocate 2^34 cells.
    let xml = sheet(r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#).replace(
        "<sheetData>",
        r#"<dimension ref="A1:XFD1048576"/><sheetData>"#,
    );
    raw_workbook(&path, &xml, None);
    let mut store = Store::open(test_db.location()).unwrap();
    assert_eq!(
        problems(&mut store, &path),
        ["sheet regions row 1048576, column XFD: has a value beyond the last column a bundle sheet may use (BL); delete what is right of the table"]
    );
}

#[test]
fn excel_error_cells_nul_bytes_and_overlong_cells_are_refused_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let path = dir.path().join("errors.xlsx");
    raw_workbook(
        &path,
        &sheet(
            r#"<row r="2"><c r="A2"><v>430000</v></c><c r="B2" t="e"><v>#REF!</v></c><c r="E2" t="inlineStr"><is><t>province</t></is></c></row>"#,
        ),
        None,
    );
    let mut store = Store::open(test_db.location()).unwrap();
    assert_eq!(
        problems(&mut store, &path),
        ["sheet regions row 2, column B (name_zh): holds the Excel error #REF!: correct the formula or type the value"]
    );
    let bundle = dir.path().join("bundle");
    let long = "长".repeat(201);
    write_bundle(
        &bundle,
        &[(
            "regions.csv",
            &format!("code,name_zh,name_en,parent_code,level\n430000,湖\0南,Hunan,,province\n430200,{long},Zhuzhou,430000,city\n"),
        )],
    );
    assert_eq!(
        problems(&mut store, &bundle),
        [
            "regions.csv line 2, column name_zh: holds a NUL character, which no text may contain",
            "regions.csv line 3, column name_zh: is 201 characters long, expected at most 200"
        ]
    );
    let divisions = chainatlas_model::divisions::all().len() as u64;
    assert_eq!(
        store.counts().unwrap().regions,
        divisions,
        "nothing written"
    );
}

#[test]
fn a_csv_record_without_an_end_is_refused_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let bundle = dir.path().join("bundle");
    // 8 MiB and no line break: refused after the first MiB, wherever the file ends.
    let mut text = String::from("code,name_zh,name_en,parent_code,level\n");
    text.push_str(&"4".repeat(8 << 20));
    write_bundle(&bundle, &[("regions.csv", &text)]);
    let mut store = Store::open(test_db.location()).unwrap();
    assert_eq!(
        problems(&mut store, &bundle),
        ["regions.csv line 2: a record is longer than 1024 KiB, the most one may be (is a line break or a closing quote missing?)"]
    );
}

#[test]
fn a_workbook_that_unpacks_to_more_than_allowed_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let path = dir.path().join("bomb.xlsx");
    let limit = chainatlas_bundle::limits::MAX_SHARED_STRINGS_BYTES;
    raw_workbook(
        &path,
        &sheet(""),
        Some(("xl/sharedStrings.xml", limit + (1 << 20))),
    );
    assert!(
        std::fs::metadata(&path).unwrap().len() < 2 << 20,
        "compressed small"
    );
    let mut store = Store::open(test_db.location()).unwrap();
    let refused = import(
        &mut store,
        &path,
        ImportOptions::default(),
        &tester(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("its shared strings unpack to 257 MiB, more than the 256 MiB allowed"),
        "{refused}"
    );
}

#[test]
fn an_industry_code_is_checked_against_the_standard() {
    let dir = tempfile::tempdir().unwrap();
    let test_db = chainatlas_store::testing::TestDatabase::new("a.db");
    let bundle = dir.path().join("bundle");
    let enterprises = "id,credit_code,name_zh,name_en,region_code,size,tags,revenue,employees,source,industry_code
1,91350100M000100Y43,甲公司,A Co,430200,large,,1000000,100,survey,3841
2,91110000600037341L,丙公司,C Co,430200,small,,500,10,survey,3A41
3,914403001922038216,丁公司,D Co,430200,small,,500,10,survey,9912
4,91430200MA4L00002T,戊公司,E Co,430200,small,,500,10,survey,3801
";
    write_bundle(
        &bundle,
        &[
            ("regions.csv", REGIONS),
            ("chains.csv", CHAINS),
            ("chain_nodes.csv", NODES),
            ("enterprises.csv", enterprises),
        ],
    );
    let mut store = Store::open(test_db.location()).unwrap();
    assert_eq!(
        problems(&mut store, &bundle),
        [
            "enterprises.csv line 3, column industry_code: `3A41` is not a national industry code: expected 2 to 4 digits (a GB/T 4754-2017 division, group or class, such as 3841)",
            "enterprises.csv line 4, column industry_code: division 99 does not exist: divisions run from 01 to 97",
            "enterprises.csv line 5, column industry_code: 3801 is not a group or class of GB/T 4754-2017",
        ]
    );
    assert!(store.is_empty().unwrap());
}
