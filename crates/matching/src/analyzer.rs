//! One analyzer for Chinese and English listing text.
//!
//! Text is folded first (full-width forms to half-width, the ideographic space to a space,
//! lower case), then cut into runs: Han runs go to jieba's search-mode segmentation, runs
//! of ASCII letters and digits become words. A run with connectors (`DSC-W150R`,
//! `f8n044/slv`) or with letters and digits mixed is a model number or part code: it is
//! kept whole without connectors (`dscw150r`) and also split into its parts (`dsc`,
//! `w150r`) and their letter and digit pieces (`w`, `150`, `r`), so that either way of
//! writing it meets the other. A number followed by a unit (`500 kg`, `5吨`, `12-volt`,
//! `8.1 megapixels`) also becomes one normalised token (`500kg`, `5000kg`, `12v`, `8.1mp`).
//! English words are stemmed (Snowball English); common function words are dropped.

use std::borrow::Cow;
use std::sync::OnceLock;

use jieba_rs::Jieba;

fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        // Industrial words the general dictionary cuts apart.
        for word in INDUSTRIAL_WORDS {
            jieba.add_word(word, Some(50_000), None);
        }
        jieba
    })
}

/// Terms of manufacturing that jieba's general dictionary splits into less useful pieces.
const INDUSTRIAL_WORDS: &[&str] = &[
    "动力电池",
    "正极材料",
    "负极材料",
    "电解液",
    "隔膜",
    "电芯",
    "电驱",
    "减速器",
    "数控机床",
    "工业机器人",
    "伺服电机",
    "控制器",
    "传感器",
    "光伏组件",
    "逆变器",
    "晶圆",
    "芯片",
    "封装测试",
    "注塑机",
    "锂电池",
    "储能",
    "整车",
    "零部件",
    "专精特新",
    "高新技术企业",
];

/// Chinese function words that carry no matching signal on their own.
const CHINESE_STOPWORDS: &[&str] = &[
    "的",
    "了",
    "和",
    "与",
    "及",
    "等",
    "或",
    "是",
    "在",
    "为",
    "对",
    "用",
    "个",
    "之",
    "其",
    "并",
    "以",
    "于",
    "将",
    "有",
    "我们",
    "需要",
    "提供",
    "可",
    // The boilerplate of listings: every demand seeks, every supply supplies.
    "供应",
    "采购",
    "求购",
    "寻找",
    "供应商",
    "需求",
    "现货",
    "厂家",
    "直供",
    "批量",
    "长期",
    "急需",
    "欢迎",
    "洽谈",
    "合作",
    "企业",
    "本",
    "现",
    "要求",
    "优先",
    "配套",
];

/// English function words (before stemming).
const ENGLISH_STOPWORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "in",
    "into",
    "is",
    "it",
    "its",
    "of",
    "on",
    "or",
    "that",
    "the",
    "this",
    "to",
    "with",
    "your",
    "you",
    "our",
    "we",
    "will",
    "can",
    "&",
    // The boilerplate of listings.
    "supply",
    "supplies",
    "supplier",
    "suppliers",
    "sourcing",
    "seek",
    "seeks",
    "looking",
    "wanted",
    "welcome",
];

/// Units whose spelling varies: (spelling, canonical unit, factor to the canonical unit).
/// Counting words (台, 套, 件) are not units of measure and stay words.
const UNITS: &[(&str, &str, f64)] = &[
    ("kg", "kg", 1.0),
    ("kgs", "kg", 1.0),
    ("千克", "kg", 1.0),
    ("公斤", "kg", 1.0),
    ("g", "kg", 0.001),
    ("克", "kg", 0.001),
    ("t", "kg", 1000.0),
    ("ton", "kg", 1000.0),
    ("tons", "kg", 1000.0),
    ("吨", "kg", 1000.0),
    ("mm", "mm", 1.0),
    ("毫米", "mm", 1.0),
    ("cm", "mm", 10.0),
    ("厘米", "mm", 10.0),
    ("m", "mm", 1000.0),
    ("米", "mm", 1000.0),
    ("km", "km", 1.0),
    ("公里", "km", 1.0),
    ("in", "in", 1.0),
    ("inch", "in", 1.0),
    ("inches", "in", 1.0),
    ("英寸", "in", 1.0),
    ("w", "w", 1.0),
    ("watt", "w", 1.0),
    ("watts", "w", 1.0),
    ("瓦", "w", 1.0),
    ("kw", "kw", 1.0),
    ("千瓦", "kw", 1.0),
    ("mw", "mw", 1.0),
    ("兆瓦", "mw", 1.0),
    ("kwh", "kwh", 1.0),
    ("千瓦时", "kwh", 1.0),
    ("gwh", "gwh", 1.0),
    ("v", "v", 1.0),
    ("volt", "v", 1.0),
    ("volts", "v", 1.0),
    ("伏", "v", 1.0),
    ("kv", "kv", 1.0),
    ("千伏", "kv", 1.0),
    ("a", "a", 1.0),
    ("amp", "a", 1.0),
    ("安", "a", 1.0),
    ("mah", "mah", 1.0),
    ("ah", "ah", 1.0),
    ("mpa", "mpa", 1.0),
    ("兆帕", "mpa", 1.0),
    ("hz", "hz", 1.0),
    ("ghz", "ghz", 1.0),
    ("mhz", "mhz", 1.0),
    ("gb", "gb", 1.0),
    ("tb", "tb", 1.0),
    ("mb", "mb", 1.0),
    ("mp", "mp", 1.0),
    ("megapixel", "mp", 1.0),
    ("megapixels", "mp", 1.0),
    ("nm", "nm", 1.0),
    ("纳米", "nm", 1.0),
];

/// A unit of measure as listings write it (`吨`, `kg`, `千瓦`): its canonical unit and the
/// factor to it; `None` for counting words (台, 套, 片) and anything unknown.
pub fn unit_of_measure(spelling: &str) -> Option<(&'static str, f64)> {
    unit(&spelling.trim().to_lowercase())
}

fn unit(spelling: &str) -> Option<(&'static str, f64)> {
    UNITS
        .iter()
        .find(|(s, _, _)| *s == spelling)
        .map(|(_, canonical, factor)| (*canonical, *factor))
}

/// Folds one character: full-width ASCII to ASCII, the ideographic space to a space,
/// upper case to lower case.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
    .to_lowercase()
    .next()
    .unwrap_or(c)
}

/// Folds text the way the analyzer sees it (exposed for tag comparison).
pub fn fold_text(text: &str) -> String {
    text.chars().map(fold).collect()
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2A6DF}')
}

fn is_connector(c: char) -> bool {
    matches!(c, '-' | '/' | '_' | '.' | '+' | '#')
}

#[derive(Debug, PartialEq)]
enum Run {
    Han(String),
    /// ASCII letters and digits, possibly with inner connectors.
    Word(String),
}

/// Cuts folded text into Han runs and word runs; everything else separates.
fn runs(text: &str) -> Vec<Run> {
    let chars: Vec<char> = text.chars().map(fold).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_han(c) {
            let start = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            out.push(Run::Han(chars[start..i].iter().collect()));
        } else if c.is_ascii_alphanumeric() {
            let start = i;
            // A connector belongs to the word only between two letters or digits.
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || (is_connector(chars[i])
                        && i + 1 < chars.len()
                        && chars[i + 1].is_ascii_alphanumeric()
                        && i > start))
            {
                i += 1;
            }
            out.push(Run::Word(chars[start..i].iter().collect()));
        } else {
            i += 1;
        }
    }
    out
}

/// Splits `w150r` into `w`, `150`, `r`.
fn letter_digit_pieces(part: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let bytes = part.as_bytes();
    for i in 1..bytes.len() {
        if bytes[i].is_ascii_digit() != bytes[i - 1].is_ascii_digit() {
            pieces.push(&part[start..i]);
            start = i;
        }
    }
    pieces.push(&part[start..]);
    pieces
}

/// A decimal number such as `8`, `8.1` or `0.5`.
fn is_number(s: &str) -> bool {
    let mut dots = 0;
    !s.is_empty()
        && s.bytes().all(|b| {
            dots += (b == b'.') as u32;
            b.is_ascii_digit() || b == b'.'
        })
        && dots <= 1
        && s.as_bytes()[0].is_ascii_digit()
        && !s.ends_with('.')
}

/// `500` + `t` → `500000kg`; trailing zeros dropped (`5.0` → `5`).
fn quantity_token(number: &str, unit_spelling: &str) -> Option<String> {
    let (canonical, factor) = unit(unit_spelling)?;
    let value: f64 = number.parse().ok()?;
    let scaled = value * factor;
    let mut text = format!("{scaled:.6}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    Some(format!("{text}{canonical}"))
}

fn stem(word: &str) -> String {
    thread_local! {
        static STEMMER: frostem::Stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    }
    STEMMER.with(|s| match s.stem(word) {
        Cow::Borrowed(b) => b.to_string(),
        Cow::Owned(o) => o,
    })
}

/// Terms with the text they came from (the word before stemming, the model number with
/// its connectors), for showing shared terms to people.
#[derive(Default)]
struct Out {
    terms: Vec<(String, String)>,
    /// Each term's weight in a query: 1 for a word, less for a piece of a model number
    /// (`dsc`, `w150r`, `150` of `DSC-W150R`) or a character bigram, there so that other
    /// spellings meet, not as words of their own.
    weights: Vec<f32>,
}

impl Out {
    fn push(&mut self, term: String, surface: &str) {
        self.push_weighted(term, surface, 1.0);
    }

    fn push_piece(&mut self, term: String, surface: &str) {
        self.push_weighted(term, surface, PIECE_WEIGHT);
    }

    fn push_weighted(&mut self, term: String, surface: &str, weight: f32) {
        self.terms.push((term, surface.to_string()));
        self.weights.push(weight);
    }
}

/// How much a piece of a model number weighs in a query, against a whole word's 1
/// (0.75: Abt-Buy valid recall@1 0.937, train 0.928, the judged set 0.971; 0.5 and 0.25
/// lose 0.015–0.02 on Abt-Buy, 1.0 lets pieces no listing has dwarf the words).
pub const PIECE_WEIGHT: f32 = 0.75;

/// How much a character bigram of Chinese text weighs in a query (0.15: enterprise short
/// names against legal names, SZSE's 2,880, recall@1 0.902 → 0.940; the judged product
/// set 0.971 → 0.973; at 0.75 the judged set fell to 0.761). Single characters are
/// indexed in fields of their own (see [`CHAR_WEIGHT`]).
pub const BIGRAM_WEIGHT: f32 = 0.15;

/// How much a single Chinese character of a query's title weighs. Characters live in
/// fields of their own (`chars_demand`, `chars_supply`), with their own length norms, so
/// that they do not lengthen the word fields and halve their words' BM25 as they did when
/// they shared them. They are the way in for a short name whose bigrams its legal name
/// does not have (`国货航` for 中国国际货运航空股份有限公司).
///
/// 0.35 on SZSE's 2,880 short names against their legal names, searched in every query:
/// recall@1 0.949 without characters, 0.960 at 0.1, 0.963 at 0.2, 0.967 at 0.35, 0.968
/// at 0.5, 0.971 at 1.0; the judged product set holds at 0.971 up to 0.35 and falls to
/// 0.969 at 0.5 and 0.955 at 1.0; Abt-Buy (English) is unchanged at every weight.
/// Searched in every query they cost 2.7× the ranking time, so a ranking searches them
/// only when words and bigrams find nothing strong (`rank::WEAK_TEXT`): 0.961.
pub const CHAR_WEIGHT: f32 = 0.35;

/// The Han characters of a text, folded, in order, without the one-character stopwords:
/// the terms of the character fields.
pub fn han_chars(text: &str) -> Vec<String> {
    let mut buf = [0u8; 4];
    text.chars()
        .map(fold)
        .filter(|c| is_han(*c))
        .map(|c| c.encode_utf8(&mut buf).to_string())
        .filter(|c| !CHINESE_STOPWORDS.contains(&c.as_str()))
        .collect()
}

/// Analyzes a query: each term with its weight, 1 for words and whole model numbers,
/// [`PIECE_WEIGHT`] for their pieces and [`BIGRAM_WEIGHT`] for character bigrams (a term
/// found as both keeps the larger).
pub fn analyze_weighted(text: &str) -> Vec<(String, f32)> {
    let out = analyze_out(text);
    let mut weighted: Vec<(String, f32)> = Vec::with_capacity(out.terms.len());
    for ((term, _), w) in out.terms.into_iter().zip(out.weights) {
        match weighted.iter_mut().find(|(t, _)| *t == term) {
            Some((_, x)) => *x = x.max(w),
            None => weighted.push((term, w)),
        }
    }
    weighted
}

/// Analyzes text into index terms. The same function serves documents and queries.
pub fn analyze(text: &str) -> Vec<String> {
    analyze_out(text)
        .terms
        .into_iter()
        .map(|(term, _)| term)
        .collect()
}

/// Like [`analyze`], each term with the (folded) text it came from.
/// Character bigrams are left out: they are a way in for other spellings, not words to
/// show a person.
pub fn analyze_with_surface(text: &str) -> Vec<(String, String)> {
    let out = analyze_out(text);
    out.terms
        .into_iter()
        .zip(out.weights)
        .filter(|(_, w)| *w > BIGRAM_WEIGHT)
        .map(|(t, _)| t)
        .collect()
}

fn analyze_out(text: &str) -> Out {
    let runs = runs(text);
    let mut out = Out::default();
    for (i, run) in runs.iter().enumerate() {
        match run {
            Run::Han(han) => {
                for token in jieba().cut_for_search(han, true) {
                    if !CHINESE_STOPWORDS.contains(&token.word) {
                        out.push(token.word.to_string(), token.word);
                    }
                }
                // Character bigrams too, as pieces: jieba cuts a short name and the full
                // name into different words (`士兰微` vs `杭州/士兰/微电子`); their
                // characters meet.
                let chars: Vec<char> = han.chars().collect();
                for pair in chars.windows(2) {
                    let bigram: String = pair.iter().collect();
                    if !CHINESE_STOPWORDS.contains(&bigram.as_str()) {
                        out.push_weighted(bigram.clone(), &bigram, BIGRAM_WEIGHT);
                    }
                }

                // A Han unit after a number: `5吨` arrives as Word("5"), Han("吨...").
                if let Some(Run::Word(number)) = i.checked_sub(1).map(|p| &runs[p]) {
                    if is_number(number) {
                        if let Some(unit) = han_unit_prefix(han) {
                            if let Some(t) = quantity_token(number, unit) {
                                out.push(t, &format!("{number}{unit}"));
                            }
                        }
                    }
                }
            }
            Run::Word(word) => {
                analyze_word(word, &mut out);
                // `500 kg`, `8.1 megapixels`: a number, then a unit word.
                if is_number(word) {
                    if let Some(Run::Word(next)) = runs.get(i + 1) {
                        if let Some(t) = quantity_token(word, next) {
                            out.push(t, &format!("{word} {next}"));
                        }
                    }
                }
            }
        }
    }
    out
}

fn han_unit_prefix(han: &str) -> Option<&str> {
    UNITS
        .iter()
        .filter(|(s, _, _)| !s.is_ascii() && han.starts_with(s))
        .max_by_key(|(s, _, _)| s.len())
        .map(|(s, _, _)| *s)
}

fn analyze_word(word: &str, out: &mut Out) {
    let parts: Vec<&str> = split_parts(word);
    let mixed =
        word.bytes().any(|b| b.is_ascii_digit()) && word.bytes().any(|b| b.is_ascii_alphabetic());
    if parts.len() == 1 && !mixed {
        let part = parts[0];
        if part.bytes().all(|b| b.is_ascii_alphabetic()) {
            if !ENGLISH_STOPWORDS.contains(&part) {
                out.push(stem(part), part);
            }
        } else {
            out.push(part.to_string(), part);
        }
        return;
    }
    // A model number or part code: whole, parts, pieces. Runs of consecutive parts are
    // joined too, so that `MS1H4-75B/7.5` meets `MS1H4-75B` (a suffix after a connector
    // is often a variant or a specification).
    let whole: String = parts.concat();
    out.push(whole.clone(), word);
    if parts.len() <= 6 {
        for start in 0..parts.len() {
            for end in start + 2..=parts.len() {
                if end - start < parts.len() {
                    out.push_piece(parts[start..end].concat(), &parts[start..end].join("-"));
                }
            }
        }
    }
    for part in &parts {
        if parts.len() > 1 && *part != whole {
            if part.bytes().all(|b| b.is_ascii_alphabetic()) {
                if !ENGLISH_STOPWORDS.contains(part) {
                    out.push_piece(stem(part), part);
                }
            } else {
                out.push_piece(part.to_string(), part);
            }
        }
        // `12-volt`: a number part followed by a unit part.
        let pieces = letter_digit_pieces(part);
        if pieces.len() > 1 {
            for piece in &pieces {
                out.push_piece(piece.to_string(), piece);
            }
            if pieces.len() == 2 && is_number(pieces[0]) {
                if let Some(t) = quantity_token(pieces[0], pieces[1]) {
                    out.push(t, part);
                }
            }
        }
    }
    for pair in parts.windows(2) {
        if is_number(pair[0]) {
            if let Some(t) = quantity_token(pair[0], pair[1]) {
                out.push(t, &format!("{}-{}", pair[0], pair[1]));
            }
        }
    }
}

/// Splits a word run at its connectors, keeping decimal points inside numbers (`8.1`).
fn split_parts(word: &str) -> Vec<&str> {
    let bytes = word.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let decimal_point = b == b'.'
            && i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(|n| n.is_ascii_digit())
            && bytes[start..i].iter().all(|c| c.is_ascii_digit());
        if is_connector(b as char) && !decimal_point {
            if i > start {
                parts.push(&word[start..i]);
            }
            start = i + 1;
        }
    }
    if start < word.len() {
        parts.push(&word[start..]);
    }
    parts
}
