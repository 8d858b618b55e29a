//! Each page is a lazy route: its code is a wasm chunk of its own, loaded when the page is
//! first shown (and preloaded by the server for the page it renders).

use crate::pages;
use leptos::prelude::*;
use leptos_router::{LazyRoute, lazy_route};

macro_rules! lazy_page {
    ($route:ident, $page:path) => {
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                crate::mark_interactive();
                $page().into_any()
            }
        }
    };
}

lazy_page!(ProjectsRoute, pages::ProjectsPage);
lazy_page!(BoardRoute, pages::BoardPage);
lazy_page!(SessionsRoute, pages::SessionsPage);
lazy_page!(SessionRoute, pages::SessionPage);
lazy_page!(SettingsRoute, pages::SettingsPage);
lazy_page!(TaskRoute, pages::TaskPage);
lazy_page!(WorktreesRoute, pages::WorktreesPage);
lazy_page!(LocksRoute, pages::LocksPage);
