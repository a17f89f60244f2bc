//! Wire types of the atlas that several features share: a chain, a chain node, a region,
//! a chain's map, and the designations of an enterprise as names.

use chainatlas_model::{Chain, ChainNode, Region, Tags};

use crate::view;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Serialize, ToSchema)]
pub struct ChainDto {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl From<&Chain> for ChainDto {
    fn from(c: &Chain) -> Self {
        ChainDto {
            id: c.id.0,
            code: c.code.clone(),
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
        }
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct NodeDto {
    pub id: i64,
    pub chain_id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// upstream, midstream or downstream.
    pub segment: String,
}

impl From<&ChainNode> for NodeDto {
    fn from(n: &ChainNode) -> Self {
        NodeDto {
            id: n.id.0,
            chain_id: n.chain.0,
            code: n.code.clone(),
            name_zh: n.name_zh.clone(),
            name_en: n.name_en.clone(),
            segment: n.segment.to_string(),
        }
    }
}

pub fn tag_names(tags: Tags) -> Vec<String> {
    tags.iter().map(|t| t.as_str().to_string()).collect()
}

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    /// 6-digit division code.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub parent_code: Option<String>,
    /// province, city or district.
    pub level: String,
}

impl From<&Region> for RegionDto {
    fn from(r: &Region) -> Self {
        RegionDto {
            code: r.code.to_string(),
            name_zh: r.name_zh.clone(),
            name_en: r.name_en.clone(),
            parent_code: r.parent.map(|p| p.to_string()),
            level: r.level.to_string(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MapNodeDto {
    pub node: NodeDto,
    /// Enterprises operating in the node (in the region, if one was given).
    pub enterprises: u64,
    /// Null for roles that may not read business figures.
    pub output_fen: Option<i64>,
    pub capacity_fen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct NodeInputDto {
    pub input_node_id: i64,
    pub output_node_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChainMapDto {
    pub chain: ChainDto,
    pub region: Option<RegionDto>,
    /// Nodes from upstream to downstream.
    pub nodes: Vec<MapNodeDto>,
    pub inputs: Vec<NodeInputDto>,
}

impl ChainMapDto {
    /// The map as a viewer may see it: output and capacity only for those who may read
    /// business figures (in a region with one producer, a node total is that firm's figure).
    pub fn for_viewer(map: &view::ChainMap, show_values: bool) -> Self {
        let value = |fen: i64| show_values.then_some(fen);
        ChainMapDto {
            chain: (&map.chain).into(),
            region: map.region.as_ref().map(Into::into),
            nodes: map
                .nodes
                .iter()
                .map(|(n, p)| MapNodeDto {
                    node: n.into(),
                    enterprises: p.enterprises,
                    output_fen: value(p.output.fen()),
                    capacity_fen: value(p.capacity.fen()),
                })
                .collect(),
            inputs: map
                .inputs
                .iter()
                .map(|i| NodeInputDto {
                    input_node_id: i.input.0,
                    output_node_id: i.output.0,
                })
                .collect(),
        }
    }
}
