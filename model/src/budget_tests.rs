use super::*;
use crate::usage::Tokens;

fn parse(text: &str) -> Result<Option<Budget>, ValidationError> {
    Budget::parse(Field::TaskBudget, text)
}

fn spent(cost_usd: f64, tokens: u64) -> UsageTotal {
    UsageTotal {
        tokens: Tokens {
            input: tokens,
            ..Tokens::default()
        },
        cost_usd,
        priced: cost_usd > 0.0,
        ..UsageTotal::default()
    }
}

#[test]
fn dollars_and_tokens_are_read_as_people_write_them() {
    assert_eq!(parse("$2.50"), Ok(Some(Budget::Usd(2.5))));
    assert_eq!(parse(" 5 "), Ok(Some(Budget::Usd(5.0))));
    assert_eq!(parse("200k tokens"), Ok(Some(Budget::Tokens(200_000))));
    assert_eq!(parse("1.5M tokens"), Ok(Some(Budget::Tokens(1_500_000))));
    assert_eq!(parse("250,000 tokens"), Ok(Some(Budget::Tokens(250_000))));
    assert_eq!(parse("1 token"), Ok(Some(Budget::Tokens(1))));
    assert_eq!(parse(""), Ok(None));
    assert_eq!(parse("   "), Ok(None));
}

#[test]
fn a_bad_budget_is_refused_saying_how_to_write_one() {
    for bad in [
        "five", "$", "-3", "0", "$0.00", "NaN", "inf", "1e9", "0 tokens", "k tokens",
    ] {
        let error = parse(bad).unwrap_err();
        assert_eq!(error.field, Field::TaskBudget, "{bad}");
    }
    assert!(
        parse("five")
            .unwrap_err()
            .to_string()
            .contains("write dollars (\"$5\", \"2.50\") or tokens (\"200k tokens\")")
    );
}

#[test]
fn what_is_described_reads_back() {
    for budget in [
        Budget::Usd(2.5),
        Budget::Tokens(200_000),
        Budget::Tokens(950),
    ] {
        assert_eq!(parse(&budget.describe()), Ok(Some(budget)), "{budget:?}");
    }
    assert_eq!(Budget::Usd(2.0).describe(), "$2.00");
    assert_eq!(Budget::Tokens(200_000).describe(), "200.0k tokens");
}

#[test]
fn a_budget_is_reached_at_its_amount_in_its_unit() {
    let usd = Budget::Usd(2.0);
    assert!(!usd.is_reached(&spent(1.99, 10_000_000)));
    assert!(usd.is_reached(&spent(2.0, 0)));
    assert_eq!(
        usd.reached_reason(&spent(2.134, 0)),
        "budget of $2.00 reached after $2.13"
    );
    let tokens = Budget::Tokens(1_000);
    assert!(!tokens.is_reached(&spent(50.0, 999)));
    assert!(tokens.is_reached(&spent(0.0, 1_000)));
    assert_eq!(
        tokens.reached_reason(&spent(0.0, 1_200)),
        "budget of 1.0k tokens reached after 1.2k tokens"
    );
}

#[test]
fn a_tasks_own_budget_wins_over_the_projects_default() {
    let mut task = TaskBudget {
        own: None,
        default: Some(Budget::Usd(1.0)),
        spent: spent(1.5, 0),
    };
    assert_eq!(task.applies(), Some(Budget::Usd(1.0)));
    assert_eq!(
        task.reached().as_deref(),
        Some("budget of $1.00 reached after $1.50")
    );
    task.own = Some(Budget::Usd(5.0));
    assert_eq!(task.reached(), None);
    task.own = None;
    task.default = None;
    assert_eq!(task.reached(), None);
}

#[test]
fn a_daily_budget_is_spent_at_its_amount() {
    let day = DailySpend {
        budget: Budget::Usd(10.0),
        spent: spent(9.0, 0),
        next_day: 86_400_000,
    };
    assert!(!day.is_spent());
    assert!(
        DailySpend {
            spent: spent(10.0, 0),
            ..day
        }
        .is_spent()
    );
}

#[test]
fn a_budget_travels_as_its_unit() {
    assert_eq!(
        serde_json::to_string(&Budget::Usd(2.5)).unwrap(),
        r#"{"usd":2.5}"#
    );
    assert_eq!(
        serde_json::from_str::<Budget>(r#"{"tokens":200000}"#).unwrap(),
        Budget::Tokens(200_000)
    );
}
