//! Money as an integer number of fen (0.01 yuan). Never a float: sums of supply values
//! must add up to the fen, and a round trip through a file must not drift.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Sub};
use std::str::FromStr;

/// An amount of Chinese yuan, stored as fen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not an amount: expected yuan such as 1250000 or 35.50")]
    Malformed(String),
    #[error("'{0}' has more than 2 decimals: amounts are kept to the fen")]
    TooPrecise(String),
    #[error("'{0}' is too large")]
    TooLarge(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Self {
        Money(fen)
    }

    pub const fn from_yuan(yuan: i64) -> Self {
        Money(yuan * 100)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    /// Whole yuan, rounded toward zero.
    pub const fn yuan(self) -> i64 {
        self.0 / 100
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl FromStr for Money {
    type Err = MoneyError;

    /// Parses yuan with up to two decimals: `1250000`, `-3`, `35.5`, `35.50`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let malformed = || MoneyError::Malformed(s.to_string());
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        if !fraction.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(malformed());
        }
        if fraction.len() > 2 {
            return Err(MoneyError::TooPrecise(s.to_string()));
        }
        let too_large = || MoneyError::TooLarge(s.to_string());
        let whole: i64 = whole.parse().map_err(|_| too_large())?;
        let mut fen_part: i64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().map_err(|_| malformed())?
        };
        if fraction.len() == 1 {
            fen_part *= 10;
        }
        let fen = whole
            .checked_mul(100)
            .and_then(|f| f.checked_add(fen_part))
            .ok_or_else(too_large)?;
        Ok(Money(if negative { -fen } else { fen }))
    }
}

impl Money {
    /// An amount as people write it in a form: yuan with optional thousands separators
    /// and a unit, `12,000,000`, `12000000元`, `1200万`, `1,200万元`, `1.2亿`; full-width
    /// digits and commas too. The result keeps to the fen, like [`Money::from_str`].
    pub fn parse_written(text: &str) -> Result<Money, MoneyError> {
        let original = text.trim();
        let folded: String = original
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
                '，' => ',',
                '．' => '.',
                '－' => '-',
                c => c,
            })
            .filter(|c| !c.is_whitespace())
            .collect();
        let number = folded.strip_suffix('元').unwrap_or(&folded);
        let (number, scale) = if let Some(n) = number.strip_suffix('万') {
            (n, 10_000)
        } else if let Some(n) = number.strip_suffix('亿') {
            (n, 100_000_000)
        } else {
            (number, 1)
        };
        let plain = if number.contains(',') {
            ungroup_thousands(number)
        } else {
            Some(number.to_string())
        };
        let plain = plain
            .filter(|p| {
                let digits = p.strip_prefix('-').unwrap_or(p);
                digits.starts_with(|c: char| c.is_ascii_digit())
            })
            .ok_or_else(|| MoneyError::Malformed(original.to_string()))?;
        if scale == 1 {
            return plain.parse::<Money>().map_err(|e| match e {
                MoneyError::Malformed(_) => MoneyError::Malformed(original.to_string()),
                MoneyError::TooPrecise(_) => MoneyError::TooPrecise(original.to_string()),
                MoneyError::TooLarge(_) => MoneyError::TooLarge(original.to_string()),
            });
        }
        // 万 and 亿 move the decimal point: 1.2345万 is 12,345 yuan, exact to the fen.
        let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
        if !fraction.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MoneyError::Malformed(original.to_string()));
        }
        let shift = if scale == 10_000 { 4 } else { 8 };
        let mut fraction = fraction.to_string();
        if fraction.len() > shift + 2 {
            return Err(MoneyError::TooPrecise(original.to_string()));
        }
        while fraction.len() < shift {
            fraction.push('0');
        }
        let (moved, cents) = fraction.split_at(shift);
        let yuan = format!("{whole}{moved}");
        let text = if cents.is_empty() {
            yuan
        } else {
            format!("{yuan}.{cents}")
        };
        text.parse::<Money>().map_err(|e| match e {
            MoneyError::TooLarge(_) => MoneyError::TooLarge(original.to_string()),
            _ => MoneyError::Malformed(original.to_string()),
        })
    }
}

/// A number written with thousands separators, `-1,234,567.5`, without them:
/// `-1234567.5`. `None` unless it has separators and they fall every three digits of a
/// whole part that does not start with 0, all digits. (Amounts in 万元 on pages and in
/// sheets are written this way; `Money::parse_written` and workbooks read them back.)
pub fn ungroup_thousands(number: &str) -> Option<String> {
    let unsigned = number.strip_prefix('-').unwrap_or(number);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let well_formed = whole.contains(',')
        && (1..=3).contains(&first.len())
        && !first.starts_with('0')
        && digits(first)
        && groups.all(|g| g.len() == 3 && digits(g))
        && digits(fraction);
    well_formed.then(|| number.replace(',', ""))
}

impl fmt::Display for Money {
    /// The canonical form: whole yuan without decimals, otherwise exactly two.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        if abs.is_multiple_of(100) {
            write!(f, "{sign}{}", abs / 100)
        } else {
            write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
        }
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        Money(iter.map(|m| m.0).sum())
    }
}

impl crate::Explain for MoneyError {
    fn explain(&self) -> crate::Text {
        use crate::text;
        match self {
            MoneyError::Malformed(s) => text!(
                "“{s}”不是金额：应为以元计的数，如 1250000 或 35.50",
                "'{s}' is not an amount: expected yuan such as 1250000 or 35.50"
            ),
            MoneyError::TooPrecise(s) => text!(
                "“{s}”超过 2 位小数：金额精确到分",
                "'{s}' has more than 2 decimals: amounts are kept to the fen"
            ),
            MoneyError::TooLarge(s) => text!("“{s}”过大", "'{s}' is too large"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_the_way_people_write_them() {
        let yuan = |s: &str| Money::parse_written(s).map(|m| m.fen() / 100);
        for written in [
            "12000000",
            "12,000,000",
            "1200万",
            "1,200万元",
            "1200 万元",
            "0.12亿",
            "１２００万",
        ] {
            assert_eq!(yuan(written), Ok(12_000_000), "{written}");
        }
        assert_eq!(Money::parse_written("35.5元").unwrap().fen(), 3_550);
        assert_eq!(Money::parse_written("1.23456万").unwrap().fen(), 1_234_560);
        assert_eq!(Money::parse_written("1.234567万").unwrap().fen(), 1_234_567);
        assert!(matches!(
            Money::parse_written("1.2345678万"),
            Err(MoneyError::TooPrecise(_))
        ));
        for bad in ["12,00", "万", "1,2345万", "abc", "1.2.3万", ""] {
            assert!(
                matches!(Money::parse_written(bad), Err(MoneyError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_yuan_to_the_fen() {
        assert_eq!("1250000".parse::<Money>().unwrap().fen(), 125_000_000);
        assert_eq!("35.5".parse::<Money>().unwrap().fen(), 3550);
        assert_eq!("35.05".parse::<Money>().unwrap().fen(), 3505);
        assert_eq!("-3".parse::<Money>().unwrap().fen(), -300);
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        for bad in ["", "1,000", "1e6", "12.", ".5", "¥5", "5 元", "--1"] {
            assert!(
                matches!(bad.parse::<Money>(), Err(MoneyError::Malformed(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            "1.234".parse::<Money>(),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            "99999999999999999999".parse::<Money>(),
            Err(MoneyError::TooLarge(_))
        ));
    }

    #[test]
    fn displays_canonically() {
        assert_eq!(Money::from_fen(125_000_000).to_string(), "1250000");
        assert_eq!(Money::from_fen(3550).to_string(), "35.50");
        assert_eq!(Money::from_fen(-5).to_string(), "-0.05");
    }

    proptest::proptest! {
        #[test]
        fn display_then_parse_is_identity(fen in proptest::num::i64::ANY.prop_map(|f| f / 1000)) {
            let money = Money::from_fen(fen);
            proptest::prop_assert_eq!(money.to_string().parse::<Money>().unwrap(), money);
        }
    }
    use proptest::strategy::Strategy;
}
