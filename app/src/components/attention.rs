//! What needs the user in the project shown (`model::attention`), kept live for every page of
//! the project: the tab's title counts it, and what starts waiting while the tab is hidden is
//! announced by a browser notification (and a sound) when the user turned them on in
//! Settings. It follows the project's activity stream and reads the attention again when a
//! line says a session ended or asks for a permission (or is the first after one: answered).

use leptos::prelude::*;
use model::ProjectId;
use model::attention::Attention;

/// The project's attention, provided by the project's layout.
#[derive(Clone, Copy)]
pub struct AttentionState {
    pub project: ProjectId,
    pub now: RwSignal<Attention>,
}

impl AttentionState {
    /// Starts following the project (in the browser; a no-op on the server).
    pub fn new(project: ProjectId, first: Attention) -> AttentionState {
        let state = AttentionState {
            project,
            now: RwSignal::new(first),
        };
        #[cfg(feature = "hydrate")]
        browser::follow(state);
        state
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::AttentionState;
    use crate::components::notify;
    use futures::StreamExt;
    use gloo_net::eventsource::futures::EventSource;
    use leptos::prelude::*;
    use model::SessionId;
    use model::attention::WaitingKind;
    use model::stream::Activity;
    use std::collections::HashSet;
    use std::time::Duration;

    pub fn follow(state: AttentionState) {
        let alive = StoredValue::new(true);
        on_cleanup(move || alive.set_value(false));
        let url = crate::paths::activity(state.project);
        leptos::task::spawn_local(async move {
            // Sessions whose last line asked for a permission: their next line means it was
            // answered.
            let mut asking: HashSet<SessionId> = HashSet::new();
            while alive.try_get_value().unwrap_or(false) {
                if let Ok(mut source) = EventSource::new(&url)
                    && let Ok(mut stream) = source.subscribe("message")
                {
                    while let Some(Ok((_, message))) = stream.next().await {
                        if !alive.try_get_value().unwrap_or(false) {
                            break;
                        }
                        let data = message.data().as_string().unwrap_or_default();
                        let Ok(a) = crate::pages::from_json::<Activity>(&data) else {
                            continue;
                        };
                        let asks = a.line.line.starts_with('⚑');
                        let answered = asking.remove(&a.session);
                        if asks {
                            asking.insert(a.session);
                        }
                        if asks || answered || a.line.ended {
                            read_again(state).await;
                        }
                    }
                    source.close();
                }
                crate::components::time::sleep(Duration::from_secs(2)).await;
            }
        });
    }

    /// Reads the attention again; announces what started waiting if the tab is hidden.
    async fn read_again(state: AttentionState) {
        let Ok(now) = crate::api::get_attention(state.project).await else {
            return; // the next line tries again
        };
        let before = state.now.get_untracked();
        if notify::wanted() && notify::page_hidden() {
            for waiting in now.new_since(&before) {
                let link = match (waiting.kind, waiting.session, waiting.task) {
                    (WaitingKind::Permission, Some(session), _) => {
                        crate::paths::session(state.project, session)
                    }
                    (_, _, Some(task)) => crate::paths::task(state.project, task),
                    _ => crate::paths::board(state.project),
                };
                notify::show(&waiting.message(), &link);
            }
        }
        state.now.set(now);
    }
}
