//! The listing index: a tantivy index of listings, derived from the database (or from a
//! spreadsheet, in memory). It holds what ranking needs without a database round trip:
//! the analysed title and description, and fast fields for side, kind, node, region,
//! enterprise, quantity, price, validity and status.

use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use chainatlas_model::{Date, Listing, ListingKind, ListingSide, ListingStatus, Money, RegionCode};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::analyzer::{analyze, han_chars, CHAR_WEIGHT};

/// How text is cut into terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analysis {
    /// The Chain Atlas analyzer ([`crate::analyzer`]).
    Bilingual,
    /// Tantivy's default: split on non-alphanumerics, lower case. The evaluation's
    /// plain-BM25 baseline.
    Plain,
}

impl Analysis {
    /// The analyzer's name in the schema, with its version: an index built by an earlier
    /// analyzer has another schema, so opening it rebuilds it (2: character bigrams).
    fn tokenizer_name(self) -> &'static str {
        match self {
            Analysis::Bilingual => "chainatlas-2",
            Analysis::Plain => "default",
        }
    }
}

impl From<&Listing> for Entry {
    fn from(l: &Listing) -> Entry {
        Entry {
            id: l.id.0 as u64,
            side: l.side,
            kind: l.kind,
            enterprise: Some(l.enterprise.0 as u64),
            node: l.node.map(|n| n.0 as u64),
            region: Some(l.region),
            title: l.title.clone(),
            description: l.description.clone(),
            quantity: l.quantity,
            unit: l.unit.clone(),
            price: l.price,
            valid_until: l.valid_until,
            status: l.status,
            tags: l.tags.clone(),
        }
    }
}

/// One listing as the index sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub id: u64,
    pub side: ListingSide,
    pub kind: ListingKind,
    pub enterprise: Option<u64>,
    pub node: Option<u64>,
    pub region: Option<RegionCode>,
    pub title: String,
    pub description: String,
    pub quantity: Option<u64>,
    pub unit: String,
    /// Budget of a demand, asking price of a supply.
    pub price: Option<Money>,
    pub valid_until: Option<Date>,
    pub status: ListingStatus,
    /// Qualifications: required by a demand, held by a supply.
    pub tags: Vec<String>,
}

/// Which listings a search may return.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub side: Option<ListingSide>,
    pub kinds: Vec<ListingKind>,
    /// Any of these nodes; empty means any node (or none).
    pub nodes: Vec<u64>,
    /// Inside this region (a province or city contains its districts).
    pub region: Option<RegionCode>,
    pub status: Option<ListingStatus>,
    /// Still valid on this day: no end date, or an end date on or after it.
    pub valid_on: Option<Date>,
    pub enterprise: Option<u64>,
    pub exclude_enterprise: Option<u64>,
}

/// One search hit with what ranking needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub entry: Entry,
    /// BM25 text relevance (0 when the search had no text).
    pub text_score: f32,
}

/// An error of the listing index.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("listing index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("`title_boost={asked}`: this index counts titles {index} times; the title boost is set when an index is built (the database's index: {index}), so it applies to spreadsheet matching")]
    TitleBoost { index: u32, asked: u32 },
    #[error("listing index at {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    side: Field,
    kind: Field,
    enterprise: Field,
    node: Field,
    /// `node * 2 + side` as one token with its frequency, so that a term query on it is a
    /// scorer Block-WAND can prune with (numeric fields index no frequencies): ranking's
    /// node stage looks up one side's listings of a node.
    node_side: Field,
    region: Field,
    /// Stored for display and reasons; not searched.
    title: Field,
    description: Field,
    /// Searched, one field per side: the title `title_boost` times, then the description
    /// (a term's frequencies add up before BM25 saturates them, as in BM25F). Each side has
    /// its own field, so that ranking the other side is one pure disjunction of one scorer
    /// per term, which tantivy prunes with Block-WAND instead of scoring every listing that
    /// shares a common word.
    text: [Field; 2],
    /// A title's single Han characters, one field per side (see
    /// [`crate::analyzer::CHAR_WEIGHT`]).
    chars: [Field; 2],
    quantity: Field,
    unit: Field,
    price: Field,
    valid_until: Field,
    status: Field,
    tags: Field,
}

const NONE_U64: u64 = u64::MAX;

/// The character fields' tokenizer, with its version.
const CHARS_TOKENIZER: &str = "chainatlas-chars-1";

/// Most single characters of a query's title searched (the first ones).
const MAX_CHARS: usize = 16;
const NO_END: i64 = i64::MAX;

/// The title boost of an index on disk. It is part of the text fields' names, so that an
/// index built with another boost does not match the schema and is rebuilt.
pub const INDEX_TITLE_BOOST: u32 = 3;

fn schema(analysis: Analysis, title_boost: u32) -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analysis.tokenizer_name())
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let chars = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(CHARS_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | FAST | STORED),
        side: b.add_u64_field("side", INDEXED | FAST),
        kind: b.add_u64_field("kind", INDEXED | FAST),
        enterprise: b.add_u64_field("enterprise", INDEXED | FAST),
        node: b.add_u64_field("node", INDEXED | FAST),
        node_side: b.add_text_field(
            "node_side",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("raw")
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        region: b.add_u64_field("region", INDEXED | FAST),
        title: b.add_text_field("title", STORED),
        description: b.add_text_field("description", STORED),
        text: [
            b.add_text_field(&format!("text_demand_t{title_boost}"), text.clone()),
            b.add_text_field(&format!("text_supply_t{title_boost}"), text.clone()),
        ],
        chars: [
            b.add_text_field("chars_demand", chars.clone()),
            b.add_text_field("chars_supply", chars),
        ],
        quantity: b.add_u64_field("quantity", FAST),
        unit: b.add_text_field("unit", TextOptions::default().set_fast("raw")),
        price: b.add_i64_field("price", FAST),
        valid_until: b.add_i64_field("valid_until", INDEXED | FAST),
        status: b.add_u64_field("status", INDEXED | FAST),
        tags: b.add_text_field("tags", TextOptions::default().set_fast("raw")),
    };
    (b.build(), fields)
}

fn side_code(side: ListingSide) -> u64 {
    ListingSide::ALL
        .iter()
        .position(|s| *s == side)
        .unwrap_or(0) as u64
}
fn node_side(node: u64, side: ListingSide) -> u64 {
    node.wrapping_mul(2) + side_code(side)
}

fn kind_code(kind: ListingKind) -> u64 {
    ListingKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0) as u64
}
fn status_code(status: ListingStatus) -> u64 {
    ListingStatus::ALL
        .iter()
        .position(|s| *s == status)
        .unwrap_or(0) as u64
}

/// The tantivy tokenizer around [`analyze`].
#[derive(Clone, Default)]
struct BilingualTokenizer {
    token: Token,
    /// Single Han characters ([`han_chars`]) instead of [`analyze`]'s terms.
    chars: bool,
}

struct BilingualStream {
    terms: std::vec::IntoIter<String>,
    token: Token,
    position: usize,
}

impl Tokenizer for BilingualTokenizer {
    type TokenStream<'a> = BilingualStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> BilingualStream {
        self.token.reset();
        BilingualStream {
            terms: if self.chars {
                han_chars(text)
            } else {
                analyze(text)
            }
            .into_iter(),
            token: Token::default(),
            position: 0,
        }
    }
}

impl TokenStream for BilingualStream {
    fn advance(&mut self) -> bool {
        match self.terms.next() {
            Some(term) => {
                self.token.text = term;
                self.token.position = self.position;
                self.position += 1;
                true
            }
            None => false,
        }
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// Terms of a query with their weights, in the analysis of an index.
#[derive(Clone, Debug, Default)]
pub struct QueryText {
    terms: Vec<(String, f32)>,
    /// Terms that are only pieces of model numbers (another spelling's way in, not
    /// content of their own): left out of the ideal listing's relevance.
    pieces: std::collections::HashSet<String>,
    max_terms: usize,
    /// The title's distinct single Han characters, at most [`MAX_CHARS`], searched in the
    /// character fields with [`CHAR_WEIGHT`] (bilingual analysis only).
    chars: Vec<String>,
}

impl QueryText {
    /// Title terms weigh 1, description terms `description_weight`, pieces of model
    /// numbers a quarter of that (`analyzer::PIECE_WEIGHT`); a term found twice keeps the
    /// larger weight.
    pub fn new(
        analysis: Analysis,
        title: &str,
        description: &str,
        weights: TextWeights,
    ) -> QueryText {
        let TextWeights {
            description_weight,
            max_terms,
            ..
        } = weights;
        let mut terms: Vec<(String, f32)> = Vec::new();
        let mut whole = std::collections::HashSet::new();
        let mut pieces = std::collections::HashSet::new();
        let mut add = |text: &str, weight: f32| {
            let weighted: Vec<(String, f32)> = match analysis {
                Analysis::Bilingual => crate::analyzer::analyze_weighted(text),
                Analysis::Plain => terms_of(analysis, text)
                    .into_iter()
                    .map(|t| (t, 1.0))
                    .collect(),
            };
            for (term, factor) in weighted {
                if factor < 1.0 {
                    pieces.insert(term.clone());
                } else {
                    whole.insert(term.clone());
                }
                let weight = weight * factor;
                match terms.iter_mut().find(|(t, _)| *t == term) {
                    Some((_, w)) => *w = w.max(weight),
                    None => terms.push((term, weight)),
                }
            }
        };
        add(title, 1.0);
        if description_weight > 0.0 {
            add(description, description_weight);
        }
        pieces.retain(|p| !whole.contains(p));
        let mut chars = Vec::new();
        if analysis == Analysis::Bilingual {
            for c in han_chars(title) {
                if chars.len() == MAX_CHARS {
                    break;
                }
                if !chars.contains(&c) {
                    chars.push(c);
                }
            }
        }
        QueryText {
            terms,
            pieces,
            max_terms,
            chars,
        }
    }

    /// Query terms typed by a user: every term weighs 1. Single characters are left out:
    /// a search box that finds `铝材` for `钢材` (through `材`) would count every listing
    /// sharing a character among its results.
    pub fn typed(analysis: Analysis, text: &str) -> QueryText {
        QueryText {
            chars: Vec::new(),
            ..QueryText::new(analysis, text, "", TextWeights::default())
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.chars.is_empty()
    }

    /// The same query without its single characters, and whether it had any.
    pub fn without_chars(&self) -> (QueryText, bool) {
        let had = !self.chars.is_empty();
        (
            QueryText {
                chars: Vec::new(),
                ..self.clone()
            },
            had,
        )
    }
}

/// The terms of a text in an analysis.
pub fn terms_of(analysis: Analysis, text: &str) -> Vec<String> {
    match analysis {
        Analysis::Bilingual => analyze(text),
        Analysis::Plain => {
            let mut analyzer = plain_analyzer();
            let mut stream = analyzer.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                out.push(stream.token().text.clone());
            }
            out
        }
    }
}

fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy::tokenizer::SimpleTokenizer::default())
        .filter(tantivy::tokenizer::RemoveLongFilter::limit(40))
        .filter(tantivy::tokenizer::LowerCaser)
        .build()
}

/// How title and description count in text relevance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TextWeights {
    /// A listing's title counts this many times in its text, beside its description once.
    /// An index applies it when listings are added; the database's index uses
    /// [`INDEX_TITLE_BOOST`].
    pub title_boost: u32,
    /// A query term only in the query's description weighs this much (title terms 1).
    pub description_weight: f32,
    /// Most terms a query searches for, the strongest by weight and rarity (see
    /// `ListingIndex::strongest_terms`): a pasted two-page specification must not make a
    /// disjunction of hundreds of posting lists. 32 costs 0.015 of recall@1 on Abt-Buy
    /// valid (long English product descriptions) and nothing on the judged set.
    pub max_terms: usize,
}

impl Default for TextWeights {
    fn default() -> Self {
        TextWeights {
            title_boost: INDEX_TITLE_BOOST,
            description_weight: 0.3,
            max_terms: 32,
        }
    }
}

impl TextWeights {
    /// Plain BM25: every field and every term alike (the evaluation's baseline).
    pub const PLAIN: TextWeights = TextWeights {
        title_boost: 1,
        description_weight: 1.0,
        max_terms: usize::MAX,
    };
}

/// A listing index on disk or in memory.
pub struct ListingIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    analysis: Analysis,
    title_boost: u32,
    /// Fast-field columns of each segment of the current searcher. Opening a column reads
    /// its block index, which at a million documents costs more than a whole query, so
    /// columns are opened once per searcher generation.
    columns: std::sync::RwLock<(u64, Arc<Vec<SegmentColumns>>)>,
}

/// Memory for the indexing threads.
const WRITER_MEMORY: usize = 200_000_000;

impl ListingIndex {
    /// A new empty index in memory (for spreadsheets and tests), counting titles
    /// `title_boost` times (at least once).
    pub fn in_memory(analysis: Analysis, title_boost: u32) -> Result<ListingIndex> {
        let title_boost = title_boost.max(1);
        let (schema, fields) = schema(analysis, title_boost);
        let index = Index::create_in_ram(schema);
        Self::wrap(index, fields, analysis, title_boost)
    }

    /// Opens the index in `dir`, or `None` when there is none (or it cannot be read, or was
    /// built by another schema): the caller rebuilds.
    pub fn open(dir: &Path) -> Option<ListingIndex> {
        let index = Index::open_in_dir(dir).ok()?;
        let (expected, fields) = schema(Analysis::Bilingual, INDEX_TITLE_BOOST);
        if index.schema() != expected {
            return None;
        }
        Self::wrap(index, fields, Analysis::Bilingual, INDEX_TITLE_BOOST).ok()
    }

    /// Creates an empty index in `dir`, replacing whatever was there.
    pub fn create(dir: &Path) -> Result<ListingIndex> {
        let io = |source| IndexError::Io {
            path: dir.display().to_string(),
            source,
        };
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(io)?;
        }
        std::fs::create_dir_all(dir).map_err(io)?;
        let (schema, fields) = schema(Analysis::Bilingual, INDEX_TITLE_BOOST);
        let index = Index::create_in_dir(dir, schema)?;
        Self::wrap(index, fields, Analysis::Bilingual, INDEX_TITLE_BOOST)
    }

    fn wrap(
        index: Index,
        fields: Fields,
        analysis: Analysis,
        title_boost: u32,
    ) -> Result<ListingIndex> {
        index.tokenizers().register(
            Analysis::Bilingual.tokenizer_name(),
            TextAnalyzer::from(BilingualTokenizer::default()),
        );
        index.tokenizers().register(
            CHARS_TOKENIZER,
            TextAnalyzer::from(BilingualTokenizer {
                token: Token::default(),
                chars: true,
            }),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(ListingIndex {
            index,
            reader,
            fields,
            analysis,
            title_boost,
            columns: std::sync::RwLock::new((u64::MAX, Arc::new(Vec::new()))),
        })
    }

    pub fn analysis(&self) -> Analysis {
        self.analysis
    }

    /// How many times a title counts in this index (see [`TextWeights::title_boost`]).
    pub fn title_boost(&self) -> u32 {
        self.title_boost
    }

    /// Sees the latest commit on disk, whoever made it.
    pub fn refresh(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// The payload of the last commit: the database revision the index reflects.
    pub fn revision(&self) -> Option<String> {
        self.index.load_metas().ok()?.payload
    }

    /// Number of listings in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts a batch of changes; nothing is visible until [`Batch::commit`].
    pub fn batch(&self) -> Result<Batch<'_>> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        let writer = self.index.writer_with_num_threads(threads, WRITER_MEMORY)?;
        Ok(Batch {
            index: self,
            writer,
        })
    }

    fn document(&self, e: &Entry) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, e.id);
        doc.add_u64(f.side, side_code(e.side));
        doc.add_u64(f.kind, kind_code(e.kind));
        doc.add_u64(f.enterprise, e.enterprise.unwrap_or(NONE_U64));
        doc.add_u64(f.node, e.node.unwrap_or(NONE_U64));
        if let Some(node) = e.node {
            doc.add_text(f.node_side, node_side(node, e.side).to_string());
        }
        doc.add_u64(f.region, e.region.map_or(NONE_U64, |r| r.value() as u64));
        doc.add_text(f.title, &e.title);
        doc.add_text(f.description, &e.description);
        let text = f.text[side_code(e.side) as usize];
        for _ in 0..self.title_boost {
            doc.add_text(text, &e.title);
        }
        doc.add_text(text, &e.description);
        if self.analysis == Analysis::Bilingual {
            doc.add_text(f.chars[side_code(e.side) as usize], &e.title);
        }
        doc.add_u64(f.quantity, e.quantity.unwrap_or(NONE_U64));
        doc.add_text(f.unit, &e.unit);
        doc.add_i64(f.price, e.price.map_or(-1, |p| p.fen()));
        doc.add_i64(
            f.valid_until,
            e.valid_until.map_or(NO_END, |d| d.days_since_epoch()),
        );
        doc.add_u64(f.status, status_code(e.status));
        for tag in &e.tags {
            doc.add_text(f.tags, tag);
        }
        doc
    }

    /// Searches: the best `limit` listings after `offset` that pass `filter`, by text
    /// relevance when `text` has terms, else newest (highest id) first; and how many
    /// listings pass in all.
    pub fn search(
        &self,
        text: &QueryText,
        filter: &Filter,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Hit>, usize)> {
        let searcher = self.reader.searcher();
        let query = self.query(text, filter);
        let (docs, total): (Vec<(f32, DocAddress)>, usize) = if text.is_empty() {
            let (top, total) = searcher.search(
                &query,
                &(
                    TopDocs::with_limit(limit)
                        .and_offset(offset)
                        .order_by_u64_field("id", tantivy::Order::Desc),
                    Count,
                ),
            )?;
            (top.into_iter().map(|(_, a)| (0.0, a)).collect(), total)
        } else {
            searcher.search(
                &query,
                &(
                    TopDocs::with_limit(limit)
                        .and_offset(offset)
                        .order_by_score(),
                    Count,
                ),
            )?
        };
        let hits = docs
            .into_iter()
            .map(|(score, address)| {
                Ok(Hit {
                    entry: self.entry(&searcher, address)?,
                    text_score: score,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((hits, total))
    }

    /// The best `limit` listings that share a term with `text` and pass `filter`, by text
    /// relevance, for ranking. Entries come from fast fields alone (no title or
    /// description: see [`ListingIndex::fill_text`]).
    pub fn top(&self, text: &QueryText, filter: &Filter, limit: usize) -> Result<Vec<Hit>> {
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let simple = filter.kinds.is_empty()
            && filter.nodes.is_empty()
            && filter.region.is_none()
            && filter.enterprise.is_none();
        if let (true, Some(side)) = (simple, filter.side) {
            return self.top_by_text(text, filter, side, limit);
        }
        let searcher = self.reader.searcher();
        let docs = searcher.search(
            &self.query(text, filter),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        let columns = self.columns(&searcher)?;
        Ok(docs
            .into_iter()
            .map(|(score, address)| Hit {
                entry: columns[address.segment_ord as usize].entry(address.doc_id),
                text_score: score,
            })
            .collect())
    }

    /// Fills in the title and description of entries from [`ListingIndex::top`], which
    /// reads only fast fields: ranking needs the text of the few it keeps. Entries no
    /// longer in the index keep empty text.
    pub fn fill_text(&self, entries: &mut [Entry]) -> Result<()> {
        let searcher = self.reader.searcher();
        for entry in entries {
            if let Some(address) = self.address_of(&searcher, entry.id)? {
                self.read_text(&searcher, address, entry)?;
            }
        }
        Ok(())
    }

    fn address_of(&self, searcher: &tantivy::Searcher, id: u64) -> Result<Option<DocAddress>> {
        let query = TermQuery::new(
            Term::from_field_u64(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        Ok(top.first().map(|(_, a)| *a))
    }

    /// Reads the stored title and description of the listing at `address` into `entry`.
    fn read_text(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
        entry: &mut Entry,
    ) -> Result<()> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let text = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        entry.title = text(self.fields.title);
        entry.description = text(self.fields.description);
        Ok(())
    }

    /// The listing with this id, if indexed.
    pub fn get(&self, id: u64) -> Result<Option<Entry>> {
        let searcher = self.reader.searcher();
        self.address_of(&searcher, id)?
            .map(|a| self.entry(&searcher, a))
            .transpose()
    }

    fn query(&self, text: &QueryText, filter: &Filter) -> Box<dyn Query> {
        let f = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let term_u64 = |field, value| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_u64(field, value),
                IndexRecordOption::Basic,
            ))
        };
        let any_of = |field, values: Vec<u64>| -> Box<dyn Query> {
            if values.len() == 1 {
                return term_u64(field, values[0]);
            }
            Box::new(BooleanQuery::new(
                values
                    .into_iter()
                    .map(|v| (Occur::Should, term_u64(field, v)))
                    .collect(),
            ))
        };
        if let Some(side) = filter.side {
            clauses.push((Occur::Must, term_u64(f.side, side_code(side))));
        }
        if !filter.kinds.is_empty() {
            clauses.push((
                Occur::Must,
                any_of(f.kind, filter.kinds.iter().map(|k| kind_code(*k)).collect()),
            ));
        }
        if !filter.nodes.is_empty() {
            clauses.push((Occur::Must, any_of(f.node, filter.nodes.clone())));
        }
        if let Some(region) = filter.region {
            let range = region.descendants();
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_u64(f.region, *range.start() as u64)),
                    Bound::Included(Term::from_field_u64(f.region, *range.end() as u64)),
                )),
            ));
        }
        if let Some(status) = filter.status {
            clauses.push((Occur::Must, term_u64(f.status, status_code(status))));
        }
        if let Some(day) = filter.valid_on {
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    Bound::Included(Term::from_field_i64(f.valid_until, day.days_since_epoch())),
                    Bound::Unbounded,
                )),
            ));
        }
        if let Some(e) = filter.enterprise {
            clauses.push((Occur::Must, term_u64(f.enterprise, e)));
        }
        if let Some(e) = filter.exclude_enterprise {
            clauses.push((Occur::MustNot, term_u64(f.enterprise, e)));
        }
        if !text.is_empty() {
            let text_query = Box::new(BooleanQuery::new(self.text_terms(text, filter.side)));
            if clauses.is_empty() {
                return text_query;
            }
            clauses.push((Occur::Must, text_query));
        } else if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// The query's terms over the text fields of `side` (both when `None`), as the clauses of
    /// a disjunction. Each is a boosted term query, so that a disjunction of them alone (or
    /// with other term queries beside them, never nested in another boolean query) is one
    /// tantivy prunes with Block-WAND.
    fn text_terms(
        &self,
        text: &QueryText,
        side: Option<ListingSide>,
    ) -> Vec<(Occur, Box<dyn Query>)> {
        let sides: Vec<usize> = match side {
            Some(s) => vec![side_code(s) as usize],
            None => vec![0, 1],
        };
        let mut should: Vec<(Occur, Box<dyn Query>)> =
            Vec::with_capacity(text.terms.len() * sides.len());
        for (term, weight) in self.strongest_terms(text, &sides) {
            for &s in &sides {
                let q = TermQuery::new(
                    Term::from_field_text(self.fields.text[s], term),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), *weight)),
                ));
            }
        }
        for c in &text.chars {
            for &s in &sides {
                let q = TermQuery::new(
                    Term::from_field_text(self.fields.chars[s], c),
                    IndexRecordOption::WithFreqs,
                );
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(q), CHAR_WEIGHT)),
                ));
            }
        }
        should
    }

    /// The text relevance of an ideal listing of `side`: one of average length holding
    /// every word of the query (those ranking reads; pieces of model numbers, only
    /// other spellings' way in, left out) once in its title. Ranking reads a
    /// listing's relevance as a share of this, so that a listing sharing one number or
    /// one generic word of a long query scores that word's share of the query, not
    /// the whole of it as when relevance was read against the best listing found.
    pub fn ideal_text_score(&self, text: &QueryText, side: ListingSide) -> f32 {
        let s = side_code(side) as usize;
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs().max(1) as f32;
        let tf = self.title_boost() as f32;
        // BM25 with tantivy's k1 = 1.2, b = 0.75, at the average field length.
        let saturation = tf * 2.2 / (tf + 1.2);
        let idf_of = |field: Field, term: &str| {
            let df = searcher
                .doc_freq(&Term::from_field_text(field, term))
                .unwrap_or(0) as f32;
            (1.0 + (docs - df + 0.5) / (df + 0.5)).ln()
        };
        // Characters appear once in a title (a saturation of 1 at frequency 1).
        let chars: f32 = text
            .chars
            .iter()
            .map(|c| CHAR_WEIGHT * idf_of(self.fields.chars[s], c))
            .sum();
        chars
            + self
                .strongest_terms(text, &[s])
                .iter()
                .filter(|(term, _)| !text.pieces.contains(term))
                .map(|(term, weight)| weight * idf_of(self.fields.text[s], term) * saturation)
                .sum::<f32>()
    }

    /// The query's terms that can weigh most, at most `max_terms`: by weight times
    /// inverse document frequency over the fields searched. A long description yields many
    /// terms; the weakest change no ranking yet each costs the disjunction a posting list.
    fn strongest_terms<'t>(&self, text: &'t QueryText, sides: &[usize]) -> Vec<&'t (String, f32)> {
        let max = text.max_terms;
        if text.terms.len() <= max {
            return text.terms.iter().collect();
        }
        let searcher = self.reader.searcher();
        let docs = searcher.num_docs().max(1) as f64;
        let mut strength: Vec<(f64, &(String, f32))> = text
            .terms
            .iter()
            .map(|t| {
                let df: u64 = sides
                    .iter()
                    .map(|&s| {
                        searcher
                            .doc_freq(&Term::from_field_text(self.fields.text[s], &t.0))
                            .unwrap_or(0)
                    })
                    .sum();
                // A term no listing has matches nothing: it can only take a place.
                if df == 0 {
                    return (f64::NEG_INFINITY, t);
                }
                let df = df as f64;
                let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
                (t.1 as f64 * idf, t)
            })
            .collect();
        strength.sort_by(|a, b| b.0.total_cmp(&a.0));
        strength.truncate(max);
        strength
            .into_iter()
            .filter(|(s, _)| s.is_finite())
            .map(|(_, t)| t)
            .collect()
    }

    /// Ranking's first stage: the best `limit` listings of one side by text, among those
    /// that are open, valid on a day and not of one enterprise. The query is a pure
    /// disjunction (pruned by Block-WAND); the filter is applied to what it returns.
    fn top_by_text(
        &self,
        text: &QueryText,
        filter: &Filter,
        side: ListingSide,
        limit: usize,
    ) -> Result<Vec<Hit>> {
        let query = BooleanQuery::new(self.text_terms(text, Some(side)));
        self.top_passing(&query, filter, limit, Some)
    }

    /// Ranking's node stage: the best `limit` listings of `side` in any of `nodes` by text
    /// relevance, including those that share no term (scored 0), among those that pass the
    /// filter's status, validity and enterprise.
    ///
    /// One pure disjunction again, so that Block-WAND prunes it: the query's terms, and each
    /// node as a term boosted so that every listing of a node scores `NODE_BONUS` for it
    /// (a term of a single-token field scores the same in every document of its posting
    /// list). Any listing in a node then outranks any listing outside, and among them the
    /// text decides; the bonus is taken off again.
    pub fn top_in_nodes(
        &self,
        text: &QueryText,
        filter: &Filter,
        side: ListingSide,
        nodes: &[u64],
        limit: usize,
    ) -> Result<Vec<Hit>> {
        const NODE_BONUS: f32 = 10_000.0;
        let searcher = self.reader.searcher();
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &node in nodes {
            let term = TermQuery::new(
                Term::from_field_text(self.fields.node_side, &node_side(node, side).to_string()),
                IndexRecordOption::WithFreqs,
            );
            let unit = searcher.search(&term, &TopDocs::with_limit(1).order_by_score())?;
            match unit.first() {
                Some(&(score, _)) if score > 0.0 => should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), NODE_BONUS / score)),
                )),
                _ => {} // no listing of this side in the node
            }
        }
        if should.is_empty() {
            return Ok(Vec::new());
        }
        should.extend(self.text_terms(text, Some(side)));
        self.top_passing(&BooleanQuery::new(should), filter, limit, |score| {
            // Below half the bonus: past the listings of the nodes.
            (score >= NODE_BONUS / 2.0).then(|| (score - NODE_BONUS).max(0.0))
        })
    }

    /// The best `limit` hits of `query` that pass `filter` (status, validity, enterprise,
    /// checked from fast fields), asking the index for more until `limit` pass or it has no
    /// more. `text_score` maps a document's score to its text score; `None` ends the list
    /// (every later document scores less).
    fn top_passing(
        &self,
        query: &dyn Query,
        filter: &Filter,
        limit: usize,
        text_score: impl Fn(f32) -> Option<f32>,
    ) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        let columns = self.columns(&searcher)?;
        let mut fetch = limit + limit / 2 + 8;
        loop {
            let docs = searcher.search(query, &TopDocs::with_limit(fetch).order_by_score())?;
            let exhausted = docs.len() < fetch;
            let mut hits = Vec::with_capacity(limit);
            for (score, address) in docs {
                let Some(text_score) = text_score(score) else {
                    return Ok(hits);
                };
                let c = &columns[address.segment_ord as usize];
                if !c.passes(address.doc_id, filter) {
                    continue;
                }
                hits.push(Hit {
                    entry: c.entry(address.doc_id),
                    text_score,
                });
                if hits.len() == limit {
                    return Ok(hits);
                }
            }
            if exhausted {
                return Ok(hits);
            }
            fetch *= 4;
        }
    }

    /// The columns of every segment of `searcher`, opened at most once per generation.
    fn columns(&self, searcher: &tantivy::Searcher) -> Result<Arc<Vec<SegmentColumns>>> {
        let generation = searcher.generation().generation_id();
        {
            let cached = self.columns.read().unwrap_or_else(|e| e.into_inner());
            if cached.0 == generation {
                return Ok(cached.1.clone());
            }
        }
        let opened = Arc::new(
            searcher
                .segment_readers()
                .iter()
                .map(SegmentColumns::open)
                .collect::<Result<Vec<_>>>()?,
        );
        *self.columns.write().unwrap_or_else(|e| e.into_inner()) = (generation, opened.clone());
        Ok(opened)
    }

    /// The whole listing at `address`: fast fields and stored text.
    fn entry(&self, searcher: &tantivy::Searcher, address: DocAddress) -> Result<Entry> {
        let columns = self.columns(searcher)?;
        let mut entry = columns[address.segment_ord as usize].entry(address.doc_id);
        self.read_text(searcher, address, &mut entry)?;
        Ok(entry)
    }
}

/// The fast-field columns of one segment.
struct SegmentColumns {
    id: tantivy::columnar::Column<u64>,
    side: tantivy::columnar::Column<u64>,
    kind: tantivy::columnar::Column<u64>,
    enterprise: tantivy::columnar::Column<u64>,
    node: tantivy::columnar::Column<u64>,
    region: tantivy::columnar::Column<u64>,
    quantity: tantivy::columnar::Column<u64>,
    price: tantivy::columnar::Column<i64>,
    valid_until: tantivy::columnar::Column<i64>,
    status: tantivy::columnar::Column<u64>,
    /// Term ordinals of unit and tags, and each column's whole dictionary: a few hundred
    /// distinct values, read once instead of once per candidate.
    unit: tantivy::columnar::Column<u64>,
    units: Vec<String>,
    tags: tantivy::columnar::Column<u64>,
    tag_names: Vec<String>,
}

/// The ordinals of a text fast field and its dictionary in ordinal order.
fn dictionary(
    fast: &tantivy::fastfield::FastFieldReaders,
    name: &str,
) -> Result<(tantivy::columnar::Column<u64>, Vec<String>)> {
    let Some(column) = fast.str(name)? else {
        // No document of the segment has a value.
        return Ok((tantivy::columnar::Column::build_empty_column(0), Vec::new()));
    };
    let mut values = Vec::with_capacity(column.num_terms());
    let mut stream = column.dictionary().stream().map_err(io_error(name))?;
    while stream.advance() {
        values.push(String::from_utf8_lossy(stream.key()).into_owned());
    }
    Ok((column.ords().clone(), values))
}

fn io_error(name: &str) -> impl Fn(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: format!("fast field {name}"),
        source,
    }
}

impl SegmentColumns {
    fn open(segment: &tantivy::SegmentReader) -> Result<SegmentColumns> {
        let fast = segment.fast_fields();
        let (unit, units) = dictionary(fast, "unit")?;
        let (tags, tag_names) = dictionary(fast, "tags")?;
        Ok(SegmentColumns {
            id: fast.u64("id")?,
            side: fast.u64("side")?,
            kind: fast.u64("kind")?,
            enterprise: fast.u64("enterprise")?,
            node: fast.u64("node")?,
            region: fast.u64("region")?,
            quantity: fast.u64("quantity")?,
            price: fast.i64("price")?,
            valid_until: fast.i64("valid_until")?,
            status: fast.u64("status")?,
            unit,
            units,
            tags,
            tag_names,
        })
    }

    /// A listing from fast fields alone: everything but its title and description.
    fn entry(&self, d: tantivy::DocId) -> Entry {
        let u = |col: &tantivy::columnar::Column<u64>| col.first(d).unwrap_or(NONE_U64);
        let some = |v: u64| (v != NONE_U64).then_some(v);
        let price = self.price.first(d).unwrap_or(-1);
        let valid_until = self.valid_until.first(d).unwrap_or(NO_END);
        let name = |names: &[String], ord: u64| names.get(ord as usize).cloned();
        Entry {
            id: u(&self.id),
            side: ListingSide::ALL[u(&self.side) as usize % ListingSide::ALL.len()],
            kind: ListingKind::ALL[u(&self.kind) as usize % ListingKind::ALL.len()],
            enterprise: some(u(&self.enterprise)),
            node: some(u(&self.node)),
            region: some(u(&self.region)).and_then(|r| RegionCode::new(r as u32).ok()),
            title: String::new(),
            description: String::new(),
            quantity: some(u(&self.quantity)),
            unit: self
                .unit
                .first(d)
                .and_then(|o| name(&self.units, o))
                .unwrap_or_default(),
            price: (price >= 0).then(|| Money::from_fen(price)),
            valid_until: (valid_until != NO_END).then(|| Date::from_days_since_epoch(valid_until)),
            status: ListingStatus::ALL[u(&self.status) as usize % ListingStatus::ALL.len()],
            tags: self
                .tags
                .values_for_doc(d)
                .filter_map(|o| name(&self.tag_names, o))
                .collect(),
        }
    }

    /// Whether a document passes a ranking filter's status, validity and enterprise.
    fn passes(&self, doc: tantivy::DocId, filter: &Filter) -> bool {
        let status_ok = filter
            .status
            .is_none_or(|s| self.status.first(doc) == Some(status_code(s)));
        let valid_ok = filter
            .valid_on
            .is_none_or(|d| self.valid_until.first(doc).unwrap_or(NO_END) >= d.days_since_epoch());
        let enterprise = self.enterprise.first(doc).unwrap_or(NONE_U64);
        let enterprise_ok = filter.exclude_enterprise.is_none_or(|e| enterprise != e)
            && filter.enterprise.is_none_or(|e| enterprise == e);
        status_ok && valid_ok && enterprise_ok
    }
}

/// Changes to a [`ListingIndex`], visible at [`Batch::commit`].
pub struct Batch<'a> {
    index: &'a ListingIndex,
    writer: IndexWriter,
}

impl Batch<'_> {
    /// Adds a listing, replacing an earlier version with the same id.
    pub fn upsert(&mut self, entry: &Entry) -> Result<()> {
        self.remove(entry.id);
        self.writer.add_document(self.index.document(entry))?;
        Ok(())
    }

    /// Adds a listing known not to be in the index (bulk builds).
    pub fn add(&mut self, entry: &Entry) -> Result<()> {
        self.writer.add_document(self.index.document(entry))?;
        Ok(())
    }

    pub fn remove(&mut self, id: u64) {
        self.writer
            .delete_term(Term::from_field_u64(self.index.fields.id, id));
    }

    /// Removes every listing (a rebuild).
    pub fn clear(&mut self) -> Result<()> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes the changes durable and visible, recording `revision` as the commit payload.
    pub fn commit(mut self, revision: &str) -> Result<()> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(revision);
        prepared.commit()?;
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        Ok(())
    }
}
