//! Sessions: the supervised agent processes, their stored events and live streams.

pub(crate) mod actor;
mod events;
mod lifecycle;
mod live;
pub mod ownership;
pub mod process;
pub mod run;
mod wire;

pub use events::{EventLog, LiveEvents, REPLAY_PAGE};
pub use live::LiveSessions;
pub use wire::{LiveEvent, WireEvent};

use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::{ProjectId, Session, SessionId, StoredEvent, Task, TaskId, TaskStatus};
use std::collections::HashMap;

/// Why a session cannot be read through a project.
fn session_not_found(id: SessionId) -> EngineError {
    EngineError::NotFound(format!("session {id}"))
}

impl Engine {
    /// The session, if it belongs to `project`. A session of another project is `Forbidden`
    /// (the stream route answers 403) and an unknown one `NotFound`.
    pub async fn session(&self, project: ProjectId, id: SessionId) -> EngineResult<Session> {
        self.db()
            .read(move |conn| match store::sessions::get(conn, project, id)? {
                Some(session) => Ok(session),
                None => match store::sessions::project_of(conn, id)? {
                    Some(_) => Err(EngineError::Forbidden(format!(
                        "session {id} belongs to another project"
                    ))),
                    None => Err(session_not_found(id)),
                },
            })
            .await
    }

    pub async fn list_sessions(&self, project: ProjectId) -> EngineResult<Vec<Session>> {
        self.db()
            .read(move |conn| Ok(store::sessions::list(conn, project)?))
            .await
    }

    /// The task a session of `project` works on, if any (`None` too for another project's).
    pub async fn session_task(&self, project: ProjectId, id: SessionId) -> Option<TaskId> {
        self.session(project, id).await.ok()?.task_id
    }

    /// The latest activity line of each task of `tasks` in progress, by task (for cards
    /// rendered on the server).
    pub async fn running_activity(&self, tasks: &[Task]) -> EngineResult<Vec<(TaskId, String)>> {
        let running: HashMap<SessionId, TaskId> = tasks
            .iter()
            .filter(|t| t.status == TaskStatus::InProgress)
            .filter_map(|t| Some((t.session_id?, t.id)))
            .collect();
        let lines = self
            .last_activity(running.keys().copied().collect())
            .await?;
        Ok(lines
            .into_iter()
            .filter_map(|(session, line)| Some((*running.get(&session)?, line)))
            .collect())
    }

    /// The latest activity line of each of these sessions, read from the end of their
    /// stored events.
    async fn last_activity(
        &self,
        sessions: Vec<SessionId>,
    ) -> EngineResult<Vec<(SessionId, String)>> {
        const LOOKBACK: i64 = 200;
        self.db()
            .read(move |conn| -> EngineResult<_> {
                let mut out = Vec::new();
                for id in sessions {
                    let after = (store::sessions::max_seq(conn, id)? - LOOKBACK).max(0);
                    let events = store::sessions::events_after(conn, id, after, LOOKBACK as usize)?;
                    if let Some(line) = events
                        .iter()
                        .rev()
                        .find_map(|e| model::stream::activity_line(&e.event))
                    {
                        out.push((id, line));
                    }
                }
                Ok(out)
            })
            .await
    }

    /// A session's latest stored event, if it has one (checked against its project).
    pub async fn last_session_event(
        &self,
        project: ProjectId,
        id: SessionId,
    ) -> EngineResult<Option<StoredEvent>> {
        self.session(project, id).await?;
        self.db()
            .read(move |conn| -> EngineResult<_> {
                let last = store::sessions::max_seq(conn, id)?;
                Ok(store::sessions::events_after(conn, id, last - 1, 1)?.pop())
            })
            .await
    }

    /// A page of a session's stored events after `after` in their wire form, as the stream
    /// replays them (checked against its project; the payloads are not parsed).
    pub async fn session_wire_events(
        &self,
        project: ProjectId,
        id: SessionId,
        after: i64,
        limit: usize,
    ) -> EngineResult<Vec<WireEvent>> {
        self.session(project, id).await?;
        self.db()
            .read(move |conn| -> EngineResult<_> {
                let rows = store::sessions::raw_events_after(conn, id, after, limit)?;
                Ok(rows
                    .iter()
                    .map(|(seq, at, kind, payload)| WireEvent::from_row(*seq, *at, kind, payload))
                    .collect())
            })
            .await
    }

    /// A page of a session's stored events after `after` (checked against its project).
    pub async fn session_events(
        &self,
        project: ProjectId,
        id: SessionId,
        after: i64,
        limit: usize,
    ) -> EngineResult<Vec<StoredEvent>> {
        self.session(project, id).await?;
        self.db()
            .read(move |conn| {
                store::sessions::events_after(conn, id, after, limit)
                    .map_err(|e| EngineError::Store(StoreError::from(e)))
            })
            .await
    }

    /// The latest `limit` stored events of a session before `before` (its newest when None),
    /// in order, and whether older ones remain (checked against its project).
    pub async fn session_events_before(
        &self,
        project: ProjectId,
        id: SessionId,
        before: Option<i64>,
        limit: usize,
    ) -> EngineResult<(Vec<StoredEvent>, bool)> {
        self.session(project, id).await?;
        self.db()
            .read(move |conn| {
                store::sessions::events_before(conn, id, before, limit)
                    .map_err(|e| EngineError::Store(StoreError::from(e)))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{self, sessions::NewSession};
    use crate::testing::{temp_engine, temp_project};
    use model::{AgentKind, PermissionPolicy, RuntimeSelection, StreamEvent};

    #[tokio::test]
    async fn a_history_is_read_from_its_end_page_by_page() {
        let (engine, _dir) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let runtime = RuntimeSelection {
            agent: AgentKind::ClaudeCode,
            ..RuntimeSelection::default()
        };
        let session = engine
            .db()
            .write(move |conn| {
                let new = NewSession {
                    project: project.id,
                    task: None,
                    runtime: &runtime,
                    permission: PermissionPolicy::Ask,
                    cwd: "/tmp",
                    resume: None,
                };
                store::sessions::insert(conn, &new).map_err(crate::EngineError::from)
            })
            .await
            .unwrap();
        for i in 1..=25 {
            let text = format!("line {i}");
            engine
                .events()
                .append(session.id, StreamEvent::AssistantText { text });
        }
        engine.events().flush().await;
        let page =
            |before, limit| engine.session_events_before(project.id, session.id, before, limit);
        let seqs = |events: &[model::StoredEvent]| events.iter().map(|e| e.seq).collect::<Vec<_>>();

        let (tail, more) = page(None, 10).await.unwrap();
        assert_eq!(seqs(&tail), (16..=25).collect::<Vec<_>>());
        assert!(more);
        let (older, more) = page(Some(16), 10).await.unwrap();
        assert_eq!(seqs(&older), (6..=15).collect::<Vec<_>>());
        assert!(more);
        let (first, more) = page(Some(6), 10).await.unwrap();
        assert_eq!(seqs(&first), (1..=5).collect::<Vec<_>>());
        assert!(!more, "nothing before the first event");
        let (all, more) = page(None, 25).await.unwrap();
        assert_eq!(all.len(), 25);
        assert!(!more);

        let (other, _repo) = temp_project(&engine).await;
        let refused = engine
            .session_events_before(other.id, session.id, None, 10)
            .await;
        assert!(matches!(refused, Err(crate::EngineError::Forbidden(_))));
    }
}
