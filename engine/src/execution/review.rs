//! A task's review: its attempts, the diff of its branch against the default branch (one
//! page of files, one page of a file's patch at a time), and opening a pull request.

use crate::git::{self, GitError, worktree};
use crate::store;
use crate::{Engine, EngineError, EngineResult};
use model::review::{
    FILES_PER_PAGE, FileChange, FilePatch, LINES_PER_PAGE, TaskDiff, TaskReview, expanded_files,
    page_count, parse_patch,
};
use model::{ProjectId, StreamEvent, Task, TaskId, TaskStatus};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

impl Engine {
    pub async fn task_review(
        &self,
        project: ProjectId,
        task: TaskId,
        page: usize,
    ) -> EngineResult<TaskReview> {
        let project_row = self.project(project).await?;
        let task = self.task(project, task).await?;
        let id = task.id;
        let (sessions, final_answer) = self
            .db()
            .read(move |conn| -> EngineResult<_> {
                let sessions: Vec<_> = store::sessions::list(conn, project)?
                    .into_iter()
                    .filter(|s| s.task_id == Some(id))
                    .collect();
                let final_answer = match sessions.first() {
                    Some(latest) => last_answer(conn, latest.id)?,
                    None => None,
                };
                Ok((sessions, final_answer))
            })
            .await?;
        let (diff, diff_error) = match (&task.worktree_path, &task.branch) {
            (Some(path), Some(branch)) => {
                match diff_page(Path::new(path), &project_row.default_branch, branch, page).await {
                    Ok(diff) => (Some(diff), None),
                    Err(e) => (None, Some(format!("The changes cannot be read: {e}"))),
                }
            }
            _ => (None, None),
        };
        Ok(TaskReview {
            task,
            sessions,
            final_answer,
            diff,
            diff_error,
        })
    }

    /// The task's changes now (one page of files, the first patches expanded): what the
    /// live diff shows while the agent works. Refused before the task has a worktree.
    pub async fn task_diff(
        &self,
        project: ProjectId,
        task: TaskId,
        page: usize,
    ) -> EngineResult<TaskDiff> {
        let project_row = self.project(project).await?;
        let task = self.task(project, task).await?;
        let dir = worktree_of(&task)?;
        let branch = task_branch(&task)?;
        diff_page(&dir, &project_row.default_branch, &branch, page)
            .await
            .map_err(|e| EngineError::git_in(&dir, e))
    }

    /// One page of one changed file's patch. `path` must be one of the task's changed files.
    pub async fn task_file_patch(
        &self,
        project: ProjectId,
        task: TaskId,
        path: String,
        page: usize,
    ) -> EngineResult<FilePatch> {
        let project_row = self.project(project).await?;
        let task = self.task(project, task).await?;
        let dir = worktree_of(&task)?;
        let base = &project_row.default_branch;
        let files = worktree::changed_files(&dir, base)
            .await
            .map_err(|e| EngineError::git_in(&dir, e))?;
        let file = files
            .into_iter()
            .find(|f| f.path == path)
            .ok_or_else(|| EngineError::NotFound(format!("changed file {path}")))?;
        patch_page(&dir, base, &file, page)
            .await
            .map_err(|e| EngineError::git_in(&dir, e))
    }

    /// Pushes the task's branch and opens a pull request with `gh`, storing its URL. Work not
    /// yet committed in the worktree is committed first, so the PR holds what was reviewed.
    pub async fn create_pr(&self, project: ProjectId, task: TaskId) -> EngineResult<Task> {
        let project_row = self.project(project).await?;
        let task = self.task(project, task).await?;
        if !matches!(task.status, TaskStatus::Review | TaskStatus::Done) {
            return Err(EngineError::Refused(
                "Only a task in review or done can become a pull request.".into(),
            ));
        }
        let dir = worktree_of(&task)?;
        let branch = task_branch(&task)?;
        let gh = self.config().gh_bin.clone();
        if run(&gh, &dir, &["--version"]).await.is_err() {
            return Err(EngineError::Refused(format!(
                "The GitHub CLI is not installed ('{}' was not found): install gh and run `gh auth login`, or push the branch {branch} yourself.",
                gh.display()
            )));
        }
        if git::git(&dir, &["remote", "get-url", "origin"])
            .await
            .is_err()
        {
            return Err(EngineError::Refused(format!(
                "This repository has no remote 'origin' to push {branch} to: add one, then try again."
            )));
        }
        commit_worktree(&task).await?;
        git::git(&dir, &["push", "--quiet", "-u", "origin", &branch])
            .await
            .map_err(|e| EngineError::Refused(format!("Pushing {branch} failed: {e}")))?;
        let body = format!(
            "{}\n\nMade with DevLog from task {}.",
            task.description, task.id
        );
        let out = run(
            &gh,
            &dir,
            &[
                "pr",
                "create",
                "--head",
                &branch,
                "--base",
                &project_row.default_branch,
                "--title",
                &task.title,
                "--body",
                &body,
            ],
        )
        .await
        .map_err(|e| EngineError::Refused(format!("gh pr create failed: {e}")))?;
        let url = out
            .lines()
            .rev()
            .find(|l| l.starts_with("https://") || l.starts_with("http://"))
            .ok_or_else(|| {
                EngineError::Refused(format!("gh did not report the pull request's URL: {out}"))
            })?
            .trim()
            .to_string();
        let id = task.id;
        self.db()
            .write(move |conn| -> EngineResult<()> {
                Ok(store::tasks::set_pr_url(conn, project, id, &url)?)
            })
            .await?;
        self.task(project, id).await
    }
}

/// The task's branch, which a started task has.
pub(super) fn task_branch(task: &Task) -> EngineResult<String> {
    task.branch
        .clone()
        .ok_or_else(|| EngineError::Refused("This task has no branch yet.".into()))
}

/// Commits what the agent left uncommitted in the task's worktree (a PR or a merge takes what
/// was reviewed); the worktree's folder.
pub(super) async fn commit_worktree(task: &Task) -> EngineResult<PathBuf> {
    let dir = worktree_of(task)?;
    let message = format!(
        "{}\n\nMade with DevLog (task {}).",
        task.title.trim(),
        task.id
    );
    git::merge::commit_all(&dir, &message)
        .await
        .map_err(|e| EngineError::git_in(&dir, e))?;
    Ok(dir)
}

/// The events read back from a session's end to find its last answer: the answer is among the
/// last events (a turn ends with it, then its result and status).
const ANSWER_EVENTS: usize = 200;

/// The last text the agent wrote in `session`, if any.
fn last_answer(
    conn: &rusqlite::Connection,
    session: model::SessionId,
) -> EngineResult<Option<String>> {
    let after = (store::sessions::max_seq(conn, session)? - ANSWER_EVENTS as i64).max(0);
    let events = store::sessions::events_after(conn, session, after, ANSWER_EVENTS)?;
    Ok(events.into_iter().rev().find_map(|e| match e.event {
        StreamEvent::AssistantText { text } if !text.trim().is_empty() => Some(text),
        _ => None,
    }))
}

/// The task's worktree, which must still exist (a folder removed by hand is named as such,
/// not taken for a missing program).
pub(super) fn worktree_of(task: &Task) -> EngineResult<PathBuf> {
    let dir = task
        .worktree_path
        .as_ref()
        .map(PathBuf::from)
        .ok_or_else(|| {
            EngineError::Refused("This task has not been started: no worktree yet.".into())
        })?;
    if !dir.is_dir() {
        return Err(EngineError::NotFound(format!(
            "The task's worktree {} (it was removed: retry the task to make it again)",
            dir.display()
        )));
    }
    Ok(dir)
}

async fn diff_page(
    dir: &Path,
    base: &str,
    branch: &str,
    page: usize,
) -> Result<TaskDiff, GitError> {
    let files = worktree::changed_files(dir, base).await?;
    let pages = page_count(files.len(), FILES_PER_PAGE);
    let page = page.min(pages - 1);
    let shown = &files[(page * FILES_PER_PAGE).min(files.len())..];
    let shown = &shown[..shown.len().min(FILES_PER_PAGE)];
    let mut patches = Vec::new();
    for index in expanded_files(shown) {
        patches.push(patch_page(dir, base, &shown[index], 0).await?);
    }
    Ok(TaskDiff {
        base: base.to_string(),
        branch: branch.to_string(),
        total_files: files.len(),
        total_added: files.iter().filter_map(|f| f.added).map(u64::from).sum(),
        total_removed: files.iter().filter_map(|f| f.removed).map(u64::from).sum(),
        files: shown.to_vec(),
        page,
        pages,
        patches,
    })
}

/// One page of one changed file's patch (`file` comes from `changed_files`).
async fn patch_page(
    dir: &Path,
    base: &str,
    file: &FileChange,
    page: usize,
) -> Result<FilePatch, GitError> {
    if file.is_binary() {
        return Ok(FilePatch {
            path: file.path.clone(),
            binary: true,
            lines: Vec::new(),
            page: 0,
            pages: 1,
        });
    }
    let lines = parse_patch(&worktree::file_patch(dir, base, file).await?);
    let pages = page_count(lines.len(), LINES_PER_PAGE);
    let page = page.min(pages - 1);
    Ok(FilePatch {
        path: file.path.clone(),
        binary: false,
        lines: lines
            .into_iter()
            .skip(page * LINES_PER_PAGE)
            .take(LINES_PER_PAGE)
            .collect(),
        page,
        pages,
    })
}

/// Runs a program (not git) in `dir`; its stdout, or its stderr as the error.
async fn run(program: &Path, dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GH_PROMPT_DISABLED", "1")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}
