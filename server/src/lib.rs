//! The DevLog server: configuration, the axum router around the Leptos app, and the layers
//! that keep a local server safe to run.

pub mod activity;
pub mod config;
pub mod declarations;
pub mod health;
pub mod router;
pub mod security;
pub mod serve;
pub mod site;
pub mod sse;

pub use config::Config;

/// Server rendering makes many small allocations (a 5,000-card board: most of its time was in
/// glibc's malloc and free); mimalloc serves them much faster. Declared in the library so the
/// binary, the tests and the benchmarks all measure the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
pub use router::build_router;
