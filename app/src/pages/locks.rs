//! `/p/{project}/locks`: the files running sessions of the project have edited, who holds
//! each, and the conflicts — a file edited by two running sessions. Locks go when a session
//! ends.

use crate::api::{self, LocksData};
use crate::components::Nav;
use crate::error::AppError;
use crate::pages::{ErrorPanel, project_param};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::schedule::FileLock;
use model::{ProjectId, Task};

#[component]
pub fn LocksPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || project_param(&params),
        |project| async move {
            match project {
                Some(p) => api::get_locks(p).await,
                None => Err(AppError::NotFound {
                    message: "no such project".into(),
                }),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading locks…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <LocksView data/> }.into_any(),
                    Err(error) => view! { <Nav projects=vec![]/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn LocksView(data: LocksData) -> impl IntoView {
    let LocksData {
        project,
        projects,
        locks,
        tasks,
    } = data;
    let conflicts = locks.iter().filter(|l| l.is_conflict()).count();
    let id = project.id;
    let rows = locks
        .into_iter()
        .map(|lock| view! { <LockRow project=id lock tasks=tasks.clone()/> })
        .collect_view();
    view! {
        <Title text=format!("{} · Locks · DevLog", project.name)/>
        <Nav projects current=project.id/>
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
    .into_any()
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
            .into_any()
        })
        .collect_view();
    view! {
        <tr class="lock-row" class:conflict=conflict data-path=lock.path.clone()>
            <td><code>{lock.path.clone()}</code></td>
            <td><ul class="holders">{holders}</ul></td>
            <td>{if conflict { "⚠ Conflict" } else { "✓ One holder" }}</td>
        </tr>
    }
    .into_any()
}
