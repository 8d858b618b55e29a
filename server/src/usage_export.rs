//! The Usage page's downloads:
//! - `GET /api/projects/{project}/usage/export?format=csv|json&from=…&to=…`: each model's use in
//!   each turn of a range of days. The range reads as `get_usage`'s: a blank end is today, a
//!   blank start 30 days before it.
//! - `GET /api/projects/{project}/usage/report?period=day|week|month&date=…`: the report of the
//!   period that holds the date (default today), one self-contained HTML file.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use engine::{Engine, EngineError};
use model::ProjectId;
use model::time::Day;
use model::usage_report::{DayRange, ExportFormat, UsageRecord, to_csv};
use model::work_report::Period;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// The JSON export: the range, then its records.
#[derive(Serialize)]
struct UsageExport<'a> {
    project: ProjectId,
    range: DayRange,
    records: &'a [UsageRecord],
}

pub async fn export_usage(
    State(engine): State<Engine>,
    Path(project): Path<i64>,
    Query(query): Query<ExportQuery>,
) -> Response {
    let project = ProjectId(project);
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("") => ExportFormat::Csv,
        Some(name) => match ExportFormat::parse(name) {
            Some(format) => format,
            None => return refused(format!("format: {name:?} is not csv or json")),
        },
    };
    let range = match DayRange::parse(query.from.as_deref(), query.to.as_deref(), engine.today()) {
        Ok(range) => range,
        Err(e) => return refused(e.to_string()),
    };
    let records = match engine.usage_records(project, range).await {
        Ok(records) => records,
        Err(e) => return engine_failure(e, "exporting usage"),
    };
    let (body, content_type) = match format {
        ExportFormat::Csv => (to_csv(&records), "text/csv; charset=utf-8"),
        ExportFormat::Json => match serde_json::to_string_pretty(&UsageExport {
            project,
            range,
            records: &records,
        }) {
            Ok(json) => (json, "application/json"),
            Err(e) => {
                tracing::error!(error = %e, "encoding the usage export");
                return (StatusCode::INTERNAL_SERVER_ERROR, "cannot encode the usage")
                    .into_response();
            }
        },
    };
    let name = format!(
        "devlog-usage-{project}-{}-{}.{}",
        range.from,
        range.to,
        format.as_str()
    );
    download(name, content_type, body)
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    period: Option<String>,
    date: Option<String>,
}

pub async fn usage_report(
    State(engine): State<Engine>,
    Path(project): Path<i64>,
    Query(query): Query<ReportQuery>,
) -> Response {
    let project = ProjectId(project);
    let period = match query.period.as_deref().map(str::trim) {
        None | Some("") => Period::Week,
        Some(name) => match Period::parse(name) {
            Some(period) => period,
            None => return refused(format!("period: {name:?} is not day, week or month")),
        },
    };
    let day = match query.date.as_deref().map(str::trim) {
        None | Some("") => engine.today(),
        Some(text) => match Day::parse(text) {
            Some(day) => day,
            None => return refused(format!("date: {text:?} is not a date such as 2026-12-03")),
        },
    };
    let report = match engine.work_report(project, period, day).await {
        Ok(report) => report,
        Err(e) => return engine_failure(e, "making a report"),
    };
    download(
        report.file_name(project),
        "text/html; charset=utf-8",
        app::report::report_html(report),
    )
}

/// `body` as a file to save as `name`, never cached (it is of the moment).
fn download(name: String, content_type: &'static str, body: String) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

fn engine_failure(e: EngineError, doing: &str) -> Response {
    match e {
        EngineError::NotFound(m) => {
            (StatusCode::NOT_FOUND, format!("{m} not found")).into_response()
        }
        e => {
            tracing::error!(error = %e, "{doing}");
            (StatusCode::INTERNAL_SERVER_ERROR, format!("failed {doing}")).into_response()
        }
    }
}

fn refused(message: String) -> Response {
    (StatusCode::BAD_REQUEST, message).into_response()
}
