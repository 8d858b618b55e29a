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
    /// git failed or the path is not what it should be.
    #[error("{0}")]
    Git(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for EngineError {
    fn from(err: rusqlite::Error) -> Self {
        EngineError::Store(StoreError::Sqlite(err))
    }
}
