//! The board's activity stream over HTTP: one line per event worth showing, only for sessions
//! working on a task of the requested project; 404 for an unknown project.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use engine::Engine;
use engine::store::sessions::NewSession;
use http_body_util::BodyExt;
use model::stream::{Activity, ActivityLine};
use model::{
    PermissionPolicy, ProjectId, RuntimeSelection, SessionId, StreamEvent, TaskDraft, TaskId,
};
use tower::ServiceExt;

use crate::common;

async fn project(engine: &Engine, repo: &tempfile::TempDir) -> ProjectId {
    engine
        .register_project(model::ProjectDraft {
            path: repo.path().display().to_string(),
            ..Default::default()
        })
        .await
        .unwrap()
        .id
}

async fn session(engine: &Engine, project: ProjectId, task: Option<TaskId>) -> SessionId {
    engine
        .db()
        .write(move |conn| {
            engine::store::sessions::insert(
                conn,
                &NewSession {
                    project,
                    task,
                    runtime: &RuntimeSelection::default(),
                    permission: PermissionPolicy::Ask,
                    cwd: "/tmp",
                    resume: None,
                },
            )
            .map_err(engine::EngineError::from)
        })
        .await
        .unwrap()
        .id
}

/// The data of the next SSE message (heartbeat comments skipped).
async fn next_data(body: &mut Body) -> String {
    let mut buffer = String::new();
    loop {
        let frame = body.frame().await.expect("stream ended").unwrap();
        if let Ok(data) = frame.into_data() {
            buffer.push_str(&String::from_utf8_lossy(&data));
        }
        if let Some(end) = buffer.find("\n\n") {
            let block = &buffer[..end];
            if let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) {
                return data.trim().to_string();
            }
            buffer.drain(..end + 2);
        }
    }
}

#[tokio::test]
async fn a_board_hears_only_its_own_tasks() {
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(data.path()).await.unwrap();
    let (repo_a, repo_b) = (common::git_repo(), common::git_repo());
    let (a, b) = (
        project(&engine, &repo_a).await,
        project(&engine, &repo_b).await,
    );
    let draft = || TaskDraft {
        title: "t".into(),
        ..Default::default()
    };
    let task_a = engine.create_task(a, draft()).await.unwrap().id;
    let task_b = engine.create_task(b, draft()).await.unwrap().id;
    let (mine, foreign, loose) = (
        session(&engine, a, Some(task_a)).await,
        session(&engine, b, Some(task_b)).await,
        session(&engine, a, None).await,
    );
    let router = common::router(&engine);
    let request = |p: i64| {
        Request::get(format!("/api/projects/{p}/activity"))
            .header(header::HOST, common::HOST)
            .body(Body::empty())
            .unwrap()
    };
    let missing = router.clone().oneshot(request(999)).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let response = router.oneshot(request(a.0)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let text = |t: &str| StreamEvent::AssistantText { text: t.into() };
    engine
        .events()
        .append(foreign, text("another project's work"));
    engine
        .events()
        .append(loose, text("a session without a task"));
    engine.events().append(mine, StreamEvent::QueueDrained);
    engine.events().append(
        mine,
        StreamEvent::ToolCall {
            id: "1".into(),
            name: "Bash".into(),
            input: serde_json::json!({"command": "cargo test"}),
        },
    );
    engine.events().flush().await;
    let activity: Activity = serde_json::from_str(&next_data(&mut body).await).unwrap();
    assert_eq!(
        activity,
        Activity {
            session: mine,
            task: task_a,
            line: ActivityLine {
                line: "▸ Bash: cargo test".into(),
                ended: false
            }
        }
    );
}
