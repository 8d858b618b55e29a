//! Prices per model, for the turns whose CLI reports tokens but no cost: a table with
//! defaults that ships with DevLog, which a project may replace in Settings (as text, one
//! model per line). A recorded turn keeps the cost it was given; a new table prices the turns
//! after it.

use crate::usage::{CostSource, ModelUsage, Tokens};
use crate::validation::{Field, ValidationError};
use serde::{Deserialize, Serialize};

/// At most this many prices in a table.
pub const MAX_PRICES: usize = 100;
/// The longest model pattern.
pub const PATTERN_MAX: usize = 100;
/// The highest price per million tokens accepted (well above any model's): a typo such as
/// "25000" for "25" is refused, not priced.
pub const PRICE_MAX: f64 = 1_000.0;

/// US dollars per million tokens of a model, by kind; `model` is a pattern of its names
/// (`*` matches any run of characters, case is ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub model: String,
    pub input: f64,
    pub output: f64,
    pub cache_read: f64,
    pub cache_write: f64,
}

impl Price {
    fn new(model: &str, input: f64, output: f64, cache_read: f64, cache_write: f64) -> Price {
        Price {
            model: model.into(),
            input,
            output,
            cache_read,
            cache_write,
        }
    }

    /// What `tokens` cost at this price.
    pub fn cost(&self, tokens: &Tokens) -> f64 {
        let per_token = |n: u64, per_million: f64| n as f64 * per_million / 1_000_000.0;
        per_token(tokens.input, self.input)
            + per_token(tokens.output, self.output)
            + per_token(tokens.cache_read, self.cache_read)
            + per_token(tokens.cache_write, self.cache_write)
    }
}

/// Prices per model, the first pattern that matches a model's name winning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceTable {
    pub prices: Vec<Price>,
}

impl Default for PriceTable {
    /// The list prices of the models the agents run by default (US dollars per million
    /// tokens, December 2026; an estimate, labelled so wherever it is shown).
    fn default() -> Self {
        PriceTable {
            prices: vec![
                Price::new("*opus*", 5.0, 25.0, 0.5, 6.25),
                Price::new("*sonnet*", 3.0, 15.0, 0.3, 3.75),
                Price::new("*haiku*", 1.0, 5.0, 0.1, 1.25),
                Price::new("gpt-5*mini*", 0.25, 2.0, 0.025, 0.0),
                Price::new("gpt-5*nano*", 0.05, 0.4, 0.005, 0.0),
                Price::new("gpt-5*", 1.25, 10.0, 0.125, 0.0),
                Price::new("o4-mini*", 1.1, 4.4, 0.275, 0.0),
                Price::new("gemini*flash-lite*", 0.1, 0.4, 0.025, 0.0),
                Price::new("gemini*flash*", 0.3, 2.5, 0.075, 0.0),
                Price::new("gemini*pro*", 1.25, 10.0, 0.31, 0.0),
            ],
        }
    }
}

impl PriceTable {
    /// The price of `model`: the first entry whose pattern matches its name.
    pub fn price_of(&self, model: &str) -> Option<&Price> {
        let model = model.to_ascii_lowercase();
        self.prices
            .iter()
            .find(|p| wildcard_match(&p.model.to_ascii_lowercase(), &model))
    }

    /// What one model's use in a turn cost, and where that figure comes from: the CLI's
    /// own when it reported one, else the table's estimate.
    pub fn priced(&self, usage: &ModelUsage) -> (Option<f64>, CostSource) {
        if let Some(cost) = usage.cost_usd {
            return (Some(cost), CostSource::Reported);
        }
        match usage.model.as_deref().and_then(|m| self.price_of(m)) {
            Some(price) => (Some(price.cost(&usage.tokens)), CostSource::Estimated),
            None => (None, CostSource::Unpriced),
        }
    }
}

impl PriceTable {
    /// The table as the Settings page edits it: a comment line naming the columns, then one
    /// line per price, "pattern, input, output, cache read, cache write".
    pub fn to_text(&self) -> String {
        let mut text = String::from(TEXT_HEADER);
        for p in &self.prices {
            text.push_str(&format!(
                "{}, {}, {}, {}, {}\n",
                p.model, p.input, p.output, p.cache_read, p.cache_write
            ));
        }
        text
    }

    /// The table a user wrote (see [`PriceTable::to_text`]): fields apart by commas or
    /// spaces; blank lines and lines starting with `#` are skipped. The first bad line is
    /// refused, naming it.
    pub fn parse_text(text: &str) -> Result<PriceTable, ValidationError> {
        let mut prices = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |message: String| {
                ValidationError::new(Field::Prices, format!("line {}: {message}", n + 1))
            };
            let fields: Vec<&str> = line
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|f| !f.is_empty())
                .collect();
            let [model, input, output, cache_read, cache_write] = fields[..] else {
                return Err(bad(format!(
                    "has {} fields; a price is a model pattern and four prices",
                    fields.len()
                )));
            };
            if model.chars().count() > PATTERN_MAX || model.chars().any(char::is_control) {
                return Err(bad(format!(
                    "the model pattern is longer than {PATTERN_MAX} characters or has control characters"
                )));
            }
            let price = |what: &str, value: &str| match value.parse::<f64>() {
                Ok(v) if v.is_finite() && (0.0..=PRICE_MAX).contains(&v) => Ok(v),
                _ => Err(bad(format!(
                    "the {what} price {value:?} is not a number of dollars from 0 to {PRICE_MAX}"
                ))),
            };
            prices.push(Price {
                model: model.to_string(),
                input: price("input", input)?,
                output: price("output", output)?,
                cache_read: price("cache read", cache_read)?,
                cache_write: price("cache write", cache_write)?,
            });
            if prices.len() > MAX_PRICES {
                return Err(bad(format!("a table holds at most {MAX_PRICES} prices")));
            }
        }
        Ok(PriceTable { prices })
    }
}

const TEXT_HEADER: &str = "# model pattern (* is any text), then US$ per million tokens: input, output, cache read, cache write\n";

/// Whether `name` matches `pattern`, where `*` is any run of characters (a model's name is
/// not a path: `anthropic/claude-opus` matches `*opus*`).
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty(); // no `*`: the whole name
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(model: Option<&str>, tokens: Tokens, cost: Option<f64>) -> ModelUsage {
        ModelUsage {
            model: model.map(str::to_string),
            tokens,
            cost_usd: cost,
            cumulative: false,
        }
    }

    const MILLION_IN_AND_OUT: Tokens = Tokens {
        input: 1_000_000,
        output: 1_000_000,
        cache_read: 0,
        cache_write: 0,
        reasoning: 0,
    };

    #[test]
    fn a_reported_cost_is_kept_as_the_cli_said_it() {
        let table = PriceTable::default();
        let claude = usage(Some("claude-sonnet-4-5"), MILLION_IN_AND_OUT, Some(0.05));
        assert_eq!(table.priced(&claude), (Some(0.05), CostSource::Reported));
    }

    #[test]
    fn tokens_only_are_priced_by_the_first_matching_model() {
        let table = PriceTable::default();
        let (cost, source) = table.priced(&usage(Some("gpt-5-mini"), MILLION_IN_AND_OUT, None));
        assert_eq!(source, CostSource::Estimated);
        assert!((cost.unwrap() - 2.25).abs() < 1e-9, "{cost:?}");
        let (cost, _) = table.priced(&usage(Some("GPT-5-Codex"), MILLION_IN_AND_OUT, None));
        assert!((cost.unwrap() - 11.25).abs() < 1e-9, "{cost:?}");
        let (cost, _) = table.priced(&usage(Some("gemini-3.8-flash"), MILLION_IN_AND_OUT, None));
        assert!((cost.unwrap() - 2.8).abs() < 1e-9, "{cost:?}");
    }

    #[test]
    fn patterns_match_whole_names_with_stars_for_any_run() {
        assert!(wildcard_match("gpt-5*", "gpt-5-codex"));
        assert!(wildcard_match("*opus*", "anthropic/claude-opus-4-5"));
        assert!(wildcard_match("gemini*flash*", "gemini-3.8-flash"));
        assert!(wildcard_match("o4-mini", "o4-mini"));
        assert!(!wildcard_match("o4-mini", "o4-mini-high"));
        assert!(!wildcard_match("gpt-5*", "xgpt-5"));
        assert!(!wildcard_match("a*bc", "abc-b"));
        assert!(wildcard_match("a*b*b", "abab"));
        assert!(!wildcard_match("ab*ba", "aba"));
    }

    #[test]
    fn cache_tokens_have_their_own_price() {
        let price = Price::new("x", 3.0, 15.0, 0.3, 3.75);
        let tokens = Tokens {
            cache_read: 1_000_000,
            cache_write: 2_000_000,
            ..Tokens::default()
        };
        assert!((price.cost(&tokens) - 7.8).abs() < 1e-9);
    }

    #[test]
    fn an_unknown_or_unnamed_model_is_unpriced() {
        let table = PriceTable::default();
        let unknown = usage(Some("llama-9"), MILLION_IN_AND_OUT, None);
        assert_eq!(table.priced(&unknown), (None, CostSource::Unpriced));
        let unnamed = usage(None, MILLION_IN_AND_OUT, None);
        assert_eq!(table.priced(&unnamed), (None, CostSource::Unpriced));
    }

    #[test]
    fn the_text_of_a_table_reads_back_as_the_table() {
        let table = PriceTable::default();
        assert_eq!(PriceTable::parse_text(&table.to_text()).unwrap(), table);
        assert!(table.to_text().contains("\n*opus*, 5, 25, 0.5, 6.25\n"));
    }

    #[test]
    fn a_users_table_may_use_spaces_comments_and_blank_lines() {
        let table =
            PriceTable::parse_text("# mine\n\n  my-model  1 2 0.1 0 \nother,1,2,3,4").unwrap();
        assert_eq!(
            table.prices,
            [
                Price::new("my-model", 1.0, 2.0, 0.1, 0.0),
                Price::new("other", 1.0, 2.0, 3.0, 4.0)
            ]
        );
        assert_eq!(PriceTable::parse_text("").unwrap().prices, []);
        let (cost, source) = table.priced(&usage(Some("My-Model"), MILLION_IN_AND_OUT, None));
        assert_eq!((cost, source), (Some(3.0), CostSource::Estimated));
    }

    #[test]
    fn a_bad_line_is_refused_naming_it() {
        let refused = |text: &str| PriceTable::parse_text(text).unwrap_err();
        let short = refused("a, 1, 2, 3, 4\nb, 1, 2");
        assert_eq!(short.field, Field::Prices);
        assert!(short.message.starts_with("line 2: has 3 fields"), "{short}");
        assert!(
            refused("a, 1, x, 3, 4")
                .message
                .contains("output price \"x\"")
        );
        assert!(refused("a, -1, 2, 3, 4").message.contains("input price"));
        assert!(
            refused("a, 1, 2, NaN, 4")
                .message
                .contains("cache read price")
        );
        assert!(
            refused("a, 1, 2, 3, 25000")
                .message
                .contains("cache write price")
        );
        assert!(
            refused(&format!("{}, 1, 2, 3, 4", "m".repeat(101)))
                .message
                .contains("pattern")
        );
        let many = "m, 1, 1, 1, 1\n".repeat(MAX_PRICES + 1);
        assert!(refused(&many).message.contains("at most 100 prices"));
    }
}
