//! SQL for the `tasks` table. Every statement is scoped by project id.

use super::now_ms;
use model::{ProjectId, Task, TaskDraft, TaskId, TaskStatus};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

const COLUMNS: &str = "id, project_id, title, description, prompt, priority, status, sort_order, \
                       fail_reason, branch, worktree_path, created_at, updated_at, session_id, \
                       pr_url";

fn corrupt(col: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, what.into())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Task> {
    Ok(Task {
        id: TaskId(row.get(0)?),
        project_id: ProjectId(row.get(1)?),
        title: row.get(2)?,
        description: row.get(3)?,
        prompt: row.get(4)?,
        priority: row.get(5)?,
        status: row.get(6)?,
        sort_order: row.get(7)?,
        fail_reason: row.get(8)?,
        branch: row.get(9)?,
        worktree_path: row.get(10)?,
        created_at: row.get(11)?,
        updated_at: row.get(12)?,
        session_id: row.get::<_, Option<i64>>(13)?.map(model::SessionId),
        pr_url: row.get(14)?,
    })
}

pub fn list(conn: &Connection, project: ProjectId) -> rusqlite::Result<Vec<Task>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tasks WHERE project_id = ?1 ORDER BY sort_order, id"
    ))?;
    stmt.query_map([project.0], from_row)?.collect()
}

pub fn get(conn: &Connection, project: ProjectId, id: TaskId) -> rusqlite::Result<Option<Task>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM tasks WHERE project_id = ?1 AND id = ?2"
    ))?
    .query_row([project.0, id.0], from_row)
    .optional()
}

/// The next sort order at the end of the project's tasks.
fn next_sort_order(conn: &Connection, project: ProjectId) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT COALESCE(MAX(sort_order), 0) + 1 FROM tasks WHERE project_id = ?1",
        [project.0],
        |r| r.get(0),
    )
}

/// Inserts a validated draft as a new `todo` task at the end of its column.
pub fn insert(conn: &Connection, project: ProjectId, draft: &TaskDraft) -> rusqlite::Result<Task> {
    let now = now_ms();
    let sort_order = next_sort_order(conn, project)?;
    conn.query_row(
        &format!(
            "INSERT INTO tasks (project_id, title, description, prompt, priority, status,
                                sort_order, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?8, ?6, ?7, ?7) RETURNING {COLUMNS}"
        ),
        params![
            project.0,
            draft.title,
            draft.description,
            draft.prompt,
            draft.priority,
            sort_order,
            now,
            TaskStatus::Todo
        ],
        from_row,
    )
}

pub fn update_draft(
    conn: &Connection,
    project: ProjectId,
    id: TaskId,
    draft: &TaskDraft,
) -> rusqlite::Result<Option<Task>> {
    conn.query_row(
        &format!(
            "UPDATE tasks SET title = ?3, description = ?4, prompt = ?5, priority = ?6,
                              updated_at = ?7
             WHERE project_id = ?1 AND id = ?2 RETURNING {COLUMNS}"
        ),
        params![
            project.0,
            id.0,
            draft.title,
            draft.description,
            draft.prompt,
            draft.priority,
            now_ms()
        ],
        from_row,
    )
    .optional()
}

/// Writes a status already checked by the state machine; the task goes to the end of its new
/// column. `fail_reason` is kept only for `fail`.
pub fn set_status(
    conn: &Connection,
    project: ProjectId,
    id: TaskId,
    status: TaskStatus,
    fail_reason: Option<&str>,
) -> rusqlite::Result<Option<Task>> {
    let sort_order = next_sort_order(conn, project)?;
    conn.query_row(
        &format!(
            // What a queued task starts with, and a rate limit's hold, are forgotten once it
            // leaves the queue; the last back-off is kept while it runs, to double the next.
            "UPDATE tasks SET status = ?3, fail_reason = ?4, sort_order = ?5, updated_at = ?6,
                 queued_at = CASE WHEN ?3 = ?7 THEN queued_at END,
                 queued_runtime = CASE WHEN ?3 = ?7 THEN queued_runtime END,
                 queued_permission = CASE WHEN ?3 = ?7 THEN queued_permission END,
                 held_until = CASE WHEN ?3 = ?7 THEN held_until END,
                 held_reset_known = CASE WHEN ?3 = ?7 THEN held_reset_known ELSE 0 END,
                 resume_session = CASE WHEN ?3 = ?7 THEN resume_session END,
                 held_wait_ms = CASE WHEN ?3 IN (?7, ?8) THEN held_wait_ms END
             WHERE project_id = ?1 AND id = ?2 RETURNING {COLUMNS}"
        ),
        params![
            project.0,
            id.0,
            status,
            fail_reason,
            sort_order,
            now_ms(),
            TaskStatus::InQueue,
            TaskStatus::InProgress
        ],
        from_row,
    )
    .optional()
}

pub fn delete(conn: &Connection, project: ProjectId, id: TaskId) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM tasks WHERE project_id = ?1 AND id = ?2",
        [project.0, id.0],
    )? > 0)
}

/// The ids of the tasks in `statuses`, in board order.
pub fn ids_in_statuses(
    conn: &Connection,
    project: ProjectId,
    statuses: &[TaskStatus],
) -> rusqlite::Result<Vec<TaskId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM tasks WHERE project_id = ?1
         AND status IN (SELECT value FROM json_each(?2)) ORDER BY sort_order, id",
    )?;
    let statuses_json = serde_json::to_string(statuses).map_err(|e| corrupt(2, e.to_string()))?;
    stmt.query_map(params![project.0, statuses_json], |r| r.get(0).map(TaskId))?
        .collect()
}

pub fn set_sort_order(
    conn: &Connection,
    project: ProjectId,
    id: TaskId,
    sort_order: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE tasks SET sort_order = ?3, updated_at = ?4 WHERE project_id = ?1 AND id = ?2",
    )?
    .execute(params![project.0, id.0, sort_order, now_ms()])?;
    Ok(())
}

/// Records where a task's work lives (chosen once, reused by every later attempt).
pub fn set_worktree(
    conn: &Connection,
    project: ProjectId,
    id: TaskId,
    branch: &str,
    worktree_path: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE tasks SET branch = ?3, worktree_path = ?4, updated_at = ?5
         WHERE project_id = ?1 AND id = ?2",
    )?
    .execute(params![project.0, id.0, branch, worktree_path, now_ms()])?;
    Ok(())
}

pub fn set_pr_url(
    conn: &Connection,
    project: ProjectId,
    id: TaskId,
    pr_url: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE tasks SET pr_url = ?3, updated_at = ?4 WHERE project_id = ?1 AND id = ?2",
    )?
    .execute(params![project.0, id.0, pr_url, now_ms()])?;
    Ok(())
}

/// Points a task at the session now working on it (or at none).
pub fn set_session(
    conn: &Connection,
    project: ProjectId,
    id: TaskId,
    session: Option<model::SessionId>,
) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE tasks SET session_id = ?3 WHERE project_id = ?1 AND id = ?2")?
        .execute(params![project.0, id.0, session.map(|s| s.0)])?;
    Ok(())
}
