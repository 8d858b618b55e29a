//! CSRF and DNS-rebinding edges (issue 10, item 10): a write that is neither JSON nor from
//! DevLog's own page, the Host rule with a token, and the redirect after a token login.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use leptos::prelude::LeptosOptions;
use serde_json::json;
use server::security::{Guard, LocalAddr};

use crate::common::HOST;
use crate::support::{call, seeded, send};

const TOKEN: &str = "0123456789abcdef-token";

fn create_body(project: model::ProjectId) -> String {
    json!({ "project": project, "draft": { "title": "forged" } }).to_string()
}

#[tokio::test]
async fn a_write_that_is_neither_json_nor_same_origin_is_refused() {
    let s = seeded().await;
    let body = create_body(s.project.id);
    // What a form on any site can send: no preflight, and a browser may omit Origin.
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let mut req = call("create_task", body.clone());
        req.headers_mut().remove(header::CONTENT_TYPE);
        if let Some(content_type) = content_type {
            req.headers_mut()
                .insert(header::CONTENT_TYPE, content_type.parse().unwrap());
        }
        let (status, text) = send(&s.router, req).await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {text}"
        );
        assert!(text.contains("application/json"), "{text}");
    }
    assert_eq!(s.engine.board(s.project.id).await.unwrap().1.len(), 1);

    // DevLog's own page proves itself by its Origin or by Sec-Fetch-Site.
    let mut req = call("create_task", body.clone());
    req.headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    req.headers_mut()
        .insert(header::ORIGIN, format!("http://{HOST}").parse().unwrap());
    assert_eq!(send(&s.router, req).await.0, StatusCode::OK);
    let mut req = call("create_task", body.clone());
    req.headers_mut()
        .insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
    req.headers_mut()
        .insert("sec-fetch-site", "same-origin".parse().unwrap());
    assert_eq!(send(&s.router, req).await.0, StatusCode::OK);
    // Scripts send JSON without either header, and so does the hydrated app with its Origin.
    assert_eq!(
        send(&s.router, call("create_task", body)).await.0,
        StatusCode::OK
    );
    assert_eq!(s.engine.board(s.project.id).await.unwrap().1.len(), 4);
}

fn token_router(engine: &engine::Engine, bind: &str) -> axum::Router {
    let options = LeptosOptions::builder()
        .output_name("devlog")
        .site_addr(bind.parse::<std::net::SocketAddr>().unwrap())
        .build();
    server::build_router(
        engine.clone(),
        options,
        Guard::new(bind.parse().unwrap(), Some(TOKEN.to_string())),
    )
}

fn get(path: &str, host: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, host)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn the_host_rule_holds_with_a_token() {
    let s = seeded().await;
    let router = token_router(&s.engine, "192.168.7.5:3000");
    for host in [
        "evil.example",
        "evil.example:3000",
        "192.168.7.5.nip.io:3000",
    ] {
        let (status, text) = send(&router, get("/healthz", host)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}: {text}");
        assert!(text.contains("DNS rebinding"), "{text}");
    }
    for host in ["192.168.7.5:3000", "localhost:3000"] {
        assert_eq!(
            send(&router, get("/healthz", host)).await.0,
            StatusCode::OK,
            "{host}"
        );
    }

    // Bound to every address: the address the connection came in on is the one allowed.
    let router = token_router(&s.engine, "0.0.0.0:3000");
    let via = |host: &str| {
        let mut req = get("/healthz", host);
        req.extensions_mut()
            .insert(LocalAddr("10.1.2.3:3000".parse().unwrap()));
        req
    };
    assert_eq!(send(&router, via("10.1.2.3:3000")).await.0, StatusCode::OK);
    assert_eq!(send(&router, via("127.0.0.1:3000")).await.0, StatusCode::OK);
    assert_eq!(
        send(&router, via("10.9.9.9:3000")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&router, via("evil.example:3000")).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_redirect_after_a_token_login_stays_on_this_site() {
    let s = seeded().await;
    let router = token_router(&s.engine, "192.168.7.5:3000");
    let login = |path: &str| {
        Request::get(format!("{path}?token={TOKEN}"))
            .header(header::HOST, "192.168.7.5:3000")
            .body(Body::empty())
            .unwrap()
    };
    for (path, to) in [
        ("//evil.example", "/"),
        ("//evil.example/x", "/"),
        ("/p/1/board", "/p/1/board"),
        ("/", "/"),
    ] {
        let res = tower::ServiceExt::oneshot(router.clone(), login(path))
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(res.headers()[header::LOCATION], to, "{path}");
        assert!(res.headers().contains_key(header::SET_COOKIE));
    }
    // Without the token nothing but the login answers.
    let req = Request::get("/healthz")
        .header(header::HOST, "192.168.7.5:3000")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&router, req).await.0, StatusCode::UNAUTHORIZED);
}
