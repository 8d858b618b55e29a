//! A task's dependencies: what it waits for (with their status), what waits for it, adding
//! one (a cycle is refused and named) or removing one, and its place in the queue.

use crate::api;
use crate::components::Erase;
use crate::components::{Changes, FormError, any_pending, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use model::schedule::{Dependency, QueueState};
use model::{Task, TaskId, TaskStatus};

#[component]
pub fn Dependencies(
    task: Task,
    tasks: Vec<Task>,
    dependencies: Vec<Dependency>,
    queue_state: Option<QueueState>,
    /// Bumped after each change here: the page shows the task as it now is.
    changes: Changes,
) -> impl IntoView {
    let (project, id) = (task.project_id, task.id);
    let find = |t: TaskId| tasks.iter().find(|x| x.id == t).cloned();
    let depends_on: Vec<Task> = dependencies
        .iter()
        .filter(|d| d.task == id)
        .filter_map(|d| find(d.on))
        .collect();
    let needed_by: Vec<Task> = dependencies
        .iter()
        .filter(|d| d.on == id)
        .filter_map(|d| find(d.task))
        .collect();
    let candidates: Vec<Task> = tasks
        .iter()
        .filter(|t| t.id != id && !depends_on.iter().any(|d| d.id == t.id))
        .cloned()
        .collect();
    let error = RwSignal::new(None::<AppError>);
    let chosen = RwSignal::new(None::<TaskId>);
    let add_dependency = mutation(
        error,
        move |on: &TaskId| changes.after(api::add_dependency(project, id, *on)),
        |()| {},
    );
    let remove_dependency = mutation(
        error,
        move |on: &TaskId| changes.after(api::remove_dependency(project, id, *on)),
        |()| {},
    );
    let take_out_of_queue = mutation(
        error,
        move |()| changes.after(api::move_task(project, id, TaskStatus::Todo)),
        |_: Task| {},
    );
    let pending = any_pending(vec![
        add_dependency.pending(),
        remove_dependency.pending(),
        take_out_of_queue.pending(),
    ]);
    let add = move |_| {
        if let Some(on) = chosen.get_untracked() {
            add_dependency.dispatch(on);
        }
    };
    let remove = move |on: TaskId| {
        remove_dependency.dispatch(on);
    };
    let unqueue = move |_| {
        take_out_of_queue.dispatch(());
    };
    let title_of = |t: TaskId| {
        tasks
            .iter()
            .find(|x| x.id == t)
            .map(|x| x.title.clone())
            .unwrap_or_default()
    };
    view! {
        <section class="dependencies" id="dependencies" aria-label="Dependencies">
            <h2>"Dependencies"</h2>
            {queue_state.map(|state| view! {
                <p class="queue-reason" id="queue-reason" role="status">"⏳ "{state.describe(title_of)}
                    " "<button type="button" id="unqueue" disabled=move || pending.get() on:click=unqueue>"Take out of the queue"</button>
                </p>
            })}
            <h3>"Starts after"</h3>
            {if depends_on.is_empty() {
                view! { <p class="empty">"No dependencies: it can start any time."</p> }.erased()
            } else {
                view! {
                    <ul class="dependency-list" id="depends-on">
                        {depends_on.into_iter().map(|d| {
                            let on = d.id;
                            view! {
                                <li data-task-id=on.to_string()>
                                    <span class=format!("status-badge status-{}", d.status.as_str())>{d.status.icon()}" "{d.status.label()}</span>
                                    " "<a href=crate::paths::task(project, on)>{format!("#{on} {}", d.title)}</a>
                                    " "<button type="button" class="remove-dependency" disabled=move || pending.get() on:click=move |_| remove(on)>"Remove"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.erased()
            }}
            {(!needed_by.is_empty()).then(|| view! {
                <h3>"Needed by"</h3>
                <ul class="dependency-list">
                    {needed_by.into_iter().map(|d| view! {
                        <li><a href=crate::paths::task(project, d.id)>{format!("#{} {}", d.id, d.title)}</a></li>
                    }).collect_view()}
                </ul>
            })}
            <div class="inline add-dependency">
                <label>"Add a task this one waits for"
                    <select id="dependency-choice" on:change=move |ev| {
                        chosen.set(event_target_value(&ev).parse::<i64>().ok().map(TaskId));
                    }>
                        <option value="">"Choose a task…"</option>
                        {candidates.into_iter().map(|t| view! {
                            <option value=t.id.to_string()>{format!("#{} {}", t.id, t.title)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="button" id="add-dependency" disabled=move || pending.get() || chosen.get().is_none() on:click=add>"Add dependency"</button>
            </div>
            <FormError error/>
        </section>
    }
    .erased()
}
