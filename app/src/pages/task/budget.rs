//! A task's budget on its page: the one that applies (its own, else the project's default),
//! what its attempts spent against it, and a field to set its own.

use crate::api;
use crate::components::{Erase, FieldError, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use model::budget::{Budget, TaskBudget};
use model::validation::Field;
use model::{ProjectId, TaskId};

/// "$0.40 of $2.00 (the project's default)", or that none applies.
fn summary(budget: &TaskBudget) -> String {
    match (budget.own, budget.default) {
        (Some(own), _) => format!(
            "{} of {}",
            own.describe_spent(&budget.spent),
            own.describe()
        ),
        (None, Some(default)) => format!(
            "{} of {} (the project's default)",
            default.describe_spent(&budget.spent),
            default.describe()
        ),
        (None, None) => "No budget: set one here, or a default for every task in Settings.".into(),
    }
}

/// The budget a Start or a Retry may give the task (blank keeps the one it has), checked by
/// the server's own rule before the start is sent: `None` when it is not a budget (the
/// error then says why).
pub(super) fn start_budget(text: &str, error: RwSignal<Option<AppError>>) -> Option<String> {
    match Budget::parse(Field::TaskBudget, text) {
        Ok(_) => Some(text.trim().to_string()),
        Err(e) => {
            error.set(Some(e.into()));
            None
        }
    }
}

/// The field of [`start_budget`], in the Start and the Retry form.
#[component]
pub(super) fn StartBudgetField(
    id: &'static str,
    text: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <div class="start-budget">
            <label for=id>"Task budget (blank keeps it as it is)"</label>
            <input id=id placeholder="$5 or 200k tokens" bind:value=text/>
            <FieldError error field=Field::TaskBudget/>
        </div>
    }
}

#[component]
pub fn TaskBudgetForm(project: ProjectId, task: TaskId, budget: TaskBudget) -> impl IntoView {
    let text = RwSignal::new(budget.own.map(|b| b.describe()).unwrap_or_default());
    let current = RwSignal::new(budget);
    let error = RwSignal::new(None::<AppError>);
    let save = mutation(
        error,
        move |text: &String| api::save_task_budget(project, task, text.clone()),
        move |budget: TaskBudget| {
            text.set(budget.own.map(|b| b.describe()).unwrap_or_default());
            current.set(budget);
        },
    );
    let pending = save.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let written = text.get_untracked();
        match Budget::parse(Field::TaskBudget, &written) {
            Ok(_) => {
                save.dispatch(written);
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    view! {
        <form class="task-budget" id="task-budget" novalidate on:submit=submit aria-label="Budget">
            <h2>"Budget"</h2>
            <p id="task-budget-summary" role="status" class=move || {
                if current.with(|b| b.reached().is_some()) { "gate-reason" } else { "muted" }
            }>
                {move || current.with(|b| match b.reached() {
                    Some(reached) => format!("⛔ {reached}: raise it to run the task again."),
                    None => summary(b),
                })}
            </p>
            <label for="task-budget-input">"This task's budget, across its attempts (blank: the project's default)"</label>
            <input id="task-budget-input" placeholder="$5 or 200k tokens" bind:value=text/>
            <FieldError error field=Field::TaskBudget/>
            <FormError error/>
            <button type="submit" id="save-task-budget" disabled=move || pending.get()>
                {move || if pending.get() { "Saving…" } else { "Save budget" }}
            </button>
        </form>
    }
    .erased()
}
