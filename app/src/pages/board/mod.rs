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
use crate::components::{Nav, TaskForm};
use crate::error::AppError;
use crate::pages::{ErrorPanel, project_param};
use column::Column;
use hydration::BoardPageCodec;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::{BoardColumn, BoardCounts, TaskDraft};
use state::BoardState;

#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let board: Resource<_, BoardPageCodec> = Resource::new_with_options(
        move || project_param(&params),
        |project| async move {
            match project {
                Some(project) => api::get_board_page(project).await,
                None => Err(AppError::NotFound {
                    message: "no such project".into(),
                }),
            }
        },
        false,
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the board…"</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(data) => view! { <BoardView data/> }.into_any(),
                    Err(error) => view! { <Nav projects=vec![]/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn BoardView(data: BoardPageData) -> impl IntoView {
    let project = data.project.clone();
    let projects = data.projects.clone();
    let state = BoardState::new(data);
    activity::follow(state);
    let needs_me_only = RwSignal::new(false);
    let show_done = RwSignal::new(false);
    let creating = RwSignal::new(false);
    let create_pending = RwSignal::new(false);
    let create_error = RwSignal::new(None::<AppError>);
    // Bumped after each creation so the form starts empty again.
    let form_generation = RwSignal::new(0u32);
    let counts = Memo::new(move |_| {
        state
            .slots
            .with(|slots| BoardCounts::of_statuses(slots.iter().map(|s| s.status)))
    });

    let create = Callback::new(move |draft: TaskDraft| {
        create_pending.set(true);
        leptos::task::spawn_local(async move {
            let result = api::create_task(state.project, draft).await;
            create_pending.set(false);
            match result {
                Ok(task) => {
                    state.upsert(task);
                    form_generation.update(|g| *g += 1);
                }
                Err(e) => create_error.set(Some(e)),
            }
        });
    });

    view! {
        <Title text=format!("{} · Board · DevLog", project.name)/>
        <Nav projects current=project.id/>
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
    .into_any()
}
