//! Line comments of a task's review: kept as they are written, sent to the agent as a new
//! attempt's feedback.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::comment::{CommentDraft, ReviewComment};
use model::schedule::StartOutcome;
use model::{PermissionPolicy, ProjectId, RuntimeRequest, TaskId};

/// Keeps a comment on lines of one of the task's changed files.
#[server(endpoint = "add_review_comment", input = StrictJson)]
pub async fn add_review_comment(
    project: ProjectId,
    task: TaskId,
    draft: CommentDraft,
) -> Result<ReviewComment, AppError> {
    Ok(super::engine()?
        .add_review_comment(project, task, draft)
        .await?)
}

/// Deletes a comment not sent yet.
#[server(endpoint = "delete_review_comment", input = StrictJson)]
pub async fn delete_review_comment(
    project: ProjectId,
    task: TaskId,
    comment: i64,
) -> Result<(), AppError> {
    Ok(super::engine()?
        .delete_review_comment(project, task, comment)
        .await?)
}

/// "Send N comments": a new attempt whose feedback is `note` and every comment not sent yet,
/// each with its file and lines; `budget` as for a Retry.
#[server(endpoint = "send_review_comments", input = StrictJson)]
pub async fn send_review_comments(
    project: ProjectId,
    task: TaskId,
    note: Option<String>,
    runtime: RuntimeRequest,
    permission: Option<PermissionPolicy>,
    budget: Option<String>,
) -> Result<StartOutcome, AppError> {
    let options = super::execution::start_options(permission, budget.as_deref())?;
    Ok(super::engine()?
        .send_review_comments(project, task, note, runtime, options)
        .await?)
}
