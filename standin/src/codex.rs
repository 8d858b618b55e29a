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

pub fn run(args: &[String]) -> i32 {
    let value_flags = [
        "-m",
        "--model",
        "-c",
        "--config",
        "-s",
        "--sandbox",
        "-C",
        "--cd",
    ];
    let mut positional = Vec::new();
    let mut sandbox = "workspace-write".to_string();
    let mut i = 0;
    let mut after_dashes = false;
    while i < args.len() {
        let arg = &args[i];
        if after_dashes {
            positional.push(arg.clone());
        } else if arg == "--" {
            after_dashes = true;
        } else if value_flags.contains(&arg.as_str()) {
            if matches!(arg.as_str(), "-s" | "--sandbox") {
                sandbox = args.get(i + 1).cloned().unwrap_or_default();
            }
            i += 1;
        } else if !arg.starts_with('-') {
            positional.push(arg.clone());
        }
        i += 1;
    }
    if positional.first().map(String::as_str) != Some("exec") {
        eprintln!("standin codex: only `exec` is supported");
        return 2;
    }
    let (thread_id, prompt) = match positional.get(1).map(String::as_str) {
        Some("resume") => (positional.get(2).cloned(), positional.get(3).cloned()),
        _ => (None, positional.get(1).cloned()),
    };
    // Like the real CLI: no work outside a git repository unless told to skip the check.
    if !args.iter().any(|a| a == "--skip-git-repo-check") && !inside_git_repo() {
        eprintln!("Not inside a trusted directory and --skip-git-repo-check was not specified.");
        return 1;
    }
    let mut prompt = prompt.unwrap_or_default();
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
            Step::Typing(_) => {}
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
            Step::Exit(code) => std::process::exit(code),
        }
    }
    turn.message(&script.reply);
    emit(
        &json!({"type": "turn.completed", "usage": {"input_tokens": 100, "cached_input_tokens": 0, "output_tokens": 10}}),
    );
    0
}

/// Whether the working directory is inside a git work tree (a `.git` here or above).
fn inside_git_repo() -> bool {
    std::env::current_dir()
        .map(|dir| dir.ancestors().any(|d| d.join(".git").exists()))
        .unwrap_or(false)
}
