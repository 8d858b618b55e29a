//! Compression: pages and server functions are sent brotli or gzip by Accept-Encoding, SSE is
//! not; the built assets are sent as their precompressed files, with their cache policy.

use axum::Router;
use axum::body::to_bytes;
use axum::http::{StatusCode, header};
use engine::Engine;
use leptos::prelude::LeptosOptions;
use serde_json::json;
use tower::ServiceExt;

use crate::board::{get, long_board};
use crate::common::HOST;
use crate::support::{call, seeded};

#[tokio::test]
async fn pages_and_server_functions_are_compressed_and_sse_is_not() {
    let s = seeded().await;
    long_board(&s.engine, s.project.id).await;
    let board = format!("/p/{}/board", s.project.id);
    let plain = s.router.clone().oneshot(get(&board, None)).await.unwrap();
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let plain = to_bytes(plain.into_body(), usize::MAX).await.unwrap();
    for (accepted, chosen) in [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip")] {
        let res = s
            .router
            .clone()
            .oneshot(get(&board, Some(accepted)))
            .await
            .unwrap();
        assert_eq!(res.headers()[header::CONTENT_ENCODING], chosen);
        let wire = to_bytes(res.into_body(), usize::MAX).await.unwrap();
        assert!(
            wire.len() * 4 < plain.len(),
            "{chosen}: {} of {}",
            wire.len(),
            plain.len()
        );
    }

    let mut req = call(
        "get_board_page",
        json!({"project": s.project.id}).to_string(),
    );
    req.headers_mut()
        .insert(header::ACCEPT_ENCODING, "gzip".parse().unwrap());
    let res = s.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");

    // An event stream is sent as it comes: a compressor would hold events in its buffer.
    let activity = format!("/api/projects/{}/activity", s.project.id);
    let res = s
        .router
        .clone()
        .oneshot(get(&activity, Some("gzip, br")))
        .await
        .unwrap();
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/event-stream");
    assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
}

/// The router over a site with a built `devlog.js` and its precompressed files, in `pkg/`
/// (cargo-leptos's layout) or content-addressed in `pkg/<build id>/` (`cargo xtask build`).
/// The asset's URL path.
fn site_router(engine: &Engine, content_addressed: bool) -> (Router, tempfile::TempDir, String) {
    let site = tempfile::tempdir().unwrap();
    let pkg_dir = if content_addressed {
        std::fs::write(site.path().join(server::site::BUILD_ID_FILE), "b1d\n").unwrap();
        "pkg/b1d"
    } else {
        "pkg"
    };
    let pkg = site.path().join(pkg_dir);
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("devlog.js"), "console.log('the app');".repeat(50)).unwrap();
    std::fs::write(pkg.join("devlog.js.br"), "brotli bytes").unwrap();
    std::fs::write(pkg.join("devlog.js.gz"), "gzip bytes").unwrap();
    let options = LeptosOptions::builder()
        .output_name("devlog")
        .site_root(site.path().display().to_string())
        .site_pkg_dir(pkg_dir)
        .site_addr(HOST.parse::<std::net::SocketAddr>().unwrap())
        .build();
    let guard = server::security::Guard::new(HOST.parse().unwrap(), None);
    let router = server::build_router(engine.clone(), options, guard);
    (router, site, format!("/{pkg_dir}/devlog.js"))
}

#[tokio::test]
async fn built_assets_are_sent_precompressed_with_their_cache_policy() {
    let s = seeded().await;
    for (content_addressed, policy) in [
        (false, "no-cache"),
        (true, "public, max-age=31536000, immutable"),
    ] {
        let (router, _site, asset) = site_router(&s.engine, content_addressed);
        for (accepted, encoding, body) in [
            (Some("gzip, deflate, br"), Some("br"), "brotli bytes"),
            (Some("gzip"), Some("gzip"), "gzip bytes"),
            (None, None, "console.log('the app');"),
        ] {
            let res = router.clone().oneshot(get(&asset, accepted)).await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.headers()[header::CACHE_CONTROL], policy);
            assert_eq!(res.headers()[header::CONTENT_TYPE], "text/javascript");
            assert_eq!(
                res.headers()
                    .get(header::CONTENT_ENCODING)
                    .map(|v| v.to_str().unwrap()),
                encoding
            );
            let bytes = to_bytes(res.into_body(), usize::MAX).await.unwrap();
            assert!(String::from_utf8_lossy(&bytes).starts_with(body));
        }
        // A missing asset is not cached: the next build may add it.
        let res = router
            .clone()
            .oneshot(get(&asset.replace("devlog.js", "missing.js"), None))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.headers().get(header::CACHE_CONTROL).is_none());
    }
}
