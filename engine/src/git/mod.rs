//! Git, driven through the `git` binary: the one authority on what a repository is.

pub mod merge;
pub mod snapshot;
pub mod worktree;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::process::Command;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GitError {
    #[error("{0} does not exist")]
    Missing(String),
    #[error("{0} is not a directory")]
    NotADirectory(String),
    #[error("{0} is not inside a git work tree")]
    NotARepository(String),
    #[error("the git command could not be run: {0}")]
    Unavailable(String),
    #[error("git {args} failed: {stderr}")]
    Failed { args: String, stderr: String },
    #[error("branch '{0}' does not exist in this repository")]
    NoSuchBranch(String),
    #[error(
        "{0} has no commit yet: a task's branch starts from one. Make a first commit (git commit --allow-empty -m \"Initial commit\"), then register it."
    )]
    NoCommits(String),
}

/// What a path turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoInfo {
    /// The canonical top level of the work tree that holds the path.
    pub toplevel: PathBuf,
    /// `origin/HEAD`'s branch, else the current branch.
    pub default_branch: Option<String>,
}

/// Runs `git -C dir args…` and returns its trimmed stdout, or why it failed.
pub async fn git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let out = git_output(dir, args).await?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(failed(args, &out))
    }
}

/// Runs `git -C dir args…` and returns what it printed and how it exited, for the commands
/// whose exit status is an answer (`merge-tree`: 1 means conflicts).
pub async fn git_output(dir: &Path, args: &[&str]) -> Result<std::process::Output, GitError> {
    git_output_with(dir, args, &[]).await
}

/// [`git_output`] with variables set for git (`GIT_INDEX_FILE` for a throwaway index).
pub async fn git_output_with(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &std::ffi::OsStr)],
) -> Result<std::process::Output, GitError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Never let git wait for credentials or an editor on a server.
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| GitError::Unavailable(e.to_string()))
}

/// The failure of `git args…` that printed `out`.
pub fn failed(args: &[&str], out: &std::process::Output) -> GitError {
    GitError::Failed {
        args: args.join(" "),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    }
}

/// Checks that `path` is a directory inside a git work tree and reads its top level and
/// default branch.
pub async fn inspect(path: &Path) -> Result<RepoInfo, GitError> {
    let shown = path.display().to_string();
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|_| GitError::Missing(shown.clone()))?;
    if !meta.is_dir() {
        return Err(GitError::NotADirectory(shown));
    }
    let inside = git(path, &["rev-parse", "--is-inside-work-tree"]).await;
    if inside.as_deref() != Ok("true") {
        return Err(match inside {
            Err(GitError::Unavailable(e)) => GitError::Unavailable(e),
            _ => GitError::NotARepository(shown),
        });
    }
    let toplevel = git(path, &["rev-parse", "--show-toplevel"]).await?;
    let toplevel = tokio::fs::canonicalize(&toplevel)
        .await
        .map_err(|_| GitError::Missing(toplevel))?;
    if git(
        &toplevel,
        &["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
    )
    .await
    .is_err()
    {
        return Err(GitError::NoCommits(toplevel.display().to_string()));
    }
    let default_branch = detect_default_branch(&toplevel).await;
    Ok(RepoInfo {
        toplevel,
        default_branch,
    })
}

async fn detect_default_branch(repo: &Path) -> Option<String> {
    let origin_head = [
        "symbolic-ref",
        "--quiet",
        "--short",
        "refs/remotes/origin/HEAD",
    ];
    if let Ok(remote_head) = git(repo, &origin_head).await
        && let Some(branch) = remote_head.strip_prefix("origin/")
    {
        return Some(branch.to_string());
    }
    git(repo, &["symbolic-ref", "--quiet", "--short", "HEAD"])
        .await
        .ok()
        .filter(|b| !b.is_empty())
}

/// Refuses a branch that exists neither locally nor on origin.
pub async fn require_branch(repo: &Path, branch: &str) -> Result<(), GitError> {
    for reference in [
        format!("refs/heads/{branch}"),
        format!("refs/remotes/origin/{branch}"),
    ] {
        if git(repo, &["rev-parse", "--verify", "--quiet", &reference])
            .await
            .is_ok()
        {
            return Ok(());
        }
    }
    Err(GitError::NoSuchBranch(branch.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn inspects_a_repository_from_a_subdirectory() {
        let dir = tempfile::tempdir().unwrap();
        testkit::init_repo(dir.path(), "trunk");
        let sub = dir.path().join("src");
        std::fs::create_dir(&sub).unwrap();
        let info = inspect(&sub).await.unwrap();
        assert_eq!(info.toplevel, dir.path().canonicalize().unwrap());
        assert_eq!(info.default_branch.as_deref(), Some("trunk"));
        assert!(require_branch(dir.path(), "trunk").await.is_ok());
        assert_eq!(
            require_branch(dir.path(), "nope").await,
            Err(GitError::NoSuchBranch("nope".into()))
        );
    }

    #[tokio::test]
    async fn prefers_origin_head_over_the_current_branch() {
        let origin = tempfile::tempdir().unwrap();
        testkit::init_repo(origin.path(), "main");
        let parent = tempfile::tempdir().unwrap();
        let clone = parent.path().join("clone");
        let cloned = std::process::Command::new("git")
            .args(["clone", "-q"])
            .arg(origin.path())
            .arg(&clone)
            .status()
            .unwrap();
        assert!(cloned.success());
        git(&clone, &["checkout", "-q", "-b", "feature"])
            .await
            .unwrap();
        let info = inspect(&clone).await.unwrap();
        assert_eq!(info.default_branch.as_deref(), Some("main"));
    }

    #[tokio::test]
    async fn refuses_a_repository_without_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "--quiet", "-b", "main"])
            .await
            .unwrap();
        let err = inspect(dir.path()).await.unwrap_err();
        assert!(matches!(err, GitError::NoCommits(_)), "{err}");
        assert!(err.to_string().contains("no commit yet"), "{err}");
    }

    #[tokio::test]
    async fn refuses_missing_paths_files_and_plain_directories() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        assert!(matches!(inspect(&missing).await, Err(GitError::Missing(_))));
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "x").unwrap();
        assert!(matches!(
            inspect(&file).await,
            Err(GitError::NotADirectory(_))
        ));
        assert!(matches!(
            inspect(dir.path()).await,
            Err(GitError::NotARepository(_))
        ));
    }
}
