//! Usage: what a project's agents used over a range of days (`model::usage_report`). Its
//! export, each recorded turn as CSV or JSON, is a download the server serves at
//! [`crate::paths::USAGE_EXPORT_ROUTE`].

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::ProjectId;
use model::usage_report::UsageReport;

/// The project's usage from `from` to `to` (days "2026-12-03", both included, UTC): its
/// total, each day's, by agent, by model, and the costliest tasks. A blank end is today, a
/// blank start 30 days before the end; a bad date or a range over a year is refused, naming
/// the field.
#[server(endpoint = "get_usage", input = StrictJson)]
pub async fn get_usage(
    project: ProjectId,
    from: Option<String>,
    to: Option<String>,
) -> Result<UsageReport, AppError> {
    let engine = super::engine()?;
    let range =
        model::usage_report::DayRange::parse(from.as_deref(), to.as_deref(), engine.today())?;
    Ok(engine.usage_report(project, range).await?)
}
