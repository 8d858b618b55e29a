//! The agent CLIs DevLog drives (DESIGN §5), one module per CLI behind [`AgentAdapter`]:
//! build the command for a first turn and for a continuation, parse one stdout line into
//! [`StreamEvent`]s, and write the CLI's stdin protocol (Claude only). Pure code: nothing here
//! spawns a process, so all of it is tested against the recorded transcripts in
//! `engine/tests/fixtures/agents/`.

mod acp;
mod claude;
mod codex;
mod conversation;
mod declared;
mod gemini;
mod outcome;

pub use acp::{AcpConversation, Resume};
pub use claude::ClaudeCode;
pub use codex::{Codex, OPENAI_KEY_VAR};
pub use conversation::{Conversation, Heard, LineProtocol};
pub use declared::{
    AcpAgentSpec, DeclarationError, DeclaredAcp, builtin_agents, is_installed, merge_agents,
};
pub use gemini::{GEMINI_BASE_URL_VAR, GEMINI_KEY_VAR, Gemini};
pub use outcome::{conversation_so_far, edited_paths, final_answer, turn_failure};

use model::runtime::Effort;
use model::{
    AgentKind, ForeignPolicy, PermissionAnswer, PermissionPolicy, RuntimeProblem, RuntimeSelection,
    StreamEvent,
};
use serde_json::Value;
use std::path::PathBuf;

/// What the child's stdin is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StdinMode {
    /// `/dev/null`: the CLI must never wait for input (Codex reads a piped stdin otherwise).
    Null,
    /// A pipe kept open for the life of the process: the supervisor writes `prompt_on_stdin`
    /// first, then follow-ups and permission answers as lines (Claude stream-json).
    Pipe,
    /// A pipe that is closed once `prompt_on_stdin` is written: the CLI reads its prompt to
    /// EOF (Codex with a prompt too long for argv).
    PromptThenEof,
}

/// How to start one agent process. Holds no secret: keys are added to the child's
/// environment by the supervisor at spawn time, so this can be logged and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandSpec {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Extra non-secret environment variables for the child.
    pub env: Vec<(String, String)>,
    pub stdin: StdinMode,
    /// Exactly what to write to stdin right after the spawn (newline included where the
    /// protocol is line-based); `None` writes nothing.
    pub prompt_on_stdin: Option<String>,
}

/// The program a turn runs: a CLI's binary, or a declared agent's command, and the variable
/// a declared agent reads a custom endpoint from. Comes from the server's configuration only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentProgram {
    pub path: PathBuf,
    pub args: Vec<String>,
    pub base_url_var: Option<String>,
    pub model_var: Option<String>,
}

impl From<PathBuf> for AgentProgram {
    fn from(path: PathBuf) -> AgentProgram {
        AgentProgram {
            path,
            args: Vec::new(),
            base_url_var: None,
            model_var: None,
        }
    }
}

impl From<&str> for AgentProgram {
    fn from(path: &str) -> AgentProgram {
        PathBuf::from(path).into()
    }
}

impl CommandSpec {
    /// An ACP agent's process: stdin a pipe kept open, nothing written at spawn — the
    /// conversation opens itself (`initialize`, then the prompt).
    fn acp(program: PathBuf, args: Vec<String>, env: Vec<(String, String)>) -> CommandSpec {
        CommandSpec {
            program,
            args,
            env,
            stdin: StdinMode::Pipe,
            prompt_on_stdin: None,
        }
    }
}

/// What a turn is launched with, made only by [`TurnLaunch::from_selection`]: every value in
/// it was checked there, once, so the command builders pass them as they are (none can be read
/// as a flag or leave a TOML string). Blank model and effort mean "the CLI's default".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnLaunch {
    program: AgentProgram,
    prompt: String,
    model: Option<String>,
    reasoning_effort: Option<Effort>,
    /// A custom API endpoint: Claude takes it as `ANTHROPIC_BASE_URL`, Codex as a model
    /// provider in `-c` options.
    base_url: Option<String>,
    permission: PermissionPolicy,
}

/// A launch refused before anything is spawned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaunchError {
    #[error("the prompt is empty")]
    BlankPrompt,
    #[error("{0}")]
    Runtime(#[from] RuntimeProblem),
    #[error("{0}")]
    ForeignPolicy(#[from] ForeignPolicy),
    #[error("'{0}' is not a session id this CLI could have issued")]
    BadSessionId(String),
}

impl TurnLaunch {
    /// The one launch check: the session's stored selection (the rule Settings applies when
    /// saving it), a policy of the selection's agent, and a prompt that says something.
    pub fn from_selection(
        selection: &RuntimeSelection,
        permission: PermissionPolicy,
        program: impl Into<AgentProgram>,
        prompt: String,
    ) -> Result<TurnLaunch, LaunchError> {
        selection.check()?;
        let permission = selection.agent.permission(Some(permission))?;
        if prompt.trim().is_empty() {
            return Err(LaunchError::BlankPrompt);
        }
        Ok(TurnLaunch {
            program: program.into(),
            prompt,
            model: selection.model().map(str::to_string),
            reasoning_effort: selection.reasoning_effort,
            base_url: selection.base_url().map(str::to_string),
            permission,
        })
    }

    pub fn prompt(&self) -> &str {
        &self.prompt
    }

    /// The custom endpoint as the one variable `var` a CLI reads it from, if there is one.
    fn base_url_env(&self, var: &str) -> Vec<(String, String)> {
        self.base_url
            .iter()
            .map(|url| (var.to_string(), url.clone()))
            .collect()
    }
}

/// Checks an agent session id before it is used to resume: ids come from the CLI's own
/// stdout, but they end up in argv, so one that could be read as a flag is refused.
pub fn check_session_id(id: &str) -> Result<(), LaunchError> {
    if is_word(id) && id.len() <= 200 {
        Ok(())
    } else {
        Err(LaunchError::BadSessionId(id.to_string()))
    }
}

/// One agent CLI's protocol. Implementations are stateless: one value serves every session.
pub trait AgentAdapter: Send + Sync {
    /// The command of a turn: a new conversation, or (`resume`) the continuation of the
    /// agent's own conversation from the `AgentSession` event of an earlier turn, with
    /// `launch.prompt`. An id failing [`check_session_id`] is never passed: the result is then
    /// a first turn.
    fn command(&self, launch: &TurnLaunch, resume: Option<&str>) -> CommandSpec;

    /// The command for a new conversation.
    fn first_turn(&self, launch: &TurnLaunch) -> CommandSpec {
        self.command(launch, None)
    }

    /// The command that continues the conversation `agent_session_id`.
    fn continuation(&self, launch: &TurnLaunch, agent_session_id: &str) -> CommandSpec {
        self.command(launch, Some(agent_session_id))
    }

    /// One process takes many turns on stdin (Claude, an ACP agent); otherwise one process
    /// per turn.
    fn keeps_process(&self) -> bool {
        false
    }
}

/// A CLI whose stdout lines each stand alone (Claude Code, Codex): what one means and the
/// stdin lines that answer it need no memory of earlier ones.
pub trait LineCli: Send + Sync {
    /// One stdout line (without its newline) as zero or more events. Never panics: what is
    /// not understood comes back as `Raw`.
    fn parse_line(&self, line: &str) -> Vec<StreamEvent>;

    /// One stdout line as its events and, for a CLI that reports it while a turn runs, what
    /// the turn's model calls used so far.
    fn hear(&self, line: &str) -> Heard {
        Heard::events(self.parse_line(line))
    }

    /// The stdin line (no newline) that sends `text` as a new user message to a running
    /// process; `None` when the CLI takes no input while it runs (a new turn needs a new
    /// process).
    fn user_message_line(&self, _text: &str) -> Option<String> {
        None
    }

    /// The stdin line (no newline) answering the permission request `request_id`; `None`
    /// when the CLI never asks.
    fn permission_answer_line(
        &self,
        _request_id: &str,
        _answer: &PermissionAnswer,
    ) -> Option<String> {
        None
    }

    /// The stdin line (no newline) that stops the current turn but keeps the process;
    /// `request_id` is ours, echoed in the CLI's `control_response`. `None` when the only way
    /// to stop is to kill the process.
    fn interrupt_line(&self, _request_id: &str) -> Option<String> {
        None
    }
}

static CLAUDE_CODE: ClaudeCode = ClaudeCode;
static CODEX: Codex = Codex;
static GEMINI: Gemini = Gemini;
static DECLARED_ACP: DeclaredAcp = DeclaredAcp;

/// The adapter for `kind`.
pub fn adapter(kind: AgentKind) -> &'static dyn AgentAdapter {
    match kind {
        AgentKind::ClaudeCode => &CLAUDE_CODE,
        AgentKind::Codex => &CODEX,
        AgentKind::Gemini => &GEMINI,
        AgentKind::Acp => &DECLARED_ACP,
    }
}

/// The line protocol of `kind`, for a CLI that has one (not an ACP agent).
pub fn line_cli(kind: AgentKind) -> Option<&'static dyn LineCli> {
    match kind {
        AgentKind::ClaudeCode => Some(&CLAUDE_CODE),
        AgentKind::Codex => Some(&CODEX),
        AgentKind::Gemini | AgentKind::Acp => None,
    }
}

/// The conversation of one process of `kind` started for `launch` in `cwd`: an ACP agent's
/// conversation sends the prompt (and asks to resume `resume`, else starts anew with its
/// `history`) itself; a line CLI got both in its command line.
pub fn conversation(
    kind: AgentKind,
    launch: &TurnLaunch,
    resume: Option<&str>,
    history: Option<&str>,
    cwd: &std::path::Path,
) -> Box<dyn Conversation> {
    match line_cli(kind) {
        Some(cli) => Box::new(LineProtocol(cli)),
        None => {
            let resume = resume
                .filter(|id| check_session_id(id).is_ok())
                .map(|id| Resume {
                    id: id.to_string(),
                    history: history.map(str::to_string),
                });
            Box::new(AcpConversation::new(
                cwd.to_path_buf(),
                launch.prompt.clone(),
                resume,
            ))
        }
    }
}

/// A plain word: ASCII letters, digits, `-` and `_`, not starting with `-`.
fn is_word(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('-')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The string at `key`, if it is one.
fn str_at<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The owned string at `key`, if it is one.
fn string_at(value: &Value, key: &str) -> Option<String> {
    str_at(value, key).map(str::to_string)
}

/// The line kept verbatim, for whatever an adapter does not understand.
fn raw(line: &str) -> Vec<StreamEvent> {
    vec![StreamEvent::Raw {
        line: line.to_string(),
    }]
}

/// The line as a JSON object, or `None` for anything else (malformed, array, scalar).
fn parse_object(line: &str) -> Option<Value> {
    serde_json::from_str::<Value>(line)
        .ok()
        .filter(Value::is_object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selection(agent: AgentKind) -> RuntimeSelection {
        RuntimeSelection {
            agent,
            acp_agent: (agent == AgentKind::Acp).then(|| "mine".into()),
            ..RuntimeSelection::default()
        }
    }

    fn launch(
        selection: &RuntimeSelection,
        permission: PermissionPolicy,
    ) -> Result<TurnLaunch, LaunchError> {
        TurnLaunch::from_selection(
            selection,
            permission,
            PathBuf::from("agent"),
            "do it".into(),
        )
    }

    #[test]
    fn a_launch_is_checked_once_from_the_typed_selection() {
        let claude = selection(AgentKind::ClaudeCode);
        assert!(launch(&claude, PermissionPolicy::Ask).is_ok());
        assert_eq!(
            launch(&selection(AgentKind::Codex), PermissionPolicy::Ask),
            Err(LaunchError::ForeignPolicy(ForeignPolicy {
                policy: PermissionPolicy::Ask,
                agent: AgentKind::Codex
            }))
        );
        let blank =
            TurnLaunch::from_selection(&claude, PermissionPolicy::Ask, "agent", "  \n".into());
        assert_eq!(blank, Err(LaunchError::BlankPrompt));
        let flag_model = RuntimeSelection {
            model: Some("--dangerously-skip-permissions".into()),
            ..claude.clone()
        };
        assert!(matches!(
            launch(&flag_model, PermissionPolicy::Ask),
            Err(LaunchError::Runtime(RuntimeProblem::BadModel(_)))
        ));
        let hostile_url = RuntimeSelection {
            base_url: Some("http://x\"\nmodel_provider=\"evil".into()),
            ..claude.clone()
        };
        assert!(matches!(
            launch(&hostile_url, PermissionPolicy::Ask),
            Err(LaunchError::Runtime(RuntimeProblem::BadBaseUrl(_)))
        ));
        let blanks = RuntimeSelection {
            model: Some("  ".into()),
            base_url: Some("".into()),
            ..claude.clone()
        };
        let blanks = launch(&blanks, PermissionPolicy::Ask).unwrap();
        assert_eq!((blanks.model, blanks.base_url), (None, None));
        let spaced = RuntimeSelection {
            model: Some(" claude-opus-4-1[1m] ".into()),
            ..claude
        };
        let spaced = launch(&spaced, PermissionPolicy::Ask).unwrap();
        assert_eq!(spaced.model.as_deref(), Some("claude-opus-4-1[1m]"));
    }

    #[test]
    fn session_ids_must_be_plain_words() {
        assert!(check_session_id("a3d62e19-2a19-4380-802e-5531bc5a77dc").is_ok());
        assert!(check_session_id("01a21b24-6c66-70e3-84e7-5de0d55dbc32").is_ok());
        for bad in [
            "",
            "-x",
            "--dangerously-skip-permissions",
            "a b",
            "a\nb",
            "a;b",
        ] {
            assert!(check_session_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn malformed_lines_are_raw_for_every_agent() {
        for kind in AgentKind::ALL {
            for line in [
                "{not json",
                "",
                "[1,2]",
                "42",
                "\"text\"",
                "null",
                r#"{"type":"nope"}"#,
                "{}",
            ] {
                let launch = launch(&selection(kind), kind.default_permission()).unwrap();
                let mut conversation = conversation(kind, &launch, None, None, "/tmp".as_ref());
                assert_eq!(
                    conversation.hear(line),
                    Heard::events(raw(line)),
                    "{kind:?} {line:?}"
                );
            }
        }
    }
}
