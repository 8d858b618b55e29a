//! SQLite storage: the connection handling, the schema and every SQL statement.
//!
//! Blocking database work runs on tokio's blocking pool, never on the async worker threads.
//! One writer connection serialises writes (SQLite allows one writer anyway); reads use a small
//! pool of their own connections, which WAL lets run beside the writer.

pub mod comments;
pub mod projects;
pub mod schedule;
mod schema;
pub mod sessions;
pub mod settings;
pub mod tasks;
pub mod usage;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("database worker stopped: {0}")]
    Worker(String),
    #[error("unexpected value in the database: {0}")]
    Corrupt(String),
}

struct Pool {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// The database handle; clones share the same connections.
#[derive(Clone)]
pub struct Db {
    pool: Arc<Pool>,
    path: Arc<PathBuf>,
}

impl Db {
    /// Opens the database at `path`, creating its directory, and migrates it to the latest
    /// schema.
    pub async fn open(path: PathBuf) -> Result<Db, StoreError> {
        let opened = path.clone();
        let pool = tokio::task::spawn_blocking(move || open_pool(&opened))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))??;
        Ok(Db {
            pool: Arc::new(pool),
            path: Arc::new(path),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with the writer connection on the blocking pool.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || f(&mut lock(&pool.writer)))
            .await
            .map_err(|e| E::from(StoreError::Worker(e.to_string())))?
    }

    /// Runs `f` with a reader connection on the blocking pool.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let start = pool.next_reader.fetch_add(1, Ordering::Relaxed);
            // Take the first idle reader, starting from a rotating index; wait on one only when
            // all are busy.
            let n = pool.readers.len();
            let conn = (0..n)
                .find_map(|i| pool.readers[(start + i) % n].try_lock().ok())
                .unwrap_or_else(|| lock(&pool.readers[start % n]));
            f(&conn)
        })
        .await
        .map_err(|e| E::from(StoreError::Worker(e.to_string())))?
    }
}

/// A poisoned mutex only means another query panicked; the connection itself is still sound.
fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn open_pool(path: &Path) -> Result<Pool, StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut writer = connect(path)?;
    schema::migrate(&mut writer)?;
    let readers = (0..READERS)
        .map(|_| connect(path).map(Mutex::new))
        .collect::<Result<_, _>>()?;
    Ok(Pool {
        writer: Mutex::new(writer),
        readers,
        next_reader: AtomicUsize::new(0),
    })
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Milliseconds since the Unix epoch, the timestamp unit of every table.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
