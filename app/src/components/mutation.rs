//! A change the user asks of the server — register, save, start, answer, remove — is a Leptos
//! [`Action`]: it knows whether it is running (`pending()`, which the buttons show), counts its
//! answers (`version()`) and keeps the last one (`value()`). [`mutation`] makes one whose answer
//! goes where its form shows it: an error into the form's error signal (read by
//! [`FieldError`](super::FieldError) and [`FormError`](super::FormError), the one way an error
//! is shown next to what it is about), a success to the caller's `done`.

use crate::error::AppError;
use leptos::prelude::*;
use std::future::Future;

/// An [`Action`] calling a server function.
pub type Mutation<I, T> = Action<I, Result<T, AppError>>;

/// A [`Mutation`] whose error is put in `error` (cleared when it is dispatched again) and whose
/// success is handed to `done`, untracked, once per answer.
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
    let action = Action::new(move |input: &I| {
        error.set(None);
        call(input)
    });
    // Effects run in the browser only, where mutations are dispatched.
    Effect::new(move |_| match action.value().get() {
        Some(Ok(value)) => untrack(|| done(value)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    action
}

/// Whether any of `mutations` is running: one busy state for controls that share it.
pub fn any_pending(mutations: Vec<Memo<bool>>) -> Signal<bool> {
    Signal::derive(move || mutations.iter().any(|pending| pending.get()))
}
