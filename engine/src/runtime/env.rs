//! The agent child's environment, built by rule (DESIGN §4, §5): the server's variables pass
//! except the ones that may hold a secret, and the request adds exactly what its mode needs.
//! The key of a request goes into that one child's environment, never into argv, a row, a log
//! line or an event; the server's own keys reach a child only when its selection names one.

use super::RuntimeError;
use crate::agents::{GEMINI_KEY_VAR, OPENAI_KEY_VAR};
use model::runtime::cli_env_entries;
use model::{AgentKind, ExecutionMode, RuntimeProblem, RuntimeRequest};
use std::collections::BTreeSet;
use std::collections::hash_map::RandomState;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::hash::BuildHasher;

/// Variables that hold credentials although their names do not end like a secret's.
const KNOWN_SECRET_VARS: [&str; 5] = [
    "AWS_ACCESS_KEY_ID",
    "MYSQL_PWD",
    "NPM_CONFIG__AUTH",
    "PGPASSWORD",
    "AZURE_OPENAI_AD_TOKEN_PROVIDER",
];

/// Name endings (and, without their `_`, whole names) that say a variable holds a secret:
/// `_KEY` covers `*_API_KEY`, `*_SECRET_KEY` and `*_ACCESS_KEY`.
const SECRET_SUFFIXES: [&str; 7] = [
    "_KEY",
    "_APIKEY",
    "_TOKEN",
    "_SECRET",
    "_PASSWORD",
    "_PASSPHRASE",
    "_CREDENTIALS",
];

/// Whether a variable of this name may hold a credential: every `*_API_KEY`, `*_TOKEN`,
/// `*_SECRET` (and the like), and the providers' known names. Case does not matter.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    KNOWN_SECRET_VARS.contains(&upper.as_str())
        || SECRET_SUFFIXES
            .iter()
            .any(|suffix| upper.ends_with(suffix) || upper == suffix[1..])
}

/// Where each CLI reads its key: Claude Code `ANTHROPIC_API_KEY`; Codex its OpenAI
/// provider's `OPENAI_API_KEY`, and `CODEX_API_KEY`, which `codex exec` prefers; Gemini CLI
/// `GEMINI_API_KEY`.
pub fn key_vars(agent: AgentKind) -> &'static [&'static str] {
    match agent {
        AgentKind::ClaudeCode => &["ANTHROPIC_API_KEY"],
        AgentKind::Codex => &[OPENAI_KEY_VAR, "CODEX_API_KEY"],
        AgentKind::Gemini => &[GEMINI_KEY_VAR],
        // A declared agent's variable is in its declaration.
        AgentKind::Acp => &[],
    }
}

/// The server's environment as a child may see it: its variables, and the names that
/// projects gave for "Server environment variable" mode (secrets, whatever they are called).
pub struct ServerEnv {
    vars: Vec<(OsString, OsString)>,
    named: BTreeSet<String>,
}

impl ServerEnv {
    pub fn new(vars: Vec<(OsString, OsString)>, named: BTreeSet<String>) -> ServerEnv {
        ServerEnv { vars, named }
    }

    /// This process's environment.
    pub fn current(named: BTreeSet<String>) -> ServerEnv {
        ServerEnv::new(std::env::vars_os().collect(), named)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.to_str())
    }

    /// What a child inherits: nothing that is, or may be, a secret of the server's.
    fn passable(&self) -> impl Iterator<Item = &(OsString, OsString)> {
        self.vars.iter().filter(|(name, _)| {
            name.to_str()
                .is_some_and(|name| !is_secret_name(name) && !self.named.contains(name))
        })
    }
}

/// A child's whole environment: what it inherits from the server, then what its request sets.
#[derive(Clone, PartialEq, Eq)]
pub struct ChildEnv {
    inherited: Vec<(OsString, OsString)>,
    set: Vec<(String, String)>,
}

impl ChildEnv {
    /// The variables the request adds (keys, the browser's CLI entries): secrets.
    pub fn set(&self) -> &[(String, String)] {
        &self.set
    }

    /// Every variable of the child, inherited first; a later name wins.
    pub fn vars(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.inherited
            .iter()
            .map(|(k, v)| (k.as_os_str(), v.as_os_str()))
            .chain(self.set.iter().map(|(k, v)| (OsStr::new(k), OsStr::new(v))))
    }

    /// Whether the child gets a variable of this name at all.
    pub fn has(&self, name: &str) -> bool {
        self.vars().any(|(key, _)| key == name)
    }

    /// Tells two environments apart without keeping their values: a live process started
    /// with another key must be replaced before it takes a message. In memory only.
    pub fn fingerprint(&self, hasher: &RandomState) -> u64 {
        hasher.hash_one(&self.set)
    }

    /// Only the server's passable variables: for processes that are not an agent's turn.
    pub fn inherited_only(server: &ServerEnv) -> ChildEnv {
        ChildEnv {
            inherited: server.passable().cloned().collect(),
            set: Vec::new(),
        }
    }
}

/// Names only: the values may be secrets.
impl fmt::Debug for ChildEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.set.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ChildEnv")
            .field("inherited", &self.inherited.len())
            .field("set", &names)
            .finish()
    }
}

/// The environment for `request`, from the server's environment `server`; a key goes into
/// each of `key_vars` (its agent's [`key_vars`], or a declared agent's own variable).
pub fn child_env(
    request: &RuntimeRequest,
    key_vars: &[String],
    server: &ServerEnv,
) -> Result<ChildEnv, RuntimeError> {
    request.readiness()?;
    let selection = &request.selection;
    if selection.mode != ExecutionMode::LocalCli && key_vars.is_empty() {
        return Err(RuntimeError::NoKeyVariable);
    }
    let with_key = |key: &str| -> Vec<(String, String)> {
        key_vars
            .iter()
            .map(|var| (var.clone(), key.to_string()))
            .collect()
    };
    let set = match selection.mode {
        // The CLI's own login: no server key replaces it, custom endpoint or not.
        ExecutionMode::LocalCli => cli_env_entries(&request.secrets.cli_env)
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect(),
        ExecutionMode::Byok => request
            .secrets
            .api_key()
            .map(with_key)
            .ok_or(RuntimeError::Problem(RuntimeProblem::MissingApiKey))?,
        // The one server secret a child may get: the variable its selection names.
        ExecutionMode::BackendEnv => {
            let name = selection
                .env_var()
                .ok_or(RuntimeError::Problem(RuntimeProblem::MissingEnvVar))?;
            let value = server
                .get(name)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| RuntimeError::ServerEnvUnset(name.to_string()))?;
            with_key(value.trim())
        }
    };
    let inherited = server
        .passable()
        .filter(|(name, _)| !set.iter().any(|(set_name, _)| name == set_name.as_str()))
        .cloned()
        .collect();
    Ok(ChildEnv { inherited, set })
}

#[cfg(test)]
#[path = "env_tests.rs"]
mod tests;
