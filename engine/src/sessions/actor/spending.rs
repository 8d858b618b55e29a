//! A task's budget while a turn runs: what the turn's model calls used so far, as the CLI
//! reports it (Claude Code, per message), added to what the task's attempts spent before.
//! Once that reaches the budget the turn is stopped, and its end (`turns.rs`) fails the
//! attempt with "budget of $X reached after $Y". A CLI that reports usage only at a turn's
//! end (Codex, the ACP agents) is held to the budget there.

use super::Actor;
use crate::budgets::TurnLimit;
use model::StreamEvent;
use model::usage::{CallUsage, ModelUsage, RunningUsage};

/// The running turn's spending, begun anew with each turn.
#[derive(Default)]
pub(super) struct TurnSpending {
    running: RunningUsage,
    /// What the turn is held to, read at its first report; `Some(None)`: nothing.
    limit: Option<Option<TurnLimit>>,
    /// The budget's failure, once the turn was stopped for it.
    stopped: Option<String>,
}

impl TurnSpending {
    /// The reason the turn was stopped for its budget, if it was (asked once).
    pub(super) fn take_stop(&mut self) -> Option<String> {
        self.stopped.take()
    }

    /// What the turn used so far, for a turn whose process ended before its account.
    pub(super) fn running_models(&self) -> Vec<ModelUsage> {
        self.running.models()
    }
}

impl Actor {
    /// Takes in what the running turn's calls used so far; stops the turn when the task's
    /// budget is reached.
    pub(super) async fn on_spent(&mut self, spent: Vec<CallUsage>) {
        let Some(task) = self.session.task_id else {
            return;
        };
        if spent.is_empty() || !self.phase.is_turn() || self.spending.stopped.is_some() {
            return;
        }
        for report in &spent {
            self.spending.running.observe(report);
        }
        if self.spending.limit.is_none() {
            let limit = self.engine.turn_limit(self.session.project_id, task).await;
            self.spending.limit = Some(limit);
        }
        let model = self.session.runtime.model();
        let Some(reason) = self
            .spending
            .limit
            .as_ref()
            .and_then(Option::as_ref)
            .and_then(|limit| limit.reached(&self.spending.running, model))
        else {
            return;
        };
        self.emit(StreamEvent::Error {
            message: format!("The task's {reason}: its turn is stopped."),
            retrying: false,
        });
        self.spending.stopped = Some(reason);
        if let Err(e) = self.interrupt().await {
            tracing::warn!(session = %self.id, "stopping a turn at its budget: {e}");
        }
    }

    /// A task's attempt whose turn took it to its budget ends there: the attempt fails with
    /// "budget of $X reached after $Y", whatever the turn did — the recorded figures when
    /// they reach it, else those the turn was stopped on. True when it ends the attempt.
    pub(super) async fn stop_at_budget(&mut self) -> bool {
        let stopped = self.spending.take_stop();
        let Some(task) = self.session.task_id else {
            return false;
        };
        let project = self.session.project_id;
        let recorded = self.engine.task_budget_reached(project, task).await;
        let said = stopped.is_some();
        let Some(reason) = recorded.or(stopped) else {
            return false;
        };
        if !said {
            self.emit(StreamEvent::Error {
                message: format!("The task's {reason}: it stops here."),
                retrying: false,
            });
        }
        self.last_turn_failure = Some(reason);
        true
    }

    /// The attempt ends at its budget: what the user queued is not sent, and they are told
    /// (the messages stay in the transcript, for the retry).
    pub(super) fn unsent_at_budget(&mut self) {
        if self.queue.is_empty() {
            return;
        }
        let unsent = self.queue.len();
        self.queue.clear();
        let was = if unsent == 1 {
            "message was"
        } else {
            "messages were"
        };
        self.emit(StreamEvent::Error {
            message: format!(
                "{unsent} queued {was} not sent: the task's budget is reached. Retry the task with a higher budget to go on."
            ),
            retrying: false,
        });
    }
}
