//! One task card, rendered from its [`CardView`]: status as icon + colour + text, priority, what
//! it waits for, its main action and its ⋯ menu. A card holds no event handlers: its column
//! handles clicks, changes, keys and drags for all of its cards (`events.rs`), finding the card
//! by `data-task-id` and the control by `data-action`. The ⋯ menu's items and the edit form are
//! rendered only on the card they are open on.
//!
//! `hydration.rs` reads a card's content back from this markup: the `data-task-id`,
//! `data-priority` and `data-session` attributes, `.card-title`, `.card-description`,
//! `.fail-reason .reason` and `.card-usage`.

use super::events::CardAction;
use super::menu::MenuState;
use super::state::{BoardState, card_dom_id};
use super::view_model::CardView;
use crate::components::Erase;
use crate::components::TaskForm;
use leptos::prelude::*;
use model::{ProjectId, SessionId, TaskId, TaskStatus};

#[component]
pub fn TaskCard(view: CardView, state: BoardState) -> impl IntoView {
    let id = view.id();
    let status = view.status;
    let content = view.content.clone();
    let class = format!(
        "card status-{}{}",
        status.as_str(),
        if view.busy { " busy" } else { "" }
    );
    let body = if view.editing {
        let save = state.edit.save;
        view! {
            <TaskForm
                fields=state.edit.fields
                on_submit=Callback::new(move |draft| {
                    save.dispatch((id, draft));
                })
                pending=save.pending()
                error=state.edit.error
                submit_label="Save"
                on_cancel=Callback::new(move |()| state.cancel_edit())
                id_prefix=format!("edit-{id}")
            />
        }
        .erased()
    } else {
        view! {
            <h3 class="card-title">{content.title.clone()}</h3>
            {(!content.description.is_empty()).then(|| view! {
                <p class="card-description">{content.description.clone()}</p>
            })}
            {content.fail_reason.clone().map(|reason| view! {
                <p class="fail-reason"><strong>"Why it failed: "</strong><span class="reason">{reason}</span></p>
            })}
        }
        .erased()
    };
    view! {
        <article
            id=card_dom_id(id)
            class=class
            data-task-id=id.to_string()
            data-status=status.as_str()
            data-priority=content.priority.as_str()
            data-session=content.session.map(|s| s.to_string())
            tabindex="0"
            draggable="true"
            aria-label=format!("{} — {}", content.title, status.label())
        >
            <div class="card-meta">
                <span class=format!("status-badge status-{}", status.as_str())>
                    <span class="status-icon" aria-hidden="true">{status.icon()}</span>
                    <span class="status-text">{status.label()}</span>
                </span>
                <span class=format!("priority priority-{}", content.priority.as_str())
                    title="Priority">{content.priority.label()}</span>
                {content.usage.clone().map(|usage| view! {
                    <span class="card-usage" title="What its attempts used">{usage}</span>
                })}
            </div>
            {body}
            <CardSchedule view=view.clone()/>
            {(status == TaskStatus::InProgress).then(|| view! {
                // The one live part of a card: what the agent does now.
                <p class="activity" aria-live="polite" title="What the agent is doing">
                    {move || state.activity.with(|a| a.get(&id).cloned()).unwrap_or_else(|| "Starting…".into())}
                </p>
            })}
            {view.error.clone().map(|message| view! {
                <p class="card-error" role="alert">{message}</p>
            })}
            <div class=if view.editing { "card-actions hidden" } else { "card-actions" }>
                {primary_action(&view)}
                {card_menu(&view)}
            </div>
        </article>
    }
    .erased()
}

/// What the scheduler says about a card: what it waits for, why it is queued, and the
/// files it shares with another running task.
#[component]
fn CardSchedule(view: CardView) -> impl IntoView {
    let (id, project) = (view.id(), view.project);
    view! {
        {(!view.blockers.is_empty()).then(|| view! {
            <p class="blockers">
                {format!(
                    "Depends on {}",
                    view.blockers.iter().map(|(t, title)| format!("#{t} {title}")).collect::<Vec<_>>().join(", ")
                )}
                " · "<a class="view-blockers" href=crate::paths::task_dependencies(project, id)>"View blockers"</a>
            </p>
        })}
        {view.queue_reason.map(|reason| view! {
            <p class="queue-reason" role="status">"⏳ "{reason}</p>
        })}
        {view.conflicts.map(|paths| view! {
            <p class="conflict" role="alert">
                {format!("⚠ File conflict: {} (another running task edits it too)", paths.join(", "))}
                " · "<a href=crate::paths::locks(project)>"Locks"</a>
            </p>
        })}
    }
    .erased()
}

/// The one main thing to do with a card in its status: Start, Open session, Review, Retry.
fn primary_action(view: &CardView) -> AnyView {
    let (id, project) = (view.id(), view.project);
    let review = crate::paths::task(project, id);
    if view.starts() {
        // Queued with a bring-your-own key: a slot is free, the user starts it with theirs.
        let label = if view.status == TaskStatus::InQueue {
            "▶ Start with your key"
        } else {
            "▶ Start"
        };
        return start_button(view, label);
    }
    match (view.status, view.content.session) {
        (TaskStatus::InProgress, Some(session)) => open_session(project, session),
        (TaskStatus::Review, _) => {
            view! { <a class="button primary review" href=review>"Review"</a> }.erased()
        }
        (TaskStatus::Fail, _) => view! {
            <a class="button primary retry" href=format!("{review}#retry")>"Retry"</a>
        }
        .erased(),
        (TaskStatus::InProgress, None) => {
            view! { <a class="button" href=review>"Details"</a> }.erased()
        }
        _ => view! { <a class="button details" href=review>"Details"</a> }.erased(),
    }
}

fn open_session(project: ProjectId, session: SessionId) -> AnyView {
    view! {
        <a class="button primary open-session" href=crate::paths::session(project, session)>"Open session"</a>
    }
    .erased()
}

/// Start (or queue) a task; disabled with the reason while the runtime is not ready.
fn start_button(view: &CardView, label: &'static str) -> AnyView {
    let blocked = view.start_blocked.clone();
    view! {
        <button type="button" class="primary start" data-action=CardAction::Start.as_str()
            disabled=view.busy || blocked.is_some()
            title=blocked.clone().unwrap_or_else(|| "Run an agent on this task in its own worktree".into())>
            {if view.busy { "Starting…" } else { label }}
        </button>
        {blocked.map(|why| view! { <span class="gate-reason small">{why}</span> })}
    }
    .erased()
}

/// The ⋯ menu: its items only while it is open on this card.
fn card_menu(view: &CardView) -> AnyView {
    let items = view
        .menu
        .map(|menu| menu_items(view.project, view.id(), view.status, menu));
    view! {
        <details class="card-menu" open=view.menu.is_some()>
            <summary aria-label="More actions" data-action=CardAction::Menu.as_str()>"⋯"</summary>
            {items}
        </details>
    }
    .erased()
}

/// The secondary actions of a card: details, edit, move, delete.
fn menu_items(project: ProjectId, id: TaskId, status: TaskStatus, menu: MenuState) -> AnyView {
    let move_to = status.manual_targets().next().is_some().then(|| {
        view! {
            <label class="move-to">
                <span class="sr-only">"Move to"</span>
                // An action menu, not a state: back to its prompt after each choice. Only the
                // moves the state machine allows by hand; a drag onto another column is
                // checked by the server and refused with why.
                <select aria-label="Move to" data-action=CardAction::Move.as_str()>
                    <option value="" selected>"Move to…"</option>
                    {status
                        .manual_targets()
                        .map(|to| view! { <option value=to.as_str()>{to.label()}</option> })
                        .collect_view()}
                </select>
            </label>
        }
    });
    let delete = match menu {
        MenuState::Open => view! {
            <button type="button" class="delete" data-action=CardAction::Delete.as_str()>"Delete"</button>
        }
        .erased(),
        MenuState::ConfirmDelete => view! {
            <span class="confirm">
                "Delete this task?"
                <button type="button" class="danger confirm-delete" data-action=CardAction::ConfirmDelete.as_str()>"Delete"</button>
                <button type="button" class="keep" data-action=CardAction::Keep.as_str()>"Keep"</button>
            </span>
        }
        .erased(),
    };
    view! {
        <div class="menu">
            <a class="details" href=crate::paths::task(project, id)>"Details"</a>
            <button type="button" class="edit" data-action=CardAction::Edit.as_str()>"Edit"</button>
            {move_to}
            {delete}
        </div>
    }
    .erased()
}
