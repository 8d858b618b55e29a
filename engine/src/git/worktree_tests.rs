use super::*;
use testkit::init_repo;

fn commit_all(dir: &Path, message: &str) {
    testkit::git(dir, &["commit", "-qam", message]);
}

#[tokio::test]
async fn a_worktree_is_made_once_then_reused_and_removed() {
    let repo = tempfile::tempdir().unwrap();
    init_repo(repo.path(), "main");
    let data = tempfile::tempdir().unwrap();
    let path = data.path().join("worktrees/1/00000001-x");
    assert!(
        ensure(repo.path(), &path, "task/00000001-x", "main")
            .await
            .unwrap(),
        "made now"
    );
    assert!(path.join("README.md").exists());
    std::fs::write(path.join("work.txt"), "kept\n").unwrap();
    // Reuse: same branch, same directory, the work is still there.
    assert!(
        !ensure(repo.path(), &path, "task/00000001-x", "main")
            .await
            .unwrap(),
        "reused"
    );
    assert!(path.join("work.txt").exists());
    let entries = list(repo.path()).await.unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries[0].is_main);
    assert_eq!(entries[1].branch.as_deref(), Some("task/00000001-x"));
    // Another branch in that directory is refused.
    assert!(
        ensure(repo.path(), &path, "task/other", "main")
            .await
            .is_err()
    );
    remove(repo.path(), &path).await.unwrap();
    assert!(!path.exists());
    assert_eq!(list(repo.path()).await.unwrap().len(), 1);
    // The branch survives and a new worktree picks it up again.
    ensure(repo.path(), &path, "task/00000001-x", "main")
        .await
        .unwrap();
    assert!(path.join("README.md").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn worktrees_of_one_repository_made_and_removed_at_once_all_succeed() {
    let repo = tempfile::tempdir().unwrap();
    init_repo(repo.path(), "main");
    let data = tempfile::tempdir().unwrap();
    let path = |i: usize| data.path().join(format!("worktrees/1/{i:08}-t"));
    let mut made = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (repo, path) = (repo.path().to_path_buf(), path(i));
        made.spawn(async move { ensure(&repo, &path, &format!("task/{i}"), "main").await });
    }
    while let Some(result) = made.join_next().await {
        result.unwrap().unwrap();
    }
    // Half are removed while the other half get a second worktree.
    let mut changed = tokio::task::JoinSet::new();
    for i in 0..24 {
        let (repo, path) = (repo.path().to_path_buf(), path(i));
        changed.spawn(async move {
            if i % 2 == 0 {
                remove(&repo, &path).await
            } else {
                let again = path.with_extension("again");
                ensure(&repo, &again, &format!("task/{i}-again"), "main")
                    .await
                    .map(|_| ())
            }
        });
    }
    while let Some(result) = changed.join_next().await {
        result.unwrap().unwrap();
    }
    assert_eq!(list(repo.path()).await.unwrap().len(), 1 + 12 + 12);
}

#[tokio::test]
async fn changes_cover_commits_edits_and_untracked_files() {
    let repo = tempfile::tempdir().unwrap();
    init_repo(repo.path(), "main");
    let data = tempfile::tempdir().unwrap();
    let wt = data.path().join("wt");
    ensure(repo.path(), &wt, "task/1", "main").await.unwrap();
    assert!(!has_changes(&wt, "main").await.unwrap());
    assert!(changed_files(&wt, "main").await.unwrap().is_empty());

    std::fs::write(wt.join("README.md"), "hello\nworld\n").unwrap();
    commit_all(&wt, "edit");
    assert!(has_changes(&wt, "main").await.unwrap(), "a commit counts");
    std::fs::write(wt.join("new.txt"), "a\nb\nc").unwrap();
    std::fs::write(wt.join("logo.bin"), [0u8, 1, 2]).unwrap();
    let files = changed_files(&wt, "main").await.unwrap();
    let summary: Vec<_> = files
        .iter()
        .map(|f| (f.path.as_str(), f.added, f.removed, f.untracked))
        .collect();
    assert_eq!(
        summary,
        [
            ("README.md", Some(1), Some(0), false),
            ("logo.bin", None, None, true),
            ("new.txt", Some(3), Some(0), true),
        ]
    );
    let patch = file_patch(&wt, "main", &files[0]).await.unwrap();
    assert!(patch.contains("+world"), "{patch}");
    let untracked = file_patch(&wt, "main", &files[2]).await.unwrap();
    assert!(
        untracked.contains("+a") && untracked.contains("+c"),
        "{untracked}"
    );
}

#[test]
fn numstat_and_worktree_lists_parse() {
    let files = parse_numstat("3\t1\tsrc/a b.rs\0-\t-\timg.png\0");
    assert_eq!(files.len(), 2);
    assert_eq!(
        (files[0].path.as_str(), files[0].added),
        ("src/a b.rs", Some(3))
    );
    assert!(files[1].is_binary());
    let entries = parse_list(
        "worktree /repo\nHEAD abc\nbranch refs/heads/main\n\nworktree /data/wt\nHEAD def\ndetached\n",
    );
    assert_eq!(entries.len(), 2);
    assert!(entries[0].is_main && !entries[1].is_main);
    assert_eq!(entries[0].branch.as_deref(), Some("main"));
    assert_eq!(entries[1].branch, None);
}
