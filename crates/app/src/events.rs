//! Docking events in the web app and the API: who may do what, how input is read, and
//! the writes, each checked by `chainatlas-events` and stored by `chainatlas-store`.
//!
//! Organisers (analysts, admins) create events, register any enterprise, run and publish
//! the schedule, mark meetings held, and read the report. An enterprise user registers its
//! own enterprise, asks and answers meeting requests as that participant, sees its own
//! agenda, and records agreements it is a party to. Every signed-in user sees the list of
//! events and who takes part (public names only).

use std::collections::HashMap;

use chainatlas_auth::Permission;
use chainatlas_bundle::sheet::Sheet;
use chainatlas_events::{self as ev, Answer, PlanOptions, Recommendation, ReportFacts};
use chainatlas_model::{
    clock, parse_slots, text, Agreement, AgreementId, AgreementStatus, Date, EnterpriseId, Event,
    EventData, EventId, Explain, ListingId, MeetingId, MeetingStatus, Money, NodeId, Participant,
    ParticipantId, RequestId, RequestOrigin, RequestStatus, SlotGrid, Text,
};
use chainatlas_store::{InsertError, Store};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::format::wan;
use crate::problems::{too_long, Problems};
use crate::{App, AppError, ErrorCode, Lang, Viewer};

impl From<InsertError> for AppError {
    fn from(e: InsertError) -> Self {
        match e {
            InsertError::Store(s) => s.into(),
            other => AppError::new(ErrorCode::InvalidBody, other.explain()),
        }
    }
}

impl From<ev::RequestError> for AppError {
    /// Rules that depend on what has happened so far (answers, caps, the calendar) are
    /// conflicts with the current state; the rest are wrong requests.
    fn from(e: ev::RequestError) -> Self {
        use ev::RequestError as E;
        let code = match e {
            E::NoRequest(_) => ErrorCode::MeetingRequestNotFound,
            E::NotRecipient | E::NotSender => ErrorCode::Forbidden,
            E::Over(_)
            | E::Duplicate { .. }
            | E::Vetoed
            | E::RequestCap(_)
            | E::MeetingCap { .. }
            | E::NotPending { .. }
            | E::NotLive { .. } => ErrorCode::Conflict,
            E::NotParticipant(_) | E::Itself | E::Groups(..) | E::Priority(_) | E::Message(_) => {
                ErrorCode::InvalidMeetingRequest
            }
        };
        AppError::new(code, e.explain())
    }
}

pub fn is_organiser(viewer: &Viewer) -> bool {
    viewer.may(Permission::OrganiseEvents)
}

pub fn require_organiser(viewer: &Viewer) -> Result<(), AppError> {
    if is_organiser(viewer) {
        Ok(())
    } else {
        Err(AppError::forbidden(text!(
            "只有活动的组织方（分析人员）可以进行此操作",
            "only the event's organisers (analysts) may do this"
        )))
    }
}

/// The event with everything in it, or not found.
pub fn load(store: &Store, id: i64) -> Result<EventData, AppError> {
    store.event_data(EventId(id))?.ok_or_else(|| {
        AppError::new(
            ErrorCode::EventNotFound,
            text!("没有编号为 {id} 的对接活动", "there is no event {id}"),
        )
    })
}

/// The participant the viewer acts as at this event, if its enterprise is registered.
pub fn me<'a>(data: &'a EventData, viewer: &Viewer) -> Option<&'a Participant> {
    let enterprise = viewer.principal.as_ref()?.enterprise?;
    data.participant_of(enterprise)
}

/// Enterprise names of the participants, in the viewer's language.
pub fn participant_names(
    store: &Store,
    data: &EventData,
    lang: Lang,
) -> Result<HashMap<ParticipantId, String>, AppError> {
    let mut out = HashMap::new();
    for p in &data.participants {
        let name = store.enterprise(p.enterprise)?.map_or_else(
            || format!("#{}", p.enterprise),
            |e| lang.pick(&e.name_zh, &e.name_en).to_string(),
        );
        out.insert(p.id, name);
    }
    Ok(out)
}

pub fn enterprise_name(store: &Store, id: EnterpriseId, lang: Lang) -> Result<String, AppError> {
    Ok(store.enterprise(id)?.map_or_else(
        || format!("#{id}"),
        |e| lang.pick(&e.name_zh, &e.name_en).to_string(),
    ))
}

/// The atlas facts the report needs about this event's enterprises and listings.
pub fn report_facts(store: &Store, data: &EventData) -> Result<ReportFacts, AppError> {
    let mut enterprises: Vec<EnterpriseId> =
        data.participants.iter().map(|p| p.enterprise).collect();
    enterprises.extend(data.agreements.iter().flat_map(|a| [a.buyer, a.supplier]));
    enterprises.sort();
    enterprises.dedup();
    let listing_ids: Vec<ListingId> = data
        .participants
        .iter()
        .flat_map(|p| p.listings.iter().copied())
        .collect();
    Ok(ReportFacts {
        enterprise_region: store
            .enterprise_regions(&enterprises)?
            .into_iter()
            .collect(),
        listing_node: store
            .listings_by_ids(&listing_ids)?
            .into_iter()
            .filter_map(|l| Some((l.id, l.node?)))
            .collect(),
        node_chain: store.node_chains()?.into_iter().collect(),
    })
}

/// The report as tables, named in `lang`: summary, by chain, by node, by region, and the
/// agreements. What the report page shows and what CSV/XLSX exports hold.
pub fn report_sheets(
    store: &Store,
    data: &EventData,
    lang: Lang,
    on: Date,
) -> Result<(ev::Report, Vec<Sheet>), AppError> {
    let facts = report_facts(store, data)?;
    let r = ev::report(data, &facts, on);
    let zh = lang == Lang::Zh;
    let t = |z: &str, e: &str| if zh { z.to_string() } else { e.to_string() };
    let summary = Sheet {
        name: t("概况", "summary"),
        header: vec![t("指标", "measure"), t("数值", "value")],
        rows: vec![
            vec![t("参会企业", "participants"), r.participants.to_string()],
            vec![t("洽谈请求", "meetings requested"), r.requested.to_string()],
            vec![t("已接受", "accepted"), r.accepted.to_string()],
            vec![t("已排期", "scheduled"), r.scheduled.to_string()],
            vec![t("已举行", "held"), r.held.to_string()],
            vec![t("未到场", "no-shows"), r.no_show.to_string()],
            vec![t("签约项目", "agreements"), r.agreements.to_string()],
            vec![
                t("签约金额（万元）", "agreement value (10k yuan)"),
                wan(r.value),
            ],
        ],
    };
    let header = |key: &str| {
        vec![
            t("编码", "code"),
            key.to_string(),
            t("参会企业", "participants"),
            t("已举行洽谈", "meetings held"),
            t("签约项目", "agreements"),
            t("签约金额（万元）", "value (10k yuan)"),
        ]
    };
    let unassigned = t("（未注明）", "(not given)");
    let chains = breakdown_rows(&r.by_chain, &unassigned, |c| {
        Ok((
            c.0.to_string(),
            store
                .chain(c)?
                .map(|c| lang.pick(&c.name_zh, &c.name_en).to_string()),
        ))
    })?;
    let nodes = breakdown_rows(&r.by_node, &unassigned, |n| {
        Ok((
            n.0.to_string(),
            store
                .node(n)?
                .map(|n| lang.pick(&n.name_zh, &n.name_en).to_string()),
        ))
    })?;
    let regions = breakdown_rows(&r.by_region, &unassigned, |code| {
        Ok((
            code.to_string(),
            store
                .region(code)?
                .map(|r| lang.pick(&r.name_zh, &r.name_en).to_string()),
        ))
    })?;
    let mut agreements = Vec::new();
    for a in &data.agreements {
        agreements.push(vec![
            a.id.to_string(),
            a.title.clone(),
            enterprise_name(store, a.buyer, lang)?,
            enterprise_name(store, a.supplier, lang)?,
            wan(a.value),
            a.status.name(lang).to_string(),
            a.signed_on.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    let sheets = vec![
        summary,
        Sheet {
            name: t("按产业链", "by chain"),
            header: header(&t("产业链", "chain")),
            rows: chains,
        },
        Sheet {
            name: t("按环节", "by node"),
            header: header(&t("环节", "node")),
            rows: nodes,
        },
        Sheet {
            name: t("按地区", "by region"),
            header: header(&t("地区（市）", "region (city)")),
            rows: regions,
        },
        Sheet {
            name: t("签约项目", "agreements"),
            header: vec![
                t("编号", "id"),
                t("项目", "title"),
                t("采购方", "buyer"),
                t("供应方", "supplier"),
                t("金额（万元）", "value (10k yuan)"),
                t("状态", "status"),
                t("签约日期", "signed on"),
            ],
            rows: agreements,
        },
    ];
    let mut sheets = sheets;
    sheets.extend(roster_sheets(store, data, lang)?);
    Ok((r, sheets))
}

/// The event's participants, meeting requests and meetings, one sheet each, with the
/// enterprises by name: the tables of the event's page, for the organisers' spreadsheets.
fn roster_sheets(store: &Store, data: &EventData, lang: Lang) -> Result<Vec<Sheet>, AppError> {
    let t = |z: &str, e: &str| lang.pick(z, e).to_string();
    let mut names = std::collections::HashMap::new();
    for p in &data.participants {
        names.insert(p.id, enterprise_name(store, p.enterprise, lang)?);
    }
    let name = |id: ParticipantId| names.get(&id).cloned().unwrap_or_else(|| id.to_string());
    let participants = data
        .participants
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                name(p.id),
                p.group.clone(),
                p.people.clone(),
                p.meeting_cap(&data.event).to_string(),
                p.listings.len().to_string(),
            ]
        })
        .collect();
    let requests = data
        .requests
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                name(r.from),
                name(r.to),
                r.priority.to_string(),
                r.status.name(lang).to_string(),
                r.created_on.to_string(),
                r.expires_on.to_string(),
            ]
        })
        .collect();
    let meetings = data
        .meetings
        .iter()
        .map(|m| {
            vec![
                m.id.to_string(),
                (m.slot + 1).to_string(),
                m.table.to_string(),
                name(m.a),
                name(m.b),
                m.status.name(lang).to_string(),
                if m.published {
                    t("是", "yes")
                } else {
                    t("否", "no")
                },
            ]
        })
        .collect();
    Ok(vec![
        Sheet {
            name: t("参会企业", "participants"),
            header: vec![
                t("编号", "id"),
                t("企业", "enterprise"),
                t("分组", "group"),
                t("参会人员", "people"),
                t("洽谈上限", "meeting cap"),
                t("带来的供需信息", "listings brought"),
            ],
            rows: participants,
        },
        Sheet {
            name: t("洽谈邀约", "requests"),
            header: vec![
                t("编号", "id"),
                t("发起方", "from"),
                t("对方", "to"),
                t("优先级", "priority"),
                t("状态", "status"),
                t("发起日期", "created on"),
                t("截止日期", "expires on"),
            ],
            rows: requests,
        },
        Sheet {
            name: t("洽谈安排", "meetings"),
            header: vec![
                t("编号", "id"),
                t("时段", "slot"),
                t("桌号", "table"),
                t("甲方", "party A"),
                t("乙方", "party B"),
                t("状态", "status"),
                t("已发布", "published"),
            ],
            rows: meetings,
        },
    ])
}

/// Rows of one breakdown: code, name (`unassigned` for no key; the code when the atlas
/// no longer has the name), participants, meetings held, agreements, value in yuan.
fn breakdown_rows<K: Copy>(
    rows: &[ev::Breakdown<Option<K>>],
    unassigned: &str,
    mut named: impl FnMut(K) -> Result<(String, Option<String>), AppError>,
) -> Result<Vec<Vec<String>>, AppError> {
    rows.iter()
        .map(|b| {
            let (code, name) = match b.key {
                Some(k) => {
                    let (code, name) = named(k)?;
                    let name = name.unwrap_or_else(|| code.clone());
                    (code, name)
                }
                None => (String::new(), unassigned.to_string()),
            };
            Ok(vec![
                code,
                name,
                b.participants.to_string(),
                b.meetings_held.to_string(),
                b.agreements.to_string(),
                wan(b.value),
            ])
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Inputs. Fields are text, as forms send them; each is read with a precise message.

/// A new event. Times `HH:MM`; slot numbers from 1; lists separated by `;` or `,`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 200)]
    pub venue: String,
    #[schema(
        example = "2026-12-10",
        pattern = r"^\s*[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\s*$"
    )]
    pub starts_on: String,
    /// 1 to 7; default 1.
    #[schema(example = "1", pattern = r"^\s*[1-7]?\s*$")]
    pub days: String,
    #[schema(
        example = "09:00",
        pattern = r"^\s*([01]?[0-9]|2[0-3])[:：][0-5][0-9]\s*$"
    )]
    pub day_start: String,
    /// 5 to 240 minutes.
    #[schema(
        example = "20",
        pattern = r"^\s*([5-9]|[1-9][0-9]|1[0-9][0-9]|2[0-3][0-9]|240)?\s*$"
    )]
    pub slot_minutes: String,
    /// Slots a day, breaks included: at least 1; the last must end by midnight, and the
    /// grid holds at most 128 meeting slots in all.
    #[schema(
        example = "12",
        pattern = r"^\s*([1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\s*$"
    )]
    pub slots_per_day: String,
    /// Break slots within a day, from 1: `7,8`.
    #[serde(default)]
    pub breaks: String,
    #[schema(example = "20", pattern = r"^\s*[1-9][0-9]{0,8}\s*$")]
    pub tables: String,
    /// Group names: `采购方;供应方`.
    #[serde(default)]
    pub groups: String,
    /// Pairs of groups that may meet: `采购方:供应方`. Empty: anyone meets anyone.
    #[serde(default)]
    pub may_meet: String,
    /// Chain codes in focus: `OPTO;AUTO`.
    #[serde(default)]
    pub chains: String,
    /// Chain node ids in focus (the links the event is to fill): `12;15`, or as the picker
    /// fills them, `电芯 #12; 正极材料 #15`.
    #[serde(default)]
    pub nodes: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,8})?\s*$")]
    pub request_cap: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,8})?\s*$")]
    pub meeting_cap: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,8})?\s*$")]
    pub request_days: String,
}

fn list(raw: &str) -> Vec<String> {
    raw.split([';', '；', ',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn chars_1_to_200() -> Text {
    text!("应为 1 到 200 个字符", "expected 1 to 200 characters")
}

fn at_least_one() -> Text {
    text!("填了 0，至少应为 1", "0 given, expected at least 1")
}

fn no_enterprise(e: EnterpriseId) -> Text {
    text!("没有编号为 {e} 的企业", "there is no enterprise {e}")
}

fn no_node(n: i64) -> Text {
    text!("没有编号为 {n} 的环节", "there is no chain node {n}")
}

fn not_an_id(raw: &str) -> Text {
    text!("“{raw}”不是编号", "'{raw}' is not an id")
}

impl EventInput {
    pub fn validate(&self, store: &Store, id: EventId) -> Result<Event, AppError> {
        let mut p = Problems::default();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 200 {
            p.bad("name", chars_1_to_200());
        }
        let venue_chars = self.venue.trim().chars().count();
        if venue_chars > 200 {
            p.bad("venue", too_long(venue_chars, 200));
        }
        let starts_on = p.date("starts_on", &self.starts_on);
        let days = p.number::<u8>("days", &self.days, Some(1));
        let day_start = chainatlas_model::parse_clock(&self.day_start);
        if day_start.is_none() {
            let raw = &self.day_start;
            p.bad(
                "day_start",
                text!(
                    "“{raw}”不是时刻：应为 HH:MM 格式，如 09:00",
                    "'{raw}' is not a time: expected HH:MM such as 09:00"
                ),
            );
        }
        let slot_minutes = p.number::<u16>("slot_minutes", &self.slot_minutes, Some(20));
        let slots_per_day = p.number::<u8>("slots_per_day", &self.slots_per_day, None);
        let tables = p.number::<u32>("tables", &self.tables, None);
        if tables == Some(0) {
            p.bad("tables", at_least_one());
        }
        let breaks = match parse_slots(&self.breaks, usize::from(slots_per_day.unwrap_or(0))) {
            Ok(b) => b.into_iter().map(|b| b as u8).collect(),
            Err(e) => {
                p.bad("breaks", e);
                Vec::new()
            }
        };
        let groups = list(&self.groups);
        let mut may_meet = Vec::new();
        for pair in list(&self.may_meet) {
            match pair.split_once([':', '：']) {
                Some((a, b))
                    if groups.contains(&a.trim().to_string())
                        && groups.contains(&b.trim().to_string()) =>
                {
                    may_meet.push((a.trim().to_string(), b.trim().to_string()))
                }
                _ => p.bad(
                    "may_meet",
                    text!(
                        "“{pair}”不是“组:组”形式的两个已有分组",
                        "'{pair}' is not two of the groups as group:group"
                    ),
                ),
            }
        }
        let mut chains = Vec::new();
        for code in list(&self.chains) {
            match store.chain_by_code(&code)? {
                Some(c) => chains.push(c.id),
                None => p.bad(
                    "chains",
                    text!(
                        "没有代码为“{code}”的产业链",
                        "there is no chain with code '{code}'"
                    ),
                ),
            }
        }
        let mut nodes = Vec::new();
        for raw in list(&self.nodes) {
            match crate::problems::picked_id(&raw)
                .parse::<i64>()
                .ok()
                .map(NodeId)
            {
                Some(n) if store.node(n)?.is_some() => nodes.push(n),
                Some(NodeId(n)) => p.bad("nodes", no_node(n)),
                None => p.bad("nodes", not_an_id(&raw)),
            }
        }
        let request_cap = p.number::<u32>("request_cap", &self.request_cap, Some(10));
        let meeting_cap = p.number::<u32>("meeting_cap", &self.meeting_cap, Some(12));
        let request_days = p.number::<u32>("request_days", &self.request_days, Some(5));
        for (field, v) in [
            ("request_cap", request_cap),
            ("meeting_cap", meeting_cap),
            ("request_days", request_days),
        ] {
            if v == Some(0) {
                p.bad(field, at_least_one());
            }
        }
        let grid = SlotGrid {
            days: days.unwrap_or(1),
            day_start: day_start.unwrap_or(0),
            slot_minutes: slot_minutes.unwrap_or(20),
            slots_per_day: slots_per_day.unwrap_or(1),
            breaks,
        };
        if p.is_empty() {
            for problem in grid.problems() {
                p.add(problem);
            }
        }
        p.finish(ErrorCode::InvalidEvent)?;
        Ok(Event {
            id,
            name,
            venue: self.venue.trim().to_string(),
            starts_on: starts_on.expect("checked"),
            grid,
            tables: tables.expect("checked"),
            groups,
            may_meet,
            chains,
            nodes,
            request_cap: request_cap.expect("checked"),
            meeting_cap: meeting_cap.expect("checked"),
            request_days: request_days.expect("checked"),
        })
    }
}

pub fn create_event(
    store: &mut Store,
    viewer: &Viewer,
    input: &EventInput,
) -> Result<Event, AppError> {
    require_organiser(viewer)?;
    let mut event = input.validate(store, EventId(0))?;
    event.id = store.create_event(&viewer.actor(), &event)?;
    Ok(event)
}

/// Changes an event. Its slot grid may change only while nothing is tied to slot numbers
/// (no meetings, no registration limited to some slots), and a group may go only when no
/// registration names it; otherwise the change is refused (409) with each reason.
pub fn update_event(
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    input: &EventInput,
) -> Result<Event, AppError> {
    require_organiser(viewer)?;
    // the rules are checked on what this reads; nothing may change before it writes
    store.exclusive(|store| {
        let data = load(store, id)?;
        let event = input.validate(store, data.event.id)?;
        let mut p = Problems::default();
        if event.grid != data.event.grid {
            let meetings = data.meetings.len();
            if meetings > 0 {
                p.add(text!(
                    "已有 {meetings} 场洽谈按现有时段安排，天数、开始时间、时长、每天场次和休息场次不能再改",
                    "{meetings} meetings are placed on the current slots: days, start, slot length, slots per day and breaks can no longer change"
                ));
            }
            let limited = data
                .participants
                .iter()
                .filter(|p| p.available.is_some())
                .count();
            if limited > 0 {
                p.add(text!(
                    "已有 {limited} 家参会方按现有场次填写了可参加时段，时段设置不能再改",
                    "{limited} registrations give the slots they can attend by the current numbering: the slot grid can no longer change"
                ));
            }
        }
        if !event.groups.is_empty() {
            let mut orphaned: Vec<&str> = data
                .participants
                .iter()
                .map(|p| p.group.as_str())
                .filter(|g| !event.groups.iter().any(|e| e == g))
                .collect();
            orphaned.sort_unstable();
            orphaned.dedup();
            for group in orphaned {
                p.add(text!(
                    "groups：仍有参会方属于“{group}”组，不能去掉这一组",
                    "groups: registrations are in group '{group}', which cannot go"
                ));
            }
        }
        p.finish(ErrorCode::Conflict)?;
        store.update_event(&viewer.actor(), &event)?;
        Ok(event)
    })
}

impl EventInput {
    /// The form of a stored event, to edit it (chains by their codes, nodes as a picker
    /// shows them: `名称 #12`).
    pub fn of(store: &Store, e: &Event, lang: Lang) -> Result<EventInput, AppError> {
        let list = |items: Vec<String>| items.join(";");
        let g = &e.grid;
        let mut chains = Vec::new();
        for id in &e.chains {
            if let Some(c) = store.chain(*id)? {
                chains.push(c.code);
            }
        }
        Ok(EventInput {
            name: e.name.clone(),
            venue: e.venue.clone(),
            starts_on: e.starts_on.to_string(),
            days: g.days.to_string(),
            day_start: clock(g.day_start),
            slot_minutes: g.slot_minutes.to_string(),
            slots_per_day: g.slots_per_day.to_string(),
            breaks: g
                .breaks
                .iter()
                .map(|b| (u32::from(*b) + 1).to_string())
                .collect::<Vec<_>>()
                .join(","),
            tables: e.tables.to_string(),
            groups: list(e.groups.clone()),
            may_meet: list(e.may_meet.iter().map(|(a, b)| format!("{a}:{b}")).collect()),
            chains: list(chains),
            nodes: {
                let mut named = Vec::new();
                for id in &e.nodes {
                    named.push(match store.node(*id)? {
                        Some(n) => format!("{} #{}", lang.pick(&n.name_zh, &n.name_en), id.0),
                        None => id.0.to_string(),
                    });
                }
                named.join("; ")
            },
            request_cap: e.request_cap.to_string(),
            meeting_cap: e.meeting_cap.to_string(),
            request_days: e.request_days.to_string(),
        })
    }
}

/// Registration of an enterprise (an enterprise user's own; staff name any).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    /// Required of staff; an enterprise account registers its own enterprise.
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,17})?\s*$")]
    pub enterprise_id: String,
    /// One of the event's groups (any text when the event has none).
    #[schema(max_length = 100)]
    pub group: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub people: String,
    /// Slots the participant can attend, from 1: `1-6,9-12`; empty: all.
    #[serde(default)]
    #[schema(pattern = r"^[0-9\s,，;；-]*$")]
    pub available: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,8})?\s*$")]
    pub max_meetings: String,
    /// Ids of the enterprise's listings it brings: `12;15`.
    #[serde(default)]
    #[schema(pattern = r"^[0-9\s,，;；]*$")]
    pub listings: String,
}

pub fn register(
    store: &mut Store,
    viewer: &Viewer,
    event: i64,
    input: &RegisterInput,
) -> Result<Participant, AppError> {
    // the rules are checked on what this reads; nothing may change before it writes
    store.exclusive(|store| {
        let data = load(store, event)?;
        let principal = viewer.principal.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::Unauthorized,
                text!("请先登录再报名", "sign in to register"),
            )
        })?;
        let mut p = Problems::default();
        let enterprise = if is_organiser(viewer) {
            p.id("enterprise_id", &input.enterprise_id)
                .map(EnterpriseId)
        } else {
            let own = principal.enterprise.ok_or_else(AppError::not_bound)?;
            if !input.enterprise_id.trim().is_empty()
                && input.enterprise_id.trim() != own.0.to_string()
            {
                return Err(AppError::forbidden(text!(
                    "企业账号只能为本企业报名",
                    "an enterprise account registers its own enterprise only"
                )));
            }
            Some(own)
        };
        if let Some(e) = enterprise {
            if !store.enterprise_exists(e)? {
                p.bad("enterprise_id", no_enterprise(e));
            }
        }
        let existing = enterprise.and_then(|e| data.participant_of(e)).cloned();
        let group = input.group.trim().to_string();
        if !data.event.groups.is_empty() && !data.event.groups.contains(&group) {
            let (zh, en) = (data.event.groups.join("、"), data.event.groups.join(", "));
            p.bad(
                "group",
                text!("“{group}”不是 {zh} 之一", "'{group}' is not one of {en}"),
            );
        }
        let slots = data.event.grid.slots().len();
        let available = match input.available.trim() {
            "" => None,
            raw => match parse_slots(raw, slots) {
                Ok(s) => Some(s),
                Err(e) => {
                    p.bad("available", e);
                    None
                }
            },
        };
        let max_meetings = match input.max_meetings.trim() {
            "" => None,
            raw => p.number::<u32>("max_meetings", raw, None),
        };
        let mut listings = Vec::new();
        for raw in list(&input.listings) {
            match raw.parse::<i64>().ok().map(ListingId) {
                Some(id) => match store.listing(id)? {
                    Some(l) if Some(l.enterprise) == enterprise => listings.push(id),
                    Some(_) => p.bad(
                        "listings",
                        text!(
                            "供需信息 {id} 不是该企业自己的",
                            "listing {id} is not the enterprise's own"
                        ),
                    ),
                    None => p.bad(
                        "listings",
                        text!("没有编号为 {id} 的供需信息", "there is no listing {id}"),
                    ),
                },
                None => p.bad("listings", not_an_id(&raw)),
            }
        }
        p.finish(ErrorCode::InvalidParticipant)?;
        let mut participant = Participant {
            id: existing.map_or(ParticipantId(0), |e| e.id),
            event: data.event.id,
            enterprise: enterprise.expect("checked"),
            group,
            people: input.people.trim().to_string(),
            available,
            max_meetings,
            listings,
        };
        participant.id = store.register_participant(&viewer.actor(), &participant)?;
        Ok(participant)
    })
}

/// The participant the viewer acts as: its own enterprise's, or for staff the one named.
fn acting_as(
    data: &EventData,
    viewer: &Viewer,
    named: Option<i64>,
) -> Result<ParticipantId, AppError> {
    if let Some(p) = me(data, viewer) {
        return Ok(p.id);
    }
    match named {
        Some(id) if is_organiser(viewer) => data
            .participant(ParticipantId(id))
            .map(|p| p.id)
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::ParticipantNotFound,
                    text!(
                        "as_participant：本场活动没有编号为 {id} 的参会方",
                        "as_participant: there is no participant {id} in this event"
                    ),
                )
            }),
        None if is_organiser(viewer) => Err(AppError::new(
            ErrorCode::InvalidMeetingRequest,
            text!(
                "as_participant：未填写；工作人员须指明代哪个参会方操作",
                "as_participant: is missing; staff act for a participant by naming it"
            ),
        )),
        _ => Err(AppError::forbidden(text!(
            "贵企业尚未报名本场活动；请先报名",
            "your enterprise is not registered for this event; register first"
        ))),
    }
}

/// A meeting request.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// The participant asked.
    #[schema(pattern = r"^\s*[1-9][0-9]{0,17}\s*$")]
    pub to: String,
    /// 1 to 5; default 3.
    #[serde(default)]
    #[schema(pattern = r"^\s*[1-5]?\s*$")]
    pub priority: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub message: String,
    /// `recommended` when it comes from a recommendation; default `manual`.
    #[serde(default)]
    #[schema(pattern = r"^\s*(manual|recommended)?\s*$")]
    pub origin: String,
    /// The participant asking: required of staff (who act for a participant), left out
    /// by an enterprise account (its own participant).
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,17})?\s*$")]
    pub as_participant: String,
}

fn opt_id(field: &str, raw: &str) -> Result<Option<i64>, AppError> {
    match crate::problems::picked_id(raw) {
        "" => Ok(None),
        s => s.parse::<i64>().map(Some).map_err(|_| {
            AppError::new(
                ErrorCode::InvalidBody,
                not_an_id(s).after(&Text::same(field)),
            )
        }),
    }
}

pub fn request(
    store: &mut Store,
    viewer: &Viewer,
    event: i64,
    input: &RequestInput,
) -> Result<chainatlas_model::MeetingRequest, AppError> {
    // the rules are checked on what this reads; nothing may change before it writes
    store.exclusive(|store| {
        let today = viewer.today();
        store.expire_requests(&viewer.actor(), EventId(event), today)?;
        let data = load(store, event)?;
        let from = acting_as(
            &data,
            viewer,
            opt_id("as_participant", &input.as_participant)?,
        )?;
        let to = opt_id("to", &input.to)?.ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidMeetingRequest,
                text!(
                    "to：未填写，应为参会方编号",
                    "to: is missing, expected a participant id"
                ),
            )
        })?;
        let mut p = Problems::default();
        let priority = p.number::<u8>("priority", &input.priority, Some(3));
        let origin = match input.origin.trim() {
            "" => Some(RequestOrigin::Manual),
            s => match s.parse::<RequestOrigin>() {
                Ok(o) => Some(o),
                Err(e) => {
                    p.bad("origin", e.explain());
                    None
                }
            },
        };
        p.finish(ErrorCode::InvalidMeetingRequest)?;
        let mut r = ev::new_request(
            &data,
            RequestId(0),
            from,
            ParticipantId(to),
            priority.expect("checked"),
            origin.expect("checked"),
            &input.message,
            today,
        )?;
        r.id = store.insert_request(&viewer.actor(), &r)?;
        Ok(r)
    })
}

/// Answers (`accept`, `decline`, `not_interested`) or cancels (`cancel`) a request.
pub fn respond(
    store: &mut Store,
    viewer: &Viewer,
    event: i64,
    request: i64,
    action: &str,
) -> Result<RequestStatus, AppError> {
    // the rules are checked on what this reads; nothing may change before it writes
    store.exclusive(|store| {
        let today = viewer.today();
        store.expire_requests(&viewer.actor(), EventId(event), today)?;
        let data = load(store, event)?;
        let id = RequestId(request);
        let r = data.requests.iter().find(|r| r.id == id).ok_or_else(|| {
            AppError::new(
                ErrorCode::MeetingRequestNotFound,
                text!(
                    "活动 {event} 中没有编号为 {request} 的洽谈邀约",
                    "there is no request {request} in event {event}"
                ),
            )
        })?;
        let answering = action != "cancel";
        let by = match me(&data, viewer) {
            Some(p) => p.id,
            None if is_organiser(viewer) => {
                if answering {
                    r.to
                } else {
                    r.from
                }
            }
            None => {
                return Err(AppError::forbidden(text!(
                    "贵企业未报名本场活动",
                    "your enterprise is not registered for this event"
                )))
            }
        };
        let status = match action {
            "accept" => ev::answer(&data, id, by, Answer::Accept, today)?,
            "decline" => ev::answer(&data, id, by, Answer::Decline, today)?,
            "not_interested" => ev::answer(&data, id, by, Answer::NotInterested, today)?,
            "cancel" => ev::cancel(&data, id, by, today)?,
            other => {
                return Err(AppError::parameter(text!(
                    "action：“{other}”不是 accept、decline、not_interested、cancel 之一",
                    "action: '{other}' is not one of accept, decline, not_interested, cancel"
                )))
            }
        };
        store.set_request_status(&viewer.actor(), id, status, today)?;
        Ok(status)
    })
}

/// What a scheduling run did. Kept in the audit log with the run, so the event page can
/// say what the last run did (older entries lack `expired` and `unplaced`).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct ScheduleSummary {
    pub placed: usize,
    pub wanted: usize,
    pub weight: u64,
    pub idle_slots: u64,
    pub published_moved: usize,
    /// Pending requests past their answer date, expired by this run before it planned.
    #[serde(default)]
    pub expired: usize,
    #[serde(default)]
    pub unplaced: Vec<UnplacedDto>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct UnplacedDto {
    pub request_id: Option<i64>,
    pub a: i64,
    pub b: i64,
    pub reason: String,
    pub reason_zh: String,
    pub reason_en: String,
}

/// [`recommendations`] through the app's cache.
pub fn cached_recommendations(
    state: &App,
    store: &Store,
    data: &EventData,
    on: Date,
) -> Result<std::sync::Arc<Vec<Recommendation>>, AppError> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data.event.may_meet.hash(&mut h);
    for p in &data.participants {
        (p.id.0, p.enterprise.0, &p.group, &p.listings).hash(&mut h);
    }
    let key = crate::cache::RecommendationKey {
        event: data.event.id.0,
        listing_revision: store.listing_revision()?,
        participants: h.finish(),
        today: on,
    };
    state.caches.event_recommendations(store, key, || {
        let atlas = state.caches.match_atlas(store)?;
        recommendations(store, data, atlas.as_ref(), on)
    })
}

/// Recommended pairs among the participants, from the listings they bring.
pub fn recommendations(
    store: &Store,
    data: &EventData,
    atlas: &dyn chainatlas_matching::Atlas,
    on: Date,
) -> Result<Vec<Recommendation>, AppError> {
    let ids: Vec<ListingId> = data
        .participants
        .iter()
        .flat_map(|p| p.listings.iter().copied())
        .collect();
    let listings = store.listings_by_ids(&ids)?;
    let mut config = chainatlas_matching::Config::new(on);
    // Participants read these: no one's price may shape them.
    config.prices = chainatlas_matching::PriceVisibility::OwnOnly(None);
    ev::recommend(data, &listings, atlas, &config, 5).map_err(crate::matchmaking::index_error)
}

/// Runs the scheduler over the event and saves the new schedule; with `recommended`,
/// recommended pairs nobody declined are added at weight 1.
pub fn schedule(
    state: &App,
    store: &mut Store,
    viewer: &Viewer,
    event: i64,
    recommended: bool,
) -> Result<ScheduleSummary, AppError> {
    require_organiser(viewer)?;
    let today = viewer.today();
    // Recommendations only read (and are cached); computing them while holding the write
    // lock would stall every other write of a large event.
    let options = PlanOptions {
        recommended: if recommended {
            let data = load(store, event)?;
            cached_recommendations(state, store, &data, today)?
                .iter()
                .map(|r| (r.buyer, r.supplier))
                .collect()
        } else {
            Vec::new()
        },
    };
    // The plan is made from what this reads; nothing may change before it is saved.
    store.exclusive(|store| {
        let expired = store.expire_requests(&viewer.actor(), EventId(event), today)?;
        let data = load(store, event)?;
        let (mut summary, meetings) = plan_schedule(&data, &options)?;
        summary.expired = expired;
        save_schedule(store, viewer.actor(), data.event.id, &summary, &meetings)?;
        Ok(summary)
    })
}

/// New meetings of a plan are numbered upward from here until they are saved: below zero,
/// so that a proposal is never taken for a stored meeting; saving gives them the ids the
/// database assigns.
pub const PROPOSED_MEETING_IDS: MeetingId = MeetingId(-(1 << 40));

/// Whether `m` is a proposal of [`plan_schedule`] not saved yet.
pub fn is_proposed(m: &chainatlas_model::Meeting) -> bool {
    m.id.0 < 0
}

/// Plans and schedules without saving: the summary and the meetings of the new schedule.
pub fn plan_schedule(
    data: &EventData,
    options: &PlanOptions,
) -> Result<(ScheduleSummary, Vec<chainatlas_model::Meeting>), AppError> {
    let plan = ev::plan(data, options);
    let schedule = chainatlas_schedule::schedule(&plan.instance).map_err(|e| {
        AppError::internal(format!("the plan made an instance the solver refuses: {e}"))
    })?;
    let outcome = ev::apply(&plan, &schedule, PROPOSED_MEETING_IDS);
    let summary = ScheduleSummary {
        placed: outcome.meetings.len(),
        wanted: plan.instance.meetings.len(),
        weight: outcome.weight,
        idle_slots: outcome.gaps,
        published_moved: outcome.moved,
        expired: 0,
        unplaced: outcome
            .unplaced
            .iter()
            .map(|(r, a, b, reason)| UnplacedDto {
                request_id: r.map(|r| r.0),
                a: a.0,
                b: b.0,
                reason: format!("{reason:?}"),
                reason_zh: reason.text(false).to_string(),
                reason_en: reason.text(true).to_string(),
            })
            .collect(),
    };
    Ok((summary, outcome.meetings))
}

/// Saves a schedule [`plan_schedule`] made, with its summary in the audit log; returns
/// its meetings with the ids they are stored under.
pub fn save_schedule(
    store: &mut Store,
    actor: chainatlas_store::Actor,
    event: EventId,
    summary: &ScheduleSummary,
    meetings: &[chainatlas_model::Meeting],
) -> Result<Vec<chainatlas_model::Meeting>, AppError> {
    let json = serde_json::to_string(summary).map_err(|e| AppError::internal(e.to_string()))?;
    Ok(store.save_schedule(&actor, event, meetings, &json)?)
}

/// The event's last scheduling run: when, by whom, and what it did.
pub struct ScheduleRun {
    pub at: i64,
    pub actor: String,
    pub summary: ScheduleSummary,
}

pub fn last_schedule_run(store: &Store, event: EventId) -> Result<Option<ScheduleRun>, AppError> {
    let Some(entry) = store.last_change("schedule", "event", &event.0.to_string())? else {
        return Ok(None);
    };
    let summary = entry
        .change
        .after
        .as_deref()
        .and_then(|json| serde_json::from_str::<ScheduleSummary>(json).ok());
    Ok(summary.map(|summary| ScheduleRun {
        at: entry.actor.at,
        actor: entry.actor.name,
        summary,
    }))
}

pub fn publish(store: &mut Store, viewer: &Viewer, event: i64) -> Result<usize, AppError> {
    // the rules are checked on what this reads; nothing may change before it writes
    store.exclusive(|store| {
        require_organiser(viewer)?;
        load(store, event)?;
        Ok(store.publish_schedule(&viewer.actor(), EventId(event))?)
    })
}

pub fn set_meeting_status(
    store: &mut Store,
    viewer: &Viewer,
    event: i64,
    meeting: i64,
    status: &str,
) -> Result<(), AppError> {
    // the rules are checked on what this reads; nothing may change before it writes
    store.exclusive(|store| {
        require_organiser(viewer)?;
        let data = load(store, event)?;
        if !data.meetings.iter().any(|m| m.id.0 == meeting) {
            return Err(AppError::new(
                ErrorCode::MeetingNotFound,
                text!(
                    "活动 {event} 中没有编号为 {meeting} 的洽谈",
                    "there is no meeting {meeting} in event {event}"
                ),
            ));
        }
        let status = status
            .parse::<MeetingStatus>()
            .map_err(|e| AppError::parameter(e.explain().after(&Text::same("status"))))?;
        store.set_meeting_status(&viewer.actor(), MeetingId(meeting), status)?;
        Ok(())
    })
}

/// A cooperation project for the ledger. Value in yuan; dates `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// Enterprise id of the buyer.
    #[schema(pattern = r"^\s*[1-9][0-9]{0,17}\s*$")]
    pub buyer_id: String,
    /// Enterprise id of the supplier.
    #[schema(pattern = r"^\s*[1-9][0-9]{0,17}\s*$")]
    pub supplier_id: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,17})?\s*$")]
    pub node_id: String,
    /// The value as people write it: yuan (`150000000`, `150,000,000`, `150000000元`) or
    /// with a unit (`15000万`, `1.5亿`); exact to the fen.
    #[schema(
        example = "15000万",
        pattern = r"^\s*[0-9０-９][0-9０-９,，.．]*\s*[万亿]?\s*元?\s*$"
    )]
    pub value_yuan: String,
    #[schema(
        example = "signed",
        pattern = r"^\s*(intended|signed|started|completed)\s*$"
    )]
    pub status: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?\s*$")]
    pub intended_on: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?\s*$")]
    pub signed_on: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?\s*$")]
    pub started_on: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?\s*$")]
    pub completed_on: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,17})?\s*$")]
    pub event_id: String,
    #[serde(default)]
    #[schema(pattern = r"^\s*([1-9][0-9]{0,17})?\s*$")]
    pub meeting_id: String,
}

/// That the event of an agreement exists, and that its meeting, if named, is one of the
/// event's and between the buyer and the supplier; problems go to `p`.
fn check_meeting(
    store: &Store,
    p: &mut Problems,
    event: Option<EventId>,
    meeting: Option<MeetingId>,
    buyer: Option<EnterpriseId>,
    supplier: Option<EnterpriseId>,
) -> Result<(), AppError> {
    if let Some(e) = event {
        match store.event_data(e)? {
            None => p.bad(
                "event_id",
                text!("没有编号为 {e} 的对接活动", "there is no event {e}"),
            ),
            Some(d) => {
                if let Some(m) = meeting {
                    match d.meetings.iter().find(|x| x.id == m) {
                        None => p.bad(
                            "meeting_id",
                            text!(
                                "活动 {e} 中没有编号为 {m} 的洽谈",
                                "there is no meeting {m} in event {e}"
                            ),
                        ),
                        Some(x) => {
                            let parties: Vec<EnterpriseId> = [x.a, x.b]
                                .iter()
                                .filter_map(|id| d.participant(*id).map(|p| p.enterprise))
                                .collect();
                            if !buyer.is_some_and(|b| parties.contains(&b))
                                || !supplier.is_some_and(|s| parties.contains(&s))
                            {
                                p.bad(
                                    "meeting_id",
                                    text!(
                                        "洽谈 {m} 不是采购方与供应方之间的",
                                        "meeting {m} is not between the buyer and the supplier"
                                    ),
                                );
                            }
                        }
                    }
                }
            }
        }
    } else if meeting.is_some() {
        p.bad(
            "meeting_id",
            text!("填写了但未填 event_id", "given without event_id"),
        );
    }
    Ok(())
}

impl AgreementInput {
    /// The agreement this input describes (id 0), every field checked against the
    /// database, all problems in one refusal.
    fn read(&self, store: &Store) -> Result<Agreement, AppError> {
        let mut p = Problems::default();
        let title = self.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 200 {
            p.bad("title", chars_1_to_200());
        }
        let buyer = p.id("buyer_id", &self.buyer_id).map(EnterpriseId);
        let supplier = p.id("supplier_id", &self.supplier_id).map(EnterpriseId);
        for (field, e) in [("buyer_id", buyer), ("supplier_id", supplier)] {
            if let Some(e) = e {
                if !store.enterprise_exists(e)? {
                    p.bad(field, no_enterprise(e));
                }
            }
        }
        let node = match opt_id("node_id", &self.node_id)? {
            None => None,
            Some(n) => match store.node(NodeId(n))? {
                Some(node) => Some(node),
                None => {
                    p.bad("node_id", no_node(n));
                    None
                }
            },
        };
        let value = match Money::parse_written(&self.value_yuan) {
            Ok(v) if v.fen() >= 0 => Some(v),
            Ok(_) => {
                p.bad(
                    "value_yuan",
                    text!(
                        "为负数，应为 0 或以上的元",
                        "is negative, expected 0 or more yuan"
                    ),
                );
                None
            }
            Err(e) => {
                p.bad("value_yuan", e.explain());
                None
            }
        };
        let status = match self.status.trim().parse::<AgreementStatus>() {
            Ok(s) => Some(s),
            Err(e) => {
                p.bad("status", e.explain());
                None
            }
        };
        let dates = [
            p.opt_date("intended_on", &self.intended_on),
            p.opt_date("signed_on", &self.signed_on),
            p.opt_date("started_on", &self.started_on),
            p.opt_date("completed_on", &self.completed_on),
        ];
        let event = opt_id("event_id", &self.event_id)?.map(EventId);
        let meeting = opt_id("meeting_id", &self.meeting_id)?.map(MeetingId);
        check_meeting(store, &mut p, event, meeting, buyer, supplier)?;
        p.finish(ErrorCode::InvalidAgreement)?;
        let [intended_on, signed_on, started_on, completed_on] = dates.map(|d| d.flatten());
        let agreement = Agreement {
            id: AgreementId(0),
            title,
            buyer: buyer.expect("checked"),
            supplier: supplier.expect("checked"),
            chain: node.as_ref().map(|n| n.chain),
            node: node.map(|n| n.id),
            value: value.expect("checked"),
            status: status.expect("checked"),
            intended_on,
            signed_on,
            started_on,
            completed_on,
            event,
            meeting,
        };
        let mut p = Problems::default();
        agreement
            .problems()
            .into_iter()
            .for_each(|problem| p.add(problem));
        p.finish(ErrorCode::InvalidAgreement)?;
        Ok(agreement)
    }
}

/// The agreements `viewer` may see: every one for organisers, an enterprise's own (as
/// buyer or supplier) otherwise; newest first.
pub fn visible_agreements(store: &Store, viewer: &Viewer) -> Result<Vec<Agreement>, AppError> {
    let organiser = is_organiser(viewer);
    let own = viewer.principal.as_ref().and_then(|p| p.enterprise);
    Ok(store
        .agreements(None)?
        .into_iter()
        .filter(|a| organiser || own.is_some_and(|e| a.buyer == e || a.supplier == e))
        .collect())
}

/// One agreement the viewer may see; another's is not found, so that ids reveal nothing.
pub fn visible_agreement(store: &Store, viewer: &Viewer, id: i64) -> Result<Agreement, AppError> {
    let not_found = || {
        AppError::new(
            ErrorCode::AgreementNotFound,
            text!("没有编号为 {id} 的合作项目", "there is no agreement {id}"),
        )
    };
    let a = store.agreement(AgreementId(id))?.ok_or_else(not_found)?;
    let own = viewer.principal.as_ref().and_then(|p| p.enterprise);
    if is_organiser(viewer) || own.is_some_and(|e| a.buyer == e || a.supplier == e) {
        Ok(a)
    } else {
        Err(not_found())
    }
}

impl From<&Agreement> for AgreementInput {
    /// The form of a stored agreement, to edit it.
    fn from(a: &Agreement) -> Self {
        let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_default();
        AgreementInput {
            title: a.title.clone(),
            buyer_id: a.buyer.0.to_string(),
            supplier_id: a.supplier.0.to_string(),
            node_id: a.node.map(|n| n.0.to_string()).unwrap_or_default(),
            value_yuan: a.value.to_string(),
            status: a.status.as_str().to_string(),
            intended_on: date(a.intended_on),
            signed_on: date(a.signed_on),
            started_on: date(a.started_on),
            completed_on: date(a.completed_on),
            event_id: a.event.map(|e| e.0.to_string()).unwrap_or_default(),
            meeting_id: a.meeting.map(|m| m.0.to_string()).unwrap_or_default(),
        }
    }
}

/// Records a new agreement (`id` none) or changes one: an enterprise only those it is a
/// party to, before and after the change.
pub fn save_agreement(
    store: &mut Store,
    viewer: &Viewer,
    id: Option<i64>,
    input: &AgreementInput,
) -> Result<Agreement, AppError> {
    // the rules are checked on what this reads; nothing may change before it writes
    store.exclusive(|store| {
        let principal = viewer.principal.as_ref().ok_or_else(|| {
            AppError::new(ErrorCode::Unauthorized, ErrorCode::Unauthorized.title())
        })?;
        let party = |a: &Agreement| {
            is_organiser(viewer)
                || principal.enterprise == Some(a.buyer)
                || principal.enterprise == Some(a.supplier)
        };
        let mut agreement = input.read(store)?;
        if !party(&agreement) {
            return Err(AppError::forbidden(text!(
                "企业只能登记本企业参与的合作项目",
                "an enterprise records agreements it is a party to only"
            )));
        }
        let before = match id {
            Some(id) => Some(store.agreement(AgreementId(id))?.ok_or_else(|| {
                AppError::new(
                    ErrorCode::AgreementNotFound,
                    text!("没有编号为 {id} 的合作项目", "there is no agreement {id}"),
                )
            })?),
            None => None,
        };
        match before {
            Some(b) if !party(&b) => Err(AppError::forbidden(text!(
                "企业只能修改本企业参与的合作项目",
                "an enterprise changes agreements it is a party to only"
            ))),
            Some(b) => {
                agreement.id = b.id;
                store.update_agreement(&viewer.actor(), &agreement)?;
                Ok(agreement)
            }
            None => {
                agreement.id = store.create_agreement(&viewer.actor(), &agreement)?;
                Ok(agreement)
            }
        }
    })
}

/// `HH:MM–HH:MM` of a slot, with its date.
pub fn slot_label(event: &Event, slot: usize) -> String {
    match event.grid.slot(slot) {
        Some(s) => format!(
            "{} {}–{}",
            event.date_of(s.day),
            clock(s.start),
            clock(s.end)
        ),
        None => format!("#{}", slot + 1),
    }
}
