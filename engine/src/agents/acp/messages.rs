//! The lines this client writes, and the error answers it reads, in the forms the rest of
//! the conversation uses.

use agent_client_protocol_schema::v1 as acp;
use model::StreamEvent;
use model::usage::{ModelUsage, Tokens};
use serde::Serialize;
use serde_json::{Value, json};

/// A response line to the agent's request `id`.
pub fn response(id: &acp::RequestId, answer: Result<impl Serialize, acp::Error>) -> String {
    match answer {
        Ok(result) => line(&json!({"jsonrpc": "2.0", "id": id, "result": result})),
        Err(error) => line(&json!({"jsonrpc": "2.0", "id": id, "error": error})),
    }
}

pub fn line(message: &Value) -> String {
    message.to_string()
}

/// An error answer in words. Gemini CLI puts a provider's whole JSON error in `message`
/// (its message, code and status are what a person needs) and its own detail in
/// `data.details`.
pub fn describe(error: &acp::Error) -> String {
    if let Ok(provider) = serde_json::from_str::<Value>(&error.message)
        && let Some(message) = provider["error"]["message"].as_str()
    {
        let code = &provider["error"]["code"];
        let status = provider["error"]["status"].as_str().unwrap_or_default();
        return format!("{message} ({code} {status})").replace(" )", ")");
    }
    let detail = match &error.data {
        Some(Value::String(detail)) => Some(detail.clone()),
        Some(data) => data["details"].as_str().map(str::to_string),
        None => None,
    };
    let said = match detail.filter(|d| !d.trim().is_empty()) {
        Some(detail) => format!("{}: {detail}", error.message),
        None => error.message.clone(),
    };
    // Gemini CLI and Qwen Code answer a provider's refusal with its HTTP status as the code
    // ("You have exhausted your daily quota on this model." with 429): it is kept, as it
    // tells a rate limit from another failure.
    match i32::from(error.code) {
        code @ 400..=599 => format!("{said} (HTTP {code})"),
        _ => said,
    }
}

/// What each model used in a prompt, from the `_meta.quota` of its answer (Gemini:
/// `model_usage[]` with a `token_count` each; without it, the turn's `token_count` as one
/// unnamed model): the prompt's own figures, tokens only (the cost is estimated when
/// recorded). Gemini's thinking tokens are not in them: its estimate leaves them out.
pub fn quota_models(quota: &Value) -> Vec<ModelUsage> {
    let tokens = |count: &Value| {
        // Gemini CLI sends these two only (its prompt and candidates counts).
        let n = |key: &str| count.get(key).and_then(Value::as_u64).unwrap_or(0);
        Tokens {
            input: n("input_tokens"),
            output: n("output_tokens"),
            ..Tokens::default()
        }
    };
    let named = quota
        .get("model_usage")
        .and_then(Value::as_array)
        .map(|models| {
            models
                .iter()
                .filter_map(|m| {
                    Some(ModelUsage {
                        model: m.get("model").and_then(Value::as_str).map(str::to_string),
                        tokens: tokens(m.get("token_count")?),
                        cost_usd: None,
                        cumulative: false,
                    })
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if !named.is_empty() {
        return named;
    }
    quota
        .get("token_count")
        .map(|count| ModelUsage {
            model: None,
            tokens: tokens(count),
            cost_usd: None,
            cumulative: false,
        })
        .into_iter()
        .collect()
}

pub fn failed_turn(message: String) -> Vec<StreamEvent> {
    vec![
        StreamEvent::Error {
            message,
            retrying: false,
        },
        StreamEvent::TurnEnded {
            is_error: true,
            result: None,
            reason: Some("error".into()),
            cost_usd: None,
            duration_ms: None,
            num_turns: None,
            usage: None,
            models: Vec::new(),
        },
    ]
}
