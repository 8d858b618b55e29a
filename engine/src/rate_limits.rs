//! Rate limits are waited out, not failed (issue "Usage, budgets and attention", item 4). An
//! attempt whose session fails with a rate-limit answer (`model::rate_limit`) goes back to
//! `in_queue`, held until the agent's reset (or a back-off), keeping its worktree and, where
//! the CLI can resume, its agent conversation; the plan holds the other queued tasks of that
//! agent too, and the scheduler wakes itself when the hold is over.

use crate::store::schedule::{Hold, QueuedStart};
use crate::store::{self, StoreError};
use crate::{Engine, EngineResult};
use model::rate_limit::RateLimit;
use model::{ProjectId, SessionId, TaskId, TaskStatus};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// What a resumed attempt is told: its conversation is the one the limit interrupted.
pub const CONTINUE_PROMPT: &str = "You were stopped by a rate limit of the model API, which \
has now reset. Continue the task where you left off, in the same worktree.";

/// The earliest time each project's scheduler is already set to wake at.
#[derive(Debug, Default, Clone)]
pub(crate) struct Wakeups(Arc<Mutex<HashMap<ProjectId, i64>>>);

impl Wakeups {
    /// Whether a wake-up at `at` is needed (none is set at `at` or earlier); notes it.
    fn arm(&self, project: ProjectId, at: i64) -> bool {
        let Ok(mut armed) = self.0.lock() else {
            return true;
        };
        if armed.get(&project).is_some_and(|t| *t <= at) {
            return false;
        }
        armed.insert(project, at);
        true
    }

    fn fired(&self, project: ProjectId, at: i64) {
        if let Ok(mut armed) = self.0.lock()
            && armed.get(&project) == Some(&at)
        {
            armed.remove(&project);
        }
    }
}

impl Engine {
    /// Looks at the project's queue again once the engine's clock reads `at` (the end of a
    /// rate limit's hold, or of a day whose budget is spent).
    pub(crate) fn wake_scheduler_at(&self, project: ProjectId, at: i64) {
        if !self.wakeups.arm(project, at) {
            return;
        }
        let engine = self.clone();
        let run: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
            engine.clock().sleep_until(at).await;
            engine.wakeups.fired(project, at);
            tracing::info!(%project, "a hold is over: looking at the queue");
            engine.on_task_ended(project).await;
        });
        tokio::spawn(run);
    }
}

/// When session `session` of task `task` failed with `reason` and that is a rate limit: the
/// task goes back to the queue with the session's selection, held until the reset or a
/// back-off, to continue `session`'s conversation. Returns whether it did (else the caller
/// fails the task).
pub(crate) fn requeue_if_rate_limited(
    tx: &rusqlite::Transaction<'_>,
    (project, task): (ProjectId, TaskId),
    session: SessionId,
    reason: &str,
    now: i64,
) -> EngineResult<bool> {
    let Some(limit) = RateLimit::recognise(reason, now) else {
        return Ok(false);
    };
    let Some(row) = store::sessions::get(tx, project, session)? else {
        return Ok(false);
    };
    let (until, wait_ms) = limit.retry_at(now, store::schedule::last_wait(tx, project, task)?);
    TaskStatus::InProgress.transition(TaskStatus::InQueue)?;
    store::tasks::set_status(tx, project, task, TaskStatus::InQueue, None)?;
    let start = QueuedStart {
        selection: row.runtime,
        permission: Some(row.permission),
    };
    store::schedule::set_queued(tx, project, task, &start, true)?;
    let hold = Hold {
        until,
        reset_known: limit.reset_ahead(now).is_some(),
        wait_ms,
        resume: Some(session),
    };
    store::schedule::set_hold(tx, project, task, &hold)?;
    tracing::info!(%project, %task, %session, until, "rate-limited: the task waits in the queue");
    Ok(true)
}

impl Engine {
    /// For a queued task re-queued after a rate limit: the agent's own id of the conversation
    /// its next attempt continues, when the agent resumes by itself (Claude Code, Codex). An
    /// ACP agent's new process gets the task's prompt again, in the same worktree.
    pub(crate) async fn conversation_to_continue(
        &self,
        project: ProjectId,
        task: TaskId,
        selection: &model::RuntimeSelection,
    ) -> EngineResult<Option<String>> {
        if crate::agents::line_cli(selection.agent).is_none() {
            return Ok(None);
        }
        self.db()
            .read(move |conn| -> Result<_, StoreError> {
                Ok(store::schedule::resume_of(conn, project, task)?)
            })
            .await
            .map_err(Into::into)
    }
}
