//! A judged matching set in Chinese (with some English), generated from the demo's chains:
//! for every chain node, a few products with a model number and a specification; each
//! product is offered once (the candidate) and asked for once, in other words (the query).
//! Other products of the same node are the hard negatives: only the model number and the
//! specification tell them apart.

use crate::chains::CHAINS;
use crate::rng::Rng;

/// Queries, candidates (title, description) and each query's true partners.
#[derive(Clone, Debug, Default)]
pub struct JudgedSet {
    pub queries: Vec<(String, String)>,
    pub candidates: Vec<(String, String)>,
    pub partners: Vec<Vec<usize>>,
}

/// Specifications with two ways of writing the same quantity.
const SPECS: &[(&str, &str, &str)] = &[
    // (supply writes, demand writes, English)
    ("额定功率{n}千瓦", "功率 {n}kW", "{n} kW rated power"),
    ("载重{n}吨", "承重{k}kg", "{n} t load"),
    ("长度{n}米", "长{k}mm", "{n} m long"),
    ("电压{n}伏", "{n}V", "{n} volt"),
];

const SUPPLY_OPENINGS: &[&str] = &["供应", "现货供应", "厂家直供", "批量供应"];
const DEMAND_OPENINGS: &[&str] = &["求购", "采购", "寻找供应商：", "长期采购", "急需"];

/// Writes a model number the way another person might: without the hyphen, in lower
/// case, or in full-width characters.
fn restyle(model: &str, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => model.replace('-', ""),
        1 => model.to_lowercase(),
        2 => model
            .chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect(),
        _ => model.to_string(),
    }
}

/// The judged set for a seed.
pub fn judged_matching_set(seed: u64) -> JudgedSet {
    let mut rng = Rng::new(seed ^ 0x6a75_6467_6564);
    let mut set = JudgedSet::default();
    for chain in CHAINS {
        for (_, zh, en, _) in chain.nodes {
            let prefix: String = chain
                .code
                .chars()
                .take(2)
                .collect::<String>()
                .to_uppercase();
            for _ in 0..3 {
                let model = format!(
                    "{prefix}-{}{}",
                    rng.between(100, 999),
                    *rng.pick(&["", "A", "B", "S"])
                );
                let (supply_spec, demand_spec, english_spec) = *rng.pick(SPECS);
                let n = rng.between(2, 60);
                let spec = |t: &str| {
                    t.replace("{n}", &n.to_string())
                        .replace("{k}", &(n * 1000).to_string())
                };
                let candidate = (
                    format!("{}{zh} {model}", rng.pick(SUPPLY_OPENINGS)),
                    format!(
                        "{zh}，型号{model}，{}，质量稳定，可提供检测报告。",
                        spec(supply_spec)
                    ),
                );
                // Three queries in ten cite no model number: only the specification, in
                // other units, can find the product then.
                let styled = if rng.chance(0.3) {
                    String::new()
                } else {
                    restyle(&model, &mut rng)
                };
                let query = if rng.chance(0.2) {
                    (
                        format!("Sourcing {} {styled}", en.to_lowercase()),
                        format!(
                            "Looking for {} {styled}, {}.",
                            en.to_lowercase(),
                            spec(english_spec)
                        ),
                    )
                } else {
                    (
                        format!("{}{zh}", rng.pick(DEMAND_OPENINGS)),
                        format!("需要{styled}{zh}，{}，年用量稳定。", spec(demand_spec)),
                    )
                };
                set.partners.push(vec![set.candidates.len()]);
                set.candidates.push(candidate);
                set.queries.push(query);
            }
        }
    }
    set
}
