//! One module per page.

mod board;
mod locks;
mod projects;
mod session;
mod sessions;
mod settings;
mod task;
mod worktrees;

pub use board::BoardPage;
pub use locks::LocksPage;
pub use projects::ProjectsPage;
pub use session::SessionPage;
pub use sessions::SessionsPage;
pub use settings::SettingsPage;
pub use task::TaskPage;
pub use worktrees::WorktreesPage;

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    crate::mark_interactive();
    view! {
        <main class="page">
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to your projects"</a></p>
        </main>
    }
}

/// The `:project` route parameter, if it is a project id.
pub fn project_param(params: &Memo<leptos_router::params::ParamsMap>) -> Option<model::ProjectId> {
    params.read().get("project").and_then(|p| p.parse().ok())
}

/// A full-page error with a way out.
#[component]
pub fn ErrorPanel(error: crate::error::AppError) -> impl IntoView {
    view! {
        <section class="error-panel" role="alert">
            <h2>"Something went wrong"</h2>
            <p>{error.to_string()}</p>
            <p><a href="/">"Back to your projects"</a></p>
        </section>
    }
}
