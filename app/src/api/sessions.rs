//! Session server functions. The live stream itself is the SSE route
//! `GET /api/projects/{project}/sessions/{session}/events`.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::{
    PermissionAnswer, Project, ProjectId, RuntimeRequest, RuntimeSelection, Session, SessionId,
    SessionStart, StoredEvent, Task,
};
use serde::{Deserialize, Serialize};

/// History shown on first paint; older events stay in the store.
pub const HISTORY_LIMIT: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionsData {
    pub project: Project,
    pub projects: Vec<Project>,
    pub sessions: Vec<Session>,
    /// The project's tasks, to link sessions to and to bind a new session to.
    pub tasks: Vec<Task>,
    /// The project's saved runtime: what a new session would run with.
    pub runtime: RuntimeSelection,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionData {
    pub project: Project,
    pub projects: Vec<Project>,
    pub session: Session,
    pub task: Option<Task>,
    pub events: Vec<StoredEvent>,
}

#[server(endpoint = "list_sessions", input = StrictJson)]
pub async fn list_sessions(project: ProjectId) -> Result<SessionsData, AppError> {
    let engine = super::engine()?;
    let (project, tasks) = engine.board(project).await?;
    Ok(SessionsData {
        sessions: engine.list_sessions(project.id).await?,
        projects: engine.list_projects().await?,
        runtime: engine.runtime_selection(project.id).await?,
        project,
        tasks,
    })
}

#[server(endpoint = "get_session", input = StrictJson)]
pub async fn get_session(project: ProjectId, session: SessionId) -> Result<SessionData, AppError> {
    let engine = super::engine()?;
    let session = engine.session(project, session).await?;
    let task = match session.task_id {
        Some(task) => engine.task(project, task).await.ok(),
        None => None,
    };
    let events = engine
        .session_events(project, session.id, 0, HISTORY_LIMIT)
        .await?;
    Ok(SessionData {
        project: engine.project(project).await?,
        projects: engine.list_projects().await?,
        session,
        task,
        events,
    })
}

/// Starts a standalone session in the project's checkout (a task is started with
/// `execute_task`, in a worktree of its own) with the request's runtime, which the session
/// keeps (without its secrets).
#[server(endpoint = "start_session", input = StrictJson)]
pub async fn start_session(
    project: ProjectId,
    start: SessionStart,
    runtime: RuntimeRequest,
) -> Result<Session, AppError> {
    Ok(super::engine()?
        .start_session(project, start, runtime)
        .await?)
}

/// A follow-up message; queued while the agent is busy. It runs with the session's stored
/// selection and the secrets of `runtime`.
#[server(endpoint = "send_message", input = StrictJson)]
pub async fn send_message(
    project: ProjectId,
    session: SessionId,
    text: String,
    runtime: RuntimeRequest,
) -> Result<(), AppError> {
    Ok(super::engine()?
        .send_message(project, session, text, runtime)
        .await?)
}

#[server(endpoint = "answer_permission", input = StrictJson)]
pub async fn answer_permission(
    project: ProjectId,
    session: SessionId,
    request_id: String,
    answer: PermissionAnswer,
) -> Result<(), AppError> {
    Ok(super::engine()?
        .answer_permission(project, session, request_id, answer)
        .await?)
}

/// Stops the running turn; the session stays usable.
#[server(endpoint = "interrupt_session", input = StrictJson)]
pub async fn interrupt_session(project: ProjectId, session: SessionId) -> Result<(), AppError> {
    Ok(super::engine()?.interrupt_session(project, session).await?)
}

#[server(endpoint = "kill_session", input = StrictJson)]
pub async fn kill_session(project: ProjectId, session: SessionId) -> Result<(), AppError> {
    Ok(super::engine()?.kill_session(project, session).await?)
}

#[server(endpoint = "end_session", input = StrictJson)]
pub async fn end_session(project: ProjectId, session: SessionId) -> Result<(), AppError> {
    Ok(super::engine()?.end_session(project, session).await?)
}
