//! SQL for `project_settings`: one JSON value per (project, key).

use model::ProjectId;
use rusqlite::{Connection, OptionalExtension, params};

pub fn get(conn: &Connection, project: ProjectId, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM project_settings WHERE project_id = ?1 AND key = ?2",
        params![project.0, key],
        |row| row.get(0),
    )
    .optional()
}

pub fn put(conn: &Connection, project: ProjectId, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO project_settings (project_id, key, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (project_id, key) DO UPDATE SET value = excluded.value",
        params![project.0, key, value],
    )?;
    Ok(())
}
