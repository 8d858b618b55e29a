//! `cargo xtask build`: DevLog's release build — the site (wasm split per route, wasm-bindgen,
//! wasm-opt, precompressed, content-addressed) and then the `devlog` binary with that site
//! embedded. `cargo xtask site` builds the site alone. Plain `cargo` and the project's own
//! code: no cargo-leptos to install, which took 16 of the first 34 minutes on a fresh machine.
//! `make dev` still uses cargo-leptos for its watch-and-reload.

mod compress;
mod site;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} failed: {1}")]
    Tool(&'static str, String),
    #[error("usage: cargo xtask build | cargo xtask site [--out DIR]")]
    Usage,
}

impl Error {
    /// A `map_err` for an I/O error about `path`.
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run_command(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_command(args: &[String]) -> Result<(), Error> {
    let site_out = workspace_root().join("target/site");
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["site"] => site::build(&site_out),
        ["site", "--out", out] => site::build(Path::new(out)),
        ["build"] => build(&site_out),
        _ => Err(Error::Usage),
    }
}

/// The site into `site`, then the release `devlog` with it embedded (the server's `embed-site`
/// feature, see its build.rs). One after the other: compiling the server's dependencies
/// alongside the site was measured slower on two cores (14m14 against 12m50 for the whole
/// build), as both compete for the same cores and the server's own crate compiles twice; at
/// the lowest priority (`nice -n 19`) it was no faster either (a fresh `make run`'s build 632 s
/// against 613 s: wasm-opt's workers lost time to it, and the longest crate came after).
fn build(site: &Path) -> Result<(), Error> {
    site::build(site)?;
    run(Command::new(cargo())
        .current_dir(workspace_root())
        .args([
            "build",
            "--release",
            "--package=server",
            "--features=embed-site",
        ])
        .env("DEVLOG_EMBED_SITE", site))
}

/// Runs `command`, failing with its name and exit status.
pub fn run(command: &mut Command) -> Result<(), Error> {
    let program = command.get_program().to_string_lossy().into_owned();
    let status = command.status().map_err(Error::io(Path::new(&program)))?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::Tool(
            "a build step",
            format!("{program} exited with {status}"),
        ))
    }
}

/// The cargo running this program (`cargo xtask`), so that both builds use one toolchain.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The workspace's root: xtask's parent folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
