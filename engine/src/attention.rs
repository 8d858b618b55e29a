//! What needs the user in a project (`model::attention`): its tasks in review or failed, and
//! the permission requests its live sessions have not had answered.

use crate::{Engine, EngineError, EngineResult, store};
use model::attention::{Attention, Waiting, WaitingKind};
use model::{ProjectId, SessionId, TaskId, TaskStatus};
use rusqlite::Connection;

/// The open permission requests of a project's live sessions, oldest first: a request with
/// no answer and not withdrawn after it. (Each session's own events, by its key.)
fn open_permission_requests(
    conn: &Connection,
    project: ProjectId,
) -> rusqlite::Result<Vec<Waiting>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.task_id, t.title, json_extract(r.payload, '$.tool')
         FROM sessions s
         JOIN session_events r ON r.session_id = s.id AND r.kind = 'permission_request'
         LEFT JOIN tasks t ON t.id = s.task_id
         WHERE s.project_id = ?1 AND s.status IN ('pending', 'running', 'idle')
           AND NOT EXISTS (
             SELECT 1 FROM session_events x
             WHERE x.session_id = r.session_id AND x.seq > r.seq
               AND x.kind IN ('permission_resolved', 'permission_withdrawn')
               AND json_extract(x.payload, '$.request_id') = json_extract(r.payload, '$.request_id'))
         ORDER BY r.created_at, s.id",
    )?;
    stmt.query_map([project.0], |row| {
        let session = SessionId(row.get(0)?);
        let title: Option<String> = row.get(2)?;
        Ok(Waiting {
            kind: WaitingKind::Permission,
            task: row.get::<_, Option<i64>>(1)?.map(TaskId),
            title: title.unwrap_or_else(|| format!("Session {session}")),
            session: Some(session),
            tool: row.get(3)?,
        })
    })?
    .collect()
}

impl Engine {
    /// What waits for the user in `project`: permission requests first, then the tasks in
    /// review and the failed ones, in the board's order.
    pub async fn attention(&self, project: ProjectId) -> EngineResult<Attention> {
        self.db()
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                store::projects::get(&tx, project)?
                    .ok_or_else(|| EngineError::NotFound(format!("project {project}")))?;
                let mut waiting = open_permission_requests(&tx, project)?;
                for task in store::tasks::list(&tx, project)? {
                    let kind = match task.status {
                        TaskStatus::Review => WaitingKind::Review,
                        TaskStatus::Fail => WaitingKind::Failed,
                        _ => continue,
                    };
                    waiting.push(Waiting {
                        kind,
                        task: Some(task.id),
                        title: task.title,
                        session: None,
                        tool: None,
                    });
                }
                Ok(Attention { waiting })
            })
            .await
    }
}
