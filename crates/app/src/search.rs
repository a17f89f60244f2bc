//! One search box for the whole atlas: enterprises (full name, Chinese abbreviation,
//! English name or credit code), chains, nodes, listings and events, a few of each, best
//! first. Everything found is public to signed-in users; no private figure is read.

use chainatlas_store::Store;
use serde::Serialize;
use utoipa::ToSchema;

use chainatlas_model::{Lang, Text};

use crate::listings::{self, SearchParams, SearchQuery};
use crate::{App, AppError};

/// The most hits of one kind a search answers.
pub const PER_KIND: u32 = 10;

/// The longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// One thing found.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// enterprise, chain, node, listing or event.
    pub kind: &'static str,
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    /// What else identifies it, in both languages: an enterprise's region, a chain's
    /// code, a node's chain, a listing's side, an event's first day.
    pub detail_zh: String,
    pub detail_en: String,
    /// The page that shows it.
    pub href: String,
}

/// Everything found for `q`, grouped by kind in the order above, and how many
/// enterprises match in all.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub query: String,
    pub enterprise_total: u64,
    pub hits: Vec<SearchHit>,
}

pub fn search(app: &App, store: &Store, q: &str) -> Result<SearchResults, AppError> {
    let q = q.trim().to_string();
    crate::view::check_text_length("q", &q, MAX_QUERY_CHARS)?;
    let mut hits = Vec::new();
    if q.is_empty() {
        return Ok(SearchResults {
            query: q,
            enterprise_total: 0,
            hits,
        });
    }
    let enterprises = store.search_enterprises(&q, None, PER_KIND, 0)?;
    for e in &enterprises.items {
        let region = store.region(e.region)?.map_or_else(
            || Text::same(e.region.to_string()),
            |r| Text::new(r.name_zh, r.name_en),
        );
        hits.push(SearchHit {
            kind: "enterprise",
            id: e.id.0,
            name_zh: e.name_zh.clone(),
            name_en: e.name_en.clone(),
            detail_zh: region.zh,
            detail_en: region.en,
            href: format!("/enterprises/{}", e.id.0),
        });
    }
    let lower = q.to_lowercase();
    let holds = |zh: &str, en: &str, code: &str| {
        zh.contains(&q) || en.to_lowercase().contains(&lower) || code == lower
    };
    let chains = store.chains()?;
    for c in chains
        .iter()
        .filter(|c| holds(&c.name_zh, &c.name_en, &c.code))
    {
        hits.push(SearchHit {
            kind: "chain",
            id: c.id.0,
            name_zh: c.name_zh.clone(),
            name_en: c.name_en.clone(),
            detail_zh: c.code.clone(),
            detail_en: c.code.clone(),
            href: format!("/chains/{}", c.code),
        });
    }
    for n in store.search_nodes(&q, PER_KIND)? {
        let chain = chains.iter().find(|c| c.id == n.chain);
        hits.push(SearchHit {
            kind: "node",
            id: n.id.0,
            name_zh: n.name_zh.clone(),
            name_en: n.name_en.clone(),
            detail_zh: chain.map_or_else(String::new, |c| c.name_zh.clone()),
            detail_en: chain.map_or_else(String::new, |c| c.name_en.clone()),
            href: format!("/nodes/{}", n.id.0),
        });
    }
    let query = SearchQuery::parse(&SearchParams {
        q: Some(q.clone()),
        limit: Some(PER_KIND.to_string()),
        ..SearchParams::default()
    })?;
    let (found, _) = listings::search(app, store, &query)?;
    for l in found {
        hits.push(SearchHit {
            kind: "listing",
            id: l.id.0,
            name_zh: l.title.clone(),
            name_en: l.title.clone(),
            detail_zh: l.side.name(Lang::Zh).to_string(),
            detail_en: l.side.name(Lang::En).to_string(),
            href: format!("/listings/{}", l.id.0),
        });
    }
    for e in store
        .events()?
        .iter()
        .filter(|e| holds(&e.name, &e.name, ""))
        .take(PER_KIND as usize)
    {
        hits.push(SearchHit {
            kind: "event",
            id: e.id.0,
            name_zh: e.name.clone(),
            name_en: e.name.clone(),
            detail_zh: e.starts_on.to_string(),
            detail_en: e.starts_on.to_string(),
            href: format!("/events/{}", e.id.0),
        });
    }
    Ok(SearchResults {
        query: q,
        enterprise_total: enterprises.total,
        hits,
    })
}
