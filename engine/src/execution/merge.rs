//! A reviewed task merged locally: what a merge would do (behind, conflicts, the target's work
//! tree), the merge itself by fast-forward, merge commit or squash, the rebase of a task's
//! branch onto its base, and conflicts handed to the agent. Nothing is left half done in the
//! user's work tree (see `git::merge`).

use super::StartOptions;
use super::review::{commit_worktree, task_branch, worktree_of};
use crate::git::GitError;
use crate::git::merge::{self as git_merge, RebaseError};
use crate::{Engine, EngineError, EngineResult};
use model::schedule::StartOutcome;
use model::{
    MergeOutcome, MergePreview, MergeRequest, PermissionPolicy, Project, ProjectId, RuntimeRequest,
    Task, TaskId, TaskStatus,
};
use std::path::{Path, PathBuf};

/// The agent's answer in a squash's default message is cut to this many characters.
const SUMMARY_CHARS: usize = 2_000;

impl Engine {
    /// What merging the task's branch into `target` (default: the project's default branch)
    /// would do. Reads only: no work tree, index or ref is touched.
    pub async fn merge_preview(
        &self,
        project: ProjectId,
        task: TaskId,
        target: Option<String>,
    ) -> EngineResult<MergePreview> {
        let project_row = self.project(project).await?;
        let task = self.task(project, task).await?;
        let repo = Path::new(&project_row.path);
        let dir = worktree_of(&task)?;
        let branch = task_branch(&task)?;
        let target = target
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| project_row.default_branch.clone());
        if target == branch {
            return Err(EngineError::Refused(format!(
                "{branch} is the task's own branch: pick another branch to merge into."
            )));
        }
        let in_repo = |e: GitError| EngineError::git_in(repo, e);
        let target_commit = git_merge::branch_commit(repo, &target).await.map_err(|_| {
            EngineError::Refused(format!(
                "There is no local branch {target} to merge into: create it, or pick another."
            ))
        })?;
        // Uncommitted work counts as the commit a merge would make of it.
        let snapshot = git_merge::snapshot(&dir, "Uncommitted work")
            .await
            .map_err(|e| EngineError::git_in(&dir, e))?;
        let uncommitted = snapshot.is_some();
        let branch_commit = match snapshot {
            Some(commit) => commit,
            None => git_merge::branch_commit(repo, &branch)
                .await
                .map_err(in_repo)?,
        };
        let ahead = git_merge::count_missing(repo, &target_commit, &branch_commit)
            .await
            .map_err(in_repo)?;
        let behind = git_merge::count_missing(repo, &branch_commit, &target_commit)
            .await
            .map_err(in_repo)?;
        let conflicts = git_merge::merge_trees(repo, &target_commit, &branch_commit)
            .await
            .map_err(in_repo)?
            .conflicts;
        let target_worktree = git_merge::checked_out_in(repo, &target)
            .await
            .map_err(in_repo)?;
        let target_blocked = match &target_worktree {
            Some(tree) => git_merge::why_blocked(tree)
                .await
                .map_err(|e| EngineError::git_in(tree, e))?,
            None => None,
        };
        let mut branches: Vec<String> = git_merge::local_branches(repo)
            .await
            .map_err(in_repo)?
            .into_iter()
            .filter(|b| *b != branch && !b.starts_with("task/"))
            .collect();
        branches.sort_by_key(|b| *b != project_row.default_branch);
        let default_message = self.default_merge_message(&task).await?;
        Ok(MergePreview {
            branch,
            target,
            ahead,
            behind,
            conflicts,
            uncommitted,
            target_worktree: target_worktree.map(|p| p.display().to_string()),
            target_blocked,
            branches,
            default_message,
        })
    }

    /// Merges a task in review into `request.target` by `request.strategy`; the task is then
    /// done. Work not yet committed in its worktree is committed first, so what merges is
    /// what was reviewed. Refused, with the reason and nothing written, when the merge would
    /// conflict, the target's work tree is dirty or mid-merge, or a fast-forward cannot be.
    pub async fn merge_task(
        &self,
        project: ProjectId,
        task: TaskId,
        request: MergeRequest,
    ) -> EngineResult<MergeOutcome> {
        let (project_row, _) = self.in_review(project, task, "can be merged").await?;
        let preview = self
            .merge_preview(project, task, request.target.clone())
            .await?;
        if let Some(why) = preview.refusal(request.strategy) {
            return Err(EngineError::Refused(why));
        }
        let message = request
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .unwrap_or(&preview.default_message)
            .to_string();
        let repo = Path::new(&project_row.path);
        let commit = git_merge::merge_into(
            repo,
            &preview.branch,
            &preview.target,
            request.strategy,
            &message,
        )
        .await
        .map_err(|e| EngineError::git_in(repo, e))?;
        let task = self.move_task(project, task, TaskStatus::Done).await?;
        Ok(MergeOutcome {
            task,
            target: preview.target,
            commit,
        })
    }

    /// Rebases a task's branch onto the project's default branch, in its worktree. On
    /// conflicts nothing changes and the error names the files.
    pub async fn rebase_task(&self, project: ProjectId, task: TaskId) -> EngineResult<Task> {
        let (project_row, dir) = self.in_review(project, task, "can be rebased").await?;
        let base = &project_row.default_branch;
        match git_merge::rebase(&dir, base).await {
            Ok(()) => self.task(project, task).await,
            Err(RebaseError::Conflicts(files)) => Err(EngineError::Refused(format!(
                "Rebasing onto {base} stops at conflicts in {}: the rebase was undone, the branch is as it was. Request changes naming them, or resolve them by hand in the worktree.",
                files.join(", ")
            ))),
            Err(RebaseError::Git(e)) => Err(EngineError::git_in(&dir, e)),
        }
    }

    /// "Ask the agent to resolve": merges the base into the task's branch in its worktree,
    /// leaving the conflicts there (markers in the files, the merge open), and retries the task
    /// with feedback naming them, plus the user's `note`. The agent resolves and commits; a
    /// merge it leaves open is concluded by the next Merge's commit. When the retry cannot
    /// start, the merge is aborted: nothing is left half done.
    pub async fn resolve_conflicts_with_agent(
        &self,
        project: ProjectId,
        task: TaskId,
        note: Option<String>,
        request: RuntimeRequest,
        permission: Option<PermissionPolicy>,
    ) -> EngineResult<StartOutcome> {
        let (project_row, dir) = self
            .in_review(project, task, "has conflicts to resolve")
            .await?;
        let base = &project_row.default_branch;
        let conflicts = git_merge::merge_leaving_conflicts(&dir, base)
            .await
            .map_err(|e| EngineError::git_in(&dir, e))?;
        if conflicts.is_empty() {
            return Err(EngineError::Refused(format!(
                "{base} merges into this task's branch without conflicts: there is nothing for the agent to resolve."
            )));
        }
        let mut feedback = format!(
            "Merging {base} into this branch stopped at conflicts in: {}. The merge is in progress in this worktree. Resolve every conflict (remove the <<<<<<< ======= >>>>>>> markers, keeping what both sides meant), then stage the files and commit the merge.",
            conflicts.join(", ")
        );
        if let Some(note) = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()) {
            feedback.push_str("\n\n");
            feedback.push_str(&note);
        }
        let started = self
            .retry_task(
                project,
                task,
                feedback,
                request,
                StartOptions::permission(permission),
            )
            .await;
        if started.is_err() {
            let _ = crate::git::git(&dir, &["merge", "--abort"]).await;
        }
        started
    }

    /// The project and the worktree of a task that must be in review for what it is asked
    /// (`doing`: "can be merged"), with the agent's uncommitted work committed, so that what
    /// the action takes is what was reviewed.
    async fn in_review(
        &self,
        project: ProjectId,
        task: TaskId,
        doing: &str,
    ) -> EngineResult<(Project, PathBuf)> {
        let project_row = self.project(project).await?;
        let task_row = self.task(project, task).await?;
        if task_row.status != TaskStatus::Review {
            return Err(EngineError::Refused(format!(
                "Only a task in review {doing}; this one is {}.",
                task_row.status.label()
            )));
        }
        let dir = commit_worktree(&task_row).await?;
        Ok((project_row, dir))
    }

    /// A squash's message unless the user writes one: the task's title and what the agent
    /// last answered.
    async fn default_merge_message(&self, task: &Task) -> EngineResult<String> {
        let answer = self
            .previous_attempt(task)
            .await?
            .and_then(|attempt| attempt.messages.last().cloned())
            .map(|text| text.chars().take(SUMMARY_CHARS).collect::<String>());
        Ok(match answer {
            Some(answer) => format!("{}\n\n{}", task.title.trim(), answer.trim()),
            None => task.title.trim().to_string(),
        })
    }
}
