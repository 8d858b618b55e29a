//! `/p/{project}/locks`: the files running sessions of the project have edited, who holds
//! each, and the conflicts — a file edited by two running sessions. Locks go when a session
//! ends.

use crate::api::{self, LocksData};
use crate::components::Erase;
use crate::pages::{Loading, loaded, page_data};
use leptos::prelude::*;
use leptos_meta::Title;
use model::schedule::FileLock;
use model::{Project, ProjectId, Task};

#[component]
pub fn LocksPage(project: Project) -> impl IntoView {
    let id = project.id;
    let data = page_data(|| (), move |()| api::get_locks(id));
    view! {
        <Suspense fallback=|| view! { <Loading what="locks"/> }>
            {move || {
                let project = project.clone();
                Suspend::new(async move {
                    loaded(data.await, |data| view! { <LocksView project data/> })
                })
            }}
        </Suspense>
    }
    .erased()
}

#[component]
fn LocksView(project: Project, data: LocksData) -> impl IntoView {
    let LocksData { locks, tasks } = data;
    let conflicts = locks.iter().filter(|l| l.is_conflict()).count();
    let id = project.id;
    let rows = locks
        .into_iter()
        .map(|lock| view! { <LockRow project=id lock tasks=tasks.clone()/> })
        .collect_view();
    view! {
        <Title text="Locks"/>
        <main class="page locks-page">
            <h1>{format!("{} · File locks", project.name)}</h1>
            <p class="muted">"Files that running sessions edited (paths inside each task's worktree). A file edited by two running sessions is a conflict: their branches will not merge cleanly."</p>
            <p id="locks-summary" role="status">{format!("{conflicts} conflict(s)")}</p>
            <table class="worktrees locks">
                <thead><tr><th>"File"</th><th>"Held by"</th><th>"State"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </main>
    }
    .erased()
}

#[component]
fn LockRow(project: ProjectId, lock: FileLock, tasks: Vec<Task>) -> impl IntoView {
    let conflict = lock.is_conflict();
    let holders = lock
        .holders
        .iter()
        .map(|(session, task)| {
            let task = task.and_then(|t| tasks.iter().find(|x| x.id == t));
            let named = task.map(|t| {
                view! {
                    <a href=crate::paths::task(project, t.id)>{format!("#{} {}", t.id, t.title)}</a>
                    " · "
                }
            });
            view! {
                <li>
                    {named}
                    <a href=crate::paths::session(project, *session)>{format!("Session {session}")}</a>
                </li>
            }
            .erased()
        })
        .collect_view();
    view! {
        <tr class="lock-row" class:conflict=conflict data-path=lock.path.clone()>
            <td><code>{lock.path.clone()}</code></td>
            <td><ul class="holders">{holders}</ul></td>
            <td>{if conflict { "⚠ Conflict" } else { "✓ One holder" }}</td>
        </tr>
    }
    .erased()
}
