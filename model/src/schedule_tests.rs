use super::*;
use crate::ids::ProjectId;
use crate::task::Priority;

fn dep(task: i64, on: i64) -> Dependency {
    Dependency {
        task: TaskId(task),
        on: TaskId(on),
    }
}

fn task(id: i64, status: TaskStatus, priority: Priority) -> Task {
    Task {
        id: TaskId(id),
        project_id: ProjectId(1),
        title: format!("t{id}"),
        description: String::new(),
        prompt: String::new(),
        priority,
        status,
        sort_order: id,
        fail_reason: None,
        branch: None,
        worktree_path: None,
        session_id: None,
        pr_url: None,
        created_at: 0,
        updated_at: 0,
    }
}

fn queued(id: i64, at: i64) -> Queued {
    Queued {
        task: TaskId(id),
        needs_key: false,
        queued_at: at,
        agent: "Claude Code".into(),
        held_until: None,
        reset_known: false,
    }
}

#[test]
fn a_cycle_is_found_and_named() {
    let edges = [dep(1, 2), dep(2, 3)];
    assert_eq!(
        find_cycle(&edges, dep(3, 1)),
        Some(vec![TaskId(3), TaskId(1), TaskId(2), TaskId(3)])
    );
    assert_eq!(find_cycle(&edges, dep(1, 3)), None, "a diamond is no cycle");
    assert_eq!(find_cycle(&edges, dep(4, 1)), None);
    assert_eq!(
        find_cycle(&edges, dep(5, 5)),
        Some(vec![TaskId(5), TaskId(5)])
    );
    assert_eq!(
        find_cycle(&[dep(1, 2)], dep(2, 1)),
        Some(vec![TaskId(2), TaskId(1), TaskId(2)])
    );
}

#[test]
fn blockers_are_the_dependencies_not_done() {
    let tasks = [
        task(1, TaskStatus::Todo, Priority::Medium),
        task(2, TaskStatus::Done, Priority::Medium),
        task(3, TaskStatus::Review, Priority::Medium),
    ];
    let edges = [dep(1, 2), dep(1, 3), dep(1, 9)];
    let status_of = |id: TaskId| tasks.iter().find(|t| t.id == id).map(|t| t.status);
    assert_eq!(blockers(TaskId(1), &edges, status_of), vec![TaskId(3)]);
    assert!(blockers(TaskId(2), &edges, status_of).is_empty());
}

#[test]
fn the_queue_starts_by_priority_then_time_within_the_limit() {
    let tasks = [
        task(1, TaskStatus::InProgress, Priority::Medium),
        task(2, TaskStatus::InQueue, Priority::Low),
        task(3, TaskStatus::InQueue, Priority::Urgent),
        task(4, TaskStatus::InQueue, Priority::Low),
        task(5, TaskStatus::InQueue, Priority::High),
    ];
    let queue = [queued(2, 10), queued(3, 30), queued(4, 5), queued(5, 20)];
    let plan = plan(&queue, &tasks, &[], 2, 0, None);
    assert_eq!(
        plan,
        vec![
            (TaskId(3), QueueState::Ready),
            (
                TaskId(5),
                QueueState::WaitingForSlot {
                    position: 1,
                    running: 1,
                    limit: 2
                }
            ),
            (
                TaskId(4),
                QueueState::WaitingForSlot {
                    position: 2,
                    running: 1,
                    limit: 2
                }
            ),
            (
                TaskId(2),
                QueueState::WaitingForSlot {
                    position: 3,
                    running: 1,
                    limit: 2
                }
            ),
        ]
    );
}

#[test]
fn dependencies_and_keys_hold_a_task_without_taking_a_slot() {
    let tasks = [
        task(1, TaskStatus::Review, Priority::Medium),
        task(2, TaskStatus::InQueue, Priority::Urgent),
        task(3, TaskStatus::InQueue, Priority::High),
        task(4, TaskStatus::InQueue, Priority::Low),
    ];
    let mut key = queued(3, 1);
    key.needs_key = true;
    let plan = plan(
        &[queued(2, 0), key, queued(4, 2)],
        &tasks,
        &[dep(2, 1)],
        1,
        0,
        None,
    );
    assert_eq!(
        plan,
        vec![
            (
                TaskId(2),
                QueueState::WaitingFor {
                    blockers: vec![TaskId(1)]
                }
            ),
            (TaskId(3), QueueState::NeedsKey),
            (TaskId(4), QueueState::Ready),
        ]
    );
    let said = QueueState::WaitingFor {
        blockers: vec![TaskId(1)],
    }
    .describe(|id| format!("title {id}"));
    assert_eq!(said, "Waiting for #1 title 1");
    assert_eq!(
        QueueState::NeedsKey.describe(|_| String::new()),
        "Ready: needs your API key to start"
    );
}

#[test]
fn conflicts_are_the_paths_shared_by_two_live_sessions() {
    use crate::ids::SessionId;
    let locks = [
        FileLock {
            path: "a.rs".into(),
            holders: vec![
                (SessionId(1), Some(TaskId(1))),
                (SessionId(2), Some(TaskId(2))),
            ],
        },
        FileLock {
            path: "b.rs".into(),
            holders: vec![(SessionId(1), Some(TaskId(1)))],
        },
        FileLock {
            path: "c.rs".into(),
            holders: vec![(SessionId(1), Some(TaskId(1))), (SessionId(3), None)],
        },
    ];
    assert!(locks[0].is_conflict() && !locks[1].is_conflict());
    assert_eq!(
        conflicts_by_task(&locks),
        vec![
            (TaskId(1), vec!["a.rs".to_string(), "c.rs".to_string()]),
            (TaskId(2), vec!["a.rs".to_string()]),
        ]
    );
}

#[test]
fn a_task_waiting_for_its_key_says_so_only_when_a_slot_is_free() {
    let tasks = [
        task(1, TaskStatus::InProgress, Priority::Medium),
        task(2, TaskStatus::InQueue, Priority::Medium),
    ];
    let mut key = queued(2, 0);
    key.needs_key = true;
    assert_eq!(
        plan(&[key.clone()], &tasks, &[], 1, 0, None),
        vec![(
            TaskId(2),
            QueueState::WaitingForSlot {
                position: 1,
                running: 1,
                limit: 1
            }
        )]
    );
    assert_eq!(
        plan(&[key], &tasks, &[], 2, 0, None),
        vec![(TaskId(2), QueueState::NeedsKey)]
    );
}

#[test]
fn a_start_outcome_is_one_tagged_value_on_the_wire() {
    let queued = StartOutcome::Queued {
        task: task(3, TaskStatus::InQueue, Priority::High),
        state: QueueState::NeedsKey,
    };
    let json = serde_json::to_value(&queued).unwrap();
    assert_eq!(json["outcome"], "queued");
    assert_eq!(json["task"]["id"], 3);
    assert_eq!(json["state"], serde_json::json!({"kind": "needs_key"}));
    assert!(json.get("session").is_none());
    assert_eq!(
        serde_json::from_value::<StartOutcome>(json).unwrap(),
        queued
    );
    assert_eq!(queued.task().id, TaskId(3));
    assert_eq!(queued.session(), None);
}

fn held(id: i64, agent: &str, until: i64) -> Queued {
    Queued {
        agent: agent.into(),
        held_until: Some(until),
        reset_known: true,
        ..queued(id, id)
    }
}

#[test]
fn a_rate_limit_holds_its_agents_queued_tasks_and_no_other() {
    let tasks: Vec<Task> = (1..=4)
        .map(|id| task(id, TaskStatus::InQueue, Priority::Medium))
        .collect();
    let codex = Queued {
        agent: "Codex".into(),
        ..queued(3, 3)
    };
    let queue = [
        held(1, "Claude Code", 5_000),
        queued(2, 2),
        codex,
        queued(4, 4),
    ];
    let waiting = QueueState::WaitingForRateLimit {
        agent: "Claude Code".into(),
        until: 5_000,
        reset_known: true,
    };
    let plan = plan(&queue, &tasks, &[], 1, 1_000, None);
    assert_eq!(
        plan,
        vec![
            (TaskId(1), waiting.clone()),
            (TaskId(2), waiting.clone()),
            // The held ones take no slot: Codex's task starts.
            (TaskId(3), QueueState::Ready),
            (TaskId(4), waiting),
        ]
    );
    assert_eq!(
        plan[0].1.describe(|_| String::new()),
        "Waiting for the rate limit of Claude Code to reset at 1970-01-01 00:00 UTC"
    );
}

#[test]
fn a_rate_limit_is_over_at_its_time() {
    let tasks = [task(1, TaskStatus::InQueue, Priority::Medium)];
    let queue = [held(1, "Claude Code", 5_000)];
    assert_eq!(
        plan(&queue, &tasks, &[], 1, 5_000, None),
        vec![(TaskId(1), QueueState::Ready)]
    );
}

#[test]
fn a_dependency_is_said_before_a_rate_limit_and_a_back_off_says_so() {
    let tasks = [
        task(1, TaskStatus::InQueue, Priority::Medium),
        task(2, TaskStatus::Todo, Priority::Medium),
    ];
    let backing_off = Queued {
        reset_known: false,
        ..held(1, "Codex", 90_000)
    };
    let plan = plan(
        std::slice::from_ref(&backing_off),
        &tasks,
        &[dep(1, 2)],
        1,
        0,
        None,
    );
    assert_eq!(
        plan,
        vec![(
            TaskId(1),
            QueueState::WaitingFor {
                blockers: vec![TaskId(2)]
            }
        )]
    );
    let alone = super::plan(&[backing_off], &tasks[..1], &[], 1, 0, None);
    assert_eq!(
        alone[0].1.describe(|_| String::new()),
        "Waiting out the rate limit of Codex: trying again at 1970-01-01 00:01 UTC"
    );
}

#[test]
fn a_spent_daily_budget_holds_every_queued_task_and_takes_no_slot() {
    use crate::budget::Budget;
    use crate::usage::UsageTotal;
    let tasks = [
        task(1, TaskStatus::InQueue, Priority::Medium),
        task(2, TaskStatus::InQueue, Priority::Medium),
        task(3, TaskStatus::Todo, Priority::Medium),
    ];
    let mut daily = DailySpend {
        budget: Budget::Usd(10.0),
        spent: UsageTotal {
            cost_usd: 10.5,
            ..UsageTotal::default()
        },
        next_day: 86_400_000,
    };
    let queue = [queued(1, 1), queued(2, 2)];
    let held = QueueState::WaitingForBudget {
        budget: "$10.00".into(),
        spent: "$10.50".into(),
        until: 86_400_000,
    };
    let plan_now = |daily: &DailySpend| plan(&queue, &tasks, &[dep(2, 3)], 1, 0, Some(daily));
    assert_eq!(
        plan_now(&daily),
        vec![
            (TaskId(1), held.clone()),
            // Its dependency is said first.
            (
                TaskId(2),
                QueueState::WaitingFor {
                    blockers: vec![TaskId(3)]
                }
            ),
        ]
    );
    assert_eq!(
        held.describe(|_| String::new()),
        "The daily budget of $10.00 is spent ($10.50 today): waiting until 1970-01-02 00:00 UTC or a higher budget"
    );
    daily.budget = Budget::Usd(20.0);
    assert_eq!(plan_now(&daily)[0], (TaskId(1), QueueState::Ready));
}
