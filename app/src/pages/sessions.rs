//! `/p/{project}/sessions`: the project's sessions, and starting a standalone one.

use crate::api::{self, SessionsData};
use crate::components::Erase;
use crate::components::runtime::{Launcher, RuntimeGate};
use crate::components::time::When;
use crate::components::{FieldError, FormError, mutation};
use crate::error::AppError;
use crate::pages::{Loading, loaded, page_data};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use model::validation;
use model::{
    Field, PermissionPolicy, Project, ProjectId, RuntimeRequest, RuntimeSelection, Session,
    SessionStart, Task,
};

#[component]
pub fn SessionsPage(project: Project) -> impl IntoView {
    let id = project.id;
    let data = page_data(|| (), move |()| api::list_sessions(id));
    view! {
        <Suspense fallback=|| view! { <Loading what="sessions"/> }>
            {move || {
                let project = project.clone();
                Suspend::new(async move {
                    loaded(data.await, |data| view! { <SessionsView project data/> })
                })
            }}
        </Suspense>
    }
    .erased()
}

#[component]
fn SessionsView(project: Project, data: SessionsData) -> impl IntoView {
    let SessionsData {
        sessions,
        tasks,
        runtime,
    } = data;
    let rows = sessions
        .into_iter()
        .map(|s| {
            let task = s
                .task_id
                .and_then(|id| tasks.iter().find(|t| t.id == id).cloned());
            view! { <SessionRow session=s task/> }
        })
        .collect_view();
    view! {
        <Title text="Sessions"/>
        <main class="page sessions-page">
            <h1>{format!("{} · Sessions", project.name)}</h1>
            <NewSession project=project.id runtime/>
            <table class="sessions">
                <thead>
                    <tr>
                        <th>"Status"</th><th>"Session"</th><th>"Agent"</th><th>"Task"</th>
                        <th>"Started"</th><th>"Ended"</th><th>"Last activity"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </main>
    }
    .erased()
}

#[component]
fn SessionRow(session: Session, task: Option<Task>) -> impl IntoView {
    let href = crate::paths::session(session.project_id, session.id);
    let status = session.status;
    view! {
        <tr class="session-row" data-session-id=session.id.to_string()>
            <td>
                <span class=format!("status-badge session-{}", status.as_str())>
                    <span aria-hidden="true">{status.icon()}</span>" "{status.label()}
                </span>
            </td>
            <td><a href=href>{format!("Session {}", session.id)}</a></td>
            <td>
                {session.runtime.agent.label()}
                {session.runtime.model().map(|m| view! { <span class="muted">" · "{m.to_string()}</span> })}
                <span class="muted">" · "{session.runtime.mode.label()}</span>
            </td>
            <td>
                {task.map(|t| view! {
                    <a href=crate::paths::board_card(t.project_id, t.id)>{t.title}</a>
                })}
            </td>
            <td><When ms=session.created_at/></td>
            <td>{session.ended_at.map(|ms| view! { <When ms/> }.into_any()).unwrap_or_else(|| "—".into_any())}</td>
            <td>{session.last_activity_at.map(|ms| view! { <When ms/> }.into_any()).unwrap_or_else(|| "—".into_any())}</td>
        </tr>
    }
}

#[component]
fn NewSession(project: ProjectId, runtime: RuntimeSelection) -> impl IntoView {
    let agent = runtime.agent;
    let launcher = Launcher::new(runtime);
    let prompt = RwSignal::new(String::new());
    let permission = RwSignal::new(agent.default_permission());
    let error = RwSignal::new(None::<AppError>);
    let navigate = use_navigate();
    let start_session = mutation(
        error,
        move |(start, request): &(SessionStart, RuntimeRequest)| {
            api::start_session(project, start.clone(), request.clone())
        },
        move |session: Session| {
            navigate(
                &crate::paths::session(project, session.id),
                Default::default(),
            )
        },
    );
    let pending = start_session.pending();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let start = SessionStart {
            prompt: prompt.get_untracked(),
            permission: Some(permission.get_untracked()),
        };
        let request = launcher.request();
        // The server's own rule, so the form refuses exactly what the server would.
        if let Err(e) = validation::required(Field::Prompt, &start.prompt, validation::PROMPT_MAX) {
            error.set(Some(e.into()));
            return;
        }
        start_session.dispatch((start, request));
    };
    view! {
        <section class="new-session" aria-label="New session">
            <h2>"Start a session"</h2>
            <form on:submit=submit aria-busy=move || pending.get().to_string()>
                <label for="session-prompt">"Prompt"</label>
                <textarea id="session-prompt" rows="3" bind:value=prompt></textarea>
                <FieldError error field=Field::Prompt/>
                <div class="inline">
                    <label>"Permissions"
                        <select id="session-permission" on:change=move |ev| {
                            if let Some(p) = PermissionPolicy::parse(&event_target_value(&ev)) {
                                permission.set(p);
                            }
                        }>
                            {agent.permissions().map(|p| view! {
                                <option value=p.as_str() selected=move || permission.get() == p>
                                    {p.label()}{p.is_dangerous().then_some(" (dangerous)")}
                                </option>
                            }).collect_view()}
                        </select>
                    </label>
                </div>
                {move || permission.get().is_dangerous().then(|| view! {
                    <p class="warning" role="note">"⚠ This lets the agent act without asking: it can change or delete anything it can reach."</p>
                })}
                <RuntimeGate selection=launcher.selection() settings_href=crate::paths::settings(project)/>
                <FormError error/>
                <button type="submit" class="primary" id="start-session" disabled=move || pending.get() || launcher.blocked().is_some()>
                    {move || if pending.get() { "Starting…" } else { "Start session" }}
                </button>
            </form>
        </section>
    }
    .erased()
}
