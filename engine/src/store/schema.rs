//! The schema, as an append-only list of migrations. Never edit a released migration: add one.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// Version 1 lays down every table the planned features need (sessions, events, settings,
/// dependencies), so later features add columns by migration instead of rewriting tables.
const V1: &str = r#"
CREATE TABLE projects (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    path           TEXT NOT NULL UNIQUE,
    default_branch TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    prompt        TEXT NOT NULL DEFAULT '',
    priority      INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
    status        TEXT NOT NULL DEFAULT 'todo' CHECK (status IN
                  ('todo','in_queue','in_progress','review','fail','blocked','done')),
    sort_order    INTEGER NOT NULL,
    fail_reason   TEXT,
    branch        TEXT,
    worktree_path TEXT,
    pr_url        TEXT,
    session_id    INTEGER,           -- the session currently working on the task
    queued_at     INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX tasks_by_project ON tasks(project_id, status, sort_order);

CREATE TABLE task_dependencies (
    task_id    INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    depends_on INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, depends_on),
    CHECK (task_id <> depends_on)
) WITHOUT ROWID;

CREATE TABLE sessions (
    id                INTEGER PRIMARY KEY,
    project_id        INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_id           INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
    status            TEXT NOT NULL CHECK (status IN
                      ('pending','running','idle','completed','failed','killed')),
    runtime           TEXT NOT NULL,  -- JSON of model::RuntimeSelection: never a secret
    permission_policy TEXT NOT NULL,
    agent_session_id  TEXT,           -- the CLI's own session/thread id, for resume
    cwd               TEXT NOT NULL,
    pid               INTEGER,
    pgid              INTEGER,
    exit_code         INTEGER,
    exit_signal       INTEGER,
    fail_reason       TEXT,
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    ended_at          INTEGER,
    last_activity_at  INTEGER
);
CREATE INDEX sessions_by_project ON sessions(project_id, created_at);
CREATE INDEX sessions_by_task ON sessions(task_id);

CREATE TABLE session_events (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL,         -- JSON of model::StreamEvent
    created_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE project_settings (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (project_id, key)
) WITHOUT ROWID;
"#;

/// Version 2, scheduling: what a queued task starts with (its runtime selection — never a
/// secret — and permission policy), and the files each session touched, for file locks.
const V2: &str = r#"
ALTER TABLE tasks ADD COLUMN queued_runtime TEXT;
ALTER TABLE tasks ADD COLUMN queued_permission TEXT;

CREATE TABLE session_files (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,   -- relative to the session's working directory
    touched_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, path)
) WITHOUT ROWID;
CREATE INDEX task_dependencies_by_dependency ON task_dependencies(depends_on);
"#;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1), M::up(V2)])
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    migrations().to_latest(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(migrations().validate().is_ok());
    }

    #[test]
    fn migrating_from_empty_creates_every_table_and_is_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        let tables: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            tables,
            [
                "project_settings",
                "projects",
                "session_events",
                "session_files",
                "sessions",
                "settings",
                "task_dependencies",
                "tasks"
            ]
        );
    }
}
