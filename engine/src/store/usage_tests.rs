//! The report queries of `store::usage` over rows seeded at known times.

use super::*;
use model::usage_report::DayRange;

const DAY: i64 = 86_400_000;

fn day(text: &str) -> Day {
    Day::parse(text).unwrap()
}

/// A project with two tasks and a session each (Claude Code on task 1, ACP qwen on task 2),
/// and a session of another project.
fn seeded() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    crate::store::schema::migrate(&mut conn).unwrap();
    conn.pragma_update(None, "foreign_keys", true).unwrap();
    conn.execute_batch(
        r#"INSERT INTO projects (id, name, path, default_branch, created_at, updated_at)
             VALUES (1, 'p', '/p', 'main', 0, 0), (2, 'q', '/q', 'main', 0, 0);
           INSERT INTO tasks (id, project_id, title, sort_order, created_at, updated_at)
             VALUES (1, 1, 'Fix login', 0, 0, 0), (2, 1, 'Add docs', 1, 0, 0),
                    (3, 2, 'Other', 0, 0, 0);
           INSERT INTO sessions (id, project_id, task_id, status, runtime, permission_policy, cwd, created_at)
             VALUES (1, 1, 1, 'idle', '{}', 'ask', '/', 0), (2, 1, 2, 'idle', '{}', 'ask', '/', 0),
                    (3, 2, 3, 'idle', '{}', 'ask', '/', 0);"#,
    )
    .unwrap();
    conn
}

/// One row: `session` of `task`, at `at`.
#[allow(clippy::too_many_arguments)]
fn row(
    conn: &Connection,
    (project, session, task): (i64, i64, i64),
    (agent, acp_agent): (&str, Option<&str>),
    model: Option<&str>,
    input: i64,
    cost: Option<f64>,
    source: &str,
    at: i64,
) {
    conn.execute(
        "INSERT INTO turn_usage (project_id, session_id, task_id, agent, acp_agent, model,
             input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
             reasoning_tokens, cost_usd, cost_source, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 10, 0, 0, 0, ?8, ?9, ?10)",
        params![
            project, session, task, agent, acp_agent, model, input, cost, source, at
        ],
    )
    .unwrap();
}

fn seeded_with_rows() -> Connection {
    let conn = seeded();
    let dec1 = day("2026-12-01").start_ms();
    let claude = ("claude_code", None);
    let qwen = ("acp", Some("qwen"));
    row(
        &conn,
        (1, 1, 1),
        claude,
        Some("claude-sonnet-4-5"),
        100,
        Some(0.5),
        "reported",
        dec1,
    );
    row(
        &conn,
        (1, 1, 1),
        claude,
        Some("claude-haiku-4-5"),
        50,
        Some(0.25),
        "reported",
        dec1 + 1,
    );
    row(
        &conn,
        (1, 2, 2),
        qwen,
        None,
        1_000,
        None,
        "unpriced",
        dec1 + 2 * DAY - 1,
    );
    row(
        &conn,
        (1, 2, 2),
        qwen,
        Some("qwen3"),
        10,
        Some(2.0),
        "estimated",
        dec1 + 2 * DAY,
    );
    // Another project's, and one of this project a day before the range.
    row(
        &conn,
        (2, 3, 3),
        claude,
        Some("x"),
        9,
        Some(9.0),
        "reported",
        dec1,
    );
    row(
        &conn,
        (1, 1, 1),
        claude,
        Some("x"),
        9,
        Some(9.0),
        "reported",
        dec1 - 1,
    );
    conn
}

fn two_days() -> DayRange {
    DayRange::new(day("2026-12-01"), day("2026-12-02")).unwrap()
}

#[test]
fn a_ranges_total_counts_its_projects_rows_within_its_days() {
    let conn = seeded_with_rows();
    let total = range_total(&conn, ProjectId(1), two_days()).unwrap();
    assert_eq!(total.tokens.input, 1_150);
    assert_eq!(total.tokens.output, 30);
    assert!((total.cost_usd - 0.75).abs() < 1e-9);
    assert!(total.priced && total.unpriced && !total.estimated);
    let none = range_total(
        &conn,
        ProjectId(1),
        DayRange::new(day("2027-01-01"), day("2027-01-01")).unwrap(),
    );
    assert!(none.unwrap().is_empty());
}

#[test]
fn each_day_is_summed_on_its_own() {
    let conn = seeded_with_rows();
    let days = totals_by_day(&conn, ProjectId(1), two_days()).unwrap();
    let figures: Vec<(String, u64)> = days
        .iter()
        .map(|(d, t)| (d.to_string(), t.tokens.input))
        .collect();
    assert_eq!(
        figures,
        [("2026-12-01".into(), 150), ("2026-12-02".into(), 1_000)]
    );
}

#[test]
fn agents_are_named_as_the_user_reads_them_and_models_by_name() {
    let conn = seeded_with_rows();
    let mut agents = totals_by_agent(&conn, ProjectId(1), two_days()).unwrap();
    agents.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<&str> = agents.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ACP agent qwen", "Claude Code"]);
    let mut models = totals_by_model(&conn, ProjectId(1), two_days()).unwrap();
    models.sort_by(|a, b| a.0.cmp(&b.0));
    let names: Vec<&str> = models.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [UNNAMED_MODEL, "claude-haiku-4-5", "claude-sonnet-4-5"]
    );
}

#[test]
fn the_costliest_tasks_come_first_and_deleted_ones_are_left_out() {
    let conn = seeded_with_rows();
    let range = DayRange::new(day("2026-11-30"), day("2026-12-03")).unwrap();
    let tasks = costliest_tasks(&conn, ProjectId(1), range, 10).unwrap();
    let order: Vec<(i64, &str)> = tasks.iter().map(|t| (t.task.0, t.title.as_str())).collect();
    assert_eq!(order, [(1, "Fix login"), (2, "Add docs")]); // $9.75 against $2
    assert_eq!(
        costliest_tasks(&conn, ProjectId(1), range, 1)
            .unwrap()
            .len(),
        1
    );
    conn.execute("DELETE FROM tasks WHERE id = 1", []).unwrap();
    let left = costliest_tasks(&conn, ProjectId(1), range, 10).unwrap();
    assert_eq!(left.iter().map(|t| t.task.0).collect::<Vec<_>>(), [2]);
}

#[test]
fn records_are_every_row_of_the_range_oldest_first_with_their_tasks_title() {
    let conn = seeded_with_rows();
    conn.execute("DELETE FROM tasks WHERE id = 2", []).unwrap();
    let records = records(&conn, ProjectId(1), two_days()).unwrap();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].task_title.as_deref(), Some("Fix login"));
    assert_eq!(records[0].agent, "Claude Code");
    assert_eq!(records[0].cost_source, CostSource::Reported);
    // The deleted task's rows stay, without a task.
    assert_eq!(
        (records[2].task, records[2].task_title.as_deref()),
        (None, None)
    );
    assert_eq!(records[2].agent, "ACP agent qwen");
    assert_eq!(records[2].cost_source, CostSource::Unpriced);
}
