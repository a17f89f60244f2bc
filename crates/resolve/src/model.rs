//! Comparison levels and the Fellegi–Sunter model.
//!
//! Two records are compared field by field; each field lands on a level ("the same
//! credit code", "a short name of it", "same city", …) or on none when either side lacks
//! the field. A level's weight is `log2(m / u)`: `m` is how often matching pairs land on
//! it, `u` how often non-matching pairs do. As in Splink, `u` is counted on random pairs
//! (nearly all of which are non-matches) and `m` with the prior share of matches `λ` is
//! estimated by expectation–maximisation over the blocked candidate pairs, without
//! labels (`u` re-estimated there too, see [`Weights::estimate`]). A pair's score is `log2(λ / (1 − λ))` plus its fields' weights, and its match
//! probability `2^s / (1 + 2^s)`. The name's agreement on the same brand is adjusted by
//! how common that brand is among the targets (term frequency): sharing a rare brand
//! counts more than sharing `华夏`.

use serde::Serialize;

use crate::names::{bigram_dice, compare as compare_names, word_jaccard, NameAgreement};
use crate::record::{Credit, Prepared};

/// The fields compared, in the order of a comparison vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    CreditCode,
    Name,
    English,
    Region,
    Address,
    Phone,
    LegalRepresentative,
    Industry,
}

pub const FIELDS: [Field; 8] = [
    Field::CreditCode,
    Field::Name,
    Field::English,
    Field::Region,
    Field::Address,
    Field::Phone,
    Field::LegalRepresentative,
    Field::Industry,
];

/// Most levels a field has.
pub const MAX_LEVELS: usize = 6;

impl Field {
    pub fn index(self) -> usize {
        FIELDS
            .iter()
            .position(|f| *f == self)
            .expect("every field is listed")
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Field::CreditCode => "credit_code",
            Field::Name => "name",
            Field::English => "english_name",
            Field::Region => "region",
            Field::Address => "address",
            Field::Phone => "phone",
            Field::LegalRepresentative => "legal_representative",
            Field::Industry => "industry",
        }
    }

    /// The field's name in Chinese and English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Field::CreditCode => ("统一社会信用代码", "credit code"),
            Field::Name => ("名称", "name"),
            Field::English => ("英文名称", "English name"),
            Field::Region => ("地区", "region"),
            Field::Address => ("地址", "address"),
            Field::Phone => ("电话", "phone"),
            Field::LegalRepresentative => ("法定代表人", "legal representative"),
            Field::Industry => ("行业", "industry"),
        }
    }

    /// The levels of the field, lowest first, in Chinese and English.
    pub fn levels(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Field::CreditCode => &[
                ("不同（均为有效代码）", "different (both valid)"),
                ("相同", "the same"),
            ],
            Field::Name => &[
                ("不同", "different"),
                ("略有相似", "weakly similar"),
                ("相似", "similar"),
                ("简称或包含", "a short name of it"),
                ("字号相同", "the same brand"),
                ("相同", "the same"),
            ],
            Field::English | Field::Address | Field::Industry => &[
                ("不同", "different"),
                ("相似", "similar"),
                ("相同", "the same"),
            ],
            Field::Region => &[
                ("不同省份", "different provinces"),
                ("同省", "the same province"),
                ("同市", "the same city"),
                ("同区县", "the same county"),
            ],
            Field::Phone | Field::LegalRepresentative => {
                &[("不同", "different"), ("相同", "the same")]
            }
        }
    }
}

/// Each field's level for a pair, `None` where either side lacks the field.
pub type Vector = [Option<u8>; FIELDS.len()];

/// Compares two prepared records.
pub fn compare(a: &Prepared, b: &Prepared) -> Vector {
    let mut v: Vector = [None; FIELDS.len()];
    v[Field::CreditCode.index()] = match (&a.credit, &b.credit) {
        (Some(Credit::Valid(x)), Some(Credit::Valid(y))) => Some(u8::from(x == y)),
        (Some(Credit::Invalid(x)), Some(Credit::Invalid(y))) if x == y => Some(1),
        _ => None,
    };
    v[Field::Name.index()] = name_level(a, b).map(|l| l as u8);
    v[Field::English.index()] = english_level(a, b);
    v[Field::Region.index()] = match (a.region, b.region) {
        (Some(x), Some(y)) => Some(if x.province() != y.province() {
            0
        } else if x == y && x.level() == chainatlas_model::RegionLevel::District {
            3
        } else if x.city().is_some() && x.city() == y.city() {
            2
        } else {
            1
        }),
        _ => None,
    };
    v[Field::Address.index()] = text_level(&a.address, &b.address, 0.85, 0.5);
    v[Field::Phone.index()] = match (&a.phone, &b.phone) {
        (Some(x), Some(y)) => Some(u8::from(x == y)),
        _ => None,
    };
    v[Field::LegalRepresentative.index()] = match (&a.legal, &b.legal) {
        (Some(x), Some(y)) => Some(u8::from(x == y)),
        _ => None,
    };
    v[Field::Industry.index()] = text_level(&a.industry, &b.industry, 0.99, 0.5);
    v
}

/// The best agreement of any name of one with any name of the other; none when a side
/// has only a Latin name (the English field compares those).
fn name_level(a: &Prepared, b: &Prepared) -> Option<NameAgreement> {
    fn han(p: &Prepared) -> Vec<&crate::names::NameParts> {
        p.names.iter().filter(|n| !n.latin).collect()
    }
    let (x, y) = (han(a), han(b));
    if x.is_empty() || y.is_empty() {
        return None;
    }
    x.iter()
        .flat_map(|n| y.iter().map(move |m| compare_names(n, m)))
        .max()
}

fn english_level(a: &Prepared, b: &Prepared) -> Option<u8> {
    match (&a.english, &b.english) {
        (Some(x), Some(y)) => Some(if x == y {
            2
        } else {
            let words = word_jaccard(&a.english_words, &b.english_words);
            u8::from(bigram_dice(x, y) >= 0.6 || words >= 0.5)
        }),
        // A record named in Latin letters against a Chinese one: the pinyin of the
        // Chinese name written in it (an English translation says nothing of pinyin).
        (Some(latin), None) if latin_named(a) => pinyin_level(latin, b),
        (None, Some(latin)) if latin_named(b) => pinyin_level(latin, a),
        _ => None,
    }
}

fn latin_named(p: &Prepared) -> bool {
    p.names.first().is_some_and(|n| n.latin)
}

fn pinyin_level(latin: &str, other: &Prepared) -> Option<u8> {
    let pinyin = other.pinyin()?;
    Some(
        if latin.contains(pinyin.as_str()) || pinyin.contains(latin) {
            1
        } else {
            0
        },
    )
}

fn text_level(a: &Option<String>, b: &Option<String>, same: f64, similar: f64) -> Option<u8> {
    let (x, y) = (a.as_deref()?, b.as_deref()?);
    let d = if x == y { 1.0 } else { bigram_dice(x, y) };
    Some(if d >= same {
        2
    } else if d >= similar {
        1
    } else {
        0
    })
}

/// The learned weights: the prior share of matches among candidate pairs and, per field
/// and level, `m` and `u`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Weights {
    pub prior: f64,
    pub m: [[f64; MAX_LEVELS]; FIELDS.len()],
    pub u: [[f64; MAX_LEVELS]; FIELDS.len()],
    /// Pairs counted for u and for m, and the EM iterations run.
    pub random_pairs: usize,
    pub candidate_pairs: usize,
    pub iterations: usize,
}

/// Expectation–maximisation stops when no probability moves by more than this.
pub const CONVERGED: f64 = 1e-4;

/// How many pseudo-pairs the random pairs' `u` counts for in expectation–maximisation.
pub const RANDOM_PRIOR: f64 = 100.0;

/// No level is certain either way: probabilities stay within these bounds.
const FLOOR: f64 = 1e-6;

impl Weights {
    /// `log2(m / u)` of a field's level.
    pub fn bits(&self, field: Field, level: u8) -> f64 {
        let (f, l) = (field.index(), level as usize);
        (self.m[f][l].max(FLOOR) / self.u[f][l].max(FLOOR)).log2()
    }

    /// The prior's weight, `log2(λ / (1 − λ))`.
    pub fn prior_bits(&self) -> f64 {
        let p = self.prior.clamp(FLOOR, 1.0 - FLOOR);
        (p / (1.0 - p)).log2()
    }

    /// Estimates the weights: `u` from `random` pairs first, then `m` and the prior from
    /// the candidates of each record (`groups`) by expectation–maximisation, `u` held
    /// fixed — except the name's lower levels. Candidate pairs are not random: blocking
    /// put them together because their names share characters, so their non-matches are
    /// similar, weakly similar or short names of each other far more often than random
    /// pairs are, and a `u` held at the random pairs' values would take every blocked
    /// pair for a match. Those levels' `u` is re-estimated, the random pairs' values
    /// counting as [`RANDOM_PRIOR`] pseudo-pairs. The same brand and the same name keep
    /// the random pairs' `u` (a brand shared by many targets is discounted per target
    /// instead, by its term frequency), and anchor with the other fields which class is
    /// the matches. Each record is at most one of its candidates: the expectation step
    /// shares the record's odds among them, beside the odds that it is none.
    pub fn estimate(random: &[Vector], groups: &[Vec<Vector>], max_iterations: usize) -> Weights {
        let pairs: usize = groups.iter().map(Vec::len).sum();
        let mut u = [[0.0; MAX_LEVELS]; FIELDS.len()];
        for (f, field) in FIELDS.iter().enumerate() {
            let levels = field.levels().len();
            let mut counts = vec![0.5; levels]; // a half-count each: no level is impossible
            for v in random {
                if let Some(l) = v[f] {
                    counts[l as usize] += 1.0;
                }
            }
            let total: f64 = counts.iter().sum();
            for (l, c) in counts.iter().enumerate() {
                u[f][l] = c / total;
            }
        }
        // Start: matches mostly agree on the top levels.
        let mut m = [[0.0; MAX_LEVELS]; FIELDS.len()];
        for (f, field) in FIELDS.iter().enumerate() {
            let levels = field.levels().len();
            let total: f64 = (0..levels).map(|l| ((l + 1) * (l + 1)) as f64).sum();
            for (l, x) in m[f][..levels].iter_mut().enumerate() {
                *x = ((l + 1) * (l + 1)) as f64 / total;
            }
        }
        let random_u = u;
        let mut w = Weights {
            prior: 0.1,
            m,
            u,
            random_pairs: random.len(),
            candidate_pairs: pairs,
            iterations: 0,
        };
        for iteration in 1..=max_iterations {
            let mut m_counts = [[0.0; MAX_LEVELS]; FIELDS.len()];
            let mut u_counts = [[0.0; MAX_LEVELS]; FIELDS.len()];
            let mut total_p = 0.0;
            let table = w.table();
            for group in groups {
                // A record is at most one of its candidates: each candidate's share of
                // the odds, beside the odds that it is none of them.
                let scores: Vec<f64> = group.iter().map(|v| table.score(v)).collect();
                let top = scores.iter().copied().fold(0.0f64, f64::max);
                let odds: Vec<f64> = scores.iter().map(|s| (s - top).exp2()).collect();
                let total = (-top).exp2() + odds.iter().sum::<f64>();
                for (v, o) in group.iter().zip(&odds) {
                    let p = o / total;
                    total_p += p;
                    for (f, level) in v.iter().enumerate() {
                        if let Some(l) = level {
                            m_counts[f][*l as usize] += p;
                            u_counts[f][*l as usize] += 1.0 - p;
                        }
                    }
                }
            }
            let mut change: f64 = 0.0;
            for (f, field) in FIELDS.iter().enumerate() {
                let levels = field.levels().len();
                let m_sum: f64 = m_counts[f][..levels].iter().sum::<f64>() + 0.01 * levels as f64;
                for l in 0..levels {
                    let m = (m_counts[f][l] + 0.01) / m_sum;
                    change = change.max((m - w.m[f][l]).abs());
                    w.m[f][l] = m;
                    if *field == Field::Name && l < NameAgreement::Brand as usize {
                        // The free levels share what the fixed top levels leave.
                        let fixed: f64 = random_u[f][NameAgreement::Brand as usize..levels]
                            .iter()
                            .sum();
                        let free_sum: f64 = u_counts[f][..NameAgreement::Brand as usize]
                            .iter()
                            .sum::<f64>()
                            + RANDOM_PRIOR
                                * random_u[f][..NameAgreement::Brand as usize]
                                    .iter()
                                    .sum::<f64>();
                        let u = (1.0 - fixed) * (u_counts[f][l] + RANDOM_PRIOR * random_u[f][l])
                            / free_sum;
                        change = change.max((u - w.u[f][l]).abs());
                        w.u[f][l] = u;
                    }
                }
            }
            w.monotone();
            let prior = if pairs == 0 {
                w.prior
            } else {
                (total_p / pairs as f64).clamp(1e-4, 0.9999)
            };
            change = change.max((prior - w.prior).abs());
            w.prior = prior;
            w.iterations = iteration;
            if change < CONVERGED {
                break;
            }
        }
        w
    }

    /// Keeps the name's weights ordered as its levels are (agreeing more never counts
    /// less), and every field's lowest level from counting for a match: a wrong but
    /// valid credit code in a list otherwise teaches the model that different names mean
    /// a match. (Other fields are not ordered: a level no pair reached, such as the same
    /// county when a list names only cities, would flatten the levels below it.)
    fn monotone(&mut self) {
        for (f, field) in FIELDS.iter().enumerate() {
            let levels = field.levels().len();
            let (m, u) = (&mut self.m[f], &self.u[f]);
            if *field != Field::Name {
                m[0] = m[0].min(u[0]);
                continue;
            }
            for l in (0..levels - 1).rev() {
                let ceiling = u[l] * m[l + 1] / u[l + 1];
                if m[l] > ceiling {
                    m[l] = ceiling;
                }
            }
            let sum: f64 = m[..levels].iter().sum();
            for x in m[..levels].iter_mut() {
                *x /= sum;
            }
            m[0] = m[0].min(u[0]);
        }
    }

    /// Every level's bits, computed once.
    pub fn table(&self) -> BitsTable {
        let mut bits = [[0.0; MAX_LEVELS]; FIELDS.len()];
        for (f, field) in FIELDS.iter().enumerate() {
            for (l, b) in bits[f][..field.levels().len()].iter_mut().enumerate() {
                *b = self.bits(*field, l as u8);
            }
        }
        BitsTable {
            prior: self.prior_bits(),
            bits,
        }
    }
}

/// The match probability of a score in bits: `2^s / (1 + 2^s)`.
pub fn probability(score: f64) -> f64 {
    let odds = score.clamp(-60.0, 60.0).exp2();
    odds / (1.0 + odds)
}

/// The weights as bits, ready to add up: computed once per run, not per pair.
pub struct BitsTable {
    pub prior: f64,
    pub bits: [[f64; MAX_LEVELS]; FIELDS.len()],
}

impl BitsTable {
    /// A pair's score in bits, before any term-frequency adjustment.
    pub fn score(&self, v: &Vector) -> f64 {
        self.prior
            + v.iter()
                .enumerate()
                .filter_map(|(f, l)| l.map(|l| self.bits[f][l as usize]))
                .sum::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Matches agree on name and code; non-matches rarely do. EM finds that without
    /// being told which pairs are which.
    #[test]
    fn expectation_maximisation_learns_that_agreement_means_a_match() {
        let vector = |code: u8, name: u8| {
            let mut v: Vector = [None; FIELDS.len()];
            v[Field::CreditCode.index()] = Some(code);
            v[Field::Name.index()] = Some(name);
            v
        };
        let mut random = Vec::new();
        for i in 0..10_000 {
            random.push(vector(0, (i % 3 == 0) as u8));
        }
        let mut candidates = Vec::new();
        for i in 0..1_000 {
            let mut group = vec![vector(1, 5 - (i % 2) as u8)]; // the match
            for _ in 0..4 {
                group.push(vector(0, 1 + (i % 3) as u8)); // blocked non-matches
            }
            candidates.push(group);
        }
        let w = Weights::estimate(&random, &candidates, 100);
        assert!((w.prior - 0.2).abs() < 0.02, "prior {}", w.prior);
        assert!(w.bits(Field::CreditCode, 1) > 10.0);
        assert!(w.bits(Field::Name, 5) > 5.0);
        assert!(w.bits(Field::CreditCode, 0) < -3.0);
        let table = w.table();
        let matched = probability(table.score(&vector(1, 5)));
        let other = probability(table.score(&vector(0, 2)));
        assert!(matched > 0.999 && other < 0.01, "{matched} {other}");
    }
}
