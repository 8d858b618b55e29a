//! A project's usage over a range of days: what the Usage page shows (a daily chart, totals
//! by agent and by model, the most expensive tasks) and what its export writes (each recorded
//! turn, as CSV or JSON).

use crate::time::Day;
use crate::usage::{CostSource, Tokens, UsageTotal};
use crate::validation::{Field, ValidationError};
use crate::{SessionId, TaskId};
use serde::{Deserialize, Serialize};

/// The longest range a report covers: a year, leap day included.
pub const MAX_RANGE_DAYS: i64 = 366;
/// The range shown when none is asked for: the last 30 days, today included.
pub const DEFAULT_RANGE_DAYS: i64 = 30;
/// How many of the most expensive tasks a report lists.
pub const TOP_TASKS: usize = 10;

/// Days from `from` to `to`, both included (UTC days, as every time DevLog shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayRange {
    pub from: Day,
    pub to: Day,
}

impl DayRange {
    /// The range of the two dates a user typed ("2026-12-03"), a blank one meaning the
    /// default: up to `today`, from [`DEFAULT_RANGE_DAYS`] before the end.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: Day,
    ) -> Result<Self, ValidationError> {
        let day = |field: Field, text: Option<&str>| match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Day::parse(text).map(Some).ok_or_else(|| {
                ValidationError::new(field, format!("{text:?} is not a date such as 2026-12-03"))
            }),
        };
        let to = day(Field::DateTo, to)?.unwrap_or(today);
        let from = day(Field::DateFrom, from)?.unwrap_or(to.plus(1 - DEFAULT_RANGE_DAYS));
        DayRange::new(from, to)
    }

    pub fn new(from: Day, to: Day) -> Result<Self, ValidationError> {
        if from > to {
            return Err(ValidationError::new(
                Field::DateFrom,
                format!("is after the end of the range ({to})"),
            ));
        }
        let range = DayRange { from, to };
        if range.day_count() > MAX_RANGE_DAYS {
            return Err(ValidationError::new(
                Field::DateFrom,
                format!("a range covers at most {MAX_RANGE_DAYS} days"),
            ));
        }
        Ok(range)
    }

    /// How many days it covers (at least one).
    pub fn day_count(&self) -> i64 {
        self.to.0 - self.from.0 + 1
    }

    /// Each of its days, in order.
    pub fn days(&self) -> impl Iterator<Item = Day> + use<> {
        (self.from.0..=self.to.0).map(Day)
    }

    /// Its instants as Unix milliseconds: from the first one, up to (without) the end.
    pub fn millis(&self) -> (i64, i64) {
        (self.from.start_ms(), self.to.plus(1).start_ms())
    }
}

/// What the Usage page shows for one project and range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    pub range: DayRange,
    pub total: UsageTotal,
    /// Every day of the range, in order, those without usage as an empty total.
    pub days: Vec<(Day, UsageTotal)>,
    /// By agent as the user reads it ("Claude Code", "ACP agent qwen"), the costliest first.
    pub by_agent: Vec<(String, UsageTotal)>,
    /// By model as the CLI named it, the costliest first.
    pub by_model: Vec<(String, UsageTotal)>,
    /// The [`TOP_TASKS`] costliest tasks still on the board.
    pub top_tasks: Vec<TaskUsage>,
}

/// One task's usage in a report's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskUsage {
    pub task: TaskId,
    pub title: String,
    pub total: UsageTotal,
}

/// The label of usage recorded without a model name.
pub const UNNAMED_MODEL: &str = "(model not named)";

/// `totals` the costliest first, then by tokens, then by name (a stable order).
pub fn costliest_first(totals: &mut [(String, UsageTotal)]) {
    totals.sort_by(|(a_name, a), (b_name, b)| {
        b.cost_usd
            .total_cmp(&a.cost_usd)
            .then(b.tokens.total().cmp(&a.tokens.total()))
            .then(a_name.cmp(b_name))
    });
}

/// The day of each of `days` in `range`, an empty total for the days not among them.
pub fn every_day(range: DayRange, days: &[(Day, UsageTotal)]) -> Vec<(Day, UsageTotal)> {
    range
        .days()
        .map(|day| {
            let total = days.iter().find(|(d, _)| *d == day).map(|(_, t)| *t);
            (day, total.unwrap_or_default())
        })
        .collect()
}

crate::wire_enum! {
    /// What the usage export writes.
    pub enum ExportFormat {
        Csv = "csv",
        Json = "json",
    }
}

/// One model's use in one turn, as the export writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageRecord {
    /// Unix milliseconds.
    pub at: i64,
    pub task: Option<TaskId>,
    /// The task's title; `None` once the task was deleted.
    pub task_title: Option<String>,
    pub session: SessionId,
    /// The agent as the user reads it.
    pub agent: String,
    pub model: Option<String>,
    pub tokens: Tokens,
    pub cost_usd: Option<f64>,
    pub cost_source: CostSource,
}

const CSV_HEADER: &str = "time_utc,task_id,task_title,session_id,agent,model,input_tokens,\
output_tokens,cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd,cost_source\r\n";

/// `records` as CSV (RFC 4180: CRLF lines, fields quoted where they need it), one line per
/// record under a header; the time as "2026-12-03T10:15:00.000Z".
pub fn to_csv(records: &[UsageRecord]) -> String {
    let mut csv = String::from(CSV_HEADER);
    for r in records {
        let t = &r.tokens;
        let fields = [
            iso_time(r.at),
            r.task.map(|t| t.to_string()).unwrap_or_default(),
            csv_field(r.task_title.as_deref().unwrap_or_default()),
            r.session.to_string(),
            csv_field(&r.agent),
            csv_field(r.model.as_deref().unwrap_or_default()),
            t.input.to_string(),
            t.output.to_string(),
            t.cache_read.to_string(),
            t.cache_write.to_string(),
            t.reasoning.to_string(),
            r.cost_usd.map(|c| format!("{c:.6}")).unwrap_or_default(),
            r.cost_source.as_str().to_string(),
        ];
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    }
    csv
}

/// A field quoted when it holds a comma, a quote or a line break; a leading `=`, `+`, `-` or
/// `@` is prefixed with `'` so a spreadsheet does not run a task's title as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn iso_time(ms: i64) -> String {
    let t = crate::time::UtcTime::from_unix_ms(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.millis
    )
}

#[cfg(test)]
#[path = "usage_report_tests.rs"]
mod tests;
