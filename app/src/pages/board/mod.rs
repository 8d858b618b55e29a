//! The task board of one project: `/p/{project}/board`. Rendered on the server (the route uses
//! `SsrMode::Async`, so the cards are in the first HTML), then hydrated. A board of thousands
//! of tasks stays light: each column renders its first cards and more on demand, Done renders
//! none until it is opened, cards have no handlers or reactive parts of their own, and the
//! hydration data does not repeat the cards' text (`hydration.rs`).

mod activity;
mod card;
mod column;
mod events;
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
use model::{BoardColumn, BoardCounts, Project, Task, TaskDraft};
use state::BoardState;

#[component]
pub fn BoardPage(project: Project) -> impl IntoView {
    let id = project.id;
    let board: Resource<_, BoardPageCodec> =
        Resource::new_with_options(|| (), move |()| api::get_board_page(id), false);
    view! {
        <Suspense fallback=|| view! { <Loading what="the board"/> }>
            {move || {
                let project = project.clone();
                Suspend::new(async move {
                    loaded(board.await, |data| view! { <BoardView project data/> })
                })
            }}
        </Suspense>
    }
    .erased()
}

#[component]
fn BoardView(project: Project, data: BoardPageData) -> impl IntoView {
    let state = BoardState::new(project.id, data);
    activity::follow(state);
    let needs_me_only = RwSignal::new(false);
    let show_done = RwSignal::new(false);
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
        <main class="page board-page">
            <header class="board-header">
                <div>
                    <h1>{project.name.clone()}</h1>
                    <p class="counts" id="board-counts">{move || counts.get().summary()}</p>
                </div>
                <div class="board-tools">
                    <button type="button" id="needs-me" aria-pressed=move || needs_me_only.get().to_string()
                        on:click=move |_| needs_me_only.update(|v| *v = !*v)>
                        {move || format!("Needs me ({})", counts.get().needs_me)}
                    </button>
                    <button type="button" class="primary" id="new-task"
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
            <div class="columns">
                {BoardColumn::ALL
                    .into_iter()
                    .map(|column| view! { <Column column state needs_me_only show_done/> })
                    .collect_view()}
            </div>
        </main>
    }
    .erased()
}
