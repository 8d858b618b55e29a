//! OpenAI's Chat Completions API, as Qwen Code uses it (`OPENAI_BASE_URL`, `POST
//! /v1/chat/completions`, streamed): a text a word per chunk, or the `write_file` call a
//! script asks for, then `[DONE]`.

use crate::http::{Request, Response};
use serde_json::{Value, json};

pub fn completions(request: &Request) -> Response {
    if let Some(refusal) = crate::openai::refused_key(request) {
        return refusal;
    }
    let body = match request.json() {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let messages = body.get("messages").and_then(Value::as_array);
    if crate::latest_script(messages.map(Vec::as_slice).unwrap_or_default(), text_of).rate_limited {
        return crate::rate_limit::openai();
    }
    let Some(message) = reply(&body) else {
        let error = json!({"error": {"message": "The server had an error (devlog fake FAIL_500)", "type": "server_error"}});
        return Response::json(500, error.to_string());
    };
    let model = body.get("model").cloned().unwrap_or(Value::Null);
    if body.get("stream").and_then(Value::as_bool) == Some(true) {
        Response::Data(stream(&model, message))
    } else {
        let finish = finish_reason(&message);
        let completion = json!({
            "id": crate::next_id("chatcmpl"),
            "object": "chat.completion",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage(),
        });
        Response::json(200, completion.to_string())
    }
}

/// The assistant's message: the `write_file` a script asks for, unless its result came back
/// (or no such tool is offered), then the answer; `None` for a scripted 500.
fn reply(body: &Value) -> Option<Value> {
    let messages = body.get("messages").and_then(Value::as_array);
    let messages = messages.map(Vec::as_slice).unwrap_or_default();
    let script = crate::latest_script(messages, text_of);
    if script.fail_500 {
        return None;
    }
    let tool_came_back = messages.last().is_some_and(|m| m["role"] == "tool");
    if !tool_came_back {
        std::thread::sleep(script.delay);
    }
    let offers_write = body
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(|tools| tools.iter().any(|t| t["function"]["name"] == "write_file"));
    Some(match &script.write {
        Some((name, content)) if offers_write && !tool_came_back => {
            let path = match &script.working_directory {
                Some(dir) => format!("{dir}/{name}"),
                None => name.clone(),
            };
            let arguments = json!({"file_path": path, "content": format!("{content}\n")});
            json!({"role": "assistant", "content": null, "tool_calls": [{
                "id": crate::next_id("call"),
                "type": "function",
                "function": {"name": "write_file", "arguments": arguments.to_string()},
            }]})
        }
        _ => json!({"role": "assistant", "content": script.reply}),
    })
}

/// The user's words: a string, or the last text part.
fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .rfind(|t| !t.trim().is_empty())
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

fn finish_reason(message: &Value) -> &'static str {
    if message.get("tool_calls").is_some() {
        "tool_calls"
    } else {
        "stop"
    }
}

fn usage() -> Value {
    json!({"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11})
}

/// The chunks of a streamed message, then `[DONE]`.
fn stream(model: &Value, message: Value) -> Vec<Value> {
    let id = crate::next_id("chatcmpl");
    let chunk = |delta: Value, finish: Option<&str>| {
        json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        })
    };
    let finish = finish_reason(&message);
    let mut chunks = match (message.get("tool_calls"), message["content"].as_str()) {
        (Some(calls), _) => {
            let calls: Vec<Value> = calls
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(index, call)| {
                    let mut call = call.clone();
                    call["index"] = json!(index);
                    call
                })
                .collect();
            vec![chunk(
                json!({"role": "assistant", "tool_calls": calls}),
                None,
            )]
        }
        (None, text) => text
            .unwrap_or_default()
            .split_inclusive(' ')
            .map(|word| chunk(json!({"role": "assistant", "content": word}), None))
            .collect(),
    };
    let mut last = chunk(json!({}), Some(finish));
    last["usage"] = usage();
    chunks.push(last);
    chunks.push(Value::String("[DONE]".into()));
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(messages: Value) -> Value {
        json!({"messages": messages, "tools": [{"type": "function", "function": {"name": "write_file"}}], "stream": true})
    }

    #[test]
    fn asks_for_the_write_then_answers_once_its_result_is_back() {
        let prompt = "WRITE_FILE a.txt hi\nREPLY Wrote it.\n- Working directory: /w";
        let first = reply(&body(json!([
            {"role": "system", "content": "REPLY not me"},
            {"role": "user", "content": [{"type": "text", "text": prompt}]},
        ])))
        .unwrap();
        let call = &first["tool_calls"][0]["function"];
        assert_eq!(call["name"], "write_file");
        let arguments: Value = serde_json::from_str(call["arguments"].as_str().unwrap()).unwrap();
        assert_eq!(arguments["file_path"], "/w/a.txt");
        let second = reply(&body(json!([
            {"role": "user", "content": prompt},
            first,
            {"role": "tool", "tool_call_id": "call_1", "content": "ok"},
        ])));
        assert_eq!(
            second,
            Some(json!({"role": "assistant", "content": "Wrote it."}))
        );
        assert_eq!(
            reply(&body(json!([{"role": "user", "content": "FAIL_500"}]))),
            None
        );
    }

    #[test]
    fn a_stream_is_a_word_per_chunk_then_the_finish_then_done() {
        let chunks = stream(
            &json!("m"),
            json!({"role": "assistant", "content": "Wrote it."}),
        );
        let words: Vec<&str> = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(words, ["Wrote ", "it."]);
        assert_eq!(chunks[2]["choices"][0]["finish_reason"], "stop");
        assert_eq!(chunks[3], "[DONE]");
    }
}
