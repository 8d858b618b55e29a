//! `/p/{project}/sessions/{session}`: the history, server-rendered, then live; follow-ups,
//! permission answers, stop / end / kill.

mod items;
mod live;

use crate::api::{self, SessionData};
use crate::components::runtime::{RuntimeGate, RuntimeMemory};
use crate::components::time::format_duration_ms;
use crate::components::{Nav, run_pending};
use crate::error::AppError;
use crate::markdown::to_safe_html;
use crate::pages::{ErrorPanel, project_param};
use items::{Item, PermissionState, Row, fold};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use live::Connection;
use model::{
    PermissionAnswer, PermissionOutcome, ProjectId, RuntimeSelection, SessionId, SessionStatus,
};

#[component]
pub fn SessionPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let session = params
            .read()
            .get("session")
            .and_then(|s| s.parse::<SessionId>().ok());
        project_param(&params).zip(session)
    };
    let data = Resource::new(key, |key| async move {
        match key {
            Some((project, session)) => api::get_session(project, session).await,
            None => Err(AppError::NotFound {
                message: "no such session".into(),
            }),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the session…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <SessionView data/> }.into_any(),
                    Err(error) => view! { <Nav projects=vec![]/><ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[derive(Clone, Copy)]
struct Ctx {
    project: ProjectId,
    session: SessionId,
    status: Memo<SessionStatus>,
    action_error: RwSignal<Option<AppError>>,
    /// What the session was started with: follow-ups use it (with this tab's secrets),
    /// whatever Settings say now.
    runtime: StoredValue<RuntimeSelection>,
    /// A task's attempt (it ends with its turn; the task is retried, not continued).
    for_task: bool,
}

#[component]
fn SessionView(data: SessionData) -> impl IntoView {
    let SessionData {
        project,
        projects,
        session,
        task,
        events,
    } = data;
    let events = RwSignal::new(events);
    let connection = RwSignal::new(Connection::Connecting);
    let initial_status = session.status;
    let folded = Memo::new(move |_| events.with(|e| fold(e, initial_status.is_final())));
    let status = Memo::new(move |_| folded.with(|f| f.status.unwrap_or(initial_status)));
    let ctx = Ctx {
        project: project.id,
        session: session.id,
        status,
        action_error: RwSignal::new(None),
        runtime: StoredValue::new(session.runtime.clone()),
        for_task: session.task_id.is_some(),
    };
    live::follow(
        format!(
            "/api/projects/{}/sessions/{}/events",
            project.id, session.id
        ),
        events,
        connection,
    );
    let rows = Memo::new(move |_| folded.with(|f| f.rows.clone()));
    let queued = Memo::new(move |_| folded.with(|f| f.queued.clone()));
    let permission = session.permission;
    view! {
        <Title text=format!("Session {} · {} · DevLog", session.id, project.name)/>
        <Nav projects current=project.id/>
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
                        <p>"Task: "<a href=format!("/p/{}/board#task-{}", t.project_id, t.id)>{t.title}</a></p>
                    })}
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
            <ol class="transcript" aria-label="Conversation">
                <For each=move || rows.get() key=|row| (row.seq, row.revision) let(row)>
                    <RowView row ctx/>
                </For>
            </ol>
            <Show when=move || queued.with(|q| !q.is_empty())>
                <section class="queued" aria-label="Queued messages">
                    <h2>"Queued"</h2>
                    <ul>{move || queued.get().into_iter().map(|text| view! { <li class="queued-message">{text}</li> }).collect_view()}</ul>
                </section>
            </Show>
            <FollowUp ctx/>
        </main>
    }
    .into_any()
}

#[component]
fn RowView(row: Row, ctx: Ctx) -> impl IntoView {
    let seq = row.seq.to_string();
    match row.item {
        Item::User(text) => view! { <li class="msg user" data-seq=seq><span class="who">"You"</span><p>{text}</p></li> }.into_any(),
        Item::Assistant(text) => view! {
            <li class="msg assistant" data-seq=seq><span class="who">"Agent"</span><div class="md" inner_html=to_safe_html(&text)></div></li>
        }.into_any(),
        Item::Thinking(text) => view! {
            <li class="thinking" data-seq=seq><details><summary>"Thinking"</summary><p>{text}</p></details></li>
        }.into_any(),
        Item::Tool { name, input, result } => {
            let (state, output) = match result {
                None => ("running", None),
                Some((out, false)) => ("ok", Some(out)),
                Some((out, true)) => ("error", Some(out)),
            };
            view! {
                <li class=format!("tool tool-{state}") data-seq=seq>
                    <details>
                        <summary><span class="tool-name">{name}</span>" "<span class="tool-state">{state}</span></summary>
                        <pre class="tool-input">{input}</pre>
                        {output.map(|o| view! { <pre class="tool-output">{o}</pre> })}
                    </details>
                </li>
            }.into_any()
        }
        Item::Permission { request_id, tool, input, description, state } => {
            view! { <PermissionCard request_id tool input description state ctx seq/> }.into_any()
        }
        Item::TurnEnd { is_error, stopped, result, cost_usd, duration_ms } => {
            let (label, class) = match (stopped, is_error) {
                (true, _) => ("Turn stopped", "turn-end stopped"),
                (false, true) => ("Turn failed", "turn-end failed"),
                (false, false) => ("Turn finished", "turn-end"),
            };
            let mut parts = vec![label.to_string()];
            if let Some(cost) = cost_usd {
                parts.push(format!("${cost:.4}"));
            }
            if let Some(ms) = duration_ms {
                parts.push(format_duration_ms(ms));
            }
            view! {
                <li class=class data-seq=seq>
                    {parts.join(" · ")}
                    {(is_error && !stopped).then_some(result).flatten().map(|r| view! { <span class="turn-error">": "{r}</span> })}
                </li>
            }.into_any()
        }
        Item::Error(message) => view! { <li class="error-line" role="alert" data-seq=seq>"⚠ "{message}</li> }.into_any(),
        Item::Notice(message) => view! { <li class="notice" data-seq=seq>{message}</li> }.into_any(),
        Item::Log(line) => view! { <li class="log" data-seq=seq><code>{line}</code></li> }.into_any(),
        Item::Raw(line) => view! { <li class="raw" data-seq=seq><code>{line}</code></li> }.into_any(),
        Item::Files(paths) => view! { <li class="files" data-seq=seq>"Changed: "{paths.join(", ")}</li> }.into_any(),
    }
    .into_any()
}

#[component]
fn PermissionCard(
    request_id: String,
    tool: String,
    input: String,
    description: Option<String>,
    state: PermissionState,
    ctx: Ctx,
    seq: String,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let answer = move |answer: PermissionAnswer| {
        let request_id = request_id.clone();
        move |_| {
            run_pending(
                pending,
                api::answer_permission(
                    ctx.project,
                    ctx.session,
                    request_id.clone(),
                    answer.clone(),
                ),
                move |result| error.set(result.err()),
            );
        }
    };
    let outcome = match &state {
        PermissionState::Pending => None,
        PermissionState::Resolved(PermissionOutcome::Allowed) => Some("Approved"),
        PermissionState::Resolved(PermissionOutcome::Denied) => Some("Denied"),
        PermissionState::Resolved(PermissionOutcome::TimedOut) => {
            Some("Denied: nobody answered in time")
        }
        PermissionState::Expired => Some("No longer waiting"),
    };
    let deny = PermissionAnswer::Deny {
        message: "The user denied this.".into(),
        interrupt: false,
    };
    let label = format!("Permission request: {tool}");
    view! {
        <li class="permission" data-seq=seq role="group" aria-label=label>
            <p><strong>"Permission requested: "</strong><span class="tool-name">{tool}</span></p>
            {description.map(|d| view! { <p class="muted">{d}</p> })}
            <pre class="tool-input">{input}</pre>
            {match outcome {
                Some(text) => view! { <p class="permission-outcome">{text}</p> }.into_any(),
                None => view! {
                    <div class="permission-actions">
                        <button type="button" class="primary approve" disabled=move || pending.get()
                            on:click=answer(PermissionAnswer::Allow { updated_input: None })>"Approve"</button>
                        <button type="button" class="danger deny" disabled=move || pending.get()
                            on:click=answer(deny)>"Deny"</button>
                    </div>
                }.into_any(),
            }}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </li>
    }
    .into_any()
}

#[component]
fn Controls(ctx: Ctx) -> impl IntoView {
    let pending = RwSignal::new(false);
    let confirming = RwSignal::new(None::<&'static str>);
    let act = move |what: &'static str| {
        confirming.set(None);
        let call = async move {
            match what {
                "stop" => api::interrupt_session(ctx.project, ctx.session).await,
                "end" => api::end_session(ctx.project, ctx.session).await,
                _ => api::kill_session(ctx.project, ctx.session).await,
            }
        };
        run_pending(pending, call, move |r| ctx.action_error.set(r.err()));
    };
    view! {
        <div class="session-controls" class:hidden=move || ctx.status.get().is_final()>
            <button type="button" id="stop-turn" disabled=move || pending.get() || ctx.status.get() != SessionStatus::Running
                on:click=move |_| act("stop")>"Stop turn"</button>
            <button type="button" id="end-session" disabled=move || pending.get() || ctx.status.get() != SessionStatus::Idle
                on:click=move |_| confirming.set(Some("end"))>"End"</button>
            <button type="button" id="kill-session" class="danger" disabled=move || pending.get()
                on:click=move |_| confirming.set(Some("kill"))>"Kill"</button>
            {move || confirming.get().map(|what| view! {
                <span class="confirm" role="alertdialog">
                    {if what == "kill" { "Kill the agent and everything it started?" } else { "End this session for good?" }}
                    <button type="button" class="danger" id="confirm-action" on:click=move |_| act(what)>"Yes"</button>
                    <button type="button" on:click=move |_| confirming.set(None)>"No"</button>
                </span>
            })}
        </div>
        {move || ctx.action_error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
    }
    .into_any()
}

#[component]
fn FollowUp(ctx: Ctx) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let memory = RuntimeMemory::get();
    let ended = move || {
        ctx.status
            .get()
            .is_final()
            .then(|| {
                if ctx.for_task {
                    "This attempt has ended: review its task, or retry it with feedback from the task page."
                } else {
                    "This session has ended: start a new session to go on."
                }
                .to_string()
            })
    };
    let blocked = move || ended().or_else(|| ctx.runtime.with_value(|r| memory.blocked_reason(r)));
    let send = move || {
        let message = text.get_untracked();
        if message.trim().is_empty() || pending.get_untracked() || blocked().is_some() {
            return;
        }
        let request = ctx.runtime.with_value(|r| untrack(|| memory.request(r)));
        run_pending(
            pending,
            api::send_message(ctx.project, ctx.session, message, request),
            move |r| match r {
                Ok(()) => {
                    error.set(None);
                    text.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            },
        );
    };
    view! {
        <form class="follow-up" on:submit=move |ev| { ev.prevent_default(); send(); }>
            <label for="follow-up">"Message the agent"</label>
            <textarea id="follow-up" rows="3" bind:value=text disabled=move || ended().is_some()
                placeholder="Enter to send, Shift+Enter for a new line"
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send();
                    }
                }></textarea>
            {move || ended().map(|why| view! { <p class="muted" id="follow-up-blocked">{why}</p> })}
            <Show when=move || ended().is_none()>
                <RuntimeGate selection=ctx.runtime.get_value() settings_href=format!("/p/{}/settings", ctx.project)/>
            </Show>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            <button type="submit" class="primary" id="send-message" disabled=move || pending.get() || blocked().is_some()>
                {move || if pending.get() { "Sending…" } else { "Send" }}
            </button>
        </form>
    }
    .into_any()
}
