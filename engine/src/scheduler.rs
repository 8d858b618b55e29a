//! The scheduler: task dependencies (a DAG per project), a per-project limit on running task
//! attempts, the queue (`in_queue`, started by priority then queueing time), and file locks.
//!
//! Its API is [`Engine::execute_task`] (start now, or queue with the reason) and
//! [`Engine::on_task_ended`] (start whatever became ready). All its state is in SQLite — the
//! queue, the runtime selection each queued task starts with, the dependencies — so a restart
//! loses nothing: [`Engine::reevaluate_all`] runs at start-up. The rules themselves are the
//! pure functions of `model::schedule`, which the board applies to show every decision.

use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::schedule::{
    DEFAULT_CONCURRENCY, Dependency, FileLock, MAX_CONCURRENCY, QueueState, Queued, find_cycle,
    plan,
};
use model::{ProjectId, SessionId, TaskId};
use std::future::Future;
use std::pin::Pin;

/// The `project_settings` key of the concurrency limit.
const LIMIT_KEY: &str = "concurrency_limit";

pub(crate) fn limit_of(conn: &rusqlite::Connection, project: ProjectId) -> rusqlite::Result<u32> {
    Ok(store::settings::get(conn, project, LIMIT_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CONCURRENCY))
}

impl Engine {
    pub async fn concurrency_limit(&self, project: ProjectId) -> EngineResult<u32> {
        self.project(project).await?;
        self.db()
            .read(move |conn| Ok(limit_of(conn, project)?))
            .await
    }

    /// Sets how many task attempts may run at once (1 to 16); queued tasks may start at once.
    pub async fn set_concurrency_limit(&self, project: ProjectId, limit: u32) -> EngineResult<u32> {
        if !(1..=MAX_CONCURRENCY).contains(&limit) {
            return Err(EngineError::Validation(model::ValidationError::new(
                model::Field::ConcurrencyLimit,
                format!("must be between 1 and {MAX_CONCURRENCY}"),
            )));
        }
        self.project(project).await?;
        self.db()
            .write(move |conn| -> EngineResult<()> {
                Ok(store::settings::put(
                    conn,
                    project,
                    LIMIT_KEY,
                    &limit.to_string(),
                )?)
            })
            .await?;
        self.on_task_ended(project).await;
        Ok(limit)
    }

    pub async fn dependencies(&self, project: ProjectId) -> EngineResult<Vec<Dependency>> {
        self.db()
            .read(move |conn| Ok(store::schedule::dependencies(conn, project)?))
            .await
    }

    /// `task` will start only after `on` is done. Both must be tasks of `project`; an edge
    /// that would close a cycle is refused, naming it.
    pub async fn add_dependency(
        &self,
        project: ProjectId,
        task: TaskId,
        on: TaskId,
    ) -> EngineResult<()> {
        let edge = Dependency { task, on };
        self.db()
            .write(move |conn| -> EngineResult<()> {
                let tx = conn.transaction().map_err(StoreError::from)?;
                for id in [task, on] {
                    store::tasks::get(&tx, project, id)?
                        .ok_or_else(|| EngineError::NotFound(format!("task {id}")))?;
                }
                let edges = store::schedule::dependencies(&tx, project)?;
                if let Some(cycle) = find_cycle(&edges, edge) {
                    let named: Vec<String> = cycle.iter().map(|id| format!("#{id}")).collect();
                    return Err(EngineError::Refused(format!(
                        "That would make a cycle: {} — a task cannot wait for itself.",
                        named.join(" → ")
                    )));
                }
                store::schedule::add_dependency(&tx, edge)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(())
            })
            .await
    }

    /// Removes the edge `task` → `on`; an edge that does not exist is not found (a stale page
    /// must learn that, not be told it succeeded).
    pub async fn remove_dependency(
        &self,
        project: ProjectId,
        task: TaskId,
        on: TaskId,
    ) -> EngineResult<()> {
        self.task(project, task).await?;
        let removed = self
            .db()
            .write(move |conn| -> EngineResult<bool> {
                Ok(store::schedule::remove_dependency(
                    conn,
                    Dependency { task, on },
                )?)
            })
            .await?;
        if !removed {
            return Err(EngineError::NotFound(format!(
                "a dependency of task {task} on task {on}"
            )));
        }
        self.on_task_ended(project).await;
        Ok(())
    }

    /// Every queued task of the project with why it waits (or that it starts), in the order
    /// they will start.
    pub async fn queue_plan(&self, project: ProjectId) -> EngineResult<Vec<(TaskId, QueueState)>> {
        let now = self.clock().now_ms();
        self.db()
            .read(move |conn| -> EngineResult<_> {
                let queue = store::schedule::queue(conn, project)?;
                if queue.is_empty() {
                    return Ok(Vec::new());
                }
                let tasks = store::tasks::list(conn, project)?;
                let edges = store::schedule::dependencies(conn, project)?;
                let daily = crate::budgets::daily_spend_of(conn, project, now)?;
                let limit = limit_of(conn, project)?;
                Ok(plan(&queue, &tasks, &edges, limit, now, daily.as_ref()))
            })
            .await
    }

    /// Starts every queued task of the project that may start now, with the runtime
    /// selection it was queued with, and sets itself to look again when the earliest hold (a
    /// rate limit, the day of a spent budget) is over. Safe to call any time and
    /// concurrently: each start is checked again in its own transaction.
    pub async fn on_task_ended(&self, project: ProjectId) {
        let plan = match self.queue_plan(project).await {
            Ok(plan) => plan,
            Err(e) => {
                tracing::error!(%project, error = %e, "reading the queue");
                return;
            }
        };
        let held_until = plan.iter().filter_map(|(_, state)| state.until()).min();
        if let Some(at) = held_until {
            self.wake_scheduler_at(project, at);
        }
        for (task, state) in plan {
            if state != QueueState::Ready {
                continue;
            }
            match self.start_queued(project, task).await {
                Ok(_) => tracing::info!(%project, %task, "started a queued task"),
                Err(e) => {
                    tracing::warn!(%project, %task, error = %e, "a queued task did not start")
                }
            }
        }
    }

    /// [`Engine::on_task_ended`] on its own task (so callers deep in a session's life do not
    /// wait for it, and its future does not contain theirs).
    pub(crate) fn schedule_soon(&self, project: ProjectId) {
        let engine = self.clone();
        let run: Pin<Box<dyn Future<Output = ()> + Send>> =
            Box::pin(async move { engine.on_task_ended(project).await });
        tokio::spawn(run);
    }

    /// At start-up: every project's queue, in case slots freed or dependencies finished while
    /// the server was down.
    pub async fn reevaluate_all(&self) -> EngineResult<()> {
        for project in self.list_projects().await? {
            self.on_task_ended(project.id).await;
        }
        Ok(())
    }

    /// Records the files a session touched, relative to its working directory.
    pub(crate) async fn touch_files(&self, session: SessionId, cwd: String, paths: Vec<String>) {
        let relative: Vec<String> = paths
            .into_iter()
            .map(|p| relative_to(&cwd, &p))
            .filter(|p| !p.is_empty())
            .collect();
        if relative.is_empty() {
            return;
        }
        let written = self
            .db()
            .write(move |conn| -> EngineResult<()> {
                Ok(store::schedule::touch_files(conn, session, &relative)?)
            })
            .await;
        if let Err(e) = written {
            tracing::error!(%session, error = %e, "recording touched files");
        }
    }

    /// The files live sessions of the project hold, each with its holders.
    pub async fn file_locks(&self, project: ProjectId) -> EngineResult<Vec<FileLock>> {
        let rows = self
            .db()
            .read(move |conn| -> EngineResult<_> { Ok(store::schedule::locks(conn, project)?) })
            .await?;
        let mut locks: Vec<FileLock> = Vec::new();
        for (path, session, task) in rows {
            match locks.last_mut() {
                Some(lock) if lock.path == path => lock.holders.push((session, task)),
                _ => locks.push(FileLock {
                    path,
                    holders: vec![(session, task)],
                }),
            }
        }
        Ok(locks)
    }
}

/// Why `task` must wait instead of starting now with `selection` — a dependency not done, the
/// daily budget spent, a rate limit of its agent, or no free slot — decided by the
/// scheduler's own plan, with this task in line (keeping its place and its hold if it was)
/// and able to start (the request carries what it needs).
pub(crate) fn must_wait(
    tx: &rusqlite::Transaction<'_>,
    (project, task): (ProjectId, TaskId),
    selection: &model::RuntimeSelection,
    now: i64,
) -> EngineResult<Option<QueueState>> {
    let tasks = store::tasks::list(tx, project)?;
    let edges = store::schedule::dependencies(tx, project)?;
    let mut queue = store::schedule::queue(tx, project)?;
    let mine = match queue.iter().position(|q| q.task == task) {
        Some(at) => queue.swap_remove(at),
        None => Queued {
            task,
            needs_key: false,
            queued_at: i64::MAX,
            agent: String::new(),
            held_until: None,
            reset_known: false,
        },
    };
    queue.push(Queued {
        needs_key: false,
        agent: store::schedule::agent_of(selection),
        ..mine
    });
    let limit = limit_of(tx, project)?;
    let daily = crate::budgets::daily_spend_of(tx, project, now)?;
    let state = plan(&queue, &tasks, &edges, limit, now, daily.as_ref())
        .into_iter()
        .find(|(t, _)| *t == task)
        .map(|(_, state)| state);
    Ok(state.filter(|s| *s != QueueState::Ready))
}

/// `path` relative to `cwd` when inside it (CLIs report absolute paths in their working
/// directory), else as given, without a leading `./`.
fn relative_to(cwd: &str, path: &str) -> String {
    let cwd = cwd.trim_end_matches('/');
    let path = path.trim();
    let relative = path
        .strip_prefix(cwd)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(path);
    relative.trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_to_the_worktree() {
        assert_eq!(relative_to("/w/t1", "/w/t1/src/a.rs"), "src/a.rs");
        assert_eq!(relative_to("/w/t1/", "/w/t1/a.rs"), "a.rs");
        assert_eq!(relative_to("/w/t1", "./b.rs"), "b.rs");
        assert_eq!(relative_to("/w/t1", "/w/t10/c.rs"), "/w/t10/c.rs");
        assert_eq!(relative_to("/w/t1", "src/d.rs"), "src/d.rs");
    }
}
