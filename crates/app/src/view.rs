//! What pages and the API both need: parsing request parameters in the user's terms and
//! loading the data of one screen in one blocking call.

use chainatlas_model::{
    Chain, ChainNode, Enterprise, EnterpriseId, NodeId, NodeInput, Region, RegionCode,
};
use chainatlas_store::{EnterpriseNodeRow, NodePresence, NodeRef, Page, Store, SupplyLink};

use chainatlas_model::{text, Explain, Text};

use crate::{AppError, ErrorCode};

/// No chain with this code.
pub fn chain_not_found(code: &str) -> AppError {
    AppError::new(
        ErrorCode::ChainNotFound,
        text!("没有代码为“{code}”的产业链", "no chain with code '{code}'"),
    )
}

/// No chain node with this id.
pub fn node_not_found(id: i64) -> AppError {
    AppError::new(
        ErrorCode::NodeNotFound,
        text!("没有编号为 {id} 的环节", "no chain node with id {id}"),
    )
}

/// No enterprise with this id.
pub fn enterprise_not_found(id: i64) -> AppError {
    AppError::new(
        ErrorCode::EnterpriseNotFound,
        text!("没有编号为 {id} 的企业", "no enterprise with id {id}"),
    )
}

/// The most rows one page of a list returns.
pub const MAX_LIMIT: u32 = 500;

pub fn parse_region(raw: Option<&str>) -> Result<Option<RegionCode>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|e: chainatlas_model::RegionCodeError| {
                AppError::parameter(e.explain().after(&Text::same("region")))
            }),
    }
}

/// Whether a page's table is asked for as an Excel workbook: `format=xlsx` (none, empty
/// or `html` is the page itself).
pub fn wants_workbook(format: Option<&str>) -> Result<bool, AppError> {
    match format.map(str::trim) {
        None | Some("") | Some("html") => Ok(false),
        Some("xlsx") => Ok(true),
        Some(other) => Err(AppError::parameter(text!(
            "format：“{other}”不可用，应为 xlsx",
            "format: '{other}' is not available, expected xlsx"
        ))),
    }
}

/// A region as a picker sends it: `株洲市 430200` (a name, then the code), a bare code, or
/// a name that names one built-in division (`醴陵市`; `Zhuzhou`). A name that several
/// divisions share (朝阳区) is refused with each of them.
pub fn parse_region_text(raw: Option<&str>) -> Result<Option<RegionCode>, AppError> {
    let Some(text) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let last = text.rsplit(char::is_whitespace).next().unwrap_or(text);
    if last.len() == 6 && last.bytes().all(|b| b.is_ascii_digit()) {
        return parse_region(Some(last));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return parse_region(Some(text));
    }
    let lower = text.to_lowercase();
    let named: Vec<&chainatlas_model::Region> = chainatlas_model::divisions::all()
        .iter()
        .filter(|r| r.name_zh == text || r.name_en.to_lowercase() == lower)
        .collect();
    match named.as_slice() {
        [one] => Ok(Some(one.code)),
        [] => Err(AppError::parameter(text!(
            "region：“{text}”不是地区：请从列表中选择，或填写 6 位行政区划代码",
            "region: '{text}' is not a region: pick one from the list, or give its 6-digit code"
        ))),
        many => {
            let choices: Vec<String> = many
                .iter()
                .map(|r| {
                    let parent = r
                        .parent
                        .and_then(chainatlas_model::divisions::get)
                        .map_or("", |p| p.name_zh.as_str());
                    format!("{parent}{} {}", r.name_zh, r.code)
                })
                .collect();
            let list = choices.join("、");
            Err(AppError::parameter(text!(
                "region：有多个地区叫“{text}”：{list}；请选择其一",
                "region: several regions are called '{text}': {list}; pick one"
            )))
        }
    }
}

/// Refuses a text parameter longer than `max` characters.
pub fn check_text_length(name: &str, text: &str, max: usize) -> Result<(), AppError> {
    let chars = text.chars().count();
    if chars > max {
        return Err(AppError::parameter(text!(
            "参数 {name}：有 {chars} 个字符，最多 {max} 个",
            "parameter {name}: has {chars} characters, at most {max} allowed"
        )));
    }
    Ok(())
}

pub fn parse_id(what: &str, raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|&id| id > 0).ok_or_else(|| {
        AppError::parameter(text!(
            "{what} 编号“{raw}”不是正整数",
            "{what} id '{raw}' is not a positive whole number"
        ))
    })
}

/// A whole-number parameter within `range`, `default` when absent or blank.
pub fn parse_count(
    name: &str,
    raw: Option<&str>,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| {
                let (from, to) = (range.start(), range.end());
                AppError::parameter(text!(
                    "参数 {name}：“{s}”不是 {from} 到 {to} 之间的整数",
                    "parameter {name}: '{s}' is not a whole number from {from} to {to}"
                ))
            }),
    }
}

/// Resolves an optional region filter to the region itself; unknown codes are a 404.
pub fn region(store: &Store, code: Option<RegionCode>) -> Result<Option<Region>, AppError> {
    match code {
        None => Ok(None),
        Some(code) => store.region(code)?.map(Some).ok_or_else(|| {
            AppError::new(
                ErrorCode::RegionNotFound,
                text!("没有代码为 {code} 的地区", "no region with code {code}"),
            )
        }),
    }
}

pub struct ChainMap {
    pub chain: Chain,
    pub region: Option<Region>,
    pub nodes: Vec<(ChainNode, NodePresence)>,
    pub inputs: Vec<NodeInput>,
}

/// A chain by its code; unknown codes are a 404.
pub fn chain(store: &Store, code: &str) -> Result<Chain, AppError> {
    store
        .chain_by_code(code)?
        .ok_or_else(|| chain_not_found(code))
}

/// A region that must exist; unknown codes are a 404.
pub fn known_region(store: &Store, code: RegionCode) -> Result<Region, AppError> {
    Ok(region(store, Some(code))?.expect("a code was given"))
}

/// The chain map of a region, with node totals from the cached supply graph (a SQL
/// aggregation over the region's enterprises took most of a second at province scale).
pub fn chain_map(
    store: &Store,
    graph: &chainatlas_analysis::Graph,
    code: &str,
    region_code: Option<RegionCode>,
) -> Result<ChainMap, AppError> {
    let chain = chain(store, code)?;
    let presence = node_presence(graph, chain.id, region_code);
    chain_map_with(store, chain, region_code, &presence)
}

/// The chain map with node totals the caller already has (the diagnostics take them from
/// the in-memory graph); nodes without an entry show zero.
pub fn chain_map_with(
    store: &Store,
    chain: Chain,
    region_code: Option<RegionCode>,
    presence: &[NodePresence],
) -> Result<ChainMap, AppError> {
    let region = region(store, region_code)?;
    let nodes: Vec<(ChainNode, NodePresence)> = store
        .chain_nodes(chain.id)?
        .into_iter()
        .map(|node| {
            let found = presence
                .iter()
                .find(|p| p.node == node.id)
                .copied()
                .unwrap_or(NodePresence {
                    node: node.id,
                    enterprises: 0,
                    output: chainatlas_model::Money::ZERO,
                    capacity: chainatlas_model::Money::ZERO,
                });
            (node, found)
        })
        .collect();
    let in_chain = |id: NodeId| nodes.iter().any(|(n, _)| n.id == id);
    let inputs = store
        .chain_node_inputs(chain.id)?
        .into_iter()
        .filter(|i| in_chain(i.input))
        .collect();
    Ok(ChainMap {
        chain,
        region,
        nodes,
        inputs,
    })
}

/// Enterprises, output and capacity per node of `chain` (in `region`, if given), from the
/// graph: what the chain map shows, without the SQL aggregation it costs at scale. Only
/// the units the atlas lists count, as in [`Store::node_presence`]: a seller of a node it
/// has no unit in is not counted among the node's enterprises.
pub fn node_presence(
    graph: &chainatlas_analysis::Graph,
    chain: chainatlas_model::ChainId,
    region: Option<RegionCode>,
) -> Vec<NodePresence> {
    graph
        .chain_nodes(chain)
        .into_iter()
        .map(|node| {
            let mut presence = NodePresence {
                node: graph.node_id(node),
                enterprises: 0,
                output: chainatlas_model::Money::ZERO,
                capacity: chainatlas_model::Money::ZERO,
            };
            for &unit in graph.node_units(node) {
                if graph.unit_declared(unit)
                    && region.is_none_or(|r| r.contains(graph.region(graph.unit_enterprise(unit))))
                {
                    presence.enterprises += 1;
                    presence.output = chainatlas_model::Money::from_fen(
                        presence.output.fen() + graph.unit_output(unit),
                    );
                    presence.capacity = chainatlas_model::Money::from_fen(
                        presence.capacity.fen() + graph.unit_capacity(unit),
                    );
                }
            }
            presence
        })
        .collect()
}

/// Every chain with its node count, enterprises and output (within `region`, if given),
/// from the graph: equal to [`Store::chain_summaries`], without its SQL aggregation over
/// every unit (0.4–0.9 s at a province's scale, after each write). As there, only the
/// units the atlas lists count, and an enterprise in several of a chain's nodes counts
/// once.
pub fn chain_summaries(
    store: &Store,
    graph: &chainatlas_analysis::Graph,
    region: Option<RegionCode>,
) -> Result<Vec<chainatlas_store::ChainSummary>, AppError> {
    let chains = store.chains()?;
    let index: std::collections::HashMap<chainatlas_model::ChainId, usize> =
        chains.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let node_chain: Vec<Option<usize>> = (0..graph.node_count() as u32)
        .map(|n| index.get(&graph.node_chain(n)).copied())
        .collect();
    let mut nodes = vec![0u64; chains.len()];
    for &c in node_chain.iter().flatten() {
        nodes[c] += 1;
    }
    let range = region.map(|r| r.descendants());
    let (mut enterprises, mut output) = (vec![0u64; chains.len()], vec![0i64; chains.len()]);
    // The chains the current enterprise was counted in, to count it once in each.
    let mut counted: Vec<usize> = Vec::new();
    for e in 0..graph.enterprise_count() as u32 {
        if range
            .as_ref()
            .is_some_and(|r| !r.contains(&graph.region(e).value()))
        {
            continue;
        }
        counted.clear();
        for u in graph.enterprise_units(e) {
            let u = u as u32;
            let Some(c) = node_chain[graph.unit_node(u) as usize] else {
                continue;
            };
            if !graph.unit_declared(u) {
                continue;
            }
            output[c] += graph.unit_output(u);
            if !counted.contains(&c) {
                counted.push(c);
                enterprises[c] += 1;
            }
        }
    }
    Ok(chains
        .into_iter()
        .enumerate()
        .map(|(i, chain)| chainatlas_store::ChainSummary {
            chain,
            nodes: nodes[i],
            enterprises: enterprises[i],
            output: chainatlas_model::Money::from_fen(output[i]),
        })
        .collect())
}

pub struct NodeDetail {
    pub node: ChainNode,
    pub chain: Chain,
    pub inputs: Vec<NodeRef>,
    pub outputs: Vec<NodeRef>,
}

pub fn node_detail(store: &Store, id: i64) -> Result<NodeDetail, AppError> {
    let node = store.node(NodeId(id))?.ok_or_else(|| node_not_found(id))?;
    let chain = store
        .chain(node.chain)?
        .ok_or_else(|| AppError::internal(format!("node {id} has no chain")))?;
    let (inputs, outputs) = store.node_neighbours(node.id)?;
    Ok(NodeDetail {
        node,
        chain,
        inputs,
        outputs,
    })
}

pub struct EnterpriseDetail {
    pub enterprise: Enterprise,
    pub region: Option<Region>,
    pub nodes: Vec<EnterpriseNodeRow<NodeRef>>,
    pub suppliers: Page<SupplyLink>,
    pub buyers: Page<SupplyLink>,
}

pub fn enterprise_detail(store: &Store, id: i64, links: u32) -> Result<EnterpriseDetail, AppError> {
    let enterprise = store
        .enterprise(EnterpriseId(id))?
        .ok_or_else(|| enterprise_not_found(id))?;
    let region = store.region(enterprise.region)?;
    let nodes = store.enterprise_nodes_of(enterprise.id)?;
    let suppliers = store.suppliers_of(enterprise.id, links, 0)?;
    let buyers = store.buyers_of(enterprise.id, links, 0)?;
    Ok(EnterpriseDetail {
        enterprise,
        region,
        nodes,
        suppliers,
        buyers,
    })
}

/// The order in which `viewer` may see a node's enterprises: by output only for those who
/// may read business figures, since the order itself would otherwise reveal rank.
pub fn enterprise_order(viewer: &crate::Viewer) -> chainatlas_store::EnterpriseOrder {
    if viewer.may(chainatlas_auth::Permission::ReadAllPrivateData) {
        chainatlas_store::EnterpriseOrder::ByOutput
    } else {
        chainatlas_store::EnterpriseOrder::ById
    }
}

#[cfg(test)]
mod region_text_tests {
    use super::*;

    #[test]
    fn a_region_is_read_as_a_picker_sends_it() {
        let read = |s: &str| parse_region_text(Some(s)).map(|r| r.map(|c| c.to_string()));
        assert_eq!(read("株洲市 430200").unwrap().as_deref(), Some("430200"));
        assert_eq!(read(" 430200 ").unwrap().as_deref(), Some("430200"));
        assert_eq!(read("醴陵市").unwrap().as_deref(), Some("430281"));
        assert_eq!(read("Zhuzhou").unwrap().as_deref(), Some("430200"));
        assert_eq!(read("").unwrap(), None);
        let shared = read("朝阳区").unwrap_err();
        assert!(
            shared.message().zh.contains("北京市辖区朝阳区 110105"),
            "{shared}"
        );
        assert!(read("无此地方")
            .unwrap_err()
            .message()
            .zh
            .contains("请从列表中选择"));
        assert!(
            read("株洲市 999999").is_err(),
            "a code that is no division code"
        );
    }
}
