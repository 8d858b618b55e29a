//! Settings > Worktree set-up: the files copied from the main work tree into each new task
//! worktree (one glob pattern a line) and the command run there before the agent starts.

use crate::api;
use crate::components::{Erase, FieldError, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use model::ProjectId;
use model::setup::WorktreeSetup;

#[component]
pub fn WorktreeSetupForm(project: ProjectId, setup: WorktreeSetup) -> impl IntoView {
    let patterns = RwSignal::new(setup.copy.join("\n"));
    let command = RwSignal::new(setup.command.clone().unwrap_or_default());
    let saved = RwSignal::new(None::<WorktreeSetup>);
    let error = RwSignal::new(None::<AppError>);
    let save = mutation(
        error,
        move |setup: &WorktreeSetup| api::save_worktree_setup(project, setup.clone()),
        move |setup: WorktreeSetup| {
            patterns.set(setup.copy.join("\n"));
            command.set(setup.command.clone().unwrap_or_default());
            saved.set(Some(setup));
        },
    );
    let pending = save.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(None);
        let setup = WorktreeSetup {
            copy: patterns.get_untracked().lines().map(String::from).collect(),
            command: Some(command.get_untracked()),
        };
        // The server's own rule, so the form refuses exactly what the server would.
        match setup.validate() {
            Ok(setup) => {
                save.dispatch(setup);
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    view! {
        <form class="runtime-form worktree-setup" id="worktree-setup" novalidate on:submit=submit>
            <h2>"Worktree set-up"</h2>
            <p class="muted">"Done once for each new task worktree, before the agent starts; its output is the first step of the session, and a failing command fails the attempt."</p>
            <label for="setup-copy">"Files to copy from the main work tree (one glob a line, e.g. "<code>".env"</code>" or "<code>"config/*.local.json"</code>"; untracked and ignored files only, never over a file the worktree has)"</label>
            <textarea id="setup-copy" rows="3" bind:value=patterns></textarea>
            <FieldError error field=model::Field::CopyFiles/>
            <label for="setup-command">"Set-up command (run with sh in the new worktree, e.g. "<code>"npm ci"</code>"; the server's secrets are not passed)"</label>
            <input id="setup-command" type="text" bind:value=command/>
            <FieldError error field=model::Field::SetupCommand/>
            <FormError error/>
            <div class="actions">
                <button type="submit" id="save-setup" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save set-up" }}
                </button>
                <span class="ready" id="setup-state" role="status">{move || saved.get().map(|s| if s.is_empty() {
                    "Saved: new worktrees get no set-up.".to_string()
                } else {
                    format!("Saved: {} pattern(s){}.", s.copy.len(), if s.command.is_some() { " and a command" } else { "" })
                })}</span>
            </div>
        </form>
    }
    .erased()
}
