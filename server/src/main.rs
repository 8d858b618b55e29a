use clap::Parser;
use leptos::config::{Env, LeptosOptions, get_configuration};
use server::serve::Limits;
use server::site::{self, SiteLayout};
use server::{Config, build_router, security::Guard};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,server=info,engine=info".into()),
        )
        .init();
    if let Err(e) = server::without_transparent_huge_pages() {
        tracing::warn!(error = %e, "transparent huge pages stay on");
    }
    match run(Config::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("devlog: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let token = config.checked_token().map_err(|e| e.to_string())?;
    let data_dir = config.data_dir().map_err(|e| e.to_string())?;
    let engine_config = config.engine(&data_dir).map_err(|e| e.to_string())?;
    let options = leptos_options(&config, &data_dir)?;
    // Before the database is touched: a second server started by mistake must not reconcile
    // the sessions of the one already serving.
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| server::config::listen_error(config.addr, &e))?;
    for agent in &engine_config.acp_agents {
        let state = if engine::agents::is_installed(&agent.program) {
            "installed"
        } else {
            "not installed"
        };
        tracing::info!(agent = %agent.name, command = %agent.command_line(), "ACP agent ({state})");
    }
    let engine = engine::Engine::open_with(&data_dir, engine_config)
        .await
        .map_err(|e| format!("cannot open the database in {}: {e}", data_dir.display()))?;
    let reconciled = engine
        .reconcile()
        .await
        .map_err(|e| format!("cannot reconcile the sessions of the last run: {e}"))?;
    if reconciled > 0 {
        tracing::warn!("{reconciled} session(s) left running by the last run were marked failed");
    }
    // The queue survives restarts: start whatever may run now.
    engine
        .reevaluate_all()
        .await
        .map_err(|e| format!("cannot re-evaluate the task queues: {e}"))?;

    let router = build_router(engine, options, Guard::new(config.addr, token));
    tracing::info!(
        "DevLog on http://{} (data in {})",
        config.addr,
        data_dir.display()
    );
    server::serve::serve(listener, router, Limits::default(), shutdown_signal()).await;
    Ok(())
}

/// Leptos's options for the site to serve: `--site-root`, else the one in this binary (written
/// into the data folder), else `target/site` (a build without one: tests, `make dev`).
fn leptos_options(config: &Config, data_dir: &Path) -> Result<LeptosOptions, String> {
    let site_root = match (&config.site_root, site::embedded()) {
        (Some(root), _) => root.clone(),
        (None, Some(embedded)) => embedded
            .unpack_into(&data_dir.join("site"))
            .map_err(|e| e.to_string())?,
        (None, None) => PathBuf::from("target/site"),
    };
    let layout = SiteLayout::of(&site_root).map_err(|e| e.to_string())?;
    let mut options = get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?
        .leptos_options;
    options.site_root = site_root.to_string_lossy().as_ref().into();
    options.site_pkg_dir = layout.pkg_dir.into();
    // No hash in the names (a content-addressed site has it in its folder): nothing more for
    // Leptos to read beside the binary.
    options.hash_files = false;
    options.site_addr = config.addr;
    if std::env::var_os("LEPTOS_ENV").is_none() {
        options.env = Env::PROD;
    }
    Ok(options)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return ctrl_c.await.unwrap_or(()),
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
