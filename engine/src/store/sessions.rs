//! SQL for `sessions` and `session_events`. Every read is scoped by project id.

use super::now_ms;
use model::{
    PermissionPolicy, ProjectId, RuntimeSelection, Session, SessionId, SessionStatus, StoredEvent,
    StreamEvent, TaskId, TaskStatus,
};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// What a new session row holds.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub project: ProjectId,
    pub task: Option<TaskId>,
    /// Stored as JSON in `sessions.runtime`: the type has no field that can hold a secret.
    pub runtime: &'a RuntimeSelection,
    pub permission: PermissionPolicy,
    pub cwd: &'a str,
    /// The agent's own id of a conversation this session continues (an attempt resumed
    /// after a rate limit), which the first turn resumes.
    pub resume: Option<&'a str>,
}

const COLUMNS: &str = "id, project_id, task_id, status, runtime, permission_policy, \
                       agent_session_id, cwd, fail_reason, exit_code, exit_signal, created_at, \
                       ended_at, last_activity_at";

fn bad(col: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, what.into())
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Session> {
    let runtime: String = row.get(4)?;
    let runtime: RuntimeSelection =
        serde_json::from_str(&runtime).map_err(|e| bad(4, e.to_string()))?;
    Ok(Session {
        id: SessionId(row.get(0)?),
        project_id: ProjectId(row.get(1)?),
        task_id: row.get::<_, Option<i64>>(2)?.map(TaskId),
        status: row.get(3)?,
        runtime,
        permission: row.get(5)?,
        agent_session_id: row.get(6)?,
        cwd: row.get(7)?,
        fail_reason: row.get(8)?,
        exit_code: row.get(9)?,
        exit_signal: row.get(10)?,
        created_at: row.get(11)?,
        ended_at: row.get(12)?,
        last_activity_at: row.get(13)?,
    })
}

pub fn insert(conn: &Connection, new: &NewSession<'_>) -> rusqlite::Result<Session> {
    let runtime = serde_json::to_string(new.runtime).map_err(|e| bad(4, e.to_string()))?;
    conn.query_row(
        &format!(
            "INSERT INTO sessions (project_id, task_id, status, runtime, permission_policy, cwd,
                                   created_at, last_activity_at, agent_session_id)
             VALUES (?1, ?2, ?7, ?3, ?4, ?5, ?6, ?6, ?8) RETURNING {COLUMNS}"
        ),
        params![
            new.project.0,
            new.task.map(|t| t.0),
            runtime,
            new.permission,
            new.cwd,
            now_ms(),
            SessionStatus::Pending,
            new.resume
        ],
        from_row,
    )
}

pub fn get(
    conn: &Connection,
    project: ProjectId,
    id: SessionId,
) -> rusqlite::Result<Option<Session>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE project_id = ?1 AND id = ?2"
    ))?
    .query_row([project.0, id.0], from_row)
    .optional()
}

/// The project a session belongs to, whatever project is asking (for 403 versus 404).
pub fn project_of(conn: &Connection, id: SessionId) -> rusqlite::Result<Option<ProjectId>> {
    conn.prepare_cached("SELECT project_id FROM sessions WHERE id = ?1")?
        .query_row([id.0], |r| r.get(0).map(ProjectId))
        .optional()
}

pub fn list(conn: &Connection, project: ProjectId) -> rusqlite::Result<Vec<Session>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM sessions WHERE project_id = ?1 ORDER BY created_at DESC, id DESC"
    ))?;
    stmt.query_map([project.0], from_row)?.collect()
}

/// Writes a status the caller checked with `SessionStatus::transition`.
pub fn set_status(
    conn: &Connection,
    id: SessionId,
    status: SessionStatus,
    fail_reason: Option<&str>,
) -> rusqlite::Result<()> {
    let now = now_ms();
    let ended = status.is_final().then_some(now);
    conn.prepare_cached(
        "UPDATE sessions SET status = ?2, fail_reason = COALESCE(?3, fail_reason),
                ended_at = COALESCE(?4, ended_at), last_activity_at = ?5 WHERE id = ?1",
    )?
    .execute(params![id.0, status, fail_reason, ended, now])?;
    Ok(())
}

/// The largest stored `seq` of a session (0 when it has none).
pub fn max_seq(conn: &Connection, id: SessionId) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM session_events WHERE session_id = ?1")?
        .query_row([id.0], |r| r.get(0))
}

/// Appends events whose seqs the single writer assigned, and returns each one's stored JSON
/// (serialised once: the stream sends it as it is). Call inside a transaction.
pub fn append_events(
    conn: &Connection,
    events: &[(SessionId, StoredEvent)],
) -> rusqlite::Result<Vec<String>> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO session_events (session_id, seq, kind, payload, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut payloads = Vec::with_capacity(events.len());
    // Last activity is written once per session and batch, not once per event.
    let mut last_activity: Vec<(SessionId, i64)> = Vec::new();
    for (session, stored) in events {
        let payload = serde_json::to_string(&stored.event).map_err(|e| bad(3, e.to_string()))?;
        insert.execute(params![
            session.0,
            stored.seq,
            stored.event.kind(),
            payload,
            stored.at
        ])?;
        payloads.push(payload);
        if let StreamEvent::AgentSession {
            agent_session_id, ..
        } = &stored.event
        {
            conn.prepare_cached("UPDATE sessions SET agent_session_id = ?2 WHERE id = ?1")?
                .execute(params![session.0, agent_session_id])?;
        }
        match last_activity.iter_mut().find(|(s, _)| s == session) {
            Some((_, at)) => *at = stored.at,
            None => last_activity.push((*session, stored.at)),
        }
    }
    let mut touch =
        conn.prepare_cached("UPDATE sessions SET last_activity_at = ?2 WHERE id = ?1")?;
    for (session, at) in last_activity {
        touch.execute(params![session.0, at])?;
    }
    Ok(payloads)
}

/// Up to `limit` events with `seq > after`, in order: replay reads in pages so a long history
/// is never loaded at once.
pub fn events_after(
    conn: &Connection,
    id: SessionId,
    after: i64,
    limit: usize,
) -> rusqlite::Result<Vec<StoredEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, created_at, payload FROM session_events
         WHERE session_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    stmt.query_map(params![id.0, after, limit as i64], stored_event)?
        .collect()
}

/// The latest `limit` events with `seq < before` (every event when `before` is None), in
/// order, and whether older ones remain: a long history is shown from its end, page by page
/// backwards, without reading the rest (the primary key is `(session_id, seq)`).
pub fn events_before(
    conn: &Connection,
    id: SessionId,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<(Vec<StoredEvent>, bool)> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, created_at, payload FROM session_events
         WHERE session_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let before = before.unwrap_or(i64::MAX);
    // One more than asked tells whether older events remain.
    let mut events = stmt
        .query_map(params![id.0, before, limit as i64 + 1], stored_event)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = events.len() > limit;
    events.truncate(limit);
    events.reverse();
    Ok((events, more))
}

fn stored_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredEvent> {
    let payload: String = r.get(2)?;
    // A payload this version cannot read is kept visible as a raw line, not dropped.
    let event = serde_json::from_str(&payload).unwrap_or(StreamEvent::Raw { line: payload });
    Ok(StoredEvent {
        seq: r.get(0)?,
        at: r.get(1)?,
        event,
    })
}

/// The process now running for a session, as it is recorded: the pid and group, and what
/// proves a process is this one's after a crash (its start time and the mark it carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessRecord {
    pub pid: u32,
    pub pgid: i32,
    pub start_ticks: Option<u64>,
    pub mark: String,
}

/// Up to `limit` stored rows with `seq > after`, in order, as (seq, at, kind, payload): what
/// the stream replays, without reading the payloads.
pub fn raw_events_after(
    conn: &Connection,
    id: SessionId,
    after: i64,
    limit: usize,
) -> rusqlite::Result<Vec<(i64, i64, String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, created_at, kind, payload FROM session_events
         WHERE session_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    stmt.query_map(params![id.0, after, limit as i64], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?
    .collect()
}

/// Records the process now running for a session (so an orphan can be found after a crash).
pub fn set_process(
    conn: &Connection,
    id: SessionId,
    process: &ProcessRecord,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sessions SET pid = ?2, pgid = ?3, process_started = ?4, process_mark = ?5,
                started_at = COALESCE(started_at, ?6), exit_code = NULL, exit_signal = NULL
          WHERE id = ?1",
    )?
    .execute(params![
        id.0,
        process.pid,
        process.pgid,
        process.start_ticks.and_then(|t| i64::try_from(t).ok()),
        process.mark,
        now_ms()
    ])?;
    Ok(())
}

/// The process was reaped: its pid and group id may now name someone else's, so they are
/// forgotten. The mark stays: children it left behind still carry it.
pub fn set_exit(
    conn: &Connection,
    id: SessionId,
    code: Option<i32>,
    signal: Option<i32>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sessions SET exit_code = ?2, exit_signal = ?3, pid = NULL, pgid = NULL,
                process_started = NULL WHERE id = ?1",
    )?
    .execute(params![id.0, code, signal])?;
    Ok(())
}

/// Sessions a previous server left pending or running — or idle while their task is still in
/// progress (a task's attempt ends with its turn, so it was ending).
pub fn interrupted(conn: &Connection) -> rusqlite::Result<Vec<(SessionId, ProjectId)>> {
    let mut stmt = conn.prepare(
        "SELECT s.id, s.project_id FROM sessions s
         WHERE s.status IN (?1, ?2)
            OR (s.status = ?3 AND EXISTS (SELECT 1 FROM tasks t
                WHERE t.session_id = s.id AND t.status = ?4))",
    )?;
    let statuses = params![
        SessionStatus::Pending,
        SessionStatus::Running,
        SessionStatus::Idle,
        TaskStatus::InProgress
    ];
    stmt.query_map(statuses, |r| {
        Ok((SessionId(r.get(0)?), ProjectId(r.get(1)?)))
    })?
    .collect()
}

/// The marks of every session whose processes a previous server may have left behind.
pub fn process_marks(conn: &Connection) -> rusqlite::Result<Vec<(SessionId, String)>> {
    let mut stmt =
        conn.prepare("SELECT id, process_mark FROM sessions WHERE process_mark IS NOT NULL")?;
    stmt.query_map([], |r| Ok((SessionId(r.get(0)?), r.get(1)?)))?
        .collect()
}

/// Forgets the marks of sessions none of whose processes is left.
pub fn clear_process_marks(conn: &Connection, ids: &[SessionId]) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "UPDATE sessions SET process_mark = NULL, pid = NULL, pgid = NULL,
                process_started = NULL WHERE id = ?1",
    )?;
    for id in ids {
        stmt.execute([id.0])?;
    }
    Ok(())
}

/// The task a session works on, if that task is still `in_progress` with this session.
pub fn bound_task(
    conn: &Connection,
    id: SessionId,
) -> rusqlite::Result<Option<(ProjectId, TaskId)>> {
    conn.prepare_cached(
        "SELECT t.project_id, t.id FROM sessions s JOIN tasks t ON t.id = s.task_id
         WHERE s.id = ?1 AND t.session_id = s.id AND t.status = 'in_progress'",
    )?
    .query_row([id.0], |r| Ok((ProjectId(r.get(0)?), TaskId(r.get(1)?))))
    .optional()
}

/// The tasks of `project` that a session of `agent` worked on (the agent is in the session's
/// runtime, as JSON).
pub fn tasks_run_by(
    conn: &Connection,
    project: ProjectId,
    agent: model::AgentKind,
) -> rusqlite::Result<Vec<TaskId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT task_id FROM sessions
         WHERE project_id = ?1 AND task_id IS NOT NULL AND json_extract(runtime, '$.agent') = ?2",
    )?;
    stmt.query_map(rusqlite::params![project.0, agent.as_str()], |r| {
        r.get(0).map(TaskId)
    })?
    .collect()
}
