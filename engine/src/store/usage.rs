//! SQL for `turn_usage`: what each model used in each turn, one row per model, with its cost
//! and where that cost comes from. Rows outlive their task (its id is cleared) so a project's
//! spending stays on record.

use model::usage::{CostSource, Tokens, TurnUsage, UsageTotal};
use model::{ProjectId, Session, SessionId, TaskId};
use rusqlite::{Connection, Row, params};
use std::collections::HashMap;

pub fn insert(conn: &Connection, session: &Session, usage: &TurnUsage) -> rusqlite::Result<()> {
    let t = &usage.tokens;
    conn.execute(
        "INSERT INTO turn_usage (project_id, session_id, task_id, agent, acp_agent, model,
             input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
             reasoning_tokens, cost_usd, cost_source, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            session.project_id.0,
            session.id.0,
            session.task_id.map(|t| t.0),
            session.runtime.agent.as_str(),
            session.runtime.acp_agent(),
            usage.model,
            count_to_sql(t.input),
            count_to_sql(t.output),
            count_to_sql(t.cache_read),
            count_to_sql(t.cache_write),
            count_to_sql(t.reasoning),
            usage.cost_usd,
            usage.source.as_str(),
            usage.at,
        ],
    )?;
    Ok(())
}

/// A token count as SQLite's integer (which is signed).
fn count_to_sql(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A token count read back: a NULL (a sum over no row) or a negative value is none.
fn count_at(row: &Row<'_>, i: usize) -> rusqlite::Result<u64> {
    let n: Option<i64> = row.get(i)?;
    Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
}

/// The sums `total_from_row` reads, in its order.
const TOTALS: &str = "SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens),
     SUM(cache_write_tokens), SUM(reasoning_tokens), COALESCE(SUM(cost_usd), 0),
     MAX(cost_source != 'unpriced'), MAX(cost_source = 'estimated'),
     MAX(cost_source = 'unpriced')";

fn total_from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<UsageTotal> {
    let n = |i: usize| count_at(row, first + i);
    Ok(UsageTotal {
        tokens: Tokens {
            input: n(0)?,
            output: n(1)?,
            cache_read: n(2)?,
            cache_write: n(3)?,
            reasoning: n(4)?,
        },
        cost_usd: row.get(first + 5)?,
        priced: row.get::<_, Option<bool>>(first + 6)?.unwrap_or(false),
        estimated: row.get::<_, Option<bool>>(first + 7)?.unwrap_or(false),
        unpriced: row.get::<_, Option<bool>>(first + 8)?.unwrap_or(false),
    })
}

/// What a session's turns recorded so far, per model: the tokens and the known cost.
pub fn sums_by_model(
    conn: &Connection,
    session: SessionId,
) -> rusqlite::Result<HashMap<Option<String>, (Tokens, f64)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT model, {TOTALS} FROM turn_usage WHERE session_id = ?1 GROUP BY model"
    ))?;
    stmt.query_map([session.0], |row| {
        let total = total_from_row(row, 1)?;
        Ok((row.get(0)?, (total.tokens, total.cost_usd)))
    })?
    .collect()
}

/// Each session's total of one task (its attempts), sessions without usage left out.
pub fn totals_by_session(
    conn: &Connection,
    project: ProjectId,
    task: TaskId,
) -> rusqlite::Result<HashMap<SessionId, UsageTotal>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT session_id, {TOTALS} FROM turn_usage
         WHERE project_id = ?1 AND task_id = ?2 GROUP BY session_id"
    ))?;
    stmt.query_map(params![project.0, task.0], |row| {
        Ok((SessionId(row.get(0)?), total_from_row(row, 1)?))
    })?
    .collect()
}

/// The total across its attempts of each of `tasks`, those without usage left out.
pub fn totals_by_task(
    conn: &Connection,
    project: ProjectId,
    tasks: &[TaskId],
) -> rusqlite::Result<HashMap<TaskId, UsageTotal>> {
    // The ids as one JSON array parameter: a board asks for hundreds at once.
    let ids = serde_json::Value::from(tasks.iter().map(|t| t.0).collect::<Vec<_>>()).to_string();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT task_id, {TOTALS} FROM turn_usage
         WHERE project_id = ?1 AND task_id IN (SELECT value FROM json_each(?2))
         GROUP BY task_id"
    ))?;
    stmt.query_map(params![project.0, ids], |row| {
        Ok((TaskId(row.get(0)?), total_from_row(row, 1)?))
    })?
    .collect()
}

/// One session's total.
pub fn session_total(conn: &Connection, session: SessionId) -> rusqlite::Result<UsageTotal> {
    conn.query_row(
        &format!("SELECT {TOTALS} FROM turn_usage WHERE session_id = ?1"),
        [session.0],
        |row| total_from_row(row, 0),
    )
}

/// The rows of one session, oldest first.
pub fn of_session(conn: &Connection, session: SessionId) -> rusqlite::Result<Vec<TurnUsage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                reasoning_tokens, cost_usd, cost_source, at
         FROM turn_usage WHERE session_id = ?1 ORDER BY id",
    )?;
    stmt.query_map([session.0], |row| {
        let source: String = row.get(7)?;
        Ok(TurnUsage {
            model: row.get(0)?,
            tokens: Tokens {
                input: count_at(row, 1)?,
                output: count_at(row, 2)?,
                cache_read: count_at(row, 3)?,
                cache_write: count_at(row, 4)?,
                reasoning: count_at(row, 5)?,
            },
            cost_usd: row.get(6)?,
            source: CostSource::parse(&source).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    7,
                    rusqlite::types::Type::Text,
                    format!("unknown cost source {source:?}").into(),
                )
            })?,
            at: row.get(8)?,
        })
    })?
    .collect()
}
