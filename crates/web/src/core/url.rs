//! Paths and query values in URLs: %-encoding with the `percent-encoding` crate.

/// Characters a path or query value keeps as they are; everything else is %-escaped.
const KEPT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// `s` as a query-string value.
pub(crate) fn percent_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, KEPT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_switch_paths_survive_encoding() {
        let path = "/chains/rail?region=430200";
        let encoded = percent_encode(path);
        let decoded = percent_encoding::percent_decode_str(&encoded)
            .decode_utf8()
            .unwrap();
        assert_eq!(decoded, path);
        assert_eq!(percent_encode("株洲 a+b"), "%E6%A0%AA%E6%B4%B2%20a%2Bb");
    }
}
