//! One agent process: spawned in its own process group with an environment built by rule and
//! a mark of ownership, its stdout and stderr read line by line (with a length cap) into one
//! channel that ends with its exit, stopped as a group — and never a group that is not ours.

use super::ownership::{self, MARK_VAR};
use crate::agents::{CommandSpec, StdinMode};
use crate::runtime::ChildEnv;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{ChildStdin, Command};
use tokio::sync::mpsc;

/// Longer lines are cut here (and marked), so a runaway CLI cannot exhaust memory.
pub const MAX_LINE: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Stdout(String),
    Stderr(String),
    /// Always the last message: every line was delivered before it.
    Exited(Exit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
}

impl Exit {
    fn of(status: ExitStatus) -> Exit {
        use std::os::unix::process::ExitStatusExt;
        Exit {
            code: status.code(),
            signal: status.signal(),
        }
    }

    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// "exited with code 3" / "was killed by signal 9".
    pub fn describe(&self) -> String {
        match (self.code, self.signal) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(signal)) => format!("was killed by signal {signal}"),
            (None, None) => "ended".to_string(),
        }
    }
}

pub struct AgentProcess {
    pub pid: u32,
    /// Its own process group: signalling `-pgid` reaches everything it started.
    pub pgid: i32,
    /// When it started (clock ticks after boot, `/proc/<pid>/stat`): stored with the pid.
    pub start_ticks: Option<u64>,
    /// The mark of ownership in its environment (and its children's).
    pub mark: String,
    /// Set once the process was reaped: from then on its pgid may name someone else's group.
    reaped: Arc<AtomicBool>,
    stdin: Option<ChildStdin>,
}

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("{0} was not found: install it or give its path (--claude-bin / --codex-bin)")]
    NotFound(String),
    /// The working directory is gone (a worktree removed by hand, say).
    #[error("the folder {0} does not exist")]
    MissingFolder(String),
    #[error("{program} could not be started: {source}")]
    Io {
        program: String,
        source: std::io::Error,
    },
}

impl AgentProcess {
    /// Starts `spec` in `cwd` with exactly the environment `env` (plus the spec's own
    /// variables and `mark`). The returned channel yields its output, then its exit.
    pub async fn spawn(
        spec: &CommandSpec,
        cwd: &Path,
        env: &ChildEnv,
        mark: &str,
    ) -> Result<(AgentProcess, mpsc::Receiver<Output>), SpawnError> {
        // Checked first: spawning in a missing folder fails with the same error as a
        // missing program, and would be reported as an uninstalled CLI.
        if !tokio::fs::metadata(cwd).await.is_ok_and(|m| m.is_dir()) {
            return Err(SpawnError::MissingFolder(cwd.display().to_string()));
        }
        let mut command = Command::new(&spec.program);
        command
            .args(&spec.args)
            .current_dir(cwd)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .stdin(match spec.stdin {
                StdinMode::Null => Stdio::null(),
                StdinMode::Pipe | StdinMode::PromptThenEof => Stdio::piped(),
            })
            .process_group(0)
            .kill_on_drop(true)
            .env_clear()
            .envs(env.vars())
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .env(MARK_VAR, mark);
        let program = spec.program.display().to_string();
        let mut child = command.spawn().map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                SpawnError::NotFound(program.clone())
            } else {
                SpawnError::Io {
                    program: program.clone(),
                    source,
                }
            }
        })?;
        let pid = child.id().unwrap_or(0);
        let start_ticks = ownership::stat(pid as i32).map(|s| s.start_ticks);
        let reaped = Arc::new(AtomicBool::new(false));
        let mut stdin = child.stdin.take();
        // Small: lines wait in the pipe, not here, when the session cannot keep up.
        let (tx, rx) = mpsc::channel(128);
        let stdout = child
            .stdout
            .take()
            .map(|out| tokio::spawn(read_lines(out, tx.clone(), Output::Stdout)));
        let stderr = child
            .stderr
            .take()
            .map(|err| tokio::spawn(read_lines(err, tx.clone(), Output::Stderr)));
        let reaped_flag = reaped.clone();
        tokio::spawn(async move {
            for reader in [stdout, stderr].into_iter().flatten() {
                let _ = reader.await;
            }
            let status = child.wait().await;
            // From here the pid (and so the pgid) may be reused: no more group signals.
            reaped_flag.store(true, Ordering::SeqCst);
            let exit = match status {
                Ok(status) => Exit::of(status),
                Err(_) => Exit {
                    code: None,
                    signal: None,
                },
            };
            let _ = tx.send(Output::Exited(exit)).await;
        });
        if let (Some(pipe), Some(prompt)) = (stdin.as_mut(), spec.prompt_on_stdin.as_deref()) {
            // A CLI that exits at once closes the pipe: its exit will say why.
            let _ = pipe.write_all(prompt.as_bytes()).await;
            let _ = pipe.flush().await;
        }
        if spec.stdin == StdinMode::PromptThenEof {
            stdin = None;
        }
        Ok((
            AgentProcess {
                pid,
                pgid: pid as i32,
                start_ticks,
                mark: mark.to_string(),
                reaped,
                stdin,
            },
            rx,
        ))
    }

    /// Writes one protocol line (a newline is added). False when stdin is gone.
    pub async fn write_line(&mut self, line: &str) -> bool {
        let Some(stdin) = self.stdin.as_mut() else {
            return false;
        };
        let ok = stdin.write_all(line.as_bytes()).await.is_ok()
            && stdin.write_all(b"\n").await.is_ok()
            && stdin.flush().await.is_ok();
        if !ok {
            self.stdin = None;
        }
        ok
    }

    /// Closes stdin: a stream-json CLI finishes its turn and exits.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// TERM to the whole group, then KILL after `grace` to whatever of it is still there.
    pub fn stop_group(&self, grace: Duration) {
        let group = OwnGroup {
            pgid: self.pgid,
            mark: self.mark.clone(),
            reaped: self.reaped.clone(),
        };
        group.signal(libc::SIGTERM);
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            group.signal(libc::SIGKILL);
        });
    }
}

/// A process group we started, signalled only while it is provably ours.
struct OwnGroup {
    pgid: i32,
    mark: String,
    reaped: Arc<AtomicBool>,
}

impl OwnGroup {
    /// Until its leader is reaped the pgid cannot name another group (a pid stays taken while
    /// its zombie or any member of its group exists), so the group is signalled whole; after
    /// that only the processes carrying our mark are.
    fn signal(&self, signal: i32) {
        if self.pgid > 1 && !self.reaped.load(Ordering::SeqCst) {
            // SAFETY: kill(2) on our own unreaped group; it has no memory effects.
            unsafe {
                libc::kill(-self.pgid, signal);
            }
            return;
        }
        let marks = std::collections::HashSet::from([self.mark.clone()]);
        if let Some(processes) = ownership::find_marked(&marks).get(&self.mark) {
            ownership::signal_marked(&self.mark, processes, signal);
        }
    }
}

async fn read_lines<R: AsyncRead + Unpin>(
    stream: R,
    tx: mpsc::Sender<Output>,
    wrap: fn(String) -> Output,
) {
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .await;
        match read {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let complete = buf.last() == Some(&b'\n');
        if !complete && buf.len() > MAX_LINE {
            buf.truncate(MAX_LINE);
            // Skip the rest of the oversized line.
            let mut rest = Vec::new();
            while let Ok(n) = (&mut reader)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut rest)
                .await
            {
                if n == 0 || rest.last() == Some(&b'\n') {
                    break;
                }
                rest.clear();
            }
            buf.extend_from_slice(b" [line truncated]");
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        // Valid UTF-8 (every CLI's JSON) is taken as it is; anything else is repaired.
        let line = match std::str::from_utf8(&buf) {
            Ok(text) => text.to_string(),
            Err(_) => String::from_utf8_lossy(&buf).into_owned(),
        };
        if tx.send(wrap(line)).await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::ServerEnv;
    use std::ffi::OsString;
    use std::os::unix::process::CommandExt;
    use std::path::PathBuf;

    fn sh(script: &str) -> CommandSpec {
        CommandSpec {
            program: PathBuf::from("sh"),
            args: vec!["-c".into(), script.into()],
            env: vec![],
            stdin: StdinMode::Null,
            prompt_on_stdin: None,
        }
    }

    /// This test process's environment, as a child may inherit it.
    fn plain_env() -> ChildEnv {
        ChildEnv::inherited_only(&ServerEnv::current(Default::default()))
    }

    async fn spawn(spec: &CommandSpec) -> (AgentProcess, mpsc::Receiver<Output>) {
        AgentProcess::spawn(spec, Path::new("/"), &plain_env(), "test-mark")
            .await
            .unwrap()
    }

    async fn collect(mut rx: mpsc::Receiver<Output>) -> Vec<Output> {
        let mut out = Vec::new();
        while let Some(o) = rx.recv().await {
            let last = matches!(o, Output::Exited(_));
            out.push(o);
            if last {
                break;
            }
        }
        out
    }

    #[tokio::test]
    async fn lines_then_exit_code() {
        let (_p, rx) = spawn(&sh("echo one; echo two >&2; echo three; exit 3")).await;
        let out = collect(rx).await;
        assert!(out.contains(&Output::Stdout("one".into())));
        assert!(out.contains(&Output::Stderr("two".into())));
        assert_eq!(
            out.last(),
            Some(&Output::Exited(Exit {
                code: Some(3),
                signal: None
            }))
        );
        let stdout: Vec<_> = out
            .iter()
            .filter(|o| matches!(o, Output::Stdout(_)))
            .collect();
        assert_eq!(stdout.len(), 2);
    }

    #[tokio::test]
    async fn the_child_gets_exactly_its_environment_and_the_mark() {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let server = ServerEnv::new(
            vec![
                (OsString::from("PATH"), path),
                (OsString::from("PLAIN"), OsString::from("kept")),
                (
                    OsString::from("SERVER_API_KEY"),
                    OsString::from("sk-server"),
                ),
                (OsString::from("TEAM_VAR"), OsString::from("sk-team")),
            ],
            ["TEAM_VAR".to_string()].into(),
        );
        let spec =
            sh("echo \"$PLAIN-${SERVER_API_KEY:-gone}-${TEAM_VAR:-gone}-$DEVLOG_AGENT_MARK\"");
        let env = ChildEnv::inherited_only(&server);
        let (_p, rx) = AgentProcess::spawn(&spec, Path::new("/"), &env, "m-1")
            .await
            .unwrap();
        assert_eq!(
            collect(rx).await[0],
            Output::Stdout("kept-gone-gone-m-1".into())
        );
    }

    #[tokio::test]
    async fn long_lines_are_cut() {
        let (_p, rx) = spawn(&sh(
            "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo after",
        ))
        .await;
        let out = collect(rx).await;
        match &out[0] {
            Output::Stdout(line) => {
                assert!(line.len() < MAX_LINE + 100);
                assert!(line.ends_with("[line truncated]"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(out[1], Output::Stdout("after".into()));
    }

    fn running(pid: i32) -> bool {
        ownership::stat(pid).is_some_and(|s| !s.zombie)
    }

    /// The mark of `pid`, waiting (bounded) until its environment can be read.
    async fn marked(pid: i32) -> Option<String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            let mark = ownership::mark_of(pid);
            if mark.is_some() || std::time::Instant::now() > deadline {
                return mark;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits (bounded) until `pid` is gone or a zombie.
    async fn until_gone(pid: i32) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while running(pid) {
            assert!(std::time::Instant::now() < deadline, "{pid} survived");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn stopping_the_group_kills_its_children_too() {
        let (p, mut rx) = spawn(&sh("sleep 600 & echo $!; wait")).await;
        let Some(Output::Stdout(child)) = rx.recv().await else {
            panic!("no child pid")
        };
        let child: i32 = child.parse().unwrap();
        // The pid is echoed right after the fork: its environment reads empty while it execs.
        assert_eq!(marked(child).await.as_deref(), Some("test-mark"));
        assert_eq!(
            p.start_ticks,
            ownership::stat(p.pid as i32).map(|s| s.start_ticks)
        );
        p.stop_group(Duration::from_millis(200));
        let out = collect(rx).await;
        assert!(matches!(out.last(), Some(Output::Exited(e)) if e.signal == Some(libc::SIGTERM)));
        until_gone(child).await;
    }

    #[tokio::test]
    async fn after_the_leader_is_reaped_only_marked_processes_are_signalled() {
        // The leader exits at once, leaving a child of its group behind.
        let (p, rx) = spawn(&sh("sleep 600 >/dev/null 2>&1 & echo $!")).await;
        let out = collect(rx).await;
        let Some(Output::Stdout(orphan)) = out.first() else {
            panic!("no child pid: {out:?}")
        };
        let orphan: i32 = orphan.parse().unwrap();
        // A stranger in a group of its own, without our mark.
        let mut stranger = std::process::Command::new("sleep")
            .arg("600")
            .process_group(0)
            .spawn()
            .unwrap();
        assert!(running(orphan));
        p.stop_group(Duration::from_millis(50));
        until_gone(orphan).await;
        assert!(running(stranger.id() as i32), "a stranger was signalled");
        stranger.kill().unwrap();
        stranger.wait().unwrap();
    }

    #[tokio::test]
    async fn a_missing_binary_says_so() {
        let mut spec = sh("");
        spec.program = PathBuf::from("/nonexistent/claude");
        let err = AgentProcess::spawn(&spec, Path::new("/"), &plain_env(), "m")
            .await
            .err()
            .unwrap();
        assert!(matches!(err, SpawnError::NotFound(_)), "{err}");
    }

    #[tokio::test]
    async fn a_missing_folder_is_not_a_missing_binary() {
        let err = AgentProcess::spawn(&sh("true"), Path::new("/nonexistent/wt"), &plain_env(), "m")
            .await
            .err()
            .unwrap();
        assert!(
            matches!(&err, SpawnError::MissingFolder(f) if f == "/nonexistent/wt"),
            "{err}"
        );
    }
}
