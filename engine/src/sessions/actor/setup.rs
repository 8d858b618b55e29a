//! A new worktree's set-up (the project's `WorktreeSetup`): the files to copy brought in from
//! the main work tree, then the set-up command run in the worktree, shown in the session as one
//! "Worktree set-up" step before the first turn. A failure fails the attempt with the
//! command's output. While it runs, Kill, Stop or End stop it and end the session, and a
//! message waits for the first turn.

use super::{Actor, Command, Message};
use crate::agents::{CommandSpec, StdinMode};
use crate::git;
use crate::runtime::ChildEnv;
use crate::sessions::ownership;
use crate::sessions::process::{AgentProcess, Exit, Output};
use crate::store::sessions::ProcessRecord;
use model::setup::WorktreeSetup;
use model::text::tail_chars;
use model::{SessionStatus, StreamEvent};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

/// The tool id of the set-up step in the session's events.
const SETUP_ID: &str = "devlog-worktree-setup";
/// What a set-up command may take before it is stopped.
const SETUP_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The output kept (its end: where a failure says why).
const OUTPUT_KEPT: usize = 20_000;
/// The output quoted in a failure's reason.
const OUTPUT_IN_REASON: usize = 2_000;

/// A set-up that did not succeed: the session is over (failed with why, or stopped by the
/// user).
pub(super) struct SessionOver;

impl Actor {
    /// Sets up the new worktree `dir` of `repo`; `Err` once the session is over.
    pub(super) async fn set_up(
        &mut self,
        repo: &Path,
        dir: &Path,
        setup: &WorktreeSetup,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), SessionOver> {
        let marker = unfinished_marker(dir).await;
        if let Some(marker) = &marker {
            let _ = tokio::fs::write(marker, b"").await;
        }
        self.set_up_steps(repo, dir, setup, commands).await?;
        if let Some(marker) = &marker {
            let _ = tokio::fs::remove_file(marker).await;
        }
        Ok(())
    }

    async fn set_up_steps(
        &mut self,
        repo: &Path,
        dir: &Path,
        setup: &WorktreeSetup,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<(), SessionOver> {
        let copied = match copy_files(repo, dir, setup).await {
            Ok(copied) => copied,
            Err(why) => {
                self.step_started(&[], setup);
                return Err(self.setup_failed(why.clone(), why).await);
            }
        };
        self.step_started(&copied, setup);
        let Some(command) = setup.command.as_deref() else {
            self.emit(StreamEvent::ToolResult {
                id: SETUP_ID.into(),
                output: copied_text(&copied),
                is_error: false,
            });
            return Ok(());
        };
        let (exit, output) = self.run_command(dir, command, commands).await?;
        let mut shown = copied_text(&copied);
        shown.push_str(&output);
        self.emit(StreamEvent::ToolResult {
            id: SETUP_ID.into(),
            output: shown,
            is_error: !exit.success(),
        });
        if exit.success() {
            return Ok(());
        }
        let tail = tail_chars(&output, OUTPUT_IN_REASON);
        let reason = format!(
            "The worktree set-up command `{command}` {}: {tail}",
            exit.describe()
        );
        self.fail(reason).await;
        Err(SessionOver)
    }

    fn step_started(&mut self, copied: &[String], setup: &WorktreeSetup) {
        self.emit(StreamEvent::ToolCall {
            id: SETUP_ID.into(),
            name: "Worktree set-up".into(),
            input: serde_json::json!({ "copy": copied, "command": setup.command }),
        });
    }

    async fn setup_failed(&mut self, output: String, why: String) -> SessionOver {
        self.emit(StreamEvent::ToolResult {
            id: SETUP_ID.into(),
            output,
            is_error: true,
        });
        self.fail(format!("The worktree set-up failed: {why}"))
            .await;
        SessionOver
    }

    /// Runs `sh -c command` in `dir` with only the server's passable variables (never its
    /// secrets), in its own process group; its exit and its output (stdout and stderr in order).
    async fn run_command(
        &mut self,
        dir: &Path,
        command: &str,
        commands: &mut mpsc::UnboundedReceiver<Command>,
    ) -> Result<(Exit, String), SessionOver> {
        let spec = CommandSpec {
            program: "sh".into(),
            args: vec!["-c".into(), command.into()],
            env: Vec::new(),
            stdin: StdinMode::Null,
            prompt_on_stdin: None,
        };
        let env = ChildEnv::inherited_only(&self.engine.server_env());
        let mark = ownership::new_mark(self.id);
        let (process, mut lines) = match AgentProcess::spawn(&spec, dir, &env, &mark).await {
            Ok(spawned) => spawned,
            Err(e) => {
                let why = format!("the set-up command could not be started: {e}");
                return Err(self.setup_failed(why.clone(), why).await);
            }
        };
        let record = ProcessRecord {
            pid: process.pid,
            pgid: process.pgid,
            start_ticks: process.start_ticks,
            mark,
        };
        if let Err(e) = self.engine.record_process(self.id, record).await {
            tracing::error!(session = %self.id, error = %e, "recording the set-up process");
        }
        let grace = self.engine.config().kill_grace;
        let deadline = tokio::time::sleep(SETUP_TIMEOUT);
        tokio::pin!(deadline);
        let mut output = String::new();
        loop {
            tokio::select! {
                line = lines.recv() => match line {
                    Some(Output::Stdout(line) | Output::Stderr(line)) => {
                        output.push_str(&line);
                        output.push('\n');
                        if output.len() > 2 * OUTPUT_KEPT {
                            output = tail_chars(&output, OUTPUT_KEPT);
                        }
                    }
                    Some(Output::Exited(exit)) => {
                        return Ok((exit, tail_chars(&output, OUTPUT_KEPT)));
                    }
                    None => {
                        let ended = Exit { code: None, signal: None };
                        return Ok((ended, tail_chars(&output, OUTPUT_KEPT)));
                    }
                },
                command = commands.recv() => {
                    let Some(command) = command else {
                        process.stop_group(grace);
                        return Err(SessionOver);
                    };
                    if let Some((status, reason)) = self.during_setup(command) {
                        process.stop_group(grace);
                        self.emit(StreamEvent::ToolResult {
                            id: SETUP_ID.into(),
                            output: format!("{output}\n{reason}"),
                            is_error: true,
                        });
                        self.set_status(status, Some(reason)).await;
                        return Err(SessionOver);
                    }
                }
                () = &mut deadline => {
                    process.stop_group(grace);
                    let why = format!(
                        "the set-up command did not finish in {} minutes",
                        SETUP_TIMEOUT.as_secs() / 60
                    );
                    return Err(self.setup_failed(format!("{output}\n{why}"), why).await);
                }
            }
        }
    }

    /// A command that arrives while the set-up runs: a message waits for the first turn; a
    /// permission answer has nothing to answer; Stop, Kill and End stop the set-up, with the
    /// session's new status and why.
    fn during_setup(&mut self, command: Command) -> Option<(SessionStatus, String)> {
        match command {
            Command::Send(text, secrets, reply) => {
                let _ = reply.send(Ok(()));
                self.emit(StreamEvent::MessageQueued { text: text.clone() });
                self.queue.push_back(Message { text, secrets });
                None
            }
            Command::Answer(_, _, reply) => {
                let _ = reply.send(Err(
                    "Nothing is asking: the worktree is being set up.".into()
                ));
                None
            }
            Command::Interrupt(reply) | Command::Kill(reply) | Command::End(reply) => {
                let _ = reply.send(Ok(()));
                Some((
                    SessionStatus::Killed,
                    "Stopped by the user during the worktree set-up".into(),
                ))
            }
        }
    }
}

/// Copies every untracked file of the main work tree `repo` (ignored ones included) that
/// `setup` names into the new worktree `dir`, where it is not there already; what it copied.
/// Only regular files: a symlink or a nested repository is left out, and nothing is written
/// through a folder that leads outside the worktree.
async fn copy_files(repo: &Path, dir: &Path, setup: &WorktreeSetup) -> Result<Vec<String>, String> {
    if setup.copy.is_empty() {
        return Ok(Vec::new());
    }
    // The patterns as git pathspecs: git walks only where they can match (not every ignored
    // `node_modules`); the listing is then held to DevLog's own matcher.
    let mut args = vec![
        "ls-files".to_string(),
        "--others".into(),
        "-z".into(),
        "--".into(),
    ];
    args.extend(setup.copy.iter().map(|p| format!(":(glob){p}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let listed = git::git_output(repo, &args)
        .await
        .ok()
        .filter(|out| out.status.success())
        .ok_or_else(|| "the files to copy could not be listed".to_string())?;
    let listed = String::from_utf8_lossy(&listed.stdout);
    let root = tokio::fs::canonicalize(dir)
        .await
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut copied = Vec::new();
    for path in listed
        .split('\0')
        .filter(|p| !p.is_empty() && !p.ends_with('/') && setup.copies(p))
    {
        let from = repo.join(path);
        let regular = tokio::fs::symlink_metadata(&from)
            .await
            .is_ok_and(|m| m.is_file());
        let to = dir.join(path);
        if !regular || tokio::fs::symlink_metadata(&to).await.is_ok() {
            continue;
        }
        if let Some(parent) = to.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| format!("{}: {e}", parent.display()))?;
            let real = tokio::fs::canonicalize(parent)
                .await
                .map_err(|e| format!("{}: {e}", parent.display()))?;
            if !real.starts_with(&root) {
                return Err(format!(
                    "{path}: its folder in the worktree leads outside it"
                ));
            }
        }
        tokio::fs::copy(&from, &to)
            .await
            .map_err(|e| format!("copying {path}: {e}"))?;
        copied.push(path.to_string());
    }
    Ok(copied)
}

/// The file that says a worktree's set-up began and did not succeed (a failed or stopped
/// attempt): the next attempt in that worktree sets it up again.
async fn unfinished_marker(dir: &Path) -> Option<std::path::PathBuf> {
    let path = [
        "rev-parse",
        "--path-format=absolute",
        "--git-path",
        "devlog-setup-unfinished",
    ];
    git::git(dir, &path)
        .await
        .ok()
        .map(std::path::PathBuf::from)
}

/// Whether the worktree `dir` was never set up to the end.
pub(super) async fn left_unfinished(dir: &Path) -> bool {
    unfinished_marker(dir).await.is_some_and(|m| m.exists())
}

fn copied_text(copied: &[String]) -> String {
    match copied {
        [] => String::new(),
        files => format!("Copied from the main work tree: {}\n", files.join(", ")),
    }
}
