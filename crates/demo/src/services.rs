//! The demo's enterprise services: responsible officials, a year of visits, a year of
//! appeals with realistic categories, handling times, ratings and some overdue, and
//! self-assessments. Pure, like the rest of the generator: the caller passes the firms
//! (read back from the atlas it wrote) and the staff accounts' ids, and writes the result.
//!
//! Appeals cluster on a few "blocked" nodes of each chain (three times as likely), so
//! the blocking-point dashboard and the chain diagnosis have something to show.

use chainatlas_model::assessment::QUESTIONS;
use chainatlas_model::services::{Appeal, AppealCategory, AppealChannel, AppealState, Visit};
use chainatlas_model::workdays::WorkCalendar;
use chainatlas_model::{ChainId, Date, EnterpriseId, EnterpriseSize, NodeId, RegionCode};

use crate::rng::{Rng, Weighted};
use crate::DemoConfig;

/// A firm of the atlas, as the services demo needs it.
#[derive(Clone, Debug)]
pub struct Firm {
    pub id: EnterpriseId,
    pub region: RegionCode,
    pub size: EnterpriseSize,
    /// Its nodes and their chains.
    pub nodes: Vec<(NodeId, ChainId)>,
}

/// Who made a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// A user of the enterprise (the demo has none for most: recorded as the firm).
    Enterprise,
    /// The official with this user id.
    Official(i64),
    System,
}

#[derive(Clone, Debug)]
pub struct DemoStep {
    pub at: i64,
    pub who: Who,
    pub step: &'static str,
    pub from: Option<AppealState>,
    pub to: AppealState,
    pub note: String,
}

#[derive(Clone, Debug)]
pub struct DemoAppeal {
    pub appeal: Appeal,
    pub steps: Vec<DemoStep>,
}

#[derive(Clone, Debug, Default)]
pub struct DemoServices {
    /// Enterprise → responsible official (user id), assigned at the start of the year.
    pub assignments: Vec<(EnterpriseId, i64)>,
    pub visits: Vec<Visit>,
    pub appeals: Vec<DemoAppeal>,
    /// (enterprise, taken at, answers as stored).
    pub assessments: Vec<(EnterpriseId, i64, String)>,
}

/// Titles by category; several firms in one category share one, so classes of similar
/// appeals form.
const TITLES: &[(AppealCategory, u64, &[&str])] = &[
    (
        AppealCategory::Finance,
        20,
        &[
            "流动资金贷款续贷困难",
            "技改项目融资成本高",
            "应收账款回款慢，资金周转紧张",
            "首台套保险补偿申报咨询",
        ],
    ),
    (
        AppealCategory::Labour,
        14,
        &[
            "一线技工招聘难",
            "高技能人才住房保障",
            "新员工培训补贴申请",
            "技工招聘难，订单交付受影响",
        ],
    ),
    (
        AppealCategory::Market,
        14,
        &[
            "希望对接本地整车企业",
            "产品进入省内采购目录",
            "寻找本地配套供应商",
            "希望对接本地主机厂配套",
        ],
    ),
    (
        AppealCategory::Land,
        8,
        &["扩产用地指标不足", "标准厂房租金补贴", "扩产用地审批进度慢"],
    ),
    (
        AppealCategory::Utilities,
        10,
        &[
            "园区供电容量不足",
            "天然气供应不稳定",
            "园区供电容量不足影响扩产",
            "蒸汽管网接入",
        ],
    ),
    (
        AppealCategory::Approval,
        10,
        &[
            "环评审批时间长",
            "施工许可办理咨询",
            "消防验收排期慢",
            "环评审批进度慢影响投产",
        ],
    ),
    (
        AppealCategory::Logistics,
        7,
        &[
            "铁路专用线运力紧张",
            "大件运输通行证办理",
            "园区道路拥堵影响物流",
        ],
    ),
    (
        AppealCategory::Technology,
        9,
        &[
            "数字化改造缺少服务商",
            "希望对接高校开展联合研发",
            "检测认证平台共享",
            "数字化改造找不到合适服务商",
        ],
    ),
    (
        AppealCategory::Policy,
        6,
        &[
            "专精特新奖补资金兑现",
            "研发费用加计扣除政策咨询",
            "设备更新贴息政策兑现",
        ],
    ),
    (AppealCategory::Other, 2, &["企业名称变更后资质迁移"]),
];

const REPLIES: &[&str] = &[
    "已协调相关部门，明确办理路径和时间节点。",
    "已组织银企对接，推荐两家银行开展授信。",
    "已纳入园区统筹解决，近期安排现场协调会。",
    "已告知政策条件和申报窗口，安排专人辅导。",
];

const PURPOSES: &[&str] = &[
    "季度走访",
    "政策宣讲",
    "项目调度",
    "困难问题摸排",
    "设备更新需求调研",
];

const FINDINGS: &[(AppealCategory, &str)] = &[
    (AppealCategory::Finance, "订单增长，流动资金紧张"),
    (AppealCategory::Labour, "熟练工流失，招工难"),
    (AppealCategory::Land, "现有厂房饱和，扩产无地"),
    (AppealCategory::Utilities, "用电高峰限电，影响排产"),
    (AppealCategory::Technology, "有数字化改造意愿，缺少方案"),
    (AppealCategory::Market, "本地配套率低，原料外购"),
];

fn midnight(day: Date) -> i64 {
    day.days_since_epoch() * 86_400 - 8 * 3600
}

/// A working day's moment, `hour` o'clock China time.
fn at(day: Date, hour: i64) -> i64 {
    midnight(day) + hour * 3600
}

/// The demo's services over `firms`, for `officials` (staff user ids; none: nothing),
/// counting deadlines on `calendar`, in the year up to the config's reference date.
pub fn services(
    config: &DemoConfig,
    firms: &[Firm],
    officials: &[i64],
    calendar: &WorkCalendar,
) -> DemoServices {
    let mut out = DemoServices::default();
    if firms.is_empty() || officials.is_empty() {
        return out;
    }
    let mut rng = Rng::new(config.seed ^ 0x5E41_71CE);
    let today = config.reference_date;
    let start = today.add_days(-364);
    // The blocked nodes: every node whose id is 1 mod 4 or 2 mod 7.
    let blocked = |n: NodeId| n.0 % 4 == 1 || n.0 % 7 == 2;
    let weights: Vec<u64> = firms
        .iter()
        .map(|f| {
            if f.nodes.iter().any(|(n, _)| blocked(*n)) {
                3
            } else {
                1
            }
        })
        .collect();
    let pick_firm = Weighted::new(weights).expect("firms");
    let pick_category = Weighted::new(TITLES.iter().map(|t| t.1)).expect("categories");

    // Responsible officials: a third of the firms, round robin.
    for (i, f) in firms.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        out.assignments
            .push((f.id, officials[(i / 3) % officials.len()]));
    }
    let officials_of: std::collections::HashMap<EnterpriseId, i64> =
        out.assignments.iter().copied().collect();
    let official_of = |e: EnterpriseId| officials_of.get(&e).copied();

    // Visits: most assigned firms once or twice, a finding one time in four.
    let mut visits = Vec::new();
    for &(e, official) in &out.assignments {
        for _ in 0..rng.between(0, 2) {
            let planned = start.add_days(rng.between(0, 364));
            let done = (planned < today).then(|| planned.add_days(rng.between(0, 3)));
            let found = rng.chance(0.25).then(|| *rng.pick(FINDINGS));
            visits.push(Visit {
                id: 0,
                enterprise: e,
                planned_on: planned,
                visited_on: done.filter(|d| *d <= today),
                officials: vec![official],
                purpose: rng.pick(PURPOSES).to_string(),
                findings: found.map(|f| f.1.to_string()).unwrap_or_default(),
                finding: found.map(|f| f.0),
            });
        }
    }
    visits.sort_by_key(|v| (v.planned_on, v.enterprise));
    out.visits = visits;

    // Appeals: one for every five firms over the year.
    let count = (firms.len() / 5).max(1);
    for _ in 0..count {
        let firm = &firms[pick_firm.draw(&mut rng)];
        let (category, _, titles) = TITLES[pick_category.draw(&mut rng)];
        let title = rng.pick(titles).to_string();
        let node = firm
            .nodes
            .iter()
            .find(|(n, _)| blocked(*n))
            .or(firm.nodes.first())
            .copied();
        let submitted_day = start.add_days(rng.between(0, 364));
        let channel = *rng.pick(&[
            AppealChannel::Online,
            AppealChannel::Online,
            AppealChannel::Visit,
            AppealChannel::Hotline,
        ]);
        let handler = official_of(firm.id).unwrap_or(*rng.pick(officials));
        let mut a = Appeal {
            id: 0,
            enterprise: firm.id,
            category,
            channel,
            chain: node.map(|n| n.1),
            node: node.map(|n| n.0),
            title,
            description: String::new(),
            attachments: Vec::new(),
            visit: None,
            state: AppealState::Submitted,
            submitted_at: at(submitted_day, rng.between(9, 17)),
            accepted_on: None,
            reply_due: None,
            resolve_due: None,
            department: String::new(),
            handler: None,
            reply: String::new(),
            replied_on: None,
            closed_on: None,
            satisfaction: None,
            escalation: 0,
            reopened: 0,
        };
        let who = if channel == AppealChannel::Online {
            Who::Enterprise
        } else {
            Who::Official(handler)
        };
        let mut steps = vec![DemoStep {
            at: a.submitted_at,
            who,
            step: "submit",
            from: None,
            to: AppealState::Submitted,
            note: String::new(),
        }];
        let mut push = |a: &mut Appeal,
                        day: Date,
                        who: Who,
                        step: &'static str,
                        to: AppealState,
                        note: String| {
            steps.push(DemoStep {
                at: at(day, 10),
                who,
                step,
                from: Some(a.state),
                to,
                note,
            });
            a.state = to;
        };
        let staff = Who::Official(handler);
        // Accepted the next working day (or declined, one in twenty).
        let accept_day = calendar.add_working_days(submitted_day, 1);
        if accept_day > today {
            out.appeals.push(DemoAppeal { appeal: a, steps });
            continue;
        }
        if rng.chance(0.05) {
            a.reply = "经核实，不属于受理范围，已告知企业其他办理渠道。".into();
            a.closed_on = Some(accept_day);
            let note = a.reply.clone();
            push(
                &mut a,
                accept_day,
                staff,
                "decline",
                AppealState::Declined,
                note,
            );
            out.appeals.push(DemoAppeal { appeal: a, steps });
            continue;
        }
        let d = category.deadlines();
        a.accepted_on = Some(accept_day);
        a.reply_due = Some(calendar.add_working_days(accept_day, d.reply));
        a.resolve_due = Some(calendar.add_working_days(accept_day, d.resolve));
        push(
            &mut a,
            accept_day,
            staff,
            "accept",
            AppealState::Accepted,
            String::new(),
        );
        a.department = rng
            .pick(&[
                "市工信局",
                "市发改委",
                "市人社局",
                "市自然资源局",
                "供电公司",
                "园区管委会",
            ])
            .to_string();
        a.handler = Some(handler);
        let department = a.department.clone();
        push(
            &mut a,
            accept_day,
            staff,
            "assign",
            AppealState::Assigned,
            department,
        );
        // Replied within the reply deadline mostly; late one time in eight.
        let reply_days = if rng.chance(0.125) {
            d.reply + rng.between(1, 4) as u32
        } else {
            rng.between(1, d.reply as i64) as u32
        };
        let reply_day = calendar.add_working_days(accept_day, reply_days);
        if reply_day > today {
            out.appeals.push(DemoAppeal { appeal: a, steps });
            continue;
        }
        a.reply = rng.pick(REPLIES).to_string();
        a.replied_on = Some(reply_day);
        let reply = a.reply.clone();
        push(
            &mut a,
            reply_day,
            staff,
            "reply",
            AppealState::Replied,
            reply,
        );
        // Resolved around its deadline: a fifth late; some still open (an overdue few).
        let stuck = rng.chance(0.08);
        let resolve_days = if rng.chance(0.2) {
            d.resolve + rng.between(1, 10) as u32
        } else {
            rng.between(i64::from(reply_days), i64::from(d.resolve)) as u32
        };
        let close_day = calendar.add_working_days(accept_day, resolve_days);
        if stuck || close_day > today {
            out.appeals.push(DemoAppeal { appeal: a, steps });
            continue;
        }
        // Rated after the follow-up call: mostly satisfied, less so when late.
        let late = Some(close_day) > a.resolve_due;
        let rating = if late {
            rng.between(2, 4)
        } else {
            rng.between(3, 5)
        } as u8;
        a.closed_on = Some(close_day);
        push(
            &mut a,
            close_day,
            staff,
            "close",
            AppealState::Closed,
            "回访：企业确认问题已解决".into(),
        );
        a.satisfaction = Some(rating);
        push(
            &mut a,
            close_day.add_days(1).min(today),
            Who::Enterprise,
            "rate",
            AppealState::Closed,
            String::new(),
        );
        out.appeals.push(DemoAppeal { appeal: a, steps });
    }
    out.appeals.sort_by_key(|a| a.appeal.submitted_at);

    // Assessments: one firm in six, in the past year; larger firms answer higher.
    for (i, f) in firms.iter().enumerate() {
        if i == 0 || !rng.chance(1.0 / 6.0) {
            continue; // enterprise 1 is the demo account's: it takes its own
        }
        let base: i64 = match f.size {
            EnterpriseSize::Large | EnterpriseSize::Medium => 2,
            EnterpriseSize::Small => 1,
            EnterpriseSize::Micro => 0,
        } + rng.between(0, 1);
        let green = rng.chance(0.4);
        let renewal = rng.chance(0.5);
        let answers: Vec<String> = QUESTIONS
            .iter()
            .filter(|q| match q.dimension {
                chainatlas_model::assessment::Dimension::Green => green,
                chainatlas_model::assessment::Dimension::Renewal => renewal,
                _ => true,
            })
            .map(|q| format!("{}={}", q.id, (base + rng.between(-1, 1)).clamp(0, 3)))
            .collect();
        let day = start.add_days(rng.between(0, 364));
        out.assessments.push((f.id, at(day, 15), answers.join(",")));
    }
    out
}
