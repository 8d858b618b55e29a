//! Text shortened for display: a card's activity line, a summary in a prompt, a reason.

/// `text` cut to at most `max` characters (not bytes: never inside a character), with `…`
/// when something was cut.
pub fn cut_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_not_a_byte() {
        assert_eq!(cut_chars("héllo", 2), "hé…");
        assert_eq!(cut_chars("héllo", 5), "héllo");
        assert_eq!(cut_chars("", 3), "");
    }
}
