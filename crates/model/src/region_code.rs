//! Administrative division codes in the GB/T 2260 style: six digits, two for the
//! province, two for the city (prefecture), two for the district or county.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use crate::RegionLevel;

/// A six-digit administrative division code such as `430200` (Zhuzhou).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("'{0}' is not a division code: expected 6 digits such as 430200")]
    NotSixDigits(String),
    #[error("'{0}' is not a division code: its first two digits must be a province (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81 or 82)")]
    BadProvince(String),
}

impl RegionCode {
    /// Builds a code from its numeric value, validating it.
    pub fn new(value: u32) -> Result<Self, RegionCodeError> {
        format!("{value:06}").parse()
    }

    pub fn value(self) -> u32 {
        self.0
    }

    /// The level the code itself says: `xx0000` is a province, `xxxx00` a city.
    pub fn level(self) -> RegionLevel {
        if self.0.is_multiple_of(10_000) {
            RegionLevel::Province
        } else if self.0.is_multiple_of(100) {
            RegionLevel::City
        } else {
            RegionLevel::District
        }
    }

    /// The code of the province this region lies in (itself for a province).
    pub fn province(self) -> RegionCode {
        RegionCode(self.0 / 10_000 * 10_000)
    }

    /// The code of the city this region lies in; `None` for a province.
    pub fn city(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            _ => Some(RegionCode(self.0 / 100 * 100)),
        }
    }

    /// The parent the code implies: a district's city, a city's province, none for a province.
    pub fn implied_parent(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::City => Some(self.province()),
            RegionLevel::District => self.city(),
        }
    }

    /// All codes inside this region, itself included, as one numeric range: the
    /// property that lets the store select a province's enterprises with one index scan.
    pub fn descendants(self) -> RangeInclusive<u32> {
        match self.level() {
            RegionLevel::Province => self.0..=self.0 + 9_999,
            RegionLevel::City => self.0..=self.0 + 99,
            RegionLevel::District => self.0..=self.0,
        }
    }

    /// Whether `other` lies in this region (or is it).
    pub fn contains(self, other: RegionCode) -> bool {
        self.descendants().contains(&other.0)
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RegionCodeError::NotSixDigits(s.to_string()));
        }
        let value: u32 = s.parse().expect("six ascii digits");
        if !is_province(value / 10_000) {
            return Err(RegionCodeError::BadProvince(s.to_string()));
        }
        Ok(RegionCode(value))
    }
}

/// The province-level prefixes of GB/T 2260: the six regions of mainland China,
/// Taiwan (71), Hong Kong (81) and Macao (82).
fn is_province(prefix: u32) -> bool {
    matches!(prefix, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82)
}

/// The same rule as a regular expression, for API documents and forms.
pub const REGION_CODE_PATTERN: &str =
    "^(1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12])[0-9]{4}$";

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl crate::Explain for RegionCodeError {
    fn explain(&self) -> crate::Text {
        use crate::text;
        match self {
            RegionCodeError::NotSixDigits(s) => text!(
                "“{s}”不是行政区划代码：应为 6 位数字，如 430200",
                "'{s}' is not a division code: expected 6 digits such as 430200"
            ),
            RegionCodeError::BadProvince(s) => text!(
                "“{s}”不是行政区划代码：前两位应为省级代码（11-15、21-23、31-37、41-46、50-54、61-65、71、81 或 82）",
                "'{s}' is not a division code: its first two digits must be a province (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81 or 82)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        s.parse().unwrap()
    }

    #[test]
    fn levels_and_parents_follow_the_digits() {
        assert_eq!(code("430000").level(), RegionLevel::Province);
        assert_eq!(code("430200").level(), RegionLevel::City);
        assert_eq!(code("430211").level(), RegionLevel::District);
        assert_eq!(code("430211").implied_parent(), Some(code("430200")));
        assert_eq!(code("430200").implied_parent(), Some(code("430000")));
        assert_eq!(code("430000").implied_parent(), None);
    }

    #[test]
    fn containment_uses_the_code_ranges() {
        assert!(code("430000").contains(code("430211")));
        assert!(code("430200").contains(code("430211")));
        assert!(!code("430100").contains(code("430211")));
        assert!(!code("420000").contains(code("430200")));
    }

    #[test]
    fn rejects_malformed_codes() {
        assert!(matches!(
            "4302".parse::<RegionCode>(),
            Err(RegionCodeError::NotSixDigits(_))
        ));
        assert!(matches!(
            "43020a".parse::<RegionCode>(),
            Err(RegionCodeError::NotSixDigits(_))
        ));
        assert!(matches!(
            "990000".parse::<RegionCode>(),
            Err(RegionCodeError::BadProvince(_))
        ));
    }
}
