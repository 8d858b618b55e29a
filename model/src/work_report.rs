//! A report of a day, a week or a month of a project: what was done (the tasks its agents
//! worked on, and where each stands now: reviewed, merged, failed), by which agent, at what
//! cost. Exported as one self-contained HTML file.

use crate::time::Day;
use crate::usage::UsageTotal;
use crate::usage_report::{DayRange, UsageReport};
use crate::{TaskId, TaskStatus};
use serde::{Deserialize, Serialize};

crate::wire_enum! {
    /// The span of a report.
    pub enum Period {
        Day = "day",
        Week = "week",
        Month = "month",
    }
}

impl Period {
    /// The days of the period that holds `day`: the day itself, its week (Monday to
    /// Sunday, as ISO 8601 counts weeks), or its calendar month.
    pub fn range_of(self, day: Day) -> DayRange {
        let (from, to) = match self {
            Period::Day => (day, day),
            Period::Week => {
                let monday = day.plus(-day.weekday_from_monday());
                (monday, monday.plus(6))
            }
            Period::Month => {
                let first = day.first_of_month();
                (first, first.plus(day.days_in_its_month() - 1))
            }
        };
        DayRange { from, to }
    }

    /// What the report is of: "2026-12-03", "the week of 2026-11-30", "2026-12".
    pub fn title(self, range: DayRange) -> String {
        match self {
            Period::Day => range.from.to_string(),
            Period::Week => format!("the week of {}", range.from),
            Period::Month => range.from.to_string()[..7].to_string(),
        }
    }
}

/// One project's report of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkReport {
    pub project: String,
    pub period: Period,
    pub usage: UsageReport,
    /// The tasks worked on in the period (an attempt active in it, or usage recorded in
    /// it), the costliest first.
    pub tasks: Vec<ReportedTask>,
    /// Unix milliseconds.
    pub generated_at: i64,
}

/// A task as a report lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedTask {
    pub task: TaskId,
    pub title: String,
    /// Where it stands now (when the report is made).
    pub status: TaskStatus,
    /// The agents of its attempts in the period, as the user reads them.
    pub agents: Vec<String>,
    /// Its attempts active in the period, and how many of those failed.
    pub attempts: u32,
    pub failed_attempts: u32,
    /// What it used in the period.
    pub total: UsageTotal,
}

impl WorkReport {
    /// How many of its tasks now stand at `status`.
    pub fn count(&self, status: TaskStatus) -> usize {
        self.tasks.iter().filter(|t| t.status == status).count()
    }

    /// "devlog-report-3-week-2026-11-30.html".
    pub fn file_name(&self, project: crate::ProjectId) -> String {
        format!(
            "devlog-report-{project}-{}-{}.html",
            self.period.as_str(),
            self.usage.range.from
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn range(from: &str, to: &str) -> DayRange {
        DayRange::new(day(from), day(to)).unwrap()
    }

    #[test]
    fn a_period_is_the_day_its_week_from_monday_or_its_month() {
        // 2026-12-03 is a Thursday; 2024 is a leap year.
        for (period, of, from, to) in [
            (Period::Day, "2026-12-03", "2026-12-03", "2026-12-03"),
            (Period::Week, "2026-12-03", "2026-11-30", "2026-12-06"),
            (Period::Week, "2026-11-30", "2026-11-30", "2026-12-06"),
            (Period::Week, "2026-12-06", "2026-11-30", "2026-12-06"),
            (Period::Month, "2026-12-03", "2026-12-01", "2026-12-31"),
            (Period::Month, "2024-02-10", "2024-02-01", "2024-02-29"),
            (Period::Month, "2026-02-28", "2026-02-01", "2026-02-28"),
        ] {
            assert_eq!(
                period.range_of(day(of)),
                range(from, to),
                "{period:?} of {of}"
            );
        }
    }

    #[test]
    fn a_period_says_what_it_is_of() {
        let week = Period::Week.range_of(day("2026-12-03"));
        assert_eq!(Period::Week.title(week), "the week of 2026-11-30");
        assert_eq!(
            Period::Month.title(Period::Month.range_of(day("2026-12-03"))),
            "2026-12"
        );
        assert_eq!(
            Period::Day.title(range("2026-12-03", "2026-12-03")),
            "2026-12-03"
        );
        assert_eq!(Period::parse("week"), Some(Period::Week));
        assert_eq!(Period::parse("year"), None);
    }
}
