//! `GET /api/projects/{project}/sessions/{id}/events`: a session's events as Server-Sent
//! Events, exactly once and in order across reconnects (DESIGN §6).
//!
//! Subscribe to live events first, then replay the store after `Last-Event-ID` (or `?after=`)
//! page by page, then forward live events whose `seq` is past the last one sent. A subscriber
//! that lags behind the live channel goes back to replaying from the store. Every message
//! carries `id: <seq>`, so the browser's EventSource resumes by itself.
//!
//! The stream ends after the session's final status event. A request for a session that has
//! ended, from past its last event, is answered `204 No Content`, which tells an EventSource
//! to stop reconnecting.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use engine::sessions::{LiveEvents, REPLAY_PAGE};
use engine::{Engine, EngineError};
use futures::Stream;
use model::{ProjectId, SessionId, StoredEvent};
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub const HEARTBEAT: Duration = Duration::from_secs(15);

#[derive(Debug, Deserialize)]
pub struct After {
    after: Option<i64>,
}

pub async fn session_events(
    State(engine): State<Engine>,
    Path((project, session)): Path<(i64, i64)>,
    Query(query): Query<After>,
    headers: HeaderMap,
) -> Response {
    let (project, session) = (ProjectId(project), SessionId(session));
    match engine.session(project, session).await {
        Ok(_) => {}
        Err(EngineError::Forbidden(m)) => return (StatusCode::FORBIDDEN, m).into_response(),
        Err(EngineError::NotFound(m)) => {
            return (StatusCode::NOT_FOUND, format!("{m} not found")).into_response();
        }
        Err(e) => {
            tracing::error!(error = %e, "opening a session stream");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot read the session").into_response();
        }
    }
    let header_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let after = header_id.or(query.after).unwrap_or(0).max(0);
    if ended_before(&engine, project, session, after).await {
        return StatusCode::NO_CONTENT.into_response();
    }
    // Subscribe before the first replay read, so nothing persisted meanwhile can be missed.
    let live = engine.events().subscribe(session);
    let stream = events(engine, project, session, after, live);
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response()
}

struct Cursor {
    engine: Engine,
    project: ProjectId,
    session: SessionId,
    /// The last seq sent: everything up to it was delivered exactly once.
    last: i64,
    replaying: bool,
    pending: VecDeque<StoredEvent>,
    live: LiveEvents,
    /// The final status was sent: the stream is over.
    finished: bool,
}

/// Whether the session's stream is over for a client that has seen up to `after`: its last
/// stored event is its final status, and the client has it.
async fn ended_before(engine: &Engine, project: ProjectId, session: SessionId, after: i64) -> bool {
    engine
        .last_session_event(project, session)
        .await
        .ok()
        .flatten()
        .is_some_and(|last| last.event.is_final_status() && last.seq <= after)
}

fn events(
    engine: Engine,
    project: ProjectId,
    session: SessionId,
    after: i64,
    live: LiveEvents,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let cursor = Cursor {
        engine,
        project,
        session,
        last: after,
        replaying: true,
        pending: VecDeque::new(),
        live,
        finished: false,
    };
    futures::stream::unfold(cursor, |mut cursor| async move {
        if cursor.finished {
            return None;
        }
        let next = cursor.next().await?;
        cursor.last = next.seq;
        cursor.finished = next.event.is_final_status();
        Some((Ok(to_sse(&next)), cursor))
    })
}

impl Cursor {
    async fn next(&mut self) -> Option<StoredEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.replaying {
                match self
                    .engine
                    .session_events(self.project, self.session, self.last, REPLAY_PAGE)
                    .await
                {
                    Ok(page) if page.is_empty() => {
                        // Ended without a final status event (an older version's record;
                        // or the row has just said so and the event follows: the client then
                        // reconnects for it): nothing more will come on this connection.
                        if self.ended().await {
                            return None;
                        }
                        self.replaying = false
                    }
                    Ok(page) => self.pending.extend(page),
                    Err(e) => {
                        tracing::error!(error = %e, "replaying a session stream");
                        return None;
                    }
                }
                continue;
            }
            match self.live.recv().await {
                Ok(event) if event.seq <= self.last => {}
                Ok(event) if event.seq == self.last + 1 => return Some(event),
                // A gap or a lag: the store has everything, read it from there.
                Ok(_) | Err(RecvError::Lagged(_)) => self.replaying = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

impl Cursor {
    async fn ended(&self) -> bool {
        self.engine
            .session(self.project, self.session)
            .await
            .is_ok_and(|s| s.status.is_final())
    }
}

fn to_sse(event: &StoredEvent) -> Event {
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_string());
    Event::default().id(event.seq.to_string()).data(data)
}
