//! Agents declared on the server that speak the Agent Client Protocol (DESIGN §5): what a
//! declaration holds, the built-in ones (offered when their program is installed), and the
//! one generic adapter that runs any of them. A selection names a declared agent; the program
//! it runs comes from here alone — a request that picked the program would be remote code
//! execution.

use super::{AgentAdapter, CommandSpec, TurnLaunch};
use model::DeclaredAgent;
use model::runtime::{is_agent_name, is_env_name};
use std::path::{Path, PathBuf};

/// One declared agent: how to start it, and where a key and an endpoint go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcpAgentSpec {
    pub name: String,
    pub label: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    /// The variable a bring-your-own or server key is put in; none: the agent takes no key.
    pub key_var: Option<String>,
    /// The variable a custom endpoint is put in.
    pub base_url_var: Option<String>,
    /// The variable a model is put in; none: the agent picks its model itself.
    pub model_var: Option<String>,
    /// How to install it ("npm install -g …").
    pub install: Option<String>,
}

/// A declaration refused when the server starts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclarationError {
    #[error("an agent is declared as NAME=COMMAND ARGS…, not '{0}'")]
    Shape(String),
    #[error("'{0}' is not an agent name (letters, digits, - and _)")]
    Name(String),
    #[error("agent {0}: the command is empty")]
    EmptyCommand(String),
    #[error("agent {name}: '{var}' is not an environment variable name")]
    Var { name: String, var: String },
}

impl AcpAgentSpec {
    /// `NAME=COMMAND ARGS…` (the `--agent` flag): split on whitespace, no shell involved.
    pub fn from_flag(text: &str) -> Result<AcpAgentSpec, DeclarationError> {
        let (name, command) = text
            .split_once('=')
            .ok_or_else(|| DeclarationError::Shape(text.to_string()))?;
        let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        AcpAgentSpec::new(name.trim(), None, words)
    }

    /// A declaration with its name checked and its command split into program and args;
    /// the label is the name unless given.
    pub fn new(
        name: &str,
        label: Option<String>,
        command: Vec<String>,
    ) -> Result<AcpAgentSpec, DeclarationError> {
        if !is_agent_name(name) {
            return Err(DeclarationError::Name(name.to_string()));
        }
        let mut words = command.into_iter();
        let program = words
            .next()
            .filter(|p| !p.trim().is_empty())
            .ok_or_else(|| DeclarationError::EmptyCommand(name.to_string()))?;
        Ok(AcpAgentSpec {
            name: name.to_string(),
            label: label.unwrap_or_else(|| name.to_string()),
            program: PathBuf::from(program),
            args: words.collect(),
            key_var: None,
            base_url_var: None,
            model_var: None,
            install: None,
        })
    }

    /// The variables it names must be variable names: they become the child's environment.
    pub fn check_vars(&self) -> Result<(), DeclarationError> {
        for var in self
            .key_var
            .iter()
            .chain(&self.base_url_var)
            .chain(&self.model_var)
        {
            if !is_env_name(var) {
                return Err(DeclarationError::Var {
                    name: self.name.clone(),
                    var: var.clone(),
                });
            }
        }
        Ok(())
    }

    /// The command line as the user reads it.
    pub fn command_line(&self) -> String {
        std::iter::once(self.program.display().to_string())
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// What Settings shows of it, `installed` looked up now.
    pub fn info(&self) -> DeclaredAgent {
        DeclaredAgent {
            name: self.name.clone(),
            label: self.label.clone(),
            command: self.command_line(),
            installed: is_installed(&self.program),
            install: self.install.clone(),
            key_var: self.key_var.clone(),
            model_var: self.model_var.clone(),
        }
    }
}

/// The agents every server knows, verified over ACP with their npm packages: offered when
/// their program is installed; a declaration of the same name replaces one.
pub fn builtin_agents() -> Vec<AcpAgentSpec> {
    // [key, base URL, model] variables.
    let builtin = |name: &str,
                   label: &str,
                   command: &[&str],
                   [key_var, base_url_var, model_var]: [Option<&str>; 3],
                   package: &str| AcpAgentSpec {
        name: name.into(),
        label: label.into(),
        program: PathBuf::from(command[0]),
        args: command[1..].iter().map(|a| a.to_string()).collect(),
        key_var: key_var.map(str::to_string),
        base_url_var: base_url_var.map(str::to_string),
        model_var: model_var.map(str::to_string),
        install: Some(format!("npm install -g {package}")),
    };
    vec![
        // Qwen Code talks to any OpenAI-compatible API; with a key it needs the model too
        // (else it asks for its own login).
        builtin(
            "qwen",
            "Qwen Code",
            &["qwen", "--acp"],
            [
                Some("OPENAI_API_KEY"),
                Some("OPENAI_BASE_URL"),
                Some("OPENAI_MODEL"),
            ],
            "@qwen-code/qwen-code",
        ),
        // OpenCode reads its providers from its own configuration.
        builtin(
            "opencode",
            "OpenCode",
            &["opencode", "acp"],
            [None; 3],
            "opencode-ai",
        ),
        builtin(
            "copilot",
            "GitHub Copilot CLI",
            &["copilot", "--acp"],
            [Some("COPILOT_GITHUB_TOKEN"), None, None],
            "@github/copilot",
        ),
    ]
}

/// `declared` over `builtin`: a declaration replaces the built-in agent of its name.
pub fn merge_agents(builtin: Vec<AcpAgentSpec>, declared: Vec<AcpAgentSpec>) -> Vec<AcpAgentSpec> {
    let mut agents: Vec<AcpAgentSpec> = builtin
        .into_iter()
        .filter(|b| !declared.iter().any(|d| d.name == b.name))
        .collect();
    for agent in declared {
        agents.retain(|a| a.name != agent.name);
        agents.push(agent);
    }
    agents
}

/// Whether `program` can be run: an executable file at a path, or one found on PATH.
pub fn is_installed(program: &Path) -> bool {
    fn executable(path: &Path) -> bool {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    if program.components().count() > 1 {
        return executable(program);
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| executable(&dir.join(program))))
}

/// The adapter of every declared agent: its own command, one process per session, the
/// prompt and everything after it over ACP.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeclaredAcp;

impl AgentAdapter for DeclaredAcp {
    fn command(&self, launch: &TurnLaunch, _resume: Option<&str>) -> CommandSpec {
        let program = &launch.program;
        let mut env = match &program.base_url_var {
            Some(var) => launch.base_url_env(var),
            None => Vec::new(),
        };
        // Only a declaration with a model variable lets a model through (the server checks).
        if let (Some(var), Some(model)) = (&program.model_var, &launch.model) {
            env.push((var.clone(), model.clone()));
        }
        CommandSpec::acp(program.path.clone(), program.args.clone(), env)
    }

    fn keeps_process(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_declares_a_name_and_a_command_split_without_a_shell() {
        let spec = AcpAgentSpec::from_flag("mine=/opt/agent --acp --flag 'x'").unwrap();
        assert_eq!(spec.name, "mine");
        assert_eq!(spec.program, PathBuf::from("/opt/agent"));
        assert_eq!(spec.args, ["--acp", "--flag", "'x'"]);
        assert_eq!(spec.command_line(), "/opt/agent --acp --flag 'x'");
        for (flag, error) in [
            ("no-equals", DeclarationError::Shape("no-equals".into())),
            ("=agent", DeclarationError::Name("".into())),
            ("a b=agent", DeclarationError::Name("a b".into())),
            ("x=  ", DeclarationError::EmptyCommand("x".into())),
        ] {
            assert_eq!(AcpAgentSpec::from_flag(flag), Err(error), "{flag}");
        }
    }

    #[test]
    fn a_declaration_replaces_the_builtin_of_its_name() {
        let mine = AcpAgentSpec::from_flag("qwen=/opt/qwen --acp").unwrap();
        let agents = merge_agents(builtin_agents(), vec![mine.clone()]);
        let names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["opencode", "copilot", "qwen"]);
        assert_eq!(agents[2], mine);
    }

    #[test]
    fn installed_means_an_executable_at_the_path_or_on_path() {
        assert!(is_installed(Path::new("sh")));
        assert!(is_installed(Path::new("/bin/sh")));
        assert!(!is_installed(Path::new("devlog-no-such-agent")));
        let plain = tempfile::NamedTempFile::new().unwrap();
        assert!(!is_installed(plain.path()), "a file that is not executable");
        let qwen = &builtin_agents()[0];
        assert_eq!(qwen.command_line(), "qwen --acp");
        assert_eq!(
            qwen.info().install.as_deref(),
            Some("npm install -g @qwen-code/qwen-code")
        );
    }

    #[test]
    fn a_declared_agent_runs_its_own_command_with_the_endpoint_in_its_variable() {
        use model::{AgentKind, ExecutionMode, RuntimeSelection};
        let selection = RuntimeSelection {
            mode: ExecutionMode::Byok,
            agent: AgentKind::Acp,
            acp_agent: Some("qwen".into()),
            base_url: Some("http://127.0.0.1:9/v1".into()),
            model: Some("qwen3-coder".into()),
            ..RuntimeSelection::default()
        };
        let program = super::super::AgentProgram {
            path: "/opt/qwen".into(),
            args: vec!["--acp".into()],
            base_url_var: Some("OPENAI_BASE_URL".into()),
            model_var: Some("OPENAI_MODEL".into()),
        };
        let launch = TurnLaunch::from_selection(
            &selection,
            model::PermissionPolicy::AcpAsk,
            program,
            "do it".into(),
        )
        .unwrap();
        let command = DeclaredAcp.command(&launch, Some("earlier-session"));
        assert_eq!(command.program, PathBuf::from("/opt/qwen"));
        assert_eq!(
            command.args,
            ["--acp"],
            "the prompt and the resume go over ACP"
        );
        assert_eq!(
            command.env,
            [
                (
                    "OPENAI_BASE_URL".to_string(),
                    "http://127.0.0.1:9/v1".to_string()
                ),
                ("OPENAI_MODEL".to_string(), "qwen3-coder".to_string())
            ]
        );
        assert_eq!(command.stdin, crate::agents::StdinMode::Pipe);
        assert!(DeclaredAcp.keeps_process());
    }

    #[test]
    fn a_variable_must_be_a_variable_name() {
        let mut spec = AcpAgentSpec::from_flag("a=agent").unwrap();
        spec.key_var = Some("OPENAI_API_KEY".into());
        assert_eq!(spec.check_vars(), Ok(()));
        spec.base_url_var = Some("LD_PRELOAD=x".into());
        assert!(spec.check_vars().is_err());
    }
}
