//! The usage export's download and `get_usage`, over turns recorded today.

use axum::body::to_bytes;
use axum::http::{StatusCode, header};
use model::usage::{CostSource, Tokens, TurnUsage};
use tower::ServiceExt;

use crate::board::get;
use crate::support::{Seeded, call, json, seeded, send};

/// Two turns of one session of the seeded task, recorded now: Claude Code's cost as reported,
/// and one unpriced model.
async fn with_turns() -> Seeded {
    let s = seeded().await;
    let (project, task, cwd) = (s.project.id, s.task.id, s.project.path.clone());
    s.engine
        .db()
        .write(move |conn| {
            let session = engine::store::sessions::insert(
                conn,
                &engine::store::sessions::NewSession {
                    project,
                    task: Some(task),
                    runtime: &model::RuntimeSelection::default(),
                    permission: model::PermissionPolicy::Ask,
                    cwd: &cwd,
                    resume: None,
                },
            )?;
            let at = engine::store::now_ms();
            let tokens = Tokens {
                input: 100,
                output: 10,
                ..Tokens::default()
            };
            for (model, cost, source) in [
                ("claude-sonnet-4-5", Some(0.0125), CostSource::Reported),
                ("mystery", None, CostSource::Unpriced),
            ] {
                let turn = TurnUsage {
                    model: Some(model.into()),
                    tokens,
                    cost_usd: cost,
                    source,
                    at,
                };
                engine::store::usage::insert(conn, &session, &turn)?;
            }
            Ok::<_, engine::EngineError>(())
        })
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn the_export_is_a_csv_or_json_download_of_the_ranges_turns() {
    let s = with_turns().await;
    let url = format!("/api/projects/{}/usage/export", s.project.id);
    let res = s.router.clone().oneshot(get(&url, None)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let disposition = headers[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.starts_with(&format!(
            "attachment; filename=\"devlog-usage-{}-",
            s.project.id
        )) && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let csv = String::from_utf8(body.to_vec()).unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].contains(",Seed task,") && lines[1].ends_with(",0.012500,reported"));
    assert!(
        lines[2].ends_with(",mystery,100,10,0,0,0,,unpriced"),
        "{}",
        lines[2]
    );

    let (status, body) = send(&s.router, get(&format!("{url}?format=json"), None)).await;
    assert_eq!(status, StatusCode::OK);
    let exported = json(&body);
    assert_eq!(exported["project"], s.project.id.0);
    assert_eq!(exported["records"].as_array().unwrap().len(), 2);
    assert_eq!(exported["records"][0]["cost_source"], "reported");
}

#[tokio::test]
async fn a_bad_export_request_is_refused_with_what_to_fix() {
    let s = with_turns().await;
    let url = format!("/api/projects/{}/usage/export", s.project.id);
    for (query, expected) in [
        ("?format=xml", "not csv or json"),
        ("?from=2026-13-01", "From:"),
        ("?from=2026-12-04&to=2026-12-03", "after the end"),
        ("?from=2020-01-01&to=2026-01-01", "at most 366 days"),
    ] {
        let (status, body) = send(&s.router, get(&format!("{url}{query}"), None)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains(expected), "{query}: {body}");
    }
    let (status, _) = send(&s.router, get("/api/projects/999/usage/export", None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn get_usage_answers_the_ranges_figures() {
    let s = with_turns().await;
    let body = format!(r#"{{"project":{},"from":null,"to":null}}"#, s.project.id);
    let (status, text) = send(&s.router, call("get_usage", body)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let report = json(&text);
    assert_eq!(report["days"].as_array().unwrap().len(), 30);
    assert_eq!(report["total"]["tokens"]["input"], 200);
    assert_eq!(report["total"]["unpriced"], true);
    assert_eq!(report["by_model"][0][0], "claude-sonnet-4-5");
    assert_eq!(report["top_tasks"][0]["title"], "Seed task");
    let bad = format!(r#"{{"project":{},"from":"soon","to":null}}"#, s.project.id);
    let (status, text) = send(&s.router, call("get_usage", bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("is not a date"), "{text}");
}

#[tokio::test]
async fn the_report_is_one_self_contained_html_file_of_its_period() {
    let s = with_turns().await;
    let url = format!("/api/projects/{}/usage/report", s.project.id);
    let res = s
        .router
        .clone()
        .oneshot(get(&format!("{url}?period=month"), None))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/html; charset=utf-8"
    );
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.contains(&format!("devlog-report-{}-month-", s.project.id)),
        "{disposition}"
    );
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("1 task(s) worked on."), "{html}");
    assert!(
        html.contains("#1 Seed task") || html.contains("Seed task"),
        "{html}"
    );
    assert!(html.contains("<svg") && html.contains("<style>"), "{html}");
    // Nothing to fetch: no script, no stylesheet link, no image from the server.
    for fetched in ["<script", "<link", "src="] {
        assert!(!html.contains(fetched), "{fetched} in {html}");
    }
    for (query, expected) in [
        ("?period=year", "not day, week or month"),
        ("?date=2026-02-30", "not a date"),
    ] {
        let (status, body) = send(&s.router, get(&format!("{url}{query}"), None)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.contains(expected), "{query}: {body}");
    }
}
