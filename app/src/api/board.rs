//! The board page's server functions: every task's place on the board, but the text of only the
//! cards a page renders (the first cards of each open column, then more on demand), so a board
//! of thousands of tasks loads what is on screen.

use super::StrictJson;
use crate::error::AppError;
use leptos::prelude::*;
use model::board_filter::BoardFilter;
use model::schedule::{Dependency, QueueState};
use model::{Priority, ProjectId, RuntimeSelection, SessionId, Task, TaskId, TaskSlot};
use serde::{Deserialize, Serialize};

/// At most this many cards per `get_board_cards` call (a few pages of a column).
pub const MAX_CARDS_PER_CALL: usize = 500;

/// What a card shows of its task, besides its status.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CardContent {
    pub id: TaskId,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub fail_reason: Option<String>,
    /// The session of a task in progress (its card links to it).
    pub session: Option<SessionId>,
    /// What its attempts used, as the card reads it ("$0.05 · 12.5k tokens").
    pub usage: Option<String>,
}

impl From<&Task> for CardContent {
    fn from(task: &Task) -> Self {
        CardContent {
            id: task.id,
            title: task.title.clone(),
            description: task.description.clone(),
            priority: task.priority,
            fail_reason: task.fail_reason.clone(),
            session: task.session_id,
            usage: None,
        }
    }
}

/// The cards of `tasks`, each with what its attempts used.
#[cfg(feature = "ssr")]
fn cards_of<'a>(
    tasks: impl Iterator<Item = &'a Task>,
    usage: &std::collections::HashMap<TaskId, model::usage::UsageTotal>,
) -> Vec<CardContent> {
    tasks
        .map(|task| CardContent {
            usage: usage.get(&task.id).map(model::usage::UsageTotal::label),
            ..CardContent::from(task)
        })
        .collect()
}

/// The board page in one round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardPageData {
    /// Every task of the board the filter keeps, without its text.
    pub slots: Vec<TaskSlot>,
    /// How many tasks the board has, filtered or not.
    pub total: usize,
    /// The cards of [`model::board_window::first_cards`].
    pub cards: Vec<CardContent>,
    /// Titles that blockers and queue reasons name, of tasks that are not among `cards`.
    pub titles: Vec<(TaskId, String)>,
    /// What Start runs with.
    pub runtime: RuntimeSelection,
    /// The latest activity line of each running task; live updates follow on the board's
    /// activity stream.
    pub activity: Vec<(TaskId, String)>,
    pub dependencies: Vec<Dependency>,
    /// Why each queued task among `cards` waits.
    pub queue: Vec<(TaskId, QueueState)>,
    /// Files each running task shares with another running session.
    pub conflicts: Vec<(TaskId, Vec<String>)>,
}

/// More cards of a board, with why those that are queued wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardCards {
    pub cards: Vec<CardContent>,
    pub queue: Vec<(TaskId, QueueState)>,
}

/// The board page; with `filter`, only the tasks its text, priority and agent keep (its
/// "needs me" is the browser's: it hides columns).
#[server(endpoint = "get_board_page", input = StrictJson)]
pub async fn get_board_page(
    project: ProjectId,
    filter: Option<BoardFilter>,
) -> Result<BoardPageData, AppError> {
    if let Some(filter) = &filter
        && filter.text.chars().count() > model::board_filter::MAX_SEARCH_CHARS
    {
        return Err(AppError::BadRequest {
            message: format!(
                "the search is longer than {} characters",
                model::board_filter::MAX_SEARCH_CHARS
            ),
        });
    }
    let engine = super::engine()?;
    let (project, tasks) = engine.board(project).await?;
    let runtime = engine.runtime_selection(project.id).await?;
    let slots: Vec<TaskSlot> = match filter.filter(BoardFilter::narrows) {
        Some(filter) => {
            let keep = engine.matching_tasks(project.id, &tasks, &filter).await?;
            tasks
                .iter()
                .filter(|t| keep.contains(&t.id))
                .map(TaskSlot::from)
                .collect()
        }
        None => tasks.iter().map(TaskSlot::from).collect(),
    };
    let first = model::board_window::first_cards(&slots);
    let by_id: std::collections::HashMap<TaskId, &Task> = tasks.iter().map(|t| (t.id, t)).collect();
    let usage = engine.tasks_usage(project.id, first.clone()).await;
    let usage = super::or_nothing("the tasks' usage", usage);
    let cards = cards_of(first.iter().filter_map(|id| by_id.get(id).copied()), &usage);
    let activity = engine.running_activity(&tasks).await?;
    let dependencies = engine.dependencies(project.id).await?;
    let shown: std::collections::HashSet<TaskId> = first.iter().copied().collect();
    let queue: Vec<(TaskId, QueueState)> = engine
        .queue_plan(project.id)
        .await?
        .into_iter()
        .filter(|(id, _)| shown.contains(id))
        .collect();
    let titles = named_titles(&dependencies, &shown, &by_id);
    let conflicts = model::schedule::conflicts_by_task(&engine.file_locks(project.id).await?);
    Ok(BoardPageData {
        slots,
        total: tasks.len(),
        cards,
        titles,
        runtime,
        activity,
        dependencies,
        queue,
        conflicts,
    })
}

/// The cards of `tasks` (those of this project; a task that is gone is left out).
#[server(endpoint = "get_board_cards", input = StrictJson)]
pub async fn get_board_cards(
    project: ProjectId,
    tasks: Vec<TaskId>,
) -> Result<BoardCards, AppError> {
    if tasks.len() > MAX_CARDS_PER_CALL {
        return Err(AppError::BadRequest {
            message: format!("at most {MAX_CARDS_PER_CALL} cards at once"),
        });
    }
    let engine = super::engine()?;
    let (project, all) = engine.board(project).await?;
    let wanted: std::collections::HashSet<TaskId> = tasks.iter().copied().collect();
    let usage = engine.tasks_usage(project.id, tasks).await;
    let usage = super::or_nothing("the tasks' usage", usage);
    let cards = cards_of(all.iter().filter(|t| wanted.contains(&t.id)), &usage);
    let queue = engine
        .queue_plan(project.id)
        .await?
        .into_iter()
        .filter(|(id, _)| wanted.contains(id))
        .collect();
    Ok(BoardCards { cards, queue })
}

/// The titles of the tasks that others depend on (queue reasons name only those too), except
/// those of the cards the page holds anyway.
#[cfg(feature = "ssr")]
fn named_titles(
    dependencies: &[Dependency],
    shown: &std::collections::HashSet<TaskId>,
    by_id: &std::collections::HashMap<TaskId, &Task>,
) -> Vec<(TaskId, String)> {
    let mut named: Vec<TaskId> = dependencies.iter().map(|d| d.on).collect();
    named.sort();
    named.dedup();
    named
        .into_iter()
        .filter(|id| !shown.contains(id))
        .filter_map(|id| by_id.get(&id).map(|t| (id, t.title.clone())))
        .collect()
}
