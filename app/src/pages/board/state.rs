//! The board's client state: the tasks, per-card errors, and the calls that change them. Moves
//! are not optimistic: a card changes when the server agrees, and a refusal is shown on it.

use crate::api;
use crate::api::BoardData;
use crate::components::runtime::RuntimeMemory;
use crate::error::AppError;
use leptos::prelude::*;
use model::schedule::{Dependency, QueueState};
use model::{BoardColumn, ProjectId, RuntimeSelection, Task, TaskId, TaskStatus};
use std::collections::HashMap;

#[derive(Clone, Copy)]
pub struct BoardState {
    pub project: ProjectId,
    pub tasks: RwSignal<Vec<Task>>,
    /// The card being dragged, if any.
    pub dragging: RwSignal<Option<TaskId>>,
    /// The last refusal or failure per card, shown on it until the next action.
    pub errors: RwSignal<HashMap<TaskId, String>>,
    /// Cards with a call in flight.
    pub busy: RwSignal<HashMap<TaskId, bool>>,
    /// Read by screen readers after keyboard moves.
    pub announcement: RwSignal<String>,
    /// The project's saved runtime: what Start runs with.
    pub runtime: StoredValue<RuntimeSelection>,
    /// Why Start is not possible with what this tab holds: one memo for every card.
    start_blocked: Memo<Option<String>>,
    /// The latest activity line of each running task (first from the server, then live).
    pub activity: RwSignal<HashMap<TaskId, String>>,
    pub dependencies: RwSignal<Vec<Dependency>>,
    /// Why each queued task waits (refreshed when the queue may have moved).
    pub queue: RwSignal<HashMap<TaskId, QueueState>>,
    /// Files each running task shares with another running session.
    pub conflicts: StoredValue<HashMap<TaskId, Vec<String>>>,
}

impl BoardState {
    pub fn new(data: BoardData) -> Self {
        let BoardData {
            project,
            tasks,
            runtime,
            activity,
            dependencies,
            queue,
            conflicts,
            ..
        } = data;
        BoardState {
            project: project.id,
            tasks: RwSignal::new(tasks),
            dragging: RwSignal::new(None),
            errors: RwSignal::new(HashMap::new()),
            busy: RwSignal::new(HashMap::new()),
            announcement: RwSignal::new(String::new()),
            start_blocked: {
                let memory = RuntimeMemory::get();
                let runtime = runtime.clone();
                Memo::new(move |_| memory.blocked_reason(&runtime))
            },
            runtime: StoredValue::new(runtime),
            activity: RwSignal::new(activity.into_iter().collect()),
            dependencies: RwSignal::new(dependencies),
            queue: RwSignal::new(queue.into_iter().collect()),
            conflicts: StoredValue::new(conflicts.into_iter().collect()),
        }
    }

    pub fn upsert(&self, task: Task) {
        self.tasks
            .update(|tasks| match tasks.iter_mut().find(|t| t.id == task.id) {
                Some(existing) => *existing = task,
                None => tasks.push(task),
            });
    }

    pub fn error_of(&self, id: TaskId) -> Option<String> {
        self.errors.with(|e| e.get(&id).cloned())
    }

    pub fn is_busy(&self, id: TaskId) -> bool {
        self.busy.with(|b| b.get(&id).copied().unwrap_or(false))
    }

    fn report(&self, id: TaskId, result: Result<(), AppError>) {
        self.errors.update(|errors| match result {
            Ok(()) => {
                errors.remove(&id);
            }
            Err(e) => {
                errors.insert(id, e.message());
            }
        });
    }

    /// Runs a call for one card, marking it busy meanwhile.
    fn call<T: 'static>(
        self,
        id: TaskId,
        call: impl std::future::Future<Output = Result<T, AppError>> + 'static,
        on_ok: impl FnOnce(T) + 'static,
    ) {
        self.busy.update(|b| {
            b.insert(id, true);
        });
        leptos::task::spawn_local(async move {
            let result = call.await;
            self.busy.update(|b| {
                b.remove(&id);
            });
            self.report(id, result.map(on_ok));
        });
    }

    pub fn move_to(self, id: TaskId, status: TaskStatus) {
        self.call(id, api::move_task(self.project, id, status), move |task| {
            self.upsert(task)
        });
    }

    /// The status a drop on `column` asks for: the first of the column's statuses the task
    /// may be moved to by hand, else the column's first (and the server says why not).
    pub fn drop_on_column(self, id: TaskId, column: BoardColumn) {
        let Some(from) = self.status_of(id) else {
            return;
        };
        if BoardColumn::of(from) == column {
            return;
        }
        let statuses = column.statuses();
        let target = statuses
            .iter()
            .copied()
            .find(|to| from.manual_move(*to).is_ok())
            .unwrap_or(statuses[0]);
        self.move_to(id, target);
    }

    pub fn status_of(&self, id: TaskId) -> Option<TaskStatus> {
        self.tasks
            .with_untracked(|tasks| tasks.iter().find(|t| t.id == id).map(|t| t.status))
    }

    /// The ids of `column` in board order.
    pub fn column_ids(&self, column: BoardColumn) -> Vec<TaskId> {
        self.tasks
            .with_untracked(|tasks| column.tasks(tasks).iter().map(|t| t.id).collect())
    }

    /// Puts `id` at `position` in its column; `refocus` gives the keyboard focus back to the
    /// card once it has moved.
    pub fn reorder(self, id: TaskId, position: usize, refocus: bool) {
        self.call(
            id,
            api::reorder_task(self.project, id, position),
            move |order: Vec<TaskId>| {
                self.tasks.update(|tasks| {
                    for task in tasks.iter_mut() {
                        if let Some(index) = order.iter().position(|o| *o == task.id) {
                            task.sort_order = index as i64;
                        }
                    }
                });
                if let (Some(index), Some(title)) = (
                    order.iter().position(|o| *o == id),
                    self.tasks
                        .with_untracked(|t| t.iter().find(|t| t.id == id).map(|t| t.title.clone())),
                ) {
                    self.announcement.set(format!(
                        "Moved “{title}” to position {} of {}",
                        index + 1,
                        order.len()
                    ));
                }
                if refocus {
                    request_animation_frame(move || focus_card(id));
                }
            },
        );
    }

    /// Why Start is not possible with what this tab holds (tracked), if it is not.
    pub fn start_blocked(&self) -> Option<String> {
        self.start_blocked.get()
    }

    /// Executes the task with the project's runtime and this tab's secrets: it runs, or is
    /// queued with the reason shown on its card.
    pub fn start(self, id: TaskId) {
        let memory = RuntimeMemory::get();
        let request = self.runtime.with_value(|r| untrack(|| memory.request(r)));
        self.call(
            id,
            api::execute_task(self.project, id, request, None),
            move |started| {
                self.upsert(started.task);
                self.refresh_queue();
            },
        );
    }

    /// Reads the queue's reasons again (a task started, ended or was queued).
    pub fn refresh_queue(self) {
        leptos::task::spawn_local(async move {
            if let Ok(plan) = api::get_queue(self.project).await {
                self.queue.set(plan.into_iter().collect());
            }
        });
    }

    /// Reads one task again (its session started or ended elsewhere), then the queue.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn refresh_task(self, id: TaskId) {
        leptos::task::spawn_local(async move {
            if let Ok(task) = api::get_task(self.project, id).await {
                self.upsert(task);
            }
            self.refresh_queue();
        });
    }

    /// The tasks `id` depends on that are not done, with their titles.
    pub fn blockers_of(&self, id: TaskId) -> Vec<(TaskId, String)> {
        self.dependencies.with(|deps| {
            if !deps.iter().any(|d| d.task == id) {
                return Vec::new();
            }
            self.tasks.with(|tasks| {
                deps.iter()
                    .filter(|d| d.task == id)
                    .filter_map(|d| tasks.iter().find(|t| t.id == d.on))
                    .filter(|t| t.status != TaskStatus::Done)
                    .map(|t| (t.id, t.title.clone()))
                    .collect()
            })
        })
    }

    /// What a queued card says about why it waits.
    pub fn queue_reason(&self, id: TaskId) -> Option<QueueState> {
        self.queue.with(|q| q.get(&id).cloned())
    }

    pub fn title_of(&self, id: TaskId) -> String {
        self.tasks.with_untracked(|tasks| {
            tasks
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.title.clone())
                .unwrap_or_default()
        })
    }

    pub fn delete(self, id: TaskId) {
        self.call(id, api::delete_task(self.project, id), move |()| {
            self.tasks.update(|tasks| tasks.retain(|t| t.id != id));
        });
    }
}

/// The DOM id of a task's card.
pub fn card_dom_id(id: TaskId) -> String {
    format!("task-{id}")
}

pub fn focus_card(id: TaskId) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .get_element_by_id(&card_dom_id(id))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
