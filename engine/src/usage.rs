//! What agents used: each turn's usage recorded per model as the CLI reports it (a
//! `TurnEnded`'s `models`), priced — the CLI's own cost, else the price table's estimate —
//! and summed per session, attempt and task.

use crate::store::{self, StoreError, now_ms};
use crate::{Engine, EngineError, EngineResult};
use model::prices::PriceTable;
use model::usage::{ModelUsage, Tokens, TurnUsage, UsageTotal};
use model::{ProjectId, Session, SessionId, TaskId};
use std::collections::HashMap;

/// The `project_settings` key of a project's own price table (JSON of [`PriceTable`]).
const PRICES_KEY: &str = "prices";

/// The price table of `project`: its own when it set one, else the defaults. A stored table
/// that no longer reads (an older shape) is the defaults too, and says so in the log.
pub(crate) fn prices_of(
    conn: &rusqlite::Connection,
    project: ProjectId,
) -> rusqlite::Result<PriceTable> {
    let Some(json) = store::settings::get(conn, project, PRICES_KEY)? else {
        return Ok(PriceTable::default());
    };
    Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
        tracing::warn!(%project, error = %e, "the stored price table does not read: using the defaults");
        PriceTable::default()
    }))
}

/// One turn's usage priced, against what the session's earlier turns recorded per model
/// (`recorded`): a running total counts only what grew. A model the CLI did not name is the
/// session's chosen one. Answers the turn's own figures (for its event) and the rows to store.
pub fn priced_turn(
    session: &Session,
    models: &[ModelUsage],
    recorded: &HashMap<Option<String>, (Tokens, f64)>,
    prices: &PriceTable,
    at: i64,
) -> (Vec<ModelUsage>, Vec<TurnUsage>) {
    let none = (Tokens::default(), 0.0);
    models
        .iter()
        .map(|used| {
            let model = used
                .model
                .clone()
                .or_else(|| session.runtime.model().map(str::to_string));
            let (tokens, cost) = recorded.get(&model).unwrap_or(&none);
            let share = used.turn_share(tokens, *cost);
            let (cost_usd, source) = prices.priced(&ModelUsage {
                model: model.clone(),
                ..share.clone()
            });
            let row = TurnUsage {
                model,
                tokens: share.tokens,
                cost_usd,
                source,
                at,
            };
            (share, row)
        })
        .unzip()
}

impl Engine {
    /// Records what a turn of `session` used, and answers the turn's own figures (a running
    /// total less the earlier turns'). A failure is logged, never the session's: the figures
    /// are then the CLI's as they came.
    pub(crate) async fn record_turn_usage(
        &self,
        session: &Session,
        models: Vec<ModelUsage>,
    ) -> Vec<ModelUsage> {
        if models.is_empty() {
            return models;
        }
        let session = session.clone();
        let id = session.id;
        let reported = models.clone();
        let recorded = self
            .db()
            .write(move |conn| {
                let tx = conn.transaction()?;
                let earlier = store::usage::sums_by_model(&tx, session.id)?;
                let prices = prices_of(&tx, session.project_id)?;
                let (shares, rows) = priced_turn(&session, &models, &earlier, &prices, now_ms());
                for row in &rows {
                    store::usage::insert(&tx, &session, row)?;
                }
                tx.commit()?;
                Ok::<_, EngineError>(shares)
            })
            .await;
        recorded.unwrap_or_else(|e| {
            tracing::warn!(session = %id, error = %e, "recording a turn's usage");
            reported
        })
    }

    /// The prices that estimate the project's costs where a CLI reports tokens only.
    pub async fn price_table(&self, project: ProjectId) -> EngineResult<PriceTable> {
        self.project(project).await?;
        self.db()
            .read(move |conn| Ok::<_, EngineError>(prices_of(conn, project)?))
            .await
    }

    /// Replaces the project's price table with the one `text` writes
    /// ([`PriceTable::parse_text`]); a bad line is refused and the table kept. The turns
    /// recorded before keep their cost.
    pub async fn set_price_table(
        &self,
        project: ProjectId,
        text: String,
    ) -> EngineResult<PriceTable> {
        let table = PriceTable::parse_text(&text)?;
        let json = serde_json::to_string(&table)
            .map_err(|e| EngineError::Store(StoreError::Corrupt(e.to_string())))?;
        self.db()
            .write(move |conn| {
                store::projects::get(conn, project)?
                    .ok_or_else(|| EngineError::NotFound(format!("project {project}")))?;
                Ok::<_, EngineError>(store::settings::put(conn, project, PRICES_KEY, &json)?)
            })
            .await?;
        Ok(table)
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

    /// The usage across its attempts of each of `tasks`, for their cards.
    pub async fn tasks_usage(
        &self,
        project: ProjectId,
        tasks: Vec<TaskId>,
    ) -> EngineResult<HashMap<TaskId, UsageTotal>> {
        self.db()
            .read(move |conn| {
                Ok::<_, EngineError>(store::usage::totals_by_task(conn, project, &tasks)?)
            })
            .await
    }

    /// A session's total usage (the caller has the session: it is of its project).
    pub async fn session_usage_total(&self, session: SessionId) -> EngineResult<UsageTotal> {
        self.db()
            .read(move |conn| Ok::<_, EngineError>(store::usage::session_total(conn, session)?))
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

#[cfg(test)]
mod tests {
    use super::*;
    use model::usage::CostSource;

    fn session(model: Option<&str>) -> Session {
        let runtime = model::RuntimeSelection {
            model: model.map(str::to_string),
            ..Default::default()
        };
        Session {
            id: SessionId(1),
            project_id: ProjectId(1),
            task_id: None,
            status: model::SessionStatus::Idle,
            runtime,
            permission: model::PermissionPolicy::Ask,
            agent_session_id: None,
            cwd: "/".into(),
            fail_reason: None,
            exit_code: None,
            exit_signal: None,
            created_at: 0,
            ended_at: None,
            last_activity_at: None,
        }
    }

    fn tokens(input: u64, output: u64) -> Tokens {
        Tokens {
            input,
            output,
            ..Tokens::default()
        }
    }

    #[test]
    fn a_running_total_is_priced_for_what_grew_under_the_sessions_model() {
        let total = ModelUsage {
            model: None,
            tokens: tokens(3_000_000, 300_000),
            cost_usd: None,
            cumulative: true,
        };
        let recorded = HashMap::from([(
            Some("gpt-5".to_string()),
            (tokens(1_000_000, 100_000), 2.25),
        )]);
        let (shares, rows) = priced_turn(
            &session(Some("gpt-5")),
            &[total],
            &recorded,
            &PriceTable::default(),
            7,
        );
        assert_eq!(shares[0].tokens, tokens(2_000_000, 200_000));
        assert!(!shares[0].cumulative);
        assert_eq!(rows[0].model.as_deref(), Some("gpt-5"));
        assert_eq!(rows[0].source, CostSource::Estimated);
        // 2M in at $1.25 and 200k out at $10 per million.
        assert!((rows[0].cost_usd.unwrap() - 4.5).abs() < 1e-9);
        assert_eq!(rows[0].at, 7);
    }

    #[test]
    fn a_turns_own_figures_and_reported_cost_are_kept() {
        let own = ModelUsage {
            model: Some("claude-sonnet-4-5".into()),
            tokens: tokens(100, 10),
            cost_usd: Some(0.0125),
            cumulative: false,
        };
        let recorded =
            HashMap::from([(Some("claude-sonnet-4-5".to_string()), (tokens(50, 5), 1.0))]);
        let (shares, rows) = priced_turn(
            &session(None),
            std::slice::from_ref(&own),
            &recorded,
            &PriceTable::default(),
            0,
        );
        assert_eq!(shares, [own]);
        assert_eq!(rows[0].cost_usd, Some(0.0125));
        assert_eq!(rows[0].source, CostSource::Reported);
    }
}
