//! The scheduler with real processes: dependencies (a DAG) holding tasks in the queue and
//! waking them, the concurrency limit and its order, a restart in the middle of a queue, a
//! bring-your-own-key task waiting for its key, and file conflicts between two worktrees.

mod common;

use common::*;
use model::schedule::QueueState;
use model::schedule::StartOutcome;
use model::{
    AgentKind, ExecutionMode, Priority, RuntimeRequest, RuntimeSelection, Secret, Task, TaskDraft,
    TaskId, TaskStatus, TransientSecrets,
};

impl Bench {
    async fn new_task(&self, title: &str, prompt: &str, priority: Priority) -> Task {
        let draft = TaskDraft {
            title: title.into(),
            prompt: prompt.into(),
            priority,
            ..Default::default()
        };
        self.engine
            .create_task(self.project.id, draft)
            .await
            .unwrap()
    }

    async fn start(&self, task: &Task) -> StartOutcome {
        self.start_as(task, AgentKind::Codex).await
    }

    async fn start_as(&self, task: &Task, agent: AgentKind) -> StartOutcome {
        self.engine
            .execute_task(self.project.id, task.id, local(agent), Default::default())
            .await
            .unwrap()
    }

    /// Kills the session of a running task, once it has started: a session still starting
    /// refuses a kill ("try again in a moment"), and a task is in progress from the moment
    /// its session is made (the full suite's load once showed that window).
    async fn kill(&self, task: &Task) {
        let id = self
            .engine
            .task(self.project.id, task.id)
            .await
            .unwrap()
            .session_id
            .expect("a running task has a session");
        let session = self.engine.session(self.project.id, id).await.unwrap();
        self.session_when(&session, |s| s.status != model::SessionStatus::Pending)
            .await;
        self.engine.kill_session(self.project.id, id).await.unwrap();
    }
}

#[tokio::test]
async fn a_dependency_that_would_close_a_cycle_is_refused_with_the_cycle() {
    let b = bench().await;
    let t = |n| TaskId(n);
    let (a, c, d) = (
        b.new_task("a", "", Priority::Medium).await,
        b.new_task("c", "", Priority::Medium).await,
        b.new_task("d", "", Priority::Medium).await,
    );
    b.engine
        .add_dependency(b.project.id, a.id, c.id)
        .await
        .unwrap();
    b.engine
        .add_dependency(b.project.id, c.id, d.id)
        .await
        .unwrap();
    let err = b
        .engine
        .add_dependency(b.project.id, d.id, a.id)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "That would make a cycle: #{} → #{} → #{} → #{} — a task cannot wait for itself.",
            d.id, a.id, c.id, d.id
        )
    );
    assert!(
        b.engine
            .add_dependency(b.project.id, a.id, a.id)
            .await
            .is_err()
    );
    assert!(
        b.engine
            .add_dependency(b.project.id, a.id, t(9_999))
            .await
            .is_err()
    );
    let deps = b.engine.dependencies(b.project.id).await.unwrap();
    assert_eq!(deps.len(), 2);
}

#[tokio::test]
async fn a_task_waits_for_its_dependency_and_starts_by_itself_when_it_is_done() {
    let b = bench().await;
    let first = b
        .new_task("Schema", "WRITE_FILE schema.sql create", Priority::Medium)
        .await;
    let second = b
        .new_task("API", "WRITE_FILE api.rs fn api", Priority::Medium)
        .await;
    b.engine
        .add_dependency(b.project.id, second.id, first.id)
        .await
        .unwrap();
    match b.start(&second).await {
        StartOutcome::Queued {
            task,
            state: QueueState::WaitingFor { blockers },
        } => {
            assert_eq!(task.status, TaskStatus::InQueue);
            assert_eq!(blockers, vec![first.id]);
        }
        other => panic!("should wait for its dependency: {other:?}"),
    }
    started(b.start(&first).await);
    b.until_status(&first, TaskStatus::Review).await;
    // Review is not done: the dependent still waits.
    assert_eq!(b.status_of(&second).await, TaskStatus::InQueue);
    b.engine
        .move_task(b.project.id, first.id, TaskStatus::Done)
        .await
        .unwrap();
    let reviewed = b.until_status(&second, TaskStatus::Review).await;
    assert!(reviewed.branch.unwrap().contains("-api"));
}

#[tokio::test]
async fn beyond_the_limit_tasks_queue_and_start_by_priority_then_time() {
    let b = bench().await;
    b.engine
        .set_concurrency_limit(b.project.id, 1)
        .await
        .unwrap();
    assert!(
        b.engine
            .set_concurrency_limit(b.project.id, 0)
            .await
            .is_err()
    );
    let running = b.new_task("running", "HANG", Priority::Medium).await;
    let low = b.new_task("low", "HANG", Priority::Low).await;
    let urgent = b.new_task("urgent", "HANG", Priority::Urgent).await;
    started(b.start(&running).await);
    for task in [&low, &urgent] {
        assert!(matches!(
            b.start(task).await,
            StartOutcome::Queued {
                state: QueueState::WaitingForSlot { .. },
                ..
            }
        ));
    }
    let plan = b.engine.queue_plan(b.project.id).await.unwrap();
    let order: Vec<TaskId> = plan.iter().map(|(t, _)| *t).collect();
    assert_eq!(order, vec![urgent.id, low.id], "priority before queue time");
    b.kill(&running).await;
    b.until_status(&urgent, TaskStatus::InProgress).await;
    assert_eq!(b.status_of(&low).await, TaskStatus::InQueue);
    b.kill(&urgent).await;
    b.until_status(&low, TaskStatus::InProgress).await;
    b.kill(&low).await;
    b.until_status(&low, TaskStatus::Fail).await;
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_queue_loses_nothing() {
    let b = bench().await;
    b.engine
        .set_concurrency_limit(b.project.id, 1)
        .await
        .unwrap();
    let running = b.new_task("running", "HANG", Priority::Medium).await;
    let waiting = b
        .new_task("waiting", "WRITE_FILE w.txt w", Priority::Medium)
        .await;
    started(b.start(&running).await);
    assert!(matches!(
        b.start(&waiting).await,
        StartOutcome::Queued { .. }
    ));
    // A new server on the same data directory, as after a crash.
    let data_dir = b.engine.data_dir().to_path_buf();
    let config = b.engine.config().clone();
    let restarted = engine::Engine::open_with(&data_dir, config).await.unwrap();
    assert_eq!(restarted.reconcile().await.unwrap(), 1);
    restarted.reevaluate_all().await.unwrap();
    let find = |status| {
        let restarted = restarted.clone();
        async move {
            let reached = tokio::time::timeout(WAIT, async {
                loop {
                    let t = restarted.task(b.project.id, waiting.id).await.unwrap();
                    if t.status == status {
                        return t;
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
            })
            .await;
            reached.expect("the queued task went on after the restart")
        }
    };
    let done = find(TaskStatus::Review).await;
    assert_eq!(done.status, TaskStatus::Review);
    let interrupted = restarted.task(b.project.id, running.id).await.unwrap();
    assert_eq!(interrupted.status, TaskStatus::Fail);
    assert_eq!(interrupted.fail_reason.as_deref(), Some("server restarted"));
}

#[tokio::test]
async fn a_queued_bring_your_own_key_task_waits_for_its_key() {
    let b = bench().await;
    b.engine
        .set_concurrency_limit(b.project.id, 1)
        .await
        .unwrap();
    let running = b.new_task("running", "HANG", Priority::Medium).await;
    let keyed = b
        .new_task("keyed", "WRITE_FILE k.txt k", Priority::Medium)
        .await;
    started(b.start(&running).await);
    let byok = |key: &str| RuntimeRequest {
        selection: RuntimeSelection {
            mode: ExecutionMode::Byok,
            agent: model::AgentKind::Codex,
            ..RuntimeSelection::default()
        },
        secrets: TransientSecrets {
            api_key: Some(Secret::new(key)),
            cli_env: Vec::new(),
        },
    };
    let queued = b
        .engine
        .execute_task(
            b.project.id,
            keyed.id,
            byok("sk-queued-key-1"),
            Default::default(),
        )
        .await
        .unwrap();
    assert!(matches!(queued, StartOutcome::Queued { .. }));
    b.kill(&running).await;
    b.until_status(&running, TaskStatus::Fail).await;
    // The slot is free, but the key was never kept: the task says it needs it.
    let plan = b.engine.queue_plan(b.project.id).await.unwrap();
    assert_eq!(plan, vec![(keyed.id, QueueState::NeedsKey)]);
    assert_eq!(b.status_of(&keyed).await, TaskStatus::InQueue);
    let key_free = b
        .engine
        .execute_task(b.project.id, keyed.id, byok("  "), Default::default())
        .await;
    assert!(key_free.is_err(), "starting it still needs the key");
    started(
        b.engine
            .execute_task(
                b.project.id,
                keyed.id,
                byok("sk-queued-key-2"),
                Default::default(),
            )
            .await
            .unwrap(),
    );
    b.until_status(&keyed, TaskStatus::Review).await;
}

#[tokio::test]
async fn two_sessions_editing_one_file_are_a_conflict_until_they_end() {
    // Codex reports the files it changed; an ACP agent's edit is known from its tool call (here
    // its permission request) before it runs.
    for agent in [AgentKind::Codex, AgentKind::Acp] {
        two_sessions_editing_one_file_are_a_conflict_until_they_end_with(agent).await;
    }
}

async fn two_sessions_editing_one_file_are_a_conflict_until_they_end_with(agent: AgentKind) {
    let b = bench().await;
    let one = b
        .new_task(
            "one",
            "WRITE_FILE shared.txt from one\nHANG",
            Priority::Medium,
        )
        .await;
    let two = b
        .new_task(
            "two",
            "WRITE_FILE shared.txt from two\nHANG",
            Priority::Medium,
        )
        .await;
    let alone = b
        .new_task("alone", "WRITE_FILE alone.txt mine\nHANG", Priority::Medium)
        .await;
    let sessions = [
        started(b.start_as(&one, agent).await),
        started(b.start_as(&two, agent).await),
        started(b.start_as(&alone, agent).await),
    ];
    for s in &sessions {
        b.wait_until(s, |e| {
            e.iter()
                .any(|x| !engine::agents::edited_paths(&x.event).is_empty())
        })
        .await;
    }
    let locks = b.engine.file_locks(b.project.id).await.unwrap();
    let shared = locks.iter().find(|l| l.path == "shared.txt").unwrap();
    assert!(shared.is_conflict());
    let mut holders: Vec<_> = shared.holders.iter().map(|(_, t)| t.unwrap()).collect();
    holders.sort();
    assert_eq!(holders, vec![one.id, two.id]);
    let mine = locks.iter().find(|l| l.path == "alone.txt").unwrap();
    assert!(!mine.is_conflict());
    for task in [&one, &two, &alone] {
        b.kill(task).await;
        b.until_status(task, TaskStatus::Fail).await;
    }
    assert!(b.engine.file_locks(b.project.id).await.unwrap().is_empty());
}
