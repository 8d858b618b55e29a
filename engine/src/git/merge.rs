//! Merging one branch into another without leaving anything half done: the result is computed
//! with plumbing (`merge-tree --write-tree`, `commit-tree`) that touches no work tree, and only
//! a finished commit moves the target — by `merge --ff-only` in the work tree the target is
//! checked out in (which must be clean), else by `update-ref` against the value it was read at.

use super::{GitError, failed, git, git_output, git_output_with, worktree};
use model::MergeStrategy;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// What `merge-tree` says of joining two commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeMerge {
    /// The merged tree (with conflict markers in it when `conflicts` is not empty).
    pub tree: String,
    pub conflicts: Vec<String>,
}

/// Merges `theirs` into `ours` in the object store only.
pub async fn merge_trees(repo: &Path, ours: &str, theirs: &str) -> Result<TreeMerge, GitError> {
    let args = [
        "merge-tree",
        "--write-tree",
        "--name-only",
        "--no-messages",
        ours,
        theirs,
    ];
    let out = git_output(repo, &args).await?;
    // 0: clean, 1: conflicts; anything else is an error (an unknown commit, an old git).
    if !matches!(out.status.code(), Some(0 | 1)) {
        return Err(failed(&args, &out));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let tree = lines.next().unwrap_or_default().trim().to_string();
    let mut conflicts: Vec<String> = lines
        .map(str::trim)
        .take_while(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    conflicts.dedup();
    Ok(TreeMerge { tree, conflicts })
}

/// How many commits `to` has that `from` has not.
pub async fn count_missing(repo: &Path, from: &str, to: &str) -> Result<u32, GitError> {
    let range = format!("{from}..{to}");
    let count = git(repo, &["rev-list", "--count", &range]).await?;
    Ok(count.parse().unwrap_or(0))
}

/// The commit a local branch points at.
pub async fn branch_commit(repo: &Path, branch: &str) -> Result<String, GitError> {
    git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("refs/heads/{branch}^{{commit}}"),
        ],
    )
    .await
    .map_err(|_| GitError::NoSuchBranch(branch.to_string()))
}

/// The repository's local branches, by name.
pub async fn local_branches(repo: &Path) -> Result<Vec<String>, GitError> {
    let out = git(
        repo,
        &["for-each-ref", "--format=%(refname:short)", "refs/heads"],
    )
    .await?;
    Ok(out.lines().map(str::to_string).collect())
}

/// The work tree `branch` is checked out in, if any.
pub async fn checked_out_in(repo: &Path, branch: &str) -> Result<Option<PathBuf>, GitError> {
    Ok(worktree::list(repo)
        .await?
        .into_iter()
        .find(|w| w.branch.as_deref() == Some(branch))
        .map(|w| w.path))
}

/// Why the work tree `dir` cannot take a merge now: changes to tracked files, or a merge,
/// rebase or cherry-pick in progress. Untracked files do not block (git itself refuses to
/// overwrite one).
pub async fn why_blocked(dir: &Path) -> Result<Option<String>, GitError> {
    for (head, doing) in [
        ("MERGE_HEAD", "a merge"),
        ("REBASE_HEAD", "a rebase"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ] {
        if git(dir, &["rev-parse", "--quiet", "--verify", head])
            .await
            .is_ok()
        {
            return Ok(Some(format!(
                "{} is in the middle of {doing}: finish or abort it there first.",
                dir.display()
            )));
        }
    }
    // Staged or not, against the last commit: what a merge into this work tree would lose.
    let changed = git(dir, &["diff", "--name-only", "HEAD"]).await?;
    if !changed.is_empty() {
        let files: Vec<&str> = changed.lines().collect();
        return Ok(Some(format!(
            "{} has uncommitted changes ({}): commit or stash them first.",
            dir.display(),
            files.join(", ")
        )));
    }
    Ok(None)
}

/// A commit of everything uncommitted in the work tree `dir` (tracked, modified and untracked
/// files, not ignored ones) on top of its HEAD, made through a throwaway index so that neither
/// the files nor the index change; `None` when nothing is uncommitted. What a merge would
/// take, told before the work is committed.
pub async fn snapshot(dir: &Path, message: &str) -> Result<Option<String>, GitError> {
    if git(dir, &["status", "--porcelain"]).await?.is_empty() {
        return Ok(None);
    }
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "devlog-snapshot-index-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let index = PathBuf::from(
        git(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", &name],
        )
        .await?,
    );
    let real = PathBuf::from(
        git(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", "index"],
        )
        .await?,
    );
    // Starting from the real index keeps git's file stat cache: no file is hashed twice.
    if real.is_file() {
        std::fs::copy(&real, &index).map_err(|e| GitError::Unavailable(e.to_string()))?;
    }
    let result = snapshot_with_index(dir, &index, message).await;
    let _ = std::fs::remove_file(&index);
    result.map(Some)
}

async fn snapshot_with_index(dir: &Path, index: &Path, message: &str) -> Result<String, GitError> {
    let env = [("GIT_INDEX_FILE", index.as_os_str())];
    let in_index = |args: &'static [&'static str]| async move {
        let out = git_output_with(dir, args, &env).await?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(failed(args, &out))
        }
    };
    in_index(&["add", "--all"]).await?;
    let tree = in_index(&["write-tree"]).await?;
    // A merge left open (for the agent to resolve) is a merge in the snapshot too.
    let merging = git(dir, &["rev-parse", "--quiet", "--verify", "MERGE_HEAD"])
        .await
        .ok();
    let mut args = identity(dir).await;
    args.extend(["commit-tree", tree.as_str(), "-p", "HEAD"]);
    if let Some(merge_head) = merging.as_deref() {
        args.extend(["-p", merge_head]);
    }
    args.extend(["-m", message]);
    git(dir, &args).await
}

/// Commits everything in the work tree `dir` (tracked, modified and untracked files, not
/// ignored ones); false when there was nothing to commit.
pub async fn commit_all(dir: &Path, message: &str) -> Result<bool, GitError> {
    if git(dir, &["status", "--porcelain"]).await?.is_empty() {
        return Ok(false);
    }
    // A merge left open for the agent is concluded here, but never with its markers in.
    let unmerged = git(dir, &["diff", "--name-only", "--diff-filter=U"]).await?;
    let unresolved: Vec<&str> = unmerged
        .lines()
        .filter(|file| has_conflict_markers(&dir.join(file)))
        .collect();
    if !unresolved.is_empty() {
        return Err(GitError::Failed {
            args: "commit".into(),
            stderr: format!(
                "the conflicts in {} are not resolved yet (conflict markers are still in them)",
                unresolved.join(", ")
            ),
        });
    }
    git(dir, &["add", "--all"]).await?;
    let mut args = identity(dir).await;
    args.extend(["commit", "--quiet", "--no-verify", "-m", message]);
    git(dir, &args).await?;
    Ok(true)
}

/// Whether `file` still has a line git's conflict markers begin.
fn has_conflict_markers(file: &Path) -> bool {
    std::fs::read(file).is_ok_and(|bytes| {
        bytes
            .split(|b| *b == b'\n')
            .any(|line| line.starts_with(b"<<<<<<< ") || line.starts_with(b">>>>>>> "))
    })
}

/// The commits DevLog makes are the user's when git knows who they are; on a machine with no
/// identity configured they are DevLog's, instead of failing ("Author identity unknown").
pub(super) async fn identity(repo: &Path) -> Vec<&'static str> {
    if git(repo, &["config", "user.email"]).await.is_ok() {
        Vec::new()
    } else {
        vec![
            "-c",
            "user.name=DevLog",
            "-c",
            "user.email=devlog@localhost",
        ]
    }
}

/// Merges `branch` into `target` by `strategy` and returns the target's new commit. The
/// caller has checked that the merge is clean and the target's work tree, if any, is clean.
pub async fn merge_into(
    repo: &Path,
    branch: &str,
    target: &str,
    strategy: MergeStrategy,
    message: &str,
) -> Result<String, GitError> {
    let old = branch_commit(repo, target).await?;
    let theirs = branch_commit(repo, branch).await?;
    let new = match strategy {
        MergeStrategy::FastForward => {
            if git(repo, &["merge-base", "--is-ancestor", &old, &theirs])
                .await
                .is_err()
            {
                return Err(GitError::Failed {
                    args: format!("merge --ff-only {branch}"),
                    stderr: format!("{target} has commits {branch} does not: not a fast-forward"),
                });
            }
            theirs
        }
        MergeStrategy::MergeCommit | MergeStrategy::Squash => {
            let merged = merge_trees(repo, &old, &theirs).await?;
            if !merged.conflicts.is_empty() {
                return Err(GitError::Failed {
                    args: format!("merge {branch}"),
                    stderr: format!("conflicts in {}", merged.conflicts.join(", ")),
                });
            }
            let mut args = identity(repo).await;
            args.extend(["commit-tree", merged.tree.as_str(), "-p", old.as_str()]);
            if strategy == MergeStrategy::MergeCommit {
                args.extend(["-p", theirs.as_str()]);
            }
            args.extend(["-m", message]);
            git(repo, &args).await?
        }
    };
    match checked_out_in(repo, target).await? {
        // Its files move with the branch; a change made there since the check stops it.
        Some(dir) => {
            git(&dir, &["merge", "--ff-only", "--quiet", &new]).await?;
        }
        // Only if the branch is still where it was read: a concurrent change is not lost.
        None => {
            let reference = format!("refs/heads/{target}");
            git(repo, &["update-ref", &reference, &new, &old]).await?;
        }
    }
    Ok(new)
}

/// Rebases the branch checked out in `dir` onto `onto`. On conflicts the rebase is aborted
/// (the branch and its files are as they were) and the conflicting files are the error.
pub async fn rebase(dir: &Path, onto: &str) -> Result<(), RebaseError> {
    let args = ["rebase", "--quiet", "--no-autostash", onto];
    let out = git_output(dir, &args).await?;
    if out.status.success() {
        return Ok(());
    }
    let conflicts = git(dir, &["diff", "--name-only", "--diff-filter=U"])
        .await
        .unwrap_or_default();
    // Whatever stopped it, nothing is left half done.
    let _ = git(dir, &["rebase", "--abort"]).await;
    if conflicts.is_empty() {
        Err(RebaseError::Git(failed(&args, &out)))
    } else {
        Err(RebaseError::Conflicts(
            conflicts.lines().map(str::to_string).collect(),
        ))
    }
}

/// Merges `base` into the branch checked out in `dir` without committing, and returns the
/// files left conflicting (empty when it merged cleanly: then the merge is aborted again, as
/// there is nothing to resolve). For a task's own worktree only, never the user's.
pub async fn merge_leaving_conflicts(dir: &Path, base: &str) -> Result<Vec<String>, GitError> {
    let args = ["merge", "--no-ff", "--no-commit", "--quiet", base];
    let out = git_output(dir, &args).await?;
    let conflicts = git(dir, &["diff", "--name-only", "--diff-filter=U"]).await?;
    if conflicts.is_empty() {
        // Clean (or refused before it began): leave the worktree as it was.
        let _ = git(dir, &["merge", "--abort"]).await;
        return if out.status.success() {
            Ok(Vec::new())
        } else {
            Err(failed(&args, &out))
        };
    }
    Ok(conflicts.lines().map(str::to_string).collect())
}

#[derive(Debug, thiserror::Error)]
pub enum RebaseError {
    #[error("conflicts in {}", .0.join(", "))]
    Conflicts(Vec<String>),
    #[error(transparent)]
    Git(#[from] GitError),
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
