//! What agents used: each turn's usage recorded per model as the CLI reports it (a
//! `TurnEnded`'s `models`), priced — the CLI's own cost, else the price table's estimate —
//! and summed per session, attempt and task.

use crate::store::{self, now_ms};
use crate::{Engine, EngineError, EngineResult};
use model::usage::{ModelUsage, PriceTable, TurnUsage, UsageTotal};
use model::{ProjectId, Session, SessionId, TaskId};
use std::collections::HashMap;

/// One turn's usage priced: a model the CLI did not name is the session's chosen one.
pub fn priced_turn(
    session: &Session,
    models: &[ModelUsage],
    prices: &PriceTable,
    at: i64,
) -> Vec<TurnUsage> {
    models
        .iter()
        .map(|used| {
            let model = used
                .model
                .clone()
                .or_else(|| session.runtime.model().map(str::to_string));
            let named = ModelUsage {
                model: model.clone(),
                ..used.clone()
            };
            let (cost_usd, source) = prices.priced(&named);
            TurnUsage {
                model,
                tokens: used.tokens,
                cost_usd,
                source,
                at,
            }
        })
        .collect()
}

impl Engine {
    /// Records what a turn of `session` used. A failure is logged, never the session's.
    pub(crate) async fn record_turn_usage(&self, session: &Session, models: &[ModelUsage]) {
        let rows = priced_turn(session, models, &PriceTable::default(), now_ms());
        if rows.is_empty() {
            return;
        }
        let session = session.clone();
        let agent = session.runtime.agent_label();
        let id = session.id;
        let written = self
            .db()
            .write(move |conn| {
                let tx = conn.transaction()?;
                for row in &rows {
                    store::usage::insert(&tx, &session, &agent, row)?;
                }
                tx.commit()?;
                Ok::<_, EngineError>(())
            })
            .await;
        if let Err(e) = written {
            tracing::warn!(session = %id, error = %e, "recording a turn's usage");
        }
    }

    /// Each attempt's (session's) usage of a task.
    pub async fn task_usage(
        &self,
        project: ProjectId,
        task: TaskId,
    ) -> EngineResult<HashMap<SessionId, UsageTotal>> {
        self.db()
            .read(move |conn| {
                Ok::<_, EngineError>(store::usage::totals_by_session(conn, project, task)?)
            })
            .await
    }

    /// Each task's usage across its attempts, for the board's cards.
    pub async fn tasks_usage(
        &self,
        project: ProjectId,
    ) -> EngineResult<HashMap<TaskId, UsageTotal>> {
        self.db()
            .read(move |conn| Ok::<_, EngineError>(store::usage::totals_by_task(conn, project)?))
            .await
    }

    /// A session's usage, total and per turn.
    pub async fn session_usage(
        &self,
        project: ProjectId,
        session: SessionId,
    ) -> EngineResult<(UsageTotal, Vec<TurnUsage>)> {
        self.session(project, session).await?;
        self.db()
            .read(move |conn| {
                Ok::<_, EngineError>((
                    store::usage::session_total(conn, session)?,
                    store::usage::of_session(conn, session)?,
                ))
            })
            .await
    }
}
