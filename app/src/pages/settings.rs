//! `/p/{project}/settings`: Execution & model. The selection is saved per project; the API key
//! and the CLI environment values stay in this tab's memory ([`RuntimeMemory`]).

mod agent_fields;
mod budgets;
mod notifications;
mod prices;
mod worktree_setup;

use crate::api::{self, SettingsData};
use crate::components::Erase;
use crate::components::mutation;
use crate::components::runtime::RuntimeMemory;
use crate::error::AppError;
use crate::pages::{Loading, loaded, page_data};
use agent_fields::AgentFields;
use budgets::BudgetsForm;
use leptos::prelude::*;
use leptos_meta::Title;
use model::{
    CliEnvVar, ConnectionReport, ExecutionMode, Project, ProjectId, Provider, RuntimeRequest,
    RuntimeSelection, Secret,
};
use notifications::NotificationsForm;
use prices::PricesForm;
use worktree_setup::WorktreeSetupForm;

#[component]
pub fn SettingsPage(project: Project) -> impl IntoView {
    let id = project.id;
    let data = page_data(|| (), move |()| api::get_settings(id));
    view! {
        <Suspense fallback=|| view! { <Loading what="settings"/> }>
            {move || {
                let project = project.clone();
                Suspend::new(async move {
                    loaded(data.await, |data| view! { <SettingsView project data/> })
                })
            }}
        </Suspense>
    }
    .erased()
}

#[component]
fn SettingsView(project: Project, data: SettingsData) -> impl IntoView {
    let SettingsData {
        selection,
        concurrency_limit,
        agents,
        worktree_setup,
        prices,
        budgets,
    } = data;
    let draft = RwSignal::new(selection.clone());
    let saved = RwSignal::new(selection);
    let memory = RuntimeMemory::get();
    let readiness = move || draft.with(|s| memory.blocked_reason(s));
    view! {
        <Title text="Execution & model"/>
        <main class="page settings-page">
            <h1>{format!("{} · Execution & model", project.name)}</h1>
            <p class="notice" id="secrets-notice">
                "API keys and CLI environment values are kept in this tab's memory only: never saved, never put in a cookie or the address. "
                <strong>"Reloading or closing the tab forgets them."</strong>
            </p>
            <form class="runtime-form" on:submit=|ev| ev.prevent_default()>
                <ModePicker draft/>
                <AgentFields draft agents/>
                <ModeFields draft/>
                <BaseUrlField draft/>
                <p id="runtime-readiness" role="status" class=move || if readiness().is_some() { "gate-reason" } else { "ready" }>
                    {move || match readiness() {
                        Some(why) => format!("⛔ Not ready: {why}"),
                        None => "✓ Ready to launch agents".to_string(),
                    }}
                </p>
                <SaveAndTest project=project.id draft saved/>
            </form>
            <Scheduling project=project.id limit=concurrency_limit/>
            <WorktreeSetupForm project=project.id setup=worktree_setup/>
            <PricesForm project=project.id prices/>
            <BudgetsForm project=project.id budgets/>
            <NotificationsForm/>
        </main>
    }
    .erased()
}

/// Local CLI, bring your own key, or a server environment variable.
#[component]
fn ModePicker(draft: RwSignal<RuntimeSelection>) -> impl IntoView {
    let edit = move |change: &dyn Fn(&mut RuntimeSelection)| draft.update(|s| change(s));
    view! {
                <fieldset class="modes">
                    <legend>"How agents run"</legend>
                    {ExecutionMode::ALL.into_iter().map(|mode| view! {
                        <label class="mode">
                            <input type="radio" name="mode" value=mode.as_str()
                                checked=move || draft.with(|s| s.mode == mode)
                                on:change=move |_| edit(&|s| s.mode = mode)/>
                            <strong>{mode.label()}</strong>
                            <span class="muted">{mode_help(mode)}</span>
                        </label>
                    }).collect_view()}
                </fieldset>
    }
    .erased()
}

/// A custom endpoint: a proxy, or an OpenAI-compatible server.
#[component]
fn BaseUrlField(draft: RwSignal<RuntimeSelection>) -> impl IntoView {
    let edit = move |change: &dyn Fn(&mut RuntimeSelection)| draft.update(|s| change(s));
    view! {
                <label>"Base URL (optional; required for OpenAI-compatible)"
                    <input id="runtime-base-url" placeholder="https://…" inputmode="url"
                        prop:value=move || draft.with(|s| s.base_url.clone().unwrap_or_default())
                        on:input=move |ev| {
                            let value = event_target_value(&ev);
                            edit(&|s| s.base_url = Some(value.clone()).filter(|v| !v.trim().is_empty()));
                        }/>
                </label>
    }
    .erased()
}

fn mode_help(mode: ExecutionMode) -> &'static str {
    match mode {
        ExecutionMode::LocalCli => {
            "The agent CLI's own login on this machine (~/.claude, ~/.codex, ~/.gemini)."
        }
        ExecutionMode::Byok => "A key you type here; sent with each launch, held in memory only.",
        ExecutionMode::BackendEnv => {
            "The server reads the key from one of its environment variables (legacy)."
        }
    }
}

/// The fields only one mode has: provider and key, the server variable, the CLI environment.
#[component]
fn ModeFields(draft: RwSignal<RuntimeSelection>) -> impl IntoView {
    let memory = RuntimeMemory::get();
    let mode = move || draft.with(|s| s.mode);
    move || {
        match mode() {
        ExecutionMode::Byok => view! {
            <div class="inline">
                <label>"Provider"
                    <select id="runtime-provider" on:change=move |ev| {
                        let provider = Provider::parse(&event_target_value(&ev));
                        draft.update(|s| s.provider = provider);
                    }>
                        {move || Provider::for_agent(draft.with(|s| s.agent)).iter().map(|p| {
                            let p = *p;
                            view! { <option value=p.as_str() selected=move || draft.with(|s| s.provider() == p)>{p.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"API key"
                    <input id="runtime-api-key" type="password" autocomplete="off" placeholder="Kept in this tab's memory only"
                        prop:value=move || draft.with(|s| memory.key(s.provider())).and_then(|k| k.expose().map(str::to_string)).unwrap_or_default()
                        on:input=move |ev| {
                            let provider = draft.with_untracked(|s| s.provider());
                            memory.set_key(provider, event_target_value(&ev));
                        }/>
                </label>
            </div>
            {move || draft.with(|s| memory.key(s.provider()).is_none()).then(|| view! {
                <p class="warning" id="key-forgotten">"No API key in this tab's memory (a reload forgets it): enter it to launch agents."</p>
            })}
        }.erased(),
        ExecutionMode::BackendEnv => view! {
            <label>"Server environment variable holding the key"
                <input id="runtime-env-var" placeholder="e.g. ANTHROPIC_API_KEY" autocomplete="off"
                    prop:value=move || draft.with(|s| s.env_var.clone().unwrap_or_default())
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        draft.update(|s| s.env_var = Some(value).filter(|v| !v.trim().is_empty()));
                    }/>
            </label>
            <p class="muted">"Only the variable's name is saved; the server copies its value into the agent's environment at launch."</p>
        }.erased(),
        ExecutionMode::LocalCli => view! { <CliEnvEditor memory/> }.erased(),
    }
    }
}

/// `NAME=value` rows added to a Local CLI agent's environment, held in memory only.
#[component]
fn CliEnvEditor(memory: RuntimeMemory) -> impl IntoView {
    let rows = memory.cli_env;
    let set_row = move |index: usize, change: Box<dyn FnOnce(&mut CliEnvVar)>| {
        rows.update(|r| {
            if let Some(row) = r.get_mut(index) {
                change(row);
            }
        })
    };
    view! {
        <fieldset class="cli-env">
            <legend>"Extra CLI environment (optional, memory only)"</legend>
            {move || (0..rows.with(Vec::len)).map(|index| view! {
                <div class="inline cli-env-row">
                    <input class="cli-env-name" aria-label="Variable name" placeholder="NAME"
                        prop:value=move || rows.with(|r| r.get(index).map(|e| e.name.clone()).unwrap_or_default())
                        on:change=move |ev| {
                            let name = event_target_value(&ev);
                            set_row(index, Box::new(move |row| row.name = name));
                        }/>
                    <input class="cli-env-value" type="password" aria-label="Value" placeholder="value" autocomplete="off"
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            set_row(index, Box::new(move |row| row.value = Secret::new(value)));
                        }/>
                    <button type="button" aria-label="Remove this variable"
                        on:click=move |_| rows.update(|r| { if index < r.len() { r.remove(index); } })>"Remove"</button>
                </div>
            }).collect_view()}
            <button type="button" id="add-cli-env" on:click=move |_| rows.update(|r| r.push(CliEnvVar::default()))>"Add variable"</button>
        </fieldset>
    }
    .erased()
}

#[component]
fn SaveAndTest(
    project: ProjectId,
    draft: RwSignal<RuntimeSelection>,
    saved: RwSignal<RuntimeSelection>,
) -> impl IntoView {
    let memory = RuntimeMemory::get();
    let error = RwSignal::new(None::<AppError>);
    let report = RwSignal::new(None::<ConnectionReport>);
    let dirty = move || draft.get() != saved.get();
    let save_runtime = mutation(
        error,
        move |selection: &RuntimeSelection| api::save_runtime(project, selection.clone()),
        move |selection: RuntimeSelection| {
            saved.set(selection.clone());
            draft.set(selection);
        },
    );
    let test_connection = mutation(
        error,
        move |request: &RuntimeRequest| api::test_connection(project, request.clone()),
        move |r: ConnectionReport| report.set(Some(r)),
    );
    let (saving, testing) = (save_runtime.pending(), test_connection.pending());
    let save = move |_| {
        save_runtime.dispatch(draft.get_untracked());
    };
    let test = move |_| {
        report.set(None);
        test_connection.dispatch(draft.with_untracked(|s| memory.request(s)));
    };
    let blocked = move || draft.with(|s| memory.blocked_reason(s));
    view! {
        <div class="actions">
            <button type="button" class="primary" id="save-runtime" disabled=move || saving.get() || !dirty() on:click=save>
                {move || if saving.get() { "Saving…" } else { "Save" }}
            </button>
            <span id="save-state" class="muted" role="status">
                {move || if dirty() { "Unsaved changes" } else { "Saved" }}
            </span>
            <button type="button" id="test-connection" disabled=move || testing.get() || blocked().is_some()
                title=move || blocked().unwrap_or_default() on:click=test>
                {move || if testing.get() { "Testing… (up to 90 s)" } else { "Test connection" }}
            </button>
            {move || testing.get().then(|| view! { <progress aria-label="Testing the connection"></progress> })}
        </div>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        {move || report.get().map(|r| {
            let class = if r.ok { "connection-report ok" } else { "connection-report failed" };
            view! {
                <section id="connection-report" class=class role="status">
                    <p><strong>{if r.ok { "✓ Connected" } else { "✕ Connection failed" }}</strong>
                        {format!(" · {} ms", r.latency_ms)}</p>
                    {r.sample.map(|s| view! { <p>"Agent replied: "<q class="sample">{s}</q></p> })}
                    {r.error.map(|e| view! { <p class="report-error">{e}</p> })}
                </section>
            }
        })}
    }
    .erased()
}

/// How many task attempts the project runs at once; beyond it, Start queues.
#[component]
fn Scheduling(project: ProjectId, limit: u32) -> impl IntoView {
    let value = RwSignal::new(limit.to_string());
    let saved = RwSignal::new(limit);
    let error = RwSignal::new(None::<AppError>);
    let set_limit = mutation(
        error,
        move |limit: &u32| api::set_concurrency_limit(project, *limit),
        move |limit: u32| saved.set(limit),
    );
    let pending = set_limit.pending();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(limit) = value.get_untracked().trim().parse::<u32>() else {
            error.set(Some(AppError::Invalid {
                field: model::Field::ConcurrencyLimit,
                message: "must be a whole number".into(),
            }));
            return;
        };
        set_limit.dispatch(limit);
    };
    view! {
        <form class="runtime-form scheduling" novalidate on:submit=save>
            <h2>"Scheduling"</h2>
            <label>"Tasks that may run at once (1 to 16); beyond it, Start queues them by priority."
                <input id="concurrency-limit" type="number" min="1" max="16" bind:value=value/>
            </label>
            <crate::components::FieldError error field=model::Field::ConcurrencyLimit/>
            <crate::components::FormError error/>
            <div class="actions">
                <button type="submit" id="save-concurrency" disabled=move || pending.get()>"Save limit"</button>
                <span class="muted" id="concurrency-state" role="status">{move || format!("Now: {} at once", saved.get())}</span>
            </div>
        </form>
    }
    .erased()
}
