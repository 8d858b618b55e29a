//! The board's live activity: the project's activity (the tab's one follower, in the layout)
//! updates the line shown on each running task's card.

use super::state::BoardState;
use crate::components::activity::ActivityHub;
use leptos::prelude::*;

/// Listens to the project's activity (its lines come in the browser only).
pub fn follow(state: BoardState) {
    let Some(hub) = use_context::<ActivityHub>() else {
        return; // outside a project's layout: no live lines
    };
    hub.listen(move |a| {
        // A session that ended, or one this card does not know runs (started by the
        // queue): read the task again.
        let stale = a.line.ended || state.status_of(a.task) != Some(model::TaskStatus::InProgress);
        state.activity.update(|lines| {
            lines.insert(a.task, a.line.line.clone());
        });
        if stale {
            state.refresh_task(a.task);
        }
    });
}
