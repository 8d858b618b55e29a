//! The engine's one error type; the app maps each variant to a user-facing message.

use crate::store::StoreError;
use model::{TransitionError, ValidationError};

pub type EngineResult<T> = Result<T, EngineError>;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The input broke a model rule.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A status change the state machine refuses.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The thing does not exist in this project (or at all: callers cannot tell, by design).
    #[error("{0} not found")]
    NotFound(String),
    /// The thing exists but belongs to another project.
    #[error("{0}")]
    Forbidden(String),
    /// A legal request refused by the current state, with the reason.
    #[error("{0}")]
    Refused(String),
    /// git refused an operation (not a bug of ours: the repository's state), with why.
    #[error("{0}")]
    Git(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl EngineError {
    /// A git failure in `folder`, as the user can act on it: the folder is gone (moved or
    /// deleted by hand), or git refused, with its own words and the folder named.
    pub fn git_in(folder: &std::path::Path, err: crate::git::GitError) -> EngineError {
        if !folder.is_dir() {
            return EngineError::NotFound(format!(
                "The folder {} (it was moved or deleted)",
                folder.display()
            ));
        }
        EngineError::Git(format!("In {}: {err}", folder.display()))
    }
}

/// A policy of another agent is a request refused, with the reason.
impl From<model::ForeignPolicy> for EngineError {
    fn from(err: model::ForeignPolicy) -> Self {
        EngineError::Refused(err.to_string())
    }
}

impl From<rusqlite::Error> for EngineError {
    fn from(err: rusqlite::Error) -> Self {
        EngineError::Store(StoreError::Sqlite(err))
    }
}
