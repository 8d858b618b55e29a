//! What each turn used, recorded per model through the engine with the stand-in: Claude
//! Code's own cost is kept as reported, Codex's tokens are priced from the session's model
//! (estimated) or left unpriced when no model is named, a running total counts each turn once,
//! and a task sums its attempts.

mod common;

use common::*;
use model::usage::{CostSource, Tokens, TurnUsage, UsageTotal};
use model::{AgentKind, RuntimeRequest, Session, StreamEvent};

impl Bench {
    /// A task's attempt with `runtime`, once it has ended.
    async fn attempt(&self, prompt: &str, runtime: RuntimeRequest) -> (model::Task, Session) {
        let (task, session) = self.run_task_with(prompt, runtime).await;
        self.until_ended(&session).await;
        (task, session)
    }

    async fn usage(&self, session: &Session) -> (UsageTotal, Vec<TurnUsage>) {
        self.engine
            .session_usage(self.project.id, session.id)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn claude_codes_cost_is_kept_as_it_reported_it() {
    let b = bench().await;
    let (task, session) = b
        .attempt("REPLY counted", local(AgentKind::ClaudeCode))
        .await;
    let (total, turns) = b.usage(&session).await;
    assert_eq!(turns.len(), 1, "{turns:?}");
    assert_eq!(turns[0].model.as_deref(), Some("standin-claude"));
    assert_eq!(turns[0].source, CostSource::Reported);
    assert_eq!(turns[0].cost_usd, Some(0.0125));
    assert_eq!(
        total.tokens,
        Tokens {
            input: 100,
            output: 10,
            ..Tokens::default()
        }
    );
    assert!(total.priced && !total.estimated && !total.unpriced);
    assert_eq!(total.label(), "$0.01 · 110 tokens");
    let per_task = b
        .engine
        .tasks_usage(b.project.id, vec![task.id])
        .await
        .unwrap();
    assert_eq!(per_task[&task.id].cost_usd, 0.0125);
    // Only the tasks asked for are summed.
    let none = b
        .engine
        .tasks_usage(b.project.id, Vec::new())
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn codex_tokens_are_priced_from_the_sessions_model_or_left_unpriced() {
    let b = bench().await;
    let mut priced = local(AgentKind::Codex);
    priced.selection.model = Some("gpt-5-mini".into());
    let (_, session) = b.attempt("WRITE_FILE a.txt a", priced).await;
    let (total, turns) = b.usage(&session).await;
    assert_eq!(turns.len(), 1, "{turns:?}");
    assert_eq!(turns[0].model.as_deref(), Some("gpt-5-mini"));
    assert_eq!(turns[0].source, CostSource::Estimated);
    // 100 input and 10 output tokens at $0.25 and $2 per million.
    let cost = turns[0].cost_usd.unwrap();
    assert!((cost - 0.000045).abs() < 1e-12, "{cost}");
    assert!(total.estimated);

    let (_, session) = b
        .attempt("WRITE_FILE b.txt b", local(AgentKind::Codex))
        .await;
    let (total, turns) = b.usage(&session).await;
    assert_eq!(turns[0].model, None);
    assert_eq!(turns[0].source, CostSource::Unpriced);
    assert_eq!(turns[0].cost_usd, None);
    assert!(total.unpriced && !total.priced);
    assert_eq!(total.label(), "110 tokens (no price for the model)");
}

#[tokio::test]
async fn a_task_sums_its_attempts() {
    let b = bench().await;
    let (task, first) = b
        .attempt("REPLY nothing to do", local(AgentKind::ClaudeCode))
        .await;
    assert_eq!(
        b.engine.task(b.project.id, task.id).await.unwrap().status,
        model::TaskStatus::Fail
    );
    let retried = started(
        b.engine
            .retry_task(
                b.project.id,
                task.id,
                "Try again.\nREPLY still nothing".into(),
                local(AgentKind::ClaudeCode),
                Default::default(),
            )
            .await
            .unwrap(),
    );
    b.until_ended(&retried).await;
    let attempts = b.engine.task_usage(b.project.id, task.id).await.unwrap();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[&first.id].cost_usd, 0.0125);
    assert_eq!(attempts[&retried.id].cost_usd, 0.0125);
    let per_task = b
        .engine
        .tasks_usage(b.project.id, vec![task.id])
        .await
        .unwrap();
    assert_eq!(per_task[&task.id].cost_usd, 0.025);
    assert_eq!(per_task[&task.id].tokens.total(), 220);
}

#[tokio::test]
async fn a_running_total_is_recorded_turn_by_turn() {
    let b = bench().await;
    // Claude Code reports each turn's own figures beside its running total; Codex only the
    // thread's running total, again after `exec resume`.
    for agent in [AgentKind::ClaudeCode, AgentKind::Codex] {
        let session = b.begin(start(agent, "REPLY one")).await.unwrap();
        b.wait_until(&session, |events| turns_ended(events) == 1)
            .await;
        b.send(session.id, "REPLY two".into()).await.unwrap();
        b.wait_until(&session, |events| turns_ended(events) == 2)
            .await;
        let (total, turns) = b.usage(&session).await;
        let counted: Vec<u64> = turns.iter().map(|t| t.tokens.total()).collect();
        assert_eq!(counted, [110, 110], "{agent:?}: {turns:?}");
        assert_eq!(total.tokens.total(), 220, "{agent:?}");
        // The transcript's events carry the turn's own figures too.
        let shown: Vec<u64> = b
            .events(&session)
            .await
            .iter()
            .filter_map(|e| match &e.event {
                StreamEvent::TurnEnded { models, .. } => {
                    Some(models.iter().map(|m| m.tokens.total()).sum())
                }
                _ => None,
            })
            .collect();
        assert_eq!(shown, [110, 110], "{agent:?}");
    }
}

#[tokio::test]
async fn a_projects_own_prices_estimate_the_turns_after_them() {
    let b = bench().await;
    let defaults = b.engine.price_table(b.project.id).await.unwrap();
    assert_eq!(defaults, model::prices::PriceTable::default());
    let refused = b
        .engine
        .set_price_table(b.project.id, "my-model, 1000, 0, 0\n".into())
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("line 1"), "{refused}");
    assert_eq!(b.engine.price_table(b.project.id).await.unwrap(), defaults);

    let table = b
        .engine
        .set_price_table(b.project.id, "# mine\nmy-model, 1000, 0, 0, 0".into())
        .await
        .unwrap();
    assert_eq!(table.prices.len(), 1);
    let mut runtime = local(AgentKind::Codex);
    runtime.selection.model = Some("my-model".into());
    let (_, session) = b.attempt("WRITE_FILE a.txt a", runtime).await;
    let (_, turns) = b.usage(&session).await;
    assert_eq!(turns[0].source, CostSource::Estimated);
    // 100 input tokens at $1,000 per million.
    assert!(
        (turns[0].cost_usd.unwrap() - 0.1).abs() < 1e-12,
        "{turns:?}"
    );
    // A model the project's table does not know is no longer priced by the defaults.
    let mut other = local(AgentKind::Codex);
    other.selection.model = Some("gpt-5-mini".into());
    let (_, session) = b.attempt("WRITE_FILE b.txt b", other).await;
    assert_eq!(b.usage(&session).await.1[0].source, CostSource::Unpriced);
}

#[tokio::test]
async fn a_report_sums_the_projects_turns_by_day_agent_model_and_task() {
    let b = bench().await;
    let (claude, _) = b
        .attempt("REPLY counted", local(AgentKind::ClaudeCode))
        .await;
    let mut priced = local(AgentKind::Codex);
    priced.selection.model = Some("gpt-5-mini".into());
    let (codex, _) = b.attempt("WRITE_FILE a.txt a", priced).await;
    let today = b.engine.today();
    let range = model::usage_report::DayRange::new(today.plus(-6), today).unwrap();
    let report = b.engine.usage_report(b.project.id, range).await.unwrap();
    assert_eq!(report.total.tokens.total(), 220);
    assert!(report.total.estimated);
    assert_eq!(report.days.len(), 7);
    assert_eq!(report.days[6].0, today);
    assert_eq!(report.days[6].1, report.total);
    let agents: Vec<&str> = report.by_agent.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(agents, ["Claude Code", "Codex CLI"]);
    let models: Vec<&str> = report.by_model.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(models, ["standin-claude", "gpt-5-mini"]);
    let tasks: Vec<_> = report.top_tasks.iter().map(|t| t.task).collect();
    assert_eq!(tasks, [claude.id, codex.id]);
    let records = b.engine.usage_records(b.project.id, range).await.unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].task_title.as_deref(), Some(codex.title.as_str()));
    // A range without the turns has none of them.
    let yesterday = model::usage_report::DayRange::new(today.plus(-1), today.plus(-1)).unwrap();
    let empty = b
        .engine
        .usage_report(b.project.id, yesterday)
        .await
        .unwrap();
    assert!(empty.total.is_empty() && empty.top_tasks.is_empty());
}
