//! How the board groups statuses into columns (without merging them) and counts them.

use crate::task::{Task, TaskStatus};
use serde::{Deserialize, Serialize};

crate::wire_enum! {
    /// A display column. Each holds one or more statuses; every card still shows its own.
    pub enum BoardColumn {
        Queued = "queued",
        InProgress = "in_progress",
        Review = "review",
        Failed = "failed",
        Done = "done",
    }
}

impl BoardColumn {
    pub fn of(status: TaskStatus) -> BoardColumn {
        match status {
            TaskStatus::Todo | TaskStatus::InQueue => BoardColumn::Queued,
            TaskStatus::InProgress => BoardColumn::InProgress,
            TaskStatus::Review => BoardColumn::Review,
            TaskStatus::Fail | TaskStatus::Blocked => BoardColumn::Failed,
            TaskStatus::Done => BoardColumn::Done,
        }
    }

    pub fn statuses(self) -> &'static [TaskStatus] {
        match self {
            BoardColumn::Queued => &[TaskStatus::Todo, TaskStatus::InQueue],
            BoardColumn::InProgress => &[TaskStatus::InProgress],
            BoardColumn::Review => &[TaskStatus::Review],
            BoardColumn::Failed => &[TaskStatus::Fail, TaskStatus::Blocked],
            BoardColumn::Done => &[TaskStatus::Done],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            BoardColumn::Queued => "Queued",
            BoardColumn::InProgress => "In progress",
            BoardColumn::Review => "Review",
            BoardColumn::Failed => "Failed",
            BoardColumn::Done => "Done",
        }
    }

    /// Columns whose tasks need the user's attention (the "Needs me" filter).
    pub fn needs_me(self) -> bool {
        matches!(self, BoardColumn::Review | BoardColumn::Failed)
    }

    /// The tasks of this column in board order (sort order, then id for ties).
    pub fn tasks(self, tasks: &[Task]) -> Vec<&Task> {
        let mut in_column: Vec<&Task> = tasks
            .iter()
            .filter(|t| BoardColumn::of(t.status) == self)
            .collect();
        in_column.sort_by_key(|t| (t.sort_order, t.id));
        in_column
    }
}

/// "Needs me" means a task waits for the user: a review to read or a failure to handle.
pub fn needs_me(status: TaskStatus) -> bool {
    matches!(status, TaskStatus::Review | TaskStatus::Fail)
}

/// The header figures: "12 active · 2 queued · 1 failed".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardCounts {
    /// Every task that is not done.
    pub active: usize,
    /// Waiting for a slot or a dependency (`in_queue`).
    pub queued: usize,
    /// `fail` only; blocked tasks are parked by the user, not failed.
    pub failed: usize,
    pub needs_me: usize,
    pub done: usize,
}

impl BoardCounts {
    pub fn of(tasks: &[Task]) -> BoardCounts {
        BoardCounts::of_statuses(tasks.iter().map(|t| t.status))
    }

    pub fn of_statuses(statuses: impl IntoIterator<Item = TaskStatus>) -> BoardCounts {
        let mut counts = BoardCounts::default();
        for status in statuses {
            match status {
                TaskStatus::Done => counts.done += 1,
                TaskStatus::InQueue => counts.queued += 1,
                TaskStatus::Fail => counts.failed += 1,
                _ => {}
            }
            if status != TaskStatus::Done {
                counts.active += 1;
            }
            if needs_me(status) {
                counts.needs_me += 1;
            }
        }
        counts
    }

    pub fn summary(&self) -> String {
        format!(
            "{} active · {} queued · {} failed",
            self.active, self.queued, self.failed
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ProjectId, TaskId};
    use crate::task::Priority;

    fn task(id: i64, status: TaskStatus, sort_order: i64) -> Task {
        Task {
            id: TaskId(id),
            project_id: ProjectId(1),
            title: format!("t{id}"),
            description: String::new(),
            prompt: String::new(),
            priority: Priority::Medium,
            status,
            sort_order,
            fail_reason: None,
            branch: None,
            worktree_path: None,
            session_id: None,
            pr_url: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn every_status_is_in_exactly_one_column() {
        for status in TaskStatus::ALL {
            let holding: Vec<_> = BoardColumn::ALL
                .into_iter()
                .filter(|c| c.statuses().contains(&status))
                .collect();
            assert_eq!(holding, vec![BoardColumn::of(status)], "{status:?}");
        }
    }

    #[test]
    fn columns_keep_each_status_and_sort_by_order_then_id() {
        let tasks = vec![
            task(1, TaskStatus::InQueue, 5),
            task(2, TaskStatus::Todo, 1),
            task(3, TaskStatus::Todo, 5),
            task(4, TaskStatus::Blocked, 0),
        ];
        let queued: Vec<_> = BoardColumn::Queued
            .tasks(&tasks)
            .iter()
            .map(|t| (t.id.0, t.status))
            .collect();
        assert_eq!(
            queued,
            vec![
                (2, TaskStatus::Todo),
                (1, TaskStatus::InQueue),
                (3, TaskStatus::Todo)
            ]
        );
        assert_eq!(
            BoardColumn::Failed.tasks(&tasks)[0].status,
            TaskStatus::Blocked
        );
    }

    #[test]
    fn counts_and_summary() {
        let tasks = vec![
            task(1, TaskStatus::Todo, 0),
            task(2, TaskStatus::InQueue, 0),
            task(3, TaskStatus::InProgress, 0),
            task(4, TaskStatus::Review, 0),
            task(5, TaskStatus::Fail, 0),
            task(6, TaskStatus::Blocked, 0),
            task(7, TaskStatus::Done, 0),
        ];
        let counts = BoardCounts::of(&tasks);
        assert_eq!(counts.summary(), "6 active · 1 queued · 1 failed");
        assert_eq!(counts.needs_me, 2);
        assert_eq!(counts.done, 1);
    }
}
