//! `codex exec --json` stdout, line by line. Every type is mapped or deliberately ignored:
//!
//! | line | event | why |
//! |---|---|---|
//! | `thread.started` | `AgentSession` | `thread_id` is what `resume` takes; no model is reported |
//! | `turn.started` | — | the supervisor knows it started a turn |
//! | `item.completed` `agent_message` | `AssistantText` | the last one is the answer |
//! | `item.completed` `reasoning` | `Reasoning` | |
//! | `item.started`/`updated` `agent_message`/`reasoning` | — | the text arrives completed |
//! | `item.started` `command_execution` | `ToolCall { name: "command_execution", input: {command} }` | |
//! | `item.completed` `command_execution` | `ToolResult` | `aggregated_output`; error when `exit_code` ≠ 0 or status failed/declined |
//! | `item.started` `file_change` | `ToolCall { name: "file_change", input: {changes} }` | paths known before they are written (file locks) |
//! | `item.completed` `file_change` | `ToolResult` (+ `FileChange` when applied) | |
//! | `item.started` `mcp_tool_call` | `ToolCall { name: "mcp__server__tool" }` | Claude's naming for MCP tools |
//! | `item.completed` `mcp_tool_call` | `ToolResult` | |
//! | `item.completed` `web_search` | `ToolCall { name: "web_search", input: {query} }` | no result is reported |
//! | `item.*` `todo_list` | — | the agent's plan checklist: progress noise for now |
//! | `item.completed` `error` | `Error` | a non-fatal error item; the turn goes on |
//! | `error` | `Error { retrying }` | `retrying` for reconnects ("Reconnecting... 2/5"), which repeat forever with the API unreachable |
//! | `turn.completed` | `TurnEnded { is_error: false, usage }` | |
//! | `turn.failed` | `TurnEnded { is_error: true, result: error.message }` | the `error` line before it already gave the `Error` |
//! | other item types and events, malformed JSON | `Raw` | |

use crate::agents::{parse_object, raw, str_at, string_at};
use model::StreamEvent;
use model::usage::{ModelUsage, Tokens};
use serde_json::{Value, json};

/// The `ToolCall` name of a Codex file edit, whose `input.changes[].path` are the files.
pub(crate) const FILE_CHANGE_TOOL: &str = "file_change";

pub(super) fn parse_line(line: &str) -> Vec<StreamEvent> {
    let Some(value) = parse_object(line) else {
        return raw(line);
    };
    match str_at(&value, "type") {
        Some("thread.started") => match string_at(&value, "thread_id") {
            Some(agent_session_id) => vec![StreamEvent::AgentSession {
                agent_session_id,
                model: None,
            }],
            None => raw(line),
        },
        Some("turn.started") => Vec::new(),
        Some(phase @ ("item.started" | "item.updated" | "item.completed")) => {
            match value.get("item").filter(|item| item.is_object()) {
                Some(item) => item_event(line, phase, item),
                None => raw(line),
            }
        }
        Some("error") => {
            let message = string_at(&value, "message").unwrap_or_default();
            vec![StreamEvent::Error {
                retrying: is_reconnect(&message),
                message,
            }]
        }
        Some("turn.completed") => vec![turn_ended(false, None, &value)],
        Some("turn.failed") => {
            let message = value
                .pointer("/error/message")
                .and_then(Value::as_str)
                .map(str::to_string);
            vec![turn_ended(true, message, &value)]
        }
        _ => raw(line),
    }
}

fn turn_ended(is_error: bool, result: Option<String>, value: &Value) -> StreamEvent {
    StreamEvent::TurnEnded {
        is_error,
        result,
        reason: None,
        cost_usd: None,
        duration_ms: None,
        num_turns: None,
        usage: value.get("usage").filter(|u| !u.is_null()).cloned(),
        models: value
            .get("usage")
            .map(model_used)
            .into_iter()
            .flatten()
            .collect(),
    }
}

/// The thread's tokens from `usage`: a running total over the thread's turns (a resumed
/// turn reports the earlier ones again), marked so. Codex does not name the model here (the
/// session's chosen one stands in for it when the usage is recorded), and its
/// `input_tokens` include the cached ones, which are counted apart.
fn model_used(usage: &Value) -> Option<ModelUsage> {
    usage.as_object()?;
    let count = |key: &str| usage.get(key).and_then(Value::as_u64).unwrap_or(0);
    let cached = count("cached_input_tokens");
    Some(ModelUsage {
        model: None,
        tokens: Tokens {
            input: count("input_tokens").saturating_sub(cached),
            output: count("output_tokens"),
            cache_read: cached,
            cache_write: count("cache_write_input_tokens"),
            reasoning: count("reasoning_output_tokens"),
        },
        cost_usd: None,
        cumulative: true,
    })
}

/// Codex's own retry notices: the turn goes on, so they must never read as its outcome.
fn is_reconnect(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    lower.starts_with("reconnecting") || lower.contains("retrying ")
}

fn item_event(line: &str, phase: &str, item: &Value) -> Vec<StreamEvent> {
    let id = string_at(item, "id").unwrap_or_default();
    let started = phase == "item.started";
    let completed = phase == "item.completed";
    match str_at(item, "type") {
        Some("agent_message") if completed => vec![StreamEvent::AssistantText {
            text: string_at(item, "text").unwrap_or_default(),
        }],
        Some("reasoning") if completed => vec![StreamEvent::Reasoning {
            text: string_at(item, "text").unwrap_or_default(),
        }],
        Some("agent_message" | "reasoning" | "todo_list") => Vec::new(),
        Some("command_execution") if started => vec![StreamEvent::ToolCall {
            id,
            name: "command_execution".into(),
            input: json!({"command": item.get("command").cloned().unwrap_or(Value::Null)}),
        }],
        Some("command_execution") if completed => {
            let exit_code = item.get("exit_code").and_then(Value::as_i64);
            let failed = matches!(str_at(item, "status"), Some("failed" | "declined"));
            vec![StreamEvent::ToolResult {
                id,
                output: string_at(item, "aggregated_output").unwrap_or_default(),
                is_error: failed || exit_code.is_some_and(|code| code != 0),
            }]
        }
        Some("file_change") if started => vec![StreamEvent::ToolCall {
            id,
            name: FILE_CHANGE_TOOL.into(),
            input: json!({"changes": item.get("changes").cloned().unwrap_or(Value::Null)}),
        }],
        Some("file_change") if completed => file_change_done(id, item),
        Some("mcp_tool_call") if started => {
            let server = str_at(item, "server").unwrap_or_default();
            let tool = str_at(item, "tool").unwrap_or_default();
            vec![StreamEvent::ToolCall {
                id,
                name: format!("mcp__{server}__{tool}"),
                input: item.get("arguments").cloned().unwrap_or(Value::Null),
            }]
        }
        Some("mcp_tool_call") if completed => vec![mcp_result(id, item)],
        Some("web_search") if completed => vec![StreamEvent::ToolCall {
            id,
            name: "web_search".into(),
            input: json!({"query": item.get("query").cloned().unwrap_or(Value::Null)}),
        }],
        Some("error") if completed => vec![StreamEvent::Error {
            message: string_at(item, "message").unwrap_or_default(),
            retrying: false,
        }],
        // Updates of tools and searches carry nothing the completion will not.
        Some("command_execution" | "file_change" | "mcp_tool_call" | "web_search")
            if !completed =>
        {
            Vec::new()
        }
        _ => raw(line),
    }
}

/// The paths of a `file_change` item's `changes`.
pub(crate) fn change_paths(changes: Option<&Value>) -> Vec<String> {
    changes
        .and_then(Value::as_array)
        .map(|changes| {
            changes
                .iter()
                .filter_map(|change| string_at(change, "path"))
                .collect()
        })
        .unwrap_or_default()
}

fn file_change_done(id: String, item: &Value) -> Vec<StreamEvent> {
    let applied = str_at(item, "status") == Some("completed");
    let changes = item.get("changes").and_then(Value::as_array);
    let output = changes
        .into_iter()
        .flatten()
        .map(|change| {
            let kind = str_at(change, "kind").unwrap_or("change");
            let path = str_at(change, "path").unwrap_or("?");
            format!("{kind} {path}")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut events = vec![StreamEvent::ToolResult {
        id,
        output,
        is_error: !applied,
    }];
    let paths = change_paths(item.get("changes"));
    if applied && !paths.is_empty() {
        events.push(StreamEvent::FileChange { paths });
    }
    events
}

fn mcp_result(id: String, item: &Value) -> StreamEvent {
    if let Some(error) = item.pointer("/error/message").and_then(Value::as_str) {
        return StreamEvent::ToolResult {
            id,
            output: error.to_string(),
            is_error: true,
        };
    }
    let output = item
        .pointer("/result/content")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|part| match str_at(part, "text") {
                    Some(text) => text.to_string(),
                    None => part.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    StreamEvent::ToolResult {
        id,
        output,
        is_error: str_at(item, "status") == Some("failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnects_are_retrying_errors() {
        let line = r#"{"type":"error","message":"Reconnecting... 2/5 (stream disconnected before completion: error sending request)"}"#;
        assert!(matches!(
            parse_line(line).as_slice(),
            [StreamEvent::Error { retrying: true, .. }]
        ));
        let fatal = r#"{"type":"error","message":"unexpected status 401 Unauthorized"}"#;
        assert!(matches!(
            parse_line(fatal).as_slice(),
            [StreamEvent::Error {
                retrying: false,
                ..
            }]
        ));
    }

    #[test]
    fn mcp_calls_and_searches() {
        let started = r#"{"type":"item.started","item":{"id":"i1","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{"q":"x"},"status":"in_progress"}}"#;
        assert_eq!(
            parse_line(started),
            vec![StreamEvent::ToolCall {
                id: "i1".into(),
                name: "mcp__docs__search".into(),
                input: json!({"q": "x"})
            }]
        );
        let done = r#"{"type":"item.completed","item":{"id":"i1","type":"mcp_tool_call","server":"docs","tool":"search","arguments":{},"result":{"content":[{"type":"text","text":"found"}]},"status":"completed"}}"#;
        assert_eq!(
            parse_line(done),
            vec![StreamEvent::ToolResult {
                id: "i1".into(),
                output: "found".into(),
                is_error: false
            }]
        );
        let failed = r#"{"type":"item.completed","item":{"id":"i1","type":"mcp_tool_call","error":{"message":"boom"},"status":"failed"}}"#;
        assert!(matches!(
            parse_line(failed).as_slice(),
            [StreamEvent::ToolResult { is_error: true, output, .. }] if output == "boom"
        ));
        let search =
            r#"{"type":"item.completed","item":{"id":"i2","type":"web_search","query":"rust"}}"#;
        assert_eq!(
            parse_line(search),
            vec![StreamEvent::ToolCall {
                id: "i2".into(),
                name: "web_search".into(),
                input: json!({"query": "rust"})
            }]
        );
    }

    #[test]
    fn error_items_todo_lists_and_unknown_items() {
        let error = r#"{"type":"item.completed","item":{"id":"i","type":"error","message":"model metadata missing"}}"#;
        assert!(matches!(
            parse_line(error).as_slice(),
            [StreamEvent::Error {
                retrying: false,
                ..
            }]
        ));
        let todo = r#"{"type":"item.updated","item":{"id":"i","type":"todo_list","items":[]}}"#;
        assert_eq!(parse_line(todo), Vec::new());
        for line in [
            r#"{"type":"item.completed","item":{"id":"i","type":"collab_tool_call"}}"#,
            r#"{"type":"item.completed"}"#,
            r#"{"type":"thread.started"}"#,
        ] {
            assert_eq!(parse_line(line), raw(line), "{line}");
        }
    }

    #[test]
    fn a_failed_patch_is_an_error_and_changes_nothing() {
        let line = r#"{"type":"item.completed","item":{"id":"i","type":"file_change","changes":[{"path":"/p/a","kind":"update"}],"status":"failed"}}"#;
        assert_eq!(
            parse_line(line),
            vec![StreamEvent::ToolResult {
                id: "i".into(),
                output: "update /p/a".into(),
                is_error: true
            }]
        );
    }
}
