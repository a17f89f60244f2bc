//! What pages and the API both need: parsing request parameters in the user's terms and
//! loading the data of one screen in one blocking call.

use chainatlas_model::{
    Chain, ChainNode, Enterprise, EnterpriseId, NodeId, NodeInput, Region, RegionCode,
};
use chainatlas_store::{EnterpriseNodeRow, NodePresence, NodeRef, Page, Store, SupplyLink};

use crate::AppError;

/// The most rows one page of a list returns.
pub const MAX_LIMIT: u32 = 500;

pub fn parse_region(raw: Option<&str>) -> Result<Option<RegionCode>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|e| AppError::BadRequest(format!("parameter region: {e}"))),
    }
}

pub fn parse_id(what: &str, raw: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|&id| id > 0).ok_or_else(|| {
        AppError::BadRequest(format!("{what} id '{raw}' is not a positive whole number"))
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
                AppError::BadRequest(format!(
                    "parameter {name}: '{s}' is not a whole number from {} to {}",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

/// Resolves an optional region filter to the region itself; unknown codes are a 404.
pub fn region(store: &Store, code: Option<RegionCode>) -> Result<Option<Region>, AppError> {
    match code {
        None => Ok(None),
        Some(code) => store
            .region(code)?
            .map(Some)
            .ok_or_else(|| AppError::NotFound(format!("no region with code {code}"))),
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
        .ok_or_else(|| AppError::NotFound(format!("no chain with code '{code}'")))
}

/// A region that must exist; unknown codes are a 404.
pub fn known_region(store: &Store, code: RegionCode) -> Result<Region, AppError> {
    Ok(region(store, Some(code))?.expect("a code was given"))
}

/// The chain map of a region, with node totals from one SQL aggregation.
pub fn chain_map(
    store: &Store,
    code: &str,
    region_code: Option<RegionCode>,
) -> Result<ChainMap, AppError> {
    let chain = chain(store, code)?;
    let presence = store.node_presence(chain.id, region_code)?;
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

pub struct NodeDetail {
    pub node: ChainNode,
    pub chain: Chain,
    pub inputs: Vec<NodeRef>,
    pub outputs: Vec<NodeRef>,
}

pub fn node_detail(store: &Store, id: i64) -> Result<NodeDetail, AppError> {
    let node = store
        .node(NodeId(id))?
        .ok_or_else(|| AppError::NotFound(format!("no chain node with id {id}")))?;
    let chain = store
        .chain(node.chain)?
        .ok_or_else(|| AppError::Internal(format!("node {id} has no chain")))?;
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
        .ok_or_else(|| AppError::NotFound(format!("no enterprise with id {id}")))?;
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
