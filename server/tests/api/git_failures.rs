//! A repository or worktree that changed under DevLog (moved, deleted) is a state the user can
//! act on, never a server error: 404 with the folder named, or 409 with git's reason.

use crate::support::{call, json, seeded, send};
use axum::http::StatusCode;
use serde_json::json as j;

#[tokio::test]
async fn a_deleted_project_folder_answers_404_naming_it() {
    let s = seeded().await;
    let folder = s.project.path.clone();
    std::fs::remove_dir_all(&folder).unwrap();
    for name in ["list_worktrees", "prune_worktrees"] {
        let (status, body) = send(
            &s.router,
            call(name, j!({"project": s.project.id}).to_string()),
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}: {body}");
        let message = json(&body)["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(message.contains(&folder), "{name}: {message}");
    }
}

#[tokio::test]
async fn a_patch_of_a_task_whose_worktree_is_gone_answers_404() {
    let s = seeded().await;
    let worktree = s.data.path().join("worktrees/gone");
    let (project, task) = (s.project.id, s.task.id);
    let shown = worktree.display().to_string();
    s.engine
        .db()
        .write(move |conn| -> Result<(), engine::EngineError> {
            engine::store::tasks::set_worktree(conn, project, task, "task/gone", &shown)?;
            Ok(())
        })
        .await
        .unwrap();
    let args = j!({"project": project, "task": task, "path": "README.md"});
    let (status, body) = send(&s.router, call("get_file_patch", args.to_string())).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("worktree"), "{body}");
}
