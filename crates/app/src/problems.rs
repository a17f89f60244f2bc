//! Collecting every problem of an input before refusing it: each names its field and says,
//! in both languages, what is wrong and what was expected. One refusal lists them all.

use chainatlas_model::{text, Date, Explain, Text};

use crate::{AppError, ErrorCode};

#[derive(Default)]
pub struct Problems(Vec<Text>);

impl Problems {
    /// `field` has `problem`: shown as `title：为空` / `title: is empty`.
    pub fn bad(&mut self, field: &str, problem: Text) {
        self.0.push(problem.after(&Text::same(field)));
    }

    /// A problem that names its fields itself.
    pub fn add(&mut self, problem: Text) {
        self.0.push(problem);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A whole number, `default` when blank (missing when there is no default).
    pub fn number<T: std::str::FromStr>(
        &mut self,
        field: &str,
        raw: &str,
        default: Option<T>,
    ) -> Option<T> {
        match raw.trim() {
            "" if default.is_some() => default,
            "" => {
                self.bad(field, missing_number());
                None
            }
            s => match s.parse::<T>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.bad(field, not_a_number(s));
                    None
                }
            },
        }
    }

    pub fn date(&mut self, field: &str, raw: &str) -> Option<Date> {
        match raw.trim().parse::<Date>() {
            Ok(d) => Some(d),
            Err(e) => {
                self.bad(field, e.explain());
                None
            }
        }
    }

    /// An id, as typed (`12`) or as a picker fills it (`株洲天邦轨道装备有限公司 #12`).
    pub fn id(&mut self, field: &str, raw: &str) -> Option<i64> {
        self.number::<i64>(field, picked_id(raw), None)
    }

    /// A date or nothing: `Some(None)` when blank, `None` when malformed.
    pub fn opt_date(&mut self, field: &str, raw: &str) -> Option<Option<Date>> {
        if raw.trim().is_empty() {
            return Some(None);
        }
        self.date(field, raw).map(Some)
    }

    /// Refuses with every problem, under `code`, or lets the input through.
    pub fn finish(self, code: ErrorCode) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::new(code, Text::join(&self.0)))
        }
    }
}

/// The id in what an id field holds: the digits after the last `#` when a picker filled
/// it with a name (`株洲天邦 #12`), else the text itself.
pub fn picked_id(raw: &str) -> &str {
    match raw.rsplit_once('#') {
        Some((_, id)) => id.trim(),
        None => raw.trim(),
    }
}

pub fn missing_number() -> Text {
    text!("未填写，应为整数", "is missing, expected a whole number")
}

pub fn not_a_number(s: &str) -> Text {
    text!("“{s}”不是整数", "'{s}' is not a whole number")
}

/// Text longer than its limit.
pub fn too_long(chars: usize, max: usize) -> Text {
    text!(
        "有 {chars} 个字符，最多 {max} 个",
        "has {chars} characters, at most {max} allowed"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_read_as_typed_or_as_a_picker_fills_it() {
        assert_eq!(picked_id(" 12 "), "12");
        assert_eq!(picked_id("株洲天邦轨道装备有限公司 #12"), "12");
        assert_eq!(picked_id("A#B #7"), "7");
        let mut p = Problems::default();
        assert_eq!(p.id("buyer_id", "马钢 #3"), Some(3));
        assert_eq!(p.id("buyer_id", "马钢"), None);
        assert!(!p.is_empty(), "a name alone is not an id");
    }
}
