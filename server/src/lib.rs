//! The DevLog server: configuration, the axum router around the Leptos app, and the layers
//! that keep a local server safe to run.

pub mod api_status;
pub mod config;
pub mod health;
pub mod router;
pub mod security;
pub mod sse;

pub use config::Config;
pub use router::build_router;
