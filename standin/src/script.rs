//! The directives of a prompt (see main.rs) and the side effects both protocols share.

use serde_json::{Value, json};
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Stream(u32),
    Think,
    RunCmd(String),
    WriteFile {
        name: String,
        content: String,
    },
    /// Replaces `old` with `new` in a file of the working directory (asking first, as a
    /// write does): `EDIT_FILE a.txt old words => new words`.
    EditFile {
        name: String,
        old: String,
        new: String,
    },
    Ask(String),
    Slow(u64),
    /// Claude with `--include-partial-messages`: this many ms between the deltas of each
    /// text block from here on (a model that writes slowly).
    Typing(u64),
    /// Claude: each later model message of the turn reports this many input tokens in its
    /// `usage`, as the real CLI reports each call while the turn runs; the turn's result
    /// counts them.
    Spend(u64),
    Hang,
    Flood(u32),
    Malformed,
    Stderr(String),
    DumpEnv(String),
    FailAuth,
    Crash,
    /// Crashes unless the marker file exists, creating it: the second run goes through.
    CrashOnce(String),
    /// Unless the marker file exists (creating it): the turn ends with the CLI's rate-limit
    /// answer, resetting in `seconds` where the CLI says when: `RATE_LIMIT_ONCE marker 3600`.
    RateLimitOnce {
        marker: String,
        seconds: i64,
    },
    Exit(i32),
    /// ACP: asks the client to read this file (`fs/read_text_file`) and says what it answered.
    ReadFile(String),
}

pub struct Script {
    pub steps: Vec<Step>,
    pub reply: String,
    /// ACP: a `session/cancel` during the turn is ignored, as Gemini CLI ignores it while it
    /// retries a failing model API.
    pub deaf: bool,
}

pub fn parse(prompt: &str) -> Script {
    let mut steps = Vec::new();
    let mut reply = "ok".to_string();
    let mut deaf = false;
    for line in prompt.lines().map(str::trim) {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim();
        let number = || rest.parse().unwrap_or(1);
        match word {
            "REPLY" => reply = rest.to_string(),
            "STREAM" => steps.push(Step::Stream(number())),
            "THINK" => steps.push(Step::Think),
            "RUN_CMD" => steps.push(Step::RunCmd(rest.to_string())),
            "WRITE_FILE" => {
                let (name, content) = rest.split_once(' ').unwrap_or((rest, ""));
                steps.push(Step::WriteFile {
                    name: name.to_string(),
                    content: content.to_string(),
                });
            }
            "EDIT_FILE" => {
                let (name, change) = rest.split_once(' ').unwrap_or((rest, ""));
                let (old, new) = change.split_once(" => ").unwrap_or((change, ""));
                steps.push(Step::EditFile {
                    name: name.to_string(),
                    old: old.to_string(),
                    new: new.to_string(),
                });
            }
            "ASK" => steps.push(Step::Ask(rest.to_string())),
            "SLOW" => steps.push(Step::Slow(rest.parse().unwrap_or(1000))),
            "TYPING" => steps.push(Step::Typing(rest.parse().unwrap_or(100))),
            "SPEND" => steps.push(Step::Spend(rest.parse().unwrap_or(1000))),
            "HANG" => steps.push(Step::Hang),
            "DEAF" => deaf = true,
            "FLOOD" => steps.push(Step::Flood(number())),
            "MALFORMED" => steps.push(Step::Malformed),
            "STDERR" => steps.push(Step::Stderr(rest.to_string())),
            "DUMP_ENV" => steps.push(Step::DumpEnv(rest.to_string())),
            "FAIL_AUTH" => steps.push(Step::FailAuth),
            "CRASH" => steps.push(Step::Crash),
            "CRASH_ONCE" => steps.push(Step::CrashOnce(rest.to_string())),
            "RATE_LIMIT_ONCE" => {
                let (marker, seconds) = rest.split_once(' ').unwrap_or((rest, ""));
                steps.push(Step::RateLimitOnce {
                    marker: marker.to_string(),
                    seconds: seconds.trim().parse().unwrap_or(3600),
                });
            }
            "EXIT" => steps.push(Step::Exit(rest.parse().unwrap_or(1))),
            "READ_FILE" => steps.push(Step::ReadFile(rest.to_string())),
            _ => {}
        }
    }
    if rejected_key().is_some() {
        steps.insert(0, Step::FailAuth);
    }
    if model_hangs() {
        steps.insert(0, Step::Hang);
    }
    Script { steps, reply, deaf }
}

/// Like an unreachable model API: the model named `hang` never answers.
fn model_hangs() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.windows(2)
        .any(|w| matches!(w[0].as_str(), "-m" | "--model") && w[1] == "hang")
}

/// Like a model API refusing a bad key: a key containing `invalid` fails authentication.
/// Returned so the error can echo it, as careless servers do (DevLog must redact it).
pub fn rejected_key() -> Option<String> {
    [
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "CODEX_API_KEY",
        "GEMINI_API_KEY",
        // Where the test benches' declared ACP agent (the stand-in) gets its key.
        "STANDIN_ACP_API_KEY",
    ]
    .iter()
    .filter_map(|var| std::env::var(var).ok())
    .find(|key| key.contains("invalid"))
}

/// Writes argv and the environment as JSON, for the tests that check where secrets go.
pub fn dump_env(path: &str) {
    let env: serde_json::Map<String, Value> = std::env::vars()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let argv: Vec<String> = std::env::args().collect();
    let _ = std::fs::write(path, json!({ "argv": argv, "env": env }).to_string());
}

/// Replaces the first `old` in the file `name` of the working directory with `new`.
pub fn edit_file(name: &str, old: &str, new: &str) -> Result<String, String> {
    if Path::new(name).is_absolute() || name.contains("..") {
        return Err(format!(
            "refusing to edit outside the working directory: {name}"
        ));
    }
    let text = std::fs::read_to_string(name).map_err(|e| format!("{name}: {e}"))?;
    if !text.contains(old) {
        return Err(format!("{name} does not contain {old:?}"));
    }
    std::fs::write(name, text.replacen(old, new, 1))
        .map(|()| format!("The file {name} has been updated."))
        .map_err(|e| e.to_string())
}

pub fn write_file(name: &str, content: &str) -> Result<String, String> {
    let path = Path::new(name);
    if path.is_absolute() || name.contains("..") {
        return Err(format!(
            "refusing to write outside the working directory: {name}"
        ));
    }
    std::fs::write(path, format!("{content}\n"))
        .map(|()| {
            std::env::current_dir()
                .map(|d| d.join(name).display().to_string())
                .unwrap_or_else(|_| name.to_string())
        })
        .map_err(|e| e.to_string())
}

/// `CRASH_ONCE`: abort the first time, go on once the marker exists.
pub fn crash_once(marker: &str) {
    if std::fs::metadata(marker).is_err() {
        let _ = std::fs::write(marker, "crashed once\n");
        std::process::abort();
    }
}

/// `RATE_LIMIT_ONCE`: whether this run is the one to be rate-limited (the marker did not
/// exist; it does now), and the reset as Unix seconds.
pub fn rate_limited_once(marker: &str, seconds: i64) -> Option<i64> {
    if std::fs::metadata(marker).is_ok() {
        return None;
    }
    let _ = std::fs::write(marker, "rate-limited once\n");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Some(now + seconds)
}

/// A `FLOOD` message, stamped with when it was written (for latency benchmarks).
pub fn flood_line(i: u32) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("flood line {i} t={nanos}")
}

/// Sends each JSON line of stdin to `tx`, from a thread of its own, until stdin closes (a
/// line that is not JSON is reported on stderr and skipped).
pub fn read_stdin_json(tx: std::sync::mpsc::Sender<Value>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            match serde_json::from_str::<Value>(&line) {
                Ok(v) => {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
                Err(e) => eprintln!("standin: ignoring a stdin line that is not JSON: {e}"),
            }
        }
    });
}

pub fn emit(value: &Value) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

pub fn id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{:08x}{n:04x}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives_and_ignores_prose() {
        let s = parse(
            "please do this\nSTREAM 3\nWRITE_FILE a.txt hello world\nREPLY done\nSLOW 20\nTYPING 5",
        );
        assert_eq!(s.reply, "done");
        assert_eq!(
            s.steps,
            vec![
                Step::Stream(3),
                Step::WriteFile {
                    name: "a.txt".into(),
                    content: "hello world".into()
                },
                Step::Slow(20),
                Step::Typing(5)
            ]
        );
        assert_eq!(
            parse("RATE_LIMIT_ONCE /tmp/m 90").steps,
            vec![Step::RateLimitOnce {
                marker: "/tmp/m".into(),
                seconds: 90
            }]
        );
        assert_eq!(parse("say ok").reply, "ok");
        assert!(parse("say ok").steps.is_empty());
        assert_eq!(
            parse("EDIT_FILE a.txt # old words => # new words").steps,
            vec![Step::EditFile {
                name: "a.txt".into(),
                old: "# old words".into(),
                new: "# new words".into()
            }]
        );
    }
}
