//! Times and durations as text, identical on the server and in the browser (so hydration
//! matches); the calendar arithmetic is `model::time`'s.

pub use model::time::format_utc;

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
    fn formats_durations() {
        assert_eq!(format_duration_ms(350), "350 ms");
        assert_eq!(format_duration_ms(1_234), "1.2 s");
        assert_eq!(format_duration_ms(125_000), "2 min 5 s");
    }
}
