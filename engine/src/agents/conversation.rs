//! One agent process's protocol, from its spawn to its exit: what each line it prints means
//! and what to write back. A line-based CLI (Claude Code, Codex) needs no memory of its own:
//! [`LineProtocol`] is its adapter's methods. An ACP agent is a JSON-RPC peer with requests in
//! flight, so its conversation is a state machine ([`AcpConversation`](super::AcpConversation)).

use super::LineCli;
use model::usage::CallUsage;
use model::{PermissionAnswer, StreamEvent};

/// What one stdout line said: the session's events, the lines that answer it, and what the
/// running turn's model calls used so far where the CLI reports it (for the task's budget,
/// not stored: the turn's end gives its account).
#[derive(Debug, Default, PartialEq)]
pub struct Heard {
    pub events: Vec<StreamEvent>,
    pub replies: Vec<String>,
    pub spent: Vec<CallUsage>,
}

impl Heard {
    pub fn events(events: Vec<StreamEvent>) -> Heard {
        Heard {
            events,
            ..Heard::default()
        }
    }

    pub fn replies(replies: Vec<String>) -> Heard {
        Heard {
            replies,
            ..Heard::default()
        }
    }
}

/// The stdin side of an agent's protocol and the meaning of its stdout. The lines returned
/// are written as they are, a newline after each; `None` means the agent does not take that
/// input (a new turn needs a new process, or there is nothing to answer with).
pub trait Conversation: Send {
    /// What to write right after the spawn.
    fn opening(&mut self) -> Vec<String> {
        Vec::new()
    }

    /// One stdout line (redacted, without its newline). Never panics: what is not understood
    /// comes back as `Raw`.
    fn hear(&mut self, line: &str) -> Heard;

    /// `text` as the next user message to the running process.
    fn user_message(&mut self, text: &str) -> Option<Vec<String>>;

    /// The answer to the permission request `request_id`.
    fn permission_answer(
        &mut self,
        request_id: &str,
        answer: &PermissionAnswer,
    ) -> Option<Vec<String>>;

    /// Stops the current turn and keeps the process (`request_id` is ours).
    fn interrupt(&mut self, request_id: &str) -> Option<Vec<String>>;
}

/// A CLI whose lines stand alone: its adapter says what each means and writes each answer.
pub struct LineProtocol(pub &'static dyn LineCli);

impl Conversation for LineProtocol {
    fn hear(&mut self, line: &str) -> Heard {
        self.0.hear(line)
    }

    fn user_message(&mut self, text: &str) -> Option<Vec<String>> {
        self.0.user_message_line(text).map(|line| vec![line])
    }

    fn permission_answer(
        &mut self,
        request_id: &str,
        answer: &PermissionAnswer,
    ) -> Option<Vec<String>> {
        self.0
            .permission_answer_line(request_id, answer)
            .map(|line| vec![line])
    }

    fn interrupt(&mut self, request_id: &str) -> Option<Vec<String>> {
        self.0.interrupt_line(request_id).map(|line| vec![line])
    }
}
