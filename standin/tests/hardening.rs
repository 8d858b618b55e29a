//! Issue 10's engine items, through the engine and real child processes: a restart signals
//! only processes proven ours, removing a project stops its sessions and leaves the next one
//! whole, ids are never reused, a worktree removed by hand is made again, one failure is one
//! error event, and every final status reaches the stream.

mod common;

use common::*;
use engine::{Engine, EngineConfig};
use model::{AgentKind, SessionStatus, StreamEvent, TaskDraft, TaskStatus};
use std::os::unix::process::CommandExt;
use std::time::Duration;

/// Alive and not a zombie.
fn running(pid: i32) -> bool {
    engine::sessions::ownership::stat(pid).is_some_and(|s| !s.zombie)
}

async fn until_gone(pid: i32) {
    tokio::time::timeout(WAIT, async {
        while running(pid) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{pid} is still running"));
}

/// A process of the user's in a group of its own, as one that got a pid DevLog recorded.
struct Stranger(std::process::Child);

impl Stranger {
    fn start() -> Stranger {
        let child = std::process::Command::new("sleep")
            .arg("600")
            .process_group(0)
            .spawn()
            .unwrap();
        Stranger(child)
    }

    fn pid(&self) -> i32 {
        self.0.id() as i32
    }
}

impl Drop for Stranger {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn is_status(event: &StreamEvent, status: model::SessionStatus) -> bool {
    matches!(event, StreamEvent::StatusChanged { status: s } if *s == status)
}

#[tokio::test]
async fn a_restart_stops_only_processes_proven_ours_and_tells_the_stream() {
    let b = bench().await;
    let (task, s) = b.run_task("HANG").await;
    b.wait_until(&s, |e| !agent_ids(e).is_empty()).await;
    let orphan = b.pgid(&s).await;
    // An idle session whose recorded process group is now a stranger's (the pid was reused
    // after its agent exited), with a mark the stranger does not carry.
    let stranger = Stranger::start();
    let other = b
        .begin(start(AgentKind::Codex, "REPLY done"))
        .await
        .unwrap();
    b.wait_until(&other, |e| turns_ended(e) == 1).await;
    let (id, pid) = (other.id.0, stranger.pid());
    b.engine
        .db()
        .write(move |c| -> Result<(), engine::EngineError> {
            c.execute(
                "UPDATE sessions SET status = 'idle', pid = ?2, pgid = ?2,
                        process_mark = '1-not-the-strangers-mark' WHERE id = ?1",
                [id, i64::from(pid)],
            )?;
            Ok(())
        })
        .await
        .unwrap();

    let data_dir = b.engine.db().path().parent().unwrap().to_path_buf();
    let config = EngineConfig {
        kill_grace: Duration::from_millis(200),
        ..EngineConfig::default()
    };
    let restarted = Engine::open_with(&data_dir, config).await.unwrap();
    assert_eq!(restarted.reconcile().await.unwrap(), 1);
    until_gone(orphan).await;
    assert!(
        running(stranger.pid()),
        "a stranger's process was signalled"
    );

    let session = restarted.session(b.project.id, s.id).await.unwrap();
    assert_eq!(session.status, SessionStatus::Failed);
    let task = restarted.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Fail);
    // The stream says the session ended, once.
    let events = restarted
        .session_events(b.project.id, s.id, 0, 10_000)
        .await
        .unwrap();
    assert_eq!(
        count(&events, |e| is_status(e, model::SessionStatus::Failed)),
        1
    );
    assert_eq!(
        count(
            &events,
            |e| matches!(e, StreamEvent::Error { message, retrying: false }
            if message.contains("server restarted"))
        ),
        1
    );
}

#[tokio::test]
async fn removing_a_project_stops_its_sessions_and_leaves_the_others_whole() {
    let b = bench().await;
    let repo = testkit::repo();
    let other = b
        .engine
        .register_project(model::ProjectDraft {
            path: repo.path().display().to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    let doomed = b
        .begin(start(AgentKind::ClaudeCode, "FLOOD 500\nHANG"))
        .await
        .unwrap();
    b.wait_until(&doomed, |e| !agent_ids(e).is_empty()).await;
    let doomed_group = b.pgid(&doomed).await;
    // The other project's session floods while the first project goes.
    let (st, runtime) = start(AgentKind::Codex, "FLOOD 3000");
    let kept = b.engine.start_session(other.id, st, runtime).await.unwrap();
    b.engine.remove_project(b.project.id).await.unwrap();
    until_gone(doomed_group).await;
    assert!(b.engine.project(b.project.id).await.is_err());

    let live = tokio::time::timeout(WAIT, async {
        loop {
            let session = b.engine.session(other.id, kept.id).await.unwrap();
            if session.status == SessionStatus::Idle {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    live.await.expect("the other project's session went on");
    b.engine.events().flush().await;
    let events = b
        .engine
        .session_events(other.id, kept.id, 0, 100_000)
        .await
        .unwrap();
    let flood = texts(&events)
        .iter()
        .filter(|t| t.starts_with("flood"))
        .count();
    assert_eq!(flood, 3000, "the other project's events were kept");
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
}

#[tokio::test]
async fn ids_of_a_removed_project_are_never_given_again() {
    let b = bench().await;
    let task = b.task("first").await;
    let s = b.begin(start(AgentKind::Codex, "REPLY hi")).await.unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    b.engine.remove_project(b.project.id).await.unwrap();
    let again = b
        .engine
        .register_project(model::ProjectDraft {
            path: b.repo.path().display().to_string(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(again.id.0 > b.project.id.0);
    let draft = TaskDraft {
        title: "second".into(),
        ..Default::default()
    };
    let next_task = b.engine.create_task(again.id, draft).await.unwrap();
    assert!(next_task.id.0 > task.id.0);
    let (st, runtime) = start(AgentKind::Codex, "REPLY again");
    let next = b.engine.start_session(again.id, st, runtime).await.unwrap();
    assert!(next.id.0 > s.id.0);
    // Its stream starts at 1: nothing of the old session's carries over.
    let events = tokio::time::timeout(WAIT, async {
        loop {
            b.engine.events().flush().await;
            let events = b
                .engine
                .session_events(again.id, next.id, 0, 100)
                .await
                .unwrap();
            if turns_ended(&events) == 1 {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(events[0].seq, 1);
}

#[tokio::test]
async fn a_worktree_removed_by_hand_is_made_again_on_retry() {
    let b = bench().await;
    let draft = TaskDraft {
        title: "write".into(),
        prompt: "WRITE_FILE a.txt hello".into(),
        ..Default::default()
    };
    let task = b.engine.create_task(b.project.id, draft).await.unwrap();
    let codex = local(AgentKind::Codex);
    let s = started(
        b.engine
            .execute_task(b.project.id, task.id, codex.clone(), Default::default())
            .await
            .unwrap(),
    );
    b.wait_until(&s, |e| e.iter().any(|x| x.event.is_final_status()))
        .await;
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Review);
    let worktree = task.worktree_path.clone().unwrap();
    std::fs::remove_dir_all(&worktree).unwrap();

    let retry = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "WRITE_FILE b.txt again".into(),
            codex,
            Default::default(),
        )
        .await
        .map(started)
        .unwrap();
    b.wait_until(&retry, |e| e.iter().any(|x| x.event.is_final_status()))
        .await;
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(
        (task.status, task.fail_reason.as_deref()),
        (TaskStatus::Review, None)
    );
    assert!(std::path::Path::new(&worktree).join("b.txt").is_file());
}

#[tokio::test]
async fn a_session_whose_folder_is_gone_says_so() {
    let b = bench().await;
    let s = b.begin(start(AgentKind::Codex, "REPLY hi")).await.unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    let moved = b.repo.path().with_extension("moved");
    std::fs::rename(b.repo.path(), &moved).unwrap();
    b.send(s.id, "REPLY again".into()).await.unwrap();
    let events = b
        .wait_until(&s, |e| e.iter().any(|x| x.event.is_final_status()))
        .await;
    std::fs::rename(&moved, b.repo.path()).unwrap();
    let session = b.engine.session(b.project.id, s.id).await.unwrap();
    let reason = session.fail_reason.unwrap_or_default();
    assert!(reason.contains("no longer exists"), "{reason}");
    assert!(!reason.contains("not installed"), "{reason}");
    assert_eq!(count(&events, StreamEvent::is_failure), 1, "{events:#?}");
}

#[tokio::test]
async fn a_failed_turn_is_one_error_event() {
    let b = bench().await;
    let draft = TaskDraft {
        title: "auth".into(),
        prompt: "FAIL_AUTH".into(),
        ..Default::default()
    };
    let task = b.engine.create_task(b.project.id, draft).await.unwrap();
    let s = started(
        b.engine
            .execute_task(
                b.project.id,
                task.id,
                local(AgentKind::Codex),
                Default::default(),
            )
            .await
            .unwrap(),
    );
    let events = b
        .wait_until(&s, |e| e.iter().any(|x| x.event.is_final_status()))
        .await;
    let said = |e: &StreamEvent| match e {
        StreamEvent::Error { message, .. } => message.contains("401"),
        StreamEvent::TurnEnded {
            result: Some(result),
            ..
        } => result.contains("401"),
        _ => false,
    };
    assert_eq!(count(&events, said), 1, "{events:#?}");
    let task = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!(task.status, TaskStatus::Fail);
    assert!(task.fail_reason.unwrap().contains("401"));
}

#[tokio::test]
async fn a_turn_that_times_out_is_one_error_event() {
    let b = bench_with(|c| c.turn_timeout = Duration::from_millis(300)).await;
    let s = b.begin(start(AgentKind::ClaudeCode, "HANG")).await.unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 1).await;
    assert_eq!(count(&events, StreamEvent::is_failure), 1, "{events:#?}");
    assert!(events.iter().any(|e| matches!(&e.event,
        StreamEvent::TurnEnded { result: Some(r), .. } if r.contains("longer than"))));
}

#[tokio::test]
async fn a_symlinked_worktrees_folder_names_the_paths_git_records() {
    let b = bench().await;
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), b.engine.data_dir().join("worktrees")).unwrap();
    let draft = TaskDraft {
        title: "linked".into(),
        prompt: "WRITE_FILE a.txt hello".into(),
        ..Default::default()
    };
    let task = b.engine.create_task(b.project.id, draft).await.unwrap();
    let codex = local(AgentKind::Codex);
    let s = started(
        b.engine
            .execute_task(b.project.id, task.id, codex.clone(), Default::default())
            .await
            .unwrap(),
    );
    b.wait_until(&s, |e| e.iter().any(|x| x.event.is_final_status()))
        .await;
    // Listed with its task, under the folder git knows.
    let listed = b.engine.worktrees(b.project.id).await.unwrap();
    let ours = listed.iter().find(|w| !w.is_main).unwrap();
    assert_eq!(ours.task.as_ref().map(|t| t.0), Some(task.id), "{listed:?}");
    assert!(!ours.orphaned);
    let real = elsewhere.path().canonicalize().unwrap();
    assert!(
        ours.path.starts_with(&real.display().to_string()),
        "{}",
        ours.path
    );
    // A retry reuses it: the task goes back to review, not to fail.
    let retry = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "WRITE_FILE b.txt more".into(),
            codex,
            Default::default(),
        )
        .await
        .map(started)
        .unwrap();
    b.wait_until(&retry, |e| e.iter().any(|x| x.event.is_final_status()))
        .await;
    let row = b.engine.task(b.project.id, task.id).await.unwrap();
    assert_eq!((row.status, row.fail_reason), (TaskStatus::Review, None));
    // And DevLog may remove it once the task is done.
    b.engine
        .move_task(b.project.id, task.id, TaskStatus::Done)
        .await
        .unwrap();
    b.engine
        .remove_worktree(b.project.id, ours.path.clone())
        .await
        .unwrap();
}
