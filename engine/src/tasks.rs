//! The task board's operations. Each one checks and writes in a single transaction, scoped by
//! project: a task of another project is "not found", never read or changed.

use crate::execution::snapshots::SnapshotReason;
use crate::projects::project_not_found;
use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::board_filter::BoardFilter;
use model::{BoardColumn, ProjectId, Task, TaskDraft, TaskId, TaskStatus};
use rusqlite::Connection;
use std::collections::HashSet;

/// A project's board: the project row and all its tasks.
pub type Board = (model::Project, Vec<Task>);

fn task_not_found(id: TaskId) -> EngineError {
    EngineError::NotFound(format!("task {id}"))
}

fn require_project(conn: &Connection, project: ProjectId) -> EngineResult<model::Project> {
    store::projects::get(conn, project)?.ok_or_else(|| project_not_found(project))
}

fn require_task(conn: &Connection, project: ProjectId, id: TaskId) -> EngineResult<Task> {
    store::tasks::get(conn, project, id)?.ok_or_else(|| task_not_found(id))
}

impl Engine {
    pub async fn board(&self, project: ProjectId) -> EngineResult<Board> {
        self.db()
            .read(move |conn| {
                let p = require_project(conn, project)?;
                Ok((p, store::tasks::list(conn, project)?))
            })
            .await
    }

    pub async fn task(&self, project: ProjectId, id: TaskId) -> EngineResult<Task> {
        self.db()
            .read(move |conn| require_task(conn, project, id))
            .await
    }

    pub async fn create_task(&self, project: ProjectId, draft: TaskDraft) -> EngineResult<Task> {
        let draft = draft.validate()?;
        self.db()
            .write(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                require_project(&tx, project)?;
                let task = store::tasks::insert(&tx, project, &draft)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(task)
            })
            .await
    }

    pub async fn update_task(
        &self,
        project: ProjectId,
        id: TaskId,
        draft: TaskDraft,
    ) -> EngineResult<Task> {
        let draft = draft.validate()?;
        self.db()
            .write(move |conn| {
                store::tasks::update_draft(conn, project, id, &draft)?
                    .ok_or_else(|| task_not_found(id))
            })
            .await
    }

    /// Deletes a task, refused while an agent works on it. Its worktree stays (the Worktrees
    /// page prunes it), and what it held is kept as a snapshot first.
    pub async fn delete_task(&self, project: ProjectId, id: TaskId) -> EngineResult<()> {
        let task = self.task(project, id).await?;
        if let Some(dir) = task.worktree_path.as_deref().map(std::path::Path::new)
            && !task.status.is_running()
            && dir.is_dir()
        {
            let project_row = self.project(project).await?;
            let reason = SnapshotReason::DeletingTask;
            self.snapshot_worktree(&project_row, dir, id, Some(&task.title), reason)
                .await?;
        }
        self.db()
            .write(move |conn| -> EngineResult<()> {
                let tx = conn.transaction().map_err(StoreError::from)?;
                let task = require_task(&tx, project, id)?;
                if task.status.is_running() {
                    return Err(EngineError::Refused(
                        "This task is running: stop its session before deleting it.".into(),
                    ));
                }
                store::tasks::delete(&tx, project, id)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(())
            })
            .await?;
        // Tasks that waited for it wait no more.
        self.schedule_soon(project);
        Ok(())
    }

    /// The tasks of `tasks` (a board of `project`) that `filter` keeps: its text and priority
    /// read from each task, its agent from the sessions that worked on them.
    pub async fn matching_tasks(
        &self,
        project: ProjectId,
        tasks: &[Task],
        filter: &BoardFilter,
    ) -> EngineResult<HashSet<TaskId>> {
        let run_by: Option<HashSet<TaskId>> = match filter.agent {
            Some(agent) => Some(
                self.db()
                    .read(move |conn| -> EngineResult<_> {
                        Ok(store::sessions::tasks_run_by(conn, project, agent)?)
                    })
                    .await?
                    .into_iter()
                    .collect(),
            ),
            None => None,
        };
        Ok(tasks
            .iter()
            .filter(|t| filter.matches(t))
            .filter(|t| run_by.as_ref().is_none_or(|ids| ids.contains(&t.id)))
            .map(|t| t.id)
            .collect())
    }

    /// A status change the user asks for by hand; see `TaskStatus::manual_move`.
    pub async fn move_task(
        &self,
        project: ProjectId,
        id: TaskId,
        to: TaskStatus,
    ) -> EngineResult<Task> {
        let moved = self
            .db()
            .write(move |conn| -> EngineResult<Task> {
                let tx = conn.transaction().map_err(StoreError::from)?;
                let task = require_task(&tx, project, id)?;
                let next = task.status.manual_move(to)?;
                let moved = store::tasks::set_status(&tx, project, id, next, None)?
                    .ok_or_else(|| task_not_found(id))?;
                tx.commit().map_err(StoreError::from)?;
                Ok(moved)
            })
            .await?;
        // A task marked done may be the last dependency a queued task waited for.
        if moved.status == TaskStatus::Done {
            self.schedule_soon(project);
        }
        Ok(moved)
    }

    /// Moves a task to `position` (0-based, clamped) within its board column and returns the
    /// column's new order.
    pub async fn reorder_task(
        &self,
        project: ProjectId,
        id: TaskId,
        position: usize,
    ) -> EngineResult<Vec<TaskId>> {
        self.db()
            .write(move |conn| {
                let tx = conn.transaction().map_err(StoreError::from)?;
                let task = require_task(&tx, project, id)?;
                let column = BoardColumn::of(task.status);
                let mut order = store::tasks::ids_in_statuses(&tx, project, column.statuses())?;
                order.retain(|t| *t != id);
                order.insert(position.min(order.len()), id);
                for (index, task_id) in order.iter().enumerate() {
                    store::tasks::set_sort_order(&tx, project, *task_id, index as i64)?;
                }
                tx.commit().map_err(StoreError::from)?;
                Ok(order)
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{temp_engine, temp_project};
    use model::{Field, Priority, TransitionError};

    fn draft(title: &str) -> TaskDraft {
        TaskDraft {
            title: title.into(),
            description: "d".into(),
            prompt: "p".into(),
            priority: Priority::High,
        }
    }

    #[tokio::test]
    async fn tasks_round_trip_through_the_store() {
        let (engine, _db) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let created = engine
            .create_task(project.id, draft("  One "))
            .await
            .unwrap();
        assert_eq!(created.title, "One");
        assert_eq!(created.status, TaskStatus::Todo);
        assert_eq!(created.priority, Priority::High);
        assert_eq!(engine.task(project.id, created.id).await.unwrap(), created);

        let edited = engine
            .update_task(
                project.id,
                created.id,
                TaskDraft {
                    title: "Uno".into(),
                    priority: Priority::Low,
                    ..TaskDraft::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            (edited.title.as_str(), edited.priority),
            ("Uno", Priority::Low)
        );
        assert_eq!(edited.description, "");

        let (_, tasks) = engine.board(project.id).await.unwrap();
        assert_eq!(tasks, vec![edited]);
    }

    #[tokio::test]
    async fn invalid_drafts_change_nothing() {
        let (engine, _db) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let t = engine.create_task(project.id, draft("keep")).await.unwrap();
        let err = engine
            .create_task(project.id, draft("   "))
            .await
            .unwrap_err();
        assert!(matches!(err, EngineError::Validation(ref v) if v.field == Field::Title));
        let err = engine
            .update_task(project.id, t.id, draft(""))
            .await
            .unwrap_err();
        assert!(matches!(err, EngineError::Validation(_)));
        let (_, tasks) = engine.board(project.id).await.unwrap();
        assert_eq!(tasks, vec![t]);
    }

    #[tokio::test]
    async fn a_task_is_invisible_and_untouchable_from_another_project() {
        let (engine, _db) = temp_engine().await;
        let (a, _ra) = temp_project(&engine).await;
        let (b, _rb) = temp_project(&engine).await;
        let t = engine.create_task(a.id, draft("secret")).await.unwrap();

        let not_found = |r: EngineResult<_>| matches!(r, Err(EngineError::NotFound(_)));
        assert!(not_found(engine.task(b.id, t.id).await.map(|_| ())));
        assert!(not_found(
            engine.update_task(b.id, t.id, draft("x")).await.map(|_| ())
        ));
        assert!(not_found(engine.delete_task(b.id, t.id).await));
        assert!(not_found(
            engine
                .move_task(b.id, t.id, TaskStatus::Blocked)
                .await
                .map(|_| ())
        ));
        assert!(not_found(
            engine.reorder_task(b.id, t.id, 0).await.map(|_| ())
        ));
        assert!(engine.board(b.id).await.unwrap().1.is_empty());
        assert_eq!(engine.task(a.id, t.id).await.unwrap(), t);
        assert!(not_found(
            engine
                .create_task(ProjectId(999), draft("x"))
                .await
                .map(|_| ())
        ));
    }

    #[tokio::test]
    async fn moves_follow_the_state_machine() {
        let (engine, _db) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let t = engine.create_task(project.id, draft("t")).await.unwrap();
        let blocked = engine
            .move_task(project.id, t.id, TaskStatus::Blocked)
            .await
            .unwrap();
        assert_eq!(blocked.status, TaskStatus::Blocked);
        let err = engine
            .move_task(project.id, t.id, TaskStatus::Done)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            EngineError::Transition(TransitionError::Illegal { .. })
        ));
        let err = engine
            .move_task(project.id, t.id, TaskStatus::InProgress)
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            EngineError::Transition(TransitionError::NeedsExecution { .. })
        ));
        assert_eq!(
            engine.task(project.id, t.id).await.unwrap().status,
            TaskStatus::Blocked
        );
    }

    #[tokio::test]
    async fn running_tasks_cannot_be_deleted() {
        let (engine, _db) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let t = engine.create_task(project.id, draft("t")).await.unwrap();
        engine
            .db()
            .write(move |conn| {
                store::tasks::set_status(conn, project.id, t.id, TaskStatus::InProgress, None)
                    .map_err(EngineError::from)
            })
            .await
            .unwrap();
        let err = engine.delete_task(project.id, t.id).await.unwrap_err();
        assert!(matches!(err, EngineError::Refused(_)));
        let other = engine.create_task(project.id, draft("u")).await.unwrap();
        engine.delete_task(project.id, other.id).await.unwrap();
        assert!(matches!(
            engine.task(project.id, other.id).await,
            Err(EngineError::NotFound(_))
        ));
    }

    #[tokio::test]
    async fn reorder_within_a_column_keeps_other_columns() {
        let (engine, _db) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let mut ids = Vec::new();
        for title in ["a", "b", "c", "d"] {
            ids.push(
                engine
                    .create_task(project.id, draft(title))
                    .await
                    .unwrap()
                    .id,
            );
        }
        // "d" is blocked: another column, untouched by reordering the Queued column.
        engine
            .move_task(project.id, ids[3], TaskStatus::Blocked)
            .await
            .unwrap();
        let order = engine.reorder_task(project.id, ids[2], 0).await.unwrap();
        assert_eq!(order, vec![ids[2], ids[0], ids[1]]);
        let order = engine.reorder_task(project.id, ids[2], 99).await.unwrap();
        assert_eq!(order, vec![ids[0], ids[1], ids[2]]);

        let (_, tasks) = engine.board(project.id).await.unwrap();
        let queued: Vec<TaskId> = BoardColumn::Queued
            .tasks(&tasks)
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(queued, vec![ids[0], ids[1], ids[2]]);
        let failed: Vec<TaskId> = BoardColumn::Failed
            .tasks(&tasks)
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(failed, vec![ids[3]]);
    }

    #[tokio::test]
    async fn a_board_filter_keeps_tasks_by_text_priority_and_agent() {
        use model::{AgentKind, PermissionPolicy, RuntimeSelection};
        let (engine, _db) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let login = engine
            .create_task(project.id, draft("Login page"))
            .await
            .unwrap();
        let logout = engine
            .create_task(
                project.id,
                TaskDraft {
                    priority: Priority::Low,
                    ..draft("Logout button")
                },
            )
            .await
            .unwrap();
        let other = engine.create_task(project.id, draft("Docs")).await.unwrap();
        let (pid, task) = (project.id, logout.id);
        engine
            .db()
            .write(move |conn| {
                let runtime = RuntimeSelection {
                    agent: AgentKind::Codex,
                    ..RuntimeSelection::default()
                };
                store::sessions::insert(
                    conn,
                    &store::sessions::NewSession {
                        project: pid,
                        task: Some(task),
                        runtime: &runtime,
                        permission: PermissionPolicy::WorkspaceWrite,
                        cwd: "/tmp",
                        resume: None,
                    },
                )
                .map_err(EngineError::from)
            })
            .await
            .unwrap();
        let (_, tasks) = engine.board(project.id).await.unwrap();
        let matching = |filter: BoardFilter| {
            let engine = engine.clone();
            let tasks = tasks.clone();
            async move {
                let mut ids: Vec<TaskId> = engine
                    .matching_tasks(project.id, &tasks, &filter)
                    .await
                    .unwrap()
                    .into_iter()
                    .collect();
                ids.sort();
                ids
            }
        };
        let text = |t: &str| BoardFilter {
            text: t.into(),
            ..BoardFilter::default()
        };
        assert_eq!(
            matching(BoardFilter::default()).await,
            vec![login.id, logout.id, other.id]
        );
        assert_eq!(matching(text("log")).await, vec![login.id, logout.id]);
        assert_eq!(
            matching(BoardFilter {
                priority: Some(Priority::High),
                ..text("log")
            })
            .await,
            vec![login.id]
        );
        let by = |agent| BoardFilter {
            agent: Some(agent),
            ..BoardFilter::default()
        };
        assert_eq!(matching(by(AgentKind::Codex)).await, vec![logout.id]);
        assert_eq!(
            matching(by(AgentKind::ClaudeCode)).await,
            Vec::<TaskId>::new()
        );
    }
}
