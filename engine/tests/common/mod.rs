//! Helpers shared by the agent fixture tests: where the transcripts are and how to read them.

// Each test crate uses a subset of these.
#![allow(dead_code)]

use engine::agents::line_cli;
use model::{AgentKind, StreamEvent};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agents")
}

/// The `.jsonl` files directly in `dir` (relative to the fixtures), sorted.
pub fn files_in(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join(dir))
        .expect("fixture dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".jsonl"))
        .map(|name| format!("{dir}/{name}"))
        .collect();
    names.sort();
    names
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(fixtures().join(rel)).expect("fixture")
}

/// A control transcript's records (`{"seq","dir","msg",…}`).
pub fn records(rel: &str) -> Vec<Value> {
    read(rel)
        .lines()
        .map(|line| serde_json::from_str(line).expect("record"))
        .collect()
}

/// The CLI's stdout lines: the file itself, or a control transcript's `out` messages.
pub fn stdout_lines(rel: &str) -> Vec<String> {
    if rel.contains("/control/") {
        records(rel)
            .into_iter()
            .filter(|r| r["dir"] == "out")
            .map(|r| serde_json::to_string(&r["msg"]).expect("msg"))
            .collect()
    } else {
        read(rel).lines().map(str::to_string).collect()
    }
}

pub fn agent_of(rel: &str) -> AgentKind {
    if rel.starts_with("codex/") {
        AgentKind::Codex
    } else {
        AgentKind::ClaudeCode
    }
}

/// Every event of a fixture; no line may come back `Raw`.
pub fn events(rel: &str) -> Vec<StreamEvent> {
    let agent = line_cli(agent_of(rel)).expect("a line CLI");
    let mut all = Vec::new();
    for line in stdout_lines(rel) {
        let parsed = agent.parse_line(&line);
        for event in &parsed {
            assert!(
                !matches!(event, StreamEvent::Raw { .. }),
                "{rel}: a fixture line came back raw: {}",
                line.chars().take(300).collect::<String>()
            );
        }
        all.extend(parsed);
    }
    all
}

/// An event's kind, with `!` when it reports an error.
pub fn shape(event: &StreamEvent) -> String {
    let failed = matches!(
        event,
        StreamEvent::ToolResult { is_error: true, .. }
            | StreamEvent::TurnEnded { is_error: true, .. }
    );
    format!("{}{}", event.kind(), if failed { "!" } else { "" })
}
