//! Scheduling rules (DESIGN §3, issue "Scheduling"): task dependencies form a DAG, a project
//! runs at most `limit` task attempts at once, and queued tasks start in order of priority,
//! then of queueing time. Pure, so the board shows the same reasons the server acts on.

use crate::budget::DailySpend;
use crate::ids::TaskId;
use crate::task::{Task, TaskStatus};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::HashMap;

/// Running task attempts per project when the setting was never changed.
pub const DEFAULT_CONCURRENCY: u32 = 3;
/// The most a project may be set to run at once.
pub const MAX_CONCURRENCY: u32 = 16;

/// `task` depends on `on`: it starts only once `on` is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dependency {
    pub task: TaskId,
    pub on: TaskId,
}

/// The path `[task, on, …, task]` that adding `new` would close, if any.
pub fn find_cycle(edges: &[Dependency], new: Dependency) -> Option<Vec<TaskId>> {
    if new.task == new.on {
        return Some(vec![new.task, new.task]);
    }
    // Depth-first from `on` along "depends on" edges, looking for `task`.
    let mut stack: Vec<Vec<TaskId>> = vec![vec![new.task, new.on]];
    let mut seen = vec![new.on];
    while let Some(path) = stack.pop() {
        let last = *path.last()?;
        for edge in edges.iter().filter(|e| e.task == last) {
            let mut next = path.clone();
            next.push(edge.on);
            if edge.on == new.task {
                return Some(next);
            }
            if !seen.contains(&edge.on) {
                seen.push(edge.on);
                stack.push(next);
            }
        }
    }
    None
}

/// The dependencies of `task` that are not done yet: the one rule the scheduler and the board
/// apply. `status_of` looks a task up; one it does not know (deleted) blocks nothing.
pub fn blockers(
    task: TaskId,
    edges: &[Dependency],
    status_of: impl Fn(TaskId) -> Option<TaskStatus>,
) -> Vec<TaskId> {
    edges
        .iter()
        .filter(|e| e.task == task)
        .filter(|e| status_of(e.on).is_some_and(|s| s != TaskStatus::Done))
        .map(|e| e.on)
        .collect()
}

/// A project's tasks by id: the rules below look up many of them, and a board has thousands.
struct TaskIndex<'a>(HashMap<TaskId, &'a Task>);

impl<'a> TaskIndex<'a> {
    fn new(tasks: &'a [Task]) -> Self {
        TaskIndex(tasks.iter().map(|t| (t.id, t)).collect())
    }

    fn blockers(&self, task: TaskId, edges: &[Dependency]) -> Vec<TaskId> {
        blockers(task, edges, |id| self.0.get(&id).map(|t| t.status))
    }

    fn priority_rank(&self, task: TaskId) -> i64 {
        self.0.get(&task).map_or(0, |t| t.priority.rank())
    }
}

/// Why a queued task has not started, or that it may start now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueueState {
    /// Some dependencies are not done.
    WaitingFor { blockers: Vec<TaskId> },
    /// Every slot is taken: `position` (1-based) among the tasks ready to start.
    WaitingForSlot {
        position: usize,
        running: usize,
        limit: u32,
    },
    /// Its agent answered that it is rate-limited: no task of that agent starts before
    /// `until` (Unix milliseconds), the reset the agent gave (`reset_known`) or a back-off.
    WaitingForRateLimit {
        agent: String,
        until: i64,
        reset_known: bool,
    },
    /// The project's daily budget is spent: nothing starts before `until` (the next UTC
    /// day, Unix milliseconds) unless the budget is raised. `budget` and `spent` as text.
    WaitingForBudget {
        budget: String,
        spent: String,
        until: i64,
    },
    /// Ready, but queued with a bring-your-own key, which is never kept: the user starts it.
    NeedsKey,
    /// Starts now.
    Ready,
}

impl QueueState {
    /// When a hold that ends by itself (a rate limit's, a spent day's) is over.
    pub fn until(&self) -> Option<i64> {
        match self {
            QueueState::WaitingForRateLimit { until, .. }
            | QueueState::WaitingForBudget { until, .. } => Some(*until),
            _ => None,
        }
    }

    /// What the card says.
    pub fn describe(&self, title_of: impl Fn(TaskId) -> String) -> String {
        match self {
            QueueState::WaitingFor { blockers } => format!(
                "Waiting for {}",
                blockers
                    .iter()
                    .map(|id| format!("#{id} {}", title_of(*id)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            QueueState::WaitingForSlot {
                position,
                running,
                limit,
            } => format!(
                "Waiting for a free slot: {running} of {limit} running, next is #{position} in line"
            ),
            QueueState::WaitingForRateLimit {
                agent,
                until,
                reset_known: true,
            } => format!(
                "Waiting for the rate limit of {agent} to reset at {}",
                crate::time::format_utc(*until)
            ),
            QueueState::WaitingForRateLimit { agent, until, .. } => format!(
                "Waiting out the rate limit of {agent}: trying again at {}",
                crate::time::format_utc(*until)
            ),
            QueueState::WaitingForBudget {
                budget,
                spent,
                until,
            } => format!(
                "The daily budget of {budget} is spent ({spent} today): waiting until {} or a higher budget",
                crate::time::format_utc(*until)
            ),
            QueueState::NeedsKey => "Ready: needs your API key to start".to_string(),
            QueueState::Ready => "Starting".to_string(),
        }
    }
}

/// What a Start or a Retry did: the task as it now is, and either the session that now runs it
/// or why it waits. On the wire: `{"outcome": "started", "task", "session"}` or
/// `{"outcome": "queued", "task", "state"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
// One value per Start, returned and sent once: boxing the session would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum StartOutcome {
    Started {
        task: Task,
        session: crate::session::Session,
    },
    /// The task is `in_queue`.
    Queued { task: Task, state: QueueState },
}

impl StartOutcome {
    pub fn task(&self) -> &Task {
        match self {
            StartOutcome::Started { task, .. } | StartOutcome::Queued { task, .. } => task,
        }
    }

    pub fn session(&self) -> Option<&crate::session::Session> {
        match self {
            StartOutcome::Started { session, .. } => Some(session),
            StartOutcome::Queued { .. } => None,
        }
    }
}

/// A file held by live sessions of a project (paths relative to each session's worktree);
/// two holders or more is a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLock {
    pub path: String,
    pub holders: Vec<(crate::ids::SessionId, Option<TaskId>)>,
}

impl FileLock {
    pub fn is_conflict(&self) -> bool {
        self.holders.len() > 1
    }
}

/// The paths each task shares with another running session: what its card warns about.
pub fn conflicts_by_task(locks: &[FileLock]) -> Vec<(TaskId, Vec<String>)> {
    let mut out: Vec<(TaskId, Vec<String>)> = Vec::new();
    for lock in locks.iter().filter(|l| l.is_conflict()) {
        for task in lock.holders.iter().filter_map(|(_, t)| *t) {
            match out.iter_mut().find(|(t, _)| *t == task) {
                Some((_, paths)) => paths.push(lock.path.clone()),
                None => out.push((task, vec![lock.path.clone()])),
            }
        }
    }
    out
}

/// One queued task as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub task: TaskId,
    /// Queued with a bring-your-own key: cannot start without the user.
    pub needs_key: bool,
    pub queued_at: i64,
    /// The agent it starts with, as the user reads it ("Claude Code", "qwen"): a rate limit
    /// holds every queued task of the same agent.
    pub agent: String,
    /// Re-queued after a rate limit: not before this (Unix milliseconds).
    pub held_until: Option<i64>,
    /// Whether `held_until` is the reset the agent gave (else a back-off).
    pub reset_known: bool,
}

/// The state of every queued task, in the order they would start: priority first, then the
/// time they were queued. Tasks marked `Ready` are the ones to start now. A rate limit still
/// running at `now` holds every queued task of its agent, and a spent daily budget every
/// queued task; neither takes a slot.
pub fn plan(
    queued: &[Queued],
    tasks: &[Task],
    edges: &[Dependency],
    limit: u32,
    now: i64,
    daily: Option<&DailySpend>,
) -> Vec<(TaskId, QueueState)> {
    let budget_hold = daily
        .filter(|d| d.is_spent())
        .map(|d| QueueState::WaitingForBudget {
            budget: d.budget.describe(),
            spent: d.budget.describe_spent(&d.spent),
            until: d.next_day,
        });
    let mut holds: HashMap<&str, (i64, bool)> = HashMap::new();
    for q in queued {
        if let Some(until) = q.held_until.filter(|until| *until > now) {
            let hold = holds
                .entry(q.agent.as_str())
                .or_insert((until, q.reset_known));
            if until > hold.0 {
                *hold = (until, q.reset_known);
            }
        }
    }
    let running = tasks
        .iter()
        .filter(|t| t.status == TaskStatus::InProgress)
        .count();
    let index = TaskIndex::new(tasks);
    let mut order: Vec<&Queued> = queued.iter().collect();
    order.sort_by_key(|q| (Reverse(index.priority_rank(q.task)), q.queued_at, q.task));
    let mut free = (limit as usize).saturating_sub(running);
    let mut position = 0;
    order
        .into_iter()
        .map(|q| {
            let blocked = index.blockers(q.task, edges);
            let state = if !blocked.is_empty() {
                QueueState::WaitingFor { blockers: blocked }
            } else if let Some(hold) = &budget_hold {
                hold.clone()
            } else if let Some(&(until, reset_known)) = holds.get(q.agent.as_str()) {
                QueueState::WaitingForRateLimit {
                    agent: q.agent.clone(),
                    until,
                    reset_known,
                }
            } else if q.needs_key && free > 0 {
                // Only the user can start it; it takes no slot until they do.
                QueueState::NeedsKey
            } else if free > 0 && !q.needs_key {
                free -= 1;
                QueueState::Ready
            } else {
                position += 1;
                QueueState::WaitingForSlot {
                    position,
                    running,
                    limit,
                }
            };
            (q.task, state)
        })
        .collect()
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
