//! Measuring ranking quality: recall@k and mean reciprocal rank over queries with known
//! partners, and a reader for the entity-matching pair files used as an outside check
//! (`LEFT \t RIGHT \t LABEL`, records written `COL name VAL … COL description VAL …`).

use std::collections::HashMap;

use chainatlas_model::{Date, ListingKind, ListingSide, ListingStatus};

use crate::index::{Analysis, Entry, ListingIndex, Result, TextWeights};
use crate::rank::{rank, Config, NoAtlas};

/// Quality of a ranking over a set of queries.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    pub queries: usize,
    pub recall_at_1: f64,
    pub recall_at_10: f64,
    /// Mean reciprocal rank of the first true partner within the top [`DEPTH`] (0 beyond).
    pub mrr: f64,
}

/// How deep rankings are read for MRR.
pub const DEPTH: usize = 100;

impl Metrics {
    /// From the 1-based rank of each query's first true partner (`None`: not ranked).
    pub fn from_ranks(ranks: &[Option<usize>]) -> Metrics {
        let n = ranks.len();
        if n == 0 {
            return Metrics::default();
        }
        let within =
            |k: usize| ranks.iter().filter(|r| r.is_some_and(|r| r <= k)).count() as f64 / n as f64;
        let mrr = ranks
            .iter()
            .map(|r| r.map_or(0.0, |r| 1.0 / r as f64))
            .sum::<f64>()
            / n as f64;
        Metrics {
            queries: n,
            recall_at_1: within(1),
            recall_at_10: within(10),
            mrr,
        }
    }
}

/// A product record of a pair file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Record {
    pub name: String,
    pub description: String,
}

/// Queries, candidates and which candidates are each query's partners.
#[derive(Clone, Debug, Default)]
pub struct PairSet {
    pub queries: Vec<Record>,
    pub candidates: Vec<Record>,
    /// For each query, the indexes of its partners among the candidates.
    pub partners: Vec<Vec<usize>>,
}

/// An error in a pair file, with its line.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PairFileError {
    pub line: usize,
    pub message: String,
}

fn parse_record(text: &str, line: usize) -> std::result::Result<Record, PairFileError> {
    let mut fields: HashMap<&str, String> = HashMap::new();
    for chunk in text.split("COL ").map(str::trim).filter(|c| !c.is_empty()) {
        let (name, value) = chunk.split_once(" VAL").ok_or_else(|| PairFileError {
            line,
            message: format!("expected `COL name VAL value`, found `{chunk:.60}`"),
        })?;
        fields.insert(name.trim(), value.trim().to_string());
    }
    let name = fields.remove("name").ok_or_else(|| PairFileError {
        line,
        message: "a record has no `name` column".into(),
    })?;
    Ok(Record {
        name,
        description: fields.remove("description").unwrap_or_default(),
    })
}

/// Reads a pair file: every left record with a positive pair is a query, every right
/// record is a candidate (each distinct record once).
pub fn read_pairs(content: &str) -> std::result::Result<PairSet, PairFileError> {
    let mut set = PairSet::default();
    let mut query_ix: HashMap<Record, usize> = HashMap::new();
    let mut candidate_ix: HashMap<Record, usize> = HashMap::new();
    for (i, line) in content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let n = i + 1;
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 3 {
            return Err(PairFileError {
                line: n,
                message: format!(
                    "expected 3 tab-separated columns (left, right, label), found {}",
                    cols.len()
                ),
            });
        }
        let left = parse_record(cols[0], n)?;
        let right = parse_record(cols[1], n)?;
        let label = cols[2].trim();
        let positive = match label {
            "1" => true,
            "0" => false,
            _ => {
                return Err(PairFileError {
                    line: n,
                    message: format!("the label must be 0 or 1, found `{label}`"),
                })
            }
        };
        let r = *candidate_ix.entry(right.clone()).or_insert_with(|| {
            set.candidates.push(right);
            set.candidates.len() - 1
        });
        if positive {
            let q = *query_ix.entry(left.clone()).or_insert_with(|| {
                set.queries.push(left);
                set.partners.push(Vec::new());
                set.queries.len() - 1
            });
            if !set.partners[q].contains(&r) {
                set.partners[q].push(r);
            }
        }
    }
    Ok(set)
}

fn entry(id: usize, side: ListingSide, record: &Record) -> Entry {
    Entry {
        id: id as u64,
        side,
        kind: ListingKind::Product,
        enterprise: None,
        node: None,
        region: None,
        title: record.name.clone(),
        description: record.description.clone(),
        quantity: None,
        unit: String::new(),
        price: None,
        valid_until: None,
        status: ListingStatus::Open,
        tags: Vec::new(),
    }
}

/// Ranks every query's candidates with the full match score (text only, since records
/// have nothing else) and reports how high the partners come.
pub fn evaluate_pairs(set: &PairSet, analysis: Analysis, text: TextWeights) -> Result<Metrics> {
    let index = ListingIndex::in_memory(analysis, text.title_boost)?;
    let mut batch = index.batch()?;
    for (i, c) in set.candidates.iter().enumerate() {
        batch.add(&entry(i, ListingSide::Supply, c))?;
    }
    batch.commit("evaluation")?;
    let mut config = Config::new(Date::new(2000, 1, 1).expect("a valid date"));
    config.text = text;
    config.candidates = DEPTH;
    let mut ranks = Vec::with_capacity(set.queries.len());
    for (q, record) in set.queries.iter().enumerate() {
        let query = entry(usize::MAX, ListingSide::Demand, record);
        let ranked = rank(&index, &query, &NoAtlas, &config, DEPTH)?;
        let partners = &set.partners[q];
        ranks.push(
            ranked
                .iter()
                .position(|m| partners.contains(&(m.candidate.id as usize)))
                .map(|p| p + 1),
        );
    }
    Ok(Metrics::from_ranks(&ranks))
}
