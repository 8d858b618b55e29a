//! The Agent Client Protocol, played as Gemini CLI plays it in `--acp` mode (the recorded
//! transcripts in `engine/tests/fixtures/agents/gemini-acp/`): JSON-RPC 2.0 on stdio, one
//! process for the whole session, one `session/prompt` per turn, the prompt's directives
//! streamed as `session/update`s, permissions asked with `session/request_permission`.

use crate::script::{self, Step, emit, id};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How a turn ended early.
enum Stop {
    /// `session/cancel`: the prompt answers `stopReason: cancelled`.
    Cancelled,
    /// The client went away (stdin closed).
    Gone,
}

struct Agent {
    input: Receiver<Value>,
    /// Requests that came while a turn ran, handled after it.
    later: VecDeque<Value>,
    session: Option<String>,
    /// Gemini's approval mode: `default` asks for every edit and command, `autoEdit` asks for
    /// commands only, `yolo` asks for nothing, `plan` writes nothing.
    mode: String,
    next_request: u64,
    /// This turn ignores `session/cancel` (`DEAF`).
    deaf: bool,
}

pub fn run(args: crate::argv::Gemini) -> i32 {
    if !args.acp {
        eprintln!("the stand-in plays Gemini CLI in --acp mode only");
        return 2;
    }
    let (tx, rx) = channel();
    script::read_stdin_json(tx);
    let mut agent = Agent {
        input: rx,
        later: VecDeque::new(),
        session: None,
        mode: args.approval_mode.unwrap_or_else(|| "default".into()),
        next_request: 0,
        deaf: false,
    };
    loop {
        let message = match agent.later.pop_front() {
            Some(message) => message,
            None => match agent.input.recv() {
                Ok(message) => message,
                Err(_) => return 0,
            },
        };
        if agent.request(&message).is_err() {
            return 0;
        }
    }
}

fn answer(id: &Value, result: Value) {
    emit(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
}

fn refuse(id: &Value, code: i64, message: &str) {
    emit(&json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}));
}

impl Agent {
    /// One message from the client outside a turn.
    fn request(&mut self, message: &Value) -> Result<(), Stop> {
        let id = &message["id"];
        match message["method"].as_str() {
            Some("initialize") => answer(
                id,
                json!({
                    "protocolVersion": 1,
                    "authMethods": [{"id": "gemini-api-key", "name": "Gemini API key"}],
                    "agentCapabilities": {"loadSession": false, "promptCapabilities": {}},
                }),
            ),
            Some("session/new") => {
                let session = script::id("standin-acp-");
                self.session = Some(session.clone());
                answer(id, json!({"sessionId": session}));
            }
            Some("session/load") => refuse(id, -32603, "Invalid session identifier"),
            Some("session/prompt") => {
                let text = prompt_text(&message["params"]);
                self.prompt(id, &text)?;
            }
            // A cancel between turns has nothing to stop.
            Some("session/cancel") => {}
            Some(method) if !id.is_null() => {
                refuse(id, -32601, &format!("Method not found: {method}"))
            }
            _ => {}
        }
        Ok(())
    }

    fn update(&self, update: Value) {
        emit(&json!({
            "jsonrpc": "2.0",
            "method": "session/update",
            "params": {"sessionId": self.session, "update": update},
        }));
    }

    fn say(&self, text: &str) {
        self.update(json!({"sessionUpdate": "agent_message_chunk", "content": {"type": "text", "text": text}}));
    }

    fn prompt(&mut self, id: &Value, text: &str) -> Result<(), Stop> {
        let script = script::parse(text);
        self.deaf = script.deaf;
        match self.steps(script.steps) {
            Ok(Some(error)) => {
                emit(&json!({"jsonrpc": "2.0", "id": id, "error": error}));
                return Ok(());
            }
            Ok(None) => {}
            Err(Stop::Cancelled) => {
                answer(id, json!({"stopReason": "cancelled"}));
                return Ok(());
            }
            Err(Stop::Gone) => return Err(Stop::Gone),
        }
        // The answer streams a word at a time, as a model writes it.
        let words: Vec<&str> = script.reply.split_inclusive(' ').collect();
        for word in words {
            self.say(word);
        }
        answer(
            id,
            json!({"stopReason": "end_turn", "_meta": {"quota": {"token_count": {"input_tokens": 100, "output_tokens": 10}}}}),
        );
        Ok(())
    }

    /// Runs the directives; `Ok(Some(error))` is the JSON-RPC error the prompt answers.
    fn steps(&mut self, steps: Vec<Step>) -> Result<Option<Value>, Stop> {
        for step in steps {
            match step {
                Step::Stream(n) => (1..=n).for_each(|i| self.say(&format!("part {i}\n"))),
                Step::Flood(n) => (1..=n).for_each(|i| self.say(&script::flood_line(i))),
                Step::Think => self.update(json!({"sessionUpdate": "agent_thought_chunk", "content": {"type": "text", "text": "Let me think."}})),
                Step::RunCmd(cmd) => {
                    self.tool("execute", &format!("Run {cmd}"), json!({"command": cmd}), None)?;
                }
                Step::Ask(tool) => {
                    self.tool("other", &tool, json!({}), None)?;
                }
                Step::WriteFile { name, content } => {
                    let path = std::env::current_dir().map(|d| d.join(&name)).unwrap_or_default();
                    let diff = json!({"type": "diff", "path": path, "oldText": "", "newText": format!("{content}\n")});
                    if self.mode == "plan" {
                        self.say(&format!("I can't write {name} in plan mode."));
                        continue;
                    }
                    let input = json!({"file_path": name});
                    if self.tool("edit", &format!("Writing to {name}"), input, Some(diff))?
                        && let Err(e) = script::write_file(&name, &content)
                    {
                        eprintln!("{e}");
                    }
                }
                Step::EditFile { name, old, new } => {
                    let path = std::env::current_dir().map(|d| d.join(&name)).unwrap_or_default();
                    let diff = json!({"type": "diff", "path": path, "oldText": old, "newText": new});
                    let input = json!({"file_path": name});
                    if self.tool("edit", &format!("Editing {name}"), input, Some(diff))?
                        && let Err(e) = script::edit_file(&name, &old, &new)
                    {
                        eprintln!("{e}");
                    }
                }
                Step::Slow(ms) => self.wait(Some(Duration::from_millis(ms)))?,
                Step::Hang => self.wait(None)?,
                Step::Typing(_) | Step::Spend(_) => {}
                Step::Malformed => {
                    println!("this is not json");
                    emit(&json!({"jsonrpc": "2.0", "method": "standin/unknown", "params": {}}));
                }
                Step::Stderr(text) => eprintln!("{text}"),
                Step::DumpEnv(path) => script::dump_env(&path),
                Step::FailAuth => {
                    let key = script::rejected_key().unwrap_or_default();
                    let body = json!({"error": {"code": 401, "message": format!("API key not valid (standin FAIL_AUTH {key})"), "status": "UNAUTHENTICATED"}});
                    return Ok(Some(json!({"code": 401, "message": body.to_string()})));
                }
                Step::Crash => std::process::abort(),
                Step::CrashOnce(marker) => script::crash_once(&marker),
                Step::RateLimitOnce { marker, seconds } => {
                    // Gemini's quota answer says no reset time: DevLog backs off.
                    if script::rate_limited_once(&marker, seconds).is_some() {
                        let body = json!({"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}});
                        return Ok(Some(json!({"code": 429, "message": body.to_string()})));
                    }
                }
                Step::Exit(code) => std::process::exit(code),
                Step::ReadFile(path) => {
                    // An agent request the client may not serve: its answer is reported.
                    let request = self.ask("fs/read_text_file", json!({"sessionId": self.session, "path": path}));
                    let reply = self.answer_to(request)?;
                    let said = match reply.get("error") {
                        Some(error) => format!(
                            "The read was refused: {}\n\n",
                            error["message"].as_str().unwrap_or("")
                        ),
                        None => "The client read the file.\n\n".into(),
                    };
                    self.say(&said);
                }
            }
        }
        Ok(None)
    }

    /// A tool call, asked first unless the mode allows it; true when it ran.
    fn tool(
        &mut self,
        kind: &str,
        title: &str,
        input: Value,
        diff: Option<Value>,
    ) -> Result<bool, Stop> {
        let call = id("standin-tool-");
        let content: Vec<Value> = diff.into_iter().collect();
        let asks = match self.mode.as_str() {
            "yolo" => false,
            "autoEdit" => kind != "edit",
            _ => true,
        };
        if asks {
            let request = self.ask(
                "session/request_permission",
                json!({
                    "sessionId": self.session,
                    "options": [
                        {"optionId": "proceed_always", "name": "Allow for this session", "kind": "allow_always"},
                        {"optionId": "proceed_once", "name": "Allow", "kind": "allow_once"},
                        {"optionId": "cancel", "name": "Reject", "kind": "reject_once"},
                    ],
                    "toolCall": {"toolCallId": call, "status": "pending", "title": title, "kind": kind, "content": content, "rawInput": input},
                }),
            );
            let reply = self.answer_to(request)?;
            let chosen = &reply["result"]["outcome"];
            let allowed = chosen["outcome"] == "selected"
                && chosen["optionId"]
                    .as_str()
                    .is_some_and(|o| o.starts_with("proceed"));
            if chosen["outcome"] == "cancelled" {
                return Err(Stop::Cancelled);
            }
            // As Gemini CLI 0.61 does: "Allow for this session" on an edit turns the session's
            // mode to autoEdit, so the next edits are not asked.
            if kind == "edit" && chosen["optionId"] == "proceed_always" {
                self.mode = "autoEdit".into();
            }
            if !allowed {
                self.say("The tool call was rejected.");
                return Ok(false);
            }
        } else {
            self.update(json!({"sessionUpdate": "tool_call", "toolCallId": call, "status": "in_progress", "title": title, "kind": kind, "content": content, "rawInput": input}));
        }
        self.update(json!({"sessionUpdate": "tool_call_update", "toolCallId": call, "status": "completed", "title": title, "content": content}));
        Ok(true)
    }

    /// Sends a request to the client; its id.
    fn ask(&mut self, method: &str, params: Value) -> u64 {
        let id = self.next_request;
        self.next_request += 1;
        emit(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// The client's answer to our request `request`: a cancel meanwhile stops the turn, other
    /// requests wait for its end.
    fn answer_to(&mut self, request: u64) -> Result<Value, Stop> {
        loop {
            let message = self.input.recv().map_err(|_| Stop::Gone)?;
            if message["method"].is_null() && message["id"] == request {
                return Ok(message);
            }
            self.during_turn(message)?;
        }
    }

    /// Waits `how_long` (forever with `None`) unless the turn is cancelled.
    fn wait(&mut self, how_long: Option<Duration>) -> Result<(), Stop> {
        let until = how_long.map(|d| Instant::now() + d);
        loop {
            let message = match until {
                Some(until) => {
                    match self
                        .input
                        .recv_timeout(until.saturating_duration_since(Instant::now()))
                    {
                        Ok(message) => message,
                        Err(RecvTimeoutError::Timeout) => return Ok(()),
                        Err(RecvTimeoutError::Disconnected) => return Err(Stop::Gone),
                    }
                }
                None => self.input.recv().map_err(|_| Stop::Gone)?,
            };
            self.during_turn(message)?;
        }
    }

    /// A message that came while a prompt runs: a cancel stops it; a second prompt is refused
    /// (a session takes one at a time); anything else waits for the turn's end.
    fn during_turn(&mut self, message: Value) -> Result<(), Stop> {
        match message["method"].as_str() {
            Some("session/cancel") if self.deaf => Ok(()),
            Some("session/cancel") => Err(Stop::Cancelled),
            Some("session/prompt") => {
                refuse(&message["id"], -32600, "a prompt is already running");
                Ok(())
            }
            _ => {
                self.later.push_back(message);
                Ok(())
            }
        }
    }
}

/// The user's words: the prompt's last text block (earlier ones are context, such as the
/// conversation so far given to a new process, and are not directives).
fn prompt_text(params: &Value) -> String {
    params["prompt"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|block| block["text"].as_str())
        .next_back()
        .unwrap_or_default()
        .to_string()
}
