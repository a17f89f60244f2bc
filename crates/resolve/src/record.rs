//! A record as a list writes it, and what is computed from it once before comparing.

use serde::Serialize;

use chainatlas_model::{divisions, CreditCode, RegionCode};

use crate::names::{fold, place_code, NameParts};

/// One enterprise as a list (or the atlas) writes it. Only `id` and `name` are
/// required; every other field is evidence when both sides have it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    pub id: String,
    pub name: String,
    /// 统一社会信用代码, as written (it may be mistyped).
    pub credit_code: Option<String>,
    /// A division code at any level, or a place name (`株洲市`, `湖南省株洲市`, `醴陵`).
    pub region: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub legal_representative: Option<String>,
    pub industry: Option<String>,
    pub english_name: Option<String>,
    /// Other names: former names (曾用名), short names (简称); compared like the name.
    pub other_names: Vec<String>,
}

impl Record {
    /// An enterprise of the atlas as a record: its id, names, credit code, division,
    /// address, phone and legal representative.
    pub fn of_enterprise(e: &chainatlas_model::Enterprise) -> Record {
        Record {
            id: e.id.0.to_string(),
            name: e.name_zh.clone(),
            credit_code: Some(e.credit_code.as_str().to_string()),
            region: Some(e.region.to_string()),
            english_name: Some(e.name_en.clone()).filter(|n| !n.is_empty()),
            address: Some(e.address.clone()).filter(|a| !a.is_empty()),
            phone: Some(e.phone.clone()).filter(|p| !p.is_empty()),
            legal_representative: Some(e.legal_representative.clone()).filter(|l| !l.is_empty()),
            industry: None,
            other_names: e.other_names.clone(),
        }
    }
}

/// A credit code as found: well-formed with a right check character, or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credit {
    Valid(String),
    /// Written, but not a valid code (a typo, a registration number): compared only
    /// when both sides wrote exactly the same.
    Invalid(String),
}

/// A record ready to compare: names parsed, region resolved, fields folded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    /// The name, then former names.
    pub names: Vec<NameParts>,
    /// The English name's key, or the name's when written in Latin letters.
    pub english: Option<String>,
    /// The words of that name.
    pub english_words: Vec<String>,
    pub credit: Option<Credit>,
    pub region: Option<RegionCode>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub legal: Option<String>,
    pub industry: Option<String>,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Prepared {
    pub fn new(r: &Record) -> Prepared {
        let mut names: Vec<NameParts> = std::iter::once(&r.name)
            .chain(&r.other_names)
            .filter(|n| !n.trim().is_empty())
            .map(|n| NameParts::parse(n))
            .collect();
        names.dedup_by(|a, b| a.key == b.key);
        let english_parts = present(&r.english_name)
            .map(NameParts::parse)
            .or_else(|| names.first().filter(|n| n.latin).cloned())
            .filter(|p| !p.key.is_empty());
        let english = english_parts.as_ref().map(|p| p.key.clone());
        let english_words = english_parts.map(|p| p.words).unwrap_or_default();
        let credit = present(&r.credit_code).map(|c| {
            let c = fold(c).to_uppercase();
            match c.parse::<CreditCode>() {
                Ok(code) => Credit::Valid(code.as_str().to_string()),
                Err(_) => Credit::Invalid(c),
            }
        });
        let address = present(&r.address).map(fold).filter(|a| !a.is_empty());
        let region = present(&r.region)
            .and_then(region_of_text)
            .or_else(|| names.first().and_then(NameParts::region))
            .or_else(|| address.as_deref().and_then(region_of_text));
        Prepared {
            english,
            english_words,
            credit,
            region,
            address,
            phone: present(&r.phone).and_then(phone_digits),
            legal: present(&r.legal_representative)
                .map(fold)
                .filter(|l| !l.is_empty()),
            industry: present(&r.industry).map(fold).filter(|i| !i.is_empty()),
            names,
        }
    }
}

impl Prepared {
    /// The pinyin of the first name's core, to meet a name written in pinyin; computed
    /// when asked, as few records are.
    pub fn pinyin(&self) -> Option<String> {
        self.names
            .first()
            .filter(|n| !n.latin && !n.core.is_empty())
            .map(|n| divisions::pinyin(&n.core).full)
    }
}

/// The division a region cell names: a code (`430200`), or place names from the start
/// (`湖南省株洲市石峰区`, `株洲`), the most specific that is unambiguous.
pub fn region_of_text(text: &str) -> Option<RegionCode> {
    let t = text.trim();
    if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok();
    }
    let folded = fold(t);
    let chars: Vec<(usize, char)> = folded.char_indices().collect();
    let mut found: Option<RegionCode> = None;
    let mut at = 0;
    while at < chars.len() {
        let mut hit = None;
        for len in (2..=10.min(chars.len() - at)).rev() {
            let start = chars[at].0;
            let end = chars.get(at + len).map_or(folded.len(), |c| c.0);
            if let Some(code) = place_code(&folded[start..end], found) {
                hit = Some((len, code));
                break;
            }
        }
        match hit {
            Some((len, code)) if found.is_none_or(|f| f.contains(code)) => {
                found = Some(code);
                at += len;
            }
            _ => break,
        }
    }
    found
}

/// The last eight digits of a phone number (area codes and +86 written or not).
fn phone_digits(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 7).then(|| digits[digits.len().saturating_sub(8)..].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_come_from_codes_names_or_the_enterprise_s_name() {
        let code = |t: &str| region_of_text(t).map(|c| c.value());
        assert_eq!(code("430200"), Some(430200));
        assert_eq!(code("湖南省株洲市石峰区"), Some(430204));
        assert_eq!(code("株洲"), Some(430200));
        assert_eq!(code("湖南"), Some(430000));
        assert_eq!(code("广东省深圳市罗湖区深南东路5047号"), Some(440303));
        assert_eq!(code("不是地方"), None);

        let r = Record {
            id: "1".into(),
            name: "株洲天邦轨道装备有限公司".into(),
            credit_code: Some("91430200MA4L0000X1".into()),
            phone: Some("+86 0731-2288 1234".into()),
            ..Record::default()
        };
        let p = Prepared::new(&r);
        assert_eq!(p.region.map(|c| c.value()), Some(430200));
        assert!(matches!(p.credit, Some(Credit::Invalid(_))));
        assert_eq!(p.phone.as_deref(), Some("22881234"));
        assert_eq!(p.pinyin().as_deref(), Some("tianbangguidaozhuangbei"));
    }
}
