//! Wire types of the atlas that several features share: a chain, a chain node, and the
//! designations of an enterprise as names.

use chainatlas_model::{Chain, ChainNode, Tags};
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
