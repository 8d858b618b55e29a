//! Codex CLI's `exec --json` protocol: one process per turn, the prompt as the last argument
//! (or `-` for stdin), events on stdout, `resume <thread_id>` to continue.

use crate::script::{self, Step, emit, id};
use serde_json::json;
use std::io::Read;
use std::time::Duration;

struct Turn {
    read_only: bool,
    items: u32,
}

impl Turn {
    fn item(&mut self, started: bool, item: serde_json::Value) {
        let mut item = item;
        item["id"] = json!(format!("item_{}", self.items));
        emit(
            &json!({"type": if started { "item.started" } else { "item.completed" }, "item": item}),
        );
        if !started {
            self.items += 1;
        }
    }

    fn message(&mut self, text: &str) {
        self.item(false, json!({"type": "agent_message", "text": text}));
    }
}

pub fn run(exec: crate::argv::Exec) -> i32 {
    let sandbox = exec.sandbox.as_deref().unwrap_or("workspace-write");
    let (thread_id, prompt) = exec.thread_and_prompt();
    let thread_id = thread_id.map(str::to_string);
    if let Some(dir) = &exec.cd
        && let Err(e) = std::env::set_current_dir(dir)
    {
        eprintln!("Error: cannot change to {}: {e}", dir.display());
        return 1;
    }
    // Like the real CLI: no work outside a git repository unless told to skip the check.
    if !exec.skip_git_repo_check && !inside_git_repo() {
        eprintln!("Not inside a trusted directory and --skip-git-repo-check was not specified.");
        return 1;
    }
    let mut prompt = prompt;
    if prompt == "-" {
        prompt.clear();
        let _ = std::io::stdin().read_to_string(&mut prompt);
    }
    let thread_id = thread_id.unwrap_or_else(|| id("standin-thread-"));
    emit(&json!({"type": "thread.started", "thread_id": thread_id}));
    emit(&json!({"type": "turn.started"}));
    let mut turn = Turn {
        read_only: sandbox == "read-only",
        items: 0,
    };
    let script = script::parse(&prompt);
    for step in script.steps {
        match step {
            Step::Stream(n) => (1..=n).for_each(|i| turn.message(&format!("part {i}"))),
            Step::Flood(n) => (1..=n).for_each(|i| turn.message(&script::flood_line(i))),
            Step::Think => turn.item(false, json!({"type": "reasoning", "text": "Let me think."})),
            Step::RunCmd(cmd) | Step::Ask(cmd) => {
                let item = json!({"type": "command_execution", "command": cmd, "aggregated_output": "", "status": "in_progress"});
                turn.item(true, item);
                turn.item(false, json!({"type": "command_execution", "command": cmd, "aggregated_output": "", "exit_code": 0, "status": "completed"}));
            }
            Step::EditFile { name, old, new } => {
                let path = std::env::current_dir()
                    .map(|d| d.join(&name))
                    .unwrap_or_default();
                let changes = json!([{"path": path, "kind": "update"}]);
                let status = if !turn.read_only && script::edit_file(&name, &old, &new).is_ok() {
                    "completed"
                } else {
                    "failed"
                };
                turn.item(
                    false,
                    json!({"type": "file_change", "changes": changes, "status": status}),
                );
            }
            Step::WriteFile { name, content } => {
                if turn.read_only {
                    turn.message(&format!("I can't write {name}: the sandbox is read-only."));
                    continue;
                }
                let path = std::env::current_dir()
                    .map(|d| d.join(&name))
                    .unwrap_or_default();
                let changes = json!([{"path": path, "kind": "add"}]);
                turn.item(
                    true,
                    json!({"type": "file_change", "changes": changes, "status": "in_progress"}),
                );
                let status = if script::write_file(&name, &content).is_ok() {
                    "completed"
                } else {
                    "failed"
                };
                turn.item(
                    false,
                    json!({"type": "file_change", "changes": changes, "status": status}),
                );
            }
            Step::Slow(ms) => std::thread::sleep(Duration::from_millis(ms)),
            // `codex exec --json` reports whole messages only.
            Step::Typing(_) | Step::Spend(_) => {}
            Step::Hang => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            Step::Malformed => {
                println!("{{not json");
                emit(&json!({"type": "standin.unknown", "data": 1}));
            }
            Step::Stderr(text) => eprintln!("{text}"),
            Step::DumpEnv(path) => script::dump_env(&path),
            Step::FailAuth => {
                let message = match script::rejected_key() {
                    Some(key) => format!(
                        "unexpected status 401 Unauthorized: Incorrect API key provided: {key}"
                    ),
                    None => "unexpected status 401 Unauthorized: Incorrect API key provided".into(),
                };
                let message = message.as_str();
                emit(&json!({"type": "error", "message": message}));
                emit(&json!({"type": "turn.failed", "error": {"message": message}}));
                return 1;
            }
            Step::Crash => std::process::abort(),
            Step::CrashOnce(marker) => script::crash_once(&marker),
            Step::RateLimitOnce { marker, seconds } => {
                if script::rate_limited_once(&marker, seconds).is_some() {
                    let message = format!(
                        "You've hit your usage limit. Upgrade to Pro or try again in {seconds} seconds."
                    );
                    emit(&json!({"type": "error", "message": message}));
                    emit(&json!({"type": "turn.failed", "error": {"message": message}}));
                    return 1;
                }
            }
            Step::Exit(code) => std::process::exit(code),
            // Only an ACP agent asks its client for files.
            Step::ReadFile(_) => {}
        }
    }
    turn.message(&script.reply);
    // Each turn uses 100 tokens in and 10 out; `turn.completed` reports the thread's running
    // total, as the real CLI does after `exec resume`.
    let turns = thread_turns(&thread_id);
    emit(
        &json!({"type": "turn.completed", "usage": {"input_tokens": 100 * turns,
        "cached_input_tokens": 0, "output_tokens": 10 * turns}}),
    );
    0
}

/// The turns of `thread` so far, this one included. The real CLI keeps its threads under
/// `~/.codex`; the stand-in keeps a count per thread beside the system's temporary files.
fn thread_turns(thread: &str) -> u64 {
    let name: String = thread
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = std::env::temp_dir().join("devlog-standin-codex-threads");
    let file = dir.join(name);
    let turns = std::fs::read_to_string(&file)
        .ok()
        .and_then(|n| n.trim().parse::<u64>().ok())
        .unwrap_or(0)
        + 1;
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(&file, turns.to_string());
    turns
}

/// Whether the working directory is inside a git work tree (a `.git` here or above).
fn inside_git_repo() -> bool {
    std::env::current_dir()
        .map(|dir| dir.ancestors().any(|d| d.join(".git").exists()))
        .unwrap_or(false)
}
