//! Times and durations as text, identical on the server and in the browser (so hydration
//! matches); the calendar arithmetic is `model::time`'s.

use leptos::prelude::*;
pub use model::time::format_utc;
use model::time::{UtcTime, format_relative};

/// How often relative times are brought up to date.
#[cfg(feature = "hydrate")]
const TICK: std::time::Duration = std::time::Duration::from_secs(30);

/// The tab's one clock for relative times (Unix milliseconds), provided by the app.
#[derive(Clone, Copy)]
pub struct Clock(RwSignal<i64>);

impl Clock {
    /// Starts the clock: in the browser it ticks every 30 seconds, and once right after the
    /// page hydrates (the server's "5 min ago" may be a minute old by then).
    pub fn provide() {
        let now = RwSignal::new(now_ms());
        #[cfg(feature = "hydrate")]
        {
            Effect::new(move |_| now.set(now_ms()));
            if let Ok(handle) = set_interval_with_handle(move || now.set(now_ms()), TICK) {
                on_cleanup(move || handle.clear());
            }
        }
        provide_context(Clock(now));
    }

    fn now() -> i64 {
        use_context::<Clock>().map_or_else(now_ms, |Clock(now)| now.get())
    }
}

fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// An instant (Unix milliseconds) as "5 min ago", with the absolute time on hover.
#[component]
pub fn When(ms: i64) -> impl IntoView {
    view! {
        <time datetime=iso_8601(ms) title=format_utc(ms)>{move || format_relative(Clock::now(), ms)}</time>
    }
}

/// "2026-11-27T06:05:12Z", as `<time datetime>` reads it.
fn iso_8601(ms: i64) -> String {
    let t = UtcTime::from_unix_ms(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// Resolves after `duration`, on the browser's timer (the live streams' waits between tries).
#[cfg(feature = "hydrate")]
pub async fn sleep(duration: std::time::Duration) {
    let (tx, rx) = futures::channel::oneshot::channel::<()>();
    leptos::prelude::set_timeout(
        move || {
            let _ = tx.send(());
        },
        duration,
    );
    let _ = rx.await;
}

/// "1.2 s", "350 ms", "2 min 5 s".
pub fn format_duration_ms(ms: u64) -> String {
    match ms {
        0..=999 => format!("{ms} ms"),
        1_000..=59_999 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{} min {} s", ms / 60_000, ms % 60_000 / 1000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_datetime_attribute_is_iso_8601() {
        assert_eq!(iso_8601(1_764_223_512_345), "2025-11-27T06:05:12Z");
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_duration_ms(350), "350 ms");
        assert_eq!(format_duration_ms(1_234), "1.2 s");
        assert_eq!(format_duration_ms(125_000), "2 min 5 s");
    }
}
