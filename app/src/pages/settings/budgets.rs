//! Settings > Budgets: the default budget of a task (across its attempts) and the project's
//! daily budget, in dollars or tokens, with what the project spent today.

use crate::api;
use crate::components::{Erase, FieldError, FormError, mutation};
use crate::error::AppError;
use leptos::prelude::*;
use model::ProjectId;
use model::budget::{Budget, ProjectBudgets};
use model::validation::Field;

fn text_of(budget: Option<Budget>) -> String {
    budget.map(|b| b.describe()).unwrap_or_default()
}

#[component]
pub fn BudgetsForm(project: ProjectId, budgets: ProjectBudgets) -> impl IntoView {
    let task_default = RwSignal::new(text_of(budgets.task_default));
    let daily = RwSignal::new(text_of(budgets.daily));
    let current = RwSignal::new(budgets);
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let save = mutation(
        error,
        move |(task, day): &(String, String)| api::save_budgets(project, task.clone(), day.clone()),
        move |budgets: ProjectBudgets| {
            task_default.set(text_of(budgets.task_default));
            daily.set(text_of(budgets.daily));
            current.set(budgets);
            saved.set(true);
        },
    );
    let pending = save.pending();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let (task, day) = (task_default.get_untracked(), daily.get_untracked());
        // The server's own rules, so the form refuses exactly what the server would.
        let checked = Budget::parse(Field::TaskBudget, &task)
            .and_then(|_| Budget::parse(Field::DailyBudget, &day));
        match checked {
            Ok(_) => {
                save.dispatch((task, day));
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    let today = move || {
        current.with(|b| {
            match b.daily {
                Some(budget) if budget.is_reached(&b.today) => format!(
                    "Today: {} of {} — spent: the queue holds new starts until tomorrow (UTC) or a higher budget.",
                    budget.describe_spent(&b.today),
                    budget.describe()
                ),
                Some(budget) => format!(
                    "Today: {} of {}.",
                    budget.describe_spent(&b.today),
                    budget.describe()
                ),
                None if b.today.is_empty() => "Nothing spent today.".to_string(),
                None => format!("Today: {}.", b.today.label()),
            }
        })
    };
    view! {
        <form class="runtime-form budgets" id="budgets" novalidate on:submit=submit>
            <h2>"Budgets"</h2>
            <p class="muted">"In dollars (“$5”, “2.50”) or tokens (“200k tokens”); blank for none. A task's budget counts all its attempts: the turn that reaches it fails the task with “budget of $X reached after $Y”, and it starts again only with a higher one (set on the task's page, or here for every task without its own). Once the daily budget is spent, queued tasks wait for the next day (UTC) or a higher budget. Dollars count the costs the CLIs report or the prices estimate; tokens without a price count only in a token budget."</p>
            <label for="budget-task">"Budget of a task (default)"</label>
            <input id="budget-task" placeholder="none" bind:value=task_default/>
            <FieldError error field=Field::TaskBudget/>
            <label for="budget-daily">"Daily budget of the project"</label>
            <input id="budget-daily" placeholder="none" bind:value=daily/>
            <FieldError error field=Field::DailyBudget/>
            <p class="muted" id="budget-today">{today}</p>
            <FormError error/>
            <div class="actions">
                <button type="submit" id="save-budgets" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save budgets" }}
                </button>
                <span class="ready" id="budgets-state" role="status">
                    {move || saved.get().then_some("Saved.")}
                </span>
            </div>
        </form>
    }
    .erased()
}
