//! SQL for scheduling: task dependencies, the queue (what a queued task starts with), the
//! concurrency setting, and the files sessions touched (file locks).

use super::now_ms;
use model::schedule::{Dependency, Queued};
use model::{
    ExecutionMode, PermissionPolicy, ProjectId, RuntimeSelection, SessionId, SessionStatus, TaskId,
    TaskStatus,
};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, params};

pub fn dependencies(conn: &Connection, project: ProjectId) -> rusqlite::Result<Vec<Dependency>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.task_id, d.depends_on FROM task_dependencies d
         JOIN tasks t ON t.id = d.task_id WHERE t.project_id = ?1 ORDER BY d.task_id, d.depends_on",
    )?;
    stmt.query_map([project.0], |r| {
        Ok(Dependency {
            task: TaskId(r.get(0)?),
            on: TaskId(r.get(1)?),
        })
    })?
    .collect()
}

pub fn add_dependency(conn: &Connection, dep: Dependency) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO task_dependencies (task_id, depends_on) VALUES (?1, ?2)",
        params![dep.task.0, dep.on.0],
    )?;
    Ok(())
}

pub fn remove_dependency(conn: &Connection, dep: Dependency) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM task_dependencies WHERE task_id = ?1 AND depends_on = ?2",
        params![dep.task.0, dep.on.0],
    )? > 0)
}

/// What a queued task will start with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedStart {
    pub selection: RuntimeSelection,
    pub permission: Option<PermissionPolicy>,
}

/// Records what a queued task starts with; its place in line (`queued_at`) is set when it
/// enters the queue and kept when it is queued again.
pub fn set_queued(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
    start: &QueuedStart,
    entering: bool,
) -> rusqlite::Result<()> {
    let runtime = serde_json::to_string(&start.selection)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "UPDATE tasks SET queued_at = CASE WHEN ?6 THEN ?3 ELSE COALESCE(queued_at, ?3) END,
                          queued_runtime = ?4, queued_permission = ?5
         WHERE project_id = ?1 AND id = ?2",
        params![
            project.0,
            task.0,
            now_ms(),
            runtime,
            start.permission,
            entering
        ],
    )?;
    Ok(())
}

pub fn queued_start(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
) -> rusqlite::Result<Option<QueuedStart>> {
    let row: Option<(Option<String>, Option<PermissionPolicy>)> = conn
        .query_row(
            "SELECT queued_runtime, queued_permission FROM tasks WHERE project_id = ?1 AND id = ?2",
            params![project.0, task.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((Some(runtime), permission)) = row else {
        return Ok(None);
    };
    let selection = serde_json::from_str(&runtime)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, Box::new(e)))?;
    Ok(Some(QueuedStart {
        selection,
        permission,
    }))
}

/// The project's queued tasks, for [`model::schedule::plan`].
pub fn queue(conn: &Connection, project: ProjectId) -> rusqlite::Result<Vec<Queued>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, COALESCE(queued_at, updated_at), queued_runtime, held_until, held_reset_known
         FROM tasks WHERE project_id = ?1 AND status = ?2",
    )?;
    stmt.query_map(params![project.0, TaskStatus::InQueue], |r| {
        let runtime: Option<String> = r.get(2)?;
        let selection =
            runtime.and_then(|json| serde_json::from_str::<RuntimeSelection>(&json).ok());
        let needs_key = selection
            .as_ref()
            .is_none_or(|s| s.mode == ExecutionMode::Byok);
        Ok(Queued {
            task: TaskId(r.get(0)?),
            queued_at: r.get(1)?,
            needs_key,
            agent: selection.map_or_else(String::new, |s| agent_of(&s)),
            held_until: r.get(3)?,
            reset_known: r.get(4)?,
        })
    })?
    .collect()
}

/// The agent a rate limit holds, as the user reads it ("Claude Code", "qwen").
pub fn agent_of(selection: &RuntimeSelection) -> String {
    selection.agent.label_with(selection.acp_agent.as_deref())
}

/// A queued task held back by its agent's rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    /// Not started before (Unix milliseconds).
    pub until: i64,
    /// `until` is the agent's reset, not a back-off.
    pub reset_known: bool,
    /// The wait this hold used (doubled by the next back-off).
    pub wait_ms: i64,
    /// The session whose agent conversation the next attempt continues.
    pub resume: Option<SessionId>,
}

pub fn set_hold(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
    hold: &Hold,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE tasks SET held_until = ?3, held_reset_known = ?4, held_wait_ms = ?5,
                          resume_session = ?6
         WHERE project_id = ?1 AND id = ?2",
        params![
            project.0,
            task.0,
            hold.until,
            hold.reset_known,
            hold.wait_ms,
            hold.resume.map(|s| s.0)
        ],
    )?;
    Ok(())
}

/// The back-off the task's last rate limit waited, if the one before this attempt was one.
pub fn last_wait(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
) -> rusqlite::Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT held_wait_ms FROM tasks WHERE project_id = ?1 AND id = ?2",
            params![project.0, task.0],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

/// The agent's own id of the conversation a re-queued task continues (that of the session
/// the rate limit stopped).
pub fn resume_of(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT s.agent_session_id FROM tasks t JOIN sessions s ON s.id = t.resume_session
         WHERE t.project_id = ?1 AND t.id = ?2 AND s.agent_session_id IS NOT NULL",
        params![project.0, task.0],
        |r| r.get(0),
    )
    .optional()
}

/// Records that `session` touched `paths` (relative to its working directory).
pub fn touch_files(
    conn: &Connection,
    session: SessionId,
    paths: &[String],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO session_files (session_id, path, touched_at) VALUES (?1, ?2, ?3)",
    )?;
    let now = now_ms();
    for path in paths {
        stmt.execute(params![session.0, path, now])?;
    }
    Ok(())
}

pub fn release_files(conn: &Connection, session: SessionId) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM session_files WHERE session_id = ?1",
        [session.0],
    )?;
    Ok(())
}

/// Every file held by a live session of the project: (path, session, task).
pub fn locks(
    conn: &Connection,
    project: ProjectId,
) -> rusqlite::Result<Vec<(String, SessionId, Option<TaskId>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.path, s.id, s.task_id FROM session_files f JOIN sessions s ON s.id = f.session_id
         WHERE s.project_id = ?1 AND s.status IN (?2, ?3, ?4)
         ORDER BY f.path, s.id",
    )?;
    let live = params![
        project.0,
        SessionStatus::Pending,
        SessionStatus::Running,
        SessionStatus::Idle
    ];
    stmt.query_map(live, |r| {
        Ok((
            r.get(0)?,
            SessionId(r.get(1)?),
            r.get::<_, Option<i64>>(2)?.map(TaskId),
        ))
    })?
    .collect()
}
