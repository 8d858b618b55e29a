//! Scheduling: task dependencies, the queue and its reasons, the concurrency limit and the
//! file locks of running sessions.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::schedule::{FileLock, QueueState};
use model::{ProjectId, Task, TaskId};
use serde::{Deserialize, Serialize};

/// `task` waits for `on` to be done; refused (naming it) when it would close a cycle.
#[server(endpoint = "add_dependency", input = StrictJson)]
pub async fn add_dependency(project: ProjectId, task: TaskId, on: TaskId) -> Result<(), AppError> {
    Ok(super::engine()?.add_dependency(project, task, on).await?)
}

#[server(endpoint = "remove_dependency", input = StrictJson)]
pub async fn remove_dependency(
    project: ProjectId,
    task: TaskId,
    on: TaskId,
) -> Result<(), AppError> {
    Ok(super::engine()?
        .remove_dependency(project, task, on)
        .await?)
}

/// Every queued task with why it waits, in the order they will start.
#[server(endpoint = "get_queue", input = StrictJson)]
pub async fn get_queue(project: ProjectId) -> Result<Vec<(TaskId, QueueState)>, AppError> {
    Ok(super::engine()?.queue_plan(project).await?)
}

/// How many task attempts may run at once in the project (1 to 16).
#[server(endpoint = "set_concurrency_limit", input = StrictJson)]
pub async fn set_concurrency_limit(project: ProjectId, limit: u32) -> Result<u32, AppError> {
    Ok(super::engine()?
        .set_concurrency_limit(project, limit)
        .await?)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocksData {
    pub locks: Vec<FileLock>,
    /// To name each holder's task.
    pub tasks: Vec<Task>,
}

#[server(endpoint = "get_locks", input = StrictJson)]
pub async fn get_locks(project: ProjectId) -> Result<LocksData, AppError> {
    let engine = super::engine()?;
    let (project, tasks) = engine.board(project).await?;
    Ok(LocksData {
        locks: engine.file_locks(project.id).await?,
        tasks,
    })
}
