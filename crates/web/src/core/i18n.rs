//! Chinese by default, English one click away. The language lives in a cookie set by
//! `/lang/{zh|en}`; every visible word of the pages comes from [`Texts`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chainatlas_model::{Segment, Tag, Tags};

pub use chainatlas_app::Lang;

/// The words of the pages in a language.
pub trait LangTexts {
    fn texts(self) -> &'static Texts;
}

impl LangTexts for Lang {
    fn texts(self) -> &'static Texts {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// The language a request reads, from the `lang` cookie `/lang/{zh|en}` sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let cookies = parts.headers.get_all(axum::http::header::COOKIE);
        let english = cookies
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|c| c.trim() == "lang=en");
        Ok(PageLang(if english { Lang::En } else { Lang::Zh }))
    }
}

/// Every word the pages show.
pub struct Texts {
    pub app_name: &'static str,
    pub switch_to: &'static str,
    pub nav_dashboard: &'static str,
    pub nav_chains: &'static str,
    pub nav_listings: &'static str,
    pub nav_events: &'static str,
    pub synthetic_banner: &'static str,
    pub dashboard_title: &'static str,
    pub enterprises: &'static str,
    pub chains: &'static str,
    pub nodes: &'static str,
    pub supply_relations: &'static str,
    pub listings: &'static str,
    pub chain_masters: &'static str,
    pub output: &'static str,
    pub capacity: &'static str,
    pub wan_yuan: &'static str,
    pub chain: &'static str,
    pub region: &'static str,
    pub all_regions: &'static str,
    pub show: &'static str,
    pub upstream: &'static str,
    pub midstream: &'static str,
    pub downstream: &'static str,
    pub segment: &'static str,
    pub node: &'static str,
    pub inputs: &'static str,
    pub feeds: &'static str,
    pub enterprise: &'static str,
    pub credit_code: &'static str,
    pub size: &'static str,
    pub tags: &'static str,
    pub revenue: &'static str,
    pub employees: &'static str,
    pub source: &'static str,
    pub suppliers: &'static str,
    pub buyers: &'static str,
    pub annual_value: &'static str,
    pub none: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub map_hint: &'static str,
    /// How an amount may be written in a form.
    pub amount_hint: &'static str,
    /// The header's search box and an enterprise account's link to its own enterprise.
    pub search_placeholder: &'static str,
    pub my_enterprise: &'static str,
    /// What a region picker takes.
    pub region_hint: &'static str,
    /// What a required region field takes.
    pub region_pick_hint: &'static str,
    /// What an enterprise or node picker takes.
    pub enterprise_hint: &'static str,
    pub node_hint: &'static str,
    /// The dashboard's charts.
    pub chart_output_by_chain: &'static str,
    pub chart_enterprises_by_chain: &'static str,
    pub chart_enterprises_by_province: &'static str,
    pub chart_agreements_by_month: &'static str,
    pub chart_agreement_count: &'static str,
    pub chart_agreement_value: &'static str,
    /// The chain map's legend for a node without enterprises in the region.
    pub legend_gap: &'static str,
    pub not_found: &'static str,
    pub back_home: &'static str,
    pub chain_map: &'static str,
    pub node_table: &'static str,
    pub diagnose: &'static str,
    pub simulate_disruption: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub bad_credentials: &'static str,
    pub too_many_attempts: &'static str,
    pub form_expired: &'static str,
    pub signed_in_as: &'static str,
    pub landing_title: &'static str,
    pub landing_text: &'static str,
    pub hidden: &'static str,
    pub private_note: &'static str,
    pub audit_log: &'static str,
    pub nav_imports: &'static str,
    pub audit_at: &'static str,
    pub audit_actor: &'static str,
    pub audit_address: &'static str,
    pub audit_action: &'static str,
    pub audit_entity: &'static str,
    pub audit_change: &'static str,
}

pub static ZH: Texts = Texts {
    app_name: "产业链图谱",
    switch_to: "English",
    nav_dashboard: "总览",
    nav_chains: "产业链",
    nav_listings: "供需对接",
    nav_events: "对接活动",
    synthetic_banner: "演示数据：企业名称、代码与数据均为合成，仅供演示。",
    dashboard_title: "产业链总览",
    enterprises: "企业",
    chains: "产业链",
    nodes: "环节",
    supply_relations: "供应关系",
    listings: "供需信息",
    chain_masters: "链主企业",
    output: "产值",
    capacity: "产能",
    wan_yuan: "万元",
    chain: "产业链",
    region: "地区",
    all_regions: "全部地区",
    show: "查看",
    upstream: "上游",
    midstream: "中游",
    downstream: "下游",
    segment: "环节位置",
    node: "环节",
    inputs: "上游投入",
    feeds: "供给下游",
    enterprise: "企业",
    credit_code: "统一社会信用代码",
    size: "规模",
    tags: "标签",
    revenue: "营业收入",
    employees: "从业人员",
    source: "数据来源",
    suppliers: "供应商",
    buyers: "客户",
    annual_value: "年交易额",
    none: "暂无",
    previous: "上一页",
    next: "下一页",
    map_hint: "节点大小表示所选地区产值，灰色表示本地区暂无企业（短板）。点击节点查看企业。",
    legend_gap: "本地区暂无企业（短板）",
    amount_hint: "如 1200万、1,200万元 或 12000000",
    search_placeholder: "搜索企业、简称、信用代码、产业链、供需、活动",
    my_enterprise: "我的企业",
    region_hint: "输入名称、拼音首字母（如 zz）或代码；留空为全部",
    region_pick_hint: "输入名称、拼音首字母（如 zz）或代码",
    enterprise_hint: "输入企业名称、简称或信用代码",
    node_hint: "输入环节名称",
    chart_output_by_chain: "各产业链产值（万元）",
    chart_enterprises_by_chain: "各产业链企业数",
    chart_enterprises_by_province: "各省企业数",
    chart_agreements_by_month: "签约项目（按签约月份）",
    chart_agreement_count: "项目数",
    chart_agreement_value: "金额（万元）",
    not_found: "未找到",
    back_home: "返回总览",
    chain_map: "产业链图谱",
    node_table: "各环节企业分布",
    diagnose: "产业链诊断（短板、配套率、依赖、卡点、招商）",
    simulate_disruption: "断链模拟",
    sign_in: "登录",
    sign_out: "退出",
    username: "用户名",
    password: "密码",
    bad_credentials: "用户名或密码错误。",
    too_many_attempts: "登录失败次数过多，请 {minutes} 分钟后再试。",
    form_expired: "页面已过期，请重新登录。",
    signed_in_as: "当前用户",
    landing_title: "产业链图谱：绘制产业链、诊断短板、对接供需",
    landing_text: "面向省市产业链办公室、园区与企业：梳理产业链各环节企业分布，识别短板与卡点，精准招商，组织供需对接会并跟踪签约项目。数据仅对授权用户开放，请登录。",
    hidden: "—",
    private_note: "该企业的供应关系与经营数据仅对本企业和产业链工作人员可见。",
    audit_log: "审计日志",
    nav_imports: "导入数据",
    audit_at: "时间",
    audit_actor: "操作人",
    audit_address: "地址",
    audit_action: "操作",
    audit_entity: "对象",
    audit_change: "变更",
};

pub static EN: Texts = Texts {
    app_name: "Chain Atlas",
    switch_to: "中文",
    nav_dashboard: "Dashboard",
    nav_chains: "Chains",
    nav_listings: "Matchmaking",
    nav_events: "Events",
    synthetic_banner: "Demo data: enterprise names, codes and figures are synthetic, for demonstration only.",
    dashboard_title: "Industrial chains at a glance",
    enterprises: "Enterprises",
    chains: "Chains",
    nodes: "Nodes",
    supply_relations: "Supply relations",
    listings: "Listings",
    chain_masters: "Chain masters",
    output: "Output",
    capacity: "Capacity",
    wan_yuan: "10k yuan",
    chain: "Chain",
    region: "Region",
    all_regions: "All regions",
    show: "Show",
    upstream: "Upstream",
    midstream: "Midstream",
    downstream: "Downstream",
    segment: "Segment",
    node: "Node",
    inputs: "Inputs",
    feeds: "Feeds",
    enterprise: "Enterprise",
    credit_code: "Unified social credit code",
    size: "Size",
    tags: "Tags",
    revenue: "Revenue",
    employees: "Employees",
    source: "Source",
    suppliers: "Suppliers",
    buyers: "Buyers",
    annual_value: "Annual value",
    none: "None",
    previous: "Previous",
    next: "Next",
    map_hint: "Node size shows output in the chosen region; grey nodes have no enterprise there (short boards). Click a node for its enterprises.",
    legend_gap: "no enterprise in the region (short board)",
    amount_hint: "e.g. 1200万, 1,200万元 or 12000000",
    search_placeholder: "Search enterprises, credit codes, chains, listings, events",
    my_enterprise: "My enterprise",
    region_hint: "name, pinyin initials (zz) or code; empty for all",
    region_pick_hint: "name, pinyin initials (zz) or code",
    enterprise_hint: "enterprise name, short name or credit code",
    node_hint: "node name",
    chart_output_by_chain: "Output by chain (10k yuan)",
    chart_enterprises_by_chain: "Enterprises by chain",
    chart_enterprises_by_province: "Enterprises by province",
    chart_agreements_by_month: "Agreements by month signed",
    chart_agreement_count: "agreements",
    chart_agreement_value: "value (10k yuan)",
    not_found: "Not found",
    back_home: "Back to the dashboard",
    chain_map: "Chain map",
    node_table: "Enterprises per node",
    diagnose: "Diagnose this chain (short boards, supporting rate, dependencies, chokepoints, targets)",
    simulate_disruption: "Disruption simulator",
    sign_in: "Sign in",
    sign_out: "Sign out",
    username: "Username",
    password: "Password",
    bad_credentials: "Wrong username or password.",
    too_many_attempts: "Too many failed sign-ins: try again in {minutes} minutes.",
    form_expired: "The page had expired; please sign in again.",
    signed_in_as: "Signed in as",
    landing_title: "Chain Atlas: map industrial chains, find the short boards, match supply and demand",
    landing_text: "For provincial and city chain offices, industrial parks and enterprises: see which enterprises sit in each link of a chain, find missing and weak links, target investment attraction, run supply–demand docking events and track the projects signed. The data is open to authorised users only: please sign in.",
    hidden: "—",
    private_note: "This enterprise's supply relations and business figures are visible only to itself and to chain office staff.",
    audit_log: "Audit log",
    nav_imports: "Import",
    audit_at: "When",
    audit_actor: "Who",
    audit_address: "Address",
    audit_action: "Action",
    audit_entity: "Entity",
    audit_change: "Change",
};

pub(crate) fn segment_name(t: &Texts, segment: Segment) -> &'static str {
    match segment {
        Segment::Upstream => t.upstream,
        Segment::Midstream => t.midstream,
        Segment::Downstream => t.downstream,
    }
}

pub(crate) fn tag_label(lang: Lang, tag: Tag) -> &'static str {
    match (lang, tag) {
        (Lang::Zh, Tag::ChainMaster) => "链主",
        (Lang::Zh, Tag::SpecializedNew) => "专精特新",
        (Lang::Zh, Tag::HighTech) => "高新技术",
        (Lang::Zh, Tag::Listed) => "上市",
        (Lang::En, Tag::ChainMaster) => "chain master",
        (Lang::En, Tag::SpecializedNew) => "specialized & new",
        (Lang::En, Tag::HighTech) => "high-tech",
        (Lang::En, Tag::Listed) => "listed",
    }
}

pub(crate) fn tag_labels(lang: Lang, tags: Tags) -> Vec<&'static str> {
    tags.iter().map(|t| tag_label(lang, t)).collect()
}
