//! Matchmaking over the database: the listing index kept beside the database file, the
//! atlas facts ranking needs, and the wire types of listings and matches.
//!
//! The index is derived data. Its commit payload records the listing revision of the
//! database it reflects (`listing_revision`, moved by triggers on every listing change);
//! when the index is missing, unreadable or behind, it is rebuilt from the database.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chainatlas_auth::Principal;
use chainatlas_matching::{
    self as matching, Atlas, Config, Entry, ListingIndex, Match, PriceVisibility, Reason,
};
use chainatlas_model::{text, Listing, RegionCode, Tag, Tags};
use chainatlas_store::{MatchFacts, Store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppError;

/// The index directory for a database: `atlas.db` → `atlas.db.index`, beside the file
/// ([`derived_path`]); it is derived data, rebuilt when missing and brought up to date
/// from the listing log.
pub fn index_dir(database: &Path) -> PathBuf {
    derived_path(database, "index")
}

/// Where derived data of a database is kept: `atlas.db` → `atlas.db.SUFFIX`, beside the
/// file. A PostgreSQL database's is kept by each server on its own disk, in the system's
/// temporary directory under a name drawn from the URL (without its password).
pub fn derived_path(database: &Path, suffix: &str) -> PathBuf {
    if chainatlas_store::is_postgres(database) {
        // FNV-1a: stable across runs and builds, unlike the standard library's hasher.
        let name = chainatlas_store::display_location(database);
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        return std::env::temp_dir().join(format!("chainatlas-{hash:016x}.{suffix}"));
    }
    let mut name = database.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

/// The index directory this process may keep: the database's own (`dir`), claimed with a
/// lock on `dir.lock` held until the process ends, or, when another process on this
/// machine holds it (a second server on the same database), a private one beside it
/// (`dir.PID`), built for this process. Each server's index follows the database's
/// listing log by itself, so neither waits for nor disturbs the other.
fn claim(dir: PathBuf) -> (PathBuf, Option<std::fs::File>) {
    let mut lock = dir.as_os_str().to_owned();
    lock.push(".lock");
    let held = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(PathBuf::from(lock))
        .ok()
        .filter(|file| file.try_lock().is_ok());
    match held {
        Some(file) => (dir, Some(file)),
        None => {
            let mut private = dir.into_os_string();
            private.push(format!(".{}", std::process::id()));
            (PathBuf::from(private), None)
        }
    }
}

/// A listing as the index sees it.
pub fn entry(l: &Listing) -> Entry {
    Entry::from(l)
}

/// Names a demand may use for an enterprise designation held on record.
fn tag_names(tag: Tag) -> &'static [&'static str] {
    match tag {
        Tag::ChainMaster => &["chain_master", "链主", "链主企业", "chain master"],
        Tag::SpecializedNew => &[
            "specialized_new",
            "专精特新",
            "专精特新企业",
            "specialized and sophisticated",
        ],
        Tag::HighTech => &[
            "high_tech",
            "高新技术企业",
            "高新技术",
            "high-tech enterprise",
            "high tech",
        ],
        Tag::Listed => &["listed", "上市公司", "上市企业", "listed company"],
    }
}

/// Chain structure, names and designations from the database.
pub struct StoreAtlas {
    inputs: HashMap<u64, Vec<u64>>,
    outputs: HashMap<u64, Vec<u64>>,
    nodes: HashMap<u64, (String, String)>,
    regions: HashMap<u32, (String, String)>,
    enterprise_tags: Vec<Tags>,
}

impl StoreAtlas {
    pub fn load(store: &Store) -> Result<StoreAtlas, AppError> {
        Ok(StoreAtlas::from(store.match_facts()?))
    }
}

impl From<MatchFacts> for StoreAtlas {
    fn from(facts: MatchFacts) -> StoreAtlas {
        let mut inputs: HashMap<u64, Vec<u64>> = HashMap::new();
        let mut outputs: HashMap<u64, Vec<u64>> = HashMap::new();
        for (input, output) in facts.node_inputs {
            inputs
                .entry(output.0 as u64)
                .or_default()
                .push(input.0 as u64);
            outputs
                .entry(input.0 as u64)
                .or_default()
                .push(output.0 as u64);
        }
        StoreAtlas {
            inputs,
            outputs,
            nodes: facts
                .nodes
                .into_iter()
                .map(|(id, zh, en)| (id.0 as u64, (zh, en)))
                .collect(),
            regions: facts
                .regions
                .into_iter()
                .map(|(code, zh, en)| (code.value(), (zh, en)))
                .collect(),
            enterprise_tags: facts.enterprise_tags,
        }
    }
}

impl Atlas for StoreAtlas {
    fn inputs_of(&self, node: u64) -> &[u64] {
        self.inputs.get(&node).map_or(&[], Vec::as_slice)
    }
    fn outputs_of(&self, node: u64) -> &[u64] {
        self.outputs.get(&node).map_or(&[], Vec::as_slice)
    }
    fn enterprise_tags(&self, enterprise: u64) -> Vec<String> {
        let tags = self
            .enterprise_tags
            .get(enterprise as usize)
            .copied()
            .unwrap_or_default();
        Tag::ALL
            .iter()
            .filter(|t| tags.contains(**t))
            .flat_map(|t| tag_names(*t).iter().map(|n| n.to_string()))
            .collect()
    }
    fn node_label(&self, node: u64, english: bool) -> String {
        match self.nodes.get(&node) {
            Some((zh, en)) => {
                if english {
                    en.clone()
                } else {
                    zh.clone()
                }
            }
            None => node.to_string(),
        }
    }
    fn region_label(&self, region: RegionCode, english: bool) -> String {
        // A district reads better with its city: 武汉市洪山区.
        let name = |code: u32| {
            self.regions
                .get(&code)
                .map(|(zh, en)| if english { en.as_str() } else { zh.as_str() })
        };
        let own = name(region.value())
            .map(str::to_string)
            .unwrap_or_else(|| region.to_string());
        match region
            .city()
            .filter(|c| *c != region)
            .and_then(|c| name(c.value()))
        {
            Some(city) if english => format!("{own}, {city}"),
            Some(city) => format!("{city}{own}"),
            None => own,
        }
    }
}

/// How the index was brought up to date, for logs and the CLI.
#[derive(Clone, Debug, PartialEq)]
pub struct Rebuilt {
    pub listings: u64,
    pub took: Duration,
    pub why: &'static str,
}

/// The most listing changes replayed into the index at once; further behind, it is
/// rebuilt (a bulk import changes more than a replay would save).
const REPLAY_LIMIT: usize = 20_000;

/// The listing index of one database, kept current with it.
pub struct Matchmaker {
    dir: PathBuf,
    /// Held for the process's life when `dir` is the database's own index (see
    /// [`claim`]); `None` for a private one.
    _claim: Option<std::fs::File>,
    index: ListingIndex,
    /// Held while the index is written, so that one writer exists at a time.
    writing: Mutex<()>,
    /// The listing revision this process's searcher reflects (-1: not known yet), so that
    /// a current index costs one SQL read per request, not a look at the disk.
    seen: AtomicI64,
}

impl Matchmaker {
    fn new(dir: PathBuf, claim: Option<std::fs::File>, index: ListingIndex) -> Matchmaker {
        Matchmaker {
            dir,
            _claim: claim,
            index,
            writing: Mutex::new(()),
            seen: AtomicI64::new(-1),
        }
    }

    /// Opens the index beside the database, rebuilding it if it is missing, unreadable or
    /// behind the database.
    pub fn open(store: &Store) -> Result<(Matchmaker, Option<Rebuilt>), AppError> {
        let (dir, claim) = claim(index_dir(store.path()));
        match ListingIndex::open(&dir) {
            Some(index) => {
                let m = Matchmaker::new(dir, claim, index);
                let rebuilt = m.sync(store)?;
                Ok((m, rebuilt))
            }
            None => {
                let why = if dir.exists() {
                    "unreadable"
                } else {
                    "missing"
                };
                let (m, mut rebuilt) = Matchmaker::build(store, dir, claim)?;
                rebuilt.why = why;
                Ok((m, Some(rebuilt)))
            }
        }
    }

    /// Builds the index afresh from the database.
    pub fn rebuild(store: &Store) -> Result<(Matchmaker, Rebuilt), AppError> {
        let (dir, claim) = claim(index_dir(store.path()));
        Matchmaker::build(store, dir, claim)
    }

    fn build(
        store: &Store,
        dir: PathBuf,
        claim: Option<std::fs::File>,
    ) -> Result<(Matchmaker, Rebuilt), AppError> {
        let started = Instant::now();
        let index = ListingIndex::create(&dir).map_err(index_error)?;
        let m = Matchmaker::new(dir, claim, index);
        let listings = m.fill(store)?;
        Ok((
            m,
            Rebuilt {
                listings,
                took: started.elapsed(),
                why: "requested",
            },
        ))
    }

    /// Replaces the index's contents with the database's listings.
    fn fill(&self, store: &Store) -> Result<u64, AppError> {
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        self.fill_locked(store)
    }

    /// [`Matchmaker::fill`] with the writing lock already held.
    fn fill_locked(&self, store: &Store) -> Result<u64, AppError> {
        // The revision is read first: a change made while we read makes the index look
        // behind, so the next check rebuilds again rather than missing it.
        let revision = store.listing_revision()?;
        let mut batch = self.index.batch().map_err(index_error)?;
        batch.clear().map_err(index_error)?;
        let mut failed = None;
        let mut count = 0;
        store.for_each_listing(|l| {
            if failed.is_none() {
                count += 1;
                failed = batch.add(&entry(&l)).err();
            }
        })?;
        if let Some(e) = failed {
            return Err(index_error(e));
        }
        batch.commit(&revision.to_string()).map_err(index_error)?;
        self.seen.store(revision, Ordering::SeqCst);
        Ok(count)
    }

    /// Brings the index up to the database: nothing if current; the listings changed
    /// since the index's revision if the database's change log reaches back that far;
    /// else a rebuild.
    pub fn sync(&self, store: &Store) -> Result<Option<Rebuilt>, AppError> {
        let current = store.listing_revision()?;
        if self.seen.load(Ordering::SeqCst) == current {
            return Ok(None);
        }
        let _writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        if self.seen.load(Ordering::SeqCst) >= current {
            return Ok(None); // another request brought it up while we waited
        }
        let indexed = self.index.revision().and_then(|r| r.parse::<i64>().ok());
        if indexed == Some(current) {
            // Another process brought the index on disk up to date: see its commit.
            self.index.refresh().map_err(index_error)?;
            self.seen.store(current, Ordering::SeqCst);
            return Ok(None);
        }
        if let Some(since) = indexed.filter(|&i| i < current) {
            if let Some((revision, ids)) = store.listing_changes_since(since, REPLAY_LIMIT)? {
                let mut batch = self.index.batch().map_err(index_error)?;
                for id in ids {
                    match store.listing(id)? {
                        Some(l) => batch.upsert(&entry(&l)).map_err(index_error)?,
                        None => batch.remove(id.0 as u64),
                    }
                }
                batch.commit(&revision.to_string()).map_err(index_error)?;
                self.seen.store(revision, Ordering::SeqCst);
                return Ok(None);
            }
        }
        let started = Instant::now();
        let listings = self.fill_locked(store)?;
        Ok(Some(Rebuilt {
            listings,
            took: started.elapsed(),
            why: "behind the database",
        }))
    }

    pub fn index(&self) -> &ListingIndex {
        &self.index
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Ranks counterparts for a listing.
    pub fn matches(
        &self,
        query: &Listing,
        atlas: &dyn Atlas,
        config: &Config,
        k: usize,
    ) -> Result<Vec<Match>, AppError> {
        matching::rank(&self.index, &entry(query), atlas, config, k).map_err(index_error)
    }
}

pub fn index_error(e: matching::IndexError) -> AppError {
    match e {
        // A setting the caller chose, not a fault of the index.
        matching::IndexError::TitleBoost { asked, index } => AppError::parameter(text!(
            "参数 weights：索引按标题计 {index} 次，title_boost={asked} 只能在建索引时设定（用于表格匹配）",
            "parameter weights: `title_boost={asked}`: this index counts titles {index} times; the title boost is set when an index is built, so it applies to spreadsheet matching"
        )),
        e => AppError::internal(e.to_string()),
    }
}

/// Size of a directory's files in bytes.
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Whose prices may count in the scores `viewer` reads (`None`: the process itself, the
/// CLI): everyone's for roles that see all private data, else only the viewer's own.
pub fn price_visibility(viewer: Option<&Principal>) -> PriceVisibility {
    match viewer {
        None => PriceVisibility::All,
        Some(p) if p.may(chainatlas_auth::Permission::ReadAllPrivateData) => PriceVisibility::All,
        Some(p) => PriceVisibility::OwnOnly(p.enterprise.map(|e| e.0 as u64)),
    }
}

/// A score, part by part. `price` is absent when the viewer may not see both prices; then
/// the price part was scored as unknown and moved neither `total` nor the order.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BreakdownDto {
    pub total: f64,
    pub text: f64,
    pub node: f64,
    pub region: f64,
    pub tags: f64,
    pub quantity: f64,
    pub price: Option<f64>,
    pub validity: f64,
}

fn round(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// One ranked counterpart with its reasons in Chinese and English.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MatchDto {
    /// The counterpart listing.
    pub listing_id: i64,
    pub title: String,
    pub side: String,
    pub kind: String,
    pub enterprise_id: Option<i64>,
    pub region_code: Option<u32>,
    pub score: BreakdownDto,
    pub reasons_zh: Vec<String>,
    pub reasons_en: Vec<String>,
}

/// Turns ranked matches into wire types for `viewer`: a price the viewer may not see
/// neither shows in the breakdown nor in the reasons.
pub fn match_dtos(
    matches: &[Match],
    query_enterprise: Option<i64>,
    viewer: Option<&Principal>,
    atlas: &dyn Atlas,
) -> Vec<MatchDto> {
    let prices = price_visibility(viewer);
    let may_see = |enterprise: Option<i64>| prices.shows(enterprise.map(|e| e as u64));
    matches
        .iter()
        .map(|m| {
            let counterpart = m.candidate.enterprise.map(|e| e as i64);
            // Both prices shape the price part; showing it needs both to be visible.
            let price_visible = may_see(counterpart) && may_see(query_enterprise);
            let reasons: Vec<&Reason> = m
                .reasons
                .iter()
                .filter(|r| price_visible || !matches!(r, Reason::Price { .. }))
                .collect();
            let s = &m.score;
            MatchDto {
                listing_id: m.candidate.id as i64,
                title: m.candidate.title.clone(),
                side: m.candidate.side.as_str().into(),
                kind: m.candidate.kind.as_str().into(),
                enterprise_id: counterpart,
                region_code: m.candidate.region.map(|r| r.value()),
                score: BreakdownDto {
                    total: round(s.total),
                    text: round(s.text),
                    node: round(s.node),
                    region: round(s.region),
                    tags: round(s.tags),
                    quantity: round(s.quantity),
                    price: price_visible.then(|| round(s.price)),
                    validity: round(s.validity),
                },
                reasons_zh: reasons.iter().map(|r| r.text(atlas, false)).collect(),
                reasons_en: reasons.iter().map(|r| r.text(atlas, true)).collect(),
            }
        })
        .collect()
}
