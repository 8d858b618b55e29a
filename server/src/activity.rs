//! `GET /api/projects/{project}/activity`: one Server-Sent Events stream per board with the
//! latest activity line of each running task's session (`{"session","task","line"}`), so a
//! board needs one connection however many tasks run. Ephemeral: nothing is replayed, and a
//! reader that falls behind skips to the newest lines.

use crate::sse::HEARTBEAT;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use engine::{Engine, EngineError};
use model::stream::Activity;
use model::{ProjectId, SessionId, TaskId};
use std::collections::HashMap;
use std::convert::Infallible;
use tokio::sync::broadcast::error::RecvError;

pub async fn project_activity(State(engine): State<Engine>, Path(project): Path<i64>) -> Response {
    let project = ProjectId(project);
    match engine.project(project).await {
        Ok(_) => {}
        Err(EngineError::NotFound(m)) => {
            return (StatusCode::NOT_FOUND, format!("{m} not found")).into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "opening an activity stream");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the project").into_response();
        }
    }
    let live = engine.events().subscribe_activity();
    // Which task each session seen works on, within this project (`None`: not shown here).
    let tasks: HashMap<SessionId, Option<TaskId>> = HashMap::new();
    let stream = futures::stream::unfold(
        (engine, live, tasks),
        move |(engine, mut live, mut tasks)| async move {
            loop {
                let (session, line) = match live.recv().await {
                    Ok(item) => item,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                };
                let task = match tasks.get(&session) {
                    Some(task) => *task,
                    None => {
                        let task = engine.session_task(project, session).await;
                        tasks.insert(session, task);
                        task
                    }
                };
                if let Some(task) = task {
                    let activity = Activity {
                        session,
                        task,
                        line,
                    };
                    let data = serde_json::to_string(&activity).unwrap_or_default();
                    let event: Result<Event, Infallible> = Ok(Event::default().data(data));
                    return Some((event, (engine, live, tasks)));
                }
            }
        },
    );
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response()
}
