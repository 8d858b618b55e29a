//! The diff of a task's worktree while its agent works, on the task page and the session page:
//! loaded again when the session reports what may have changed files (a tool's result, a file
//! change, a turn's end) — one request at a time, the last report never missed — not polled.

use super::diff::DiffView;
use crate::api;
use crate::components::Erase;
use crate::error::AppError;
use leptos::prelude::*;
use model::review::TaskDiff;
use model::{ProjectId, TaskId};

#[component]
pub fn LiveDiff(
    project: ProjectId,
    task: TaskId,
    /// Counts the session's reports of edits; each change loads the diff again.
    edits: Signal<u32>,
    /// The diff as the page was loaded with it (`None`: load it now).
    initial: Option<TaskDiff>,
    /// Shown expanded (the task page) or as a summary to open (the session page).
    open: bool,
) -> impl IntoView {
    let has_initial = initial.is_some();
    let diff = RwSignal::new(initial.map(Ok::<_, AppError>));
    let loading = RwSignal::new(false);
    // A report that came while a load ran: one more load once it is done.
    let again = StoredValue::new(false);
    let load = move || {
        if loading.get_untracked() {
            again.set_value(true);
            return;
        }
        loading.set(true);
        leptos::task::spawn_local(async move {
            loop {
                let loaded = api::get_task_diff(project, task, None).await;
                if diff.try_set(Some(loaded)).is_some() {
                    return; // the page is gone
                }
                if !again.try_update_value(std::mem::take).unwrap_or(false) {
                    break;
                }
            }
            loading.set(false);
        });
    };
    // Browser only (effects do not run on the server): the first run loads what the page
    // lacks, each later one follows a report.
    Effect::new(move |seen: Option<u32>| {
        let now = edits.get();
        if seen.is_some_and(|seen| seen != now) || (seen.is_none() && !has_initial) {
            load();
        }
        now
    });
    let summary = move || match diff.get() {
        None => "loading…".to_string(),
        Some(Err(_)) => "cannot be read".to_string(),
        Some(Ok(d)) => format!(
            "{} file{} · +{} −{}",
            d.total_files,
            if d.total_files == 1 { "" } else { "s" },
            d.total_added,
            d.total_removed
        ),
    };
    view! {
        <details class="live-diff" id="live-diff" open=open>
            <summary>
                "Changes in the worktree: "<span id="live-diff-summary">{summary}</span>
                <span class="muted" role="status">{move || if loading.get() { " · updating…" } else { " · follows the agent's edits" }}</span>
            </summary>
            {move || diff.get().map(|loaded| match loaded {
                Ok(d) => view! { <DiffView project task diff=Some(d) diff_error=None/> }.erased(),
                Err(e) => view! { <DiffView project task diff=None diff_error=Some(e.to_string())/> }.erased(),
            })}
        </details>
    }
    .erased()
}

/// Counts the edits `url`'s session stream reports, from after `after`, until the session
/// ends or the page goes; a lost connection is opened again from the last event seen. A no-op
/// on the server.
#[allow(unused_variables)]
pub fn follow_edits(url: String, after: i64, edits: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    browser::follow_edits(url, after, edits);
}

#[cfg(feature = "hydrate")]
mod browser {
    use crate::components::time::sleep;
    use futures::{FutureExt, StreamExt};
    use gloo_net::eventsource::futures::EventSource;
    use leptos::prelude::*;
    use std::time::Duration;

    /// How often a quiet stream checks that its page is still there.
    const ALIVE_CHECK: Duration = Duration::from_secs(1);

    pub fn follow_edits(url: String, after: i64, edits: RwSignal<u32>) {
        let alive = StoredValue::new(true);
        on_cleanup(move || alive.set_value(false));
        let is_alive = move || alive.try_get_value().unwrap_or(false);
        leptos::task::spawn_local(async move {
            let mut last = after;
            while is_alive() {
                let Ok(mut source) = EventSource::new(&format!("{url}?after={last}")) else {
                    sleep(ALIVE_CHECK).await;
                    continue;
                };
                let Ok(messages) = source.subscribe("message") else {
                    source.close();
                    return;
                };
                let mut messages = messages.fuse();
                // One timer at a time, not one per message.
                let mut tick = Box::pin(sleep(ALIVE_CHECK).fuse());
                loop {
                    futures::select! {
                        message = messages.next() => {
                            let Some(Ok((_, message))) = message else { break };
                            let data = message.data().as_string().unwrap_or_default();
                            let Ok(event) = crate::pages::from_json::<model::StoredEvent>(&data) else {
                                continue;
                            };
                            last = event.seq;
                            if event.event.may_change_files() {
                                edits.try_update(|n| *n = n.wrapping_add(1));
                            }
                            if event.event.is_final_status() {
                                source.close();
                                return;
                            }
                        }
                        () = tick => {
                            if !is_alive() {
                                source.close();
                                return;
                            }
                            tick = Box::pin(sleep(ALIVE_CHECK).fuse());
                        }
                    }
                }
                source.close();
                sleep(ALIVE_CHECK).await;
            }
        });
    }
}
