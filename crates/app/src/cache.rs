//! Results derived from the whole atlas, kept until the atlas changes. Each entry is
//! valid for one store generation; the first request after a write recomputes it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chainatlas_analysis::{Graph, Landscape, Level, Measure};
use chainatlas_model::{Region, RegionCode, Tag};
use chainatlas_store::{ChainSummary, Counts, Store};

use crate::diagnostics::ChokepointsDto;
use crate::matchmaking::StoreAtlas;

use crate::AppError;

/// Values a cache keeps at most for one generation; past it, it starts again empty (a
/// bound on memory: one region's opportunities are ~150 KB, there are ~3,000 counties).
pub const MAX_ENTRIES: usize = 256;

pub struct GenerationCache<K, V> {
    entries: Mutex<(u64, HashMap<K, Arc<V>>)>,
    /// Held while computing, so that requests arriving during a computation wait for
    /// its result instead of repeating the same full scan on the same two cores.
    computing: Mutex<()>,
}

impl<K: Eq + Hash, V> Default for GenerationCache<K, V> {
    fn default() -> Self {
        GenerationCache {
            entries: Mutex::new((0, HashMap::new())),
            computing: Mutex::new(()),
        }
    }
}

impl<K: Eq + Hash, V> GenerationCache<K, V> {
    /// The value for `key` at `generation`, computing it if it is missing or older.
    pub fn get_or_compute(
        &self,
        generation: u64,
        key: K,
        compute: impl FnOnce() -> Result<V, AppError>,
    ) -> Result<Arc<V>, AppError> {
        if let Some(value) = self.cached(generation, &key) {
            return Ok(value);
        }
        let _computing = self.computing.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(value) = self.cached(generation, &key) {
            return Ok(value);
        }
        let value = Arc::new(compute()?);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.0 != generation || entries.1.len() >= MAX_ENTRIES {
            *entries = (generation, HashMap::new());
        }
        entries.1.insert(key, value.clone());
        Ok(value)
    }

    fn cached(&self, generation: u64, key: &K) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        (entries.0 == generation)
            .then(|| entries.1.get(key).cloned())
            .flatten()
    }
}

/// The dashboard's headline figures.
pub struct Overview {
    pub counts: Counts,
    pub chain_masters: u64,
    pub synthetic: bool,
}

/// The caches of whole-atlas aggregates that pages and the API share.
#[derive(Default)]
pub struct Caches {
    overview: GenerationCache<(), Overview>,
    chain_summaries: GenerationCache<Option<RegionCode>, Vec<ChainSummary>>,
    graph: GenerationCache<(), Graph>,
    regions_in_use: GenerationCache<(), Vec<Region>>,
    region_search: GenerationCache<(), crate::atlas::RegionSearch>,
    enterprises_by_province: GenerationCache<(), Vec<(Region, u64)>>,
    chokepoints: GenerationCache<(String, Option<RegionCode>, usize), ChokepointsDto>,
    /// What every region's opportunities come from, by level and measure.
    landscapes: GenerationCache<(Level, Measure, Vec<RegionCode>), Landscape>,
    /// A region's opportunities as shown, by level, measure, peers, region and length:
    /// the key sectors and attraction targets read the region's purchases (a second at
    /// province scale), so a page viewed again, or its workbook, reads them once.
    opportunities: GenerationCache<OpportunitiesKey, crate::opportunities::OpportunitiesDto>,
    match_atlas: GenerationCache<(), StoreAtlas>,
    /// Blocking-point reports, by scope and the day overdue is counted on (a second or
    /// two over a province's year of appeals).
    blocking: GenerationCache<(String, chainatlas_model::Date), crate::blocking::BlockingReport>,
    /// An event's recommended pairs, by the facts generation and [`RecommendationKey`].
    event_recommendations:
        GenerationCache<RecommendationKey, Vec<chainatlas_events::Recommendation>>,
}

type OpportunitiesKey = (Level, Measure, Vec<RegionCode>, RegionCode, usize);

/// What an event's recommendations depend on besides atlas facts: the event, the
/// listings (their revision), the group rules and who takes part with which listings and
/// group (hashed), and the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RecommendationKey {
    pub event: i64,
    pub listing_revision: i64,
    pub participants: u64,
    pub today: chainatlas_model::Date,
}

impl Caches {
    pub fn overview(&self, store: &Store) -> Result<Arc<Overview>, AppError> {
        self.overview.get_or_compute(store.generation()?, (), || {
            Ok(Overview {
                counts: store.counts()?,
                chain_masters: store.count_with_tag(Tag::ChainMaster)?,
                synthetic: store.has_synthetic_data()?,
            })
        })
    }

    /// The regions a region filter offers ([`Store::regions_in_use`]).
    pub fn regions_in_use(&self, store: &Store) -> Result<Arc<Vec<Region>>, AppError> {
        self.regions_in_use
            .get_or_compute(store.generation()?, (), || Ok(store.regions_in_use()?))
    }

    /// Every region, ready for the pickers' type-ahead search.
    pub fn region_search(
        &self,
        store: &Store,
    ) -> Result<Arc<crate::atlas::RegionSearch>, AppError> {
        self.region_search
            .get_or_compute(store.generation()?, (), || {
                Ok(crate::atlas::RegionSearch::new(store.regions()?))
            })
    }

    /// Enterprises per province with the province, for the dashboard's chart.
    pub fn enterprises_by_province(
        &self,
        store: &Store,
    ) -> Result<Arc<Vec<(Region, u64)>>, AppError> {
        self.enterprises_by_province
            .get_or_compute(store.generation()?, (), || {
                let mut out = Vec::new();
                for (code, n) in store.enterprises_by_province()? {
                    if let Some(r) = store.region(code)? {
                        out.push((r, n));
                    }
                }
                Ok(out)
            })
    }

    pub fn chain_summaries(
        &self,
        store: &Store,
        region: Option<RegionCode>,
    ) -> Result<Arc<Vec<ChainSummary>>, AppError> {
        self.chain_summaries
            .get_or_compute(store.generation()?, region, || {
                Ok(store.chain_summaries(region)?)
            })
    }
}

impl Caches {
    /// The supply graph of the current generation, loaded on first use after a write.
    /// Chain structure, names and enterprise designations for ranking matches.
    pub fn match_atlas(&self, store: &Store) -> Result<Arc<StoreAtlas>, AppError> {
        self.match_atlas
            .get_or_compute(store.facts_generation()?, (), || StoreAtlas::load(store))
    }

    /// Recommendations are rebuilt (an in-memory index of the listings brought) only when
    /// something they depend on changed, not on every view of the event page.
    pub fn event_recommendations(
        &self,
        store: &Store,
        key: RecommendationKey,
        compute: impl FnOnce() -> Result<Vec<chainatlas_events::Recommendation>, AppError>,
    ) -> Result<Arc<Vec<chainatlas_events::Recommendation>>, AppError> {
        self.event_recommendations
            .get_or_compute(store.facts_generation()?, key, compute)
    }

    /// The supply graph, loaded once per facts generation: listings, events, appeals,
    /// visits and assessments (activity) leave it as it is.
    pub fn graph(&self, store: &Store) -> Result<Arc<Graph>, AppError> {
        self.graph
            .get_or_compute(store.facts_generation()?, (), || Ok(store.supply_graph()?))
    }

    /// The landscape of opportunities of a level, measure and peer group (empty: all
    /// regions), computed once per facts generation: every region's page then costs only its
    /// own ranking.
    pub fn landscape(
        &self,
        store: &Store,
        level: Level,
        measure: Measure,
        peers: &[RegionCode],
    ) -> Result<Arc<Landscape>, AppError> {
        let graph = self.graph(store)?;
        let key = (level, measure, peers.to_vec());
        self.landscapes
            .get_or_compute(store.facts_generation()?, key, || {
                crate::opportunities::landscape(&graph, level, measure, peers)
            })
    }

    /// A region's opportunities of a level, measure and peer group, shown `limit` long,
    /// computed once per generation.
    pub fn opportunities(
        &self,
        store: &Store,
        level: Level,
        measure: Measure,
        peers: &[RegionCode],
        region: RegionCode,
        limit: usize,
    ) -> Result<Arc<crate::opportunities::OpportunitiesDto>, AppError> {
        let graph = self.graph(store)?;
        let landscape = self.landscape(store, level, measure, peers)?;
        let key = (level, measure, peers.to_vec(), region, limit);
        self.opportunities
            .get_or_compute(store.generation()?, key, || {
                crate::opportunities::opportunities(store, &graph, &landscape, region, limit)
            })
    }

    /// The blocking points of `scope` counted on `today`, once per generation (every
    /// appeal step moves it).
    pub fn blocking(
        &self,
        store: &Store,
        scope: &crate::blocking::Scope,
        today: chainatlas_model::Date,
    ) -> Result<Arc<crate::blocking::BlockingReport>, AppError> {
        self.blocking
            .get_or_compute(store.generation()?, (scope.key(), today), || {
                crate::blocking::compute(store, scope, today)
            })
    }

    /// A chokepoint ranking, computed once per facts generation, chain, region and length.
    pub fn chokepoints(
        &self,
        store: &Store,
        chain: &str,
        region: Option<RegionCode>,
        top: usize,
    ) -> Result<Arc<ChokepointsDto>, AppError> {
        let graph = self.graph(store)?;
        let key = (chain.to_string(), region, top);
        self.chokepoints
            .get_or_compute(store.facts_generation()?, key, || {
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
                crate::diagnostics::chokepoints(store, &graph, chain, region, top, threads)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_live_for_one_generation() {
        let cache: GenerationCache<u8, u32> = GenerationCache::default();
        let mut computed = 0;
        let mut get = |generation, key| {
            *cache
                .get_or_compute(generation, key, || {
                    computed += 1;
                    Ok(generation as u32 * 10 + key as u32)
                })
                .unwrap()
        };
        assert_eq!(get(1, 1), 11);
        assert_eq!(get(1, 1), 11);
        assert_eq!(get(1, 2), 12);
        assert_eq!(get(2, 1), 21);
        assert_eq!(computed, 3);
    }

    #[test]
    fn a_generation_keeps_at_most_max_entries() {
        let cache: GenerationCache<usize, usize> = GenerationCache::default();
        let computed = std::cell::Cell::new(0);
        let get = |key| {
            *cache
                .get_or_compute(1, key, || {
                    computed.set(computed.get() + 1);
                    Ok(key)
                })
                .unwrap()
        };
        for key in 0..MAX_ENTRIES {
            get(key);
        }
        get(0);
        assert_eq!(computed.get(), MAX_ENTRIES, "all kept");
        get(MAX_ENTRIES);
        get(1);
        assert_eq!(computed.get(), MAX_ENTRIES + 2, "full: it started again");
        let len = cache.entries.lock().unwrap().1.len();
        assert_eq!(len, 2);
    }
}
