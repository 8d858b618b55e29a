//! Git worktrees for tasks, and what a task's branch changed: the git side of DESIGN §3's
//! task lifecycle. A task's worktree lives under DevLog's data directory, never inside the
//! user's repository, on its own branch made from the project's default branch.

use super::{GitError, git};
use model::review::FileChange;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, LazyLock, Mutex};
use tokio::process::Command;
use tokio::sync::OwnedMutexGuard;

/// One worktree change at a time per repository. git keeps a repository's worktrees in
/// `.git/worktrees/`, and an `add` reads every entry there while another `add` is still
/// writing its own or a `prune` is removing one ("failed to read …/commondir"): tasks of one
/// project started together would fail at random.
async fn lock_worktrees(repo: &Path) -> OwnedMutexGuard<()> {
    static LOCKS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let lock = LOCKS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(repo.to_path_buf())
        .or_default()
        .clone();
    lock.lock_owned().await
}

/// A worktree as `git worktree list` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorktreeEntry {
    pub path: PathBuf,
    /// `None` when detached.
    pub branch: Option<String>,
    /// The repository's own work tree (never removed).
    pub is_main: bool,
}

/// Makes `path` a worktree of `repo` on `branch`, creating the branch from `base` when it
/// does not exist yet; an existing worktree of that branch is reused as it is. True when the
/// worktree was made now (a new worktree is set up; a reused one is not).
pub async fn ensure(repo: &Path, path: &Path, branch: &str, base: &str) -> Result<bool, GitError> {
    let _only = lock_worktrees(repo).await;
    // A worktree folder removed by hand leaves a stale entry: it would be "reused" (a folder
    // that is not there), or block `add`.
    git(repo, &["worktree", "prune"]).await?;
    // git records canonical paths: a folder reached through a symlink is the same worktree.
    let canonical = tokio::fs::canonicalize(path).await.ok();
    let path = canonical.as_deref().unwrap_or(path);
    if let Some(existing) = list(repo).await?.into_iter().find(|w| w.path == path) {
        return match existing.branch.as_deref() {
            Some(b) if b == branch => Ok(false),
            other => Err(GitError::Failed {
                args: "worktree add".into(),
                stderr: format!(
                    "{} is already a worktree on {}, not {branch}",
                    path.display(),
                    other.unwrap_or("a detached HEAD")
                ),
            }),
        };
    }
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| GitError::Unavailable(format!("{}: {e}", parent.display())))?;
    }
    let shown = path.display().to_string();
    let branch_ref = format!("refs/heads/{branch}");
    if git(repo, &["rev-parse", "--verify", "--quiet", &branch_ref])
        .await
        .is_ok()
    {
        add_locked(repo, &[&shown, branch]).await?;
    } else {
        add_locked(repo, &["-b", branch, &shown, base]).await?;
    }
    Ok(true)
}

/// `git worktree add --quiet args…`, one worktree change at a time.
pub async fn add(repo: &Path, args: &[&str]) -> Result<(), GitError> {
    let _only = lock_worktrees(repo).await;
    git(repo, &["worktree", "prune"]).await?;
    add_locked(repo, args).await
}

async fn add_locked(repo: &Path, args: &[&str]) -> Result<(), GitError> {
    let mut command = vec!["worktree", "add", "--quiet"];
    command.extend_from_slice(args);
    git(repo, &command).await.map(|_| ())
}

/// The repository's worktrees, its main work tree first.
pub async fn list(repo: &Path) -> Result<Vec<WorktreeEntry>, GitError> {
    let out = git(repo, &["worktree", "list", "--porcelain"]).await?;
    Ok(parse_list(&out))
}

fn parse_list(porcelain: &str) -> Vec<WorktreeEntry> {
    let mut entries: Vec<WorktreeEntry> = Vec::new();
    for line in porcelain.lines() {
        if let Some(path) = line.strip_prefix("worktree ") {
            entries.push(WorktreeEntry {
                path: PathBuf::from(path),
                branch: None,
                is_main: entries.is_empty(),
            });
        } else if let (Some(branch), Some(entry)) =
            (line.strip_prefix("branch refs/heads/"), entries.last_mut())
        {
            entry.branch = Some(branch.to_string());
        }
    }
    entries
}

/// Removes a task's worktree (its branch stays, with every commit on it).
pub async fn remove(repo: &Path, path: &Path) -> Result<(), GitError> {
    let _only = lock_worktrees(repo).await;
    let shown = path.display().to_string();
    git(repo, &["worktree", "remove", "--force", &shown]).await?;
    git(repo, &["worktree", "prune"]).await.map(|_| ())
}

/// The commit `dir`'s HEAD forked from `base`: what the task's changes are measured against.
async fn fork_point(dir: &Path, base: &str) -> Result<String, GitError> {
    git(dir, &["merge-base", base, "HEAD"]).await
}

/// Whether the work in `dir` differs from `base`: commits on its branch, or uncommitted
/// (including untracked) files.
pub async fn has_changes(dir: &Path, base: &str) -> Result<bool, GitError> {
    let status = git(dir, &["status", "--porcelain", "--untracked-files=all"]).await?;
    if !status.is_empty() {
        return Ok(true);
    }
    let fork = fork_point(dir, base).await?;
    let ahead = git(dir, &["rev-list", "--count", &format!("{fork}..HEAD")]).await?;
    let tree_differs = git(dir, &["diff", "--quiet", &fork, "HEAD"]).await.is_err();
    Ok(ahead != "0" && tree_differs)
}

/// Every file that differs from `base`, tracked or not, sorted by path.
pub async fn changed_files(dir: &Path, base: &str) -> Result<Vec<FileChange>, GitError> {
    let fork = fork_point(dir, base).await?;
    let numstat = git(dir, &["diff", "--numstat", "-z", "--no-renames", &fork]).await?;
    let mut files = parse_numstat(&numstat);
    let untracked = git(dir, &["ls-files", "--others", "--exclude-standard", "-z"]).await?;
    for path in untracked.split('\0').filter(|p| !p.is_empty()) {
        let bytes = tokio::fs::read(dir.join(path)).await.unwrap_or_default();
        let binary = bytes.contains(&0);
        let lines = bytes.iter().filter(|b| **b == b'\n').count()
            + usize::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
        files.push(FileChange {
            path: path.to_string(),
            added: (!binary).then(|| u32::try_from(lines).unwrap_or(u32::MAX)),
            removed: (!binary).then_some(0),
            untracked: true,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// `git diff --numstat -z` records: `added\tremoved\tpath\0`, `-\t-\t` for binary files.
fn parse_numstat(out: &str) -> Vec<FileChange> {
    out.split('\0')
        .filter_map(|record| {
            let mut parts = record.splitn(3, '\t');
            let (added, removed, path) = (parts.next()?, parts.next()?, parts.next()?);
            let path = path.trim_start_matches('\n');
            (!path.is_empty()).then(|| FileChange {
                path: path.to_string(),
                added: added.trim().parse().ok(),
                removed: removed.trim().parse().ok(),
                untracked: false,
            })
        })
        .collect()
}

/// The unified diff of one changed file against `base` (`file` must come from
/// [`changed_files`]: it is never a path the caller made up).
pub async fn file_patch(dir: &Path, base: &str, file: &FileChange) -> Result<String, GitError> {
    if file.untracked {
        // `--no-index` exits 1 when the files differ, which they always do here.
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "diff",
                "--no-index",
                "--no-color",
                "--",
                "/dev/null",
                &file.path,
            ])
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .output()
            .await
            .map_err(|e| GitError::Unavailable(e.to_string()))?;
        return match out.status.code() {
            Some(0 | 1) => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            _ => Err(GitError::Failed {
                args: "diff --no-index".into(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            }),
        };
    }
    let fork = fork_point(dir, base).await?;
    git(
        dir,
        &[
            "diff",
            "--no-color",
            "--no-renames",
            &fork,
            "--",
            &file.path,
        ],
    )
    .await
}

#[cfg(test)]
#[path = "worktree_tests.rs"]
mod tests;
