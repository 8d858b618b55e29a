//! The events of a column's cards, handled once by the column: a card carries no handlers of
//! its own. The card is found by `data-task-id`, the control by `data-action` (see `card.rs`).
//! Keyboard: Alt+↑/↓ moves the focused card within its column, Escape closes its ⋯ menu.

use super::menu::MenuState;
use super::state::BoardState;
use leptos::ev::{DragEvent, Event, KeyboardEvent, MouseEvent};
use leptos::prelude::*;
use model::{BoardColumn, TaskId, TaskStatus};
use wasm_bindgen::JsCast;

model::wire_enum! {
    /// What a card's control does: its `data-action`, written by `card.rs`, read here.
    pub enum CardAction {
        Start = "start",
        Menu = "menu",
        Move = "move",
        Edit = "edit",
        Delete = "delete",
        ConfirmDelete = "confirm-delete",
        Keep = "keep",
    }
}

/// The element an event happened on.
fn target(ev: &Event) -> Option<web_sys::Element> {
    ev.target()?.dyn_into::<web_sys::Element>().ok()
}

/// The card `el` is in, by its id.
fn card_of(el: &web_sys::Element) -> Option<(web_sys::Element, TaskId)> {
    let card = el.closest("article.card[data-task-id]").ok()??;
    let id = card.get_attribute("data-task-id")?.parse().ok()?;
    Some((card, id))
}

/// The control with a `data-action` the event happened in, its action and its card's id.
fn action_of(ev: &Event) -> Option<(web_sys::Element, CardAction, TaskId)> {
    let control = target(ev)?.closest("[data-action]").ok()??;
    let action = CardAction::parse(&control.get_attribute("data-action")?)?;
    let (_, id) = card_of(&control)?;
    Some((control, action, id))
}

pub fn on_click(state: BoardState, ev: MouseEvent) {
    let Some((_, action, id)) = action_of(&ev) else {
        return;
    };
    match action {
        CardAction::Start => state.start(id),
        CardAction::Menu => {
            // The menu's state says whether it is open, not the browser's toggle.
            ev.prevent_default();
            state.toggle_menu(id);
        }
        CardAction::Edit => state.begin_edit(id),
        CardAction::Delete => state.set_menu(id, MenuState::ConfirmDelete),
        CardAction::Keep => state.set_menu(id, MenuState::Open),
        CardAction::ConfirmDelete => {
            state.menu.set(None);
            state.delete(id);
        }
        // The Move-to select acts on change, not on click.
        CardAction::Move => {}
    }
}

/// The Move-to select of a card's menu.
pub fn on_change(state: BoardState, ev: Event) {
    let Some((control, action, id)) = action_of(&ev) else {
        return;
    };
    let Ok(select) = control.dyn_into::<web_sys::HtmlSelectElement>() else {
        return;
    };
    if action == CardAction::Move {
        let chosen = select.value();
        select.set_value("");
        if let Some(to) = TaskStatus::parse(&chosen) {
            state.move_to(id, to);
        }
    }
}

pub fn on_keydown(state: BoardState, column: BoardColumn, ev: KeyboardEvent) {
    let Some((_, id)) = target(&ev).and_then(|el| card_of(&el)) else {
        return;
    };
    if ev.key() == "Escape" && state.menu.get_untracked().is_some_and(|(m, _)| m == id) {
        state.toggle_menu(id);
        return;
    }
    if !ev.alt_key() || state.edit.task.get_untracked() == Some(id) {
        return;
    }
    let delta: isize = match ev.key().as_str() {
        "ArrowUp" => -1,
        "ArrowDown" => 1,
        _ => return,
    };
    ev.prevent_default();
    let ids = state.column_ids(column);
    let Some(index) = ids.iter().position(|t| *t == id) else {
        return;
    };
    let target = index as isize + delta;
    if target >= 0 && (target as usize) < ids.len() {
        state.reorder(id, target as usize, true);
    }
}

pub fn on_dragstart(state: BoardState, ev: DragEvent) {
    let Some((card, id)) = target(&ev).and_then(|el| card_of(&el)) else {
        return;
    };
    if let Some(dt) = ev.data_transfer() {
        let _ = dt.set_data("text/plain", &id.to_string());
        dt.set_effect_allowed("move");
    }
    // Marked on the element itself: re-rendering the card would end the drag.
    let _ = card.class_list().add_1("dragging");
    state.dragging.set_value(Some(id));
}

pub fn on_dragend(state: BoardState, ev: DragEvent) {
    if let Some((card, _)) = target(&ev).and_then(|el| card_of(&el)) {
        let _ = card.class_list().remove_1("dragging");
    }
    state.dragging.set_value(None);
}

/// A drop on a card of the same column puts the dragged card at its place; anywhere else in
/// the column (or on a card of another status group) moves it to this column.
pub fn on_drop(state: BoardState, column: BoardColumn, ev: DragEvent) {
    ev.prevent_default();
    let Some(dragged) = state.dragging.get_value() else {
        return;
    };
    state.dragging.set_value(None);
    let onto = target(&ev).and_then(|el| card_of(&el)).map(|(_, id)| id);
    match (onto, state.status_of(dragged)) {
        (Some(onto), _) if onto == dragged => {}
        (Some(onto), Some(from)) if BoardColumn::of(from) == column => {
            let ids = state.column_ids(column);
            if let Some(position) = ids.iter().position(|t| *t == onto) {
                state.reorder(dragged, position, false);
            }
        }
        (None, Some(from)) if BoardColumn::of(from) == column => {}
        (_, Some(_)) => state.drop_on_column(dragged, column),
        (_, None) => {}
    }
}
