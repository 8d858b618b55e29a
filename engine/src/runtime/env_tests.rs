use super::*;
use model::{CliEnvVar, Provider, RuntimeSelection, Secret, TransientSecrets};

const KEY: &str = "sk-test-0123456789";

fn request(mode: ExecutionMode, agent: AgentKind, key: Option<&str>) -> RuntimeRequest {
    RuntimeRequest {
        selection: RuntimeSelection {
            mode,
            agent,
            ..RuntimeSelection::default()
        },
        secrets: TransientSecrets {
            api_key: key.map(Secret::new),
            cli_env: Vec::new(),
        },
    }
}

/// A server whose own environment holds keys of its own.
fn server_env(name: &str) -> Option<String> {
    match name {
        "TEAM_KEY" => Some(" sk-team ".into()),
        "BLANK_KEY" => Some("  ".into()),
        "ANTHROPIC_API_KEY" | "OPENAI_API_KEY" => Some("sk-server".into()),
        _ => None,
    }
}

fn set(env: &ChildEnv) -> Vec<(&str, &str)> {
    env.set()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[test]
fn byok_puts_the_key_under_the_variables_the_cli_reads_and_strips_the_servers() {
    let claude = child_env(
        &request(ExecutionMode::Byok, AgentKind::ClaudeCode, Some(KEY)),
        server_env,
    )
    .unwrap();
    assert_eq!(set(&claude), [("ANTHROPIC_API_KEY", KEY)]);
    assert_eq!(claude.remove(), SERVER_KEY_VARS);
    let codex = child_env(
        &request(ExecutionMode::Byok, AgentKind::Codex, Some(KEY)),
        server_env,
    )
    .unwrap();
    assert_eq!(
        set(&codex),
        [("OPENAI_API_KEY", KEY), ("CODEX_API_KEY", KEY)]
    );
    assert_eq!(codex.remove(), SERVER_KEY_VARS);
    // The debug form names the variables and never shows the key.
    let shown = format!("{claude:?}");
    assert!(
        shown.contains("ANTHROPIC_API_KEY") && !shown.contains(KEY),
        "{shown}"
    );
}

#[test]
fn byok_without_a_key_is_refused_with_the_reason() {
    for key in [None, Some("   ")] {
        assert_eq!(
            child_env(
                &request(ExecutionMode::Byok, AgentKind::Codex, key),
                server_env
            ),
            Err(RuntimeError::Problem(RuntimeProblem::MissingApiKey))
        );
    }
}

#[test]
fn local_cli_strips_server_keys_unless_a_base_url_is_set_and_adds_cli_env() {
    let mut r = request(ExecutionMode::LocalCli, AgentKind::ClaudeCode, Some(KEY));
    r.secrets.cli_env = vec![CliEnvVar {
        name: "HTTPS_PROXY".into(),
        value: Secret::new("http://proxy:3128"),
    }];
    let env = child_env(&r, server_env).unwrap();
    // A stray BYOK key in the request is not used in Local CLI mode.
    assert_eq!(set(&env), [("HTTPS_PROXY", "http://proxy:3128")]);
    for var in [
        "ANTHROPIC_API_KEY",
        "OPENAI_API_KEY",
        "CODEX_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
    ] {
        assert!(env.remove().contains(&var), "{var}");
    }
    r.selection.base_url = Some("https://proxy.example".into());
    assert!(child_env(&r, server_env).unwrap().remove().is_empty());
}

#[test]
fn backend_env_copies_the_named_server_variable_under_the_clis_name() {
    let mut r = request(ExecutionMode::BackendEnv, AgentKind::ClaudeCode, None);
    r.selection.env_var = Some("TEAM_KEY".into());
    let env = child_env(&r, server_env).unwrap();
    assert_eq!(set(&env), [("ANTHROPIC_API_KEY", "sk-team")]);
    for unset in ["NOT_THERE", "BLANK_KEY"] {
        r.selection.env_var = Some(unset.into());
        let err = child_env(&r, server_env).unwrap_err();
        assert_eq!(err, RuntimeError::ServerEnvUnset(unset.into()));
        assert!(err.to_string().contains(&format!("{unset} is not set")));
    }
}

#[test]
fn an_incomplete_or_malformed_selection_builds_nothing() {
    let mut r = request(ExecutionMode::Byok, AgentKind::Codex, Some(KEY));
    r.selection.provider = Some(Provider::OpenAiCompatible);
    assert_eq!(
        child_env(&r, server_env),
        Err(RuntimeError::Problem(RuntimeProblem::MissingBaseUrl))
    );
    r.selection.provider = Some(Provider::Anthropic);
    assert!(matches!(
        child_env(&r, server_env),
        Err(RuntimeError::Problem(
            RuntimeProblem::ProviderNotForAgent { .. }
        ))
    ));
}

#[test]
fn fingerprints_tell_keys_apart_without_holding_them() {
    let hasher = RandomState::new();
    let a = child_env(
        &request(ExecutionMode::Byok, AgentKind::Codex, Some("key-a")),
        server_env,
    )
    .unwrap();
    let a2 = child_env(
        &request(ExecutionMode::Byok, AgentKind::Codex, Some(" key-a ")),
        server_env,
    )
    .unwrap();
    let b = child_env(
        &request(ExecutionMode::Byok, AgentKind::Codex, Some("key-b")),
        server_env,
    )
    .unwrap();
    assert_eq!(a.fingerprint(&hasher), a2.fingerprint(&hasher));
    assert_ne!(a.fingerprint(&hasher), b.fingerprint(&hasher));
}
