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

/// The most regions a type-ahead answer holds.
pub const MAX_REGION_MATCHES: usize = 50;

/// The regions with what a type-ahead search compares, worked out once per atlas
/// generation (pinyin, lower-case English, the code as text) rather than on every
/// keystroke.
pub struct RegionSearch {
    entries: Vec<RegionEntry>,
}

struct RegionEntry {
    region: Region,
    code: String,
    english: String,
    pinyin: chainatlas_model::divisions::Pinyin,
}

impl RegionSearch {
    pub fn new(regions: Vec<Region>) -> RegionSearch {
        let entries = regions
            .into_iter()
            .map(|region| RegionEntry {
                code: region.code.to_string(),
                english: region.name_en.to_lowercase(),
                pinyin: chainatlas_model::divisions::pinyin(&region.name_zh),
                region,
            })
            .collect();
        RegionSearch { entries }
    }

    /// Regions for a type-ahead picker: `q` is part of the Chinese or English name, the
    /// start of the pinyin or of its initials (`zz` and `zhuzhou` find 株洲市), or the start
    /// of the code. Best first: a name or pinyin that begins with `q` before one that
    /// contains it, then provinces before cities before counties, then by code. An empty
    /// `q` matches nothing.
    pub fn find(&self, q: &str, limit: usize) -> Vec<&Region> {
        let q = q.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let ascii = q
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '\'');
        let compact: String = q.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        let rank = |e: &RegionEntry| -> Option<u8> {
            let (r, pinyin) = (&e.region, &e.pinyin);
            if e.code.starts_with(&q) || r.name_zh.starts_with(&q) {
                Some(0)
            } else if r.name_zh.contains(&q) {
                Some(2)
            } else if !ascii {
                None
            } else if pinyin.initials.starts_with(&compact) || pinyin.full.starts_with(&compact) {
                Some(0)
            } else if e.english.starts_with(&q) {
                Some(1)
            } else if e.english.contains(&q) || pinyin.full.contains(&compact) {
                Some(2)
            } else {
                None
            }
        };
        let mut found: Vec<(u8, &Region)> = self
            .entries
            .iter()
            .filter_map(|e| rank(e).map(|rank| (rank, &e.region)))
            .collect();
        found.sort_by_key(|(rank, r)| (*rank, r.level, r.code));
        found.into_iter().take(limit).map(|(_, r)| r).collect()
    }

    /// Every region, in code order.
    pub fn all(&self) -> impl Iterator<Item = &Region> {
        self.entries.iter().map(|e| &e.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(found: &[&Region]) -> Vec<String> {
        found.iter().map(|r| r.name_zh.clone()).collect()
    }

    #[test]
    fn regions_are_found_by_initials_pinyin_chinese_english_and_code() {
        let index = RegionSearch::new(chainatlas_model::divisions::all().to_vec());
        let zz = index.find("zz", 10);
        assert!(
            names(&zz).contains(&"株洲市".to_string()),
            "{:?}",
            names(&zz)
        );
        assert_eq!(names(&index.find("zhuzhou", 10)), ["株洲市"]);
        assert_eq!(names(&index.find("株洲", 10))[0], "株洲市");
        assert_eq!(names(&index.find("Zhuzhou", 10))[0], "株洲市");
        assert_eq!(names(&index.find("4302", 3))[0], "株洲市");
        assert_eq!(names(&index.find("醴陵", 3)), ["醴陵市"]);
        // provinces before cities before counties
        let hu = index.find("hu", 50);
        assert_eq!(hu[0].level, chainatlas_model::RegionLevel::Province);
        assert!(index.find("", 10).is_empty());
        assert!(index.find("qqqqq", 10).is_empty());
        assert_eq!(index.find("县", 5).len(), 5, "the limit holds");
    }
}
