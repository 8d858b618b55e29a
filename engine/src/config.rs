//! Engine settings the server passes in (flags and environment).

use model::AgentKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Claude Code's executable: a path, or a name looked up on PATH.
    pub claude_bin: PathBuf,
    /// Codex CLI's executable.
    pub codex_bin: PathBuf,
    /// Gemini CLI's executable (run as `gemini --acp`).
    pub gemini_bin: PathBuf,
    /// GitHub CLI, for "Create PR".
    pub gh_bin: PathBuf,
    /// A turn running longer is stopped (a CLI whose model API is unreachable may retry
    /// forever).
    pub turn_timeout: Duration,
    /// A permission request left unanswered this long is denied (the CLI never gives up).
    pub permission_timeout: Duration,
    /// "Test connection" gives up after this (auth refresh can take tens of seconds).
    pub connection_timeout: Duration,
    /// Between TERM and KILL when stopping an agent's process group.
    pub kill_grace: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            claude_bin: PathBuf::from(AgentKind::ClaudeCode.default_binary()),
            codex_bin: PathBuf::from(AgentKind::Codex.default_binary()),
            gemini_bin: PathBuf::from(AgentKind::Gemini.default_binary()),
            gh_bin: PathBuf::from("gh"),
            turn_timeout: Duration::from_secs(30 * 60),
            permission_timeout: Duration::from_secs(15 * 60),
            connection_timeout: Duration::from_secs(90),
            kill_grace: Duration::from_secs(5),
        }
    }
}

impl EngineConfig {
    pub fn binary(&self, agent: AgentKind) -> &Path {
        match agent {
            AgentKind::ClaudeCode => &self.claude_bin,
            AgentKind::Codex => &self.codex_bin,
            AgentKind::Gemini => &self.gemini_bin,
        }
    }
}
