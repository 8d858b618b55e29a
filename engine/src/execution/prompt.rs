//! The prompt a task's attempt starts with: the task, where to work, and for a retry the
//! user's feedback and a bounded summary of the previous attempt.

use model::text::cut_chars;
use model::{Project, StoredEvent, StreamEvent, Task};

/// The previous attempt's messages kept in a retry prompt, newest last.
const SUMMARY_MESSAGES: usize = 3;
/// Each kept message is cut to this many characters.
const SUMMARY_MESSAGE_CHARS: usize = 1_500;

/// Where an attempt works.
pub struct Workplace<'a> {
    pub project: &'a Project,
    pub worktree: &'a str,
    pub branch: &'a str,
}

/// What the retry prompt says about the attempt before it.
pub struct Retry<'a> {
    pub feedback: &'a str,
    pub previous: Option<PreviousAttempt>,
}

/// The last assistant messages of the previous session and why it failed, if it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousAttempt {
    pub messages: Vec<String>,
    pub fail_reason: Option<String>,
}

impl PreviousAttempt {
    pub fn from_events(events: &[StoredEvent], fail_reason: Option<String>) -> PreviousAttempt {
        let mut messages: Vec<String> = events
            .iter()
            .rev()
            .filter_map(|e| match &e.event {
                StreamEvent::AssistantText { text } if !text.trim().is_empty() => {
                    Some(cut_chars(text.trim(), SUMMARY_MESSAGE_CHARS))
                }
                _ => None,
            })
            .take(SUMMARY_MESSAGES)
            .collect();
        messages.reverse();
        PreviousAttempt {
            messages,
            fail_reason,
        }
    }
}

pub fn build(task: &Task, at: &Workplace<'_>, retry: Option<&Retry<'_>>) -> String {
    let mut out = format!("# Task: {}\n", task.title.trim());
    if !task.description.trim().is_empty() {
        out.push_str(&format!("\n{}\n", task.description.trim()));
    }
    if !task.prompt.trim().is_empty() {
        out.push_str(&format!("\n## Instructions\n\n{}\n", task.prompt.trim()));
    }
    out.push_str(&format!(
        "\n## Where to work\n\n- Project: {}\n- Working directory: {}\n- Branch: {} (from {})\n\n\
         Work only in this directory. Commit your changes on this branch when you are done.\n",
        at.project.name, at.worktree, at.branch, at.project.default_branch
    ));
    if let Some(retry) = retry {
        out.push_str(&format!(
            "\n## Previous attempt feedback\n\n{}\n",
            retry.feedback.trim()
        ));
        if let Some(previous) = &retry.previous {
            out.push_str("\n## Previous attempt summary\n\n");
            match &previous.fail_reason {
                Some(reason) => out.push_str(&format!("It failed: {reason}\n")),
                None => out.push_str("It finished and was sent to review.\n"),
            }
            for message in &previous.messages {
                out.push_str(&format!("\n> {}\n", message.replace('\n', "\n> ")));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Priority, ProjectId, TaskId, TaskStatus};

    fn task() -> Task {
        Task {
            id: TaskId(4),
            project_id: ProjectId(1),
            title: "Add a login page".into(),
            description: "Users need to sign in.".into(),
            prompt: "Use the existing form styles.".into(),
            priority: Priority::High,
            status: TaskStatus::Todo,
            sort_order: 1,
            fail_reason: None,
            branch: None,
            worktree_path: None,
            session_id: None,
            pr_url: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn project() -> Project {
        Project {
            id: ProjectId(1),
            name: "shop".into(),
            path: "/src/shop".into(),
            default_branch: "main".into(),
            created_at: 0,
        }
    }

    #[test]
    fn the_prompt_names_the_task_the_place_and_the_branch() {
        let project = project();
        let at = Workplace {
            project: &project,
            worktree: "/data/worktrees/1/00000004-add-a-login-page",
            branch: "task/00000004-add-a-login-page",
        };
        let prompt = build(&task(), &at, None);
        for needle in [
            "# Task: Add a login page",
            "Users need to sign in.",
            "## Instructions",
            "Use the existing form styles.",
            "Project: shop",
            "Working directory: /data/worktrees/1/00000004-add-a-login-page",
            "Branch: task/00000004-add-a-login-page (from main)",
        ] {
            assert!(prompt.contains(needle), "{needle} in {prompt}");
        }
        assert!(!prompt.contains("Previous attempt"));
    }

    #[test]
    fn a_retry_adds_the_feedback_and_a_bounded_summary() {
        let project = project();
        let at = Workplace {
            project: &project,
            worktree: "/w",
            branch: "task/4",
        };
        let text = |t: &str| StoredEvent {
            seq: 0,
            at: 0,
            event: StreamEvent::AssistantText { text: t.into() },
        };
        let long = "x".repeat(5_000);
        let events = vec![text("first"), text("second"), text("third"), text(&long)];
        let previous =
            PreviousAttempt::from_events(&events, Some("Agent exited with code 1".into()));
        assert_eq!(previous.messages.len(), 3);
        assert_eq!(previous.messages[0], "second");
        assert!(previous.messages[2].chars().count() <= SUMMARY_MESSAGE_CHARS + 1);
        let retry = Retry {
            feedback: "  Keep the old URL working.  ",
            previous: Some(previous),
        };
        let prompt = build(&task(), &at, Some(&retry));
        assert!(prompt.contains("## Previous attempt feedback\n\nKeep the old URL working.\n"));
        assert!(prompt.contains("It failed: Agent exited with code 1"));
        assert!(prompt.contains("> second"));
        assert!(!prompt.contains("> first"));
        assert!(prompt.len() < 8_000);
    }
}
