//! Budgets (`model::budget`): a task's own (set on its page, kept for its later attempts) or
//! the project's default for tasks, counted across all its attempts; and the project's daily
//! budget. A task whose attempts reach its budget fails with "budget of $X reached after $Y",
//! and may not start again until the budget is raised; a spent daily budget holds the queue
//! (the plan says so on the cards) until the next UTC day or a higher budget.

use crate::store::{self, StoreError};
use crate::{Engine, EngineResult};
use model::budget::{Budget, DailySpend, ProjectBudgets, TaskBudget};
use model::time::Day;
use model::usage::{RunningUsage, UsageTotal};
use model::usage_report::DayRange;
use model::validation::Field;
use model::{ProjectId, TaskId};
use rusqlite::{Connection, OptionalExtension};

/// What a running turn of a task is held to ([`Engine::turn_limit`]).
pub(crate) struct TurnLimit {
    budget: Budget,
    /// What the task's attempts spent before this turn.
    before: UsageTotal,
    prices: model::prices::PriceTable,
}

impl TurnLimit {
    /// The budget's failure once the turn so far (`running`, `model` for a call that names
    /// none) brings the task to it.
    pub(crate) fn reached(&self, running: &RunningUsage, model: Option<&str>) -> Option<String> {
        let total = UsageTotal::sum([&self.before, &running.total(&self.prices, model)]);
        self.budget
            .is_reached(&total)
            .then(|| self.budget.reached_reason(&total))
    }
}

/// The `project_settings` keys.
const TASK_DEFAULT_KEY: &str = "task_budget";
const DAILY_KEY: &str = "daily_budget";

fn setting(conn: &Connection, project: ProjectId, key: &str) -> Result<Option<Budget>, StoreError> {
    match store::settings::get(conn, project, key)? {
        None => Ok(None),
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("the {key} setting: {e}"))),
    }
}

fn put_setting(
    conn: &Connection,
    project: ProjectId,
    key: &str,
    budget: Option<Budget>,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(&budget)
        .map_err(|e| StoreError::Corrupt(format!("the {key} setting: {e}")))?;
    Ok(store::settings::put(conn, project, key, &json)?)
}

/// The task's budget and what its attempts spent.
pub(crate) fn task_budget_of(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
) -> Result<TaskBudget, StoreError> {
    // A task that is not there has none: whoever asked learns it is not found from the
    // task's own read, not from a failed one here.
    let own: Option<String> = conn
        .query_row(
            "SELECT budget FROM tasks WHERE project_id = ?1 AND id = ?2",
            rusqlite::params![project.0, task.0],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let own = match own {
        Some(json) => serde_json::from_str(&json)
            .map_err(|e| StoreError::Corrupt(format!("task {task}'s budget: {e}")))?,
        None => None,
    };
    let spent = store::usage::totals_by_task(conn, project, &[task])?
        .remove(&task)
        .unwrap_or_default();
    Ok(TaskBudget {
        own,
        default: setting(conn, project, TASK_DEFAULT_KEY)?,
        spent,
    })
}

/// Sets the task's own budget (`None`: the project's default applies).
pub(crate) fn put_task_budget(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
    budget: Option<Budget>,
) -> Result<(), StoreError> {
    let json = budget
        .map(|b| serde_json::to_string(&b))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("task {task}'s budget: {e}")))?;
    conn.execute(
        "UPDATE tasks SET budget = ?3 WHERE project_id = ?1 AND id = ?2",
        rusqlite::params![project.0, task.0, json],
    )?;
    Ok(())
}

/// The project's day at `now` against its daily budget, when it has one.
pub(crate) fn daily_spend_of(
    conn: &Connection,
    project: ProjectId,
    now: i64,
) -> Result<Option<DailySpend>, StoreError> {
    let Some(budget) = setting(conn, project, DAILY_KEY)? else {
        return Ok(None);
    };
    Ok(Some(DailySpend {
        budget,
        spent: spent_on_the_day_of(conn, project, now)?,
        next_day: Day::of_unix_ms(now).plus(1).start_ms(),
    }))
}

/// What the project spent on the UTC day of `now`.
fn spent_on_the_day_of(
    conn: &Connection,
    project: ProjectId,
    now: i64,
) -> Result<UsageTotal, StoreError> {
    let day = Day::of_unix_ms(now);
    let range = DayRange { from: day, to: day };
    Ok(store::usage::range_total(conn, project, range)?)
}

/// Why an attempt of `task` may not start: its budget (`given` with the start, else its own) is
/// reached, or (for a retry, which does not queue) the project's daily budget is spent.
pub(crate) fn refusal(
    conn: &Connection,
    (project, task): (ProjectId, TaskId),
    (retry, given): (bool, Option<Budget>),
    now: i64,
) -> Result<Option<String>, StoreError> {
    let mut budget = task_budget_of(conn, project, task)?;
    budget.own = given.or(budget.own);
    if let Some(reached) = budget.reached() {
        return Ok(Some(format!(
            "This task's {reached}: give it a higher budget to run it again."
        )));
    }
    if retry && let Some(day) = daily_spend_of(conn, project, now)?.filter(DailySpend::is_spent) {
        return Ok(Some(format!(
            "The daily budget of {} is spent ({} today): raise it in Settings, or retry after {}.",
            day.budget.describe(),
            day.budget.describe_spent(&day.spent),
            model::time::format_utc(day.next_day)
        )));
    }
    Ok(None)
}

impl Engine {
    pub async fn budgets(&self, project: ProjectId) -> EngineResult<ProjectBudgets> {
        self.project(project).await?;
        let now = self.clock().now_ms();
        self.db()
            .read(move |conn| -> EngineResult<_> {
                Ok(ProjectBudgets {
                    task_default: setting(conn, project, TASK_DEFAULT_KEY)?,
                    daily: setting(conn, project, DAILY_KEY)?,
                    today: spent_on_the_day_of(conn, project, now)?,
                })
            })
            .await
    }

    /// Sets the project's default task budget and its daily budget from what the user typed
    /// (blank: none); a bad one is refused and nothing changes. A higher budget may start
    /// queued tasks at once.
    pub async fn set_budgets(
        &self,
        project: ProjectId,
        task_default: &str,
        daily: &str,
    ) -> EngineResult<ProjectBudgets> {
        let task_default = Budget::parse(Field::TaskBudget, task_default)?;
        let daily = Budget::parse(Field::DailyBudget, daily)?;
        self.project(project).await?;
        self.db()
            .write(move |conn| -> EngineResult<()> {
                let tx = conn.transaction().map_err(StoreError::from)?;
                put_setting(&tx, project, TASK_DEFAULT_KEY, task_default)?;
                put_setting(&tx, project, DAILY_KEY, daily)?;
                tx.commit().map_err(StoreError::from)?;
                Ok(())
            })
            .await?;
        self.on_task_ended(project).await;
        self.budgets(project).await
    }

    pub async fn task_budget(&self, project: ProjectId, task: TaskId) -> EngineResult<TaskBudget> {
        self.task(project, task).await?;
        self.db()
            .read(move |conn| Ok(task_budget_of(conn, project, task)?))
            .await
    }

    /// Sets the task's own budget from what the user typed (blank: the project's default).
    pub async fn set_task_budget(
        &self,
        project: ProjectId,
        task: TaskId,
        text: &str,
    ) -> EngineResult<TaskBudget> {
        let budget = Budget::parse(Field::TaskBudget, text)?;
        self.task(project, task).await?;
        self.db()
            .write(move |conn| -> EngineResult<TaskBudget> {
                put_task_budget(conn, project, task, budget)?;
                Ok(task_budget_of(conn, project, task)?)
            })
            .await
    }

    /// Why this attempt may not start, budget-wise ([`refusal`]), with the budget `given` with
    /// the start in place of the task's own.
    pub(crate) async fn budget_refusal(
        &self,
        project: ProjectId,
        task: TaskId,
        retry: bool,
        given: Option<Budget>,
    ) -> EngineResult<Option<String>> {
        let now = self.clock().now_ms();
        self.db()
            .read(move |conn| Ok(refusal(conn, (project, task), (retry, given), now)?))
            .await
    }

    /// What a running turn of `task` is held to: its budget, what its attempts spent before
    /// and the prices that estimate the turn's cost; `None` when it has no budget (or it
    /// cannot be read: the turn's end checks again).
    pub(crate) async fn turn_limit(&self, project: ProjectId, task: TaskId) -> Option<TurnLimit> {
        let read = self
            .db()
            .read(move |conn| -> Result<_, StoreError> {
                let budget = task_budget_of(conn, project, task)?;
                let prices = crate::usage::prices_of(conn, project)?;
                Ok(budget.applies().map(|applies| TurnLimit {
                    budget: applies,
                    before: budget.spent,
                    prices,
                }))
            })
            .await;
        read.unwrap_or_else(|e| {
            tracing::error!(%project, %task, error = %e, "reading the task's budget");
            None
        })
    }

    /// After a turn of a task's attempt: its budget's failure, once reached.
    pub(crate) async fn task_budget_reached(
        &self,
        project: ProjectId,
        task: TaskId,
    ) -> Option<String> {
        let read = self
            .db()
            .read(move |conn| task_budget_of(conn, project, task))
            .await;
        match read {
            Ok(budget) => budget.reached(),
            Err(e) => {
                tracing::error!(%project, %task, error = %e, "reading the task's budget");
                None
            }
        }
    }
}
