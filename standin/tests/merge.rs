//! A reviewed task merged locally through the engine, on real git repositories with the
//! stand-in agent: fast-forward, merge commit and squash; conflicts and a dirty work tree
//! refused before anything is written; rebase onto the base; the review's final answer.

mod common;

use common::*;
use model::{AgentKind, MergeRequest, MergeStrategy, Task, TaskStatus};
use std::path::Path;

impl Bench {
    async fn merge(&self, task: &Task, strategy: MergeStrategy) -> Result<String, String> {
        let request = MergeRequest {
            strategy,
            target: None,
            message: None,
        };
        self.engine
            .merge_task(self.project.id, task.id, request)
            .await
            .map(|outcome| outcome.commit)
            .map_err(|e| e.to_string())
    }
}

fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn commit_on_main(b: &Bench, file: &str, text: &str) {
    std::fs::write(b.main_tree().join(file), text).unwrap();
    testkit::git(&b.main_tree(), &["add", file]);
    testkit::git(&b.main_tree(), &["commit", "-q", "-m", "meanwhile on main"]);
}

#[tokio::test]
async fn a_reviewed_task_merges_every_way_and_is_then_done() {
    for strategy in MergeStrategy::ALL {
        let b = bench().await;
        let task = b
            .reviewed(
                "Add a greeting",
                "WRITE_FILE hello.txt hello world\nREPLY Added hello.txt.",
            )
            .await;
        let review = b
            .engine
            .task_review(b.project.id, task.id, 0)
            .await
            .unwrap();
        assert_eq!(review.final_answer.as_deref(), Some("Added hello.txt."));
        let preview = b
            .engine
            .merge_preview(b.project.id, task.id, None)
            .await
            .unwrap();
        assert_eq!((preview.target.as_str(), preview.behind), ("main", 0));
        assert!(
            preview.uncommitted,
            "the stand-in leaves its file uncommitted"
        );
        assert_eq!(preview.branches, ["main"]);
        assert_eq!(
            preview.default_message,
            "Add a greeting\n\nAdded hello.txt."
        );
        assert_eq!(
            preview.ahead, 1,
            "the uncommitted work counts as one commit"
        );

        let commit = b.merge(&task, strategy).await.unwrap();
        assert_eq!(
            git_out(&b.main_tree(), &["rev-parse", "main"]),
            commit,
            "{strategy:?}"
        );
        assert_eq!(
            std::fs::read_to_string(b.main_tree().join("hello.txt"))
                .unwrap()
                .trim_end(),
            "hello world",
            "{strategy:?}: the checked-out main has the file"
        );
        assert_eq!(git_out(&b.main_tree(), &["status", "--porcelain"]), "");
        let done = b.engine.task(b.project.id, task.id).await.unwrap();
        assert_eq!(done.status, TaskStatus::Done, "{strategy:?}");
        // A fast-forward brings the worktree's commit, the others their own: all the title.
        let subject = git_out(&b.main_tree(), &["log", "-1", "--format=%s", "main"]);
        assert_eq!(subject, "Add a greeting", "{strategy:?}");
        // Done: merging again is refused, and the worktree can go.
        assert!(
            b.merge(&done, strategy)
                .await
                .unwrap_err()
                .contains("Only a task in review")
        );
        let worktree = done.worktree_path.clone().unwrap();
        b.engine
            .remove_worktree(b.project.id, worktree.clone())
            .await
            .unwrap();
        assert!(!Path::new(&worktree).exists());
    }
}

#[tokio::test]
async fn a_conflict_is_refused_with_its_files_and_nothing_is_written() {
    let b = bench().await;
    let task = b
        .reviewed("Edit the readme", "WRITE_FILE README.md theirs")
        .await;
    commit_on_main(&b, "README.md", "ours\n");
    let main_before = git_out(&b.main_tree(), &["rev-parse", "main"]);
    // Told before anything is committed: the uncommitted work is compared as it is.
    let preview = b
        .engine
        .merge_preview(b.project.id, task.id, None)
        .await
        .unwrap();
    assert_eq!(preview.conflicts, ["README.md"]);
    assert!(preview.uncommitted);
    for strategy in [MergeStrategy::MergeCommit, MergeStrategy::Squash] {
        let err = b.merge(&task, strategy).await.unwrap_err();
        assert!(err.contains("conflicts with main in README.md"), "{err}");
    }
    let preview = b
        .engine
        .merge_preview(b.project.id, task.id, None)
        .await
        .unwrap();
    assert_eq!(preview.conflicts, ["README.md"]);
    assert_eq!(git_out(&b.main_tree(), &["rev-parse", "main"]), main_before);
    assert_eq!(git_out(&b.main_tree(), &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(b.main_tree().join("README.md")).unwrap(),
        "ours\n"
    );
    let still = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(still.status, TaskStatus::Review);
    // A rebase stops at the same conflict and leaves the branch as it was.
    let branch_before = git_out(
        &b.main_tree(),
        &["rev-parse", still.branch.as_deref().unwrap()],
    );
    let err = b
        .engine
        .rebase_task(b.project.id, task.id)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("conflicts in README.md"), "{err}");
    assert_eq!(
        git_out(
            &b.main_tree(),
            &["rev-parse", still.branch.as_deref().unwrap()]
        ),
        branch_before
    );
}

#[tokio::test]
async fn a_dirty_main_work_tree_is_refused_and_left_as_it_was() {
    let b = bench().await;
    let task = b.reviewed("Add a file", "WRITE_FILE new.txt new").await;
    std::fs::write(
        b.main_tree().join("README.md"),
        "my own edit, not committed\n",
    )
    .unwrap();
    let preview = b
        .engine
        .merge_preview(b.project.id, task.id, None)
        .await
        .unwrap();
    let why = preview.target_blocked.clone().unwrap();
    assert!(why.contains("uncommitted changes (README.md)"), "{why}");
    let err = b.merge(&task, MergeStrategy::Squash).await.unwrap_err();
    assert_eq!(err, why);
    assert_eq!(
        std::fs::read_to_string(b.main_tree().join("README.md")).unwrap(),
        "my own edit, not committed\n"
    );
    assert!(!b.main_tree().join("new.txt").exists());
}

#[tokio::test]
async fn a_branch_behind_rebases_onto_its_base_then_fast_forwards() {
    let b = bench().await;
    let task = b.reviewed("Add a file", "WRITE_FILE new.txt new").await;
    commit_on_main(&b, "other.txt", "other\n");
    let err = b
        .merge(&task, MergeStrategy::FastForward)
        .await
        .unwrap_err();
    assert!(err.contains("1 commit behind main"), "{err}");
    b.engine.rebase_task(b.project.id, task.id).await.unwrap();
    let preview = b
        .engine
        .merge_preview(b.project.id, task.id, None)
        .await
        .unwrap();
    assert_eq!((preview.ahead, preview.behind), (1, 0));
    b.merge(&task, MergeStrategy::FastForward).await.unwrap();
    for file in ["new.txt", "other.txt"] {
        assert!(b.main_tree().join(file).is_file(), "{file}");
    }
}

#[tokio::test]
async fn another_local_branch_can_be_the_target_and_an_unknown_one_is_refused() {
    let b = bench().await;
    testkit::git(&b.main_tree(), &["branch", "release"]);
    let task = b.reviewed("Add a file", "WRITE_FILE new.txt new").await;
    let request = |target: &str| MergeRequest {
        strategy: MergeStrategy::Squash,
        target: Some(target.into()),
        message: Some("Release the file".into()),
    };
    let err = b
        .engine
        .merge_task(b.project.id, task.id, request("nope"))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("no local branch nope"), "{err}");
    let outcome = b
        .engine
        .merge_task(b.project.id, task.id, request("release"))
        .await
        .unwrap();
    assert_eq!(outcome.target, "release");
    assert_eq!(
        git_out(&b.main_tree(), &["log", "-1", "--format=%s", "release"]),
        "Release the file"
    );
    assert!(
        !b.main_tree().join("new.txt").exists(),
        "main's work tree untouched"
    );
}

#[tokio::test]
async fn the_agent_resolves_a_conflict_left_open_in_its_worktree_then_it_merges() {
    let b = bench().await;
    let task = b
        .reviewed("Edit the readme", "WRITE_FILE README.md theirs")
        .await;
    commit_on_main(&b, "README.md", "ours\n");
    let outcome = b
        .engine
        .resolve_conflicts_with_agent(
            b.project.id,
            task.id,
            Some("WRITE_FILE README.md both sides".into()),
            local(AgentKind::Codex),
            None,
        )
        .await
        .unwrap();
    let session = started(outcome);
    let prompt = first_prompt(&b.until_ended(&session).await);
    assert!(
        prompt.contains("Merging main into this branch stopped at conflicts in: README.md"),
        "{prompt}"
    );
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Review);
    let preview = b
        .engine
        .merge_preview(b.project.id, task.id, None)
        .await
        .unwrap();
    assert_eq!(
        (preview.conflicts.len(), preview.behind),
        (0, 0),
        "{preview:?}"
    );
    b.merge(&task, MergeStrategy::FastForward).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(b.main_tree().join("README.md"))
            .unwrap()
            .trim_end(),
        "both sides"
    );

    // With nothing in conflict there is nothing to hand over, and nothing changes.
    let other = b.reviewed("Add a file", "WRITE_FILE new.txt new").await;
    let err = b
        .engine
        .resolve_conflicts_with_agent(b.project.id, other.id, None, local(AgentKind::Codex), None)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("without conflicts"), "{err}");
}
