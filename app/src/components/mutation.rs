//! A change the user asks of the server — register, save, start, answer, remove — is a Leptos
//! [`Action`]: it knows whether it is running (`pending()`, which the buttons show), counts its
//! answers (`version()`) and keeps the last one (`value()`). [`mutation`] makes one whose answer
//! goes where its form shows it: an error into the form's error signal (read by
//! [`FieldError`](super::FieldError) and [`FormError`](super::FormError), the one way an error
//! is shown next to what it is about), a success to the caller's `done`.
//!
//! `done` runs in the component that made the mutation, so it is skipped if that component is
//! gone by the time the answer comes; what must happen anyway belongs in the call's own future
//! (as [`Changes::after`](super::Changes::after) does).

use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// An [`Action`] calling a server function.
pub type Mutation<I, T> = Action<I, Result<T, AppError>>;

/// A [`Mutation`] whose error is put in `error` (cleared when it is dispatched again) and whose
/// success is handed to `done`, untracked.
pub fn mutation<I, T, Fut>(
    error: RwSignal<Option<AppError>>,
    call: impl Fn(&I) -> Fut + Send + Sync + 'static,
    done: impl Fn(T) + 'static,
) -> Mutation<I, T>
where
    I: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let action = unanswered(error, call);
    on_answer(action, error, done);
    action
}

/// The [`Mutation`] alone, for state that must exist before whoever handles its answers
/// ([`on_answer`]): dispatching it clears `error`.
pub fn unanswered<I, T, Fut>(
    error: RwSignal<Option<AppError>>,
    call: impl Fn(&I) -> Fut + Send + Sync + 'static,
) -> Mutation<I, T>
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    Action::new(move |input: &I| {
        error.set(None);
        call(input)
    })
}

/// Hands each answer of `action` on: an error to `error`, a success to `done` (untracked).
pub fn on_answer<I, T>(
    action: Mutation<I, T>,
    error: RwSignal<Option<AppError>>,
    done: impl Fn(T) + 'static,
) where
    I: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    // Effects run in the browser only, where mutations are dispatched.
    Effect::new(move |_| match action.value().get() {
        Some(Ok(value)) => untrack(|| done(value)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
}

/// Whether any of `mutations` is running: one busy state for controls that share it.
pub fn any_pending(mutations: Vec<Memo<bool>>) -> Signal<bool> {
    Signal::derive(move || mutations.iter().any(|pending| pending.get()))
}
