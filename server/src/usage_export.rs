//! `GET /api/projects/{project}/usage/export?format=csv|json&from=…&to=…`: each model's use in
//! each turn of a range of days, as a file to download (the Usage page's export buttons). The
//! range reads as `get_usage`'s: a blank end is today, a blank start 30 days before it.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use engine::{Engine, EngineError};
use model::ProjectId;
use model::usage_report::{DayRange, ExportFormat, UsageRecord, to_csv};
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
        Err(EngineError::NotFound(m)) => {
            return (StatusCode::NOT_FOUND, format!("{m} not found")).into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "exporting usage");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the usage").into_response();
        }
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
    let file = format!(
        "attachment; filename=\"devlog-usage-{project}-{}-{}.{}\"",
        range.from,
        range.to,
        format.as_str()
    );
    let disposition =
        HeaderValue::from_str(&file).unwrap_or_else(|_| HeaderValue::from_static("attachment"));
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

fn refused(message: String) -> Response {
    (StatusCode::BAD_REQUEST, message).into_response()
}
