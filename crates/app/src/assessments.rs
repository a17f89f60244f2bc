//! Transformation self-assessments: an enterprise answers the questionnaire
//! ([`chainatlas_model::assessment`]); the result gives a level per dimension, the gaps,
//! the providers whose supply listings fit each gap (the listing index, by the gap's
//! words, the listing's kind, and its node against the enterprise's chain), and a drafted
//! demand listing the enterprise can publish with one click. Staff read roll-ups by
//! region and chain. An enterprise sees its own assessments only; providers are shown by
//! their public listing (title, enterprise, region), never a price.

use std::collections::{BTreeMap, HashMap, HashSet};

use chainatlas_auth::Permission;
use chainatlas_matching::{Filter, QueryText};
use chainatlas_model::assessment::{self, Answers, Dimension, Question, QUESTIONNAIRE, QUESTIONS};
use chainatlas_model::{
    text, ChainId, EnterpriseId, Lang, ListingId, ListingSide, ListingStatus, NodeId, RegionCode,
    Text,
};
use chainatlas_store::{Store, StoredAssessment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{App, AppError, ErrorCode, Viewer};

/// Gaps whose providers are looked up, weakest first.
pub const MAX_GAPS: usize = 6;
/// Providers shown per gap.
pub const PROVIDERS_PER_GAP: usize = 3;

/// A new assessment.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// The enterprise assessed; staff only (an enterprise user's is its own).
    #[serde(default)]
    pub enterprise_id: String,
    /// Question id → points 0–3 (`{"f1": 2, "f2": 0, …}`): every question of the four
    /// core dimensions; the green (g1–g3) and renewal (e1–e3) modules all or none.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, u8>,
}

fn unauthorized() -> AppError {
    AppError::new(ErrorCode::Unauthorized, ErrorCode::Unauthorized.title())
}

fn not_found(id: i64) -> AppError {
    AppError::new(
        ErrorCode::AssessmentNotFound,
        text!("没有编号为 {id} 的自评估", "there is no assessment {id}"),
    )
}

/// Records an assessment from `pairs` (question id, points as typed).
pub fn take(
    store: &mut Store,
    viewer: &Viewer,
    enterprise: &str,
    pairs: &[(String, String)],
) -> Result<StoredAssessment, AppError> {
    let principal = viewer.principal.as_ref().ok_or_else(unauthorized)?;
    let mut problems: Vec<Text> = Vec::new();
    let enterprise = if viewer.may(Permission::Analyse) {
        match crate::problems::picked_id(enterprise).parse::<i64>() {
            Ok(e) if e > 0 && store.enterprise_exists(EnterpriseId(e))? => Some(EnterpriseId(e)),
            Ok(e) if e > 0 => {
                problems.push(text!(
                    "enterprise_id：没有编号为 {e} 的企业",
                    "enterprise_id: there is no enterprise {e}"
                ));
                None
            }
            _ => {
                problems.push(text!(
                    "enterprise_id：未填写，应为企业编号",
                    "enterprise_id: missing, expected an enterprise id"
                ));
                None
            }
        }
    } else {
        let own = principal.enterprise.ok_or_else(AppError::not_bound)?;
        let given = crate::problems::picked_id(enterprise);
        if !given.is_empty() && given != own.0.to_string() {
            return Err(AppError::forbidden(text!(
                "企业只能为本企业做自评估",
                "an enterprise assesses itself only"
            )));
        }
        Some(own)
    };
    let answers = Answers::parse(pairs.iter().map(|(q, p)| (q.as_str(), p.as_str())));
    if let Err(p) = &answers {
        problems.extend(p.iter().cloned());
    }
    if !problems.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidAssessment,
            Text::join(&problems),
        ));
    }
    let mut a = StoredAssessment {
        id: 0,
        enterprise: enterprise.expect("checked"),
        questionnaire: QUESTIONNAIRE.to_string(),
        taken_at: viewer.at,
        answers: answers.expect("checked").to_stored(),
    };
    a.id = store
        .save_assessment(&viewer.actor(), &a)
        .map_err(|e| AppError::new(ErrorCode::Conflict, chainatlas_model::Explain::explain(&e)))?;
    Ok(a)
}

/// An assessment the viewer may see: an enterprise its own, staff any.
pub fn visible(store: &Store, viewer: &Viewer, id: i64) -> Result<StoredAssessment, AppError> {
    let principal = viewer.principal.as_ref().ok_or_else(unauthorized)?;
    let a = store.assessment(id)?.ok_or_else(|| not_found(id))?;
    if viewer.may(Permission::Analyse) || principal.enterprise == Some(a.enterprise) {
        Ok(a)
    } else {
        Err(not_found(id))
    }
}

/// The assessments the viewer may see, newest first: an enterprise its own.
pub fn list(store: &Store, viewer: &Viewer, limit: u32) -> Result<Vec<StoredAssessment>, AppError> {
    let principal = viewer.principal.as_ref().ok_or_else(unauthorized)?;
    let enterprise = if viewer.may(Permission::Analyse) {
        None
    } else {
        Some(principal.enterprise.ok_or_else(AppError::not_bound)?)
    };
    Ok(store.assessments(enterprise, limit)?)
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DimensionDto {
    /// foundation, operations, management, outcomes, green or renewal; `digital` for the
    /// overall level.
    pub dimension: String,
    pub name_zh: String,
    pub name_en: String,
    /// 0–100.
    pub score: f64,
    /// 1–4.
    pub level: u8,
}

/// A provider's supply listing that fits a gap.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ProviderDto {
    pub listing_id: i64,
    pub title: String,
    pub kind: String,
    pub enterprise_id: Option<i64>,
    pub enterprise_name: String,
    pub region_code: Option<String>,
    pub node_id: Option<i64>,
    /// Why it fits, in both languages.
    pub reasons_zh: String,
    pub reasons_en: String,
}

/// A demand listing drafted from a gap, for the enterprise to publish.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DraftDto {
    pub side: String,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub node_id: Option<i64>,
    pub region_code: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GapDto {
    /// The question, e.g. `o2`.
    pub question: String,
    pub dimension: String,
    pub question_zh: String,
    pub question_en: String,
    pub gap_zh: String,
    pub gap_en: String,
    /// Points the answer earned, 0 or 1 of 3.
    pub points: u8,
    /// The kind of listing that fills it.
    pub kind: String,
    pub providers: Vec<ProviderDto>,
    pub draft: DraftDto,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub questionnaire: String,
    /// China Standard Time.
    pub taken_at: String,
    /// The four core dimensions' mean and its level.
    pub digital: DimensionDto,
    pub dimensions: Vec<DimensionDto>,
    /// Question id → points.
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, u8>,
    /// Weakest first; providers for the first six.
    pub gaps: Vec<GapDto>,
}

fn dimension_dto(d: &assessment::DimensionScore, key: Option<&str>) -> DimensionDto {
    let (zh, en) = match key {
        Some(_) => ("数字化水平", "digital level"),
        None => (d.dimension.name(Lang::Zh), d.dimension.name(Lang::En)),
    };
    DimensionDto {
        dimension: key.unwrap_or(d.dimension.as_str()).to_string(),
        name_zh: zh.to_string(),
        name_en: en.to_string(),
        score: (d.score * 10.0).round() / 10.0,
        level: d.level,
    }
}

/// The providers that fit `gap` for an enterprise in `nodes` (and their chains): open,
/// valid supply listings of the gap's kind found by its words, of other enterprises; a
/// listing in one of the enterprise's nodes counts half as much again, one in its chains
/// a fifth.
fn providers(
    app: &App,
    store: &Store,
    today: chainatlas_model::Date,
    enterprise: EnterpriseId,
    fit: &(HashSet<NodeId>, HashSet<ChainId>, HashMap<NodeId, ChainId>),
    q: &Question,
) -> Result<Vec<ProviderDto>, AppError> {
    let m = app.matchmaker(store)?;
    let filter = Filter {
        side: Some(ListingSide::Supply),
        kinds: vec![q.gap.kind],
        status: Some(ListingStatus::Open),
        valid_on: Some(today),
        exclude_enterprise: Some(enterprise.0 as u64),
        ..Filter::default()
    };
    let query = QueryText::typed(m.index().analysis(), q.gap.words);
    let (hits, _) = m
        .index()
        .search(&query, &filter, 0, 20)
        .map_err(crate::matchmaking::index_error)?;
    let (nodes, chains, chain_of) = fit;
    let mut scored: Vec<(f32, ProviderDto)> = Vec::new();
    for h in hits {
        let Some(l) = store.listing(ListingId(h.entry.id as i64))? else {
            continue;
        };
        let words: Vec<&str> = q
            .gap
            .words
            .split_whitespace()
            .filter(|w| l.title.contains(w) || l.description.contains(w))
            .collect();
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        if !words.is_empty() {
            let (wz, we) = (words.join("、"), words.join(", "));
            zh.push(format!("提到{wz}"));
            en.push(format!("mentions {we}"));
        }
        let mut factor = 1.0;
        if let Some(n) = l.node {
            if nodes.contains(&n) {
                factor = 1.5;
                zh.push("同一产业链环节".into());
                en.push("in the same chain link".into());
            } else if chain_of.get(&n).is_some_and(|c| chains.contains(c)) {
                factor = 1.2;
                zh.push("同一产业链".into());
                en.push("in the same chain".into());
            }
        }
        let name = store
            .enterprise(l.enterprise)?
            .map_or_else(String::new, |e| e.name_zh);
        scored.push((
            h.text_score * factor,
            ProviderDto {
                listing_id: l.id.0,
                title: l.title.clone(),
                kind: l.kind.to_string(),
                enterprise_id: Some(l.enterprise.0),
                enterprise_name: name,
                region_code: Some(l.region.to_string()),
                node_id: l.node.map(|n| n.0),
                reasons_zh: zh.join("；"),
                reasons_en: en.join("; "),
            },
        ));
    }
    scored.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.listing_id.cmp(&b.1.listing_id))
    });
    Ok(scored
        .into_iter()
        .take(PROVIDERS_PER_GAP)
        .map(|(_, p)| p)
        .collect())
}

/// The demand an enterprise in `node`, `region` would publish for `q`'s gap.
fn draft(q: &Question, node: Option<NodeId>, region: RegionCode) -> DraftDto {
    let (gap, dim) = (q.gap.zh, q.dimension.name(Lang::Zh));
    DraftDto {
        side: "demand".into(),
        kind: q.gap.kind.to_string(),
        title: format!("需求：{}", q.gap.draft_zh),
        description: format!(
            "来自本企业的转型自评估（{dim}）：{gap}方面较弱，寻求相关产品或服务。{}",
            q.zh
        ),
        node_id: node.map(|n| n.0),
        region_code: region.to_string(),
    }
}

/// The whole result of an assessment the viewer may see.
pub fn result(
    app: &App,
    store: &Store,
    viewer: &Viewer,
    id: i64,
) -> Result<AssessmentDto, AppError> {
    let a = visible(store, viewer, id)?;
    let answers = Answers::from_stored(&a.answers)
        .map_err(|_| AppError::internal(format!("assessment {id} has unreadable answers")))?;
    let scored = assessment::score(&answers);
    let enterprise = store
        .enterprise(a.enterprise)?
        .ok_or_else(|| crate::view::enterprise_not_found(a.enterprise.0))?;
    let own_nodes = store.enterprise_nodes_of(a.enterprise)?;
    let main_node = own_nodes
        .iter()
        .max_by_key(|n| (n.output, std::cmp::Reverse(n.item.id)))
        .map(|n| n.item.id);
    let nodes: HashSet<NodeId> = own_nodes.iter().map(|n| n.item.id).collect();
    let chains: HashSet<ChainId> = own_nodes.iter().map(|n| n.item.chain).collect();
    let chain_of: HashMap<NodeId, ChainId> = store.node_chains()?.into_iter().collect();
    let fit = (nodes, chains, chain_of);
    let today = viewer.today();
    let mut gaps = Vec::new();
    for (i, (q, points)) in scored.gaps.iter().enumerate() {
        let providers = if i < MAX_GAPS {
            providers(app, store, today, a.enterprise, &fit, q)?
        } else {
            Vec::new()
        };
        gaps.push(GapDto {
            question: q.id.to_string(),
            dimension: q.dimension.as_str().to_string(),
            question_zh: q.zh.to_string(),
            question_en: q.en.to_string(),
            gap_zh: q.gap.zh.to_string(),
            gap_en: q.gap.en.to_string(),
            points: *points,
            kind: q.gap.kind.to_string(),
            providers,
            draft: draft(q, main_node, enterprise.region),
        });
    }
    Ok(AssessmentDto {
        id: a.id,
        enterprise_id: a.enterprise.0,
        enterprise_name: enterprise.name_zh,
        questionnaire: a.questionnaire,
        taken_at: crate::clock::china_time(a.taken_at),
        digital: dimension_dto(&scored.digital, Some("digital")),
        dimensions: scored
            .dimensions
            .iter()
            .map(|d| dimension_dto(d, None))
            .collect(),
        answers: answers.0.iter().map(|(q, p)| (q.to_string(), *p)).collect(),
        gaps,
    })
}

/// Publishes the demand drafted for gap `question` of assessment `id` as an open listing
/// of the assessed enterprise (valid 90 days); who may write its listings may.
pub fn publish_draft(
    app: &App,
    store: &mut Store,
    viewer: &Viewer,
    id: i64,
    question: &str,
) -> Result<chainatlas_model::Listing, AppError> {
    let dto = result(app, store, viewer, id)?;
    let gap = dto
        .gaps
        .iter()
        .find(|g| g.question == question)
        .ok_or_else(|| {
            AppError::parameter(text!(
                "question：自评估 {id} 没有“{question}”这一短板",
                "question: assessment {id} has no gap '{question}'"
            ))
        })?;
    let d = &gap.draft;
    let input = crate::listings::ListingInput {
        enterprise_id: Some(dto.enterprise_id),
        side: d.side.clone(),
        kind: d.kind.clone(),
        node_id: d.node_id,
        title: d.title.clone(),
        description: d.description.clone(),
        quantity: None,
        unit: String::new(),
        price_fen: None,
        region_code: d.region_code.clone(),
        valid_until: Some(viewer.today().add_days(90).to_string()),
        tags: Vec::new(),
    };
    crate::listings::create(app, store, viewer, &input)
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LevelCountsDto {
    pub dimension: String,
    pub name_zh: String,
    pub name_en: String,
    /// Enterprises at levels 1, 2, 3 and 4.
    pub levels: [u32; 4],
    pub mean_score: Option<f64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CommonGapDto {
    pub question: String,
    pub gap_zh: String,
    pub gap_en: String,
    /// Enterprises whose latest assessment has this gap.
    pub enterprises: u32,
}

/// Assessments rolled up over a region (and a chain): each enterprise's latest.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RollupDto {
    pub assessed: u32,
    /// The digital level first, then each dimension.
    pub levels: Vec<LevelCountsDto>,
    /// The most common gaps, most enterprises first (at most 10).
    pub common_gaps: Vec<CommonGapDto>,
}

/// The roll-up of the latest assessment of every enterprise in `region` (and `chain`);
/// staff only.
pub fn rollup(
    store: &Store,
    viewer: &Viewer,
    region: Option<RegionCode>,
    chain: Option<ChainId>,
) -> Result<RollupDto, AppError> {
    viewer.require(Permission::Analyse)?;
    compute_rollup(store, region, chain)
}

/// [`rollup`] for whoever may read it (the local operator's CLI).
pub fn compute_rollup(
    store: &Store,
    region: Option<RegionCode>,
    chain: Option<ChainId>,
) -> Result<RollupDto, AppError> {
    let regions = region.map(|c| {
        let r = c.descendants();
        (*r.start(), *r.end())
    });
    let mut assessed = 0u32;
    let mut digital = ([0u32; 4], 0.0f64);
    let mut dims: BTreeMap<Dimension, ([u32; 4], f64, u32)> = BTreeMap::new();
    let mut gaps: HashMap<&'static str, u32> = HashMap::new();
    store.for_each_latest_assessment(regions, chain, |a| {
        let Ok(answers) = Answers::from_stored(&a.answers) else {
            return;
        };
        let s = assessment::score(&answers);
        assessed += 1;
        digital.0[usize::from(s.digital.level - 1)] += 1;
        digital.1 += s.digital.score;
        for d in &s.dimensions {
            let e = dims.entry(d.dimension).or_default();
            e.0[usize::from(d.level - 1)] += 1;
            e.1 += d.score;
            e.2 += 1;
        }
        for (q, _) in &s.gaps {
            *gaps.entry(q.id).or_default() += 1;
        }
    })?;
    let mean = |sum: f64, n: u32| (n > 0).then(|| (sum / f64::from(n) * 10.0).round() / 10.0);
    let mut levels = vec![LevelCountsDto {
        dimension: "digital".into(),
        name_zh: "数字化水平".into(),
        name_en: "digital level".into(),
        levels: digital.0,
        mean_score: mean(digital.1, assessed),
    }];
    for (d, (counts, sum, n)) in dims {
        levels.push(LevelCountsDto {
            dimension: d.as_str().into(),
            name_zh: d.name(Lang::Zh).into(),
            name_en: d.name(Lang::En).into(),
            levels: counts,
            mean_score: mean(sum, n),
        });
    }
    let mut common: Vec<CommonGapDto> = gaps
        .into_iter()
        .filter_map(|(id, n)| {
            let q = QUESTIONS.iter().find(|q| q.id == id)?;
            Some(CommonGapDto {
                question: id.into(),
                gap_zh: q.gap.zh.into(),
                gap_en: q.gap.en.into(),
                enterprises: n,
            })
        })
        .collect();
    common.sort_by(|a, b| {
        b.enterprises
            .cmp(&a.enterprises)
            .then(a.question.cmp(&b.question))
    });
    common.truncate(10);
    Ok(RollupDto {
        assessed,
        levels,
        common_gaps: common,
    })
}

/// The roll-up as sheets in `lang`: levels, then common gaps.
pub fn rollup_sheets(r: &RollupDto, lang: Lang) -> Vec<chainatlas_bundle::sheet::Sheet> {
    let t = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    vec![
        chainatlas_bundle::sheet::Sheet {
            name: t("水平分布", "levels"),
            header: vec![
                t("维度", "dimension"),
                t("一级", "level 1"),
                t("二级", "level 2"),
                t("三级", "level 3"),
                t("四级", "level 4"),
                t("平均得分", "mean score"),
            ],
            rows: r
                .levels
                .iter()
                .map(|l| {
                    let mut row = vec![lang.pick(&l.name_zh, &l.name_en).to_string()];
                    row.extend(l.levels.iter().map(|n| n.to_string()));
                    row.push(l.mean_score.map_or_else(String::new, |m| format!("{m:.1}")));
                    row
                })
                .collect(),
        },
        chainatlas_bundle::sheet::Sheet {
            name: t("常见短板", "common gaps"),
            header: vec![
                t("问题", "question"),
                t("短板", "gap"),
                t("企业数", "enterprises"),
            ],
            rows: r
                .common_gaps
                .iter()
                .map(|g| {
                    vec![
                        g.question.clone(),
                        lang.pick(&g.gap_zh, &g.gap_en).to_string(),
                        g.enterprises.to_string(),
                    ]
                })
                .collect(),
        },
    ]
}
