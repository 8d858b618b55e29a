//! One task per live session: it owns the agent process, the follow-up queue and the pending
//! permission requests, and is the only writer of the session's status while it lives. What it
//! is doing is its [`Phase`] (drawn in `phase.rs`): waiting, running a turn, or finishing a
//! task's attempt; `turns.rs` moves it from one to the next, `control.rs` handles the user's
//! hold on a running turn (permission answers, stopping, deadlines).
//!
//! Claude Code keeps one process across turns (messages on stdin); Codex runs one process per
//! turn. A process that dies mid-turn is restarted once with resume and its last message
//! re-queued; a second death fails the session.

mod control;
mod deltas;
mod phase;
mod setup;
mod spending;
mod turns;

use super::run::{AgentRun, RunOutput};
use crate::Engine;
use crate::agents::edited_paths;
use control::PendingPermission;
use deltas::DeltaBuffer;
use model::text::cut_chars;
use model::{PermissionAnswer, Session, SessionId, SessionStatus, StreamEvent, TransientSecrets};
use phase::{Phase, Turn};
use spending::TurnSpending;
use std::collections::hash_map::RandomState;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

pub type Reply = oneshot::Sender<Result<(), String>>;

pub enum Command {
    /// A message with the secrets of the request that sent it (held until its turn ends).
    Send(String, TransientSecrets, Reply),
    Answer(String, PermissionAnswer, Reply),
    Interrupt(Reply),
    Kill(Reply),
    End(Reply),
}

/// A task's worktree, made by the actor before its first turn; the outcome is reported to
/// whoever started it.
pub struct Prepare {
    pub repo: PathBuf,
    pub path: PathBuf,
    pub branch: String,
    pub base: String,
    /// What a newly made worktree gets before the first turn.
    pub setup: model::setup::WorktreeSetup,
    pub done: oneshot::Sender<Result<(), String>>,
}

/// A message waiting for its turn, or the one running: its secrets live exactly as long.
pub struct Message {
    pub text: String,
    pub secrets: TransientSecrets,
}

/// Why we stopped a process ourselves, so its exit is not taken for a crash.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stopping {
    Interrupt,
    Timeout,
    Final,
}

pub struct Actor {
    engine: Engine,
    id: SessionId,
    /// Its handle's token (`LiveSessions::forget`).
    token: u64,
    session: Session,
    status: SessionStatus,
    /// The agent's live process, if one runs.
    run: Option<AgentRun>,
    /// Tells the live process's environment from a new request's, without keeping it.
    env_hasher: RandomState,
    process_env: Option<u64>,
    queue: VecDeque<Message>,
    permissions: HashMap<String, PendingPermission>,
    phase: Phase,
    agent_session_id: Option<String>,
    restarted: bool,
    stopping: Option<Stopping>,
    /// Why the last turn failed, if it did (the CLI's own error text).
    last_turn_failure: Option<String>,
    /// The error the CLI reported during the running turn, if any.
    turn_error: Option<String>,
    /// The process's last words on stderr (redacted): why it exited, when a CLI refuses to
    /// start (say, Claude Code's bypass mode as root), for the failure's reason.
    last_stderr: Option<String>,
    /// Text deltas not stored yet (coalesced: see `deltas`).
    deltas: DeltaBuffer,
    /// What the running turn used so far, against the task's budget.
    spending: TurnSpending,
}

impl Actor {
    pub fn new(engine: Engine, session: Session, token: u64) -> Actor {
        Actor {
            token,
            id: session.id,
            status: session.status,
            agent_session_id: session.agent_session_id.clone(),
            session,
            engine,
            run: None,
            env_hasher: RandomState::new(),
            process_env: None,
            queue: VecDeque::new(),
            permissions: HashMap::new(),
            phase: Phase::Waiting,
            restarted: false,
            stopping: None,
            last_turn_failure: None,
            turn_error: None,
            last_stderr: None,
            deltas: DeltaBuffer::default(),
            spending: TurnSpending::default(),
        }
    }

    /// Stores an event, text deltas coalesced.
    fn emit(&mut self, event: StreamEvent) {
        for event in self.deltas.route(event, Instant::now()) {
            self.engine.events().append(self.id, event);
        }
    }

    /// The coalesced deltas waited long enough: the browser gets them now.
    fn flush_deltas(&mut self) {
        if let Some(event) = self.deltas.take() {
            self.engine.events().append(self.id, event);
        }
    }

    /// Runs until the session reaches a final status or every handle is gone.
    pub async fn run(
        mut self,
        prepare: Option<Prepare>,
        first: Option<Message>,
        mut commands: mpsc::UnboundedReceiver<Command>,
    ) {
        if let Some(prepare) = prepare {
            let made = crate::git::worktree::ensure(
                &prepare.repo,
                &prepare.path,
                &prepare.branch,
                &prepare.base,
            )
            .await;
            let created = match made {
                Ok(created) => created,
                Err(e) => {
                    let reason = format!("Could not prepare the task's worktree: {e}");
                    self.fail(reason.clone()).await;
                    let _ = prepare.done.send(Err(reason));
                    self.engine.live.forget(self.id, self.token);
                    return;
                }
            };
            let _ = prepare.done.send(Ok(()));
            let unfinished = !created && setup::left_unfinished(&prepare.path).await;
            if (created || unfinished) && !prepare.setup.is_empty() {
                let set_up =
                    self.set_up(&prepare.repo, &prepare.path, &prepare.setup, &mut commands);
                if set_up.await.is_err() {
                    self.engine.live.forget(self.id, self.token);
                    self.engine.events().flush().await;
                    return;
                }
            }
        }
        if let Some(message) = first {
            self.start_turn(message).await;
        }
        while !self.status.is_final() {
            let deadline = self.next_deadline();
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.on_command(command).await,
                    None => break,
                },
                Some(output) = next_output(&mut self.run, self.engine.events()) => self.on_output(output).await,
                () = sleep_until(deadline) => self.on_deadline().await,
                () = sleep_until(self.deltas.deadline()) => self.flush_deltas(),
            }
        }
        self.engine.live.forget(self.id, self.token);
        self.await_exit().await;
        self.engine.events().flush().await;
    }

    /// A session that ended while its process was stopping (a Kill, say): waits for the
    /// process to be reaped, so its exit is recorded and its pid and group forgotten. Its
    /// output is no longer shown. Bounded: the KILL after the grace period ends it.
    async fn await_exit(&mut self) {
        let Some(run) = self.run.take() else {
            return;
        };
        let bound = self.engine.config().kill_grace + std::time::Duration::from_secs(5);
        match tokio::time::timeout(bound, run.exit()).await {
            Ok(Some(exit)) => {
                if let Err(e) = self.engine.record_exit(self.id, exit).await {
                    tracing::error!(session = %self.id, error = %e, "recording the exit");
                }
            }
            _ => tracing::warn!(session = %self.id, "the agent process did not exit in time"),
        }
    }

    fn next_deadline(&self) -> Option<Instant> {
        if let Some(until) = self.phase.finishing_until() {
            return Some(until);
        }
        // While the user is asked, the turn's clock does not run.
        if let Some(first) = self.permissions.values().map(|p| p.deadline).min() {
            return Some(first);
        }
        self.phase.turn().map(|t| t.deadline)
    }

    /// Moves to `next` (see `phase.rs`), returning the phase left; an illegal move is a bug,
    /// logged, and changes nothing.
    fn enter(&mut self, next: Phase) -> Option<Phase> {
        match self.phase.go(next) {
            Ok(left) => Some(left),
            Err(e) => {
                tracing::error!(session = %self.id, "{e}");
                None
            }
        }
    }

    /// Ends the running turn, if one runs, giving back its message.
    fn take_turn(&mut self) -> Option<Turn> {
        if !self.phase.is_turn() {
            return None;
        }
        match self.enter(Phase::Waiting) {
            Some(Phase::Turn(turn)) => Some(turn),
            _ => None,
        }
    }

    async fn set_status(&mut self, to: SessionStatus, reason: Option<String>) {
        if self.status == to {
            return;
        }
        match self.status.transition(to) {
            Ok(next) => {
                self.status = next;
                if let Err(e) = self
                    .engine
                    .write_session_status(self.id, next, reason)
                    .await
                {
                    tracing::error!(session = %self.id, error = %e, "writing session status");
                }
                self.emit(StreamEvent::StatusChanged { status: next });
            }
            Err(e) => tracing::warn!(session = %self.id, "{e}"),
        }
    }

    async fn fail(&mut self, reason: String) {
        self.emit(StreamEvent::Error {
            message: reason.clone(),
            retrying: false,
        });
        if let Some(run) = &self.run {
            self.stopping = Some(Stopping::Final);
            run.stop_group(self.engine.config().kill_grace);
        }
        self.set_status(SessionStatus::Failed, Some(reason)).await;
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Send(text, secrets, reply) => {
                if self.phase.is_finishing() {
                    let _ = reply.send(Err(
                        "This attempt at the task is finishing: retry the task with feedback instead."
                            .into(),
                    ));
                    return;
                }
                let _ = reply.send(Ok(()));
                let message = Message { text, secrets };
                if self.phase.is_turn() || !self.permissions.is_empty() {
                    self.emit(StreamEvent::MessageQueued {
                        text: message.text.clone(),
                    });
                    self.queue.push_back(message);
                } else {
                    self.start_turn(message).await;
                }
            }
            Command::Answer(request_id, answer, reply) => {
                let _ = reply.send(self.answer(&request_id, &answer).await);
            }
            Command::Interrupt(reply) => {
                let _ = reply.send(self.interrupt().await);
            }
            Command::Kill(reply) => {
                if let Some(run) = &self.run {
                    self.stopping = Some(Stopping::Final);
                    run.stop_group(self.engine.config().kill_grace);
                }
                self.set_status(SessionStatus::Killed, Some("Killed by the user".into()))
                    .await;
                let _ = reply.send(Ok(()));
            }
            Command::End(reply) => {
                if self.phase.is_turn() {
                    let _ = reply.send(Err(
                        "A turn is running: stop it first, or kill the session.".into(),
                    ));
                    return;
                }
                if let Some(run) = self.run.as_mut() {
                    self.stopping = Some(Stopping::Final);
                    run.close_stdin();
                    run.stop_group(self.engine.config().kill_grace);
                }
                self.set_status(SessionStatus::Completed, None).await;
                let _ = reply.send(Ok(()));
            }
        }
    }

    async fn on_output(&mut self, output: RunOutput) {
        match output {
            RunOutput::Events(events, spent) => {
                for event in events {
                    self.observe(&event);
                    let touched = edited_paths(&event);
                    if !touched.is_empty() {
                        self.engine
                            .touch_files(self.id, self.session.cwd.clone(), touched)
                            .await;
                    }
                    let mut event = self.once_per_failure(event);
                    let ended = matches!(event, StreamEvent::TurnEnded { .. });
                    if let StreamEvent::TurnEnded { models, .. } = &mut event {
                        let reported = std::mem::take(models);
                        *models = self.engine.record_turn_usage(&self.session, reported).await;
                    }
                    self.emit(event);
                    if ended {
                        let at_budget = self.stop_at_budget().await;
                        self.turn_ended(at_budget).await;
                    }
                }
                self.on_spent(spent).await;
            }
            RunOutput::Stderr(line) => {
                if !line.trim().is_empty() {
                    self.last_stderr = Some(cut_chars(line.trim(), STDERR_IN_REASON_CHARS));
                }
                self.emit(StreamEvent::Log { line })
            }
            RunOutput::Exited(exit) => self.exited(exit).await,
        }
    }

    fn observe(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::AgentSession {
                agent_session_id, ..
            } => self.agent_session_id = Some(agent_session_id.clone()),
            StreamEvent::PermissionRequest {
                request_id,
                input,
                options,
                tool,
                ..
            } => {
                self.engine.notify(crate::webhooks::Notice {
                    project: self.session.project_id,
                    kind: model::attention::WaitingKind::Permission,
                    task: self.session.task_id,
                    session: Some(self.id),
                    tool: Some(tool.clone()),
                });
                let pending = PendingPermission {
                    deadline: Instant::now() + self.engine.config().permission_timeout,
                    input: input.clone(),
                    options: options.clone(),
                };
                self.permissions.insert(request_id.clone(), pending);
            }
            StreamEvent::PermissionWithdrawn { request_id } => {
                self.permissions.remove(request_id);
            }
            _ => {}
        }
    }
}

/// How much of a stderr line a failure's reason quotes.
const STDERR_IN_REASON_CHARS: usize = 300;

/// The process's next line, read only while the event writer keeps up (back-pressure: a
/// flooding agent waits on its pipe).
async fn next_output(
    run: &mut Option<AgentRun>,
    events: &crate::sessions::EventLog,
) -> Option<RunOutput> {
    match run {
        Some(run) => {
            events.room().await;
            run.next().await
        }
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
