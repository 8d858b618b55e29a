//! Where the runtime's secrets go, end to end through the engine and a real child process:
//! each launch and follow-up runs with the key of its own request, under the variable the CLI
//! reads, and the key is afterwards nowhere — not in the SQLite files (WAL included), the log
//! output, the stored events or argv.

mod common;

use common::*;
use model::{AgentKind, ExecutionMode, RuntimeRequest, RuntimeSelection, Secret, TransientSecrets};
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

const KEY_A: &str = "sk-devlog-test-key-AAAA-0001";
const KEY_B: &str = "sk-devlog-test-key-BBBB-0002";

/// Everything any test of this binary logs, at every level.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || LogWriter(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        buffer
    })
    .clone()
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn byok(agent: AgentKind, key: Option<&str>) -> RuntimeRequest {
    RuntimeRequest {
        selection: RuntimeSelection {
            mode: ExecutionMode::Byok,
            agent,
            acp_agent: (agent == AgentKind::Acp).then(|| DECLARED_ACP.to_string()),
            ..RuntimeSelection::default()
        },
        secrets: TransientSecrets {
            api_key: key.map(Secret::new),
            cli_env: Vec::new(),
        },
    }
}

/// The `DUMP_ENV` file: (argv, env).
fn dump(path: &Path) -> (Vec<String>, serde_json::Map<String, Value>) {
    let json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let argv = json["argv"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    (argv, json["env"].as_object().unwrap().clone())
}

fn env_var<'a>(env: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    env.get(name).and_then(Value::as_str)
}

/// Every file of the data directory (the database, its WAL and shared memory), as bytes.
fn data_files(b: &Bench) -> Vec<(String, Vec<u8>)> {
    let dir = b.engine.db().path().parent().unwrap();
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

async fn assert_keys_left_no_trace(b: &Bench, session: &model::Session) {
    let events = serde_json::to_string(&b.events(session).await).unwrap();
    let logs = captured_logs().lock().unwrap().clone();
    for key in [KEY_A, KEY_B] {
        assert!(!events.contains(key), "the event replay holds a key");
        assert!(!contains(&logs, key), "the log output holds a key");
        for (file, bytes) in data_files(b) {
            assert!(!contains(&bytes, key), "{file} holds a key");
        }
    }
    let files: Vec<String> = data_files(b).into_iter().map(|(f, _)| f).collect();
    assert!(files.iter().any(|f| f.ends_with("-wal")), "{files:?}");
}

async fn byok_turns_get_the_key_of_their_own_request(agent: AgentKind, key_vars: &[&str]) {
    captured_logs();
    let b = bench().await;
    let out = tempfile::tempdir().unwrap();
    let (first, second) = (out.path().join("1.json"), out.path().join("2.json"));
    let (start, _) = start(agent, &format!("DUMP_ENV {}", first.display()));
    let s = b
        .engine
        .start_session(b.project.id, start, byok(agent, Some(KEY_A)))
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    // Settings changing meanwhile must not change the running session.
    b.engine
        .save_runtime_selection(b.project.id, RuntimeSelection::default())
        .await
        .unwrap();
    b.engine
        .send_message(
            b.project.id,
            s.id,
            format!("DUMP_ENV {}", second.display()),
            byok(agent, Some(KEY_B)),
        )
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 2).await;
    for (path, key) in [(&first, KEY_A), (&second, KEY_B)] {
        let (argv, env) = dump(path);
        for var in key_vars {
            assert_eq!(env_var(&env, var), Some(key), "{var} in {}", path.display());
        }
        // No other agent's variable carries it.
        let every_key_var = [
            "ANTHROPIC_API_KEY",
            "OPENAI_API_KEY",
            "CODEX_API_KEY",
            "GEMINI_API_KEY",
            "STANDIN_ACP_API_KEY",
        ];
        for var in every_key_var.iter().filter(|v| !key_vars.contains(v)) {
            assert_ne!(env_var(&env, var), Some(key), "{var} in {}", path.display());
        }
        assert!(!argv.iter().any(|a| a.contains(key)), "{argv:?}");
        assert!(!argv.iter().any(|a| a.contains("sk-devlog")), "{argv:?}");
    }
    let stored = b.engine.session(b.project.id, s.id).await.unwrap();
    assert_eq!(stored.runtime, byok(agent, None).selection);

    // A follow-up without a key is refused with the reason, and nothing happens.
    let before = b.events(&s).await.len();
    let refused = b
        .engine
        .send_message(
            b.project.id,
            s.id,
            "REPLY x".into(),
            byok(agent, Some("  ")),
        )
        .await
        .unwrap_err();
    assert_eq!(refused.to_string(), "Bring your own key: enter an API key");
    assert_eq!(b.events(&s).await.len(), before);
    assert_keys_left_no_trace(&b, &s).await;
}

#[tokio::test]
async fn claude_byok_launch_and_follow_up_each_use_their_own_key() {
    // Claude keeps its process between turns: a new key replaces the process, resuming.
    byok_turns_get_the_key_of_their_own_request(AgentKind::ClaudeCode, &["ANTHROPIC_API_KEY"])
        .await;
}

#[tokio::test]
async fn codex_byok_launch_and_follow_up_each_use_their_own_key() {
    byok_turns_get_the_key_of_their_own_request(
        AgentKind::Codex,
        &["OPENAI_API_KEY", "CODEX_API_KEY"],
    )
    .await;
}

#[tokio::test]
async fn gemini_byok_launch_and_follow_up_each_use_their_own_key() {
    // One ACP process per session: a new key replaces it, and the new process opens a new
    // ACP session (the stand-in, like Gemini CLI, cannot load the old one).
    byok_turns_get_the_key_of_their_own_request(AgentKind::Gemini, &["GEMINI_API_KEY"]).await;
}

#[tokio::test]
async fn a_declared_acp_agent_gets_the_key_under_its_declared_variable_only() {
    byok_turns_get_the_key_of_their_own_request(AgentKind::Acp, &["STANDIN_ACP_API_KEY"]).await;
}

#[tokio::test]
async fn a_claude_process_is_kept_while_the_key_stays_the_same() {
    let b = bench().await;
    let s = b
        .engine
        .start_session(
            b.project.id,
            start(AgentKind::ClaudeCode, "REPLY one").0,
            byok(AgentKind::ClaudeCode, Some(KEY_A)),
        )
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    let first_process = b.pgid(&s).await;
    b.engine
        .send_message(
            b.project.id,
            s.id,
            "REPLY two".into(),
            byok(AgentKind::ClaudeCode, Some(&format!(" {KEY_A} "))),
        )
        .await
        .unwrap();
    let events = b.wait_until(&s, |e| turns_ended(e) == 2).await;
    assert_eq!(texts(&events), vec!["one", "two"]);
    assert_eq!(
        b.pgid(&s).await,
        first_process,
        "the same process took both turns"
    );
}

#[tokio::test]
async fn an_incomplete_runtime_starts_nothing() {
    let b = bench().await;
    for (request, reason) in [
        (
            byok(AgentKind::Codex, None),
            "Bring your own key: enter an API key",
        ),
        (
            RuntimeRequest {
                selection: RuntimeSelection {
                    mode: ExecutionMode::BackendEnv,
                    env_var: Some("DEVLOG_TEST_SURELY_UNSET_VAR".into()),
                    ..RuntimeSelection::default()
                },
                secrets: TransientSecrets::default(),
            },
            "The server's environment variable DEVLOG_TEST_SURELY_UNSET_VAR is not set",
        ),
    ] {
        let err = b
            .engine
            .start_session(b.project.id, start(AgentKind::Codex, "hi").0, request)
            .await
            .unwrap_err();
        assert!(err.to_string().starts_with(reason), "{err}");
    }
    assert!(
        b.engine
            .list_sessions(b.project.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn backend_env_copies_the_named_server_variable_into_the_child() {
    // Cargo sets CARGO_PKG_NAME for the test process: a server variable that surely exists.
    let value = std::env::var("CARGO_PKG_NAME").expect("cargo sets it");
    let b = bench().await;
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("env.json");
    let request = RuntimeRequest {
        selection: RuntimeSelection {
            mode: ExecutionMode::BackendEnv,
            agent: AgentKind::ClaudeCode,
            env_var: Some("CARGO_PKG_NAME".into()),
            ..RuntimeSelection::default()
        },
        secrets: TransientSecrets::default(),
    };
    let s = b
        .engine
        .start_session(
            b.project.id,
            start(
                AgentKind::ClaudeCode,
                &format!("DUMP_ENV {}", path.display()),
            )
            .0,
            request,
        )
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    let (_, env) = dump(&path);
    assert_eq!(env_var(&env, "ANTHROPIC_API_KEY"), Some(value.as_str()));
}

#[tokio::test]
async fn the_connection_test_reports_success_auth_failure_and_a_missing_cli() {
    let b = bench().await;
    for agent in AgentKind::ALL {
        let ok = b
            .engine
            .test_connection(byok(agent, Some(KEY_A)))
            .await
            .unwrap();
        assert!(ok.ok, "{agent}: {ok:?}");
        assert_eq!(ok.sample.as_deref(), Some("ok"), "{agent}");
        assert_eq!(ok.error, None);
    }
    for agent in AgentKind::ALL {
        let bad = b
            .engine
            .test_connection(byok(agent, Some("sk-invalid-key")))
            .await
            .unwrap();
        assert!(!bad.ok);
        assert_eq!(bad.sample, None, "an error is never the sample");
        let error = bad.error.unwrap();
        assert!(error.starts_with("Authentication failed"), "{error}");
        assert!(!error.contains("sk-invalid-key"), "{error}");
        if agent == AgentKind::ClaudeCode {
            // Claude Code retries a refused key for minutes: the test ends at the first retry.
            assert!(error.contains("HTTP 401, authentication_failed"), "{error}");
            assert!(!error.contains("retrying"), "{error}");
        }
    }
    let missing = bench_with(|c| c.codex_bin = "/nonexistent/codex".into()).await;
    let report = missing
        .engine
        .test_connection(byok(AgentKind::Codex, Some(KEY_A)))
        .await
        .unwrap();
    assert!(!report.ok);
    let error = report.error.unwrap();
    assert!(error.starts_with("Codex CLI is not installed"), "{error}");
    let hang = bench_with(|c| c.connection_timeout = std::time::Duration::from_millis(300)).await;
    // A CLI that never answers (Codex with its API unreachable) times out.
    let mut request = byok(AgentKind::Codex, Some(KEY_A));
    request.selection.model = Some("hang".into());
    let report = hang.engine.test_connection(request).await.unwrap();
    assert!(!report.ok);
    assert!(report.error.unwrap().starts_with("No answer within"));
}

#[tokio::test]
async fn a_byok_retry_gets_the_key_of_its_own_request() {
    let b = bench().await;
    let out = tempfile::tempdir().unwrap();
    let second = out.path().join("retry.json");
    let draft = model::TaskDraft {
        title: "Keyed task".into(),
        prompt: "REPLY nothing changed".into(),
        ..Default::default()
    };
    let task = b.engine.create_task(b.project.id, draft).await.unwrap();
    let s = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            "x".into(),
            byok(AgentKind::Codex, Some(KEY_A)),
            Default::default(),
        )
        .await
        .map(started);
    assert!(s.is_err(), "a task to do is started, not retried");
    let s = started(
        b.engine
            .execute_task(
                b.project.id,
                task.id,
                byok(AgentKind::Codex, Some(KEY_A)),
                Default::default(),
            )
            .await
            .unwrap(),
    );
    b.wait_until(&s, |e| {
        e.iter().any(|x| {
            matches!(
                &x.event,
                model::StreamEvent::StatusChanged {
                    status: model::SessionStatus::Completed
                }
            )
        })
    })
    .await;
    let retry = b
        .engine
        .retry_task(
            b.project.id,
            task.id,
            format!("DUMP_ENV {}", second.display()),
            byok(AgentKind::Codex, Some(KEY_B)),
            Default::default(),
        )
        .await
        .map(started)
        .unwrap();
    b.wait_until(&retry, |e| turns_ended(e) == 1).await;
    let (argv, env) = dump(&second);
    assert_eq!(env_var(&env, "OPENAI_API_KEY"), Some(KEY_B));
    assert!(!argv.iter().any(|a| a.contains(KEY_B)));
    assert_keys_left_no_trace(&b, &retry).await;
}

#[tokio::test]
async fn a_key_the_agent_echoes_is_redacted_before_anything_keeps_it() {
    captured_logs();
    let b = bench().await;
    let key = "sk-invalid-echoed-by-the-server-0003";
    for agent in AgentKind::ALL {
        let s = b
            .engine
            .start_session(
                b.project.id,
                start(agent, "REPLY never").0,
                byok(agent, Some(key)),
            )
            .await
            .unwrap();
        let events = b.wait_until(&s, |e| turns_ended(e) == 1).await;
        let shown = serde_json::to_string(&events).unwrap();
        assert!(!shown.contains(key), "{agent:?}: {shown}");
        assert!(shown.contains("<redacted>"), "{agent:?}: {shown}");
        let report = b
            .engine
            .test_connection(byok(agent, Some(key)))
            .await
            .unwrap();
        let error = report.error.unwrap();
        assert!(!error.contains(key), "{error}");
        // Claude's test ends at its first retry, before the error that echoes the key.
        if agent == AgentKind::Codex {
            assert!(error.contains("<redacted>"), "{error}");
        }
    }
    b.engine.events().flush().await;
    let logs = captured_logs().lock().unwrap().clone();
    assert!(!contains(&logs, key));
    for (file, bytes) in data_files(&b) {
        assert!(!contains(&bytes, key), "{file} holds the key");
    }
}
