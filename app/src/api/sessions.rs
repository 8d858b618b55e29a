//! Session server functions. The live stream itself is the SSE route
//! `GET /api/projects/{project}/sessions/{session}/events`.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::{
    PermissionAnswer, ProjectId, RuntimeRequest, RuntimeSelection, Session, SessionId,
    SessionStart, StoredEvent, Task,
};
use serde::{Deserialize, Serialize};

/// Events a session page starts with: the latest of its history (older ones are fetched as
/// the user scrolls up, [`HISTORY_PAGE`] at a time), so a 50,000-event session neither ships
/// nor folds all of them.
pub const HISTORY_TAIL: usize = 500;
/// Events per page of older history at most.
pub const HISTORY_PAGE: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionsData {
    pub sessions: Vec<Session>,
    /// The project's tasks, to link sessions to and to bind a new session to.
    pub tasks: Vec<Task>,
    /// The project's saved runtime: what a new session would run with.
    pub runtime: RuntimeSelection,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionData {
    pub session: Session,
    pub task: Option<Task>,
    /// The latest [`HISTORY_TAIL`] events, in order.
    pub events: Vec<StoredEvent>,
    /// Older events remain in the store (`get_session_events` pages through them).
    pub has_earlier: bool,
    /// What its turns used so far.
    pub usage: model::usage::UsageTotal,
}

/// A page of a session's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<StoredEvent>,
    /// Older events remain before these.
    pub has_earlier: bool,
}

#[server(endpoint = "list_sessions", input = StrictJson)]
pub async fn list_sessions(project: ProjectId) -> Result<SessionsData, AppError> {
    let engine = super::engine()?;
    let (project, tasks) = engine.board(project).await?;
    Ok(SessionsData {
        sessions: engine.list_sessions(project.id).await?,
        runtime: engine.runtime_selection(project.id).await?,
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
    let (events, has_earlier) = engine
        .session_events_before(project, session.id, None, HISTORY_TAIL)
        .await?;
    let usage = super::or_nothing(
        "the session's usage",
        engine.session_usage_total(session.id).await,
    );
    Ok(SessionData {
        session,
        task,
        events,
        has_earlier,
        usage,
    })
}

/// What a session's turns used: the total, and each model's use in each turn, oldest first.
/// A turn's usage is recorded before its `turn_ended` event: a page that saw the event reads
/// the turn here.
#[server(endpoint = "get_session_usage", input = StrictJson)]
pub async fn get_session_usage(
    project: ProjectId,
    session: SessionId,
) -> Result<SessionUsage, AppError> {
    let (total, turns) = super::engine()?.session_usage(project, session).await?;
    Ok(SessionUsage { total, turns })
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionUsage {
    pub total: model::usage::UsageTotal,
    pub turns: Vec<model::usage::TurnUsage>,
}

/// The latest `limit` (at most [`HISTORY_PAGE`], the default) events of a session before
/// the seq `before`, in order: what the session page shows when the user scrolls above the
/// history it started with.
#[server(endpoint = "get_session_events", input = StrictJson)]
pub async fn get_session_events(
    project: ProjectId,
    session: SessionId,
    before: i64,
    limit: Option<usize>,
) -> Result<EventPage, AppError> {
    let limit = limit.unwrap_or(HISTORY_PAGE).clamp(1, HISTORY_PAGE);
    let (events, has_earlier) = super::engine()?
        .session_events_before(project, session, Some(before), limit)
        .await?;
    Ok(EventPage {
        events,
        has_earlier,
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
