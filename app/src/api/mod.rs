//! Server functions: DevLog's HTTP API. Each has a stable endpoint `/api/<name>` taking a JSON
//! object of its named arguments, e.g. `POST /api/create_task {"project":1,"draft":{...}}`.
//! They are thin: validate with `model`, call the engine, map its error. Every one decodes
//! its arguments with [`StrictJson`]: an object of exactly its argument names.

mod board;
mod codec;
mod comments;
mod execution;
mod projects;
mod schedule;
mod sessions;
mod settings;
mod tasks;
mod usage;

pub use board::*;
pub use codec::{ArgsError, StrictJson, StrictJsonEncoding, decode_args};
pub use comments::*;
pub use execution::*;
pub use projects::*;
pub use schedule::*;
pub use sessions::*;
pub use settings::*;
pub use tasks::*;
pub use usage::*;

/// What a page shows beside its data, or nothing when it cannot be read: the page still
/// loads (the reason is logged). For figures such as what the tasks used.
#[cfg(feature = "ssr")]
pub(crate) fn or_nothing<T: Default>(what: &str, read: engine::EngineResult<T>) -> T {
    read.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "reading {what}");
        T::default()
    })
}

/// The engine, provided as context by the server for every request.
#[cfg(feature = "ssr")]
pub(crate) fn engine() -> Result<engine::Engine, crate::error::AppError> {
    leptos::prelude::use_context::<engine::Engine>()
        .ok_or_else(|| crate::error::AppError::internal("the engine is not available"))
}
