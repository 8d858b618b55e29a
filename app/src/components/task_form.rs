//! The task editor, for creating and for editing a task.

use super::Erase;
use super::{FieldError, FormError};
use crate::error::AppError;
use leptos::prelude::*;
use model::{Field, Priority, TaskDraft};

/// The values a [`TaskForm`] edits. Held by the page when the form may be rendered again while
/// it is open (the board's one edit form, inside a card that can re-render): the typed values
/// survive.
#[derive(Clone, Copy)]
pub struct TaskFormFields {
    title: RwSignal<String>,
    description: RwSignal<String>,
    prompt: RwSignal<String>,
    priority: RwSignal<Priority>,
}

impl From<TaskDraft> for TaskFormFields {
    fn from(draft: TaskDraft) -> Self {
        TaskFormFields::new(draft)
    }
}

impl TaskFormFields {
    pub fn new(draft: TaskDraft) -> Self {
        TaskFormFields {
            title: RwSignal::new(draft.title),
            description: RwSignal::new(draft.description),
            prompt: RwSignal::new(draft.prompt),
            priority: RwSignal::new(draft.priority),
        }
    }

    /// Starts over with `draft`.
    pub fn reset(&self, draft: TaskDraft) {
        self.title.set(draft.title);
        self.description.set(draft.description);
        self.prompt.set(draft.prompt);
        self.priority.set(draft.priority);
    }

    fn draft(&self) -> TaskDraft {
        TaskDraft {
            title: self.title.get_untracked(),
            description: self.description.get_untracked(),
            prompt: self.prompt.get_untracked(),
            priority: self.priority.get_untracked(),
        }
    }
}

#[component]
pub fn TaskForm(
    /// The values the form starts with (and edits), see [`TaskFormFields`].
    #[prop(into)]
    fields: TaskFormFields,
    /// Called with a draft that passed the model's validation.
    on_submit: Callback<TaskDraft>,
    /// True while the submission is in flight.
    #[prop(into)]
    pending: Signal<bool>,
    /// The last error, shown next to its field (or under the form).
    error: RwSignal<Option<AppError>>,
    submit_label: &'static str,
    #[prop(optional)] on_cancel: Option<Callback<()>>,
    /// Prefix for element ids, so several forms can share a page.
    id_prefix: String,
) -> impl IntoView {
    let TaskFormFields {
        title,
        description,
        prompt,
        priority,
    } = fields;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = fields.draft();
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
    .erased()
}
