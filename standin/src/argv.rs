//! The command lines the stand-in accepts: the flags DevLog passes to the real CLIs, with the
//! real CLIs' names and shapes, so a flag the engine starts passing that the stand-in does not
//! know is refused (exit 2, with clap's message) instead of silently ignored. The prompt is
//! taken after `--` only, which is how the engine always passes it.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Which CLI the stand-in plays: `--standin-protocol=…` as first argument, else the name it
/// was called by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Protocol {
    Claude,
    Codex,
    /// The Agent Client Protocol, as `gemini --acp` speaks it.
    Acp,
}

impl Protocol {
    /// `--standin-protocol=<p>` when it is the first argument (removed from `args`), else the
    /// protocol `argv[0]`'s file name names.
    pub fn choose(args: &mut Vec<String>) -> Result<Protocol, String> {
        if let Some(forced) = args
            .get(1)
            .and_then(|a| a.strip_prefix("--standin-protocol="))
        {
            let protocol = Protocol::from_str(forced, true).map_err(|_| {
                format!("unknown --standin-protocol={forced}: claude, codex or acp")
            })?;
            args.remove(1);
            return Ok(protocol);
        }
        let name = args
            .first()
            .and_then(|a| std::path::Path::new(a).file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.contains("codex") {
            Ok(Protocol::Codex)
        } else if name.contains("claude") {
            Ok(Protocol::Claude)
        } else if name.contains("gemini") {
            Ok(Protocol::Acp)
        } else {
            Err("call me as 'claude', 'codex' or 'gemini', or pass --standin-protocol=claude|codex|acp".into())
        }
    }
}

/// `claude -p …`: Claude Code's print mode.
#[derive(Debug, Parser)]
#[command(name = "claude")]
pub struct Claude {
    #[arg(short = 'p', long = "print")]
    pub print: bool,
    #[arg(long)]
    pub input_format: Option<String>,
    #[arg(long)]
    pub output_format: Option<String>,
    #[arg(long)]
    pub verbose: bool,
    #[arg(long)]
    pub include_partial_messages: bool,
    #[arg(long)]
    pub permission_mode: Option<String>,
    #[arg(long)]
    pub permission_prompt_tool: Option<String>,
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long)]
    pub resume: Option<String>,
    /// The prompt of a one-shot turn (`-- prompt…`), when stdin is not stream-json.
    #[arg(last = true)]
    pub prompt: Vec<String>,
}

/// `gemini --acp …`: Gemini CLI as an ACP agent.
#[derive(Debug, Parser)]
#[command(name = "gemini")]
pub struct Gemini {
    #[arg(long)]
    pub acp: bool,
    #[arg(short = 'm', long)]
    pub model: Option<String>,
    #[arg(long, value_parser = ["default", "autoEdit", "yolo", "plan"])]
    pub approval_mode: Option<String>,
}

/// `codex …`: only `exec` is played.
#[derive(Debug, Parser)]
#[command(name = "codex")]
pub struct Codex {
    #[command(subcommand)]
    pub command: CodexCommand,
}

#[derive(Debug, Subcommand)]
pub enum CodexCommand {
    Exec(Exec),
}

/// `codex exec [options] [resume <thread>] -- <prompt>`.
#[derive(Debug, Args)]
pub struct Exec {
    #[arg(long)]
    pub json: bool,
    #[arg(short = 'm', long)]
    pub model: Option<String>,
    /// `key=value` configuration overrides.
    #[arg(short = 'c', long = "config")]
    pub config: Vec<String>,
    #[arg(short = 's', long)]
    pub sandbox: Option<String>,
    #[arg(short = 'C', long = "cd")]
    pub cd: Option<std::path::PathBuf>,
    #[arg(long)]
    pub skip_git_repo_check: bool,
    #[command(subcommand)]
    pub resume: Option<ExecCommand>,
    /// The prompt; `-` reads it from stdin.
    #[arg(last = true)]
    pub prompt: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExecCommand {
    /// Continues a thread.
    Resume {
        thread: String,
        #[arg(last = true)]
        prompt: Vec<String>,
    },
}

impl Exec {
    /// The thread to continue, if any, and the prompt as given (`-` for stdin).
    pub fn thread_and_prompt(&self) -> (Option<&str>, String) {
        match &self.resume {
            Some(ExecCommand::Resume { thread, prompt }) => (Some(thread), prompt.join(" ")),
            None => (None, self.prompt.join(" ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &[&str]) -> Vec<String> {
        line.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn the_protocol_is_forced_or_named_by_argv0() {
        let mut forced = argv(&["/bin/agent", "--standin-protocol=codex", "exec"]);
        assert_eq!(Protocol::choose(&mut forced), Ok(Protocol::Codex));
        assert_eq!(forced, argv(&["/bin/agent", "exec"]));
        assert_eq!(
            Protocol::choose(&mut argv(&["/tmp/bin/claude", "-p"])),
            Ok(Protocol::Claude)
        );
        assert!(Protocol::choose(&mut argv(&["/bin/agent", "-p"])).is_err());
        assert_eq!(
            Protocol::choose(&mut argv(&["/usr/bin/gemini", "--acp"])),
            Ok(Protocol::Acp)
        );
        assert!(Protocol::choose(&mut argv(&["x", "--standin-protocol=cursor"])).is_err());
    }

    /// Every command line the engine builds — each agent, each of its policies, the first turn
    /// and a continuation, with a model, an effort where the agent has one, and a base URL — is
    /// one the stand-in reads, with the values the engine meant.
    #[test]
    fn reads_every_command_line_the_engine_builds() {
        use engine::agents::{TurnLaunch, adapter};
        use model::runtime::{Effort, has_reasoning_effort};
        use model::{AgentKind, RuntimeSelection};
        for agent in AgentKind::ALL {
            for permission in agent.permissions() {
                // A declared agent picks its model itself.
                let declared = agent == AgentKind::Acp;
                let selection = RuntimeSelection {
                    agent,
                    acp_agent: declared.then(|| "standin-acp".into()),
                    model: (!declared).then(|| "some-model".into()),
                    reasoning_effort: has_reasoning_effort(agent).then_some(Effort::High),
                    base_url: Some("http://127.0.0.1:9/v1".into()),
                    ..RuntimeSelection::default()
                };
                let launch =
                    TurnLaunch::from_selection(&selection, permission, "x", "-p hi".into())
                        .unwrap();
                let first = adapter(agent).first_turn(&launch);
                let next = adapter(agent).continuation(&launch, "agent-session-1");
                for (spec, resumed) in [(first, None), (next, Some("agent-session-1"))] {
                    let argv = std::iter::once(agent.as_str().to_string()).chain(spec.args);
                    match agent {
                        AgentKind::ClaudeCode => {
                            let claude = Claude::try_parse_from(argv).unwrap();
                            assert!(claude.print && claude.include_partial_messages);
                            assert_eq!(claude.model.as_deref(), Some("some-model"));
                            assert_eq!(claude.resume.as_deref(), resumed);
                        }
                        AgentKind::Codex => {
                            let Codex {
                                command: CodexCommand::Exec(exec),
                            } = Codex::try_parse_from(argv).unwrap();
                            assert!(exec.json);
                            assert_eq!(exec.model.as_deref(), Some("some-model"));
                            assert_eq!(exec.thread_and_prompt().0, resumed);
                        }
                        // An ACP agent resumes in its conversation (`session/load`).
                        AgentKind::Gemini => {
                            let gemini = Gemini::try_parse_from(argv).unwrap();
                            assert!(gemini.acp);
                            assert_eq!(gemini.model.as_deref(), Some("some-model"));
                            assert!(gemini.approval_mode.is_some());
                        }
                        // A declared agent runs its declaration's command and nothing more.
                        AgentKind::Acp => assert_eq!(argv.count(), 1),
                    }
                }
            }
        }
        assert!(Claude::try_parse_from(["claude", "--dangerously-skip-permissions"]).is_err());
        let one_shot = Claude::try_parse_from(["claude", "-p", "--", "-say", "hi"]).unwrap();
        assert_eq!(one_shot.prompt, ["-say", "hi"]);
    }

    #[test]
    fn reads_codex_exec_and_its_resume() {
        let Codex {
            command: CodexCommand::Exec(exec),
        } = Codex::try_parse_from([
            "codex",
            "exec",
            "--json",
            "-c",
            "a=1",
            "-c",
            "b=2",
            "-s",
            "read-only",
            "--",
            "-",
        ])
        .unwrap();
        assert_eq!(exec.config, ["a=1", "b=2"]);
        assert_eq!(exec.sandbox.as_deref(), Some("read-only"));
        assert_eq!(exec.thread_and_prompt(), (None, "-".to_string()));
        let Codex {
            command: CodexCommand::Exec(resumed),
        } = Codex::try_parse_from([
            "codex",
            "exec",
            "--json",
            "-s",
            "workspace-write",
            "resume",
            "t-9",
            "--",
            "resume",
        ])
        .unwrap();
        assert_eq!(
            resumed.thread_and_prompt(),
            (Some("t-9"), "resume".to_string())
        );
        assert!(Codex::try_parse_from(["codex", "login"]).is_err());
    }
}
