//! Claude Code's stream-json stdout, line by line. Every type seen in the recorded
//! transcripts is either mapped or deliberately ignored. Apart from the events, the `usage` of
//! an `assistant` line and of a partial message's `message_start` / `message_delta` is what
//! the running turn's model call used so far (`usage.rs`: `Heard::spent`, for the budget).
//!
//! | line | event | why |
//! |---|---|---|
//! | `system/init` | `AgentSession` | `session_id` is what `--resume` takes; repeated each turn |
//! | `assistant` `text` block | `AssistantText` | |
//! | `assistant` `text` of a synthetic API error (`is_api_error_message`/`error`) | `Error` | "Invalid API key": never an answer; the `result` that follows carries it too |
//! | `assistant` `thinking` block | `Reasoning` | |
//! | `assistant` `redacted_thinking` block | — | nothing readable in it |
//! | `assistant` `tool_use`/`server_tool_use` block | `ToolCall` | |
//! | `assistant` other block | `Raw` | unknown: kept visible |
//! | `user` `tool_result` block | `ToolResult` | `is_error` as given (denials are errors) |
//! | `user` `text` block | — | the CLI's own markers ("[Request interrupted by user]") or echoes of what we sent; the supervisor emits `UserMessage`, `TurnEnded.reason` tells interrupts |
//! | `result` | `TurnEnded` | `is_error` decides, not `subtype` (API errors say `success`) |
//! | `control_request/can_use_tool` | `PermissionRequest` | answer with its `request_id` |
//! | `control_request` other | `Raw` | we register no hooks or SDK MCP servers: unexpected, kept visible |
//! | `control_cancel_request` | `PermissionWithdrawn` | |
//! | `control_response` success | — | answers to our own initialize/interrupt/set mode |
//! | `control_response` error | `Error` | one of our control requests failed |
//! | `system/api_retry` | `Error { retrying: true }` | the CLI retries by itself |
//! | `system/status` | — | "requesting"/mode-change progress noise |
//! | `system/thinking_tokens` | — | an estimate; the text comes as `thinking` |
//! | `system/permission_denied` | — | the `tool_result` that follows carries the same message |
//! | `stream_event` `content_block_delta` `text_delta` | `AssistantDelta` | text as the model writes it (`--include-partial-messages`); the supervisor coalesces them, and the block's `assistant` line supersedes them |
//! | other `stream_event`s | — | message/block starts and stops, thinking and tool-input deltas: the whole block follows in its `assistant` line |
//! | `rate_limit_event` `rejected` | `Error` | the plan's usage limit is reached, with its reset: the task waits in the queue |
//! | `rate_limit_event` other | — | still allowed (a warning at most) |
//! | `keep_alive` | — | |
//! | other `system` subtypes, other types, malformed JSON | `Raw` | |

use super::usage::{call_usage, models_used};
use crate::agents::{Heard, parse_object, raw, str_at, string_at};
use model::StreamEvent;
use serde_json::Value;

/// One line's events, and what the model call it reports on used so far.
pub(super) fn hear_line(line: &str) -> Heard {
    let Some(value) = parse_object(line) else {
        return Heard::events(raw(line));
    };
    Heard {
        events: events_of(line, &value),
        spent: call_usage(&value).into_iter().collect(),
        ..Heard::default()
    }
}

pub(super) fn parse_line(line: &str) -> Vec<StreamEvent> {
    hear_line(line).events
}

fn events_of(line: &str, value: &Value) -> Vec<StreamEvent> {
    let subtype = str_at(value, "subtype");
    match (str_at(value, "type"), subtype) {
        (Some("system"), Some("init")) => match string_at(value, "session_id") {
            Some(agent_session_id) => vec![StreamEvent::AgentSession {
                agent_session_id,
                model: string_at(value, "model"),
            }],
            None => raw(line),
        },
        (Some("system"), Some("api_retry")) => vec![StreamEvent::Error {
            message: api_retry_message(value),
            retrying: true,
        }],
        (Some("system"), Some("status" | "thinking_tokens" | "permission_denied")) => Vec::new(),
        (Some("assistant"), _) => assistant(line, value),
        (Some("user"), _) => user(value),
        (Some("result"), _) => vec![turn_ended(value)],
        (Some("control_request"), _) => control_request(line, value),
        (Some("control_cancel_request"), _) => match string_at(value, "request_id") {
            Some(request_id) => vec![StreamEvent::PermissionWithdrawn { request_id }],
            None => raw(line),
        },
        (Some("control_response"), _) => control_response(value),
        (Some("stream_event"), _) => text_delta(value),
        (Some("keep_alive"), _) => Vec::new(),
        (Some("rate_limit_event"), _) => rate_limit(value),
        _ => raw(line),
    }
}

/// The blocks of a message's `content` (a bare string counts as one text block).
fn blocks(value: &Value) -> Vec<Value> {
    match value.pointer("/message/content") {
        Some(Value::Array(blocks)) => blocks.clone(),
        Some(Value::String(text)) => vec![serde_json::json!({"type": "text", "text": text})],
        _ => Vec::new(),
    }
}

fn assistant(line: &str, value: &Value) -> Vec<StreamEvent> {
    let api_error = value.get("is_api_error_message").and_then(Value::as_bool) == Some(true)
        || value.get("error").is_some_and(|e| !e.is_null());
    let mut events = Vec::new();
    let mut unknown = false;
    for block in blocks(value) {
        match str_at(&block, "type") {
            Some("text") => {
                let text = string_at(&block, "text").unwrap_or_default();
                events.push(if api_error {
                    StreamEvent::Error {
                        message: text,
                        retrying: false,
                    }
                } else {
                    StreamEvent::AssistantText { text }
                });
            }
            Some("thinking") => events.push(StreamEvent::Reasoning {
                text: string_at(&block, "thinking").unwrap_or_default(),
            }),
            Some("redacted_thinking") => {}
            Some("tool_use" | "server_tool_use") => events.push(StreamEvent::ToolCall {
                id: string_at(&block, "id").unwrap_or_default(),
                name: string_at(&block, "name").unwrap_or_default(),
                input: block.get("input").cloned().unwrap_or(Value::Null),
            }),
            _ => unknown = true,
        }
    }
    if unknown || value.pointer("/message/content").is_none() {
        events.extend(raw(line));
    }
    events
}

/// The text of a partial message's `text_delta`, if this stream event is one.
fn text_delta(value: &Value) -> Vec<StreamEvent> {
    let event = value.get("event").unwrap_or(&Value::Null);
    let delta = event.get("delta").unwrap_or(&Value::Null);
    match (
        str_at(event, "type"),
        str_at(delta, "type"),
        str_at(delta, "text"),
    ) {
        (Some("content_block_delta"), Some("text_delta"), Some(text)) if !text.is_empty() => {
            vec![StreamEvent::AssistantDelta {
                text: text.to_string(),
            }]
        }
        _ => Vec::new(),
    }
}

fn user(value: &Value) -> Vec<StreamEvent> {
    blocks(value)
        .iter()
        .filter(|block| str_at(block, "type") == Some("tool_result"))
        .map(|block| StreamEvent::ToolResult {
            id: string_at(block, "tool_use_id").unwrap_or_default(),
            output: tool_output(block.get("content")),
            is_error: block.get("is_error").and_then(Value::as_bool) == Some(true),
        })
        .collect()
}

/// A tool result's content as text: a string, or the text of its blocks (others named).
fn tool_output(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|part| match str_at(part, "type") {
                Some("text") => str_at(part, "text").unwrap_or_default().to_string(),
                Some(other) => format!("[{other}]"),
                None => part.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    }
}

fn turn_ended(value: &Value) -> StreamEvent {
    let is_error = value
        .get("is_error")
        .and_then(Value::as_bool)
        // Only when the field is missing does `subtype` decide.
        .unwrap_or_else(|| str_at(value, "subtype") != Some("success"));
    StreamEvent::TurnEnded {
        is_error,
        result: string_at(value, "result"),
        reason: string_at(value, "terminal_reason"),
        cost_usd: value.get("total_cost_usd").and_then(Value::as_f64),
        duration_ms: value.get("duration_ms").and_then(Value::as_u64),
        num_turns: value
            .get("num_turns")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok()),
        usage: value.get("usage").filter(|u| !u.is_null()).cloned(),
        models: models_used(value),
    }
}

fn control_request(line: &str, value: &Value) -> Vec<StreamEvent> {
    let request = value.get("request").unwrap_or(&Value::Null);
    let request_id = string_at(value, "request_id");
    match (str_at(request, "subtype"), request_id) {
        (Some("can_use_tool"), Some(request_id)) => vec![StreamEvent::PermissionRequest {
            request_id,
            tool_use_id: string_at(request, "tool_use_id"),
            tool: string_at(request, "tool_name").unwrap_or_default(),
            input: request.get("input").cloned().unwrap_or(Value::Null),
            description: string_at(request, "description"),
            options: Vec::new(),
        }],
        _ => raw(line),
    }
}

fn control_response(value: &Value) -> Vec<StreamEvent> {
    let response = value.get("response").unwrap_or(&Value::Null);
    if str_at(response, "subtype") == Some("error") {
        let id = str_at(response, "request_id").unwrap_or("?");
        let error = str_at(response, "error").unwrap_or("no reason given");
        vec![StreamEvent::Error {
            message: format!("Claude Code refused control request {id}: {error}"),
            retrying: false,
        }]
    } else {
        Vec::new()
    }
}

/// A `rate_limit_event` whose `status` is `rejected`: "Claude Code's five_hour usage limit is
/// reached; it resets at 2026-12-04 15:00 UTC" (`resetsAt` is Unix seconds), the words
/// `model::rate_limit` reads back.
fn rate_limit(value: &Value) -> Vec<StreamEvent> {
    let Some(info) = value.get("rate_limit_info") else {
        return Vec::new();
    };
    if str_at(info, "status") != Some("rejected") {
        return Vec::new();
    }
    let kind = str_at(info, "rateLimitType").map_or_else(String::new, |k| format!("{k} "));
    let reset = info
        .get("resetsAt")
        .and_then(Value::as_i64)
        .map(|secs| format!("; it resets at {}", model::time::format_utc(secs * 1000)))
        .unwrap_or_default();
    vec![StreamEvent::Error {
        message: format!("Claude Code's {kind}usage limit is reached{reset}."),
        retrying: false,
    }]
}

/// "API request failed (HTTP 529, overloaded); retrying 2/10 in 1200 ms", from what is there.
fn api_retry_message(value: &Value) -> String {
    let status = value.get("error_status").and_then(Value::as_u64);
    let error = str_at(value, "error");
    let cause = match (status, error) {
        (Some(status), Some(error)) => format!(" (HTTP {status}, {error})"),
        (Some(status), None) => format!(" (HTTP {status})"),
        (None, Some(error)) => format!(" ({error})"),
        (None, None) => String::new(),
    };
    let attempt = match (
        value.get("attempt").and_then(Value::as_u64),
        value.get("max_retries").and_then(Value::as_u64),
    ) {
        (Some(n), Some(max)) => format!(" {n}/{max}"),
        (Some(n), None) => format!(" {n}"),
        _ => String::new(),
    };
    let delay = value
        .get("retry_delay_ms")
        .and_then(Value::as_u64)
        .map(|ms| format!(" in {ms} ms"))
        .unwrap_or_default();
    format!("API request failed{cause}; retrying{attempt}{delay}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejected_rate_limit_event_is_an_error_with_its_reset() {
        let rejected = r#"{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1796400000,"rateLimitType":"five_hour"},"session_id":"s"}"#;
        let message =
            "Claude Code's five_hour usage limit is reached; it resets at 2026-12-04 16:00 UTC.";
        assert_eq!(
            parse_line(rejected),
            vec![StreamEvent::Error {
                message: message.into(),
                retrying: false,
            }]
        );
        let limit = model::rate_limit::RateLimit::recognise(message, 0);
        assert_eq!(limit.and_then(|l| l.resets_at), Some(1_796_400_000_000));
        let allowed = r#"{"type":"rate_limit_event","rate_limit_info":{"status":"allowed","resetsAt":1796400000}}"#;
        assert!(parse_line(allowed).is_empty());
    }

    #[test]
    fn api_retry_is_a_retrying_error() {
        let line = r#"{"type":"system","subtype":"api_retry","attempt":2,"max_retries":10,"retry_delay_ms":1200,"error_status":529,"error":"overloaded","session_id":"s"}"#;
        assert_eq!(
            parse_line(line),
            vec![StreamEvent::Error {
                message: "API request failed (HTTP 529, overloaded); retrying 2/10 in 1200 ms"
                    .into(),
                retrying: true,
            }]
        );
        let bare = parse_line(r#"{"type":"system","subtype":"api_retry"}"#);
        assert_eq!(
            bare,
            vec![StreamEvent::Error {
                message: "API request failed; retrying".into(),
                retrying: true
            }]
        );
    }

    #[test]
    fn unknown_shapes_stay_visible() {
        for line in [
            r#"{"type":"system","subtype":"compact_boundary"}"#,
            r#"{"type":"system","subtype":"init"}"#,
            r#"{"type":"control_request","request_id":"r","request":{"subtype":"hook_callback"}}"#,
            r#"{"type":"control_cancel_request"}"#,
            r#"{"type":"assistant"}"#,
            r#"{"type":42}"#,
        ] {
            assert_eq!(parse_line(line), raw(line), "{line}");
        }
        let mixed = r#"{"type":"assistant","message":{"content":[{"type":"text","text":"hi"},{"type":"hologram"}]}}"#;
        assert_eq!(
            parse_line(mixed),
            vec![
                StreamEvent::AssistantText { text: "hi".into() },
                StreamEvent::Raw { line: mixed.into() }
            ]
        );
    }

    #[test]
    fn tool_result_content_may_be_blocks() {
        let line = r#"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"a"},{"type":"image"}]}]}}"#;
        assert_eq!(
            parse_line(line),
            vec![StreamEvent::ToolResult {
                id: "t".into(),
                output: "a\n[image]".into(),
                is_error: false
            }]
        );
    }

    #[test]
    fn a_failed_control_request_is_an_error() {
        let line = r#"{"type":"control_response","response":{"subtype":"error","request_id":"drv-1","error":"no such mode"}}"#;
        assert!(matches!(
            parse_line(line).as_slice(),
            [StreamEvent::Error { message, retrying: false }] if message.contains("no such mode")
        ));
    }

    #[test]
    fn partial_messages_give_text_deltas_only() {
        let delta = r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"o"}},"session_id":"s"}"#;
        assert_eq!(
            parse_line(delta),
            vec![StreamEvent::AssistantDelta { text: "o".into() }]
        );
        for line in [
            r#"{"type":"stream_event","event":{"type":"message_start","message":{"id":"m"}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a"}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}}"#,
            r#"{"type":"stream_event","event":{"type":"content_block_stop","index":0}}"#,
            r#"{"type":"stream_event"}"#,
        ] {
            assert_eq!(parse_line(line), Vec::new(), "{line}");
        }
    }

    #[test]
    fn a_result_without_is_error_falls_back_to_subtype() {
        let ended = parse_line(r#"{"type":"result","subtype":"error_max_turns"}"#);
        assert!(matches!(
            ended.as_slice(),
            [StreamEvent::TurnEnded { is_error: true, .. }]
        ));
    }
}
