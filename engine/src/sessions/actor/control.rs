//! The user's hold on a running turn: permission answers (and their timeout) and stopping.

use super::phase::Phase;
use super::{Actor, Stopping};
use crate::sessions::run::AnswerError;
use model::{PermissionAnswer, PermissionChoice, PermissionOutcome, StreamEvent};
use tokio::time::Instant;

/// A permission request waiting for the user: when it is denied by itself, the input the
/// CLI proposed (an allow without edits sends it back) and the agent's own answers to it.
pub(super) struct PendingPermission {
    pub(super) deadline: Instant,
    pub(super) input: serde_json::Value,
    pub(super) options: Vec<PermissionChoice>,
}

impl Actor {
    pub(super) async fn answer(
        &mut self,
        request_id: &str,
        answer: &PermissionAnswer,
    ) -> Result<(), String> {
        let Some(pending) = self.permissions.get(request_id) else {
            return Err(format!("No permission request {request_id} is waiting."));
        };
        // A wrong option is refused before anything is sent: the request stays open.
        answer.check_option(&pending.options)?;
        let Some(pending) = self.permissions.remove(request_id) else {
            return Err(format!("No permission request {request_id} is waiting."));
        };
        // Claude Code 2.1.197 refuses an allow without the input to run (a record); later
        // versions take either: an unedited allow sends the proposed input back.
        let answer = match answer {
            PermissionAnswer::Allow {
                updated_input: None,
                option,
            } => &PermissionAnswer::Allow {
                updated_input: Some(pending.input).filter(serde_json::Value::is_object),
                option: option.clone(),
            },
            answer => answer,
        };
        let run = self.run.as_mut().ok_or(AnswerError::Gone.to_string())?;
        run.answer_permission(request_id, answer)
            .await
            .map_err(|e| e.to_string())?;
        let outcome = match answer {
            PermissionAnswer::Allow { .. } => PermissionOutcome::Allowed,
            PermissionAnswer::Deny { .. } => PermissionOutcome::Denied,
        };
        self.emit(StreamEvent::PermissionResolved {
            request_id: request_id.to_string(),
            outcome,
        });
        if let Some(turn) = self.phase.turn_mut() {
            turn.deadline = Instant::now() + self.engine.config().turn_timeout;
        }
        Ok(())
    }

    pub(super) async fn interrupt(&mut self) -> Result<(), String> {
        if !self.phase.is_turn() {
            return Err("No turn is running.".into());
        }
        let request_id = format!("devlog-interrupt-{}", self.id);
        if let Some(run) = self.run.as_mut()
            && run.interrupt(&request_id).await
        {
            let grace = self.engine.config().stop_grace;
            if let Some(turn) = self.phase.turn_mut() {
                turn.stop_asked = true;
                turn.deadline = Instant::now() + grace;
            }
            // What the agent asked is no longer waited for (an ACP agent's requests were just
            // answered "cancelled"), and the stop's grace runs: a permission's clock would
            // hold it.
            for request_id in std::mem::take(&mut self.permissions).into_keys() {
                self.emit(StreamEvent::PermissionWithdrawn { request_id });
            }
            return Ok(());
        }
        self.stop_turn_process(Stopping::Interrupt);
        Ok(())
    }

    fn stop_turn_process(&mut self, why: Stopping) {
        if let Some(run) = &self.run {
            self.stopping = Some(why);
            run.stop_group(self.engine.config().kill_grace);
        }
    }

    pub(super) async fn on_deadline(&mut self) {
        let now = Instant::now();
        if self.phase.finishing_until().is_some_and(|at| at <= now) {
            // The CLI did not exit after its last turn: stop it; the turn's outcome stands.
            let until = now + self.engine.config().turn_timeout;
            self.enter(Phase::Finishing { until });
            self.stop_turn_process(Stopping::Final);
            return;
        }
        let expired: Vec<String> = self
            .permissions
            .iter()
            .filter(|(_, pending)| pending.deadline <= now)
            .map(|(id, _)| id.clone())
            .collect();
        if !expired.is_empty() {
            for request_id in expired {
                let deny =
                    PermissionAnswer::deny("Nobody answered this permission request in time.");
                if let Some(run) = self.run.as_mut()
                    && let Err(e) = run.answer_permission(&request_id, &deny).await
                {
                    tracing::warn!(session = %self.id, "denying a request nobody answered: {e}");
                }
                self.permissions.remove(&request_id);
                self.emit(StreamEvent::PermissionResolved {
                    request_id,
                    outcome: PermissionOutcome::TimedOut,
                });
            }
            if let Some(turn) = self.phase.turn_mut() {
                turn.deadline = now + self.engine.config().turn_timeout;
            }
            return;
        }
        if self.phase.turn().is_some_and(|t| t.deadline <= now) {
            // The turn's end, once the process is gone, says why (one event per failure).
            let mut why = Stopping::Timeout;
            if let Some(turn) = self.phase.turn_mut() {
                // Wait for the exit, not for another deadline.
                turn.deadline = now + self.engine.config().turn_timeout;
                if turn.stop_asked {
                    why = Stopping::Interrupt;
                }
            }
            if matches!(why, Stopping::Interrupt) {
                self.emit(StreamEvent::Log {
                    line: format!(
                        "The agent did not stop its turn within {} s of being asked: its process was stopped (the next message starts it again).",
                        self.engine.config().stop_grace.as_secs_f32()
                    ),
                });
            }
            self.stop_turn_process(why);
        }
    }
}
