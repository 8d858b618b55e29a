//! The rules of `model::usage`: running totals, totals and their labels.

use super::*;

fn usage(model: Option<&str>, tokens: Tokens, cost: Option<f64>) -> ModelUsage {
    ModelUsage {
        model: model.map(str::to_string),
        tokens,
        cost_usd: cost,
        cumulative: false,
    }
}

#[test]
fn a_running_total_gives_the_turn_what_grew_since_the_turns_recorded() {
    let tokens = |input, output| Tokens {
        input,
        output,
        ..Tokens::default()
    };
    let total = ModelUsage {
        cumulative: true,
        ..usage(Some("m"), tokens(41_027, 20), Some(0.164528))
    };
    let share = total.turn_share(&tokens(13_609, 7), 0.054576);
    assert_eq!(share.tokens, tokens(27_418, 13));
    assert!((share.cost_usd.unwrap() - 0.109952).abs() < 1e-12);
    assert!(!share.cumulative);
    // A count that started again (a new thread) is all this turn's.
    let fresh = ModelUsage {
        cumulative: true,
        ..usage(None, tokens(100, 10), None)
    };
    assert_eq!(
        fresh.turn_share(&tokens(200, 20), 0.0).tokens,
        tokens(100, 10)
    );
    // A turn's own figures are kept as they are.
    let own = usage(None, tokens(100, 10), Some(0.5));
    assert_eq!(own.turn_share(&tokens(50, 5), 0.2), own);
}

#[test]
fn a_turns_reported_cost_is_the_sum_of_its_models() {
    let tokens = Tokens::default();
    assert_eq!(reported_cost(&[]), None);
    assert_eq!(reported_cost(&[usage(None, tokens, None)]), None);
    let both = [
        usage(None, tokens, Some(0.25)),
        usage(None, tokens, Some(0.5)),
        usage(None, tokens, None),
    ];
    assert_eq!(reported_cost(&both), Some(0.75));
}

#[test]
fn a_total_says_when_it_is_estimated_or_leaves_tokens_out() {
    let total = |cost_usd, priced, estimated, unpriced| UsageTotal {
        tokens: Tokens {
            input: 600,
            output: 400,
            ..Tokens::default()
        },
        cost_usd,
        priced,
        estimated,
        unpriced,
    };
    let reported = total(0.05, true, false, false);
    assert_eq!(reported.label(), "$0.05 · 1.0k tokens");
    let estimated = total(1.2, true, true, false);
    let unpriced = total(0.0, false, false, true);
    let mixed = UsageTotal::sum([&reported, &estimated, &unpriced]);
    assert_eq!(mixed.tokens.total(), 3_000);
    assert_eq!(
        mixed.label(),
        "$1.25 · 3.0k tokens (estimated) + unpriced tokens"
    );
    assert!(UsageTotal::default().is_empty());
    assert_eq!(unpriced.label(), "1.0k tokens (no price for the model)");
    let both = UsageTotal::sum([&reported, &unpriced]);
    assert_eq!(both.label(), "$0.05 · 2.0k tokens + unpriced tokens");
}

#[test]
fn amounts_read_as_a_person_writes_them() {
    assert_eq!(dollars(0.0), "$0.00");
    assert_eq!(dollars(0.001), "<$0.01");
    assert_eq!(dollars(12.4), "$12.40");
    assert_eq!(compact(950), "950");
    assert_eq!(compact(12_480), "12.5k");
    assert_eq!(compact(3_200_000), "3.2M");
    assert_eq!(compact(999_949), "999.9k");
    assert_eq!(compact(999_950), "1.0M");
}

#[test]
fn cost_sources_round_trip_through_their_names() {
    for source in [
        CostSource::Reported,
        CostSource::Estimated,
        CostSource::Unpriced,
    ] {
        assert_eq!(CostSource::parse(source.as_str()), Some(source));
    }
    assert_eq!(CostSource::parse("guessed"), None);
}

#[test]
fn a_running_turn_counts_each_call_once_at_its_latest_figures() {
    let report = |call: &str, model: Option<&str>, input, output| CallUsage {
        call: call.into(),
        model: model.map(str::to_string),
        tokens: Tokens {
            input,
            output,
            ..Tokens::default()
        },
    };
    let mut running = RunningUsage::default();
    // Claude Code reports a call once per content block, then its output as it grows (a
    // `message_delta` that names no model and gives the output only).
    running.observe(&report("msg_1", Some("claude-opus-5"), 12_000, 1));
    running.observe(&report("msg_1", Some("claude-opus-5"), 12_000, 1));
    running.observe(&report("msg_1", None, 0, 300));
    running.observe(&report("msg_2", None, 12_500, 2));
    let prices = crate::prices::PriceTable::default();
    let total = running.total(&prices, Some("claude-sonnet-5"));
    assert_eq!(total.tokens.input, 24_500);
    assert_eq!(total.tokens.output, 302);
    // msg_1 at opus prices, msg_2 (no model named) at the session's model's.
    let opus = (12_000.0 * 5.0 + 300.0 * 25.0) / 1e6;
    let sonnet = (12_500.0 * 3.0 + 2.0 * 15.0) / 1e6;
    assert!(
        (total.cost_usd - (opus + sonnet)).abs() < 1e-12,
        "{total:?}"
    );
    assert!(total.priced && total.estimated && !total.unpriced);
    let models = running.models();
    let named: Vec<_> = models
        .iter()
        .map(|m| (m.model.as_deref(), m.tokens.input))
        .collect();
    assert_eq!(named, [(Some("claude-opus-5"), 12_000), (None, 12_500)]);
    // A model the table has no price for: its tokens count, its cost is not known.
    let mut unknown = RunningUsage::default();
    unknown.observe(&report("m", Some("mystery-1"), 10, 1));
    let total = unknown.total(&prices, None);
    assert_eq!(
        (total.tokens.total(), total.priced, total.unpriced),
        (11, false, true)
    );
    assert_eq!(
        RunningUsage::default().total(&prices, None),
        UsageTotal::default()
    );
}
