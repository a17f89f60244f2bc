//! Records written one at a time through forms: created with the id the database assigns,
//! and deleted only when nothing refers to them.

use crate::db::{params, Connection};
use chainatlas_model::{Record, RecordKind, Text};

use crate::writer::{InsertError, Writer};
use crate::Result;

/// What may refer to a record of a kind: (what in Chinese, in English, SQL counting with
/// `?1` the record's key, SQL naming the first five of them).
type Reference = (&'static str, &'static str, &'static str, &'static str);

fn references(kind: RecordKind) -> &'static [Reference] {
    match kind {
        RecordKind::Chain => &[
            ("环节", "chain nodes",
             "SELECT count(*) FROM chain_nodes WHERE chain_id = ?1",
             "SELECT code FROM chain_nodes WHERE chain_id = ?1 ORDER BY id LIMIT 5"),
            ("对接会", "events",
             "SELECT count(*) FROM event_chains WHERE chain_id = ?1",
             "SELECT e.name FROM event_chains x JOIN events e ON e.id = x.event_id WHERE x.chain_id = ?1 ORDER BY e.id LIMIT 5"),
            ("合作项目", "agreements",
             "SELECT count(*) FROM agreements WHERE chain_id = ?1",
             "SELECT '#' || id FROM agreements WHERE chain_id = ?1 ORDER BY id LIMIT 5"),
            ("诉求", "appeals",
             "SELECT count(*) FROM appeals WHERE chain_id = ?1",
             "SELECT '#' || id FROM appeals WHERE chain_id = ?1 ORDER BY id LIMIT 5"),
        ],
        RecordKind::ChainNode => &[
            ("环节投入关系", "node inputs",
             "SELECT count(*) FROM node_inputs WHERE input_node_id = ?1 OR output_node_id = ?1",
             "SELECT i.code || ' → ' || o.code FROM node_inputs x JOIN chain_nodes i ON i.id = x.input_node_id JOIN chain_nodes o ON o.id = x.output_node_id WHERE x.input_node_id = ?1 OR x.output_node_id = ?1 ORDER BY x.input_node_id, x.output_node_id LIMIT 5"),
            ("所在企业", "enterprises in it",
             "SELECT count(*) FROM enterprise_nodes WHERE node_id = ?1",
             "SELECT e.name_zh FROM enterprise_nodes x JOIN enterprises e ON e.id = x.enterprise_id WHERE x.node_id = ?1 ORDER BY e.id LIMIT 5"),
            ("供应关系", "supply relations",
             "SELECT count(*) FROM supply_relations WHERE node_id = ?1",
             "SELECT '#' || id FROM supply_relations WHERE node_id = ?1 ORDER BY id LIMIT 5"),
            ("供需信息", "listings",
             "SELECT count(*) FROM listings WHERE node_id = ?1",
             "SELECT title FROM listings WHERE node_id = ?1 ORDER BY id LIMIT 5"),
            ("对接会", "events",
             "SELECT count(*) FROM event_nodes WHERE node_id = ?1",
             "SELECT e.name FROM event_nodes x JOIN events e ON e.id = x.event_id WHERE x.node_id = ?1 ORDER BY e.id LIMIT 5"),
            ("合作项目", "agreements",
             "SELECT count(*) FROM agreements WHERE node_id = ?1",
             "SELECT '#' || id FROM agreements WHERE node_id = ?1 ORDER BY id LIMIT 5"),
            ("诉求", "appeals",
             "SELECT count(*) FROM appeals WHERE node_id = ?1",
             "SELECT '#' || id FROM appeals WHERE node_id = ?1 ORDER BY id LIMIT 5"),
        ],
        RecordKind::Enterprise => &[
            ("所在环节", "chain nodes it is in",
             "SELECT count(*) FROM enterprise_nodes WHERE enterprise_id = ?1",
             "SELECT n.code FROM enterprise_nodes x JOIN chain_nodes n ON n.id = x.node_id WHERE x.enterprise_id = ?1 ORDER BY n.id LIMIT 5"),
            ("供应关系", "supply relations",
             "SELECT count(*) FROM supply_relations WHERE supplier_id = ?1 OR buyer_id = ?1",
             "SELECT '#' || id FROM supply_relations WHERE supplier_id = ?1 OR buyer_id = ?1 ORDER BY id LIMIT 5"),
            ("供需信息", "listings",
             "SELECT count(*) FROM listings WHERE enterprise_id = ?1",
             "SELECT title FROM listings WHERE enterprise_id = ?1 ORDER BY id LIMIT 5"),
            ("用户", "users",
             "SELECT count(*) FROM users WHERE enterprise_id = ?1",
             "SELECT username FROM users WHERE enterprise_id = ?1 ORDER BY username LIMIT 5"),
            ("对接会报名", "event registrations",
             "SELECT count(*) FROM event_participants WHERE enterprise_id = ?1",
             "SELECT e.name FROM event_participants x JOIN events e ON e.id = x.event_id WHERE x.enterprise_id = ?1 ORDER BY x.id LIMIT 5"),
            ("合作项目", "agreements",
             "SELECT count(*) FROM agreements WHERE buyer_id = ?1 OR supplier_id = ?1",
             "SELECT '#' || id FROM agreements WHERE buyer_id = ?1 OR supplier_id = ?1 ORDER BY id LIMIT 5"),
            ("诉求", "appeals",
             "SELECT count(*) FROM appeals WHERE enterprise_id = ?1",
             "SELECT '#' || id FROM appeals WHERE enterprise_id = ?1 ORDER BY id LIMIT 5"),
            ("走访记录", "visits",
             "SELECT count(*) FROM visits WHERE enterprise_id = ?1",
             "SELECT '#' || id FROM visits WHERE enterprise_id = ?1 ORDER BY id LIMIT 5"),
            ("包联记录", "responsible-official records",
             "SELECT count(*) FROM official_assignments WHERE enterprise_id = ?1",
             "SELECT '#' || id FROM official_assignments WHERE enterprise_id = ?1 ORDER BY id LIMIT 5"),
            ("自评估", "assessments",
             "SELECT count(*) FROM assessments WHERE enterprise_id = ?1",
             "SELECT '#' || id FROM assessments WHERE enterprise_id = ?1 ORDER BY id LIMIT 5"),
        ],
        _ => &[],
    }
}

impl Writer<'_> {
    /// Inserts a new record and answers its key. A chain, node, enterprise or supply
    /// relation gets the id the database assigns (the record's own id is not read); a
    /// record keyed by the pair it joins is refused as a duplicate when the pair exists.
    pub fn create(&mut self, record: &Record) -> Result<[i64; 2], InsertError> {
        let id: i64 = match record {
            Record::Enterprise(e) => return Ok([self.create_enterprise(e)?.0, 0]),
            Record::Chain(c) => self
                .tx()
                .prepare_cached(
                    "INSERT INTO chains (code, name_zh, name_en) VALUES (?1, ?2, ?3) RETURNING id",
                )?
                .query_row(params![c.code, c.name_zh, c.name_en], |r| r.get(0))?,
            Record::ChainNode(n) => self
                .tx()
                .prepare_cached(
                    "INSERT INTO chain_nodes (chain_id, code, name_zh, name_en, segment) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                )?
                .query_row(
                    params![n.chain.0, n.code, n.name_zh, n.name_en, n.segment.as_str()],
                    |r| r.get(0),
                )?,
            Record::SupplyRelation(s) => self
                .tx()
                .prepare_cached(
                    "INSERT INTO supply_relations (supplier_id, buyer_id, node_id, annual_value_fen) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                )?
                .query_row(
                    params![s.supplier.0, s.buyer.0, s.node.0, s.annual_value.fen()],
                    |r| r.get(0),
                )?,
            // Keyed by the pair they join: the primary key refuses a pair already there
            // (`InsertError::Duplicate` naming both columns).
            other => {
                self.insert(other)?;
                return Ok(other.key());
            }
        };
        Ok([id, 0])
    }

    /// What still refers to the record of `kind` with this key, one line per kind of
    /// reference with how many and the first five named: why deleting it is refused.
    pub fn references_to(&self, kind: RecordKind, key: [i64; 2]) -> Result<Vec<Text>> {
        references_to(self.tx(), kind, key)
    }
}

/// [`Writer::references_to`] on any connection (a store's inside `Store::exclusive`).
pub(crate) fn references_to(
    conn: &Connection,
    kind: RecordKind,
    key: [i64; 2],
) -> Result<Vec<Text>> {
    let mut found = Vec::new();
    for (zh, en, count, names) in references(kind) {
        let n: i64 = conn
            .prepare_cached(count)?
            .query_row([key[0]], |r| r.get(0))?;
        if n == 0 {
            continue;
        }
        let named: Vec<String> = conn
            .prepare_cached(names)?
            .query_map([key[0]], |r| r.get(0))?
            .collect::<crate::db::Result<_>>()?;
        let (zh_list, en_list) = (named.join("、"), named.join(", "));
        let more = n > named.len() as i64;
        found.push(Text::new(
            format!(
                "仍有 {n} 项{zh}引用它：{zh_list}{}",
                if more { " 等" } else { "" }
            ),
            format!(
                "{n} {en} still refer to it: {en_list}{}",
                if more { " and more" } else { "" }
            ),
        ));
    }
    Ok(found)
}
