//! Claude Code, driven through `claude -p` with stream-json on both sides: one process takes
//! many turns; the prompt, every follow-up, permission answers and interrupts are lines on its
//! stdin (formats in `tests/fixtures/agents/README.md`).

mod parse;
mod usage;

use super::{AgentAdapter, CommandSpec, Heard, LineCli, StdinMode, TurnLaunch, check_session_id};
use model::{PermissionAnswer, PermissionPolicy, StreamEvent};
use serde_json::{Value, json};

/// The Claude Code adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClaudeCode;

impl AgentAdapter for ClaudeCode {
    /// `claude -p` in stream-json mode, with the policy's flags. The prompt is never in argv:
    /// it goes in on stdin, like every later message, so one path handles all of them and
    /// the prompt stays out of `ps`.
    ///
    /// `reasoning_effort` is not passed: the recorded Claude Code takes no effort flag in
    /// `-p` mode.
    fn command(&self, launch: &TurnLaunch, resume: Option<&str>) -> CommandSpec {
        let mut args: Vec<String> = [
            "-p",
            "--input-format",
            "stream-json",
            "--output-format",
            "stream-json",
            "--verbose",
            // Text as the model writes it (`stream_event` deltas), not only whole blocks.
            "--include-partial-messages",
        ]
        .map(String::from)
        .to_vec();
        let policy_args: &[&str] = match launch.permission {
            PermissionPolicy::AcceptEdits => &[
                "--permission-mode",
                "acceptEdits",
                "--permission-prompt-tool",
                "stdio",
            ],
            PermissionPolicy::Bypass => &["--permission-mode", "bypassPermissions"],
            // Ask. (A launch's policy is always its agent's: `TurnLaunch::from_selection`.)
            _ => &["--permission-prompt-tool", "stdio"],
        };
        args.extend(policy_args.iter().map(|a| a.to_string()));
        if let Some(model) = &launch.model {
            args.extend(["--model".to_string(), model.to_string()]);
        }
        // `--resume` takes an optional value, so an id that looks like a flag would be read
        // as one: only checked ids are passed.
        if let Some(id) = resume.filter(|id| check_session_id(id).is_ok()) {
            args.extend(["--resume".to_string(), id.to_string()]);
        }
        CommandSpec {
            program: launch.program.path.clone(),
            args,
            env: launch.base_url_env("ANTHROPIC_BASE_URL"),
            stdin: StdinMode::Pipe,
            prompt_on_stdin: Some(format!("{}\n", user_line(&launch.prompt))),
        }
    }

    fn keeps_process(&self) -> bool {
        true
    }
}

impl LineCli for ClaudeCode {
    fn parse_line(&self, line: &str) -> Vec<StreamEvent> {
        parse::parse_line(line)
    }

    fn hear(&self, line: &str) -> Heard {
        parse::hear_line(line)
    }

    fn user_message_line(&self, text: &str) -> Option<String> {
        Some(user_line(text))
    }

    fn permission_answer_line(
        &self,
        request_id: &str,
        answer: &PermissionAnswer,
    ) -> Option<String> {
        let decision = match answer {
            PermissionAnswer::Allow { updated_input, .. } => {
                let mut decision = json!({"behavior": "allow"});
                if let Some(input) = updated_input {
                    decision["updatedInput"] = input.clone();
                }
                decision
            }
            PermissionAnswer::Deny {
                message, interrupt, ..
            } => {
                let mut decision = json!({"behavior": "deny", "message": message});
                if *interrupt {
                    decision["interrupt"] = Value::Bool(true);
                }
                decision
            }
        };
        Some(
            json!({
                "type": "control_response",
                "response": {"subtype": "success", "request_id": request_id, "response": decision},
            })
            .to_string(),
        )
    }

    fn interrupt_line(&self, request_id: &str) -> Option<String> {
        Some(
            json!({
                "type": "control_request",
                "request_id": request_id,
                "request": {"subtype": "interrupt"},
            })
            .to_string(),
        )
    }
}

/// A stream-json user message: the prompt and every follow-up.
fn user_line(text: &str) -> String {
    json!({
        "type": "user",
        "session_id": "",
        "parent_tool_use_id": null,
        "message": {"role": "user", "content": [{"type": "text", "text": text}]},
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn launch(permission: PermissionPolicy) -> TurnLaunch {
        TurnLaunch {
            program: PathBuf::from("/usr/bin/claude").into(),
            prompt: "--dangerously-skip-permissions please".into(),
            model: None,
            reasoning_effort: None,
            base_url: None,
            permission,
        }
    }

    const BASE: [&str; 7] = [
        "-p",
        "--input-format",
        "stream-json",
        "--output-format",
        "stream-json",
        "--verbose",
        "--include-partial-messages",
    ];

    fn expected(extra: &[&str]) -> Vec<String> {
        BASE.iter().chain(extra).map(|a| a.to_string()).collect()
    }

    #[test]
    fn argv_per_policy() {
        let cases: [(PermissionPolicy, &[&str]); 4] = [
            (
                PermissionPolicy::Ask,
                &["--permission-prompt-tool", "stdio"],
            ),
            (
                PermissionPolicy::AcceptEdits,
                &[
                    "--permission-mode",
                    "acceptEdits",
                    "--permission-prompt-tool",
                    "stdio",
                ],
            ),
            (
                PermissionPolicy::Bypass,
                &["--permission-mode", "bypassPermissions"],
            ),
            // A Codex policy never widens Claude's: it falls back to asking.
            (
                PermissionPolicy::DangerFullAccess,
                &["--permission-prompt-tool", "stdio"],
            ),
        ];
        for (policy, extra) in cases {
            let spec = ClaudeCode.first_turn(&launch(policy));
            assert_eq!(spec.args, expected(extra), "{policy:?}");
            assert_eq!(spec.program, PathBuf::from("/usr/bin/claude"));
            assert_eq!(spec.stdin, StdinMode::Pipe);
            assert!(spec.env.is_empty());
        }
    }

    #[test]
    fn model_and_resume() {
        let launch = TurnLaunch {
            model: Some("claude-opus-5-5".into()),
            ..launch(PermissionPolicy::Ask)
        };
        let spec = ClaudeCode.continuation(&launch, "a3d62e19-2a19-4380-802e-5531bc5a77dc");
        assert_eq!(
            spec.args,
            expected(&[
                "--permission-prompt-tool",
                "stdio",
                "--model",
                "claude-opus-5-5",
                "--resume",
                "a3d62e19-2a19-4380-802e-5531bc5a77dc",
            ])
        );
        let bad = ClaudeCode.continuation(&launch, "--dangerously-skip-permissions");
        assert_eq!(bad.args, ClaudeCode.first_turn(&launch).args);
    }

    #[test]
    fn a_base_url_goes_in_the_environment_the_cli_reads() {
        let launch = TurnLaunch {
            base_url: Some("https://proxy.example/anthropic".into()),
            ..launch(PermissionPolicy::Ask)
        };
        let spec = ClaudeCode.first_turn(&launch);
        assert_eq!(
            spec.env,
            [(
                "ANTHROPIC_BASE_URL".to_string(),
                "https://proxy.example/anthropic".to_string()
            )]
        );
        assert!(!spec.args.iter().any(|a| a.contains("proxy")));
    }

    #[test]
    fn the_prompt_goes_on_stdin_never_in_argv() {
        let launch = launch(PermissionPolicy::Ask);
        for spec in [
            ClaudeCode.first_turn(&launch),
            ClaudeCode.continuation(&launch, "abc"),
        ] {
            assert!(spec.args.iter().all(|a| !a.contains("please")));
            let stdin = spec.prompt_on_stdin.expect("prompt on stdin");
            assert!(stdin.ends_with('\n'));
            assert_eq!(stdin.matches('\n').count(), 1, "one line");
            let line: Value = serde_json::from_str(stdin.trim_end()).unwrap();
            assert_eq!(line["message"]["content"][0]["text"], launch.prompt);
        }
    }

    #[test]
    fn multi_line_messages_stay_one_line() {
        let line = ClaudeCode.user_message_line("a\nb\n").unwrap();
        assert!(!line.contains('\n'));
        let value: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["message"]["content"][0]["text"], "a\nb\n");
    }
}
