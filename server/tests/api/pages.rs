//! Every page's first HTML carries its own data for hydration, never an error from a render
//! the server threw away.
//!
//! The server may render a page more than once for one request (a `Suspense` around it runs
//! its children again once its own data is in), and the resources of a discarded render are
//! still written into the page. A page whose data took two server calls made its second call
//! after the discarded render's owner was gone, without the request's context: its slot held
//! "the engine is not available", and the browser, hydrating whichever slot came first,
//! hydrated an error panel over the page and left its buttons dead.

use axum::http::StatusCode;
use std::process::Command;

use crate::board::get;
use crate::support::{seeded, send};

/// The hydration data of a page: each resolved resource's JSON text.
fn resolved_resources(html: &str) -> Vec<&str> {
    html.split("__RESOLVED_RESOURCES[")
        .skip(1) // the text before the first
        .filter_map(|part| part.split_once("] = \"").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split("\";").next())
        .collect()
}

#[tokio::test]
async fn no_page_hydrates_an_error_of_a_discarded_render() {
    let s = seeded().await;
    // A worktree with a change in it: the worktrees page runs git in it, which takes a while.
    let worktree = s.data.path().join("extra-worktree");
    let added = Command::new("git")
        .arg("-C")
        .arg(&s.project.path)
        .args(["worktree", "add", "-q", "-b", "task/00000001-seed-task"])
        .arg(&worktree)
        .status()
        .unwrap();
    assert!(added.success());
    std::fs::write(worktree.join("new.txt"), "work\n").unwrap();

    let p = s.project.id;
    let cwd = s.project.path.clone();
    let session = s
        .engine
        .db()
        .write(move |conn| {
            engine::store::sessions::insert(
                conn,
                &engine::store::sessions::NewSession {
                    project: p,
                    task: None,
                    runtime: &model::RuntimeSelection::default(),
                    permission: model::PermissionPolicy::Ask,
                    cwd: &cwd,
                    resume: None,
                },
            )
            .map_err(engine::EngineError::from)
        })
        .await
        .unwrap();
    for path in [
        format!("/p/{p}/sessions/{}", session.id),
        format!("/p/{p}/board"),
        format!("/p/{p}/sessions"),
        format!("/p/{p}/settings"),
        format!("/p/{p}/worktrees"),
        format!("/p/{p}/locks"),
        format!("/p/{p}/usage"),
        format!("/p/{p}/tasks/{}", s.task.id),
        "/".to_string(),
    ] {
        let (status, html) = send(&s.router, get(&path, None)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let data = resolved_resources(&html);
        assert!(!data.is_empty(), "{path}: no hydration data");
        for resource in data {
            assert!(
                resource.starts_with(r#"{\"Ok\":"#),
                "{path}: a resource that is not the page's data: {resource}"
            );
        }
    }
}

/// A page renders on whichever worker thread picks it up: nothing it builds may be tied to
/// one thread (a listener list in thread-local storage panicked when the board was rendered
/// on one worker and dropped on another, and the connection was closed without an answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_on_any_worker_thread() {
    let s = seeded().await;
    let p = s.project.id;
    let mut renders = tokio::task::JoinSet::new();
    for round in 0..12 {
        for path in [
            format!("/p/{p}/board"),
            format!("/p/{p}/usage"),
            format!("/p/{p}/settings"),
            format!("/p/{p}/tasks/{}", s.task.id),
        ] {
            let router = s.router.clone();
            renders.spawn(async move {
                let (status, _) = send(&router, get(&path, None)).await;
                (round, path, status)
            });
        }
    }
    while let Some(done) = renders.join_next().await {
        let (round, path, status) = done.expect("a render panicked");
        assert_eq!(status, StatusCode::OK, "{path} (round {round})");
    }
}
