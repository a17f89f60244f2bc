//! The atlas aggregate: regions, chains and their nodes, enterprises, the nodes they
//! operate in and their supply relations, as the web app, the API and the CLI read them.

use crate::db::{params, OptionalExtension, Row};
use chainatlas_model::{
    Chain, ChainId, ChainNode, Enterprise, EnterpriseId, Money, NodeId, NodeInput, RecordKind,
    Region, RegionCode, SupplyRelationId, Tag, Tags,
};

use crate::rows::{self, money, region_code};
use crate::{Result, Store};

/// How many records of each kind the atlas holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub regions: u64,
    pub chains: u64,
    pub chain_nodes: u64,
    pub node_inputs: u64,
    pub enterprises: u64,
    pub enterprise_nodes: u64,
    pub supply_relations: u64,
    pub listings: u64,
    pub events: u64,
    pub participants: u64,
    pub meeting_requests: u64,
    pub meetings: u64,
    pub agreements: u64,
}

impl Counts {
    pub fn get(&self, kind: RecordKind) -> u64 {
        match kind {
            RecordKind::Region => self.regions,
            RecordKind::Chain => self.chains,
            RecordKind::ChainNode => self.chain_nodes,
            RecordKind::NodeInput => self.node_inputs,
            RecordKind::Enterprise => self.enterprises,
            RecordKind::EnterpriseNode => self.enterprise_nodes,
            RecordKind::SupplyRelation => self.supply_relations,
            RecordKind::Listing => self.listings,
            RecordKind::Event => self.events,
            RecordKind::Participant => self.participants,
            RecordKind::MeetingRequest => self.meeting_requests,
            RecordKind::Meeting => self.meetings,
            RecordKind::Agreement => self.agreements,
        }
    }

    fn slot(&mut self, kind: RecordKind) -> &mut u64 {
        match kind {
            RecordKind::Region => &mut self.regions,
            RecordKind::Chain => &mut self.chains,
            RecordKind::ChainNode => &mut self.chain_nodes,
            RecordKind::NodeInput => &mut self.node_inputs,
            RecordKind::Enterprise => &mut self.enterprises,
            RecordKind::EnterpriseNode => &mut self.enterprise_nodes,
            RecordKind::SupplyRelation => &mut self.supply_relations,
            RecordKind::Listing => &mut self.listings,
            RecordKind::Event => &mut self.events,
            RecordKind::Participant => &mut self.participants,
            RecordKind::MeetingRequest => &mut self.meeting_requests,
            RecordKind::Meeting => &mut self.meetings,
            RecordKind::Agreement => &mut self.agreements,
        }
    }

    pub fn total(&self) -> u64 {
        RecordKind::ALL.iter().map(|&k| self.get(k)).sum()
    }
}

/// A chain with its size, in the whole atlas or within one region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSummary {
    pub chain: Chain,
    pub nodes: u64,
    /// Distinct enterprises operating in at least one node of the chain.
    pub enterprises: u64,
    pub output: Money,
}

/// Enterprises present in one node (within a region, if one was asked for).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodePresence {
    pub node: NodeId,
    pub enterprises: u64,
    pub output: Money,
    pub capacity: Money,
}

/// The few fields of an enterprise that lists and links show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseRef {
    pub id: EnterpriseId,
    pub name_zh: String,
    pub name_en: String,
    pub region: RegionCode,
    pub tags: Tags,
}

/// The few fields of a node that lists and links show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRef {
    pub id: NodeId,
    pub chain: ChainId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// An enterprise in a node, with its output and capacity there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnterpriseNodeRow<T> {
    pub item: T,
    pub output: Money,
    pub capacity: Money,
}

/// One supply relation seen from one side: the enterprise on the other side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplyLink {
    pub relation: SupplyRelationId,
    pub counterpart: EnterpriseRef,
    pub node: NodeRef,
    pub annual_value: Money,
}

/// How to order enterprises in a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnterpriseOrder {
    /// Largest output first: for those who may see output.
    ByOutput,
    /// By id: for those who may not, since an order by output would reveal rank.
    ById,
}

/// One page of a longer list, with the length of the whole list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

pub(crate) const ENTERPRISE_REF_COLUMNS: &str = "e.id, e.name_zh, e.name_en, e.region_code, e.tags";
pub(crate) fn enterprise_ref(row: &Row<'_>, at: usize) -> crate::db::Result<EnterpriseRef> {
    Ok(EnterpriseRef {
        id: EnterpriseId(row.get(at)?),
        name_zh: row.get(at + 1)?,
        name_en: row.get(at + 2)?,
        region: region_code(row, at + 3)?,
        tags: Tags::from_bits(row.get(at + 4)?),
    })
}

const NODE_REF_COLUMNS: &str = "n.id, n.chain_id, n.code, n.name_zh, n.name_en";
fn node_ref(row: &Row<'_>, at: usize) -> crate::db::Result<NodeRef> {
    Ok(NodeRef {
        id: NodeId(row.get(at)?),
        chain: ChainId(row.get(at + 1)?),
        code: row.get(at + 2)?,
        name_zh: row.get(at + 3)?,
        name_en: row.get(at + 4)?,
    })
}

/// The range of region codes a filter covers: everything when no region is given.
fn region_range(region: Option<RegionCode>) -> (u32, u32) {
    match region {
        Some(code) => {
            let range = code.descendants();
            (*range.start(), *range.end())
        }
        None => (0, u32::MAX),
    }
}

impl Store {
    pub fn counts(&self) -> Result<Counts> {
        let mut counts = Counts::default();
        for &kind in RecordKind::ALL {
            let n: i64 = self.conn.query_row(
                &format!("SELECT COUNT(*) FROM {}", kind.as_str()),
                [],
                |r| r.get(0),
            )?;
            *counts.slot(kind) = n as u64;
        }
        Ok(counts)
    }

    /// Enterprises that carry `tag`.
    pub fn count_with_tag(&self, tag: Tag) -> Result<u64> {
        let bit = 1i64 << (tag as u8);
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM enterprises WHERE (tags & ?1) <> 0",
            [bit],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Whether any enterprise comes from the demo generator.
    pub fn has_synthetic_data(&self) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM enterprises WHERE source = ?1)",
            [chainatlas_model::SYNTHETIC_SOURCE],
            |r| r.get(0),
        )?)
    }

    pub fn regions(&self) -> Result<Vec<Region>> {
        let sql = format!("SELECT {} FROM regions ORDER BY code", rows::REGION_COLUMNS);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let regions = stmt
            .query_map([], rows::region)?
            .collect::<crate::db::Result<_>>()?;
        Ok(regions)
    }

    /// How many enterprises each province holds, by province code (provinces with none
    /// left out).
    pub fn enterprises_by_province(&self) -> Result<Vec<(RegionCode, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT region_code / 10000 * 10000, COUNT(*) FROM enterprises GROUP BY 1 ORDER BY 1",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<u32>(0)?, r.get::<i64>(1)? as u64)))?
            .collect::<crate::db::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .filter_map(|(code, n)| RegionCode::new(code).ok().map(|c| (c, n)))
            .collect())
    }

    /// The regions where enterprises or listings are, with the cities and provinces
    /// around them, in code order: what a region filter offers (of the 3,000-odd built-in
    /// divisions, those that can show anything).
    pub fn regions_in_use(&self) -> Result<Vec<Region>> {
        let sql = format!(
            "WITH used AS (SELECT DISTINCT region_code AS code FROM enterprises
                           UNION SELECT DISTINCT region_code FROM listings)
             SELECT {} FROM regions
             WHERE code IN (SELECT code FROM used)
                OR code IN (SELECT code / 100 * 100 FROM used)
                OR code IN (SELECT code / 10000 * 10000 FROM used)
             ORDER BY code",
            rows::REGION_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let regions = stmt
            .query_map([], rows::region)?
            .collect::<crate::db::Result<_>>()?;
        Ok(regions)
    }

    pub fn region(&self, code: RegionCode) -> Result<Option<Region>> {
        let sql = format!(
            "SELECT {} FROM regions WHERE code = ?1",
            rows::REGION_COLUMNS
        );
        Ok(self
            .conn
            .query_row(&sql, [code.value()], rows::region)
            .optional()?)
    }

    pub fn chains(&self) -> Result<Vec<Chain>> {
        let sql = format!("SELECT {} FROM chains ORDER BY id", rows::CHAIN_COLUMNS);
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let chains = stmt
            .query_map([], rows::chain)?
            .collect::<crate::db::Result<_>>()?;
        Ok(chains)
    }

    pub fn chain(&self, id: ChainId) -> Result<Option<Chain>> {
        let sql = format!("SELECT {} FROM chains WHERE id = ?1", rows::CHAIN_COLUMNS);
        Ok(self.conn.query_row(&sql, [id.0], rows::chain).optional()?)
    }

    pub fn chain_by_code(&self, code: &str) -> Result<Option<Chain>> {
        let sql = format!("SELECT {} FROM chains WHERE code = ?1", rows::CHAIN_COLUMNS);
        Ok(self.conn.query_row(&sql, [code], rows::chain).optional()?)
    }

    /// Every chain with its node count, enterprises and output, within `region` if given.
    /// The server counts the same from its graph (`chainatlas_app::view::chain_summaries`);
    /// this aggregation is what the tests hold that to.
    pub fn chain_summaries(&self, region: Option<RegionCode>) -> Result<Vec<ChainSummary>> {
        let mut presence = std::collections::HashMap::new();
        let mut collect = |row: &Row<'_>| -> crate::db::Result<()> {
            presence.insert(
                row.get::<i64>(0)?,
                (row.get::<i64>(1)? as u64, money(row, 2)?),
            );
            Ok(())
        };
        match region {
            Some(code) => {
                let range = code.descendants();
                let mut stmt = self.conn.prepare_cached(
                    "SELECT n.chain_id, COUNT(DISTINCT en.enterprise_id), COALESCE(SUM(en.output_fen), 0)
                     FROM enterprise_nodes en
                     JOIN chain_nodes n ON n.id = en.node_id
                     JOIN enterprises e ON e.id = en.enterprise_id
                     WHERE e.region_code BETWEEN ?1 AND ?2
                     GROUP BY n.chain_id",
                )?;
                let mut rows = stmt.query(params![range.start(), range.end()])?;
                while let Some(row) = rows.next()? {
                    collect(&row)?;
                }
            }
            // Without a region there is nothing to filter on: no join with enterprises.
            None => {
                let mut stmt = self.conn.prepare_cached(
                    "SELECT n.chain_id, COUNT(DISTINCT en.enterprise_id), COALESCE(SUM(en.output_fen), 0)
                     FROM enterprise_nodes en
                     JOIN chain_nodes n ON n.id = en.node_id
                     GROUP BY n.chain_id",
                )?;
                let mut rows = stmt.query([])?;
                while let Some(row) = rows.next()? {
                    collect(&row)?;
                }
            }
        }
        let mut node_counts = std::collections::HashMap::new();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT chain_id, COUNT(*) FROM chain_nodes GROUP BY chain_id")?;
        for row in stmt.query_map([], |r| Ok((r.get::<i64>(0)?, r.get::<i64>(1)?)))? {
            let (chain, nodes) = row?;
            node_counts.insert(chain, nodes as u64);
        }
        Ok(self
            .chains()?
            .into_iter()
            .map(|chain| {
                let (enterprises, output) = presence
                    .get(&chain.id.0)
                    .copied()
                    .unwrap_or((0, Money::ZERO));
                let nodes = node_counts.get(&chain.id.0).copied().unwrap_or(0);
                ChainSummary {
                    chain,
                    nodes,
                    enterprises,
                    output,
                }
            })
            .collect())
    }

    /// Nodes whose Chinese or English name or code holds `query`, shortest name first.
    pub fn search_nodes(&self, query: &str, limit: u32) -> Result<Vec<ChainNode>> {
        let pattern = format!(
            "%{}%",
            query
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let sql = format!(
            "SELECT {} FROM chain_nodes
             WHERE name_zh LIKE ?1 ESCAPE '\\' OR name_en LIKE ?1 ESCAPE '\\' OR code LIKE ?1 ESCAPE '\\'
             ORDER BY length(name_zh), id LIMIT ?2",
            rows::NODE_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let nodes = stmt
            .query_map(params![pattern, limit], rows::node)?
            .collect::<crate::db::Result<_>>()?;
        Ok(nodes)
    }

    /// The nodes of a chain, upstream first, then in id order.
    pub fn chain_nodes(&self, chain: ChainId) -> Result<Vec<ChainNode>> {
        let sql = format!(
            "SELECT {} FROM chain_nodes WHERE chain_id = ?1
             ORDER BY CASE segment WHEN 'upstream' THEN 0 WHEN 'midstream' THEN 1 ELSE 2 END, id",
            rows::NODE_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let nodes = stmt
            .query_map([chain.0], rows::node)?
            .collect::<crate::db::Result<_>>()?;
        Ok(nodes)
    }

    /// Input links that feed a node of the chain (the input may belong to another chain).
    pub fn chain_node_inputs(&self, chain: ChainId) -> Result<Vec<NodeInput>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT i.input_node_id, i.output_node_id FROM node_inputs i
             JOIN chain_nodes n ON n.id = i.output_node_id
             WHERE n.chain_id = ?1 ORDER BY i.input_node_id, i.output_node_id",
        )?;
        let inputs = stmt
            .query_map([chain.0], rows::node_input)?
            .collect::<crate::db::Result<_>>()?;
        Ok(inputs)
    }

    /// For each node of the chain with any enterprise (in `region`, if given): how many
    /// enterprises operate there, their output and their capacity.
    pub fn node_presence(
        &self,
        chain: ChainId,
        region: Option<RegionCode>,
    ) -> Result<Vec<NodePresence>> {
        let (lo, hi) = region_range(region);
        let mut stmt = self.conn.prepare_cached(
            "SELECT en.node_id, COUNT(*), SUM(en.output_fen), SUM(en.capacity_fen)
             FROM chain_nodes n
             JOIN enterprise_nodes en ON en.node_id = n.id
             JOIN enterprises e ON e.id = en.enterprise_id
             WHERE n.chain_id = ?1 AND e.region_code BETWEEN ?2 AND ?3
             GROUP BY en.node_id ORDER BY en.node_id",
        )?;
        let presence = stmt
            .query_map(params![chain.0, lo, hi], |r| {
                Ok(NodePresence {
                    node: NodeId(r.get(0)?),
                    enterprises: r.get::<i64>(1)? as u64,
                    output: money(r, 2)?,
                    capacity: money(r, 3)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(presence)
    }

    pub fn node(&self, id: NodeId) -> Result<Option<ChainNode>> {
        let sql = format!(
            "SELECT {} FROM chain_nodes WHERE id = ?1",
            rows::NODE_COLUMNS
        );
        Ok(self.conn.query_row(&sql, [id.0], rows::node).optional()?)
    }

    /// The nodes that feed `node` and the nodes it feeds.
    pub fn node_neighbours(&self, node: NodeId) -> Result<(Vec<NodeRef>, Vec<NodeRef>)> {
        let query = |sql: String| -> Result<Vec<NodeRef>> {
            let mut stmt = self.conn.prepare_cached(&sql)?;
            let refs = stmt
                .query_map([node.0], |r| node_ref(r, 0))?
                .collect::<crate::db::Result<_>>()?;
            Ok(refs)
        };
        let inputs = query(format!(
            "SELECT {NODE_REF_COLUMNS} FROM node_inputs i JOIN chain_nodes n ON n.id = i.input_node_id
             WHERE i.output_node_id = ?1 ORDER BY n.id"
        ))?;
        let outputs = query(format!(
            "SELECT {NODE_REF_COLUMNS} FROM node_inputs i JOIN chain_nodes n ON n.id = i.output_node_id
             WHERE i.input_node_id = ?1 ORDER BY n.id"
        ))?;
        Ok((inputs, outputs))
    }

    /// Enterprises operating in `node` (within `region`, if given), in `order`.
    pub fn node_enterprises(
        &self,
        node: NodeId,
        region: Option<RegionCode>,
        order: EnterpriseOrder,
        limit: u32,
        offset: u32,
    ) -> Result<Page<EnterpriseNodeRow<EnterpriseRef>>> {
        let (lo, hi) = region_range(region);
        let total: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM enterprise_nodes en JOIN enterprises e ON e.id = en.enterprise_id
             WHERE en.node_id = ?1 AND e.region_code BETWEEN ?2 AND ?3",
            params![node.0, lo, hi],
            |r| r.get(0),
        )?;
        let order_by = match order {
            EnterpriseOrder::ByOutput => "en.output_fen DESC, e.id",
            EnterpriseOrder::ById => "e.id",
        };
        let sql = format!(
            "SELECT {ENTERPRISE_REF_COLUMNS}, en.output_fen, en.capacity_fen
             FROM enterprise_nodes en JOIN enterprises e ON e.id = en.enterprise_id
             WHERE en.node_id = ?1 AND e.region_code BETWEEN ?2 AND ?3
             ORDER BY {order_by} LIMIT ?4 OFFSET ?5"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let items = stmt
            .query_map(params![node.0, lo, hi, limit, offset], |r| {
                Ok(EnterpriseNodeRow {
                    item: enterprise_ref(r, 0)?,
                    output: money(r, 5)?,
                    capacity: money(r, 6)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(Page {
            items,
            total: total as u64,
        })
    }

    pub fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>> {
        let sql = format!(
            "SELECT {} FROM enterprises WHERE id = ?1",
            rows::ENTERPRISE_COLUMNS
        );
        Ok(self
            .conn
            .query_row(&sql, [id.0], rows::enterprise)
            .optional()?)
    }

    /// Every enterprise in id order, one at a time (a province's million without holding
    /// them twice).
    pub fn for_each_enterprise(&self, mut f: impl FnMut(Enterprise)) -> Result<()> {
        let sql = format!(
            "SELECT {} FROM enterprises ORDER BY id",
            rows::ENTERPRISE_COLUMNS
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            f(rows::enterprise(&row)?);
        }
        Ok(())
    }

    /// Enterprises whose name (Chinese or English) contains `query`, within `region`.
    pub fn search_enterprises(
        &self,
        query: &str,
        region: Option<RegionCode>,
        limit: u32,
        offset: u32,
    ) -> Result<Page<EnterpriseRef>> {
        let (lo, hi) = region_range(region);
        let escape = |s: &str| {
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        };
        let pattern = format!("%{}%", escape(query));
        // A Chinese abbreviation keeps the characters of the name in order (马钢 in
        // 马鞍山钢铁, 株洲天邦 in 株洲天邦轨道装备): each character, anything between.
        let in_order = if query.chars().count() >= 2 && query.chars().all(is_cjk) {
            let parts: Vec<String> = query.chars().map(|c| escape(&c.to_string())).collect();
            format!("%{}%", parts.join("%"))
        } else {
            pattern.clone()
        };
        let filter = "FROM enterprises e WHERE e.region_code BETWEEN ?1 AND ?2
             AND (e.name_zh LIKE ?3 ESCAPE '\\' OR e.name_en LIKE ?3 ESCAPE '\\'
                  OR e.name_zh LIKE ?7 ESCAPE '\\' OR e.credit_code = ?4)";
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) {filter}"),
            params![lo, hi, pattern, query, 0, 0, in_order],
            |r| r.get(0),
        )?;
        // The name that holds the words as typed first, then shorter names.
        let sql = format!(
            "SELECT {ENTERPRISE_REF_COLUMNS} {filter}
             ORDER BY e.credit_code <> ?4, e.name_zh NOT LIKE ?3 ESCAPE '\\', length(e.name_zh), e.id
             LIMIT ?5 OFFSET ?6"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let items = stmt
            .query_map(
                params![lo, hi, pattern, query, limit, offset, in_order],
                |r| enterprise_ref(r, 0),
            )?
            .collect::<crate::db::Result<_>>()?;
        Ok(Page {
            items,
            total: total as u64,
        })
    }

    /// The nodes an enterprise operates in, with its output and capacity in each.
    pub fn enterprise_nodes_of(&self, id: EnterpriseId) -> Result<Vec<EnterpriseNodeRow<NodeRef>>> {
        let sql = format!(
            "SELECT {NODE_REF_COLUMNS}, en.output_fen, en.capacity_fen
             FROM enterprise_nodes en JOIN chain_nodes n ON n.id = en.node_id
             WHERE en.enterprise_id = ?1 ORDER BY en.output_fen DESC, n.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map([id.0], |r| {
                Ok(EnterpriseNodeRow {
                    item: node_ref(r, 0)?,
                    output: money(r, 5)?,
                    capacity: money(r, 6)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// Who supplies `id`, largest annual value first.
    pub fn suppliers_of(
        &self,
        id: EnterpriseId,
        limit: u32,
        offset: u32,
    ) -> Result<Page<SupplyLink>> {
        self.supply_links(id, "buyer_id", "supplier_id", limit, offset)
    }

    /// Whom `id` supplies, largest annual value first.
    pub fn buyers_of(&self, id: EnterpriseId, limit: u32, offset: u32) -> Result<Page<SupplyLink>> {
        self.supply_links(id, "supplier_id", "buyer_id", limit, offset)
    }

    fn supply_links(
        &self,
        id: EnterpriseId,
        own_side: &str,
        other_side: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<SupplyLink>> {
        let total: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM supply_relations WHERE {own_side} = ?1"),
            [id.0],
            |r| r.get(0),
        )?;
        let sql = format!(
            "SELECT s.id, s.annual_value_fen, {ENTERPRISE_REF_COLUMNS}, {NODE_REF_COLUMNS}
             FROM supply_relations s
             JOIN enterprises e ON e.id = s.{other_side}
             JOIN chain_nodes n ON n.id = s.node_id
             WHERE s.{own_side} = ?1 ORDER BY s.annual_value_fen DESC, s.id LIMIT ?2 OFFSET ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let items = stmt
            .query_map(params![id.0, limit, offset], |r| {
                Ok(SupplyLink {
                    relation: SupplyRelationId(r.get(0)?),
                    annual_value: money(r, 1)?,
                    counterpart: enterprise_ref(r, 2)?,
                    node: node_ref(r, 7)?,
                })
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(Page {
            items,
            total: total as u64,
        })
    }
    /// The enterprise a user acts for, if it exists.
    pub fn enterprise_exists(&self, id: EnterpriseId) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM enterprises WHERE id = ?1",
                [id.0],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
    /// The enterprise with this credit code: its id and Chinese name.
    pub fn enterprise_with_credit_code(
        &self,
        code: &str,
    ) -> Result<Option<(EnterpriseId, String)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, name_zh FROM enterprises WHERE credit_code = ?1")?
            .query_row([code], |r| Ok((EnterpriseId(r.get(0)?), r.get(1)?)))
            .optional()?)
    }

    /// Every chain node with its chain.
    pub fn node_chains(&self) -> Result<Vec<(NodeId, ChainId)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, chain_id FROM chain_nodes ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| Ok((NodeId(r.get(0)?), ChainId(r.get(1)?))))?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// The region of each of `ids` that exists.
    pub fn enterprise_regions(
        &self,
        ids: &[EnterpriseId],
    ) -> Result<Vec<(EnterpriseId, chainatlas_model::RegionCode)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT region_code FROM enterprises WHERE id = ?1")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(code) = stmt
                .query_row([id.0], |r| crate::rows::region_code(r, 0))
                .optional()?
            {
                out.push((*id, code));
            }
        }
        Ok(out)
    }
}

/// A character of the CJK Unified Ideographs blocks (names' Chinese characters).
fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}
