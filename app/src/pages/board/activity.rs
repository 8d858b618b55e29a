//! The board's live activity: one EventSource on the project's activity stream updates the
//! line shown on each running task's card.

use super::state::BoardState;

/// Follows the project's activity in the browser; a no-op on the server.
#[allow(unused_variables)]
pub fn follow(state: BoardState) {
    #[cfg(feature = "hydrate")]
    browser::follow(state);
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::BoardState;
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use leptos::prelude::*;
    use model::TaskStatus;
    use model::stream::Activity;
    use std::time::Duration;

    pub fn follow(state: BoardState) {
        let alive = StoredValue::new(true);
        on_cleanup(move || alive.set_value(false));
        let url = crate::paths::activity(state.project);
        leptos::task::spawn_local(async move {
            while alive.try_get_value().unwrap_or(false) {
                if let Ok(mut source) = EventSource::new(&url)
                    && let Ok(mut stream) = source.subscribe("message")
                {
                    while let Some(Ok((_, message))) = stream.next().await {
                        if !alive.try_get_value().unwrap_or(false) {
                            break;
                        }
                        let data = message.data().as_string().unwrap_or_default();
                        if let Ok(a) = crate::pages::from_json::<Activity>(&data) {
                            // A session that ended, or one this card does not know runs
                            // (started by the queue): read the task again.
                            let stale = a.line.ended
                                || state.status_of(a.task) != Some(TaskStatus::InProgress);
                            state.activity.update(|lines| {
                                lines.insert(a.task, a.line.line);
                            });
                            if stale {
                                state.refresh_task(a.task);
                            }
                        }
                    }
                    source.close();
                }
                // Closed for good (the server went away): try again shortly.
                let (tx, rx) = futures::channel::oneshot::channel::<()>();
                set_timeout(
                    move || {
                        let _ = tx.send(());
                    },
                    Duration::from_secs(2),
                );
                let _ = rx.await;
            }
        });
    }
}
