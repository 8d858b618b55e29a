//! `GET /api/projects/{project}/sessions/{id}/events`: a session's events as Server-Sent
//! Events, exactly once and in order across reconnects (DESIGN §6).
//!
//! Subscribe to live events first, then replay the store after `Last-Event-ID` (or `?after=`)
//! page by page, then forward live events whose `seq` is past the last one sent. A subscriber
//! that lags behind the live channel goes back to replaying from the store. Every message
//! carries `id: <seq>`, so the browser's EventSource resumes by itself.
//!
//! Events go out as the writer serialised them (never once more per client), and whatever is
//! ready is written in one chunk: a flooding agent costs one write per batch, not per event.
//!
//! The stream ends after the session's final status event. A request for a session that has
//! ended, from past its last event, is answered `204 No Content`, which tells an EventSource
//! to stop reconnecting.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use engine::sessions::{LiveEvents, REPLAY_PAGE, WireEvent};
use engine::{Engine, EngineError};
use model::{ProjectId, SessionId};
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// A chunk holds at most this many bytes of events (then the next chunk follows at once).
const CHUNK_BYTES: usize = 256 * 1024;

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
    let cursor = Cursor {
        engine,
        project,
        session,
        last: after,
        replaying: true,
        pending: VecDeque::new(),
        live,
        finished: false,
        flushed: false,
    };
    let chunks = futures::stream::unfold(cursor, |mut cursor| async move {
        let chunk = cursor.next_chunk().await?;
        Some((Ok::<_, Infallible>(chunk), cursor))
    });
    let mut response = Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
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

struct Cursor {
    engine: Engine,
    project: ProjectId,
    session: SessionId,
    /// The last seq sent: everything up to it was delivered exactly once.
    last: i64,
    replaying: bool,
    pending: VecDeque<WireEvent>,
    live: LiveEvents,
    /// The final status was sent: the stream is over.
    finished: bool,
    /// The event writer was flushed after the row was found final with no actor left.
    flushed: bool,
}

impl Cursor {
    /// The next chunk to write: every event ready now (up to `CHUNK_BYTES`), or a heartbeat
    /// comment after `HEARTBEAT` of silence; `None` once the stream is over.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        if self.finished {
            return None;
        }
        let mut chunk = Vec::new();
        match tokio::time::timeout(HEARTBEAT, self.next()).await {
            Ok(Some(first)) => self.push(&mut chunk, &first),
            Ok(None) => return None,
            Err(_) => return Some(Bytes::from_static(b":\n\n")),
        }
        while !self.finished && chunk.len() < CHUNK_BYTES {
            match self.ready() {
                Some(event) => self.push(&mut chunk, &event),
                None => break,
            }
        }
        Some(Bytes::from(chunk))
    }

    fn push(&mut self, chunk: &mut Vec<u8>, event: &WireEvent) {
        self.last = event.seq;
        self.finished = event.ends_stream;
        chunk.extend_from_slice(b"id: ");
        chunk.extend_from_slice(event.seq.to_string().as_bytes());
        chunk.extend_from_slice(b"\ndata: ");
        chunk.extend_from_slice(event.json.as_bytes());
        chunk.extend_from_slice(b"\n\n");
    }

    /// The next event to send without waiting: replayed ones first, then live ones already
    /// in the channel (a gap or a lag there turns back to replaying, on the next `next`).
    fn ready(&mut self) -> Option<WireEvent> {
        if let Some(event) = self.pending.pop_front() {
            return Some(event);
        }
        if self.replaying {
            return None;
        }
        loop {
            match self.live.try_recv() {
                Ok(event) if event.wire.seq <= self.last => {}
                Ok(event) if event.wire.seq == self.last + 1 => return Some(event.wire.clone()),
                Ok(_) | Err(TryRecvError::Lagged(_)) => {
                    self.replaying = true;
                    return None;
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => return None,
            }
        }
    }

    async fn next(&mut self) -> Option<WireEvent> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(event);
            }
            if self.replaying {
                match self
                    .engine
                    .session_wire_events(self.project, self.session, self.last, REPLAY_PAGE)
                    .await
                {
                    Ok(page) if page.is_empty() => {
                        // The row says final before the actor emits the final event; the
                        // actor's handle goes only after it. With the actor gone and its
                        // events flushed, an empty page means an older version's record
                        // that ended without a final event: nothing more will come.
                        if self.ended().await && !self.engine.session_has_actor(self.session) {
                            if !self.flushed {
                                self.flushed = true;
                                self.engine.events().flush().await;
                                continue;
                            }
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
                Ok(event) if event.wire.seq <= self.last => {}
                Ok(event) if event.wire.seq == self.last + 1 => return Some(event.wire.clone()),
                // A gap or a lag: the store has everything, read it from there.
                Ok(_) | Err(RecvError::Lagged(_)) => self.replaying = true,
                Err(RecvError::Closed) => return None,
            }
        }
    }

    async fn ended(&self) -> bool {
        self.engine
            .session(self.project, self.session)
            .await
            .is_ok_and(|s| s.status.is_final())
    }
}
