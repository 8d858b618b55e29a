//! The secrets of Settings > Execution & model, held in this tab's memory only: a signal in
//! a context — never localStorage, sessionStorage, a cookie or the URL — so a reload forgets
//! them. Every launching or continuing call builds its [`RuntimeRequest`] here, and every
//! launching button asks [`RuntimeRequest::readiness`] (the rule the server applies too)
//! whether it may be pressed.

use super::Erase;
use leptos::prelude::*;
use model::{
    CliEnvVar, ExecutionMode, Provider, RuntimeRequest, RuntimeSelection, Secret, TransientSecrets,
};

/// The API keys (one per provider, so projects on different providers each keep theirs) and
/// the Local CLI environment entries typed in this tab.
#[derive(Clone, Copy)]
pub struct RuntimeMemory {
    keys: RwSignal<Vec<(Provider, Secret)>>,
    pub cli_env: RwSignal<Vec<CliEnvVar>>,
}

impl RuntimeMemory {
    /// Called once by the app: the memory lives as long as the tab's app does.
    pub fn provide() {
        provide_context(RuntimeMemory {
            keys: RwSignal::new(Vec::new()),
            cli_env: RwSignal::new(Vec::new()),
        });
    }

    pub fn get() -> RuntimeMemory {
        use_context::<RuntimeMemory>().unwrap_or_else(|| RuntimeMemory {
            keys: RwSignal::new(Vec::new()),
            cli_env: RwSignal::new(Vec::new()),
        })
    }

    /// The key typed for `provider` (tracked), if any.
    pub fn key(&self, provider: Provider) -> Option<Secret> {
        self.keys.with(|keys| {
            keys.iter()
                .find(|(p, _)| *p == provider)
                .map(|(_, key)| key.clone())
        })
    }

    pub fn set_key(&self, provider: Provider, value: String) {
        self.keys.update(|keys| {
            keys.retain(|(p, _)| *p != provider);
            if !value.is_empty() {
                keys.push((provider, Secret::new(value)));
            }
        });
    }

    /// The request a call carries for `selection` (tracked): the key of its provider, and
    /// the CLI environment entries.
    pub fn request(&self, selection: &RuntimeSelection) -> RuntimeRequest {
        let api_key = match selection.mode {
            ExecutionMode::Byok => self.key(selection.provider()),
            _ => None,
        };
        RuntimeRequest {
            selection: selection.clone(),
            secrets: TransientSecrets {
                api_key,
                cli_env: self.cli_env.get(),
            },
        }
    }

    /// Why `selection` cannot launch with what this tab holds, or `None` when it can.
    pub fn blocked_reason(&self, selection: &RuntimeSelection) -> Option<String> {
        self.request(selection)
            .readiness()
            .err()
            .map(|problem| problem.to_string())
    }
}

/// What a control that launches or continues an agent with one selection needs of this tab's
/// memory: why it cannot launch now, and the request it sends.
#[derive(Clone, Copy)]
pub struct Launcher {
    memory: RuntimeMemory,
    selection: StoredValue<RuntimeSelection>,
}

impl Launcher {
    pub fn new(selection: RuntimeSelection) -> Launcher {
        Launcher {
            memory: RuntimeMemory::get(),
            selection: StoredValue::new(selection),
        }
    }

    /// Why it cannot launch with what this tab holds (tracked), or `None` when it can.
    pub fn blocked(self) -> Option<String> {
        self.selection.with_value(|s| self.memory.blocked_reason(s))
    }

    /// The request to send, read when the control is used (untracked).
    pub fn request(self) -> RuntimeRequest {
        self.selection
            .with_value(|s| untrack(|| self.memory.request(s)))
    }

    pub fn selection(self) -> RuntimeSelection {
        self.selection.get_value()
    }
}

/// Shown where an agent is launched or continued with a selection that needs a key this tab
/// does not hold: the reason, a field to enter the key right there, and the way to Settings.
#[component]
pub fn RuntimeGate(
    selection: RuntimeSelection,
    #[prop(into)] settings_href: String,
) -> impl IntoView {
    let memory = RuntimeMemory::get();
    let provider = selection.provider();
    // Decided once: the field must stay while the key is typed into it.
    let ask_for_key =
        selection.mode == ExecutionMode::Byok && untrack(|| memory.key(provider).is_none());
    let reason = {
        let selection = selection.clone();
        move || memory.blocked_reason(&selection)
    };
    view! {
        <div class="runtime-gate">
            <p class="muted runtime-summary">"Runs with: "{selection.summary()}" · "
                <a href=settings_href>"Execution & model settings"</a>
            </p>
            {move || reason().map(|why| view! {
                <p class="gate-reason" role="status" data-testid="gate-reason">"⛔ "{why}</p>
            })}
            {ask_for_key.then(|| view! {
                <label class="inline-key">
                    {format!("{} API key (kept in this tab's memory only)", provider.label())}
                    <input type="password" autocomplete="off" class="gate-key"
                        on:input=move |ev| memory.set_key(provider, event_target_value(&ev))/>
                </label>
            })}
        </div>
    }
    .erased()
}
