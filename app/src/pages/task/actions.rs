//! What can be done with a task next, each action where its status allows it.

use super::budget::{StartBudgetField, start_budget};
use super::comments::{PendingComments, ReviewComments};
use super::merge::MergeForm;
use crate::api;
use crate::components::Erase;
use crate::components::runtime::{Launcher, RuntimeGate};
use crate::components::{Changes, FieldError, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use model::schedule::StartOutcome;
use model::validation;
use model::{Field, MergePreview, ProjectId, RuntimeRequest, RuntimeSelection, Task, TaskStatus};

#[component]
pub fn Actions(
    task: Task,
    runtime: RuntimeSelection,
    /// Bumped when an action changes the task but leaves the page (a queued Start, Mark done).
    changes: Changes,
    /// What the retry form holds, kept by the page across its reloads.
    retry_feedback: RwSignal<String>,
    /// What merging would do, for a task in review.
    merge: Option<Result<MergePreview, String>>,
    /// What the last action did, kept by the page across its reloads.
    notice: RwSignal<Option<String>>,
    /// The task's worktree is still there (its changes could be read).
    has_worktree: bool,
) -> impl IntoView {
    let status = task.status;
    let project = task.project_id;
    let id = task.id;
    let settings = crate::paths::settings(project);
    view! {
        <section class="task-actions" aria-label="Actions">
            {(status == TaskStatus::InProgress).then(|| task.session_id.map(|s| view! {
                <a class="button primary" id="open-session" href=crate::paths::session(project, s)>"Open the running session"</a>
            }))}
            {move || notice.get().map(|n| view! { <p class="ready" id="task-notice" role="status">{n}</p> })}
            {status.is_executable().then(|| view! { <StartTask task=task.clone() runtime=runtime.clone() settings=settings.clone() changes/> })}
            {merge.map(|merge| match merge {
                Ok(preview) => view! { <MergeForm task=task.clone() preview runtime=runtime.clone() changes notice/> }.erased(),
                Err(why) => view! { <p class="fail-reason" id="merge-unavailable">"Merging is not possible now: "{why}</p> }.erased(),
            })}
            {matches!(status, TaskStatus::Review | TaskStatus::Done).then(|| view! { <CreatePr task=task.clone()/> })}
            {status.can_retry().then(|| view! { <RetryForm task=task.clone() runtime=runtime.clone() settings=settings.clone() changes feedback=retry_feedback/> })}
            {(status == TaskStatus::Review).then(|| view! { <MarkDone task=task.clone() changes/> })}
            {(status == TaskStatus::Done && has_worktree).then(|| task.worktree_path.clone().map(|path| view! {
                <RemoveWorktree project path changes notice/>
            }))}
            <p class="muted">
                <a href=crate::paths::worktrees(project)>"Worktrees"</a>" · "
                <a href=crate::paths::board_card(project, id)>"Back to the board"</a>
            </p>
        </section>
    }
    .erased()
}

/// After a Start or a Retry: its live session (a queued one stays on this page, which the
/// call's [`Changes::after`] reloads to show why it waits).
pub(super) fn after_start(
    project: ProjectId,
    navigate: impl Fn(&str, NavigateOptions) + 'static,
) -> impl Fn(StartOutcome) + 'static {
    move |outcome| {
        if let StartOutcome::Started { session, .. } = outcome {
            navigate(
                &crate::paths::session(project, session.id),
                Default::default(),
            )
        }
    }
}

#[component]
fn StartTask(
    task: Task,
    runtime: RuntimeSelection,
    settings: String,
    changes: Changes,
) -> impl IntoView {
    let launcher = Launcher::new(runtime);
    let error = RwSignal::new(None::<AppError>);
    let budget = RwSignal::new(String::new());
    let (project, id) = (task.project_id, task.id);
    let execute = mutation(
        error,
        move |(request, budget): &(RuntimeRequest, String)| {
            let call = api::execute_task(project, id, request.clone(), None, Some(budget.clone()));
            changes.after(call)
        },
        after_start(project, use_navigate()),
    );
    let pending = execute.pending();
    let start = move |_| {
        if let Some(budget) = start_budget(&budget.get_untracked(), error) {
            execute.dispatch((launcher.request(), budget));
        }
    };
    view! {
        <div class="start-task">
            <StartBudgetField id="start-budget" text=budget error/>
            <RuntimeGate selection=launcher.selection() settings_href=settings/>
            <button type="button" class="primary" id="start-task" disabled=move || pending.get() || launcher.blocked().is_some() on:click=start>
                {move || if pending.get() { "Starting…" } else { "▶ Start" }}
            </button>
            <FormError error/>
        </div>
    }
    .erased()
}

#[component]
fn RetryForm(
    task: Task,
    runtime: RuntimeSelection,
    settings: String,
    changes: Changes,
    feedback: RwSignal<String>,
) -> impl IntoView {
    let launcher = Launcher::new(runtime);
    let error = RwSignal::new(None::<AppError>);
    let budget = RwSignal::new(String::new());
    let (project, id) = (task.project_id, task.id);
    let retry = mutation(
        error,
        move |(feedback, request, budget): &(String, RuntimeRequest, String)| {
            changes.after(api::retry_task(
                project,
                id,
                feedback.clone(),
                request.clone(),
                None,
                Some(budget.clone()),
            ))
        },
        after_start(project, use_navigate()),
    );
    let pending = retry.pending();
    let comments = ReviewComments::here();
    let send = mutation(
        error,
        move |(note, request, budget): &(String, RuntimeRequest, String)| {
            let note = (!note.trim().is_empty()).then(|| note.clone());
            changes.after(api::send_review_comments(
                project,
                id,
                note,
                request.clone(),
                None,
                Some(budget.clone()),
            ))
        },
        after_start(project, use_navigate()),
    );
    let sending = send.pending();
    let unsent = move || comments.map_or(0, |c| c.kept.with(Vec::len));
    let send_comments = move |_| {
        let note = feedback.get_untracked();
        if let Err(e) = validation::optional_text(Field::Feedback, &note, validation::PROMPT_MAX) {
            error.set(Some(e.into()));
            return;
        }
        if let Some(budget) = start_budget(&budget.get_untracked(), error) {
            send.dispatch((note, launcher.request(), budget));
        }
    };
    let busy = move || pending.get() || sending.get() || launcher.blocked().is_some();
    // In review the retry is a request for changes; after a failure, another try.
    let heading = if task.status == TaskStatus::Review {
        "Request changes"
    } else {
        "Retry with feedback"
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = feedback.get_untracked();
        // The server's own rule, so the form refuses exactly what the server would.
        if let Err(e) = validation::required(Field::Feedback, &text, validation::PROMPT_MAX) {
            error.set(Some(e.into()));
            return;
        }
        if let Some(budget) = start_budget(&budget.get_untracked(), error) {
            retry.dispatch((text, launcher.request(), budget));
        }
    };
    view! {
        <form class="retry" id="retry" on:submit=submit aria-busy=move || pending.get().to_string()>
            <h2>{heading}</h2>
            <label for="retry-feedback">"What should the next attempt do differently?"</label>
            <textarea id="retry-feedback" rows="3" bind:value=feedback></textarea>
            <FieldError error field=Field::Feedback/>
            <StartBudgetField id="retry-budget" text=budget error/>
            <RuntimeGate selection=launcher.selection() settings_href=settings/>
            <FormError error/>
            {comments.map(|comments| view! { <PendingComments comments/> })}
            <div class="retry-buttons">
                <button type="submit" class="primary" id="retry-submit" disabled=busy>
                    {move || if pending.get() { "Starting the new attempt…" } else { "Retry" }}
                </button>
                {move || (unsent() > 0).then(|| view! {
                    <button type="button" class="primary" id="send-comments" disabled=busy on:click=send_comments>
                        {move || match (sending.get(), unsent()) {
                            (true, _) => "Sending the comments…".to_string(),
                            (false, 1) => "Send 1 comment".to_string(),
                            (false, n) => format!("Send {n} comments"),
                        }}
                    </button>
                })}
            </div>
        </form>
    }
    .erased()
}

#[component]
fn MarkDone(task: Task, changes: Changes) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let (project, id) = (task.project_id, task.id);
    let mark_done = mutation(
        error,
        move |()| changes.after(api::move_task(project, id, TaskStatus::Done)),
        |_: Task| {},
    );
    let pending = mark_done.pending();
    view! {
        <div class="mark-done">
            <button type="button" id="mark-done" disabled=move || pending.get()
                on:click=move |_| { mark_done.dispatch(()); }>"✓ Mark done"</button>
            <FormError error/>
        </div>
    }
    .erased()
}

#[component]
fn CreatePr(task: Task) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let url = RwSignal::new(task.pr_url.clone());
    let (project, id) = (task.project_id, task.id);
    let create_pr = mutation(
        error,
        move |()| api::create_pr(project, id),
        move |task: Task| url.set(task.pr_url),
    );
    let pending = create_pr.pending();
    view! {
        <div class="create-pr">
            <button type="button" id="create-pr" disabled=move || pending.get()
                on:click=move |_| { create_pr.dispatch(()); }>
                {move || if pending.get() { "Pushing and opening the PR…" } else { "Create PR" }}
            </button>
            {move || pending.get().then(|| view! { <progress aria-label="Creating the pull request"></progress> })}
            {move || url.get().map(|u| view! { <p class="ready">"Pull request: "<a id="pr-url" href=u.clone()>{u.clone()}</a></p> })}
            <p class="muted">"Pushes the branch to origin and opens the pull request with the GitHub CLI (gh, logged in)."</p>
            <div id="pr-error"><FormError error/></div>
        </div>
    }
    .erased()
}

/// A done task's worktree, removed in one click (its branch and commits stay).
#[component]
fn RemoveWorktree(
    project: ProjectId,
    path: String,
    changes: Changes,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let remove = mutation(
        error,
        move |path: &String| changes.after(api::remove_worktree(project, path.clone())),
        move |()| notice.set(Some("The worktree was removed; the branch stays.".into())),
    );
    let pending = remove.pending();
    view! {
        <div class="remove-worktree">
            <button type="button" id="remove-task-worktree" disabled=move || pending.get()
                on:click=move |_| { remove.dispatch(path.clone()); }>
                {move || if pending.get() { "Removing the worktree…" } else { "Remove the worktree" }}
            </button>
            <span class="muted">" The task is done: its folder can go, its branch stays."</span>
            <FormError error/>
        </div>
    }
    .erased()
}
