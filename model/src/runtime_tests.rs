use super::*;

/// A selection of `agent` (a declared one named `qwen` for an ACP agent).
fn selection(mode: ExecutionMode, agent: AgentKind) -> RuntimeSelection {
    RuntimeSelection {
        mode,
        agent,
        acp_agent: (agent == AgentKind::Acp).then(|| "qwen".into()),
        ..RuntimeSelection::default()
    }
}

fn request(selection: RuntimeSelection, api_key: Option<&str>) -> RuntimeRequest {
    RuntimeRequest {
        selection,
        secrets: TransientSecrets {
            api_key: api_key.map(Secret::new),
            cli_env: Vec::new(),
        },
    }
}

fn env(name: &str, value: &str) -> CliEnvVar {
    CliEnvVar {
        name: name.into(),
        value: Secret::new(value),
    }
}

#[test]
fn local_cli_is_complete_without_any_secret() {
    for agent in AgentKind::ALL {
        let r = request(selection(ExecutionMode::LocalCli, agent), None);
        assert_eq!(r.readiness(), Ok(()));
    }
}

#[test]
fn byok_needs_a_key_and_blank_counts_as_absent() {
    let byok = selection(ExecutionMode::Byok, AgentKind::ClaudeCode);
    for key in [None, Some(""), Some("   "), Some("\n\t")] {
        assert_eq!(
            request(byok.clone(), key).readiness(),
            Err(RuntimeProblem::MissingApiKey),
            "{key:?}"
        );
    }
    assert_eq!(request(byok, Some("sk-ant-1")).readiness(), Ok(()));
    assert_eq!(
        RuntimeProblem::MissingApiKey.to_string(),
        "Bring your own key: enter an API key"
    );
}

#[test]
fn openai_compatible_needs_a_base_url() {
    let mut s = selection(ExecutionMode::Byok, AgentKind::Codex);
    s.provider = Some(Provider::OpenAiCompatible);
    s.base_url = Some("  ".into());
    assert_eq!(
        request(s.clone(), Some("k")).readiness(),
        Err(RuntimeProblem::MissingBaseUrl)
    );
    s.base_url = Some("http://127.0.0.1:8080/v1".into());
    assert_eq!(request(s, Some("k")).readiness(), Ok(()));
}

#[test]
fn backend_env_needs_a_variable_name_never_a_value() {
    let mut s = selection(ExecutionMode::BackendEnv, AgentKind::ClaudeCode);
    assert_eq!(
        request(s.clone(), None).readiness(),
        Err(RuntimeProblem::MissingEnvVar)
    );
    s.env_var = Some(" \t".into());
    assert_eq!(
        request(s.clone(), None).readiness(),
        Err(RuntimeProblem::MissingEnvVar)
    );
    s.env_var = Some("MY KEY".into());
    assert_eq!(
        request(s.clone(), None).readiness(),
        Err(RuntimeProblem::BadEnvVarName("MY KEY".into()))
    );
    s.env_var = Some(" TEAM_ANTHROPIC_KEY ".into());
    assert_eq!(request(s.clone(), None).readiness(), Ok(()));
    assert_eq!(s.env_var(), Some("TEAM_ANTHROPIC_KEY"));
}

#[test]
fn a_provider_must_belong_to_the_agent() {
    let mut s = selection(ExecutionMode::Byok, AgentKind::ClaudeCode);
    s.provider = Some(Provider::OpenAi);
    let problem = request(s, Some("k")).readiness().unwrap_err();
    assert_eq!(
        problem.to_string(),
        "Claude Code cannot use OpenAI: pick Anthropic"
    );
    let mut codex = selection(ExecutionMode::Byok, AgentKind::Codex);
    assert_eq!(codex.provider(), Provider::OpenAi);
    codex.provider = Some(Provider::Anthropic);
    assert!(codex.check().is_err());
}

#[test]
fn effort_is_codex_only_and_models_cannot_be_flags() {
    let mut s = selection(ExecutionMode::LocalCli, AgentKind::ClaudeCode);
    s.reasoning_effort = Some(Effort::High);
    assert_eq!(
        s.check(),
        Err(RuntimeProblem::EffortNotForAgent(AgentKind::ClaudeCode))
    );
    s.agent = AgentKind::Codex;
    assert_eq!(s.check(), Ok(()));
    for bad in ["--dangerously-skip-permissions", "gpt 5", "a\nb"] {
        s.model = Some(bad.into());
        assert_eq!(s.check(), Err(RuntimeProblem::BadModel(bad.into())));
    }
    s.model = Some("   ".into());
    assert_eq!((s.check(), s.model()), (Ok(()), None));
    s.model = Some(" openai/gpt-5 ".into());
    assert_eq!(s.model(), Some("openai/gpt-5"));
}

#[test]
fn base_urls_are_plain_http_addresses_without_credentials() {
    let mut s = selection(ExecutionMode::Byok, AgentKind::ClaudeCode);
    for ok in ["https://api.example.com", "http://127.0.0.1:4000/v1"] {
        s.base_url = Some(ok.into());
        assert_eq!(s.check(), Ok(()), "{ok}");
    }
    for bad in [
        "ftp://x",
        "api.example.com",
        "https://",
        "https://a b",
        "https://x\"\nmodel_provider=\"evil",
        "https://x/'",
    ] {
        s.base_url = Some(bad.into());
        assert!(
            matches!(s.check(), Err(RuntimeProblem::BadBaseUrl(_))),
            "{bad}"
        );
    }
    for leaky in [
        "https://me:sk-secret@proxy.example",
        "https://proxy.example/v1?api-key=sk-secret",
        "https://proxy.example/v1#sk-secret",
    ] {
        s.base_url = Some(leaky.into());
        assert_eq!(
            s.check(),
            Err(RuntimeProblem::CredentialsInBaseUrl),
            "{leaky}"
        );
    }
}

#[test]
fn cli_env_entries_are_checked_and_empty_rows_ignored() {
    let local = selection(ExecutionMode::LocalCli, AgentKind::Codex);
    let with = |entries: Vec<CliEnvVar>| RuntimeRequest {
        selection: local.clone(),
        secrets: TransientSecrets {
            api_key: None,
            cli_env: entries,
        },
    };
    assert_eq!(with(vec![env(" ", " ")]).readiness(), Ok(()));
    assert_eq!(
        with(vec![env("1BAD", "v")]).readiness(),
        Err(RuntimeProblem::BadCliEnvName("1BAD".into()))
    );
    assert_eq!(
        with(vec![env("HTTPS_PROXY", "  ")]).readiness(),
        Err(RuntimeProblem::BlankCliEnvValue("HTTPS_PROXY".into()))
    );
    assert_eq!(
        with(vec![env("A", "1"), env(" A", "2")]).readiness(),
        Err(RuntimeProblem::DuplicateCliEnv("A".into()))
    );
    let entries = vec![env(" HTTPS_PROXY ", " http://p "), env("", "")];
    assert_eq!(with(entries.clone()).readiness(), Ok(()));
    assert_eq!(
        cli_env_entries(&entries).collect::<Vec<_>>(),
        [("HTTPS_PROXY", "http://p")]
    );
}

#[test]
fn secrets_are_redacted_when_formatted() {
    let r = RuntimeRequest {
        selection: selection(ExecutionMode::Byok, AgentKind::ClaudeCode),
        secrets: TransientSecrets {
            api_key: Some(Secret::new("sk-ant-very-secret")),
            cli_env: vec![env("TOKEN", "also-secret")],
        },
    };
    let shown = format!("{r:?} {}", Secret::new("sk-ant-very-secret"));
    assert!(!shown.contains("very-secret"), "{shown}");
    assert!(!shown.contains("also-secret"), "{shown}");
    // Sent from the browser, it must reach the server whole.
    let json = serde_json::to_string(&r).unwrap();
    assert_eq!(serde_json::from_str::<RuntimeRequest>(&json).unwrap(), r);
}

#[test]
fn the_stored_selection_cannot_hold_a_secret() {
    // By construction: the stored type is `RuntimeSelection`, whose fields are enums, a model
    // name, a base URL without credentials and a variable *name*. A request's selection
    // serializes without the key, and a key smuggled into stored JSON is refused, not kept.
    let r = request(
        selection(ExecutionMode::Byok, AgentKind::ClaudeCode),
        Some("sk-ant-very-secret"),
    );
    let stored = serde_json::to_string(&r.selection).unwrap();
    assert!(!stored.contains("very-secret"));
    let smuggled = r#"{"mode":"byok","agent":"claude_code","api_key":"sk-ant-very-secret"}"#;
    assert!(serde_json::from_str::<RuntimeSelection>(smuggled).is_err());
    // Rows written before the runtime had a mode read as Local CLI.
    let old: RuntimeSelection =
        serde_json::from_str(r#"{"agent":"codex","model":"gpt-5"}"#).unwrap();
    assert_eq!(old.mode, ExecutionMode::LocalCli);
    assert_eq!(old.model(), Some("gpt-5"));
}

#[test]
fn names_round_trip_and_summaries_read_well() {
    for m in ExecutionMode::ALL {
        assert_eq!(ExecutionMode::parse(m.as_str()), Some(m));
    }
    for p in Provider::ALL {
        assert_eq!(Provider::parse(p.as_str()), Some(p));
    }
    for e in Effort::ALL {
        assert_eq!(Effort::parse(e.as_str()), Some(e));
    }
    let mut s = selection(ExecutionMode::Byok, AgentKind::Codex);
    s.model = Some("gpt-5".into());
    s.reasoning_effort = Some(Effort::High);
    assert_eq!(
        s.summary(),
        "Bring your own key · Codex CLI · OpenAI · gpt-5 · high"
    );
    assert_eq!(
        RuntimeSelection::default().summary(),
        "Local CLI · Claude Code · default model"
    );
}

#[test]
fn secrets_echoed_by_an_agent_are_redacted() {
    let secrets = TransientSecrets {
        api_key: Some(Secret::new(" sk-live-0123456789 ")),
        cli_env: vec![env("TOKEN", "tok-abcdefgh"), env("SHORT", "ab")],
    };
    assert_eq!(
        secrets.redact("401: key sk-live-0123456789 rejected; token tok-abcdefgh; ab stays"),
        "401: key <redacted> rejected; token <redacted>; ab stays"
    );
    assert!(matches!(
        secrets.redact("nothing here"),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn an_acp_agent_is_picked_by_a_plain_name_and_only_for_the_acp_kind() {
    let mut s = selection(ExecutionMode::LocalCli, AgentKind::Acp);
    assert_eq!(s.check(), Ok(()));
    assert_eq!(s.summary(), "Local CLI · ACP agent qwen · default model");
    for (name, problem) in [
        (None, RuntimeProblem::MissingAcpAgent),
        (Some("  "), RuntimeProblem::MissingAcpAgent),
        (
            Some("--help"),
            RuntimeProblem::BadAcpAgentName("--help".into()),
        ),
        (
            Some("../bin/sh"),
            RuntimeProblem::BadAcpAgentName("../bin/sh".into()),
        ),
        (
            Some("qwen --acp"),
            RuntimeProblem::BadAcpAgentName("qwen --acp".into()),
        ),
    ] {
        s.acp_agent = name.map(str::to_string);
        assert_eq!(s.check(), Err(problem), "{name:?}");
    }
    s.acp_agent = Some("qwen".into());
    s.model = Some("--yolo".into());
    assert_eq!(s.check(), Err(RuntimeProblem::BadModel("--yolo".into())));
    let mut claude = selection(ExecutionMode::LocalCli, AgentKind::ClaudeCode);
    claude.acp_agent = Some("qwen".into());
    assert_eq!(
        claude.check(),
        Err(RuntimeProblem::AcpAgentNotForAgent(AgentKind::ClaudeCode))
    );
    // An older stored selection has no such field: it reads as none.
    let stored: RuntimeSelection =
        serde_json::from_str(r#"{"mode":"local_cli","agent":"gemini"}"#).unwrap();
    assert_eq!(stored.acp_agent, None);
}
