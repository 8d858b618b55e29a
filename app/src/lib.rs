//! DevLog's Leptos app, compiled twice: with `ssr` for the server (pages rendered to HTML and
//! server functions) and with `hydrate` for the browser.

pub mod api;
pub mod components;
pub mod error;
pub mod markdown;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::runtime::RuntimeMemory::provide();
    // Effects run only in the browser: this marks the moment the page became interactive, which
    // end-to-end tests wait for instead of sleeping.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title text="DevLog"/>
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::ProjectsPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:project/board") view=pages::BoardPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:project/sessions") view=pages::SessionsPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:project/sessions/:session") view=pages::SessionPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:project/settings") view=pages::SettingsPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:project/tasks/:task") view=pages::TaskPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:project/worktrees") view=pages::WorktreesPage ssr=SsrMode::Async/>
                <Route path=path!("/p/:project/locks") view=pages::LocksPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
