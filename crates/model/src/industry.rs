//! National industry codes (国民经济行业分类, GB/T 4754-2017): a section letter A–T over
//! 97 divisions (大类, two digits 01–97), each cut into groups (中类, three digits) and
//! classes (小类, four digits). An enterprise's code is written with its digits only
//! (`3841` 锂离子电池制造), at any of the three depths.
//!
//! Validated here: two to four digits, a division, group or class that the standard has.
//! The list (97 divisions, 473 groups, 1,381 classes) is embedded from
//! `data/industry-codes.txt`, made by `scripts/update-industries.py` from the 2011 → 2017
//! crosswalk of the MIT-licensed R package `gbcrosswalk` (github.com/robin621/gbcrosswalk).

use std::fmt;
use std::str::FromStr;

use crate::{text, Lang, Text};

/// A validated industry code of 2, 3 or 4 digits. Small and `Copy`: the supply graph
/// keeps one per enterprise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IndustryCode {
    /// The digits as a number (`0111` → 111).
    value: u16,
    /// How many digits: 2, 3 or 4.
    digits: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndustryCodeError {
    #[error("`{0}` is not 2 to 4 digits")]
    Form(String),
    #[error("division {0} does not exist: divisions run from 01 to 97")]
    Division(String),
    #[error("{0} is not a group or class of GB/T 4754-2017")]
    Unknown(String),
}

const CODES: &str = include_str!("../data/industry-codes.txt");

/// Whether the standard has this group or class (or division).
fn known(code: IndustryCode) -> bool {
    static KNOWN: std::sync::OnceLock<std::collections::HashSet<IndustryCode>> =
        std::sync::OnceLock::new();
    KNOWN
        .get_or_init(|| {
            CODES
                .lines()
                .map(|l| parse_form(l).expect("the embedded codes are well formed"))
                .collect()
        })
        .contains(&code)
}

/// Sections: letter, first and last division, Chinese and English names.
const SECTIONS: [(char, u16, u16, &str, &str); 20] = [
    (
        'A',
        1,
        5,
        "农、林、牧、渔业",
        "Agriculture, forestry, animal husbandry and fishery",
    ),
    ('B', 6, 12, "采矿业", "Mining"),
    ('C', 13, 43, "制造业", "Manufacturing"),
    (
        'D',
        44,
        46,
        "电力、热力、燃气及水生产和供应业",
        "Electricity, heat, gas and water supply",
    ),
    ('E', 47, 50, "建筑业", "Construction"),
    ('F', 51, 52, "批发和零售业", "Wholesale and retail trade"),
    (
        'G',
        53,
        60,
        "交通运输、仓储和邮政业",
        "Transport, storage and post",
    ),
    ('H', 61, 62, "住宿和餐饮业", "Accommodation and catering"),
    (
        'I',
        63,
        65,
        "信息传输、软件和信息技术服务业",
        "Information transmission, software and IT services",
    ),
    ('J', 66, 69, "金融业", "Finance"),
    ('K', 70, 70, "房地产业", "Real estate"),
    (
        'L',
        71,
        72,
        "租赁和商务服务业",
        "Leasing and business services",
    ),
    (
        'M',
        73,
        75,
        "科学研究和技术服务业",
        "Scientific research and technical services",
    ),
    (
        'N',
        76,
        79,
        "水利、环境和公共设施管理业",
        "Water, environment and public facilities management",
    ),
    (
        'O',
        80,
        82,
        "居民服务、修理和其他服务业",
        "Resident services, repair and other services",
    ),
    ('P', 83, 83, "教育", "Education"),
    ('Q', 84, 85, "卫生和社会工作", "Health and social work"),
    (
        'R',
        86,
        90,
        "文化、体育和娱乐业",
        "Culture, sports and entertainment",
    ),
    (
        'S',
        91,
        96,
        "公共管理、社会保障和社会组织",
        "Public administration, social security and social organisations",
    ),
    ('T', 97, 97, "国际组织", "International organisations"),
];

/// The divisions of manufacturing (section C, 13–43), the activities chain offices map.
const MANUFACTURING: [(&str, &str); 31] = [
    (
        "农副食品加工业",
        "Agricultural and sideline food processing",
    ),
    ("食品制造业", "Food manufacturing"),
    (
        "酒、饮料和精制茶制造业",
        "Liquor, beverages and refined tea",
    ),
    ("烟草制品业", "Tobacco products"),
    ("纺织业", "Textiles"),
    ("纺织服装、服饰业", "Textile garments and apparel"),
    (
        "皮革、毛皮、羽毛及其制品和制鞋业",
        "Leather, fur, feathers and footwear",
    ),
    (
        "木材加工和木、竹、藤、棕、草制品业",
        "Wood, bamboo, rattan, palm and straw products",
    ),
    ("家具制造业", "Furniture"),
    ("造纸和纸制品业", "Paper and paper products"),
    (
        "印刷和记录媒介复制业",
        "Printing and reproduction of recording media",
    ),
    (
        "文教、工美、体育和娱乐用品制造业",
        "Cultural, educational, arts and crafts, sports and entertainment goods",
    ),
    (
        "石油、煤炭及其他燃料加工业",
        "Petroleum, coal and other fuel processing",
    ),
    (
        "化学原料和化学制品制造业",
        "Chemical raw materials and chemical products",
    ),
    ("医药制造业", "Pharmaceuticals"),
    ("化学纤维制造业", "Chemical fibres"),
    ("橡胶和塑料制品业", "Rubber and plastic products"),
    ("非金属矿物制品业", "Non-metallic mineral products"),
    (
        "黑色金属冶炼和压延加工业",
        "Ferrous metal smelting and rolling",
    ),
    (
        "有色金属冶炼和压延加工业",
        "Non-ferrous metal smelting and rolling",
    ),
    ("金属制品业", "Metal products"),
    ("通用设备制造业", "General-purpose equipment"),
    ("专用设备制造业", "Special-purpose equipment"),
    ("汽车制造业", "Automobiles"),
    (
        "铁路、船舶、航空航天和其他运输设备制造业",
        "Railway, ship, aerospace and other transport equipment",
    ),
    ("电气机械和器材制造业", "Electrical machinery and equipment"),
    (
        "计算机、通信和其他电子设备制造业",
        "Computers, communication and other electronic equipment",
    ),
    ("仪器仪表制造业", "Instruments and meters"),
    ("其他制造业", "Other manufacturing"),
    ("废弃资源综合利用业", "Comprehensive use of waste resources"),
    (
        "金属制品、机械和设备修理业",
        "Repair of metal products, machinery and equipment",
    ),
];

impl IndustryCode {
    /// The code cut to at most `digits` digits (2 = its division).
    pub fn truncated(self, digits: u8) -> IndustryCode {
        let mut code = self;
        while code.digits > digits.max(2) {
            code.value /= 10;
            code.digits -= 1;
        }
        code
    }

    /// How many digits it has: 2 (division), 3 (group) or 4 (class).
    pub fn digits(self) -> u8 {
        self.digits
    }

    /// Its division, 1–97.
    pub fn division(self) -> u16 {
        self.truncated(2).value
    }

    /// Its section's letter, A–T.
    pub fn section(self) -> char {
        section_of(self.division()).0
    }

    /// What it is called, as far as Chain Atlas knows: the division's name for
    /// manufacturing, else the section's, with the code (`3841 电气机械和器材制造业`).
    pub fn label(self, lang: Lang) -> String {
        let division = self.division();
        let (zh, en) = if (13..=43).contains(&division) {
            MANUFACTURING[(division - 13) as usize]
        } else {
            let s = section_of(division);
            (s.3, s.4)
        };
        let name = match lang {
            Lang::Zh => zh,
            Lang::En => en,
        };
        format!("{self} {name}")
    }
}

fn section_of(division: u16) -> (char, u16, u16, &'static str, &'static str) {
    *SECTIONS
        .iter()
        .find(|s| (s.1..=s.2).contains(&division))
        .expect("a validated division")
}

/// Reads the form of a code: 2 to 4 digits of a division that exists.
fn parse_form(s: &str) -> Result<IndustryCode, IndustryCodeError> {
    {
        let s = s.trim();
        if !(2..=4).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IndustryCodeError::Form(s.to_string()));
        }
        let value: u16 = s
            .parse()
            .map_err(|_| IndustryCodeError::Form(s.to_string()))?;
        let code = IndustryCode {
            value,
            digits: s.len() as u8,
        };
        if !(1..=97).contains(&code.division()) {
            return Err(IndustryCodeError::Division(s[..2].to_string()));
        }
        Ok(code)
    }
}

impl FromStr for IndustryCode {
    type Err = IndustryCodeError;

    /// A division, group or class the standard has.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let code = parse_form(s)?;
        if code.digits > 2 && !known(code) {
            return Err(IndustryCodeError::Unknown(code.to_string()));
        }
        Ok(code)
    }
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value, width = self.digits as usize)
    }
}

impl crate::Explain for IndustryCodeError {
    fn explain(&self) -> Text {
        match self {
            IndustryCodeError::Form(s) => text!(
                "“{s}”不是国民经济行业代码：应为 2 至 4 位数字（GB/T 4754-2017 的大类、中类或小类，如 3841）",
                "`{s}` is not a national industry code: expected 2 to 4 digits (a GB/T 4754-2017 division, group or class, such as 3841)"
            ),
            IndustryCodeError::Division(d) => text!(
                "行业大类“{d}”不存在：大类为 01 至 97",
                "division {d} does not exist: divisions run from 01 to 97"
            ),
            IndustryCodeError::Unknown(c) => text!(
                "“{c}”不是 GB/T 4754-2017 的行业中类或小类",
                "{c} is not a group or class of GB/T 4754-2017"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Explain;

    #[test]
    fn codes_keep_their_leading_zeros_and_cut_to_their_division() {
        let c: IndustryCode = "0111".parse().unwrap();
        assert_eq!(c.to_string(), "0111");
        assert_eq!(c.truncated(3).to_string(), "011");
        assert_eq!(c.truncated(2).to_string(), "01");
        assert_eq!((c.division(), c.section(), c.digits()), (1, 'A', 4));
        let battery: IndustryCode = "3841".parse().unwrap();
        assert_eq!(battery.label(Lang::Zh), "3841 电气机械和器材制造业");
        assert_eq!(
            battery.label(Lang::En),
            "3841 Electrical machinery and equipment"
        );
        assert_eq!(battery.truncated(9), battery);
        let bank: IndustryCode = "66".parse().unwrap();
        assert_eq!(bank.label(Lang::Zh), "66 金融业");
        assert_eq!("97".parse::<IndustryCode>().unwrap().section(), 'T');
    }

    #[test]
    fn bad_codes_say_what_was_expected() {
        for bad in ["3", "38415", "38a1", "C38", ""] {
            let e = bad.parse::<IndustryCode>().unwrap_err();
            assert!(e.explain().get(Lang::Zh).contains("2 至 4 位数字"), "{bad}");
        }
        for bad in ["3801", "380", "3892"] {
            let e = bad.parse::<IndustryCode>().unwrap_err();
            assert_eq!(e, IndustryCodeError::Unknown(bad.into()), "{bad}");
            assert_eq!(
                e.explain().get(Lang::Zh),
                format!("“{bad}”不是 GB/T 4754-2017 的行业中类或小类")
            );
        }
        for (bad, division) in [("98", "98"), ("0012", "00"), ("990", "99")] {
            let e = bad.parse::<IndustryCode>().unwrap_err();
            assert_eq!(e, IndustryCodeError::Division(division.into()));
            assert_eq!(
                e.explain().get(Lang::En),
                format!("division {division} does not exist: divisions run from 01 to 97")
            );
        }
    }

    #[test]
    fn the_embedded_list_holds_the_standard_and_every_prefix_of_a_class() {
        let codes: Vec<IndustryCode> = CODES.lines().map(|l| l.parse().unwrap()).collect();
        let count = |n| codes.iter().filter(|c| c.digits() == n).count();
        assert_eq!((count(2), count(3), count(4)), (97, 473, 1381));
        for c in &codes {
            assert!(known(c.truncated(3)) && known(c.truncated(2)), "{c}");
        }
        for ok in ["3841", "384", "38", "0111", "3491", "3612"] {
            assert!(ok.parse::<IndustryCode>().is_ok(), "{ok}");
        }
    }

    #[test]
    fn every_division_has_a_section() {
        for d in 1..=97u16 {
            let code: IndustryCode = format!("{d:02}").parse().unwrap();
            assert!(!code.label(Lang::Zh).is_empty());
        }
    }
}
