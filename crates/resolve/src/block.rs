//! Blocking: the few targets worth comparing with a record, found through an inverted
//! index of the characters and character bigrams of the targets' names (short names
//! share characters, not words, with the full name), and of their credit codes.
//!
//! A record's keys are looked up rarest first, each adding its inverse document
//! frequency to the targets that have it; common keys are read only while the budget
//! of postings lasts, so a name full of 科技 and 装备 costs no more than a rare one.

use rustc_hash::FxHashMap as HashMap;

use crate::record::{Credit, Prepared};

/// Postings read at most per record.
pub const POSTINGS_BUDGET: usize = 5_000;
/// Targets re-scored with the keys the budget left unread: the best so far by the keys
/// read (and nearness). Without it, a record whose rarest keys are a common brand
/// (通达, 1,997 firms of a province) cannot tell 珠海通达智能装备 from 珠海通达光电: the
/// bigrams that would (达智, 智能, 装备) are too common to read whole.
pub const RESCORED: usize = 16;

/// The index of the targets.
pub struct Blocker {
    postings: HashMap<u64, Vec<u32>>,
    codes: HashMap<String, Vec<u32>>,
    /// Each target's keys, sorted, one after another (`starts[i]..starts[i + 1]`).
    forward: Vec<u64>,
    starts: Vec<u32>,
    /// Each target's slot with no score yet: what every [`Scratch`] starts from.
    slots: Vec<Slot>,
}

/// How much nearer targets gain in the blocking score: enough to order namesakes (a
/// roster's 西安德力轨道装备 before the 343 德力轨道装备 of other cities), too little
/// to outweigh one more shared key (each worth at least `ln 2`).
const SAME_PROVINCE: f32 = 1.05;
const SAME_PREFECTURE: f32 = 1.10;

fn nearness(record: u32, target: u32) -> f32 {
    if record == 0 || target == 0 {
        1.0
    } else if record / 100 == target / 100 && !record.is_multiple_of(10_000) {
        SAME_PREFECTURE
    } else if record / 10_000 == target / 10_000 {
        SAME_PROVINCE
    } else {
        1.0
    }
}

/// A trigram counts half: it finds where a brand meets its industry, but a typo or an
/// abbreviation breaks it where characters and bigrams still agree.
fn weight(key: u64) -> f32 {
    if key >> 60 == 4 {
        0.5
    } else {
        1.0
    }
}

fn region_of(p: &Prepared) -> u32 {
    p.region.map_or(0, |r| r.value())
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

/// Per-thread working memory of [`Blocker::candidates`]: a slot per target holding its
/// running score beside its length (its number of distinct keys: a long name shares more
/// by chance) and region (0 when unknown; among targets that share as much of the name,
/// those nearer the record come first), so that a posting costs one memory access.
pub struct Scratch {
    slots: Vec<Slot>,
    touched: Vec<u32>,
}

#[derive(Clone, Copy)]
struct Slot {
    score: f32,
    region: u32,
    length: u16,
}

impl Slot {
    /// The score as ranked: divided by the name's length, times the nearness.
    fn rank(&self, raw: f32, here: u32) -> f32 {
        raw / (1.0 + 0.02 * self.length as f32) * nearness(here, self.region)
    }
}

/// A record's keys: the characters, bigrams and trigrams of its names' cores, the place left out
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
        // Trigrams: rarer than any bigram where a brand meets its industry (国邦新 where
        // 邦新 names 7,000 firms of a province), read first.
        for w in chars.windows(3) {
            keys.push(4 << 60 | (w[0] as u64) << 40 | (w[1] as u64) << 20 | w[2] as u64);
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
        let mut postings: HashMap<u64, Vec<u32>> = HashMap::default();
        let mut codes: HashMap<String, Vec<u32>> = HashMap::default();
        let mut slots = Vec::with_capacity(targets.len());
        let mut forward = Vec::new();
        let mut starts = Vec::with_capacity(targets.len() + 1);
        for (i, t) in targets.iter().enumerate() {
            let k = keys(t);
            slots.push(Slot {
                score: 0.0,
                region: region_of(t),
                length: k.len().min(u16::MAX as usize) as u16,
            });
            starts.push(forward.len() as u32);
            forward.extend_from_slice(&k);
            for key in k {
                postings.entry(key).or_default().push(i as u32);
            }
            if let Some(c) = code(t) {
                codes.entry(c.to_string()).or_default().push(i as u32);
            }
        }
        starts.push(forward.len() as u32);
        Blocker {
            postings,
            codes,
            forward,
            starts,
            slots,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn scratch(&self) -> Scratch {
        Scratch {
            slots: self.slots.clone(),
            touched: Vec::new(),
        }
    }

    /// The `k` targets that share the most (weighted by rarity) with `record`, best
    /// first, and every target with the same credit code.
    pub fn candidates(&self, record: &Prepared, k: usize, scratch: &mut Scratch) -> Vec<u32> {
        let n = self.slots.len() as f32;
        let here = region_of(record);
        let mut lists: Vec<(u64, &Vec<u32>)> = keys(record)
            .into_iter()
            .filter_map(|key| Some((key, self.postings.get(&key)?)))
            .collect();
        lists.sort_by_key(|(_, l)| l.len());
        let idf = |list: &Vec<u32>| (1.0 + n / list.len() as f32).ln();
        let mut read = 0;
        let mut unread = lists.len();
        for (i, (key, list)) in lists.iter().enumerate() {
            if i >= 1 && read + list.len() > POSTINGS_BUDGET {
                unread = i;
                break;
            }
            // Even the rarest key may be too common to read whole (a brand no target
            // has, a name of common words only): every target it names shares as little
            // with the record, so the budget's worth of them are as good as all (at
            // province scale 8 % of records read half of all postings before this).
            let postings = &list[..list.len().min(POSTINGS_BUDGET)];
            read += postings.len();
            let idf = idf(list) * weight(*key);
            for &t in postings {
                let s = &mut scratch.slots[t as usize].score;
                if *s == 0.0 {
                    scratch.touched.push(t);
                }
                *s += idf;
            }
        }
        // The best by the keys read, in a small heap (no allocation per touched target),
        // then re-scored with the keys left unread, then the best k.
        let keep = if unread < lists.len() {
            RESCORED.max(k)
        } else {
            k
        };
        let mut best: std::collections::BinaryHeap<Ranked> =
            std::collections::BinaryHeap::with_capacity(keep + 1);
        let rescoring = unread < lists.len();
        for &t in &scratch.touched {
            let slot = &mut scratch.slots[t as usize];
            let raw = slot.score;
            slot.score = 0.0;
            // The pool to re-score is chosen without the length's discount: a long name
            // shares more of the unread keys, and would be discounted before counting them.
            let score = if rescoring {
                raw * nearness(here, slot.region)
            } else {
                slot.rank(raw, here)
            };
            let ranked = Ranked(score, t);
            if best.len() < keep {
                best.push(ranked);
            } else if best.peek().is_some_and(|worst| ranked < *worst) {
                best.pop();
                best.push(ranked);
            }
        }
        scratch.touched.clear();
        let mut ranked = best.into_sorted_vec();
        // The best k by the keys read stay; the re-scored add those the unread keys
        // lift into their best k.
        let mut first: Vec<u32> = Vec::new();
        if rescoring {
            // The best k by the keys read, as ranked when nothing is left unread.
            let mut read_only: Vec<Ranked> = ranked
                .iter()
                .map(|&Ranked(score, t)| {
                    let slot = &scratch.slots[t as usize];
                    Ranked(slot.rank(score / nearness(here, slot.region), here), t)
                })
                .collect();
            read_only.sort();
            first.extend(read_only.iter().take(k).map(|r| r.1));
            // The unread keys in key order, to merge with each target's sorted keys: one
            // pass over each target's keys, not a search per key.
            let mut rest: Vec<(u64, f32)> = lists[unread..]
                .iter()
                .map(|(key, list)| (*key, idf(list) * weight(*key)))
                .collect();
            rest.sort_unstable_by_key(|r| r.0);
            for Ranked(score, t) in ranked.iter_mut() {
                let at = *t as usize;
                let own = &self.forward[self.starts[at] as usize..self.starts[at + 1] as usize];
                let (mut i, mut j, mut extra) = (0, 0, 0.0f32);
                while i < own.len() && j < rest.len() {
                    match own[i].cmp(&rest[j].0) {
                        std::cmp::Ordering::Less => i += 1,
                        std::cmp::Ordering::Greater => j += 1,
                        std::cmp::Ordering::Equal => {
                            extra += rest[j].1;
                            i += 1;
                            j += 1;
                        }
                    }
                }
                let slot = &scratch.slots[at];
                let raw = *score / nearness(here, slot.region) + extra;
                *score = slot.rank(raw, here);
            }
            ranked.sort();
        }
        ranked.truncate(k);
        let mut out = first;
        for Ranked(_, t) in ranked {
            if !out.contains(&t) {
                out.push(t);
            }
        }
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

    fn prepared(name: &str, region: &str) -> Prepared {
        Prepared::new(&Record {
            name: name.into(),
            region: Some(region.into()),
            ..Record::default()
        })
    }

    #[test]
    fn among_namesakes_the_one_in_the_records_city_is_a_candidate() {
        let mut targets: Vec<Prepared> = (0..20)
            .map(|_| prepared("东莞德力轨道装备有限公司", "441900"))
            .collect();
        targets.push(prepared("西安德力轨道装备有限公司", "610100"));
        let blocker = Blocker::build(&targets);
        let found = blocker.candidates(
            &prepared("西安德力轨道装备", "610100"),
            10,
            &mut blocker.scratch(),
        );
        assert_eq!(found[0], 20, "{found:?}");
    }

    #[test]
    fn a_record_whose_rarest_key_is_too_common_to_read_still_has_candidates() {
        // No target has 华龘 nor 龘: every one of the 6,000 that share 华 shares as
        // little, and the budget's worth of them is read, not all.
        let targets: Vec<Prepared> = (0..6_000)
            .map(|i| {
                prepared(
                    &format!("华{}电子有限公司", char::from_u32(0x4e00 + i).unwrap()),
                    "",
                )
            })
            .collect();
        let blocker = Blocker::build(&targets);
        let found = blocker.candidates(&prepared("华龘", ""), 10, &mut blocker.scratch());
        assert_eq!(found.len(), 10, "{found:?}");
    }

    #[test]
    fn keys_too_common_to_read_whole_still_order_the_best_candidates() {
        // 200 shorter namesakes of the brand in the same city, and 5,000 firms elsewhere
        // that share the rest of the name: by 通达 alone the shorter names rank first;
        // the trigrams where brand meets industry, and the keys too common to read
        // (达智, 智能, 装备…) counted for the best so far, lift the right one.
        let mut targets: Vec<Prepared> = (0..200)
            .map(|_| prepared("珠海通达光电有限公司", "440400"))
            .collect();
        for _ in 0..5_000 {
            targets.push(prepared("广州腾达智能装备有限公司", "440100"));
        }
        targets.push(prepared("珠海通达智能装备有限公司", "440400"));
        let blocker = Blocker::build(&targets);
        let found = blocker.candidates(
            &prepared("珠海通达智能装备有限公司", "440400"),
            10,
            &mut blocker.scratch(),
        );
        assert!(found.contains(&5_200), "{found:?}");
        assert!(found.len() <= 20);
    }
}
