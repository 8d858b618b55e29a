//! Rate limits are waited out, not failed: a scripted rate-limit answer of each protocol sends
//! the task back to the queue, held until the reset (or a back-off), holding the other queued
//! tasks of that agent and no other; once the engine's clock passes the reset — moved by the
//! test, nothing really waits — the queue resumes the task by itself, continuing the agent's
//! conversation where the CLI resumes.

mod common;

use common::*;
use engine::execution::StartOptions;
use engine::rate_limits::CONTINUE_PROMPT;
use model::schedule::{QueueState, StartOutcome};
use model::{AgentKind, PermissionPolicy, Session, Task, TaskStatus};
use std::path::Path;
use std::time::Duration;

/// Writes a file (the work the limit must not lose), then is rate-limited once.
fn limited_prompt(marker: &Path, seconds: i64) -> String {
    format!(
        "WRITE_FILE notes.txt written before the limit\nRATE_LIMIT_ONCE {} {seconds}",
        marker.display()
    )
}

impl Bench {
    async fn execute(
        &self,
        task: &Task,
        agent: AgentKind,
        policy: PermissionPolicy,
    ) -> StartOutcome {
        self.engine
            .execute_task(
                self.project.id,
                task.id,
                local(agent),
                StartOptions::permission(policy),
            )
            .await
            .unwrap()
    }

    async fn queue_state(&self, task: &Task) -> QueueState {
        let plan = self.engine.queue_plan(self.project.id).await.unwrap();
        plan.into_iter()
            .find(|(id, _)| *id == task.id)
            .map(|(_, state)| state)
            .unwrap_or_else(|| panic!("task {} is not queued", task.id))
    }

    /// The task's sessions, oldest first.
    async fn attempts(&self, task: &Task) -> Vec<Session> {
        let mut sessions: Vec<Session> = self
            .engine
            .list_sessions(self.project.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|s| s.task_id == Some(task.id))
            .collect();
        sessions.sort_by_key(|s| s.id);
        sessions
    }

    /// The rate-limited first attempt of `task`: ended, and the task back in the queue.
    async fn limited(&self, task: &Task, first: &Session) -> QueueState {
        self.until_ended(first).await;
        let queued = self.until_status(task, TaskStatus::InQueue).await;
        assert_eq!(queued.fail_reason, None);
        let worktree = queued.worktree_path.expect("the worktree is kept");
        let kept = std::fs::read_to_string(Path::new(&worktree).join("notes.txt")).unwrap();
        assert_eq!(kept.trim(), "written before the limit");
        self.queue_state(task).await
    }
}

#[tokio::test]
async fn claude_codes_usage_limit_waits_for_its_reset_and_resumes_the_conversation() {
    let b = bench().await;
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("limited");
    let task = b.task_with("limited", &limited_prompt(&marker, 3600)).await;
    let before = b.engine.clock().now_ms();
    let first = started(
        b.execute(&task, AgentKind::ClaudeCode, PermissionPolicy::AcceptEdits)
            .await,
    );
    let state = b.limited(&task, &first).await;
    let QueueState::WaitingForRateLimit {
        agent,
        until,
        reset_known: true,
    } = &state
    else {
        panic!("expected a hold until the reset, got {state:?}");
    };
    assert_eq!(agent, "Claude Code");
    // The stand-in's reset is in whole seconds, an hour after its turn.
    assert!((before + 3_598_000..=b.engine.clock().now_ms() + 3_600_000).contains(until));
    assert!(
        state
            .describe(|_| String::new())
            .starts_with("Waiting for the rate limit of Claude Code to reset at "),
        "{state:?}"
    );
    let failed = b.session_when(&first, |s| s.status.is_final()).await;
    assert!(
        failed
            .fail_reason
            .as_deref()
            .unwrap_or_default()
            .contains("usage limit"),
        "{failed:?}"
    );

    // Another Claude task waits out the same limit; a Codex task is not held.
    let second = b
        .task_with("also claude", "WRITE_FILE second.txt two")
        .await;
    let held = b
        .execute(
            &second,
            AgentKind::ClaudeCode,
            PermissionPolicy::AcceptEdits,
        )
        .await;
    assert!(
        matches!(
            &held,
            StartOutcome::Queued {
                state: QueueState::WaitingForRateLimit { .. },
                ..
            }
        ),
        "{held:?}"
    );
    let other = b.task_with("codex", "WRITE_FILE codex.txt three").await;
    let codex = started(
        b.execute(&other, AgentKind::Codex, PermissionPolicy::WorkspaceWrite)
            .await,
    );
    b.until_ended(&codex).await;
    b.until_status(&other, TaskStatus::Review).await;
    assert_eq!(b.status_of(&task).await, TaskStatus::InQueue);

    // The reset passes: both Claude tasks start by themselves.
    b.engine.clock().advance(Duration::from_secs(3_601));
    b.until_status(&task, TaskStatus::Review).await;
    b.until_status(&second, TaskStatus::Review).await;
    let attempts = b.attempts(&task).await;
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    let resumed = &attempts[1];
    assert_eq!(first_prompt(&b.events(resumed).await), CONTINUE_PROMPT);
    let first_ids = agent_ids(&b.events(&attempts[0]).await);
    let resumed_ids = agent_ids(&b.events(resumed).await);
    assert!(!first_ids.is_empty());
    assert_eq!(
        resumed_ids.first(),
        first_ids.first(),
        "the resumed attempt continues the agent's conversation"
    );
}

#[tokio::test]
async fn codexs_usage_limit_waits_for_the_time_it_gives() {
    let b = bench().await;
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("limited");
    let task = b.task_with("limited", &limited_prompt(&marker, 90)).await;
    let before = b.engine.clock().now_ms();
    let first = started(
        b.execute(&task, AgentKind::Codex, PermissionPolicy::WorkspaceWrite)
            .await,
    );
    match b.limited(&task, &first).await {
        QueueState::WaitingForRateLimit {
            agent,
            until,
            reset_known: true,
        } => {
            assert_eq!(agent, "Codex CLI");
            assert!((before + 90_000..=b.engine.clock().now_ms() + 90_000).contains(&until));
        }
        other => panic!("expected a hold until the reset, got {other:?}"),
    }
    b.engine.clock().advance(Duration::from_secs(91));
    b.until_status(&task, TaskStatus::Review).await;
    let attempts = b.attempts(&task).await;
    assert_eq!(first_prompt(&b.events(&attempts[1]).await), CONTINUE_PROMPT);
}

#[tokio::test]
async fn an_acp_agents_quota_answer_backs_off_and_starts_the_task_again() {
    let b = bench().await;
    let scratch = tempfile::tempdir().unwrap();
    let marker = scratch.path().join("limited");
    let prompt = limited_prompt(&marker, 0);
    let task = b.task_with("limited", &prompt).await;
    let first = started(
        b.execute(&task, AgentKind::Gemini, PermissionPolicy::GeminiAutoEdit)
            .await,
    );
    let state = b.limited(&task, &first).await;
    let QueueState::WaitingForRateLimit {
        until,
        reset_known: false,
        ..
    } = state
    else {
        panic!("expected a back-off, got {state:?}");
    };
    let now = b.engine.clock().now_ms();
    assert!((now..=now + model::rate_limit::FIRST_BACKOFF_MS).contains(&until));
    assert!(
        state
            .describe(|_| String::new())
            .starts_with("Waiting out the rate limit of Gemini CLI: trying again at "),
    );
    b.engine.clock().advance(Duration::from_millis(
        model::rate_limit::FIRST_BACKOFF_MS as u64 + 1_000,
    ));
    b.until_status(&task, TaskStatus::Review).await;
    // An ACP agent's new process is given the task again, in the same worktree.
    let attempts = b.attempts(&task).await;
    assert_eq!(attempts.len(), 2);
    assert!(first_prompt(&b.events(&attempts[1]).await).contains("RATE_LIMIT_ONCE"));
}
