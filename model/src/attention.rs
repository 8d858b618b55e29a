//! What needs the user in a project: tasks to review, tasks that failed, and sessions waiting
//! for a permission. The tab's title counts them ("(2) DevLog"), and what became one since the
//! last look is what a browser notification announces.

use crate::{SessionId, TaskId};
use serde::{Deserialize, Serialize};

/// One thing waiting for the user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Waiting {
    pub kind: WaitingKind,
    pub task: Option<TaskId>,
    /// The task's title, or for a standalone session its name ("Session 4").
    pub title: String,
    /// For a permission request: its session and the tool it asks for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
}

crate::wire_enum! {
    /// Why it waits.
    pub enum WaitingKind {
        Permission = "permission",
        Review = "review",
        Failed = "failed",
    }
}

/// Everything of a project that waits for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attention {
    pub waiting: Vec<Waiting>,
}

impl Attention {
    /// How many things wait.
    pub fn count(&self) -> usize {
        self.waiting.len()
    }

    /// The tab's title with the count in front when anything waits: "(2) Board · repo — DevLog".
    pub fn title(&self, title: &str) -> String {
        match self.count() {
            0 => title.to_string(),
            n => format!("({n}) {title}"),
        }
    }

    /// What waits now that did not in `before`: what a notification announces.
    pub fn new_since<'a>(&'a self, before: &'a Attention) -> impl Iterator<Item = &'a Waiting> {
        self.waiting
            .iter()
            .filter(move |w| !before.waiting.contains(w))
    }
}

impl Waiting {
    /// A notification's text: "Task #4 Fix login is ready for review".
    pub fn message(&self) -> String {
        let what = match self.task {
            Some(task) => format!("Task #{task} {}", self.title),
            None => self.title.clone(),
        };
        match self.kind {
            WaitingKind::Permission => format!(
                "{what} asks for permission: {}",
                self.tool.as_deref().unwrap_or("a tool")
            ),
            WaitingKind::Review => format!("{what} is ready for review"),
            WaitingKind::Failed => format!("{what} failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(kind: WaitingKind, task: i64) -> Waiting {
        Waiting {
            kind,
            task: Some(TaskId(task)),
            title: format!("t{task}"),
            session: None,
            tool: None,
        }
    }

    #[test]
    fn the_title_counts_what_waits() {
        let none = Attention::default();
        assert_eq!(none.title("Board · r — DevLog"), "Board · r — DevLog");
        let two = Attention {
            waiting: vec![
                waiting(WaitingKind::Review, 1),
                waiting(WaitingKind::Failed, 2),
            ],
        };
        assert_eq!(two.title("Board · r — DevLog"), "(2) Board · r — DevLog");
    }

    #[test]
    fn only_what_started_waiting_is_new() {
        let before = Attention {
            waiting: vec![waiting(WaitingKind::Review, 1)],
        };
        let now = Attention {
            waiting: vec![
                waiting(WaitingKind::Review, 1),
                waiting(WaitingKind::Failed, 2),
            ],
        };
        let new: Vec<_> = now.new_since(&before).collect();
        assert_eq!(new, [&waiting(WaitingKind::Failed, 2)]);
        assert_eq!(before.new_since(&now).count(), 0);
    }

    #[test]
    fn a_message_says_what_waits_and_why() {
        assert_eq!(
            waiting(WaitingKind::Review, 4).message(),
            "Task #4 t4 is ready for review"
        );
        assert_eq!(
            waiting(WaitingKind::Failed, 4).message(),
            "Task #4 t4 failed"
        );
        let asks = Waiting {
            tool: Some("Write".into()),
            session: Some(SessionId(9)),
            ..waiting(WaitingKind::Permission, 4)
        };
        assert_eq!(asks.message(), "Task #4 t4 asks for permission: Write");
    }
}
