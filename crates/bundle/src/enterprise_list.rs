//! Enterprise lists as they arrive from a registry, a park's roster or a sign-up sheet:
//! one CSV file or the first sheet of an `.xlsx` workbook, whatever its column names.
//! Columns are recognised by their header in Chinese or English (`企业名称`,
//! `统一社会信用代码`, `所在地区`, `name`, …, see [`ENTERPRISE_LIST_COLUMNS`]); a
//! mapping given by the user overrides the guess. `id` and `name` are required; a list
//! whose ids repeat or whose names are empty is refused with every such row named.

use std::collections::HashMap;
use std::path::Path;

use chainatlas_model::{text, Text};
use chainatlas_resolve::Record;

use crate::match_list::open_table;
use crate::{column_letter, ImportError, Location, Problem};

/// Rows an enterprise list may have.
pub const MAX_LIST_ROWS: usize = 2_000_000;

/// A field of an enterprise list and the headers it is recognised by (compared folded:
/// case, spaces, full-width forms and a trailing `*` or `（必填）` aside).
#[derive(Clone, Copy, Debug)]
pub struct ListColumn {
    pub field: &'static str,
    pub required: bool,
    pub label_zh: &'static str,
    pub aliases: &'static [&'static str],
}

const fn column(
    field: &'static str,
    required: bool,
    label_zh: &'static str,
    aliases: &'static [&'static str],
) -> ListColumn {
    ListColumn {
        field,
        required,
        label_zh,
        aliases,
    }
}

/// The fields of an enterprise list. Several columns may feed `region` (a province and
/// a city column are read together) and `other_names`.
pub static ENTERPRISE_LIST_COLUMNS: &[ListColumn] = &[
    column(
        "id",
        true,
        "编号",
        &[
            "id",
            "编号",
            "序号",
            "企业编号",
            "编码",
            "记录号",
            "no",
            "no.",
        ],
    ),
    column(
        "name",
        true,
        "企业名称",
        &[
            "name",
            "企业名称",
            "名称",
            "公司名称",
            "单位名称",
            "公司全称",
            "企业全称",
            "市场主体名称",
            "主体名称",
            "company",
            "companyname",
            "company_name",
            "enterprise",
            "enterprisename",
            "enterprise_name",
            "name_zh",
        ],
    ),
    column(
        "credit_code",
        false,
        "统一社会信用代码",
        &[
            "credit_code",
            "统一社会信用代码",
            "信用代码",
            "社会信用代码",
            "统一代码",
            "uscc",
            "creditcode",
        ],
    ),
    column(
        "region",
        false,
        "所在地区",
        &[
            "region",
            "所在地区",
            "地区",
            "区划代码",
            "行政区划",
            "行政区划代码",
            "所在地",
            "所属地区",
            "区域",
            "省份",
            "省",
            "所在省份",
            "城市",
            "所在城市",
            "市",
            "区县",
            "所在区县",
            "province",
            "city",
            "county",
            "region_code",
        ],
    ),
    column(
        "address",
        false,
        "地址",
        &[
            "address",
            "地址",
            "注册地址",
            "经营地址",
            "住所",
            "通讯地址",
            "办公地址",
            "企业地址",
        ],
    ),
    column(
        "phone",
        false,
        "联系电话",
        &[
            "phone",
            "电话",
            "联系电话",
            "手机",
            "固定电话",
            "tel",
            "telephone",
            "mobile",
        ],
    ),
    column(
        "legal_representative",
        false,
        "法定代表人",
        &[
            "legal_representative",
            "法定代表人",
            "法人",
            "法人代表",
            "legal_rep",
            "legalrepresentative",
        ],
    ),
    column(
        "industry",
        false,
        "行业",
        &[
            "industry",
            "行业",
            "所属行业",
            "国民经济行业",
            "行业门类",
            "行业分类",
        ],
    ),
    column(
        "english_name",
        false,
        "英文名称",
        &[
            "english_name",
            "英文名称",
            "英文名",
            "name_en",
            "englishname",
        ],
    ),
    column(
        "other_names",
        false,
        "简称或曾用名",
        &[
            "other_names",
            "简称",
            "企业简称",
            "公司简称",
            "证券简称",
            "a股简称",
            "曾用名",
            "原名称",
            "历史名称",
            "short_name",
            "former_name",
        ],
    ),
];

/// An enterprise list read: where each field came from, and the records.
#[derive(Clone, Debug)]
pub struct EnterpriseList {
    pub label: String,
    pub header: Vec<String>,
    /// For each of [`ENTERPRISE_LIST_COLUMNS`], the 0-based columns read for it.
    pub mapping: Vec<Vec<usize>>,
    pub records: Vec<Record>,
    /// Each record's row number in the file.
    pub rows: Vec<u64>,
}

/// A header as compared: folded, lower case, without spaces, `*` or `（必填）`.
fn header_key(h: &str) -> String {
    let folded: String = h
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| !c.is_whitespace() && *c != '*')
        .collect::<String>()
        .to_lowercase();
    folded
        .trim_end_matches("(必填)")
        .trim_end_matches("(选填)")
        .to_string()
}

/// Which columns of `header` feed each field: the user's choices (`field` → header as
/// written) first, then the recognised names.
pub fn guess_mapping(
    header: &[String],
    chosen: &[(String, String)],
) -> Result<Vec<Vec<usize>>, Text> {
    let keys: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let mut mapping = vec![Vec::new(); ENTERPRISE_LIST_COLUMNS.len()];
    let mut taken = vec![false; header.len()];
    for (field, column) in chosen {
        let Some(f) = ENTERPRISE_LIST_COLUMNS
            .iter()
            .position(|c| c.field == field)
        else {
            let known: Vec<&str> = ENTERPRISE_LIST_COLUMNS.iter().map(|c| c.field).collect();
            let known = known.join(", ");
            return Err(text!(
                "没有字段“{field}”，可用的字段：{known}",
                "no field '{field}'; the fields are: {known}"
            ));
        };
        let Some(at) = keys.iter().position(|k| *k == header_key(column)) else {
            return Err(text!(
                "清单中没有列“{column}”（字段 {field}）",
                "the list has no column '{column}' (field {field})"
            ));
        };
        mapping[f].push(at);
        taken[at] = true;
    }
    for (f, c) in ENTERPRISE_LIST_COLUMNS.iter().enumerate() {
        if !mapping[f].is_empty() {
            continue;
        }
        let singular = c.field != "region" && c.field != "other_names";
        for alias in c.aliases {
            for (at, k) in keys.iter().enumerate() {
                if !taken[at] && k == alias {
                    mapping[f].push(at);
                    taken[at] = true;
                }
            }
            if singular && !mapping[f].is_empty() {
                break;
            }
        }
        mapping[f].sort_unstable();
    }
    Ok(mapping)
}

/// Reads an enterprise list, or reports every problem in it.
pub fn read_enterprise_list(
    path: &Path,
    chosen: &[(String, String)],
) -> Result<EnterpriseList, ImportError> {
    let mut table = open_table(path)?;
    let label = table.label().to_string();
    let workbook = table.is_workbook();
    let header = table.header().to_vec();
    let rows = std::iter::from_fn(move || {
        table
            .next_row()
            .map(|row| row.map(|row| (row.number, row.cells)))
    });
    enterprise_list_of(
        ListSource {
            label,
            workbook,
            header,
        },
        rows,
        chosen,
        Ids::Required,
    )
}

/// A list's rows as read: the row number in the file (the header is row 1) and the cells.
pub type ListRows = Vec<(u64, Vec<String>)>;

/// Reads the header and every row of a list (one CSV file or a workbook's first sheet)
/// without interpreting them, for a list kept to be mapped later: at most `max_rows` rows
/// and `max_bytes` of cell text in all, refused at the row that passes either.
pub fn read_list_rows(
    path: &Path,
    max_rows: usize,
    max_bytes: usize,
) -> Result<(ListSource, ListRows), ImportError> {
    let mut table = open_table(path)?;
    let source = ListSource {
        label: table.label().to_string(),
        workbook: table.is_workbook(),
        header: table.header().to_vec(),
    };
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut bytes = 0usize;
    while let Some(row) = table.next_row() {
        match row {
            Ok(row) if row.cells.iter().all(|c| c.trim().is_empty()) => {}
            Ok(row) => {
                bytes += row.cells.iter().map(String::len).sum::<usize>();
                if bytes > max_bytes {
                    let mib = max_bytes >> 20;
                    return Err(ImportError::Invalid {
                        problems: vec![Problem {
                            location: Location::row(&source.label, row.number),
                            message: text!(
                                "清单的文字超过 {mib} MiB：请分成几个文件上传",
                                "the list holds more than {mib} MiB of text: upload it in parts"
                            ),
                        }],
                        omitted: 0,
                    });
                }
                if rows.len() >= max_rows {
                    return Err(ImportError::Invalid {
                        problems: vec![Problem {
                            location: Location::row(&source.label, row.number),
                            message: text!(
                                "清单超过 {max_rows} 行：请分成几个文件上传",
                                "the list has more than {max_rows} rows: upload it in parts"
                            ),
                        }],
                        omitted: 0,
                    });
                }
                rows.push((row.number, row.cells));
            }
            Err((line, message)) => problems.push(Problem {
                location: Location::row(&source.label, line),
                message,
            }),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid {
            problems,
            omitted: 0,
        });
    }
    Ok((source, rows))
}

/// What a list's rows are read against: its name in messages, whether it is a workbook
/// (messages then name column letters) and its header.
#[derive(Clone, Debug)]
pub struct ListSource {
    pub label: String,
    pub workbook: bool,
    pub header: Vec<String>,
}

/// Where a record's id comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ids {
    /// The `id` column, required.
    Required,
    /// The `id` column if mapped, else the row number.
    OrRowNumber,
}

/// Turns rows into records by the mapping (the user's choices, then the recognised
/// headers), or reports every problem.
pub fn enterprise_list_of(
    source: ListSource,
    rows: impl IntoIterator<Item = Result<(u64, Vec<String>), (u64, Text)>>,
    chosen: &[(String, String)],
    ids: Ids,
) -> Result<EnterpriseList, ImportError> {
    let ListSource {
        label,
        workbook,
        header,
    } = source;
    let whole = |message: Text| ImportError::Invalid {
        problems: vec![Problem {
            location: Location::row(&label, 1),
            message,
        }],
        omitted: 0,
    };
    let mapping = guess_mapping(&header, chosen).map_err(whole)?;
    for (f, c) in ENTERPRISE_LIST_COLUMNS.iter().enumerate() {
        let by_row = ids == Ids::OrRowNumber && c.field == "id";
        if c.required && mapping[f].is_empty() && !by_row {
            let (field, label_zh) = (c.field, c.label_zh);
            let aliases = c.aliases.join("、");
            return Err(whole(text!(
                "找不到{label_zh}列（{field}）：表头应含 {aliases} 之一，或在列映射中指定",
                "no {field} column: the header needs one of {aliases}, or choose it in the column mapping"
            )));
        }
    }
    let field_at = |name: &str| {
        ENTERPRISE_LIST_COLUMNS
            .iter()
            .position(|c| c.field == name)
            .expect("a listed field")
    };
    let located = |row: u64, field: &str| {
        let at = mapping[field_at(field)].first().copied();
        Location {
            file: label.clone(),
            row,
            column: Some(field.to_string()),
            column_letter: if workbook {
                at.map(column_letter)
            } else {
                None
            },
        }
    };
    let mut problems = Vec::new();
    let mut omitted = 0u64;
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut records = Vec::new();
    let mut numbers = Vec::new();
    for row in rows {
        let row = match row {
            Ok((number, cells)) => crate::source::Row { number, cells },
            Err((line, message)) => {
                problems.push(Problem {
                    location: Location::row(&label, line),
                    message,
                });
                continue;
            }
        };
        if records.len() >= MAX_LIST_ROWS {
            return Err(whole(text!(
                "清单超过 {MAX_LIST_ROWS} 行",
                "the list has more than {MAX_LIST_ROWS} rows"
            )));
        }
        let cell = |field: &str| -> Option<String> {
            let parts: Vec<&str> = mapping[field_at(field)]
                .iter()
                .filter_map(|at| row.cells.get(*at).map(|c| c.trim()))
                .filter(|c| !c.is_empty())
                .collect();
            (!parts.is_empty()).then(|| parts.join(if field == "other_names" { ";" } else { "" }))
        };
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut complain = |field: &str, message: Text| {
            if problems.len() < 1_000 {
                problems.push(Problem {
                    location: located(row.number, field),
                    message,
                });
            } else {
                omitted += 1;
            }
        };
        let id = match ids {
            Ids::OrRowNumber if mapping[field_at("id")].is_empty() => Some(row.number.to_string()),
            _ => cell("id"),
        };
        let Some(id) = id else {
            complain("id", text!("编号为空", "the id is empty"));
            continue;
        };
        if let Some(first) = seen.insert(id.clone(), row.number) {
            complain(
                "id",
                text!(
                    "编号“{id}”与第 {first} 行重复",
                    "id '{id}' repeats row {first}"
                ),
            );
            continue;
        }
        let Some(name) = cell("name") else {
            complain("name", text!("企业名称为空", "the name is empty"));
            continue;
        };
        numbers.push(row.number);
        records.push(Record {
            id,
            name,
            credit_code: cell("credit_code"),
            region: cell("region"),
            address: cell("address"),
            phone: cell("phone"),
            legal_representative: cell("legal_representative"),
            industry: cell("industry"),
            english_name: cell("english_name"),
            other_names: cell("other_names")
                .map(|n| {
                    n.split([';', '；', '、', ','])
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid { problems, omitted });
    }
    Ok(EnterpriseList {
        label,
        header,
        mapping,
        records,
        rows: numbers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_recognised_by_chinese_or_english_headers() {
        let header: Vec<String> = [
            "序号",
            "企业名称 *",
            "统一社会信用代码",
            "省份",
            "城市",
            "Address",
            "简称",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = guess_mapping(&header, &[]).unwrap();
        let at = |f: &str| {
            m[ENTERPRISE_LIST_COLUMNS
                .iter()
                .position(|c| c.field == f)
                .unwrap()]
            .clone()
        };
        assert_eq!(at("id"), [0]);
        assert_eq!(at("name"), [1]);
        assert_eq!(at("credit_code"), [2]);
        assert_eq!(at("region"), [3, 4]);
        assert_eq!(at("address"), [5]);
        assert_eq!(at("other_names"), [6]);
        let chosen = guess_mapping(&header, &[("name".into(), "简称".into())]).unwrap();
        assert_eq!(chosen[1], [6]);
        assert!(guess_mapping(&header, &[("nom".into(), "简称".into())]).is_err());
    }

    #[test]
    fn a_list_with_repeated_ids_or_empty_names_is_refused_with_each_row_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("园区名录.csv");
        std::fs::write(
            &path,
            "编号,企业名称,所在地区\n1,株洲天邦轨道装备有限公司,株洲市\n1,湖南华联瓷业,醴陵\n3,,株洲\n",
        )
        .unwrap();
        let Err(ImportError::Invalid { problems, .. }) = read_enterprise_list(&path, &[]) else {
            panic!("refused");
        };
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].contains("line 3") || text[0].contains("row 3"),
            "{text:?}"
        );
        std::fs::write(
            &path,
            "编号,企业名称,所在地区\n1,株洲天邦轨道装备有限公司,株洲市\n",
        )
        .unwrap();
        let list = read_enterprise_list(&path, &[]).unwrap();
        assert_eq!(list.records[0].region.as_deref(), Some("株洲市"));
    }

    #[test]
    fn a_kept_list_is_refused_at_the_row_that_passes_its_rows_or_text_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("报名表.csv");
        std::fs::write(
            &path,
            "企业名称,地区\n甲公司,株洲\n,\n乙公司,醴陵\n丙公司,长沙\n",
        )
        .unwrap();
        let (source, rows) = read_list_rows(&path, 3, 1 << 20).unwrap();
        assert_eq!(source.header, ["企业名称", "地区"]);
        let numbers: Vec<u64> = rows.iter().map(|r| r.0).collect();
        assert_eq!(
            numbers,
            [2, 4, 5],
            "the empty row is skipped, rows keep their numbers"
        );
        let refused = |rows: usize, bytes: usize| match read_list_rows(&path, rows, bytes) {
            Err(ImportError::Invalid { problems, .. }) => problems[0].to_string(),
            other => panic!("not refused: {other:?}"),
        };
        assert!(
            refused(2, 1 << 20).contains("5"),
            "the third row, file row 5"
        );
        assert!(
            refused(3, 20).contains("4"),
            "the text passes 20 bytes at row 4"
        );
        // Without an id column, the row number is the id.
        let list =
            enterprise_list_of(source, rows.into_iter().map(Ok), &[], Ids::OrRowNumber).unwrap();
        assert_eq!(list.records[1].id, "4");
        assert_eq!(list.rows, [2, 4, 5]);
    }
}
