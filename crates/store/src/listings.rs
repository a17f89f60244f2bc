//! Listings: reading them one by one or all in order, saving them with an audit entry,
//! and the revision counter that tells derived indexes whether they are current.

use crate::db::OptionalExtension;
use chainatlas_model::{EnterpriseId, Listing, ListingId, NodeId, RegionCode, Tags};

use crate::audit::{json_object, Actor, Change, Json};
use crate::rows::{self, LISTING_COLUMNS};
use crate::writer::InsertError;
use crate::{Result, Store};

/// What matchmaking needs to know about the atlas besides listings.
#[derive(Clone, Debug, Default)]
pub struct MatchFacts {
    /// (input node, output node) pairs of every chain.
    pub node_inputs: Vec<(NodeId, NodeId)>,
    /// Every node: id, Chinese name, English name.
    pub nodes: Vec<(NodeId, String, String)>,
    /// Every region: code, Chinese name, English name.
    pub regions: Vec<(RegionCode, String, String)>,
    /// Each enterprise's designations, indexed by enterprise id (ids are dense from 1).
    pub enterprise_tags: Vec<Tags>,
}

fn snapshot(l: &Listing) -> String {
    let valid_until = l.valid_until.map(|d| d.to_string());
    let tags = l.tags.join(";");
    json_object(&[
        ("enterprise_id", Json::Int(l.enterprise.0)),
        ("side", Json::Str(l.side.as_str())),
        ("kind", Json::Str(l.kind.as_str())),
        ("node_id", l.node.map_or(Json::Null, |n| Json::Int(n.0))),
        ("title", Json::Str(&l.title)),
        ("description", Json::Str(&l.description)),
        (
            "quantity",
            l.quantity.map_or(Json::Null, |q| Json::Int(q as i64)),
        ),
        ("unit", Json::Str(&l.unit)),
        (
            "price_fen",
            l.price.map_or(Json::Null, |p| Json::Int(p.fen())),
        ),
        ("region_code", Json::Int(l.region.value() as i64)),
        (
            "valid_until",
            valid_until.as_deref().map_or(Json::Null, Json::Str),
        ),
        ("status", Json::Str(l.status.as_str())),
        ("tags", Json::Str(&tags)),
    ])
}

impl Store {
    /// Moves with every insert, update and delete of a listing, whoever makes it.
    pub fn listing_revision(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT revision FROM listing_revision WHERE id = 1",
            [],
            |r| r.get(0),
        )?)
    }

    /// The listings changed after revision `since`, up to the current revision, as
    /// (current revision, ids in the order of their last change), or `None` when the change
    /// log no longer reaches back to `since` or holds more than `limit` changes: then
    /// whatever follows the listings must start again from all of them.
    pub fn listing_changes_since(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Option<(i64, Vec<ListingId>)>> {
        // One read transaction, so that the revision and the log agree.
        let _tx = self.conn.read_transaction()?;
        let tx = &self.conn;
        let current: i64 = tx.query_row(
            "SELECT revision FROM listing_revision WHERE id = 1",
            [],
            |r| r.get(0),
        )?;
        if current <= since {
            return Ok(Some((current, Vec::new())));
        }
        let oldest: Option<i64> =
            tx.query_row("SELECT MIN(revision) FROM listing_changes", [], |r| {
                r.get(0)
            })?;
        let gap = usize::try_from(current - since).unwrap_or(usize::MAX);
        if oldest.is_none_or(|o| o > since + 1) || gap > limit {
            return Ok(None);
        }
        let mut stmt = tx.prepare(
            "SELECT listing_id FROM listing_changes WHERE revision > ?1 AND revision <= ?2
             GROUP BY listing_id ORDER BY MAX(revision)",
        )?;
        let ids = stmt
            .query_map([since, current], |r| r.get(0).map(ListingId))?
            .collect::<crate::db::Result<_>>()?;
        Ok(Some((current, ids)))
    }

    pub fn listing(&self, id: ListingId) -> Result<Option<Listing>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {LISTING_COLUMNS} FROM listings WHERE id = ?1"
            ))?
            .query_row([id.0], rows::listing)
            .optional()?)
    }

    /// The listings of one enterprise, in id order.
    pub fn listings_of(&self, enterprise: EnterpriseId) -> Result<Vec<Listing>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LISTING_COLUMNS} FROM listings WHERE enterprise_id = ?1 ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([enterprise.0], rows::listing)?
            .collect::<crate::db::Result<_>>()?;
        Ok(rows)
    }

    /// Every listing in id order, one at a time (a million fit no one's memory twice).
    pub fn for_each_listing(&self, mut f: impl FnMut(Listing)) -> Result<()> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {LISTING_COLUMNS} FROM listings ORDER BY id"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            f(rows::listing(&row)?);
        }
        Ok(())
    }

    /// Ids of the open demand listings, ascending.
    pub fn open_listing_ids(&self, side: chainatlas_model::ListingSide) -> Result<Vec<ListingId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM listings WHERE side = ?1 AND status = 'open' ORDER BY id")?;
        let ids = stmt
            .query_map([side.as_str()], |r| r.get(0).map(ListingId))?
            .collect::<crate::db::Result<_>>()?;
        Ok(ids)
    }

    /// Creates the listing (`listing.id` is not read); the database gives it its id.
    pub fn create_listing(
        &mut self,
        actor: &Actor,
        listing: &Listing,
    ) -> Result<ListingId, InsertError> {
        let mut writer = self.writer()?;
        let id = writer.create_listing(listing)?;
        let change = Change::new("create", "listing", id.0).after(snapshot(listing));
        writer.commit_activity(actor, &change)?;
        Ok(id)
    }

    /// Changes the listing `listing.id` names, auditing before and after. Its enterprise
    /// never changes: that is refused, as is an id that does not exist.
    pub fn update_listing(&mut self, actor: &Actor, listing: &Listing) -> Result<(), InsertError> {
        let mut writer = self.writer()?;
        let before = writer
            .listing(listing.id)?
            .ok_or_else(|| InsertError::Rejected(format!("there is no listing {}", listing.id)))?;
        if before.enterprise != listing.enterprise {
            return Err(InsertError::Rejected(format!(
                "listing {} belongs to enterprise {}; a listing's enterprise does not change",
                listing.id, before.enterprise
            )));
        }
        writer.update_listing(listing)?;
        let change = Change::new("update", "listing", listing.id.0)
            .before(snapshot(&before))
            .after(snapshot(listing));
        writer.commit_activity(actor, &change)?;
        Ok(())
    }

    /// Chain structure, names and enterprise designations for matchmaking.
    pub fn match_facts(&self) -> Result<MatchFacts> {
        let mut facts = MatchFacts::default();
        let mut stmt = self
            .conn
            .prepare("SELECT input_node_id, output_node_id FROM node_inputs")?;
        facts.node_inputs = stmt
            .query_map([], |r| Ok((NodeId(r.get(0)?), NodeId(r.get(1)?))))?
            .collect::<crate::db::Result<_>>()?;
        let mut stmt = self
            .conn
            .prepare("SELECT id, name_zh, name_en FROM chain_nodes")?;
        facts.nodes = stmt
            .query_map([], |r| Ok((NodeId(r.get(0)?), r.get(1)?, r.get(2)?)))?
            .collect::<crate::db::Result<_>>()?;
        facts.regions = self
            .regions()?
            .into_iter()
            .map(|r| (r.code, r.name_zh, r.name_en))
            .collect();
        let mut stmt = self
            .conn
            .prepare("SELECT id, tags FROM enterprises ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let bits: i64 = row.get(1)?;
            let Ok(slot) = usize::try_from(id) else {
                continue;
            };
            if slot >= facts.enterprise_tags.len() {
                facts.enterprise_tags.resize(slot + 1, Tags::EMPTY);
            }
            facts.enterprise_tags[slot] = Tags::from_bits(bits as u8);
        }
        Ok(facts)
    }
}
