//! Words for people in both languages: the [`Lang`] a viewer reads (Chinese by default,
//! English one click away) and [`Text`], a message carried in both until it is shown.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Picks the Chinese or English variant of a name; English falls back to Chinese.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::En if !en.is_empty() => en,
            _ => zh,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn param(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// A message for people, in both languages: built where the facts are known, shown in the
/// reader's language where it is read (a page, an API answer, a log line).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The same words in both languages: a number, a code, a name the user typed.
    pub fn same(s: impl Into<String>) -> Text {
        let s = s.into();
        Text {
            zh: s.clone(),
            en: s,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Each message after the other, with the punctuation of each language: `；` or `; `.
    pub fn join<'a>(texts: impl IntoIterator<Item = &'a Text>) -> Text {
        let mut out = Text::default();
        for t in texts {
            if !out.zh.is_empty() {
                out.zh.push('；');
                out.en.push_str("; ");
            }
            out.zh.push_str(&t.zh);
            out.en.push_str(&t.en);
        }
        out
    }

    /// `prefix` then this message, as a field name before its problem: `标题：为空`.
    pub fn after(&self, prefix: &Text) -> Text {
        Text {
            zh: format!("{}：{}", prefix.zh, self.zh),
            en: format!("{}: {}", prefix.en, self.en),
        }
    }
}

impl std::fmt::Display for Text {
    /// The English words: for logs and the command line, which are English today.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

/// Builds a [`Text`] from a Chinese and an English format string, both taking the same
/// arguments from the surrounding scope: `text!("没有编号为 {id} 的企业", "no enterprise with id {id}")`.
#[macro_export]
macro_rules! text {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::Text {
            zh: format!($zh),
            en: format!($en),
        }
    };
}

/// A typed problem that can say what is wrong in both languages.
pub trait Explain {
    fn explain(&self) -> Text;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_join_with_each_languages_punctuation() {
        let id = 7;
        let a = text!("没有编号为 {id} 的企业", "no enterprise with id {id}");
        let b = Text::new("标题为空", "title is empty");
        let joined = Text::join([&a, &b]);
        assert_eq!(joined.get(Lang::Zh), "没有编号为 7 的企业；标题为空");
        assert_eq!(
            joined.get(Lang::En),
            "no enterprise with id 7; title is empty"
        );
        assert_eq!(
            Text::new("为空", "is empty")
                .after(&Text::new("标题", "title"))
                .zh,
            "标题：为空"
        );
    }
}
