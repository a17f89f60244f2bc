//! Blocking: the few targets worth comparing with a record, found through an inverted
//! index of the characters and character bigrams of the targets' names (short names
//! share characters, not words, with the full name), and of their credit codes.
//!
//! A record's keys are looked up rarest first, each adding its inverse document
//! frequency to the targets that have it; common keys are read only while the budget
//! of postings lasts, so a name full of 科技 and 装备 costs no more than a rare one.

use std::collections::HashMap;

use crate::record::{Credit, Prepared};

/// Postings read at most per record, after its rarest key.
pub const POSTINGS_BUDGET: usize = 5_000;

/// The index of the targets.
pub struct Blocker {
    postings: HashMap<u64, Vec<u32>>,
    codes: HashMap<String, Vec<u32>>,
    /// Each target's number of distinct keys: a long name shares more by chance.
    lengths: Vec<u16>,
}

/// A target and its blocking score, ordered best first (a higher score, then a lower
/// index), so that a max-heap of them keeps the worst on top.
#[derive(Clone, Copy, PartialEq)]
struct Ranked(f32, u32);

impl Eq for Ranked {}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.total_cmp(&self.0).then(self.1.cmp(&other.1))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Per-thread working memory of [`Blocker::candidates`].
pub struct Scratch {
    scores: Vec<f32>,
    touched: Vec<u32>,
}

/// A record's keys: the characters and bigrams of its names' cores, the place left out
/// so that region stays evidence of its own (blocking on `株洲` would make every
/// candidate pair share a city).
fn keys(p: &Prepared) -> Vec<u64> {
    let mut keys = Vec::new();
    for n in &p.names {
        if n.latin {
            // A Latin name by its words: characters of a Latin alphabet say little.
            for w in &n.words {
                keys.push(3 << 60 | word_hash(w));
            }
            continue;
        }
        let chars: Vec<char> = n.core.chars().collect();
        for c in &chars {
            keys.push(1 << 60 | *c as u64);
        }
        for w in chars.windows(2) {
            keys.push(2 << 60 | (w[0] as u64) << 21 | w[1] as u64);
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// 60 bits of FNV-1a of a word.
fn word_hash(w: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in w.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h & ((1 << 60) - 1)
}

fn code(p: &Prepared) -> Option<&str> {
    match p.credit.as_ref()? {
        Credit::Valid(c) | Credit::Invalid(c) => Some(c),
    }
}

impl Blocker {
    pub fn build(targets: &[Prepared]) -> Blocker {
        let mut postings: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut codes: HashMap<String, Vec<u32>> = HashMap::new();
        let mut lengths = Vec::with_capacity(targets.len());
        for (i, t) in targets.iter().enumerate() {
            let k = keys(t);
            lengths.push(k.len().min(u16::MAX as usize) as u16);
            for key in k {
                postings.entry(key).or_default().push(i as u32);
            }
            if let Some(c) = code(t) {
                codes.entry(c.to_string()).or_default().push(i as u32);
            }
        }
        Blocker {
            postings,
            codes,
            lengths,
        }
    }

    pub fn len(&self) -> usize {
        self.lengths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    pub fn scratch(&self) -> Scratch {
        Scratch {
            scores: vec![0.0; self.lengths.len()],
            touched: Vec::new(),
        }
    }

    /// The `k` targets that share the most (weighted by rarity) with `record`, best
    /// first, and every target with the same credit code.
    pub fn candidates(&self, record: &Prepared, k: usize, scratch: &mut Scratch) -> Vec<u32> {
        let n = self.lengths.len() as f32;
        let mut lists: Vec<&Vec<u32>> = keys(record)
            .iter()
            .filter_map(|key| self.postings.get(key))
            .collect();
        lists.sort_by_key(|l| l.len());
        let mut read = 0;
        for (i, list) in lists.iter().enumerate() {
            if i >= 1 && read + list.len() > POSTINGS_BUDGET {
                break;
            }
            read += list.len();
            let idf = (1.0 + n / list.len() as f32).ln();
            for &t in list.iter() {
                let s = &mut scratch.scores[t as usize];
                if *s == 0.0 {
                    scratch.touched.push(t);
                }
                *s += idf;
            }
        }
        // The best k by score, in a small heap: no allocation per touched target.
        let mut best: std::collections::BinaryHeap<Ranked> =
            std::collections::BinaryHeap::with_capacity(k + 1);
        for &t in &scratch.touched {
            let length = self.lengths[t as usize] as f32;
            let score = scratch.scores[t as usize] / (1.0 + 0.02 * length);
            scratch.scores[t as usize] = 0.0;
            if best.len() < k {
                best.push(Ranked(score, t));
            } else if best.peek().is_some_and(|worst| Ranked(score, t) < *worst) {
                best.pop();
                best.push(Ranked(score, t));
            }
        }
        scratch.touched.clear();
        let ranked = best.into_sorted_vec();
        let mut out: Vec<u32> = ranked.into_iter().map(|Ranked(_, t)| t).collect();
        if let Some(same) = code(record).and_then(|c| self.codes.get(c)) {
            for t in same {
                if !out.contains(t) {
                    out.push(*t);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    #[test]
    fn a_short_name_finds_its_full_name_among_others() {
        let names = [
            "马鞍山钢铁股份有限公司",
            "鞍钢股份有限公司",
            "杭州士兰微电子股份有限公司",
            "士兰集团有限公司",
            "宝山钢铁股份有限公司",
            "株洲天邦轨道装备有限公司",
        ];
        let targets: Vec<Prepared> = names
            .iter()
            .map(|n| {
                Prepared::new(&Record {
                    name: n.to_string(),
                    ..Record::default()
                })
            })
            .collect();
        let blocker = Blocker::build(&targets);
        let mut scratch = blocker.scratch();
        let find = |q: &str, scratch: &mut Scratch| {
            let p = Prepared::new(&Record {
                name: q.into(),
                ..Record::default()
            });
            blocker.candidates(&p, 3, scratch)
        };
        assert!(find("马钢股份", &mut scratch).contains(&0));
        assert_eq!(find("士兰微", &mut scratch)[0], 2);
        assert_eq!(find("天邦轨道", &mut scratch)[0], 5);
        assert!(find("无关名称", &mut scratch).len() <= 3);
    }
}
