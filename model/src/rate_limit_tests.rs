use super::*;

/// 2026-12-04 12:00 UTC.
const NOON: i64 = 1_796_385_600_000;

fn reset(text: &str) -> Option<Option<i64>> {
    RateLimit::recognise(text, NOON).map(|r| r.resets_at)
}

#[test]
fn the_clis_rate_limit_answers_are_recognised() {
    for text in [
        "Claude AI usage limit reached|1796400000",
        "5-hour limit reached ∙ resets 3pm",
        "API Error: 429 {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\"}}",
        "unexpected status 429 Too Many Requests: Rate limit reached for gpt-5",
        "You've hit your usage limit. Upgrade to Pro or try again in 2 hours.",
        "[API Error: RESOURCE_EXHAUSTED: Quota exceeded for quota metric]",
        "HTTP 429",
        "too many requests, slow down",
        "Weekly limit reached",
        "You exceeded your current quota, please check your plan and billing details. \
         Quota exceeded for metric: generate_content_free_tier_requests (429 RESOURCE_EXHAUSTED)",
        "You have exhausted your daily quota on this model. (HTTP 429)",
    ] {
        assert!(reset(text).is_some(), "not recognised: {text}");
    }
}

#[test]
fn other_failures_and_paid_only_limits_are_not_rate_limits() {
    for text in [
        "Invalid API key · Please run /login",
        "Agent exited with code 1",
        "error: 4290 files changed",
        "Your credit balance is too low to access the Anthropic API",
        "You exceeded your current quota, please check your plan and billing details (insufficient_quota)",
        "The turn ran longer than 600 s and was stopped.",
    ] {
        assert_eq!(reset(text), None, "wrongly recognised: {text}");
    }
}

#[test]
fn claude_codes_unix_reset_is_read() {
    assert_eq!(
        reset("Claude AI usage limit reached|1796400000"),
        Some(Some(1_796_400_000_000))
    );
}

#[test]
fn a_utc_reset_time_is_read() {
    assert_eq!(
        reset("rate limit: resets at 2026-12-04 15:30 UTC"),
        Some(Some(NOON + 3 * 3_600_000 + 30 * 60_000))
    );
    // Not a time: recognised, reset unknown.
    assert_eq!(
        reset("rate limit: resets at 2026-12-04 25:30 UTC"),
        Some(None)
    );
}

#[test]
fn a_wait_is_read_in_any_unit() {
    assert_eq!(
        reset("usage limit: try again in 20 minutes"),
        Some(Some(NOON + 20 * 60_000))
    );
    assert_eq!(
        reset("429 too many requests, retry after 30s"),
        Some(Some(NOON + 30_000))
    );
    assert_eq!(
        reset("rate limit, resets in 1h 30m"),
        Some(Some(NOON + 90 * 60_000))
    );
    assert_eq!(
        reset("rate limited; retry in 1.5 hours"),
        Some(Some(NOON + 90 * 60_000))
    );
    // Codex's words.
    assert_eq!(
        reset(
            "You've hit your usage limit. Upgrade to Pro or try again in 1 day 2 hours 5 minutes."
        ),
        Some(Some(NOON + 26 * 3_600_000 + 5 * 60_000))
    );
    assert_eq!(reset("rate limited; retry in a while"), Some(None));
}

#[test]
fn a_reset_ahead_is_waited_for_and_a_past_one_backs_off() {
    let limit = RateLimit {
        resets_at: Some(NOON + 5_000),
    };
    assert_eq!(limit.retry_at(NOON, None), (NOON + 5_000, 5_000));
    assert_eq!(limit.reset_ahead(NOON), Some(NOON + 5_000));
    // Past: never "now" (an agent answering so again would be restarted in a loop).
    let later = NOON + 9_000;
    assert_eq!(limit.reset_ahead(later), None);
    assert_eq!(
        limit.retry_at(later, Some(60_000)),
        (later + 120_000, 120_000)
    );
    assert_eq!(
        limit.retry_at(later, None),
        (later + FIRST_BACKOFF_MS, FIRST_BACKOFF_MS)
    );
}

#[test]
fn without_a_reset_the_back_off_doubles_up_to_its_cap() {
    let limit = RateLimit { resets_at: None };
    assert_eq!(
        limit.retry_at(NOON, None),
        (NOON + FIRST_BACKOFF_MS, FIRST_BACKOFF_MS)
    );
    assert_eq!(
        limit.retry_at(NOON, Some(FIRST_BACKOFF_MS)),
        (NOON + 2 * FIRST_BACKOFF_MS, 2 * FIRST_BACKOFF_MS)
    );
    assert_eq!(
        limit.retry_at(NOON, Some(MAX_BACKOFF_MS)),
        (NOON + MAX_BACKOFF_MS, MAX_BACKOFF_MS)
    );
    // A wait of nothing starts again from the first back-off.
    assert_eq!(limit.retry_at(NOON, Some(0)).1, FIRST_BACKOFF_MS);
}
