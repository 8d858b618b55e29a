//! Sessions: one conversation with one agent process lineage, its status machine (DESIGN §3)
//! and its stored events.

use crate::agent::PermissionPolicy;
use crate::ids::{ProjectId, SessionId, TaskId};
use crate::runtime::RuntimeSelection;
use crate::stream::StreamEvent;
use serde::{Deserialize, Serialize};
use std::fmt;

crate::wire_enum! {
    pub enum SessionStatus {
        /// Rows written, process not started yet.
        Pending = "pending",
        /// A turn is running.
        Running = "running",
        /// Waiting for the user's next message.
        Idle = "idle",
        Completed = "completed",
        Failed = "failed",
        Killed = "killed",
    }
}

impl SessionStatus {
    pub fn label(self) -> &'static str {
        match self {
            SessionStatus::Pending => "Starting",
            SessionStatus::Running => "Running",
            SessionStatus::Idle => "Idle",
            SessionStatus::Completed => "Completed",
            SessionStatus::Failed => "Failed",
            SessionStatus::Killed => "Killed",
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            SessionStatus::Pending => "◌",
            SessionStatus::Running => "◑",
            SessionStatus::Idle => "◎",
            SessionStatus::Completed => "✓",
            SessionStatus::Failed => "✕",
            SessionStatus::Killed => "■",
        }
    }

    /// No process will run for this session again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            SessionStatus::Completed | SessionStatus::Failed | SessionStatus::Killed
        )
    }

    /// The one transition check every status change goes through.
    pub fn transition(self, to: SessionStatus) -> Result<SessionStatus, SessionTransitionError> {
        use SessionStatus::*;
        let legal = matches!(
            (self, to),
            (Pending, Running | Failed | Killed)
                | (Running | Idle, Completed | Failed | Killed)
                | (Running, Idle)
                | (Idle, Running)
        );
        if legal {
            Ok(to)
        } else {
            Err(SessionTransitionError { from: self, to })
        }
    }
}

impl fmt::Display for SessionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("a session cannot go from {} to {}", from.as_str(), to.as_str())]
pub struct SessionTransitionError {
    pub from: SessionStatus,
    pub to: SessionStatus,
}

/// A session as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: SessionId,
    pub project_id: ProjectId,
    pub task_id: Option<TaskId>,
    pub status: SessionStatus,
    /// How it runs, fixed at creation: follow-ups and restarts use this, never the current
    /// Settings.
    pub runtime: RuntimeSelection,
    pub permission: PermissionPolicy,
    /// The CLI's own session/thread id, once it reported one.
    pub agent_session_id: Option<String>,
    pub cwd: String,
    pub fail_reason: Option<String>,
    pub exit_code: Option<i32>,
    pub exit_signal: Option<i32>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub last_activity_at: Option<i64>,
}

/// A standalone session to start, in the project's own checkout. (A task is started with
/// Start instead: it gets its own worktree.) The agent and model come with the request's
/// [`RuntimeSelection`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionStart {
    pub prompt: String,
    /// The agent's safe default when absent.
    #[serde(default)]
    pub permission: Option<PermissionPolicy>,
}

/// An event as persisted: its per-session sequence number is its SSE id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub at: i64,
    pub event: StreamEvent,
}

#[cfg(test)]
mod tests {
    use super::SessionStatus::*;
    use super::*;

    const LEGAL: &[(SessionStatus, SessionStatus)] = &[
        (Pending, Running),
        (Pending, Failed),
        (Pending, Killed),
        (Running, Idle),
        (Running, Completed),
        (Running, Failed),
        (Running, Killed),
        (Idle, Running),
        (Idle, Completed),
        (Idle, Failed),
        (Idle, Killed),
    ];

    #[test]
    fn every_pair_is_legal_exactly_when_listed() {
        for from in SessionStatus::ALL {
            for to in SessionStatus::ALL {
                assert_eq!(
                    from.transition(to).is_ok(),
                    LEGAL.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn final_statuses_have_no_way_out() {
        for from in SessionStatus::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(
                SessionStatus::ALL
                    .iter()
                    .all(|to| from.transition(*to).is_err())
            );
        }
        assert_eq!(
            Completed.transition(Running).unwrap_err().to_string(),
            "a session cannot go from completed to running"
        );
    }

    #[test]
    fn names_round_trip() {
        for s in SessionStatus::ALL {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(SessionStatus::parse("zombie"), None);
    }
}
