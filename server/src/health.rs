//! `GET /healthz`: is the server up and its database answering?

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use engine::Engine;
use serde_json::{Value, json};

pub async fn healthz(State(engine): State<Engine>) -> (StatusCode, Json<Value>) {
    let version = env!("CARGO_PKG_VERSION");
    match engine.health().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "version": version, "database": "ok" })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "error", "version": version, "database": "error" })),
            )
        }
    }
}
