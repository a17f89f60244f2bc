//! `diagnose`, `disrupt`, `chokepoints` and `attract`: the chain diagnostics on the
//! command line, printing the same wire types as the API.

use std::time::{Duration, Instant};

use anyhow::Result;
use chainatlas_analysis::Graph;
use chainatlas_app::diagnostics::{self as diag, EnterpriseBriefDto, RegionRefDto};
use chainatlas_app::format::wan;
use chainatlas_model::{text, EnterpriseId, NodeId, RegionCode};
use chainatlas_store::Store;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

/// Options every diagnostics command takes.
#[derive(clap::Args, Debug)]
pub struct Output {
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    format: ReportFormat,
    /// With --format csv: which table to write (the first one by default).
    #[arg(long)]
    section: Option<String>,
    /// Run the analysis this many times and print timings to stderr (for benchmarks).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
}

#[derive(clap::Subcommand, Debug)]
pub enum DiagnosticsCommand {
    /// Diagnose a chain in a region: node coverage, short boards, local supporting
    /// rates and dependencies.
    Diagnose(DiagnoseArgs),
    /// Simulate a disruption: remove enterprises, regions or nodes of a chain (or a
    /// fraction of their capacity) and follow the loss downstream.
    Disrupt(DisruptArgs),
    /// Rank the enterprises and nodes whose failure alone loses the most output downstream.
    Chokepoints(ChokepointsArgs),
    /// Investment-attraction targets for each short board of a chain in a region.
    Attract(AttractArgs),
    /// New boards (nodes a region lacks, by feasibility: relatedness, local inputs, local
    /// buyers; with PCI and COG) and long boards (where it is strong), among the regions
    /// of its level.
    Opportunities(OpportunitiesArgs),
}

#[derive(clap::Args, Debug)]
pub struct OpportunitiesArgs {
    /// 6-digit division code of the region.
    #[arg(long)]
    pub region: RegionCode,
    /// The regions compared: county, city or province.
    #[arg(long, default_value = "city")]
    pub level: String,
    /// What a region does in a node: output, enterprises or employees.
    #[arg(long, default_value = "output")]
    pub measure: String,
    /// New boards listed.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// The activities compared: chain nodes (node), or national industry classes of the
    /// enterprises' GB/T 4754-2017 codes (industry; enterprises without a code are left
    /// out).
    #[arg(long, default_value = "node")]
    pub by: String,
    /// With --by industry: digits of the code compared, 2 (division), 3 (group) or 4
    /// (class).
    #[arg(long, default_value = "4")]
    pub digits: String,
    /// The regions compared (division codes, comma-separated); by default all regions of
    /// the level.
    #[arg(long, value_delimiter = ',')]
    pub peers: Vec<RegionCode>,
    #[command(flatten)]
    pub output: Output,
}

/// A chain in a region, and the location quotients that grade its nodes: what
/// `diagnose` and `attract` both look at.
#[derive(clap::Args, Debug)]
pub struct ChainInRegion {
    /// Chain code, e.g. rail.
    #[arg(long)]
    pub chain: String,
    /// 6-digit division code of a province, city or district.
    #[arg(long)]
    pub region: RegionCode,
    /// Location quotient below which a node with local producers is weak.
    #[arg(long, default_value_t = 0.5)]
    pub weak_below: f64,
    /// Location quotient from which a node is strong.
    #[arg(long, default_value_t = 1.5)]
    pub strong_from: f64,
}

impl ChainInRegion {
    /// The location quotients, checked.
    fn thresholds(&self) -> Result<chainatlas_analysis::Thresholds> {
        Ok(diag::thresholds(
            Some(self.weak_below),
            Some(self.strong_from),
        )?)
    }
}

/// The arguments of `diagnose`.
#[derive(clap::Args, Debug)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub scope: ChainInRegion,
    /// Rows of each enterprise list.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[command(flatten)]
    pub output: Output,
}

/// The arguments of `disrupt`.
#[derive(clap::Args, Debug)]
pub struct DisruptArgs {
    #[arg(long)]
    pub chain: String,
    #[arg(long = "enterprise", value_name = "ID")]
    pub enterprises: Vec<i64>,
    #[arg(long = "region", value_name = "CODE")]
    pub regions: Vec<RegionCode>,
    #[arg(long = "node", value_name = "ID")]
    pub nodes: Vec<i64>,
    /// Share of the selected units' capacity removed, in (0, 1].
    #[arg(long, default_value_t = 1.0)]
    pub fraction: f64,
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    #[command(flatten)]
    pub output: Output,
}

/// The arguments of `chokepoints`.
#[derive(clap::Args, Debug)]
pub struct ChokepointsArgs {
    #[arg(long)]
    pub chain: String,
    /// Only candidates in this region.
    #[arg(long)]
    pub region: Option<RegionCode>,
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Threads for the exact simulations (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub output: Output,
}

/// The arguments of `attract`.
#[derive(clap::Args, Debug)]
pub struct AttractArgs {
    #[command(flatten)]
    pub scope: ChainInRegion,
    /// Targets per short board.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[command(flatten)]
    pub output: Output,
}

pub fn run(store: &Store, command: DiagnosticsCommand) -> Result<()> {
    let started = Instant::now();
    // A server's snapshot of the graph when there is one, else the database.
    let (graph, from, from_en) = match chainatlas_app::cache::graph_from_snapshot(store)? {
        Some(graph) => (graph, "从服务器的快照", "from the server's snapshot"),
        None => (
            std::sync::Arc::new(store.supply_graph()?),
            "从数据库",
            "from the database",
        ),
    };
    let (firms, units, relations) = (
        graph.enterprise_count(),
        graph.unit_count(),
        graph.relation_count(),
    );
    let (took, mib) = (started.elapsed(), graph.heap_bytes() >> 20);
    eprintln!(
        "{}",
        crate::say(&text!(
            "供应图：{firms} 家企业、{units} 个生产单元、{relations} 条供应关系，{from}载入，用时 {took:.2?}（{mib} MiB）",
            "graph: {firms} enterprises, {units} units, {relations} relations loaded {from_en} in {took:.2?} ({mib} MiB)"
        ))
    );
    match command {
        DiagnosticsCommand::Diagnose(args) => diagnose(store, &graph, args),
        DiagnosticsCommand::Disrupt(args) => disrupt(store, &graph, args),
        DiagnosticsCommand::Chokepoints(args) => chokepoints(store, &graph, args),
        DiagnosticsCommand::Attract(args) => attract(store, &graph, args),
        DiagnosticsCommand::Opportunities(args) => opportunities(store, &graph, args),
    }
}

fn diagnose(store: &Store, graph: &Graph, args: DiagnoseArgs) -> Result<()> {
    let DiagnoseArgs {
        scope,
        limit,
        output,
    } = args;
    let thresholds = scope.thresholds()?;
    let dto = timed(output.repeat, || {
        let today = chainatlas_app::Clock::today(&chainatlas_app::SystemClock);
        diag::diagnosis(
            store,
            graph,
            &scope.chain,
            scope.region,
            thresholds,
            limit,
            today,
        )
    })?;
    let l = crate::lang();
    let sections = vec![
        coverage_section(l, &dto),
        short_boards_section(l, &dto),
        supporting_section(l, &dto),
        dependencies_section(l, &dto),
        buyer_section("single-sources", l, &dto.dependencies.single_sources),
        buyer_section("concentrated", l, &dto.dependencies.concentrated),
    ];
    emit(&output, &dto, &sections)
}

/// A rate as a percentage, or a dash when there is none.
fn pct(rate: Option<f64>) -> String {
    rate.map_or("—".into(), |r| format!("{:.1}%", r * 100.0))
}

/// Each node's coverage: status, producers, output, share and location quotient.
fn coverage_section(l: Lang, dto: &diag::DiagnosisDto) -> Section {
    Section::new(
        "coverage",
        &[
            "node_id",
            "status",
            "enterprises",
            "output_wan",
            "share",
            "lq",
            "downstream_wan",
            "node",
        ],
        dto.coverage
            .iter()
            .map(|c| {
                vec![
                    c.node.id.to_string(),
                    c.status.clone(),
                    c.enterprises.to_string(),
                    wan_fen(c.output_fen),
                    format!("{:.1}%", c.share * 100.0),
                    c.location_quotient
                        .map_or("—".into(), |q| format!("{q:.2}")),
                    wan_fen(c.downstream_output_fen),
                    name(l, &c.node.name_zh, &c.node.name_en),
                ]
            })
            .collect(),
    )
}

/// The short boards, most downstream output first.
fn short_boards_section(l: Lang, dto: &diag::DiagnosisDto) -> Section {
    Section::new(
        "short-boards",
        &[
            "rank",
            "node_id",
            "status",
            "enterprises",
            "downstream_wan",
            "node",
        ],
        dto.short_boards
            .iter()
            .enumerate()
            .map(|(i, c)| {
                vec![
                    (i + 1).to_string(),
                    c.node.id.to_string(),
                    c.status.clone(),
                    c.enterprises.to_string(),
                    wan_fen(c.downstream_output_fen),
                    name(l, &c.node.name_zh, &c.node.name_en),
                ]
            })
            .collect(),
    )
}

/// Local supporting rates: the chain, each chain master, each node.
fn supporting_section(l: Lang, dto: &diag::DiagnosisDto) -> Section {
    Section::new(
        "supporting",
        &[
            "scope",
            "purchases_wan",
            "same_city",
            "same_province",
            "name",
        ],
        std::iter::once(vec![
            "chain".into(),
            wan_fen(dto.supporting.overall.total_fen),
            pct(dto.supporting.overall.city_rate),
            pct(dto.supporting.overall.province_rate),
            name(l, &dto.region.name_zh, &dto.region.name_en),
        ])
        .chain(dto.supporting.chain_masters.iter().map(|m| {
            vec![
                format!("master {}", m.enterprise.id),
                wan_fen(m.overall.total_fen),
                pct(m.overall.city_rate),
                pct(m.overall.province_rate),
                enterprise(l, &m.enterprise),
            ]
        }))
        .chain(dto.supporting.by_node.iter().map(|n| {
            vec![
                format!("node {}", n.node.id),
                wan_fen(n.purchases.total_fen),
                pct(n.purchases.city_rate),
                pct(n.purchases.province_rate),
                name(l, &n.node.name_zh, &n.node.name_en),
            ]
        }))
        .collect(),
    )
}

/// Each node's supplier concentration and reliance on outside suppliers.
fn dependencies_section(l: Lang, dto: &diag::DiagnosisDto) -> Section {
    Section::new(
        "dependencies",
        &[
            "node_id",
            "purchases_wan",
            "buyers",
            "suppliers",
            "hhi",
            "outside",
            "single_sourced",
            "node",
        ],
        dto.dependencies
            .nodes
            .iter()
            .map(|n| {
                vec![
                    n.node.id.to_string(),
                    wan_fen(n.purchases_fen),
                    n.buyers.to_string(),
                    n.suppliers.to_string(),
                    format!("{:.0}", n.hhi),
                    format!("{:.1}%", n.outside_share * 100.0),
                    n.single_sourced.to_string(),
                    name(l, &n.node.name_zh, &n.node.name_en),
                ]
            })
            .collect(),
    )
}

fn disrupt(store: &Store, graph: &Graph, args: DisruptArgs) -> Result<()> {
    let DisruptArgs {
        chain,
        enterprises,
        regions,
        nodes,
        fraction,
        limit,
        output,
    } = args;
    let shock = chainatlas_analysis::Shock {
        enterprises: enterprises.into_iter().map(EnterpriseId).collect(),
        regions,
        nodes: nodes.into_iter().map(NodeId).collect(),
        fraction: diag::fraction(Some(fraction))?,
    };
    if shock.is_empty() {
        anyhow::bail!(
            "{}",
            crate::say(&text!(
                "请说明要移除什么：--enterprise 编号、--region 区划代码或 --node 编号（均可重复）",
                "say what to remove: --enterprise ID, --region CODE or --node ID (each may repeat)"
            ))
        );
    }
    let dto = timed(output.repeat, || {
        diag::disruption(store, graph, &chain, &shock, limit)
    })?;
    let l = crate::lang();
    let (hit, affected, tiers) = (dto.hit_enterprises, dto.affected_enterprises, dto.tiers);
    let (lost, of, direct) = (
        wan_fen(dto.total_loss_fen),
        wan_fen(dto.baseline_fen),
        wan_fen(dto.direct_loss_fen),
    );
    eprintln!(
        "{}",
        crate::say(&text!(
            "冲击 {hit} 家企业，波及 {affected} 家；损失 {lost} 万元（全链 {of} 万元，直接损失 {direct} 万元）；传导 {tiers} 级",
            "hit {hit} enterprises; {affected} affected; lost {lost} of {of} ×10k yuan ({direct} direct); travelled {tiers} tiers"
        ))
    );
    let sections = vec![
        disruption_enterprises_section(l, &dto),
        disruption_tiers_section(&dto),
        disruption_nodes_section(l, &dto),
        disruption_regions_section(l, &dto),
        disruption_lost_inputs_section(l, &dto),
    ];
    emit(&output, &dto, &sections)
}

fn disruption_enterprises_section(l: Lang, dto: &diag::DisruptionDto) -> Section {
    Section::new(
        "enterprises",
        &[
            "enterprise_id",
            "tier",
            "loss_wan",
            "loss_share",
            "region",
            "enterprise",
        ],
        dto.enterprises
            .iter()
            .map(|e| {
                vec![
                    e.enterprise.id.to_string(),
                    e.tier.to_string(),
                    wan_fen(e.loss_fen),
                    format!("{:.1}%", e.loss_share * 100.0),
                    e.enterprise.region.code.clone(),
                    enterprise(l, &e.enterprise),
                ]
            })
            .collect(),
    )
}

fn disruption_tiers_section(dto: &diag::DisruptionDto) -> Section {
    Section::new(
        "tiers",
        &["tier", "enterprises", "loss_wan"],
        dto.by_tier
            .iter()
            .map(|t| {
                vec![
                    t.tier.to_string(),
                    t.enterprises.to_string(),
                    wan_fen(t.loss_fen),
                ]
            })
            .collect(),
    )
}

fn disruption_nodes_section(l: Lang, dto: &diag::DisruptionDto) -> Section {
    Section::new(
        "nodes",
        &["node_id", "enterprises", "loss_wan", "baseline_wan", "node"],
        dto.by_node
            .iter()
            .map(|n| {
                vec![
                    n.node.id.to_string(),
                    n.enterprises.to_string(),
                    wan_fen(n.loss_fen),
                    wan_fen(n.baseline_fen),
                    name(l, &n.node.name_zh, &n.node.name_en),
                ]
            })
            .collect(),
    )
}

fn disruption_regions_section(l: Lang, dto: &diag::DisruptionDto) -> Section {
    Section::new(
        "regions",
        &["region_code", "enterprises", "loss_wan", "region"],
        dto.by_region
            .iter()
            .map(|r| {
                vec![
                    r.region.code.clone(),
                    r.enterprises.to_string(),
                    wan_fen(r.loss_fen),
                    region(l, &r.region),
                ]
            })
            .collect(),
    )
}

fn disruption_lost_inputs_section(l: Lang, dto: &diag::DisruptionDto) -> Section {
    Section::new(
        "lost-inputs",
        &[
            "node_id",
            "lost_wan",
            "buyers",
            "restorable",
            "spare_nearby_wan",
            "best_alternatives",
            "node",
        ],
        dto.lost_inputs
            .iter()
            .map(|i| {
                vec![
                    i.node.id.to_string(),
                    wan_fen(i.lost_value_fen),
                    i.buyers.to_string(),
                    format!("{:.0}%", i.restorable * 100.0),
                    wan_fen(i.spare_nearby_fen),
                    i.alternatives
                        .iter()
                        .take(3)
                        .map(|a| {
                            format!(
                                "{} ({}, {})",
                                a.enterprise.id,
                                a.locality,
                                wan_fen(a.spare_fen)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    name(l, &i.node.name_zh, &i.node.name_en),
                ]
            })
            .collect(),
    )
}

fn chokepoints(store: &Store, graph: &Graph, args: ChokepointsArgs) -> Result<()> {
    let ChokepointsArgs {
        chain,
        region,
        top,
        threads,
        output,
    } = args;
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let dto = timed(output.repeat, || {
        diag::chokepoints(store, graph, &chain, region, top, threads)
    })?;
    eprintln!(
        "{} candidates, {} simulated exactly, {threads} threads",
        dto.candidates, dto.simulated
    );
    let l = crate::lang();
    let sections = vec![
        Section::new(
            "enterprises",
            &[
                "rank",
                "enterprise_id",
                "downstream_loss_wan",
                "own_output_wan",
                "affected",
                "tiers",
                "enterprise",
            ],
            dto.enterprises
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    vec![
                        (i + 1).to_string(),
                        c.enterprise.id.to_string(),
                        wan_fen(c.downstream_loss_fen),
                        wan_fen(c.own_output_fen),
                        c.affected_enterprises.to_string(),
                        c.tiers.to_string(),
                        enterprise(l, &c.enterprise),
                    ]
                })
                .collect(),
        ),
        Section::new(
            "nodes",
            &[
                "node_id",
                "downstream_loss_wan",
                "own_output_wan",
                "affected",
                "tiers",
                "node",
            ],
            dto.nodes
                .iter()
                .map(|n| {
                    vec![
                        n.node.id.to_string(),
                        wan_fen(n.downstream_loss_fen),
                        wan_fen(n.own_output_fen),
                        n.affected_enterprises.to_string(),
                        n.tiers.to_string(),
                        name(l, &n.node.name_zh, &n.node.name_en),
                    ]
                })
                .collect(),
        ),
    ];
    emit(&output, &dto, &sections)
}

fn attract(store: &Store, graph: &Graph, args: AttractArgs) -> Result<()> {
    let AttractArgs {
        scope,
        limit,
        output,
    } = args;
    let thresholds = scope.thresholds()?;
    let dto = timed(output.repeat, || {
        diag::attraction(store, graph, &scope.chain, scope.region, thresholds, limit)
    })?;
    let l = crate::lang();
    let rows = dto
        .short_boards
        .iter()
        .flat_map(|b| {
            b.targets.iter().enumerate().map(move |(i, t)| {
                vec![
                    b.node.id.to_string(),
                    b.status.clone(),
                    (i + 1).to_string(),
                    t.enterprise.id.to_string(),
                    format!("{:.1}", t.score),
                    t.enterprise.region.code.clone(),
                    name(l, &b.node.name_zh, &b.node.name_en),
                    enterprise(l, &t.enterprise),
                    t.reasons
                        .iter()
                        .map(|r| {
                            if l == Lang::Zh {
                                r.text_zh.clone()
                            } else {
                                r.text_en.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                ]
            })
        })
        .collect();
    let sections = vec![Section::new(
        "targets",
        &[
            "node_id",
            "status",
            "rank",
            "enterprise_id",
            "score",
            "region",
            "node",
            "enterprise",
            "reasons",
        ],
        rows,
    )];
    emit(&output, &dto, &sections)
}

fn opportunities(store: &Store, graph: &Graph, args: OpportunitiesArgs) -> Result<()> {
    use chainatlas_app::opportunities as opp;
    let output = args.output;
    let lang = match crate::lang() {
        Lang::Zh => chainatlas_model::Lang::Zh,
        Lang::En => chainatlas_model::Lang::En,
    };
    let in_lang = |e: chainatlas_app::AppError| anyhow::anyhow!("{}", e.message().get(lang));
    let level = opp::level(&args.level).map_err(in_lang)?;
    let measure = opp::measure(&args.measure).map_err(in_lang)?;
    match args.by.as_str() {
        "node" | "环节" => {}
        "industry" | "行业" => {
            let digits = opp::digits(&args.digits).map_err(in_lang)?;
            let group = opp::peer_group(&args.peers, args.region, level);
            let dto = timed(output.repeat, || {
                opp::industry_boards(
                    store,
                    graph,
                    args.region,
                    level,
                    measure,
                    &group,
                    digits,
                    args.top,
                )
            })?;
            return industry_boards(&output, &dto);
        }
        other => anyhow::bail!(
            "{}",
            match lang {
                chainatlas_model::Lang::Zh =>
                    format!("比较对象“{other}”无效：应为 node（产业链环节）或 industry（国民经济行业）"),
                chainatlas_model::Lang::En =>
                    format!("--by '{other}' is not node (chain nodes) or industry (national industry classes)"),
            }
        ),
    }
    let dto = timed(output.repeat, || {
        let group = opp::peer_group(&args.peers, args.region, level);
        let landscape = opp::landscape(graph, level, measure, &group)?;
        opp::opportunities(store, graph, &landscape, args.region, args.top)
    })?;
    let l = crate::lang();
    let text = |t: &opp::TextDto| {
        if l == Lang::Zh {
            t.text_zh.clone()
        } else {
            t.text_en.clone()
        }
    };
    let share = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.0}%", v * 100.0));
    let number = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    let new_rows = dto
        .new_boards
        .iter()
        .enumerate()
        .map(|(i, b)| {
            vec![
                (i + 1).to_string(),
                b.node.code.clone(),
                name(l, &b.node.name_zh, &b.node.name_en),
                format!("{:.0}", b.feasibility * 100.0),
                share(b.relatedness),
                share(b.readiness),
                share(b.pull),
                number(b.pci),
                number(b.cog),
                b.reasons.iter().map(text).collect::<Vec<_>>().join("; "),
                b.targets
                    .iter()
                    .map(|t| name(l, &t.name_zh, &t.name_en))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    let long_rows = dto
        .long_boards
        .iter()
        .map(|b| {
            vec![
                b.node.code.clone(),
                name(l, &b.node.name_zh, &b.node.name_en),
                format!("{:.2}", b.rca),
                number(b.pci),
            ]
        })
        .collect();
    for note in &dto.notes {
        eprintln!("{}", text(note));
    }
    eprintln!(
        "{}",
        match (dto.eci, dto.eci_rank, dto.regions_compared, l) {
            (Some(eci), Some(rank), n, Lang::Zh) => {
                format!(
                    "{}：经济复杂度 ECI {eci:.2}，{n} 个地区中第 {rank} 位",
                    dto.region.name_zh
                )
            }
            (Some(eci), Some(rank), n, Lang::En) => {
                format!("{}: ECI {eci:.2}, rank {rank} of {n}", dto.region.name_en)
            }
            (_, _, _, Lang::Zh) => format!("{}：ECI 无法计算", dto.region.name_zh),
            (_, _, _, Lang::En) => format!("{}: no ECI", dto.region.name_en),
        }
    );
    let sections = vec![
        Section::new(
            "new_boards",
            &[
                "rank",
                "node_code",
                "node",
                "feasibility",
                "relatedness",
                "readiness",
                "pull",
                "pci",
                "cog",
                "reasons",
                "targets",
            ],
            new_rows,
        ),
        Section::new(
            "long_boards",
            &["node_code", "node", "rca", "pci"],
            long_rows,
        ),
        Section::new(
            "key_sectors",
            &[
                "node_code",
                "node",
                "backward_index",
                "forward_index",
                "class",
                "extraction_share",
            ],
            dto.key_sectors
                .iter()
                .map(|k| {
                    vec![
                        k.node.code.clone(),
                        name(l, &k.node.name_zh, &k.node.name_en),
                        format!("{:.2}", k.backward_index),
                        format!("{:.2}", k.forward_index),
                        k.class.clone(),
                        format!("{:.1}%", k.extraction_share * 100.0),
                    ]
                })
                .collect(),
        ),
    ];
    emit(&output, &dto, &sections)
}

/// `chainatlas opportunities --by industry`: the boards by industry class.
fn industry_boards(
    output: &Output,
    dto: &chainatlas_app::opportunities::IndustryBoardsDto,
) -> Result<()> {
    let l = crate::lang();
    let label = |i: &chainatlas_app::opportunities::IndustryDto| name(l, &i.name_zh, &i.name_en);
    let share = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.0}%", v * 100.0));
    let number = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    for note in &dto.notes {
        eprintln!(
            "{}",
            if l == Lang::Zh {
                &note.text_zh
            } else {
                &note.text_en
            }
        );
    }
    let (with, all) = (dto.enterprises_with_code, dto.enterprises_compared);
    let eci = dto.eci.map_or("-".to_string(), |e| format!("{e:.2}"));
    let rank = dto.eci_rank.map_or("-".to_string(), |r| r.to_string());
    let n = dto.regions_compared;
    eprintln!(
        "{}",
        if l == Lang::Zh {
            format!(
                "{}：按国民经济行业（{} 位代码）比较，经济复杂度 ECI {eci}，{n} 个地区中第 {rank} 位；{all} 家企业中 {with} 家有行业代码",
                dto.region.name_zh, dto.digits
            )
        } else {
            format!(
                "{}: by national industry class ({} digits), ECI {eci}, rank {rank} of {n}; {with} of {all} enterprises have an industry code",
                dto.region.name_en, dto.digits
            )
        }
    );
    let sections = vec![
        Section::new(
            "new_boards",
            &[
                "rank",
                "industry_code",
                "industry",
                "relatedness",
                "pci",
                "cog",
                "related",
            ],
            dto.new_boards
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    vec![
                        (i + 1).to_string(),
                        b.industry.code.clone(),
                        label(&b.industry),
                        share(b.relatedness),
                        number(b.pci),
                        number(b.cog),
                        b.related
                            .iter()
                            .map(|r| format!("{} {:.2}", r.industry.code, r.proximity))
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]
                })
                .collect(),
        ),
        Section::new(
            "long_boards",
            &["industry_code", "industry", "rca", "value", "pci"],
            dto.long_boards
                .iter()
                .map(|b| {
                    vec![
                        b.industry.code.clone(),
                        label(&b.industry),
                        format!("{:.2}", b.rca),
                        if dto.measure == "output" {
                            wan(chainatlas_model::Money::from_fen(
                                (b.value * 100.0).round() as i64
                            ))
                        } else {
                            format!("{:.0}", b.value)
                        },
                        number(b.pci),
                    ]
                })
                .collect(),
        ),
    ];
    emit(output, dto, &sections)
}

/// Runs `analysis` `repeat` times (at least once), printing timings when repeating.
fn timed<T>(
    repeat: u32,
    mut analysis: impl FnMut() -> Result<T, chainatlas_app::AppError>,
) -> Result<T> {
    let mut times: Vec<Duration> = Vec::new();
    let mut result = None;
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        result = Some(analysis()?);
        times.push(started.elapsed());
    }
    times.sort();
    let (runs, min, median, max) = (
        times.len(),
        times[0],
        times[times.len() / 2],
        times[times.len() - 1],
    );
    eprintln!(
        "{}",
        crate::say(&text!(
            "分析：运行 {runs} 次，最短 {min:.1?}，中位 {median:.1?}，最长 {max:.1?}",
            "analysis: {runs} runs, min {min:.1?}, median {median:.1?}, max {max:.1?}"
        ))
    );
    Ok(result.expect("ran at least once"))
}

struct Section {
    name: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Section {
    fn new(name: &'static str, headers: &[&'static str], rows: Vec<Vec<String>>) -> Section {
        Section {
            name,
            headers: headers.to_vec(),
            rows,
        }
    }
}

fn buyer_section(name_: &'static str, l: Lang, rows: &[diag::BuyerDependencyDto]) -> Section {
    Section::new(
        name_,
        &[
            "buyer_id",
            "node_id",
            "suppliers",
            "hhi",
            "output_at_risk_wan",
            "main_supplier_id",
            "main_share",
            "buyer",
            "node",
        ],
        rows.iter()
            .map(|d| {
                vec![
                    d.buyer.id.to_string(),
                    d.node.id.to_string(),
                    d.suppliers.to_string(),
                    format!("{:.0}", d.hhi),
                    wan_fen(d.output_at_risk_fen),
                    d.main_supplier.id.to_string(),
                    format!("{:.1}%", d.main_share * 100.0),
                    enterprise(l, &d.buyer),
                    name(l, &d.node.name_zh, &d.node.name_en),
                ]
            })
            .collect(),
    )
}

fn emit(output: &Output, dto: &impl Serialize, sections: &[Section]) -> Result<()> {
    match output.format {
        ReportFormat::Json => println!("{}", serde_json::to_string_pretty(dto)?),
        ReportFormat::Csv => {
            let section = match &output.section {
                None => &sections[0],
                Some(wanted) => sections.iter().find(|s| s.name == wanted).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--section {wanted}: expected one of {}",
                        sections
                            .iter()
                            .map(|s| s.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?,
            };
            let mut w = csv::Writer::from_writer(std::io::stdout().lock());
            use chainatlas_bundle::csv_safe;
            w.write_record(csv_safe::row(&section.headers).map(|c| c.into_owned()))?;
            for row in &section.rows {
                w.write_record(csv_safe::row(row).map(|c| c.into_owned()))?;
            }
            w.flush()?;
        }
        ReportFormat::Table => {
            for section in sections {
                println!("## {} ({} rows)", section.name, section.rows.len());
                print_table(&section.headers, &section.rows);
                println!();
            }
        }
    }
    Ok(())
}

/// Columns padded to their widest cell, counting East Asian wide characters as two.
fn print_table(headers: &[&str], rows: &[Vec<String>]) {
    let width = |s: &str| -> usize {
        s.chars()
            .map(|c| {
                if ('\u{2e80}'..='\u{ffdc}').contains(&c) {
                    2
                } else {
                    1
                }
            })
            .sum()
    };
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            out.push_str(cell);
            if i < last {
                out.push_str(&" ".repeat(w - width(cell) + 2));
            }
        }
        println!("{out}");
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

fn wan_fen(fen: i64) -> String {
    wan(chainatlas_model::Money::from_fen(fen))
}

fn name(l: Lang, zh: &str, en: &str) -> String {
    match l {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

fn enterprise(l: Lang, e: &EnterpriseBriefDto) -> String {
    name(l, &e.name_zh, &e.name_en)
}

fn region(l: Lang, r: &RegionRefDto) -> String {
    name(l, &r.name_zh, &r.name_en)
}
