//! Google's Gemini API, as Gemini CLI uses it (`GOOGLE_GEMINI_BASE_URL`, key in
//! `x-goog-api-key`): `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` for a turn
//! (server-sent events of data alone), `:generateContent` for the CLI's own side questions
//! (which model to route to, who speaks next: JSON answers to a schema) and `:countTokens`.

use crate::http::{Request, Response};
use serde_json::{Map, Value, json};

/// `POST /v1beta/models/{model}:{call}`.
pub fn models(request: &Request) -> Response {
    let key = request
        .header("x-goog-api-key")
        .or_else(|| query_key(request.uri.query()))
        .unwrap_or_default();
    if crate::is_rejected(key) || key.is_empty() {
        // What Google answers a refused key; Gemini CLI shows this body as the error.
        let error = json!({"error": {
            "code": 401,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "UNAUTHENTICATED",
        }});
        return Response::json(401, error.to_string());
    }
    let (model, call) = request
        .last_segment()
        .split_once(':')
        .unwrap_or((request.last_segment(), ""));
    let body = match request.json() {
        Ok(body) => body,
        Err(refusal) => return refusal,
    };
    let contents = body.get("contents").and_then(Value::as_array);
    if crate::latest_script(contents.map(Vec::as_slice).unwrap_or_default(), text_of).rate_limited {
        return crate::rate_limit::gemini();
    }
    match call {
        "countTokens" => Response::json(200, json!({"totalTokens": 1}).to_string()),
        "generateContent" => {
            let answer = match response_schema(&body) {
                Some(schema) => Some(vec![json!({"text": fill(schema).to_string()})]),
                None => reply(&body),
            };
            match answer {
                Some(parts) => Response::json(200, chunk(model, parts, true).to_string()),
                None => internal_error(),
            }
        }
        "streamGenerateContent" => match reply(&body) {
            Some(parts) => Response::Data(stream(model, parts)),
            None => internal_error(),
        },
        _ => Response::json(
            404,
            json!({"error": {"code": 404, "message": format!("no such call: {call}"), "status": "NOT_FOUND"}})
                .to_string(),
        ),
    }
}

/// What Google answers when it fails.
fn internal_error() -> Response {
    let error = json!({"error": {
        "code": 500,
        "message": "Internal error encountered. (devlog fake FAIL_500)",
        "status": "INTERNAL",
    }});
    Response::json(500, error.to_string())
}

/// The key passed as `?key=`, the API's other way to send it.
fn query_key(query: Option<&str>) -> Option<&str> {
    query?.split('&').find_map(|pair| pair.strip_prefix("key="))
}

/// The schema a side question's answer must follow, if it asks for JSON.
fn response_schema(body: &Value) -> Option<&Value> {
    let config = body.get("generationConfig")?;
    config
        .get("responseJsonSchema")
        .or_else(|| config.get("responseSchema"))
}

/// A value of the schema: each property its first allowed value or an empty one. The speaker
/// check is answered "user", so the CLI ends its turn instead of asking the model again.
fn fill(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let kind = schema["type"].as_str().unwrap_or("object").to_lowercase();
    match kind.as_str() {
        "object" => {
            let mut object = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    object.insert(name.clone(), fill(property));
                }
            }
            if object.contains_key("next_speaker") {
                object.insert("next_speaker".into(), json!("user"));
            }
            Value::Object(object)
        }
        "array" => json!([]),
        "string" => json!("devlog fake model"),
        "number" | "integer" => json!(0),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// The model's parts: the `write_file` a script asks for, unless its result came back (or
/// this request offers no such tool), then the answer; `None` when the script asks for a 500.
fn reply(body: &Value) -> Option<Vec<Value>> {
    let contents = body.get("contents").and_then(Value::as_array);
    let contents = contents.map(Vec::as_slice).unwrap_or_default();
    let script = crate::latest_script(contents, text_of);
    if script.fail_500 {
        return None;
    }
    let tool_came_back = contents.last().is_some_and(has_function_response);
    if !tool_came_back {
        // Once per turn: not again for the answer after a tool's result.
        std::thread::sleep(script.delay);
    }
    Some(match &script.write {
        Some((name, content)) if offers_write(body) && !tool_came_back => {
            let path = match &script.working_directory {
                Some(dir) => format!("{dir}/{name}"),
                None => name.clone(),
            };
            vec![json!({"functionCall": {
                "name": "write_file",
                "args": {"file_path": path, "content": format!("{content}\n")},
            }})]
        }
        _ => vec![json!({"text": script.reply})],
    })
}

fn offers_write(body: &Value) -> bool {
    let tools = body.get("tools").and_then(Value::as_array);
    tools.into_iter().flatten().any(|tool| {
        tool["functionDeclarations"]
            .as_array()
            .is_some_and(|f| f.iter().any(|d| d["name"] == "write_file"))
    })
}

/// The last text part of a content: the user's words (earlier parts are context — the CLI's
/// own, or the conversation so far DevLog gives a new process).
fn text_of(content: &Value) -> String {
    let parts = content["parts"].as_array().map(Vec::as_slice);
    parts
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.get("text").and_then(Value::as_str))
        .rfind(|text| !text.trim().is_empty())
        .unwrap_or_default()
        .to_string()
}

fn has_function_response(content: &Value) -> bool {
    content["parts"]
        .as_array()
        .is_some_and(|parts| parts.iter().any(|p| p.get("functionResponse").is_some()))
}

/// One response: the parts, and on the last one the finish reason and usage.
fn chunk(model: &str, parts: Vec<Value>, last: bool) -> Value {
    let mut candidate = json!({"content": {"role": "model", "parts": parts}, "index": 0});
    let mut chunk = json!({"modelVersion": model, "responseId": crate::next_id("resp")});
    if last {
        candidate["finishReason"] = json!("STOP");
        chunk["usageMetadata"] =
            json!({"promptTokenCount": 10, "candidatesTokenCount": 1, "totalTokenCount": 11});
    }
    chunk["candidates"] = json!([candidate]);
    chunk
}

/// A streamed turn: a text a word per chunk, as a model writes; a function call in one.
fn stream(model: &str, parts: Vec<Value>) -> Vec<Value> {
    let pieces: Vec<Value> = parts
        .into_iter()
        .flat_map(|part| match part.get("text").and_then(Value::as_str) {
            Some(text) => text
                .split_inclusive(' ')
                .map(|word| json!({"text": word}))
                .collect(),
            None => vec![part],
        })
        .collect();
    let count = pieces.len();
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, piece)| chunk(model, vec![piece], i + 1 == count))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(contents: Value) -> Value {
        json!({
            "contents": contents,
            "tools": [{"functionDeclarations": [{"name": "read_file"}, {"name": "write_file"}]}],
        })
    }

    #[test]
    fn asks_for_the_write_then_answers_once_its_result_is_back() {
        let prompt = "WRITE_FILE a.txt hi\nREPLY Wrote it.\n- Working directory: /w";
        let first = reply(&body(json!([
            {"role": "user", "parts": [{"text": "<session_context>…</session_context>"}, {"text": prompt}]},
        ])))
        .unwrap();
        assert_eq!(first[0]["functionCall"]["name"], "write_file");
        assert_eq!(first[0]["functionCall"]["args"]["file_path"], "/w/a.txt");
        assert_eq!(first[0]["functionCall"]["args"]["content"], "hi\n");
        let second = reply(&body(json!([
            {"role": "user", "parts": [{"text": prompt}]},
            {"role": "model", "parts": first},
            {"role": "user", "parts": [{"functionResponse": {"name": "write_file", "response": {"output": "ok"}}}]},
        ])));
        assert_eq!(second, Some(vec![json!({"text": "Wrote it."})]));
        let failing = body(json!([{"role": "user", "parts": [{"text": "FAIL_500"}]}]));
        assert_eq!(reply(&failing), None);
    }

    #[test]
    fn a_turn_streams_a_word_per_chunk_and_ends_on_the_last() {
        let chunks = stream("m", vec![json!({"text": "Wrote it, twice."})]);
        let words: Vec<&str> = chunks
            .iter()
            .filter_map(|c| c["candidates"][0]["content"]["parts"][0]["text"].as_str())
            .collect();
        assert_eq!(words, ["Wrote ", "it, ", "twice."]);
        assert_eq!(chunks[2]["candidates"][0]["finishReason"], "STOP");
        assert!(chunks[0]["candidates"][0].get("finishReason").is_none());
        assert!(chunks[2].get("usageMetadata").is_some());
    }

    #[test]
    fn a_side_question_gets_json_of_its_schema() {
        let schema = json!({"type": "OBJECT", "properties": {
            "reasoning": {"type": "STRING"},
            "next_speaker": {"type": "STRING", "enum": ["model", "user"]},
            "model_choice": {"type": "string", "enum": ["flash", "pro"]},
        }});
        assert_eq!(
            fill(&schema),
            json!({"reasoning": "devlog fake model", "next_speaker": "user", "model_choice": "flash"})
        );
    }

    #[test]
    fn the_key_comes_from_the_header_or_the_query() {
        assert_eq!(query_key(Some("alt=sse&key=k1")), Some("k1"));
        assert_eq!(query_key(Some("alt=sse")), None);
    }
}
