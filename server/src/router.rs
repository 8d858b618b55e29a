//! The axum router: health, the Leptos pages and server functions, static files, and the
//! security, compression and error-status layers around them.

use crate::site::SiteLayout;
use crate::{activity, health, security, sse, usage_export};
use app::{App, shell};
use axum::Router;
use axum::http::{HeaderValue, Response, header};
use axum::routing::get;
use engine::Engine;
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use std::path::Path;
use std::sync::LazyLock;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::set_header::SetResponseHeader;

/// The cache policy of the built wasm, js and css: forever when their folder is named by a hash
/// of their content (`cargo xtask build`), else revalidated on every use (`Last-Modified`).
fn asset_cache_control(content_addressed: bool) -> HeaderValue {
    HeaderValue::from_static(if content_addressed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    })
}

/// `/pkg`: the built assets, sent as the `.br` or `.gz` file beside them (made at build time)
/// when the request accepts it. A 404 is not cached.
fn site_pkg(
    options: &LeptosOptions,
) -> SetResponseHeader<
    ServeDir,
    impl Fn(&Response<ServeFileSystemResponseBody>) -> Option<HeaderValue> + Clone + use<>,
> {
    let dir = Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let root = Path::new(options.site_root.as_ref());
    let content_addressed = SiteLayout::of(root).is_ok_and(|layout| {
        layout.content_addressed && layout.pkg_dir == options.site_pkg_dir.as_ref()
    });
    let cache = asset_cache_control(content_addressed);
    SetResponseHeader::overriding(
        ServeDir::new(dir).precompressed_br().precompressed_gzip(),
        header::CACHE_CONTROL,
        move |res: &Response<ServeFileSystemResponseBody>| {
            res.status().is_success().then(|| cache.clone())
        },
    )
}

/// The app's routes, listed once per process. Listing them sets Leptos's process-global
/// "don't load resources" flag while it renders the app, so a page rendered by another router
/// meanwhile (the tests build one router each, concurrently) could wait for its data forever
/// (leptos-rs/leptos#4773): the api suite hung about one run in four before this.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

pub fn build_router(engine: Engine, options: LeptosOptions, guard: security::Guard) -> Router {
    let routes = ROUTES.clone();
    let (pkg_path, pkg_files) = (format!("/{}", options.site_pkg_dir), site_pkg(&options));
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
            app::paths::SESSION_EVENTS_ROUTE,
            get(sse::session_events).with_state(engine.clone()),
        )
        .route(
            app::paths::USAGE_EXPORT_ROUTE,
            get(usage_export::export_usage).with_state(engine.clone()),
        )
        .route(
            app::paths::USAGE_REPORT_ROUTE,
            get(usage_export::usage_report).with_state(engine.clone()),
        )
        .route(
            app::paths::ACTIVITY_ROUTE,
            get(activity::project_activity).with_state(engine),
        )
        .nest_service(&pkg_path, pkg_files)
        .merge(leptos)
        // Brotli or gzip by Accept-Encoding for pages and server functions; not SSE (its
        // default predicate skips text/event-stream, so events are not held in a compressor's
        // buffer), tiny answers, images, or precompressed files (they carry Content-Encoding).
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(guard, security::guard))
}
