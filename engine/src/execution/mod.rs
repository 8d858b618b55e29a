//! Running a task (DESIGN §3): execute and retry write the session and the task's new status
//! in one transaction, then make the task's worktree, then start the agent there. Anything that
//! fails after the rows are written marks the session failed and releases the task to `fail`
//! with the reason, in one transaction; nothing leaves a task `in_progress` without a running
//! session.

mod attempt;
mod comments;
mod merge;
pub mod prompt;
mod review;
pub(crate) mod snapshots;
mod worktrees;

use crate::sessions::actor::{Message, Prepare};
use crate::store::schedule::QueuedStart;
use crate::store::sessions::NewSession;
use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
pub use attempt::StartOptions;
use attempt::{Attempt, AttemptPlan, check_startable};
use model::budget::Budget;
use model::schedule::StartOutcome;
use model::validation::{self, Field};
use model::{
    PermissionPolicy, ProjectId, RuntimeRequest, RuntimeSelection, Session, SessionId,
    SessionStatus, Task, TaskId, TaskStatus, TransientSecrets, task::branch_name,
};
use prompt::{PreviousAttempt, Retry, Workplace};
use std::path::PathBuf;
use tokio::sync::oneshot;

/// Events of the previous session read for a retry's summary.
const SUMMARY_EVENTS: usize = 400;

impl Engine {
    /// Starts a task from todo, blocked or fail, in its worktree, with the request's runtime.
    ///
    /// This is where the scheduler decides: with a dependency not done, or the project's
    /// running attempts at its limit, the task is queued (`in_queue`) with the request's
    /// selection, and starts by itself when it may — except with a bring-your-own key, which is
    /// never kept: then it waits for the user to start it again with the key. A queued task
    /// started again goes through the same checks.
    pub async fn execute_task(
        &self,
        project: ProjectId,
        task: TaskId,
        request: RuntimeRequest,
        options: StartOptions,
    ) -> EngineResult<StartOutcome> {
        let queued = self.task(project, task).await?.status == TaskStatus::InQueue;
        let attempt = if queued {
            Attempt::Dequeue {
                by_scheduler: false,
            }
        } else {
            Attempt::Execute
        };
        self.attempt(project, task, attempt, request, options).await
    }

    /// Starts a queued task with the selection it was queued with (no secrets: a BYOK task is
    /// never started this way).
    pub(crate) async fn start_queued(
        &self,
        project: ProjectId,
        task: TaskId,
    ) -> EngineResult<StartOutcome> {
        let queued = self
            .db()
            .read(move |conn| -> EngineResult<_> {
                Ok(store::schedule::queued_start(conn, project, task)?)
            })
            .await?
            .ok_or_else(|| EngineError::Refused(format!("Task {task} is not queued.")))?;
        let request = RuntimeRequest {
            selection: queued.selection,
            secrets: Default::default(),
        };
        let attempt = Attempt::Dequeue { by_scheduler: true };
        let options = StartOptions::permission(queued.permission);
        self.attempt(project, task, attempt, request, options).await
    }

    /// A new attempt at a task in review or fail, in the same worktree, told the user's
    /// feedback and what the previous attempt did. Earlier sessions stay as records.
    pub async fn retry_task(
        &self,
        project: ProjectId,
        task: TaskId,
        feedback: String,
        request: RuntimeRequest,
        options: StartOptions,
    ) -> EngineResult<StartOutcome> {
        let feedback = validation::required(Field::Feedback, &feedback, validation::PROMPT_MAX)?;
        let attempt = Attempt::Retry { feedback };
        self.attempt(project, task, attempt, request, options).await
    }

    /// Where a task's worktree goes: under the data directory, one folder per project.
    pub(super) async fn worktree_path(
        &self,
        project: ProjectId,
        branch: &str,
    ) -> EngineResult<PathBuf> {
        let leaf = branch.trim_start_matches("task/").replace('/', "-");
        Ok(self.project_worktrees_dir(project).await?.join(leaf))
    }

    /// One attempt: planned (where, on which branch, with which prompt), written (the
    /// session and the task's new status, or its place in the queue), then launched.
    async fn attempt(
        &self,
        project: ProjectId,
        task: TaskId,
        attempt: Attempt,
        request: RuntimeRequest,
        options: StartOptions,
    ) -> EngineResult<StartOutcome> {
        // A queued task that can no longer launch (say, its server variable was unset, or its
        // budget was lowered below what it spent) fails as a recorded attempt below; any other
        // start is refused before anything is written.
        let by_scheduler = matches!(attempt, Attempt::Dequeue { by_scheduler: true });
        let env_problem = match self.launch_env(&request) {
            Ok(_) => None,
            Err(e) if by_scheduler => Some(e.to_string()),
            Err(e) => return Err(e.into()),
        };
        let retry = matches!(attempt, Attempt::Retry { .. });
        let budget = options.budget;
        let budget_problem = match self.budget_refusal(project, task, retry, budget).await? {
            Some(reason) if !by_scheduler => return Err(EngineError::Refused(reason)),
            problem => problem,
        };
        let RuntimeRequest { selection, secrets } = request;
        let permission = selection.agent.permission(options.permission)?;
        let plan = self
            .plan_attempt(project, task, &attempt, &selection)
            .await?;
        let runtime = (selection, permission);
        let written = self.write_attempt((project, task), attempt, &plan, runtime, budget);
        let session = match written.await? {
            StartOutcome::Started { session, .. } => session,
            StartOutcome::Queued { task, state } => {
                // Held until a time: the queue looks again then.
                if let Some(at) = state.until() {
                    self.wake_scheduler_at(project, at);
                }
                return Ok(StartOutcome::Queued { task, state });
            }
        };
        if let Some(reason) = env_problem.or(budget_problem) {
            return self.abandon_start(session.id, reason).await;
        }
        self.launch_attempt(plan, session, secrets).await
    }

    /// Where the attempt runs and what it is told (a retry: the feedback and what the previous
    /// attempt did; a task re-queued after a rate limit: to continue its conversation).
    async fn plan_attempt(
        &self,
        project: ProjectId,
        task_id: TaskId,
        attempt: &Attempt,
        selection: &RuntimeSelection,
    ) -> EngineResult<AttemptPlan> {
        let project_row = self.project(project).await?;
        let task = self.task(project, task_id).await?;
        let branch = task
            .branch
            .clone()
            .unwrap_or_else(|| branch_name(task.id, &task.title));
        let path = match &task.worktree_path {
            Some(path) => PathBuf::from(path),
            None => self.worktree_path(project, &branch).await?,
        };
        let path_text = path.display().to_string();
        let retry = match attempt {
            Attempt::Execute | Attempt::Dequeue { .. } => None,
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
        let resume = match attempt {
            Attempt::Dequeue { .. } => {
                self.conversation_to_continue(project, task_id, selection)
                    .await?
            }
            _ => None,
        };
        let prompt = match resume {
            Some(_) => crate::rate_limits::CONTINUE_PROMPT.to_string(),
            None => prompt::build(&task, &workplace, retry.as_ref()),
        };
        Ok(AttemptPlan {
            setup: self.worktree_setup(project).await?,
            repo: PathBuf::from(&project_row.path),
            base: project_row.default_branch,
            branch,
            path,
            prompt,
            resume,
        })
    }

    /// In one transaction: the task is checked again (of two concurrent starts, one wins) and
    /// given the budget the start came with, then queued behind what it waits for (keeping
    /// what it will start with), or given its session and set in progress.
    async fn write_attempt(
        &self,
        (project, task_id): (ProjectId, TaskId),
        attempt: Attempt,
        plan: &AttemptPlan,
        (selection, permission): (RuntimeSelection, PermissionPolicy),
        budget: Option<Budget>,
    ) -> EngineResult<StartOutcome> {
        let (cwd, branch) = (plan.path.display().to_string(), plan.branch.clone());
        let resume = plan.resume.clone();
        let now = self.clock().now_ms();
        let live = self.live.clone();
        self.db()
            .write(move |conn| -> EngineResult<StartOutcome> {
                live.check_open(project)?;
                let tx = conn.transaction().map_err(StoreError::from)?;
                let get = |tx: &rusqlite::Transaction<'_>| -> EngineResult<Task> {
                    store::tasks::get(tx, project, task_id)?
                        .ok_or_else(|| EngineError::NotFound(format!("task {task_id}")))
                };
                let task = get(&tx)?;
                check_startable(&task, &attempt)?;
                if budget.is_some() {
                    crate::budgets::put_task_budget(&tx, project, task_id, budget)?;
                }
                let retry = matches!(attempt, Attempt::Retry { .. });
                let waits = crate::scheduler::must_wait(&tx, (project, task_id), &selection, now)?;
                if !retry && let Some(state) = waits {
                    let entering = task.status != TaskStatus::InQueue;
                    if entering {
                        task.status.transition(TaskStatus::InQueue)?;
                        store::tasks::set_status(&tx, project, task_id, TaskStatus::InQueue, None)?;
                    }
                    let start = QueuedStart {
                        selection,
                        permission: Some(permission),
                    };
                    store::schedule::set_queued(&tx, project, task_id, &start, entering)?;
                    let task = get(&tx)?;
                    tx.commit().map_err(StoreError::from)?;
                    return Ok(StartOutcome::Queued { task, state });
                }
                task.status.transition(TaskStatus::InProgress)?;
                let session = store::sessions::insert(
                    &tx,
                    &NewSession {
                        project,
                        task: Some(task_id),
                        runtime: &selection,
                        permission,
                        cwd: &cwd,
                        resume: resume.as_deref(),
                    },
                )?;
                store::tasks::set_status(&tx, project, task_id, TaskStatus::InProgress, None)?;
                store::tasks::set_session(&tx, project, task_id, Some(session.id))?;
                store::tasks::set_worktree(&tx, project, task_id, &branch, &cwd)?;
                let task = get(&tx)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(StartOutcome::Started { task, session })
            })
            .await
    }

    /// The rows are written: the session's actor makes the worktree and runs the agent on its
    /// own task, so a request dropped mid-way cannot leave the task in progress without a
    /// session, and a Kill sent meanwhile reaches it. Answers once the worktree is ready.
    async fn launch_attempt(
        &self,
        plan: AttemptPlan,
        session: Session,
        secrets: TransientSecrets,
    ) -> EngineResult<StartOutcome> {
        let (done, prepared) = oneshot::channel();
        let prepare = Prepare {
            repo: plan.repo,
            path: plan.path,
            branch: plan.branch,
            base: plan.base,
            setup: plan.setup,
            done,
        };
        let message = Message {
            text: plan.prompt,
            secrets,
        };
        self.spawn_prepared_actor(session.clone(), Some(message), Some(prepare));
        match prepared.await {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => return Err(EngineError::Refused(reason)),
            Err(_) => {
                return Err(EngineError::Refused(
                    "The start stopped before its worktree was ready.".into(),
                ));
            }
        }
        // Read after the start: the agent may already have moved it on.
        let task_id = session.task_id.ok_or_else(|| {
            EngineError::Store(StoreError::Corrupt(format!(
                "session {} of a task has no task",
                session.id
            )))
        })?;
        let task = self.task(session.project_id, task_id).await?;
        Ok(StartOutcome::Started { task, session })
    }

    /// A start that failed after its rows were written: the session is failed and the task
    /// released to `fail` with the reason, in one transaction; the caller gets the reason.
    async fn abandon_start(
        &self,
        session: SessionId,
        reason: String,
    ) -> EngineResult<StartOutcome> {
        self.write_session_status(session, SessionStatus::Failed, Some(reason.clone()))
            .await?;
        Err(EngineError::Refused(reason))
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
