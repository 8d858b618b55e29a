//! Small building blocks shared by the pages.

pub mod activity;
pub mod attention;
mod erased;
mod mutation;
mod nav;
pub mod notify;
pub mod prefs;
pub mod runtime;
pub mod shortcuts;
mod task_form;
pub mod theme;
pub mod time;

pub use erased::Erase;
pub use mutation::{Mutation, any_pending, mutation, on_answer, unanswered};
pub use nav::Nav;
pub use task_form::{TaskForm, TaskFormFields};

use crate::error::AppError;
use leptos::prelude::*;
use model::Field;

/// How many times a page changed its own data. The page's Resource is keyed on it and a
/// mutation that changes what the page shows bumps it ([`Changes::after`]), so the page loads
/// its data again — not the whole document, which would forget what the tab holds in memory
/// (its API keys).
#[derive(Clone, Copy)]
pub struct Changes(RwSignal<u32>);

impl Changes {
    pub fn new() -> Self {
        Changes(RwSignal::new(0))
    }

    /// The count, tracked: a Resource whose key reads it loads again after each change.
    pub fn count(self) -> u32 {
        self.0.get()
    }

    /// Says the page's data changed.
    pub fn bump(self) {
        self.0.update(|n| *n = n.wrapping_add(1));
    }

    /// `call`, then a [`bump`](Changes::bump) if it succeeded — in the call's own future, so
    /// the page reloads even if the view that made the call is gone by then.
    pub async fn after<T>(
        self,
        call: impl Future<Output = Result<T, AppError>>,
    ) -> Result<T, AppError> {
        let result = call.await;
        if result.is_ok() {
            self.bump();
        }
        result
    }
}

impl Default for Changes {
    fn default() -> Self {
        Self::new()
    }
}

/// The message of `error` when it is about `field`, shown under that control.
#[component]
pub fn FieldError(error: RwSignal<Option<AppError>>, field: Field) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field() == Some(field)).map(|e| {
            view! {
                <p class="field-error" role="alert" data-field=field.as_str()>
                    {format!("{}: {}", field.label(), e.message())}
                </p>
            }
        })
    }
}

/// An error not about one field (refused, not found, network), shown under a form.
#[component]
pub fn FormError(error: RwSignal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field().is_none()).map(|e| {
            view! { <p class="form-error" role="alert">{e.to_string()}</p> }
        })
    }
}
