//! Settings > Execution & model on the server side (DESIGN §4): the per-project selection,
//! the child environment each mode builds, and the connection test.

mod connection;
mod env;

pub use connection::{CONNECTION_PROMPT, missing_cli};
pub use env::{ChildEnv, ServerEnv, child_env, is_secret_name, key_vars};

use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::{ProjectId, RuntimeProblem, RuntimeRequest, RuntimeSelection};
use std::collections::BTreeSet;
use std::sync::{Arc, RwLock};

/// The `project_settings` key of the saved selection.
const RUNTIME_KEY: &str = "runtime";

/// Why a runtime cannot launch, as the user reads it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Problem(#[from] RuntimeProblem),
    #[error(
        "The server's environment variable {0} is not set: set it where the server starts, or pick another mode in Settings."
    )]
    ServerEnvUnset(String),
    #[error("{0}")]
    UnknownAgent(String),
    #[error(
        "This agent takes no key from DevLog (its declaration names no key variable): use Local CLI, or declare key_var for it."
    )]
    NoKeyVariable,
}

impl From<RuntimeError> for EngineError {
    fn from(err: RuntimeError) -> Self {
        EngineError::Refused(err.to_string())
    }
}

/// The variable names projects gave for "Server environment variable" mode, since the
/// database was created: none of them reaches a child unless its own selection names it.
/// Only ever grows while the server runs (a name a session ran with stays a secret).
#[derive(Clone, Default)]
pub struct NamedServerVars(Arc<RwLock<BTreeSet<String>>>);

impl NamedServerVars {
    pub fn new(names: impl IntoIterator<Item = String>) -> NamedServerVars {
        NamedServerVars(Arc::new(RwLock::new(names.into_iter().collect())))
    }

    fn snapshot(&self) -> BTreeSet<String> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn insert(&self, name: &str) {
        let mut names = self.0.write().unwrap_or_else(|p| p.into_inner());
        names.insert(name.to_string());
    }
}

impl Engine {
    /// The child environment for `request`, from this server's own environment.
    pub fn launch_env(&self, request: &RuntimeRequest) -> Result<ChildEnv, RuntimeError> {
        let key_vars: Vec<String> = match self.config().declared(&request.selection) {
            Ok(None) => key_vars(request.selection.agent)
                .iter()
                .map(|v| v.to_string())
                .collect(),
            Ok(Some(spec)) => spec.key_var.iter().cloned().collect(),
            Err(unknown) => return Err(RuntimeError::UnknownAgent(unknown.to_string())),
        };
        child_env(request, &key_vars, &self.server_env())
    }

    /// This server's environment, with the names projects gave for server-env mode.
    pub fn server_env(&self) -> ServerEnv {
        ServerEnv::current(self.named_vars.snapshot())
    }

    /// The ACP agents this server declares, as Settings lists them (installed or not).
    pub fn declared_agents(&self) -> Vec<model::DeclaredAgent> {
        self.config().acp_agents.iter().map(|a| a.info()).collect()
    }

    /// The project's saved selection, or the default (Local CLI, Claude Code).
    pub async fn runtime_selection(&self, project: ProjectId) -> EngineResult<RuntimeSelection> {
        self.db()
            .read(move |conn| {
                store::projects::get(conn, project)?
                    .ok_or_else(|| EngineError::NotFound(format!("project {project}")))?;
                let Some(json) = store::settings::get(conn, project, RUNTIME_KEY)? else {
                    return Ok(RuntimeSelection::default());
                };
                serde_json::from_str(&json).map_err(|e| {
                    EngineError::Store(StoreError::Corrupt(format!("runtime setting: {e}")))
                })
            })
            .await
    }

    /// Saves the project's selection (never a secret: the type has no field for one). A
    /// malformed value is refused and nothing is written; an incomplete one is saved.
    pub async fn save_runtime_selection(
        &self,
        project: ProjectId,
        selection: RuntimeSelection,
    ) -> EngineResult<RuntimeSelection> {
        selection.check().map_err(RuntimeError::from)?;
        self.config()
            .declared(&selection)
            .map_err(|e| EngineError::Refused(e.to_string()))?;
        // Named before it is saved: from now on no other child inherits it.
        if let Some(name) = selection.env_var() {
            self.named_vars.insert(name);
        }
        let json = serde_json::to_string(&selection)
            .map_err(|e| EngineError::Store(StoreError::Corrupt(e.to_string())))?;
        self.db()
            .write(move |conn| {
                store::projects::get(conn, project)?
                    .ok_or_else(|| EngineError::NotFound(format!("project {project}")))?;
                store::settings::put(conn, project, RUNTIME_KEY, &json)?;
                Ok(selection)
            })
            .await
    }
}
