use super::*;
use std::fs;
use std::path::PathBuf;
use tempfile::TempDir;

/// A repository on `main` and a task worktree on `task/00000001` (made from `main`).
async fn repo_and_task() -> (TempDir, PathBuf, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    testkit::init_repo(&repo, "main");
    let task = temp.path().join("wt");
    worktree::ensure(&repo, &task, "task/00000001", "main")
        .await
        .unwrap();
    (temp, repo, task)
}

const REF: &str = "refs/devlog/snapshots/1/20261127T055800.600Z";
const LATER: &str = "refs/devlog/snapshots/1/20261127T055801.000Z";

async fn status(dir: &Path) -> String {
    git(dir, &["status", "--porcelain", "--untracked-files=all"])
        .await
        .unwrap()
}

#[test]
fn lists_parse_with_and_without_a_branch() {
    let out = [
        "refs/devlog/snapshots/3/20261127T055800.600Z\0abc\0t1\0def\0",
        "1795759080\0Snapshot of task 3\0task/3-x\0\n",
        "refs/devlog/snapshots/4/20261127T055800.601Z\0x123\0t2\0\0",
        "1795759081\0Snapshot of task 4\0\0",
    ]
    .concat();
    let list = parse_list(&out);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].parent.as_deref(), Some("def"));
    assert_eq!(list[0].tree, "t1");
    assert_eq!(list[0].branch.as_deref(), Some("task/3-x"));
    assert_eq!(list[0].taken_at_secs, 1_795_759_080);
    assert_eq!(list[1].parent, None);
    assert_eq!(list[1].branch, None);
    assert_eq!(list[1].subject, "Snapshot of task 4");
}

#[tokio::test]
async fn nothing_beyond_the_base_is_no_snapshot() {
    let (_t, repo, task) = repo_and_task().await;
    assert_eq!(record(&task, "main", REF, "s").await.unwrap(), None);
    assert!(list(&repo).await.unwrap().is_empty());
}

#[tokio::test]
async fn uncommitted_work_is_kept_and_restored_as_uncommitted() {
    let (_t, repo, task) = repo_and_task().await;
    fs::write(task.join("README.md"), "modified\n").unwrap();
    fs::write(task.join("new.txt"), "untracked\n").unwrap();
    let before = status(&task).await;
    let commit = record(&task, "main", REF, "Snapshot of task 1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status(&task).await, before, "the worktree is untouched");
    let listed = list(&repo).await.unwrap();
    assert_eq!(listed.len(), 1);
    let snapshot = &listed[0];
    assert_eq!(
        (snapshot.refname.as_str(), snapshot.commit.as_str()),
        (REF, commit.as_str())
    );
    assert_eq!(snapshot.subject, "Snapshot of task 1");
    assert_eq!(snapshot.branch.as_deref(), Some("task/00000001"));

    worktree::remove(&repo, &task).await.unwrap();
    assert!(!task.exists());
    restore(&repo, snapshot, &task, "task/00000001")
        .await
        .unwrap();
    assert_eq!(
        fs::read_to_string(task.join("README.md")).unwrap(),
        "modified\n"
    );
    assert_eq!(
        fs::read_to_string(task.join("new.txt")).unwrap(),
        "untracked\n"
    );
    assert_eq!(status(&task).await, before, "uncommitted again, as it was");
}

#[tokio::test]
async fn commits_alone_are_kept_and_one_state_is_kept_once() {
    let (_t, repo, task) = repo_and_task().await;
    fs::write(task.join("done.txt"), "work\n").unwrap();
    testkit::git(&task, &["add", "done.txt"]);
    testkit::git(&task, &["commit", "-q", "-m", "work"]);
    let head = git(&task, &["rev-parse", "HEAD"]).await.unwrap();
    let first = record(&task, "main", REF, "s").await.unwrap().unwrap();
    let again = record(&task, "main", LATER, "s").await.unwrap().unwrap();
    assert_eq!(again, first, "the same state is not snapshotted twice");
    let listed = list(&repo).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].parent.as_deref(), Some(head.as_str()));
    // The branch can go: the snapshot keeps its commits, and restoring makes it again.
    worktree::remove(&repo, &task).await.unwrap();
    testkit::git(&repo, &["branch", "-D", "task/00000001"]);
    restore(&repo, &listed[0], &task, "task/00000001")
        .await
        .unwrap();
    assert_eq!(fs::read_to_string(task.join("done.txt")).unwrap(), "work\n");
    assert_eq!(git(&task, &["rev-parse", "HEAD"]).await.unwrap(), head);
}

#[tokio::test]
async fn a_branch_that_moved_on_is_not_restored_over() {
    let (_t, repo, task) = repo_and_task().await;
    fs::write(task.join("new.txt"), "x\n").unwrap();
    record(&task, "main", REF, "s").await.unwrap().unwrap();
    let snapshot = list(&repo).await.unwrap().remove(0);
    worktree::remove(&repo, &task).await.unwrap();
    fs::write(repo.join("later.txt"), "y\n").unwrap();
    testkit::git(&repo, &["add", "later.txt"]);
    testkit::git(&repo, &["commit", "-q", "-m", "later"]);
    testkit::git(&repo, &["branch", "-f", "task/00000001", "main"]);
    let err = restore(&repo, &snapshot, &task, "task/00000001")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("moved on"), "{err}");
    assert!(!task.exists(), "nothing was made");
    // Beside it, on a branch of its own, it restores.
    let beside = task.with_file_name("beside");
    restore(&repo, &snapshot, &beside, "task/00000001-restored")
        .await
        .unwrap();
    assert_eq!(fs::read_to_string(beside.join("new.txt")).unwrap(), "x\n");
}

#[tokio::test]
async fn a_deleted_snapshot_is_gone_and_a_changed_one_is_not_deleted() {
    let (_t, repo, task) = repo_and_task().await;
    fs::write(task.join("new.txt"), "x\n").unwrap();
    let commit = record(&task, "main", REF, "s").await.unwrap().unwrap();
    let head = git(&repo, &["rev-parse", "HEAD"]).await.unwrap();
    assert!(delete(&repo, REF, &head).await.is_err(), "not its commit");
    delete(&repo, REF, &commit).await.unwrap();
    assert!(list(&repo).await.unwrap().is_empty());
}
