//! The agent child's environment per execution mode (DESIGN §4). The key of a request goes
//! into that one child's environment, never into argv, a row, a log line or an event.

use super::RuntimeError;
use crate::agents::OPENAI_KEY_VAR;
use model::runtime::cli_env_entries;
use model::{AgentKind, ExecutionMode, RuntimeProblem, RuntimeRequest};
use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher;

/// Every variable through which the server's own credentials could reach a child and be
/// billed without the user choosing it.
const SERVER_KEY_VARS: [&str; 4] = [
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_AUTH_TOKEN",
    OPENAI_KEY_VAR,
    "CODEX_API_KEY",
];

/// Where each CLI reads its key: Claude Code `ANTHROPIC_API_KEY`; Codex its OpenAI
/// provider's `OPENAI_API_KEY`, and `CODEX_API_KEY`, which `codex exec` prefers.
pub fn key_vars(agent: AgentKind) -> &'static [&'static str] {
    match agent {
        AgentKind::ClaudeCode => &["ANTHROPIC_API_KEY"],
        AgentKind::Codex => &[OPENAI_KEY_VAR, "CODEX_API_KEY"],
    }
}

/// What to add to and take out of the child's inherited environment.
#[derive(Clone, PartialEq, Eq)]
pub struct ChildEnv {
    set: Vec<(String, String)>,
    remove: Vec<&'static str>,
}

impl ChildEnv {
    pub fn set(&self) -> &[(String, String)] {
        &self.set
    }

    pub fn remove(&self) -> &[&'static str] {
        &self.remove
    }

    /// Tells two environments apart without keeping their values: a live process started
    /// with another key must be replaced before it takes a message. In memory only.
    pub fn fingerprint(&self, hasher: &RandomState) -> u64 {
        hasher.hash_one(&self.set)
    }
}

/// Names only: the values may be secrets.
impl fmt::Debug for ChildEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.set.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ChildEnv")
            .field("set", &names)
            .field("remove", &self.remove)
            .finish()
    }
}

/// The environment for `request`, reading the server's variables through `server_env`.
pub fn child_env(
    request: &RuntimeRequest,
    server_env: impl Fn(&str) -> Option<String>,
) -> Result<ChildEnv, RuntimeError> {
    request.readiness()?;
    let selection = &request.selection;
    let with_key = |key: &str| ChildEnv {
        set: key_vars(selection.agent)
            .iter()
            .map(|var| (var.to_string(), key.to_string()))
            .collect(),
        remove: SERVER_KEY_VARS.to_vec(),
    };
    match selection.mode {
        ExecutionMode::LocalCli => Ok(ChildEnv {
            set: cli_env_entries(&request.secrets.cli_env)
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
            // A custom endpoint may well be meant to use the server's key; otherwise the
            // CLI's own login must not be silently replaced by it.
            remove: if selection.base_url().is_some() {
                Vec::new()
            } else {
                SERVER_KEY_VARS.to_vec()
            },
        }),
        ExecutionMode::Byok => request
            .secrets
            .api_key()
            .map(with_key)
            .ok_or(RuntimeError::Problem(RuntimeProblem::MissingApiKey)),
        ExecutionMode::BackendEnv => {
            let name = selection
                .env_var()
                .ok_or(RuntimeError::Problem(RuntimeProblem::MissingEnvVar))?;
            let value = server_env(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| RuntimeError::ServerEnvUnset(name.to_string()))?;
            Ok(with_key(value.trim()))
        }
    }
}

#[cfg(test)]
#[path = "env_tests.rs"]
mod tests;
