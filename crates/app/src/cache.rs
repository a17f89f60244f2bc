//! Results derived from the whole atlas, kept until the atlas changes. Each entry is
//! valid for one store generation; the first request after a write recomputes it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use chainatlas_analysis::{Graph, Landscape, Level, Measure};
use chainatlas_model::{Region, RegionCode, Tag};
use chainatlas_store::{ChainSummary, Counts, GraphUpdate, Store};

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

/// More enterprises changed than this, and the graph is loaded whole: each costs three
/// indexed reads, and a patch copies the whole graph once whatever its size.
pub const GRAPH_PATCH_MAX_ENTERPRISES: usize = 5_000;

/// After patches moved the graph this many rows of the change log past its snapshot, the
/// snapshot is written again (a start-up then has fewer changes to read).
pub const SNAPSHOT_AFTER_CHANGES: i64 = 20_000;

/// How the supply graph was last brought up to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphRefresh {
    /// Read whole from the database.
    Loaded { millis: u64 },
    /// Read from the snapshot file beside the database, then brought up to date.
    FromSnapshot { changed: usize, millis: u64 },
    /// Patched with the enterprises the change log named, and the chain structure when
    /// it changed (`restructured`).
    Patched {
        enterprises: usize,
        restructured: bool,
        millis: u64,
    },
    /// The facts generation moved, but nothing the graph holds changed.
    Unchanged,
}

/// The supply graph, following the atlas. It is loaded whole once; after a write, the
/// graph's change log (`Store::graph_changes`) names the enterprises that changed, and
/// the graph is patched with them ([`Graph::updated`]): a copy in order, not ten million
/// rows read again; a change of the chain structure renumbers its nodes in place. A bulk
/// load, or more than [`GRAPH_PATCH_MAX_ENTERPRISES`] changed enterprises, load it whole.
///
/// A loaded graph is also written, on a thread of its own, to a snapshot file beside the
/// database (`atlas.db.graph`, [`crate::matchmaking::derived_path`]), keyed by the
/// database's identity and the change-log position it reflects; a server starting on the
/// database reads it and patches it with what changed since, instead of reading the
/// whole atlas. It is written again after a load, and after patches moved it
/// [`SNAPSHOT_AFTER_CHANGES`] log rows on.
#[derive(Default)]
struct GraphCache {
    /// The facts generation, the change-log position and the graph at both.
    current: Mutex<Option<(u64, i64, Arc<Graph>)>>,
    /// Held while bringing the graph up to date, so that one request does it.
    computing: Mutex<()>,
    last: Mutex<Option<GraphRefresh>>,
    /// The change-log position of the last snapshot written or read.
    snapshot_at: Arc<Mutex<Option<i64>>>,
    /// Held by the thread writing a snapshot.
    writing: Arc<Mutex<()>>,
}

/// What a snapshot is keyed by: the database's identity, the change-log position and
/// the row of the log there (so a database restored to an earlier state and written to
/// again is not mistaken for the one the snapshot saw).
fn snapshot_key(store: &Store, position: i64) -> Result<String, AppError> {
    let row = store
        .graph_log_row(position)?
        .map_or("none".to_string(), |e| {
            e.map_or("all".to_string(), |id| id.to_string())
        });
    Ok(format!("{}:{position}:{row}", store.identity()?))
}

/// The graph of the snapshot beside the database, when there is one for this database,
/// with its change-log position.
fn read_snapshot(store: &Store) -> Option<(Graph, i64)> {
    let path = crate::matchmaking::derived_path(store.path(), "graph");
    let file = std::fs::File::open(&path).ok()?;
    let (key, graph) = Graph::read_snapshot(&mut std::io::BufReader::new(file)).ok()?;
    let position: i64 = key.split(':').nth(1)?.parse().ok()?;
    (snapshot_key(store, position).ok()? == key).then_some((graph, position))
}

/// The supply graph from the snapshot a server keeps beside the database, brought up to
/// date with the change log, if there is a snapshot of this database and the log reaches
/// back to it; `None` otherwise (load it from the database). For the command line, which
/// reads a snapshot but leaves writing it to servers.
pub fn graph_from_snapshot(store: &Store) -> Result<Option<Arc<Graph>>, AppError> {
    let Some((graph, position)) = read_snapshot(store) else {
        return Ok(None);
    };
    Ok(up_to_date(store, position, Arc::new(graph))?.map(|b| b.graph))
}

/// A graph brought up to date with the change log.
struct Brought {
    /// The log position it now reflects.
    through: i64,
    graph: Arc<Graph>,
    /// How many enterprises changed, and whether the chain structure did.
    enterprises: usize,
    restructured: bool,
}

/// `graph`, made at change-log `position`, brought up to date with the log; `None` when
/// it must be loaded whole (the log asks for it, or a patch does not fit because the
/// log missed a change).
fn up_to_date(
    store: &Store,
    position: i64,
    graph: Arc<Graph>,
) -> Result<Option<Brought>, AppError> {
    Ok(
        match store.graph_changes(position, GRAPH_PATCH_MAX_ENTERPRISES)? {
            GraphUpdate::Unchanged => Some(Brought {
                through: position,
                graph,
                enterprises: 0,
                restructured: false,
            }),
            GraphUpdate::Patch {
                through,
                structure,
                changes,
            } => graph
                .updated(structure.as_ref(), &changes)
                .ok()
                .map(|patched| Brought {
                    through,
                    graph: Arc::new(patched),
                    enterprises: changes.len(),
                    restructured: structure.is_some(),
                }),
            GraphUpdate::Reload => None,
        },
    )
}

impl GraphCache {
    /// Writes the graph's snapshot on a thread of its own, unless one is being written.
    fn write_snapshot(&self, store: &Store, position: i64, graph: Arc<Graph>) {
        let Ok(key) = snapshot_key(store, position) else {
            return;
        };
        let path = crate::matchmaking::derived_path(store.path(), "graph");
        let writing = self.writing.clone();
        let snapshot_at = self.snapshot_at.clone();
        std::thread::spawn(move || {
            let Ok(_writing) = writing.try_lock() else {
                return;
            };
            // Written whole to a new file of this process's, then renamed over the old: a
            // reader never sees half a snapshot, a server killed meanwhile leaves the old
            // one, and two servers on one database do not write into one file.
            let mut part = path.as_os_str().to_owned();
            part.push(format!(".part{}", std::process::id()));
            let part = std::path::PathBuf::from(part);
            let written = std::fs::File::create(&part).and_then(|file| {
                let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
                graph.write_snapshot(&mut w, &key)?;
                std::io::Write::flush(&mut w)?;
                w.into_inner().map_err(|e| e.into_error())?.sync_all()
            });
            match written.and_then(|()| std::fs::rename(&part, &path)) {
                Ok(()) => *snapshot_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(position),
                Err(_) => {
                    let _ = std::fs::remove_file(&part);
                }
            }
        });
    }

    fn get(&self, store: &Store) -> Result<Arc<Graph>, AppError> {
        // Read first: a write after it makes the graph newer than its key, never older.
        let generation = store.facts_generation()?;
        let held = || {
            self.current
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
        };
        if let Some((g, _, graph)) = held() {
            if g == generation {
                return Ok(graph);
            }
        }
        let _computing = self.computing.lock().unwrap_or_else(|e| e.into_inner());
        let previous = held();
        if let Some((g, _, graph)) = &previous {
            if *g == generation {
                return Ok(graph.clone());
            }
        }
        let started = std::time::Instant::now();
        let millis = || started.elapsed().as_millis() as u64;
        let mut refreshed: Option<Brought> = None;
        let mut from_snapshot = false;
        let previous = match previous {
            Some((_, position, graph)) => Some((position, graph)),
            None => read_snapshot(store).map(|(graph, position)| {
                from_snapshot = true;
                *self.snapshot_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(position);
                (position, Arc::new(graph))
            }),
        };
        if let Some((position, graph)) = previous {
            refreshed = up_to_date(store, position, graph)?;
        }
        let (position, graph, how) = match refreshed {
            Some(Brought {
                through: position,
                graph,
                enterprises,
                restructured,
            }) => {
                let how = match (from_snapshot, enterprises, restructured) {
                    (true, changed, _) => GraphRefresh::FromSnapshot {
                        changed,
                        millis: millis(),
                    },
                    (false, 0, false) => GraphRefresh::Unchanged,
                    (false, enterprises, restructured) => GraphRefresh::Patched {
                        enterprises,
                        restructured,
                        millis: millis(),
                    },
                };
                let snapshot_at = *self.snapshot_at.lock().unwrap_or_else(|e| e.into_inner());
                if snapshot_at.is_none_or(|at| position - at >= SNAPSHOT_AFTER_CHANGES) {
                    self.write_snapshot(store, position, graph.clone());
                }
                (position, graph, how)
            }
            None => {
                let (graph, position) = store.supply_graph_logged()?;
                let graph = Arc::new(graph);
                self.write_snapshot(store, position, graph.clone());
                (position, graph, GraphRefresh::Loaded { millis: millis() })
            }
        };
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((generation, position, graph.clone()));
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some(how);
        Ok(graph)
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
    graph: GraphCache,
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
                crate::view::chain_summaries(store, &*self.graph(store)?, region)
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

    /// The supply graph of the current facts generation: listings, events, appeals,
    /// visits and assessments (activity) leave it as it is, and a write to the atlas
    /// patches it ([`GraphCache`]).
    pub fn graph(&self, store: &Store) -> Result<Arc<Graph>, AppError> {
        self.graph.get(store)
    }

    /// How the graph was last brought up to date, if it was.
    pub fn graph_refresh(&self) -> Option<GraphRefresh> {
        *self.graph.last.lock().unwrap_or_else(|e| e.into_inner())
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
