//! Command-line flags and environment variables.

use crate::declarations::{DeclarationsError, declared_agents};
use clap::Parser;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// DevLog: run AI coding agents on your own git projects.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "devlog",
    version,
    about,
    after_help = "Data: the database, agents.toml, the site and the tasks' git worktrees live \
                  in --data-dir, by default $XDG_DATA_HOME/devlog, else ~/.local/share/devlog. \
                  In a repository you register, DevLog adds a branch task/<id>-<slug> for each \
                  task it starts."
)]
pub struct Config {
    /// Address to listen on. A non-loopback address requires --token.
    #[arg(long, env = "DEVLOG_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Where the SQLite database lives [default: $XDG_DATA_HOME/devlog, else
    /// ~/.local/share/devlog].
    #[arg(long, env = "DEVLOG_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The built site (wasm, js, css) to serve instead of the one in this binary (by default
    /// the binary's own, written once into `<data dir>/site/`; a build without one serves
    /// `target/site`).
    #[arg(long, env = "DEVLOG_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Access token required on every request; mandatory when binding a non-loopback
    /// address. Open `/?token=<token>` once in the browser to be let in.
    #[arg(long, env = "DEVLOG_TOKEN", hide_env_values = true)]
    pub token: Option<String>,

    /// Claude Code's executable (a path, or a name looked up on PATH).
    #[arg(long, env = "DEVLOG_CLAUDE_BIN", default_value = "claude")]
    pub claude_bin: PathBuf,

    /// Codex CLI's executable (a path, or a name looked up on PATH).
    #[arg(long, env = "DEVLOG_CODEX_BIN", default_value = "codex")]
    pub codex_bin: PathBuf,

    /// Gemini CLI's executable, run as an ACP agent (a path, or a name looked up on PATH).
    #[arg(long, env = "DEVLOG_GEMINI_BIN", default_value = "gemini")]
    pub gemini_bin: PathBuf,

    /// An ACP agent this server offers, as NAME=COMMAND ARGS… (split on spaces, no shell):
    /// `--agent 'qwen=/opt/qwen/bin/qwen --acp'`. Repeatable; replaces a built-in or an
    /// `agents.toml` agent of the same name. The browser only ever picks one by name.
    #[arg(long = "agent", value_name = "NAME=COMMAND ARGS…")]
    pub agents: Vec<String>,

    /// Where to post when a session asks for a permission or a task reaches review or fails,
    /// as PROJECT=URL: PROJECT is a project's name or id, or * for all; the URL may start with
    /// `ntfy:` or `slack:` for those services' shapes, else DevLog's JSON is posted
    /// (`--webhook 'repo=ntfy:https://ntfy.sh/my-topic'`). Repeatable. Sent with curl.
    #[arg(long = "webhook", value_name = "PROJECT=URL")]
    pub webhooks: Vec<String>,

    /// GitHub CLI's executable, for "Create PR" (a path, or a name looked up on PATH).
    #[arg(long, env = "DEVLOG_GH_BIN", default_value = "gh")]
    pub gh_bin: PathBuf,

    /// A turn running longer than this many seconds is stopped.
    #[arg(long, env = "DEVLOG_TURN_TIMEOUT_SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub turn_timeout_secs: u64,

    /// A permission request unanswered for this many seconds is denied.
    #[arg(long, env = "DEVLOG_PERMISSION_TIMEOUT_SECS", default_value_t = 900, value_parser = clap::value_parser!(u64).range(1..))]
    pub permission_timeout_secs: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "no data directory: set --data-dir or DEVLOG_DATA_DIR (neither XDG_DATA_HOME nor HOME is set)"
    )]
    NoDataDir,
    #[error(
        "{0} is not a loopback address: DevLog starts processes on this machine, so binding it \
         needs an access token (--token or DEVLOG_TOKEN)"
    )]
    RemoteWithoutToken(SocketAddr),
    #[error("the access token must be at least 16 characters")]
    WeakToken,
    /// It travels in `?token=` and in a cookie, which would alter or cut other characters.
    #[error("the access token may use only letters, digits and . _ ~ -")]
    TokenCharacters,
    #[error("a declared agent: {0}")]
    Agents(#[from] DeclarationsError),
    #[error("--webhook: {0}")]
    Webhook(#[from] model::webhook::WebhookSpecError),
}

/// The one line said when the address cannot be bound, naming the flag that changes it.
pub fn listen_error(addr: SocketAddr, error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "port {} is already in use on {} (is DevLog already running?): stop it, or pick \
             another port with --addr {}:<port>",
            addr.port(),
            addr.ip(),
            addr.ip()
        ),
        _ => format!("cannot listen on {addr} (--addr): {error}"),
    }
}

impl Config {
    /// The engine's settings; the ACP agents are read from `data_dir`'s `agents.toml` too.
    pub fn engine(&self, data_dir: &Path) -> Result<engine::EngineConfig, ConfigError> {
        Ok(engine::EngineConfig {
            claude_bin: self.claude_bin.clone(),
            codex_bin: self.codex_bin.clone(),
            gemini_bin: self.gemini_bin.clone(),
            acp_agents: declared_agents(data_dir, &self.agents)?,
            gh_bin: self.gh_bin.clone(),
            turn_timeout: std::time::Duration::from_secs(self.turn_timeout_secs),
            permission_timeout: std::time::Duration::from_secs(self.permission_timeout_secs),
            webhooks: engine::webhooks::WebhookConfig {
                hooks: self
                    .webhooks
                    .iter()
                    .map(|flag| model::webhook::WebhookSpec::from_flag(flag))
                    .collect::<Result<_, _>>()?,
                public_url: format!("http://{}", self.addr),
                ..Default::default()
            },
            ..engine::EngineConfig::default()
        })
    }

    /// The data directory: the flag, else `$XDG_DATA_HOME/devlog`, else
    /// `~/.local/share/devlog`.
    pub fn data_dir(&self) -> Result<PathBuf, ConfigError> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        let non_empty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(xdg) = non_empty("XDG_DATA_HOME") {
            return Ok(PathBuf::from(xdg).join("devlog"));
        }
        non_empty("HOME")
            .map(|home| PathBuf::from(home).join(".local/share/devlog"))
            .ok_or(ConfigError::NoDataDir)
    }

    /// The token, checked against the address it protects.
    pub fn checked_token(&self) -> Result<Option<String>, ConfigError> {
        let token = self
            .token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        match token {
            Some(t) if t.len() < 16 => Err(ConfigError::WeakToken),
            Some(t)
                if !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._~-".contains(c)) =>
            {
                Err(ConfigError::TokenCharacters)
            }
            Some(t) => Ok(Some(t.to_string())),
            None if !self.addr.ip().is_loopback() => {
                Err(ConfigError::RemoteWithoutToken(self.addr))
            }
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Config {
        Config::try_parse_from(std::iter::once("devlog").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn a_port_in_use_is_one_line_naming_the_port_and_the_flag() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let error = std::net::TcpListener::bind(addr).unwrap_err();
        let message = listen_error(addr, &error);
        assert!(!message.contains('\n'), "{message}");
        assert!(
            message.contains(&format!("port {} is already in use", addr.port())),
            "{message}"
        );
        assert!(message.contains("--addr 127.0.0.1:<port>"), "{message}");
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(listen_error(addr, &other).contains("(--addr)"));
    }

    #[test]
    fn help_says_where_the_data_lives() {
        use clap::CommandFactory;
        let help = Config::command().render_help().to_string();
        assert!(help.contains("~/.local/share/devlog"), "{help}");
        assert!(help.contains("task/<id>-<slug>"), "{help}");
    }

    #[test]
    fn defaults_to_loopback_port_3000() {
        let c = parse(&[]);
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.checked_token(), Ok(None));
    }

    #[test]
    fn data_dir_flag_wins() {
        let c = parse(&["--data-dir", "/tmp/x"]);
        assert_eq!(c.data_dir().unwrap(), PathBuf::from("/tmp/x"));
    }

    #[test]
    fn non_loopback_needs_a_strong_token() {
        let c = parse(&["--addr", "0.0.0.0:3000"]);
        assert!(matches!(
            c.checked_token(),
            Err(ConfigError::RemoteWithoutToken(_))
        ));
        let c = parse(&["--addr", "0.0.0.0:3000", "--token", "short"]);
        assert_eq!(c.checked_token(), Err(ConfigError::WeakToken));
        let c = parse(&["--addr", "0.0.0.0:3000", "--token", "0123456789abcdef"]);
        assert_eq!(c.checked_token(), Ok(Some("0123456789abcdef".into())));
        // `+` would arrive as a space from `?token=`, `;` would end the cookie.
        for bad in [
            "abcdefgh+ijklmnop",
            "abcdefgh;ijklmnop",
            "abcdefgh ijklmnop",
        ] {
            let c = parse(&["--addr", "0.0.0.0:3000", "--token", bad]);
            assert_eq!(
                c.checked_token(),
                Err(ConfigError::TokenCharacters),
                "{bad}"
            );
        }
        let c = parse(&["--token", "A-b_c.d~0123456789"]);
        assert_eq!(c.checked_token(), Ok(Some("A-b_c.d~0123456789".into())));
    }

    #[test]
    fn agent_binaries_and_timeouts() {
        let c = parse(&[
            "--claude-bin",
            "/opt/claude",
            "--turn-timeout-secs",
            "60",
            "--agent",
            "mine=/opt/mine --acp",
        ]);
        let dir = tempfile::tempdir().unwrap();
        let e = c.engine(dir.path()).unwrap();
        assert_eq!(
            e.acp_agent("mine").map(|a| a.command_line()).as_deref(),
            Some("/opt/mine --acp")
        );
        assert!(e.acp_agent("qwen").is_some(), "the built-ins stay");
        assert_eq!(e.claude_bin, PathBuf::from("/opt/claude"));
        assert_eq!(e.codex_bin, PathBuf::from("codex"));
        assert_eq!(e.turn_timeout.as_secs(), 60);
        assert_eq!(e.permission_timeout.as_secs(), 900);
        assert!(Config::try_parse_from(["devlog", "--turn-timeout-secs", "0"]).is_err());
    }

    #[test]
    fn webhooks_are_declared_by_flag_and_link_to_this_server() {
        let dir = tempfile::tempdir().unwrap();
        let c = parse(&[
            "--addr",
            "127.0.0.1:4000",
            "--webhook",
            "repo=ntfy:https://ntfy.sh/t",
            "--webhook",
            "*=https://example.test/hook",
        ]);
        let hooks = c.engine(dir.path()).unwrap().webhooks;
        assert_eq!(hooks.hooks.len(), 2);
        assert_eq!(hooks.hooks[0].shape, model::webhook::WebhookShape::Ntfy);
        assert_eq!(hooks.public_url, "http://127.0.0.1:4000");
        let bad = parse(&["--webhook", "repo=ftp://x.test"]).engine(dir.path());
        assert!(
            matches!(&bad, Err(ConfigError::Webhook(_))),
            "{:?}",
            bad.map(|_| ())
        );
    }

    #[test]
    fn bad_addresses_are_refused_by_the_parser() {
        assert!(Config::try_parse_from(["devlog", "--addr", "nope"]).is_err());
    }
}
