//! Tasks: their statuses, the one transition rule, priorities and the editable draft.

use crate::ids::{ProjectId, TaskId};
use crate::validation::{self, Field, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt;

crate::wire_enum! {
    /// Where a task is in its life. See DESIGN §3 for the machine.
    pub enum TaskStatus {
        Todo = "todo",
        InQueue = "in_queue",
        InProgress = "in_progress",
        Review = "review",
        Fail = "fail",
        Blocked = "blocked",
        Done = "done",
    }
}

impl TaskStatus {
    /// What the user reads on a card.
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Todo => "To do",
            TaskStatus::InQueue => "In queue",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Review => "Review",
            TaskStatus::Fail => "Failed",
            TaskStatus::Blocked => "Blocked",
            TaskStatus::Done => "Done",
        }
    }

    /// The status in a sentence: "Task 3 is {phrase}", "The task is already {phrase}".
    pub fn phrase(self) -> &'static str {
        match self {
            TaskStatus::Todo => "still to do",
            TaskStatus::InQueue => "in the queue",
            TaskStatus::InProgress => "running",
            TaskStatus::Review => "in review",
            TaskStatus::Fail => "failed",
            TaskStatus::Blocked => "blocked",
            TaskStatus::Done => "done",
        }
    }

    /// A glyph that tells statuses apart without colour.
    pub fn icon(self) -> &'static str {
        match self {
            TaskStatus::Todo => "○",
            TaskStatus::InQueue => "◔",
            TaskStatus::InProgress => "◑",
            TaskStatus::Review => "◉",
            TaskStatus::Fail => "✕",
            TaskStatus::Blocked => "⊘",
            TaskStatus::Done => "✓",
        }
    }

    /// Statuses from which a task may be executed (started or retried by execute).
    pub fn is_executable(self) -> bool {
        matches!(
            self,
            TaskStatus::Todo | TaskStatus::Blocked | TaskStatus::Fail
        )
    }

    /// Statuses from which "Retry with feedback" starts a new attempt.
    pub fn can_retry(self) -> bool {
        matches!(self, TaskStatus::Review | TaskStatus::Fail)
    }

    /// A task in these statuses has (or is about to have) an agent working on it.
    pub fn is_running(self) -> bool {
        matches!(self, TaskStatus::InProgress)
    }

    /// The state machine: is `self -> to` a legal transition for any cause?
    fn allows(self, to: TaskStatus) -> bool {
        use TaskStatus::*;
        match (self, to) {
            (from, InQueue | InProgress) if from.is_executable() => true,
            (InQueue, InProgress) => true,
            // Taken out of the queue by the user.
            (InQueue, Todo) => true,
            (InProgress, Review | Fail | InQueue) => true,
            (Review, InProgress | Done) => true,
            (Todo | Fail, Blocked) => true,
            (Blocked, Todo) => true,
            _ => false,
        }
    }

    /// The one transition check every status change goes through.
    pub fn transition(self, to: TaskStatus) -> Result<TaskStatus, TransitionError> {
        if self.allows(to) {
            Ok(to)
        } else {
            Err(TransitionError::Illegal { from: self, to })
        }
    }

    /// A move the user asks for directly (board "Move to" or drag between columns). Legal
    /// transitions that only execution or an agent's outcome may make are refused with the
    /// action that does make them.
    pub fn manual_move(self, to: TaskStatus) -> Result<TaskStatus, TransitionError> {
        if self == to {
            return Err(TransitionError::Unchanged { status: self });
        }
        let next = self.transition(to)?;
        match to {
            TaskStatus::InProgress | TaskStatus::InQueue => {
                Err(TransitionError::NeedsExecution { from: self, to })
            }
            TaskStatus::Review | TaskStatus::Fail => {
                Err(TransitionError::SetByAgent { from: self, to })
            }
            _ => Ok(next),
        }
    }

    /// The statuses the user may move a task in this status to by hand.
    pub fn manual_targets(self) -> impl Iterator<Item = TaskStatus> {
        TaskStatus::ALL
            .into_iter()
            .filter(move |to| self.manual_move(*to).is_ok())
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A refused status change, with a reason the user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransitionError {
    #[error("The task is already {}.", status.phrase())]
    Unchanged { status: TaskStatus },
    #[error("A task cannot go from {} to {}: {}", from.label().to_lowercase(), to.label().to_lowercase(), illegal_hint(*from))]
    Illegal { from: TaskStatus, to: TaskStatus },
    #[error("A task goes to {} only by running it: use Start.", to.label().to_lowercase())]
    NeedsExecution { from: TaskStatus, to: TaskStatus },
    #[error("{} is set by the agent's outcome, not by hand.", to.label())]
    SetByAgent { from: TaskStatus, to: TaskStatus },
}

fn illegal_hint(from: TaskStatus) -> &'static str {
    match from {
        TaskStatus::Todo => "a task to do can be started, queued or blocked.",
        TaskStatus::InQueue => "a queued task waits to start.",
        TaskStatus::InProgress => "a running task ends in review or failed.",
        TaskStatus::Review => "a task in review is retried or marked done.",
        TaskStatus::Fail => "a failed task is retried or blocked.",
        TaskStatus::Blocked => "a blocked task is started or unblocked to 'to do'.",
        TaskStatus::Done => "done is final.",
    }
}

crate::wire_enum! {
    /// How urgent a task is; higher sorts first in queues.
    /// Stored in SQLite as its [`Priority::rank`], so queues can sort by it.
    #[derive(Default, PartialOrd, Ord)]
    pub enum Priority {
        Low = "low",
        #[default]
        Medium = "medium",
        High = "high",
        Urgent = "urgent",
    }
}

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Medium => "Medium",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }

    /// The integer stored in SQLite (ordered, so queues can sort by it).
    pub fn rank(self) -> i64 {
        self as i64
    }

    pub fn from_rank(rank: i64) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.rank() == rank)
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: TaskId,
    pub project_id: ProjectId,
    pub title: String,
    pub description: String,
    pub prompt: String,
    pub priority: Priority,
    pub status: TaskStatus,
    /// Position within its board column (lower first).
    pub sort_order: i64,
    pub fail_reason: Option<String>,
    pub branch: Option<String>,
    pub worktree_path: Option<String>,
    /// The session working on it while it is in progress.
    pub session_id: Option<crate::ids::SessionId>,
    pub pr_url: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
}

/// The branch a task's work goes on: `task/<id, 8 digits>-<slug of the title>`, e.g.
/// `task/00000042-add-a-login-page`. Stable for the task's life once chosen.
pub fn branch_name(id: TaskId, title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("task/{:08}", id.0)
    } else {
        format!("task/{:08}-{slug}", id.0)
    }
}

/// The task a branch of [`branch_name`]'s shape was made for.
pub fn task_of_branch(branch: &str) -> Option<TaskId> {
    let rest = branch.strip_prefix("task/")?;
    let digits = rest.split('-').next()?;
    (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The user-editable part of a task, for create and edit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskDraft {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub prompt: String,
    #[serde(default)]
    pub priority: Priority,
}

impl TaskDraft {
    /// The draft as it will be stored: title trimmed, blank texts emptied, lengths bounded.
    pub fn validate(&self) -> Result<TaskDraft, ValidationError> {
        Ok(TaskDraft {
            title: validation::required(Field::Title, &self.title, validation::TITLE_MAX)?,
            description: validation::optional_text(
                Field::Description,
                &self.description,
                validation::DESCRIPTION_MAX,
            )?,
            prompt: validation::optional_text(Field::Prompt, &self.prompt, validation::PROMPT_MAX)?,
            priority: self.priority,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::TaskStatus::*;
    use super::*;

    #[test]
    fn a_task_branch_names_its_task() {
        assert_eq!(
            task_of_branch(&branch_name(TaskId(42), "Add a login page")),
            Some(TaskId(42))
        );
        assert_eq!(task_of_branch("task/00000007"), Some(TaskId(7)));
        for other in ["main", "task/42-x", "task/0000004x-y", "feature/00000042"] {
            assert_eq!(task_of_branch(other), None, "{other}");
        }
    }

    #[test]
    fn branch_names_are_slugged_padded_and_bounded() {
        assert_eq!(
            branch_name(TaskId(42), "Add a login page!"),
            "task/00000042-add-a-login-page"
        );
        assert_eq!(branch_name(TaskId(7), "  ¿¡ ★ "), "task/00000007");
        assert_eq!(
            branch_name(TaskId(1), "Fix: crash -- on `..` paths/ÄÖ"),
            "task/00000001-fix-crash-on-paths"
        );
        let long = branch_name(TaskId(3), &"word ".repeat(40));
        assert!(long.len() <= "task/00000003-".len() + 41, "{long}");
        for name in [long, branch_name(TaskId(9), "a/b\\c:d~e^f?g*h[i")] {
            assert!(crate::validation::branch_name(&name).is_ok(), "{name}");
        }
    }

    #[test]
    fn retry_is_from_review_or_fail() {
        let retryable: Vec<_> = TaskStatus::ALL
            .into_iter()
            .filter(|s| s.can_retry())
            .collect();
        assert_eq!(retryable, [Review, Fail]);
        for s in retryable {
            assert!(s.transition(InProgress).is_ok());
        }
    }

    /// The machine of DESIGN §3, written out edge by edge (plus blocked -> todo, "unblock").
    const LEGAL: &[(TaskStatus, TaskStatus)] = &[
        (Todo, InQueue),
        (Todo, InProgress),
        (Todo, Blocked),
        (InQueue, InProgress),
        (InQueue, Todo),
        (InProgress, Review),
        (InProgress, Fail),
        (InProgress, InQueue),
        (Review, InProgress),
        (Review, Done),
        (Fail, InProgress),
        (Fail, InQueue),
        (Fail, Blocked),
        (Blocked, InProgress),
        (Blocked, InQueue),
        (Blocked, Todo),
    ];

    #[test]
    fn every_pair_of_statuses_is_legal_exactly_when_listed() {
        for from in TaskStatus::ALL {
            for to in TaskStatus::ALL {
                let expected = LEGAL.contains(&(from, to));
                let got = from.transition(to);
                assert_eq!(got.is_ok(), expected, "{from:?} -> {to:?}");
                if !expected {
                    assert_eq!(got, Err(TransitionError::Illegal { from, to }));
                }
            }
        }
    }

    #[test]
    fn done_is_final_and_says_so() {
        let err = Done.transition(Todo).unwrap_err();
        assert_eq!(
            err.to_string(),
            "A task cannot go from done to to do: done is final."
        );
    }

    #[test]
    fn manual_moves_are_the_legal_ones_no_process_owns() {
        let manual: Vec<_> = TaskStatus::ALL
            .into_iter()
            .flat_map(|f| f.manual_targets().map(move |t| (f, t)))
            .collect();
        assert_eq!(
            manual,
            vec![
                (Todo, Blocked),
                (InQueue, Todo),
                (Review, Done),
                (Fail, Blocked),
                (Blocked, Todo)
            ]
        );
    }

    #[test]
    fn manual_moves_explain_why_they_are_refused() {
        assert!(matches!(
            Todo.manual_move(InProgress),
            Err(TransitionError::NeedsExecution { .. })
        ));
        assert!(matches!(
            InProgress.manual_move(Review),
            Err(TransitionError::SetByAgent { .. })
        ));
        assert!(matches!(
            Todo.manual_move(Done),
            Err(TransitionError::Illegal { .. })
        ));
        assert_eq!(
            Todo.manual_move(Todo),
            Err(TransitionError::Unchanged { status: Todo })
        );
        assert_eq!(
            Review.manual_move(Review).unwrap_err().to_string(),
            "The task is already in review."
        );
        assert_eq!(
            Todo.manual_move(InProgress).unwrap_err().to_string(),
            "A task goes to in progress only by running it: use Start."
        );
    }

    #[test]
    fn executable_statuses_are_todo_blocked_and_fail() {
        let executable: Vec<_> = TaskStatus::ALL
            .into_iter()
            .filter(|s| s.is_executable())
            .collect();
        assert_eq!(executable, vec![Todo, Fail, Blocked]);
    }

    #[test]
    fn status_and_priority_names_round_trip() {
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(TaskStatus::parse("doing"), None);
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
            assert_eq!(Priority::from_rank(p.rank()), Some(p));
        }
        assert_eq!(Priority::from_rank(9), None);
        assert!(serde_json::from_str::<TaskStatus>("\"doing\"").is_err());
    }

    #[test]
    fn draft_validation_trims_title_and_bounds_lengths() {
        let ok = TaskDraft {
            title: "  Add login  ".into(),
            description: "   ".into(),
            prompt: "Use OAuth".into(),
            priority: Priority::High,
        }
        .validate()
        .unwrap();
        assert_eq!(ok.title, "Add login");
        assert_eq!(ok.description, "");
        assert_eq!(ok.prompt, "Use OAuth");

        let blank = TaskDraft {
            title: " \t ".into(),
            ..TaskDraft::default()
        };
        assert_eq!(blank.validate().unwrap_err().field, Field::Title);

        let long = TaskDraft {
            title: "x".repeat(validation::TITLE_MAX + 1),
            ..TaskDraft::default()
        };
        assert_eq!(long.validate().unwrap_err().field, Field::Title);

        let long_prompt = TaskDraft {
            title: "ok".into(),
            prompt: "p".repeat(validation::PROMPT_MAX + 1),
            ..TaskDraft::default()
        };
        assert_eq!(long_prompt.validate().unwrap_err().field, Field::Prompt);
    }

    #[test]
    fn draft_json_needs_a_title_and_rejects_unknown_priorities() {
        let d: TaskDraft = serde_json::from_str(r#"{"title":"t"}"#).unwrap();
        assert_eq!(d.priority, Priority::Medium);
        assert!(serde_json::from_str::<TaskDraft>(r#"{"description":"d"}"#).is_err());
        assert!(serde_json::from_str::<TaskDraft>(r#"{"title":"t","priority":"asap"}"#).is_err());
        assert!(serde_json::from_str::<TaskDraft>(r#"{"title":5}"#).is_err());
    }
}
