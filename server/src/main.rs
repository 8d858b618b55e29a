use clap::Parser;
use leptos::config::{Env, get_configuration};
use server::serve::Limits;
use server::{Config, build_router, security::Guard};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,server=info,engine=info".into()),
        )
        .init();
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

    let mut options = get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "devlog".into();
    }
    // Built by cargo-leptos with `hash-files`: the site's wasm, js and css carry a hash of their
    // content in their names (read from hash.txt beside this binary), so they are cached forever.
    if option_env!("LEPTOS_HASH_FILES") == Some("true") {
        options.hash_files = true;
    }
    options.site_root = config.site_root.to_string_lossy().as_ref().into();
    options.site_addr = config.addr;
    if std::env::var_os("LEPTOS_ENV").is_none() {
        options.env = Env::PROD;
    }

    let router = build_router(engine, options, Guard::new(config.addr, token));
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    tracing::info!(
        "DevLog on http://{} (data in {})",
        config.addr,
        data_dir.display()
    );
    server::serve::serve(listener, router, Limits::default(), shutdown_signal()).await;
    Ok(())
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
