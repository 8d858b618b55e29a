//! Each page is a lazy route: its code is a wasm chunk of its own, loaded when the page is
//! first shown (and preloaded by the server for the page it renders). A project's pages are
//! given the project that [`ProjectLayout`](crate::pages::ProjectLayout) loaded around them.

use crate::components::Erase;
use crate::error::AppError;
use crate::pages::*;
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        lazy_page!($route, || view! { <$page/> });
    };
    ($route:ident, $page:ident, of_project) => {
        lazy_page!($route, || match current_project() {
            Some(project) => view! { <$page project/> }.erased(),
            None => view! { <ErrorPanel error=outside_its_project()/> }.erased(),
        });
    };
    ($route:ident, || $view:expr) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                $view.erased()
            }
        }
    };
}

/// A project's page routed outside the project's layout: a mistake in `lib.rs`'s route table.
fn outside_its_project() -> AppError {
    AppError::internal("this page is routed outside its project")
}

lazy_page!(ProjectsRoute, ProjectsPage);
lazy_page!(BoardRoute, BoardPage, of_project);
lazy_page!(SessionsRoute, SessionsPage, of_project);
lazy_page!(SessionRoute, SessionPage, of_project);
lazy_page!(SettingsRoute, SettingsPage, of_project);
lazy_page!(TaskRoute, TaskPage, of_project);
lazy_page!(WorktreesRoute, WorktreesPage, of_project);
lazy_page!(LocksRoute, LocksPage, of_project);
lazy_page!(UsageRoute, UsagePage, of_project);
