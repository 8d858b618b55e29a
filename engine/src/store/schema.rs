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

/// Version 3, hardening. Ids are never reused (`AUTOINCREMENT`): SQLite otherwise hands a
/// deleted project's, task's or session's id to the next row, and whatever still holds the
/// old id (a live session actor, a browser tab, the event writer's seq cache) then acts on
/// the new one. SQLite cannot add `AUTOINCREMENT` to a table, so the three are rebuilt (with
/// foreign keys off, see `migrate`). Sessions also record what proves a process is theirs:
/// its start time and the mark in its environment (`sessions::ownership`).
const V3: &str = r#"
CREATE TABLE projects_v3 (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL,
    path           TEXT NOT NULL UNIQUE,
    default_branch TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
INSERT INTO projects_v3 (id, name, path, default_branch, created_at, updated_at)
    SELECT id, name, path, default_branch, created_at, updated_at FROM projects;
DROP TABLE projects;
ALTER TABLE projects_v3 RENAME TO projects;

CREATE TABLE tasks_v3 (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id        INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    prompt            TEXT NOT NULL DEFAULT '',
    priority          INTEGER NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
    status            TEXT NOT NULL DEFAULT 'todo' CHECK (status IN
                      ('todo','in_queue','in_progress','review','fail','blocked','done')),
    sort_order        INTEGER NOT NULL,
    fail_reason       TEXT,
    branch            TEXT,
    worktree_path     TEXT,
    pr_url            TEXT,
    session_id        INTEGER,
    queued_at         INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    queued_runtime    TEXT,
    queued_permission TEXT
);
INSERT INTO tasks_v3 (id, project_id, title, description, prompt, priority, status, sort_order,
                      fail_reason, branch, worktree_path, pr_url, session_id, queued_at,
                      created_at, updated_at, queued_runtime, queued_permission)
    SELECT id, project_id, title, description, prompt, priority, status, sort_order,
           fail_reason, branch, worktree_path, pr_url, session_id, queued_at,
           created_at, updated_at, queued_runtime, queued_permission FROM tasks;
DROP TABLE tasks;
ALTER TABLE tasks_v3 RENAME TO tasks;
CREATE INDEX tasks_by_project ON tasks(project_id, status, sort_order);

CREATE TABLE sessions_v3 (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id        INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_id           INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
    status            TEXT NOT NULL CHECK (status IN
                      ('pending','running','idle','completed','failed','killed')),
    runtime           TEXT NOT NULL,
    permission_policy TEXT NOT NULL,
    agent_session_id  TEXT,
    cwd               TEXT NOT NULL,
    pid               INTEGER,
    pgid              INTEGER,
    process_started   INTEGER,        -- clock ticks after boot, /proc/<pid>/stat
    process_mark      TEXT,           -- DEVLOG_AGENT_MARK of its processes
    exit_code         INTEGER,
    exit_signal       INTEGER,
    fail_reason       TEXT,
    created_at        INTEGER NOT NULL,
    started_at        INTEGER,
    ended_at          INTEGER,
    last_activity_at  INTEGER
);
-- A pgid recorded by an older version proves nothing: it is not carried over.
INSERT INTO sessions_v3 (id, project_id, task_id, status, runtime, permission_policy,
                         agent_session_id, cwd, exit_code, exit_signal, fail_reason,
                         created_at, started_at, ended_at, last_activity_at)
    SELECT id, project_id, task_id, status, runtime, permission_policy, agent_session_id, cwd,
           exit_code, exit_signal, fail_reason, created_at, started_at, ended_at,
           last_activity_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v3 RENAME TO sessions;
CREATE INDEX sessions_by_project ON sessions(project_id, created_at);
CREATE INDEX sessions_by_task ON sessions(task_id);
"#;

/// Version 4 drops version 1's global `settings` table: nothing ever read or wrote it (every
/// setting is per project, in `project_settings`).
const V4: &str = "DROP TABLE settings;";

/// Version 5 keeps the line comments of a review until they are sent to the agent.
const V5: &str = r#"
CREATE TABLE review_comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    task_id      INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    path         TEXT NOT NULL,
    side         TEXT NOT NULL CHECK (side IN ('old','new')),
    start_line   INTEGER NOT NULL CHECK (start_line >= 1),
    end_line     INTEGER NOT NULL CHECK (end_line >= start_line),
    body         TEXT NOT NULL,
    excerpt      TEXT,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER,
    sent_session INTEGER REFERENCES sessions(id) ON DELETE SET NULL
);
CREATE INDEX review_comments_by_task ON review_comments(task_id, sent_at);
"#;

/// Version 6 records what each turn used, per model (`model::usage`).
const V6: &str = r#"
CREATE TABLE turn_usage (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    session_id         INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    task_id            INTEGER REFERENCES tasks(id) ON DELETE SET NULL,
    agent              TEXT NOT NULL,  -- model::AgentKind's wire name
    acp_agent          TEXT,           -- the declared ACP agent, for agent 'acp'
    model              TEXT,
    input_tokens       INTEGER NOT NULL,
    output_tokens      INTEGER NOT NULL,
    cache_read_tokens  INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens   INTEGER NOT NULL,
    cost_usd           REAL,
    cost_source        TEXT NOT NULL CHECK (cost_source IN ('reported','estimated','unpriced')),
    at                 INTEGER NOT NULL
);
CREATE INDEX turn_usage_by_session ON turn_usage(session_id);
CREATE INDEX turn_usage_by_task ON turn_usage(project_id, task_id);
"#;

/// Version 7: a project's usage by time, for the Usage page's ranges.
const V7: &str = "CREATE INDEX turn_usage_by_time ON turn_usage(project_id, at);";

/// Version 8: a task re-queued after a rate limit — not before `held_until` (Unix ms; the
/// agent's reset when `held_reset_known`, else a back-off of `held_wait_ms`, kept to double the
/// next one) — continues the agent's conversation of `resume_session`; and a task's own
/// `budget` (JSON of `model::budget::Budget`).
const V8: &str = r#"
ALTER TABLE tasks ADD COLUMN budget TEXT;
ALTER TABLE tasks ADD COLUMN held_until INTEGER;
ALTER TABLE tasks ADD COLUMN held_reset_known INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN held_wait_ms INTEGER;
ALTER TABLE tasks ADD COLUMN resume_session INTEGER REFERENCES sessions(id) ON DELETE SET NULL;
"#;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3).foreign_key_check(),
        M::up(V4),
        M::up(V5),
        M::up(V6),
        M::up(V7),
        M::up(V8),
    ])
}

/// Migrates with foreign keys off, as SQLite requires for rebuilding a table (dropping a
/// parent table would otherwise cascade into its children); each migration that rebuilds one
/// checks every foreign key before it commits.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), rusqlite_migration::Error> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let migrated = migrations().to_latest(conn);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrated
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
                "review_comments",
                "session_events",
                "session_files",
                "sessions",
                "sqlite_sequence",
                "task_dependencies",
                "tasks",
                "turn_usage"
            ]
        );
    }

    /// The statuses SQLite accepts are exactly the enums' wire names: a status added to the
    /// enum needs a migration, and this says so.
    #[test]
    fn the_status_checks_accept_exactly_the_enums_names() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let listed = |table: &str| -> Vec<String> {
            let sql: String = conn
                .query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1",
                    [table],
                    |r| r.get(0),
                )
                .unwrap();
            let start = sql.find("CHECK (status IN").unwrap();
            let list = &sql[start..];
            let list = &list[list.find('(').unwrap() + 1..];
            let list = &list[list.find('(').unwrap() + 1..list.find(')').unwrap()];
            list.split(',')
                .map(|name| name.trim().trim_matches('\'').to_string())
                .collect()
        };
        assert_eq!(listed("tasks"), model::TaskStatus::NAMES);
        assert_eq!(listed("sessions"), model::SessionStatus::NAMES);
    }

    /// A database written by version 2 keeps every row, and its references, through the
    /// rebuild; and ids freed by a delete are not handed out again.
    #[test]
    fn version_3_keeps_the_rows_and_never_reuses_an_id() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrations().to_version(&mut conn, 2).unwrap();
        conn.execute_batch(
            "INSERT INTO projects VALUES (1, 'a', '/a', 'main', 0, 0), (2, 'b', '/b', 'main', 0, 0);
             INSERT INTO tasks (id, project_id, title, sort_order, created_at, updated_at)
                 VALUES (5, 2, 't', 0, 0, 0);
             INSERT INTO sessions (id, project_id, task_id, status, runtime, permission_policy,
                                   cwd, pgid, created_at)
                 VALUES (9, 2, 5, 'idle', '{}', 'ask', '/b', 4242, 0);
             INSERT INTO session_events VALUES (9, 1, 'log', '{}', 0);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM projects"), 2);
        assert_eq!(count("SELECT task_id FROM sessions WHERE id = 9"), 5);
        assert_eq!(
            count("SELECT COUNT(*) FROM sessions WHERE pgid IS NOT NULL"),
            0
        );
        assert_eq!(count("SELECT COUNT(*) FROM session_events"), 1);
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1, "foreign keys are back on");
        // Removing project 2 cascades; the next project, task and session get new ids.
        conn.execute("DELETE FROM projects WHERE id = 2", [])
            .unwrap();
        assert_eq!(count("SELECT COUNT(*) FROM sessions"), 0);
        conn.execute(
            "INSERT INTO projects (name, path, default_branch, created_at, updated_at)
             VALUES ('c', '/c', 'main', 0, 0)",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 3);
        conn.execute(
            "INSERT INTO tasks (project_id, title, sort_order, created_at, updated_at)
             VALUES (3, 't', 0, 0, 0)",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 6);
        conn.execute(
            "INSERT INTO sessions (project_id, status, runtime, permission_policy, cwd, created_at)
             VALUES (3, 'idle', '{}', 'ask', '/c', 0)",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 10);
    }
}
