//! The fake API's HTTP side, on axum: each route hands the request's headers and body to the
//! provider's (synchronous, scripted) handler on a blocking thread — a script may sleep — and
//! sends its answer, a JSON body or a server-sent event stream.

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::{get, post};
use std::convert::Infallible;

/// Request bodies beyond this are refused: the CLIs send a few hundred KB at most.
const MAX_BODY: usize = 32 * 1024 * 1024;

/// What a provider's handler reads of a request.
pub struct Request {
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Request {
    /// The last segment of the path: Google's API names the model and the call there
    /// (`gemini-2.5-flash:streamGenerateContent`).
    pub fn last_segment(&self) -> &str {
        self.uri.path().rsplit('/').next().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON; a body that is not is the caller's bug, answered with a 400.
    pub fn json(&self) -> Result<serde_json::Value, Response> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Response::json(
                400,
                serde_json::json!({ "error": e.to_string() }).to_string(),
            )
        })
    }
}

/// A provider's answer.
#[derive(Debug)]
pub enum Response {
    Json {
        status: u16,
        body: String,
    },
    /// Server-sent events, each `(event name, data)`.
    Events(Vec<(String, serde_json::Value)>),
    /// Server-sent events of data alone, as Google's API and Chat Completions send them; a
    /// JSON string is sent as its text (Chat Completions' closing `[DONE]`).
    Data(Vec<serde_json::Value>),
}

impl Response {
    pub fn json(status: u16, body: String) -> Response {
        Response::Json { status, body }
    }

    pub fn events(events: Vec<(String, serde_json::Value)>) -> Response {
        Response::Events(events)
    }
}

impl IntoResponse for Response {
    fn into_response(self) -> HttpResponse {
        match self {
            Response::Json { status, body } => (
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response(),
            Response::Events(events) => {
                let events = events.into_iter().map(|(name, data)| {
                    Ok::<_, Infallible>(Event::default().event(name).data(data.to_string()))
                });
                Sse::new(futures_util::stream::iter(events)).into_response()
            }
            Response::Data(chunks) => {
                let events = chunks.into_iter().map(|data| {
                    let text = match data {
                        serde_json::Value::String(text) => text,
                        other => other.to_string(),
                    };
                    Ok::<_, Infallible>(Event::default().data(text))
                });
                Sse::new(futures_util::stream::iter(events)).into_response()
            }
        }
    }
}

/// A provider's handler: scripted, synchronous (it may sleep), run on a blocking thread.
pub type Handler = fn(&Request) -> Response;

/// The routes, each a path and its provider's handler.
pub fn router(routes: &[(&'static str, Handler)]) -> Router {
    let mut router = Router::new().route(
        "/healthz",
        get(|| async { Response::json(200, r#"{"ok":true}"#.to_string()) }),
    );
    for &(path, handle) in routes {
        router = router.route(
            path,
            post(
                move |uri: Uri, headers: HeaderMap, body: Bytes| async move {
                    let request = Request { uri, headers, body };
                    match tokio::task::spawn_blocking(move || handle(&request)).await {
                        Ok(response) => response.into_response(),
                        Err(e) => Response::json(
                            500,
                            serde_json::json!({ "error": e.to_string() }).to_string(),
                        )
                        .into_response(),
                    }
                },
            ),
        );
    }
    router
        .fallback(|uri: Uri| async move {
            // Said on stderr too: a CLI calling an endpoint this fake lacks is what to look
            // for first when a real CLI's test fails.
            eprintln!("devlog-fake-model-api: no route for {uri}");
            Response::json(404, r#"{"error":"not found"}"#.to_string())
        })
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{Body, to_bytes};
    use tower::ServiceExt;

    fn echo(request: &Request) -> Response {
        match request.json() {
            Ok(body) => Response::events(vec![("said".into(), body)]),
            Err(refusal) => refusal,
        }
    }

    async fn call(router: Router, path: &str, body: &'static str) -> (StatusCode, String) {
        let request = axum::http::Request::post(path)
            .header("x-api-key", "k")
            .body(Body::from(body))
            .unwrap();
        let response = router.oneshot(request).await.unwrap();
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn answers_events_json_refusals_and_unknown_paths() {
        let routes: &[(&'static str, Handler)] = &[("/v1/echo", echo)];
        let (status, body) = call(router(routes), "/v1/echo", r#"{"a":1}"#).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "event: said\ndata: {\"a\":1}\n\n");
        let (status, body) = call(router(routes), "/v1/echo", "{").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("error"), "{body}");
        let (status, _) = call(router(routes), "/v1/other", "{}").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}
