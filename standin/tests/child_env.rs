//! The server's own secrets never reach an agent (DESIGN §5): a real child dumps its
//! environment, in every mode, from a server whose environment holds keys and tokens of its
//! own — and a variable one project named for server-env mode.
//!
//! One test in its own binary: it sets this process's environment (the server's), which no
//! other test may read meanwhile.

mod common;

use common::*;
use model::{AgentKind, ExecutionMode, RuntimeRequest, RuntimeSelection, Secret, TransientSecrets};
use serde_json::Value;

const SERVER_SECRETS: [(&str, &str); 6] = [
    ("ANTHROPIC_API_KEY", "sk-server-anthropic"),
    ("OPENAI_API_KEY", "sk-server-openai"),
    ("GITHUB_TOKEN", "ghp-server-github"),
    ("DEVLOG_TOKEN", "devlog-server-access-token"),
    ("SOME_SERVICE_SECRET", "server-service-secret"),
    // Named by a project for "Server environment variable" mode: a secret by that.
    ("TEAM_VAULT", "sk-server-team-vault"),
];
const BYOK_KEY: &str = "sk-browser-key-0001";

fn dumped(path: &std::path::Path) -> serde_json::Map<String, Value> {
    let json: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    json["env"].as_object().unwrap().clone()
}

fn request(mode: ExecutionMode, agent: AgentKind) -> RuntimeRequest {
    RuntimeRequest {
        selection: RuntimeSelection {
            mode,
            agent,
            ..RuntimeSelection::default()
        },
        secrets: TransientSecrets {
            api_key: Some(Secret::new(BYOK_KEY)),
            cli_env: Vec::new(),
        },
    }
}

/// The environment a session's first turn runs with.
async fn child_env_of(b: &Bench, runtime: RuntimeRequest) -> serde_json::Map<String, Value> {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("env.json");
    let start = model::SessionStart {
        prompt: format!("DUMP_ENV {}", file.display()),
        permission: None,
    };
    let s = b
        .engine
        .start_session(b.project.id, start, runtime)
        .await
        .unwrap();
    b.wait_until(&s, |e| turns_ended(e) == 1).await;
    dumped(&file)
}

fn leaked(env: &serde_json::Map<String, Value>) -> Vec<String> {
    SERVER_SECRETS
        .iter()
        .filter(|(_, value)| env.values().any(|v| v.as_str() == Some(value)))
        .map(|(name, _)| name.to_string())
        .collect()
}

#[tokio::test]
async fn no_server_secret_reaches_an_agent_unless_its_selection_names_it() {
    for (name, value) in SERVER_SECRETS {
        // SAFETY: the only test of this binary, before anything else reads the environment.
        unsafe { std::env::set_var(name, value) };
    }
    let b = bench().await;
    // A project names TEAM_VAULT for server-env mode (saved: from now on it is a secret).
    let mut named = request(ExecutionMode::BackendEnv, AgentKind::ClaudeCode).selection;
    named.env_var = Some("TEAM_VAULT".into());
    b.engine
        .save_runtime_selection(b.project.id, named.clone())
        .await
        .unwrap();

    for agent in [AgentKind::ClaudeCode, AgentKind::Codex] {
        let env = child_env_of(&b, request(ExecutionMode::Byok, agent)).await;
        assert_eq!(leaked(&env), Vec::<String>::new(), "BYOK {agent:?}");
        assert!(env.values().any(|v| v.as_str() == Some(BYOK_KEY)));
        assert!(env.contains_key("PATH") && env.contains_key("HOME"));
        assert!(env.contains_key("DEVLOG_AGENT_MARK"), "the ownership mark");

        let mut local = request(ExecutionMode::LocalCli, agent);
        local.selection.base_url = Some("http://127.0.0.1:9/v1".into());
        let env = child_env_of(&b, local).await;
        assert_eq!(leaked(&env), Vec::<String>::new(), "Local CLI {agent:?}");
        assert!(!env.values().any(|v| v.as_str() == Some(BYOK_KEY)));
    }

    // The one exception: the variable the selection names, under the CLI's own name.
    let env = child_env_of(
        &b,
        RuntimeRequest {
            selection: named,
            secrets: TransientSecrets::default(),
        },
    )
    .await;
    assert_eq!(
        env.get("ANTHROPIC_API_KEY").and_then(Value::as_str),
        Some("sk-server-team-vault")
    );
    assert!(!env.contains_key("TEAM_VAULT"));
    assert_eq!(leaked(&env), ["TEAM_VAULT"], "only the named one");
}
