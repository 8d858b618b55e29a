//! One row of the transcript. Each row reads its own signal, so an event that changes a row
//! (more text, a tool's result, a permission's answer) re-renders that row only. A finished
//! assistant block is rendered as markdown once; while it grows it is plain text.

use super::Ctx;
use super::tool_view::ToolInputView;
use super::transcript::{Item, PermissionState, Row, TextState};
use crate::api;
use crate::components::Erase;
use crate::components::mutation;
use crate::components::time::format_duration_ms;
use crate::error::AppError;
use crate::markdown::to_safe_html;
use leptos::prelude::*;
use model::stream::{PlanEntry, PlanStatus};
use model::{ChoiceKind, PermissionAnswer, PermissionChoice, PermissionOutcome};

#[component]
pub fn RowView(row: ArcRwSignal<Row>, ctx: Ctx) -> impl IntoView {
    move || row.with(|row| render(row, ctx))
}

fn render(row: &Row, ctx: Ctx) -> AnyView {
    let seq = row.seq.to_string();
    match row.item.clone() {
        Item::User(text) => view! { <li class="msg user" data-seq=seq><span class="who">"You"</span><p>{text}</p></li> }.erased(),
        Item::Assistant { text, state: TextState::Finished } => view! {
            <li class="msg assistant" data-seq=seq><span class="who">"Agent"</span><div class="md" inner_html=to_safe_html(&text)></div></li>
        }.erased(),
        // Markdown of half a block would flicker and cost a parse per frame: plain text
        // until the block is complete.
        Item::Assistant { text, state: TextState::Growing } => view! {
            <li class="msg assistant growing" data-seq=seq aria-busy="true"><span class="who">"Agent"</span><div class="md">{text}</div></li>
        }.erased(),
        Item::Thinking(text) => view! {
            <li class="thinking" data-seq=seq><details><summary>"Thinking"</summary><p>{text}</p></details></li>
        }.erased(),
        Item::Tool { name, input, result } => {
            let (state, output) = match result {
                None => ("running", None),
                Some((out, false)) => ("ok", Some(out)),
                Some((out, true)) => ("error", Some(out)),
            };
            let tool = name.clone();
            view! {
                <li class=format!("tool tool-{state}") data-seq=seq>
                    <details>
                        <summary><span class="tool-name">{name}</span>" "<span class="tool-state">{state}</span></summary>
                        <ToolInputView tool input/>
                        {output.map(|o| view! { <pre class="tool-output">{o}</pre> })}
                    </details>
                </li>
            }.erased()
        }
        Item::Permission { request_id, tool, input, description, options, state } => {
            view! { <PermissionCard request_id tool input description options state ctx seq/> }.erased()
        }
        Item::TurnEnd { is_error, stopped, result, cost_usd, duration_ms, tokens } => {
            let (label, class) = match (stopped, is_error) {
                (true, _) => ("Turn stopped", "turn-end stopped"),
                (false, true) => ("Turn failed", "turn-end failed"),
                (false, false) => ("Turn finished", "turn-end"),
            };
            let mut parts = vec![label.to_string()];
            if let Some(cost) = cost_usd {
                parts.push(format!("${cost:.4}"));
            }
            if tokens > 0 {
                parts.push(format!("{} tokens", model::usage::compact(tokens)));
            }
            if let Some(ms) = duration_ms {
                parts.push(format_duration_ms(ms));
            }
            view! {
                <li class=class data-seq=seq>
                    {parts.join(" · ")}
                    {(is_error && !stopped).then_some(result).flatten().map(|r| view! { <span class="turn-error">": "{r}</span> })}
                </li>
            }.erased()
        }
        Item::Error(message) => view! { <li class="error-line" role="alert" data-seq=seq>"⚠ "{message}</li> }.erased(),
        Item::Notice(message) => view! { <li class="notice" data-seq=seq>{message}</li> }.erased(),
        Item::Log(line) => view! { <li class="log" data-seq=seq><code>{line}</code></li> }.erased(),
        Item::Raw(line) => view! { <li class="raw" data-seq=seq><code>{line}</code></li> }.erased(),
        Item::Files(paths) => view! { <li class="files" data-seq=seq>"Changed: "{paths.join(", ")}</li> }.erased(),
        Item::Plan(entries) => view! {
            <li class="plan" data-seq=seq>
                <strong>"Plan"</strong>
                <ol>
                    {entries.into_iter().map(plan_step).collect_view()}
                </ol>
            </li>
        }.erased(),
    }
}

/// A plan step: its status as a mark and a word (never colour alone), then the step.
fn plan_step(entry: PlanEntry) -> impl IntoView {
    let (mark, word) = match entry.status {
        PlanStatus::Pending => ("○", "to do"),
        PlanStatus::InProgress => ("◐", "doing"),
        PlanStatus::Completed => ("●", "done"),
    };
    view! {
        <li class="plan-step" data-status=entry.status.as_str()>
            <span class="plan-mark" aria-hidden="true">{mark}</span>
            <span class="sr-only">{word}": "</span>
            {entry.content}
        </li>
    }
}

#[component]
fn PermissionCard(
    request_id: String,
    tool: String,
    input: String,
    description: Option<String>,
    options: Vec<PermissionChoice>,
    state: PermissionState,
    ctx: Ctx,
    seq: String,
) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let answer_permission = mutation(
        error,
        move |(request_id, answer): &(String, PermissionAnswer)| {
            api::answer_permission(ctx.project, ctx.session, request_id.clone(), answer.clone())
        },
        // The card turns into its outcome when the answer arrives on the event stream.
        |()| {},
    );
    let pending = answer_permission.pending();
    let answer = move |answer: PermissionAnswer| {
        let request_id = request_id.clone();
        move |_| {
            answer_permission.dispatch((request_id.clone(), answer.clone()));
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
    let deny = |option: Option<String>| PermissionAnswer::Deny {
        message: "The user denied this.".into(),
        interrupt: false,
        option,
    };
    // The agent's own answers, in its order and words; Approve and Deny for an agent that
    // takes a plain allow or deny.
    let buttons: Vec<(&'static str, String, PermissionAnswer)> = if options.is_empty() {
        vec![
            (
                "primary approve",
                "Approve".into(),
                PermissionAnswer::allow(),
            ),
            ("danger deny", "Deny".into(), deny(None)),
        ]
    } else {
        options
            .into_iter()
            .map(|choice| {
                let class = match choice.kind {
                    ChoiceKind::AllowOnce => "primary approve",
                    ChoiceKind::AllowAlways => "approve-always",
                    ChoiceKind::RejectOnce => "danger deny",
                    ChoiceKind::RejectAlways => "danger deny-always",
                };
                let answer = if choice.kind.allows() {
                    PermissionAnswer::Allow {
                        updated_input: None,
                        option: Some(choice.id),
                    }
                } else {
                    deny(Some(choice.id))
                };
                (class, choice.name, answer)
            })
            .collect()
    };
    let shown = tool.clone();
    view! {
        // No role of its own: a list's items must stay list items (its first line names it).
        <li class="permission" data-seq=seq>
            <p><strong>"Permission requested: "</strong><span class="tool-name">{tool}</span></p>
            {description.map(|d| view! { <p class="muted">{d}</p> })}
            <ToolInputView tool=shown input/>
            {match outcome {
                Some(text) => view! { <p class="permission-outcome">{text}</p> }.erased(),
                None => view! {
                    <div class="permission-actions">
                        {buttons.into_iter().map(|(class, name, choice)| {
                            // `a` / `d` answer the pending request (components::shortcuts).
                            let key = match class {
                                "primary approve" => Some("a"),
                                "danger deny" => Some("d"),
                                _ => None,
                            };
                            view! {
                                <button type="button" class=class disabled=move || pending.get()
                                    data-shortcut=key aria-keyshortcuts=key
                                    on:click=answer(choice)>{name}</button>
                            }
                        }).collect_view()}
                    </div>
                }.erased(),
            }}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </li>
    }
    .erased()
}
