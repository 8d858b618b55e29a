//! Budgets (issue "Usage, budgets and attention", item 3): a task's, in dollars or tokens,
//! counted across all its attempts (its own, else the project's default for tasks), and a
//! project's for each UTC day, which holds the queue once spent. Pure: the server enforces
//! and the pages show the same words.

use crate::usage::{UsageTotal, compact, dollars};
use crate::validation::{Field, ValidationError};
use serde::{Deserialize, Serialize};

/// How much may be spent. On the wire and in SQLite: `{"usd": 2.5}` or `{"tokens": 200000}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// US dollars, of the cost the CLIs report or the price table estimates; tokens without
    /// a price count nothing here (a token budget counts them).
    Usd(f64),
    /// Every token read or written ([`crate::usage::Tokens::total`]).
    Tokens(u64),
}

/// The most a budget may be: beyond it is a typo.
const MAX_USD: f64 = 100_000.0;

impl Budget {
    /// What a user types: "$2.50" or "2.5" (dollars), "200k tokens", "1.5M tokens" or
    /// "200000 tokens"; blank is no budget.
    pub fn parse(field: Field, text: &str) -> Result<Option<Budget>, ValidationError> {
        let text = text.trim().to_lowercase();
        if text.is_empty() {
            return Ok(None);
        }
        let bad = || {
            ValidationError::new(
                field,
                format!(
                    "{text:?} is not a budget: write dollars (\"$5\", \"2.50\") or tokens (\"200k tokens\")"
                ),
            )
        };
        if let Some(count) = text
            .strip_suffix("tokens")
            .or_else(|| text.strip_suffix("token"))
        {
            let count = count.trim().replace([',', '_'], "");
            let (number, scale) = match count.chars().last() {
                Some('k') => (&count[..count.len() - 1], 1_000.0),
                Some('m') => (&count[..count.len() - 1], 1_000_000.0),
                _ => (count.as_str(), 1.0),
            };
            let value: f64 = number.trim().parse().map_err(|_| bad())?;
            let tokens = (value * scale).round();
            if !(1.0..=1e15).contains(&tokens) {
                return Err(ValidationError::new(
                    field,
                    "a token budget must be at least 1 token",
                ));
            }
            return Ok(Some(Budget::Tokens(tokens as u64)));
        }
        let amount = text.strip_prefix('$').unwrap_or(&text).trim();
        let usd: f64 = amount.parse().map_err(|_| bad())?;
        if !usd.is_finite() || usd <= 0.0 {
            return Err(ValidationError::new(field, "a budget must be more than $0"));
        }
        if usd > MAX_USD {
            return Err(ValidationError::new(
                field,
                format!("a budget above {} is surely a typo", dollars(MAX_USD)),
            ));
        }
        Ok(Some(Budget::Usd(usd)))
    }

    /// "$2.50" or "200.0k tokens": what [`Budget::parse`] reads back.
    pub fn describe(&self) -> String {
        match *self {
            Budget::Usd(usd) => dollars(usd),
            Budget::Tokens(n) => format!("{} tokens", compact(n)),
        }
    }

    /// What `spent` amounts to in this budget's unit, as text.
    pub fn describe_spent(&self, spent: &UsageTotal) -> String {
        match self {
            Budget::Usd(_) => dollars(spent.cost_usd),
            Budget::Tokens(_) => format!("{} tokens", compact(spent.tokens.total())),
        }
    }

    /// Whether `spent` has reached it.
    pub fn is_reached(&self, spent: &UsageTotal) -> bool {
        match *self {
            Budget::Usd(usd) => spent.cost_usd >= usd,
            Budget::Tokens(n) => spent.tokens.total() >= n,
        }
    }

    /// A task's failure once it is reached: "budget of $2.00 reached after $2.13".
    pub fn reached_reason(&self, spent: &UsageTotal) -> String {
        format!(
            "budget of {} reached after {}",
            self.describe(),
            self.describe_spent(spent)
        )
    }
}

/// A project's spending of one UTC day against its daily budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailySpend {
    pub budget: Budget,
    pub spent: UsageTotal,
    /// The next day's first millisecond (Unix ms): when the queue may start again.
    pub next_day: i64,
}

impl DailySpend {
    pub fn is_spent(&self) -> bool {
        self.budget.is_reached(&self.spent)
    }
}

/// A project's budgets and what it spent today, for Settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectBudgets {
    /// For each task without its own.
    pub task_default: Option<Budget>,
    pub daily: Option<Budget>,
    /// Spent today (UTC).
    pub today: UsageTotal,
}

/// A task's budget and what it has spent so far, for its page and its card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskBudget {
    /// The task's own budget, if it has one.
    pub own: Option<Budget>,
    /// The project's default for tasks (applies when the task has none).
    pub default: Option<Budget>,
    pub spent: UsageTotal,
}

impl TaskBudget {
    /// The budget that applies.
    pub fn applies(&self) -> Option<Budget> {
        self.own.or(self.default)
    }

    /// Why no attempt may start (or go on): its budget is reached.
    pub fn reached(&self) -> Option<String> {
        self.applies()
            .filter(|b| b.is_reached(&self.spent))
            .map(|b| b.reached_reason(&self.spent))
    }
}

#[cfg(test)]
#[path = "budget_tests.rs"]
mod tests;
