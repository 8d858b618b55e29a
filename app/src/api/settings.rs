//! Settings > Execution & model: the project's saved runtime selection and the connection
//! test. The secrets only ever arrive inside a [`RuntimeRequest`]; nothing here stores one.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::budget::ProjectBudgets;
use model::prices::PriceTable;
use model::setup::WorktreeSetup;
use model::{ConnectionReport, DeclaredAgent, ProjectId, RuntimeRequest, RuntimeSelection};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsData {
    pub selection: RuntimeSelection,
    /// Task attempts that may run at once.
    pub concurrency_limit: u32,
    /// The ACP agents this server declares, installed or not.
    pub agents: Vec<DeclaredAgent>,
    pub worktree_setup: WorktreeSetup,
    /// What estimates a cost where a CLI reports tokens only.
    pub prices: PriceTable,
    pub budgets: ProjectBudgets,
}

#[server(endpoint = "get_settings", input = StrictJson)]
pub async fn get_settings(project: ProjectId) -> Result<SettingsData, AppError> {
    let engine = super::engine()?;
    engine.project(project).await?;
    Ok(SettingsData {
        selection: engine.runtime_selection(project).await?,
        concurrency_limit: engine.concurrency_limit(project).await?,
        agents: engine.declared_agents(),
        worktree_setup: engine.worktree_setup(project).await?,
        prices: engine.price_table(project).await?,
        budgets: engine.budgets(project).await?,
    })
}

/// Saves the non-secret selection; a malformed one is refused and nothing changes.
#[server(endpoint = "save_runtime", input = StrictJson)]
pub async fn save_runtime(
    project: ProjectId,
    selection: RuntimeSelection,
) -> Result<RuntimeSelection, AppError> {
    let engine = super::engine()?;
    engine.project(project).await?;
    Ok(engine.save_runtime_selection(project, selection).await?)
}

/// Runs the request's runtime once with a trivial prompt (up to 90 s).
#[server(endpoint = "test_connection", input = StrictJson)]
pub async fn test_connection(
    project: ProjectId,
    runtime: RuntimeRequest,
) -> Result<ConnectionReport, AppError> {
    let engine = super::engine()?;
    engine.project(project).await?;
    Ok(engine.test_connection(runtime).await?)
}

/// What each new worktree of the project gets before its agent starts.
#[server(endpoint = "get_worktree_setup", input = StrictJson)]
pub async fn get_worktree_setup(project: ProjectId) -> Result<WorktreeSetup, AppError> {
    Ok(super::engine()?.worktree_setup(project).await?)
}

/// Saves the files to copy and the set-up command; a malformed one is refused and nothing
/// changes.
#[server(endpoint = "save_worktree_setup", input = StrictJson)]
pub async fn save_worktree_setup(
    project: ProjectId,
    setup: WorktreeSetup,
) -> Result<WorktreeSetup, AppError> {
    Ok(super::engine()?.save_worktree_setup(project, setup).await?)
}

/// Replaces the project's price table with the one `text` writes, one model a line
/// ("pattern, input, output, cache read, cache write", US$ per million tokens); a bad line is
/// refused, naming it, and nothing changes. Turns recorded before keep their cost.
#[server(endpoint = "save_prices", input = StrictJson)]
pub async fn save_prices(project: ProjectId, text: String) -> Result<PriceTable, AppError> {
    Ok(super::engine()?.set_price_table(project, text).await?)
}

/// Sets the project's default budget for a task and its daily budget from what the user typed
/// ("$5", "200k tokens"; blank: none); a bad one is refused, naming it, and nothing changes.
#[server(endpoint = "save_budgets", input = StrictJson)]
pub async fn save_budgets(
    project: ProjectId,
    task_default: String,
    daily: String,
) -> Result<ProjectBudgets, AppError> {
    Ok(super::engine()?
        .set_budgets(project, &task_default, &daily)
        .await?)
}
