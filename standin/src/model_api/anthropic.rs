//! The Anthropic Messages API, as Claude Code uses it (`POST /v1/messages`, streamed).

use crate::http::{Request, Response};
use serde_json::{Value, json};

pub fn messages(request: &Request) -> Response {
    let key = request.header("x-api-key").unwrap_or_default();
    if crate::is_rejected(key) {
        let error = json!({
            "type": "error",
            "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        });
        return Response::json(401, error.to_string());
    }
    let body = match request.json() {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    if script_of(&body).rate_limited {
        return crate::rate_limit::anthropic();
    }
    let content = reply(&body);
    let model = body.get("model").cloned().unwrap_or(Value::Null);
    if body.get("stream").and_then(Value::as_bool) == Some(true) {
        Response::events(stream(model, content))
    } else {
        let stop = stop_reason(&content);
        let message = message(model, content, Some(stop));
        Response::json(200, message.to_string())
    }
}

/// What the user's latest words ask for.
fn script_of(body: &Value) -> crate::Script {
    let messages = body.get("messages").and_then(Value::as_array);
    crate::latest_script(messages.map(Vec::as_slice).unwrap_or_default(), text_of)
}

/// The assistant's content blocks: the file tool call a script asks for, unless its result
/// came back (or this request offers no such tool), then the answer.
fn reply(body: &Value) -> Vec<Value> {
    let messages = body.get("messages").and_then(Value::as_array);
    let messages = messages.map(Vec::as_slice).unwrap_or_default();
    let script = crate::latest_script(messages, text_of);
    let tool_came_back = messages.last().is_some_and(has_tool_result);
    if !tool_came_back {
        // Once per turn: not again for the answer after a tool's result.
        std::thread::sleep(script.delay);
    }
    let offers_write = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|tools| tools.iter().any(|t| t["name"] == "Write"));
    match (&script.write, &script.working_directory) {
        (Some((name, content)), Some(dir)) if offers_write && !tool_came_back => {
            vec![json!({
                "type": "tool_use",
                "id": crate::next_id("toolu"),
                "name": "Write",
                "input": {"file_path": format!("{dir}/{name}"), "content": format!("{content}\n")},
            })]
        }
        _ => vec![json!({"type": "text", "text": script.reply})],
    }
}

/// The user's last words in a message, whether its content is a string or blocks. Claude Code
/// merges a message sent after an interrupt into the interrupted one, and adds reminders.
fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b.get("text").and_then(Value::as_str))
            .rfind(|t| {
                !t.starts_with("<system-reminder>") && !t.starts_with("[Request interrupted")
            })
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

fn has_tool_result(message: &Value) -> bool {
    message["content"]
        .as_array()
        .is_some_and(|blocks| blocks.iter().any(|b| b["type"] == "tool_result"))
}

fn stop_reason(content: &[Value]) -> &'static str {
    if content.iter().any(|b| b["type"] == "tool_use") {
        "tool_use"
    } else {
        "end_turn"
    }
}

fn message(model: Value, content: Vec<Value>, stop: Option<&str>) -> Value {
    json!({
        "id": crate::next_id("msg"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop,
        "stop_sequence": null,
        "usage": {"input_tokens": 10, "output_tokens": 1},
    })
}

/// The event sequence of a streamed message: each block opened empty, then filled: a text a
/// word per `text_delta`, as a model writes (so a CLI's partial messages have several), a
/// tool's input in one `input_json_delta`.
fn stream(model: Value, content: Vec<Value>) -> Vec<(String, Value)> {
    let stop = stop_reason(&content);
    let mut events = vec![event(
        "message_start",
        json!({"message": message(model, Vec::new(), None)}),
    )];
    for (index, block) in content.into_iter().enumerate() {
        let (empty, deltas) = if block["type"] == "tool_use" {
            let mut empty = block.clone();
            empty["input"] = json!({});
            let partial = block["input"].to_string();
            let delta = json!({"type": "input_json_delta", "partial_json": partial});
            (empty, vec![delta])
        } else {
            let text = block["text"].as_str().unwrap_or_default();
            let words = text.split_inclusive(' ');
            let deltas = words
                .map(|word| json!({"type": "text_delta", "text": word}))
                .collect();
            (json!({"type": "text", "text": ""}), deltas)
        };
        events.push(event(
            "content_block_start",
            json!({"index": index, "content_block": empty}),
        ));
        for delta in deltas {
            events.push(event(
                "content_block_delta",
                json!({"index": index, "delta": delta}),
            ));
        }
        events.push(event("content_block_stop", json!({"index": index})));
    }
    events.push(event(
        "message_delta",
        json!({"delta": {"stop_reason": stop, "stop_sequence": null}, "usage": {"output_tokens": 1}}),
    ));
    events.push(event("message_stop", json!({})));
    events
}

fn event(name: &str, mut data: Value) -> (String, Value) {
    data["type"] = json!(name);
    (name.to_string(), data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Script;

    fn body(messages: Value) -> Value {
        json!({"messages": messages, "tools": [{"name": "Write"}], "stream": true})
    }

    #[test]
    fn asks_for_the_write_then_answers_once_its_result_is_back() {
        let prompt = "WRITE_FILE a.txt hi\nREPLY Wrote it.\n- Working directory: /w";
        let first = reply(&body(json!([{"role": "user", "content": prompt}])));
        assert_eq!(first[0]["name"], "Write");
        assert_eq!(first[0]["input"]["file_path"], "/w/a.txt");
        let second = reply(&body(json!([
            {"role": "user", "content": [{"type": "text", "text": prompt}]},
            {"role": "assistant", "content": first},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "ok"}]},
        ])));
        assert_eq!(second, vec![json!({"type": "text", "text": "Wrote it."})]);
    }

    #[test]
    fn a_follow_up_is_answered_by_its_own_words() {
        let second = reply(&body(json!([
            {"role": "user", "content": "REPLY one"},
            {"role": "assistant", "content": [{"type": "text", "text": "one"}]},
            {"role": "user", "content": [
                {"type": "text", "text": "SLOW 9000"},
                {"type": "text", "text": "[Request interrupted by user]"},
                {"type": "text", "text": "REPLY two"},
            ]},
        ])));
        assert_eq!(second, vec![json!({"type": "text", "text": "two"})]);
        let latest = Script::parse(&text_of(&json!({"content": [
            {"type": "text", "text": "SLOW 9000"},
            {"type": "text", "text": "REPLY two"},
        ]})));
        assert!(
            latest.delay.is_zero(),
            "an interrupted message's directives are not re-run"
        );
    }

    #[test]
    fn a_stream_ends_with_the_stop_reason_of_its_content() {
        let events = stream(json!("m"), vec![json!({"type": "text", "text": "ok"})]);
        let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "message_start",
                "content_block_start",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop"
            ]
        );
        assert_eq!(events[4].1["delta"]["stop_reason"], "end_turn");
    }

    #[test]
    fn a_text_is_streamed_a_word_per_delta() {
        let events = stream(
            json!("m"),
            vec![json!({"type": "text", "text": "Wrote it, twice."})],
        );
        let deltas: Vec<&str> = events
            .iter()
            .filter(|(name, _)| name == "content_block_delta")
            .filter_map(|(_, data)| data["delta"]["text"].as_str())
            .collect();
        assert_eq!(deltas, ["Wrote ", "it, ", "twice."]);
    }
}
