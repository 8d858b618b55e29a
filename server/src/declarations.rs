//! The ACP agents this server declares: `agents.toml` in the data directory and the `--agent`
//! flags, over the built-in ones (Qwen Code, OpenCode, Copilot CLI). Read once at start; a
//! declaration that does not parse stops the server with the reason, never half-applies.

use engine::agents::{AcpAgentSpec, DeclarationError, builtin_agents, merge_agents};
use serde::Deserialize;
use std::path::Path;

/// The file, in the data directory.
pub const AGENTS_FILE: &str = "agents.toml";

/// `agents.toml`: a list of `[[agent]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentsFile {
    #[serde(default)]
    agent: Vec<Declaration>,
}

/// One `[[agent]]`: `name` and `command` (program and arguments, no shell) are required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Declaration {
    name: String,
    label: Option<String>,
    command: Vec<String>,
    key_var: Option<String>,
    base_url_var: Option<String>,
    model_var: Option<String>,
    install: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeclarationsError {
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("--agent: {0}")]
    Flag(DeclarationError),
}

/// The built-in agents, replaced by name by the file's, replaced by the flags'.
pub fn declared_agents(
    data_dir: &Path,
    flags: &[String],
) -> Result<Vec<AcpAgentSpec>, DeclarationsError> {
    let path = data_dir.join(AGENTS_FILE);
    let from_file = match std::fs::read_to_string(&path) {
        Ok(text) => parse_file(&text).map_err(|message| DeclarationsError::File {
            path: path.display().to_string(),
            message,
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(DeclarationsError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            });
        }
    };
    let from_flags = flags
        .iter()
        .map(|flag| AcpAgentSpec::from_flag(flag))
        .collect::<Result<Vec<_>, _>>()
        .map_err(DeclarationsError::Flag)?;
    Ok(merge_agents(
        merge_agents(builtin_agents(), from_file),
        from_flags,
    ))
}

fn parse_file(text: &str) -> Result<Vec<AcpAgentSpec>, String> {
    let file: AgentsFile = toml::from_str(text).map_err(|e| e.to_string())?;
    file.agent
        .into_iter()
        .map(|d| {
            let mut spec =
                AcpAgentSpec::new(&d.name, d.label, d.command).map_err(|e| e.to_string())?;
            spec.key_var = d.key_var;
            spec.base_url_var = d.base_url_var;
            spec.model_var = d.model_var;
            spec.install = d.install;
            spec.check_vars().map_err(|e| e.to_string())?;
            Ok(spec)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_declares_agents_the_flags_win_and_builtins_stay() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(AGENTS_FILE),
            r#"
[[agent]]
name = "mine"
label = "My agent"
command = ["/opt/mine/bin/agent", "--acp"]
key_var = "MINE_API_KEY"
base_url_var = "MINE_BASE_URL"
install = "pip install mine"

[[agent]]
name = "qwen"
command = ["/opt/qwen", "--acp"]
"#,
        )
        .unwrap();
        let agents = declared_agents(dir.path(), &["mine=/usr/bin/other --acp".into()]).unwrap();
        let names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["opencode", "copilot", "qwen", "mine"]);
        assert_eq!(agents[2].command_line(), "/opt/qwen --acp");
        assert_eq!(
            agents[2].key_var, None,
            "a declaration replaces, not merges"
        );
        assert_eq!(agents[3].command_line(), "/usr/bin/other --acp");
    }

    #[test]
    fn no_file_is_the_builtins_and_a_bad_one_is_refused_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(declared_agents(dir.path(), &[]).unwrap(), builtin_agents());
        for bad in [
            "[[agent]]\nname = \"x\"\n",
            "[[agent]]\nname = \"x y\"\ncommand = [\"a\"]\n",
            "[[agent]]\nname = \"x\"\ncommand = []\n",
            "[[agent]]\nname = \"x\"\ncommand = [\"a\"]\nshell = true\n",
            "[[agent]]\nname = \"x\"\ncommand = [\"a\"]\nkey_var = \"A B\"\n",
            "not toml",
        ] {
            std::fs::write(dir.path().join(AGENTS_FILE), bad).unwrap();
            let err = declared_agents(dir.path(), &[]).unwrap_err();
            assert!(err.to_string().contains(AGENTS_FILE), "{bad}: {err}");
        }
        std::fs::remove_file(dir.path().join(AGENTS_FILE)).unwrap();
        assert!(matches!(
            declared_agents(dir.path(), &["nope".into()]),
            Err(DeclarationsError::Flag(DeclarationError::Shape(_)))
        ));
    }
}
