//! `/p/{project}/worktrees`: every worktree of the project — branch, task, changed files,
//! running session — with remove (never the main work tree, never while a session runs) and
//! prune (the worktrees whose task was deleted); below them the snapshots DevLog kept.

use crate::api;
use crate::components::Erase;
use crate::components::{Changes, FormError, mutation};
use crate::error::AppError;
use crate::pages::snapshots::SnapshotsSection;
use crate::pages::{Loading, loaded, page_data};
use leptos::prelude::*;
use leptos_meta::Title;
use model::review::WorktreeInfo;
use model::snapshot::Snapshot;
use model::{Project, ProjectId};

#[component]
pub fn WorktreesPage(project: Project) -> impl IntoView {
    let id = project.id;
    let changes = Changes::new();
    // What the last prune did: kept across the reload of the list it causes.
    let notice = RwSignal::new(None::<String>);
    let data = page_data(
        move || changes.count(),
        move |_| api::get_worktrees_page(id),
    );
    view! {
        // A Transition: after a removal, the table stays as it was until it is loaded again.
        <Transition fallback=|| view! { <Loading what="worktrees"/> }>
            {move || {
                let project = project.clone();
                Suspend::new(async move {
                    loaded(data.await, |data| view! {
                        <WorktreesView project data=data.worktrees snapshots=data.snapshots changes notice/>
                    })
                })
            }}
        </Transition>
    }
    .erased()
}

#[component]
fn WorktreesView(
    project: Project,
    data: Vec<WorktreeInfo>,
    snapshots: Vec<Snapshot>,
    changes: Changes,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let id = project.id;
    let orphans = data.iter().filter(|w| w.orphaned).count();
    let prune = mutation(
        error,
        // The notice is the page's and is set with the answer, in the call's own future: the
        // reload the prune causes replaces this view, and whatever ran in it with it.
        move |()| {
            changes.after(async move {
                let pruned = api::prune_worktrees(id).await;
                if let Ok(n) = &pruned {
                    notice.set(Some(format!(
                        "Pruned {n} worktree{}.",
                        if *n == 1 { "" } else { "s" }
                    )));
                }
                pruned
            })
        },
        |_: usize| {},
    );
    let pending = prune.pending();
    let rows = data
        .into_iter()
        .map(|w| view! { <WorktreeRow project=id worktree=w error changes/> })
        .collect_view();
    view! {
        <Title text="Worktrees"/>
        <main class="page worktrees-page">
            <h1>{format!("{} · Worktrees", project.name)}</h1>
            <p class="muted">"Each task runs in its own worktree under DevLog's data directory. Removing one keeps its branch and commits, and a snapshot of what it held (below)."</p>
            <div class="actions">
                <button type="button" id="prune-worktrees" disabled=move || pending.get() || orphans == 0
                    on:click=move |_| { prune.dispatch(()); }>
                    {format!("Prune {orphans} worktree(s) of deleted tasks")}
                </button>
                <span role="status">{move || notice.get()}</span>
            </div>
            <FormError error/>
            <table class="worktrees">
                <thead><tr><th>"Worktree"</th><th>"Branch"</th><th>"Task"</th><th>"Changed files"</th><th>"Session"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <SnapshotsSection project=id snapshots changes notice/>
        </main>
    }
    .erased()
}

#[component]
fn WorktreeRow(
    project: ProjectId,
    worktree: WorktreeInfo,
    error: RwSignal<Option<AppError>>,
    /// Bumped once the worktree is removed: the page lists the worktrees again.
    changes: Changes,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let remove_worktree = mutation(
        error,
        move |path: &String| changes.after(api::remove_worktree(project, path.clone())),
        |()| {},
    );
    let pending = remove_worktree.pending();
    let path = worktree.path.clone();
    let remove = move |_| {
        confirming.set(false);
        remove_worktree.dispatch(path.clone());
    };
    let removable = !worktree.is_main;
    view! {
        <tr class="worktree-row" data-path=worktree.path.clone()>
            <td><code>{worktree.path.clone()}</code>{worktree.is_main.then_some(view! { <span class="muted">" (main work tree)"</span> })}
                {worktree.orphaned.then_some(view! { <span class="warning-text">" · task deleted"</span> })}</td>
            <td>{worktree.branch.clone().map(|b| view! { <code>{b}</code> })}</td>
            <td>{worktree.task.clone().map(|(id, title, status)| view! {
                <a href=crate::paths::task(project, id)>{title}</a>
                <span class=format!("status-badge status-{}", status.as_str())>" "{status.icon()}" "{status.label()}</span>
            })}</td>
            <td>{worktree.changed_files.map(|n| n.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td>{worktree.running_session.map(|s| view! {
                <a href=crate::paths::session(project, s)>{format!("Session {s} (running)")}</a>
            })}</td>
            <td>
                {removable.then(|| view! {
                    <Show when=move || confirming.get() fallback=move || view! {
                        <button type="button" class="remove-worktree" disabled=move || pending.get()
                            on:click=move |_| confirming.set(true)>"Remove"</button>
                    }>
                        <span class="confirm">"Remove this worktree? Its uncommitted work is kept as a snapshot."
                            <button type="button" class="danger confirm-remove" on:click=remove.clone()>"Remove"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Keep"</button>
                        </span>
                    </Show>
                })}
            </td>
        </tr>
    }
    .erased()
}
