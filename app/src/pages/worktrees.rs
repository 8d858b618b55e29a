//! `/p/{project}/worktrees`: every worktree of the project — branch, task, changed files,
//! running session — with remove (never the main work tree, never while a session runs) and
//! prune (the worktrees whose task was deleted).

use crate::api;
use crate::components::{FormError, run_pending};
use crate::error::AppError;
use crate::pages::{Loading, loaded};
use leptos::prelude::*;
use leptos_meta::Title;
use model::review::WorktreeInfo;
use model::{Project, ProjectId};

#[component]
pub fn WorktreesPage(project: Project) -> impl IntoView {
    let id = project.id;
    let data = Resource::new(|| (), move |()| api::list_worktrees(id));
    view! {
        <Suspense fallback=|| view! { <Loading what="worktrees"/> }>
            {move || {
                let project = project.clone();
                Suspend::new(async move {
                    loaded(data.await, |data| view! { <WorktreesView project data/> })
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn WorktreesView(project: Project, data: Vec<WorktreeInfo>) -> impl IntoView {
    let rows = RwSignal::new(data);
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let id = project.id;
    let refresh = move || {
        leptos::task::spawn_local(async move {
            match api::list_worktrees(id).await {
                Ok(worktrees) => rows.set(worktrees),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let prune = move |_| {
        error.set(None);
        run_pending(pending, api::prune_worktrees(id), move |r| match r {
            Ok(n) => {
                notice.set(Some(format!(
                    "Pruned {n} worktree{}.",
                    if n == 1 { "" } else { "s" }
                )));
                refresh();
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let orphans = move || rows.with(|r| r.iter().filter(|w| w.orphaned).count());
    view! {
        <Title text="Worktrees"/>
        <main class="page worktrees-page">
            <h1>{format!("{} · Worktrees", project.name)}</h1>
            <p class="muted">"Each task runs in its own worktree under DevLog's data directory. Removing one keeps its branch and commits."</p>
            <div class="actions">
                <button type="button" id="prune-worktrees" disabled=move || pending.get() || orphans() == 0 on:click=prune>
                    {move || format!("Prune {} worktree(s) of deleted tasks", orphans())}
                </button>
                <span role="status">{move || notice.get()}</span>
            </div>
            <FormError error/>
            <table class="worktrees">
                <thead><tr><th>"Worktree"</th><th>"Branch"</th><th>"Task"</th><th>"Changed files"</th><th>"Session"</th><th></th></tr></thead>
                <tbody>
                    <For each=move || rows.get() key=|w| (w.path.clone(), w.changed_files) let(w)>
                        <WorktreeRow project=id worktree=w error on_removed=Callback::new(move |()| refresh())/>
                    </For>
                </tbody>
            </table>
        </main>
    }
    .into_any()
}

#[component]
fn WorktreeRow(
    project: ProjectId,
    worktree: WorktreeInfo,
    error: RwSignal<Option<AppError>>,
    on_removed: Callback<()>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let path = worktree.path.clone();
    let remove = move |_| {
        confirming.set(false);
        error.set(None);
        run_pending(
            pending,
            api::remove_worktree(project, path.clone()),
            move |r| match r {
                Ok(()) => on_removed.run(()),
                Err(e) => error.set(Some(e)),
            },
        );
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
                        <span class="confirm">"Remove this worktree (uncommitted work in it is lost)?"
                            <button type="button" class="danger confirm-remove" on:click=remove.clone()>"Remove"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Keep"</button>
                        </span>
                    </Show>
                })}
            </td>
        </tr>
    }
    .into_any()
}
