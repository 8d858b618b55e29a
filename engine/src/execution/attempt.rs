//! What an attempt is: which one (a Start, the queue's start, a Retry), what it may set, what
//! it is planned to run with, and whether the task's status allows it.

use crate::{EngineError, EngineResult};
use model::budget::Budget;
use model::{PermissionPolicy, Task, TaskStatus};
use std::path::PathBuf;

/// What a Start or a Retry may set besides its runtime.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StartOptions {
    /// The permission policy of the attempt; `None`: the agent's default.
    pub permission: Option<PermissionPolicy>,
    /// The task's own budget from this attempt on; `None` keeps the one it has.
    pub budget: Option<Budget>,
}

impl StartOptions {
    /// A start with this permission policy (or the agent's default) that keeps the budget.
    pub fn permission(permission: impl Into<Option<PermissionPolicy>>) -> StartOptions {
        StartOptions {
            permission: permission.into(),
            budget: None,
        }
    }
}

/// Which attempt is being started.
pub(super) enum Attempt {
    /// The user's Start: runs now, or is queued behind dependencies or the limit.
    Execute,
    /// The start of a queued task: by the scheduler (a launch problem then fails the task
    /// as a recorded attempt), or by the user (refused like any Start).
    Dequeue {
        by_scheduler: bool,
    },
    Retry {
        feedback: String,
    },
}

/// What an attempt is started with, decided before anything is written.
pub(super) struct AttemptPlan {
    /// The project's main checkout, which the worktree is made from.
    pub(super) repo: PathBuf,
    /// The branch a new task branch starts from.
    pub(super) base: String,
    pub(super) branch: String,
    pub(super) path: PathBuf,
    pub(super) prompt: String,
    /// The agent's id of the conversation this attempt continues (after a rate limit).
    pub(super) resume: Option<String>,
    /// What the worktree gets when it is made.
    pub(super) setup: model::setup::WorktreeSetup,
}

/// Execute starts a task to do, blocked or failed (or queued); retry one in review or failed.
pub(super) fn check_startable(task: &Task, attempt: &Attempt) -> EngineResult<()> {
    let status = task.status;
    let is_retry = matches!(attempt, Attempt::Retry { .. });
    let ok = match attempt {
        Attempt::Retry { .. } => status.can_retry(),
        Attempt::Execute => status.is_executable(),
        Attempt::Dequeue { .. } => status == TaskStatus::InQueue,
    };
    if ok {
        return Ok(());
    }
    let what = status.phrase();
    Err(EngineError::Refused(if status == TaskStatus::InProgress {
        "This task is already running: open its session.".to_string()
    } else if is_retry {
        format!(
            "Task {} is {what}: only a task in review or failed can be retried.",
            task.id
        )
    } else {
        format!(
            "Task {} is {what}: only a task to do, blocked or failed can be started.",
            task.id
        )
    }))
}
