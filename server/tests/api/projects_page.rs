//! The Projects page's data (issue 14): the repository the server was started in is offered
//! until it is registered, and the page says where tasks' worktrees go.

use axum::http::StatusCode;

use crate::support::{call, json, seeded, send};

#[tokio::test]
async fn the_repository_the_server_runs_in_is_offered_until_it_is_registered() {
    let s = seeded().await;
    // The test process runs in the checkout: a git repository, unless it was copied without
    // its history (then nothing can be offered).
    let here = std::env::current_dir().unwrap();
    let around = s
        .engine
        .inspect_project_path(&here.to_string_lossy())
        .await
        .ok();
    let (status, text) = send(&s.router, call("get_projects_page", "{}")).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let page = json(&text);
    assert_eq!(page["projects"].as_array().map(Vec::len), Some(1), "{text}");
    assert_eq!(
        page["worktrees_dir"],
        s.data.path().join("worktrees").display().to_string()
    );
    let Some(found) = around else {
        assert!(page["start_folder"].is_null(), "{text}");
        return;
    };
    assert_eq!(page["start_folder"]["path"], found.path, "{text}");
    assert_eq!(page["start_folder"]["name"], found.name, "{text}");

    s.engine
        .register_project(model::ProjectDraft {
            path: found.path.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let (_, text) = send(&s.router, call("get_projects_page", "{}")).await;
    let page = json(&text);
    assert!(page["start_folder"].is_null(), "registered: {text}");
    assert_eq!(page["projects"].as_array().map(Vec::len), Some(2), "{text}");
}
