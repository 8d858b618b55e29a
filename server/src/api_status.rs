//! Server functions answer every error with status 500; this layer gives each `AppError` its
//! own status (400 malformed, 404, 409 refused, 422 invalid), decided by `AppError::status`.

use app::error::AppError;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

pub async fn api_error_status(req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    // server_fn marks its error answers with this header; their body is the serialised error,
    // already whole in memory. Any other 500 (a route's own) is passed through untouched.
    if !is_api
        || response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // No size limit on purpose: a limit left a large error at 500 with its body lost, and
    // reading a body that is one in-memory buffer costs no copy.
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "reading a server function's error");
            return Response::from_parts(parts, Body::from("cannot read the error"));
        }
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::post;
    use tower::ServiceExt;

    /// An error answer the way server_fn builds it: 500, its header, the serialised error.
    fn server_fn_error(err: AppError) -> Response {
        Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .header(SERVER_FN_ERROR_HEADER, "/api/x")
            .body(Body::from(serde_json::to_vec(&err).unwrap()))
            .unwrap()
    }

    async fn status_of(
        response: impl Fn() -> Response + Clone + Send + Sync + 'static,
    ) -> (StatusCode, usize) {
        let app = Router::new()
            .route("/api/x", post(move || async move { response() }))
            .layer(axum::middleware::from_fn(api_error_status));
        let res = app
            .oneshot(Request::post("/api/x").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let len = to_bytes(res.into_body(), usize::MAX).await.unwrap().len();
        (status, len)
    }

    #[tokio::test]
    async fn an_error_gets_its_status_whatever_its_size() {
        for size in [10, 300 * 1024, 3 << 20] {
            let err = AppError::NotFound {
                message: "x".repeat(size),
            };
            let expected_len = serde_json::to_vec(&err).unwrap().len();
            let (status, len) = status_of(move || server_fn_error(err.clone())).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{size}");
            assert_eq!(len, expected_len, "the body is passed on whole");
        }
    }

    #[tokio::test]
    async fn internal_errors_and_other_500s_stay_500() {
        let (status, _) = status_of(|| server_fn_error(AppError::internal("boom"))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let plain = || {
            Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::from(r#"{"kind":"not_found","message":"x"}"#))
                .unwrap()
        };
        let (status, _) = status_of(plain).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
