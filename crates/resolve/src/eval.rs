//! Measuring the resolver: precision, recall and F1 of its match decisions and recall@1
//! of its candidates, on judged sets (each input's true target, or none); a judged set
//! of realistic variants generated from any list of enterprises; and plain BM25 over
//! words (jieba) and over characters as the baseline beside it.

use std::collections::HashMap;

use serde::Serialize;

use crate::names::NameParts;
use crate::record::Record;
use crate::resolve::{Decision, Resolution};

/// Inputs with their true targets (`None`: not among the targets).
#[derive(Clone, Debug, Default)]
pub struct Judged {
    pub targets: Vec<Record>,
    pub inputs: Vec<Record>,
    pub truth: Vec<Option<usize>>,
    /// What was done to each input, for the report by kind.
    pub kinds: Vec<&'static str>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    pub inputs: usize,
    /// Inputs whose enterprise is among the targets.
    pub present: usize,
    /// Of the automatic matches, the share that are right.
    pub precision: f64,
    /// Of the inputs present, the share matched automatically and rightly.
    pub recall: f64,
    pub f1: f64,
    /// Of the inputs present, the share whose best candidate is right.
    pub recall_at_1: f64,
    /// Shares of all inputs decided review and new.
    pub review: f64,
    pub new: f64,
    /// Of the inputs absent from the targets, the share decided new.
    pub absent_new: f64,
}

pub fn score(resolutions: &[Resolution], truth: &[Option<usize>]) -> Scores {
    let (mut tp, mut fp, mut present, mut first, mut review, mut new) = (0, 0, 0, 0, 0, 0);
    let (mut absent, mut absent_new) = (0, 0);
    for (r, t) in resolutions.iter().zip(truth) {
        match r.decision {
            Decision::Match if r.best == *t => tp += 1,
            Decision::Match => fp += 1,
            Decision::Review => review += 1,
            Decision::New => new += 1,
        }
        match t {
            Some(target) => {
                present += 1;
                if r.candidates.first().is_some_and(|c| c.target == *target) {
                    first += 1;
                }
            }
            None => {
                absent += 1;
                if r.decision == Decision::New {
                    absent_new += 1;
                }
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, present);
    Scores {
        inputs: resolutions.len(),
        present,
        precision,
        recall,
        f1: if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        },
        recall_at_1: ratio(first, present),
        review: ratio(review, resolutions.len()),
        new: ratio(new, resolutions.len()),
        absent_new: ratio(absent_new, absent),
    }
}

/// SplitMix64, seeded: the same seed gives the same judged set.
pub struct Draws(u64);

impl Draws {
    pub fn new(seed: u64) -> Draws {
        Draws(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn draw(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        ((self.draw() as u128 * n as u128) >> 64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.draw() >> 11) as f64 / (1u64 << 53) as f64 >= 1.0 - p
    }
}

/// Simplified characters and a traditional form of each, for variants written in
/// traditional characters.
const TO_TRADITIONAL: &[(char, char)] = &[
    ('国', '國'),
    ('东', '東'),
    ('电', '電'),
    ('机', '機'),
    ('业', '業'),
    ('广', '廣'),
    ('华', '華'),
    ('实', '實'),
    ('发', '發'),
    ('贸', '貿'),
    ('联', '聯'),
    ('兴', '興'),
    ('达', '達'),
    ('进', '進'),
    ('开', '開'),
    ('龙', '龍'),
    ('车', '車'),
    ('钢', '鋼'),
    ('铁', '鐵'),
    ('银', '銀'),
    ('药', '藥'),
    ('医', '醫'),
    ('产', '產'),
    ('矿', '礦'),
    ('阳', '陽'),
    ('万', '萬'),
    ('团', '團'),
    ('运', '運'),
    ('轮', '輪'),
    ('设', '設'),
    ('农', '農'),
    ('环', '環'),
    ('创', '創'),
    ('丰', '豐'),
    ('长', '長'),
    ('马', '馬'),
    ('装', '裝'),
    ('备', '備'),
    ('轨', '軌'),
    ('气', '氣'),
    ('导', '導'),
    ('质', '質'),
];

const FORMS: &[&str] = &["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"];

/// Variants of `records` as lists write them: a judged set where `held_out` of the
/// records are left out of the targets (their variants should come out new).
///
/// Each input takes one or two of: its short name (brand, place + brand, brand + the
/// start of its industry), a changed organisational form, a typo in the brand, a former
/// name (other industry words), traditional characters, full-width forms; its region
/// as a division code, a place name or not at all; its credit code right (45 %),
/// missing (30 %), mistyped (15 %) or another firm's (10 %).
pub fn variants(records: &[Record], inputs: usize, held_out: f64, seed: u64) -> Judged {
    let mut draws = Draws::new(seed);
    let mut keep = Vec::with_capacity(records.len());
    let mut index_of = vec![None; records.len()];
    for (i, r) in records.iter().enumerate() {
        if !draws.chance(held_out) {
            index_of[i] = Some(keep.len());
            keep.push(r.clone());
        }
    }
    let parsed: Vec<NameParts> = records.iter().map(|r| NameParts::parse(&r.name)).collect();
    let mut judged = Judged {
        targets: keep,
        ..Judged::default()
    };
    for n in 0..inputs.min(records.len() * 4) {
        let i = draws.below(records.len());
        let (r, p) = (&records[i], &parsed[i]);
        let mut name = r.name.clone();
        let mut kind = "unchanged";
        let changes = 1 + draws.below(2);
        for _ in 0..changes {
            let choice = draws.below(7);
            let place = p.places.first().cloned().unwrap_or_default();
            let industry_start: String = p.industry.chars().take(2).collect();
            (name, kind) = match choice {
                0 => (
                    match draws.below(3) {
                        0 => p.brand.clone(),
                        1 => format!("{place}{}", p.brand),
                        _ => format!("{}{industry_start}", p.brand),
                    },
                    "short name",
                ),
                1 => {
                    let form = FORMS[draws.below(FORMS.len())];
                    (format!("{place}{}{form}", p.core), "form")
                }
                2 => {
                    let other = &parsed[draws.below(parsed.len())];
                    let chars: Vec<char> = p.brand.chars().collect();
                    let with: Vec<char> = other.brand.chars().collect();
                    if chars.is_empty() || with.is_empty() {
                        (name, kind)
                    } else {
                        let mut typo = chars.clone();
                        typo[draws.below(chars.len())] = with[draws.below(with.len())];
                        let typo: String = typo.into_iter().collect();
                        (name.replacen(&p.brand, &typo, 1), "typo")
                    }
                }
                3 => {
                    let other = &parsed[draws.below(parsed.len())];
                    let form = p.form.clone().unwrap_or_else(|| "有限公司".into());
                    (
                        format!("{place}{}{}{form}", p.brand, other.industry),
                        "former name",
                    )
                }
                4 => (
                    name.chars()
                        .map(|c| {
                            TO_TRADITIONAL
                                .iter()
                                .find(|(s, _)| *s == c)
                                .map_or(c, |(_, t)| *t)
                        })
                        .collect(),
                    "traditional",
                ),
                5 => (
                    name.replace('(', "（")
                        .replace(')', "）")
                        .replace("有限公司", "有限公司 "),
                    "punctuation",
                ),
                _ => (name, kind),
            };
        }
        let credit_code = match draws.below(20) {
            0..=8 => r.credit_code.clone(),
            9..=14 => None,
            15..=17 => r.credit_code.as_ref().map(|c| mistype(c, &mut draws)),
            _ => records[draws.below(records.len())].credit_code.clone(),
        };
        let region = match draws.below(3) {
            0 => r.region.clone(),
            1 => r
                .region
                .as_deref()
                .and_then(|c| c.parse().ok())
                .and_then(chainatlas_model::divisions::get)
                .map(|d| d.name_zh.clone()),
            _ => None,
        };
        judged.inputs.push(Record {
            id: format!("v{n}"),
            name,
            credit_code,
            region,
            ..Record::default()
        });
        judged.truth.push(index_of[i]);
        judged.kinds.push(kind);
    }
    judged
}

/// One character of a credit code changed: almost always an invalid check character.
fn mistype(code: &str, draws: &mut Draws) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut bytes = code.as_bytes().to_vec();
    if bytes.is_empty() {
        return code.to_string();
    }
    let at = 2 + draws.below(bytes.len().saturating_sub(3).max(1));
    let at = at.min(bytes.len() - 1);
    bytes[at] = ALPHABET[draws.below(ALPHABET.len())];
    String::from_utf8(bytes).unwrap_or_else(|_| code.to_string())
}

/// How a baseline cuts names into terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terms {
    /// jieba's words (search mode).
    Words,
    /// Single characters.
    Characters,
}

fn terms(text: &str, how: Terms) -> Vec<String> {
    match how {
        Terms::Characters => text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .map(|c| c.to_string())
            .collect(),
        Terms::Words => {
            static JIEBA: std::sync::OnceLock<jieba_rs::Jieba> = std::sync::OnceLock::new();
            let jieba = JIEBA.get_or_init(jieba_rs::Jieba::new);
            jieba
                .cut_for_search(text, true)
                .into_iter()
                .filter(|t| t.word.chars().any(char::is_alphanumeric))
                .map(|t| t.word.to_string())
                .collect()
        }
    }
}

/// Recall@1 of plain BM25 (k1 1.2, b 0.75) ranking the targets' names for each input's
/// name, over the inputs present among the targets.
pub fn bm25_recall_at_1(judged: &Judged, how: Terms) -> f64 {
    let docs: Vec<Vec<String>> = judged.targets.iter().map(|t| terms(&t.name, how)).collect();
    let mut postings: HashMap<&str, Vec<(u32, u32)>> = HashMap::new();
    for (d, ts) in docs.iter().enumerate() {
        let mut counts: HashMap<&str, u32> = HashMap::new();
        for t in ts {
            *counts.entry(t.as_str()).or_default() += 1;
        }
        for (t, c) in counts {
            postings.entry(t).or_default().push((d as u32, c));
        }
    }
    let n = docs.len() as f64;
    let avg = docs.iter().map(Vec::len).sum::<usize>() as f64 / n.max(1.0);
    let (k1, b) = (1.2, 0.75);
    let mut right = 0;
    let mut present = 0;
    let mut scores = vec![0.0f64; docs.len()];
    for (input, truth) in judged.inputs.iter().zip(&judged.truth) {
        let Some(truth) = truth else { continue };
        present += 1;
        scores.iter_mut().for_each(|s| *s = 0.0);
        let mut q = terms(&input.name, how);
        q.sort();
        q.dedup();
        for t in &q {
            let Some(list) = postings.get(t.as_str()) else {
                continue;
            };
            let idf = (1.0 + (n - list.len() as f64 + 0.5) / (list.len() as f64 + 0.5)).ln();
            for (d, tf) in list {
                let len = docs[*d as usize].len() as f64;
                let tf = *tf as f64;
                scores[*d as usize] +=
                    idf * tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * len / avg));
            }
        }
        let best = scores
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(d, _)| d);
        if best == Some(*truth) {
            right += 1;
        }
    }
    if present == 0 {
        0.0
    } else {
        right as f64 / present as f64
    }
}
