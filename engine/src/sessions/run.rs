//! One running agent, spoken to through its CLI's adapter: the one place that starts an agent
//! for a turn, turns what it prints into redacted events and writes its stdin protocol. The
//! session actor and the connection test both drive their turns through it, so a redaction or
//! protocol fix lands once.

use super::process::{AgentProcess, Exit, Output, SpawnError};
use crate::agents::{Conversation, TurnLaunch, adapter, conversation};
use crate::runtime::ChildEnv;
use model::usage::CallUsage;
use model::{AgentKind, PermissionAnswer, StreamEvent, TransientSecrets};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

/// Where and how a turn's process starts.
pub struct RunStart<'a> {
    pub launch: &'a TurnLaunch,
    /// The CLI's own id of the conversation to continue (from an `AgentSession` event).
    pub resume: Option<&'a str>,
    /// The conversation so far in words, for an agent that cannot load `resume`
    /// ([`conversation_so_far`](crate::agents::conversation_so_far)).
    pub history: Option<&'a str>,
    pub cwd: &'a Path,
    pub env: &'a ChildEnv,
    /// The mark of ownership its processes carry (`ownership`).
    pub mark: &'a str,
    /// What the process runs with, kept only to redact its output.
    pub secrets: TransientSecrets,
}

/// What the agent did next.
#[derive(Debug)]
pub enum RunOutput {
    /// What one line of its stdout said, redacted and parsed (possibly nothing), and what
    /// the running turn's model calls used so far, where the line reports it.
    Events(Vec<StreamEvent>, Vec<CallUsage>),
    /// One line of its stderr, redacted.
    Stderr(String),
    /// It exited: always the last output, after every line it wrote.
    Exited(Exit),
}

/// Why a permission answer did not reach the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("This agent does not take permission answers.")]
    NotTaken,
    #[error("The agent process is gone.")]
    Gone,
}

pub struct AgentRun {
    /// What the agent's lines mean and what to write back (DESIGN §5).
    conversation: Box<dyn Conversation>,
    keeps_process: bool,
    process: AgentProcess,
    output: mpsc::Receiver<Output>,
    /// Whatever the process prints is redacted with these before it becomes an event: an API
    /// may echo the key in an error.
    secrets: TransientSecrets,
}

impl AgentRun {
    /// Spawns `agent` for `start.launch`: a continuation of `start.resume` if there is one,
    /// else a new conversation.
    pub async fn start(agent: AgentKind, start: RunStart<'_>) -> Result<AgentRun, SpawnError> {
        let adapter = adapter(agent);
        let spec = adapter.command(start.launch, start.resume);
        let (process, output) =
            AgentProcess::spawn(&spec, start.cwd, start.env, start.mark).await?;
        let mut run = AgentRun {
            conversation: conversation(agent, start.launch, start.resume, start.history, start.cwd),
            keeps_process: adapter.keeps_process(),
            process,
            output,
            secrets: start.secrets,
        };
        let opening = run.conversation.opening();
        // A process that is gone at once says why by its exit.
        run.write(opening).await;
        Ok(run)
    }

    pub fn process(&self) -> &AgentProcess {
        &self.process
    }

    /// One process takes many turns on stdin (Claude, an ACP agent); otherwise one process
    /// per turn.
    pub fn keeps_process(&self) -> bool {
        self.keeps_process
    }

    /// Writes `lines` to stdin in order; false once the pipe is gone.
    async fn write(&mut self, lines: Vec<String>) -> bool {
        for line in lines {
            if !self.process.write_line(&line).await {
                return false;
            }
        }
        true
    }

    /// The agent's next output; `None` once it has all been read.
    pub async fn next(&mut self) -> Option<RunOutput> {
        Some(match self.output.recv().await? {
            Output::Stdout(line) => {
                let heard = self.conversation.hear(&self.secrets.redact(&line));
                // The answers go before the events are handled: the agent may be waiting.
                self.write(heard.replies).await;
                RunOutput::Events(heard.events, heard.spent)
            }
            Output::Stderr(line) => RunOutput::Stderr(self.secrets.redact(&line).into_owned()),
            Output::Exited(exit) => RunOutput::Exited(exit),
        })
    }

    /// Waits for the exit, no longer reading what the process prints (it was stopped).
    pub async fn exit(mut self) -> Option<Exit> {
        while let Some(output) = self.output.recv().await {
            if let Output::Exited(exit) = output {
                return Some(exit);
            }
        }
        None
    }

    /// Sends `text` as the next user message to the running process. False when this CLI
    /// takes no input while it runs (a new turn needs a new process) or its stdin is gone.
    pub async fn send_message(&mut self, text: &str) -> bool {
        match self.conversation.user_message(text) {
            Some(lines) => self.write(lines).await,
            None => false,
        }
    }

    pub async fn answer_permission(
        &mut self,
        request_id: &str,
        answer: &PermissionAnswer,
    ) -> Result<(), AnswerError> {
        let lines = self
            .conversation
            .permission_answer(request_id, answer)
            .ok_or(AnswerError::NotTaken)?;
        if self.write(lines).await {
            Ok(())
        } else {
            Err(AnswerError::Gone)
        }
    }

    /// Asks the CLI to stop its turn and keep the process (`request_id` is ours, echoed in
    /// its answer). False when the only way to stop it is to stop the process.
    pub async fn interrupt(&mut self, request_id: &str) -> bool {
        match self.conversation.interrupt(request_id) {
            Some(lines) => self.write(lines).await,
            None => false,
        }
    }

    /// Closes stdin: a stream-json CLI finishes its turn and exits.
    pub fn close_stdin(&mut self) {
        self.process.close_stdin();
    }

    /// TERM to the whole group, then KILL after `grace` to whatever of it is still there.
    pub fn stop_group(&self, grace: Duration) {
        self.process.stop_group(grace);
    }
}
