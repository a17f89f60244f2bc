//! The enterprise-services pages: appeals (an enterprise submits and follows its own;
//! staff work an inbox by state and deadline), one appeal with its steps and the moves
//! the viewer may make, the blocking-point dashboard, visits with the enterprises not
//! visited, and the viewer's notifications.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chainatlas_auth::Permission;
use chainatlas_model::services::{AppealCategory, AppealChannel, AppealState, Move};
use chainatlas_model::Lang;
use serde::Deserialize;

use crate::core::api::Params;
use crate::core::auth::Viewer;
use crate::core::download::workbook;
use crate::core::form::PageForm;
use crate::core::i18n::PageLang;
use crate::core::layout::{
    export_href, posted, region_options, render, Layout, OrPage, PageError, RegionOption,
};
use crate::core::AppState;
use chainatlas_app::blocking::{self, BlockingQuery, BlockingReport};
use chainatlas_app::services::{self, AppealInput, AppealQuery, AppealView, StepInput, VisitInput};
use chainatlas_app::{view, AppError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/services/appeals", get(appeals_page).post(submit_appeal))
        .route("/services/appeals/{id}", get(appeal_page))
        .route("/services/appeals/{id}/steps", post(step_appeal))
        .route("/services/blocking", get(blocking_page))
        .route("/services/visits", get(visits_page).post(record_visit))
        .route("/services/officials", post(assign_official))
        .route(
            "/services/assessments",
            get(assessments_page).post(take_assessment),
        )
        .route("/services/assessments/{id}", get(assessment_page))
        .route("/services/assessments/{id}/publish", post(publish_draft))
        .route("/notifications", get(notifications_page))
        .route("/notifications/read", post(read_all))
}

/// Words of these pages, in both languages.
pub struct Words {
    pub appeals: &'static str,
    pub my_appeals: &'static str,
    pub new_appeal: &'static str,
    pub submit: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub attachments: &'static str,
    pub attachments_hint: &'static str,
    pub enterprise: &'static str,
    pub node: &'static str,
    pub state: &'static str,
    pub submitted_at: &'static str,
    pub next_due: &'static str,
    pub overdue: &'static str,
    pub handler: &'static str,
    pub department: &'static str,
    pub reply: &'static str,
    pub satisfaction: &'static str,
    pub steps: &'static str,
    pub step_at: &'static str,
    pub actor: &'static str,
    pub note: &'static str,
    pub handler_id: &'static str,
    pub all_open: &'static str,
    pub assigned_to_me: &'static str,
    pub all: &'static str,
    pub none: &'static str,
    pub deadlines: &'static str,
    pub reply_due: &'static str,
    pub resolve_due: &'static str,
    pub similar: &'static str,
    pub similar_hint: &'static str,
    pub blocking: &'static str,
    pub blocking_hint: &'static str,
    pub by: &'static str,
    pub by_names: [&'static str; 5],
    pub from: &'static str,
    pub to: &'static str,
    pub chain: &'static str,
    pub open: &'static str,
    pub closed: &'static str,
    pub declined: &'static str,
    pub overdue_share: &'static str,
    pub median_days: &'static str,
    pub rated: &'static str,
    pub found_on_visits: &'static str,
    pub clusters: &'static str,
    pub clusters_hint: &'static str,
    pub shared_words: &'static str,
    pub visits: &'static str,
    pub record_visit: &'static str,
    pub planned_on: &'static str,
    pub visited_on: &'static str,
    pub officials: &'static str,
    pub officials_hint: &'static str,
    pub purpose: &'static str,
    pub findings: &'static str,
    pub finding: &'static str,
    pub unvisited: &'static str,
    pub unvisited_hint: &'static str,
    pub official: &'static str,
    pub last_visit: &'static str,
    pub assign_official: &'static str,
    pub official_id: &'static str,
    pub notifications: &'static str,
    pub mark_all_read: &'static str,
    pub unread: &'static str,
    pub staff_only_fields: &'static str,
    pub assessments: &'static str,
}

static ZH: Words = Words {
    appeals: "企业诉求",
    my_appeals: "我的诉求",
    new_appeal: "提出诉求",
    submit: "提交",
    category: "类别",
    channel: "渠道",
    title: "标题",
    description: "具体情况",
    attachments: "附件",
    attachments_hint: "只登记文件名、大小和类型，文件本身由企业保存",
    enterprise: "企业",
    node: "涉及环节",
    state: "状态",
    submitted_at: "提出时间",
    next_due: "当前时限",
    overdue: "超期",
    handler: "承办人",
    department: "承办部门",
    reply: "答复",
    satisfaction: "满意度",
    steps: "办理过程",
    step_at: "时间",
    actor: "操作人",
    note: "说明",
    handler_id: "承办人（用户编号）",
    all_open: "全部未办结",
    assigned_to_me: "交办给我的",
    all: "全部",
    none: "没有诉求。",
    deadlines: "时限（工作日，按国家法定节假日和调休计算）",
    reply_due: "答复时限",
    resolve_due: "办结时限",
    similar: "相似诉求",
    similar_hint: "标题相近的同类诉求：可能是同一个堵点，“办理一件、解决一类”。",
    blocking: "堵点看板",
    blocking_hint: "企业诉求和走访发现的困难，按类别、产业链、环节、地区或月份统计。办结天数为受理到办结的工作日数。",
    by: "统计口径",
    by_names: ["类别", "产业链", "环节", "地区", "月份"],
    from: "起",
    to: "止",
    chain: "产业链",
    open: "未办结",
    closed: "已办结",
    declined: "不予受理",
    overdue_share: "超期比例",
    median_days: "办结天数中位数",
    rated: "已评价",
    found_on_visits: "走访发现",
    clusters: "同类诉求（办理一件、解决一类）",
    clusters_hint: "同一类别中标题相近的诉求归为一组，可以一并研究解决。",
    shared_words: "共同词语",
    visits: "走访",
    record_visit: "登记走访",
    planned_on: "计划日期",
    visited_on: "走访日期",
    officials: "走访干部",
    officials_hint: "用户编号，用逗号分隔",
    purpose: "事由",
    findings: "发现的问题",
    finding: "问题类别",
    unvisited: "期内未走访的企业",
    unvisited_hint: "有包联干部的企业排在前面。",
    official: "包联干部",
    last_visit: "上次走访",
    assign_official: "指定包联干部",
    official_id: "包联干部（用户编号，留空为不指定）",
    notifications: "消息",
    mark_all_read: "全部标为已读",
    unread: "未读",
    staff_only_fields: "工作人员代企业登记时填写",
    assessments: "转型自评估",
};

static EN: Words = Words {
    appeals: "Enterprise appeals",
    my_appeals: "My appeals",
    new_appeal: "Submit an appeal",
    submit: "Submit",
    category: "Category",
    channel: "Channel",
    title: "Title",
    description: "Details",
    attachments: "Attachments",
    attachments_hint: "Only the file's name, size and type are recorded; the enterprise keeps the file",
    enterprise: "Enterprise",
    node: "Chain link concerned",
    state: "State",
    submitted_at: "Submitted",
    next_due: "Due",
    overdue: "Overdue",
    handler: "Handler",
    department: "Department",
    reply: "Reply",
    satisfaction: "Satisfaction",
    steps: "Steps",
    step_at: "Time",
    actor: "By",
    note: "Note",
    handler_id: "Handler (user id)",
    all_open: "All open",
    assigned_to_me: "Assigned to me",
    all: "All",
    none: "No appeals.",
    deadlines: "Deadlines (working days on China's official calendar of holidays and adjusted days)",
    reply_due: "Reply due",
    resolve_due: "Resolution due",
    similar: "Similar appeals",
    similar_hint: "Appeals of the same category with similar titles: possibly one blocking point — resolve one, fix a class.",
    blocking: "Blocking points",
    blocking_hint: "Enterprise appeals and difficulties found on visits, by category, chain, node, region or month. Days to resolve are working days from acceptance to closing.",
    by: "Count by",
    by_names: ["Category", "Chain", "Node", "Region", "Month"],
    from: "From",
    to: "To",
    chain: "Chain",
    open: "Open",
    closed: "Closed",
    declined: "Declined",
    overdue_share: "Overdue share",
    median_days: "Median days to resolve",
    rated: "Rated",
    found_on_visits: "Found on visits",
    clusters: "Similar appeals (resolve one, fix a class)",
    clusters_hint: "Appeals of one category with similar titles, grouped so they can be solved together.",
    shared_words: "Shared words",
    visits: "Visits",
    record_visit: "Record a visit",
    planned_on: "Planned on",
    visited_on: "Visited on",
    officials: "Officials",
    officials_hint: "User ids, comma-separated",
    purpose: "Purpose",
    findings: "Findings",
    finding: "Difficulty category",
    unvisited: "Enterprises not visited in the period",
    unvisited_hint: "Those with a responsible official first.",
    official: "Responsible official",
    last_visit: "Last visit",
    assign_official: "Assign a responsible official",
    official_id: "Official (user id; blank: nobody)",
    notifications: "Notifications",
    mark_all_read: "Mark all read",
    unread: "Unread",
    staff_only_fields: "Filled in by staff recording for an enterprise",
    assessments: "Transformation self-assessment",
};

pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// A choice in a select: its value and what it shows.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn category_choices(lang: Lang, selected: &str) -> Vec<Choice> {
    AppealCategory::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str(),
            label: c.name(lang),
            selected: c.as_str() == selected,
        })
        .collect()
}

/// An appeal as a row or a page shows it.
pub struct AppealRow {
    pub id: i64,
    pub title: String,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub category: &'static str,
    pub state: &'static str,
    pub state_code: String,
    pub submitted_at: String,
    pub next_due: String,
    pub overdue: bool,
    pub handler: String,
    pub node: String,
    pub node_id: Option<i64>,
}

fn appeal_row(lang: Lang, a: &AppealView) -> AppealRow {
    let category = a
        .category
        .parse::<AppealCategory>()
        .map_or("", |c| c.name(lang));
    let state = a.state.parse::<AppealState>().map_or("", |s| s.name(lang));
    AppealRow {
        id: a.id,
        title: a.title.clone(),
        enterprise_id: a.enterprise_id,
        enterprise: a.enterprise_name.clone(),
        category,
        state,
        state_code: a.state.clone(),
        submitted_at: a.submitted_at.clone(),
        next_due: a.next_due.clone().unwrap_or_default(),
        overdue: a.overdue,
        handler: a.handler_name.clone().unwrap_or_default(),
        node: a.node_name.clone().unwrap_or_default(),
        node_id: a.node_id,
    }
}

/// A filter tab of the inbox.
pub struct Tab {
    pub label: &'static str,
    pub href: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "services/appeals.html")]
struct AppealsPage {
    layout: Layout,
    w: &'static Words,
    staff: bool,
    tabs: Vec<Tab>,
    rows: Vec<AppealRow>,
    total: u64,
    categories: Vec<Choice>,
    channels: Vec<Choice>,
    input: AppealForm,
    error: Option<String>,
}

/// The appeal form as typed, to show again when refused.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct AppealForm {
    #[serde(default)]
    enterprise_id: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    node_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// One attachment per line: `name<TAB>bytes<TAB>type` (the page's script fills it
    /// from the file picker), or names alone.
    #[serde(default)]
    attachment_meta: String,
    /// What a file input sends in a plain form: the files' names.
    #[serde(default)]
    files: String,
}

impl AppealForm {
    fn input(&self) -> AppealInput {
        let mut attachments = Vec::new();
        for line in self
            .attachment_meta
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let mut parts = line.split('\t');
            attachments.push(services::AttachmentInput {
                name: parts.next().unwrap_or_default().to_string(),
                bytes: parts
                    .next()
                    .and_then(|b| b.trim().parse().ok())
                    .unwrap_or(0),
                media_type: parts.next().unwrap_or_default().to_string(),
            });
        }
        if attachments.is_empty() {
            for name in self.files.split(';').filter(|n| !n.trim().is_empty()) {
                attachments.push(services::AttachmentInput {
                    name: name.to_string(),
                    ..Default::default()
                });
            }
        }
        AppealInput {
            enterprise_id: self.enterprise_id.clone(),
            category: self.category.clone(),
            channel: self.channel.clone(),
            node_id: self.node_id.clone(),
            visit_id: String::new(),
            title: self.title.clone(),
            description: self.description.clone(),
            attachments,
        }
    }
}

const TABS: [(&str, &str); 3] = [
    ("open", "/services/appeals?state=open&sort=due"),
    ("mine", "/services/appeals?state=open&handler=me&sort=due"),
    ("all", "/services/appeals?state="),
];

fn appeals_view(
    store: &chainatlas_store::Store,
    viewer: &Viewer,
    lang: Lang,
    uri: &Uri,
    query: &AppealQuery,
    input: AppealForm,
    error: Option<String>,
) -> Result<AppealsPage, AppError> {
    let w = words(lang);
    let staff = viewer.may(Permission::Analyse);
    let mut query = query.clone();
    if staff && query.state.is_none() {
        // The inbox: what is open, the soonest deadline first.
        query.state = Some("open".into());
        query.sort.get_or_insert_with(|| "due".into());
    }
    let filter = query.filter(store, viewer)?;
    let page = services::appeal_page(store, viewer, filter)?;
    let current = match (query.state.as_deref(), query.handler.as_deref()) {
        (Some("open"), Some("me")) => "mine",
        (Some("open"), _) => "open",
        _ => "all",
    };
    let tabs = if staff {
        TABS.iter()
            .zip([w.all_open, w.assigned_to_me, w.all])
            .map(|((key, href), label)| Tab {
                label,
                href,
                current: *key == current,
            })
            .collect()
    } else {
        Vec::new()
    };
    let title = if staff { w.appeals } else { w.my_appeals };
    Ok(AppealsPage {
        layout: Layout::new(lang, title, uri, viewer),
        w,
        staff,
        tabs,
        rows: page.appeals.iter().map(|a| appeal_row(lang, a)).collect(),
        total: page.total,
        categories: category_choices(lang, &input.category),
        channels: AppealChannel::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str(),
                label: c.name(lang),
                selected: c.as_str() == input.channel,
            })
            .collect(),
        input,
        error,
    })
}

async fn appeals_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(query): Params<AppealQuery>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| appeals_view(store, &v, lang, &u, &query, AppealForm::default(), None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn submit_appeal(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(form): PageForm<AppealForm>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            let saved = services::submit_appeal(store, &v, &form.input());
            posted(
                saved,
                lang,
                false,
                |a| format!("/services/appeals/{}", a.id),
                |why| {
                    appeals_view(
                        store,
                        &v,
                        lang,
                        &u,
                        &AppealQuery::default(),
                        form,
                        Some(why),
                    )
                },
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}

/// A step as the page lists it.
pub struct StepRow {
    pub at: String,
    pub actor: String,
    pub step: String,
    pub to: &'static str,
    pub note: String,
}

/// A move the viewer may make, with what its form asks.
pub struct MoveForm {
    pub step: &'static str,
    pub label: &'static str,
    pub needs_note: bool,
    pub assign: bool,
    pub rate: bool,
}

#[derive(Template)]
#[template(path = "services/appeal.html")]
struct AppealPage {
    layout: Layout,
    w: &'static Words,
    a: AppealRow,
    description: String,
    channel: &'static str,
    attachments: Vec<String>,
    department: String,
    reply: String,
    reply_due: String,
    resolve_due: String,
    satisfaction: String,
    steps: Vec<StepRow>,
    moves: Vec<MoveForm>,
    similar: Vec<AppealRow>,
    error: Option<String>,
}

fn step_name(lang: Lang, step: &str) -> String {
    match step {
        "submit" => lang.pick("提出", "submitted").to_string(),
        "remind" => lang.pick("到期提醒", "reminded").to_string(),
        "escalate" => lang
            .pick("超期升级督办", "escalated as overdue")
            .to_string(),
        other => other
            .parse::<Move>()
            .map_or_else(|_| other.to_string(), |m| m.name(lang).to_string()),
    }
}

fn appeal_view(
    store: &chainatlas_store::Store,
    viewer: &Viewer,
    lang: Lang,
    uri: &Uri,
    id: i64,
    error: Option<String>,
) -> Result<AppealPage, AppError> {
    let w = words(lang);
    let d = services::appeal_detail(store, viewer, id)?;
    let a = &d.appeal;
    let similar = if viewer.may(Permission::Analyse) {
        let appeal = services::visible_appeal(store, viewer, id)?;
        let names = services::Names::load(store)?;
        let supervisors = store.supervisors()?;
        blocking::similar(store, &appeal)?
            .iter()
            .map(|(s, _)| {
                services::appeal_view(store, viewer, &names, &supervisors, s)
                    .map(|v| appeal_row(lang, &v))
            })
            .collect::<Result<_, _>>()?
    } else {
        Vec::new()
    };
    let size = |b: u64| match b {
        0 => String::new(),
        b if b < 1024 * 1024 => format!(" ({:.0} KB)", b as f64 / 1024.0),
        b => format!(" ({:.1} MB)", b as f64 / 1024.0 / 1024.0),
    };
    Ok(AppealPage {
        layout: Layout::new(lang, format!("{} #{}", w.appeals, a.id), uri, viewer),
        w,
        description: a.description.clone(),
        channel: a
            .channel
            .parse::<AppealChannel>()
            .map_or("", |c| c.name(lang)),
        attachments: a
            .attachments
            .iter()
            .map(|f| format!("{}{}", f.name, size(f.bytes)))
            .collect(),
        department: a.department.clone(),
        reply: a.reply.clone(),
        reply_due: a.reply_due.clone().unwrap_or_default(),
        resolve_due: a.resolve_due.clone().unwrap_or_default(),
        satisfaction: a
            .satisfaction
            .map(|s| format!("{s} / 5"))
            .unwrap_or_default(),
        steps: d
            .steps
            .iter()
            .map(|s| StepRow {
                at: s.at.clone(),
                actor: s.actor.clone(),
                step: step_name(lang, &s.step),
                to: s.to.parse::<AppealState>().map_or("", |t| t.name(lang)),
                note: s.note.clone(),
            })
            .collect(),
        moves: a
            .moves
            .iter()
            .filter_map(|m| m.parse::<Move>().ok())
            .map(|m| MoveForm {
                step: m.as_str(),
                label: m.name(lang),
                needs_note: m.needs_note(),
                assign: m == Move::Assign,
                rate: m == Move::Rate,
            })
            .collect(),
        similar,
        a: appeal_row(lang, a),
        error,
    })
}

async fn appeal_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = view::parse_id("appeal", &raw).or_page(lang, &uri, &viewer)?;
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| appeal_view(store, &v, lang, &u, id, None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn step_appeal(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    PageForm(input): PageForm<StepInput>,
) -> Result<Response, PageError> {
    let id = view::parse_id("appeal", &raw).or_page(lang, &uri, &viewer)?;
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            let done = services::step_appeal(store, &v, id, &input);
            posted(
                done,
                lang,
                true,
                |_| format!("/services/appeals/{id}"),
                |why| appeal_view(store, &v, lang, &u, id, Some(why)),
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}

/// A row of the blocking-point table, formatted.
pub struct BlockingLine {
    pub name: String,
    pub appeals: u32,
    pub open: u32,
    pub closed: u32,
    pub declined: u32,
    pub overdue: u32,
    pub overdue_share: String,
    pub median_days: String,
    pub satisfaction: String,
    pub rated: u32,
    pub found_on_visits: u32,
}

fn line(lang: Lang, r: &blocking::BlockingRow) -> BlockingLine {
    BlockingLine {
        name: lang.pick(&r.name_zh, &r.name_en).to_string(),
        appeals: r.appeals,
        open: r.open,
        closed: r.closed,
        declined: r.declined,
        overdue: r.overdue,
        overdue_share: r
            .overdue_share
            .map_or_else(|| "—".into(), |s| format!("{:.1}%", s * 100.0)),
        median_days: r
            .median_days_to_resolve
            .map_or_else(|| "—".into(), |d| format!("{d:.1}")),
        satisfaction: r
            .satisfaction
            .map_or_else(|| "—".into(), |s| format!("{s:.2}")),
        rated: r.rated,
        found_on_visits: r.found_on_visits,
    }
}

pub struct ClusterView {
    pub category: &'static str,
    pub words: String,
    pub open: u32,
    pub appeals: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "services/blocking.html")]
struct BlockingPage {
    layout: Layout,
    w: &'static Words,
    regions: Vec<RegionOption>,
    chains: Vec<(String, String, bool)>,
    by: &'static str,
    bys: Vec<Choice>,
    categories: Vec<Choice>,
    from: String,
    to: String,
    total: BlockingLine,
    rows: Vec<BlockingLine>,
    clusters: Vec<ClusterView>,
    chart_json: String,
    export_href: String,
}

async fn blocking_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(query): Params<BlockingQuery>,
) -> Result<Response, PageError> {
    viewer
        .require(Permission::Analyse)
        .or_page(lang, &uri, &viewer)?;
    let export = view::wants_workbook(query.format.as_deref()).or_page(lang, &uri, &viewer)?;
    let (v, u) = (viewer.clone(), uri.clone());
    let caches = state.app.caches.clone();
    let (page, sheets) = state
        .read(move |store| {
            let scope = query.scope(store, v.today())?;
            let report = caches.blocking(store, &scope, v.today())?;
            let sheets = export.then(|| blocking::sheets(&report, lang));
            let regions = caches.regions_in_use(store)?;
            let chains = store
                .chains()?
                .into_iter()
                .map(|c| {
                    let selected = scope.chain.as_ref().is_some_and(|s| s.id == c.id);
                    (
                        c.code.clone(),
                        lang.pick(&c.name_zh, &c.name_en).to_string(),
                        selected,
                    )
                })
                .collect();
            let page = blocking_view(
                lang,
                &v,
                &u,
                &report,
                &scope,
                regions_of(lang, &regions, scope.region),
                chains,
            );
            Ok((page, sheets))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    if let Some(sheets) = sheets {
        let file = format!("blocking-{}-{}", page.by, page.to);
        return workbook(&file, &sheets).or_page(lang, &uri, &viewer);
    }
    Ok(render(&page))
}

fn regions_of(
    lang: Lang,
    regions: &[chainatlas_model::Region],
    selected: Option<chainatlas_model::RegionCode>,
) -> Vec<RegionOption> {
    region_options(lang, regions, selected)
}

fn blocking_view(
    lang: Lang,
    viewer: &Viewer,
    uri: &Uri,
    report: &BlockingReport,
    scope: &blocking::Scope,
    regions: Vec<RegionOption>,
    chains: Vec<(String, String, bool)>,
) -> BlockingPage {
    let w = words(lang);
    let rows: Vec<BlockingLine> = report.rows.iter().map(|r| line(lang, r)).collect();
    let chart = serde_json::json!({
        "names": rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        "series": [
            {"name": w.open, "data": rows.iter().map(|r| r.open).collect::<Vec<_>>()},
            {"name": w.closed, "data": rows.iter().map(|r| r.closed).collect::<Vec<_>>()},
            {"name": w.found_on_visits, "data": rows.iter().map(|r| r.found_on_visits).collect::<Vec<_>>()},
        ],
        "overdue": {"name": w.overdue, "data": rows.iter().map(|r| r.overdue).collect::<Vec<_>>()},
    });
    BlockingPage {
        layout: Layout::new(lang, w.blocking, uri, viewer),
        w,
        regions,
        chains,
        by: scope.by.as_str(),
        bys: blocking::By::ALL
            .iter()
            .zip(w.by_names)
            .map(|(b, label)| Choice {
                value: b.as_str(),
                label,
                selected: *b == scope.by,
            })
            .collect(),
        categories: category_choices(lang, scope.category.map_or("", |c| c.as_str())),
        from: report.from.clone(),
        to: report.to.clone(),
        total: line(lang, &report.total),
        rows,
        clusters: report
            .clusters
            .iter()
            .map(|c| ClusterView {
                category: c
                    .category
                    .parse::<AppealCategory>()
                    .map_or("", |x| x.name(lang)),
                words: c.words.join(lang.pick("、", ", ")),
                open: c.open,
                appeals: c.appeals.iter().map(|a| (a.id, a.title.clone())).collect(),
            })
            .collect(),
        chart_json: crate::core::layout::script_json(&chart),
        export_href: export_href(uri),
    }
}

/// A visit as the page lists it.
pub struct VisitRow {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub planned_on: String,
    pub visited_on: String,
    pub officials: String,
    pub purpose: String,
    pub findings: String,
    pub finding: &'static str,
}

pub struct UnvisitedLine {
    pub enterprise_id: i64,
    pub name: String,
    pub official: String,
    pub last_visit: String,
}

#[derive(Template)]
#[template(path = "services/visits.html")]
struct VisitsPage {
    layout: Layout,
    w: &'static Words,
    from: String,
    to: String,
    rows: Vec<VisitRow>,
    unvisited: Vec<UnvisitedLine>,
    unvisited_total: u64,
    categories: Vec<Choice>,
    input: VisitInput,
    error: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
struct VisitsQuery {
    from: Option<String>,
    to: Option<String>,
    official: Option<String>,
    region: Option<String>,
}

fn visits_view(
    store: &chainatlas_store::Store,
    viewer: &Viewer,
    lang: Lang,
    uri: &Uri,
    q: &VisitsQuery,
    input: VisitInput,
    error: Option<String>,
) -> Result<VisitsPage, AppError> {
    viewer.require(Permission::Analyse)?;
    let w = words(lang);
    let today = viewer.today();
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let from = match blank(&q.from) {
        Some(d) => services::parse_day("from", &d)?,
        None => chainatlas_model::Date::new(today.year(), today.month(), 1).expect("day 1"),
    };
    let to = match blank(&q.to) {
        Some(d) => services::parse_day("to", &d)?,
        None => from.add_days(40).max(today),
    };
    let official = match blank(&q.official).as_deref() {
        None => None,
        Some("me") => viewer.principal.as_ref().map(|p| p.user_id),
        Some(o) => Some(view::parse_id("official", o)?),
    };
    let filter = chainatlas_store::VisitFilter {
        official,
        from: Some(from),
        to: Some(to),
        limit: 500,
        ..Default::default()
    };
    let names = services::Names::load(store)?;
    let mut rows = Vec::new();
    for v in services::visits(store, viewer, &filter)? {
        let enterprise = store
            .enterprise(v.enterprise)?
            .map_or_else(|| format!("#{}", v.enterprise.0), |e| e.name_zh);
        rows.push(VisitRow {
            id: v.id,
            enterprise_id: v.enterprise.0,
            enterprise,
            planned_on: v.planned_on.to_string(),
            visited_on: v.visited_on.map(|d| d.to_string()).unwrap_or_default(),
            officials: v
                .officials
                .iter()
                .map(|o| names.user(*o))
                .collect::<Vec<_>>()
                .join(lang.pick("、", ", ")),
            purpose: v.purpose,
            findings: v.findings,
            finding: v.finding.map_or("", |c| c.name(lang)),
        });
    }
    let region = view::parse_region_text(q.region.as_deref())?;
    let (unvisited, unvisited_total) = services::unvisited(store, viewer, region, &filter)?;
    Ok(VisitsPage {
        layout: Layout::new(lang, w.visits, uri, viewer),
        w,
        from: from.to_string(),
        to: to.to_string(),
        rows,
        unvisited: unvisited
            .into_iter()
            .take(100)
            .map(|u| UnvisitedLine {
                enterprise_id: u.enterprise.0,
                name: u.name,
                official: u.official.map(|o| names.user(o)).unwrap_or_default(),
                last_visit: u.last_visit.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect(),
        unvisited_total,
        categories: category_choices(lang, &input.finding),
        input,
        error,
    })
}

async fn visits_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(q): Params<VisitsQuery>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| visits_view(store, &v, lang, &u, &q, VisitInput::default(), None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn record_visit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(input): PageForm<VisitInput>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            let saved = services::save_visit(store, &v, None, &input);
            posted(
                saved,
                lang,
                false,
                |_| "/services/visits".to_string(),
                |why| {
                    visits_view(
                        store,
                        &v,
                        lang,
                        &u,
                        &VisitsQuery::default(),
                        input,
                        Some(why),
                    )
                },
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}

#[derive(Deserialize)]
struct OfficialForm {
    enterprise_id: String,
    #[serde(default)]
    official_id: String,
}

/// Makes an official responsible for an enterprise (blank: nobody), from the visits page.
async fn assign_official(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(form): PageForm<OfficialForm>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            let read = |field: &str, raw: &str| -> Result<Option<i64>, AppError> {
                let raw = chainatlas_app::problems::picked_id(raw);
                if raw.is_empty() {
                    return Ok(None);
                }
                raw.parse::<i64>().map(Some).map_err(|_| {
                    AppError::new(
                        chainatlas_app::ErrorCode::InvalidVisit,
                        chainatlas_app::text!(
                            "{field}：“{raw}”不是编号",
                            "{field}: '{raw}' is not an id"
                        ),
                    )
                })
            };
            let done = read("enterprise_id", &form.enterprise_id).and_then(|e| {
                let official = read("official_id", &form.official_id)?;
                let e = e.ok_or_else(|| {
                    AppError::new(
                        chainatlas_app::ErrorCode::InvalidVisit,
                        chainatlas_app::text!("enterprise_id：未填写", "enterprise_id: missing"),
                    )
                })?;
                services::assign_official(store, &v, e, official)
            });
            posted(
                done,
                lang,
                false,
                |_| "/services/visits".to_string(),
                |why| {
                    visits_view(
                        store,
                        &v,
                        lang,
                        &u,
                        &VisitsQuery::default(),
                        VisitInput::default(),
                        Some(why),
                    )
                },
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}

pub struct NotificationRow {
    pub at: String,
    pub text: String,
    pub href: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "services/notifications.html")]
struct NotificationsPage {
    layout: Layout,
    w: &'static Words,
    unread: u64,
    rows: Vec<NotificationRow>,
}

async fn notifications_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    RawQuery(_): RawQuery,
) -> Result<Response, PageError> {
    let v = viewer.clone();
    let (rows, unread) = state
        .read(move |store| services::notifications(store, &v, 100))
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = words(lang);
    Ok(render(&NotificationsPage {
        layout: Layout::new(lang, w.notifications, &uri, &viewer),
        w,
        unread,
        rows: rows
            .into_iter()
            .map(|n| NotificationRow {
                at: chainatlas_app::clock::china_time(n.at),
                text: n.text.get(lang).to_string(),
                href: n
                    .appeal
                    .map(|a| format!("/services/appeals/{a}"))
                    .unwrap_or_default(),
                unread: n.read_at.is_none(),
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
struct Nothing {}

async fn read_all(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(_): PageForm<Nothing>,
) -> Result<Response, PageError> {
    let v = viewer.clone();
    state
        .write(move |store| services::mark_read(store, &v, None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(Redirect::to("/notifications").into_response())
}

// Transformation self-assessments.

/// One question of the form, with its four answers.
pub struct QuestionForm {
    pub id: &'static str,
    pub text: &'static str,
    pub answers: Vec<(u8, &'static str, bool)>,
}

/// A dimension's questions.
pub struct DimensionForm {
    pub name: &'static str,
    pub optional: bool,
    pub questions: Vec<QuestionForm>,
}

pub struct AssessmentLine {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise: String,
    pub taken_at: String,
}

/// The roll-up as the page shows it.
pub struct RollupView {
    pub assessed: u32,
    pub levels: Vec<LevelLine>,
    /// (gap, enterprises).
    pub gaps: Vec<(String, u32)>,
}

pub struct LevelLine {
    pub name: String,
    pub levels: [u32; 4],
    pub mean: String,
}

#[derive(Template)]
#[template(path = "services/assessments.html")]
struct AssessmentsPage {
    layout: Layout,
    a: &'static AssessmentWords,
    staff: bool,
    rows: Vec<AssessmentLine>,
    dimensions: Vec<DimensionForm>,
    rollup: Option<RollupView>,
    regions: Vec<RegionOption>,
    chains: Vec<(String, String, bool)>,
    enterprise_id: String,
    error: Option<String>,
    export_href: String,
}

/// Words of the assessment pages.
pub struct AssessmentWords {
    pub title: &'static str,
    pub take: &'static str,
    pub intro: &'static str,
    pub optional: &'static str,
    pub submit: &'static str,
    pub history: &'static str,
    pub rollup: &'static str,
    pub assessed: &'static str,
    pub dimension: &'static str,
    pub levels: [&'static str; 4],
    pub mean: &'static str,
    pub common_gaps: &'static str,
    pub enterprises: &'static str,
    pub result: &'static str,
    pub digital_level: &'static str,
    pub score: &'static str,
    pub level: &'static str,
    pub gaps: &'static str,
    pub no_gaps: &'static str,
    pub providers: &'static str,
    pub no_providers: &'static str,
    pub draft: &'static str,
    pub publish: &'static str,
    pub scoring: &'static str,
    pub enterprise: &'static str,
    pub taken_at: &'static str,
    pub chain: &'static str,
    pub all: &'static str,
}

static A_ZH: AssessmentWords = AssessmentWords {
    title: "转型自评估",
    take: "开始自评估",
    intro: "按实际情况选择最接近的一项。前四个维度必答；绿色制造、设备更新两个模块可整体不答。",
    optional: "（可选模块）",
    submit: "提交自评估",
    history: "自评估记录",
    rollup: "汇总",
    assessed: "参评企业",
    dimension: "维度",
    levels: ["一级", "二级", "三级", "四级"],
    mean: "平均得分",
    common_gaps: "最常见的短板",
    enterprises: "企业数",
    result: "自评估结果",
    digital_level: "数字化水平",
    score: "得分",
    level: "等级",
    gaps: "短板与推荐服务商",
    no_gaps: "没有明显短板。",
    providers: "推荐服务商",
    no_providers: "暂无匹配的服务商供给信息。",
    draft: "需求草稿",
    publish: "一键发布需求",
    scoring: "计分：每题 0–3 分；维度得分 = 得分 ÷ 满分 × 100；一级 < 40，二级 40–59，三级 60–79，四级 ≥ 80；数字化水平取前四个维度的平均分。得 0 或 1 分的题目视为短板。",
    enterprise: "企业",
    taken_at: "评估时间",
    chain: "产业链",
    all: "全部",
};

static A_EN: AssessmentWords = AssessmentWords {
    title: "Transformation self-assessment",
    take: "Take the assessment",
    intro: "Pick the answer closest to how things are. The first four dimensions are required; the green and renewal modules may be left out as a whole.",
    optional: "(optional module)",
    submit: "Submit the assessment",
    history: "Assessments",
    rollup: "Roll-up",
    assessed: "Enterprises assessed",
    dimension: "Dimension",
    levels: ["Level 1", "Level 2", "Level 3", "Level 4"],
    mean: "Mean score",
    common_gaps: "Most common gaps",
    enterprises: "Enterprises",
    result: "Assessment result",
    digital_level: "Digital level",
    score: "Score",
    level: "Level",
    gaps: "Gaps and recommended providers",
    no_gaps: "No marked gaps.",
    providers: "Recommended providers",
    no_providers: "No matching provider listings yet.",
    draft: "Draft demand",
    publish: "Publish this demand",
    scoring: "Scoring: 0–3 points a question; a dimension's score is its points over the most possible × 100; level 1 below 40, 2 from 40, 3 from 60, 4 from 80; the digital level is the mean of the first four dimensions. An answer worth 0 or 1 point is a gap.",
    enterprise: "Enterprise",
    taken_at: "Taken",
    chain: "Chain",
    all: "All",
};

fn a_words(lang: Lang) -> &'static AssessmentWords {
    match lang {
        Lang::Zh => &A_ZH,
        Lang::En => &A_EN,
    }
}

fn questionnaire(
    lang: Lang,
    given: &std::collections::HashMap<String, String>,
) -> Vec<DimensionForm> {
    use chainatlas_model::assessment::{Dimension, QUESTIONS};
    Dimension::ALL
        .iter()
        .map(|d| DimensionForm {
            name: d.name(lang),
            optional: d.optional(),
            questions: QUESTIONS
                .iter()
                .filter(|q| q.dimension == *d)
                .map(|q| QuestionForm {
                    id: q.id,
                    text: q.text(lang),
                    answers: q
                        .answers
                        .iter()
                        .enumerate()
                        .map(|(i, (zh, en))| {
                            let chosen =
                                given.get(q.id).map(String::as_str) == Some(&i.to_string());
                            (i as u8, lang.pick(zh, en), chosen)
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

#[derive(Clone, Debug, Default, Deserialize)]
struct RollupParams {
    region: Option<String>,
    chain: Option<String>,
    format: Option<String>,
}

fn assessments_view(
    store: &chainatlas_store::Store,
    viewer: &Viewer,
    lang: Lang,
    uri: &Uri,
    q: &RollupParams,
    given: std::collections::HashMap<String, String>,
    error: Option<String>,
) -> Result<
    (
        AssessmentsPage,
        Option<Vec<chainatlas_bundle::sheet::Sheet>>,
    ),
    AppError,
> {
    let a = a_words(lang);
    let staff = viewer.may(Permission::Analyse);
    let mut rows = Vec::new();
    for s in chainatlas_app::assessments::list(store, viewer, 50)? {
        rows.push(AssessmentLine {
            id: s.id,
            enterprise_id: s.enterprise.0,
            enterprise: store
                .enterprise(s.enterprise)?
                .map_or_else(String::new, |e| e.name_zh),
            taken_at: chainatlas_app::clock::china_time(s.taken_at),
        });
    }
    let region = view::parse_region_text(q.region.as_deref())?;
    let chain = q
        .chain
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| view::chain(store, c.trim()))
        .transpose()?;
    let (rollup, sheets, regions, chains) = if staff {
        if let Some(code) = region {
            view::known_region(store, code)?;
        }
        let r = chainatlas_app::assessments::rollup(
            store,
            viewer,
            region,
            chain.as_ref().map(|c| c.id),
        )?;
        let sheets = view::wants_workbook(q.format.as_deref())?
            .then(|| chainatlas_app::assessments::rollup_sheets(&r, lang));
        let lines = r
            .levels
            .iter()
            .map(|l| LevelLine {
                name: lang.pick(&l.name_zh, &l.name_en).to_string(),
                levels: l.levels,
                mean: l
                    .mean_score
                    .map_or_else(|| "—".into(), |m| format!("{m:.1}")),
            })
            .collect();
        let gaps = r
            .common_gaps
            .iter()
            .map(|g| (lang.pick(&g.gap_zh, &g.gap_en).to_string(), g.enterprises))
            .collect();
        let all_regions = store.regions_in_use()?;
        let chains = store
            .chains()?
            .into_iter()
            .map(|c| {
                let selected = chain.as_ref().is_some_and(|s| s.id == c.id);
                (
                    c.code.clone(),
                    lang.pick(&c.name_zh, &c.name_en).to_string(),
                    selected,
                )
            })
            .collect();
        (
            Some(RollupView {
                assessed: r.assessed,
                levels: lines,
                gaps,
            }),
            sheets,
            region_options(lang, &all_regions, region),
            chains,
        )
    } else {
        (None, None, Vec::new(), Vec::new())
    };
    Ok((
        AssessmentsPage {
            layout: Layout::new(lang, a.title, uri, viewer),
            a,
            staff,
            rows,
            enterprise_id: given.get("enterprise_id").cloned().unwrap_or_default(),
            dimensions: questionnaire(lang, &given),
            rollup,
            regions,
            chains,
            error,
            export_href: export_href(uri),
        },
        sheets,
    ))
}

async fn assessments_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(q): Params<RollupParams>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let (page, sheets) = state
        .read(move |store| assessments_view(store, &v, lang, &u, &q, Default::default(), None))
        .await
        .or_page(lang, &uri, &viewer)?;
    if let Some(sheets) = sheets {
        return workbook("assessments", &sheets).or_page(lang, &uri, &viewer);
    }
    Ok(render(&page))
}

async fn take_assessment(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(fields): PageForm<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            let enterprise = fields.get("enterprise_id").cloned().unwrap_or_default();
            let mut pairs: Vec<(String, String)> = fields
                .iter()
                .filter(|(k, _)| k.as_str() != "enterprise_id")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            pairs.sort();
            let taken = chainatlas_app::assessments::take(store, &v, &enterprise, &pairs);
            posted(
                taken,
                lang,
                false,
                |a| format!("/services/assessments/{}", a.id),
                |why| {
                    assessments_view(
                        store,
                        &v,
                        lang,
                        &u,
                        &RollupParams::default(),
                        fields,
                        Some(why),
                    )
                    .map(|(page, _)| page)
                },
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}

pub struct ScoreLine {
    pub name: String,
    pub score: String,
    pub level: u8,
}

pub struct GapView {
    pub question: String,
    pub dimension: &'static str,
    pub text: String,
    pub gap: String,
    pub points: u8,
    pub kind: &'static str,
    pub providers: Vec<(i64, String, String, String)>,
    pub draft_title: String,
    pub draft_description: String,
}

#[derive(Template)]
#[template(path = "services/assessment.html")]
struct AssessmentResultPage {
    layout: Layout,
    a: &'static AssessmentWords,
    id: i64,
    enterprise_id: i64,
    enterprise: String,
    taken_at: String,
    digital: ScoreLine,
    dimensions: Vec<ScoreLine>,
    gaps: Vec<GapView>,
    may_publish: bool,
    chart_json: String,
}

async fn assessment_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = view::parse_id("assessment", &raw).or_page(lang, &uri, &viewer)?;
    let (v, app) = (viewer.clone(), state.app.clone());
    let dto = state
        .read(move |store| chainatlas_app::assessments::result(&app, store, &v, id))
        .await
        .or_page(lang, &uri, &viewer)?;
    let a = a_words(lang);
    let line = |d: &chainatlas_app::assessments::DimensionDto| ScoreLine {
        name: lang.pick(&d.name_zh, &d.name_en).to_string(),
        score: format!("{:.1}", d.score),
        level: d.level,
    };
    let dimensions: Vec<ScoreLine> = dto.dimensions.iter().map(line).collect();
    let chart = serde_json::json!({
        "names": dimensions.iter().map(|d| d.name.clone()).collect::<Vec<_>>(),
        "scores": dto.dimensions.iter().map(|d| d.score).collect::<Vec<_>>(),
        "label": a.score,
    });
    let may_publish = viewer
        .principal
        .as_ref()
        .is_some_and(|p| p.may_act_for(chainatlas_model::EnterpriseId(dto.enterprise_id)));
    let page = AssessmentResultPage {
        layout: Layout::new(lang, a.result, &uri, &viewer),
        a,
        id: dto.id,
        enterprise_id: dto.enterprise_id,
        enterprise: dto.enterprise_name.clone(),
        taken_at: dto.taken_at.clone(),
        digital: line(&dto.digital),
        dimensions,
        gaps: dto
            .gaps
            .iter()
            .map(|g| GapView {
                question: g.question.clone(),
                dimension: chainatlas_model::assessment::Dimension::ALL
                    .iter()
                    .find(|d| d.as_str() == g.dimension)
                    .map_or("", |d| d.name(lang)),
                text: lang.pick(&g.question_zh, &g.question_en).to_string(),
                gap: lang.pick(&g.gap_zh, &g.gap_en).to_string(),
                points: g.points,
                kind: g
                    .kind
                    .parse::<chainatlas_model::ListingKind>()
                    .map_or("", |k| k.name(lang)),
                providers: g
                    .providers
                    .iter()
                    .map(|p| {
                        (
                            p.listing_id,
                            p.title.clone(),
                            p.enterprise_name.clone(),
                            lang.pick(&p.reasons_zh, &p.reasons_en).to_string(),
                        )
                    })
                    .collect(),
                draft_title: g.draft.title.clone(),
                draft_description: g.draft.description.clone(),
            })
            .collect(),
        may_publish,
        chart_json: crate::core::layout::script_json(&chart),
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
struct PublishForm {
    question: String,
}

async fn publish_draft(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    PageForm(form): PageForm<PublishForm>,
) -> Result<Response, PageError> {
    let id = view::parse_id("assessment", &raw).or_page(lang, &uri, &viewer)?;
    let (v, app) = (viewer.clone(), state.app.clone());
    let listing = state
        .write(move |store| {
            chainatlas_app::assessments::publish_draft(&app, store, &v, id, &form.question)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(Redirect::to(&format!("/listings/{}", listing.id.0)).into_response())
}
