//! The handles of the session actors that run, and the projects being removed.
//!
//! Each handle carries a token of its own: an ending actor forgets only its own handle, never a
//! newer actor's for the same session. A project being removed takes no new session, and its
//! running ones are stopped before its rows go (DESIGN §3: nothing runs for a row that is gone).

use super::actor::Command;
use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::{ProjectId, SessionId, SessionStatus};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// How long a removal waits for one session's actor to stop.
const STOP_WAIT: Duration = Duration::from_secs(15);

struct Handle {
    token: u64,
    commands: mpsc::UnboundedSender<Command>,
}

#[derive(Default)]
struct State {
    handles: HashMap<SessionId, Handle>,
    closing: HashSet<ProjectId>,
}

#[derive(Clone, Default)]
pub struct LiveSessions {
    state: Arc<Mutex<State>>,
    next_token: Arc<AtomicU64>,
}

impl LiveSessions {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a new actor's handle; the token is its own, for `forget`.
    pub(crate) fn register(&self, id: SessionId, commands: mpsc::UnboundedSender<Command>) -> u64 {
        let token = self.next_token.fetch_add(1, Ordering::Relaxed);
        self.lock().handles.insert(id, Handle { token, commands });
        token
    }

    /// Forgets the handle of the actor holding `token`, if it is still the registered one.
    pub(crate) fn forget(&self, id: SessionId, token: u64) {
        let mut state = self.lock();
        if state.handles.get(&id).is_some_and(|h| h.token == token) {
            state.handles.remove(&id);
        }
    }

    /// The handle of a session's running actor.
    pub(crate) fn get(&self, id: SessionId) -> Option<mpsc::UnboundedSender<Command>> {
        self.lock()
            .handles
            .get(&id)
            .map(|h| h.commands.clone())
            .filter(|tx| !tx.is_closed())
    }

    /// Refuses a new session for a project that is being removed.
    pub(crate) fn check_open(&self, project: ProjectId) -> EngineResult<()> {
        if self.lock().closing.contains(&project) {
            return Err(EngineError::Refused(
                "This project is being removed: it takes no new session.".into(),
            ));
        }
        Ok(())
    }
}

impl Engine {
    /// Forgets a project: its running sessions are stopped first (so no agent keeps running
    /// for rows that are gone), then its tasks and history go. Its files on disk are never
    /// touched.
    pub async fn remove_project(&self, id: ProjectId) -> EngineResult<()> {
        self.project(id).await?;
        self.live.lock().closing.insert(id);
        let removed = self.stop_then_remove(id).await;
        self.live.lock().closing.remove(&id);
        removed
    }

    async fn stop_then_remove(&self, id: ProjectId) -> EngineResult<()> {
        // A barrier: a start that saw the project open has written its session by now (starts
        // check inside their write), and none is written after it.
        self.db().write(|_| Ok::<_, StoreError>(())).await?;
        let sessions = self
            .db()
            .read(move |conn| Ok::<_, StoreError>(store::sessions::list(conn, id)?))
            .await?;
        for session in sessions.iter().filter(|s| !s.status.is_final()) {
            self.stop_for_removal(session.id, session.status).await;
        }
        self.events().flush().await;
        self.db()
            .write(move |conn| {
                if store::projects::delete(conn, id)? {
                    Ok(())
                } else {
                    Err(EngineError::NotFound(format!("project {id}")))
                }
            })
            .await
    }

    /// Kills a session's actor and waits (bounded) until it has stopped. A pending session
    /// whose actor is not registered yet (its start is between its write and its spawn) is
    /// waited for first.
    async fn stop_for_removal(&self, id: SessionId, status: SessionStatus) {
        let deadline = tokio::time::Instant::now() + STOP_WAIT;
        let actor = loop {
            match self.live.get(id) {
                Some(actor) => break Some(actor),
                None if status == SessionStatus::Pending
                    && tokio::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                None => break None,
            }
        };
        let Some(actor) = actor else { return };
        let (reply, _answer) = oneshot::channel();
        if actor.send(Command::Kill(reply)).is_ok()
            && tokio::time::timeout_at(deadline, actor.closed())
                .await
                .is_err()
        {
            tracing::warn!(session = %id, "a session of a removed project did not stop in time");
        }
    }
}
