//! Shared by the HTTP test files: a one-commit git repository and the router on a loopback
//! address.

use axum::Router;
use engine::Engine;
use leptos::prelude::LeptosOptions;
use server::{build_router, security::Guard};

pub const HOST: &str = "127.0.0.1:3000";

pub use testkit::repo as git_repo;

pub fn router(engine: &Engine) -> Router {
    let options = LeptosOptions::builder()
        .output_name("devlog")
        .site_addr(HOST.parse::<std::net::SocketAddr>().unwrap())
        .build();
    build_router(
        engine.clone(),
        options,
        Guard::new(HOST.parse().unwrap(), None),
    )
}
