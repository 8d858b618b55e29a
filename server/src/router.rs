//! The axum router: health, the Leptos pages and server functions, static files, and the
//! security and error-status layers around them.

use crate::{activity, api_status, health, security, sse};
use app::{App, shell};
use axum::Router;
use axum::routing::get;
use engine::Engine;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

pub fn build_router(engine: Engine, options: LeptosOptions, guard: security::Guard) -> Router {
    let routes = generate_route_list(App);
    let context_engine = engine.clone();
    let leptos = Router::new()
        .leptos_routes_with_context(
            &options,
            routes,
            move || provide_context(context_engine.clone()),
            {
                let options = options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options);
    Router::new()
        .route("/healthz", get(health::healthz).with_state(engine.clone()))
        .route(
            "/api/projects/{project}/sessions/{session}/events",
            get(sse::session_events).with_state(engine.clone()),
        )
        .route(
            "/api/projects/{project}/activity",
            get(activity::project_activity).with_state(engine),
        )
        .merge(leptos)
        .layer(axum::middleware::from_fn(api_status::api_error_status))
        .layer(axum::middleware::from_fn_with_state(guard, security::guard))
}
