//! What Claude Code says its models used: each turn's account in its `result`, and each
//! model call's running figures while the turn runs (what a task's budget stops a turn on).

use crate::agents::{str_at, string_at};
use model::usage::{CallUsage, ModelUsage, Tokens};
use serde_json::Value;

/// An Anthropic API `usage` object's tokens (its `input_tokens` leave the cache out, as
/// [`Tokens::input`] does).
fn api_tokens(usage: &Value) -> Tokens {
    let count = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    Tokens {
        input: count("input_tokens"),
        output: count("output_tokens"),
        cache_read: count("cache_read_input_tokens"),
        cache_write: count("cache_creation_input_tokens"),
        reasoning: 0,
    }
}

/// What the model call a line reports on has used so far: an `assistant` line's message
/// (once per content block, the same figures), a partial message's `message_start`, and its
/// `message_delta` (the output so far, the call named by `api_message_id`). `None` for
/// other lines and for Claude Code's synthetic messages (its own error texts, no call).
pub(super) fn call_usage(value: &Value) -> Option<CallUsage> {
    let (message, usage) = match str_at(value, "type")? {
        "assistant" => {
            let message = value.get("message")?;
            (message, message.get("usage")?)
        }
        "stream_event" => {
            let event = value.get("event")?;
            match str_at(event, "type")? {
                "message_start" => {
                    let message = event.get("message")?;
                    (message, message.get("usage")?)
                }
                "message_delta" => (&Value::Null, event.get("usage")?),
                _ => return None,
            }
        }
        _ => return None,
    };
    let model = string_at(message, "model");
    if model.as_deref() == Some("<synthetic>") || !usage.is_object() {
        return None;
    }
    let call = string_at(message, "id").or_else(|| string_at(value, "api_message_id"))?;
    Some(CallUsage {
        call,
        model,
        tokens: api_tokens(usage),
    })
}

/// What each model used in this turn: `model_usage_since_last_result` (the turn's own, with
/// Claude Code's cost), else `modelUsage` (the process's running total, marked so), else the
/// turn's `usage` as one unnamed model (its `total_cost_usd` is a running total too: left out,
/// the tokens are priced instead).
pub(super) fn models_used(value: &Value) -> Vec<ModelUsage> {
    let count = |v: &Value, key: &str| v.get(key).and_then(Value::as_u64).unwrap_or(0);
    let per_model = |key: &str, cumulative: bool| {
        value.get(key).and_then(Value::as_object).map(|models| {
            models
                .iter()
                .map(|(model, used)| ModelUsage {
                    model: Some(model.clone()),
                    tokens: Tokens {
                        input: count(used, "inputTokens"),
                        output: count(used, "outputTokens"),
                        cache_read: count(used, "cacheReadInputTokens"),
                        cache_write: count(used, "cacheCreationInputTokens"),
                        reasoning: count(used, "thinkingTokens"),
                    },
                    cost_usd: used.get("costUSD").and_then(Value::as_f64),
                    cumulative,
                })
                .collect::<Vec<_>>()
        })
    };
    if let Some(models) = per_model("model_usage_since_last_result", false) {
        return models;
    }
    if let Some(models) = per_model("modelUsage", true) {
        return models;
    }
    let Some(usage) = value.get("usage").filter(|u| u.is_object()) else {
        return Vec::new();
    };
    vec![ModelUsage {
        model: None,
        tokens: api_tokens(usage),
        cost_usd: None,
        cumulative: false,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heard(line: &str) -> Option<CallUsage> {
        call_usage(&serde_json::from_str(line).unwrap())
    }

    #[test]
    fn a_message_and_its_partial_lines_report_their_call() {
        let tokens = |input, output| Tokens {
            input,
            output,
            cache_read: 7,
            ..Tokens::default()
        };
        let assistant = r#"{"type":"assistant","message":{"id":"msg_1","model":"claude-opus-5","content":[],"usage":{"input_tokens":12478,"output_tokens":1,"cache_read_input_tokens":7}}}"#;
        let call = |model: Option<&str>, tokens| CallUsage {
            call: "msg_1".into(),
            model: model.map(str::to_string),
            tokens,
        };
        assert_eq!(
            heard(assistant),
            Some(call(Some("claude-opus-5"), tokens(12_478, 1)))
        );
        let start = r#"{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_1","model":"claude-opus-5","usage":{"input_tokens":12478,"output_tokens":1,"cache_read_input_tokens":7}}},"api_message_id":"msg_1"}"#;
        assert_eq!(
            heard(start),
            Some(call(Some("claude-opus-5"), tokens(12_478, 1)))
        );
        let delta = r#"{"type":"stream_event","event":{"type":"message_delta","delta":{},"usage":{"output_tokens":300}},"api_message_id":"msg_1"}"#;
        let output_only = Tokens {
            output: 300,
            ..Tokens::default()
        };
        assert_eq!(heard(delta), Some(call(None, output_only)));
    }

    #[test]
    fn other_lines_report_no_call() {
        for line in [
            r#"{"type":"assistant","message":{"id":"m","model":"<synthetic>","usage":{"input_tokens":0}}}"#,
            r#"{"type":"assistant","message":{"id":"m","content":[]}}"#,
            r#"{"type":"stream_event","event":{"type":"message_delta","usage":{"output_tokens":3}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_delta","delta":{}},"api_message_id":"m"}"#,
            r#"{"type":"result","usage":{"input_tokens":5},"session_id":"s"}"#,
            r#"{"type":"user","message":{"id":"m","usage":{"input_tokens":5}}}"#,
        ] {
            assert_eq!(heard(line), None, "{line}");
        }
    }
}
