//! What a review does besides merging, through the engine on real git repositories with the
//! stand-in. Worktrees never lose work: removing a worktree, deleting a task and pruning its
//! worktree each keep a snapshot first (one per state), and a snapshot restores as the task's
//! own worktree or beside it. Line comments are kept, then sent as a new attempt's feedback.
//! A new worktree gets the project's files to copy and set-up command before the agent.

mod common;

use common::*;
use model::comment::{CommentDraft, LineSide};
use model::setup::WorktreeSetup;
use model::snapshot::Snapshot;
use model::{AgentKind, StreamEvent, TaskStatus, task::task_of_branch};
use std::path::Path;

impl Bench {
    async fn snapshots(&self) -> Vec<Snapshot> {
        self.engine.snapshots(self.project.id).await.unwrap()
    }
}

fn untracked(dir: &Path) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["status", "--porcelain", "--untracked-files=all"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn a_removed_worktree_is_kept_and_restored_as_the_tasks_own() {
    let b = bench().await;
    let task = b
        .reviewed("Add a greeting", "WRITE_FILE hello.txt hello world")
        .await;
    let dir = task.worktree_path.clone().unwrap();
    b.engine
        .move_task(b.project.id, task.id, TaskStatus::Done)
        .await
        .unwrap();
    assert!(b.snapshots().await.is_empty());
    b.engine
        .remove_worktree(b.project.id, dir.clone())
        .await
        .unwrap();
    assert!(!Path::new(&dir).exists());

    let snapshots = b.snapshots().await;
    assert_eq!(snapshots.len(), 1);
    let snapshot = &snapshots[0];
    assert_eq!(snapshot.task, task.id);
    assert_eq!(snapshot.task_title.as_deref(), Some("Add a greeting"));
    assert_eq!(snapshot.branch, task.branch);
    assert!(
        snapshot.summary.contains("before its worktree was removed"),
        "{}",
        snapshot.summary
    );

    let restored = b
        .engine
        .restore_snapshot(b.project.id, snapshot.refname.clone())
        .await
        .unwrap();
    assert_eq!(restored.task, Some(task.id));
    assert_eq!(restored.path, dir);
    assert_eq!(Some(restored.branch), task.branch);
    assert_eq!(
        std::fs::read_to_string(Path::new(&dir).join("hello.txt")).unwrap(),
        "hello world\n"
    );
    assert_eq!(
        untracked(Path::new(&dir)),
        "?? hello.txt",
        "uncommitted again"
    );
    let review = b
        .engine
        .task_review(b.project.id, task.id, 0)
        .await
        .unwrap();
    assert_eq!(
        review.diff.unwrap().total_files,
        1,
        "the review reads it again"
    );
}

#[tokio::test]
async fn a_deleted_task_is_kept_once_and_restored_beside_its_place() {
    let b = bench().await;
    let task = b.reviewed("Add a file", "WRITE_FILE new.txt new").await;
    let dir = task.worktree_path.clone().unwrap();
    b.engine.delete_task(b.project.id, task.id).await.unwrap();
    assert!(
        Path::new(&dir).exists(),
        "deleting a task leaves its worktree"
    );
    assert_eq!(b.snapshots().await.len(), 1);
    assert_eq!(b.engine.prune_worktrees(b.project.id).await.unwrap(), 1);
    assert!(!Path::new(&dir).exists());
    let snapshots = b.snapshots().await;
    assert_eq!(
        snapshots.len(),
        1,
        "the pruned worktree held the same state"
    );
    assert_eq!(snapshots[0].task_title, None, "its task is gone");

    let restored = b
        .engine
        .restore_snapshot(b.project.id, snapshots[0].refname.clone())
        .await
        .unwrap();
    assert_eq!(restored.task, None);
    assert_ne!(restored.path, dir);
    assert!(
        restored.branch.contains("-restored-"),
        "{}",
        restored.branch
    );
    assert_eq!(task_of_branch(&restored.branch), Some(task.id));
    assert_eq!(
        std::fs::read_to_string(Path::new(&restored.path).join("new.txt")).unwrap(),
        "new\n"
    );
    let listed = b.engine.worktrees(b.project.id).await.unwrap();
    let row = listed.iter().find(|w| w.path == restored.path).unwrap();
    assert!(
        row.orphaned,
        "its task is gone: a prune may take it (after a snapshot)"
    );

    b.engine
        .delete_snapshot(b.project.id, snapshots[0].refname.clone())
        .await
        .unwrap();
    assert!(b.snapshots().await.is_empty());
}

#[tokio::test]
async fn a_worktree_with_nothing_new_leaves_no_snapshot() {
    let b = bench().await;
    let (task, session) = b.run_task("REPLY Nothing to change.").await;
    b.until_ended(&session).await;
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Fail, "finished without changes");
    b.engine
        .remove_worktree(b.project.id, task.worktree_path.clone().unwrap())
        .await
        .unwrap();
    assert!(b.snapshots().await.is_empty());
}

#[tokio::test]
async fn only_listed_snapshots_are_restored_or_deleted() {
    let b = bench().await;
    for made_up in [
        "refs/heads/main",
        "refs/devlog/snapshots/1/20261127T055800.600Z",
    ] {
        let err = b
            .engine
            .delete_snapshot(b.project.id, made_up.into())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
        let err = b
            .engine
            .restore_snapshot(b.project.id, made_up.into())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }
}

fn comment(path: &str, start: u32, end: u32, body: &str) -> CommentDraft {
    CommentDraft {
        path: path.into(),
        side: LineSide::New,
        start,
        end,
        body: body.into(),
    }
}

#[tokio::test]
async fn line_comments_are_kept_then_sent_with_their_file_and_lines() {
    let b = bench().await;
    let task = b
        .reviewed("Add a greeting", "WRITE_FILE hello.txt hello world")
        .await;
    let (project, id) = (b.project.id, task.id);
    let kept = b
        .engine
        .add_review_comment(project, id, comment("hello.txt", 1, 1, " Say hi instead. "))
        .await
        .unwrap();
    assert_eq!(kept.body, "Say hi instead.");
    assert_eq!(kept.excerpt.as_deref(), Some("hello world"));
    let err = b
        .engine
        .add_review_comment(project, id, comment("made-up.txt", 1, 1, "x"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
    let err = b
        .engine
        .add_review_comment(project, id, comment("hello.txt", 2, 1, "x"))
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("Lines:"), "{err}");
    let doomed = b
        .engine
        .add_review_comment(project, id, comment("hello.txt", 1, 1, "Never mind."))
        .await
        .unwrap();
    b.engine
        .delete_review_comment(project, id, doomed.id)
        .await
        .unwrap();
    assert_eq!(b.engine.review_comments(project, id).await.unwrap(), [kept]);

    let outcome = b
        .engine
        .send_review_comments(
            project,
            id,
            Some("WRITE_FILE hello.txt hi".into()),
            local(AgentKind::Codex),
            Default::default(),
        )
        .await
        .unwrap();
    let prompt = first_prompt(&b.until_ended(&started(outcome)).await);
    assert!(
        prompt.contains("- hello.txt:1: Say hi instead."),
        "{prompt}"
    );
    assert!(prompt.contains("    > hello world"), "{prompt}");
    assert!(
        b.engine
            .review_comments(project, id)
            .await
            .unwrap()
            .is_empty(),
        "sent"
    );
    let err = b
        .engine
        .send_review_comments(
            project,
            id,
            None,
            local(AgentKind::Codex),
            Default::default(),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no comments to send"), "{err}");
}

#[tokio::test]
async fn a_new_worktree_gets_its_files_and_set_up_command_before_the_agent() {
    let b = bench().await;
    let main = b.main_tree();
    std::fs::write(main.join(".gitignore"), ".env\n").unwrap();
    testkit::git(&main, &["add", ".gitignore"]);
    testkit::git(&main, &["commit", "-q", "-m", "ignore .env"]);
    std::fs::write(main.join(".env"), "SECRET_SAUCE=1\n").unwrap();
    // A symlink is never copied: it could point anywhere.
    std::os::unix::fs::symlink("/etc/hostname", main.join(".env.link")).unwrap();
    let setup = WorktreeSetup {
        copy: vec![".env*".into(), "missing/**".into()],
        command: Some("cp .env seen-by-setup.txt && echo set up".into()),
    };
    b.engine
        .save_worktree_setup(b.project.id, setup.clone())
        .await
        .unwrap();
    assert_eq!(b.engine.worktree_setup(b.project.id).await.unwrap(), setup);

    // Codex asks nothing: the attempt runs through.
    let task = b.reviewed("Set up", "WRITE_FILE done.txt done").await;
    let session = b
        .engine
        .list_sessions(b.project.id)
        .await
        .unwrap()
        .remove(0);
    let events = b.until_ended(&session).await;
    let dir = Path::new(task.worktree_path.as_deref().unwrap());
    assert_eq!(
        std::fs::read_to_string(dir.join(".env")).unwrap(),
        "SECRET_SAUCE=1\n"
    );
    assert!(
        dir.join("seen-by-setup.txt").exists(),
        "the command ran in the worktree"
    );
    assert!(std::fs::symlink_metadata(dir.join(".env.link")).is_err());
    let step = events
        .iter()
        .position(
            |e| matches!(&e.event, StreamEvent::ToolCall { name, .. } if name == "Worktree set-up"),
        )
        .expect("the set-up is a step of the session");
    let first_message = events
        .iter()
        .position(|e| matches!(e.event, StreamEvent::UserMessage { .. }))
        .unwrap();
    assert!(step < first_message, "set up before the agent starts");
    let output = events
        .iter()
        .find_map(|e| match &e.event {
            StreamEvent::ToolResult {
                output,
                is_error: false,
                ..
            } => Some(output.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        output.contains("Copied from the main work tree: .env"),
        "{output}"
    );
    assert!(output.contains("set up"), "{output}");
}

#[tokio::test]
async fn a_failing_set_up_command_fails_the_attempt_with_its_output() {
    let b = bench().await;
    let setup = WorktreeSetup {
        copy: vec![],
        command: Some("echo 'npm ERR! missing lockfile' >&2; exit 3".into()),
    };
    b.engine
        .save_worktree_setup(b.project.id, setup)
        .await
        .unwrap();
    let (task, session) = b.run_task("WRITE_FILE done.txt done").await;
    let events = b.until_ended(&session).await;
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Fail);
    let reason = task.fail_reason.unwrap();
    assert!(reason.contains("exited with code 3"), "{reason}");
    assert!(reason.contains("npm ERR! missing lockfile"), "{reason}");
    assert_eq!(
        count(&events, |e| matches!(e, StreamEvent::UserMessage { .. })),
        0,
        "the agent never started"
    );
    let dir = Path::new(task.worktree_path.as_deref().unwrap());
    assert!(!dir.join("done.txt").exists());

    // Its worktree stays; the next attempt there is set up again, not run unprepared.
    let fixed = WorktreeSetup {
        copy: vec![],
        command: Some("echo fixed > fixed.txt".into()),
    };
    b.engine
        .save_worktree_setup(b.project.id, fixed)
        .await
        .unwrap();
    let outcome = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "Again.".into(),
            local(AgentKind::Codex),
            Default::default(),
        )
        .await
        .unwrap();
    b.until_ended(&started(outcome)).await;
    assert!(dir.join("fixed.txt").exists(), "set up again");
    assert!(dir.join("done.txt").exists(), "then the agent ran");
}

#[tokio::test]
async fn a_worktree_folder_removed_by_hand_is_removed_without_a_snapshot() {
    let b = bench().await;
    let task = b.reviewed("Gone", "WRITE_FILE gone.txt gone").await;
    b.engine
        .move_task(b.project.id, task.id, TaskStatus::Done)
        .await
        .unwrap();
    let dir = task.worktree_path.clone().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    b.engine.remove_worktree(b.project.id, dir).await.unwrap();
    assert!(b.snapshots().await.is_empty(), "nothing was left to keep");
}

#[tokio::test]
async fn a_set_up_that_leaves_the_repository_is_refused() {
    let b = bench().await;
    let setup = WorktreeSetup {
        copy: vec!["../outside".into()],
        command: None,
    };
    let err = b
        .engine
        .save_worktree_setup(b.project.id, setup)
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("Files to copy:"), "{err}");
    assert!(
        b.engine
            .worktree_setup(b.project.id)
            .await
            .unwrap()
            .is_empty()
    );
}
