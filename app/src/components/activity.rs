//! A project's activity stream (`paths::activity`), followed in the browser: the latest line of
//! each running session. The board shows the lines on its cards; every page of the project
//! reads what waits for the user again when one says a session ended or asks for a permission.

#[cfg(feature = "hydrate")]
mod browser {
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use leptos::prelude::*;
    use model::ProjectId;
    use model::stream::Activity;
    use std::time::Duration;

    /// Calls `on` with each line of the project's activity for as long as the calling view
    /// lives, connecting again after a lost connection.
    pub fn follow(project: ProjectId, mut on: impl FnMut(Activity) + 'static) {
        let alive = StoredValue::new(true);
        on_cleanup(move || alive.set_value(false));
        let url = crate::paths::activity(project);
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
                        if let Ok(activity) = crate::pages::from_json::<Activity>(&data) {
                            on(activity);
                        }
                    }
                    source.close();
                }
                // Closed for good (the server went away): try again shortly.
                crate::components::time::sleep(Duration::from_secs(2)).await;
            }
        });
    }
}

#[cfg(feature = "hydrate")]
pub use browser::follow;
