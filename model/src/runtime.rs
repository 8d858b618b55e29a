//! How an agent runs (DESIGN §4): the non-secret [`RuntimeSelection`] saved per project and
//! stored on every session, the [`TransientSecrets`] that only ever live in the browser's
//! memory and in the request that carries them, and the one readiness rule both the UI and
//! the server apply.

use crate::agent::AgentKind;
use crate::validation::non_blank;
use serde::{Deserialize, Serialize};
use std::fmt;

crate::wire_enum! {
    /// Where the agent's credentials come from.
    #[derive(Default)]
    pub enum ExecutionMode {
        /// The CLI's own login (`~/.claude`, `~/.codex`, `~/.gemini`).
        #[default]
        LocalCli = "local_cli",
        /// A key typed in the browser, attached to each launching request.
        Byok = "byok",
        /// A key the server reads from its own environment variable (legacy).
        BackendEnv = "backend_env",
    }
}

impl ExecutionMode {
    pub fn label(self) -> &'static str {
        match self {
            ExecutionMode::LocalCli => "Local CLI",
            ExecutionMode::Byok => "Bring your own key",
            ExecutionMode::BackendEnv => "Server environment variable",
        }
    }
}

crate::wire_enum! {
    /// The model API a key belongs to. Earlier builds wrote `open_ai`, still read so the
    /// selections they stored load.
    pub enum Provider {
        Anthropic = "anthropic",
        OpenAi = "openai" | "open_ai",
        /// Any server speaking OpenAI's API at a base URL of the user's choosing.
        OpenAiCompatible = "openai_compatible" | "open_ai_compatible",
        /// Google's Gemini API.
        Google = "google",
        /// Whatever API a declared ACP agent talks to: the key goes into the variable its
        /// declaration names.
        Declared = "declared",
    }
}

impl Provider {
    pub fn label(self) -> &'static str {
        match self {
            Provider::Anthropic => "Anthropic",
            Provider::OpenAi => "OpenAI",
            Provider::OpenAiCompatible => "OpenAI-compatible",
            Provider::Google => "Google (Gemini API)",
            Provider::Declared => "its declared key variable",
        }
    }

    /// The providers `agent` can talk to, its default first.
    pub fn for_agent(agent: AgentKind) -> &'static [Provider] {
        match agent {
            AgentKind::ClaudeCode => &[Provider::Anthropic],
            AgentKind::Codex => &[Provider::OpenAi, Provider::OpenAiCompatible],
            AgentKind::Gemini => &[Provider::Google],
            AgentKind::Acp => &[Provider::Declared],
        }
    }
}

crate::wire_enum! {
    /// Codex's `model_reasoning_effort`.
    pub enum Effort {
        Minimal = "minimal",
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

/// Whether `agent` takes a reasoning effort setting (Claude Code's `-p` mode has no flag).
pub fn has_reasoning_effort(agent: AgentKind) -> bool {
    agent == AgentKind::Codex
}

/// Models suggested in the picker; any other name the CLI accepts can be typed.
pub fn known_models(agent: AgentKind) -> &'static [&'static str] {
    match agent {
        AgentKind::ClaudeCode => &[
            "sonnet",
            "opus",
            "haiku",
            "claude-sonnet-4-5",
            "claude-opus-4-1",
        ],
        AgentKind::Codex => &["gpt-5", "gpt-5-codex", "gpt-5-mini", "o4-mini"],
        AgentKind::Gemini => &[
            "gemini-2.5-pro",
            "gemini-2.5-flash",
            "gemini-2.5-flash-lite",
        ],
        AgentKind::Acp => &[],
    }
}

/// Everything about how an agent runs except the secrets: saved per project, stored on each
/// session. No field can hold a key — by construction, and `deny_unknown_fields` keeps a
/// smuggled `api_key` from ever being read into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuntimeSelection {
    #[serde(default)]
    pub mode: ExecutionMode,
    pub agent: AgentKind,
    /// For [`AgentKind::Acp`]: the name of the agent declared on the server (`qwen`). Only a
    /// name: which program it runs is the server's configuration, never the browser's.
    #[serde(default)]
    pub acp_agent: Option<String>,
    /// BYOK's provider; `None` means the agent's default provider.
    #[serde(default)]
    pub provider: Option<Provider>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub reasoning_effort: Option<Effort>,
    #[serde(default)]
    pub base_url: Option<String>,
    /// BackendEnv: the name of the server's variable holding the key (never its value).
    #[serde(default)]
    pub env_var: Option<String>,
}

impl Default for RuntimeSelection {
    fn default() -> Self {
        RuntimeSelection {
            mode: ExecutionMode::LocalCli,
            agent: AgentKind::ClaudeCode,
            acp_agent: None,
            provider: None,
            model: None,
            reasoning_effort: None,
            base_url: None,
            env_var: None,
        }
    }
}

/// A secret value: redacted in `Debug` and `Display`, so it cannot reach a log line by
/// formatting. It serializes as its value because it has to travel from the browser to the
/// server in the request body; nothing stores it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The trimmed value, or `None` when blank (blank counts as absent everywhere).
    pub fn expose(&self) -> Option<&str> {
        non_blank(Some(&self.0))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One `NAME=value` entry added to a Local CLI agent's environment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CliEnvVar {
    pub name: String,
    pub value: Secret,
}

/// What only the browser holds: never saved, never stored, attached to each request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransientSecrets {
    #[serde(default)]
    pub api_key: Option<Secret>,
    #[serde(default)]
    pub cli_env: Vec<CliEnvVar>,
}

impl TransientSecrets {
    /// The API key, unless absent or blank.
    pub fn api_key(&self) -> Option<&str> {
        self.api_key.as_ref().and_then(Secret::expose)
    }

    /// `text` with every secret value in it replaced by `<redacted>`: what an agent prints
    /// (a server echoing the key in an error, say) goes through this before it is kept.
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        let values = self
            .api_key
            .iter()
            .chain(self.cli_env.iter().map(|e| &e.value))
            .filter_map(Secret::expose)
            // Very short values would redact ordinary words; keys are long.
            .filter(|v| v.len() >= 8);
        let mut out = std::borrow::Cow::Borrowed(text);
        for value in values {
            if out.contains(value) {
                out = std::borrow::Cow::Owned(out.replace(value, "<redacted>"));
            }
        }
        out
    }
}

/// What every launching or continuing call carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuntimeRequest {
    pub selection: RuntimeSelection,
    #[serde(default)]
    pub secrets: TransientSecrets,
}

/// What "Test connection" found: `sample` is the agent's final answer, never an error or a
/// reconnect notice; `error` says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionReport {
    pub ok: bool,
    pub sample: Option<String>,
    pub latency_ms: u64,
    pub error: Option<String>,
}

/// Why a runtime cannot launch an agent yet. The text is what the UI shows next to the
/// disabled button and what the server answers when refusing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RuntimeProblem {
    #[error("Bring your own key: enter an API key")]
    MissingApiKey,
    #[error("Server environment variable: name the variable that holds the key")]
    MissingEnvVar,
    #[error(
        "'{0}' is not an environment variable name (letters, digits and _, not starting with a digit)"
    )]
    BadEnvVarName(String),
    #[error("OpenAI-compatible: enter the provider's base URL")]
    MissingBaseUrl,
    #[error("The base URL must be an http:// or https:// address without spaces or quotes: '{0}'")]
    BadBaseUrl(String),
    #[error(
        "The base URL must not carry credentials or a query (user:password@, ?key=…): put the key in the API key field"
    )]
    CredentialsInBaseUrl,
    #[error("{} cannot use {}: pick {}", agent.label(), provider.label(), Provider::for_agent(*agent)[0].label())]
    ProviderNotForAgent {
        provider: Provider,
        agent: AgentKind,
    },
    #[error("{} has no reasoning effort setting", .0.label())]
    EffortNotForAgent(AgentKind),
    #[error("'{0}' is not a model name (no spaces, not starting with -)")]
    BadModel(String),
    #[error("CLI environment: '{0}' is not a variable name")]
    BadCliEnvName(String),
    #[error("CLI environment: {0} has no value")]
    BlankCliEnvValue(String),
    #[error("CLI environment: {0} is set twice")]
    DuplicateCliEnv(String),
    #[error("ACP agent: pick one of the agents this server declares")]
    MissingAcpAgent,
    #[error("'{0}' is not an agent name (letters, digits, - and _)")]
    BadAcpAgentName(String),
    #[error("{} is not an ACP agent: only a declared agent is picked by name", .0.label())]
    AcpAgentNotForAgent(AgentKind),
}

impl RuntimeSelection {
    /// The provider in effect: the chosen one, else the agent's default.
    pub fn provider(&self) -> Provider {
        self.provider
            .unwrap_or_else(|| Provider::for_agent(self.agent)[0])
    }

    pub fn model(&self) -> Option<&str> {
        non_blank(self.model.as_deref())
    }

    pub fn base_url(&self) -> Option<&str> {
        non_blank(self.base_url.as_deref())
    }

    pub fn env_var(&self) -> Option<&str> {
        non_blank(self.env_var.as_deref())
    }

    pub fn acp_agent(&self) -> Option<&str> {
        non_blank(self.acp_agent.as_deref())
    }

    /// The agent as the user reads it: "Codex CLI", "ACP agent qwen".
    pub fn agent_label(&self) -> String {
        self.agent.label_with(self.acp_agent())
    }

    /// What the user reads: "Bring your own key · Codex CLI · OpenAI · gpt-5", "Local CLI ·
    /// ACP agent qwen · default model".
    pub fn summary(&self) -> String {
        let agent = self.agent_label();
        let mut parts = vec![self.mode.label(), &agent];
        match self.mode {
            // A declared agent has one provider, its own: naming it says nothing.
            ExecutionMode::Byok if self.agent == AgentKind::Acp => {}
            ExecutionMode::Byok => parts.push(self.provider().label()),
            ExecutionMode::BackendEnv => parts.extend(self.env_var()),
            ExecutionMode::LocalCli => {}
        }
        parts.push(self.model().unwrap_or("default model"));
        if let Some(effort) = self.reasoning_effort {
            parts.push(effort.as_str());
        }
        parts.join(" · ")
    }

    /// What can be saved: every value well-formed and meant for this agent. Completeness is
    /// [`RuntimeRequest::readiness`]'s business: a half-filled selection can be saved.
    pub fn check(&self) -> Result<(), RuntimeProblem> {
        match (self.agent, self.acp_agent()) {
            (AgentKind::Acp, None) => return Err(RuntimeProblem::MissingAcpAgent),
            (AgentKind::Acp, Some(name)) if !is_agent_name(name) => {
                return Err(RuntimeProblem::BadAcpAgentName(name.to_string()));
            }
            (AgentKind::Acp, Some(_)) | (_, None) => {}
            (agent, Some(_)) => return Err(RuntimeProblem::AcpAgentNotForAgent(agent)),
        }
        // A declared agent takes a model only if its declaration says where (checked by the
        // server, which knows the declarations).
        if let Some(model) = self.model()
            && !is_cli_value(model)
        {
            return Err(RuntimeProblem::BadModel(model.to_string()));
        }
        if self.reasoning_effort.is_some() && !has_reasoning_effort(self.agent) {
            return Err(RuntimeProblem::EffortNotForAgent(self.agent));
        }
        if let Some(provider) = self.provider
            && !Provider::for_agent(self.agent).contains(&provider)
        {
            return Err(RuntimeProblem::ProviderNotForAgent {
                provider,
                agent: self.agent,
            });
        }
        if let Some(url) = self.base_url() {
            check_base_url(url)?;
        }
        if let Some(name) = self.env_var()
            && !is_env_name(name)
        {
            return Err(RuntimeProblem::BadEnvVarName(name.to_string()));
        }
        Ok(())
    }
}

impl RuntimeRequest {
    /// Whether this request can launch an agent, and if not, why: one rule for the button
    /// the UI disables and the request the server refuses.
    pub fn readiness(&self) -> Result<(), RuntimeProblem> {
        let selection = &self.selection;
        selection.check()?;
        match selection.mode {
            ExecutionMode::LocalCli => check_cli_env(&self.secrets.cli_env)?,
            ExecutionMode::Byok => {
                if self.secrets.api_key().is_none() {
                    return Err(RuntimeProblem::MissingApiKey);
                }
            }
            ExecutionMode::BackendEnv => {
                if selection.env_var().is_none() {
                    return Err(RuntimeProblem::MissingEnvVar);
                }
            }
        }
        if selection.mode != ExecutionMode::LocalCli
            && selection.provider() == Provider::OpenAiCompatible
            && selection.base_url().is_none()
        {
            return Err(RuntimeProblem::MissingBaseUrl);
        }
        Ok(())
    }
}

/// Entries with a blank name and a blank value are empty rows of the form, and ignored; any
/// other entry must be a proper `NAME=value`.
fn check_cli_env(entries: &[CliEnvVar]) -> Result<(), RuntimeProblem> {
    let mut seen: Vec<&str> = Vec::new();
    for entry in entries {
        let name = entry.name.trim();
        let value = entry.value.expose();
        if name.is_empty() && value.is_none() {
            continue;
        }
        if !is_env_name(name) {
            return Err(RuntimeProblem::BadCliEnvName(name.to_string()));
        }
        if value.is_none() {
            return Err(RuntimeProblem::BlankCliEnvValue(name.to_string()));
        }
        if seen.contains(&name) {
            return Err(RuntimeProblem::DuplicateCliEnv(name.to_string()));
        }
        seen.push(name);
    }
    Ok(())
}

/// The CLI env entries that are set, trimmed: what goes into the child's environment.
pub fn cli_env_entries(entries: &[CliEnvVar]) -> impl Iterator<Item = (&str, &str)> {
    entries.iter().filter_map(|e| {
        let name = e.name.trim();
        Some((name, e.value.expose()?)).filter(|_| is_env_name(name))
    })
}

/// An `http(s)://` address without credentials, spaces, quotes or backslashes.
pub fn check_base_url(url: &str) -> Result<(), RuntimeProblem> {
    let bad = || RuntimeProblem::BadBaseUrl(url.to_string());
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // Credentials in the user part or a query (`?key=…`) would be stored and put in argv.
    if authority.contains('@') || url.contains(['?', '#']) {
        return Err(RuntimeProblem::CredentialsInBaseUrl);
    }
    // Quotes and backslashes would break out of the TOML string Codex's `-c` takes.
    let clean = url.len() <= 2_000
        && url
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !matches!(c, '"' | '\'' | '\\'));
    if authority.is_empty() || !clean {
        return Err(bad());
    }
    Ok(())
}

/// A declared agent's name: ASCII letters, digits, `-` and `_`, not starting with `-`, at most
/// 40 characters (it is a form value and a config key, never a path or a flag).
pub fn is_agent_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 40
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `[A-Za-z_][A-Za-z0-9_]*`, at most 128 characters.
pub fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A value that can follow a flag in argv without being mistaken for one: no leading `-`,
/// no whitespace or control characters (`claude-opus-4-1[1m]` and `openai/gpt-5` pass).
pub fn is_cli_value(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 200
        && !value.starts_with('-')
        && value.chars().all(|c| !c.is_whitespace() && !c.is_control())
}

#[cfg(test)]
#[path = "runtime_tests.rs"]
mod tests;
