//! The report of a day, a week or a month of a project (`model::work_report`): its usage, and
//! the tasks its agents worked on with where each stands now.

use crate::store::{self, now_ms};
use crate::{Engine, EngineResult};
use model::time::Day;
use model::usage_report::DayRange;
use model::work_report::{Period, ReportedTask, WorkReport};
use model::{ProjectId, Session, SessionStatus, Task, TaskId};
use std::collections::HashMap;

/// When an attempt was last at work: its end, its last activity, or its start.
fn worked_at(session: &Session) -> i64 {
    session
        .ended_at
        .or(session.last_activity_at)
        .unwrap_or(session.created_at)
}

/// The tasks of `tasks` worked on in `range`: those with an attempt of `sessions` active in
/// it, or with usage in it (`usage`: each task's total in the range, the costliest first).
/// The costliest come first, then the others in the board's order.
pub fn reported_tasks(
    range: DayRange,
    tasks: &[Task],
    sessions: &[Session],
    usage: &[model::usage_report::TaskUsage],
) -> Vec<ReportedTask> {
    let (from, to) = range.millis();
    let mut attempts: HashMap<TaskId, Vec<&Session>> = HashMap::new();
    for session in sessions {
        if let Some(task) = session.task_id
            && (from..to).contains(&worked_at(session))
        {
            attempts.entry(task).or_default().push(session);
        }
    }
    let spent: HashMap<TaskId, model::usage::UsageTotal> =
        usage.iter().map(|u| (u.task, u.total)).collect();
    let mut reported: Vec<ReportedTask> = tasks
        .iter()
        .filter(|t| attempts.contains_key(&t.id) || spent.contains_key(&t.id))
        .map(|task| {
            let ran = attempts
                .get(&task.id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut agents: Vec<String> = ran.iter().map(|s| s.runtime.agent_label()).collect();
            agents.sort();
            agents.dedup();
            ReportedTask {
                task: task.id,
                title: task.title.clone(),
                status: task.status,
                agents,
                attempts: u32::try_from(ran.len()).unwrap_or(u32::MAX),
                failed_attempts: u32::try_from(
                    ran.iter()
                        .filter(|s| s.status == SessionStatus::Failed)
                        .count(),
                )
                .unwrap_or(u32::MAX),
                total: spent.get(&task.id).copied().unwrap_or_default(),
            }
        })
        .collect();
    // Stable: tasks that cost the same keep the board's order.
    reported.sort_by(|a, b| b.total.cost_usd.total_cmp(&a.total.cost_usd));
    reported
}

impl Engine {
    /// The report of the `period` that holds `day`.
    pub async fn work_report(
        &self,
        project: ProjectId,
        period: Period,
        day: Day,
    ) -> EngineResult<WorkReport> {
        let range = period.range_of(day);
        let name = self.project(project).await?.name;
        let usage = self.usage_report(project, range).await?;
        let (tasks, sessions, spent) = self
            .db()
            .read(move |conn| {
                let tx = conn.unchecked_transaction()?;
                Ok::<_, crate::EngineError>((
                    store::tasks::list(&tx, project)?,
                    store::sessions::list(&tx, project)?,
                    store::usage::costliest_tasks(&tx, project, range, usize::MAX)?,
                ))
            })
            .await?;
        Ok(WorkReport {
            project: name,
            period,
            tasks: reported_tasks(range, &tasks, &sessions, &spent),
            usage,
            generated_at: now_ms(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::usage::UsageTotal;
    use model::usage_report::TaskUsage;
    use model::{AgentKind, PermissionPolicy, Priority, RuntimeSelection, SessionId, TaskStatus};

    const DAY: i64 = 86_400_000;

    fn task(id: i64, status: TaskStatus) -> Task {
        Task {
            id: TaskId(id),
            project_id: ProjectId(1),
            title: format!("task {id}"),
            description: String::new(),
            prompt: String::new(),
            priority: Priority::Medium,
            status,
            sort_order: id,
            fail_reason: None,
            branch: None,
            worktree_path: None,
            session_id: None,
            pr_url: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn attempt(task: i64, agent: AgentKind, status: SessionStatus, ended_at: i64) -> Session {
        Session {
            id: SessionId(task * 10 + ended_at / DAY),
            project_id: ProjectId(1),
            task_id: Some(TaskId(task)),
            status,
            runtime: RuntimeSelection {
                agent,
                ..RuntimeSelection::default()
            },
            permission: PermissionPolicy::Ask,
            agent_session_id: None,
            cwd: "/".into(),
            fail_reason: None,
            exit_code: None,
            exit_signal: None,
            created_at: 0,
            ended_at: Some(ended_at),
            last_activity_at: None,
        }
    }

    fn spent(task: i64, cost_usd: f64) -> TaskUsage {
        TaskUsage {
            task: TaskId(task),
            title: String::new(),
            total: UsageTotal {
                cost_usd,
                priced: true,
                ..UsageTotal::default()
            },
        }
    }

    #[test]
    fn a_report_lists_the_tasks_worked_on_in_its_days_the_costliest_first() {
        // Day 1 (1970-01-02) only.
        let range = DayRange::new(model::time::Day(1), model::time::Day(1)).unwrap();
        let tasks = [
            task(1, TaskStatus::Review),
            task(2, TaskStatus::Fail),
            task(3, TaskStatus::Done),
            task(4, TaskStatus::Todo),
        ];
        let sessions = [
            attempt(1, AgentKind::ClaudeCode, SessionStatus::Completed, DAY + 5),
            attempt(2, AgentKind::Codex, SessionStatus::Failed, DAY + 6),
            attempt(2, AgentKind::ClaudeCode, SessionStatus::Failed, 2 * DAY - 1),
            // Task 3's attempt ended the day before; its usage is in the range.
            attempt(3, AgentKind::Codex, SessionStatus::Completed, DAY - 1),
            attempt(4, AgentKind::Codex, SessionStatus::Completed, 2 * DAY),
        ];
        let reported = reported_tasks(range, &tasks, &sessions, &[spent(3, 2.0), spent(1, 0.5)]);
        let order: Vec<i64> = reported.iter().map(|t| t.task.0).collect();
        assert_eq!(order, [3, 1, 2]);
        assert_eq!(reported[0].attempts, 0);
        assert_eq!(reported[0].status, TaskStatus::Done);
        assert_eq!(reported[2].agents, ["Claude Code", "Codex CLI"]);
        assert_eq!((reported[2].attempts, reported[2].failed_attempts), (2, 2));
        assert!(reported[2].total.is_empty());
    }
}
