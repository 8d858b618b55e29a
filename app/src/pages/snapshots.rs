//! The Worktrees page's snapshots: what DevLog kept of a worktree before removing it or
//! deleting its task, each with Restore (the worktree made again) and Delete (the ref only).

use crate::api;
use crate::components::time::When;
use crate::components::{Changes, Erase, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use model::ProjectId;
use model::snapshot::{RestoredSnapshot, Snapshot};

#[component]
pub fn SnapshotsSection(
    project: ProjectId,
    snapshots: Vec<Snapshot>,
    /// Bumped after a restore or a delete: the page lists worktrees and snapshots again.
    changes: Changes,
    /// The page's notice, kept across the reload a restore causes.
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let body = if snapshots.is_empty() {
        view! { <p class="empty" id="no-snapshots">"No snapshots: no worktree with work in it has been removed."</p> }.erased()
    } else {
        let rows = snapshots
            .into_iter()
            .map(|snapshot| view! { <SnapshotRow project snapshot error changes notice/> })
            .collect_view();
        view! {
            <table class="snapshots">
                <thead><tr><th>"Taken"</th><th>"Task"</th><th>"Branch"</th><th>"Why"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .erased()
    };
    view! {
        <section class="snapshots-section" aria-labelledby="snapshots-heading">
            <h2 id="snapshots-heading">"Snapshots"</h2>
            <p class="muted">"Before DevLog removes a worktree or deletes a task, it keeps the worktree's commits and uncommitted files as a commit under "<code>"refs/devlog/snapshots/"</code>" in your repository."</p>
            <FormError error/>
            {body}
        </section>
    }
    .erased()
}

#[component]
fn SnapshotRow(
    project: ProjectId,
    snapshot: Snapshot,
    error: RwSignal<Option<AppError>>,
    changes: Changes,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let restore = mutation(
        error,
        move |refname: &String| {
            let refname = refname.clone();
            changes.after(async move {
                let restored = api::restore_snapshot(project, refname).await;
                if let Ok(r) = &restored {
                    notice.set(Some(restored_notice(r)));
                }
                restored
            })
        },
        |_: RestoredSnapshot| {},
    );
    let delete = mutation(
        error,
        move |refname: &String| {
            let refname = refname.clone();
            changes.after(async move {
                let deleted = api::delete_snapshot(project, refname).await;
                if deleted.is_ok() {
                    notice.set(Some("The snapshot was deleted.".into()));
                }
                deleted
            })
        },
        |()| {},
    );
    let (restoring, deleting) = (restore.pending(), delete.pending());
    let busy = move || restoring.get() || deleting.get();
    let refname = snapshot.refname.clone();
    let task = match snapshot.task_title.clone() {
        Some(title) => {
            view! { <a href=crate::paths::task(project, snapshot.task)>{title}</a> }.erased()
        }
        None if snapshot.task.0 == 0 => view! { <span class="muted">"(no task)"</span> }.erased(),
        None => view! { <span class="muted">{format!("Task {} (deleted)", snapshot.task)}</span> }
            .erased(),
    };
    let short = snapshot.commit.chars().take(10).collect::<String>();
    let (on_restore, on_delete) = (refname.clone(), refname.clone());
    view! {
        <tr class="snapshot-row" data-ref=refname.clone()>
            <td><When ms=snapshot.taken_at_ms/></td>
            <td>{task}</td>
            <td>{snapshot.branch.clone().map(|b| view! { <code>{b}</code> })}</td>
            <td>{snapshot.summary.clone()}" "<code class="muted" title=snapshot.commit.clone()>{short}</code></td>
            <td>
                <button type="button" class="restore-snapshot" disabled=busy
                    on:click=move |_| { restore.dispatch(on_restore.clone()); }>
                    {move || if restoring.get() { "Restoring…" } else { "Restore" }}
                </button>
                <Show when=move || confirming.get() fallback=move || view! {
                    <button type="button" class="delete-snapshot" disabled=busy
                        on:click=move |_| confirming.set(true)>"Delete"</button>
                }>
                    <span class="confirm">"Delete this snapshot (the work only it kept is lost)?"
                        <button type="button" class="danger confirm-delete-snapshot" on:click={
                            let refname = on_delete.clone();
                            move |_| { confirming.set(false); delete.dispatch(refname.clone()); }
                        }>"Delete"</button>
                        <button type="button" on:click=move |_| confirming.set(false)>"Keep"</button>
                    </span>
                </Show>
            </td>
        </tr>
    }
    .erased()
}

fn restored_notice(restored: &RestoredSnapshot) -> String {
    match restored.task {
        Some(task) => format!(
            "Restored as task {task}'s worktree {} on {}.",
            restored.path, restored.branch
        ),
        None => format!(
            "Restored beside its task: worktree {} on the new branch {}.",
            restored.path, restored.branch
        ),
    }
}
