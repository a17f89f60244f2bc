//! The demo atlas: a realistic, clearly synthetic dataset built from a documented model
//! (`docs/demo-data.md`), deterministic from a seed.
//!
//! Chains, nodes, input links and regions are real; enterprises, their figures and their
//! supply relations are invented and marked `synthetic demo` in their `source`. The
//! generator is pure: it hands records to a callback in dependency order and keeps only
//! compact per-enterprise facts in memory, so `--scale 1000000` streams.

mod chains;
mod rng;
pub mod services;

use std::collections::HashMap;

use chainatlas_model::{
    Chain, ChainId, ChainNode, CreditCode, Date, Enterprise, EnterpriseId, EnterpriseNode,
    EnterpriseSize, Listing, ListingId, ListingKind, ListingSide, ListingStatus, Money, NodeId,
    NodeInput, Record, Region, RegionCode, Segment, SupplyRelation, SupplyRelationId, Tag, Tags,
};

mod events;
mod judged;

use chains::{ChainDef, CHAINS, REGIONS};
pub use events::{demo_events, BUYERS, SUPPLIERS};
pub use judged::{judged_matching_set, JudgedSet};
use rng::{Rng, Weighted};

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoConfig {
    pub seed: u64,
    pub enterprises: u32,
    /// Average supply relations per enterprise.
    pub relations_per_enterprise: u32,
    pub listings: u32,
    /// "Today" for listing validity, fixed so that the data does not depend on the clock.
    pub reference_date: Date,
    /// Participants of the past demo event (the coming one has five eighths as many, at
    /// least 30).
    pub event_participants: usize,
}

impl DemoConfig {
    /// The demo shown by `chainatlas demo` and `serve` on a new database.
    pub fn demo(seed: u64) -> DemoConfig {
        DemoConfig {
            seed,
            enterprises: 2000,
            relations_per_enterprise: 5,
            listings: 300,
            reference_date: Date::new(2026, 11, 1).expect("valid date"),
            event_participants: 48,
        }
    }

    /// A province-scale dataset for benchmarks: `enterprises` firms, ~10 relations each,
    /// and a past docking event of Wuhan's size (1,100 participants).
    pub fn scale(seed: u64, enterprises: u32) -> DemoConfig {
        DemoConfig {
            enterprises,
            relations_per_enterprise: 10,
            listings: enterprises / 10,
            event_participants: 1100,
            ..DemoConfig::demo(seed)
        }
    }
}

pub use chainatlas_model::SYNTHETIC_SOURCE;

/// Generates the atlas, handing each record to `emit` in dependency order.
pub fn generate<E>(
    config: &DemoConfig,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    let mut rng = Rng::new(config.seed);
    let atlas = Atlas::build();
    for record in atlas.static_records() {
        emit(record)?;
    }
    let members = generate_enterprises(config, &atlas, &mut rng, emit)?;
    for m in &members.list {
        emit(Record::EnterpriseNode(EnterpriseNode {
            enterprise: EnterpriseId(m.enterprise as i64 + 1),
            node: atlas.nodes[m.node as usize].id,
            output: Money::from_yuan(m.output_yuan),
            capacity: Money::from_yuan(m.capacity_yuan),
        }))?;
    }
    generate_relations(config, &atlas, &members, &mut rng, emit)?;
    generate_listings(config, &atlas, &members, &mut rng, emit)?;
    Ok(())
}

/// The whole atlas as a vector: for small configurations (tests, examples). Large ones
/// should stream through [`generate`].
pub fn records(config: &DemoConfig) -> Vec<Record> {
    let mut out = Vec::new();
    generate::<std::convert::Infallible>(config, &mut |r| {
        out.push(r);
        Ok(())
    })
    .unwrap_or_else(|never| match never {});
    out
}

/// The whole atlas with the demo's two events after it, as records in dependency order:
/// what a full bundle of the demo holds.
pub fn records_with_events(config: &DemoConfig) -> Vec<Record> {
    let mut out = records(config);
    let listings: Vec<_> = out
        .iter()
        .filter_map(|r| match r {
            Record::Listing(l) => Some(l.clone()),
            _ => None,
        })
        .collect();
    let chains: HashMap<_, _> = out
        .iter()
        .filter_map(|r| match r {
            Record::ChainNode(n) => Some((n.id, n.chain)),
            _ => None,
        })
        .collect();
    let events = demo_events(config, &listings, &|n| chains.get(&n).copied());
    out.extend(events.iter().map(|e| Record::Event(e.event.clone())));
    for e in &events {
        out.extend(e.participants.iter().cloned().map(Record::Participant));
    }
    for e in &events {
        out.extend(e.requests.iter().cloned().map(Record::MeetingRequest));
    }
    for e in &events {
        out.extend(e.meetings.iter().cloned().map(Record::Meeting));
    }
    for e in &events {
        out.extend(e.agreements.iter().cloned().map(Record::Agreement));
    }
    out
}

/// The fixed part of the demo: regions, chains, nodes, inputs, with lookup tables.
struct Atlas {
    regions: Vec<Region>,
    chains: Vec<Chain>,
    nodes: Vec<ChainNode>,
    /// For each node index: the chain definition index.
    node_chain: Vec<usize>,
    /// For each node index: input node indices.
    inputs_of: Vec<Vec<u16>>,
    /// For each node index: output node indices.
    outputs_of: Vec<Vec<u16>>,
    /// For each node index: where its enterprises are drawn, as region indices.
    placement: Vec<Option<(Vec<usize>, Weighted)>>,
}

impl Atlas {
    fn build() -> Atlas {
        let regions: Vec<Region> = REGIONS
            .iter()
            .map(|&(code, zh, en)| {
                let code = RegionCode::new(code).expect("demo region codes are valid");
                Region {
                    code,
                    name_zh: zh.into(),
                    name_en: en.into(),
                    parent: code.implied_parent(),
                    level: code.level(),
                }
            })
            .collect();
        let mut chains = Vec::new();
        let mut nodes = Vec::new();
        let mut node_chain = Vec::new();
        let mut index_of = HashMap::new();
        for (c, def) in CHAINS.iter().enumerate() {
            let chain_id = ChainId(c as i64 + 1);
            chains.push(Chain {
                id: chain_id,
                code: def.code.into(),
                name_zh: def.name_zh.into(),
                name_en: def.name_en.into(),
            });
            for &(suffix, zh, en, segment) in def.nodes {
                let code = format!("{}-{suffix}", def.code);
                index_of.insert(code.clone(), nodes.len());
                nodes.push(ChainNode {
                    id: NodeId(nodes.len() as i64 + 1),
                    chain: chain_id,
                    code,
                    name_zh: zh.into(),
                    name_en: en.into(),
                    segment,
                });
                node_chain.push(c);
            }
        }
        let mut inputs_of = vec![Vec::new(); nodes.len()];
        let mut outputs_of = vec![Vec::new(); nodes.len()];
        for def in CHAINS {
            for &(input, outputs) in def.inputs {
                let i = index_of[&format!("{}-{input}", def.code)];
                for output in outputs {
                    let o = index_of[&format!("{}-{output}", def.code)];
                    inputs_of[o].push(i as u16);
                    outputs_of[i].push(o as u16);
                }
            }
        }
        let placement = (0..nodes.len())
            .map(|n| {
                let def = &CHAINS[node_chain[n]];
                let suffix = &nodes[n].code[def.code.len() + 1..];
                placement_for(def, suffix, &regions)
            })
            .collect();
        Atlas {
            regions,
            chains,
            nodes,
            node_chain,
            inputs_of,
            outputs_of,
            placement,
        }
    }

    fn static_records(&self) -> Vec<Record> {
        let mut records: Vec<Record> = self.regions.iter().cloned().map(Record::Region).collect();
        records.extend(self.chains.iter().cloned().map(Record::Chain));
        records.extend(self.nodes.iter().cloned().map(Record::ChainNode));
        let mut inputs: Vec<NodeInput> = self
            .inputs_of
            .iter()
            .enumerate()
            .flat_map(|(o, ins)| ins.iter().map(move |&i| (i as usize, o)))
            .map(|(i, o)| NodeInput {
                input: self.nodes[i].id,
                output: self.nodes[o].id,
            })
            .collect();
        inputs.sort();
        records.extend(inputs.into_iter().map(Record::NodeInput));
        records
    }

    fn region_code(&self, region: usize) -> RegionCode {
        self.regions[region].code
    }
}

/// Where enterprises of one node are placed: the chain's clusters weigh heavily, every
/// other city a little (the outside suppliers), and the deliberate gaps cut a province out.
fn placement_for(
    def: &ChainDef,
    suffix: &str,
    regions: &[Region],
) -> Option<(Vec<usize>, Weighted)> {
    let cities: Vec<usize> = (0..regions.len())
        .filter(|&i| regions[i].level != chainatlas_model::RegionLevel::Province)
        .collect();
    let weights = cities.iter().map(|&i| {
        let code = regions[i].code;
        let city = code.city().unwrap_or(code);
        // Districts share their city's weight rather than adding to it.
        let siblings = cities
            .iter()
            .filter(|&&j| regions[j].code.city() == Some(city))
            .count() as u64;
        let cluster: u64 = def
            .clusters
            .iter()
            .filter(|&&(c, _)| c == city.value())
            .map(|&(_, w)| w as u64 * 100)
            .sum();
        let base = 100 + cluster;
        let gap = def
            .gaps
            .iter()
            .find(|&&(node, province, _)| node == suffix && province == code.province().value())
            .map_or(100, |&(_, _, factor)| factor as u64);
        base * gap / siblings.max(1)
    });
    Weighted::new(weights.collect::<Vec<_>>()).map(|w| (cities, w))
}

/// One enterprise's presence in one node: what the relation generator needs.
struct Member {
    enterprise: u32,
    node: u16,
    region: u32,
    output_yuan: i64,
    capacity_yuan: i64,
}

struct Members {
    list: Vec<Member>,
}

const FIRST: &[(&str, &str)] = &[
    ("恒", "Heng"),
    ("华", "Hua"),
    ("宏", "Hong"),
    ("金", "Jin"),
    ("瑞", "Rui"),
    ("鼎", "Ding"),
    ("博", "Bo"),
    ("天", "Tian"),
    ("新", "Xin"),
    ("汇", "Hui"),
    ("长", "Chang"),
    ("嘉", "Jia"),
    ("永", "Yong"),
    ("凯", "Kai"),
    ("联", "Lian"),
    ("众", "Zhong"),
    ("立", "Li"),
    ("通", "Tong"),
    ("国", "Guo"),
    ("德", "De"),
    ("启", "Qi"),
    ("湘", "Xiang"),
    ("楚", "Chu"),
    ("晋", "Jin"),
    ("粤", "Yue"),
];
const SECOND: &[(&str, &str)] = &[
    ("达", "da"),
    ("泰", "tai"),
    ("远", "yuan"),
    ("诚", "cheng"),
    ("丰", "feng"),
    ("盛", "sheng"),
    ("创", "chuang"),
    ("信", "xin"),
    ("和", "he"),
    ("源", "yuan"),
    ("力", "li"),
    ("科", "ke"),
    ("锐", "rui"),
    ("宇", "yu"),
    ("鑫", "xin"),
    ("晟", "sheng"),
    ("航", "hang"),
    ("邦", "bang"),
    ("拓", "tuo"),
    ("峰", "feng"),
];

/// The short city name used in enterprise names: 株洲, Zhuzhou.
fn city_short_names(atlas: &Atlas, region: usize) -> (String, String) {
    let code = atlas.region_code(region);
    let city = code.city().unwrap_or(code);
    let city = atlas
        .regions
        .iter()
        .find(|r| r.code == city)
        .expect("demo cities are listed");
    let zh = city
        .name_zh
        .trim_end_matches("市辖区")
        .trim_end_matches('市')
        .to_string();
    let en = city.name_en.trim_end_matches(" (city)").to_string();
    (zh, en)
}

/// The 9-character organisation code (GB 11714) that forms positions 9-17 of a credit
/// code: 8 characters unique per enterprise, then their own check character.
fn organisation_code(index: u32, seed: u64) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const SPACE: u64 = 31u64.pow(6);
    // Multiplying by a number coprime to 31 permutes 0..31^6: unique, but not sequential-looking.
    let mut x = (index as u64 * 387_420_489 + seed % SPACE) % SPACE;
    let mut body = b"MA".to_vec();
    let mut tail = [0u8; 6];
    for slot in tail.iter_mut().rev() {
        *slot = ALPHABET[(x % 31) as usize];
        x /= 31;
    }
    body.extend_from_slice(&tail);
    let value = |b: u8| {
        if b.is_ascii_digit() {
            (b - b'0') as u32
        } else {
            (b - b'A') as u32 + 10
        }
    };
    let sum: u32 = body
        .iter()
        .zip([3, 7, 9, 10, 5, 8, 4, 2])
        .map(|(&b, w)| value(b) * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        c => char::from_digit(c, 10).expect("digit"),
    };
    let mut code = String::from_utf8(body).expect("ascii");
    code.push(check);
    code
}

fn size_for(segment: Segment, rng: &mut Rng) -> EnterpriseSize {
    // Shares of large/medium/small/micro firms, in percent.
    let shares: [u64; 4] = match segment {
        Segment::Downstream => [12, 28, 45, 15],
        Segment::Midstream => [4, 16, 50, 30],
        Segment::Upstream => [3, 12, 50, 35],
    };
    EnterpriseSize::ALL[Weighted::new(shares).expect("positive").draw(rng)]
}

fn figures_for(size: EnterpriseSize, rng: &mut Rng) -> (i64, u32) {
    let (revenue, employees) = match size {
        EnterpriseSize::Large => ((2e9, 3e10), (1000.0, 20000.0)),
        EnterpriseSize::Medium => ((2e8, 2e9), (300.0, 1000.0)),
        EnterpriseSize::Small => ((2e7, 2e8), (20.0, 300.0)),
        EnterpriseSize::Micro => ((1e6, 2e7), (3.0, 20.0)),
    };
    let revenue_yuan = rng.log_between(revenue.0, revenue.1) as i64 / 10_000 * 10_000;
    (
        revenue_yuan,
        rng.log_between(employees.0, employees.1) as u32,
    )
}

fn tags_for(size: EnterpriseSize, rng: &mut Rng) -> Tags {
    let (high_tech, specialized, listed) = match size {
        EnterpriseSize::Large => (0.6, 0.0, 0.55),
        EnterpriseSize::Medium => (0.45, 0.2, 0.06),
        EnterpriseSize::Small => (0.3, 0.12, 0.0),
        EnterpriseSize::Micro => (0.1, 0.03, 0.0),
    };
    let mut tags = Tags::EMPTY;
    if rng.chance(high_tech) {
        tags.insert(Tag::HighTech);
    }
    if rng.chance(specialized) {
        tags.insert(Tag::SpecializedNew);
    }
    if rng.chance(listed) {
        tags.insert(Tag::Listed);
    }
    tags
}

/// The enterprises that anchor each chain: a chain master in the main downstream node of
/// each of the chain's three largest clusters.
fn anchors(atlas: &Atlas) -> Vec<(usize, usize)> {
    let mut anchors = Vec::new();
    for (c, def) in CHAINS.iter().enumerate() {
        let main_node = (0..atlas.nodes.len())
            .filter(|&n| atlas.node_chain[n] == c && atlas.nodes[n].segment == Segment::Downstream)
            .max_by_key(|&n| (atlas.inputs_of[n].len(), std::cmp::Reverse(n)))
            .expect("every chain has a downstream node");
        let mut clusters = def.clusters.to_vec();
        clusters.sort_by_key(|&(code, w)| (std::cmp::Reverse(w), code));
        for &(city, _) in clusters.iter().take(3) {
            let region = atlas
                .regions
                .iter()
                .position(|r| r.code.value() == city)
                .expect("cluster cities are listed");
            anchors.push((main_node, region));
        }
    }
    anchors
}

fn generate_enterprises<E>(
    config: &DemoConfig,
    atlas: &Atlas,
    rng: &mut Rng,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<Members, E> {
    let node_weights = Weighted::new(atlas.nodes.iter().enumerate().map(|(n, node)| {
        let by_segment = match node.segment {
            Segment::Upstream => 10,
            Segment::Midstream => 13,
            Segment::Downstream => 6,
        };
        if atlas.placement[n].is_some() {
            by_segment
        } else {
            0
        }
    }))
    .expect("some node can be placed");
    let anchors = anchors(atlas);
    let mut members = Vec::with_capacity(config.enterprises as usize * 6 / 5);
    for index in 0..config.enterprises {
        let anchor = anchors.get(index as usize).copied();
        let (node, region) = match anchor {
            Some(anchor) => anchor,
            None => {
                let node = node_weights.draw(rng);
                let (cities, weights) = atlas.placement[node]
                    .as_ref()
                    .expect("weighted nodes are placeable");
                (node, cities[weights.draw(rng)])
            }
        };
        let segment = atlas.nodes[node].segment;
        let size = if anchor.is_some() {
            EnterpriseSize::Large
        } else {
            size_for(segment, rng)
        };
        let (mut revenue_yuan, employees) = figures_for(size, rng);
        let mut tags = tags_for(size, rng);
        if anchor.is_some() {
            revenue_yuan *= 4;
            tags = tags
                .with(Tag::ChainMaster)
                .with(Tag::Listed)
                .with(Tag::HighTech);
        }
        let code = atlas.region_code(region);
        let (city_zh, city_en) = city_short_names(atlas, region);
        let (first_zh, first_en) = *rng.pick(FIRST);
        let (second_zh, second_en) = *rng.pick(SECOND);
        let def = &CHAINS[atlas.node_chain[node]];
        let suffix = if tags.contains(Tag::Listed) {
            "股份有限公司"
        } else {
            "有限公司"
        };
        let enterprise = Enterprise {
            id: EnterpriseId(index as i64 + 1),
            credit_code: CreditCode::with_check_character(&format!(
                "91{code}{}",
                organisation_code(index, config.seed)
            ))
            .expect("generated codes use the credit code alphabet"),
            name_zh: format!("{city_zh}{first_zh}{second_zh}{}{suffix}", def.trade.0),
            name_en: format!("{city_en} {first_en}{second_en} {} Co., Ltd.", def.trade.1),
            region: code,
            size,
            tags,
            revenue: Money::from_yuan(revenue_yuan),
            employees,
            source: SYNTHETIC_SOURCE.into(),
            other_names: Vec::new(),
            address: String::new(),
            phone: String::new(),
            legal_representative: String::new(),
            industry: Some(
                def.industry[segment as usize]
                    .parse()
                    .expect("the chains' codes are valid"),
            ),
        };
        emit(Record::Enterprise(enterprise))?;

        // One in five firms also works in a neighbouring node of the same chain.
        let neighbours: Vec<u16> = atlas.inputs_of[node]
            .iter()
            .chain(&atlas.outputs_of[node])
            .copied()
            .filter(|&n| n as usize != node)
            .collect();
        let second = (!neighbours.is_empty() && rng.chance(0.2)).then(|| *rng.pick(&neighbours));
        let in_nodes = revenue_yuan * 85 / 100;
        let shares = match second {
            Some(other) => vec![
                (node as u16, in_nodes * 7 / 10),
                (other, in_nodes - in_nodes * 7 / 10),
            ],
            None => vec![(node as u16, in_nodes)],
        };
        let mut shares = shares;
        shares.sort_by_key(|&(n, _)| n);
        for (n, output_yuan) in shares {
            let capacity_yuan = output_yuan + output_yuan * rng.between(5, 60) / 100;
            members.push(Member {
                enterprise: index,
                node: n,
                region: code.value(),
                output_yuan,
                capacity_yuan,
            });
        }
    }
    Ok(Members { list: members })
}

fn generate_relations<E>(
    config: &DemoConfig,
    atlas: &Atlas,
    members: &Members,
    rng: &mut Rng,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    // Suppliers of each node, everywhere, by province and by city.
    let mut anywhere: Vec<Vec<u32>> = vec![Vec::new(); atlas.nodes.len()];
    let mut by_province: HashMap<(u16, u32), Vec<u32>> = HashMap::new();
    let mut by_city: HashMap<(u16, u32), Vec<u32>> = HashMap::new();
    for m in &members.list {
        anywhere[m.node as usize].push(m.enterprise);
        let region = RegionCode::new(m.region).expect("valid");
        by_province
            .entry((m.node, region.province().value()))
            .or_default()
            .push(m.enterprise);
        if let Some(city) = region.city() {
            by_city
                .entry((m.node, city.value()))
                .or_default()
                .push(m.enterprise);
        }
    }
    let pairs: u64 = members
        .list
        .iter()
        .map(|m| atlas.inputs_of[m.node as usize].len() as u64)
        .sum();
    let target = config.enterprises as u64 * config.relations_per_enterprise as u64;
    // Suppliers per (buyer, input node) are uniform on 1..=max_k, whose mean meets the target.
    let max_k = ((2 * target).div_ceil(pairs.max(1)))
        .saturating_sub(1)
        .max(1) as i64;
    let mut next_id = 1i64;
    let mut chosen: Vec<u32> = Vec::new();
    let masters = anchors(atlas).len();
    for buyer in &members.list {
        let inputs = &atlas.inputs_of[buyer.node as usize];
        let region = RegionCode::new(buyer.region).expect("valid");
        for &input in inputs {
            if anywhere[input as usize].is_empty() {
                continue;
            }
            let k = rng.between(1, max_k) as usize;
            chosen.clear();
            for _ in 0..k {
                for _attempt in 0..4 {
                    let tier = rng.unit();
                    let local = if tier < 0.35 {
                        region.city().and_then(|c| by_city.get(&(input, c.value())))
                    } else if tier < 0.6 {
                        by_province.get(&(input, region.province().value()))
                    } else {
                        None
                    };
                    let pool = local.unwrap_or(&anywhere[input as usize]);
                    let supplier = *rng.pick(pool);
                    if supplier != buyer.enterprise && !chosen.contains(&supplier) {
                        chosen.push(supplier);
                        break;
                    }
                }
            }
            if chosen.is_empty() {
                continue;
            }
            // Inputs take half of the buyer's output value, shared evenly over its input nodes
            // and unevenly over the suppliers of each.
            let budget = buyer.output_yuan / 2 / inputs.len() as i64;
            let mut weights: Vec<i64> = chosen.iter().map(|_| rng.between(1, 10)).collect();
            // Each chain master buys its last input from one supplier alone: the kind of
            // single-source dependency diagnostics exist to find. (The draws above still
            // happen, so the rest of the atlas does not shift.)
            if (buyer.enterprise as usize) < masters && Some(&input) == inputs.last() {
                chosen.truncate(1);
                weights.truncate(1);
            }
            let total: i64 = weights.iter().sum();
            for (&supplier, &w) in chosen.iter().zip(&weights) {
                let value = (budget * w / total).max(1);
                emit(Record::SupplyRelation(SupplyRelation {
                    id: SupplyRelationId(next_id),
                    supplier: EnterpriseId(supplier as i64 + 1),
                    buyer: EnterpriseId(buyer.enterprise as i64 + 1),
                    node: atlas.nodes[input as usize].id,
                    annual_value: Money::from_yuan(value),
                }))?;
                next_id += 1;
            }
        }
    }
    Ok(())
}

/// Transformation providers' offers: (kind, title, what they do).
const PROVIDER_OFFERS: &[(ListingKind, &str, &str)] = &[
    (
        ListingKind::Technology,
        "设备联网与数据采集方案",
        "提供设备联网、数据采集和工业互联网平台接入，支持多品牌数控设备。",
    ),
    (
        ListingKind::Service,
        "ERP/MES 系统实施服务",
        "提供 ERP、MES 等信息化系统选型、实施和运维服务。",
    ),
    (
        ListingKind::Service,
        "网络安全等级保护服务",
        "提供网络安全、数据安全评估和等级保护测评辅导。",
    ),
    (
        ListingKind::Technology,
        "工业软件与仿真设计服务",
        "提供 CAD 三维设计、CAE 仿真和 PLM 研发管理方案。",
    ),
    (
        ListingKind::Service,
        "数字化转型诊断咨询",
        "提供数字化转型诊断、规划和实施路径咨询，服务中小企业。",
    ),
    (
        ListingKind::Service,
        "数字化人才实训",
        "开展数字化工程师培训和实训。",
    ),
    (
        ListingKind::Technology,
        "能耗在线监测平台",
        "提供能源计量、能耗在线监测和能源管理平台建设。",
    ),
    (
        ListingKind::Technology,
        "节能减排技术改造",
        "提供余热回收、节能改造和环保治理技术。",
    ),
    (
        ListingKind::Service,
        "绿色工厂与碳核算咨询",
        "提供绿色工厂创建辅导、碳核算与碳足迹评价。",
    ),
    (
        ListingKind::Technology,
        "质量视觉检测与追溯系统",
        "提供机器视觉质量检测和产品追溯系统。",
    ),
    (
        ListingKind::Service,
        "供应链协同平台接入",
        "提供供应链协同、采购电子商务平台接入服务。",
    ),
    (
        ListingKind::Service,
        "设备更新融资租赁服务",
        "为设备更新提供融资租赁、贴息贷款等金融服务对接。",
    ),
    (
        ListingKind::Technology,
        "产线自动化与机器人集成",
        "提供智能制造产线自动化改造和工业机器人集成。",
    ),
];

const EQUIPMENT: &[(&str, &str, &str)] = &[
    ("五轴联动加工中心", "5-axis machining centre", "台"),
    ("工业机器人焊接工作站", "Robotic welding cell", "套"),
    ("数控立式车床", "CNC vertical lathe", "台"),
    ("光纤激光切割机", "Fibre laser cutting machine", "台"),
    ("真空烧结炉", "Vacuum sintering furnace", "台"),
    (
        "自动化立体仓库",
        "Automated storage and retrieval system",
        "套",
    ),
    (
        "在线视觉检测设备",
        "Inline machine-vision inspection system",
        "套",
    ),
    ("节能型空压机", "Energy-saving air compressor", "台"),
];

/// Units of a node's goods, the same for its demands and supplies so that quantities compare.
fn node_unit(node: NodeId) -> &'static str {
    ["件", "套", "吨"][node.0 as usize % 3]
}

/// What a listing is about, without the verb and model: `设备更新：数控机床` → `数控机床`.
fn title_key(title: &str) -> String {
    let t = title
        .trim_start_matches("设备更新：")
        .trim_start_matches("Equipment renewal: ")
        .trim_start_matches("供应");
    t.split_whitespace().next().unwrap_or(t).to_string()
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn generate_listings<E>(
    config: &DemoConfig,
    atlas: &Atlas,
    members: &Members,
    rng: &mut Rng,
    emit: &mut dyn FnMut(Record) -> Result<(), E>,
) -> Result<(), E> {
    if members.list.is_empty() {
        return Ok(());
    }
    let buyers: Vec<&Member> = members
        .list
        .iter()
        .filter(|m| !atlas.inputs_of[m.node as usize].is_empty())
        .collect();
    for index in 0..config.listings {
        let roll = rng.below(100);
        let member = if roll < 40 && !buyers.is_empty() {
            *rng.pick(&buyers)
        } else {
            rng.pick(&members.list)
        };
        let english = rng.chance(0.2);
        let (side, kind, node, title, description, unit) = if roll < 40 && !buyers.is_empty() {
            let input = &atlas.nodes[*rng.pick(&atlas.inputs_of[member.node as usize]) as usize];
            let buyer_node = &atlas.nodes[member.node as usize];
            let (title, description) = if english {
                (
                    format!("Sourcing {}", input.name_en.to_lowercase()),
                    format!(
                        "{} maker seeks qualified {} suppliers for annual volume contracts.",
                        buyer_node.name_en,
                        input.name_en.to_lowercase()
                    ),
                )
            } else {
                let verb = *rng.pick(&["采购", "寻找供应商：", "求购", "长期采购"]);
                (
                    format!("{verb}{}", input.name_zh),
                    format!("本企业从事{}，现寻求{}长期稳定供应，要求质量可靠、交付及时，优先本地配套。", buyer_node.name_zh, input.name_zh),
                )
            };
            (
                ListingSide::Demand,
                ListingKind::Product,
                Some(input.id),
                title,
                description,
                node_unit(input.id),
            )
        } else if roll < 70 {
            let node = &atlas.nodes[member.node as usize];
            let kind = if rng.chance(0.3) {
                ListingKind::Capacity
            } else {
                ListingKind::Product
            };
            let (title, description) = if english {
                (
                    format!("Supply of {}", node.name_en.to_lowercase()),
                    format!(
                        "Spare capacity in {}; OEM and custom orders welcome.",
                        node.name_en.to_lowercase()
                    ),
                )
            } else {
                (
                    format!("供应{}", node.name_zh),
                    format!(
                        "具备{}批量生产能力，现有富余产能，可按需定制，欢迎洽谈配套合作。",
                        node.name_zh
                    ),
                )
            };
            (
                ListingSide::Supply,
                kind,
                Some(node.id),
                title,
                description,
                node_unit(node.id),
            )
        } else if roll < 80 {
            // Equipment makers answer the renewal demands.
            let (zh, en, unit) = *rng.pick(EQUIPMENT);
            let model = format!(
                "{}-{}",
                *rng.pick(&["HX", "ZK", "SD", "TR"]),
                rng.between(100, 999)
            );
            let (title, description) = if english {
                (
                    format!("{en} {model}"),
                    format!(
                        "Manufacturer of {en}; model {model}, installation and training included."
                    ),
                )
            } else {
                (
                    format!("供应{zh} {model}"),
                    format!("自主研发{zh}，型号{model}，提供安装调试与培训，可承接设备更新项目。"),
                )
            };
            (
                ListingSide::Supply,
                ListingKind::Equipment,
                None,
                title,
                description,
                unit,
            )
        } else if roll < 95 {
            let (zh, en, unit) = *rng.pick(EQUIPMENT);
            let (title, description) = if english {
                (
                    format!("Equipment renewal: {en}"),
                    format!(
                        "Large-scale equipment renewal project: replacing old lines with {en}."
                    ),
                )
            } else {
                (format!("设备更新：{zh}"), format!("大规模设备更新项目，计划采购{zh}替换老旧产线，要求高端化、智能化、绿色化。"))
            };
            (
                ListingSide::Demand,
                ListingKind::Equipment,
                None,
                title,
                description,
                unit,
            )
        } else {
            // Providers of transformation services, in their own chain link: what a
            // self-assessment's gaps are matched with.
            let node = &atlas.nodes[member.node as usize];
            let (kind, offer, what) = *rng.pick(PROVIDER_OFFERS);
            (
                ListingSide::Supply,
                kind,
                Some(node.id),
                offer.to_string(),
                format!("面向{}企业，{what}", node.name_zh),
                "项",
            )
        };
        let quantity = rng.between(1, 500) as u64;
        // Prices are per unit: a demand's budget is the most it pays for one, a supply's
        // price what it asks for one. Both scatter around a price that depends on the node
        // (or the equipment), so that some supplies fit a budget and some do not.
        let base = 500 + (fnv(&title_key(&title)) % 50) as i64 * 1000;
        let factor = match side {
            ListingSide::Demand => rng.between(80, 130),
            ListingSide::Supply => rng.between(80, 120),
        };
        let price = Money::from_yuan(base * factor / 100);
        let valid_until = config.reference_date.add_days(rng.between(-30, 180));
        let status = if rng.chance(0.1) {
            ListingStatus::Closed
        } else {
            ListingStatus::Open
        };
        // Demands sometimes require a qualification; supplies often state theirs.
        let tags = match side {
            ListingSide::Demand if rng.chance(0.25) => {
                vec![rng
                    .pick(&["ISO 9001", "高新技术企业", "IATF 16949"])
                    .to_string()]
            }
            ListingSide::Supply if rng.chance(0.5) => vec!["ISO 9001".to_string()],
            _ => Vec::new(),
        };
        emit(Record::Listing(Listing {
            id: ListingId(index as i64 + 1),
            enterprise: EnterpriseId(member.enterprise as i64 + 1),
            side,
            kind,
            node,
            title,
            description,
            quantity: Some(quantity),
            unit: unit.to_string(),
            price: Some(price),
            region: RegionCode::new(member.region).expect("valid"),
            valid_until: Some(valid_until),
            status,
            tags,
        }))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
