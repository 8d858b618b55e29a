//! Helpers of the boundary tests (contract, security, fuzz): a router around an engine on a
//! temp dir, seeded with a project and a task so that real ids exist, and one-shot requests.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use engine::Engine;
use serde_json::Value;
use tower::ServiceExt;

use crate::common::{self, HOST};

pub struct Seeded {
    pub router: Router,
    pub engine: Engine,
    pub data: tempfile::TempDir,
    pub _repo: tempfile::TempDir,
    pub project: model::Project,
    pub task: model::Task,
}

pub async fn seeded() -> Seeded {
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(data.path()).await.unwrap();
    let repo = common::git_repo();
    let project = engine
        .register_project(model::ProjectDraft {
            path: repo.path().display().to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let task = engine
        .create_task(
            project.id,
            model::TaskDraft {
                title: "Seed task".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    Seeded {
        router: common::router(&engine),
        engine,
        data,
        _repo: repo,
        project,
        task,
    }
}

pub async fn send(router: &Router, req: Request<Body>) -> (StatusCode, String) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// `POST /api/<name>` with `body` as `application/json`, as curl or the app sends it.
pub fn call(name: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(format!("/api/{name}"))
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap()
}

/// The JSON of an answer, `Null` if it is not JSON.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}
