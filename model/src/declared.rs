//! Agents declared on the server that speak the Agent Client Protocol (Qwen Code, OpenCode,
//! Copilot CLI, …), as the browser sees them: a selection picks one by name; which program
//! runs is the server's configuration alone.

use serde::{Deserialize, Serialize};

/// One declared agent, as Settings lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredAgent {
    /// What a selection names (`acp_agent`).
    pub name: String,
    pub label: String,
    /// The command line it runs, for the user to read.
    pub command: String,
    /// Whether its program was found (on PATH, or at its path).
    pub installed: bool,
    /// How to install it, when it is not.
    pub install: Option<String>,
    /// Where a bring-your-own key goes; without one the agent takes no key from DevLog.
    pub key_var: Option<String>,
    /// Where a model goes; without one the agent picks its model itself.
    pub model_var: Option<String>,
}
