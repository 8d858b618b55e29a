//! Running a task (DESIGN §3): execute and retry write the session and the task's new status
//! in one transaction, then make the task's worktree, then start the agent there. Anything that
//! fails after the rows are written marks the session failed and releases the task to `fail`
//! with the reason, in one transaction; nothing leaves a task `in_progress` without a running
//! session.

pub mod prompt;
mod review;
mod worktrees;

use crate::git::worktree;
use crate::runtime::launch_env;
use crate::sessions::actor::Message;
use crate::store::sessions::NewSession;
use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::validation::{self, Field};
use model::{
    PermissionPolicy, ProjectId, RuntimeRequest, Session, SessionStatus, Task, TaskId, TaskStatus,
    task::branch_name,
};
use prompt::{PreviousAttempt, Retry, Workplace};
use std::path::PathBuf;

/// Events of the previous session read for a retry's summary.
const SUMMARY_EVENTS: usize = 400;

/// Which attempt is being started.
enum Attempt {
    Execute,
    Retry { feedback: String },
}

impl Engine {
    /// Starts a task from todo, blocked or fail, in its worktree, with the request's runtime.
    pub async fn execute_task(
        &self,
        project: ProjectId,
        task: TaskId,
        request: RuntimeRequest,
        permission: Option<PermissionPolicy>,
    ) -> EngineResult<Session> {
        self.attempt(project, task, Attempt::Execute, request, permission)
            .await
    }

    /// A new attempt at a task in review or fail, in the same worktree, told the user's
    /// feedback and what the previous attempt did. Earlier sessions stay as records.
    pub async fn retry_task(
        &self,
        project: ProjectId,
        task: TaskId,
        feedback: String,
        request: RuntimeRequest,
        permission: Option<PermissionPolicy>,
    ) -> EngineResult<Session> {
        let feedback = validation::required(Field::Feedback, &feedback, validation::PROMPT_MAX)?;
        self.attempt(
            project,
            task,
            Attempt::Retry { feedback },
            request,
            permission,
        )
        .await
    }

    /// Where a task's worktree goes: under the data directory, one folder per project.
    fn worktree_path(&self, project: ProjectId, branch: &str) -> PathBuf {
        let leaf = branch.trim_start_matches("task/").replace('/', "-");
        self.project_worktrees_dir(project).join(leaf)
    }

    async fn attempt(
        &self,
        project: ProjectId,
        task_id: TaskId,
        attempt: Attempt,
        request: RuntimeRequest,
        permission: Option<PermissionPolicy>,
    ) -> EngineResult<Session> {
        launch_env(&request)?;
        let RuntimeRequest { selection, secrets } = request;
        let agent = selection.agent;
        let permission = permission.unwrap_or_else(|| agent.default_permission());
        if permission.agent() != agent {
            return Err(EngineError::Refused(format!(
                "The permission policy '{}' is for {}, not {}.",
                permission.label(),
                permission.agent().label(),
                agent.label()
            )));
        }
        let project_row = self.project(project).await?;
        let task = self.task(project, task_id).await?;
        let branch = task
            .branch
            .clone()
            .unwrap_or_else(|| branch_name(task.id, &task.title));
        let path = match &task.worktree_path {
            Some(path) => PathBuf::from(path),
            None => self.worktree_path(project, &branch),
        };
        let path_text = path.display().to_string();
        let retry = match &attempt {
            Attempt::Execute => None,
            Attempt::Retry { feedback } => Some(Retry {
                feedback,
                previous: self.previous_attempt(&task).await?,
            }),
        };
        let workplace = Workplace {
            project: &project_row,
            worktree: &path_text,
            branch: &branch,
        };
        let text = prompt::build(&task, &workplace, retry.as_ref());
        let is_retry = retry.is_some();
        let (cwd, branch_row) = (path_text.clone(), branch.clone());
        let session = self
            .db()
            .write(move |conn| -> EngineResult<Session> {
                let tx = conn.transaction().map_err(StoreError::from)?;
                // Read again inside the transaction: of two concurrent starts, one wins.
                let task = store::tasks::get(&tx, project, task_id)?
                    .ok_or_else(|| EngineError::NotFound(format!("task {task_id}")))?;
                check_startable(&task, is_retry)?;
                task.status.transition(TaskStatus::InProgress)?;
                let session = store::sessions::insert(
                    &tx,
                    &NewSession {
                        project,
                        task: Some(task_id),
                        runtime: &selection,
                        permission,
                        cwd: &cwd,
                    },
                )?;
                store::tasks::set_status(&tx, project, task_id, TaskStatus::InProgress, None)?;
                store::tasks::set_session(&tx, project, task_id, Some(session.id))?;
                store::tasks::set_worktree(&tx, project, task_id, &branch_row, &cwd)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(session)
            })
            .await?;
        let repo = PathBuf::from(&project_row.path);
        if let Err(e) = worktree::ensure(&repo, &path, &branch, &project_row.default_branch).await {
            let reason = format!("Could not prepare the task's worktree: {e}");
            self.write_session_status(session.id, SessionStatus::Failed, Some(reason.clone()))
                .await?;
            return Err(EngineError::Refused(reason));
        }
        self.spawn_actor(session.clone(), Some(Message { text, secrets }));
        Ok(session)
    }

    /// The last attempt's closing messages and how it ended, for a retry's prompt.
    async fn previous_attempt(&self, task: &Task) -> EngineResult<Option<PreviousAttempt>> {
        let (project, task, fail_reason) = (
            task.project_id,
            task.id,
            task.fail_reason
                .clone()
                .filter(|_| task.status == TaskStatus::Fail),
        );
        self.db()
            .read(move |conn| -> EngineResult<Option<PreviousAttempt>> {
                let sessions = store::sessions::list(conn, project)?;
                let Some(last) = sessions.into_iter().find(|s| s.task_id == Some(task)) else {
                    return Ok(None);
                };
                let after =
                    (store::sessions::max_seq(conn, last.id)? - SUMMARY_EVENTS as i64).max(0);
                let events = store::sessions::events_after(conn, last.id, after, SUMMARY_EVENTS)?;
                Ok(Some(PreviousAttempt::from_events(&events, fail_reason)))
            })
            .await
    }
}

/// Execute starts a task to do, blocked or failed; retry one in review or failed.
fn check_startable(task: &Task, is_retry: bool) -> EngineResult<()> {
    let status = task.status;
    let ok = if is_retry {
        status.can_retry()
    } else {
        status.is_executable()
    };
    if ok {
        return Ok(());
    }
    let what = status.label().to_lowercase();
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
