//! Every record of a kind, in key order: what bundle export and import read in bulk.

use chainatlas_model::{Record, RecordKind};

use rusqlite::Row;

use crate::rows;
use crate::{Result, Store, StoreError};

impl Store {
    /// The keys of every record of a kind with a single integer key (regions by code),
    /// empty for the kinds keyed by a pair.
    pub fn keys(&self, kind: RecordKind) -> Result<Vec<i64>> {
        let column = match kind {
            RecordKind::Region => "code",
            RecordKind::NodeInput | RecordKind::EnterpriseNode => return Ok(Vec::new()),
            _ => "id",
        };
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {column} FROM {}", kind.as_str()))?;
        let keys = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(keys)
    }

    /// Calls `visit` with every record of `kind`, in a stable order (by key), streaming:
    /// memory stays flat however many records there are. This order is what makes an
    /// export byte-for-byte reproducible.
    pub fn for_each_record<E>(
        &self,
        kind: RecordKind,
        mut visit: impl FnMut(Record) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<StoreError>,
    {
        let (sql, map): (String, fn(&Row<'_>) -> rusqlite::Result<Record>) = match kind {
            RecordKind::Region => (
                format!("SELECT {} FROM regions ORDER BY code", rows::REGION_COLUMNS),
                |r| rows::region(r).map(Record::Region),
            ),
            RecordKind::Chain => (
                format!("SELECT {} FROM chains ORDER BY id", rows::CHAIN_COLUMNS),
                |r| rows::chain(r).map(Record::Chain),
            ),
            RecordKind::ChainNode => (
                format!("SELECT {} FROM chain_nodes ORDER BY id", rows::NODE_COLUMNS),
                |r| rows::node(r).map(Record::ChainNode),
            ),
            RecordKind::NodeInput => (
                "SELECT input_node_id, output_node_id FROM node_inputs ORDER BY input_node_id, output_node_id".into(),
                |r| rows::node_input(r).map(Record::NodeInput),
            ),
            RecordKind::Enterprise => (
                format!("SELECT {} FROM enterprises ORDER BY id", rows::ENTERPRISE_COLUMNS),
                |r| rows::enterprise(r).map(Record::Enterprise),
            ),
            RecordKind::EnterpriseNode => (
                "SELECT enterprise_id, node_id, output_fen, capacity_fen FROM enterprise_nodes
                 ORDER BY enterprise_id, node_id"
                    .into(),
                |r| rows::enterprise_node(r).map(Record::EnterpriseNode),
            ),
            RecordKind::SupplyRelation => (
                "SELECT id, supplier_id, buyer_id, node_id, annual_value_fen FROM supply_relations ORDER BY id".into(),
                |r| rows::supply_relation(r).map(Record::SupplyRelation),
            ),
            RecordKind::Listing => (
                format!("SELECT {} FROM listings ORDER BY id", rows::LISTING_COLUMNS),
                |r| rows::listing(r).map(Record::Listing),
            ),
        };
        let mut stmt = self.conn.prepare(&sql).map_err(StoreError::from)?;
        let mut rows = stmt.query([]).map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            visit(map(row).map_err(StoreError::from)?)?;
        }
        Ok(())
    }
}
