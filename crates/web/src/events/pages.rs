//! The docking event pages: the list of events, an event with its participants, requests
//! and schedule, printable agendas and table sheets, iCalendar files, the report with its
//! charts and exports, and the agreements ledger.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chainatlas_model::{
    format_slots, AgreementStatus, EventData, ListingStatus, MeetingStatus, ParticipantId,
    RequestStatus,
};
use serde::Deserialize;

use crate::core::api::Params;
use crate::core::auth::Viewer;
use crate::core::error::{AppError, ErrorCode};
use crate::core::form::PageForm;
use crate::core::i18n::{Lang, PageLang};
use crate::core::layout::{posted, render, Layout, OrPage, PageError};
use crate::core::AppState;
use chainatlas_app::events::{self as events, is_organiser, me};
use chainatlas_app::format::wan;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(list_page).post(create))
        .route("/events/{id}", get(event_page))
        .route("/events/{id}/edit", get(edit_event_page).post(update_event))
        .route("/events/{id}/register", post(register))
        .route("/events/{id}/requests", post(request))
        .route("/events/{id}/requests/{rid}/{action}", post(respond))
        .route("/events/{id}/schedule", post(schedule))
        .route("/events/{id}/publish", post(publish))
        .route("/events/{id}/meetings/{mid}/{status}", post(meeting_status))
        .route("/events/{id}/agenda/{pid}", get(agenda_page))
        .route("/events/{id}/agenda/{pid}/ics", get(agenda_ics))
        .route("/events/{id}/tables", get(tables_page))
        .route("/events/{id}/report", get(report_page))
        .route("/events/{id}/report/export", get(report_export))
        .route("/agreements", get(agreements_page).post(create_agreement))
        .route("/agreements/export.xlsx", get(agreements_export))
        .route(
            "/agreements/{id}",
            get(edit_agreement_page).post(update_agreement),
        )
}

/// The words of these pages.
pub struct Words {
    pub events: &'static str,
    pub new_event: &'static str,
    pub name: &'static str,
    pub venue: &'static str,
    pub dates: &'static str,
    pub starts_on: &'static str,
    pub days: &'static str,
    pub day_start: &'static str,
    pub slot_minutes: &'static str,
    pub slots_per_day: &'static str,
    pub breaks: &'static str,
    pub breaks_hint: &'static str,
    pub tables: &'static str,
    pub groups: &'static str,
    pub groups_hint: &'static str,
    pub may_meet: &'static str,
    pub may_meet_hint: &'static str,
    pub chains: &'static str,
    pub nodes: &'static str,
    pub nodes_hint: &'static str,
    pub request_cap: &'static str,
    pub meeting_cap: &'static str,
    pub request_days: &'static str,
    pub create: &'static str,
    pub participants: &'static str,
    pub group: &'static str,
    pub people: &'static str,
    pub available: &'static str,
    pub available_hint: &'static str,
    pub max_meetings: &'static str,
    pub listings: &'static str,
    pub register: &'static str,
    pub enterprise_id: &'static str,
    pub you_are: &'static str,
    pub not_registered: &'static str,
    pub recommended: &'static str,
    pub request: &'static str,
    pub priority: &'static str,
    pub requests_received: &'static str,
    pub requests_sent: &'static str,
    pub all_requests: &'static str,
    pub edit_event: &'static str,
    pub save_event: &'static str,
    /// The organiser's column for answering a pending request in the recipient's name.
    pub answer_for: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub status: &'static str,
    pub expires: &'static str,
    pub accept: &'static str,
    pub decline: &'static str,
    pub not_interested: &'static str,
    pub cancel: &'static str,
    pub schedule: &'static str,
    pub run_schedule: &'static str,
    pub with_recommended: &'static str,
    pub publish: &'static str,
    pub time: &'static str,
    pub table: &'static str,
    pub published: &'static str,
    pub draft: &'static str,
    pub held: &'static str,
    pub no_show: &'static str,
    pub unplaced: &'static str,
    /// The heading of what the last scheduling run did.
    pub last_run: &'static str,
    /// Why an accepted request has no meeting when no run has seen it yet.
    pub not_scheduled_yet: &'static str,
    pub agenda: &'static str,
    pub my_agenda: &'static str,
    pub table_sheets: &'static str,
    pub report: &'static str,
    pub agreements: &'static str,
    pub signed_projects: &'static str,
    pub print: &'static str,
    pub ics: &'static str,
    pub with: &'static str,
    pub none: &'static str,
    pub title: &'static str,
    pub buyer: &'static str,
    pub supplier: &'static str,
    pub node: &'static str,
    pub value: &'static str,
    pub value_yuan: &'static str,
    pub signed_on: &'static str,
    pub intended_on: &'static str,
    pub started_on: &'static str,
    pub completed_on: &'static str,
    /// The link to change an agreement, and the heading of its form.
    pub edit_agreement: &'static str,
    pub event: &'static str,
    pub meeting: &'static str,
    pub record: &'static str,
    pub total: &'static str,
    pub requested: &'static str,
    pub accepted: &'static str,
    pub scheduled: &'static str,
    pub export_csv: &'static str,
    pub export_xlsx: &'static str,
    pub funnel: &'static str,
    pub value_by_chain: &'static str,
    pub wan_yuan: &'static str,
    pub upcoming: &'static str,
    pub past: &'static str,
    pub score: &'static str,
}

const ZH: Words = Words {
    events: "对接活动",
    new_event: "新建对接活动",
    name: "名称",
    venue: "地点",
    dates: "日期",
    starts_on: "开始日期",
    days: "天数",
    day_start: "每日开始时间",
    slot_minutes: "每场时长（分钟）",
    slots_per_day: "每日场次",
    breaks: "休息场次",
    breaks_hint: "如 7,8（从 1 起）",
    tables: "洽谈桌数",
    groups: "参会分组",
    groups_hint: "如 采购方;供应方",
    may_meet: "可洽谈的分组",
    may_meet_hint: "如 采购方:供应方；留空则不限",
    chains: "重点产业链（编码）",
    nodes: "重点环节",
    nodes_hint: "输入环节名称选择，多个用“;”分隔",
    request_cap: "每家最多发出请求",
    meeting_cap: "每家最多洽谈场次",
    request_days: "请求有效天数",
    create: "创建",
    participants: "参会企业",
    group: "分组",
    people: "参会人员",
    available: "可参加场次",
    available_hint: "如 1-6,9-12；留空为全部",
    max_meetings: "最多洽谈场次",
    listings: "带来的供需信息",
    register: "报名",
    enterprise_id: "企业编号",
    you_are: "本企业已报名",
    not_registered: "本企业尚未报名。",
    recommended: "为您推荐的洽谈对象",
    request: "约见",
    priority: "优先级",
    requests_received: "收到的约见请求",
    requests_sent: "发出的约见请求",
    all_requests: "全部约见请求",
    edit_event: "修改活动",
    save_event: "保存",
    answer_for: "代被邀方回复",
    from: "发起方",
    to: "接收方",
    status: "状态",
    expires: "有效期至",
    accept: "接受",
    decline: "婉拒",
    not_interested: "不感兴趣",
    cancel: "撤回",
    schedule: "洽谈日程",
    run_schedule: "生成日程",
    with_recommended: "同时安排系统推荐的对接",
    publish: "发布日程",
    time: "时间",
    table: "桌号",
    published: "已发布",
    draft: "未发布",
    held: "已举行",
    no_show: "未到场",
    unplaced: "未能安排",
    last_run: "上次排期",
    not_scheduled_yet: "在上次排期之后接受，尚未排期",
    agenda: "议程",
    my_agenda: "我的议程",
    table_sheets: "桌位表",
    report: "活动报告",
    agreements: "签约项目台账",
    signed_projects: "签约项目",
    print: "打印",
    ics: "导入日历（.ics）",
    with: "洽谈对象",
    none: "暂无。",
    title: "项目名称",
    buyer: "采购方",
    supplier: "供应方",
    node: "产业链环节编号",
    value: "金额",
    value_yuan: "金额（元）",
    signed_on: "签约日期",
    intended_on: "意向日期",
    started_on: "开工日期",
    completed_on: "完成日期",
    edit_agreement: "修改",
    event: "对接活动编号",
    meeting: "洽谈编号",
    record: "登记",
    total: "合计",
    requested: "发起约见",
    accepted: "已接受",
    scheduled: "已排期",
    export_csv: "导出 CSV",
    export_xlsx: "导出 Excel",
    funnel: "对接漏斗",
    value_by_chain: "各产业链签约金额（万元）",
    wan_yuan: "万元",
    upcoming: "即将举行",
    past: "已结束",
    score: "匹配度",
};

const EN: Words = Words {
    events: "Docking events",
    new_event: "New docking event",
    name: "Name",
    venue: "Venue",
    dates: "Dates",
    starts_on: "First day",
    days: "Days",
    day_start: "Day starts at",
    slot_minutes: "Slot length (minutes)",
    slots_per_day: "Slots per day",
    breaks: "Break slots",
    breaks_hint: "e.g. 7,8 (from 1)",
    tables: "Tables",
    groups: "Groups",
    groups_hint: "e.g. buyers;suppliers",
    may_meet: "Groups that meet",
    may_meet_hint: "e.g. buyers:suppliers; empty: anyone",
    chains: "Chains in focus (codes)",
    nodes: "Links in focus",
    nodes_hint: "node ids, e.g. 12;15",
    request_cap: "Requests per participant",
    meeting_cap: "Meetings per participant",
    request_days: "Days a request stays open",
    create: "Create",
    participants: "Participants",
    group: "Group",
    people: "People",
    available: "Available slots",
    available_hint: "e.g. 1-6,9-12; empty: all",
    max_meetings: "Most meetings",
    listings: "Listings brought",
    register: "Register",
    enterprise_id: "Enterprise id",
    you_are: "Your enterprise is registered",
    not_registered: "Your enterprise is not registered yet.",
    recommended: "Recommended for you",
    request: "Request meeting",
    priority: "Priority",
    requests_received: "Requests received",
    requests_sent: "Requests sent",
    all_requests: "All requests",
    edit_event: "Edit event",
    save_event: "Save",
    answer_for: "Answer for the recipient",
    from: "From",
    to: "To",
    status: "Status",
    expires: "Expires",
    accept: "Accept",
    decline: "Decline",
    not_interested: "Not interested",
    cancel: "Cancel",
    schedule: "Meeting schedule",
    run_schedule: "Schedule meetings",
    with_recommended: "Also schedule recommended pairs",
    publish: "Publish schedule",
    time: "Time",
    table: "Table",
    published: "published",
    draft: "draft",
    held: "Held",
    no_show: "No-show",
    unplaced: "Could not be placed",
    last_run: "Last scheduling run",
    not_scheduled_yet: "accepted after the last run, not scheduled yet",
    agenda: "Agenda",
    my_agenda: "My agenda",
    table_sheets: "Table sheets",
    report: "Event report",
    agreements: "Agreements ledger",
    signed_projects: "Agreements",
    print: "Print",
    ics: "Add to calendar (.ics)",
    with: "Meeting with",
    none: "None yet.",
    title: "Project",
    buyer: "Buyer",
    supplier: "Supplier",
    node: "Chain node id",
    value: "Value",
    value_yuan: "Value (yuan)",
    signed_on: "Signed on",
    intended_on: "Intended on",
    started_on: "Started on",
    completed_on: "Completed on",
    edit_agreement: "Edit",
    event: "Event id",
    meeting: "Meeting id",
    record: "Record",
    total: "Total",
    requested: "Requested",
    accepted: "Accepted",
    scheduled: "Scheduled",
    export_csv: "Export CSV",
    export_xlsx: "Export Excel",
    funnel: "Docking funnel",
    value_by_chain: "Agreement value by chain (10k yuan)",
    wan_yuan: "10k yuan",
    upcoming: "upcoming",
    past: "past",
    score: "Score",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

fn id(what: &str, raw: &str) -> Result<i64, AppError> {
    chainatlas_app::view::parse_id(what, raw)
}

/// Runs one write for the viewer, then sends them to `back`; an error shows as a page.
async fn act<T: Send + 'static>(
    state: AppState,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    back: String,
    write: impl FnOnce(&AppState, &mut chainatlas_store::Store, &Viewer) -> Result<T, AppError>
        + Send
        + 'static,
) -> Result<Response, PageError> {
    let (st, v) = (state.clone(), viewer.clone());
    state
        .write(move |store| write(&st, store, &v))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(Redirect::to(&back).into_response())
}

// ---------------------------------------------------------------------------------------
// The list of events.

pub struct EventRow {
    pub id: i64,
    pub name: String,
    pub dates: String,
    pub venue: String,
    pub when: &'static str,
}

#[derive(Template)]
#[template(path = "events/events.html")]
struct ListPage {
    layout: Layout,
    w: &'static Words,
    rows: Vec<EventRow>,
    organiser: bool,
    /// The new-event form's fields: defaults, or what a refused post held.
    form: events::EventInput,
    /// The chains the form offers as check boxes.
    chain_choices: Vec<ChainChoice>,
    /// Why the form just posted was refused.
    error: Option<String>,
}

/// A chain the event form offers, by its code.
pub struct ChainChoice {
    pub code: String,
    pub label: String,
    pub selected: bool,
}

/// Every chain as a check box of the event form, those the form names ticked.
fn chain_choices(
    store: &chainatlas_store::Store,
    lang: Lang,
    form: &events::EventInput,
) -> Result<Vec<ChainChoice>, AppError> {
    let chosen: Vec<&str> = form
        .chains
        .split([';', '；', ',', '，'])
        .map(str::trim)
        .collect();
    Ok(store
        .chains()?
        .into_iter()
        .map(|c| ChainChoice {
            selected: chosen.contains(&c.code.as_str()),
            label: lang.pick(&c.name_zh, &c.name_en).to_string(),
            code: c.code,
        })
        .collect())
}

fn dates(e: &chainatlas_model::Event) -> String {
    if e.grid.days > 1 {
        format!("{} – {}", e.starts_on, e.ends_on())
    } else {
        e.starts_on.to_string()
    }
}

/// The new-event form as it first appears: the usual grid and caps.
fn event_form_defaults() -> events::EventInput {
    events::EventInput {
        days: "1".into(),
        day_start: "09:00".into(),
        slot_minutes: "20".into(),
        slots_per_day: "12".into(),
        tables: "20".into(),
        request_cap: "10".into(),
        meeting_cap: "12".into(),
        request_days: "5".into(),
        ..Default::default()
    }
}

/// The list of events, and for organisers the new-event form filled with `form`.
fn list_view(
    store: &chainatlas_store::Store,
    viewer: &Viewer,
    lang: Lang,
    uri: &Uri,
    form: events::EventInput,
    error: Option<String>,
) -> Result<ListPage, AppError> {
    let list = store.events()?;
    let w = words(lang);
    let today = viewer.today();
    let rows = list
        .iter()
        .map(|e| EventRow {
            id: e.id.0,
            name: e.name.clone(),
            dates: dates(e),
            venue: e.venue.clone(),
            when: if e.ends_on() < today {
                w.past
            } else {
                w.upcoming
            },
        })
        .collect();
    Ok(ListPage {
        layout: Layout::new(lang, w.events, uri, viewer),
        w,
        rows,
        organiser: is_organiser(viewer),
        chain_choices: chain_choices(store, lang, &form)?,
        form,
        error,
    })
}

async fn list_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| list_view(store, &v, lang, &u, event_form_defaults(), None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

/// Creates an event; a refused form comes back as typed, with the reason.
async fn create(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    PageForm(input): PageForm<events::EventInput>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            posted(
                events::create_event(store, &v, &input),
                lang,
                false,
                |e| format!("/events/{}", e.id),
                |why| list_view(store, &v, lang, &u, input, Some(why)),
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}

#[derive(Template)]
#[template(path = "events/event_edit.html")]
struct EditEventPage {
    layout: Layout,
    w: &'static Words,
    id: i64,
    name: String,
    form: events::EventInput,
    chain_choices: Vec<ChainChoice>,
    error: Option<String>,
}

fn edit_event_view(
    store: &chainatlas_store::Store,
    viewer: &Viewer,
    lang: Lang,
    uri: &Uri,
    id: i64,
    form: Option<events::EventInput>,
    error: Option<String>,
) -> Result<EditEventPage, AppError> {
    events::require_organiser(viewer)?;
    let data = events::load(store, id)?;
    let form = match form {
        Some(f) => f,
        None => events::EventInput::of(store, &data.event, lang)?,
    };
    let w = words(lang);
    Ok(EditEventPage {
        layout: Layout::new(
            lang,
            format!("{} · {}", w.edit_event, data.event.name),
            uri,
            viewer,
        ),
        w,
        id,
        name: data.event.name,
        chain_choices: chain_choices(store, lang, &form)?,
        form,
        error,
    })
}

async fn edit_event_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| edit_event_view(store, &v, lang, &u, event, None, None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

/// Saves an edited event; a refused change comes back as typed, with every reason.
async fn update_event(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    PageForm(input): PageForm<events::EventInput>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            let saved = events::update_event(store, &v, event, &input);
            posted(
                saved,
                lang,
                true,
                |_| format!("/events/{event}"),
                |why| edit_event_view(store, &v, lang, &u, event, Some(input), Some(why)),
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}

// ---------------------------------------------------------------------------------------
// One event.

pub struct ParticipantRow {
    pub id: i64,
    pub name: String,
    pub enterprise_id: i64,
    pub group: String,
    pub people: String,
    /// Whether the viewer (as a participant) may ask this one.
    pub askable: bool,
}

pub struct RequestRow {
    pub id: i64,
    pub from: String,
    pub to: String,
    pub priority: u8,
    pub status: &'static str,
    pub pending: bool,
    pub live: bool,
    pub expires: String,
    pub origin: &'static str,
}

pub struct MeetingRow {
    pub id: i64,
    pub time: String,
    pub table: u32,
    pub a: String,
    pub b: String,
    pub status: &'static str,
    pub scheduled: bool,
    pub published: bool,
}

pub struct RecommendationRow {
    pub participant: i64,
    pub name: String,
    pub score: String,
    pub reasons: Vec<String>,
}

pub struct ListingChoice {
    pub id: i64,
    pub title: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "events/event.html")]
struct EventPage {
    layout: Layout,
    w: &'static Words,
    id: i64,
    name: String,
    dates: String,
    venue: String,
    grid: String,
    tables: u32,
    groups: Vec<String>,
    rules: String,
    chains: Vec<String>,
    nodes: Vec<(i64, String)>,
    organiser: bool,
    /// The viewer's own participation: (participant id, group, people, available).
    me: Option<(i64, String, String, String)>,
    /// An enterprise user who may register.
    may_register: bool,
    own_listings: Vec<ListingChoice>,
    participants: Vec<ParticipantRow>,
    recommendations: Vec<RecommendationRow>,
    received: Vec<RequestRow>,
    sent: Vec<RequestRow>,
    all_requests: Vec<RequestRow>,
    meetings: Vec<MeetingRow>,
    unpublished: usize,
    /// Accepted requests with no meeting in the schedule: (from, to).
    unplaced: Vec<(String, String, String)>,
    /// What the last scheduling run did (organisers only).
    last_run: Option<String>,
}

fn request_row(
    r: &chainatlas_model::MeetingRequest,
    names: &HashMap<ParticipantId, String>,
    lang: Lang,
    today: chainatlas_model::Date,
) -> RequestRow {
    let status = r.status_on(today);
    RequestRow {
        id: r.id.0,
        from: names.get(&r.from).cloned().unwrap_or_default(),
        to: names.get(&r.to).cloned().unwrap_or_default(),
        priority: r.priority,
        status: status.name(lang),
        pending: status == RequestStatus::Pending,
        live: status.is_live(),
        expires: r.expires_on.to_string(),
        origin: match (r.origin, lang) {
            (chainatlas_model::RequestOrigin::Recommended, Lang::Zh) => "推荐",
            (chainatlas_model::RequestOrigin::Recommended, Lang::En) => "recommended",
            _ => "",
        },
    }
}

fn meeting_row(
    m: &chainatlas_model::Meeting,
    data: &EventData,
    names: &HashMap<ParticipantId, String>,
    lang: Lang,
) -> MeetingRow {
    MeetingRow {
        id: m.id.0,
        time: events::slot_label(&data.event, m.slot),
        table: m.table,
        a: names.get(&m.a).cloned().unwrap_or_default(),
        b: names.get(&m.b).cloned().unwrap_or_default(),
        status: m.status.name(lang),
        scheduled: m.status == MeetingStatus::Scheduled,
        published: m.published,
    }
}

async fn event_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let v = viewer.clone();
    let u = uri.clone();
    let st = state.clone();
    let page = state
        .read(move |store| {
            let data = events::load(store, event)?;
            let names = events::participant_names(store, &data, lang)?;
            let organiser = is_organiser(&v);
            let last_run = if organiser {
                events::last_schedule_run(store, data.event.id)?
            } else {
                None
            };
            let mine = me(&data, &v).cloned();
            let w = words(lang);
            let participants = participant_rows(&data, &names, organiser, mine.as_ref());
            let recommendations = match &mine {
                Some(m) => recommendation_rows(&st, store, &data, &names, m, lang, v.today())?,
                None => Vec::new(),
            };
            let received = mine.as_ref().map_or_else(Vec::new, |m| {
                data.requests
                    .iter()
                    .filter(|r| r.to == m.id)
                    .map(|r| request_row(r, &names, lang, v.today()))
                    .collect()
            });
            let sent = mine.as_ref().map_or_else(Vec::new, |m| {
                data.requests
                    .iter()
                    .filter(|r| r.from == m.id)
                    .map(|r| request_row(r, &names, lang, v.today()))
                    .collect()
            });
            let all_requests = if organiser {
                data.requests
                    .iter()
                    .map(|r| request_row(r, &names, lang, v.today()))
                    .collect()
            } else {
                Vec::new()
            };
            let meetings = data
                .meetings
                .iter()
                .filter(|m| {
                    organiser
                        || mine
                            .as_ref()
                            .is_some_and(|p| m.involves(p.id) && m.published)
                })
                .map(|m| meeting_row(m, &data, &names, lang))
                .collect();
            let own_listings = own_listing_choices(store, &v, mine.as_ref())?;
            let (chains, nodes) = focus(store, &data.event, lang)?;
            let grid = grid_summary(&data.event.grid, lang);
            Ok(EventPage {
                layout: Layout::new(lang, data.event.name.clone(), &u, &v),
                w,
                id: data.event.id.0,
                name: data.event.name.clone(),
                dates: dates(&data.event),
                venue: data.event.venue.clone(),
                grid,
                tables: data.event.tables,
                groups: data.event.groups.clone(),
                rules: data
                    .event
                    .may_meet
                    .iter()
                    .map(|(a, b)| format!("{a} ↔ {b}"))
                    .collect::<Vec<_>>()
                    .join("；"),
                chains,
                nodes,
                organiser,
                me: mine.as_ref().map(|m| {
                    (
                        m.id.0,
                        m.group.clone(),
                        m.people.clone(),
                        m.available
                            .as_ref()
                            .map(|a| format_slots(a))
                            .unwrap_or_default(),
                    )
                }),
                may_register: v.principal.as_ref().is_some_and(|p| p.enterprise.is_some()),
                own_listings,
                participants,
                recommendations,
                received,
                sent,
                all_requests,
                unplaced: if organiser {
                    unplaced_pairs(&data, &names, last_run.as_ref(), lang)
                } else {
                    Vec::new()
                },
                last_run: last_run.as_ref().map(|run| last_run_line(run, lang)),
                unpublished: data
                    .meetings
                    .iter()
                    .filter(|m| m.status == MeetingStatus::Scheduled && !m.published)
                    .count(),
                meetings,
            })
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

/// The open listings of the viewer's enterprise, ticked if it brings them to the event.
fn own_listing_choices(
    store: &chainatlas_store::Store,
    v: &Viewer,
    mine: Option<&chainatlas_model::Participant>,
) -> Result<Vec<ListingChoice>, AppError> {
    Ok(match v.principal.as_ref().and_then(|p| p.enterprise) {
        Some(e) => store
            .listings_of(e)?
            .into_iter()
            .filter(|l| l.status == ListingStatus::Open)
            .map(|l| ListingChoice {
                id: l.id.0,
                checked: mine.is_some_and(|m| m.listings.contains(&l.id)),
                title: l.title,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// Who registered for the event; people's names only for organisers and the participant
/// itself.
fn participant_rows(
    data: &EventData,
    names: &HashMap<ParticipantId, String>,
    organiser: bool,
    mine: Option<&chainatlas_model::Participant>,
) -> Vec<ParticipantRow> {
    data.participants
        .iter()
        .map(|p| ParticipantRow {
            id: p.id.0,
            name: names[&p.id].clone(),
            enterprise_id: p.enterprise.0,
            group: p.group.clone(),
            people: if organiser || mine.is_some_and(|m| m.id == p.id) {
                p.people.clone()
            } else {
                String::new()
            },
            askable: mine
                .as_ref()
                .is_some_and(|m| m.id != p.id && data.event.may_meet(&m.group, &p.group)),
        })
        .collect()
}

/// The viewer's ten best recommended counterparts at the event.
fn recommendation_rows(
    st: &AppState,
    store: &chainatlas_store::Store,
    data: &EventData,
    names: &HashMap<ParticipantId, String>,
    m: &chainatlas_model::Participant,
    lang: Lang,
    today: chainatlas_model::Date,
) -> Result<Vec<RecommendationRow>, AppError> {
    let mut recommendations = Vec::new();
    for r in events::cached_recommendations(st, store, data, today)?.iter() {
        let other = if r.buyer == m.id {
            r.supplier
        } else if r.supplier == m.id {
            r.buyer
        } else {
            continue;
        };
        let reasons = match lang {
            Lang::Zh => r.reasons_zh.clone(),
            Lang::En => r.reasons_en.clone(),
        };
        recommendations.push(RecommendationRow {
            participant: other.0,
            name: names.get(&other).cloned().unwrap_or_default(),
            score: format!("{:.0}", r.score * 100.0),
            reasons,
        });
        if recommendations.len() == 10 {
            break;
        }
    }
    Ok(recommendations)
}

/// The chains (names) and nodes (id, name) an event is about.
type Focus = (Vec<String>, Vec<(i64, String)>);

/// The chains and nodes the event is about, named in `lang`.
fn focus(
    store: &chainatlas_store::Store,
    event: &chainatlas_model::Event,
    lang: Lang,
) -> Result<Focus, AppError> {
    let mut chains = Vec::new();
    for c in &event.chains {
        if let Some(c) = store.chain(*c)? {
            chains.push(lang.pick(&c.name_zh, &c.name_en).to_string());
        }
    }
    let mut nodes = Vec::new();
    for n in &event.nodes {
        if let Some(n) = store.node(*n)? {
            nodes.push((n.id.0, lang.pick(&n.name_zh, &n.name_en).to_string()));
        }
    }
    Ok((chains, nodes))
}

/// The slot grid in a sentence.
fn grid_summary(g: &chainatlas_model::SlotGrid, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "{} 天，每天 {} 起 {} 场 × {} 分钟，共 {} 个洽谈时段",
            g.days,
            chainatlas_model::clock(g.day_start),
            g.slots_per_day,
            g.slot_minutes,
            g.slots().len()
        ),
        Lang::En => format!(
            "{} day(s), from {} {} slots × {} min a day, {} meeting slots",
            g.days,
            chainatlas_model::clock(g.day_start),
            g.slots_per_day,
            g.slot_minutes,
            g.slots().len()
        ),
    }
}

/// What the last scheduling run did, in a sentence.
fn last_run_line(run: &events::ScheduleRun, lang: Lang) -> String {
    let s = &run.summary;
    let (placed, wanted, expired, idle, moved) = (
        s.placed,
        s.wanted,
        s.expired,
        s.idle_slots,
        s.published_moved,
    );
    let at = chainatlas_app::clock::china_time(run.at);
    match lang {
        Lang::Zh => format!(
            "{at} 北京时间 · {}：已安排 {placed}/{wanted} 场洽谈，过期邀约 {expired} 条，空闲时段 {idle} 个，移动已发布洽谈 {moved} 场",
            run.actor
        ),
        Lang::En => format!(
            "{at} China Standard Time · {}: placed {placed} of {wanted} meetings, {expired} requests expired, {idle} idle slots, {moved} published meetings moved",
            run.actor
        ),
    }
}

/// Accepted requests with no meeting in the schedule, once a schedule exists, each with
/// the reason the last run gave.
fn unplaced_pairs(
    data: &EventData,
    names: &HashMap<ParticipantId, String>,
    last: Option<&events::ScheduleRun>,
    lang: Lang,
) -> Vec<(String, String, String)> {
    if data.meetings.is_empty() {
        return Vec::new();
    }
    let reason = |request: i64| {
        last.and_then(|run| {
            run.summary
                .unplaced
                .iter()
                .find(|u| u.request_id == Some(request))
        })
        .map_or(words(lang).not_scheduled_yet.to_string(), |u| {
            lang.pick(&u.reason_zh, &u.reason_en).to_string()
        })
    };

    data.requests
        .iter()
        .filter(|r| r.status == RequestStatus::Accepted)
        .filter(|r| {
            !data
                .meetings
                .iter()
                .any(|m| m.request == Some(r.id) && m.status != MeetingStatus::Cancelled)
        })
        .map(|r| {
            (
                names.get(&r.from).cloned().unwrap_or_default(),
                names.get(&r.to).cloned().unwrap_or_default(),
                reason(r.id.0),
            )
        })
        .collect()
}

async fn register(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    PageForm(input): PageForm<events::RegisterInput>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    act(
        state,
        lang,
        uri,
        viewer,
        format!("/events/{event}"),
        move |_, store, v| events::register(store, v, event, &input),
    )
    .await
}

async fn request(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    PageForm(input): PageForm<events::RequestInput>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    act(
        state,
        lang,
        uri,
        viewer,
        format!("/events/{event}#requests"),
        move |_, store, v| events::request(store, v, event, &input),
    )
    .await
}

async fn respond(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((raw, rid, action)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let request = id("request", &rid).or_page(lang, &uri, &viewer)?;
    act(
        state,
        lang,
        uri,
        viewer,
        format!("/events/{event}#requests"),
        move |_, store, v| events::respond(store, v, event, request, &action),
    )
    .await
}

/// The schedule form: a checkbox to add recommended pairs.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleForm {
    recommended: Option<String>,
}

async fn schedule(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    PageForm(f): PageForm<ScheduleForm>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let recommended = f.recommended.is_some();
    act(
        state,
        lang,
        uri,
        viewer,
        format!("/events/{event}#schedule"),
        move |st, store, v| events::schedule(st, store, v, event, recommended),
    )
    .await
}

async fn publish(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    act(
        state,
        lang,
        uri,
        viewer,
        format!("/events/{event}#schedule"),
        move |_, store, v| events::publish(store, v, event),
    )
    .await
}

async fn meeting_status(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((raw, mid, status)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let meeting = id("meeting", &mid).or_page(lang, &uri, &viewer)?;
    act(
        state,
        lang,
        uri,
        viewer,
        format!("/events/{event}#schedule"),
        move |_, store, v| events::set_meeting_status(store, v, event, meeting, &status),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Agendas, iCalendar, table sheets.

pub struct AgendaRow {
    pub time: String,
    pub table: u32,
    pub with: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "events/agenda.html")]
struct AgendaPage {
    layout: Layout,
    w: &'static Words,
    event_id: i64,
    event_name: String,
    venue: String,
    participant_id: i64,
    participant: String,
    people: String,
    rows: Vec<AgendaRow>,
}

/// The participant's published meetings, if the viewer may see them (its own enterprise
/// or an organiser).
fn agenda_of(
    data: &EventData,
    viewer: &Viewer,
    pid: i64,
) -> Result<
    (
        chainatlas_model::Participant,
        Vec<chainatlas_model::Meeting>,
    ),
    AppError,
> {
    let p = data
        .participant(ParticipantId(pid))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::ParticipantNotFound,
                chainatlas_app::text!(
                    "本场活动没有编号为 {pid} 的参会方",
                    "there is no participant {pid} in this event"
                ),
            )
        })?
        .clone();
    if !is_organiser(viewer) && me(data, viewer).map(|m| m.id) != Some(p.id) {
        return Err(AppError::forbidden(chainatlas_app::Text::new(
            "日程只对该参会方和组织方可见",
            "an agenda is seen by its participant and the organisers only",
        )));
    }
    let meetings = data
        .meetings
        .iter()
        .filter(|m| m.involves(p.id) && m.published && m.status != MeetingStatus::Cancelled)
        .cloned()
        .collect();
    Ok((p, meetings))
}

async fn agenda_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((raw, pid)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let pid = id("participant", &pid).or_page(lang, &uri, &viewer)?;
    let v = viewer.clone();
    let u = uri.clone();
    let page = state
        .read(move |store| {
            let data = events::load(store, event)?;
            let (p, meetings) = agenda_of(&data, &v, pid)?;
            let names = events::participant_names(store, &data, lang)?;
            let w = words(lang);
            Ok(AgendaPage {
                layout: Layout::new(lang, format!("{} · {}", w.agenda, names[&p.id]), &u, &v),
                w,
                event_id: event,
                event_name: data.event.name.clone(),
                venue: data.event.venue.clone(),
                participant_id: p.id.0,
                participant: names[&p.id].clone(),
                people: p.people.clone(),
                rows: meetings
                    .iter()
                    .map(|m| AgendaRow {
                        time: events::slot_label(&data.event, m.slot),
                        table: m.table,
                        with: names.get(&m.other(p.id)).cloned().unwrap_or_default(),
                        status: m.status.name(lang),
                    })
                    .collect(),
            })
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn agenda_ics(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path((raw, pid)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let pid = id("participant", &pid).or_page(lang, &uri, &viewer)?;
    let v = viewer.clone();
    let text = state
        .read(move |store| {
            let data = events::load(store, event)?;
            let (p, meetings) = agenda_of(&data, &v, pid)?;
            let names = events::participant_names(store, &data, lang)?;
            let slots = data.event.grid.slots();
            let items: Vec<chainatlas_events::AgendaItem> = meetings
                .iter()
                .filter_map(|m| {
                    Some(chainatlas_events::AgendaItem {
                        uid: format!("meeting-{}-{}@chainatlas", m.id, p.id),
                        slot: *slots.get(m.slot)?,
                        table: m.table,
                        with: names.get(&m.other(p.id)).cloned().unwrap_or_default(),
                        note: data.event.name.clone(),
                    })
                })
                .collect();
            let secs = v.at;
            let day = chainatlas_model::Date::from_days_since_epoch(secs.div_euclid(86_400));
            let s = secs.rem_euclid(86_400);
            let stamp = format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                day.year(),
                day.month(),
                day.day(),
                s / 3600,
                s / 60 % 60,
                s % 60
            );
            Ok(chainatlas_events::agenda_ics(
                &data.event,
                &format!("{} · {}", data.event.name, names[&p.id]),
                &items,
                &stamp,
            ))
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"event-{event}-participant-{pid}.ics\""),
            ),
        ],
        text,
    )
        .into_response())
}

pub struct TableSheet {
    pub table: u32,
    pub rows: Vec<MeetingRow>,
}

#[derive(Template)]
#[template(path = "events/event_tables.html")]
struct TablesPage {
    layout: Layout,
    w: &'static Words,
    event_id: i64,
    event_name: String,
    sheets: Vec<TableSheet>,
}

async fn tables_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let v = viewer.clone();
    let u = uri.clone();
    let page = state
        .read(move |store| {
            events::require_organiser(&v)?;
            let data = events::load(store, event)?;
            let names = events::participant_names(store, &data, lang)?;
            let mut sheets: Vec<TableSheet> = Vec::new();
            for t in 1..=data.event.tables {
                let rows: Vec<MeetingRow> = data
                    .meetings
                    .iter()
                    .filter(|m| m.table == t && m.status != MeetingStatus::Cancelled)
                    .map(|m| meeting_row(m, &data, &names, lang))
                    .collect();
                if !rows.is_empty() {
                    sheets.push(TableSheet { table: t, rows });
                }
            }
            let w = words(lang);
            Ok(TablesPage {
                layout: Layout::new(lang, w.table_sheets, &u, &v),
                w,
                event_id: event,
                event_name: data.event.name.clone(),
                sheets,
            })
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------
// The report.

#[derive(Template)]
#[template(path = "events/event_report.html")]
struct ReportPage {
    layout: Layout,
    w: &'static Words,
    event_id: i64,
    event_name: String,
    figures: Vec<(String, String)>,
    sheets: Vec<chainatlas_bundle::sheet::Sheet>,
    chart_json: String,
}

async fn report_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let v = viewer.clone();
    let u = uri.clone();
    let page = state
        .read(move |store| {
            events::require_organiser(&v)?;
            let data = events::load(store, event)?;
            let (r, sheets) = events::report_sheets(store, &data, lang, v.today())?;
            let w = words(lang);
            let figures = vec![
                (w.participants.to_string(), r.participants.to_string()),
                (w.requested.to_string(), r.requested.to_string()),
                (w.accepted.to_string(), r.accepted.to_string()),
                (w.scheduled.to_string(), r.scheduled.to_string()),
                (w.held.to_string(), r.held.to_string()),
                (w.signed_projects.to_string(), r.agreements.to_string()),
                (format!("{}（{}）", w.value, w.wan_yuan), wan(r.value)),
            ];
            // The chart data: the funnel, and value by chain (from the chain sheet).
            let chain_rows = &sheets[1].rows;
            let chart = serde_json::json!({
                "funnel": {
                    "title": w.funnel,
                    "labels": [w.requested, w.accepted, w.scheduled, w.held],
                    "values": [r.requested, r.accepted, r.scheduled, r.held],
                },
                "chains": {
                    "title": w.value_by_chain,
                    "labels": chain_rows.iter().map(|row| row[1].clone()).collect::<Vec<_>>(),
                    // 万元, as the sheet writes them (with thousands separators)
                    "values": chain_rows.iter().map(|row| row[5].replace(',', "").parse::<f64>().unwrap_or(0.0)).collect::<Vec<_>>(),
                    "held": chain_rows.iter().map(|row| row[3].parse::<u32>().unwrap_or(0)).collect::<Vec<_>>(),
                    "held_label": w.held,
                },
            });
            Ok(ReportPage {
                layout: Layout::new(lang, format!("{} · {}", w.report, data.event.name), &u, &v),
                w,
                event_id: event,
                event_name: data.event.name.clone(),
                figures,
                sheets,
                // `</` cannot end the script element early.
                chart_json: chart.to_string().replace("</", "<\\/"),
            })
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

async fn report_export(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    Params(q): Params<ExportQuery>,
) -> Result<Response, PageError> {
    let event = id("event", &raw).or_page(lang, &uri, &viewer)?;
    let format = q.format.unwrap_or_else(|| "xlsx".into());
    let v = viewer.clone();
    let (bytes, content_type, ext) = state
        .read(move |store| {
            events::require_organiser(&v)?;
            let data = events::load(store, event)?;
            let (_, sheets) = events::report_sheets(store, &data, lang, v.today())?;
            match format.as_str() {
                "csv" => Ok((
                    chainatlas_bundle::sheet::to_csv(&sheets),
                    "text/csv; charset=utf-8",
                    "csv",
                )),
                "xlsx" => Ok((
                    chainatlas_bundle::sheet::to_xlsx(&sheets).map_err(AppError::internal)?,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                )),
                other => Err(AppError::parameter(chainatlas_app::text!(
                    "format：“{other}”不是 csv 或 xlsx",
                    "format: '{other}' is not csv or xlsx"
                ))),
            }
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"event-{event}-report.{ext}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------
// The agreements ledger.

pub struct AgreementRow {
    pub id: i64,
    pub title: String,
    pub buyer: String,
    pub supplier: String,
    pub value: String,
    pub status: &'static str,
    pub signed_on: String,
    pub event: Option<i64>,
}

pub struct StatusChoice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "events/agreements.html")]
struct AgreementsPage {
    layout: Layout,
    w: &'static Words,
    rows: Vec<AgreementRow>,
    total: String,
    statuses: Vec<StatusChoice>,
    prefill: AgreementPrefill,
    /// Why the form just posted was refused; it comes back as it was typed.
    error: Option<String>,
    /// Where the form posts: `/agreements` for a new one, `/agreements/{id}` to change one.
    form_action: String,
    /// The agreement the form changes, if any.
    editing: Option<i64>,
}

/// The report's export: `?format=xlsx` (the default) or `csv`.
#[derive(Deserialize)]
struct ExportQuery {
    format: Option<String>,
}

/// What the agreements form shows filled in: from a meeting's link, its event, meeting
/// and the two parties; after a refused post, everything that was typed.
#[derive(Default, Deserialize)]
struct AgreementPrefill {
    title: Option<String>,
    buyer_id: Option<String>,
    supplier_id: Option<String>,
    node_id: Option<String>,
    value_yuan: Option<String>,
    status: Option<String>,
    intended_on: Option<String>,
    signed_on: Option<String>,
    started_on: Option<String>,
    completed_on: Option<String>,
    event_id: Option<String>,
    meeting_id: Option<String>,
}

impl From<&events::AgreementInput> for AgreementPrefill {
    fn from(i: &events::AgreementInput) -> Self {
        let some = |s: &String| Some(s.clone());
        AgreementPrefill {
            title: some(&i.title),
            buyer_id: some(&i.buyer_id),
            supplier_id: some(&i.supplier_id),
            node_id: some(&i.node_id),
            value_yuan: some(&i.value_yuan),
            status: some(&i.status),
            intended_on: some(&i.intended_on),
            signed_on: some(&i.signed_on),
            started_on: some(&i.started_on),
            completed_on: some(&i.completed_on),
            event_id: some(&i.event_id),
            meeting_id: some(&i.meeting_id),
        }
    }
}

impl AgreementsPage {
    fn value(&self, name: &str) -> String {
        let p = &self.prefill;
        let field = match name {
            "title" => &p.title,
            "buyer_id" => &p.buyer_id,
            "supplier_id" => &p.supplier_id,
            "node_id" => &p.node_id,
            "value_yuan" => &p.value_yuan,
            "intended_on" => &p.intended_on,
            "signed_on" => &p.signed_on,
            "started_on" => &p.started_on,
            "completed_on" => &p.completed_on,
            "event_id" => &p.event_id,
            "meeting_id" => &p.meeting_id,
            _ => return String::new(),
        };
        field.clone().unwrap_or_default()
    }

    /// The status the form shows chosen: what was typed, else signed.
    fn chosen_status(&self) -> &str {
        self.prefill.status.as_deref().unwrap_or("signed")
    }
}

/// The agreements the viewer may see, and the form filled with `prefill`: a new
/// agreement, or the one `editing` names.
fn agreements_view(
    store: &chainatlas_store::Store,
    v: &Viewer,
    lang: Lang,
    u: &Uri,
    (prefill, editing): (AgreementPrefill, Option<i64>),
    error: Option<String>,
) -> Result<AgreementsPage, AppError> {
    let visible = events::visible_agreements(store, v)?;
    let total: i64 = visible.iter().map(|a| a.value.fen()).sum();
    let mut rows = Vec::new();
    for a in &visible {
        rows.push(AgreementRow {
            id: a.id.0,
            title: a.title.clone(),
            buyer: events::enterprise_name(store, a.buyer, lang)?,
            supplier: events::enterprise_name(store, a.supplier, lang)?,
            value: wan(a.value),
            status: a.status.name(lang),
            signed_on: a.signed_on.map(|d| d.to_string()).unwrap_or_default(),
            event: a.event.map(|e| e.0),
        });
    }
    let w = words(lang);
    Ok(AgreementsPage {
        layout: Layout::new(lang, w.agreements, u, v),
        w,
        rows,
        total: wan(chainatlas_model::Money::from_fen(total)),
        statuses: AgreementStatus::ALL
            .iter()
            .map(|s| StatusChoice {
                value: s.as_str(),
                label: s.name(lang),
            })
            .collect(),
        prefill,
        error,
        form_action: editing.map_or("/agreements".to_string(), |id| format!("/agreements/{id}")),
        editing,
    })
}

async fn agreements_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Params(prefill): Params<AgreementPrefill>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| agreements_view(store, &v, lang, &u, (prefill, None), None))
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

/// The agreements the viewer may see, as the page lists them, in a workbook.
async fn agreements_export(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| {
            agreements_view(
                store,
                &v,
                lang,
                &u,
                (AgreementPrefill::default(), None),
                None,
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    let w = page.w;
    let sheet = chainatlas_bundle::sheet::Sheet {
        name: w.agreements.to_string(),
        header: vec![
            "#".to_string(),
            w.title.to_string(),
            w.buyer.to_string(),
            w.supplier.to_string(),
            format!("{} ({})", w.value, w.wan_yuan),
            w.status.to_string(),
            w.signed_on.to_string(),
            w.events.to_string(),
        ],
        rows: page
            .rows
            .iter()
            .map(|a| {
                vec![
                    a.id.to_string(),
                    a.title.clone(),
                    a.buyer.clone(),
                    a.supplier.clone(),
                    a.value.clone(),
                    a.status.to_string(),
                    a.signed_on.clone(),
                    a.event.map(|e| e.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
    };
    crate::core::download::workbook("agreements", &[sheet]).or_page(lang, &uri, &viewer)
}

/// The agreements page with one agreement in the form, to move it along its lifecycle.
async fn edit_agreement_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
) -> Result<Response, PageError> {
    let id = id("agreement", &raw).or_page(lang, &uri, &viewer)?;
    let (v, u) = (viewer.clone(), uri.clone());
    let page = state
        .read(move |store| {
            let a = events::visible_agreement(store, &v, id)?;
            let prefill = AgreementPrefill::from(&events::AgreementInput::from(&a));
            agreements_view(store, &v, lang, &u, (prefill, Some(id)), None)
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(render(&page))
}

/// Records an agreement; a refused one comes back in the form as typed, with the reason.
async fn create_agreement(
    state: State<AppState>,
    lang: PageLang,
    uri: Uri,
    viewer: Viewer,
    form: PageForm<events::AgreementInput>,
) -> Result<Response, PageError> {
    save_agreement_form(state, lang, uri, viewer, None, form).await
}

/// Changes an agreement, the same way.
async fn update_agreement(
    state: State<AppState>,
    lang: PageLang,
    uri: Uri,
    viewer: Viewer,
    Path(raw): Path<String>,
    form: PageForm<events::AgreementInput>,
) -> Result<Response, PageError> {
    let id = id("agreement", &raw).or_page(lang.0, &uri, &viewer)?;
    save_agreement_form(state, lang, uri, viewer, Some(id), form).await
}

async fn save_agreement_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    uri: Uri,
    viewer: Viewer,
    id: Option<i64>,
    PageForm(input): PageForm<events::AgreementInput>,
) -> Result<Response, PageError> {
    let (v, u) = (viewer.clone(), uri.clone());
    let answer = state
        .write(move |store| {
            if let Some(id) = id {
                events::visible_agreement(store, &v, id)?;
            }
            let saved = events::save_agreement(store, &v, id, &input);
            posted(
                saved,
                lang,
                false,
                |_| "/agreements".to_string(),
                |why| {
                    let prefill = AgreementPrefill::from(&input);
                    agreements_view(store, &v, lang, &u, (prefill, id), Some(why))
                },
            )
        })
        .await
        .or_page(lang, &uri, &viewer)?;
    Ok(answer.into_response())
}
