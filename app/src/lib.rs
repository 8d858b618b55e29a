//! DevLog's Leptos app, compiled twice: with `ssr` for the server (pages rendered to HTML and
//! server functions) and with `hydrate` for the browser.

pub mod api;
pub mod components;
pub mod error;
pub mod markdown;
pub mod pages;
pub mod paths;
#[cfg(feature = "ssr")]
pub mod report;
mod routes;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, path};

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <meta name="color-scheme" content="light dark"/>
                // The remembered theme, before anything is painted (components::theme).
                <script inner_html=components::theme::THEME_SCRIPT></script>
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

/// Marks the page interactive once the calling page's view has hydrated: effects run only in
/// the browser, after the view they are created in. Each page calls it from the view that holds
/// its data ([`pages::loaded`]: a lazy page hydrates after the app around it, once its code has
/// loaded, and its data's view after that); end-to-end tests wait for it instead of sleeping.
pub fn mark_interactive() {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::runtime::RuntimeMemory::provide();
    components::time::Clock::provide();
    view! {
        <Title text="DevLog"/>
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view={Lazy::<routes::ProjectsRoute>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("/p/:project") view=pages::ProjectLayout>
                    <Route path=path!("/board") view={Lazy::<routes::BoardRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sessions") view={Lazy::<routes::SessionsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/sessions/:session") view={Lazy::<routes::SessionRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view={Lazy::<routes::SettingsRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/tasks/:task") view={Lazy::<routes::TaskRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/worktrees") view={Lazy::<routes::WorktreesRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/locks") view={Lazy::<routes::LocksRoute>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/usage") view={Lazy::<routes::UsageRoute>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
