//! The task board of one project: `/p/{project}/board`. Rendered on the server (the route uses
//! `SsrMode::Async`, so the cards are in the first HTML), then hydrated. A board of thousands
//! of tasks stays light: each column renders its first cards and more on demand, Done renders
//! none until it is opened, cards have no handlers or reactive parts of their own, and the
//! hydration data does not repeat the cards' text (`hydration.rs`).

mod activity;
mod card;
mod column;
mod events;
mod filter_bar;
mod hydration;
mod menu;
mod state;
mod view_model;

use crate::api::{self, BoardPageData};
use crate::components::Erase;
use crate::components::{TaskForm, mutation};
use crate::error::AppError;
use crate::pages::{Loading, loaded};
use column::Column;
use hydration::BoardPageCodec;
use leptos::prelude::*;
use leptos_meta::Title;
use model::board_filter::BoardFilter;
use model::{BoardColumn, BoardCounts, Project, Task, TaskDraft};
use state::BoardState;

#[component]
pub fn BoardPage(project: Project) -> impl IntoView {
    let id = project.id;
    let filter = filter_bar::from_address();
    // What the server filters by: "needs me" only hides columns, it is not fetched again.
    let fetched = Memo::new(move |_| BoardFilter {
        needs_me: false,
        ..filter.get()
    });
    let board: Resource<_, BoardPageCodec> = Resource::new_with_options(
        move || fetched.get(),
        move |filter| api::get_board_page(id, Some(filter)),
        false,
    );
    let needs_me_only = Signal::derive(move || filter.with(|f| f.needs_me));
    // A Transition, not a Suspense: while a search loads, the board it narrows stays.
    view! {
        <main class="page board-page">
            <filter_bar::FilterBar project=id filter/>
            <Transition fallback=|| view! { <Loading what="the board"/> }>
            {move || {
                let project = project.clone();
                Suspend::new(async move {
                    let filter = fetched.get_untracked();
                    loaded(board.await, |data| view! { <BoardView project data filter needs_me_only/> })
                })
            }}
            </Transition>
        </main>
    }
    .erased()
}

#[component]
fn BoardView(
    project: Project,
    data: BoardPageData,
    filter: BoardFilter,
    needs_me_only: Signal<bool>,
) -> impl IntoView {
    let narrowed = filter.narrows().then_some(data.total);
    let state = BoardState::new(project.id, data, filter);
    activity::follow(state);
    let show_done = RwSignal::new(false);
    // On a phone the board shows one group at a time (the CSS hides the switcher elsewhere).
    let group = RwSignal::new(BoardColumn::ALL[0]);
    let creating = RwSignal::new(false);
    let create_error = RwSignal::new(None::<AppError>);
    // Bumped after each creation so the form starts empty again.
    let form_generation = RwSignal::new(0u32);
    let counts = Memo::new(move |_| {
        state
            .slots
            .with(|slots| BoardCounts::of_statuses(slots.iter().map(|s| s.status)))
    });

    let create_task = mutation(
        create_error,
        move |draft: &TaskDraft| api::create_task(state.project, draft.clone()),
        move |task: Task| {
            state.upsert(task);
            form_generation.update(|g| *g += 1);
        },
    );
    let create = Callback::new(move |draft: TaskDraft| {
        create_task.dispatch(draft);
    });
    let create_pending = create_task.pending();

    view! {
        <Title text="Board"/>
        <div class="board">
            <header class="board-header">
                <div>
                    <h1>{project.name.clone()}</h1>
                    <p class="counts" id="board-counts">{move || counts.get().summary()}</p>
                    {narrowed.map(|total| view! {
                        <p class="counts" id="board-filtered" role="status">
                            {move || format!("Showing {} of {total} tasks", state.slots.with(Vec::len))}
                        </p>
                    })}
                </div>
                <div class="board-tools">
                    <filter_bar::NeedsMe project=project.id count=Signal::derive(move || counts.get().needs_me)/>
                    <button type="button" class="primary" id="new-task" data-shortcut="n"
                        aria-expanded=move || creating.get().to_string()
                        on:click=move |_| creating.update(|v| *v = !*v)>
                        "New task"
                    </button>
                </div>
            </header>
            <Show when=move || creating.get()>
                <section class="create-task" aria-label="New task">
                    {move || {
                        form_generation.track();
                        view! {
                            <TaskForm
                                fields=TaskDraft::default()
                                on_submit=create
                                pending=create_pending
                                error=create_error
                                submit_label="Create task"
                                on_cancel=Callback::new(move |()| creating.set(false))
                                id_prefix="new-task".to_string()
                            />
                        }
                    }}
                </section>
            </Show>
            <p class="sr-only" aria-live="polite">{move || state.announcement.get()}</p>
            <GroupSwitcher state group/>
            <div class="columns">
                {BoardColumn::ALL
                    .into_iter()
                    .map(|column| view! { <Column column state needs_me_only show_done group/> })
                    .collect_view()}
            </div>
        </div>
    }
    .erased()
}

/// A phone's board shows one group at a time: this chooses which (hidden on wider screens).
#[component]
fn GroupSwitcher(state: BoardState, group: RwSignal<BoardColumn>) -> impl IntoView {
    view! {
        <nav class="group-switcher" aria-label="Board groups">
            {BoardColumn::ALL.into_iter().map(|column| {
                let count = move || state.slots.with(|slots| {
                    slots.iter().filter(|s| BoardColumn::of(s.status) == column).count()
                });
                view! {
                    <button type="button" data-group=column.as_str()
                        aria-pressed=move || (group.get() == column).to_string()
                        on:click=move |_| group.set(column)>
                        {column.label()}" "<span class="column-count">{count}</span>
                    </button>
                }
            }).collect_view()}
        </nav>
    }
    .erased()
}
