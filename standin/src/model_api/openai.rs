//! The OpenAI Responses API, as Codex uses it (`POST /v1/responses`, streamed). Codex edits
//! files through a JavaScript tool of its own, so this fake only answers in text.

use crate::Script;
use crate::http::{Request, Response};
use serde_json::{Value, json};

/// OpenAI's 401 for a refused bearer key (both of its APIs answer it).
pub fn refused_key(request: &Request) -> Option<Response> {
    let bearer = request.header("authorization").unwrap_or_default();
    crate::is_rejected(bearer).then(|| {
        let error = json!({"error": {
            "message": "Incorrect API key provided",
            "type": "invalid_request_error",
            "code": "invalid_api_key",
        }});
        Response::json(401, error.to_string())
    })
}

pub fn responses(request: &Request) -> Response {
    if let Some(refusal) = refused_key(request) {
        return refusal;
    }
    let body = match request.json() {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let script = Script::parse(&user_text(&body));
    if script.rate_limited {
        return crate::rate_limit::openai();
    }
    std::thread::sleep(script.delay);
    Response::events(stream(&script.reply))
}

/// The user's latest words (a resumed thread replays the earlier ones first), without the
/// context Codex adds.
fn user_text(body: &Value) -> String {
    let items = body.get("input").and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .filter(|item| item["type"] == "message" && item["role"] == "user")
        .flat_map(|item| item["content"].as_array().cloned().unwrap_or_default())
        .filter_map(|part| part["text"].as_str().map(str::to_string))
        .rfind(|text| !text.trim_start().starts_with("<environment_context>"))
        .unwrap_or_default()
}

fn stream(text: &str) -> Vec<(String, Value)> {
    let (message_id, response_id) = (crate::next_id("msg"), crate::next_id("resp"));
    let item = json!({
        "type": "message",
        "role": "assistant",
        "id": message_id,
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    });
    let mut opened = item.clone();
    opened["content"] = json!([]);
    let usage = json!({
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 1,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 11,
    });
    [
        json!({"type": "response.created", "response": {"id": response_id}}),
        json!({"type": "response.output_item.added", "output_index": 0, "item": opened}),
        json!({"type": "response.output_text.delta", "item_id": message_id,
               "output_index": 0, "content_index": 0, "delta": text}),
        json!({"type": "response.output_item.done", "output_index": 0, "item": item}),
        json!({"type": "response.completed",
               "response": {"id": response_id, "usage": usage}}),
    ]
    .into_iter()
    .map(|event| {
        (
            event["type"].as_str().unwrap_or_default().to_string(),
            event,
        )
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_the_users_words_not_the_context_codex_adds() {
        let body = json!({"input": [
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "REPLY no"}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "<environment_context>REPLY no</environment_context>"}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "REPLY earlier"}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "REPLY yes"}]},
        ]});
        assert_eq!(Script::parse(&user_text(&body)).reply, "yes");
        let events = stream("yes");
        assert_eq!(
            events.last().map(|(n, _)| n.as_str()),
            Some("response.completed")
        );
        assert_eq!(events[3].1["item"]["content"][0]["text"], "yes");
    }
}
