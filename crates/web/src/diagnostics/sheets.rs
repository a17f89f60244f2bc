//! The diagnosis and the disruption simulation as Excel workbooks: one sheet per table
//! of the page, the same rows and the same words, amounts in 万元 and shares as numbers.

use chainatlas_bundle::sheet::Sheet;

use super::pages::{ChokepointRow, CoverageRow, Diagnosis, Disruption, LossRow, Words};
use crate::core::i18n::{Lang, LangTexts};

/// A sheet named `name` with `header` over `rows`.
fn sheet<const N: usize>(name: &str, header: [String; N], rows: Vec<[String; N]>) -> Sheet {
    Sheet {
        name: name.to_string(),
        header: header.to_vec(),
        rows: rows.into_iter().map(|r| r.to_vec()).collect(),
    }
}

/// `name (万元)`: a column of amounts.
fn in_wan(lang: Lang, name: &str) -> String {
    format!("{name} ({})", lang.texts().wan_yuan)
}

/// The diagnosis's sections: short boards with their attraction targets (a row per
/// target), local supporting rates, supplier concentration, single sources, chokepoints
/// (enterprises, then nodes) and the node table.
pub(super) fn diagnosis(lang: Lang, w: &Words, d: &Diagnosis) -> Vec<Sheet> {
    let t = lang.texts();
    let s = String::from;
    let mut boards = Vec::new();
    for b in &d.short_boards {
        let c = &b.coverage;
        let node = [
            c.name.clone(),
            s(c.status),
            c.enterprises.to_string(),
            c.downstream.clone(),
        ];
        if b.targets.is_empty() {
            let [a, b, c, d] = node.clone();
            boards.push([
                a,
                b,
                c,
                d,
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for target in &b.targets {
            let [a, b, c, d] = node.clone();
            boards.push([
                a,
                b,
                c,
                d,
                target.enterprise.text.clone(),
                target.region.clone(),
                target.score.clone(),
                target.reasons.clone(),
            ]);
        }
    }
    let chokepoint = |c: &ChokepointRow| {
        [
            c.name.text.clone(),
            c.downstream_loss.clone(),
            c.own_output.clone(),
            c.affected.to_string(),
            c.tiers.to_string(),
        ]
    };
    let coverage = |c: &CoverageRow| {
        [
            c.name.clone(),
            s(c.status),
            c.enterprises.to_string(),
            c.output.clone(),
            c.share.clone(),
            c.lq.clone(),
            c.downstream.clone(),
        ]
    };
    vec![
        sheet(
            w.short_boards,
            [
                s(t.node),
                s(w.status),
                s(t.enterprises),
                in_wan(lang, w.downstream_output),
                s(w.targets),
                s(t.region),
                s(w.score),
                s(t.reasons),
            ],
            boards,
        ),
        sheet(
            w.supporting_rate,
            [
                s(t.enterprise),
                in_wan(lang, w.purchases),
                s(w.same_city),
                s(w.same_province),
            ],
            d.support
                .iter()
                .map(|r| {
                    [
                        r.label.text.clone(),
                        r.purchases.clone(),
                        r.city.clone(),
                        r.province.clone(),
                    ]
                })
                .collect(),
        ),
        sheet(
            w.dependencies,
            [
                s(t.node),
                in_wan(lang, w.purchases),
                s(t.buyers),
                s(t.suppliers),
                s(w.hhi),
                s(w.outside_share),
                s(w.single_sources),
            ],
            d.dependencies
                .iter()
                .map(|r| {
                    [
                        r.name.clone(),
                        r.purchases.clone(),
                        r.buyers.to_string(),
                        r.suppliers.to_string(),
                        r.hhi.clone(),
                        r.outside.clone(),
                        r.single_sourced.to_string(),
                    ]
                })
                .collect(),
        ),
        sheet(
            w.single_sources,
            [
                s(w.buyer),
                s(t.node),
                s(w.main_supplier),
                s(t.region),
                in_wan(lang, w.output_at_risk),
            ],
            d.single_sources
                .iter()
                .map(|r| {
                    [
                        r.buyer.text.clone(),
                        r.node.clone(),
                        r.supplier.text.clone(),
                        r.supplier_region.clone(),
                        r.at_risk.clone(),
                    ]
                })
                .collect(),
        ),
        sheet(
            w.chokepoints,
            [
                format!("{} / {}", t.enterprise, t.node),
                in_wan(lang, w.downstream_loss),
                in_wan(lang, t.output),
                s(w.affected),
                s(w.tiers),
            ],
            d.chokepoints
                .iter()
                .chain(&d.node_chokepoints)
                .map(chokepoint)
                .collect(),
        ),
        sheet(
            t.node_table,
            [
                s(t.node),
                s(w.status),
                s(t.enterprises),
                in_wan(lang, t.output),
                s(w.share),
                s(w.lq),
                in_wan(lang, w.downstream_output),
            ],
            d.coverage.iter().map(coverage).collect(),
        ),
    ]
}

/// The simulation's figures, then its tables: losses by tier, the lost inputs with their
/// alternative suppliers, and losses by node, by region and by enterprise.
pub(super) fn disruption(lang: Lang, w: &Words, d: &Disruption) -> Vec<Sheet> {
    let t = lang.texts();
    let s = String::from;
    let losses = |name: &str, header: [String; 4], rows: &[LossRow]| {
        let row = |r: &LossRow| {
            [
                r.name.text.clone(),
                r.detail.clone(),
                r.enterprises.to_string(),
                r.loss.clone(),
            ]
        };
        sheet(name, header, rows.iter().map(row).collect())
    };
    vec![
        sheet(
            w.summary,
            [s(w.summary), s(w.figure_value)],
            vec![
                [s(w.hit), d.hit.to_string()],
                [s(w.affected), d.affected.to_string()],
                [in_wan(lang, w.total_loss), d.total_loss.clone()],
                [s(w.of_chain), d.share.clone()],
                [in_wan(lang, w.direct_loss), d.direct_loss.clone()],
                [s(w.tiers), d.tiers.to_string()],
            ],
        ),
        sheet(
            w.tiers,
            [s(w.tier), s(t.enterprises), in_wan(lang, w.loss)],
            d.by_tier
                .iter()
                .map(|(tier, n, l)| [tier.to_string(), n.to_string(), l.clone()])
                .collect(),
        ),
        sheet(
            w.lost_inputs,
            [
                s(t.node),
                in_wan(lang, w.lost_value),
                s(t.buyers),
                s(w.restorable),
                s(w.alternatives),
            ],
            d.lost_inputs
                .iter()
                .map(|l| {
                    [
                        l.node.clone(),
                        l.lost.clone(),
                        l.buyers.to_string(),
                        l.restorable.clone(),
                        l.alternatives
                            .iter()
                            .map(|(e, how)| format!("{} ({how})", e.text))
                            .collect::<Vec<_>>()
                            .join("；"),
                    ]
                })
                .collect(),
        ),
        losses(
            w.by_node,
            [
                s(t.node),
                s(w.share),
                s(t.enterprises),
                in_wan(lang, w.loss),
            ],
            &d.by_node,
        ),
        losses(
            w.by_region,
            [
                s(t.region),
                s(t.region_code),
                s(t.enterprises),
                in_wan(lang, w.loss),
            ],
            &d.by_region,
        ),
        sheet(
            w.affected,
            [s(t.enterprise), s(w.tier), in_wan(lang, w.loss)],
            d.enterprises
                .iter()
                .map(|e| [e.name.text.clone(), e.detail.clone(), e.loss.clone()])
                .collect(),
        ),
    ]
}
