//! Every URL the app links to or streams from, in one place. The page routes in `lib.rs` (a
//! project's pages nested under `/p/:project`) are these paths with `:project`, `:session` and
//! `:task` where the ids go, and the server mounts the two event streams at
//! [`SESSION_EVENTS_ROUTE`] and [`ACTIVITY_ROUTE`]; the tests below hold each builder to its
//! pattern.

use model::time::Day;
use model::usage_report::{DayRange, ExportFormat};
use model::work_report::Period;
use model::{ProjectId, SessionId, TaskId};

/// The server's route of a session's event stream (axum's syntax).
pub const SESSION_EVENTS_ROUTE: &str = "/api/projects/{project}/sessions/{session}/events";
/// The server's route of a project's usage export (axum's syntax): each recorded turn of a
/// range, as a CSV or JSON download ([`usage_export`]).
pub const USAGE_EXPORT_ROUTE: &str = "/api/projects/{project}/usage/export";
/// The server's route of a project's report of a day, a week or a month (axum's syntax): one
/// self-contained HTML file to download ([`usage_report`]).
pub const USAGE_REPORT_ROUTE: &str = "/api/projects/{project}/usage/report";
/// The server's route of a project's activity stream (axum's syntax).
pub const ACTIVITY_ROUTE: &str = "/api/projects/{project}/activity";

pub fn board(project: ProjectId) -> String {
    format!("/p/{project}/board")
}

/// The board, scrolled to a task's card.
pub fn board_card(project: ProjectId, task: TaskId) -> String {
    format!("/p/{project}/board#task-{task}")
}

pub fn sessions(project: ProjectId) -> String {
    format!("/p/{project}/sessions")
}

pub fn session(project: ProjectId, session: SessionId) -> String {
    format!("/p/{project}/sessions/{session}")
}

pub fn task(project: ProjectId, task: TaskId) -> String {
    format!("/p/{project}/tasks/{task}")
}

/// A task's page, at its dependencies.
pub fn task_dependencies(project: ProjectId, task: TaskId) -> String {
    format!("/p/{project}/tasks/{task}#dependencies")
}

pub fn settings(project: ProjectId) -> String {
    format!("/p/{project}/settings")
}

pub fn worktrees(project: ProjectId) -> String {
    format!("/p/{project}/worktrees")
}

pub fn locks(project: ProjectId) -> String {
    format!("/p/{project}/locks")
}

pub fn usage(project: ProjectId) -> String {
    format!("/p/{project}/usage")
}

/// The Usage page of a range of days.
pub fn usage_of(project: ProjectId, range: DayRange) -> String {
    format!("/p/{project}/usage?from={}&to={}", range.from, range.to)
}

/// The download of a range's usage, `format` "csv" or "json".
pub fn usage_export(project: ProjectId, range: DayRange, format: ExportFormat) -> String {
    format!(
        "{}?format={}&from={}&to={}",
        USAGE_EXPORT_ROUTE.replace("{project}", &project.to_string()),
        format.as_str(),
        range.from,
        range.to
    )
}

/// The download of the report of the `period` that holds `day`.
pub fn usage_report(project: ProjectId, period: Period, day: Day) -> String {
    format!(
        "{}?period={}&date={day}",
        USAGE_REPORT_ROUTE.replace("{project}", &project.to_string()),
        period.as_str()
    )
}

pub fn session_events(project: ProjectId, session: SessionId) -> String {
    SESSION_EVENTS_ROUTE
        .replace("{project}", &project.to_string())
        .replace("{session}", &session.to_string())
}

pub fn activity(project: ProjectId) -> String {
    ACTIVITY_ROUTE.replace("{project}", &project.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: ProjectId = ProjectId(7);
    const ROUTER: &str = include_str!("lib.rs");
    /// The parent route of every project page.
    const PROJECT_ROUTE: &str = "/p/:project";

    /// What lib.rs nests inside the project layout's `ParentRoute`.
    fn project_routes() -> &'static str {
        let open =
            format!("<ParentRoute path=path!(\"{PROJECT_ROUTE}\") view=pages::ProjectLayout>");
        let start = ROUTER.find(&open).expect("the project layout route");
        let inner = &ROUTER[start + open.len()..];
        &inner[..inner.find("</ParentRoute>").expect("its closing tag")]
    }

    /// Each builder gives its route's pattern back once the ids are put back as parameters
    /// (the patterns as `lib.rs` writes them).
    #[test]
    fn every_path_is_its_routes_pattern_with_the_ids_filled_in() {
        let pattern = |path: String| {
            path.replacen("/p/7/", "/p/:project/", 1)
                .replace("/sessions/8", "/sessions/:session")
                .replace("/tasks/9", "/tasks/:task")
        };
        for (path, route) in [
            (board(P), "/p/:project/board"),
            (sessions(P), "/p/:project/sessions"),
            (session(P, SessionId(8)), "/p/:project/sessions/:session"),
            (task(P, TaskId(9)), "/p/:project/tasks/:task"),
            (settings(P), "/p/:project/settings"),
            (worktrees(P), "/p/:project/worktrees"),
            (locks(P), "/p/:project/locks"),
            (usage(P), "/p/:project/usage"),
        ] {
            assert_eq!(pattern(path), route);
            let page = route.trim_start_matches(PROJECT_ROUTE);
            assert!(
                project_routes().contains(&format!("path!(\"{page}\")")),
                "lib.rs routes no {page} under {PROJECT_ROUTE}"
            );
        }
        assert_eq!(board_card(P, TaskId(9)), "/p/7/board#task-9");
        assert_eq!(task_dependencies(P, TaskId(9)), "/p/7/tasks/9#dependencies");
    }

    #[test]
    fn the_streams_are_where_the_server_mounts_them() {
        assert_eq!(
            session_events(P, SessionId(8)),
            "/api/projects/7/sessions/8/events"
        );
        assert_eq!(activity(P), "/api/projects/7/activity");
    }

    #[test]
    fn a_ranges_page_and_export_carry_its_days() {
        let day = |d| model::time::Day::parse(d).unwrap();
        let range = DayRange::new(day("2026-11-01"), day("2026-11-30")).unwrap();
        assert_eq!(
            usage_of(P, range),
            "/p/7/usage?from=2026-11-01&to=2026-11-30"
        );
        assert_eq!(
            usage_export(P, range, ExportFormat::Csv),
            "/api/projects/7/usage/export?format=csv&from=2026-11-01&to=2026-11-30"
        );
        assert_eq!(
            usage_report(P, Period::Week, day("2026-11-30")),
            "/api/projects/7/usage/report?period=week&date=2026-11-30"
        );
    }
}
