//! SQL for `review_comments`: the line comments of a task's review, kept until a "Send N
//! comments" attempt takes them (then they are marked sent with its session, never deleted by
//! it, so what was asked stays on record).

use model::comment::{CommentDraft, ReviewComment};
use model::{ProjectId, SessionId, TaskId};
use rusqlite::{Connection, Row, params};

const COLUMNS: &str = "id, path, side, start_line, end_line, body, excerpt, created_at";

fn comment_from_row(row: &Row<'_>) -> rusqlite::Result<ReviewComment> {
    Ok(ReviewComment {
        id: row.get(0)?,
        path: row.get(1)?,
        side: row.get(2)?,
        start: row.get(3)?,
        end: row.get(4)?,
        body: row.get(5)?,
        excerpt: row.get(6)?,
        created_at: row.get(7)?,
    })
}

pub fn insert(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
    draft: &CommentDraft,
    excerpt: Option<&str>,
    now: i64,
) -> rusqlite::Result<ReviewComment> {
    conn.query_row(
        &format!(
            "INSERT INTO review_comments
                 (project_id, task_id, path, side, start_line, end_line, body, excerpt, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             RETURNING {COLUMNS}"
        ),
        params![
            project.0,
            task.0,
            draft.path,
            draft.side,
            draft.start,
            draft.end,
            draft.body,
            excerpt,
            now
        ],
        comment_from_row,
    )
}

/// The task's comments not sent yet, in the order of the diff (file, then line).
pub fn pending(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
) -> rusqlite::Result<Vec<ReviewComment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM review_comments
          WHERE project_id = ?1 AND task_id = ?2 AND sent_at IS NULL
          ORDER BY path, start_line, id"
    ))?;
    let rows = stmt.query_map(params![project.0, task.0], comment_from_row)?;
    rows.collect()
}

/// Deletes a comment not sent yet; false when there is no such comment.
pub fn delete(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
    id: i64,
) -> rusqlite::Result<bool> {
    let deleted = conn.execute(
        "DELETE FROM review_comments
          WHERE id = ?1 AND project_id = ?2 AND task_id = ?3 AND sent_at IS NULL",
        params![id, project.0, task.0],
    )?;
    Ok(deleted > 0)
}

/// Marks the comments `ids` as sent with the attempt `session` (`None`: the attempt was
/// queued, its session not made yet).
pub fn mark_sent(
    conn: &Connection,
    task: TaskId,
    ids: &[i64],
    session: Option<SessionId>,
    now: i64,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE review_comments SET sent_at = ?1, sent_session = ?2
          WHERE id = ?3 AND task_id = ?4 AND sent_at IS NULL",
    )?;
    for id in ids {
        stmt.execute(params![now, session.map(|s| s.0), id, task.0])?;
    }
    Ok(())
}
