//! Loading the in-memory supply graph that the analyses work on, and looking up the
//! names of what their results mention.

use std::collections::HashMap;

use chainatlas_analysis::{Graph, GraphBuilder, Profile};
use chainatlas_model::{ChainId, EnterpriseId, NodeId, Tags};

use crate::atlas::{enterprise_ref, EnterpriseRef, ENTERPRISE_REF_COLUMNS};
use crate::rows::{parsed, region_code};
use crate::{Result, Store};

impl Store {
    /// The whole atlas as a [`Graph`], read in five sequential scans. The caller keys it
    /// on [`Store::generation`], read before this call, so a write during the load only
    /// makes the graph look older than it is, never newer.
    pub fn supply_graph(&self) -> Result<Graph> {
        // One snapshot for the five scans, each streamed: a province's ten million
        // relations pass through a few thousand rows at a time.
        let _read = self.conn.read_transaction()?;
        let mut b = GraphBuilder::new();
        let scan = |sql: &str, f: &mut dyn FnMut(&crate::db::Row<'_>) -> crate::db::Result<()>| {
            self.conn.for_each_row(sql, f)
        };
        scan(
            "SELECT id, chain_id, segment FROM chain_nodes ORDER BY id",
            &mut |r| {
                b.node(NodeId(r.get(0)?), ChainId(r.get(1)?), parsed(r, 2)?);
                Ok(())
            },
        )?;
        scan(
            "SELECT input_node_id, output_node_id FROM node_inputs",
            &mut |r| {
                b.input(NodeId(r.get(0)?), NodeId(r.get(1)?))
                    .map_err(inconsistent)
            },
        )?;
        scan(
            "SELECT id, region_code, size, tags, employees, industry_code FROM enterprises ORDER BY id",
            &mut |r| {
                let code: String = r.get(5)?;
                b.enterprise(Profile {
                    id: EnterpriseId(r.get(0)?),
                    region: region_code(r, 1)?,
                    size: parsed(r, 2)?,
                    tags: Tags::from_bits(r.get(3)?),
                    employees: r.get(4)?,
                    industry: if code.is_empty() {
                        None
                    } else {
                        Some(parsed(r, 5)?)
                    },
                })
                .map_err(inconsistent)
            },
        )?;
        scan(
            "SELECT enterprise_id, node_id, output_fen, capacity_fen FROM enterprise_nodes",
            &mut |r| {
                b.unit(
                    EnterpriseId(r.get(0)?),
                    NodeId(r.get(1)?),
                    r.get(2)?,
                    r.get(3)?,
                )
                .map_err(inconsistent)
            },
        )?;
        scan(
            "SELECT supplier_id, buyer_id, node_id, annual_value_fen FROM supply_relations",
            &mut |r| {
                b.relation(
                    EnterpriseId(r.get(0)?),
                    EnterpriseId(r.get(1)?),
                    NodeId(r.get(2)?),
                    r.get(3)?,
                )
                .map_err(inconsistent)
            },
        )?;
        Ok(b.build())
    }

    /// Names and regions of the given enterprises, keyed by id; unknown ids are left out.
    pub fn enterprise_refs(
        &self,
        ids: &[EnterpriseId],
    ) -> Result<HashMap<EnterpriseId, EnterpriseRef>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ENTERPRISE_REF_COLUMNS} FROM enterprises e WHERE e.id = ?1"
        ))?;
        let mut found = HashMap::with_capacity(ids.len());
        for &id in ids {
            if found.contains_key(&id) {
                continue;
            }
            let mut rows = stmt.query([id.0])?;
            if let Some(r) = rows.next()? {
                found.insert(id, enterprise_ref(&r, 0)?);
            }
        }
        Ok(found)
    }
}

/// The schema's foreign keys make this unreachable unless the file was edited by hand.
fn inconsistent(e: chainatlas_analysis::GraphError) -> crate::db::Error {
    crate::db::Error::conversion(0, e)
}
