//! The session's controls (Stop turn, End, Kill) and the follow-up composer.

use super::Ctx;
use super::view::TranscriptView;
use crate::api;
use crate::components::Erase;
use crate::components::mutation;
use crate::components::runtime::RuntimeGate;
use crate::error::AppError;
use leptos::prelude::*;
use model::{RuntimeRequest, SessionStatus};

/// What a session control asks of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    /// Interrupt the running turn; the session stays open.
    StopTurn,
    /// Close an idle session for good.
    End,
    /// Stop the agent and everything it started.
    Kill,
}

impl Control {
    /// The question asked before a control that cannot be undone.
    fn confirmation(self) -> Option<&'static str> {
        match self {
            Control::StopTurn => None,
            Control::End => Some("End this session for good?"),
            Control::Kill => Some("Kill the agent and everything it started?"),
        }
    }
}

#[component]
pub fn Controls(ctx: Ctx) -> impl IntoView {
    let confirming = RwSignal::new(None::<Control>);
    let control = mutation(
        ctx.action_error,
        move |control: &Control| {
            let control = *control;
            async move {
                match control {
                    Control::StopTurn => api::interrupt_session(ctx.project, ctx.session).await,
                    Control::End => api::end_session(ctx.project, ctx.session).await,
                    Control::Kill => api::kill_session(ctx.project, ctx.session).await,
                }
            }
        },
        // The session's new status arrives on its event stream.
        |()| {},
    );
    let pending = control.pending();
    let act = move |chosen: Control| {
        confirming.set(None);
        control.dispatch(chosen);
    };
    view! {
        <div class="session-controls" class:hidden=move || ctx.status.get().is_final()>
            <button type="button" id="stop-turn" disabled=move || pending.get() || ctx.status.get() != SessionStatus::Running
                on:click=move |_| act(Control::StopTurn)>"Stop turn"</button>
            <button type="button" id="end-session" disabled=move || pending.get() || ctx.status.get() != SessionStatus::Idle
                on:click=move |_| confirming.set(Some(Control::End))>"End"</button>
            <button type="button" id="kill-session" class="danger" disabled=move || pending.get()
                on:click=move |_| confirming.set(Some(Control::Kill))>"Kill"</button>
            {move || confirming.get().and_then(|control| Some((control, control.confirmation()?))).map(|(control, question)| view! {
                <span class="confirm" role="alertdialog">
                    {question}
                    <button type="button" class="danger" id="confirm-action" on:click=move |_| act(control)>"Yes"</button>
                    <button type="button" on:click=move |_| confirming.set(None)>"No"</button>
                </span>
            })}
        </div>
        {move || ctx.action_error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
    }
    .erased()
}

#[component]
pub fn FollowUp(ctx: Ctx, transcript: TranscriptView) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let send_message = mutation(
        error,
        move |(message, request): &(String, RuntimeRequest)| {
            api::send_message(ctx.project, ctx.session, message.clone(), request.clone())
        },
        move |()| text.set(String::new()),
    );
    let pending = send_message.pending();
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
    let blocked = move || ended().or_else(|| ctx.runtime.blocked());
    let send = move || {
        let message = text.get_untracked();
        if message.trim().is_empty() || pending.get_untracked() || blocked().is_some() {
            return;
        }
        let request = ctx.runtime.request();
        send_message.dispatch((message, request));
    };
    view! {
        <form class="follow-up" on:submit=move |ev| { ev.prevent_default(); send(); }>
            // In the composer, which stays on screen, not at the end of the rows shown: the
            // user scrolled away from the newest and may be far from that end.
            <Show when=move || { transcript.newer.get() > 0 }>
                <button type="button" class="show-latest" id="show-latest" on:click=move |_| transcript.show_latest()>
                    {move || format!("↓ {} newer — show the latest", transcript.newer.get())}
                </button>
            </Show>
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
                <RuntimeGate selection=ctx.runtime.selection() settings_href=crate::paths::settings(ctx.project)/>
            </Show>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            <button type="submit" class="primary" id="send-message" disabled=move || pending.get() || blocked().is_some()>
                {move || if pending.get() { "Sending…" } else { "Send" }}
            </button>
        </form>
    }
    .erased()
}
