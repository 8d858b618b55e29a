//! What one card shows, as a value: a card is rendered from its [`CardView`] alone and keyed by
//! it, so a card has no reactive parts of its own and re-renders when (and only when) what it
//! shows changes. The one exception is the live activity line of a running task.

use super::menu::MenuState;
use super::state::BoardState;
use crate::api::CardContent;
use leptos::prelude::*;
use model::schedule::QueueState;
use model::{ProjectId, TaskId, TaskStatus};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CardView {
    pub project: ProjectId,
    pub content: CardContent,
    pub status: TaskStatus,
    /// A call for this card is in flight.
    pub busy: bool,
    /// The last refusal or failure of an action on it.
    pub error: Option<String>,
    /// The tasks it waits for that are not done.
    pub blockers: Vec<(TaskId, String)>,
    /// Why it is queued (in queue only).
    pub queue_reason: Option<String>,
    /// Queued because a bring-your-own key is needed: the user starts it.
    pub needs_key: bool,
    /// Files it shares with another running task (in progress only).
    pub conflicts: Option<Vec<String>>,
    /// Why Start is not possible with what this tab holds.
    pub start_blocked: Option<String>,
    pub menu: Option<MenuState>,
    /// The board's edit form is open on it.
    pub editing: bool,
}

impl CardView {
    pub fn id(&self) -> TaskId {
        self.content.id
    }

    /// Whether its main action is Start.
    pub fn starts(&self) -> bool {
        match self.status {
            TaskStatus::Todo | TaskStatus::Blocked => true,
            TaskStatus::InQueue => self.needs_key,
            _ => false,
        }
    }
}

impl BoardState {
    /// The view of card `id` (tracked), if the page has its text.
    pub fn card_view(&self, id: TaskId) -> Option<CardView> {
        let status = self.status(id)?;
        let content = self.cards.with(|cards| cards.get(&id).cloned())?;
        let queue = (status == TaskStatus::InQueue)
            .then(|| self.queue_reason(id))
            .flatten();
        let mut view = CardView {
            project: self.project,
            status,
            busy: self.is_busy(id),
            error: self.error_of(id),
            blockers: if status == TaskStatus::Done {
                Vec::new()
            } else {
                self.blockers_of(id)
            },
            queue_reason: queue
                .as_ref()
                .map(|reason| reason.describe(|t| self.title_of(t))),
            needs_key: queue == Some(QueueState::NeedsKey),
            conflicts: (status == TaskStatus::InProgress)
                .then(|| self.conflicts.with_value(|c| c.get(&id).cloned()))
                .flatten(),
            start_blocked: None,
            menu: self
                .menu
                .with(|m| m.filter(|(open, _)| *open == id).map(|(_, menu)| menu)),
            editing: self.edit.task.with(|t| *t == Some(id)),
            content,
        };
        // Only a card that offers Start shows (and re-renders for) the runtime's readiness.
        if view.starts() {
            view.start_blocked = self.start_blocked();
        }
        Some(view)
    }
}
