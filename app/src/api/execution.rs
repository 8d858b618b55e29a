//! Running tasks and reviewing their work: execute, retry with feedback, the review (diff),
//! local merges and rebases, pull requests, and the project's worktrees and their snapshots.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::review::{FilePatch, TaskDiff, TaskReview, WorktreeInfo};
use model::schedule::{Dependency, QueueState, StartOutcome};
use model::snapshot::{RestoredSnapshot, Snapshot};
use model::{
    MergeOutcome, MergePreview, MergeRequest, PermissionPolicy, ProjectId, RuntimeRequest,
    RuntimeSelection, Task, TaskId,
};
use serde::{Deserialize, Serialize};

/// The task page: the review of one task, and what a new attempt would run with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskPageData {
    pub review: TaskReview,
    pub runtime: RuntimeSelection,
    /// The project's tasks, to name dependencies and pick new ones.
    pub tasks: Vec<Task>,
    pub dependencies: Vec<Dependency>,
    /// Why the task waits, when it is queued.
    pub queue_state: Option<QueueState>,
    /// For a task in review: what merging it into the default branch would do, or why that
    /// cannot be told (its worktree was removed, say).
    pub merge: Option<Result<MergePreview, String>>,
    /// The line comments of the review not sent to the agent yet.
    pub comments: Vec<model::comment::ReviewComment>,
    /// For a task in progress: the last event of its session, which the live diff follows
    /// the stream from.
    pub live_after: Option<i64>,
    /// What each attempt (session) used, those with usage recorded.
    pub usage: Vec<(model::SessionId, model::usage::UsageTotal)>,
    /// The budget that applies and what the attempts spent against it.
    pub budget: model::budget::TaskBudget,
}

/// Starts a task (todo, blocked or fail) in its worktree with the request's runtime; a
/// `budget` ("$5", "200k tokens"; blank or absent: the task's as it is) becomes the task's own.
#[server(endpoint = "execute_task", input = StrictJson)]
pub async fn execute_task(
    project: ProjectId,
    task: TaskId,
    runtime: RuntimeRequest,
    permission: Option<PermissionPolicy>,
    budget: Option<String>,
) -> Result<StartOutcome, AppError> {
    let options = start_options(permission, budget.as_deref())?;
    Ok(super::engine()?
        .execute_task(project, task, runtime, options)
        .await?)
}

/// A new attempt at a task in review or fail, told the (required) feedback; `budget` as for
/// [`execute_task`].
#[server(endpoint = "retry_task", input = StrictJson)]
pub async fn retry_task(
    project: ProjectId,
    task: TaskId,
    feedback: String,
    runtime: RuntimeRequest,
    permission: Option<PermissionPolicy>,
    budget: Option<String>,
) -> Result<StartOutcome, AppError> {
    let options = start_options(permission, budget.as_deref())?;
    Ok(super::engine()?
        .retry_task(project, task, feedback, runtime, options)
        .await?)
}

/// What a Start or a Retry sets besides its runtime; a budget that is not one is refused
/// before anything is written.
#[cfg(feature = "ssr")]
pub(super) fn start_options(
    permission: Option<PermissionPolicy>,
    budget: Option<&str>,
) -> Result<engine::execution::StartOptions, AppError> {
    let budget = model::budget::Budget::parse(model::Field::TaskBudget, budget.unwrap_or(""))?;
    Ok(engine::execution::StartOptions { permission, budget })
}

#[server(endpoint = "get_task_review", input = StrictJson)]
pub async fn get_task_review(
    project: ProjectId,
    task: TaskId,
    page: Option<usize>,
) -> Result<TaskPageData, AppError> {
    let engine = super::engine()?;
    let queue_state = engine
        .queue_plan(project)
        .await?
        .into_iter()
        .find(|(t, _)| *t == task)
        .map(|(_, state)| state);
    // Read before the diff: an edit made meanwhile is then in the stream the page follows.
    let before = engine.task(project, task).await?;
    let live_after = match (before.status, before.session_id) {
        (model::TaskStatus::InProgress, Some(session)) => Some(
            engine
                .last_session_event(project, session)
                .await?
                .map_or(0, |e| e.seq),
        ),
        _ => None,
    };
    let review = engine.task_review(project, task, page.unwrap_or(0)).await?;
    let merge = match review.task.status {
        model::TaskStatus::Review => Some(
            engine
                .merge_preview(project, task, None)
                .await
                .map_err(|e| e.to_string()),
        ),
        _ => None,
    };
    Ok(TaskPageData {
        review,
        merge,
        runtime: engine.runtime_selection(project).await?,
        tasks: engine.board(project).await?.1,
        dependencies: engine.dependencies(project).await?,
        queue_state,
        comments: engine.review_comments(project, task).await?,
        usage: super::or_nothing("the task's usage", engine.task_usage(project, task).await)
            .into_iter()
            .collect(),
        live_after,
        budget: engine.task_budget(project, task).await?,
    })
}

/// Sets the task's own budget from what the user typed ("$5", "200k tokens"; blank: the
/// project's default); a bad one is refused and nothing changes.
#[server(endpoint = "save_task_budget", input = StrictJson)]
pub async fn save_task_budget(
    project: ProjectId,
    task: TaskId,
    text: String,
) -> Result<model::budget::TaskBudget, AppError> {
    Ok(super::engine()?
        .set_task_budget(project, task, &text)
        .await?)
}

/// The task's changes now: one page of files, the first patches expanded (the live diff).
#[server(endpoint = "get_task_diff", input = StrictJson)]
pub async fn get_task_diff(
    project: ProjectId,
    task: TaskId,
    page: Option<usize>,
) -> Result<TaskDiff, AppError> {
    Ok(super::engine()?
        .task_diff(project, task, page.unwrap_or(0))
        .await?)
}

/// One page of one changed file's patch.
#[server(endpoint = "get_file_patch", input = StrictJson)]
pub async fn get_file_patch(
    project: ProjectId,
    task: TaskId,
    path: String,
    page: Option<usize>,
) -> Result<FilePatch, AppError> {
    Ok(super::engine()?
        .task_file_patch(project, task, path, page.unwrap_or(0))
        .await?)
}

/// Pushes the branch and opens a pull request with `gh`; the URL is stored on the task.
#[server(endpoint = "create_pr", input = StrictJson)]
pub async fn create_pr(project: ProjectId, task: TaskId) -> Result<Task, AppError> {
    Ok(super::engine()?.create_pr(project, task).await?)
}

/// What merging the task into `target` (default: the project's default branch) would do:
/// ahead/behind, conflicts, the target's work tree and whether it can take a merge.
#[server(endpoint = "get_merge_preview", input = StrictJson)]
pub async fn get_merge_preview(
    project: ProjectId,
    task: TaskId,
    target: Option<String>,
) -> Result<MergePreview, AppError> {
    Ok(super::engine()?
        .merge_preview(project, task, target)
        .await?)
}

/// Merges a task in review locally (fast-forward, merge commit or squash); it is then done.
#[server(endpoint = "merge_task", input = StrictJson)]
pub async fn merge_task(
    project: ProjectId,
    task: TaskId,
    merge: MergeRequest,
) -> Result<MergeOutcome, AppError> {
    Ok(super::engine()?.merge_task(project, task, merge).await?)
}

/// Rebases a task's branch onto the project's default branch in its worktree.
#[server(endpoint = "rebase_task", input = StrictJson)]
pub async fn rebase_task(project: ProjectId, task: TaskId) -> Result<Task, AppError> {
    Ok(super::engine()?.rebase_task(project, task).await?)
}

/// "Ask the agent to resolve": merges the default branch into the task's branch in its
/// worktree, conflicts left open, and retries the task with feedback naming them (+ `note`).
#[server(endpoint = "resolve_conflicts", input = StrictJson)]
pub async fn resolve_conflicts(
    project: ProjectId,
    task: TaskId,
    note: Option<String>,
    runtime: RuntimeRequest,
    permission: Option<PermissionPolicy>,
) -> Result<StartOutcome, AppError> {
    Ok(super::engine()?
        .resolve_conflicts_with_agent(project, task, note, runtime, permission)
        .await?)
}

/// The Worktrees page: the project's worktrees and the snapshots DevLog kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorktreesPageData {
    pub worktrees: Vec<WorktreeInfo>,
    pub snapshots: Vec<Snapshot>,
}

/// The Worktrees page's data in one call (a page loads with one: see `pages::page_data`).
#[server(endpoint = "get_worktrees_page", input = StrictJson)]
pub async fn get_worktrees_page(project: ProjectId) -> Result<WorktreesPageData, AppError> {
    let engine = super::engine()?;
    Ok(WorktreesPageData {
        worktrees: engine.worktrees(project).await?,
        snapshots: engine.snapshots(project).await?,
    })
}

#[server(endpoint = "list_worktrees", input = StrictJson)]
pub async fn list_worktrees(project: ProjectId) -> Result<Vec<WorktreeInfo>, AppError> {
    Ok(super::engine()?.worktrees(project).await?)
}

/// Removes one worktree (refused for the main one and while its session runs), after a
/// snapshot of what it held.
#[server(endpoint = "remove_worktree", input = StrictJson)]
pub async fn remove_worktree(project: ProjectId, path: String) -> Result<(), AppError> {
    Ok(super::engine()?.remove_worktree(project, path).await?)
}

/// Removes the worktrees whose task was deleted; answers how many.
#[server(endpoint = "prune_worktrees", input = StrictJson)]
pub async fn prune_worktrees(project: ProjectId) -> Result<usize, AppError> {
    Ok(super::engine()?.prune_worktrees(project).await?)
}

/// The project's worktree snapshots, newest first.
#[server(endpoint = "list_snapshots", input = StrictJson)]
pub async fn list_snapshots(project: ProjectId) -> Result<Vec<Snapshot>, AppError> {
    Ok(super::engine()?.snapshots(project).await?)
}

/// Makes a worktree of a snapshot again (the task's own when it can be, else one beside it).
#[server(endpoint = "restore_snapshot", input = StrictJson)]
pub async fn restore_snapshot(
    project: ProjectId,
    refname: String,
) -> Result<RestoredSnapshot, AppError> {
    Ok(super::engine()?.restore_snapshot(project, refname).await?)
}

/// Deletes a snapshot's ref.
#[server(endpoint = "delete_snapshot", input = StrictJson)]
pub async fn delete_snapshot(project: ProjectId, refname: String) -> Result<(), AppError> {
    Ok(super::engine()?.delete_snapshot(project, refname).await?)
}
