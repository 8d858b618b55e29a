use super::*;
use model::{CliEnvVar, Provider, RuntimeSelection, Secret, TransientSecrets};

const KEY: &str = "sk-test-0123456789";

/// The child environment of `r`, its key under its agent's variables.
fn env_for(r: &RuntimeRequest, server: &ServerEnv) -> Result<ChildEnv, RuntimeError> {
    let vars: Vec<String> = key_vars(r.selection.agent)
        .iter()
        .map(|v| v.to_string())
        .collect();
    child_env(r, &vars, server)
}

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

/// A server whose own environment holds keys of its own, one of them named by a project
/// (`TEAM_KEY`) and one of them named like nothing secret (`TEAM_VAULT`, named too).
fn server() -> ServerEnv {
    let vars = [
        ("PATH", "/usr/bin"),
        ("HOME", "/home/dev"),
        ("LANG", "C.UTF-8"),
        ("TEAM_KEY", " sk-team "),
        ("TEAM_VAULT", "sk-vault"),
        ("BLANK_KEY", "  "),
        ("ANTHROPIC_API_KEY", "sk-server"),
        ("OPENAI_API_KEY", "sk-server"),
        ("GITHUB_TOKEN", "ghp-server"),
        ("DEVLOG_TOKEN", "devlog-access"),
        ("AWS_SECRET_ACCESS_KEY", "aws"),
        ("Db_Password", "hunter2"),
    ];
    ServerEnv::new(
        vars.iter().map(|(k, v)| (k.into(), v.into())).collect(),
        ["TEAM_KEY".to_string(), "TEAM_VAULT".to_string()].into(),
    )
}

fn set(env: &ChildEnv) -> Vec<(&str, &str)> {
    env.set()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The names and values the child sees, as text.
fn seen(env: &ChildEnv) -> Vec<(String, String)> {
    env.vars()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        })
        .collect()
}

/// No server secret, whatever the mode: only what the request itself put in.
fn assert_no_server_secret(env: &ChildEnv) {
    for (name, value) in seen(env) {
        assert!(
            ![
                "sk-server",
                "ghp-server",
                "devlog-access",
                "aws",
                "hunter2",
                "sk-vault"
            ]
            .contains(&value.as_str()),
            "{name} leaked"
        );
    }
    for kept in ["PATH", "HOME", "LANG"] {
        assert!(env.has(kept), "{kept} is not a secret");
    }
}

#[test]
fn secret_names_are_recognised_by_their_shape() {
    for name in [
        "ANTHROPIC_API_KEY",
        "openai_api_key",
        "GITHUB_TOKEN",
        "DEVLOG_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "MY_SECRET",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "PGPASSWORD",
        "DB_PASSWORD",
        "TOKEN",
        "API_KEY",
    ] {
        assert!(is_secret_name(name), "{name}");
    }
    for name in [
        "PATH",
        "HOME",
        "ANTHROPIC_BASE_URL",
        "KEYBOARD",
        "TOKENIZERS_PARALLELISM",
        "SSH_AUTH_SOCK",
    ] {
        assert!(!is_secret_name(name), "{name}");
    }
}

#[test]
fn byok_puts_the_key_under_the_variables_the_cli_reads_and_passes_no_server_secret() {
    let claude = env_for(
        &request(ExecutionMode::Byok, AgentKind::ClaudeCode, Some(KEY)),
        &server(),
    )
    .unwrap();
    assert_eq!(set(&claude), [("ANTHROPIC_API_KEY", KEY)]);
    assert_no_server_secret(&claude);
    assert_eq!(
        seen(&claude)
            .iter()
            .filter(|(k, _)| k == "ANTHROPIC_API_KEY")
            .count(),
        1
    );
    let codex = env_for(
        &request(ExecutionMode::Byok, AgentKind::Codex, Some(KEY)),
        &server(),
    )
    .unwrap();
    assert_eq!(
        set(&codex),
        [("OPENAI_API_KEY", KEY), ("CODEX_API_KEY", KEY)]
    );
    assert_no_server_secret(&codex);
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
            env_for(
                &request(ExecutionMode::Byok, AgentKind::Codex, key),
                &server()
            ),
            Err(RuntimeError::Problem(RuntimeProblem::MissingApiKey))
        );
    }
}

#[test]
fn local_cli_passes_no_server_key_even_with_a_base_url_and_adds_cli_env() {
    let mut r = request(ExecutionMode::LocalCli, AgentKind::ClaudeCode, Some(KEY));
    r.secrets.cli_env = vec![CliEnvVar {
        name: "HTTPS_PROXY".into(),
        value: Secret::new("http://proxy:3128"),
    }];
    let env = env_for(&r, &server()).unwrap();
    // A stray BYOK key in the request is not used in Local CLI mode.
    assert_eq!(set(&env), [("HTTPS_PROXY", "http://proxy:3128")]);
    assert_no_server_secret(&env);
    assert!(!env.has("ANTHROPIC_API_KEY"));
    // The CLI's own login, whatever the endpoint: a custom base URL changes nothing.
    r.selection.base_url = Some("https://proxy.example".into());
    let env = env_for(&r, &server()).unwrap();
    assert_no_server_secret(&env);
    assert!(!env.has("ANTHROPIC_API_KEY") && !env.has("OPENAI_API_KEY"));
}

#[test]
fn backend_env_copies_the_named_server_variable_under_the_clis_name_and_nothing_else() {
    let mut r = request(ExecutionMode::BackendEnv, AgentKind::ClaudeCode, None);
    r.selection.env_var = Some("TEAM_KEY".into());
    let env = env_for(&r, &server()).unwrap();
    assert_eq!(set(&env), [("ANTHROPIC_API_KEY", "sk-team")]);
    assert_no_server_secret(&env);
    // The variable itself (a secret, named by a project) is not inherited under its name.
    assert!(!env.has("TEAM_KEY"));
    for unset in ["NOT_THERE", "BLANK_KEY"] {
        r.selection.env_var = Some(unset.into());
        let err = env_for(&r, &server()).unwrap_err();
        assert_eq!(err, RuntimeError::ServerEnvUnset(unset.into()));
        assert!(err.to_string().contains(&format!("{unset} is not set")));
    }
}

#[test]
fn a_variable_named_by_one_project_reaches_no_other_child() {
    // TEAM_VAULT does not look like a secret, but a project named it for server-env mode.
    let r = request(ExecutionMode::Byok, AgentKind::Codex, Some(KEY));
    let env = env_for(&r, &server()).unwrap();
    assert!(!env.has("TEAM_VAULT"));
    let unnamed = ServerEnv::new(vec![("TEAM_VAULT".into(), "v".into())], Default::default());
    assert!(env_for(&r, &unnamed).unwrap().has("TEAM_VAULT"));
}

#[test]
fn an_incomplete_or_malformed_selection_builds_nothing() {
    let mut r = request(ExecutionMode::Byok, AgentKind::Codex, Some(KEY));
    r.selection.provider = Some(Provider::OpenAiCompatible);
    assert_eq!(
        env_for(&r, &server()),
        Err(RuntimeError::Problem(RuntimeProblem::MissingBaseUrl))
    );
    r.selection.provider = Some(Provider::Anthropic);
    assert!(matches!(
        env_for(&r, &server()),
        Err(RuntimeError::Problem(
            RuntimeProblem::ProviderNotForAgent { .. }
        ))
    ));
}

#[test]
fn fingerprints_tell_keys_apart_without_holding_them() {
    let hasher = RandomState::new();
    let env = |key: &str| {
        env_for(
            &request(ExecutionMode::Byok, AgentKind::Codex, Some(key)),
            &server(),
        )
        .unwrap()
    };
    assert_eq!(
        env("key-a").fingerprint(&hasher),
        env(" key-a ").fingerprint(&hasher)
    );
    assert_ne!(
        env("key-a").fingerprint(&hasher),
        env("key-b").fingerprint(&hasher)
    );
}

#[test]
fn a_declared_agents_key_goes_into_its_own_variable_and_none_is_refused() {
    let mut r = request(ExecutionMode::Byok, AgentKind::Acp, Some(KEY));
    r.selection.acp_agent = Some("qwen".into());
    let env = child_env(&r, &["OPENAI_API_KEY".to_string()], &server()).unwrap();
    assert_eq!(set(&env), [("OPENAI_API_KEY", KEY)]);
    assert_no_server_secret(&env);
    assert_eq!(
        child_env(&r, &[], &server()),
        Err(RuntimeError::NoKeyVariable)
    );
    r.selection.mode = ExecutionMode::LocalCli;
    r.secrets.api_key = None;
    assert!(
        child_env(&r, &[], &server()).is_ok(),
        "its own login needs none"
    );
}
