//! A project's activity stream (`paths::activity`) in the browser: the latest line of each
//! running session. One connection per tab, opened by the project's layout ([`ActivityHub`]):
//! the attention count follows it, and a page that shows the lines (the board) listens to the
//! same one — a browser keeps six connections per server across all its tabs, and each
//! EventSource holds one.

#[cfg(feature = "hydrate")]
use leptos::prelude::*;
use model::ProjectId;
use model::stream::Activity;

#[cfg(feature = "hydrate")]
type Listener = Box<dyn FnMut(&Activity)>;

/// The tab's one follower of its project's activity, in the layout's context. Only the
/// browser holds listeners: a page rendered on the server gets no lines (and its threads must
/// not touch storage that lives on the browser's one thread).
#[derive(Clone, Copy)]
pub struct ActivityHub {
    #[cfg(feature = "hydrate")]
    listeners: StoredValue<Vec<(u64, Listener)>, LocalStorage>,
    #[cfg(feature = "hydrate")]
    next_id: StoredValue<u64>,
}

impl ActivityHub {
    /// Follows `project`'s activity for as long as the calling view lives (in the browser;
    /// on the server nothing is followed).
    #[allow(unused_variables)]
    pub fn follow(project: ProjectId) -> ActivityHub {
        #[cfg(feature = "hydrate")]
        {
            let hub = ActivityHub {
                listeners: StoredValue::new_local(Vec::new()),
                next_id: StoredValue::new(0),
            };
            browser::follow(project, move |activity| hub.tell(&activity));
            hub
        }
        #[cfg(not(feature = "hydrate"))]
        ActivityHub {}
    }

    /// Calls `on` with each line from now on, until the calling view is gone.
    #[allow(unused_variables)]
    pub fn listen(self, on: impl FnMut(&Activity) + 'static) {
        #[cfg(feature = "hydrate")]
        {
            let id = self.next_id.get_value();
            self.next_id.set_value(id + 1);
            self.listeners
                .update_value(|all| all.push((id, Box::new(on))));
            on_cleanup(move || {
                self.listeners
                    .try_update_value(|all| all.retain(|(other, _)| *other != id));
            });
        }
    }

    #[cfg(feature = "hydrate")]
    fn tell(self, activity: &Activity) {
        self.listeners.update_value(|all| {
            for (_, on) in all.iter_mut() {
                on(activity);
            }
        });
    }
}

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
