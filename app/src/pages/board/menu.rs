//! The board's one ⋯ menu and one edit form, opened on the card they are asked for: which card
//! and what they show is board state, and the card renders them from its view.

use super::state::{BoardState, card_dom_id, focus, focus_card};
use crate::api;
use crate::components::{Mutation, TaskFormFields};
use crate::error::AppError;
use leptos::prelude::*;
use model::{Task, TaskDraft, TaskId};

/// What the ⋯ menu of a card shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MenuState {
    Open,
    ConfirmDelete,
}

/// The board's one edit form: which card it is open on, and its values.
#[derive(Clone, Copy)]
pub struct EditForm {
    pub task: RwSignal<Option<TaskId>>,
    pub fields: TaskFormFields,
    pub error: RwSignal<Option<AppError>>,
    /// Saves the form's draft for its task.
    pub save: Mutation<(TaskId, TaskDraft), Task>,
}

impl BoardState {
    /// Opens the ⋯ menu of `id` (closing any other), or closes it if it is open.
    pub fn toggle_menu(self, id: TaskId) {
        let open = self.menu.get_untracked().is_some_and(|(m, _)| m == id);
        self.menu.set((!open).then_some((id, MenuState::Open)));
        let selector = if open {
            format!("#{} .card-menu > summary", card_dom_id(id))
        } else {
            format!("#{} .card-menu .menu > :first-child", card_dom_id(id))
        };
        focus_after_render(selector);
    }

    pub fn set_menu(self, id: TaskId, menu: MenuState) {
        self.menu.set(Some((id, menu)));
        let focused = match menu {
            MenuState::Open => "button.delete",
            MenuState::ConfirmDelete => "button.keep",
        };
        focus_after_render(format!("#{} .card-menu {focused}", card_dom_id(id)));
    }

    /// Opens the board's edit form on `id`, with the task as the server has it now (the card
    /// does not hold its prompt).
    pub fn begin_edit(self, id: TaskId) {
        self.menu.set(None);
        self.call(id, api::get_task(self.project, id), move |task| {
            self.edit.fields.reset(TaskDraft {
                title: task.title.clone(),
                description: task.description.clone(),
                prompt: task.prompt.clone(),
                priority: task.priority,
            });
            self.edit.error.set(None);
            self.upsert(task);
            self.edit.task.set(Some(id));
            focus_after_render(format!("#edit-{id}-title"));
        });
    }

    /// The edit form's task was saved: the form closes on the updated card.
    pub(super) fn edited(self, task: Task) {
        let id = task.id;
        if self.edit.task.get_untracked() == Some(id) {
            self.edit.task.set(None);
        }
        self.upsert(task);
        request_animation_frame(move || focus_card(id));
    }

    pub fn cancel_edit(self) {
        if let Some(id) = self.edit.task.get_untracked() {
            self.edit.task.set(None);
            request_animation_frame(move || focus_card(id));
        }
    }
}

/// Focuses what `selector` finds once the change just made is rendered (a card re-renders as
/// a new element, so the focus would be lost).
fn focus_after_render(selector: String) {
    request_animation_frame(move || focus(&selector));
}
