//! SQL for `turn_usage`: what each model used in each turn, one row per model, with its cost
//! and where that cost comes from. Rows outlive their task (its id is cleared) so a project's
//! spending stays on record.

use model::time::Day;
use model::usage::{CostSource, Tokens, TurnUsage, UsageTotal};
use model::usage_report::{DayRange, TaskUsage, UNNAMED_MODEL, UsageRecord};
use model::{AgentKind, ProjectId, Session, SessionId, TaskId};
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
    Ok(UsageTotal {
        tokens: tokens_at(row, first)?,
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

/// A project's total in `range`.
pub fn range_total(
    conn: &Connection,
    project: ProjectId,
    range: DayRange,
) -> rusqlite::Result<UsageTotal> {
    let (from, to) = range.millis();
    conn.query_row(
        &format!("SELECT {TOTALS} FROM turn_usage WHERE project_id = ?1 AND at >= ?2 AND at < ?3"),
        params![project.0, from, to],
        |row| total_from_row(row, 0),
    )
}

/// A project's total of each day in `range` that has usage, in order.
pub fn totals_by_day(
    conn: &Connection,
    project: ProjectId,
    range: DayRange,
) -> rusqlite::Result<Vec<(Day, UsageTotal)>> {
    let (from, to) = range.millis();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT at / 86400000 AS day, {TOTALS} FROM turn_usage
         WHERE project_id = ?1 AND at >= ?2 AND at < ?3 GROUP BY day ORDER BY day"
    ))?;
    stmt.query_map(params![project.0, from, to], |row| {
        Ok((Day(row.get(0)?), total_from_row(row, 1)?))
    })?
    .collect()
}

/// A project's total in `range` of each agent, named as the user reads it.
pub fn totals_by_agent(
    conn: &Connection,
    project: ProjectId,
    range: DayRange,
) -> rusqlite::Result<Vec<(String, UsageTotal)>> {
    let (from, to) = range.millis();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT agent, acp_agent, {TOTALS} FROM turn_usage
         WHERE project_id = ?1 AND at >= ?2 AND at < ?3 GROUP BY agent, acp_agent"
    ))?;
    stmt.query_map(params![project.0, from, to], |row| {
        Ok((agent_label(row, 0)?, total_from_row(row, 2)?))
    })?
    .collect()
}

/// A project's total in `range` of each model.
pub fn totals_by_model(
    conn: &Connection,
    project: ProjectId,
    range: DayRange,
) -> rusqlite::Result<Vec<(String, UsageTotal)>> {
    let (from, to) = range.millis();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT model, {TOTALS} FROM turn_usage
         WHERE project_id = ?1 AND at >= ?2 AND at < ?3 GROUP BY model"
    ))?;
    stmt.query_map(params![project.0, from, to], |row| {
        let model: Option<String> = row.get(0)?;
        Ok((
            model.unwrap_or_else(|| UNNAMED_MODEL.to_string()),
            total_from_row(row, 1)?,
        ))
    })?
    .collect()
}

/// The `limit` tasks of a project that cost the most in `range` (then used the most tokens),
/// of those still on the board.
pub fn costliest_tasks(
    conn: &Connection,
    project: ProjectId,
    range: DayRange,
    limit: usize,
) -> rusqlite::Result<Vec<TaskUsage>> {
    let (from, to) = range.millis();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT u.task_id, t.title, {TOTALS} FROM turn_usage u JOIN tasks t ON t.id = u.task_id
         WHERE u.project_id = ?1 AND u.at >= ?2 AND u.at < ?3 GROUP BY u.task_id
         ORDER BY COALESCE(SUM(u.cost_usd), 0) DESC,
                  SUM(input_tokens + output_tokens + cache_read_tokens + cache_write_tokens) DESC,
                  u.task_id
         LIMIT ?4"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    stmt.query_map(params![project.0, from, to, limit], |row| {
        Ok(TaskUsage {
            task: TaskId(row.get(0)?),
            title: row.get(1)?,
            total: total_from_row(row, 2)?,
        })
    })?
    .collect()
}

/// Every row of a project in `range`, oldest first, with its task's title: the export.
pub fn records(
    conn: &Connection,
    project: ProjectId,
    range: DayRange,
) -> rusqlite::Result<Vec<UsageRecord>> {
    let (from, to) = range.millis();
    let mut stmt = conn.prepare_cached(
        "SELECT u.agent, u.acp_agent, u.at, u.task_id, t.title, u.session_id, u.model,
                input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                reasoning_tokens, cost_usd, cost_source
         FROM turn_usage u LEFT JOIN tasks t ON t.id = u.task_id
         WHERE u.project_id = ?1 AND u.at >= ?2 AND u.at < ?3 ORDER BY u.id",
    )?;
    stmt.query_map(params![project.0, from, to], |row| {
        Ok(UsageRecord {
            agent: agent_label(row, 0)?,
            at: row.get(2)?,
            task: row.get::<_, Option<i64>>(3)?.map(TaskId),
            task_title: row.get(4)?,
            session: SessionId(row.get(5)?),
            model: row.get(6)?,
            tokens: tokens_at(row, 7)?,
            cost_usd: row.get(12)?,
            cost_source: cost_source_at(row, 13)?,
        })
    })?
    .collect()
}

/// The agent of a row (its wire name at `i`, the declared ACP agent after it) as the user
/// reads it; a name this build does not know is shown as stored.
fn agent_label(row: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    let wire: String = row.get(i)?;
    let acp_agent: Option<String> = row.get(i + 1)?;
    Ok(match AgentKind::parse(&wire) {
        Some(agent) => agent.label_with(acp_agent.as_deref()),
        None => wire,
    })
}

fn tokens_at(row: &Row<'_>, first: usize) -> rusqlite::Result<Tokens> {
    Ok(Tokens {
        input: count_at(row, first)?,
        output: count_at(row, first + 1)?,
        cache_read: count_at(row, first + 2)?,
        cache_write: count_at(row, first + 3)?,
        reasoning: count_at(row, first + 4)?,
    })
}

fn cost_source_at(row: &Row<'_>, i: usize) -> rusqlite::Result<CostSource> {
    let source: String = row.get(i)?;
    CostSource::parse(&source).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("unknown cost source {source:?}").into(),
        )
    })
}

/// The rows of one session, oldest first.
pub fn of_session(conn: &Connection, session: SessionId) -> rusqlite::Result<Vec<TurnUsage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
                reasoning_tokens, cost_usd, cost_source, at
         FROM turn_usage WHERE session_id = ?1 ORDER BY id",
    )?;
    stmt.query_map([session.0], |row| {
        Ok(TurnUsage {
            model: row.get(0)?,
            tokens: tokens_at(row, 1)?,
            cost_usd: row.get(6)?,
            source: cost_source_at(row, 7)?,
            at: row.get(8)?,
        })
    })?
    .collect()
}

#[cfg(test)]
#[path = "usage_tests.rs"]
mod tests;
