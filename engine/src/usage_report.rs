//! A project's usage over a range of days, for the Usage page and its export
//! (`model::usage_report`).

use crate::store::{self, now_ms};
use crate::{Engine, EngineError, EngineResult};
use model::ProjectId;
use model::time::Day;
use model::usage_report::{
    DayRange, TOP_TASKS, UsageRecord, UsageReport, costliest_first, every_day,
};

impl Engine {
    /// Today, the default end of a range (UTC, as every time DevLog shows).
    pub fn today(&self) -> Day {
        Day::of_unix_ms(now_ms())
    }

    /// What the project's agents used in `range`: its total, each day's, by agent, by model,
    /// and the costliest tasks.
    pub async fn usage_report(
        &self,
        project: ProjectId,
        range: DayRange,
    ) -> EngineResult<UsageReport> {
        self.project(project).await?;
        self.db()
            .read(move |conn| {
                // One snapshot for every figure (a turn recorded meanwhile is in all or none).
                let tx = conn.unchecked_transaction()?;
                let conn = &*tx;
                let mut by_agent = store::usage::totals_by_agent(conn, project, range)?;
                let mut by_model = store::usage::totals_by_model(conn, project, range)?;
                costliest_first(&mut by_agent);
                costliest_first(&mut by_model);
                Ok::<_, EngineError>(UsageReport {
                    range,
                    total: store::usage::range_total(conn, project, range)?,
                    days: every_day(range, &store::usage::totals_by_day(conn, project, range)?),
                    by_agent,
                    by_model,
                    top_tasks: store::usage::costliest_tasks(conn, project, range, TOP_TASKS)?,
                })
            })
            .await
    }

    /// Each model's use in each turn of the project in `range`, oldest first: the export.
    pub async fn usage_records(
        &self,
        project: ProjectId,
        range: DayRange,
    ) -> EngineResult<Vec<UsageRecord>> {
        self.project(project).await?;
        self.db()
            .read(move |conn| Ok::<_, EngineError>(store::usage::records(conn, project, range)?))
            .await
    }
}
