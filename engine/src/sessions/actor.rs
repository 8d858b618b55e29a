//! One task per live session: it owns the agent process, the follow-up queue and the pending
//! permission requests, and is the only writer of the session's status while it lives.
//!
//! Claude Code keeps one process across turns (messages on stdin); Codex runs one process per
//! turn. A process that dies mid-turn is restarted once with resume and its last message
//! re-queued; a second death fails the session.

use super::process::{AgentProcess, Exit, Output};
use crate::Engine;
use crate::agents::{AgentAdapter, TurnLaunch, adapter, edited_paths};
use crate::runtime::{launch_env, missing_cli};
use crate::sessions::process::SpawnError;
use model::{
    PermissionAnswer, PermissionOutcome, RuntimeRequest, Session, SessionId, SessionStatus,
    StreamEvent, TransientSecrets,
};
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
    pub done: oneshot::Sender<Result<(), String>>,
}

/// A message waiting for its turn, or the one running: its secrets live exactly as long.
pub struct Message {
    pub text: String,
    pub secrets: TransientSecrets,
}

struct Turn {
    message: Message,
    deadline: Instant,
}

/// A permission request waiting for the user: when it is denied by itself, and the input the
/// CLI proposed (an allow without edits sends it back).
struct PendingPermission {
    deadline: Instant,
    input: serde_json::Value,
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
    session: Session,
    status: SessionStatus,
    adapter: &'static dyn AgentAdapter,
    binary: PathBuf,
    process: Option<AgentProcess>,
    output: Option<mpsc::Receiver<Output>>,
    /// Tells the live process's environment from a new request's, without keeping it.
    env_hasher: RandomState,
    process_env: Option<u64>,
    /// The secrets the live process runs with: anything it prints is redacted with them
    /// before it becomes an event (an API may echo the key in an error).
    process_secrets: TransientSecrets,
    queue: VecDeque<Message>,
    permissions: HashMap<String, PendingPermission>,
    turn: Option<Turn>,
    agent_session_id: Option<String>,
    restarted: bool,
    stopping: Option<Stopping>,
    /// A task's attempt ends with its turn: set once that turn ended and the queue was empty;
    /// the session's outcome is decided when the process has exited.
    finishing: Option<Instant>,
    /// Why the last turn failed, if it did (the CLI's own error text).
    last_turn_failure: Option<String>,
}

impl Actor {
    pub fn new(engine: Engine, session: Session) -> Actor {
        Actor {
            binary: engine.config().binary(session.runtime.agent).to_path_buf(),
            adapter: adapter(session.runtime.agent),
            id: session.id,
            status: session.status,
            agent_session_id: session.agent_session_id.clone(),
            session,
            engine,
            process: None,
            output: None,
            env_hasher: RandomState::new(),
            process_env: None,
            process_secrets: TransientSecrets::default(),
            queue: VecDeque::new(),
            permissions: HashMap::new(),
            turn: None,
            restarted: false,
            stopping: None,
            finishing: None,
            last_turn_failure: None,
        }
    }

    fn emit(&self, event: StreamEvent) {
        self.engine.events().append(self.id, event);
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
            if let Err(e) = made {
                let reason = format!("Could not prepare the task's worktree: {e}");
                self.fail(reason.clone()).await;
                let _ = prepare.done.send(Err(reason));
                self.engine.forget_live(self.id);
                return;
            }
            let _ = prepare.done.send(Ok(()));
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
                Some(output) = next_output(&mut self.output) => self.on_output(output).await,
                () = sleep_until(deadline) => self.on_deadline().await,
            }
        }
        self.engine.forget_live(self.id);
        self.engine.events().flush().await;
    }

    fn next_deadline(&self) -> Option<Instant> {
        if self.finishing.is_some() {
            return self.finishing;
        }
        // While the user is asked, the turn's clock does not run.
        if let Some(first) = self.permissions.values().map(|p| p.deadline).min() {
            return Some(first);
        }
        self.turn.as_ref().map(|t| t.deadline)
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
                self.emit(StreamEvent::StatusChanged {
                    status: next.as_str().to_string(),
                });
            }
            Err(e) => tracing::warn!(session = %self.id, "{e}"),
        }
    }

    async fn fail(&mut self, reason: String) {
        self.emit(StreamEvent::Error {
            message: reason.clone(),
            retrying: false,
        });
        if let Some(process) = &self.process {
            self.stopping = Some(Stopping::Final);
            process.stop_group(self.engine.config().kill_grace);
        }
        self.set_status(SessionStatus::Failed, Some(reason)).await;
    }

    async fn start_turn(&mut self, message: Message) {
        self.emit(StreamEvent::UserMessage {
            text: message.text.clone(),
        });
        self.set_status(SessionStatus::Running, None).await;
        // The stored selection, never the current Settings; the secrets of this message.
        let request = RuntimeRequest {
            selection: self.session.runtime.clone(),
            secrets: message.secrets.clone(),
        };
        let env = match launch_env(&request) {
            Ok(env) => env,
            Err(e) => return self.refuse_turn(e.to_string()).await,
        };
        let fingerprint = env.fingerprint(&self.env_hasher);
        let prompt = message.text.clone();
        self.turn = Some(Turn {
            message,
            deadline: Instant::now() + self.engine.config().turn_timeout,
        });
        // Claude's process takes the next message on stdin, if it runs with these secrets;
        // one started with another key is replaced (resuming the conversation).
        if self.process_env == Some(fingerprint) {
            if let (Some(process), Some(line)) = (
                self.process.as_mut(),
                self.adapter.user_message_line(&prompt),
            ) && process.write_line(&line).await
            {
                return;
            }
        } else {
            self.retire_process();
        }
        let selection = &self.session.runtime;
        let launch = TurnLaunch {
            binary: self.binary.clone(),
            prompt,
            model: selection.model().map(str::to_string),
            reasoning_effort: selection.reasoning_effort.map(|e| e.as_str().to_string()),
            base_url: selection.base_url().map(str::to_string),
            permission: self.session.permission,
        };
        if let Err(e) = launch.check(selection.agent) {
            return self.fail(format!("Cannot start the agent: {e}")).await;
        }
        let spec = match &self.agent_session_id {
            Some(resume) => self.adapter.continuation(&launch, resume),
            None => self.adapter.first_turn(&launch),
        };
        let cwd = PathBuf::from(&self.session.cwd);
        match AgentProcess::spawn(&spec, &cwd, env.set(), env.remove()).await {
            Ok((process, output)) => {
                if let Err(e) = self
                    .engine
                    .record_process(self.id, process.pid, process.pgid)
                    .await
                {
                    tracing::error!(session = %self.id, error = %e, "recording the process");
                }
                self.process = Some(process);
                self.output = Some(output);
                self.process_env = Some(fingerprint);
                self.process_secrets = request.secrets.clone();
                self.stopping = None;
            }
            Err(e) => {
                self.turn = None;
                let reason = match e {
                    SpawnError::NotFound(program) => missing_cli(selection.agent, &program),
                    other => format!("The agent could not be started: {other}"),
                };
                self.fail(reason).await;
            }
        }
    }

    /// A turn that cannot run with this request (say, the server's variable was unset since):
    /// it ends as failed and the session stays usable.
    async fn refuse_turn(&mut self, reason: String) {
        self.emit(StreamEvent::Error {
            message: reason.clone(),
            retrying: false,
        });
        self.emit(StreamEvent::TurnEnded {
            is_error: true,
            result: Some(reason),
            reason: Some("refused".into()),
            cost_usd: None,
            duration_ms: None,
            num_turns: None,
            usage: None,
        });
        self.set_status(SessionStatus::Idle, None).await;
        // Boxed: starting the next message may come back here.
        Box::pin(self.next_queued()).await;
    }

    /// Lets go of a live process started with other secrets: it ends, its output is no longer
    /// read, and its exit is not taken for a crash.
    fn retire_process(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.close_stdin();
            process.stop_group(self.engine.config().kill_grace);
        }
        self.output = None;
        self.process_env = None;
    }

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Send(text, secrets, reply) => {
                if self.finishing.is_some() {
                    let _ = reply.send(Err(
                        "This attempt at the task is finishing: retry the task with feedback instead."
                            .into(),
                    ));
                    return;
                }
                let _ = reply.send(Ok(()));
                let message = Message { text, secrets };
                if self.turn.is_some() || !self.permissions.is_empty() {
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
                if let Some(process) = &self.process {
                    self.stopping = Some(Stopping::Final);
                    process.stop_group(self.engine.config().kill_grace);
                }
                self.set_status(SessionStatus::Killed, Some("Killed by the user".into()))
                    .await;
                let _ = reply.send(Ok(()));
            }
            Command::End(reply) => {
                if self.turn.is_some() {
                    let _ = reply.send(Err(
                        "A turn is running: stop it first, or kill the session.".into(),
                    ));
                    return;
                }
                if let Some(process) = self.process.as_mut() {
                    self.stopping = Some(Stopping::Final);
                    process.close_stdin();
                    process.stop_group(self.engine.config().kill_grace);
                }
                self.set_status(SessionStatus::Completed, None).await;
                let _ = reply.send(Ok(()));
            }
        }
    }

    async fn answer(&mut self, request_id: &str, answer: &PermissionAnswer) -> Result<(), String> {
        let Some(pending) = self.permissions.remove(request_id) else {
            return Err(format!("No permission request {request_id} is waiting."));
        };
        // Claude Code refuses an allow without the input to run: an unedited allow sends back
        // the proposed one.
        let answer = match answer {
            PermissionAnswer::Allow {
                updated_input: None,
            } => &PermissionAnswer::Allow {
                updated_input: Some(pending.input),
            },
            answer => answer,
        };
        let line = self
            .adapter
            .permission_answer_line(request_id, answer)
            .ok_or("This agent does not take permission answers.")?;
        let written = match self.process.as_mut() {
            Some(process) => process.write_line(&line).await,
            None => false,
        };
        if !written {
            return Err("The agent process is gone.".into());
        }
        let outcome = match answer {
            PermissionAnswer::Allow { .. } => PermissionOutcome::Allowed,
            PermissionAnswer::Deny { .. } => PermissionOutcome::Denied,
        };
        self.emit(StreamEvent::PermissionResolved {
            request_id: request_id.to_string(),
            outcome,
        });
        if let Some(turn) = self.turn.as_mut() {
            turn.deadline = Instant::now() + self.engine.config().turn_timeout;
        }
        Ok(())
    }

    async fn interrupt(&mut self) -> Result<(), String> {
        if self.turn.is_none() {
            return Err("No turn is running.".into());
        }
        let line = self
            .adapter
            .interrupt_line(&format!("devlog-interrupt-{}", self.id));
        if let (Some(process), Some(line)) = (self.process.as_mut(), line)
            && process.write_line(&line).await
        {
            return Ok(());
        }
        self.stop_turn_process(Stopping::Interrupt);
        Ok(())
    }

    fn stop_turn_process(&mut self, why: Stopping) {
        if let Some(process) = &self.process {
            self.stopping = Some(why);
            process.stop_group(self.engine.config().kill_grace);
        }
    }

    async fn on_output(&mut self, output: Output) {
        match output {
            Output::Stdout(line) => {
                let line = self.process_secrets.redact(&line);
                for event in self.adapter.parse_line(&line) {
                    self.observe(&event);
                    let touched = edited_paths(&event);
                    if !touched.is_empty() {
                        self.engine
                            .touch_files(self.id, self.session.cwd.clone(), touched)
                            .await;
                    }
                    if let StreamEvent::TurnEnded {
                        is_error, result, ..
                    } = &event
                    {
                        self.last_turn_failure = is_error.then(|| {
                            result
                                .clone()
                                .filter(|r| !r.trim().is_empty())
                                .unwrap_or_else(|| "The agent's turn failed.".into())
                        });
                    }
                    let ended = matches!(event, StreamEvent::TurnEnded { .. });
                    self.emit(event);
                    if ended {
                        self.turn_ended().await;
                    }
                }
            }
            Output::Stderr(line) => {
                let line = self.process_secrets.redact(&line).into_owned();
                self.emit(StreamEvent::Log { line })
            }
            Output::Exited(exit) => self.exited(exit).await,
        }
    }

    fn observe(&mut self, event: &StreamEvent) {
        match event {
            StreamEvent::AgentSession {
                agent_session_id, ..
            } => self.agent_session_id = Some(agent_session_id.clone()),
            StreamEvent::PermissionRequest {
                request_id, input, ..
            } => {
                let pending = PendingPermission {
                    deadline: Instant::now() + self.engine.config().permission_timeout,
                    input: input.clone(),
                };
                self.permissions.insert(request_id.clone(), pending);
            }
            StreamEvent::PermissionWithdrawn { request_id } => {
                self.permissions.remove(request_id);
            }
            _ => {}
        }
    }

    async fn turn_ended(&mut self) {
        self.turn = None;
        self.permissions.clear();
        self.set_status(SessionStatus::Idle, None).await;
        if self.session.task_id.is_some() && self.queue.is_empty() {
            return self.finish_attempt().await;
        }
        // Codex's process is ending: the next turn starts once it has exited.
        if self.adapter_keeps_process() {
            self.next_queued().await;
        }
    }

    fn adapter_keeps_process(&self) -> bool {
        self.process.is_some() && self.adapter.keeps_process()
    }

    async fn next_queued(&mut self) {
        if self.turn.is_some() || self.status.is_final() {
            return;
        }
        if let Some(next) = self.queue.pop_front() {
            if self.queue.is_empty() {
                self.emit(StreamEvent::QueueDrained);
            }
            Box::pin(self.start_turn(next)).await;
        }
    }

    /// A task's turn is over: let the process end (Claude exits when its stdin closes,
    /// Codex by itself), then decide the outcome from the turn and the exit.
    async fn finish_attempt(&mut self) {
        let grace = self
            .engine
            .config()
            .kill_grace
            .max(std::time::Duration::from_secs(5));
        self.finishing = Some(Instant::now() + grace);
        match self.process.as_mut() {
            Some(process) => process.close_stdin(),
            None => self.finalize(None, false).await,
        }
    }

    /// The outcome of a task's attempt: the turn's failure, else a failed exit, else done
    /// (the engine then sends the task to review, or to fail when nothing changed).
    async fn finalize(&mut self, exit: Option<Exit>, stopped_by_us: bool) {
        self.finishing = None;
        let reason = self.last_turn_failure.take().or_else(|| {
            exit.filter(|e| !e.success() && !stopped_by_us)
                .map(|e| format!("Agent {}", e.describe()))
        });
        match reason {
            Some(reason) => {
                self.emit(StreamEvent::Error {
                    message: reason.clone(),
                    retrying: false,
                });
                self.set_status(SessionStatus::Failed, Some(reason)).await;
            }
            None => self.set_status(SessionStatus::Completed, None).await,
        }
    }

    async fn exited(&mut self, exit: Exit) {
        self.process = None;
        self.output = None;
        self.process_env = None;
        if let Err(e) = self.engine.record_exit(self.id, exit).await {
            tracing::error!(session = %self.id, error = %e, "recording the exit");
        }
        let stopping = self.stopping.take();
        if self.finishing.is_some() && !self.status.is_final() {
            return self
                .finalize(Some(exit), stopping == Some(Stopping::Final))
                .await;
        }
        if stopping == Some(Stopping::Final) || self.status.is_final() {
            return;
        }
        if let Some(why) = stopping {
            let (result, reason) = match why {
                Stopping::Timeout => ("The turn timed out and was stopped", "timeout"),
                _ => ("Stopped by the user", "interrupted"),
            };
            self.emit(StreamEvent::TurnEnded {
                is_error: true,
                result: Some(result.into()),
                reason: Some(reason.into()),
                cost_usd: None,
                duration_ms: None,
                num_turns: None,
                usage: None,
            });
            self.turn = None;
            self.permissions.clear();
            self.set_status(SessionStatus::Idle, None).await;
        } else if let Some(turn) = self.turn.take() {
            self.died_mid_turn(exit, turn).await;
            return;
        }
        self.next_queued().await;
    }

    async fn died_mid_turn(&mut self, exit: Exit, turn: Turn) {
        self.permissions.clear();
        if self.restarted || self.agent_session_id.is_none() {
            return self
                .fail(format!(
                    "Agent {} in the middle of a turn.",
                    exit.describe()
                ))
                .await;
        }
        self.restarted = true;
        self.emit(StreamEvent::Error {
            message: format!(
                "The agent {} in the middle of a turn: restarting it once, resuming its session.",
                exit.describe()
            ),
            retrying: true,
        });
        self.start_turn(turn.message).await;
    }

    async fn on_deadline(&mut self) {
        let now = Instant::now();
        if self.finishing.is_some_and(|at| at <= now) {
            // The CLI did not exit after its last turn: stop it; the turn's outcome stands.
            self.finishing = Some(now + self.engine.config().turn_timeout);
            self.stop_turn_process(Stopping::Final);
            return;
        }
        let expired: Vec<String> = self
            .permissions
            .iter()
            .filter(|(_, pending)| pending.deadline <= now)
            .map(|(id, _)| id.clone())
            .collect();
        if !expired.is_empty() {
            for request_id in expired {
                let deny = PermissionAnswer::Deny {
                    message: "Nobody answered this permission request in time.".into(),
                    interrupt: false,
                };
                if let (Some(process), Some(line)) = (
                    self.process.as_mut(),
                    self.adapter.permission_answer_line(&request_id, &deny),
                ) {
                    process.write_line(&line).await;
                }
                self.permissions.remove(&request_id);
                self.emit(StreamEvent::PermissionResolved {
                    request_id,
                    outcome: PermissionOutcome::TimedOut,
                });
            }
            if let Some(turn) = self.turn.as_mut() {
                turn.deadline = now + self.engine.config().turn_timeout;
            }
            return;
        }
        if self.turn.as_ref().is_some_and(|t| t.deadline <= now) {
            let secs = self.engine.config().turn_timeout.as_secs();
            self.emit(StreamEvent::Error {
                message: format!("The turn ran longer than {secs} s and was stopped."),
                retrying: false,
            });
            if let Some(turn) = self.turn.as_mut() {
                // Wait for the exit, not for another deadline.
                turn.deadline = now + self.engine.config().turn_timeout;
            }
            self.stop_turn_process(Stopping::Timeout);
        }
    }
}

async fn next_output(output: &mut Option<mpsc::Receiver<Output>>) -> Option<Output> {
    match output {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
