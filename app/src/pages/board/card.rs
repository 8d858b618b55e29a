//! One task card: status as icon + colour + text, priority, fail reason, and its actions.
//! Keyboard: Alt+↑/↓ moves the focused card within its column.

use super::state::{BoardState, card_dom_id};
use crate::components::TaskForm;
use crate::error::AppError;
use leptos::prelude::*;
use model::{BoardColumn, ProjectId, Task, TaskDraft, TaskId, TaskStatus};

#[component]
pub fn TaskCard(task: Task, state: BoardState) -> impl IntoView {
    let id = task.id;
    let status = task.status;
    let editing = RwSignal::new(false);
    let edit_pending = RwSignal::new(false);
    let edit_error = RwSignal::new(None::<AppError>);

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if !ev.alt_key() || editing.get_untracked() {
            return;
        }
        let delta: isize = match ev.key().as_str() {
            "ArrowUp" => -1,
            "ArrowDown" => 1,
            _ => return,
        };
        ev.prevent_default();
        let ids = state.column_ids(BoardColumn::of(status));
        let Some(index) = ids.iter().position(|t| *t == id) else {
            return;
        };
        let target = index as isize + delta;
        if target >= 0 && (target as usize) < ids.len() {
            state.reorder(id, target as usize, true);
        }
    };
    let on_dragstart = move |ev: leptos::ev::DragEvent| {
        if let Some(dt) = ev.data_transfer() {
            let _ = dt.set_data("text/plain", &id.to_string());
            dt.set_effect_allowed("move");
        }
        state.dragging.set(Some(id));
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        let Some(dragged) = state.dragging.get_untracked() else {
            return;
        };
        state.dragging.set(None);
        if dragged == id {
            return;
        }
        let column = BoardColumn::of(status);
        match state.status_of(dragged) {
            Some(from) if BoardColumn::of(from) == column => {
                let ids = state.column_ids(column);
                if let Some(position) = ids.iter().position(|t| *t == id) {
                    state.reorder(dragged, position, false);
                }
            }
            Some(_) => state.drop_on_column(dragged, column),
            None => {}
        }
    };
    let save = Callback::new(move |draft: TaskDraft| {
        edit_pending.set(true);
        leptos::task::spawn_local(async move {
            let result = crate::api::update_task(state.project, id, draft).await;
            edit_pending.set(false);
            match result {
                Ok(task) => {
                    editing.set(false);
                    state.upsert(task);
                }
                Err(e) => edit_error.set(Some(e)),
            }
        });
    });
    let draft = TaskDraft {
        title: task.title.clone(),
        description: task.description.clone(),
        prompt: task.prompt.clone(),
        priority: task.priority,
    };

    view! {
        <article
            id=card_dom_id(id)
            class=format!("card status-{}", status.as_str())
            class:busy=move || state.is_busy(id)
            class:dragging=move || state.dragging.get() == Some(id)
            data-task-id=id.to_string()
            data-status=status.as_str()
            tabindex="0"
            draggable="true"
            aria-label=format!("{} — {}", task.title, status.label())
            on:keydown=on_keydown
            on:dragstart=on_dragstart
            on:dragend=move |_| state.dragging.set(None)
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop
        >
            <div class="card-meta">
                <span class=format!("status-badge status-{}", status.as_str())>
                    <span class="status-icon" aria-hidden="true">{status.icon()}</span>
                    <span class="status-text">{status.label()}</span>
                </span>
                <span class=format!("priority priority-{}", task.priority.as_str())
                    title="Priority">{task.priority.label()}</span>
            </div>
            <Show
                when=move || editing.get()
                fallback={
                    let task = task.clone();
                    move || view! { <CardBody task=task.clone()/> }
                }
            >
                <TaskForm
                    initial=draft.clone()
                    on_submit=save
                    pending=edit_pending
                    error=edit_error
                    submit_label="Save"
                    on_cancel=Callback::new(move |()| editing.set(false))
                    id_prefix=format!("edit-{id}")
                />
            </Show>
            <CardSchedule id project=task.project_id status state/>
            {(status == TaskStatus::InProgress).then(|| view! {
                <p class="activity" aria-live="polite" title="What the agent is doing">
                    {move || state.activity.with(|a| a.get(&id).cloned()).unwrap_or_else(|| "Starting…".into())}
                </p>
            })}
            {move || state.error_of(id).map(|message| view! {
                <p class="card-error" role="alert">{message}</p>
            })}
            <div class="card-actions" class:hidden=move || editing.get()>
                <PrimaryAction task=task.clone() state/>
                <CardMenu id project=task.project_id status state editing edit_error/>
            </div>
        </article>
    }
    .into_any()
}

/// Start (or queue) a task; disabled with the reason while the runtime is not ready.
#[component]
fn StartButton(id: TaskId, state: BoardState, label: &'static str) -> impl IntoView {
    let blocked = move || state.start_blocked();
    view! {
        <button type="button" class="primary start"
            disabled=move || state.is_busy(id) || blocked().is_some()
            title=move || blocked().unwrap_or_else(|| "Run an agent on this task in its own worktree".into())
            on:click=move |_| state.start(id)>
            {move || if state.is_busy(id) { "Starting…" } else { label }}
        </button>
        {move || blocked().map(|why| view! { <span class="gate-reason small">{why}</span> })}
    }
    .into_any()
}

/// What the scheduler says about a card: what it waits for, why it is queued, and the
/// files it shares with another running task.
#[component]
fn CardSchedule(
    id: TaskId,
    project: ProjectId,
    status: TaskStatus,
    state: BoardState,
) -> impl IntoView {
    let blockers = move || state.blockers_of(id);
    let conflicts = state.conflicts.with_value(|c| c.get(&id).cloned());
    view! {
        {move || {
            let waiting = blockers();
            (!waiting.is_empty() && status != TaskStatus::Done).then(|| view! {
                <p class="blockers">
                    {format!(
                        "Depends on {}",
                        waiting.iter().map(|(t, title)| format!("#{t} {title}")).collect::<Vec<_>>().join(", ")
                    )}
                    " · "<a class="view-blockers" href=format!("/p/{project}/tasks/{id}#dependencies")>"View blockers"</a>
                </p>
            })
        }}
        {move || (status == TaskStatus::InQueue).then(|| state.queue_reason(id).map(|reason| view! {
            <p class="queue-reason" role="status">"⏳ "{reason.describe(|t| state.title_of(t))}</p>
        }))}
        {(status == TaskStatus::InProgress).then_some(conflicts).flatten().map(|paths| view! {
            <p class="conflict" role="alert">
                {format!("⚠ File conflict: {} (another running task edits it too)", paths.join(", "))}
                " · "<a href=format!("/p/{project}/locks")>"Locks"</a>
            </p>
        })}
    }
    .into_any()
}

/// The secondary actions of a card: details, edit, move, delete.
#[component]
fn CardMenu(
    id: TaskId,
    project: ProjectId,
    status: TaskStatus,
    state: BoardState,
    editing: RwSignal<bool>,
    edit_error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let confirming_delete = RwSignal::new(false);
    view! {
                <details class="card-menu">
                    <summary aria-label="More actions">"⋯"</summary>
                    <div class="menu">
                <a class="details" href=format!("/p/{project}/tasks/{id}")>"Details"</a>
                <button type="button" class="edit" on:click=move |_| {
                    edit_error.set(None);
                    editing.set(true);
                }>"Edit"</button>
                {(status.manual_targets().next().is_some()).then(|| view! {
                    <label class="move-to">
                        <span class="sr-only">"Move to"</span>
                        <select aria-label="Move to" on:change=move |ev| {
                            let select = event_target::<web_sys::HtmlSelectElement>(&ev);
                            let chosen = select.value();
                            // The select is an action menu, not a state: back to its prompt.
                            select.set_value("");
                            if let Some(to) = TaskStatus::parse(&chosen) {
                                state.move_to(id, to);
                            }
                        }>
                            <option value="" selected>"Move to…"</option>
                            // Only the moves the state machine allows by hand; a drag onto
                            // another column is checked by the server and refused with why.
                            {status
                                .manual_targets()
                                .map(|to| view! { <option value=to.as_str()>{to.label()}</option> })
                                .collect_view()}
                        </select>
                    </label>
                })}
                <Show
                    when=move || confirming_delete.get()
                    fallback=move || view! {
                        <button type="button" class="delete"
                            on:click=move |_| confirming_delete.set(true)>"Delete"</button>
                    }
                >
                    <span class="confirm">
                        "Delete this task?"
                        <button type="button" class="danger confirm-delete" on:click=move |_| {
                            confirming_delete.set(false);
                            state.delete(id);
                        }>"Delete"</button>
                        <button type="button" on:click=move |_| confirming_delete.set(false)>
                            "Keep"
                        </button>
                    </span>
                </Show>
                    </div>
                </details>
    }
    .into_any()
}

/// The one main thing to do with a card in its status: Start, Open session, Review, Retry.
#[component]
fn PrimaryAction(task: Task, state: BoardState) -> impl IntoView {
    let id = task.id;
    let project = task.project_id;
    let review = format!("/p/{project}/tasks/{id}");
    match task.status {
        // Follows the queue: the button appears when a slot frees for a task needing a key.
        TaskStatus::InQueue => {
            let details = review.clone();
            (move || {
                if state.queue_reason(id) == Some(model::schedule::QueueState::NeedsKey) {
                    view! { <StartButton id state label="▶ Start with your key"/> }.into_any()
                } else {
                    view! { <a class="button details" href=details.clone()>"Details"</a> }.into_any()
                }
            })
            .into_any()
        }
        TaskStatus::Todo | TaskStatus::Blocked => {
            view! { <StartButton id state label="▶ Start"/> }.into_any()
        }
        TaskStatus::InProgress => match task.session_id {
            Some(session) => view! {
                <a class="button primary open-session" href=format!("/p/{project}/sessions/{session}")>"Open session"</a>
            }
            .into_any(),
            None => view! { <a class="button" href=review>"Details"</a> }.into_any(),
        },
        TaskStatus::Review => {
            view! { <a class="button primary review" href=review>"Review"</a> }.into_any()
        }
        TaskStatus::Fail => view! {
            <a class="button primary retry" href=format!("{review}#retry")>"Retry"</a>
        }
        .into_any(),
        TaskStatus::Done => {
            view! { <a class="button details" href=review>"Details"</a> }.into_any()
        }
    }
}

#[component]
fn CardBody(task: Task) -> impl IntoView {
    view! {
        <h3 class="card-title">{task.title}</h3>
        {(!task.description.is_empty()).then(|| view! {
            <p class="card-description">{task.description}</p>
        })}
        {task.fail_reason.map(|reason| view! {
            <p class="fail-reason"><strong>"Why it failed: "</strong>{reason}</p>
        })}
    }
    .into_any()
}
