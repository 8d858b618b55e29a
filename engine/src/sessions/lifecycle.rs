//! Starting, driving and stopping sessions: the engine's API over the per-session actors, and
//! the start-up reconciliation of sessions a previous server left behind.

use super::actor::{Actor, Command, Message, Prepare};
use super::ownership;
use super::process::Exit;
use crate::store::sessions::{NewSession, ProcessRecord};
use crate::store::{self, StoreError};
use crate::webhooks::Notice;
use crate::{Engine, EngineError, EngineResult};
use model::attention::WaitingKind;
use model::validation::{self, Field};
use model::{
    PermissionAnswer, ProjectId, RuntimeRequest, Session, SessionId, SessionStart, SessionStatus,
    StreamEvent, TaskId, TaskStatus,
};
use std::collections::HashSet;
use tokio::sync::{mpsc, oneshot};

impl Engine {
    /// A standalone session in the project's checkout: its row is written, then the agent
    /// starts with the request's runtime. An incomplete runtime is refused before anything is
    /// written. (Tasks start through `execute_task`, in their own worktree.)
    pub async fn start_session(
        &self,
        project: ProjectId,
        start: SessionStart,
        request: RuntimeRequest,
    ) -> EngineResult<Session> {
        let prompt = validation::required(Field::Prompt, &start.prompt, validation::PROMPT_MAX)?;
        self.launch_env(&request)?;
        let RuntimeRequest { selection, secrets } = request;
        let permission = selection.agent.permission(start.permission)?;
        let live = self.live.clone();
        let session = self
            .db()
            .write(move |conn| -> EngineResult<Session> {
                live.check_open(project)?;
                let project_row = store::projects::get(conn, project)?
                    .ok_or_else(|| EngineError::NotFound(format!("project {project}")))?;
                Ok(store::sessions::insert(
                    conn,
                    &NewSession {
                        project,
                        task: None,
                        runtime: &selection,
                        permission,
                        cwd: &project_row.path,
                        resume: None,
                    },
                )?)
            })
            .await?;
        self.spawn_actor(
            session.clone(),
            Some(Message {
                text: prompt,
                secrets,
            }),
        );
        Ok(session)
    }

    pub(crate) fn spawn_actor(
        &self,
        session: Session,
        first: Option<Message>,
    ) -> mpsc::UnboundedSender<Command> {
        self.spawn_prepared_actor(session, first, None)
    }

    /// An actor that first makes the session's worktree (`prepare`), so that commands (a
    /// Kill, say) reach it while the start is still under way.
    pub(crate) fn spawn_prepared_actor(
        &self,
        session: Session,
        first: Option<Message>,
        prepare: Option<Prepare>,
    ) -> mpsc::UnboundedSender<Command> {
        let (tx, rx) = mpsc::unbounded_channel();
        let token = self.live.register(session.id, tx.clone());
        tokio::spawn(Actor::new(self.clone(), session, token).run(prepare, first, rx));
        tx
    }

    /// The live actor of a session of this project, started for an idle one when needed.
    async fn actor(
        &self,
        project: ProjectId,
        id: SessionId,
    ) -> EngineResult<mpsc::UnboundedSender<Command>> {
        let session = self.session(project, id).await?;
        if session.status.is_final() {
            return Err(EngineError::Refused(format!(
                "This session is {}: start a new one.",
                session.status.label().to_lowercase()
            )));
        }
        match self.live.get(id) {
            Some(actor) => Ok(actor),
            // Its start (worktree, spawn) is still under way and will start its actor.
            None if session.status == SessionStatus::Pending => Err(EngineError::Refused(
                "This session is still starting: try again in a moment.".into(),
            )),
            None => Ok(self.spawn_actor(session, None)),
        }
    }

    async fn ask(
        &self,
        project: ProjectId,
        id: SessionId,
        command: impl FnOnce(oneshot::Sender<Result<(), String>>) -> Command,
    ) -> EngineResult<()> {
        let actor = self.actor(project, id).await?;
        let (reply, answer) = oneshot::channel();
        actor
            .send(command(reply))
            .map_err(|_| EngineError::Refused("This session has just ended.".into()))?;
        answer
            .await
            .map_err(|_| EngineError::Refused("This session has just ended.".into()))?
            .map_err(EngineError::Refused)
    }

    /// A follow-up: runs now, or is queued (in order) while a turn or a permission is pending.
    /// It runs with the session's stored selection and this request's secrets (the request's
    /// selection is not used: changing Settings never changes a running session), and is
    /// refused, with the reason, when those cannot launch the agent.
    pub async fn send_message(
        &self,
        project: ProjectId,
        id: SessionId,
        text: String,
        request: RuntimeRequest,
    ) -> EngineResult<()> {
        let text = validation::required(Field::Prompt, &text, validation::PROMPT_MAX)?;
        let session = self.session(project, id).await?;
        let request = RuntimeRequest {
            selection: session.runtime,
            secrets: request.secrets,
        };
        self.launch_env(&request)?;
        self.ask(project, id, |r| Command::Send(text, request.secrets, r))
            .await
    }

    pub async fn answer_permission(
        &self,
        project: ProjectId,
        id: SessionId,
        request_id: String,
        answer: PermissionAnswer,
    ) -> EngineResult<()> {
        self.ask(project, id, |r| Command::Answer(request_id, answer, r))
            .await
    }

    /// Stops the running turn; the session stays usable.
    pub async fn interrupt_session(&self, project: ProjectId, id: SessionId) -> EngineResult<()> {
        self.ask(project, id, Command::Interrupt).await
    }

    /// Stops the agent's whole process group now.
    pub async fn kill_session(&self, project: ProjectId, id: SessionId) -> EngineResult<()> {
        self.ask(project, id, Command::Kill).await
    }

    /// Ends an idle session for good.
    pub async fn end_session(&self, project: ProjectId, id: SessionId) -> EngineResult<()> {
        self.ask(project, id, Command::End).await
    }

    /// Writes a session's status; a final one releases its task in the same transaction
    /// (failed or killed: `fail` with the reason — or back to the queue when the reason is a
    /// rate limit; completed: `review` when the work changed something, else `fail` "Agent
    /// finished without changes").
    pub(crate) async fn write_session_status(
        &self,
        id: SessionId,
        status: SessionStatus,
        reason: Option<String>,
    ) -> EngineResult<()> {
        let unchanged = match status {
            SessionStatus::Completed => self.completed_without_changes(id).await?,
            _ => None,
        };
        let now = self.clock().now_ms();
        let released = self
            .db()
            .write(move |conn| -> EngineResult<Option<Released>> {
                let tx = conn.transaction().map_err(StoreError::from)?;
                store::sessions::set_status(&tx, id, status, reason.as_deref())?;
                let mut released = None;
                if status.is_final() {
                    let task_reason = unchanged.as_deref().or(reason.as_deref());
                    let ending = Ending {
                        status,
                        reason: task_reason,
                        unchanged: unchanged.is_some(),
                        now,
                    };
                    released = release_task(&tx, id, ending)?;
                    // Its file locks go with it.
                    store::schedule::release_files(&tx, id)?;
                }
                tx.commit().map_err(StoreError::from)?;
                Ok(released)
            })
            .await?;
        // A slot freed (and maybe a dependency finished): the queue may move.
        if let Some((project, task, to)) = released {
            self.schedule_soon(project);
            let kind = match to {
                TaskStatus::Review => Some(WaitingKind::Review),
                TaskStatus::Fail => Some(WaitingKind::Failed),
                _ => None,
            };
            if let Some(kind) = kind {
                self.notify(Notice {
                    project,
                    kind,
                    task: Some(task),
                    session: None,
                    tool: None,
                });
            }
        }
        Ok(())
    }

    /// For a completed session bound to a task: why the task fails although the session
    /// completed (nothing changed, or the changes could not be read), or `None` for review.
    async fn completed_without_changes(&self, id: SessionId) -> EngineResult<Option<String>> {
        let bound = self
            .db()
            .read(move |conn| -> EngineResult<_> {
                let Some((project, _)) = store::sessions::bound_task(conn, id)? else {
                    return Ok(None);
                };
                let session = store::sessions::get(conn, project, id)?;
                let project = store::projects::get(conn, project)?;
                Ok(session.zip(project))
            })
            .await?;
        let Some((session, project)) = bound else {
            return Ok(None);
        };
        let cwd = std::path::Path::new(&session.cwd);
        Ok(
            match crate::git::worktree::has_changes(cwd, &project.default_branch).await {
                Ok(true) => None,
                Ok(false) => Some("Agent finished without changes".into()),
                Err(e) => Some(format!("The agent's changes could not be checked: {e}")),
            },
        )
    }

    pub(crate) async fn record_process(
        &self,
        id: SessionId,
        process: ProcessRecord,
    ) -> EngineResult<()> {
        self.db()
            .write(move |conn| Ok(store::sessions::set_process(conn, id, &process)?))
            .await
    }

    pub(crate) async fn record_exit(&self, id: SessionId, exit: Exit) -> EngineResult<()> {
        self.db()
            .write(move |conn| Ok(store::sessions::set_exit(conn, id, exit.code, exit.signal)?))
            .await
    }

    /// At start-up: mark the sessions that were mid-turn failed ("server restarted"), release
    /// their tasks and tell their streams, one session at a time; then stop the processes a
    /// crashed server left running (only those proven ours).
    pub async fn reconcile(&self) -> EngineResult<usize> {
        let (interrupted, marks) = self
            .db()
            .read(|conn| -> EngineResult<_> {
                Ok((
                    store::sessions::interrupted(conn)?,
                    store::sessions::process_marks(conn)?,
                ))
            })
            .await?;
        for (id, _) in &interrupted {
            self.write_session_status(*id, SessionStatus::Failed, Some(RESTARTED.into()))
                .await?;
            // Every path to a final status emits it: an open tab learns the session ended.
            self.events().append(
                *id,
                StreamEvent::Error {
                    message: format!("The session ended: {RESTARTED}."),
                    retrying: false,
                },
            );
            self.events().append(
                *id,
                StreamEvent::StatusChanged {
                    status: SessionStatus::Failed,
                },
            );
        }
        // Recorded and told before any process is stopped: whatever a dying process still
        // causes comes after the final status.
        self.events().flush().await;
        self.stop_orphans(&marks).await;
        let reaped: Vec<SessionId> = marks.into_iter().map(|(id, _)| id).collect();
        self.db()
            .write(move |conn| -> EngineResult<()> {
                Ok(store::sessions::clear_process_marks(conn, &reaped)?)
            })
            .await?;
        Ok(interrupted.len())
    }

    /// TERM to every live process carrying the mark of one of these sessions, then KILL to
    /// whichever is still there after the grace period. A process without our mark — a
    /// stranger that got a recorded pid — is never signalled.
    async fn stop_orphans(&self, marks: &[(SessionId, String)]) {
        let wanted: HashSet<String> = marks.iter().map(|(_, mark)| mark.clone()).collect();
        let grace = self.config().kill_grace;
        let stopped = tokio::task::spawn_blocking(move || {
            let mut left = ownership::find_marked(&wanted);
            for (mark, processes) in &left {
                let pids: Vec<i32> = processes.iter().map(|p| p.pid).collect();
                tracing::warn!(
                    mark,
                    ?pids,
                    "stopping agent processes the last run left behind"
                );
                ownership::signal_marked(mark, processes, libc::SIGTERM);
            }
            // Nothing announces another process's exit: look again until the grace is over.
            let deadline = std::time::Instant::now() + grace;
            loop {
                left.retain(|_, processes| {
                    *processes = ownership::still_running(processes);
                    !processes.is_empty()
                });
                if left.is_empty() || std::time::Instant::now() >= deadline {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            for (mark, processes) in &left {
                ownership::signal_marked(mark, processes, libc::SIGKILL);
            }
        });
        if let Err(e) = stopped.await {
            tracing::error!(error = %e, "stopping orphaned agent processes");
        }
    }
}

/// Why a session a previous server left mid-turn failed.
const RESTARTED: &str = "server restarted";

/// The task a session's end released, and where it went.
type Released = (ProjectId, TaskId, TaskStatus);

/// How a session bound to a task ended.
struct Ending<'a> {
    status: SessionStatus,
    reason: Option<&'a str>,
    /// Completed, but nothing changed (or the changes could not be read).
    unchanged: bool,
    /// The engine's clock, for a rate limit's hold.
    now: i64,
}

/// Moves the task a session worked on out of `in_progress`, if it still is with this
/// session (so calling it twice changes nothing). A failure that is a rate limit sends it
/// back to the queue instead of to `fail`.
fn release_task(
    tx: &rusqlite::Transaction<'_>,
    id: SessionId,
    ending: Ending<'_>,
) -> EngineResult<Option<Released>> {
    let Some((project, task)) = store::sessions::bound_task(tx, id)? else {
        return Ok(None);
    };
    if ending.status == SessionStatus::Failed
        && let Some(reason) = ending.reason
        && crate::rate_limits::requeue_if_rate_limited(tx, (project, task), id, reason, ending.now)?
    {
        store::tasks::set_session(tx, project, task, None)?;
        return Ok(Some((project, task, TaskStatus::InQueue)));
    }
    let (to, fail_reason) = match ending.status {
        SessionStatus::Completed if !ending.unchanged => (TaskStatus::Review, None),
        _ => (
            TaskStatus::Fail,
            Some(
                ending
                    .reason
                    .unwrap_or("The agent session ended abnormally"),
            ),
        ),
    };
    TaskStatus::InProgress.transition(to)?;
    store::tasks::set_status(tx, project, task, to, fail_reason)?;
    store::tasks::set_session(tx, project, task, None)?;
    Ok(Some((project, task, to)))
}
