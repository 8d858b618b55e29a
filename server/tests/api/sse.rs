//! The session event stream over HTTP: 403/404, and exactly-once delivery across a dropped
//! connection while events keep arriving, checked against the store.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use engine::Engine;
use engine::store::sessions::NewSession;
use http_body_util::BodyExt;
use model::{AgentKind, PermissionPolicy, ProjectId, RuntimeSelection, SessionId, StreamEvent};
use tower::ServiceExt;

use crate::common;

use common::HOST;

struct Fixture {
    router: Router,
    engine: Engine,
    project: ProjectId,
    other_project: ProjectId,
    session: SessionId,
    _dirs: Vec<tempfile::TempDir>,
}

async fn fixture() -> Fixture {
    let data = tempfile::tempdir().unwrap();
    let engine = Engine::open(data.path()).await.unwrap();
    let (repo_a, repo_b) = (common::git_repo(), common::git_repo());
    let mut projects = Vec::new();
    for repo in [&repo_a, &repo_b] {
        let p = engine
            .register_project(model::ProjectDraft {
                path: repo.path().display().to_string(),
                ..Default::default()
            })
            .await
            .unwrap();
        projects.push(p.id);
    }
    let project = projects[0];
    let cwd = repo_a.path().display().to_string();
    let session = engine
        .db()
        .write(move |conn| {
            let runtime = RuntimeSelection {
                agent: AgentKind::ClaudeCode,
                model: None,
                ..RuntimeSelection::default()
            };
            engine::store::sessions::insert(
                conn,
                &NewSession {
                    project,
                    task: None,
                    runtime: &runtime,
                    permission: PermissionPolicy::Ask,
                    cwd: &cwd,
                    resume: None,
                },
            )
            .map_err(engine::EngineError::from)
        })
        .await
        .unwrap();
    let router = common::router(&engine);
    Fixture {
        router,
        engine,
        project,
        other_project: projects[1],
        session: session.id,
        _dirs: vec![data, repo_a, repo_b],
    }
}

fn text(i: i64) -> StreamEvent {
    StreamEvent::AssistantText {
        text: format!("line {i}"),
    }
}

fn get(path: &str, last_event_id: Option<i64>) -> Request<Body> {
    let mut req = Request::get(path).header(header::HOST, HOST);
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id.to_string());
    }
    req.body(Body::empty()).unwrap()
}

/// Reads SSE messages until `count` arrived; returns (seq, data) pairs.
async fn read_events(body: &mut Body, count: usize) -> Vec<(i64, String)> {
    let mut buffer = String::new();
    let mut out = Vec::new();
    while out.len() < count {
        let frame = body.frame().await.expect("stream ended early").unwrap();
        if let Ok(data) = frame.into_data() {
            buffer.push_str(&String::from_utf8_lossy(&data));
        }
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut id = None;
            let mut data = None;
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = v.trim().parse().ok();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = Some(v.trim().to_string());
                }
            }
            if let (Some(id), Some(data)) = (id, data) {
                out.push((id, data));
            }
        }
    }
    out
}

#[tokio::test]
async fn unknown_sessions_are_404_and_other_projects_403() {
    let f = fixture().await;
    let res = f
        .router
        .clone()
        .oneshot(get(
            &format!("/api/projects/{}/sessions/999/events", f.project),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = f
        .router
        .clone()
        .oneshot(get(
            &format!(
                "/api/projects/{}/sessions/{}/events",
                f.other_project, f.session
            ),
            None,
        ))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn resume_after_a_dropped_connection_is_exactly_once_and_in_order() {
    let f = fixture().await;
    let path = format!("/api/projects/{}/sessions/{}/events", f.project, f.session);
    for i in 1..=300 {
        f.engine.events().append(f.session, text(i));
    }
    f.engine.events().flush().await;

    // First connection: read part of the history, then drop it mid-stream.
    let res = f.router.clone().oneshot(get(&path, None)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    let mut body = res.into_body();
    let mut received = read_events(&mut body, 120).await;
    drop(body);

    // Events keep coming while the client is away and while it replays.
    let writer = {
        let engine = f.engine.clone();
        let session = f.session;
        tokio::spawn(async move {
            for i in 301..=1_000 {
                engine.events().append(session, text(i));
                if i % 50 == 0 {
                    tokio::task::yield_now().await;
                }
            }
            engine.events().flush().await;
        })
    };
    let last = received.last().unwrap().0;
    let res = f
        .router
        .clone()
        .oneshot(get(&path, Some(last)))
        .await
        .unwrap();
    let mut body = res.into_body();
    received.extend(read_events(&mut body, 1_000 - received.len()).await);
    writer.await.unwrap();

    let seqs: Vec<i64> = received.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=1_000).collect::<Vec<_>>());
    let stored = f
        .engine
        .session_events(f.project, f.session, 0, 2_000)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1_000);
    for ((seq, data), event) in received.iter().zip(&stored) {
        let sent: model::StoredEvent = serde_json::from_str(data).unwrap();
        assert_eq!((*seq, &sent), (event.seq, event));
    }
}

#[tokio::test]
async fn the_after_query_resumes_like_the_header() {
    let f = fixture().await;
    for i in 1..=10 {
        f.engine.events().append(f.session, text(i));
    }
    f.engine.events().flush().await;
    let path = format!(
        "/api/projects/{}/sessions/{}/events?after=7",
        f.project, f.session
    );
    let mut body = f
        .router
        .clone()
        .oneshot(get(&path, None))
        .await
        .unwrap()
        .into_body();
    let got: Vec<i64> = read_events(&mut body, 3)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(got, vec![8, 9, 10]);
    f.engine.events().append(f.session, text(11));
    let live: Vec<i64> = read_events(&mut body, 1)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(live, vec![11]);
}

#[tokio::test]
async fn a_subscriber_that_lags_behind_the_live_channel_is_caught_up_from_the_store() {
    let f = fixture().await;
    let path = format!("/api/projects/{}/sessions/{}/events", f.project, f.session);
    f.engine.events().append(f.session, text(1));
    f.engine.events().flush().await;
    let mut body = f
        .router
        .clone()
        .oneshot(get(&path, None))
        .await
        .unwrap()
        .into_body();
    assert_eq!(read_events(&mut body, 1).await[0].0, 1);
    // Far more than the live channel holds arrive while this client reads nothing.
    for i in 2..=5_000 {
        f.engine.events().append(f.session, text(i));
    }
    f.engine.events().flush().await;
    let rest: Vec<i64> = read_events(&mut body, 4_999)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(rest, (2..=5_000).collect::<Vec<_>>());
}

fn completed() -> StreamEvent {
    StreamEvent::StatusChanged {
        status: model::SessionStatus::Completed,
    }
}

/// Marks the fixture's session completed in its row (the fixture has no actor: call it after
/// the final event is queued, as an actor has by the time it is gone).
async fn complete(f: &Fixture) {
    let id = f.session;
    f.engine
        .db()
        .write(move |conn| {
            engine::store::sessions::set_status(conn, id, model::SessionStatus::Completed, None)
                .map_err(engine::EngineError::from)
        })
        .await
        .unwrap();
}

/// The body ends (no frame but trailers or nothing) instead of waiting for more.
async fn assert_ends(body: &mut Body) {
    let end = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(frame) = body.frame().await {
            let frame = frame.unwrap();
            if let Ok(data) = frame.into_data() {
                assert!(
                    String::from_utf8_lossy(&data).trim_start().starts_with(':'),
                    "only a heartbeat may follow the final status"
                );
            }
        }
    });
    end.await.expect("the stream ended after the final status");
}

#[tokio::test]
async fn a_live_stream_ends_after_the_final_status_and_a_reconnect_gets_204() {
    let f = fixture().await;
    let path = format!("/api/projects/{}/sessions/{}/events", f.project, f.session);
    f.engine.events().append(f.session, text(1));
    f.engine.events().flush().await;
    let mut body = f
        .router
        .clone()
        .oneshot(get(&path, None))
        .await
        .unwrap()
        .into_body();
    assert_eq!(read_events(&mut body, 1).await[0].0, 1);
    f.engine.events().append(f.session, completed());
    complete(&f).await;
    let last = read_events(&mut body, 1).await;
    assert_eq!(last[0].0, 2);
    assert_ends(&mut body).await;
    // The browser's EventSource reconnects after an end: 204 tells it to stop.
    let res = f.router.clone().oneshot(get(&path, Some(2))).await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // A fresh page still gets the whole history, then the end.
    let res = f.router.clone().oneshot(get(&path, None)).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    assert_eq!(read_events(&mut body, 2).await.len(), 2);
    assert_ends(&mut body).await;
}

#[tokio::test]
async fn a_session_that_ended_without_a_final_event_ends_its_replay() {
    // An older version's record: failed in its row, no status event stored.
    let f = fixture().await;
    let path = format!("/api/projects/{}/sessions/{}/events", f.project, f.session);
    f.engine.events().append(f.session, text(1));
    f.engine.events().flush().await;
    complete(&f).await;
    let mut body = f
        .router
        .clone()
        .oneshot(get(&path, None))
        .await
        .unwrap()
        .into_body();
    assert_eq!(read_events(&mut body, 1).await[0].0, 1);
    assert_ends(&mut body).await;
}
