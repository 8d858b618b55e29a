//! Claude Code's `-p --input-format stream-json --output-format stream-json` protocol: user
//! messages and control messages on stdin, events on stdout, one process for many turns.

mod flood;
mod partial;

use crate::script::{self, Step, emit, id};
use serde_json::{Value, json};
use std::cell::Cell;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

struct Session {
    session_id: String,
    model: String,
    /// Tool calls need the user's answer over stdio (`--permission-prompt-tool stdio`).
    ask: bool,
    /// File edits are allowed without asking (`acceptEdits` / `bypassPermissions`).
    edits_allowed: bool,
    input: Receiver<Value>,
    /// User messages that arrived while a turn ran: the CLI runs them as the next turns.
    queued: Vec<String>,
    last_error: bool,
    /// `--include-partial-messages`: text blocks are streamed as `stream_event` deltas.
    partial: bool,
    /// Pause between two deltas (`TYPING`), for the rest of the turn.
    typing: Duration,
    /// Turns this process ended: `modelUsage` is their running total, as the real CLI's is.
    results: u32,
    /// The input tokens each model message reports (`SPEND`), for the rest of the turn.
    spend: u64,
    /// What the turn's messages reported (`SPEND`), and the process's earlier turns: the
    /// result counts them.
    spent: Cell<u64>,
    spent_before: u64,
    /// `DEAF`: an interrupt is answered but does not stop the turn (a CLI stuck in a tool).
    deaf: bool,
}

enum TurnEnd {
    /// The step already emitted the turn's `result`.
    Ended,
    Interrupted(&'static str),
}

pub fn run(args: crate::argv::Claude) -> i32 {
    let mode = args.permission_mode.as_deref().unwrap_or("default");
    let stream_input = args.input_format.as_deref() == Some("stream-json");
    let (tx, rx) = channel();
    let mut session = Session {
        session_id: args.resume.unwrap_or_else(|| id("standin-session-")),
        model: args.model.unwrap_or_else(|| "standin-claude".into()),
        ask: args.permission_prompt_tool.as_deref() == Some("stdio"),
        edits_allowed: matches!(mode, "acceptEdits" | "bypassPermissions"),
        input: rx,
        queued: Vec::new(),
        last_error: false,
        partial: args.include_partial_messages,
        typing: Duration::ZERO,
        results: 0,
        spend: 0,
        spent: Cell::new(0),
        spent_before: 0,
        deaf: false,
    };
    if !stream_input {
        // `claude -p -- "prompt"`: one turn, then exit.
        let prompt = args.prompt.join(" ");
        drop(tx);
        session.turn(&prompt);
        return i32::from(session.last_error);
    }
    script::read_stdin_json(tx);
    loop {
        if !session.queued.is_empty() {
            let next = session.queued.remove(0);
            session.turn(&next);
            continue;
        }
        let Ok(msg) = session.input.recv() else { break };
        if let Some(text) = user_text(&msg) {
            session.turn(&text);
        } else {
            session.control(&msg);
        }
    }
    i32::from(session.last_error)
}

fn user_text(msg: &Value) -> Option<String> {
    if msg["type"] != "user" {
        return None;
    }
    let content = &msg["message"]["content"];
    Some(match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    })
}

impl Session {
    /// Answers a control request that arrives between turns.
    fn control(&mut self, msg: &Value) {
        if msg["type"] == "control_request" {
            let rid = msg["request_id"].clone();
            emit(
                &json!({"type": "control_response", "response": {"subtype": "success", "request_id": rid, "response": {}}}),
            );
        }
    }

    fn event(&self, kind: &str, content: Value) {
        if kind == "assistant" {
            self.count_spend();
        }
        self.message(kind, &id("msg_"), content);
    }

    /// One more model message of the turn reports `SPEND`'s tokens.
    pub(super) fn count_spend(&self) {
        self.spent.set(self.spent.get() + self.spend);
    }

    /// A message line; an assistant's reports `SPEND`'s tokens when there are some.
    pub(super) fn message(&self, kind: &str, message_id: &str, content: Value) {
        let mut message = self.message_value(kind, message_id, &id("uuid-"), content);
        if kind == "assistant" && self.spend > 0 {
            message["message"]["usage"] = json!({"input_tokens": self.spend, "output_tokens": 0});
        }
        emit(&message);
    }

    pub(super) fn message_value(
        &self,
        kind: &str,
        message_id: &str,
        uuid: &str,
        content: Value,
    ) -> Value {
        json!({
            "type": kind,
            "message": {"id": message_id, "type": "message", "role": if kind == "user" { "user" } else { "assistant" },
                        "model": self.model, "content": content},
            "parent_tool_use_id": null, "session_id": self.session_id, "uuid": uuid,
        })
    }

    /// A whole text message at once (what the CLI prints without partial messages).
    pub(super) fn text(&self, text: &str) {
        self.event("assistant", json!([{"type": "text", "text": text}]));
    }

    fn tool(&self, name: &str, input: Value, result: Result<String, String>) {
        let tool_id = id("toolu_");
        self.tool_call(&tool_id, name, input);
        self.tool_result(&tool_id, result);
    }

    fn tool_call(&self, tool_id: &str, name: &str, input: Value) {
        self.event(
            "assistant",
            json!([{"type": "tool_use", "id": tool_id, "name": name, "input": input}]),
        );
    }

    fn tool_result(&self, tool_id: &str, result: Result<String, String>) {
        let (content, is_error) = match result {
            Ok(c) => (c, false),
            Err(c) => (c, true),
        };
        self.event("user", json!([{"tool_use_id": tool_id, "type": "tool_result", "content": content, "is_error": is_error}]));
    }

    /// Waits up to `wait` (forever if None) for stdin, handling what arrives. Returns the
    /// interrupt if one came, else None when the time is up.
    pub(super) fn wait(&mut self, wait: Option<Duration>) -> Option<TurnEnd> {
        let deadline = wait.map(|w| Instant::now() + w);
        loop {
            let msg = match deadline {
                Some(d) => match self
                    .input
                    .recv_timeout(d.saturating_duration_since(Instant::now()))
                {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => return None,
                    Err(RecvTimeoutError::Disconnected) => {
                        std::thread::sleep(d.saturating_duration_since(Instant::now()));
                        return None;
                    }
                },
                None => match self.input.recv() {
                    Ok(m) => m,
                    Err(_) => std::process::exit(1),
                },
            };
            if let Some(text) = user_text(&msg) {
                self.queued.push(text);
            } else if msg["request"]["subtype"] == "interrupt" && !self.deaf {
                self.control(&msg);
                return Some(TurnEnd::Interrupted("aborted_streaming"));
            } else {
                self.control(&msg);
            }
        }
    }

    /// Asks permission over stdio and waits for the answer: Ok(input to run) or Err(end).
    fn permission(
        &mut self,
        tool: &str,
        input: &Value,
        tool_use_id: &str,
    ) -> Result<Value, Result<String, TurnEnd>> {
        let rid = id("perm-");
        emit(
            &json!({"type": "control_request", "request_id": rid, "request": {
            "subtype": "can_use_tool", "tool_name": tool, "display_name": tool, "input": input,
            "description": format!("{tool} wants to run"), "permission_suggestions": [], "tool_use_id": tool_use_id}}),
        );
        loop {
            let Ok(msg) = self.input.recv() else {
                std::process::exit(1)
            };
            if let Some(text) = user_text(&msg) {
                self.queued.push(text);
                continue;
            }
            if msg["type"] == "control_request" && msg["request"]["subtype"] == "interrupt" {
                self.control(&msg);
                return Err(Err(TurnEnd::Interrupted("aborted_streaming")));
            }
            let response = &msg["response"];
            if msg["type"] != "control_response" || response["request_id"] != rid.as_str() {
                self.control(&msg);
                continue;
            }
            let answer = &response["response"];
            return match answer["behavior"].as_str() {
                // Claude Code 2.1.197 (pinned in end2end) validates the answer: an allow must
                // carry the input to run (a record), else the tool fails and the turn goes on
                // without it. Later versions (the recorded 2.1.332) accept a bare allow.
                Some("allow") => match answer.get("updatedInput") {
                    Some(updated) if updated.is_object() => Ok(updated.clone()),
                    _ => Err(Ok(
                        "Tool permission request failed: ZodError: updatedInput: \
                                 Invalid input: expected record, received undefined"
                            .to_string(),
                    )),
                },
                _ if answer["interrupt"] == true => Err(Err(TurnEnd::Interrupted("aborted_tools"))),
                _ => Err(Ok(answer["message"]
                    .as_str()
                    .unwrap_or("denied")
                    .to_string())),
            };
        }
    }

    fn result(&mut self, text: &str, is_error: bool, terminal_reason: &str, started: Instant) {
        self.last_error = is_error;
        self.results += 1;
        let spent = self.spent.replace(0);
        self.spent_before += spent;
        // What each turn uses ($0.0125, 100 tokens in, 10 out, and `SPEND`'s reports): the
        // turn's own figures in `model_usage_since_last_result`, the process's running total
        // in `modelUsage` and `total_cost_usd`, as Claude Code reports them.
        let used = |turns: u32, spent: u64| {
            json!({self.model.as_str(): {"inputTokens": 100 * u64::from(turns) + spent,
            "outputTokens": 10 * turns, "cacheReadInputTokens": 0, "cacheCreationInputTokens": 0,
            "costUSD": 0.0125 * f64::from(turns)}})
        };
        emit(&json!({
            "type": "result", "subtype": "success", "is_error": is_error,
            "duration_ms": started.elapsed().as_millis() as u64, "duration_api_ms": 1, "num_turns": 1,
            "result": text, "stop_reason": "end_turn", "session_id": self.session_id,
            "total_cost_usd": 0.0125 * f64::from(self.results),
            "usage": {"input_tokens": 100 + spent, "output_tokens": 10},
            "modelUsage": used(self.results, self.spent_before),
            "model_usage_since_last_result": used(1, spent),
            "terminal_reason": terminal_reason, "uuid": id("uuid-"),
        }));
    }

    fn turn(&mut self, prompt: &str) {
        let started = Instant::now();
        emit(
            &json!({"type": "system", "subtype": "init", "cwd": std::env::current_dir().ok(),
            "session_id": self.session_id, "tools": ["Bash", "Edit", "Read", "Write"], "model": self.model,
            "permissionMode": if self.edits_allowed { "acceptEdits" } else { "default" }, "apiKeySource": "none"}),
        );
        let script = script::parse(prompt);
        self.typing = Duration::ZERO;
        self.spend = 0;
        self.deaf = script.deaf;
        for step in script.steps {
            match self.step(step) {
                None => {}
                Some(TurnEnd::Ended) => return,
                Some(TurnEnd::Interrupted(reason)) => {
                    self.result("Request interrupted by user", true, reason, started);
                    return;
                }
            }
        }
        if let Some(TurnEnd::Interrupted(reason)) = self.say(&script.reply) {
            self.result("Request interrupted by user", true, reason, started);
            return;
        }
        self.result(&script.reply, false, "completed", started);
    }

    /// Whether a file tool may run: edits allowed, or asked and approved (in ask mode);
    /// `Ok(false)` when refused, its result already said.
    fn may_edit(&mut self, tool: &str, input: &Value, tool_id: &str) -> Result<bool, TurnEnd> {
        if self.edits_allowed {
            return Ok(true);
        }
        if !self.ask {
            emit(
                &json!({"type": "system", "subtype": "permission_denied", "tool_name": tool, "session_id": self.session_id}),
            );
            self.tool_result(
                tool_id,
                Err(
                    "Claude requested permissions to write, but you haven't granted it yet.".into(),
                ),
            );
            return Ok(false);
        }
        match self.permission(tool, input, tool_id) {
            Ok(_) => Ok(true),
            Err(Ok(message)) => {
                self.tool_result(tool_id, Err(message));
                Ok(false)
            }
            Err(Err(end)) => Err(end),
        }
    }

    fn step(&mut self, step: Step) -> Option<TurnEnd> {
        match step {
            Step::Stream(n) => {
                for i in 1..=n {
                    if let Some(end) = self.say(&format!("part {i}")) {
                        return Some(end);
                    }
                }
            }
            Step::Typing(ms) => self.typing = Duration::from_millis(ms),
            Step::Spend(tokens) => self.spend = tokens,
            Step::Flood(n) => self.flood(n),
            Step::Think => self.event(
                "assistant",
                json!([{"type": "thinking", "thinking": "Let me think.", "signature": ""}]),
            ),
            Step::RunCmd(cmd) => self.tool("Bash", json!({"command": cmd}), Ok(String::new())),
            Step::WriteFile { name, content } => {
                let tool_id = id("toolu_");
                let input = json!({"file_path": name, "content": format!("{content}\n")});
                self.tool_call(&tool_id, "Write", input.clone());
                match self.may_edit("Write", &input, &tool_id) {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(end) => return Some(end),
                }
                let result = script::write_file(&name, &content)
                    .map(|p| format!("File created successfully at: {p}"));
                self.tool_result(&tool_id, result);
            }
            Step::EditFile { name, old, new } => {
                let tool_id = id("toolu_");
                let input = json!({"file_path": name, "old_string": old, "new_string": new, "replace_all": false});
                self.tool_call(&tool_id, "Edit", input.clone());
                match self.may_edit("Edit", &input, &tool_id) {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(end) => return Some(end),
                }
                let result = script::edit_file(&name, &old, &new);
                self.tool_result(&tool_id, result);
            }
            Step::Ask(tool) => {
                let tool_id = id("toolu_");
                let input = json!({"command": format!("{tool} something")});
                self.tool_call(&tool_id, &tool, input.clone());
                match self.permission(&tool, &input, &tool_id) {
                    Ok(_) => self.tool_result(&tool_id, Ok("done".into())),
                    Err(Ok(message)) => self.tool_result(&tool_id, Err(message)),
                    Err(Err(end)) => return Some(end),
                }
            }
            Step::Slow(ms) => return self.wait(Some(Duration::from_millis(ms))),
            Step::Hang => return self.wait(None),
            Step::Malformed => {
                println!("{{not json");
                emit(&json!({"type": "standin_unknown_event", "data": 1}));
            }
            Step::Stderr(text) => eprintln!("{text}"),
            Step::DumpEnv(path) => script::dump_env(&path),
            Step::FailAuth => {
                let rejected_key = script::rejected_key();
                if rejected_key.is_some() {
                    // Claude Code 2.1.197 retries a refused key before giving up, minutes later.
                    for attempt in 1..=2 {
                        emit(&json!({
                            "type": "system", "subtype": "api_retry", "attempt": attempt,
                            "max_retries": 10, "retry_delay_ms": 500, "error_status": 401,
                            "error": "authentication_failed", "session_id": self.session_id,
                        }));
                    }
                }
                let message = match rejected_key {
                    Some(key) => format!("Invalid API key · Fix external API key ({key})"),
                    None => "Invalid API key · Fix external API key".to_string(),
                };
                let message = message.as_str();
                self.text(message);
                self.result(message, true, "completed", Instant::now());
                return Some(TurnEnd::Ended);
            }
            Step::Crash => std::process::abort(),
            Step::CrashOnce(marker) => script::crash_once(&marker),
            Step::RateLimitOnce { marker, seconds } => {
                if let Some(resets_at) = script::rate_limited_once(&marker, seconds) {
                    // Claude Code 2.x on a plan's limit: the event, then the failed result.
                    emit(&json!({
                        "type": "rate_limit_event", "session_id": self.session_id,
                        "rate_limit_info": {"status": "rejected", "resetsAt": resets_at,
                                            "rateLimitType": "five_hour"},
                    }));
                    let message = format!("Claude AI usage limit reached|{resets_at}");
                    self.result(&message, true, "completed", Instant::now());
                    return Some(TurnEnd::Ended);
                }
            }
            Step::Exit(code) => std::process::exit(code),
            // Only an ACP agent asks its client for files.
            Step::ReadFile(_) => {}
        }
        None
    }
}
