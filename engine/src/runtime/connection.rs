//! "Test connection": the selected runtime runs once, in a temporary directory, with a prompt
//! that asks for the exact reply `ok`. Its final answer is the sample; an error, a reconnect
//! or a status event never is. The turn runs through the same [`AgentRun`] as a session's.

use crate::agents::{AcpAgentSpec, TurnLaunch, final_answer, turn_failure};
use crate::sessions::process::SpawnError;
use crate::sessions::run::{AgentRun, RunOutput, RunStart};
use crate::{Engine, EngineError, EngineResult};
use model::{
    AgentKind, ConnectionReport, PermissionAnswer, PermissionPolicy, RuntimeRequest, StreamEvent,
};
use std::time::Instant;

pub const CONNECTION_PROMPT: &str =
    "This is a connection test. Reply with exactly: ok (nothing else, use no tools).";

/// How the one test turn ended.
enum Ending {
    Turn,
    Exited(String),
    TimedOut,
    /// The model API refused the key: the CLI would retry for minutes, to no avail.
    KeyRefused(String),
}

impl Engine {
    /// Runs the selected runtime once. An incomplete request is refused (nothing runs); every
    /// other outcome, failures included, is a report.
    pub async fn test_connection(&self, request: RuntimeRequest) -> EngineResult<ConnectionReport> {
        let env = self.launch_env(&request)?;
        let selection = &request.selection;
        let agent = selection.agent;
        let dir = tempfile::Builder::new()
            .prefix("devlog-connection-test-")
            .tempdir()
            .map_err(|e| EngineError::Refused(format!("No temporary directory: {e}")))?;
        // Codex refuses to run outside a git repository (without --skip-git-repo-check).
        if let Err(e) = crate::git::git(dir.path(), &["init", "--quiet"]).await {
            tracing::warn!(error = %e, "connection test: git init of the temporary directory");
        }
        // The safest policy: the test needs no tool, and nothing may write.
        let permission = match agent {
            AgentKind::ClaudeCode => PermissionPolicy::Ask,
            AgentKind::Codex => PermissionPolicy::ReadOnly,
            AgentKind::Gemini => PermissionPolicy::GeminiPlan,
            // Whatever a declared agent asks is denied below.
            AgentKind::Acp => PermissionPolicy::AcpAsk,
        };
        let program = self
            .config()
            .program(selection)
            .map_err(|e| EngineError::Refused(e.to_string()))?;
        let launch =
            TurnLaunch::from_selection(selection, permission, program, CONNECTION_PROMPT.into())
                .map_err(|e| EngineError::Refused(format!("Cannot start the agent: {e}")))?;
        let started = Instant::now();
        let report = |ok: bool, sample: Option<String>, error: Option<String>| ConnectionReport {
            ok,
            sample,
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            error,
        };
        let start = RunStart {
            launch: &launch,
            resume: None,
            history: None,
            cwd: dir.path(),
            env: &env,
            mark: &connection_mark(),
            secrets: request.secrets.clone(),
        };
        let mut run = match AgentRun::start(agent, start).await {
            Ok(run) => run,
            Err(SpawnError::NotFound(program)) => {
                let declared = self.config().declared(selection).ok().flatten();
                let message = missing_cli(agent, declared, &program);
                return Ok(report(false, None, Some(message)));
            }
            Err(e) => return Ok(report(false, None, Some(e.to_string()))),
        };
        let mut events = Vec::new();
        let mut stderr: Option<String> = None;
        let timeout = self.config().connection_timeout;
        let ending = tokio::time::timeout(timeout, async {
            while let Some(output) = run.next().await {
                match output {
                    RunOutput::Events(parsed, _) => {
                        for event in parsed {
                            if let StreamEvent::PermissionRequest { request_id, .. } = &event {
                                let deny = PermissionAnswer::Deny {
                                    message: "A connection test uses no tools.".into(),
                                    interrupt: true,
                                    option: None,
                                };
                                if let Err(e) = run.answer_permission(request_id, &deny).await {
                                    tracing::warn!("connection test: denying a tool: {e}");
                                }
                            }
                            if let Some(cause) = refused_key(&event) {
                                return Ending::KeyRefused(cause.to_string());
                            }
                            let ended = matches!(event, StreamEvent::TurnEnded { .. });
                            events.push(event);
                            if ended {
                                return Ending::Turn;
                            }
                        }
                    }
                    RunOutput::Stderr(line) if !line.trim().is_empty() => stderr = Some(line),
                    RunOutput::Stderr(_) => {}
                    RunOutput::Exited(exit) => return Ending::Exited(exit.describe()),
                }
            }
            Ending::Exited("ended".into())
        })
        .await
        .unwrap_or(Ending::TimedOut);
        run.stop_group(self.config().kill_grace);
        let failure = turn_failure(&events);
        Ok(match (ending, final_answer(&events)) {
            (Ending::Turn, Some(sample)) => report(true, Some(sample), None),
            (Ending::KeyRefused(cause), _) => report(false, None, Some(describe_failure(&cause))),
            (Ending::TimedOut, _) => report(
                false,
                None,
                Some(format!(
                    "No answer within {} s: the CLI may be waiting for a login, or the model API is unreachable.",
                    timeout.as_secs()
                )),
            ),
            (Ending::Turn, None) => {
                let text = failure.unwrap_or_else(|| "The agent gave an empty answer.".into());
                report(false, None, Some(describe_failure(&text)))
            }
            (Ending::Exited(how), _) => {
                let detail = failure.or(stderr).unwrap_or_default();
                let text = format!("{} {how} before answering. {detail}", agent.label());
                report(false, None, Some(describe_failure(text.trim())))
            }
        })
    }
}

/// The mark of a connection test's process: not a session's, so never looked for at start-up
/// (its process dies with the server's `kill_on_drop`, or by itself).
fn connection_mark() -> String {
    crate::sessions::ownership::new_mark(model::SessionId(0))
}

/// The cause of a retry that will never succeed, because the key was refused: "API request
/// failed (HTTP 401, authentication_failed)" of "…; retrying 1/10 in 589 ms". The retry's
/// count and delay are left out before looking, so a delay of 4030 ms is not an HTTP 403.
fn refused_key(event: &StreamEvent) -> Option<&str> {
    let StreamEvent::Error {
        retrying: true,
        message,
    } = event
    else {
        return None;
    };
    let cause = message.split("; retrying").next().unwrap_or(message);
    is_auth_failure(cause).then_some(cause)
}

/// The failure as the user should read it: an authentication problem says so first.
fn describe_failure(text: &str) -> String {
    if is_auth_failure(text) {
        format!("Authentication failed: {text}. Check the key, or log the CLI in for Local CLI.")
    } else {
        text.to_string()
    }
}

/// Whether a CLI's error text says the credentials were refused or missing.
fn is_auth_failure(text: &str) -> bool {
    let lower = text.to_lowercase();
    [
        "api key",
        "401",
        "403",
        "unauthorized",
        "authentication",
        "not logged in",
        "/login",
        "missing environment variable",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

/// A CLI that is not installed, with how to fix it; a declared agent's own install hint.
pub fn missing_cli(agent: AgentKind, declared: Option<&AcpAgentSpec>, program: &str) -> String {
    let (label, install, flag) = match (agent, declared) {
        (AgentKind::Acp, Some(spec)) => (
            spec.label.as_str(),
            spec.install.clone(),
            format!("--agent {}=/path/to/{}", spec.name, spec.command_line()),
        ),
        (AgentKind::ClaudeCode, _) => (agent.label(), None, "--claude-bin <path>".into()),
        (AgentKind::Codex, _) => (agent.label(), None, "--codex-bin <path>".into()),
        (AgentKind::Gemini, _) => (agent.label(), None, "--gemini-bin <path>".into()),
        (AgentKind::Acp, None) => (agent.label(), None, "--agent NAME=COMMAND".into()),
    };
    let install = install.or_else(|| {
        agent
            .npm_package()
            .map(|package| format!("npm install -g {package}"))
    });
    let install = install
        .map(|how| format!("Install it ({how}) or start"))
        .unwrap_or_else(|| "Start".into());
    format!(
        "{label} is not installed: '{program}' was not found. {install} the server with {flag}."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_failures_are_named_and_others_kept() {
        for text in [
            "Invalid API key · Fix external API key",
            "Not logged in · Please run /login",
            "unexpected status 401 Unauthorized: Incorrect API key provided",
            "Missing environment variable: `OPENAI_API_KEY`.",
        ] {
            assert!(
                describe_failure(text).starts_with("Authentication failed: "),
                "{text}"
            );
        }
        assert_eq!(describe_failure("overloaded"), "overloaded");
    }

    #[test]
    fn only_a_retry_for_a_refused_key_ends_the_test() {
        let retry = |message: &str, retrying| StreamEvent::Error {
            message: message.into(),
            retrying,
        };
        let refused = "API request failed (HTTP 401, authentication_failed)";
        assert_eq!(
            refused_key(&retry(&format!("{refused}; retrying 1/10 in 589 ms"), true)),
            Some(refused)
        );
        let overloaded = "API request failed (HTTP 529, overloaded); retrying 3/10 in 4030 ms";
        assert_eq!(refused_key(&retry(overloaded, true)), None);
        assert_eq!(
            refused_key(&retry(refused, false)),
            None,
            "a final error ends the turn itself"
        );
    }

    #[test]
    fn a_missing_cli_says_how_to_install_it() {
        let message = missing_cli(AgentKind::Codex, None, "codex");
        assert!(message.starts_with("Codex CLI is not installed: 'codex' was not found."));
        assert!(message.contains("npm install -g @openai/codex"));
        assert!(message.contains("--codex-bin"));
        let qwen = &crate::agents::builtin_agents()[0];
        let message = missing_cli(AgentKind::Acp, Some(qwen), "qwen");
        assert_eq!(
            message,
            "Qwen Code is not installed: 'qwen' was not found. Install it (npm install -g @qwen-code/qwen-code) or start the server with --agent qwen=/path/to/qwen --acp."
        );
    }
}
