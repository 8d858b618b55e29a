//! One agent process: spawned in its own process group, its stdout and stderr read line by
//! line (with a length cap) into one channel that ends with its exit, stopped as a group.

use crate::agents::{CommandSpec, StdinMode};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
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
    stdin: Option<ChildStdin>,
}

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    #[error("{0} was not found: install it or give its path (--claude-bin / --codex-bin)")]
    NotFound(String),
    #[error("{program} could not be started: {source}")]
    Io {
        program: String,
        source: std::io::Error,
    },
}

impl AgentProcess {
    /// Starts `spec` in `cwd` with `env` added to the child's environment (and `remove_env`
    /// taken out of it). The returned channel yields its output, then its exit.
    pub async fn spawn(
        spec: &CommandSpec,
        cwd: &Path,
        env: &[(String, String)],
        remove_env: &[&str],
    ) -> Result<(AgentProcess, mpsc::Receiver<Output>), SpawnError> {
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
            .kill_on_drop(true);
        for name in remove_env {
            command.env_remove(name);
        }
        command.envs(spec.env.iter().map(|(k, v)| (k, v)));
        command.envs(env.iter().map(|(k, v)| (k, v)));
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
        let mut stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel(1024);
        let stdout = child
            .stdout
            .take()
            .map(|out| tokio::spawn(read_lines(out, tx.clone(), Output::Stdout)));
        let stderr = child
            .stderr
            .take()
            .map(|err| tokio::spawn(read_lines(err, tx.clone(), Output::Stderr)));
        tokio::spawn(async move {
            for reader in [stdout, stderr].into_iter().flatten() {
                let _ = reader.await;
            }
            let exit = match child.wait().await {
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

    /// TERM to the whole group, then KILL after `grace` if any of it is still there.
    pub fn stop_group(&self, grace: Duration) {
        stop_group(self.pgid, grace);
    }
}

/// TERM to process group `pgid`, then KILL after `grace` (from a background task).
pub fn stop_group(pgid: i32, grace: Duration) {
    if pgid <= 1 {
        return;
    }
    signal_group(pgid, libc::SIGTERM);
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        if group_alive(pgid) {
            signal_group(pgid, libc::SIGKILL);
        }
    });
}

fn signal_group(pgid: i32, signal: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; it has no memory effects.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

/// Whether any process of group `pgid` still exists (used to find orphans at start-up).
pub fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence and permission.
    pgid > 1 && unsafe { libc::kill(-pgid, 0) } == 0
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
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        if tx.send(wrap(line.to_string())).await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let (_p, rx) = AgentProcess::spawn(
            &sh("echo one; echo two >&2; echo three; exit 3"),
            Path::new("/"),
            &[],
            &[],
        )
        .await
        .unwrap();
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
    async fn env_is_added_and_removed() {
        let spec = sh("echo \"$ADDED-${REMOVED:-gone}\"");
        let (_p, rx) = AgentProcess::spawn(
            &spec,
            Path::new("/"),
            &[("ADDED".into(), "yes".into())],
            &["REMOVED"],
        )
        .await
        .unwrap();
        assert_eq!(collect(rx).await[0], Output::Stdout("yes-gone".into()));
    }

    #[tokio::test]
    async fn long_lines_are_cut() {
        let spec = sh("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo after");
        let (_p, rx) = AgentProcess::spawn(&spec, Path::new("/"), &[], &[])
            .await
            .unwrap();
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

    /// Alive and not a zombie, per /proc.
    fn running(pid: i32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                stat.rsplit_once(')')
                    .map(|(_, rest)| rest.trim_start().to_string())
            })
            .is_some_and(|rest| !rest.starts_with('Z') && !rest.starts_with('X'))
    }

    #[tokio::test]
    async fn stopping_the_group_kills_its_children_too() {
        let spec = sh("sleep 600 & echo $!; wait");
        let (p, mut rx) = AgentProcess::spawn(&spec, Path::new("/"), &[], &[])
            .await
            .unwrap();
        let Some(Output::Stdout(child)) = rx.recv().await else {
            panic!("no child pid")
        };
        let child: i32 = child.parse().unwrap();
        assert!(group_alive(p.pgid));
        p.stop_group(Duration::from_millis(200));
        let out = collect(rx).await;
        assert!(matches!(out.last(), Some(Output::Exited(e)) if e.signal == Some(libc::SIGTERM)));
        // The grandchild got the signal too: wait (bounded) until it is gone or a zombie.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while running(child) {
            assert!(
                std::time::Instant::now() < deadline,
                "child {child} survived"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[tokio::test]
    async fn a_missing_binary_says_so() {
        let mut spec = sh("");
        spec.program = PathBuf::from("/nonexistent/claude");
        let err = AgentProcess::spawn(&spec, Path::new("/"), &[], &[])
            .await
            .err()
            .unwrap();
        assert!(matches!(err, SpawnError::NotFound(_)), "{err}");
    }
}
