//! Suggestions for a reference to an unknown revision: the known id it is a typo of, or
//! the one it is a prefix or readable part of. Shared by the compile-time check and the
//! runtime's graph errors.

/// The known id closest to a mistyped one, when it is close enough to be a typo
/// (a swap of two neighbouring characters counts as one edit).
pub fn closest<'a>(id: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::osa_distance(id, k), *k))
        // Two edits of a two-letter id leave nothing of it: not a typo.
        .filter(|&(d, k)| d > 0 && d <= 2.max(k.len() / 6) && d < k.len().min(id.len()))
        .min()
        .map(|(_, k)| k)
}

/// The one known id that starts or ends with `part`, for a reference written as a prefix
/// (`1975ea`) or as the readable part of an id (`add_email` for `0003_add_email`).
pub fn completion<'a>(part: &str, known: &[&'a str]) -> Option<&'a str> {
    let mut found = known
        .iter()
        .filter(|k| k.len() > part.len() && (k.starts_with(part) || k.ends_with(part)));
    match (found.next(), found.next()) {
        (Some(only), None) => Some(*only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids_only() {
        let known = ["1975ea83b712", "ae1027a6acf0", "0003_add_email"];
        assert_eq!(closest("1975ea83b721", &known), Some("1975ea83b712"));
        assert_eq!(closest("0003_add_emial", &known), Some("0003_add_email"));
        assert_eq!(closest("ffffffffffff", &known), None);
        assert_eq!(closest("zz", &["a", "ab"]), None, "no typo of a short id");
        assert_eq!(
            closest("1975ea83b712", &known),
            None,
            "an exact id is not a typo"
        );
    }

    #[test]
    fn completes_a_unique_prefix_or_readable_part() {
        let known = [
            "1975ea83b712",
            "1975eb000000",
            "0003_add_email",
            "0004_add_emails",
        ];
        assert_eq!(completion("1975ea", &known), Some("1975ea83b712"));
        assert_eq!(completion("add_email", &known), Some("0003_add_email"));
        assert_eq!(completion("1975e", &known), None, "two ids start with it");
        assert_eq!(completion("0003_add_email", &known), None);
    }
}
