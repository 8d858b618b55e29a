//! One module per page.

mod board;
mod data;
mod locks;
mod project;
mod projects;
mod session;
mod sessions;
mod settings;
mod snapshots;
mod task;
mod usage;
mod worktrees;

pub use board::BoardPage;
pub use data::{PageJson, from_json, page_data};
pub use locks::LocksPage;
pub use project::{ProjectLayout, current_project};
pub use projects::ProjectsPage;
pub use session::SessionPage;
pub use sessions::SessionsPage;
pub use settings::SettingsPage;
pub use task::TaskPage;
pub use usage::{DailyChart, UsagePage};
pub use worktrees::WorktreesPage;

use crate::components::Erase;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    answer_status(404);
    crate::mark_interactive();
    view! {
        <main class="page">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to your projects"</a></p>
        </main>
    }
}

/// A page's data, or the error panel when it could not be loaded; called inside the page's
/// `Suspend`, so the page is marked interactive once the view holding its data has hydrated.
/// (Marked from the route instead, the mark could come before this view's handlers were
/// attached: a click right after it was lost.)
pub fn loaded<T, V: IntoView + 'static>(
    data: Result<T, crate::error::AppError>,
    view: impl FnOnce(T) -> V,
) -> AnyView {
    crate::mark_interactive();
    match data {
        Ok(data) => view(data).erased(),
        Err(error) => view! { <ErrorPanel error/> }.erased(),
    }
}

/// What a page shows while its data loads.
#[component]
pub fn Loading(
    /// What is loading, as in "Loading {what}…".
    what: &'static str,
) -> impl IntoView {
    view! {
        <leptos_meta::Title text="Loading…"/>
        <p class="loading" aria-busy="true">{format!("Loading {what}…")}</p>
    }
}

/// A full-page error with a way out.
#[component]
pub fn ErrorPanel(error: crate::error::AppError) -> impl IntoView {
    answer_status(error.status());
    crate::mark_interactive();
    let title = match error {
        crate::error::AppError::NotFound { .. } => "Not found",
        _ => "Something went wrong",
    };
    view! {
        <leptos_meta::Title text=title/>
        <section class="error-panel" role="alert">
            <h2>"Something went wrong"</h2>
            <p>{error.to_string()}</p>
            <p><a href="/">"Back to your projects"</a></p>
        </section>
    }
}

/// The HTTP status of the page the server renders (a page that is an error is not a 200).
fn answer_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}
