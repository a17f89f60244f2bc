//! Transformation self-assessment: a questionnaire of digital transformation in four
//! dimensions, in the spirit of MIIT's SME digital-level assessment (digital foundation,
//! operations, management and outcomes; levels 1–4 by score bands), with two optional
//! modules, green manufacturing and equipment renewal. The wording is our own.
//!
//! Scoring (documented in docs/services.md): every question has four answers worth 0–3
//! points. A dimension's score is its points over the most it could have, 0–100; its
//! level is 1 below 40, 2 from 40, 3 from 60 and 4 from 80. The digital level is the
//! level of the mean of the four core dimensions. An answer worth 0 or 1 point is a
//! gap: each question says what fills it (a kind of listing and the words to look for)
//! and how a demand for it would be titled.

use std::collections::BTreeMap;

use crate::{text, Lang, ListingKind, Text};

/// The questionnaire's version, stored with every assessment.
pub const QUESTIONNAIRE: &str = "digital-1";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Foundation,
    Operations,
    Management,
    Outcomes,
    Green,
    Renewal,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Foundation,
        Dimension::Operations,
        Dimension::Management,
        Dimension::Outcomes,
        Dimension::Green,
        Dimension::Renewal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Foundation => "foundation",
            Dimension::Operations => "operations",
            Dimension::Management => "management",
            Dimension::Outcomes => "outcomes",
            Dimension::Green => "green",
            Dimension::Renewal => "renewal",
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Dimension::Foundation => ("数字化基础", "digital foundation"),
            Dimension::Operations => ("数字化经营", "digital operations"),
            Dimension::Management => ("数字化管理", "digital management"),
            Dimension::Outcomes => ("数字化成效", "digital outcomes"),
            Dimension::Green => ("绿色制造", "green manufacturing"),
            Dimension::Renewal => ("设备更新", "equipment renewal"),
        };
        lang.pick(zh, en)
    }

    /// The two modules an enterprise may leave out.
    pub fn optional(self) -> bool {
        matches!(self, Dimension::Green | Dimension::Renewal)
    }
}

/// What fills a gap, and how a demand for it is titled.
#[derive(Clone, Copy, Debug)]
pub struct Gap {
    pub zh: &'static str,
    pub en: &'static str,
    /// The kind of supply listing that fills it.
    pub kind: ListingKind,
    /// Words a provider's listing would use (searched with the match engine).
    pub words: &'static str,
    pub draft_zh: &'static str,
    pub draft_en: &'static str,
}

#[derive(Clone, Copy, Debug)]
pub struct Question {
    pub id: &'static str,
    pub dimension: Dimension,
    pub zh: &'static str,
    pub en: &'static str,
    /// From 0 points to 3.
    pub answers: [(&'static str, &'static str); 4],
    pub gap: Gap,
}

impl Question {
    pub fn text(&self, lang: Lang) -> &'static str {
        lang.pick(self.zh, self.en)
    }
}

macro_rules! q {
    ($id:literal, $dim:ident, $zh:literal, $en:literal, [$($a:literal / $b:literal),+],
     $kind:ident, $gzh:literal, $gen:literal, $words:literal, $dzh:literal, $den:literal) => {
        Question {
            id: $id,
            dimension: Dimension::$dim,
            zh: $zh,
            en: $en,
            answers: [$(($a, $b)),+],
            gap: Gap { zh: $gzh, en: $gen, kind: ListingKind::$kind, words: $words, draft_zh: $dzh, draft_en: $den },
        }
    };
}

/// Every question, in order.
pub static QUESTIONS: [Question; 18] = [
    q!("f1", Foundation, "生产设备联网和数据采集情况", "How far production equipment is networked and its data collected",
       ["主要设备未联网，数据靠手工记录" / "equipment is not networked; data are kept by hand",
        "少数设备联网，部分数据自动采集" / "a few machines are networked; some data are collected automatically",
        "多数关键设备联网，主要工序数据自动采集" / "most key machines are networked; main process data are collected automatically",
        "设备普遍联网，数据实时采集并集中管理" / "equipment is networked throughout; data are collected in real time and managed centrally"],
       Technology, "设备联网与数据采集", "equipment networking and data collection",
       "设备联网 数据采集 工业互联网 物联网", "设备联网与数据采集改造", "Equipment networking and data collection upgrade"),
    q!("f2", Foundation, "业务信息系统（ERP、MES 等）的应用", "Use of business systems (ERP, MES, …)",
       ["没有业务信息系统" / "no business systems",
        "只有财务等单项软件" / "single-purpose software only, such as accounting",
        "ERP、MES 等系统覆盖主要业务" / "ERP, MES or similar cover the main operations",
        "各系统集成互通，数据统一" / "systems are integrated and share one set of data"],
       Service, "业务信息系统", "business information systems",
       "ERP MES 系统 实施 信息化 软件", "生产经营管理系统（ERP/MES）建设", "Building production and business systems (ERP/MES)"),
    q!("f3", Foundation, "网络与数据安全防护", "Network and data security",
       ["没有专门措施" / "no particular measures",
        "只有防病毒等基本措施" / "basic measures such as antivirus only",
        "有安全制度和边界防护" / "security rules and perimeter protection",
        "通过等级保护测评，定期演练" / "certified under classified protection, with regular drills"],
       Service, "网络与数据安全", "network and data security",
       "网络安全 数据安全 等级保护 防护", "网络与数据安全防护服务", "Network and data security services"),
    q!("o1", Operations, "研发设计的数字化（CAD、仿真、PLM）", "Digital design and R&D (CAD, simulation, PLM)",
       ["手工或二维绘图" / "drawing by hand or in 2D",
        "使用三维设计软件" / "3D design software",
        "三维设计加仿真分析" / "3D design with simulation",
        "设计、仿真、工艺数据贯通管理（PLM）" / "design, simulation and process data managed end to end (PLM)"],
       Technology, "研发设计工具", "design and R&D tools",
       "工业软件 CAD 仿真 设计 研发 PLM", "研发设计工具与仿真服务", "Design tools and simulation services"),
    q!("o2", Operations, "生产过程的自动化和智能化", "Automation and intelligence of production",
       ["以人工操作为主" / "mostly manual work",
        "部分工序自动化" / "some steps automated",
        "主要产线自动化，计划排产数字化" / "main lines automated, scheduling digital",
        "产线智能化，质量在线检测、自动调度" / "intelligent lines with in-line inspection and automatic dispatch"],
       Equipment, "生产线自动化", "production line automation",
       "智能制造 自动化 生产线 机器人 数控 改造", "生产线自动化与智能化改造", "Automating and upgrading a production line"),
    q!("o3", Operations, "采购、销售与供应链协同", "Purchasing, sales and supply-chain collaboration",
       ["线下人工对接" / "arranged by hand, offline",
        "部分线上采购或销售" / "some purchasing or sales online",
        "主要采购、销售在线完成" / "most purchasing and sales online",
        "与上下游系统对接，协同计划和库存" / "systems linked with suppliers and buyers, shared plans and stock"],
       Service, "供应链协同", "supply-chain collaboration",
       "供应链 协同 平台 电子商务 采购 对接", "供应链协同平台接入", "Joining a supply-chain collaboration platform"),
    q!("m1", Management, "数字化转型的规划与组织", "Planning and organising the transformation",
       ["没有考虑" / "not considered",
        "有想法但没有规划" / "ideas but no plan",
        "有规划和牵头部门" / "a plan and a leading department",
        "一把手牵头，规划分步实施并考核" / "led from the top, carried out in steps and assessed"],
       Service, "转型规划", "transformation planning",
       "数字化转型 咨询 诊断 规划 服务商", "数字化转型诊断咨询", "Digital transformation diagnosis and consulting"),
    q!("m2", Management, "数字化人才", "Digital talent",
       ["没有专门人员" / "nobody in particular",
        "有兼职人员" / "part-time staff",
        "有专职团队" / "a dedicated team",
        "有专职团队并持续培训" / "a dedicated team, trained continually"],
       Service, "数字化人才", "digital talent",
       "数字化 人才 培训 工程师 实训", "数字化人才培训", "Digital skills training"),
    q!("m3", Management, "数字化投入", "Spending on digitalisation",
       ["基本没有投入" / "almost none",
        "零星投入" / "occasional",
        "每年有固定预算" / "a fixed yearly budget",
        "持续投入并评估回报" / "steady, with the return assessed"],
       Service, "数字化改造资金", "financing digital upgrades",
       "数字化改造 融资 贷款 技改 补贴 服务", "数字化改造融资对接", "Financing a digital upgrade"),
    q!("r1", Outcomes, "生产效率的提升", "Gains in productivity",
       ["没有可见提升" / "none to be seen",
        "个别环节有提升" / "in a few steps",
        "整体效率提升 10% 以上" / "more than 10% overall",
        "整体效率提升 20% 以上" / "more than 20% overall"],
       Service, "精益生产与数据分析", "lean production and data analysis",
       "精益 生产 数据分析 效率 管理 咨询", "精益生产与生产数据分析服务", "Lean production and production data analysis"),
    q!("r2", Outcomes, "产品质量的提升", "Gains in product quality",
       ["没有可见提升" / "none to be seen",
        "不良率略有下降" / "defects slightly down",
        "不良率明显下降，可追溯" / "defects clearly down, traceable",
        "质量数据闭环管理，稳定领先" / "quality data in a closed loop, steadily ahead"],
       Technology, "质量检测与追溯", "quality inspection and traceability",
       "质量 检测 追溯 视觉 检验", "质量在线检测与追溯系统", "In-line quality inspection and traceability"),
    q!("r3", Outcomes, "成本与能耗的下降", "Lower costs and energy use",
       ["没有可见下降" / "none to be seen",
        "个别环节下降" / "in a few steps",
        "综合成本或能耗下降 5% 以上" / "costs or energy down more than 5%",
        "综合成本或能耗下降 10% 以上" / "costs or energy down more than 10%"],
       Technology, "降本节能", "cost and energy savings",
       "节能 降本 能耗 优化 改造", "降本节能改造", "Cost and energy saving upgrade"),
    q!("g1", Green, "能源计量和在线监测", "Energy metering and online monitoring",
       ["只有总表" / "a main meter only",
        "分车间计量" / "metered by workshop",
        "重点设备计量并在线监测" / "key equipment metered and monitored online",
        "能源管理中心，实时优化" / "an energy management centre, optimised in real time"],
       Technology, "能源在线监测", "online energy monitoring",
       "能耗 在线监测 能源管理 计量 平台", "能源在线监测系统建设", "Building online energy monitoring"),
    q!("g2", Green, "节能减排和清洁生产", "Energy saving, emissions and cleaner production",
       ["没有专门措施" / "no particular measures",
        "达标排放" / "emissions within the standard",
        "实施过节能、减排改造" / "energy and emissions upgrades made",
        "持续清洁生产审核和改造" / "continual cleaner-production audits and upgrades"],
       Technology, "节能减排改造", "energy and emissions upgrades",
       "节能 减排 环保 治理 余热 回收", "节能减排技术改造", "Energy saving and emissions reduction upgrade"),
    q!("g3", Green, "绿色工厂、绿色产品和碳管理", "Green factory, green products and carbon management",
       ["没有了解" / "not known",
        "有所了解" / "known of",
        "正在创建或核算碳排放" / "applying, or accounting for carbon",
        "已获绿色工厂等认定，定期核算碳排放" / "recognised as a green factory or the like, carbon accounted regularly"],
       Service, "绿色认证与碳核算", "green certification and carbon accounting",
       "绿色工厂 认证 碳核算 碳足迹 咨询", "绿色工厂创建与碳核算服务", "Green factory application and carbon accounting"),
    q!("e1", Renewal, "主要生产设备的役龄", "Age of the main production equipment",
       ["多数超过 15 年" / "mostly over 15 years",
        "多数 10 到 15 年" / "mostly 10 to 15 years",
        "多数 5 到 10 年" / "mostly 5 to 10 years",
        "多数不到 5 年" / "mostly under 5 years"],
       Equipment, "老旧设备更新", "replacing old equipment",
       "设备更新 数控机床 高端装备 生产设备", "老旧生产设备更新", "Replacing old production equipment"),
    q!("e2", Renewal, "关键工序的数控化", "Numerical control of key processes",
       ["基本没有数控设备" / "hardly any numerically controlled machines",
        "不到三成" / "under 30%",
        "三到七成" / "30% to 70%",
        "七成以上" / "over 70%"],
       Equipment, "关键工序数控化", "numerical control of key processes",
       "数控 机床 加工中心 自动化 设备", "关键工序数控化改造", "Numerical control for key processes"),
    q!("e3", Renewal, "设备更新的计划和资金", "Plans and money for renewal",
       ["没有计划" / "no plan",
        "有意向但缺资金" / "willing but short of money",
        "有计划，正在申请贴息或融资" / "a plan, applying for subsidised loans or financing",
        "计划明确，资金落实" / "a clear plan, money in place"],
       Service, "设备更新融资", "financing equipment renewal",
       "设备更新 贷款 贴息 融资租赁 金融 服务", "设备更新融资（贴息贷款、融资租赁）", "Financing renewal (subsidised loans, leasing)"),
];

/// Answers: question id → points (0–3).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answers(pub BTreeMap<&'static str, u8>);

impl Answers {
    /// Reads `f1=2,f2=0,…` (as stored) or the pairs of a form, every problem named;
    /// a question of a core dimension must be answered, an optional module all or not
    /// at all.
    pub fn parse<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Answers, Vec<Text>> {
        let mut problems = Vec::new();
        let mut answers = BTreeMap::new();
        for (id, raw) in pairs {
            let (id, raw) = (id.trim(), raw.trim());
            let Some(q) = QUESTIONS.iter().find(|q| q.id == id) else {
                problems.push(text!("没有编号为 {id} 的问题", "there is no question {id}"));
                continue;
            };
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<u8>() {
                Ok(p @ 0..=3) => {
                    answers.insert(q.id, p);
                }
                _ => problems.push(text!(
                    "{id}：“{raw}”不是 0 到 3 的整数",
                    "{id}: '{raw}' is not a whole number from 0 to 3"
                )),
            }
        }
        for d in Dimension::ALL {
            let questions: Vec<&Question> = QUESTIONS.iter().filter(|q| q.dimension == d).collect();
            let answered = questions
                .iter()
                .filter(|q| answers.contains_key(q.id))
                .count();
            if answered == questions.len() || (d.optional() && answered == 0) {
                continue;
            }
            for q in questions.iter().filter(|q| !answers.contains_key(q.id)) {
                let (id, zh, en) = (q.id, d.name(Lang::Zh), d.name(Lang::En));
                problems.push(if d.optional() {
                    text!(
                        "{id}：未作答；“{zh}”要么全部作答，要么全部不答",
                        "{id}: not answered; answer all of '{en}' or none of it"
                    )
                } else {
                    text!("{id}：未作答", "{id}: not answered")
                });
            }
        }
        if problems.is_empty() {
            Ok(Answers(answers))
        } else {
            Err(problems)
        }
    }

    /// Reads the stored form `f1=2,f2=0`.
    pub fn from_stored(text: &str) -> Result<Answers, Vec<Text>> {
        Answers::parse(
            text.split(',')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, ""))),
        )
    }

    /// The stored form.
    pub fn to_stored(&self) -> String {
        self.0
            .iter()
            .map(|(q, p)| format!("{q}={p}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// One dimension's result.
#[derive(Clone, Debug, PartialEq)]
pub struct DimensionScore {
    pub dimension: Dimension,
    /// 0–100.
    pub score: f64,
    /// 1–4.
    pub level: u8,
}

/// What an assessment comes to.
#[derive(Clone, Debug)]
pub struct Scored {
    /// The answered dimensions, in order.
    pub dimensions: Vec<DimensionScore>,
    /// The mean of the four core dimensions' scores, and its level.
    pub digital: DimensionScore,
    /// Questions answered with 0 or 1 point, weakest first, then in order.
    pub gaps: Vec<(&'static Question, u8)>,
}

/// The level of a 0–100 score.
pub fn level(score: f64) -> u8 {
    match score {
        s if s >= 80.0 => 4,
        s if s >= 60.0 => 3,
        s if s >= 40.0 => 2,
        _ => 1,
    }
}

pub fn score(answers: &Answers) -> Scored {
    let mut dimensions = Vec::new();
    for d in Dimension::ALL {
        let points: Vec<u8> = QUESTIONS
            .iter()
            .filter(|q| q.dimension == d)
            .filter_map(|q| answers.0.get(q.id).copied())
            .collect();
        if points.is_empty() {
            continue;
        }
        let score = f64::from(points.iter().map(|&p| u32::from(p)).sum::<u32>()) * 100.0
            / (3.0 * points.len() as f64);
        dimensions.push(DimensionScore {
            dimension: d,
            score,
            level: level(score),
        });
    }
    let core: Vec<f64> = dimensions
        .iter()
        .filter(|d| !d.dimension.optional())
        .map(|d| d.score)
        .collect();
    let mean = if core.is_empty() {
        0.0
    } else {
        core.iter().sum::<f64>() / core.len() as f64
    };
    let mut gaps: Vec<(&'static Question, u8)> = QUESTIONS
        .iter()
        .filter_map(|q| answers.0.get(q.id).map(|&p| (q, p)))
        .filter(|(_, p)| *p <= 1)
        .collect();
    gaps.sort_by_key(|(q, p)| (*p, QUESTIONS.iter().position(|x| x.id == q.id)));
    Scored {
        dimensions,
        digital: DimensionScore {
            dimension: Dimension::Foundation,
            score: mean,
            level: level(mean),
        },
        gaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> Result<Answers, Vec<Text>> {
        Answers::parse(pairs.iter().copied())
    }

    const CORE: [&str; 12] = [
        "f1", "f2", "f3", "o1", "o2", "o3", "m1", "m2", "m3", "r1", "r2", "r3",
    ];

    #[test]
    fn scores_levels_and_gaps_follow_the_documented_bands() {
        // foundation 0+1+2 = 3 of 9 → 33.3, level 1; operations 3 of 9; management 9 of
        // 9 → 100, level 4; outcomes 6 of 9 → 66.7, level 3.
        let points = ["0", "1", "2", "1", "1", "1", "3", "3", "3", "2", "2", "2"];
        let pairs: Vec<(&str, &str)> = CORE.iter().copied().zip(points).collect();
        let a = answers(&pairs).unwrap();
        let s = score(&a);
        let got: Vec<(Dimension, u8)> = s
            .dimensions
            .iter()
            .map(|d| (d.dimension, d.level))
            .collect();
        use Dimension::*;
        assert_eq!(
            got,
            [
                (Foundation, 1),
                (Operations, 1),
                (Management, 4),
                (Outcomes, 3)
            ]
        );
        assert!(
            (s.digital.score - (33.333_333 + 33.333_333 + 100.0 + 66.666_667) / 4.0).abs() < 1e-4
        );
        assert_eq!(s.digital.level, 2, "the mean, 58.3, is below 60");
    }

    #[test]
    fn bands_are_closed_below() {
        assert_eq!(
            [
                level(0.0),
                level(39.99),
                level(40.0),
                level(59.9),
                level(60.0),
                level(79.9),
                level(80.0),
                level(100.0)
            ],
            [1, 1, 2, 2, 3, 3, 4, 4]
        );
    }

    #[test]
    fn gaps_are_the_weakest_answers_first_and_modules_are_all_or_nothing() {
        let mut pairs: Vec<(&str, &str)> = CORE.iter().map(|q| (*q, "3")).collect();
        pairs[1].1 = "1"; // f2
        pairs[4].1 = "0"; // o2
        pairs.extend([("e1", "0"), ("e2", "2"), ("e3", "3")]);
        let s = score(&answers(&pairs).unwrap());
        let gaps: Vec<&str> = s.gaps.iter().map(|(q, _)| q.id).collect();
        assert_eq!(gaps, ["o2", "e1", "f2"]);
        assert!(s
            .dimensions
            .iter()
            .any(|d| d.dimension == Dimension::Renewal));
        assert!(!s.dimensions.iter().any(|d| d.dimension == Dimension::Green));
        // a module half answered, a missing core answer, a bad value, an unknown question
        pairs.retain(|(q, _)| *q != "e3" && *q != "m1");
        pairs.push(("f3", "4"));
        pairs.push(("z9", "1"));
        let problems = answers(&pairs).unwrap_err();
        let zh: Vec<&str> = problems.iter().map(|p| p.zh.as_str()).collect();
        assert!(zh.contains(&"f3：“4”不是 0 到 3 的整数"), "{zh:?}");
        assert!(zh.contains(&"没有编号为 z9 的问题"), "{zh:?}");
        assert!(zh.contains(&"m1：未作答"), "{zh:?}");
        assert!(
            zh.iter().any(|p| p.starts_with("e3：未作答；“设备更新”")),
            "{zh:?}"
        );
    }

    #[test]
    fn stored_answers_read_back() {
        let pairs: Vec<(&str, &str)> = CORE.iter().map(|q| (*q, "2")).collect();
        let a = answers(&pairs).unwrap();
        assert_eq!(Answers::from_stored(&a.to_stored()).unwrap(), a);
        for q in &QUESTIONS {
            assert_ne!(q.zh, q.en);
            assert!(!q.gap.words.is_empty());
        }
    }
}
