//! Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from a
//! 31-character alphabet, the last one a check character over the first 17.

use std::fmt;
use std::str::FromStr;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A validated unified social credit code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("has {0} characters, expected 18")]
    WrongLength(usize),
    #[error("character {position} is '{found}', expected a digit or one of A-H J-N P-R T U W-Y")]
    BadCharacter { position: usize, found: char },
    #[error("check character is '{found}', expected '{expected}'")]
    BadCheck { found: char, expected: char },
}

fn alphabet_index(byte: u8) -> Option<u32> {
    ALPHABET.iter().position(|&c| c == byte).map(|i| i as u32)
}

/// The check character for the first 17 characters of a code.
///
/// Panics if a character is outside the alphabet; callers validate first.
pub(crate) fn check_character(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| alphabet_index(b).expect("validated character") * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    ALPHABET[check as usize] as char
}

impl CreditCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Completes 17 valid characters with their check character. Used by the demo
    /// generator, which invents codes that must pass the same validation as real ones.
    pub fn with_check_character(first17: &str) -> Result<Self, CreditCodeError> {
        let mut code = first17.to_string();
        code.push('0');
        let mut chars: Vec<u8> = code.into_bytes();
        validate_characters(&chars)?;
        chars[17] = check_character(&chars[..17]) as u8;
        Ok(CreditCode(String::from_utf8(chars).expect("ascii")))
    }
}

fn validate_characters(bytes: &[u8]) -> Result<(), CreditCodeError> {
    if bytes.len() != 18 {
        return Err(CreditCodeError::WrongLength(bytes.len()));
    }
    for (i, &b) in bytes.iter().enumerate() {
        if alphabet_index(b).is_none() {
            return Err(CreditCodeError::BadCharacter {
                position: i + 1,
                found: b as char,
            });
        }
    }
    Ok(())
}

impl FromStr for CreditCode {
    type Err = CreditCodeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let count = s.chars().count();
        if count != 18 {
            return Err(CreditCodeError::WrongLength(count));
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
            return Err(CreditCodeError::BadCharacter {
                position: i + 1,
                found: c,
            });
        }
        let bytes = s.as_bytes();
        validate_characters(bytes)?;
        let expected = check_character(&bytes[..17]);
        let found = bytes[17] as char;
        if found != expected {
            return Err(CreditCodeError::BadCheck { found, expected });
        }
        Ok(CreditCode(s.to_string()))
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl crate::Explain for CreditCodeError {
    fn explain(&self) -> crate::Text {
        use crate::text;
        match *self {
            CreditCodeError::WrongLength(n) => {
                text!(
                    "有 {n} 个字符，应为 18 个",
                    "has {n} characters, expected 18"
                )
            }
            CreditCodeError::BadCharacter { position, found } => text!(
                "第 {position} 个字符是“{found}”，应为数字或 A-H J-N P-R T U W-Y 之一",
                "character {position} is '{found}', expected a digit or one of A-H J-N P-R T U W-Y"
            ),
            CreditCodeError::BadCheck { found, expected } => text!(
                "校验码是“{found}”，应为“{expected}”",
                "check character is '{found}', expected '{expected}'"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes published by the registered enterprises themselves.
    const PUBLISHED: [&str; 3] = [
        "91350100M000100Y43",
        "91110000600037341L",
        "914403001922038216",
    ];

    #[test]
    fn accepts_published_codes() {
        for code in PUBLISHED {
            assert_eq!(code.parse::<CreditCode>().unwrap().as_str(), code);
        }
    }

    #[test]
    fn reports_the_expected_check_character() {
        let err = "91350100M000100Y44".parse::<CreditCode>().unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::BadCheck {
                found: '4',
                expected: '3'
            }
        );
        assert_eq!(err.to_string(), "check character is '4', expected '3'");
    }

    #[test]
    fn rejects_letters_outside_the_alphabet_and_wrong_lengths() {
        let err = "91350100I000100Y43".parse::<CreditCode>().unwrap_err();
        assert_eq!(
            err,
            CreditCodeError::BadCharacter {
                position: 9,
                found: 'I'
            }
        );
        assert_eq!(
            "9135".parse::<CreditCode>().unwrap_err(),
            CreditCodeError::WrongLength(4)
        );
        assert!(matches!(
            "91350100中000100Y43".parse::<CreditCode>().unwrap_err(),
            CreditCodeError::BadCharacter { position: 9, .. }
        ));
    }

    #[test]
    fn completes_codes_with_their_check_character() {
        let code = CreditCode::with_check_character("91350100M000100Y4").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
    }

    proptest::proptest! {
        #[test]
        fn every_completed_code_validates(body in "[0-9A-HJ-NP-RTUW-Y]{17}") {
            let code = CreditCode::with_check_character(&body).unwrap();
            proptest::prop_assert_eq!(code.as_str().parse::<CreditCode>().unwrap(), code);
        }
    }
}
