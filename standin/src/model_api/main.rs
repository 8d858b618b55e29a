//! A fake model API on 127.0.0.1 for running the *real* agent CLIs in tests: Claude Code talks
//! to it as the Anthropic Messages API (`ANTHROPIC_BASE_URL`), Codex as the OpenAI Responses
//! API (a custom provider's `base_url`), Gemini CLI as Google's Gemini API
//! (`GOOGLE_GEMINI_BASE_URL`), Qwen Code as OpenAI's Chat Completions API (`OPENAI_BASE_URL`).
//! All of them stream, as the real APIs do.
//!
//! The reply is scripted by the user's latest words, with the stand-in agent's directives (one
//! per line, other lines ignored):
//!
//! | directive | reply |
//! |---|---|
//! | `REPLY text` | the final answer (default `ok`) |
//! | `SLOW ms` | the answer starts after `ms` milliseconds (to interrupt a turn meanwhile) |
//! | `FAIL_500` | Gemini and Chat Completions: every call of the turn answers HTTP 500 (the CLI retries with back-off) |
//! | `RATE_LIMIT_429` | every call of the turn answers HTTP 429 with the provider's own rate-limit error (`rate_limit.rs`) |
//! | `WRITE_FILE name content` | Claude: first a `Write` of `name` in the prompt's `Working directory`, then, once the tool's result comes back, the answer; Gemini and Chat Completions (Qwen Code) the same with `write_file` (relative to the CLI's directory when the prompt names none); Codex, which edits through a JavaScript tool of its own, only gets the answer |
//!
//! A key containing `invalid` (or, for Gemini, no key) is refused with the provider's 401 error.
//!
//! Usage: `devlog-fake-model-api <port>`; it prints `listening on <addr>` once it accepts.

mod anthropic;
mod chat;
mod gemini;
mod http;
mod openai;
mod rate_limit;

use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh id with the provider's prefix: the real APIs never repeat one.
pub fn next_id(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "{prefix}_devlog_fake_{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// What the user's latest words ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub reply: String,
    pub write: Option<(String, String)>,
    pub working_directory: Option<String>,
    pub delay: std::time::Duration,
    /// Answer HTTP 500, as an overloaded API does (Gemini CLI retries it for minutes).
    pub fail_500: bool,
    /// Answer HTTP 429, as a rate-limited account gets.
    pub rate_limited: bool,
}

impl Script {
    pub fn parse(prompt: &str) -> Script {
        let mut script = Script {
            reply: "ok".to_string(),
            write: None,
            working_directory: None,
            delay: std::time::Duration::ZERO,
            fail_500: false,
            rate_limited: false,
        };
        for line in prompt.lines().map(str::trim) {
            if let Some(text) = line.strip_prefix("REPLY ") {
                script.reply = text.trim().to_string();
            } else if let Some(rest) = line.strip_prefix("WRITE_FILE ") {
                let (name, content) = rest.trim().split_once(' ').unwrap_or((rest.trim(), ""));
                script.write = Some((name.to_string(), content.to_string()));
            } else if let Some(ms) = line.strip_prefix("SLOW ") {
                script.delay = std::time::Duration::from_millis(ms.trim().parse().unwrap_or(1000));
            } else if line == "FAIL_500" {
                script.fail_500 = true;
            } else if line == "RATE_LIMIT_429" {
                script.rate_limited = true;
            } else if let Some(dir) = line.strip_prefix("- Working directory: ") {
                script.working_directory = Some(dir.trim().to_string());
            }
        }
        script
    }
}

/// The script of the user's latest words among a request's `messages`: a follow-up is a turn of
/// its own, and a user message without words (a tool's result) is skipped. `text_of` reads a
/// message's words in its provider's shape.
pub fn latest_script(
    messages: &[serde_json::Value],
    text_of: fn(&serde_json::Value) -> String,
) -> Script {
    let latest = messages
        .iter()
        .rev()
        .filter(|m| m["role"] == "user")
        .map(text_of)
        .find(|text| !text.trim().is_empty());
    Script::parse(&latest.unwrap_or_default())
}

/// A key the fake API refuses, like a real one refuses a revoked key.
pub fn is_rejected(key: &str) -> bool {
    key.contains("invalid")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let port = std::env::args().nth(1).unwrap_or_else(|| "0".to_string());
    let listener = match tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("devlog-fake-model-api: cannot listen on 127.0.0.1:{port}: {e}");
            std::process::exit(2);
        }
    };
    if let Ok(addr) = listener.local_addr() {
        println!("listening on {addr}");
    }
    let routes: &[(&'static str, http::Handler)] = &[
        ("/v1/messages", anthropic::messages),
        ("/v1/messages/count_tokens", |_| {
            http::Response::json(200, r#"{"input_tokens":1}"#.to_string())
        }),
        ("/v1/responses", openai::responses),
        ("/v1/chat/completions", chat::completions),
        ("/v1beta/models/{call}", gemini::models),
    ];
    if let Err(e) = axum::serve(listener, http::router(routes)).await {
        eprintln!("devlog-fake-model-api: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_directives_and_the_working_directory() {
        let script = Script::parse(
            "# Task: x\nWRITE_FILE hello.txt Hello there\nREPLY Done.\n\n- Working directory: /w/t\n",
        );
        assert_eq!(script.reply, "Done.");
        assert_eq!(
            script.write,
            Some(("hello.txt".to_string(), "Hello there".to_string()))
        );
        assert_eq!(script.working_directory.as_deref(), Some("/w/t"));
        assert_eq!(Script::parse("SLOW 250").delay.as_millis(), 250);
        assert_eq!(Script::parse("say ok").reply, "ok");
        assert!(Script::parse("FAIL_500").fail_500);
        assert!(!Script::parse("say ok").fail_500);
        assert!(Script::parse("RATE_LIMIT_429").rate_limited);
    }
}
