//! `/p/{project}/sessions/{session}`: the latest part of the history, server-rendered, then
//! live; older history on scroll; follow-ups, permission answers, stop / end / kill.

mod controls;
mod live;
mod rows;
mod tool_view;
mod transcript;
mod usage;
mod view;
mod window;

use crate::api::{self, SessionData};
use crate::components::Erase;
use crate::components::runtime::Launcher;
use crate::error::AppError;
use crate::pages::task::LiveDiff;
use crate::pages::{Loading, loaded, page_data};
use controls::{Controls, FollowUp};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params;
use leptos_router::params::Params;
use live::Connection;
use model::{Project, ProjectId, SessionId, SessionStatus};
use rows::RowView;
use usage::SessionUsageLine;
use view::TranscriptView;

#[derive(Params, Clone, Debug, PartialEq)]
struct SessionParams {
    session: Option<SessionId>,
}

#[component]
pub fn SessionPage(project: Project) -> impl IntoView {
    let params = use_params::<SessionParams>();
    let id = project.id;
    let data = page_data(
        move || params.read().as_ref().ok().and_then(|p| p.session),
        move |session| async move {
            match session {
                Some(session) => api::get_session(id, session).await,
                None => Err(AppError::NotFound {
                    message: "no such session".into(),
                }),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <Loading what="the session"/> }>
            {move || Suspend::new(async move {
                loaded(data.await, |data| view! { <SessionView project=id data/> })
            })}
        </Suspense>
    }
    .erased()
}

#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    project: ProjectId,
    session: SessionId,
    status: Memo<SessionStatus>,
    action_error: RwSignal<Option<AppError>>,
    /// What the session was started with: follow-ups use it (with this tab's secrets),
    /// whatever Settings say now.
    runtime: Launcher,
    /// A task's attempt (it ends with its turn; the task is retried, not continued).
    for_task: bool,
}

#[component]
fn SessionView(project: ProjectId, data: SessionData) -> impl IntoView {
    let SessionData {
        session,
        task,
        events,
        has_earlier,
        usage,
    } = data;
    let connection = RwSignal::new(Connection::Connecting);
    let initial_status = session.status;
    let transcript = TranscriptView::new(
        (project, session.id),
        events,
        has_earlier,
        initial_status.is_final(),
    );
    let status = Memo::new(move |_| transcript.status.get().unwrap_or(initial_status));
    let ctx = Ctx {
        project,
        session: session.id,
        status,
        action_error: RwSignal::new(None),
        runtime: Launcher::new(session.runtime.clone()),
        for_task: session.task_id.is_some(),
    };
    live::follow(
        crate::paths::session_events(project, session.id),
        transcript,
        connection,
    );
    transcript.follow_the_page();
    let queued = transcript.queued;
    let permission = session.permission;
    view! {
        <Title text=format!("Session {}", session.id)/>
        <main class="page session-page">
            <header class="session-header">
                <div>
                    <h1>{format!("Session {}", session.id)}</h1>
                    <p class="runtime" id="session-runtime">
                        {session.runtime.summary()}
                        " · permissions "{permission.label()}
                        {permission.is_dangerous().then_some(" (dangerous)")}
                    </p>
                    {task.map(|t| view! {
                        <p>"Task: "<a href=crate::paths::board_card(t.project_id, t.id)>{t.title}</a></p>
                    })}
                    <SessionUsageLine project session=session.id initial=usage turns_ended=transcript.turns_ended/>
                </div>
                <div class="session-state">
                    <span id="session-status" class=move || format!("status-badge session-{}", status.get().as_str())>
                        <span aria-hidden="true">{move || status.get().icon()}</span>" "{move || status.get().label()}
                    </span>
                    <span id="connection" class=move || format!("connection connection-{:?}", connection.get()).to_lowercase()
                        aria-live="polite">
                        {move || if status.get().is_final() { "Ended" } else { connection.get().label() }}
                    </span>
                    <Controls ctx/>
                </div>
            </header>
            // A live attempt's worktree, as the agent edits it.
            {session.task_id.filter(|_| !initial_status.is_final()).map(|task| view! {
                <LiveDiff project task edits=transcript.edits.into() initial=None open=false/>
            })}
            <Show when=move || transcript.earlier.get()>
                <button type="button" class="show-earlier" id="show-earlier" on:click=move |_| transcript.show_earlier()>
                    "Show earlier messages"
                </button>
            </Show>
            <ol class="transcript" aria-label="Conversation">
                <For each=move || transcript.rows.get() key=|shown| shown.key let(shown)>
                    <RowView row=shown.row ctx/>
                </For>
            </ol>
            <Show when=move || queued.with(|q| !q.is_empty())>
                <section class="queued" aria-label="Queued messages">
                    <h2>"Queued"</h2>
                    <ul>{move || queued.get().into_iter().map(|text| view! { <li class="queued-message">{text}</li> }).collect_view()}</ul>
                </section>
            </Show>
            <FollowUp ctx transcript/>
        </main>
    }
    .erased()
}
