//! What an agent's turns used: tokens by kind and model, and what they cost — as the CLI
//! reported it, or estimated from a price table per model where a CLI reports tokens only
//! ([`crate::prices`]).

use serde::{Deserialize, Serialize};

/// Tokens of one model in one turn, by kind. `input` is the input not read from a cache:
/// each CLI's report is brought to that one meaning (OpenAI's `input_tokens` include the
/// cached ones, Anthropic's do not). `reasoning` is part of `output`, told apart where the CLI
/// says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    #[serde(default)]
    pub input: u64,
    #[serde(default)]
    pub output: u64,
    #[serde(default)]
    pub cache_read: u64,
    #[serde(default)]
    pub cache_write: u64,
    #[serde(default)]
    pub reasoning: u64,
}

impl Tokens {
    /// `self` less `earlier`, kind by kind; `None` when any kind went down (a count that
    /// started again).
    pub fn checked_sub(&self, earlier: &Tokens) -> Option<Tokens> {
        Some(Tokens {
            input: self.input.checked_sub(earlier.input)?,
            output: self.output.checked_sub(earlier.output)?,
            cache_read: self.cache_read.checked_sub(earlier.cache_read)?,
            cache_write: self.cache_write.checked_sub(earlier.cache_write)?,
            reasoning: self.reasoning.checked_sub(earlier.reasoning)?,
        })
    }

    /// Every token read or written (reasoning is counted within output).
    pub fn total(&self) -> u64 {
        self.input + self.output + self.cache_read + self.cache_write
    }

    /// Each kind at the higher of the two: a report superseding an earlier one of the same
    /// call, whichever kinds either gave.
    pub fn raise_to(&mut self, other: &Tokens) {
        self.input = self.input.max(other.input);
        self.output = self.output.max(other.output);
        self.cache_read = self.cache_read.max(other.cache_read);
        self.cache_write = self.cache_write.max(other.cache_write);
        self.reasoning = self.reasoning.max(other.reasoning);
    }

    pub fn add(&mut self, other: &Tokens) {
        self.input += other.input;
        self.output += other.output;
        self.cache_read += other.cache_read;
        self.cache_write += other.cache_write;
        self.reasoning += other.reasoning;
    }
}

/// What one model used in one turn, as the CLI reported it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelUsage {
    /// The model as the CLI named it; `None` when the CLI does not say (Codex's
    /// `turn.completed`): the session's chosen model is used then, if it has one.
    #[serde(default)]
    pub model: Option<String>,
    pub tokens: Tokens,
    /// The CLI's own cost in US dollars (Claude Code reports one per model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// The figures are the running total of the CLI's session, not this turn's (Codex's
    /// `turn.completed`, Claude Code's `modelUsage`): the turn's share is what grew since
    /// the turns recorded before ([`ModelUsage::turn_share`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cumulative: bool,
}

/// What a turn cost as its CLI reported it, model by model: `None` when no model's cost is
/// known. (Claude Code's `total_cost_usd` is the process's running total, not the turn's.)
pub fn reported_cost(models: &[ModelUsage]) -> Option<f64> {
    models
        .iter()
        .filter_map(|m| m.cost_usd)
        .fold(None, |sum, cost| Some(sum.unwrap_or(0.0) + cost))
}

impl ModelUsage {
    /// This turn's own use, given what the session's earlier turns recorded for the model:
    /// a running total less those; all of it when the total is smaller (the CLI started a
    /// new count, e.g. a new thread).
    pub fn turn_share(&self, recorded_tokens: &Tokens, recorded_cost: f64) -> ModelUsage {
        let share = ModelUsage {
            cumulative: false,
            ..self.clone()
        };
        if !self.cumulative {
            return share;
        }
        let cost_grew = self.cost_usd.is_none_or(|c| c >= recorded_cost);
        match self.tokens.checked_sub(recorded_tokens) {
            Some(tokens) if cost_grew => ModelUsage {
                tokens,
                cost_usd: self.cost_usd.map(|c| c - recorded_cost),
                ..share
            },
            _ => share,
        }
    }
}

/// Where a recorded cost comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostSource {
    /// The CLI said what it cost.
    Reported,
    /// Tokens priced by the price table.
    Estimated,
    /// Tokens of a model the price table has no price for (or no model named): no cost.
    Unpriced,
}

impl CostSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CostSource::Reported => "reported",
            CostSource::Estimated => "estimated",
            CostSource::Unpriced => "unpriced",
        }
    }

    pub fn parse(s: &str) -> Option<CostSource> {
        match s {
            "reported" => Some(CostSource::Reported),
            "estimated" => Some(CostSource::Estimated),
            "unpriced" => Some(CostSource::Unpriced),
            _ => None,
        }
    }
}

/// One model's use in one turn, recorded: what the usage rows of the store hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnUsage {
    pub model: Option<String>,
    pub tokens: Tokens,
    pub cost_usd: Option<f64>,
    pub source: CostSource,
    /// Unix milliseconds.
    pub at: i64,
}

/// A sum of recorded usage: a session's, an attempt's, a task's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageTotal {
    pub tokens: Tokens,
    /// The sum of the costs that are known.
    pub cost_usd: f64,
    /// Some of it has a cost (reported or estimated).
    pub priced: bool,
    /// Part of the cost is the price table's estimate.
    pub estimated: bool,
    /// Some tokens have no price: the cost leaves them out.
    pub unpriced: bool,
}

/// Rows are summed by the store (`engine::store::usage`); totals are summed here.
impl UsageTotal {
    /// The sum of totals (a task's, of its attempts').
    pub fn sum<'a>(totals: impl IntoIterator<Item = &'a UsageTotal>) -> UsageTotal {
        let mut sum = UsageTotal::default();
        for total in totals {
            sum.tokens.add(&total.tokens);
            sum.cost_usd += total.cost_usd;
            sum.priced |= total.priced;
            sum.estimated |= total.estimated;
            sum.unpriced |= total.unpriced;
        }
        sum
    }

    /// Nothing recorded.
    pub fn is_empty(&self) -> bool {
        self.tokens.total() == 0 && self.cost_usd == 0.0
    }

    /// "$0.05 · 12.5k tokens", with "(estimated)" when any of it is and "+ unpriced tokens"
    /// when some tokens have no price; "110 tokens (no price for the model)" when none has.
    pub fn label(&self) -> String {
        let tokens = format!("{} tokens", compact(self.tokens.total()));
        if !self.priced {
            return format!("{tokens} (no price for the model)");
        }
        let mut label = format!("{} · {tokens}", dollars(self.cost_usd));
        if self.estimated {
            label.push_str(" (estimated)");
        }
        if self.unpriced {
            label.push_str(" + unpriced tokens");
        }
        label
    }
}

/// What one model call of a running turn has used so far, as the CLI reports it while the
/// turn runs (Claude Code's messages' `usage`): the same `call` may be reported again, with
/// figures that only grow (its output as the model writes it). The turn's `TurnEnded` is
/// its account; these are the running figure a budget stops a turn on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallUsage {
    /// The call's id (Claude Code's message id).
    pub call: String,
    /// The model, when this report names it.
    pub model: Option<String>,
    pub tokens: Tokens,
}

/// The running turn's calls so far, each at the highest figures reported for it (a call is
/// reported once per content block and again as its output grows: counting each report
/// would count it many times over).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunningUsage {
    /// In the order first reported.
    calls: Vec<CallUsage>,
    /// Where each call is in `calls`.
    index: std::collections::HashMap<String, usize>,
}

impl RunningUsage {
    /// Takes in one report: a new call, or newer figures of a known one.
    pub fn observe(&mut self, report: &CallUsage) {
        match self
            .index
            .get(&report.call)
            .and_then(|&i| self.calls.get_mut(i))
        {
            Some(known) => {
                known.tokens.raise_to(&report.tokens);
                if report.model.is_some() {
                    known.model.clone_from(&report.model);
                }
            }
            None => {
                self.index.insert(report.call.clone(), self.calls.len());
                self.calls.push(report.clone());
            }
        }
    }

    /// The turn so far, a [`ModelUsage`] per model (in the order first seen): what is recorded
    /// of a turn whose process was stopped before it gave its account.
    pub fn models(&self) -> Vec<ModelUsage> {
        let mut models: Vec<ModelUsage> = Vec::new();
        for call in &self.calls {
            match models.iter_mut().find(|m| m.model == call.model) {
                Some(known) => known.tokens.add(&call.tokens),
                None => models.push(ModelUsage {
                    model: call.model.clone(),
                    tokens: call.tokens,
                    cost_usd: None,
                    cumulative: false,
                }),
            }
        }
        models
    }

    /// The turn so far, priced by `prices` (`model` for a call that names none): the cost
    /// is the table's estimate, the CLI says its own only at the turn's end.
    pub fn total(&self, prices: &crate::prices::PriceTable, model: Option<&str>) -> UsageTotal {
        let mut total = UsageTotal::default();
        for call in &self.calls {
            let used = ModelUsage {
                model: call.model.clone().or_else(|| model.map(str::to_string)),
                tokens: call.tokens,
                cost_usd: None,
                cumulative: false,
            };
            total.tokens.add(&call.tokens);
            match prices.priced(&used) {
                (Some(cost), _) => {
                    total.cost_usd += cost;
                    total.priced = true;
                    total.estimated = true;
                }
                (None, _) => total.unpriced |= call.tokens.total() > 0,
            }
        }
        total
    }
}

/// Dollars with the cents a user reads: "$0.05", "$12.40", under a cent "<$0.01".
pub fn dollars(usd: f64) -> String {
    if usd > 0.0 && usd < 0.005 {
        "<$0.01".into()
    } else {
        format!("${usd:.2}")
    }
}

/// "950", "12.5k", "3.2M".
pub fn compact(n: u64) -> String {
    // The bounds are where the rounded figure would reach the next unit ("1000.0k").
    match n {
        0..1_000 => n.to_string(),
        1_000..999_950 => format!("{:.1}k", n as f64 / 1_000.0),
        _ => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
