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

/// Every variable name a saved runtime selection, or a session's stored one, gives for the
/// "Server environment variable" mode: the server's secrets, whatever they are called.
pub fn named_env_vars(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT json_extract(value, '$.env_var') FROM project_settings
          WHERE key = 'runtime' AND json_valid(value)
         UNION
         SELECT json_extract(runtime, '$.env_var') FROM sessions WHERE json_valid(runtime)",
    )?;
    let names = stmt.query_map([], |row| row.get::<_, Option<String>>(0))?;
    names
        .filter_map(|name| name.transpose())
        .map(|name| name.map(|n| n.trim().to_string()))
        .filter(|name| name.as_ref().map_or(true, |n| !n.is_empty()))
        .collect()
}
