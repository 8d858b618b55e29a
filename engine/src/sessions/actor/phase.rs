//! What a live session is doing, apart from its process: one explicit state with one checked
//! transition ([`Phase::go`]), as the task and session statuses have.
//!
//! ```text
//!              a message starts                the turn ends: a task's, nothing queued
//!   Waiting ───────────────────▶ Turn ────────────────────────────────────▶ Finishing
//!      ▲                          │                                             │
//!      └──────────────────────────┘                                             │
//!        the turn ends, is stopped (Stop turn, its timeout),                    │
//!        cannot start, or its process died (restarted once: Turn again)         │
//!      ▲                                                                        │
//!      └──────────── the process exited (or its deadline passed): the outcome ──┘
//!                    is decided and the session takes a final status
//! ```
//!
//! Beside it, and independent of it: the agent's process (`AgentRun`, kept across turns by
//! Claude Code, one per turn for Codex); `Stopping`, why we stopped a process ourselves so its
//! exit is not taken for a crash; and `restarted`, the one resume allowed after a death
//! mid-turn. A final session status ends the actor whatever the phase.

use super::Message;
use tokio::time::Instant;

/// The message a turn answers, held with its secrets until the turn ends.
pub(super) struct Turn {
    pub(super) message: Message,
    /// When it is stopped for running too long (moved on while the user is asked), or, once
    /// the agent was asked to stop, for not stopping.
    pub(super) deadline: Instant,
    /// Stop turn was asked of the agent itself: at the deadline its process is stopped, and
    /// the turn ends stopped, not timed out.
    pub(super) stop_asked: bool,
}

pub(super) enum Phase {
    /// No turn runs: waiting for a message (a Claude Code process may wait with it).
    Waiting,
    Turn(Turn),
    /// A task's attempt ended with its turn: the process is let go, and the attempt's outcome
    /// is decided at its exit, or at `until` (then it is stopped).
    Finishing {
        until: Instant,
    },
}

/// A phase change the diagram above does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a session cannot go from {from} to {to}")]
pub(super) struct IllegalPhase {
    from: &'static str,
    to: &'static str,
}

impl Phase {
    fn name(&self) -> &'static str {
        match self {
            Phase::Waiting => "waiting",
            Phase::Turn(_) => "a turn",
            Phase::Finishing { .. } => "finishing",
        }
    }

    /// The one transition: checked against the diagram, and the phase left is returned (a
    /// turn that ends gives back its message).
    pub(super) fn go(&mut self, next: Phase) -> Result<Phase, IllegalPhase> {
        let legal = matches!(
            (&*self, &next),
            (
                Phase::Waiting,
                Phase::Waiting | Phase::Turn(_) | Phase::Finishing { .. }
            ) | (Phase::Turn(_), Phase::Waiting)
                | (
                    Phase::Finishing { .. },
                    Phase::Finishing { .. } | Phase::Waiting
                )
        );
        if !legal {
            return Err(IllegalPhase {
                from: self.name(),
                to: next.name(),
            });
        }
        Ok(std::mem::replace(self, next))
    }

    pub(super) fn turn(&self) -> Option<&Turn> {
        match self {
            Phase::Turn(turn) => Some(turn),
            _ => None,
        }
    }

    pub(super) fn turn_mut(&mut self) -> Option<&mut Turn> {
        match self {
            Phase::Turn(turn) => Some(turn),
            _ => None,
        }
    }

    pub(super) fn is_turn(&self) -> bool {
        self.turn().is_some()
    }

    /// When a finishing attempt's process is stopped, if the attempt is finishing.
    pub(super) fn finishing_until(&self) -> Option<Instant> {
        match self {
            Phase::Finishing { until } => Some(*until),
            _ => None,
        }
    }

    pub(super) fn is_finishing(&self) -> bool {
        self.finishing_until().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::TransientSecrets;

    fn turn() -> Phase {
        Phase::Turn(Turn {
            message: Message {
                text: "hi".into(),
                secrets: TransientSecrets::default(),
            },
            deadline: Instant::now(),
            stop_asked: false,
        })
    }

    fn finishing() -> Phase {
        Phase::Finishing {
            until: Instant::now(),
        }
    }

    #[test]
    fn a_turn_starts_only_while_waiting_and_gives_its_message_back_when_it_ends() {
        let mut phase = Phase::Waiting;
        assert!(phase.go(turn()).is_ok());
        assert!(phase.is_turn());
        assert!(phase.go(turn()).is_err(), "one turn at a time");
        assert!(
            phase.go(finishing()).is_err(),
            "an attempt finishes after its turn"
        );
        let Ok(ended) = phase.go(Phase::Waiting) else {
            panic!("a turn could not end");
        };
        assert_eq!(ended.turn().map(|t| t.message.text.as_str()), Some("hi"));
        assert!(!phase.is_turn());
    }

    #[test]
    fn a_finishing_attempt_takes_no_turn_and_may_wait_longer() {
        let mut phase = Phase::Waiting;
        assert!(phase.go(finishing()).is_ok());
        assert!(phase.is_finishing());
        let Err(err) = phase.go(turn()) else {
            panic!("a turn started while finishing");
        };
        assert_eq!(
            err.to_string(),
            "a session cannot go from finishing to a turn"
        );
        assert!(phase.go(finishing()).is_ok(), "its deadline is moved on");
        assert!(phase.go(Phase::Waiting).is_ok(), "its outcome is decided");
        assert_eq!(phase.finishing_until(), None);
    }
}
