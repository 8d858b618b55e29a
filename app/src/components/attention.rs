//! What needs the user in the project shown (`model::attention`), kept live for every page of
//! the project: the tab's title counts it, and what starts waiting while the tab is hidden is
//! announced by a browser notification (and a sound) when the user turned them on in
//! Settings. It follows the project's activity stream (`components::activity`) and reads the
//! attention again when a line says a session ended or asks for a permission (or is the first
//! after one: answered).

use crate::components::activity::ActivityHub;
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
    /// Starts following the project through the tab's one activity follower (in the
    /// browser; on the server nothing is followed).
    pub fn new(project: ProjectId, first: Attention, hub: ActivityHub) -> AttentionState {
        let state = AttentionState {
            project,
            now: RwSignal::new(first),
        };
        #[cfg(feature = "hydrate")]
        browser::follow(state, hub);
        #[cfg(not(feature = "hydrate"))]
        let _ = hub;
        state
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::AttentionState;
    use crate::components::activity::ActivityHub;
    use crate::components::notify;
    use leptos::prelude::*;
    use model::SessionId;
    use model::attention::WaitingKind;
    use std::collections::HashSet;

    pub fn follow(state: AttentionState, hub: ActivityHub) {
        // Sessions whose last line asked for a permission: their next line means it was
        // answered.
        let mut asking: HashSet<SessionId> = HashSet::new();
        // Each read is numbered: an answer that comes after a later one's is dropped.
        let reads = StoredValue::new(0_u64);
        hub.listen(move |a| {
            let asks = a.line.line.starts_with('⚑');
            let answered = asking.remove(&a.session);
            if asks {
                asking.insert(a.session);
            }
            if asks || answered || a.line.ended {
                reads.update_value(|n| *n += 1);
                let read = reads.get_value();
                leptos::task::spawn_local(read_again(state, move || {
                    reads.try_get_value() == Some(read)
                }));
            }
        });
    }
    /// Reads the attention again; announces what started waiting if the tab is hidden.
    async fn read_again(state: AttentionState, still_latest: impl Fn() -> bool) {
        let Ok(now) = crate::api::get_attention(state.project).await else {
            return; // the next line tries again
        };
        if !still_latest() {
            return;
        }
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
