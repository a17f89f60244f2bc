//! Loading the in-memory supply graph that the analyses work on, and looking up the
//! names of what their results mention.

use std::collections::HashMap;

use chainatlas_analysis::{ChainStructure, EnterpriseChange, Graph, GraphBuilder, Profile};
use chainatlas_model::{ChainId, EnterpriseId, NodeId, Tags};

use crate::atlas::{enterprise_ref, EnterpriseRef, ENTERPRISE_REF_COLUMNS};
use crate::db::{Backend, Connection, OptionalExtension};
use crate::rows::{parsed, region_code};
use crate::{Result, Store};

/// Rows of the change log kept; an older position cannot be brought up to date.
pub(crate) const GRAPH_LOG_KEPT: i64 = 100_000;

/// What changed in the supply graph's tables since a position in their change log.
#[derive(Debug)]
pub enum GraphUpdate {
    /// Nothing the graph holds.
    Unchanged,
    /// A bulk load wrote the tables, more enterprises changed than a patch is worth, or
    /// the log no longer reaches back: load it whole.
    Reload,
    /// All the graph holds of each changed enterprise now, and the chain structure if it
    /// changed ([`Graph::updated`]), read in one snapshot with the log position it
    /// brings the graph to.
    Patch {
        through: i64,
        structure: Option<ChainStructure>,
        changes: Vec<EnterpriseChange>,
    },
}

impl Store {
    /// The whole atlas as a [`Graph`], read in five sequential scans. The caller keys it
    /// on [`Store::generation`], read before this call, so a write during the load only
    /// makes the graph look older than it is, never newer.
    pub fn supply_graph(&self) -> Result<Graph> {
        Ok(self.supply_graph_logged()?.0)
    }

    /// The supply graph with the position in the graph's change log it reflects, from
    /// which [`Store::graph_changes`] brings it up to date.
    pub fn supply_graph_logged(&self) -> Result<(Graph, i64)> {
        // One snapshot for the five scans, each streamed: a province's ten million
        // relations pass through a few thousand rows at a time.
        let _read = self.conn.read_transaction()?;
        let position = graph_log_position(&self.conn)?;
        let mut b = GraphBuilder::new();
        let scan = |sql: &str, f: &mut dyn FnMut(&crate::db::Row<'_>) -> crate::db::Result<()>| {
            self.conn.for_each_row(sql, f)
        };
        let structure = self.chain_structure()?;
        for &(id, chain, segment) in &structure.nodes {
            b.node(id, chain, segment);
        }
        for &(input, output) in &structure.inputs {
            b.input(input, output).map_err(inconsistent)?;
        }
        scan(
            "SELECT id, region_code, size, tags, employees, industry_code FROM enterprises ORDER BY id",
            &mut |r| b.enterprise(profile(r)?).map_err(inconsistent),
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
        Ok((b.build(), position))
    }

    /// The chain nodes (in id order) and their inputs.
    fn chain_structure(&self) -> Result<ChainStructure> {
        let mut structure = ChainStructure::default();
        self.conn.for_each_row(
            "SELECT id, chain_id, segment FROM chain_nodes ORDER BY id",
            &mut |r: &crate::db::Row<'_>| {
                let node = (NodeId(r.get(0)?), ChainId(r.get(1)?), parsed(r, 2)?);
                structure.nodes.push(node);
                Ok(())
            },
        )?;
        self.conn.for_each_row(
            "SELECT input_node_id, output_node_id FROM node_inputs ORDER BY input_node_id, output_node_id",
            &mut |r: &crate::db::Row<'_>| {
                structure.inputs.push((NodeId(r.get(0)?), NodeId(r.get(1)?)));
                Ok(())
            },
        )?;
        Ok(structure)
    }

    /// What changed in the graph's tables since `since`, a position of the change log
    /// (0 before any change): the enterprises as they are now, and the chain structure
    /// if it changed, read in one snapshot; or [`GraphUpdate::Reload`] when more than
    /// `max_enterprises` changed, a bulk load wrote the tables, or the log was cut short
    /// behind `since`.
    pub fn graph_changes(&self, since: i64, max_enterprises: usize) -> Result<GraphUpdate> {
        let _read = self.conn.read_transaction()?;
        let through = graph_log_position(&self.conn)?;
        if through == since {
            return Ok(GraphUpdate::Unchanged);
        }
        if since > through || since < through - GRAPH_LOG_KEPT {
            return Ok(GraphUpdate::Reload);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT enterprise_id FROM graph_changes WHERE id > ?1 AND id <= ?2",
        )?;
        let logged: Vec<Option<i64>> = stmt
            .query_map([since, through], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
        if logged.iter().flatten().count() > max_enterprises {
            return Ok(GraphUpdate::Reload);
        }
        // A row without an enterprise is a change of the chain structure, or a bulk
        // load; a bulk load empties the log before it writes its row, so the row at
        // `since` is then gone.
        let structure = if logged.iter().any(Option::is_none) {
            if since == 0 || self.graph_log_row(since)?.is_none() {
                return Ok(GraphUpdate::Reload);
            }
            Some(self.chain_structure()?)
        } else {
            None
        };
        let mut changes = Vec::with_capacity(logged.len());
        for id in logged.into_iter().flatten() {
            changes.push(self.enterprise_change(EnterpriseId(id))?);
        }
        Ok(GraphUpdate::Patch {
            through,
            structure,
            changes,
        })
    }

    /// A text drawn at random when the database was made (or brought to schema version
    /// 13), naming it for derived data kept in files.
    pub fn identity(&self) -> Result<String> {
        Ok(self.conn.query_row(
            "SELECT token FROM database_identity WHERE id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// Which enterprise the change log's row at `position` names (`Some(None)`: every
    /// enterprise), if the row is there: a file made at that position checks with it
    /// that the database's history is the one the file saw.
    pub fn graph_log_row(&self, position: i64) -> Result<Option<Option<i64>>> {
        Ok(self
            .conn
            .query_row(
                "SELECT enterprise_id FROM graph_changes WHERE id = ?1",
                [position],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// All the graph holds of one enterprise now.
    fn enterprise_change(&self, id: EnterpriseId) -> Result<EnterpriseChange> {
        let profile = self
            .conn
            .prepare_cached(
                "SELECT id, region_code, size, tags, employees, industry_code FROM enterprises WHERE id = ?1",
            )?
            .query_map([id.0], profile)?
            .next()
            .transpose()?;
        let units = self
            .conn
            .prepare_cached(
                "SELECT node_id, output_fen, capacity_fen FROM enterprise_nodes WHERE enterprise_id = ?1",
            )?
            .query_map([id.0], |r| Ok((NodeId(r.get(0)?), r.get(1)?, r.get(2)?)))?
            .collect::<crate::db::Result<_>>()?;
        let purchases = self
            .conn
            .prepare_cached(
                "SELECT supplier_id, node_id, annual_value_fen FROM supply_relations WHERE buyer_id = ?1",
            )?
            .query_map([id.0], |r| {
                Ok((EnterpriseId(r.get(0)?), NodeId(r.get(1)?), r.get(2)?))
            })?
            .collect::<crate::db::Result<_>>()?;
        Ok(EnterpriseChange {
            id,
            profile,
            units,
            purchases,
        })
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

/// An enterprise's profile from `id, region_code, size, tags, employees, industry_code`.
fn profile(r: &crate::db::Row<'_>) -> crate::db::Result<Profile> {
    let code: String = r.get(5)?;
    Ok(Profile {
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
}

/// The last position of the graph's change log (0 when it is empty and always was).
fn graph_log_position(conn: &Connection) -> crate::db::Result<i64> {
    conn.query_row("SELECT COALESCE(MAX(id), 0) FROM graph_changes", [], |r| {
        r.get(0)
    })
}

/// The graph log's triggers set aside for a bulk write: on SQLite they are dropped (and
/// made again by [`GraphLogPause::resume`], in the same transaction); on PostgreSQL they
/// stand aside while `chainatlas.bulk` is on.
pub(crate) struct GraphLogPause {
    triggers: Vec<String>,
}

impl GraphLogPause {
    pub(crate) fn pause(conn: &Connection) -> crate::db::Result<GraphLogPause> {
        let mut triggers = Vec::new();
        match conn.backend() {
            Backend::Sqlite => {
                let mut stmt = conn.prepare(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'graph\\_%' ESCAPE '\\' ORDER BY name",
                )?;
                let found: Vec<(String, String)> = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<crate::db::Result<_>>()?;
                for (name, sql) in found {
                    conn.execute_batch(&format!("DROP TRIGGER {name}"))?;
                    triggers.push(sql);
                }
            }
            Backend::Postgres => conn.execute_batch("SET LOCAL chainatlas.bulk = 'on'")?,
        }
        Ok(GraphLogPause { triggers })
    }

    /// The triggers back; the log then holds one row telling every graph to load whole.
    pub(crate) fn resume(self, conn: &Connection) -> crate::db::Result<()> {
        self.restore(conn)?;
        conn.execute_batch(
            "DELETE FROM graph_changes;
             INSERT INTO graph_changes (enterprise_id) VALUES (NULL);",
        )
    }
}

impl GraphLogPause {
    /// The triggers back, the log as it is.
    pub(crate) fn restore(self, conn: &Connection) -> crate::db::Result<()> {
        // On PostgreSQL the setting ends with the transaction.
        for sql in self.triggers {
            conn.execute_batch(&sql)?;
        }
        Ok(())
    }
}

/// Keeps the last [`GRAPH_LOG_KEPT`] rows of the graph's change log; run by every
/// committing write.
pub(crate) fn prune_graph_log(conn: &Connection) -> crate::db::Result<()> {
    conn.execute(
        "DELETE FROM graph_changes WHERE id <= (SELECT MAX(id) FROM graph_changes) - ?1",
        [GRAPH_LOG_KEPT],
    )?;
    Ok(())
}
