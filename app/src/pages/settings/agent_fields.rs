//! The agent picker of Settings: the built-in CLIs and the ACP agents this server declares
//! (one not installed is listed, with how to install it, but cannot be picked), its model
//! (known ones suggested) and, for Codex, the reasoning effort.

use crate::components::Erase;
use leptos::prelude::*;
use model::runtime::{Effort, has_reasoning_effort, known_models};
use model::{AgentKind, DeclaredAgent, RuntimeSelection};

/// The `<option>` value of a declared agent: a built-in kind's value is its wire name.
const DECLARED_PREFIX: &str = "acp:";

/// The selection's agent as the picker's value.
fn picked(selection: &RuntimeSelection) -> String {
    match (selection.agent, selection.acp_agent()) {
        (AgentKind::Acp, Some(name)) => format!("{DECLARED_PREFIX}{name}"),
        (agent, _) => agent.as_str().to_string(),
    }
}

/// The agent a picker value stands for: a built-in kind, or a declared agent by name.
fn parse_pick(value: &str) -> Option<(AgentKind, Option<String>)> {
    match value.strip_prefix(DECLARED_PREFIX) {
        Some(name) => Some((AgentKind::Acp, Some(name.to_string()))),
        None => AgentKind::parse(value)
            .filter(|a| *a != AgentKind::Acp)
            .map(|a| (a, None)),
    }
}

#[component]
pub fn AgentFields(draft: RwSignal<RuntimeSelection>, agents: Vec<DeclaredAgent>) -> impl IntoView {
    let edit = move |change: &dyn Fn(&mut RuntimeSelection)| draft.update(|s| change(s));
    // A built-in CLI takes a model; a declared agent only if its declaration says where.
    let with_model: Vec<String> = agents
        .iter()
        .filter(|a| a.model_var.is_some())
        .map(|a| a.name.clone())
        .collect();
    let takes_model = move || {
        draft.with(|s| match s.agent {
            AgentKind::Acp => s
                .acp_agent()
                .is_some_and(|n| with_model.iter().any(|m| m == n)),
            _ => true,
        })
    };
    let options = agents
        .iter()
        .map(|a| {
            let value = format!("{DECLARED_PREFIX}{}", a.name);
            let text = if a.installed {
                a.label.clone()
            } else {
                format!("{} (not installed)", a.label)
            };
            let current = value.clone();
            view! {
                <option value=value disabled=!a.installed
                    selected=move || draft.with(|s| picked(s) == current)>{text}</option>
            }
        })
        .collect_view();
    view! {
                <div class="inline">
                    <label>"Agent"
                        <select id="runtime-agent" on:change=move |ev| {
                            if let Some((agent, name)) = parse_pick(&event_target_value(&ev)) {
                                edit(&|s| {
                                    s.agent = agent;
                                    s.acp_agent = name.clone();
                                    s.provider = None;
                                    if agent == AgentKind::Acp {
                                        s.model = None;
                                    }
                                    if !has_reasoning_effort(agent) {
                                        s.reasoning_effort = None;
                                    }
                                });
                            }
                        }>
                            {AgentKind::ALL.into_iter().filter(|a| *a != AgentKind::Acp).map(|a| view! {
                                <option value=a.as_str() selected=move || draft.with(|s| s.agent == a)>{a.label()}</option>
                            }).collect_view()}
                            <optgroup label="ACP agents on this server">{options}</optgroup>
                        </select>
                    </label>
                    <Show when=takes_model>
                        <label>"Model"
                            <input id="runtime-model" list="known-models" placeholder="CLI default"
                                prop:value=move || draft.with(|s| s.model.clone().unwrap_or_default())
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    edit(&|s| s.model = Some(value.clone()).filter(|v| !v.trim().is_empty()));
                                }/>
                            <datalist id="known-models">
                                {move || known_models(draft.with(|s| s.agent)).iter().map(|m| view! { <option value=*m></option> }).collect_view()}
                            </datalist>
                        </label>
                    </Show>
                    <Show when=move || draft.with(|s| has_reasoning_effort(s.agent))>
                        <label>"Reasoning effort"
                            <select id="runtime-effort" on:change=move |ev| {
                                let effort = Effort::parse(&event_target_value(&ev));
                                edit(&|s| s.reasoning_effort = effort);
                            }>
                                <option value="" selected=move || draft.with(|s| s.reasoning_effort.is_none())>"CLI default"</option>
                                {Effort::ALL.into_iter().map(|e| view! {
                                    <option value=e.as_str() selected=move || draft.with(|s| s.reasoning_effort == Some(e))>{e.as_str()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </Show>
                </div>
                <DeclaredAgents agents draft/>
    }
    .erased()
}

/// Every declared agent with its state: installed (its command), or not (what to install);
/// and, for the one picked, where a key of its own goes.
#[component]
fn DeclaredAgents(agents: Vec<DeclaredAgent>, draft: RwSignal<RuntimeSelection>) -> impl IntoView {
    let picked_key = {
        let agents = agents.clone();
        move || {
            let name = draft.with(|s| s.acp_agent().map(str::to_string))?;
            let agent = agents.iter().find(|a| a.name == name)?;
            Some(match &agent.key_var {
                Some(var) => format!("{}: a key of your own goes into {var}.", agent.label),
                None => format!(
                    "{} takes no key from DevLog (its declaration names no key variable): use Local CLI.",
                    agent.label
                ),
            })
        }
    };
    view! {
        <details class="declared-agents">
            <summary>{format!("ACP agents on this server ({})", agents.len())}</summary>
            <ul id="declared-agents">
                {agents.into_iter().map(|a| {
                    let (mark, state, class) = if a.installed {
                        ("✓", "installed".to_string(), "installed")
                    } else {
                        let how = a.install.clone().map(|how| format!(": {how}")).unwrap_or_default();
                        ("✗", format!("not installed{how}"), "missing")
                    };
                    view! {
                        <li class=class data-agent=a.name.clone()>
                            <span class="agent-mark" aria-hidden="true">{mark}</span>
                            <strong>{a.label}</strong>" "
                            <code>{a.command}</code>" — "
                            <span class="agent-state">{state}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="muted">"Declared where the server starts: --agent NAME=COMMAND, or agents.toml in its data directory."</p>
        </details>
        {move || picked_key().map(|text| view! { <p class="muted" id="declared-key">{text}</p> })}
    }
    .erased()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pick_is_a_builtin_kind_or_a_declared_name() {
        assert_eq!(parse_pick("codex"), Some((AgentKind::Codex, None)));
        assert_eq!(
            parse_pick("acp:qwen"),
            Some((AgentKind::Acp, Some("qwen".into())))
        );
        assert_eq!(parse_pick("acp"), None, "the kind alone names no agent");
        assert_eq!(parse_pick("nope"), None);
        let declared = RuntimeSelection {
            agent: AgentKind::Acp,
            acp_agent: Some("qwen".into()),
            ..RuntimeSelection::default()
        };
        assert_eq!(picked(&declared), "acp:qwen");
        assert_eq!(picked(&RuntimeSelection::default()), "claude_code");
    }
}
