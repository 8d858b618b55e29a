//! SQL for the `projects` table.

use super::now_ms;
use model::{Project, ProjectId};
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, name, path, default_branch, created_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Project> {
    Ok(Project {
        id: ProjectId(row.get(0)?),
        name: row.get(1)?,
        path: row.get(2)?,
        default_branch: row.get(3)?,
        created_at: row.get(4)?,
    })
}

pub fn insert(
    conn: &Connection,
    name: &str,
    path: &str,
    default_branch: &str,
) -> rusqlite::Result<Project> {
    let now = now_ms();
    conn.query_row(
        &format!(
            "INSERT INTO projects (name, path, default_branch, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4) RETURNING {COLUMNS}"
        ),
        params![name, path, default_branch, now],
        from_row,
    )
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Project>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM projects ORDER BY name COLLATE NOCASE, id"
    ))?;
    stmt.query_map([], from_row)?.collect()
}

pub fn get(conn: &Connection, id: ProjectId) -> rusqlite::Result<Option<Project>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM projects WHERE id = ?1"))?
        .query_row([id.0], from_row)
        .optional()
}

pub fn find_by_path(conn: &Connection, path: &str) -> rusqlite::Result<Option<Project>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM projects WHERE path = ?1"))?
        .query_row([path], from_row)
        .optional()
}

pub fn update(
    conn: &Connection,
    id: ProjectId,
    name: &str,
    default_branch: &str,
) -> rusqlite::Result<Option<Project>> {
    conn.query_row(
        &format!(
            "UPDATE projects SET name = ?2, default_branch = ?3, updated_at = ?4
             WHERE id = ?1 RETURNING {COLUMNS}"
        ),
        params![id.0, name, default_branch, now_ms()],
        from_row,
    )
    .optional()
}

/// Forgets the project and, by cascade, its tasks, sessions and settings. Files are untouched.
pub fn delete(conn: &Connection, id: ProjectId) -> rusqlite::Result<bool> {
    Ok(conn.execute("DELETE FROM projects WHERE id = ?1", [id.0])? > 0)
}
