//! Snapshot refs: a commit of a worktree's whole state (its commits, and on top of them what
//! was left uncommitted, untracked files included, ignored ones not) kept under
//! `refs/devlog/snapshots/…` in the repository, so a removed worktree can be made again.
//! Refs are shared by all of a repository's worktrees, so the repository or any worktree of it
//! can be asked.

use super::{GitError, git, merge, worktree};
use model::snapshot::SNAPSHOT_REFS;
use std::path::Path;

/// One snapshot ref as git reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRef {
    pub refname: String,
    pub commit: String,
    pub tree: String,
    /// The worktree's HEAD when it was taken.
    pub parent: Option<String>,
    pub taken_at_secs: i64,
    pub subject: String,
    pub branch: Option<String>,
}

/// The trailer naming the branch the worktree was on.
const BRANCH_TRAILER: &str = "DevLog-Branch";

/// Records the state of the worktree `dir` under `refname` when it holds anything `base` does
/// not have (uncommitted files, or commits not on `base`) and no snapshot beside `refname`
/// holds that state already (a task deleted, then its worktree pruned: one snapshot); the
/// snapshot's commit, `None` when there was nothing to keep. `subject` is its first line.
pub async fn record(
    dir: &Path,
    base: &str,
    refname: &str,
    subject: &str,
) -> Result<Option<String>, GitError> {
    let branch = git(dir, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .await
        .ok();
    let message = match &branch {
        Some(branch) => format!("{subject}\n\n{BRANCH_TRAILER}: {branch}\n"),
        None => format!("{subject}\n"),
    };
    let commit = match merge::snapshot(dir, &message).await? {
        Some(commit) => commit,
        None if has_unmerged_commits(dir, base).await? => {
            // Only commits: the snapshot is HEAD's tree again, so that every snapshot is a
            // commit of DevLog's that says why it was taken.
            let mut args = merge::identity(dir).await;
            args.extend(["commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", &message]);
            git(dir, &args).await?
        }
        None => return Ok(None),
    };
    let (folder, _) = refname.rsplit_once('/').unwrap_or((refname, ""));
    let tree = git(dir, &["rev-parse", &format!("{commit}^{{tree}}")]).await?;
    let head = git(dir, &["rev-parse", "HEAD"]).await?;
    if let Some(same) = list_under(dir, &format!("{folder}/"))
        .await?
        .into_iter()
        .find(|s| s.tree == tree && s.parent.as_deref() == Some(head.as_str()))
    {
        return Ok(Some(same.commit));
    }
    // Create only (the empty old value): an existing snapshot is never overwritten.
    git(dir, &["update-ref", refname, &commit, ""]).await?;
    Ok(Some(commit))
}

/// Whether HEAD has commits `base` lacks; when that cannot be told (the default branch was
/// renamed or deleted), yes: a snapshot too many loses nothing.
async fn has_unmerged_commits(dir: &Path, base: &str) -> Result<bool, GitError> {
    let range = format!("refs/heads/{base}..HEAD");
    Ok(git(dir, &["rev-list", "--count", &range])
        .await
        .map_or(true, |count| count != "0"))
}

/// Every snapshot of the repository, newest first.
pub async fn list(repo: &Path) -> Result<Vec<SnapshotRef>, GitError> {
    list_under(repo, SNAPSHOT_REFS).await
}

async fn list_under(repo: &Path, prefix: &str) -> Result<Vec<SnapshotRef>, GitError> {
    let format = format!(
        "%(refname)%00%(objectname)%00%(tree)%00%(parent)%00%(creatordate:unix)%00%(subject)%00%(trailers:key={BRANCH_TRAILER},valueonly,separator=)%00"
    );
    let out = git(
        repo,
        &[
            "for-each-ref",
            "--sort=-creatordate",
            &format!("--format={format}"),
            prefix,
        ],
    )
    .await?;
    Ok(parse_list(&out))
}

fn parse_list(out: &str) -> Vec<SnapshotRef> {
    out.lines()
        .filter_map(|line| {
            let mut fields = line.split('\0');
            let mut next = || fields.next().map(str::trim);
            let (refname, commit, tree) = (next()?, next()?, next()?);
            let parent = next()?;
            let (taken, subject, branch) = (next()?, next()?, next()?);
            Some(SnapshotRef {
                refname: refname.to_string(),
                commit: commit.to_string(),
                tree: tree.to_string(),
                parent: parent
                    .split(' ')
                    .next()
                    .filter(|p| !p.is_empty())
                    .map(String::from),
                taken_at_secs: taken.parse().unwrap_or(0),
                subject: subject.to_string(),
                branch: (!branch.is_empty()).then(|| branch.to_string()),
            })
        })
        .collect()
}

/// Makes `path` a worktree of `repo` holding the snapshot again: on `branch` (created at the
/// snapshot's parent when it does not exist; it must be at that parent when it does), with
/// what was uncommitted uncommitted again.
pub async fn restore(
    repo: &Path,
    snapshot: &SnapshotRef,
    path: &Path,
    branch: &str,
) -> Result<(), GitError> {
    let parent = snapshot.parent.as_deref().ok_or_else(|| GitError::Failed {
        args: "worktree add".into(),
        stderr: format!("{} has no parent commit", snapshot.refname),
    })?;
    let shown = path.display().to_string();
    let branch_ref = format!("refs/heads/{branch}");
    let existing = git(repo, &["rev-parse", "--verify", "--quiet", &branch_ref])
        .await
        .ok();
    match existing.as_deref() {
        None => worktree::add(repo, &["-b", branch, &shown, parent]).await?,
        Some(head) if head == parent => worktree::add(repo, &[&shown, branch]).await?,
        Some(head) => {
            return Err(GitError::Failed {
                args: "worktree add".into(),
                stderr: format!(
                    "{branch} moved on since the snapshot (now {head}, the snapshot was taken at {parent})"
                ),
            });
        }
    }
    // The index stays at the branch's commit, the files become the snapshot's: modified and
    // untracked files are what they were, deleted ones deleted again.
    let source = format!("--source={}", snapshot.commit);
    let restored = git(path, &["restore", "--worktree", &source, "--", ":/"]).await;
    if restored.is_err() {
        // Not left half restored: the snapshot is still there to try again.
        let _ = worktree::remove(repo, path).await;
    }
    restored.map(|_| ())
}

/// Deletes a snapshot ref, if it still points at `commit`. Its objects stay until git's own
/// garbage collection finds nothing else using them.
pub async fn delete(repo: &Path, refname: &str, commit: &str) -> Result<(), GitError> {
    git(repo, &["update-ref", "-d", refname, commit])
        .await
        .map(|_| ())
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
