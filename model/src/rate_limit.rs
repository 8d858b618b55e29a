//! Rate limits (issue "Usage, budgets and attention", item 4): recognising an agent's answer
//! that it is rate-limited or out of quota, when it may try again, and the back-off when the
//! answer does not say. Pure, so the stand-in's scripted answers and the CLIs' real ones are
//! tested alike.

/// The first back-off when an answer gives no reset time; each further one doubles.
pub const FIRST_BACKOFF_MS: i64 = 60_000;
/// The longest back-off.
pub const MAX_BACKOFF_MS: i64 = 30 * 60_000;

/// Words of a rate-limit or quota answer, as the CLIs print them (lower-cased): Claude Code's
/// "5-hour limit reached ∙ resets 3pm" and "Claude AI usage limit reached|<unix>", the HTTP
/// 429 "Too Many Requests" / `rate_limit_error` the model APIs answer, Codex's "You've hit
/// your usage limit", Gemini's `RESOURCE_EXHAUSTED` / "Quota exceeded".
const SIGNS: &[&str] = &[
    "rate limit",
    "rate_limit",
    "ratelimit",
    "usage limit",
    "too many requests",
    "resource_exhausted",
    "resource exhausted",
    "quota exceeded",
    "exceeded your current quota",
    "hit your limit",
    "hour limit reached",
    "weekly limit reached",
];

/// Answers that look like a limit but that waiting does not cure: no credit left, a billing
/// problem. Those fail the task, so the user learns of them.
const PAID_ONLY: &[&str] = &[
    "insufficient_quota",
    "billing",
    "credit balance",
    "spend limit",
    "purchase more credits",
];

/// An answer recognised as a rate limit, with when it resets if the answer says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Unix milliseconds.
    pub resets_at: Option<i64>,
}

impl RateLimit {
    /// `text` (an error the agent reported, or its turn's failure) read as a rate limit, at
    /// `now` (Unix milliseconds, for "try again in 20 minutes").
    pub fn recognise(text: &str, now: i64) -> Option<RateLimit> {
        let lower = text.to_lowercase();
        let limited = SIGNS.iter().any(|s| lower.contains(s)) || is_status_429(&lower);
        // Google's every 429 says "check your plan and billing details", a spent daily quota
        // too: its `RESOURCE_EXHAUSTED` is a limit that resets, never a paid-only one.
        let paid_only =
            PAID_ONLY.iter().any(|s| lower.contains(s)) && !lower.contains("resource_exhausted");
        if !limited || paid_only {
            return None;
        }
        Some(RateLimit {
            resets_at: unix_after_bar(&lower)
                .or_else(|| resets_at_utc(&lower))
                .or_else(|| after_duration(&lower).map(|ms| now + ms)),
        })
    }

    /// The reset, when the answer gives one still ahead of `now`.
    pub fn reset_ahead(self, now: i64) -> Option<i64> {
        self.resets_at.filter(|at| *at > now)
    }

    /// When to try again: at the reset when it is ahead, else after a back-off that doubles
    /// from [`FIRST_BACKOFF_MS`] on each consecutive limit, up to [`MAX_BACKOFF_MS`] — a reset
    /// already past (a clock apart, a limit that outlived it) backs off too, so an agent that
    /// keeps answering so is never restarted in a tight loop. Returns the time and the wait it
    /// used (kept for the next doubling).
    pub fn retry_at(self, now: i64, previous_wait: Option<i64>) -> (i64, i64) {
        match self.reset_ahead(now) {
            Some(at) => (at, at - now),
            None => {
                let wait = previous_wait
                    .filter(|w| *w > 0)
                    .map_or(FIRST_BACKOFF_MS, |w| (w * 2).min(MAX_BACKOFF_MS));
                (now + wait, wait)
            }
        }
    }
}

/// "429" as an HTTP status: "HTTP 429", "status 429", "429 Too Many…", "(429)", not a number
/// that merely contains it.
fn is_status_429(lower: &str) -> bool {
    lower.match_indices("429").any(|(i, _)| {
        let (before, after) = (&lower[..i], &lower[i + 3..]);
        let alone = !before.ends_with(|c: char| c.is_ascii_alphanumeric())
            && !after.starts_with(|c: char| c.is_ascii_alphanumeric());
        let word_before = before.trim_end();
        alone
            && (["http", "status", "status:", "code"]
                .iter()
                .any(|w| word_before.ends_with(w))
                || before.ends_with('(')
                || after.trim_start().starts_with("too many"))
    })
}

/// Claude Code's "Claude AI usage limit reached|1764601200": Unix seconds after a bar.
fn unix_after_bar(lower: &str) -> Option<i64> {
    let (_, rest) = lower.split_once("limit reached|")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let secs: i64 = digits.parse().ok()?;
    (secs > 1_000_000_000).then_some(secs * 1000)
}

/// "resets at 2026-12-04 15:00 UTC" (how DevLog itself and the stand-in write it).
fn resets_at_utc(lower: &str) -> Option<i64> {
    let (_, rest) = lower.split_once("resets at ")?;
    let stamp = rest.get(..16)?;
    let (date, time) = stamp.split_once(' ')?;
    let day = crate::time::Day::parse(date)?;
    let (h, m) = time.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then(|| day.start_ms() + (h * 60 + m) * 60_000)
}

/// "try again in 20 minutes", "retry in 30s", "retry after 2 hours", "resets in 1h 30m": the
/// wait in milliseconds.
fn after_duration(lower: &str) -> Option<i64> {
    ["try again in ", "retry in ", "retry after ", "resets in "]
        .iter()
        .find_map(|lead| lower.split_once(lead).and_then(|(_, rest)| duration(rest)))
}

/// "1h 30m", "20 minutes", "45s", "2.5 hours": the leading duration of `text`.
fn duration(text: &str) -> Option<i64> {
    let mut total = 0.0;
    let mut rest = text.trim_start();
    let mut found = false;
    loop {
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let Ok(value) = number.parse::<f64>() else {
            break;
        };
        let after = rest[number.len()..].trim_start();
        let unit: String = after
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        let ms = match unit.as_str() {
            "ms" => 1.0,
            "s" | "sec" | "secs" | "second" | "seconds" => 1000.0,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000.0,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000.0,
            "d" | "day" | "days" => 86_400_000.0,
            _ => break,
        };
        total += value * ms;
        found = true;
        rest = after[unit.len()..]
            .trim_start_matches([' ', ','])
            .trim_start_matches("and ")
            .trim_start();
    }
    (found && total > 0.0).then_some(total.round() as i64)
}

#[cfg(test)]
#[path = "rate_limit_tests.rs"]
mod tests;
