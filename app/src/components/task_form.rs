//! The task editor, for creating and for editing a task.

use super::{FieldError, FormError};
use crate::error::AppError;
use leptos::prelude::*;
use model::{Field, Priority, TaskDraft};

#[component]
pub fn TaskForm(
    /// The values the form starts with.
    initial: TaskDraft,
    /// Called with a draft that passed the model's validation.
    on_submit: Callback<TaskDraft>,
    /// True while the submission is in flight.
    pending: RwSignal<bool>,
    /// The last error, shown next to its field (or under the form).
    error: RwSignal<Option<AppError>>,
    submit_label: &'static str,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
    /// Prefix for element ids, so several forms can share a page.
    id_prefix: String,
) -> impl IntoView {
    let title = RwSignal::new(initial.title);
    let description = RwSignal::new(initial.description);
    let prompt = RwSignal::new(initial.prompt);
    let priority = RwSignal::new(initial.priority);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = TaskDraft {
            title: title.get_untracked(),
            description: description.get_untracked(),
            prompt: prompt.get_untracked(),
            priority: priority.get_untracked(),
        };
        // The same rule the server applies; checking here saves a round trip.
        match draft.validate() {
            Ok(_) => {
                error.set(None);
                on_submit.run(draft);
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    let id = move |name: &str| format!("{id_prefix}-{name}");
    view! {
        <form class="task-form" on:submit=submit aria-busy=move || pending.get().to_string()>
            <label for=id("title")>"Title"</label>
            <input id=id("title") name="title" bind:value=title autocomplete="off"
                aria-invalid=move || error.with(|e| e.as_ref().and_then(AppError::field) == Some(Field::Title)).to_string()/>
            <FieldError error field=Field::Title/>
            <label for=id("description")>"Description"</label>
            <textarea id=id("description") name="description" rows="2" bind:value=description></textarea>
            <FieldError error field=Field::Description/>
            <label for=id("prompt")>"Prompt for the agent"</label>
            <textarea id=id("prompt") name="prompt" rows="3" bind:value=prompt></textarea>
            <FieldError error field=Field::Prompt/>
            <label for=id("priority")>"Priority"</label>
            <select id=id("priority") name="priority"
                on:change=move |ev| {
                    if let Some(p) = Priority::parse(&event_target_value(&ev)) {
                        priority.set(p);
                    }
                }>
                {Priority::ALL
                    .into_iter()
                    .map(|p| view! {
                        <option value=p.as_str() selected=move || priority.get() == p>{p.label()}</option>
                    })
                    .collect_view()}
            </select>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { submit_label }}
                </button>
                {on_cancel.map(|cancel| view! {
                    <button type="button" on:click=move |_| cancel.run(())>"Cancel"</button>
                })}
            </div>
        </form>
    }
    .into_any()
}
