//! Text shortened for display: a card's activity line, a summary in a prompt, a reason.

/// `text` cut to at most `max` characters (not bytes: never inside a character), with `…`
/// when something was cut.
pub fn cut_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The last `max` characters of `text` (where a log says why it failed).
pub fn tail_chars(text: &str, max: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(max)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_keep_the_end_by_characters() {
        assert_eq!(tail_chars("héllo", 3), "llo");
        assert_eq!(tail_chars("ab", 5), "ab");
        assert_eq!(tail_chars("aé", 1), "é");
    }

    #[test]
    fn cuts_at_a_character_not_a_byte() {
        assert_eq!(cut_chars("héllo", 2), "hé…");
        assert_eq!(cut_chars("héllo", 5), "héllo");
        assert_eq!(cut_chars("", 3), "");
    }
}
