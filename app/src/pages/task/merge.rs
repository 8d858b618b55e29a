//! Merging a reviewed task locally: into which branch, by which strategy, with which message —
//! and what the merge would do, told before it is done (ahead/behind, conflicts, a target
//! work tree that cannot take it), with Rebase onto the base when the branch is behind.

use super::actions::after_start;
use crate::api;
use crate::components::Erase;
use crate::components::runtime::{Launcher, RuntimeGate};
use crate::components::{Changes, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use model::{
    MergeOutcome, MergePreview, MergeRequest, MergeStrategy, RuntimeRequest, RuntimeSelection, Task,
};

#[component]
pub fn MergeForm(
    task: Task,
    preview: MergePreview,
    /// What "Ask the agent to resolve" runs with.
    runtime: RuntimeSelection,
    changes: Changes,
    /// Said on the page after it reloads with the task done.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let (project, id) = (task.project_id, task.id);
    let base = preview.branches.first().cloned().unwrap_or_default();
    let strategy = RwSignal::new(if preview.behind == 0 {
        MergeStrategy::FastForward
    } else {
        MergeStrategy::MergeCommit
    });
    let message = RwSignal::new(preview.default_message.clone());
    let preview = RwSignal::new(preview);
    let error = RwSignal::new(None::<AppError>);
    let load_preview = mutation(
        error,
        move |target: &String| api::get_merge_preview(project, id, Some(target.clone())),
        move |p: MergePreview| preview.set(p),
    );
    let merge = mutation(
        error,
        move |request: &MergeRequest| changes.after(api::merge_task(project, id, request.clone())),
        move |outcome: MergeOutcome| {
            let short: String = outcome.commit.chars().take(8).collect();
            notice.set(Some(format!(
                "Merged into {} at {short}. The task is done.",
                outcome.target
            )));
        },
    );
    let rebase = mutation(
        error,
        move |()| changes.after(api::rebase_task(project, id)),
        move |_: Task| notice.set(Some("Rebased onto the base branch.".into())),
    );
    let launcher = Launcher::new(runtime);
    let note = RwSignal::new(String::new());
    let resolve = mutation(
        error,
        move |(note, request): &(String, RuntimeRequest)| {
            changes.after(api::resolve_conflicts(
                project,
                id,
                Some(note.clone()),
                request.clone(),
                None,
            ))
        },
        after_start(project, use_navigate()),
    );
    let busy = move || {
        resolve.pending().get()
            || merge.pending().get()
            || rebase.pending().get()
            || load_preview.pending().get()
    };
    let refusal = move || preview.with(|p| p.refusal(strategy.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let target = preview.with_untracked(|p| p.target.clone());
        merge.dispatch(MergeRequest {
            strategy: strategy.get_untracked(),
            target: Some(target),
            message: Some(message.get_untracked()),
        });
    };
    view! {
        <form class="merge" id="merge" on:submit=submit aria-busy=move || busy().to_string()>
            <h2>"Merge"</h2>
            <p id="merge-summary">{move || preview.with(summary)}</p>
            {move || preview.with(|p| (!p.conflicts.is_empty()).then(|| view! {
                <div class="merge-conflicts" role="status">
                    <p><strong>"Conflicts with "{p.target.clone()}":"</strong></p>
                    <ul id="merge-conflicts">
                        {p.conflicts.iter().map(|f| view! { <li><code>{f.clone()}</code></li> }).collect_view()}
                    </ul>
                    <p class="muted">"The agent can resolve them: the base is merged into the task's branch in its worktree, conflicts left open, and a new attempt is told which files to fix."</p>
                    <label for="resolve-note">"Anything else to tell the agent (optional)"</label>
                    <textarea id="resolve-note" rows="2" bind:value=note></textarea>
                    <RuntimeGate selection=launcher.selection() settings_href=crate::paths::settings(project)/>
                    <button type="button" id="resolve-with-agent" disabled=move || busy() || launcher.blocked().is_some()
                        on:click=move |_| { resolve.dispatch((note.get_untracked(), launcher.request())); }>
                        {move || if resolve.pending().get() { "Starting the agent…" } else { "Ask the agent to resolve" }}
                    </button>
                </div>
            }))}
            {move || preview.with(|p| p.target_blocked.clone()).map(|why| view! {
                <p class="fail-reason" id="merge-blocked" role="status">{why}</p>
            })}
            <label for="merge-target">"Into branch"</label>
            <select id="merge-target" disabled=busy on:change=move |ev| {
                load_preview.dispatch(event_target_value(&ev));
            }>
                {move || preview.with(|p| p.branches.iter().map(|b| {
                    let selected = *b == p.target;
                    view! { <option value=b.clone() selected=selected>{b.clone()}</option> }
                }).collect_view())}
            </select>
            <fieldset class="merge-strategies">
                <legend>"How"</legend>
                {MergeStrategy::ALL.into_iter().map(|s| view! {
                    <label>
                        <input type="radio" name="merge-strategy" value=s.as_str()
                            checked=move || strategy.get() == s
                            on:change=move |_| strategy.set(s)/>
                        " "{s.label()}
                    </label>
                }).collect_view()}
            </fieldset>
            <div hidden=move || strategy.get() == MergeStrategy::FastForward>
                <label for="merge-message">"Commit message"</label>
                <textarea id="merge-message" rows="4" bind:value=message></textarea>
            </div>
            {move || refusal().map(|why| view! { <p class="muted" id="merge-refusal">{why}</p> })}
            <FormError error/>
            <button type="submit" class="primary" id="merge-submit" disabled=move || busy() || refusal().is_some()>
                {move || if merge.pending().get() { "Merging…" } else { "Merge" }}
            </button>
            {move || preview.with(|p| p.behind > 0 || !p.conflicts.is_empty()).then(|| {
                let base = base.clone();
                view! {
                    <button type="button" id="rebase" disabled=busy on:click=move |_| { rebase.dispatch(()); }>
                        {move || if rebase.pending().get() { "Rebasing…".to_string() } else { format!("Rebase onto {base}") }}
                    </button>
                }
            })}
            {move || busy().then(|| view! { <progress aria-label="Working on the branch"></progress> })}
        </form>
    }
    .erased()
}

/// "task/3-x: 2 commits ahead of main, 1 behind; uncommitted work is committed first."
fn summary(p: &MergePreview) -> String {
    let commits = |n: u32| format!("{n} commit{}", if n == 1 { "" } else { "s" });
    let mut out = format!("{}: {} ahead of {}", p.branch, commits(p.ahead), p.target);
    if p.behind > 0 {
        out.push_str(&format!(", {} behind", commits(p.behind)));
    }
    out.push('.');
    if p.uncommitted {
        out.push_str(" Uncommitted work in the worktree is committed first.");
    }
    match &p.target_worktree {
        Some(tree) => out.push_str(&format!(
            " {} is checked out in {tree}: its files follow.",
            p.target
        )),
        None => out.push_str(&format!(
            " {} is not checked out: only the branch moves.",
            p.target
        )),
    }
    out
}
