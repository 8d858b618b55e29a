//! The real Codex CLI (the npm package pinned in `end2end/`, installed by `make test`) must
//! not be able to keep a key on disk: it writes its environment to
//! `$CODEX_HOME/shell_snapshots/*.sh` and removes the file only on a normal exit, so every run
//! DevLog stops — after a connection test, a Kill, a Stop, a turn timeout — used to leave the
//! key typed in the browser in a world-readable file. After each of those, no file under
//! Codex's home, the user's home or DevLog's data directory holds the key.
//!
//! Codex talks to the fake model API on 127.0.0.1 (`devlog-fake-model-api`). One test in its
//! own binary: it sets this process's `HOME` and `CODEX_HOME`, which the children inherit.

mod common;

use common::*;
use model::{
    AgentKind, ExecutionMode, Provider, RuntimeRequest, RuntimeSelection, Secret, SessionStart,
    SessionStatus, StreamEvent, TransientSecrets,
};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const KEY: &str = "sk-devlog-real-codex-key-7f3a91";

fn real_codex() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/node_modules/.bin/codex");
    assert!(
        bin.exists(),
        "the real Codex CLI is not installed at {}: run `make node-deps` (make test does)",
        bin.display()
    );
    bin
}

/// The fake model API on a free port; killed when dropped.
struct FakeApi {
    child: Child,
    url: String,
}

impl FakeApi {
    fn start() -> FakeApi {
        let mut child = Command::new(env!("CARGO_BIN_EXE_devlog-fake-model-api"))
            .arg("0")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_string();
        FakeApi {
            child,
            url: format!("http://{addr}/v1"),
        }
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn byok(url: &str) -> RuntimeRequest {
    RuntimeRequest {
        selection: RuntimeSelection {
            mode: ExecutionMode::Byok,
            agent: AgentKind::Codex,
            provider: Some(Provider::OpenAiCompatible),
            model: Some("gpt-fake".into()),
            base_url: Some(url.to_string()),
            ..RuntimeSelection::default()
        },
        secrets: TransientSecrets {
            api_key: Some(Secret::new(KEY)),
            cli_env: Vec::new(),
        },
    }
}

/// Every file under `dirs` that holds the key.
fn files_with_the_key(dirs: &[&Path]) -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() => walk(&path, found),
                Ok(t) if t.is_file() => {
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    if bytes.windows(KEY.len()).any(|w| w == KEY.as_bytes()) {
                        found.push(path);
                    }
                }
                _ => {}
            }
        }
    }
    let mut found = Vec::new();
    for dir in dirs {
        walk(dir, &mut found);
    }
    found
}

async fn begin(b: &Bench, url: &str, prompt: &str) -> model::Session {
    let start = SessionStart {
        prompt: prompt.into(),
        permission: None,
    };
    b.engine
        .start_session(b.project.id, start, byok(url))
        .await
        .unwrap()
}

/// Waits until Codex is inside its turn (its thread started): the moment a stop used to
/// leave the snapshot behind.
async fn in_turn(b: &Bench, s: &model::Session) {
    b.wait_until(s, |e| !agent_ids(e).is_empty()).await;
}

/// Waits until the session's process was reaped.
async fn exited(b: &Bench, s: &model::Session) {
    b.session_when(s, |row| {
        row.exit_code.is_some() || row.exit_signal.is_some()
    })
    .await;
}

#[tokio::test]
async fn no_key_is_left_on_disk_by_codex_whatever_stops_it() {
    let home = tempfile::tempdir().unwrap();
    let codex_home = home.path().join(".codex");
    std::fs::create_dir_all(&codex_home).unwrap();
    // SAFETY: the only test of this binary, before anything else reads the environment.
    unsafe {
        std::env::set_var("HOME", home.path());
        std::env::set_var("CODEX_HOME", &codex_home);
    }
    let api = FakeApi::start();
    let b = bench_with(|c| {
        c.codex_bin = real_codex();
        c.turn_timeout = Duration::from_secs(3);
        c.connection_timeout = Duration::from_secs(60);
    })
    .await;
    let data_dir = b.engine.db().path().parent().unwrap().to_path_buf();
    let dirs = [home.path(), data_dir.as_path()];

    // The connection test: stopped with TERM right after its `turn.completed`.
    let report = b.engine.test_connection(byok(&api.url)).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(
        files_with_the_key(&dirs),
        Vec::<PathBuf>::new(),
        "connection test"
    );

    // A Stop (Codex has no interrupt: its process is stopped).
    let s = begin(&b, &api.url, "SLOW 20000\nREPLY late").await;
    in_turn(&b, &s).await;
    b.engine
        .interrupt_session(b.project.id, s.id)
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    exited(&b, &s).await;
    assert_eq!(files_with_the_key(&dirs), Vec::<PathBuf>::new(), "stop");

    // A Kill.
    let s = begin(&b, &api.url, "SLOW 20000\nREPLY late").await;
    in_turn(&b, &s).await;
    b.engine.kill_session(b.project.id, s.id).await.unwrap();
    assert_eq!(b.status(&s).await, SessionStatus::Killed);
    exited(&b, &s).await;
    assert_eq!(files_with_the_key(&dirs), Vec::<PathBuf>::new(), "kill");

    // A turn timeout.
    let s = begin(&b, &api.url, "SLOW 20000\nREPLY late").await;
    let events = b.wait_until(&s, |e| turns_ended(e) == 1).await;
    assert!(events.iter().any(|e| matches!(&e.event,
        StreamEvent::TurnEnded { reason: Some(r), .. } if r == "timeout")));
    exited(&b, &s).await;
    assert_eq!(files_with_the_key(&dirs), Vec::<PathBuf>::new(), "timeout");

    // Codex did run with the key, and kept its home there: the checks above looked at it.
    assert!(codex_home.join("sessions").is_dir());
}
