//! What the test suites and benchmarks of every DevLog crate share. A dev-dependency only: no
//! product code links it.
//!
//! Tests panic on a broken fixture (no `git`, a full disk) rather than carry on against a
//! repository that is not what they think.

use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

/// A fresh git repository with one commit (a `README.md`) on `main`.
pub fn repo() -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    init_repo(dir.path(), "main");
    dir
}

/// Makes `dir` (created if missing) a git repository with one commit, a `README.md`, on
/// `branch`. The commit's author is fixed, so neither the machine's git identity nor its absence
/// matters.
pub fn init_repo(dir: &Path, branch: &str) {
    std::fs::create_dir_all(dir).expect("the repository's directory");
    git(dir, &["init", "-q", "-b", branch]);
    std::fs::write(dir.join("README.md"), "hello\n").expect("README.md");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "init"]);
}

/// Runs `git -C dir args…` as the fixtures' author, and asserts it succeeded.
pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "devlog-tests")
        .env("GIT_AUTHOR_EMAIL", "tests@example.invalid")
        .env("GIT_COMMITTER_NAME", "devlog-tests")
        .env("GIT_COMMITTER_EMAIL", "tests@example.invalid")
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?} in {}", dir.display());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repo_has_one_commit_on_its_branch() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("nested");
        init_repo(&repo, "trunk");
        let out = Command::new("git")
            .args(["-C"])
            .arg(&repo)
            .args(["rev-list", "--count", "trunk"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "1");
        assert!(repo.join("README.md").is_file());
    }
}
