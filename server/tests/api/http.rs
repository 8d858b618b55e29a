//! HTTP-level tests of the router: health, the security layer, and server functions refusing
//! malformed bodies without changing anything.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use engine::Engine;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common;

use common::HOST;

struct TestServer {
    router: Router,
    engine: Engine,
    _data: tempfile::TempDir,
    _repo: tempfile::TempDir,
    project: model::Project,
}

async fn server() -> TestServer {
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
    let router = common::router(&engine);
    TestServer {
        router,
        engine,
        _data: data,
        _repo: repo,
        project,
    }
}

async fn send(router: &Router, req: Request<Body>) -> (StatusCode, String) {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = to_bytes(res.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn post_json(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn healthz_reports_version_and_database() {
    let s = server().await;
    let req = Request::get("/healthz")
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (status, body) = send(&s.router, req).await;
    assert_eq!(status, StatusCode::OK);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["database"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn foreign_hosts_are_refused() {
    let s = server().await;
    for host in ["evil.example", "evil.example:3000", "127.0.0.1:9999"] {
        let req = Request::get("/healthz")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        let (status, body) = send(&s.router, req).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
        assert!(body.contains("DNS rebinding"), "{body}");
    }
    let req = Request::get("/healthz")
        .header(header::HOST, "localhost:3000")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&s.router, req).await.0, StatusCode::OK);
}

#[tokio::test]
async fn cross_origin_writes_are_refused_and_change_nothing() {
    let s = server().await;
    let body = json!({"project": s.project.id, "draft": {"title": "from evil"}}).to_string();
    let mut req = post_json("/api/create_task", &body);
    req.headers_mut()
        .insert(header::ORIGIN, "http://evil.example".parse().unwrap());
    assert_eq!(send(&s.router, req).await.0, StatusCode::FORBIDDEN);

    let mut req = post_json("/api/create_task", &body);
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&s.router, req).await.0, StatusCode::FORBIDDEN);

    assert!(s.engine.board(s.project.id).await.unwrap().1.is_empty());

    // The same request from DevLog's own page goes through.
    let mut req = post_json("/api/create_task", &body);
    req.headers_mut()
        .insert(header::ORIGIN, format!("http://{HOST}").parse().unwrap());
    let (status, text) = send(&s.router, req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(s.engine.board(s.project.id).await.unwrap().1.len(), 1);
}

#[tokio::test]
async fn server_functions_have_stable_json_endpoints() {
    let s = server().await;
    let body =
        json!({"project": s.project.id, "draft": {"title": "  Write docs ", "priority": "high"}});
    let (status, text) = send(&s.router, post_json("/api/create_task", &body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let task: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(task["title"], "Write docs");
    assert_eq!(task["status"], "todo");

    let (status, text) = send(
        &s.router,
        post_json(
            "/api/get_board",
            &json!({"project": s.project.id}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let board: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(board["tasks"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_bodies_are_4xx_and_change_nothing() {
    let s = server().await;
    let p = s.project.id.0;
    let cases = [
        ("[]".to_string(), "array"),
        ("\"create\"".to_string(), "string"),
        ("{}".to_string(), "missing fields"),
        (json!({"project": p}).to_string(), "missing draft"),
        (
            json!({"project": "one", "draft": {"title": "x"}}).to_string(),
            "wrong project type",
        ),
        (
            json!({"project": p, "draft": {"title": 5}}).to_string(),
            "wrong title type",
        ),
        (
            json!({"project": p, "draft": {"title": "x", "priority": "asap"}}).to_string(),
            "unknown priority",
        ),
        (
            json!({"project": p, "draft": []}).to_string(),
            "draft array",
        ),
        ("{not json".to_string(), "not json"),
    ];
    for (body, case) in cases {
        let (status, text) = send(&s.router, post_json("/api/create_task", &body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}: {text}");
        let err: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!(err["kind"], "bad_request", "{case}: {text}");
    }
    assert!(s.engine.board(s.project.id).await.unwrap().1.is_empty());
}

#[tokio::test]
async fn rule_breaking_inputs_get_typed_errors_with_their_status() {
    let s = server().await;
    let p = s.project.id.0;
    let (status, text) = send(
        &s.router,
        post_json(
            "/api/create_task",
            &json!({"project": p, "draft": {"title": "   "}}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    let err: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (err["kind"].as_str(), err["field"].as_str()),
        (Some("invalid"), Some("title"))
    );

    let (status, _) = send(
        &s.router,
        post_json("/api/get_board", &json!({"project": 4242}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let task = s
        .engine
        .create_task(
            s.project.id,
            model::TaskDraft {
                title: "t".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (status, text) = send(
        &s.router,
        post_json(
            "/api/move_task",
            &json!({"project": p, "task": task.id, "status": "done"}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("cannot go from to do to done"), "{text}");
    let (status, _) = send(
        &s.router,
        post_json(
            "/api/move_task",
            &json!({"project": p, "task": task.id, "status": "doing"}).to_string(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(s.engine.task(s.project.id, task.id).await.unwrap(), task);
}

#[tokio::test]
async fn the_board_is_server_rendered_with_every_card() {
    let s = server().await;
    for title in ["Alpha task", "Beta task"] {
        s.engine
            .create_task(
                s.project.id,
                model::TaskDraft {
                    title: title.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    let req = Request::get(format!("/p/{}/board", s.project.id))
        .header(header::HOST, HOST)
        .body(Body::empty())
        .unwrap();
    let (status, html) = send(&s.router, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Alpha task") && html.contains("Beta task"),
        "{html}"
    );
    assert!(html.contains("2 active · 0 queued · 0 failed"));
}
