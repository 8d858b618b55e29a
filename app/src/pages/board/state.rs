//! The board's client state: every task's place (its slot), the text of the cards the page has,
//! per-card errors, the one ⋯ menu and edit form, and the calls that change them. Moves are not
//! optimistic: a card changes when the server agrees, and a refusal is shown on it.

use super::menu::{EditForm, MenuState};
use crate::api::{self, BoardCards, BoardPageData, CardContent};
use crate::components::TaskFormFields;
use crate::components::runtime::Launcher;
use crate::components::{on_answer, unanswered};
use crate::error::AppError;
use leptos::prelude::*;
use model::board_filter::BoardFilter;
use model::schedule::{Dependency, QueueState};
use model::{BoardColumn, ProjectId, Task, TaskDraft, TaskId, TaskSlot, TaskStatus};
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy)]
pub struct BoardState {
    pub project: ProjectId,
    /// Every task of the board, without its text.
    pub slots: RwSignal<Vec<TaskSlot>>,
    /// The status of every task, by id.
    statuses: Memo<HashMap<TaskId, TaskStatus>>,
    /// The text of the cards this page has: rendered, or fetched to be.
    pub cards: RwSignal<HashMap<TaskId, CardContent>>,
    /// Titles that blockers and queue reasons name, of tasks whose card the page lacks.
    titles: StoredValue<HashMap<TaskId, String>>,
    /// Cards being fetched.
    loading: StoredValue<HashSet<TaskId>>,
    /// The card being dragged, if any.
    pub dragging: StoredValue<Option<TaskId>>,
    /// The last refusal or failure per card, shown on it until the next action.
    pub errors: RwSignal<HashMap<TaskId, String>>,
    /// Cards with a call in flight.
    pub busy: RwSignal<HashSet<TaskId>>,
    /// Read by screen readers after keyboard moves.
    pub announcement: RwSignal<String>,
    /// The project's saved runtime with this tab's secrets: what Start runs with.
    launcher: Launcher,
    /// Why Start is not possible with what this tab holds: one memo for every card.
    start_blocked: Memo<Option<String>>,
    /// The latest activity line of each running task (first from the server, then live).
    pub activity: RwSignal<HashMap<TaskId, String>>,
    pub dependencies: RwSignal<Vec<Dependency>>,
    /// Why each queued task waits (refreshed when the queue may have moved).
    pub queue: RwSignal<HashMap<TaskId, QueueState>>,
    /// Files each running task shares with another running session.
    pub conflicts: StoredValue<HashMap<TaskId, Vec<String>>>,
    /// The card whose ⋯ menu is open.
    pub menu: RwSignal<Option<(TaskId, MenuState)>>,
    pub edit: EditForm,
    /// The search and filters the board was loaded with (from the page's address).
    pub filter: StoredValue<BoardFilter>,
}

impl BoardState {
    pub fn new(project: ProjectId, data: BoardPageData, filter: BoardFilter) -> Self {
        let BoardPageData {
            slots,
            total: _, // the page's header shows it
            cards,
            titles,
            runtime,
            activity,
            dependencies,
            queue,
            conflicts,
        } = data;
        let slots = RwSignal::new(slots);
        let launcher = Launcher::new(runtime);
        let edit_error = RwSignal::new(None);
        let state = BoardState {
            project,
            slots,
            statuses: Memo::new(move |_| {
                slots.with(|slots| slots.iter().map(|s| (s.id, s.status)).collect())
            }),
            cards: RwSignal::new(cards.into_iter().map(|c| (c.id, c)).collect()),
            titles: StoredValue::new(titles.into_iter().collect()),
            loading: StoredValue::new(HashSet::new()),
            dragging: StoredValue::new(None),
            errors: RwSignal::new(HashMap::new()),
            busy: RwSignal::new(HashSet::new()),
            announcement: RwSignal::new(String::new()),
            start_blocked: Memo::new(move |_| launcher.blocked()),
            launcher,
            activity: RwSignal::new(activity.into_iter().collect()),
            dependencies: RwSignal::new(dependencies),
            queue: RwSignal::new(queue.into_iter().collect()),
            conflicts: StoredValue::new(conflicts.into_iter().collect()),
            menu: RwSignal::new(None),
            filter: StoredValue::new(filter),
            edit: EditForm {
                task: RwSignal::new(None),
                fields: TaskFormFields::new(TaskDraft::default()),
                error: edit_error,
                // The board's, not a card's: a card is rebuilt whenever what it shows changes,
                // and a save in flight must still close the form when it answers.
                save: unanswered(edit_error, move |(id, draft): &(TaskId, TaskDraft)| {
                    api::update_task(project, *id, draft.clone())
                }),
            },
        };
        on_answer(state.edit.save, edit_error, move |task| state.edited(task));
        state
    }

    /// A task the server sent: its slot and its card — unless the board's search leaves it
    /// out (a new task with an agent filter is left out too: no agent has worked on it yet).
    pub fn upsert(&self, task: Task) {
        let known = self.status_of(task.id).is_some();
        let keep = self
            .filter
            .with_value(|f| !f.narrows() || (f.matches(&task) && (f.agent.is_none() || known)));
        if !keep {
            self.slots.update(|slots| slots.retain(|s| s.id != task.id));
            self.announcement.set(format!(
                "“{}” is not shown: the search leaves it out",
                task.title
            ));
            return;
        }
        let slot = TaskSlot::from(&task);
        self.slots
            .update(|slots| match slots.iter_mut().find(|s| s.id == slot.id) {
                Some(existing) => *existing = slot,
                None => slots.push(slot),
            });
        self.cards.update(|cards| {
            // A task carries no usage: the card keeps the one it has.
            let usage = cards.get(&task.id).and_then(|c| c.usage.clone());
            cards.insert(
                task.id,
                CardContent {
                    usage,
                    ..CardContent::from(&task)
                },
            );
        });
    }

    /// The status of `id` (tracked).
    pub fn status(&self, id: TaskId) -> Option<TaskStatus> {
        self.statuses.with(|s| s.get(&id).copied())
    }

    pub fn status_of(&self, id: TaskId) -> Option<TaskStatus> {
        self.statuses.with_untracked(|s| s.get(&id).copied())
    }

    pub fn error_of(&self, id: TaskId) -> Option<String> {
        self.errors.with(|e| e.get(&id).cloned())
    }

    pub fn is_busy(&self, id: TaskId) -> bool {
        self.busy.with(|b| b.contains(&id))
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

    /// Runs a call for one card, marking it busy meanwhile. The board's card actions (move,
    /// reorder, start, delete, open the edit form) go through this one keyed runner — a busy
    /// set and an error map for the whole board — rather than an `Action` per card: cards have
    /// no reactive parts of their own, which is what keeps a board of thousands of them light.
    pub(super) fn call<T: 'static>(
        self,
        id: TaskId,
        call: impl std::future::Future<Output = Result<T, AppError>> + 'static,
        on_ok: impl FnOnce(T) + 'static,
    ) {
        self.busy.update(|b| {
            b.insert(id);
        });
        leptos::task::spawn_local(async move {
            let result = call.await;
            self.busy.update(|b| {
                b.remove(&id);
            });
            self.report(id, result.map(on_ok));
        });
    }

    /// Fetches the cards a column wants to render and the page does not have yet.
    pub fn load_cards(self, ids: Vec<TaskId>) {
        let ids: Vec<TaskId> = self.loading.with_value(|loading| {
            ids.into_iter()
                .filter(|id| !loading.contains(id))
                .take(api::MAX_CARDS_PER_CALL)
                .collect()
        });
        if ids.is_empty() {
            return;
        }
        self.loading
            .update_value(|loading| loading.extend(ids.iter().copied()));
        leptos::task::spawn_local(async move {
            let result = api::get_board_cards(self.project, ids.clone()).await;
            if let Ok(BoardCards { cards, queue }) = result {
                // A task the server did not send is gone: forget its slot too.
                let sent: HashSet<TaskId> = cards.iter().map(|c| c.id).collect();
                let asked: HashSet<TaskId> = ids.iter().copied().collect();
                self.slots.update(|slots| {
                    slots.retain(|s| sent.contains(&s.id) || !asked.contains(&s.id))
                });
                self.queue.update(|q| q.extend(queue));
                self.cards
                    .update(|known| known.extend(cards.into_iter().map(|c| (c.id, c))));
            }
            self.loading.update_value(|loading| {
                for id in &ids {
                    loading.remove(id);
                }
            });
        });
    }

    pub fn move_to(self, id: TaskId, status: TaskStatus) {
        self.menu.set(None);
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

    /// The ids of `column` in board order.
    pub fn column_ids(&self, column: BoardColumn) -> Vec<TaskId> {
        self.slots
            .with_untracked(|slots| column.order(slots, false))
    }

    /// Puts `id` at `position` in its column; `refocus` gives the keyboard focus back to the
    /// card once it has moved.
    pub fn reorder(self, id: TaskId, position: usize, refocus: bool) {
        if self.filter.with_value(BoardFilter::narrows) {
            // A position is the whole column's; the search shows only part of it.
            self.errors.update(|errors| {
                errors.insert(id, "Clear the search to reorder cards".into());
            });
            return;
        }
        self.call(
            id,
            api::reorder_task(self.project, id, position),
            move |order: Vec<TaskId>| {
                let index: HashMap<TaskId, usize> =
                    order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
                self.slots.update(|slots| {
                    for slot in slots.iter_mut() {
                        if let Some(i) = index.get(&slot.id) {
                            slot.sort_order = *i as i64;
                        }
                    }
                });
                if let Some(i) = index.get(&id) {
                    self.announcement.set(format!(
                        "Moved “{}” to position {} of {}",
                        self.title_of(id),
                        i + 1,
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
        let request = self.launcher.request();
        self.call(
            id,
            api::execute_task(self.project, id, request, None, None),
            move |outcome: model::schedule::StartOutcome| {
                self.upsert(outcome.task().clone());
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
            // A session that ended added to what the task used.
            if let Ok(fresh) = api::get_board_cards(self.project, vec![id]).await {
                self.cards.update(|cards| {
                    for card in fresh.cards {
                        if let Some(shown) = cards.get_mut(&card.id) {
                            shown.usage = card.usage;
                        }
                    }
                });
            }
            self.refresh_queue();
        });
    }

    /// The tasks `id` depends on that are not done, with their titles (tracked).
    pub fn blockers_of(&self, id: TaskId) -> Vec<(TaskId, String)> {
        self.dependencies.with(|deps| {
            model::schedule::blockers(id, deps, |on| self.status(on))
                .into_iter()
                .map(|on| (on, self.title_of(on)))
                .collect()
        })
    }

    /// What a queued card says about why it waits (tracked).
    pub fn queue_reason(&self, id: TaskId) -> Option<QueueState> {
        self.queue.with(|q| q.get(&id).cloned())
    }

    pub fn title_of(&self, id: TaskId) -> String {
        self.cards
            .with_untracked(|cards| cards.get(&id).map(|c| c.title.clone()))
            .or_else(|| self.titles.with_value(|t| t.get(&id).cloned()))
            .unwrap_or_default()
    }

    pub fn delete(self, id: TaskId) {
        self.call(id, api::delete_task(self.project, id), move |()| {
            self.slots.update(|slots| slots.retain(|s| s.id != id));
            self.cards.update(|cards| {
                cards.remove(&id);
            });
        });
    }
}

/// The DOM id of a task's card.
pub fn card_dom_id(id: TaskId) -> String {
    format!("task-{id}")
}

pub fn focus_card(id: TaskId) {
    focus(&format!("#{}", card_dom_id(id)));
}

pub(super) fn focus(selector: &str) {
    use wasm_bindgen::JsCast;
    if let Some(el) = document()
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}
