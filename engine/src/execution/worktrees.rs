//! The Worktrees page: every worktree of a project with its task, changes and running
//! session; removing one (never the main work tree, never while its session runs, always after
//! a snapshot of what it held) and pruning those whose task was deleted.

use super::snapshots::{SnapshotReason, task_of_worktree};
use crate::git::worktree;
use crate::store::{self, StoreError};
use crate::{Engine, EngineError, EngineResult};
use model::review::WorktreeInfo;
use model::setup::WorktreeSetup;
use model::task::task_of_branch;
use model::{ProjectId, TaskStatus};
use std::path::{Path, PathBuf};

/// The `project_settings` key of the worktree set-up.
const SETUP_KEY: &str = "worktree_setup";

impl Engine {
    pub async fn worktrees(&self, project: ProjectId) -> EngineResult<Vec<WorktreeInfo>> {
        let project_row = self.project(project).await?;
        let repo = PathBuf::from(&project_row.path);
        let entries = worktree::list(&repo)
            .await
            .map_err(|e| EngineError::git_in(&repo, e))?;
        let (_, tasks) = self.board(project).await?;
        let ours = self.project_worktrees_dir(project).await?;
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let path = entry.path.display().to_string();
            let task = tasks
                .iter()
                .find(|t| t.worktree_path.as_deref() == Some(path.as_str()));
            let changed_files = if entry.is_main {
                None
            } else {
                worktree::changed_files(&entry.path, &project_row.default_branch)
                    .await
                    .ok()
                    .map(|files| files.len())
            };
            // A worktree restored beside its task is on a branch that still names it.
            let branch_task = entry.branch.as_deref().and_then(task_of_branch);
            let task_known = task.is_some() || tasks.iter().any(|t| Some(t.id) == branch_task);
            out.push(WorktreeInfo {
                orphaned: !entry.is_main && !task_known && entry.path.starts_with(&ours),
                running_session: task
                    .filter(|t| t.status == TaskStatus::InProgress)
                    .and_then(|t| t.session_id),
                task: task.map(|t| (t.id, t.title.clone(), t.status)),
                path,
                branch: entry.branch,
                is_main: entry.is_main,
                changed_files,
            });
        }
        Ok(out)
    }

    /// Removes one worktree of the project; its branch and commits stay, and what it held
    /// beyond the default branch is kept as a snapshot first.
    pub async fn remove_worktree(&self, project: ProjectId, path: String) -> EngineResult<()> {
        self.remove_worktree_as(project, path, SnapshotReason::RemovingWorktree)
            .await
    }

    async fn remove_worktree_as(
        &self,
        project: ProjectId,
        path: String,
        reason: SnapshotReason,
    ) -> EngineResult<()> {
        let listed = self.worktrees(project).await?;
        let info = listed
            .iter()
            .find(|w| w.path == path)
            .ok_or_else(|| EngineError::NotFound(format!("worktree {path}")))?;
        if info.is_main {
            return Err(EngineError::Refused(
                "This is the repository's own work tree: DevLog never removes it.".into(),
            ));
        }
        if !Path::new(&path).starts_with(self.project_worktrees_dir(project).await?) {
            return Err(EngineError::Refused(
                "DevLog removes only the worktrees it made for tasks; remove this one with git."
                    .into(),
            ));
        }
        if let Some((_, _, TaskStatus::Review)) = info.task {
            return Err(EngineError::Refused(
                "Its task is in review: mark it done or retry it first (removing the worktree would lose work not yet committed)."
                    .into(),
            ));
        }
        if let Some(session) = info.running_session {
            return Err(EngineError::Refused(format!(
                "Session {session} is working in this worktree: stop it first."
            )));
        }
        let project_row = self.project(project).await?;
        let task = task_of_worktree(info.task.as_ref().map(|t| t.0), info.branch.as_deref());
        let title = info.task.as_ref().map(|t| t.1.as_str());
        self.snapshot_worktree(&project_row, Path::new(&path), task, title, reason)
            .await?;
        let repo = PathBuf::from(&project_row.path);
        worktree::remove(&repo, Path::new(&path))
            .await
            .map_err(|e| EngineError::git_in(&repo, e))
    }

    /// Removes every DevLog worktree of the project whose task no longer exists.
    pub async fn prune_worktrees(&self, project: ProjectId) -> EngineResult<usize> {
        let orphans: Vec<String> = self
            .worktrees(project)
            .await?
            .into_iter()
            .filter(|w| w.orphaned)
            .map(|w| w.path)
            .collect();
        for path in &orphans {
            self.remove_worktree_as(project, path.clone(), SnapshotReason::PruningWorktree)
                .await?;
        }
        Ok(orphans.len())
    }

    /// What each new worktree of the project gets before its agent starts.
    pub async fn worktree_setup(&self, project: ProjectId) -> EngineResult<WorktreeSetup> {
        self.project(project).await?;
        let stored = self
            .db()
            .read(move |conn| {
                store::settings::get(conn, project, SETUP_KEY).map_err(StoreError::from)
            })
            .await?;
        // A value an older or newer version wrote that this one cannot read is no set-up
        // (saving a new one replaces it), not a page that cannot load.
        Ok(stored
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// Saves the project's worktree set-up; a malformed one is refused and nothing changes.
    pub async fn save_worktree_setup(
        &self,
        project: ProjectId,
        setup: WorktreeSetup,
    ) -> EngineResult<WorktreeSetup> {
        let setup = setup.validate()?;
        self.project(project).await?;
        let json = serde_json::to_string(&setup)
            .map_err(|e| StoreError::Corrupt(format!("worktree set-up: {e}")))?;
        self.db()
            .write(move |conn| {
                store::settings::put(conn, project, SETUP_KEY, &json).map_err(StoreError::from)
            })
            .await?;
        Ok(setup)
    }

    /// The folder of a project's task worktrees, made if needed, as git will record it:
    /// canonical, so a symlinked `worktrees` folder names the same paths git lists.
    pub(crate) async fn project_worktrees_dir(&self, project: ProjectId) -> EngineResult<PathBuf> {
        let dir = self.data_dir().join("worktrees").join(project.to_string());
        let unusable = |e: std::io::Error| {
            EngineError::Refused(format!(
                "The worktrees folder {} is unusable: {e}",
                dir.display()
            ))
        };
        tokio::fs::create_dir_all(&dir).await.map_err(unusable)?;
        tokio::fs::canonicalize(&dir).await.map_err(unusable)
    }
}
