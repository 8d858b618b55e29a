//! Worktrees never lose work: before DevLog removes a worktree (by hand or by a prune) or
//! deletes a task, the worktree's whole state is kept as a snapshot ref in the project's
//! repository (`git::snapshot`); the Worktrees page lists them, restores one as a worktree
//! again, or deletes the ref.

use crate::git::{self, snapshot::SnapshotRef};
use crate::{Engine, EngineError, EngineResult};
use model::snapshot::{RestoredSnapshot, Snapshot, snapshot_ref, task_of_ref};
use model::task::task_of_branch;
use model::{Project, ProjectId, TaskId};
use std::path::{Path, PathBuf};

/// What DevLog is about to do that a snapshot is taken before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SnapshotReason {
    RemovingWorktree,
    PruningWorktree,
    DeletingTask,
}

impl SnapshotReason {
    fn describe(self) -> &'static str {
        match self {
            SnapshotReason::RemovingWorktree => "before its worktree was removed",
            SnapshotReason::PruningWorktree => "before its worktree was pruned",
            SnapshotReason::DeletingTask => "before the task was deleted",
        }
    }
}

/// The task a worktree was made for: the one that names it, else the one its branch names;
/// 0 when neither tells (a worktree DevLog made for a task it no longer knows).
pub(crate) fn task_of_worktree(task: Option<TaskId>, branch: Option<&str>) -> TaskId {
    task.or_else(|| branch.and_then(task_of_branch))
        .unwrap_or(TaskId(0))
}

impl Engine {
    /// Keeps the state of the worktree `dir` as a snapshot of `task` when it holds work the
    /// default branch lacks. A snapshot that cannot be taken stops what was about to happen.
    pub(crate) async fn snapshot_worktree(
        &self,
        project: &Project,
        dir: &Path,
        task: TaskId,
        title: Option<&str>,
        reason: SnapshotReason,
    ) -> EngineResult<Option<String>> {
        // A folder removed by hand holds nothing more: its commits are on its branch.
        if !dir.is_dir() {
            return Ok(None);
        }
        let subject = match title {
            Some(title) => format!(
                "Snapshot of task {task} \"{}\" {}",
                title.trim(),
                reason.describe()
            ),
            None => format!("Snapshot of task {task} {}", reason.describe()),
        };
        let refname = snapshot_ref(task, crate::store::now_ms());
        git::snapshot::record(dir, &project.default_branch, &refname, &subject)
            .await
            .map_err(|e| {
                EngineError::Refused(format!(
                    "DevLog could not keep a snapshot of {} ({e}), so it left the worktree as it is.",
                    dir.display()
                ))
            })
    }

    /// The project's snapshots, newest first.
    pub async fn snapshots(&self, project: ProjectId) -> EngineResult<Vec<Snapshot>> {
        let (project_row, refs) = self.snapshot_refs(project).await?;
        let (_, tasks) = self.board(project_row.id).await?;
        Ok(refs
            .into_iter()
            .filter_map(|r| {
                let task = task_of_ref(&r.refname)?;
                Some(Snapshot {
                    task_title: tasks.iter().find(|t| t.id == task).map(|t| t.title.clone()),
                    task,
                    branch: r.branch,
                    commit: r.commit,
                    taken_at_ms: r.taken_at_secs.saturating_mul(1000),
                    summary: r.subject,
                    refname: r.refname,
                })
            })
            .collect())
    }

    /// Makes a worktree of the snapshot `refname` again: the task's own worktree when the task
    /// still exists, has no worktree folder and its branch is where the snapshot left it;
    /// otherwise a new worktree beside it on a new branch (nothing existing is moved).
    pub async fn restore_snapshot(
        &self,
        project: ProjectId,
        refname: String,
    ) -> EngineResult<RestoredSnapshot> {
        let (project_row, snapshot) = self.find_snapshot(project, &refname).await?;
        let repo = PathBuf::from(&project_row.path);
        let task = match task_of_ref(&refname) {
            Some(id) => self.task(project, id).await.ok(),
            None => None,
        };
        let own_place = task.as_ref().and_then(|task| {
            let path = PathBuf::from(task.worktree_path.as_deref()?);
            let branch = task.branch.clone()?;
            let same_branch = snapshot.branch.as_deref().is_none_or(|b| b == branch);
            (same_branch && !task.status.is_running() && !path.exists()).then_some((path, branch))
        });
        let own_place = match own_place {
            Some((path, branch)) => {
                let head = git::merge::branch_commit(&repo, &branch).await.ok();
                (head.is_none() || head == snapshot.parent).then_some((path, branch))
            }
            None => None,
        };
        let (path, branch, attached) = match own_place {
            Some((path, branch)) => (path, branch, task.map(|t| t.id)),
            None => {
                let (path, branch) = self.beside(&project_row, &snapshot).await?;
                (path, branch, None)
            }
        };
        git::snapshot::restore(&repo, &snapshot, &path, &branch)
            .await
            .map_err(|e| EngineError::git_in(&repo, e))?;
        Ok(RestoredSnapshot {
            path: path.display().to_string(),
            branch,
            task: attached,
        })
    }

    /// Deletes a snapshot's ref; the commits it kept stay while anything else uses them.
    pub async fn delete_snapshot(&self, project: ProjectId, refname: String) -> EngineResult<()> {
        let (project_row, snapshot) = self.find_snapshot(project, &refname).await?;
        let repo = PathBuf::from(&project_row.path);
        git::snapshot::delete(&repo, &snapshot.refname, &snapshot.commit)
            .await
            .map_err(|e| EngineError::git_in(&repo, e))
    }

    /// A new worktree folder and branch for a snapshot restored beside its task.
    async fn beside(
        &self,
        project: &Project,
        snapshot: &SnapshotRef,
    ) -> EngineResult<(PathBuf, String)> {
        let task = task_of_ref(&snapshot.refname).unwrap_or(TaskId(0));
        let stamp = model::time::format_stamp(crate::store::now_ms()).replace('.', "-");
        let base = snapshot
            .branch
            .clone()
            .unwrap_or_else(|| format!("task/{:08}", task.0));
        let branch = format!("{base}-restored-{stamp}");
        let path = self.worktree_path(project.id, &branch).await?;
        Ok((path, branch))
    }

    async fn snapshot_refs(&self, project: ProjectId) -> EngineResult<(Project, Vec<SnapshotRef>)> {
        let project_row = self.project(project).await?;
        let repo = PathBuf::from(&project_row.path);
        let refs = git::snapshot::list(&repo)
            .await
            .map_err(|e| EngineError::git_in(&repo, e))?;
        Ok((project_row, refs))
    }

    /// The snapshot named `refname`, which must be one the repository lists (never a ref name
    /// a request made up).
    async fn find_snapshot(
        &self,
        project: ProjectId,
        refname: &str,
    ) -> EngineResult<(Project, SnapshotRef)> {
        let (project_row, refs) = self.snapshot_refs(project).await?;
        let snapshot = refs
            .into_iter()
            .find(|r| r.refname == refname && task_of_ref(&r.refname).is_some())
            .ok_or_else(|| EngineError::NotFound(format!("snapshot {refname}")))?;
        Ok((project_row, snapshot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worktree_is_its_tasks_else_its_branchs() {
        assert_eq!(task_of_worktree(Some(TaskId(3)), None), TaskId(3));
        assert_eq!(
            task_of_worktree(None, Some("task/00000009-fix-it")),
            TaskId(9)
        );
        assert_eq!(task_of_worktree(None, Some("main")), TaskId(0));
        assert_eq!(task_of_worktree(None, None), TaskId(0));
    }
}
