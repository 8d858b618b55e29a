//! What a turn came to, read from its events: the answer (for the connection test and task
//! summaries), the failure, and the files an event touches (for file locks).

use super::acp::EDIT_KINDS as ACP_EDIT_KINDS;
use super::codex::{FILE_CHANGE_TOOL, change_paths};
use model::StreamEvent;
use serde_json::Value;

/// Claude Code's file-editing tools.
const CLAUDE_EDIT_TOOLS: [&str; 4] = ["Edit", "Write", "MultiEdit", "NotebookEdit"];

/// The events of the last turn that ended, and its `TurnEnded`.
fn last_turn(events: &[StreamEvent]) -> Option<(&[StreamEvent], &StreamEvent)> {
    let is_end = |e: &StreamEvent| matches!(e, StreamEvent::TurnEnded { .. });
    let end = events.iter().rposition(is_end)?;
    let start = events[..end].iter().rposition(is_end).map_or(0, |i| i + 1);
    Some((&events[start..end], &events[end]))
}

/// The text, unless blank.
fn non_blank(text: &str) -> Option<String> {
    (!text.trim().is_empty()).then(|| text.to_string())
}

/// The answer of the last turn that ended well: the CLI's `result` when it reports one
/// (Claude), else the last `AssistantText` of that turn (Codex). `None` when that turn failed
/// or no turn has ended: an `Error` (a reconnect, an API error) is never an answer, and
/// neither is the error text a failed Claude turn puts in `result`.
pub fn final_answer(events: &[StreamEvent]) -> Option<String> {
    let (turn, end) = last_turn(events)?;
    let StreamEvent::TurnEnded {
        is_error: false,
        result,
        ..
    } = end
    else {
        return None;
    };
    result.as_deref().and_then(non_blank).or_else(|| {
        turn.iter().rev().find_map(|event| match event {
            StreamEvent::AssistantText { text } => non_blank(text),
            _ => None,
        })
    })
}

/// Why the last turn that ended failed, or `None` when it did not (or none has ended): the
/// CLI's error text, else the last non-retrying `Error` of that turn, else its stop reason.
pub fn turn_failure(events: &[StreamEvent]) -> Option<String> {
    let (turn, end) = last_turn(events)?;
    let StreamEvent::TurnEnded {
        is_error: true,
        result,
        reason,
        ..
    } = end
    else {
        return None;
    };
    let last_error = || {
        turn.iter().rev().find_map(|event| match event {
            StreamEvent::Error {
                message,
                retrying: false,
            } => non_blank(message),
            _ => None,
        })
    };
    Some(
        result
            .as_deref()
            .and_then(non_blank)
            .or_else(last_error)
            .unwrap_or_else(|| match reason.as_deref() {
                Some(reason) if model::stream::is_stop_reason(reason) => {
                    format!("the turn was interrupted ({reason})")
                }
                Some(reason) => format!("the turn failed ({reason})"),
                None => "the turn failed".to_string(),
            }),
    )
}

/// The conversation so far in words, the newest part within `max_chars`, without `prompt`
/// (the message it is given with, which may already be stored as the last user message):
/// what an agent that cannot load its own earlier conversation starts a new one with.
/// `None` when nothing was said yet.
pub fn conversation_so_far(
    events: &[StreamEvent],
    prompt: &str,
    max_chars: usize,
) -> Option<String> {
    let mut said: Vec<String> = events
        .iter()
        .filter_map(|event| match event {
            StreamEvent::UserMessage { text } => Some(format!("User: {}", text.trim())),
            StreamEvent::AssistantText { text } => {
                non_blank(text).map(|t| format!("Agent: {}", t.trim()))
            }
            _ => None,
        })
        .collect();
    if said
        .last()
        .is_some_and(|last| *last == format!("User: {}", prompt.trim()))
    {
        said.pop();
    }
    let mut kept = Vec::new();
    let mut chars = 0;
    for line in said.iter().rev() {
        chars += line.chars().count() + 1;
        if chars > max_chars && !kept.is_empty() {
            break;
        }
        kept.push(line.as_str());
    }
    if kept.is_empty() {
        return None;
    }
    kept.reverse();
    Some(format!(
        "(This continues an earlier conversation that could not be resumed. It went so far:)\n{}\n(The user's next message:)",
        kept.join("\n")
    ))
}

/// The files `event` edits or asks to edit, as the CLI named them: Claude's
/// Edit/Write/MultiEdit/NotebookEdit calls and permission requests (`file_path`,
/// `notebook_path`), Codex file changes (`changes[].path`), an ACP agent's edit, delete and
/// move calls and requests (`paths`). Empty for everything else.
pub fn edited_paths(event: &StreamEvent) -> Vec<String> {
    match event {
        StreamEvent::ToolCall { name, input, .. } => tool_paths(name, input),
        StreamEvent::PermissionRequest { tool, input, .. } => tool_paths(tool, input),
        StreamEvent::FileChange { paths } => paths.clone(),
        _ => Vec::new(),
    }
}

fn tool_paths(tool: &str, input: &Value) -> Vec<String> {
    if CLAUDE_EDIT_TOOLS.contains(&tool) {
        ["file_path", "notebook_path"]
            .into_iter()
            .filter_map(|key| input.get(key).and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    } else if tool == FILE_CHANGE_TOOL {
        change_paths(input.get("changes"))
    } else if ACP_EDIT_KINDS.contains(&tool) {
        input
            .get("paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ended(is_error: bool, result: Option<&str>, reason: Option<&str>) -> StreamEvent {
        StreamEvent::TurnEnded {
            is_error,
            result: result.map(str::to_string),
            reason: reason.map(str::to_string),
            cost_usd: None,
            duration_ms: None,
            num_turns: None,
            usage: None,
            models: Vec::new(),
        }
    }

    fn text(t: &str) -> StreamEvent {
        StreamEvent::AssistantText { text: t.into() }
    }

    fn error(message: &str, retrying: bool) -> StreamEvent {
        StreamEvent::Error {
            message: message.into(),
            retrying,
        }
    }

    #[test]
    fn the_conversation_so_far_is_its_messages_newest_last_without_the_prompt() {
        let user = |t: &str| StreamEvent::UserMessage { text: t.into() };
        let events = [
            user("first"),
            text("one"),
            error("x", false),
            user("second"),
            text("two"),
            user("third"),
        ];
        let all = conversation_so_far(&events, "third", 10_000).unwrap();
        assert!(
            all.ends_with(
                "User: first\nAgent: one\nUser: second\nAgent: two\n(The user's next message:)"
            ),
            "{all}"
        );
        let newest = conversation_so_far(&events, "third", 12).unwrap();
        assert!(
            newest.contains("Agent: two") && !newest.contains("first"),
            "{newest}"
        );
        assert_eq!(conversation_so_far(&[user("only")], "only", 100), None);
    }

    #[test]
    fn the_answer_is_the_result_else_the_last_text_of_the_last_turn() {
        assert_eq!(
            final_answer(&[text("a"), ended(false, Some("ok"), None)]),
            Some("ok".into())
        );
        let two_turns = [
            text("first"),
            ended(false, None, None),
            text("thinking aloud"),
            text("second"),
            ended(false, Some("  "), None),
        ];
        assert_eq!(final_answer(&two_turns), Some("second".into()));
        // A turn with no text of its own does not borrow the previous turn's.
        assert_eq!(
            final_answer(&[
                text("old"),
                ended(false, None, None),
                ended(false, None, None)
            ]),
            None
        );
    }

    #[test]
    fn errors_are_never_the_answer() {
        let reconnects = [
            error("Reconnecting... 1/5", true),
            error("Reconnecting... 2/5", true),
        ];
        assert_eq!(final_answer(&reconnects), None, "no turn ended");
        assert_eq!(turn_failure(&reconnects), None);
        let failed = [
            error("Invalid API key", false),
            ended(true, Some("Invalid API key · Fix external API key"), None),
        ];
        assert_eq!(final_answer(&failed), None);
        assert_eq!(
            turn_failure(&failed),
            Some("Invalid API key · Fix external API key".into())
        );
        let codex = [
            error("unexpected status 401", false),
            ended(true, None, None),
        ];
        assert_eq!(turn_failure(&codex), Some("unexpected status 401".into()));
        let interrupted = [
            text("partial"),
            ended(true, None, Some("aborted_streaming")),
        ];
        assert_eq!(final_answer(&interrupted), None);
        assert_eq!(
            turn_failure(&interrupted),
            Some("the turn was interrupted (aborted_streaming)".into())
        );
        assert_eq!(turn_failure(&[ended(false, Some("ok"), None)]), None);
    }

    #[test]
    fn edited_paths_of_each_shape() {
        let call = |name: &str, input: Value| StreamEvent::ToolCall {
            id: "t".into(),
            name: name.into(),
            input,
        };
        assert_eq!(
            edited_paths(&call("Write", json!({"file_path": "/p/a", "content": ""}))),
            ["/p/a"]
        );
        assert_eq!(
            edited_paths(&call(
                "NotebookEdit",
                json!({"notebook_path": "/p/n.ipynb"})
            )),
            ["/p/n.ipynb"]
        );
        assert_eq!(
            edited_paths(&call(
                "MultiEdit",
                json!({"file_path": "/p/m", "edits": []})
            )),
            ["/p/m"]
        );
        assert!(edited_paths(&call("Read", json!({"file_path": "/p/a"}))).is_empty());
        assert!(edited_paths(&call("Bash", json!({"command": "rm x"}))).is_empty());
        assert_eq!(
            edited_paths(&call(
                "file_change",
                json!({"changes": [{"path": "/p/a", "kind": "add"}, {"path": "/p/b", "kind": "update"}]})
            )),
            ["/p/a", "/p/b"]
        );
        let request = StreamEvent::PermissionRequest {
            request_id: "r".into(),
            tool_use_id: None,
            tool: "Edit".into(),
            input: json!({"file_path": "/p/e"}),
            description: None,
            options: Vec::new(),
        };
        assert_eq!(edited_paths(&request), ["/p/e"]);
        assert_eq!(
            edited_paths(&StreamEvent::FileChange {
                paths: vec!["/p/f".into()]
            }),
            ["/p/f"]
        );
        assert!(edited_paths(&text("Write /p/a")).is_empty());
    }
}
