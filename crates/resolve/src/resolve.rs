//! The resolver: each record of a list against the targets (the atlas's enterprises or
//! another list), with three outcomes by two thresholds on the match probability:
//!
//! - **match** — the best candidate is the record's enterprise with probability at least
//!   [`MATCH_AT`], counting that a record is at most one of the candidates: with odds
//!   `o_i = 2^score_i` for each, the best's is `o_best / (1 + Σ o_i)`, so two equally
//!   likely targets (duplicates, or a short name two firms share) are never a match;
//!   A candidate whose name agrees in nothing (the same credit code on another name:
//!   a renamed firm, or a wrong code) is never matched automatically;
//! - **review** — not a match, but some candidate's own probability reaches
//!   [`REVIEW_AT`];
//! - **new** — no candidate reaches [`REVIEW_AT`]: the record is an enterprise the
//!   targets do not hold.
//!
//! Every candidate carries its explanation: each field's level and the bits it counted.

use std::collections::HashMap;

use serde::Serialize;

use crate::block::Blocker;
use crate::eval::Draws;
use crate::model::{compare, probability, BitsTable, Field, Vector, Weights, FIELDS};
use crate::names::NameAgreement;
use crate::record::{Prepared, Record};

/// The match probability from which the best candidate is matched automatically.
pub const MATCH_AT: f64 = 0.99;
/// The match probability from which a candidate is worth a person's look.
pub const REVIEW_AT: f64 = 0.5;
/// Candidates compared per record.
pub const DEPTH: usize = 10;
/// Records whose candidate pairs train the model, at most.
pub const TRAINING_RECORDS: usize = 20_000;
/// Most rounds of expectation–maximisation (as Splink's default).
pub const EM_ITERATIONS: usize = 25;
/// Random pairs that estimate `u`.
pub const RANDOM_PAIRS: usize = 50_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Match,
    Review,
    New,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Match => "match",
            Decision::Review => "review",
            Decision::New => "new",
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Decision::Match => ("匹配", "match"),
            Decision::Review => ("待复核", "review"),
            Decision::New => ("新企业", "new"),
        }
    }
}

/// What one field counted for a candidate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Contribution {
    pub field: Field,
    pub level: u8,
    /// `log2(m / u)`, with the brand's term-frequency adjustment for the name.
    pub bits: f64,
}

impl Contribution {
    /// `名称：简称或包含（+7.2）` in Chinese, `name: a short name of it (+7.2)` in English.
    pub fn text(&self, english: bool) -> String {
        let (fz, fe) = self.field.label();
        let (lz, le) = self.field.levels()[self.level as usize];
        if english {
            format!("{fe}: {le} ({:+.1})", self.bits)
        } else {
            format!("{fz}：{lz}（{:+.1}）", self.bits)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// The target's index among the resolver's targets.
    pub target: usize,
    /// Bits: the prior plus every field's contribution.
    pub score: f64,
    pub probability: f64,
    pub contributions: Vec<Contribution>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolution {
    pub decision: Decision,
    /// The probability that the best candidate is the record's enterprise, given that
    /// it is at most one of the candidates.
    pub confidence: f64,
    /// The matched target (a match), or the best candidate to review.
    pub best: Option<usize>,
    /// Candidates by probability, best first.
    pub candidates: Vec<Candidate>,
}

/// The targets, prepared and indexed once.
pub struct Resolver {
    targets: Vec<Prepared>,
    blocker: Blocker,
    brands: HashMap<String, u32>,
}

/// Runs `f` over `items` on every core, keeping order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| f(c))).collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("resolver thread panicked"))
            .collect()
    })
}

/// Prepares records on every core.
pub fn prepare(records: &[Record]) -> Vec<Prepared> {
    parallel(records, |part| part.iter().map(Prepared::new).collect())
}

impl Resolver {
    pub fn new(targets: &[Record]) -> Resolver {
        let targets = prepare(targets);
        let blocker = Blocker::build(&targets);
        let mut brands: HashMap<String, u32> = HashMap::new();
        for t in &targets {
            if let Some(n) = t.names.first() {
                match brands.get_mut(&n.brand) {
                    Some(count) => *count += 1,
                    None => {
                        brands.insert(n.brand.clone(), 1);
                    }
                }
            }
        }
        Resolver {
            targets,
            blocker,
            brands,
        }
    }

    pub fn targets(&self) -> &[Prepared] {
        &self.targets
    }

    /// Learns the weights from `records` (a sample of at most [`TRAINING_RECORDS`]),
    /// without labels.
    pub fn learn(&self, records: &[Prepared], seed: u64) -> Weights {
        let mut draws = Draws::new(seed ^ 0x5EED);
        let sample: Vec<(&Prepared, Option<usize>)> = if records.len() <= TRAINING_RECORDS {
            records.iter().map(|r| (r, None)).collect()
        } else {
            (0..TRAINING_RECORDS)
                .map(|_| (&records[draws.below(records.len())], None))
                .collect()
        };
        self.learn_from(&sample, &mut draws)
    }

    /// Learns the weights for finding duplicates among the targets themselves: each
    /// target is compared with the others, never with itself.
    pub fn learn_duplicates(&self, seed: u64) -> Weights {
        let mut draws = Draws::new(seed ^ 0xD0B1);
        let n = self.targets.len();
        let sample: Vec<(&Prepared, Option<usize>)> = if n <= TRAINING_RECORDS {
            self.targets
                .iter()
                .enumerate()
                .map(|(i, t)| (t, Some(i)))
                .collect()
        } else {
            (0..TRAINING_RECORDS)
                .map(|_| {
                    let i = draws.below(n);
                    (&self.targets[i], Some(i))
                })
                .collect()
        };
        self.learn_from(&sample, &mut draws)
    }

    /// EM over `sample`, each record with the target it is (left out of its pairs).
    fn learn_from(&self, sample: &[(&Prepared, Option<usize>)], draws: &mut Draws) -> Weights {
        let mut random = Vec::with_capacity(RANDOM_PAIRS);
        if !sample.is_empty() && !self.targets.is_empty() {
            for _ in 0..RANDOM_PAIRS {
                let (r, me) = sample[draws.below(sample.len())];
                let at = draws.below(self.targets.len());
                if Some(at) != me {
                    random.push(compare(r, &self.targets[at]));
                }
            }
        }
        let candidates = parallel(sample, |part| {
            let mut scratch = self.blocker.scratch();
            part.iter()
                .map(|(r, _)| self.blocker.candidates(r, DEPTH, &mut scratch))
                .collect::<Vec<_>>()
        });
        let pairs: Vec<Vec<Vector>> = sample
            .iter()
            .zip(&candidates)
            .map(|((r, me), cs)| {
                cs.iter()
                    .filter(|t| Some(**t as usize) != *me)
                    .map(|t| compare(r, &self.targets[*t as usize]))
                    .collect()
            })
            .collect();
        Weights::estimate(&random, &pairs, EM_ITERATIONS)
    }

    /// The term-frequency adjustment of a name agreeing on a brand: `−log2 k` when `k`
    /// targets share the brand, since a record agreeing with one of them agrees as well
    /// with the other `k − 1`; nothing for a brand only one target has. (Splink adjusts
    /// by the value's frequency against the level's average `u`; here the name's `u` is
    /// learned among blocked pairs, not random ones, so only the share among targets is
    /// on a scale to use.)
    fn brand_bits(&self, level: u8, target: &Prepared) -> f64 {
        let Some(brand) = target.names.first().map(|n| &n.brand) else {
            return 0.0;
        };
        let exact = level == NameAgreement::Exact as u8 || level == NameAgreement::Brand as u8;
        if !exact || brand.chars().count() < 2 {
            return 0.0;
        }
        let count = self.brands.get(brand).copied().unwrap_or(1).max(1);
        -(count as f64).log2()
    }

    fn candidate(&self, table: &BitsTable, record: &Prepared, target: usize) -> Candidate {
        let t = &self.targets[target];
        let v = compare(record, t);
        let mut score = table.prior;
        let mut contributions = Vec::new();
        for (f, level) in FIELDS.iter().zip(v) {
            let Some(level) = level else { continue };
            let mut bits = table.bits[f.index()][level as usize];
            if *f == Field::Name {
                bits += self.brand_bits(level, t);
            }
            score += bits;
            contributions.push(Contribution {
                field: *f,
                level,
                bits,
            });
        }
        Candidate {
            target,
            score,
            probability: probability(score),
            contributions,
        }
    }

    /// Resolves one prepared record, with the weights as bits ([`Weights::table`]).
    pub fn resolve_one(
        &self,
        table: &BitsTable,
        record: &Prepared,
        scratch: &mut crate::block::Scratch,
    ) -> Resolution {
        self.resolve_except(table, record, None, scratch)
    }

    /// Resolves one record, leaving the target `except` out of its candidates.
    fn resolve_except(
        &self,
        table: &BitsTable,
        record: &Prepared,
        except: Option<usize>,
        scratch: &mut crate::block::Scratch,
    ) -> Resolution {
        let mut candidates: Vec<Candidate> = self
            .blocker
            .candidates(record, DEPTH, scratch)
            .into_iter()
            .filter(|t| Some(*t as usize) != except)
            .map(|t| self.candidate(table, record, t as usize))
            .collect();
        // Stable: equal scores keep the blocking order (more shared rare characters first).
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
        let best = candidates.first();
        let confidence = best.map_or(0.0, |b| {
            // Odds relative to the best's, so that no score overflows.
            let others: f64 = candidates[1..]
                .iter()
                .map(|c| (c.score - b.score).exp2())
                .sum();
            1.0 / (1.0 + others + (-b.score).clamp(-60.0, 60.0).exp2())
        });
        // A name that agrees in nothing is no automatic match, whatever else agrees: the
        // same credit code on another name is a renamed firm or a wrong code, for a person.
        let names_agree = |c: &Candidate| {
            c.contributions
                .iter()
                .find(|x| x.field == Field::Name)
                .is_none_or(|x| x.level > NameAgreement::Different as u8)
        };
        let decision = match best {
            Some(b) if confidence >= MATCH_AT && names_agree(b) => Decision::Match,
            Some(b) if b.probability >= REVIEW_AT => Decision::Review,
            _ => Decision::New,
        };
        Resolution {
            decision,
            confidence,
            best: (decision != Decision::New)
                .then(|| best.map(|b| b.target))
                .flatten(),
            candidates,
        }
    }

    /// Resolves every record, on every core, in order.
    pub fn resolve(&self, weights: &Weights, records: &[Prepared]) -> Vec<Resolution> {
        let table = weights.table();
        parallel(records, |part| {
            let mut scratch = self.blocker.scratch();
            part.iter()
                .map(|r| self.resolve_one(&table, r, &mut scratch))
                .collect()
        })
    }

    /// Pairs of targets that look like one enterprise: every target resolved against
    /// the others, on every core; each pair once (the lower index first) with its
    /// resolution from the side that found it surer, surest first.
    pub fn duplicates(&self, weights: &Weights) -> Vec<(usize, usize, Resolution)> {
        let table = weights.table();
        let indexed: Vec<usize> = (0..self.targets.len()).collect();
        let found: Vec<(usize, Resolution)> = parallel(&indexed, |part| {
            let mut scratch = self.blocker.scratch();
            part.iter()
                .filter_map(|&i| {
                    let r = self.resolve_except(&table, &self.targets[i], Some(i), &mut scratch);
                    (r.decision != Decision::New).then_some((i, r))
                })
                .collect()
        });
        let mut pairs: HashMap<(usize, usize), Resolution> = HashMap::new();
        for (i, r) in found {
            let Some(j) = r.best else { continue };
            let key = (i.min(j), i.max(j));
            match pairs.get(&key) {
                Some(have) if have.confidence >= r.confidence => {}
                _ => {
                    pairs.insert(key, r);
                }
            }
        }
        let mut out: Vec<(usize, usize, Resolution)> =
            pairs.into_iter().map(|((a, b), r)| (a, b, r)).collect();
        out.sort_by(|x, y| {
            y.2.confidence
                .total_cmp(&x.2.confidence)
                .then((x.0, x.1).cmp(&(y.0, y.1)))
        });
        out
    }
}
