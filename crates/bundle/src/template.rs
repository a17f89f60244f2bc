//! The template workbook a clerk fills in: one sheet per bundle file with its header,
//! drop-down lists for the closed vocabularies, and a 说明 sheet that explains every
//! column in Chinese and English.

use chainatlas_model::{
    AgreementStatus, EnterpriseSize, ListingKind, ListingSide, ListingStatus, MeetingStatus,
    RecordKind, RegionLevel, RequestOrigin, RequestStatus, Segment, Tag,
};
use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, Workbook};

use crate::columns::columns;

/// The template as `.xlsx` bytes.
pub fn template() -> Result<Vec<u8>, String> {
    let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let readme = workbook.add_worksheet();
    readme.set_name(crate::README_SHEET).map_err(e)?;
    let header = ["表 sheet", "列 column", "必填 required", "说明", "Meaning"];
    for (c, h) in header.iter().enumerate() {
        readme
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(e)?;
    }
    let intro = [
        "每张表对应一类数据，第一行是列名，请勿修改；从第二行起每行一条记录。可以只填需要的表，其余表可删除或留空。企业的 id 可留空：按统一社会信用代码更新已有企业，或新增企业。",
        "Each sheet is one kind of record; keep the header row, one record per row below it. Fill only the sheets you need. An enterprise's id may be left empty: the row updates the enterprise with that credit code, or adds a new one.",
    ];
    readme.write_string(1, 3, intro[0]).map_err(e)?;
    readme.write_string(1, 4, intro[1]).map_err(e)?;
    let mut row = 2u32;
    for &kind in RecordKind::ALL {
        for col in columns(kind) {
            readme.write_string(row, 0, kind.as_str()).map_err(e)?;
            readme.write_string(row, 1, col.name).map_err(e)?;
            readme
                .write_string(row, 2, if col.required { "是 yes" } else { "否 no" })
                .map_err(e)?;
            readme
                .write_string(row, 3, doc_zh(kind, col.name))
                .map_err(e)?;
            readme.write_string(row, 4, col.doc).map_err(e)?;
            row += 1;
        }
    }
    readme.set_column_width(3, 60).map_err(e)?;
    readme.set_column_width(4, 60).map_err(e)?;
    for &kind in RecordKind::ALL {
        let sheet = workbook.add_worksheet();
        sheet.set_name(kind.as_str()).map_err(e)?;
        for (c, col) in columns(kind).iter().enumerate() {
            let c = c as u16;
            sheet
                .write_string_with_format(0, c, col.name, &bold)
                .map_err(e)?;
            sheet.set_column_width(c, 16).map_err(e)?;
            if let Some((words, many)) = vocabulary(kind, col.name) {
                let mut list = DataValidation::new()
                    .allow_list_strings(words)
                    .map_err(e)?
                    .ignore_blank(true);
                if many {
                    // Tags are a list separated by ';': offer the words, accept a list.
                    list = list.set_error_style(DataValidationErrorStyle::Information);
                }
                sheet
                    .add_data_validation(1, c, 100_000, c, &list)
                    .map_err(e)?;
            }
        }
    }
    workbook.save_to_buffer().map_err(e)
}

/// The closed vocabulary of a column, and whether a cell may hold several of its words.
pub fn vocabulary(kind: RecordKind, column: &str) -> Option<(&'static [&'static str], bool)> {
    Some(match (kind, column) {
        (RecordKind::Region, "level") => (RegionLevel::NAMES, false),
        (RecordKind::ChainNode, "segment") => (Segment::NAMES, false),
        (RecordKind::Enterprise, "size") => (EnterpriseSize::NAMES, false),
        (RecordKind::Enterprise, "tags") => (Tag::NAMES, true),
        (RecordKind::Listing, "side") => (ListingSide::NAMES, false),
        (RecordKind::Listing, "kind") => (ListingKind::NAMES, false),
        (RecordKind::Listing, "status") => (ListingStatus::NAMES, false),
        (RecordKind::MeetingRequest, "origin") => (RequestOrigin::NAMES, false),
        (RecordKind::MeetingRequest, "status") => (RequestStatus::NAMES, false),
        (RecordKind::Meeting, "status") => (MeetingStatus::NAMES, false),
        (RecordKind::Agreement, "status") => (AgreementStatus::NAMES, false),
        _ => return None,
    })
}

/// What a column means, in Chinese (the English is [`crate::Column::doc`]).
pub fn doc_zh(kind: RecordKind, column: &str) -> &'static str {
    use RecordKind as K;
    match (kind, column) {
        (_, "id") if kind == K::Enterprise => "整数编号；留空：按信用代码匹配已有企业，或新增企业",
        (_, "id") => "整数编号",
        (_, "name_zh") => "中文名称",
        (_, "name_en") => "英文名称",
        (K::Region, "code") => "6 位行政区划代码，如 430200",
        (K::Region, "parent_code") => "上级区划代码；省级留空",
        (K::Region, "level") => "province（省）、city（市）或 district（区县），须与代码一致",
        (K::Chain, "code") => "由小写字母、数字和“-”组成的简码，如 nev",
        (K::ChainNode, "chain_id") => "所属产业链的编号",
        (K::ChainNode, "code") => "在所有产业链中唯一的环节代码，如 nev-battery-cell",
        (K::ChainNode, "segment") => "upstream（上游）、midstream（中游）或 downstream（下游）",
        (K::NodeInput, "input_node_id") => "被采购产品所在的环节",
        (K::NodeInput, "output_node_id") => "采购这些产品的环节",
        (K::Enterprise, "credit_code") => "18 位统一社会信用代码（GB 32100），校验位会被检查",
        (K::Enterprise, "region_code") => "注册地的行政区划代码",
        (K::Enterprise, "size") => "large（大型）、medium（中型）、small（小型）或 micro（微型）",
        (K::Enterprise, "tags") => "用“;”分隔：chain_master（链主）、specialized_new（专精特新）、high_tech（高新技术）、listed（上市）",
        (K::Enterprise, "revenue") => "年营业收入，单位元，最多两位小数，不能为负",
        (K::Enterprise, "employees") => "从业人数",
        (K::Enterprise, "source") => "数据来源",
        (K::Enterprise, "other_names") => "企业的其他名称（简称、曾用名），用“;”分隔",
        (K::Enterprise, "address") => "注册地址",
        (K::Enterprise, "phone") => "联系电话",
        (K::Enterprise, "legal_representative") => "法定代表人姓名",
        (K::Enterprise, "industry_code") => {
            "国民经济行业代码（GB/T 4754-2017），2 至 4 位数字：大类、中类或小类，如 3841"
        }
        (K::EnterpriseNode, "enterprise_id") => "企业编号",
        (K::EnterpriseNode, "node_id") => "环节编号",
        (K::EnterpriseNode, "output") => "该环节的年产值，单位元",
        (K::EnterpriseNode, "capacity") => "按产值计的年产能，单位元，不小于产值",
        (K::SupplyRelation, "supplier_id") => "供货企业的编号",
        (K::SupplyRelation, "buyer_id") => "采购企业的编号，不能与供货企业相同",
        (K::SupplyRelation, "node_id") => "所售产品所在的环节",
        (K::SupplyRelation, "annual_value") => "年交易额，单位元",
        (K::Listing, "enterprise_id") => "发布企业的编号",
        (K::Listing, "side") => "demand（需求）或 supply（供给）",
        (K::Listing, "kind") => "product（产品）、equipment（设备）、technology（技术）、capacity（产能）或 service（服务）",
        (K::Listing, "node_id") => "所涉及的环节",
        (K::Listing, "title") => "标题，中文或英文",
        (K::Listing, "description") => "详细说明",
        (K::Listing, "quantity") => "数量（整数）",
        (K::Listing, "unit") => "数量单位，如 台、吨、套",
        (K::Listing, "price") => "单价：需求为预算、供给为报价，单位元",
        (K::Listing, "region_code") => "需求或供给所在地的行政区划代码",
        (K::Listing, "valid_until") => "有效期最后一天，YYYY-MM-DD",
        (K::Listing, "status") => "open（有效）或 closed（已关闭）",
        (K::Listing, "tags") => "需要（需求）或具备（供给）的资质，用“;”分隔",
        (K::Event, "name") => "对接会名称",
        (K::Event, "venue") => "举办地点",
        (K::Event, "starts_on") => "第一天，YYYY-MM-DD",
        (K::Event, "days") => "天数，1 到 7",
        (K::Event, "day_start") => "每天第一场的开始时间，HH:MM",
        (K::Event, "slot_minutes") => "每场洽谈分钟数，5 到 240",
        (K::Event, "slots_per_day") => "每天场次（含休息）",
        (K::Event, "breaks") => "每天不安排洽谈的场次，从 1 编号，如 7,8",
        (K::Event, "tables") => "洽谈桌数",
        (K::Event, "groups") => "参会分组，用“;”分隔，如 采购方;供应方",
        (K::Event, "may_meet") => "可以相互洽谈的分组，a:b 用“;”分隔；留空：任何人都可以",
        (K::Event, "chain_ids") => "关注的产业链编号，用“;”分隔",
        (K::Event, "node_ids") => "关注的环节编号，用“;”分隔",
        (K::Event, "request_cap") => "每个参会方最多可发出的有效邀约数",
        (K::Event, "meeting_cap") => "每个参会方最多的洽谈场数",
        (K::Event, "request_days") => "邀约未答复时保持有效的天数",
        (K::Participant, "event_id") | (K::MeetingRequest, "event_id") | (K::Meeting, "event_id") => "对接会编号",
        (K::Participant, "enterprise_id") => "报名企业的编号",
        (K::Participant, "group") => "该对接会的分组之一",
        (K::Participant, "people") => "参会人员：姓名和职务",
        (K::Participant, "available") => "可参加的洽谈场次，从 1 编号，如 1-6,9；留空：全部；none：都不能",
        (K::Participant, "max_meetings") => "自定的洽谈场数上限；留空：按对接会",
        (K::Participant, "listing_ids") => "带来的供需信息编号，用“;”分隔",
        (K::MeetingRequest, "from_id") => "发出邀约的参会方",
        (K::MeetingRequest, "to_id") => "被邀约的参会方，不能是自己",
        (K::MeetingRequest, "priority") => "优先级，1（最高）到 5",
        (K::MeetingRequest, "origin") => "manual（手动）或 recommended（推荐）",
        (K::MeetingRequest, "status") => "pending、accepted、declined、not_interested、expired 或 cancelled",
        (K::MeetingRequest, "message") => "邀约留言",
        (K::MeetingRequest, "created_on") => "发出日期，YYYY-MM-DD",
        (K::MeetingRequest, "expires_on") => "最后可答复日期，YYYY-MM-DD",
        (K::MeetingRequest, "answered_on") => "答复日期，YYYY-MM-DD",
        (K::Meeting, "request_id") => "对应的邀约",
        (K::Meeting, "a_id") => "一方参会方",
        (K::Meeting, "b_id") => "另一方参会方",
        (K::Meeting, "slot") => "洽谈场次，从 1 编号",
        (K::Meeting, "table_no") => "桌号，从 1 编号",
        (K::Meeting, "published") => "已向参会方公布为 1，否则为 0",
        (K::Meeting, "status") => "scheduled（已安排）、held（已举行）、no_show（缺席）或 cancelled（已取消）",
        (K::Agreement, "title") => "项目内容",
        (K::Agreement, "buyer_id") => "采购企业的编号",
        (K::Agreement, "supplier_id") => "供应企业的编号，不能与采购企业相同",
        (K::Agreement, "chain_id") => "所补强的产业链",
        (K::Agreement, "node_id") => "所涉及的环节",
        (K::Agreement, "value") => "项目金额，单位元",
        (K::Agreement, "status") => "intended（意向）、signed（签约）、started（开工）或 completed（完成）",
        (K::Agreement, "intended_on") => "意向日期，YYYY-MM-DD",
        (K::Agreement, "signed_on") => "签约日期；签约及以后必填",
        (K::Agreement, "started_on") => "开工日期；开工及以后必填",
        (K::Agreement, "completed_on") => "完成日期；完成时必填",
        (K::Agreement, "event_id") => "达成项目的对接会",
        (K::Agreement, "meeting_id") => "达成项目的洽谈",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_explained_in_chinese() {
        for &kind in RecordKind::ALL {
            for col in columns(kind) {
                assert!(
                    !doc_zh(kind, col.name).is_empty(),
                    "{}.{} has no Chinese explanation",
                    kind.as_str(),
                    col.name
                );
            }
        }
    }

    #[test]
    fn the_template_has_every_sheet_with_its_header() {
        use calamine::Reader;
        let bytes = template().unwrap();
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let names = workbook.sheet_names();
        assert_eq!(names[0], crate::README_SHEET);
        assert_eq!(names.len(), RecordKind::ALL.len() + 1);
        let sheet = workbook.worksheet_range("enterprises").unwrap();
        let header: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let expected: Vec<&str> = columns(RecordKind::Enterprise)
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(header, expected);
    }
}
