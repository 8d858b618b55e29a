//! The session's usage line: what its turns used, read again after each live turn ends (the
//! turn's usage is stored before its `turn_ended` event, so the read always has it).

use crate::api;
use leptos::prelude::*;
use model::usage::UsageTotal;
use model::{ProjectId, SessionId};

#[component]
pub fn SessionUsageLine(
    project: ProjectId,
    session: SessionId,
    /// What the page was served with.
    initial: UsageTotal,
    /// Bumped by each live turn that ends.
    turns_ended: RwSignal<u32>,
) -> impl IntoView {
    let usage = RwSignal::new(initial);
    // Effects run only in the browser, and this one first on hydration: that run is skipped.
    Effect::new(move |seen: Option<u32>| {
        let now = turns_ended.get();
        if seen.is_some_and(|seen| seen != now) {
            leptos::task::spawn_local(async move {
                // Answers can cross: a total never goes back to fewer tokens.
                if let Ok(read) = api::get_session_usage(project, session).await
                    && read.total.tokens.total() >= usage.with_untracked(|u| u.tokens.total())
                {
                    usage.set(read.total);
                }
            });
        }
        now
    });
    view! {
        <p class="session-usage" id="session-usage">
            {move || {
                let usage = usage.get();
                if usage.is_empty() { "No usage reported".to_string() } else { format!("Used: {}", usage.label()) }
            }}
        </p>
    }
}
