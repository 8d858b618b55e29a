//! DevLog's backend library: storage, git, projects and tasks. No Leptos here, so everything
//! is tested without a browser.

pub mod agents;
pub mod attention;
pub mod budgets;
pub mod clock;
pub mod config;
pub mod error;
pub mod execution;
pub mod git;
pub mod projects;
pub mod rate_limits;
pub mod runtime;
pub mod scheduler;
pub mod sessions;
pub mod store;
pub mod tasks;
pub mod usage;
pub mod usage_report;
pub mod webhooks;
pub mod work_report;

pub use config::EngineConfig;
pub use error::{EngineError, EngineResult};
pub use store::Db;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use store::StoreError;

/// The handle the server shares with every request: cheap to clone.
#[derive(Clone)]
pub struct Engine {
    db: Db,
    events: sessions::EventLog,
    config: Arc<EngineConfig>,
    live: sessions::LiveSessions,
    named_vars: runtime::NamedServerVars,
    /// Canonical: worktree paths under it are compared with what git reports.
    data_dir: Arc<PathBuf>,
    /// When each project's queue looks again at tasks held by a rate limit.
    wakeups: rate_limits::Wakeups,
    webhooks: webhooks::Webhooks,
}

impl Engine {
    /// Opens (creating and migrating when needed) the database in `data_dir`, with the
    /// default configuration.
    pub async fn open(data_dir: &Path) -> EngineResult<Engine> {
        Engine::open_with(data_dir, EngineConfig::default()).await
    }

    pub async fn open_with(data_dir: &Path, config: EngineConfig) -> EngineResult<Engine> {
        let db = Db::open(data_dir.join("devlog.sqlite3")).await?;
        let data_dir =
            tokio::fs::canonicalize(data_dir)
                .await
                .map_err(|source| StoreError::DataDir {
                    path: data_dir.to_path_buf(),
                    source,
                })?;
        let named = db
            .read(|conn| Ok::<_, StoreError>(store::settings::named_env_vars(conn)?))
            .await?;
        let events = sessions::EventLog::start(db.clone());
        let webhooks = webhooks::Webhooks::start(db.clone(), config.webhooks.clone());
        Ok(Engine {
            db,
            events,
            config: Arc::new(config),
            live: sessions::LiveSessions::default(),
            named_vars: runtime::NamedServerVars::new(named),
            data_dir: Arc::new(data_dir),
            wakeups: rate_limits::Wakeups::default(),
            webhooks,
        })
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The time rate limits are waited out by.
    pub fn clock(&self) -> &clock::Clock {
        &self.config.clock
    }

    /// Where the database and the tasks' worktrees live.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The session event log (persist, then publish).
    pub fn events(&self) -> &sessions::EventLog {
        &self.events
    }

    /// Whether an actor runs this session: until it stops, more of its events may come.
    pub fn session_has_actor(&self, id: model::SessionId) -> bool {
        self.live.get(id).is_some()
    }

    /// A cheap liveness probe of the database, for `/healthz`.
    pub async fn health(&self) -> EngineResult<()> {
        self.db
            .read(|conn| {
                conn.query_row("SELECT 1", [], |_| Ok(()))
                    .map_err(Into::into)
            })
            .await
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// An engine on a fresh temporary data directory (kept alive by the returned guard).
    pub async fn temp_engine() -> (Engine, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = Engine::open(dir.path()).await.expect("open engine");
        (engine, dir)
    }

    /// A registered project on a fresh one-commit repository.
    pub async fn temp_project(engine: &Engine) -> (model::Project, tempfile::TempDir) {
        let repo = tempfile::tempdir().expect("temp repo");
        testkit::init_repo(repo.path(), "main");
        let project = engine
            .register_project(model::ProjectDraft {
                path: repo.path().display().to_string(),
                ..Default::default()
            })
            .await
            .expect("register");
        (project, repo)
    }
}
