//! How a session's turns start, end and fail: spawning (or reusing) the agent's process for a
//! message, the follow-up queue, the end of a task's attempt, and a process's exit — expected,
//! or a death mid-turn that is retried once with resume.

use super::phase::{Phase, Turn};
use super::{Actor, Message, Stopping};
use crate::agents::{TurnLaunch, conversation_so_far, line_cli};
use crate::runtime::missing_cli;
use crate::sessions::ownership;
use crate::sessions::process::{Exit, SpawnError};
use crate::sessions::run::{AgentRun, RunStart};
use crate::store::sessions::ProcessRecord;
use model::{RuntimeRequest, SessionStatus, StreamEvent};
use std::path::PathBuf;
use tokio::time::Instant;

/// The latest events read for the conversation so far, and the characters of it given.
const HISTORY_EVENTS: usize = 5_000;
const HISTORY_CHARS: usize = 16 * 1024;

impl Actor {
    pub(super) async fn start_turn(&mut self, message: Message) {
        self.turn_error = None;
        self.spending = super::TurnSpending::default();
        self.emit(StreamEvent::UserMessage {
            text: message.text.clone(),
        });
        self.set_status(SessionStatus::Running, None).await;
        // The stored selection, never the current Settings; the secrets of this message.
        let request = RuntimeRequest {
            selection: self.session.runtime.clone(),
            secrets: message.secrets.clone(),
        };
        let env = match self.engine.launch_env(&request) {
            Ok(env) => env,
            Err(e) => return self.refuse_turn(e.to_string()).await,
        };
        let fingerprint = env.fingerprint(&self.env_hasher);
        let prompt = message.text.clone();
        self.enter(Phase::Turn(Turn {
            message,
            deadline: Instant::now() + self.engine.config().turn_timeout,
            stop_asked: false,
        }));
        // Claude's process takes the next message on stdin, if it runs with these secrets;
        // one started with another key is replaced (resuming the conversation).
        if self.process_env == Some(fingerprint) {
            if let Some(run) = self.run.as_mut()
                && run.send_message(&prompt).await
            {
                return;
            }
        } else {
            self.retire_process();
        }
        let selection = &self.session.runtime;
        // The configuration of now: a declared agent removed since the session began is said.
        let program = match self.engine.config().program(selection) {
            Ok(program) => program,
            Err(e) => return self.fail(e.to_string()).await,
        };
        let launch =
            match TurnLaunch::from_selection(selection, self.session.permission, program, prompt) {
                Ok(launch) => launch,
                Err(e) => return self.fail(format!("Cannot start the agent: {e}")).await,
            };
        let cwd = PathBuf::from(&self.session.cwd);
        let mark = ownership::new_mark(self.id);
        // An ACP agent's new process that is to resume may not be able to load the
        // conversation: it gets it in words. The others resume by themselves.
        let history = match (&self.agent_session_id, line_cli(selection.agent)) {
            (Some(_), None) => {
                let (engine, project) = (self.engine.clone(), self.session.project_id);
                history(engine, project, self.id, launch.prompt()).await
            }
            _ => None,
        };
        let start = RunStart {
            launch: &launch,
            resume: self.agent_session_id.as_deref(),
            history: history.as_deref(),
            cwd: &cwd,
            env: &env,
            mark: &mark,
            secrets: request.secrets,
        };
        match AgentRun::start(selection.agent, start).await {
            Ok(run) => {
                let process = run.process();
                let record = ProcessRecord {
                    pid: process.pid,
                    pgid: process.pgid,
                    start_ticks: process.start_ticks,
                    mark,
                };
                if let Err(e) = self.engine.record_process(self.id, record).await {
                    tracing::error!(session = %self.id, error = %e, "recording the process");
                }
                self.run = Some(run);
                self.process_env = Some(fingerprint);
                self.stopping = None;
                self.last_stderr = None;
            }
            Err(e) => {
                let reason = match e {
                    SpawnError::NotFound(program) => {
                        let declared = self.engine.config().declared(selection).ok().flatten();
                        missing_cli(selection.agent, declared, &program)
                    }
                    SpawnError::MissingFolder(folder) if self.session.task_id.is_some() => {
                        format!(
                            "The task's worktree {folder} no longer exists (removed by hand?): retry the task to make it again."
                        )
                    }
                    SpawnError::MissingFolder(folder) => format!(
                        "The session's folder {folder} no longer exists: start a new session."
                    ),
                    other => format!("The agent could not be started: {other}"),
                };
                self.take_turn();
                self.fail(reason).await;
            }
        }
    }

    /// A turn that cannot run with this request (say, the server's variable was unset since):
    /// it ends as failed and the session stays usable.
    async fn refuse_turn(&mut self, reason: String) {
        // One event per failure: the failed turn carries its reason.
        self.emit(StreamEvent::TurnEnded {
            is_error: true,
            result: Some(reason),
            reason: Some("refused".into()),
            cost_usd: None,
            duration_ms: None,
            num_turns: None,
            usage: None,
            models: Vec::new(),
        });
        self.set_status(SessionStatus::Idle, None).await;
        // Boxed: starting the next message may come back here.
        Box::pin(self.next_queued()).await;
    }

    /// Lets go of a live process started with other secrets: it ends, its output is no longer
    /// read, and its exit is not taken for a crash.
    fn retire_process(&mut self) {
        if let Some(mut run) = self.run.take() {
            run.close_stdin();
            run.stop_group(self.engine.config().kill_grace);
        }
        self.process_env = None;
    }

    /// The running turn ended; `at_budget`: it took the task to its budget, so the attempt
    /// ends with it, queued messages unsent.
    pub(super) async fn turn_ended(&mut self, at_budget: bool) {
        self.take_turn();
        self.permissions.clear();
        self.set_status(SessionStatus::Idle, None).await;
        if at_budget {
            self.unsent_at_budget();
        }
        if self.session.task_id.is_some() && self.queue.is_empty() {
            return self.finish_attempt().await;
        }
        // Codex's process is ending: the next turn starts once it has exited.
        if self.adapter_keeps_process() {
            self.next_queued().await;
        }
    }

    fn adapter_keeps_process(&self) -> bool {
        self.run.as_ref().is_some_and(AgentRun::keeps_process)
    }

    async fn next_queued(&mut self) {
        if self.phase.is_turn() || self.status.is_final() {
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
        self.enter(Phase::Finishing {
            until: Instant::now() + grace,
        });
        match self.run.as_mut() {
            Some(run) => run.close_stdin(),
            None => self.finalize(None, false).await,
        }
    }

    /// The outcome of a task's attempt: the turn's failure, else a failed exit, else done
    /// (the engine then sends the task to review, or to fail when nothing changed).
    async fn finalize(&mut self, exit: Option<Exit>, stopped_by_us: bool) {
        self.enter(Phase::Waiting);
        let failed_exit = exit.filter(|e| !e.success() && !stopped_by_us);
        // The turn's failure was shown with the turn's end; a failed exit is news.
        if let Some(failure) = self.last_turn_failure.take() {
            return self.set_status(SessionStatus::Failed, Some(failure)).await;
        }
        match failed_exit.map(|e| self.exit_reason(e, "")) {
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

    pub(super) async fn exited(&mut self, exit: Exit) {
        self.run = None;
        self.process_env = None;
        if let Err(e) = self.engine.record_exit(self.id, exit).await {
            tracing::error!(session = %self.id, error = %e, "recording the exit");
        }
        let stopping = self.stopping.take();
        if self.phase.is_finishing() && !self.status.is_final() {
            return self
                .finalize(Some(exit), stopping == Some(Stopping::Final))
                .await;
        }
        if stopping == Some(Stopping::Final) || self.status.is_final() {
            return;
        }
        // Stopped for the budget, by its interrupt's grace or by itself: the attempt ends.
        if self.phase.is_turn()
            && let Some(reason) = self.spending.take_stop()
        {
            return self.stopped_at_budget(reason).await;
        }
        if let Some(why) = stopping {
            let (result, reason) = match why {
                Stopping::Timeout => (
                    format!(
                        "The turn ran longer than {} s and was stopped.",
                        self.engine.config().turn_timeout.as_secs()
                    ),
                    "timeout",
                ),
                _ => ("Stopped by the user".to_string(), "interrupted"),
            };
            self.emit(StreamEvent::TurnEnded {
                is_error: true,
                result: Some(result),
                reason: Some(reason.into()),
                cost_usd: None,
                duration_ms: None,
                num_turns: None,
                usage: None,
                models: Vec::new(),
            });
            self.take_turn();
            self.permissions.clear();
            self.set_status(SessionStatus::Idle, None).await;
        } else if let Some(turn) = self.take_turn() {
            self.died_mid_turn(exit, turn).await;
            return;
        }
        self.next_queued().await;
    }

    /// The turn stopped for the task's budget ended with its process, before the CLI gave
    /// its account: what it used so far is recorded as the turn's, and the attempt fails.
    async fn stopped_at_budget(&mut self, reason: String) {
        let running = self.spending.running_models();
        let models = self.engine.record_turn_usage(&self.session, running).await;
        self.emit(StreamEvent::TurnEnded {
            is_error: true,
            result: Some(reason.clone()),
            reason: Some("budget".into()),
            cost_usd: None,
            duration_ms: None,
            num_turns: None,
            usage: None,
            models,
        });
        self.take_turn();
        self.permissions.clear();
        self.last_turn_failure = Some(reason);
        self.unsent_at_budget();
        self.finalize(None, true).await;
    }

    async fn died_mid_turn(&mut self, exit: Exit, turn: Turn) {
        self.permissions.clear();
        if self.restarted || self.agent_session_id.is_none() {
            let reason = self.exit_reason(exit, " in the middle of a turn");
            return self.fail(reason).await;
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

    /// "Agent exited with code 1 in the middle of a turn: <its last line on stderr>".
    fn exit_reason(&mut self, exit: Exit, when: &str) -> String {
        let mut reason = format!("Agent {}{when}", exit.describe());
        if let Some(line) = self.last_stderr.take() {
            reason.push_str(": ");
            reason.push_str(&line);
        }
        reason
    }

    /// One error event per failure: a CLI that reports an error and then fails the turn with
    /// the same words (Codex's `error` then `turn.failed`) gets its turn's end without them.
    /// Notes the turn's failure for the outcome of a task's attempt.
    pub(super) fn once_per_failure(&mut self, mut event: StreamEvent) -> StreamEvent {
        match &mut event {
            StreamEvent::Error {
                retrying: false,
                message,
            } => self.turn_error = Some(message.clone()),
            StreamEvent::TurnEnded {
                is_error, result, ..
            } => {
                let said = self.turn_error.take();
                self.last_turn_failure = is_error.then(|| {
                    let failure = result
                        .clone()
                        .or_else(|| said.clone())
                        .filter(|r| !r.trim().is_empty())
                        .unwrap_or_else(|| "The agent's turn failed.".into());
                    with_rate_limit(failure, said.as_deref())
                });
                if *is_error && result.is_some() && *result == said {
                    *result = None;
                }
            }
            _ => {}
        }
        event
    }
}

/// A turn's failure, told the rate limit the agent reported before it when the failure's own
/// words do not say (Claude Code's rejected `rate_limit_event`, then a bare failed `result`):
/// the task then waits for the reset instead of failing.
fn with_rate_limit(failure: String, said: Option<&str>) -> String {
    use model::rate_limit::RateLimit;
    match said {
        Some(said)
            if RateLimit::recognise(said, 0).is_some()
                && RateLimit::recognise(&failure, 0).is_none() =>
        {
            format!("{said} {failure}")
        }
        _ => failure,
    }
}

/// The conversation so far of session `id`, in words, without `prompt` (the message it goes
/// with).
async fn history(
    engine: crate::Engine,
    project: model::ProjectId,
    id: model::SessionId,
    prompt: &str,
) -> Option<String> {
    engine.events().flush().await;
    let (events, _) = engine
        .session_events_before(project, id, None, HISTORY_EVENTS)
        .await
        .ok()?;
    let events: Vec<StreamEvent> = events.into_iter().map(|e| e.event).collect();
    conversation_so_far(&events, prompt, HISTORY_CHARS)
}

#[cfg(test)]
mod tests {
    use super::with_rate_limit;

    #[test]
    fn a_failure_after_a_rate_limit_says_it() {
        let said =
            "Claude Code's five_hour usage limit is reached; it resets at 2026-12-04 16:00 UTC.";
        assert_eq!(
            with_rate_limit("The agent's turn failed.".into(), Some(said)),
            format!("{said} The agent's turn failed.")
        );
        // Already said, or said something else: the failure as it is.
        let limited = "Claude AI usage limit reached|1796400000";
        assert_eq!(with_rate_limit(limited.into(), Some(said)), limited);
        assert_eq!(
            with_rate_limit("Invalid API key".into(), Some("Invalid API key")),
            "Invalid API key"
        );
        assert_eq!(with_rate_limit("boom".into(), None), "boom");
    }
}
