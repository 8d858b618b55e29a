use super::*;
use std::fs;
use tempfile::TempDir;

/// A repository on `main` and a task worktree on `task/1` (made from `main`), under one temp dir.
async fn repo_and_task() -> (TempDir, PathBuf, PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let repo = temp.path().join("repo");
    testkit::init_repo(&repo, "main");
    let task = temp.path().join("wt");
    worktree::ensure(&repo, &task, "task/1", "main")
        .await
        .unwrap();
    (temp, repo, task)
}

fn commit_file(dir: &Path, file: &str, text: &str, message: &str) {
    fs::write(dir.join(file), text).unwrap();
    testkit::git(dir, &["add", file]);
    testkit::git(dir, &["commit", "-q", "-m", message]);
}

async fn parents(repo: &Path, rev: &str) -> usize {
    git(repo, &["rev-list", "--parents", "-n", "1", rev])
        .await
        .unwrap()
        .split_whitespace()
        .count()
        - 1
}

#[tokio::test]
async fn a_fast_forward_moves_the_checked_out_target_and_its_files() {
    let (_t, repo, task) = repo_and_task().await;
    commit_file(&task, "feature.txt", "new\n", "feature");
    assert_eq!(count_missing(&repo, "main", "task/1").await.unwrap(), 1);
    assert_eq!(count_missing(&repo, "task/1", "main").await.unwrap(), 0);
    let new = merge_into(&repo, "task/1", "main", MergeStrategy::FastForward, "")
        .await
        .unwrap();
    assert_eq!(new, branch_commit(&repo, "task/1").await.unwrap());
    assert_eq!(branch_commit(&repo, "main").await.unwrap(), new);
    assert_eq!(
        fs::read_to_string(repo.join("feature.txt")).unwrap(),
        "new\n"
    );
    assert_eq!(why_blocked(&repo).await.unwrap(), None);
}

#[tokio::test]
async fn a_fast_forward_is_refused_when_the_target_moved_on() {
    let (_t, repo, task) = repo_and_task().await;
    commit_file(&task, "feature.txt", "new\n", "feature");
    commit_file(&repo, "other.txt", "other\n", "meanwhile");
    let before = branch_commit(&repo, "main").await.unwrap();
    let err = merge_into(&repo, "task/1", "main", MergeStrategy::FastForward, "")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a fast-forward"), "{err}");
    assert_eq!(branch_commit(&repo, "main").await.unwrap(), before);
}

#[tokio::test]
async fn a_merge_commit_and_a_squash_join_both_sides() {
    for strategy in [MergeStrategy::MergeCommit, MergeStrategy::Squash] {
        let (_t, repo, task) = repo_and_task().await;
        commit_file(&task, "feature.txt", "new\n", "feature one");
        commit_file(&task, "feature2.txt", "more\n", "feature two");
        commit_file(&repo, "other.txt", "other\n", "meanwhile");
        assert_eq!(count_missing(&repo, "task/1", "main").await.unwrap(), 1);
        let merged = merge_trees(&repo, "main", "task/1").await.unwrap();
        assert!(merged.conflicts.is_empty());
        let new = merge_into(&repo, "task/1", "main", strategy, "Task one\n\nDid it.")
            .await
            .unwrap();
        assert_eq!(branch_commit(&repo, "main").await.unwrap(), new);
        for file in ["feature.txt", "feature2.txt", "other.txt"] {
            assert!(repo.join(file).is_file(), "{strategy:?}: {file}");
        }
        let expected_parents = if strategy == MergeStrategy::Squash {
            1
        } else {
            2
        };
        assert_eq!(
            parents(&repo, "main").await,
            expected_parents,
            "{strategy:?}"
        );
        let message = git(&repo, &["log", "-1", "--format=%B", "main"])
            .await
            .unwrap();
        assert_eq!(message, "Task one\n\nDid it.");
        assert_eq!(why_blocked(&repo).await.unwrap(), None, "{strategy:?}");
    }
}

#[tokio::test]
async fn a_conflict_is_found_before_anything_is_written() {
    let (_t, repo, task) = repo_and_task().await;
    commit_file(&task, "README.md", "theirs\n", "task edit");
    commit_file(&repo, "README.md", "ours\n", "main edit");
    let before = branch_commit(&repo, "main").await.unwrap();
    let merged = merge_trees(&repo, "main", "task/1").await.unwrap();
    assert_eq!(merged.conflicts, vec!["README.md".to_string()]);
    for strategy in [MergeStrategy::MergeCommit, MergeStrategy::Squash] {
        let err = merge_into(&repo, "task/1", "main", strategy, "m")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("conflicts in README.md"), "{err}");
    }
    assert_eq!(branch_commit(&repo, "main").await.unwrap(), before);
    assert_eq!(
        fs::read_to_string(repo.join("README.md")).unwrap(),
        "ours\n"
    );
    assert_eq!(why_blocked(&repo).await.unwrap(), None);
}

#[tokio::test]
async fn a_dirty_or_mid_merge_work_tree_is_named_as_blocked() {
    let (_t, repo, _task) = repo_and_task().await;
    fs::write(repo.join("README.md"), "edited, not committed\n").unwrap();
    let why = why_blocked(&repo).await.unwrap().unwrap();
    assert!(why.contains("uncommitted changes (README.md)"), "{why}");
    testkit::git(&repo, &["checkout", "-q", "--", "README.md"]);
    // Untracked files alone do not block.
    fs::write(repo.join("scratch.txt"), "x").unwrap();
    assert_eq!(why_blocked(&repo).await.unwrap(), None);

    testkit::git(&repo, &["checkout", "-q", "-b", "side"]);
    commit_file(&repo, "README.md", "side\n", "side");
    testkit::git(&repo, &["checkout", "-q", "main"]);
    commit_file(&repo, "README.md", "main\n", "main");
    let merging = std::process::Command::new("git")
        .args(["-C"])
        .arg(&repo)
        .args(["merge", "-q", "side"])
        .output()
        .unwrap();
    assert!(!merging.status.success(), "the fixture's merge conflicts");
    let why = why_blocked(&repo).await.unwrap().unwrap();
    assert!(why.contains("in the middle of a merge"), "{why}");
}

#[tokio::test]
async fn a_target_checked_out_nowhere_moves_by_ref_alone() {
    let (_t, repo, task) = repo_and_task().await;
    testkit::git(&repo, &["branch", "release"]);
    commit_file(&task, "feature.txt", "new\n", "feature");
    assert_eq!(checked_out_in(&repo, "release").await.unwrap(), None);
    assert_eq!(
        checked_out_in(&repo, "main").await.unwrap(),
        Some(repo.canonicalize().unwrap())
    );
    let new = merge_into(&repo, "task/1", "release", MergeStrategy::Squash, "m")
        .await
        .unwrap();
    assert_eq!(branch_commit(&repo, "release").await.unwrap(), new);
    assert!(!repo.join("feature.txt").exists(), "main's files untouched");
    let mut branches = local_branches(&repo).await.unwrap();
    branches.sort();
    assert_eq!(branches, ["main", "release", "task/1"]);
}

#[tokio::test]
async fn a_rebase_replays_the_task_on_its_base_or_changes_nothing() {
    let (_t, repo, task) = repo_and_task().await;
    commit_file(&task, "feature.txt", "new\n", "feature");
    commit_file(&repo, "other.txt", "other\n", "meanwhile");
    rebase(&task, "main").await.unwrap();
    assert_eq!(count_missing(&repo, "task/1", "main").await.unwrap(), 0);
    assert!(task.join("other.txt").is_file());

    commit_file(&task, "README.md", "theirs\n", "task edit");
    commit_file(&repo, "README.md", "ours\n", "main edit");
    let before = branch_commit(&repo, "task/1").await.unwrap();
    match rebase(&task, "main").await {
        Err(RebaseError::Conflicts(files)) => assert_eq!(files, ["README.md"]),
        other => panic!("expected conflicts, got {other:?}"),
    }
    assert_eq!(branch_commit(&repo, "task/1").await.unwrap(), before);
    assert_eq!(
        why_blocked(&task).await.unwrap(),
        None,
        "no rebase left open"
    );
    assert_eq!(
        fs::read_to_string(task.join("README.md")).unwrap(),
        "theirs\n"
    );
}

#[tokio::test]
async fn commit_all_takes_untracked_files_and_says_when_there_was_nothing() {
    let (_t, _repo, task) = repo_and_task().await;
    assert!(!commit_all(&task, "nothing").await.unwrap());
    fs::write(task.join("new.txt"), "untracked\n").unwrap();
    fs::write(task.join("README.md"), "modified\n").unwrap();
    assert!(commit_all(&task, "all of it").await.unwrap());
    assert_eq!(git(&task, &["status", "--porcelain"]).await.unwrap(), "");
    let files = git(&task, &["show", "--name-only", "--format=", "HEAD"])
        .await
        .unwrap();
    assert_eq!(files, "README.md\nnew.txt");
}

#[tokio::test]
async fn a_snapshot_commits_uncommitted_work_without_touching_files_or_index() {
    let (_t, _repo, task) = repo_and_task().await;
    assert_eq!(snapshot(&task, "s").await.unwrap(), None);
    fs::write(task.join("README.md"), "modified\n").unwrap();
    fs::write(task.join("new.txt"), "untracked\n").unwrap();
    testkit::git(&task, &["add", "README.md"]);
    let status_before = git(&task, &["status", "--porcelain"]).await.unwrap();
    let head_before = git(&task, &["rev-parse", "HEAD"]).await.unwrap();
    let commit = snapshot(&task, "snap").await.unwrap().unwrap();
    assert_eq!(
        git(&task, &["status", "--porcelain"]).await.unwrap(),
        status_before
    );
    assert_eq!(
        git(&task, &["rev-parse", "HEAD"]).await.unwrap(),
        head_before
    );
    let parent = git(&task, &["rev-parse", &format!("{commit}^")])
        .await
        .unwrap();
    assert_eq!(parent, head_before);
    let files = git(&task, &["show", "--name-only", "--format=", &commit])
        .await
        .unwrap();
    assert_eq!(files, "README.md\nnew.txt");
    let leftovers: Vec<_> = fs::read_dir(
        git(&task, &["rev-parse", "--path-format=absolute", "--git-dir"])
            .await
            .unwrap(),
    )
    .unwrap()
    .filter_map(|e| e.ok())
    .filter(|e| {
        e.file_name()
            .to_string_lossy()
            .starts_with("devlog-snapshot")
    })
    .collect();
    assert!(leftovers.is_empty(), "the throwaway index is removed");
}

#[tokio::test]
async fn merging_the_base_into_a_task_leaves_its_conflicts_open_or_nothing() {
    let (_t, repo, task) = repo_and_task().await;
    commit_file(&task, "feature.txt", "new\n", "feature");
    commit_file(&repo, "other.txt", "other\n", "meanwhile");
    let before = branch_commit(&repo, "task/1").await.unwrap();
    assert_eq!(
        merge_leaving_conflicts(&task, "main").await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(branch_commit(&repo, "task/1").await.unwrap(), before);
    assert_eq!(
        why_blocked(&task).await.unwrap(),
        None,
        "a clean merge is not left open"
    );

    commit_file(&task, "README.md", "theirs\n", "task edit");
    commit_file(&repo, "README.md", "ours\n", "main edit");
    assert_eq!(
        merge_leaving_conflicts(&task, "main").await.unwrap(),
        ["README.md"]
    );
    let text = fs::read_to_string(task.join("README.md")).unwrap();
    assert!(
        text.contains("<<<<<<<") && text.contains(">>>>>>>"),
        "{text}"
    );
    assert!(
        why_blocked(&task)
            .await
            .unwrap()
            .unwrap()
            .contains("a merge")
    );
    // Never committed with its markers in.
    let err = commit_all(&task, "too early").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("conflicts in README.md are not resolved"),
        "{err}"
    );
    // Resolved and committed, as the agent is asked to: a merge commit with main in it.
    fs::write(task.join("README.md"), "both\n").unwrap();
    assert!(commit_all(&task, "resolved").await.unwrap());
    assert_eq!(count_missing(&repo, "task/1", "main").await.unwrap(), 0);
    assert_eq!(parents(&repo, "task/1").await, 2);
}
