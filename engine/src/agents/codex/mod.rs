//! Codex CLI, driven through `codex exec --json`: one process per turn, the prompt in argv
//! (after `--`), stdin `/dev/null`; a continuation is `codex exec … resume <thread_id>`.
//! Codex asks no permission in `exec`: its sandbox mode is the policy.

mod parse;

pub(crate) use parse::{FILE_CHANGE_TOOL, change_paths};

use super::{AgentAdapter, CommandSpec, LineCli, StdinMode, TurnLaunch, check_session_id};
use model::{AgentKind, PermissionPolicy, StreamEvent};

/// Prompts longer than this go in on stdin instead: Linux refuses a single argv string over
/// 128 KiB (`E2BIG`), and a long prompt in argv shows in `ps` anyway.
const MAX_PROMPT_ARG_BYTES: usize = 64 * 1024;

/// Switches off Codex's shell snapshots (`[features] shell_snapshot`, Codex 0.171).
pub const NO_SHELL_SNAPSHOT: &str = "features.shell_snapshot=false";

/// The variable Codex's OpenAI provider (and ours, for a custom base URL) reads its key from.
pub const OPENAI_KEY_VAR: &str = "OPENAI_API_KEY";

/// The Codex CLI adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Codex;

/// The `-s` value; a Claude policy never widens Codex's sandbox (it falls back to the default).
fn sandbox(policy: PermissionPolicy) -> &'static str {
    match policy.for_agent(AgentKind::Codex) {
        PermissionPolicy::ReadOnly => "read-only",
        PermissionPolicy::DangerFullAccess => "danger-full-access",
        _ => "workspace-write",
    }
}

impl AgentAdapter for Codex {
    fn command(&self, launch: &TurnLaunch, resume: Option<&str>) -> CommandSpec {
        let mut args: Vec<String> = vec!["exec".into(), "--json".into()];
        // Codex writes its whole environment — the key included — to a world-readable
        // `$CODEX_HOME/shell_snapshots/*.sh`, removed only on a normal exit: a turn we stop
        // would leave the key on disk. Its tools work without the snapshot.
        args.extend(["-c".to_string(), NO_SHELL_SNAPSHOT.to_string()]);
        if let Some(model) = &launch.model {
            args.extend(["-m".to_string(), model.to_string()]);
        }
        if let Some(effort) = launch.reasoning_effort {
            let effort = effort.as_str();
            args.extend(["-c".to_string(), format!("model_reasoning_effort={effort}")]);
        }
        if let Some(url) = &launch.base_url {
            // A provider of our own pointing at the URL; it reads the key from the same
            // variable as the built-in OpenAI provider, so every mode fills one variable.
            // The URL was checked free of quotes, so it cannot leave its TOML string.
            for option in [
                "model_providers.devlog.name=\"DevLog custom endpoint\"".to_string(),
                format!("model_providers.devlog.base_url=\"{url}\""),
                format!("model_providers.devlog.env_key=\"{OPENAI_KEY_VAR}\""),
                "model_provider=\"devlog\"".to_string(),
            ] {
                args.extend(["-c".to_string(), option]);
            }
        }
        args.extend(["-s".to_string(), sandbox(launch.permission).to_string()]);
        // Parent options go before `resume`; an id that could be a flag is never passed.
        if let Some(id) = resume.filter(|id| check_session_id(id).is_ok()) {
            args.extend(["resume".to_string(), id.to_string()]);
        }
        // `--`: a prompt starting with '-' (or equal to `resume`) stays the prompt.
        args.push("--".into());
        // `-` makes Codex read the prompt from stdin; a prompt that *is* "-" goes that way too.
        let (stdin, prompt_on_stdin) =
            if launch.prompt.len() > MAX_PROMPT_ARG_BYTES || launch.prompt == "-" {
                args.push("-".into());
                (StdinMode::PromptThenEof, Some(launch.prompt.clone()))
            } else {
                args.push(launch.prompt.clone());
                (StdinMode::Null, None)
            };
        CommandSpec {
            program: launch.program.path.clone(),
            args,
            env: Vec::new(),
            stdin,
            prompt_on_stdin,
        }
    }
}

impl LineCli for Codex {
    fn parse_line(&self, line: &str) -> Vec<StreamEvent> {
        parse::parse_line(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::PermissionAnswer;
    use std::path::PathBuf;

    fn launch(permission: PermissionPolicy, prompt: &str) -> TurnLaunch {
        TurnLaunch {
            program: PathBuf::from("codex").into(),
            prompt: prompt.into(),
            model: None,
            reasoning_effort: None,
            base_url: None,
            permission,
        }
    }

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn argv_per_sandbox() {
        let cases = [
            (PermissionPolicy::ReadOnly, "read-only"),
            (PermissionPolicy::WorkspaceWrite, "workspace-write"),
            (PermissionPolicy::DangerFullAccess, "danger-full-access"),
            (PermissionPolicy::Bypass, "workspace-write"),
            (PermissionPolicy::Ask, "workspace-write"),
        ];
        for (policy, mode) in cases {
            let spec = Codex.first_turn(&launch(policy, "say ok"));
            assert_eq!(
                spec.args,
                args(&[
                    "exec",
                    "--json",
                    "-c",
                    NO_SHELL_SNAPSHOT,
                    "-s",
                    mode,
                    "--",
                    "say ok"
                ]),
                "{policy:?}"
            );
            assert_eq!(spec.stdin, StdinMode::Null);
            assert_eq!(spec.prompt_on_stdin, None);
        }
    }

    #[test]
    fn model_effort_and_resume() {
        let launch = TurnLaunch {
            model: Some("gpt-5.5".into()),
            reasoning_effort: Some(model::runtime::Effort::High),
            ..launch(PermissionPolicy::WorkspaceWrite, "-rf next step")
        };
        assert_eq!(
            Codex.first_turn(&launch).args,
            args(&[
                "exec",
                "--json",
                "-c",
                NO_SHELL_SNAPSHOT,
                "-m",
                "gpt-5.5",
                "-c",
                "model_reasoning_effort=high",
                "-s",
                "workspace-write",
                "--",
                "-rf next step",
            ])
        );
        let thread = "01a21b24-927a-76a1-a75b-813e79665b7b";
        assert_eq!(
            Codex.continuation(&launch, thread).args,
            args(&[
                "exec",
                "--json",
                "-c",
                NO_SHELL_SNAPSHOT,
                "-m",
                "gpt-5.5",
                "-c",
                "model_reasoning_effort=high",
                "-s",
                "workspace-write",
                "resume",
                thread,
                "--",
                "-rf next step",
            ])
        );
        assert_eq!(
            Codex.continuation(&launch, "--last").args,
            Codex.first_turn(&launch).args
        );
    }

    #[test]
    fn a_base_url_becomes_a_provider_reading_the_openai_key_variable() {
        let with_url = TurnLaunch {
            base_url: Some("http://127.0.0.1:9/v1".into()),
            ..launch(PermissionPolicy::WorkspaceWrite, "say ok")
        };
        let spec = Codex.first_turn(&with_url);
        assert_eq!(
            spec.args,
            args(&[
                "exec",
                "--json",
                "-c",
                NO_SHELL_SNAPSHOT,
                "-c",
                "model_providers.devlog.name=\"DevLog custom endpoint\"",
                "-c",
                "model_providers.devlog.base_url=\"http://127.0.0.1:9/v1\"",
                "-c",
                "model_providers.devlog.env_key=\"OPENAI_API_KEY\"",
                "-c",
                "model_provider=\"devlog\"",
                "-s",
                "workspace-write",
                "--",
                "say ok",
            ])
        );
        assert!(spec.env.is_empty());
        // A URL that could leave its TOML string never gets here: `TurnLaunch::from_selection`
        // refuses it (tested in `agents`).
    }

    #[test]
    fn long_prompts_and_a_bare_dash_go_on_stdin() {
        let long = "x".repeat(MAX_PROMPT_ARG_BYTES + 1);
        for prompt in [long.as_str(), "-"] {
            let spec = Codex.first_turn(&launch(PermissionPolicy::ReadOnly, prompt));
            assert_eq!(spec.args.last().map(String::as_str), Some("-"));
            assert_eq!(spec.args[spec.args.len() - 2], "--");
            assert_eq!(spec.stdin, StdinMode::PromptThenEof);
            assert_eq!(spec.prompt_on_stdin.as_deref(), Some(prompt));
        }
    }

    #[test]
    fn codex_takes_no_stdin_messages() {
        assert_eq!(Codex.user_message_line("hi"), None);
        assert_eq!(Codex.interrupt_line("r"), None);
        assert_eq!(
            Codex.permission_answer_line("r", &PermissionAnswer::allow()),
            None
        );
    }
}
