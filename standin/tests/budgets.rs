//! Budgets with real processes: a task's attempts reaching its budget fail it saying so and
//! refuse the next attempt until it is raised; the project's default applies to a task
//! without its own; a spent daily budget holds the queue — and refuses a retry — until it is
//! raised or the next UTC day (on the engine's clock, moved by the test).

mod common;

use common::*;
use engine::execution::StartOptions;
use model::budget::Budget;
use model::schedule::{QueueState, StartOutcome};
use model::{AgentKind, PermissionPolicy, Task, TaskStatus};
use std::time::Duration;

impl Bench {
    async fn start_task(&self, task: &Task) -> Result<StartOutcome, engine::EngineError> {
        self.engine
            .execute_task(
                self.project.id,
                task.id,
                local(AgentKind::ClaudeCode),
                StartOptions::permission(PermissionPolicy::AcceptEdits),
            )
            .await
    }

    async fn retry(&self, task: &Task) -> Result<StartOutcome, engine::EngineError> {
        self.engine
            .retry_task(
                self.project.id,
                task.id,
                "once more".into(),
                local(AgentKind::ClaudeCode),
                StartOptions::permission(PermissionPolicy::AcceptEdits),
            )
            .await
    }

    async fn own_budget(&self, task: &Task) -> Option<Budget> {
        let budget = self.engine.task_budget(self.project.id, task.id).await;
        budget.unwrap().own
    }

    /// Runs the started attempt of `task` to its end; the task as it ends.
    async fn finished(&self, task: &Task, outcome: StartOutcome, to: TaskStatus) -> Task {
        let session = started(outcome);
        self.until_ended(&session).await;
        self.until_status(task, to).await
    }
}

#[tokio::test]
async fn a_task_reaching_its_budget_fails_saying_so_and_waits_for_a_higher_one() {
    let b = bench().await;
    let task = b.task_with("budgeted", "WRITE_FILE a.txt a").await;
    // The stand-in's Claude uses 110 tokens a turn: one attempt fits, two do not.
    let budget = b
        .engine
        .set_task_budget(b.project.id, task.id, "150 tokens")
        .await
        .unwrap();
    assert_eq!(budget.applies(), Some(model::budget::Budget::Tokens(150)));
    b.finished(
        &task,
        b.start_task(&task).await.unwrap(),
        TaskStatus::Review,
    )
    .await;

    let failed = b
        .finished(&task, b.retry(&task).await.unwrap(), TaskStatus::Fail)
        .await;
    let spent = b
        .engine
        .task_budget(b.project.id, task.id)
        .await
        .unwrap()
        .spent;
    let reason = format!(
        "budget of 150 tokens reached after {} tokens",
        model::usage::compact(spent.tokens.total())
    );
    assert_eq!(failed.fail_reason.as_deref(), Some(reason.as_str()));

    let refused = b.retry(&task).await.unwrap_err().to_string();
    assert!(
        refused.contains(&format!("This task's {reason}")),
        "{refused}"
    );
    assert_eq!(
        b.status_of(&task).await,
        TaskStatus::Fail,
        "a refusal changes nothing"
    );

    b.engine
        .set_task_budget(b.project.id, task.id, "1M tokens")
        .await
        .unwrap();
    b.finished(&task, b.retry(&task).await.unwrap(), TaskStatus::Review)
        .await;
    let bad = b
        .engine
        .set_task_budget(b.project.id, task.id, "lots")
        .await
        .unwrap_err();
    assert!(bad.to_string().starts_with("Task budget: "), "{bad}");
    let kept = b.engine.task_budget(b.project.id, task.id).await.unwrap();
    assert_eq!(kept.own, Some(model::budget::Budget::Tokens(1_000_000)));
}

#[tokio::test]
async fn a_start_or_a_retry_may_give_the_task_its_budget() {
    let b = bench().await;
    let task = b.task_with("given", "WRITE_FILE a.txt a").await;
    let with = |budget| StartOptions {
        permission: Some(PermissionPolicy::AcceptEdits),
        budget: Some(budget),
    };
    let (project, claude) = (b.project.id, || local(AgentKind::ClaudeCode));
    // The stand-in's Claude uses 110 tokens a turn.
    let start = b
        .engine
        .execute_task(project, task.id, claude(), with(Budget::Tokens(100)))
        .await
        .unwrap();
    let failed = b.finished(&task, start, TaskStatus::Fail).await;
    assert_eq!(
        failed.fail_reason.as_deref(),
        Some("budget of 100 tokens reached after 110 tokens")
    );
    assert_eq!(b.own_budget(&task).await, Some(Budget::Tokens(100)));

    // The task's budget is reached, but the retry brings a higher one: it runs.
    let retry = b
        .engine
        .retry_task(
            project,
            task.id,
            "again".into(),
            claude(),
            with(Budget::Tokens(1_000)),
        )
        .await
        .unwrap();
    b.finished(&task, retry, TaskStatus::Review).await;
    assert_eq!(b.own_budget(&task).await, Some(Budget::Tokens(1_000)));

    // A start that is refused (the task is in review) does not change its budget.
    let refused = b
        .engine
        .execute_task(project, task.id, claude(), with(Budget::Usd(5.0)))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("is in review"), "{refused}");
    assert_eq!(b.own_budget(&task).await, Some(Budget::Tokens(1_000)));
}

/// The error events of a session, in order.
fn errors(events: &[model::StoredEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.event {
            model::StreamEvent::Error {
                message,
                retrying: false,
            } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

/// A task of the stand-in's `script` with a budget of 500 tokens, run until it has failed:
/// the task, its session's events and the failed task.
async fn past_a_500_token_budget(b: &Bench, script: &str) -> (Task, Vec<model::StoredEvent>, Task) {
    let task = b.task_with("spender", script).await;
    b.engine
        .set_task_budget(b.project.id, task.id, "500 tokens")
        .await
        .unwrap();
    let session = started(b.start_task(&task).await.unwrap());
    let events = b.until_ended(&session).await;
    let failed = b.until_status(&task, TaskStatus::Fail).await;
    (task, events, failed)
}

#[tokio::test]
async fn a_turn_passing_the_tasks_budget_is_stopped_mid_way_and_the_task_fails() {
    let b = bench().await;
    // Each model message reports 1,000 tokens as the turn runs; the turn would never end by
    // itself (HANG): only the budget's stop ends it, before the turn's timeout.
    let (task, events, failed) = past_a_500_token_budget(&b, "SPEND 1000\nSTREAM 1\nHANG").await;
    // The recorded turn: 1,000 reported by the message, 110 more in the result.
    assert_eq!(
        failed.fail_reason.as_deref(),
        Some("budget of 500 tokens reached after 1.1k tokens")
    );
    assert_eq!(
        errors(&events),
        ["The task's budget of 500 tokens reached after 1.0k tokens: its turn is stopped."]
    );
    let ended = events.iter().find_map(|e| match &e.event {
        model::StreamEvent::TurnEnded { reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(
        ended,
        Some(Some("aborted_streaming".into())),
        "stopped, not timed out"
    );
    let spent = b.engine.task_budget(b.project.id, task.id).await.unwrap();
    assert_eq!(spent.spent.tokens.total(), 1_110);
}

#[tokio::test]
async fn a_turn_that_does_not_stop_at_its_budget_is_ended_with_what_it_used_so_far() {
    let b = bench_with(|config| config.stop_grace = Duration::from_millis(200)).await;
    // DEAF: the CLI answers the interrupt but goes on; its process is stopped after the grace.
    let (task, events, failed) =
        past_a_500_token_budget(&b, "DEAF\nSPEND 1000\nSTREAM 1\nHANG").await;
    // No result came: the turn's account is what its message reported.
    let reason = "budget of 500 tokens reached after 1.0k tokens";
    assert_eq!(failed.fail_reason.as_deref(), Some(reason));
    let ended = events.iter().find_map(|e| match &e.event {
        model::StreamEvent::TurnEnded { result, reason, .. } => {
            Some((result.clone(), reason.clone()))
        }
        _ => None,
    });
    assert_eq!(ended, Some((Some(reason.into()), Some("budget".into()))));
    let spent = b.engine.task_budget(b.project.id, task.id).await.unwrap();
    assert_eq!(spent.spent.tokens.total(), 1_000);
}

#[tokio::test]
async fn a_turn_stopped_at_its_budget_sends_nothing_queued_and_says_so() {
    let b = bench().await;
    // The turn waits for a permission, so a follow-up is queued before the spending starts.
    let task = b
        .task_with("queued", "ASK Bash\nSPEND 1000\nSTREAM 1\nHANG")
        .await;
    b.engine
        .set_task_budget(b.project.id, task.id, "500 tokens")
        .await
        .unwrap();
    let start = b
        .engine
        .execute_task(
            b.project.id,
            task.id,
            local(AgentKind::ClaudeCode),
            StartOptions::permission(PermissionPolicy::Ask),
        )
        .await
        .unwrap();
    let session = started(start);
    let asked = b
        .wait_until(&session, |events| {
            count(events, |e| {
                matches!(e, model::StreamEvent::PermissionRequest { .. })
            }) == 1
        })
        .await;
    b.send(session.id, "and then this".into()).await.unwrap();
    b.wait_until(&session, |events| {
        count(events, |e| {
            matches!(e, model::StreamEvent::MessageQueued { .. })
        }) == 1
    })
    .await;
    b.engine
        .answer_permission(
            b.project.id,
            session.id,
            permission_request_id(&asked),
            model::PermissionAnswer::allow(),
        )
        .await
        .unwrap();
    let events = b.until_ended(&session).await;
    b.until_status(&task, TaskStatus::Fail).await;
    assert_eq!(
        errors(&events).last().map(String::as_str),
        Some(
            "1 queued message was not sent: the task's budget is reached. Retry the task with a higher budget to go on."
        )
    );
    assert_eq!(turns_ended(&events), 1, "the queued message never ran");
}

#[tokio::test]
async fn the_projects_default_budget_applies_to_a_task_without_its_own() {
    let b = bench().await;
    b.engine
        .set_budgets(b.project.id, "$0.01", "")
        .await
        .unwrap();
    let task = b.task_with("default", "WRITE_FILE a.txt a").await;
    // The stand-in's Claude reports $0.0125 a turn.
    let failed = b
        .finished(&task, b.start_task(&task).await.unwrap(), TaskStatus::Fail)
        .await;
    let reason = failed.fail_reason.unwrap_or_default();
    assert!(
        reason.starts_with("budget of $0.01 reached after $0.01"),
        "{reason}"
    );
}

#[tokio::test]
async fn a_spent_daily_budget_holds_the_queue_until_raised_or_the_next_day() {
    let b = bench().await;
    let budgets = b
        .engine
        .set_budgets(b.project.id, "", "100 tokens")
        .await
        .unwrap();
    assert_eq!(budgets.daily, Some(model::budget::Budget::Tokens(100)));
    let first = b.task_with("first", "WRITE_FILE a.txt a").await;
    b.finished(
        &first,
        b.start_task(&first).await.unwrap(),
        TaskStatus::Review,
    )
    .await;

    // Spent: a start waits in the queue, saying why; a retry is refused.
    let second = b.task_with("second", "WRITE_FILE b.txt b").await;
    let StartOutcome::Queued { state, .. } = b.start_task(&second).await.unwrap() else {
        panic!("the spent budget must queue the start");
    };
    let QueueState::WaitingForBudget { budget, until, .. } = &state else {
        panic!("expected the budget's hold, got {state:?}");
    };
    assert_eq!(budget, "100 tokens");
    let tomorrow = model::time::Day::of_unix_ms(b.engine.clock().now_ms()).plus(1);
    assert_eq!(*until, tomorrow.start_ms());
    assert!(
        state
            .describe(|_| String::new())
            .starts_with("The daily budget of 100 tokens is spent ("),
        "{state:?}"
    );
    let refused = b.retry(&first).await.unwrap_err().to_string();
    assert!(
        refused.starts_with("The daily budget of 100 tokens is spent"),
        "{refused}"
    );

    // Raised: the queue moves at once.
    b.engine
        .set_budgets(b.project.id, "", "1M tokens")
        .await
        .unwrap();
    b.until_status(&second, TaskStatus::Review).await;

    // Spent again: the next day starts it.
    b.engine
        .set_budgets(b.project.id, "", "100 tokens")
        .await
        .unwrap();
    let third = b.task_with("third", "WRITE_FILE c.txt c").await;
    assert!(matches!(
        b.start_task(&third).await.unwrap(),
        StartOutcome::Queued { .. }
    ));
    let to_midnight = tomorrow.start_ms() - b.engine.clock().now_ms() + 1;
    b.engine
        .clock()
        .advance(Duration::from_millis(to_midnight as u64));
    b.until_status(&third, TaskStatus::Review).await;
}

#[tokio::test]
async fn a_retry_of_a_task_that_is_not_there_is_not_found() {
    let b = bench().await;
    let missing = Task {
        id: model::TaskId(9_999),
        ..b.task_with("here", "").await
    };
    let error = b.retry(&missing).await.unwrap_err();
    assert!(
        matches!(error, engine::EngineError::NotFound(_)),
        "{error:?}"
    );
}
