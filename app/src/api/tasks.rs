//! Task board server functions. Every one takes the project explicitly; a task of another
//! project is "not found".

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use model::schedule::conflicts_by_task;
use model::schedule::{Dependency, QueueState};
use model::{Project, ProjectId, RuntimeSelection, Task, TaskDraft, TaskId, TaskStatus};
use serde::{Deserialize, Serialize};

/// Everything the board page needs, in one round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardData {
    pub project: Project,
    pub tasks: Vec<Task>,
    /// What Start runs with.
    pub runtime: RuntimeSelection,
    /// The latest activity line of each running task, live updates follow on the board's
    /// activity stream.
    pub activity: Vec<(TaskId, String)>,
    pub dependencies: Vec<Dependency>,
    /// Why each queued task waits.
    pub queue: Vec<(TaskId, QueueState)>,
    /// Files each running task shares with another running session.
    pub conflicts: Vec<(TaskId, Vec<String>)>,
}

#[server(endpoint = "get_board", input = StrictJson)]
pub async fn get_board(project: ProjectId) -> Result<BoardData, AppError> {
    let engine = super::engine()?;
    let (project, tasks) = engine.board(project).await?;
    let runtime = engine.runtime_selection(project.id).await?;
    let activity = engine.running_activity(&tasks).await?;
    let dependencies = engine.dependencies(project.id).await?;
    let queue = engine.queue_plan(project.id).await?;
    let conflicts = conflicts_by_task(&engine.file_locks(project.id).await?);
    Ok(BoardData {
        project,
        tasks,
        runtime,
        activity,
        dependencies,
        queue,
        conflicts,
    })
}

#[server(endpoint = "get_task", input = StrictJson)]
pub async fn get_task(project: ProjectId, task: TaskId) -> Result<Task, AppError> {
    Ok(super::engine()?.task(project, task).await?)
}

#[server(endpoint = "create_task", input = StrictJson)]
pub async fn create_task(project: ProjectId, draft: TaskDraft) -> Result<Task, AppError> {
    Ok(super::engine()?.create_task(project, draft).await?)
}

#[server(endpoint = "update_task", input = StrictJson)]
pub async fn update_task(
    project: ProjectId,
    task: TaskId,
    draft: TaskDraft,
) -> Result<Task, AppError> {
    Ok(super::engine()?.update_task(project, task, draft).await?)
}

/// Deletes a task; refused while it runs.
#[server(endpoint = "delete_task", input = StrictJson)]
pub async fn delete_task(project: ProjectId, task: TaskId) -> Result<(), AppError> {
    Ok(super::engine()?.delete_task(project, task).await?)
}

/// Moves a task to another status, along the state machine's manual moves only.
#[server(endpoint = "move_task", input = StrictJson)]
pub async fn move_task(
    project: ProjectId,
    task: TaskId,
    status: TaskStatus,
) -> Result<Task, AppError> {
    Ok(super::engine()?.move_task(project, task, status).await?)
}

/// Puts a task at `position` (0-based) in its column; returns the column's new order.
#[server(endpoint = "reorder_task", input = StrictJson)]
pub async fn reorder_task(
    project: ProjectId,
    task: TaskId,
    position: usize,
) -> Result<Vec<TaskId>, AppError> {
    Ok(super::engine()?
        .reorder_task(project, task, position)
        .await?)
}
