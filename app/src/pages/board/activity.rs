//! The board's live activity: the project's activity stream updates the line shown on each
//! running task's card.

use super::state::BoardState;

/// Follows the project's activity in the browser; a no-op on the server.
#[allow(unused_variables)]
pub fn follow(state: BoardState) {
    #[cfg(feature = "hydrate")]
    crate::components::activity::follow(state.project, move |a| {
        use leptos::prelude::*;
        // A session that ended, or one this card does not know runs (started by the
        // queue): read the task again.
        let stale = a.line.ended || state.status_of(a.task) != Some(model::TaskStatus::InProgress);
        state.activity.update(|lines| {
            lines.insert(a.task, a.line.line);
        });
        if stale {
            state.refresh_task(a.task);
        }
    });
}
