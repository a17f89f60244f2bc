//! Mapping database rows to model types. Values written by this crate are valid by
//! construction; a value that fails to parse means the file was edited by hand, and is
//! reported as a conversion error naming the column rather than a panic.

use std::str::FromStr;

use crate::db::Row;
use chainatlas_model::{
    Chain, ChainId, ChainNode, CreditCode, Enterprise, EnterpriseId, EnterpriseNode, Listing,
    ListingId, Money, NodeId, NodeInput, Region, RegionCode, SupplyRelation, SupplyRelationId,
    Tags,
};

/// Parses a text column with the model's own parser.
pub(crate) fn parsed<T>(row: &Row<'_>, idx: usize) -> crate::db::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse()
        .map_err(|e| crate::db::Error::conversion(idx, Box::new(e)))
}

pub(crate) fn region_code(row: &Row<'_>, idx: usize) -> crate::db::Result<RegionCode> {
    let value: u32 = row.get(idx)?;
    RegionCode::new(value).map_err(|e| crate::db::Error::conversion(idx, Box::new(e)))
}

fn opt_region_code(row: &Row<'_>, idx: usize) -> crate::db::Result<Option<RegionCode>> {
    match row.get::<Option<u32>>(idx)? {
        None => Ok(None),
        Some(_) => region_code(row, idx).map(Some),
    }
}

pub(crate) fn money(row: &Row<'_>, idx: usize) -> crate::db::Result<Money> {
    Ok(Money::from_fen(row.get(idx)?))
}

pub(crate) const REGION_COLUMNS: &str = "code, name_zh, name_en, parent_code, level";
pub(crate) fn region(row: &Row<'_>) -> crate::db::Result<Region> {
    Ok(Region {
        code: region_code(row, 0)?,
        name_zh: row.get(1)?,
        name_en: row.get(2)?,
        parent: opt_region_code(row, 3)?,
        level: parsed(row, 4)?,
    })
}

pub(crate) const CHAIN_COLUMNS: &str = "id, code, name_zh, name_en";
pub(crate) fn chain(row: &Row<'_>) -> crate::db::Result<Chain> {
    Ok(Chain {
        id: ChainId(row.get(0)?),
        code: row.get(1)?,
        name_zh: row.get(2)?,
        name_en: row.get(3)?,
    })
}

pub(crate) const NODE_COLUMNS: &str = "id, chain_id, code, name_zh, name_en, segment";
pub(crate) fn node(row: &Row<'_>) -> crate::db::Result<ChainNode> {
    Ok(ChainNode {
        id: NodeId(row.get(0)?),
        chain: ChainId(row.get(1)?),
        code: row.get(2)?,
        name_zh: row.get(3)?,
        name_en: row.get(4)?,
        segment: parsed(row, 5)?,
    })
}

pub(crate) fn node_input(row: &Row<'_>) -> crate::db::Result<NodeInput> {
    Ok(NodeInput {
        input: NodeId(row.get(0)?),
        output: NodeId(row.get(1)?),
    })
}

pub(crate) const ENTERPRISE_COLUMNS: &str =
    "id, credit_code, name_zh, name_en, region_code, size, tags, revenue_fen, employees, source,
     other_names, address, phone, legal_representative, industry_code";
/// Other names as stored: separated by `;`.
pub(crate) fn names(stored: &str) -> Vec<String> {
    stored
        .split(';')
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

pub(crate) fn enterprise(row: &Row<'_>) -> crate::db::Result<Enterprise> {
    Ok(Enterprise {
        id: EnterpriseId(row.get(0)?),
        credit_code: parsed::<CreditCode>(row, 1)?,
        name_zh: row.get(2)?,
        name_en: row.get(3)?,
        region: region_code(row, 4)?,
        size: parsed(row, 5)?,
        tags: Tags::from_bits(row.get(6)?),
        revenue: money(row, 7)?,
        employees: row.get(8)?,
        source: row.get(9)?,
        other_names: names(&row.get::<String>(10)?),
        address: row.get(11)?,
        phone: row.get(12)?,
        legal_representative: row.get(13)?,
        industry: {
            let code: String = row.get(14)?;
            if code.is_empty() {
                None
            } else {
                Some(
                    code.parse()
                        .map_err(|e| crate::db::Error::conversion(14, Box::new(e)))?,
                )
            }
        },
    })
}

pub(crate) fn enterprise_node(row: &Row<'_>) -> crate::db::Result<EnterpriseNode> {
    Ok(EnterpriseNode {
        enterprise: EnterpriseId(row.get(0)?),
        node: NodeId(row.get(1)?),
        output: money(row, 2)?,
        capacity: money(row, 3)?,
    })
}

pub(crate) fn supply_relation(row: &Row<'_>) -> crate::db::Result<SupplyRelation> {
    Ok(SupplyRelation {
        id: SupplyRelationId(row.get(0)?),
        supplier: EnterpriseId(row.get(1)?),
        buyer: EnterpriseId(row.get(2)?),
        node: NodeId(row.get(3)?),
        annual_value: money(row, 4)?,
    })
}

pub(crate) const LISTING_COLUMNS: &str =
    "id, enterprise_id, side, kind, node_id, title, description, quantity, unit, price_fen, region_code, valid_until, status, tags";
pub(crate) fn listing(row: &Row<'_>) -> crate::db::Result<Listing> {
    Ok(Listing {
        id: ListingId(row.get(0)?),
        enterprise: EnterpriseId(row.get(1)?),
        side: parsed(row, 2)?,
        kind: parsed(row, 3)?,
        node: row.get::<Option<i64>>(4)?.map(NodeId),
        title: row.get(5)?,
        description: row.get(6)?,
        quantity: row.get::<Option<i64>>(7)?.map(|q| q as u64),
        unit: row.get(8)?,
        price: row.get::<Option<i64>>(9)?.map(Money::from_fen),
        region: region_code(row, 10)?,
        valid_until: match row.get::<Option<String>>(11)? {
            None => None,
            Some(_) => Some(parsed(row, 11)?),
        },
        status: parsed(row, 12)?,
        tags: chainatlas_model::split_tags(&row.get::<String>(13)?),
    })
}

/// A region's values in the column order of `INSERT INTO regions (code, name_zh, name_en,
/// parent_code, level)`.
pub(crate) fn region_values(r: &Region) -> (u32, &str, &str, Option<u32>, &'static str) {
    (
        r.code.value(),
        &r.name_zh,
        &r.name_en,
        r.parent.map(|p| p.value()),
        r.level.as_str(),
    )
}
