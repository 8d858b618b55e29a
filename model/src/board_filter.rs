//! The board's search and filters, kept in the page's address (`?q=login&priority=high&
//! agent=codex&needs=me`) so a filtered board can be reloaded and shared.
//!
//! The text, priority and agent choose which tasks the server sends ([`BoardFilter::matches`]
//! and the agent's task list); "needs me" only hides the columns that do not need the user, in
//! the browser, so its count stays the whole board's.

use crate::agent::AgentKind;
use crate::task::{Priority, Task};
use serde::{Deserialize, Serialize};

/// The longest search text kept (a longer one in an address is cut, never refused).
pub const MAX_SEARCH_CHARS: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardFilter {
    /// Words looked for, case-insensitively, in the title, description and prompt.
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub priority: Option<Priority>,
    /// Tasks that a session of this agent worked on.
    #[serde(default)]
    pub agent: Option<AgentKind>,
    /// Only the columns that wait for the user (review, failed).
    #[serde(default)]
    pub needs_me: bool,
}

impl BoardFilter {
    /// The filter an address's query names, read leniently: an unknown priority or agent is
    /// no filter (the page shows "any"), a long text is cut to [`MAX_SEARCH_CHARS`].
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut filter = BoardFilter::default();
        for (key, value) in pairs {
            match key {
                // Kept as typed (a trailing space included): the search box shows it back.
                "q" => filter.text = value.chars().take(MAX_SEARCH_CHARS).collect(),
                "priority" => filter.priority = Priority::parse(value),
                "agent" => filter.agent = AgentKind::parse(value),
                "needs" => filter.needs_me = value == "me",
                _ => {}
            }
        }
        filter
    }

    /// The query of this filter, without its `?` ("" for none): the inverse of
    /// [`from_query`](Self::from_query).
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if !self.text.trim().is_empty() {
            parts.push(format!("q={}", encode_component(&self.text)));
        }
        if let Some(priority) = self.priority {
            parts.push(format!("priority={}", priority.as_str()));
        }
        if let Some(agent) = self.agent {
            parts.push(format!("agent={}", agent.as_str()));
        }
        if self.needs_me {
            parts.push("needs=me".into());
        }
        parts.join("&")
    }

    /// Whether the server leaves tasks out (text, priority or agent).
    pub fn narrows(&self) -> bool {
        !self.text.trim().is_empty() || self.priority.is_some() || self.agent.is_some()
    }

    /// Whether `task` matches the text and priority; the agent is the caller's to check,
    /// as a task does not carry which agents worked on it.
    pub fn matches(&self, task: &Task) -> bool {
        if self.priority.is_some_and(|p| p != task.priority) {
            return false;
        }
        let words: Vec<String> = self
            .text
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            return true;
        }
        let haystack =
            format!("{}\n{}\n{}", task.title, task.description, task.prompt).to_lowercase();
        words.iter().all(|word| haystack.contains(word.as_str()))
    }
}

/// Percent-encodes all but the unreserved characters of RFC 3986 (UTF-8 bytes).
fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ProjectId, TaskId};
    use crate::task::TaskStatus;

    fn task(title: &str, description: &str, prompt: &str, priority: Priority) -> Task {
        Task {
            id: TaskId(1),
            project_id: ProjectId(1),
            title: title.into(),
            description: description.into(),
            prompt: prompt.into(),
            priority,
            status: TaskStatus::Todo,
            sort_order: 0,
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
    fn reads_an_address_query_and_writes_it_back() {
        let filter = BoardFilter::from_query([
            ("q", "login page "),
            ("priority", "high"),
            ("agent", "codex"),
            ("needs", "me"),
            ("other", "x"),
        ]);
        assert_eq!(
            filter,
            BoardFilter {
                text: "login page ".into(),
                priority: Some(Priority::High),
                agent: Some(AgentKind::Codex),
                needs_me: true,
            }
        );
        assert_eq!(
            filter.to_query(),
            "q=login%20page%20&priority=high&agent=codex&needs=me"
        );
        assert_eq!(BoardFilter::default().to_query(), "");
    }

    #[test]
    fn unknown_values_are_no_filter_and_long_text_is_cut() {
        let long = "x".repeat(MAX_SEARCH_CHARS + 50);
        let filter = BoardFilter::from_query([
            ("priority", "huge"),
            ("agent", "nobody"),
            ("needs", "you"),
            ("q", long.as_str()),
        ]);
        assert_eq!(filter.priority, None);
        assert_eq!(filter.agent, None);
        assert!(!filter.needs_me);
        assert_eq!(filter.text.chars().count(), MAX_SEARCH_CHARS);
    }

    #[test]
    fn encodes_what_an_address_cannot_hold() {
        assert_eq!(
            encode_component("a&b=c ü/?#"),
            "a%26b%3Dc%20%C3%BC%2F%3F%23"
        );
        assert_eq!(encode_component("plain-text_1.2~"), "plain-text_1.2~");
    }

    #[test]
    fn every_word_must_appear_in_title_description_or_prompt() {
        let t = task(
            "Add a Login page",
            "with OAuth",
            "use the session store",
            Priority::Low,
        );
        let with = |text: &str| BoardFilter {
            text: text.into(),
            ..BoardFilter::default()
        };
        assert!(with("").matches(&t));
        assert!(with("login").matches(&t));
        assert!(with("LOGIN oauth").matches(&t));
        assert!(with("session store").matches(&t));
        assert!(!with("login signup").matches(&t));
    }

    #[test]
    fn priority_must_be_equal() {
        let t = task("x", "", "", Priority::High);
        let with = |priority| BoardFilter {
            priority: Some(priority),
            ..BoardFilter::default()
        };
        assert!(with(Priority::High).matches(&t));
        assert!(!with(Priority::Urgent).matches(&t));
    }

    #[test]
    fn only_text_priority_and_agent_narrow_what_the_server_sends() {
        assert!(!BoardFilter::default().narrows());
        assert!(
            !BoardFilter {
                text: "  ".into(),
                needs_me: true,
                ..BoardFilter::default()
            }
            .narrows()
        );
        assert!(
            BoardFilter {
                agent: Some(AgentKind::Gemini),
                ..BoardFilter::default()
            }
            .narrows()
        );
    }
}
