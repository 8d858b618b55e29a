//! What can be done with a task next, each action where its status allows it.

use crate::api;
use crate::components::runtime::{RuntimeGate, RuntimeMemory};
use crate::components::{Changes, FieldError, FormError, run_pending};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use model::schedule::StartOutcome;
use model::validation;
use model::{Field, ProjectId, RuntimeSelection, Task, TaskStatus};

#[component]
pub fn Actions(
    task: Task,
    runtime: RuntimeSelection,
    /// Bumped when an action changes the task but leaves the page (a queued Start, Mark done).
    changes: Changes,
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
            {status.is_executable().then(|| view! { <StartTask task=task.clone() runtime=runtime.clone() settings=settings.clone() changes/> })}
            {status.can_retry().then(|| view! { <RetryForm task=task.clone() runtime=runtime.clone() settings=settings.clone() changes/> })}
            {(status == TaskStatus::Review).then(|| view! { <MarkDone task=task.clone() changes/> })}
            {matches!(status, TaskStatus::Review | TaskStatus::Done).then(|| view! { <CreatePr task=task.clone()/> })}
            <p class="muted">
                <a href=crate::paths::worktrees(project)>"Worktrees"</a>" · "
                <a href=crate::paths::board_card(project, id)>"Back to the board"</a>
            </p>
        </section>
    }
    .into_any()
}

/// After a Start or a Retry: its live session; or, when it was queued, this page as it now
/// is, which shows why it waits.
fn after_start(
    project: ProjectId,
    navigate: impl Fn(&str, NavigateOptions) + 'static,
    error: RwSignal<Option<AppError>>,
    changes: Changes,
) -> impl FnOnce(Result<StartOutcome, AppError>) + 'static {
    move |result| match result {
        Ok(StartOutcome::Started { session, .. }) => navigate(
            &crate::paths::session(project, session.id),
            Default::default(),
        ),
        Ok(StartOutcome::Queued { .. }) => changes.bump(),
        Err(e) => error.set(Some(e)),
    }
}

#[component]
fn StartTask(
    task: Task,
    runtime: RuntimeSelection,
    settings: String,
    changes: Changes,
) -> impl IntoView {
    let memory = RuntimeMemory::get();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let (project, id) = (task.project_id, task.id);
    let blocked = {
        let runtime = runtime.clone();
        move || memory.blocked_reason(&runtime)
    };
    let gate = runtime.clone();
    let navigate = use_navigate();
    let start = move |_| {
        let request = untrack(|| memory.request(&runtime));
        let navigate = navigate.clone();
        run_pending(
            pending,
            api::execute_task(project, id, request, None),
            after_start(project, navigate, error, changes),
        );
    };
    view! {
        <div class="start-task">
            <RuntimeGate selection=gate settings_href=settings/>
            <button type="button" class="primary" id="start-task" disabled=move || pending.get() || blocked().is_some() on:click=start>
                {move || if pending.get() { "Starting…" } else { "▶ Start" }}
            </button>
            <FormError error/>
        </div>
    }
    .into_any()
}

#[component]
fn RetryForm(
    task: Task,
    runtime: RuntimeSelection,
    settings: String,
    changes: Changes,
) -> impl IntoView {
    let memory = RuntimeMemory::get();
    let feedback = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let (project, id) = (task.project_id, task.id);
    let blocked = {
        let runtime = runtime.clone();
        move || memory.blocked_reason(&runtime)
    };
    let gate = runtime.clone();
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = feedback.get_untracked();
        // The server's own rule, so the form refuses exactly what the server would.
        if let Err(e) = validation::required(Field::Feedback, &text, validation::PROMPT_MAX) {
            error.set(Some(e.into()));
            return;
        }
        let request = untrack(|| memory.request(&runtime));
        let navigate = navigate.clone();
        run_pending(
            pending,
            api::retry_task(project, id, text, request, None),
            after_start(project, navigate, error, changes),
        );
    };
    view! {
        <form class="retry" id="retry" on:submit=submit aria-busy=move || pending.get().to_string()>
            <h2>"Retry with feedback"</h2>
            <label for="retry-feedback">"What should the next attempt do differently?"</label>
            <textarea id="retry-feedback" rows="3" bind:value=feedback></textarea>
            <FieldError error field=Field::Feedback/>
            <RuntimeGate selection=gate settings_href=settings/>
            <FormError error/>
            <button type="submit" class="primary" id="retry-submit" disabled=move || pending.get() || blocked().is_some()>
                {move || if pending.get() { "Starting the new attempt…" } else { "Retry" }}
            </button>
        </form>
    }
    .into_any()
}

#[component]
fn MarkDone(task: Task, changes: Changes) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let (project, id) = (task.project_id, task.id);
    let done = move |_| {
        run_pending(
            pending,
            api::move_task(project, id, TaskStatus::Done),
            move |r| match r {
                Ok(_) => changes.bump(),
                Err(e) => error.set(Some(e)),
            },
        );
    };
    view! {
        <div class="mark-done">
            <button type="button" id="mark-done" disabled=move || pending.get() on:click=done>"✓ Mark done"</button>
            <FormError error/>
        </div>
    }
    .into_any()
}

#[component]
fn CreatePr(task: Task) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let url = RwSignal::new(task.pr_url.clone());
    let (project, id) = (task.project_id, task.id);
    let create = move |_| {
        error.set(None);
        run_pending(pending, api::create_pr(project, id), move |r| match r {
            Ok(task) => url.set(task.pr_url),
            Err(e) => error.set(Some(e)),
        });
    };
    view! {
        <div class="create-pr">
            <button type="button" id="create-pr" disabled=move || pending.get() on:click=create>
                {move || if pending.get() { "Pushing and opening the PR…" } else { "Create PR" }}
            </button>
            {move || pending.get().then(|| view! { <progress aria-label="Creating the pull request"></progress> })}
            {move || url.get().map(|u| view! { <p class="ready">"Pull request: "<a id="pr-url" href=u.clone()>{u.clone()}</a></p> })}
            <div id="pr-error"><FormError error/></div>
        </div>
    }
    .into_any()
}
