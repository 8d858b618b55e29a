//! The task board of one project: `/p/{project}/board`. Rendered completely on the server
//! (the route uses `SsrMode::Async`), then hydrated.

mod activity;
mod card;
mod state;

use crate::api::{self, BoardData};
use crate::components::{Nav, TaskForm};
use crate::error::AppError;
use crate::pages::{ErrorPanel, project_param};
use card::TaskCard;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use model::{BoardColumn, BoardCounts, TaskDraft, board::needs_me};
use state::BoardState;

#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let board = Resource::new(
        move || project_param(&params),
        |project| async move {
            match project {
                Some(project) => api::get_board(project).await,
                None => Err(AppError::NotFound {
                    message: "no such project".into(),
                }),
            }
        },
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
fn BoardView(data: BoardData) -> impl IntoView {
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
    let counts = Memo::new(move |_| state.tasks.with(|t| BoardCounts::of(t)));

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
                                initial=TaskDraft::default()
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

#[component]
fn Column(
    column: BoardColumn,
    state: BoardState,
    needs_me_only: RwSignal<bool>,
    show_done: RwSignal<bool>,
) -> impl IntoView {
    let tasks = Memo::new(move |_| {
        let only_needs_me = needs_me_only.get();
        state.tasks.with(|tasks| {
            column
                .tasks(tasks)
                .into_iter()
                .filter(|t| !only_needs_me || needs_me(t.status))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let collapsed = move || column == BoardColumn::Done && !show_done.get();
    let hidden = move || needs_me_only.get() && !column.needs_me();
    view! {
        <section
            class=format!("column column-{}", column.slug())
            class:hidden=hidden
            data-column=column.slug()
            aria-label=column.label()
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                if let Some(id) = state.dragging.get_untracked() {
                    state.dragging.set(None);
                    state.drop_on_column(id, column);
                }
            }
        >
            <h2>
                {column.label()}
                <span class="column-count">{move || tasks.with(Vec::len)}</span>
            </h2>
            {(column == BoardColumn::Done).then(|| view! {
                <button type="button" class="toggle-done" aria-expanded=move || show_done.get().to_string()
                    on:click=move |_| show_done.update(|v| *v = !*v)>
                    {move || if show_done.get() { "Hide done tasks" } else { "Show done tasks" }}
                </button>
            })}
            <Show when=move || !collapsed()>
                <div class="cards">
                    <For
                        each=move || tasks.get()
                        key=|task| (task.id, task.updated_at, task.sort_order)
                        let(task)
                    >
                        <TaskCard task state/>
                    </For>
                    {move || tasks.with(Vec::is_empty).then(|| view! { <p class="empty">"Nothing here."</p> })}
                </div>
            </Show>
        </section>
    }
    .into_any()
}
