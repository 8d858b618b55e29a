//! Engine settings the server passes in (flags and environment).

use crate::agents::{AcpAgentSpec, AgentProgram, builtin_agents};
use crate::clock::Clock;
use crate::webhooks::WebhookConfig;
use model::{AgentKind, RuntimeSelection};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Claude Code's executable: a path, or a name looked up on PATH.
    pub claude_bin: PathBuf,
    /// Codex CLI's executable.
    pub codex_bin: PathBuf,
    /// Gemini CLI's executable (run as `gemini --acp`).
    pub gemini_bin: PathBuf,
    /// The ACP agents a selection may name: the built-in ones and the server's declarations.
    pub acp_agents: Vec<AcpAgentSpec>,
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
    /// After Stop turn, how long an agent asked to stop (ACP `session/cancel`, Claude's
    /// interrupt) has to end its turn before its process is stopped: Gemini CLI ignores a
    /// cancel while it retries a failing model API, for minutes.
    pub stop_grace: Duration,
    /// The time a rate limit is waited out by; a test moves it forward.
    pub clock: Arc<Clock>,
    /// Where news of what waits for the user is posted.
    pub webhooks: WebhookConfig,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            claude_bin: PathBuf::from("claude"),
            codex_bin: PathBuf::from("codex"),
            gemini_bin: PathBuf::from("gemini"),
            acp_agents: builtin_agents(),
            gh_bin: PathBuf::from("gh"),
            turn_timeout: Duration::from_secs(30 * 60),
            permission_timeout: Duration::from_secs(15 * 60),
            connection_timeout: Duration::from_secs(90),
            kill_grace: Duration::from_secs(5),
            stop_grace: Duration::from_secs(10),
            clock: Arc::default(),
            webhooks: WebhookConfig::default(),
        }
    }
}

/// A selection of an ACP agent this server cannot run as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownAgent {
    #[error(
        "No ACP agent '{0}' is declared on this server: pick one in Settings, or declare it where the server starts (--agent {0}=COMMAND, or agents.toml)."
    )]
    NotDeclared(String),
    #[error("{0} picks its model itself (its declaration names no model_var): leave Model empty.")]
    NoModel(String),
}

impl EngineConfig {
    /// The declared ACP agent of this name.
    pub fn acp_agent(&self, name: &str) -> Option<&AcpAgentSpec> {
        self.acp_agents.iter().find(|a| a.name == name)
    }

    /// The declared agent a selection of [`AgentKind::Acp`] names (`None` for another kind),
    /// refused when it names a model the declaration has no variable for.
    pub fn declared(
        &self,
        selection: &RuntimeSelection,
    ) -> Result<Option<&AcpAgentSpec>, UnknownAgent> {
        if selection.agent != AgentKind::Acp {
            return Ok(None);
        }
        let name = selection.acp_agent().unwrap_or_default();
        let spec = self
            .acp_agent(name)
            .ok_or_else(|| UnknownAgent::NotDeclared(name.to_string()))?;
        if selection.model().is_some() && spec.model_var.is_none() {
            return Err(UnknownAgent::NoModel(spec.label.clone()));
        }
        Ok(Some(spec))
    }

    /// What a selection's turns run: a CLI's configured binary, or the declared agent's
    /// command.
    pub fn program(&self, selection: &RuntimeSelection) -> Result<AgentProgram, UnknownAgent> {
        let binary = match selection.agent {
            AgentKind::ClaudeCode => &self.claude_bin,
            AgentKind::Codex => &self.codex_bin,
            AgentKind::Gemini => &self.gemini_bin,
            AgentKind::Acp => {
                let spec = self
                    .declared(selection)?
                    .ok_or_else(|| UnknownAgent::NotDeclared(String::new()))?;
                return Ok(AgentProgram {
                    path: spec.program.clone(),
                    args: spec.args.clone(),
                    base_url_var: spec.base_url_var.clone(),
                    model_var: spec.model_var.clone(),
                });
            }
        };
        Ok(binary.clone().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declared_agent_is_found_by_name_and_takes_a_model_only_where_declared() {
        let config = EngineConfig::default();
        let mut selection = RuntimeSelection {
            agent: AgentKind::Acp,
            acp_agent: Some("qwen".into()),
            model: Some("qwen3-coder".into()),
            ..RuntimeSelection::default()
        };
        let program = config.program(&selection).unwrap();
        assert_eq!(program.path, PathBuf::from("qwen"));
        assert_eq!(program.args, ["--acp"]);
        assert_eq!(program.model_var.as_deref(), Some("OPENAI_MODEL"));
        selection.acp_agent = Some("opencode".into());
        assert_eq!(
            config.program(&selection),
            Err(UnknownAgent::NoModel("OpenCode".into()))
        );
        selection.model = None;
        assert!(config.program(&selection).is_ok());
        selection.acp_agent = Some("nobody".into());
        assert_eq!(
            config.declared(&selection),
            Err(UnknownAgent::NotDeclared("nobody".into()))
        );
        let claude = RuntimeSelection::default();
        assert_eq!(config.declared(&claude), Ok(None));
        assert_eq!(
            config.program(&claude).unwrap().path,
            PathBuf::from("claude")
        );
    }
}
