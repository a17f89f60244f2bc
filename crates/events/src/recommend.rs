//! Recommended meetings: the match engine run over the listings the participants bring,
//! demand against supply, within the event only.

use std::collections::HashMap;

use chainatlas_matching::{Analysis, Atlas, Config, Entry, ListingIndex, Result};
use chainatlas_model::{EnterpriseId, EventData, Listing, ListingId, ListingSide, ParticipantId};

/// A pair worth meeting: the best-scoring demand/supply pair of listings between them.
#[derive(Clone, Debug, PartialEq)]
pub struct Recommendation {
    /// The participant with the demand.
    pub buyer: ParticipantId,
    /// The participant with the supply.
    pub supplier: ParticipantId,
    pub demand: ListingId,
    pub supply: ListingId,
    /// The match score, 0 to 1.
    pub score: f64,
    pub reasons_zh: Vec<String>,
    pub reasons_en: Vec<String>,
}

/// For every demand listing a participant brings, the best `per_listing` supplies other
/// participants bring; one recommendation per (buyer, supplier) pair, its best pair of
/// listings, best first. `listings` holds the listings the participants bring (others
/// are ignored).
pub fn recommend(
    data: &EventData,
    listings: &[Listing],
    atlas: &dyn Atlas,
    config: &Config,
    per_listing: usize,
) -> Result<Vec<Recommendation>> {
    let owner: HashMap<ListingId, ParticipantId> = data
        .participants
        .iter()
        .flat_map(|p| p.listings.iter().map(move |l| (*l, p.id)))
        .collect();
    let of_enterprise: HashMap<EnterpriseId, ParticipantId> = data
        .participants
        .iter()
        .map(|p| (p.enterprise, p.id))
        .collect();
    let brought: Vec<&Listing> = listings
        .iter()
        .filter(|l| owner.contains_key(&l.id))
        .collect();
    let index = ListingIndex::in_memory(Analysis::Bilingual, config.text.title_boost)?;
    let mut batch = index.batch()?;
    for l in brought.iter().filter(|l| l.side == ListingSide::Supply) {
        batch.add(&Entry::from(*l))?;
    }
    batch.commit("event")?;
    let mut best: HashMap<(ParticipantId, ParticipantId), Recommendation> = HashMap::new();
    for demand in brought.iter().filter(|l| l.side == ListingSide::Demand) {
        let buyer = owner[&demand.id];
        for m in
            chainatlas_matching::rank(&index, &Entry::from(*demand), atlas, config, per_listing)?
        {
            let supply = ListingId(m.candidate.id as i64);
            let Some(supplier) = m
                .candidate
                .enterprise
                .and_then(|e| of_enterprise.get(&EnterpriseId(e as i64)))
                .copied()
            else {
                continue;
            };
            if supplier == buyer
                || !data
                    .event
                    .may_meet(&group(data, buyer), &group(data, supplier))
            {
                continue;
            }
            let r = Recommendation {
                buyer,
                supplier,
                demand: demand.id,
                supply,
                score: m.score.total,
                reasons_zh: m.reasons.iter().map(|r| r.text(atlas, false)).collect(),
                reasons_en: m.reasons.iter().map(|r| r.text(atlas, true)).collect(),
            };
            let slot = best.entry((buyer, supplier)).or_insert_with(|| r.clone());
            if r.score > slot.score {
                *slot = r;
            }
        }
    }
    let mut out: Vec<Recommendation> = best.into_values().collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.buyer.cmp(&b.buyer))
            .then(a.supplier.cmp(&b.supplier))
    });
    Ok(out)
}

fn group(data: &EventData, p: ParticipantId) -> String {
    data.participant(p)
        .map(|p| p.group.clone())
        .unwrap_or_default()
}
