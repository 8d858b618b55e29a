//! The API's contract at its edges (issue 10, items 6 and 9): an error quotes only a prefix of
//! a bad input and keeps its status whatever its size; arguments are an object of exactly
//! the function's names; one spelling per enum value; a missing dependency is not found.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{call, json, seeded, send};

#[tokio::test]
async fn a_huge_bad_argument_is_400_with_a_short_message() {
    let s = seeded().await;
    let huge = "7".repeat(270_000);
    for body in [
        json!({ "project": huge }).to_string(),
        json!({ huge.clone(): 1 }).to_string(),
        json!({ "project": s.project.id, "draft": { "title": "x", "priority": huge } }).to_string(),
    ] {
        let (status, text) = send(&s.router, call("create_task", body)).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{}",
            &text[..text.len().min(300)]
        );
        assert!(
            text.len() < 1_000,
            "the error echoes the input: {} bytes",
            text.len()
        );
        assert_eq!(json(&text)["kind"], "bad_request", "{text}");
    }
    let (status, text) = send(
        &s.router,
        call("get_project", json!({ "project": huge }).to_string()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        &text[..text.len().min(300)]
    );
    assert!(text.contains("expected i64"), "{text}");
}

#[tokio::test]
async fn positional_arrays_are_refused() {
    let s = seeded().await;
    let p = s.project.id.0;
    for body in [
        json!([p, { "title": "positional" }]).to_string(),
        json!([p]).to_string(),
    ] {
        let (status, text) = send(&s.router, call("create_task", body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
        assert!(text.contains("must be a JSON object"), "{text}");
    }
    let (status, text) = send(
        &s.router,
        call("get_task", json!([p, s.task.id]).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(s.engine.board(s.project.id).await.unwrap().1.len(), 1);
}

#[tokio::test]
async fn unknown_arguments_and_fields_are_refused_by_name() {
    let s = seeded().await;
    let p = s.project.id.0;
    let (status, text) = send(
        &s.router,
        call(
            "create_task",
            json!({ "project": p, "draft": { "title": "x" }, "colour": "red" }).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("unknown argument `colour`"), "{text}");
    let (status, text) = send(
        &s.router,
        call(
            "create_task",
            json!({ "project": p, "draft": { "title": "x", "colour": "red" } }).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("unknown field `draft.colour`"), "{text}");
    // A function without arguments takes exactly `{}`.
    let (status, _) = send(&s.router, call("list_projects", "{}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, text) = send(&s.router, call("list_projects", r#"{"project": 1}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert_eq!(s.engine.board(s.project.id).await.unwrap().1.len(), 1);
}

#[tokio::test]
async fn providers_are_spelled_as_the_readme_says_and_old_spellings_still_read() {
    let s = seeded().await;
    let p = s.project.id.0;
    for (sent, stored) in [
        ("openai_compatible", "openai_compatible"),
        ("open_ai", "openai"),
        ("openai", "openai"),
    ] {
        let selection = json!({ "mode": "local_cli", "agent": "codex", "provider": sent });
        let body = json!({ "project": p, "selection": selection }).to_string();
        let (status, text) = send(&s.router, call("save_runtime", body)).await;
        assert_eq!(status, StatusCode::OK, "{sent}: {text}");
        let body = json!({ "project": p }).to_string();
        let (_, text) = send(&s.router, call("get_settings", body)).await;
        assert_eq!(json(&text)["selection"]["provider"], stored, "{text}");
    }
}

#[tokio::test]
async fn removing_a_dependency_that_does_not_exist_is_not_found() {
    let s = seeded().await;
    let p = s.project.id;
    let other = s
        .engine
        .create_task(
            p,
            model::TaskDraft {
                title: "Other".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let edge = json!({ "project": p, "task": other.id, "on": s.task.id }).to_string();
    let (status, text) = send(&s.router, call("add_dependency", edge.clone())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, text) = send(&s.router, call("remove_dependency", edge.clone())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, text) = send(&s.router, call("remove_dependency", edge)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{text}");
    assert!(text.contains("dependency"), "{text}");
    let never = json!({ "project": p, "task": s.task.id, "on": other.id }).to_string();
    let (status, _) = send(&s.router, call("remove_dependency", never)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The README's API table and the registered server functions name the same endpoints.
#[test]
fn the_readme_documents_every_server_function_and_no_other() {
    let readme = include_str!("../../../README.md");
    let api = &readme[readme.find("## API").unwrap()..];
    let api = &api[..api[3..].find("\n## ").map_or(api.len(), |end| end + 3)];
    let mut documented: Vec<&str> = api
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .flat_map(|line| {
            let endpoints = line.split(" | ").next().unwrap_or("");
            endpoints.split(" / ").map(|e| e.trim_matches('`'))
        })
        .collect();
    documented.sort_unstable();
    let mut registered: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .filter_map(|(path, _)| path.strip_prefix("/api/"))
        .collect();
    registered.sort_unstable();
    assert_eq!(documented, registered);
}

#[tokio::test]
async fn a_start_given_a_budget_that_is_not_one_is_refused_and_changes_nothing() {
    let s = seeded().await;
    let runtime = json!({ "selection": { "agent": "codex", "mode": "local_cli" }, "secrets": {} });
    let (project, task) = (s.project.id, s.task.id);
    for (endpoint, body) in [
        (
            "execute_task",
            json!({ "project": project, "task": task, "runtime": runtime, "budget": "lots" }),
        ),
        (
            "retry_task",
            json!({ "project": project, "task": task, "feedback": "again", "runtime": runtime, "budget": "lots" }),
        ),
    ] {
        let (status, text) = send(&s.router, call(endpoint, body.to_string())).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}: {text}"
        );
        let err = json(&text);
        assert_eq!(
            (err["kind"].as_str(), err["field"].as_str()),
            (Some("invalid"), Some("task_budget")),
            "{endpoint}: {text}"
        );
    }
    let task = s.engine.task(s.project.id, s.task.id).await.unwrap();
    assert_eq!(task.status, model::TaskStatus::Todo);
    let budget = s.engine.task_budget(s.project.id, s.task.id).await.unwrap();
    assert_eq!(budget.own, None);
}
