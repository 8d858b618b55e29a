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

/// The site into `site`, then the release `devlog` with it embedded.
///
/// The binary needs the site, but its dependencies do not: on a first build (no `devlog` yet),
/// they compile alongside the site. On two cores that fills what either leaves idle — the
/// front end's single-unit LTO, the splitter, wasm-bindgen, the server's `app` crate — and
/// saves about two of the eleven minutes. After that, the server
/// only has its own crate to compile again, with the site in it (`embed-site` is a feature of
/// that crate alone, so no dependency is built twice). Later builds skip the warm-up: only
/// what changed is compiled, and building twice would only cost time.
fn build(site: &Path) -> Result<(), Error> {
    let root = workspace_root();
    let mut warm_up = if root.join("target/release/devlog").exists() {
        None
    } else {
        let spawned = Command::new(cargo())
            .current_dir(&root)
            .args(["build", "--release", "--package=server"])
            .spawn()
            .map_err(Error::io(Path::new("cargo")))?;
        Some(spawned)
    };
    let site_built = site::build(site);
    if let Some(child) = warm_up.as_mut() {
        if site_built.is_err() {
            // The site's error is the one to read, not minutes later.
            let _ = child.kill();
        }
        // Its failure is not this build's: the build below reports the same error, if any.
        let _ = child.wait();
    }
    site_built?;
    run(Command::new(cargo())
        .current_dir(&root)
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
