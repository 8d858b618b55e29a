//! The engine's clock for waits measured in minutes (a rate limit's reset): the system's time,
//! plus an offset a test moves forward, so a test waits out an hour's limit without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct Clock {
    /// Added to the system's time; only [`Clock::advance`] changes it.
    offset_ms: AtomicI64,
    /// Told when the offset moves, so sleepers look at the time again.
    moved: Notify,
}

impl Clock {
    /// Now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        crate::store::now_ms() + self.offset_ms.load(Ordering::SeqCst)
    }

    /// Moves this clock forward (tests): whoever sleeps until a time now past wakes.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(by, Ordering::SeqCst);
        self.moved.notify_waiters();
    }

    /// Returns once this clock reads `at` (Unix milliseconds) or later.
    pub async fn sleep_until(&self, at: i64) {
        loop {
            // Registered before the time is read: an advance in between still wakes it.
            let moved = self.moved.notified();
            tokio::pin!(moved);
            moved.as_mut().enable();
            let left = at - self.now_ms();
            if left <= 0 {
                return;
            }
            let left = Duration::from_millis(u64::try_from(left).unwrap_or(u64::MAX));
            tokio::select! {
                () = tokio::time::sleep(left) => {}
                () = &mut moved => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn an_advance_wakes_a_sleeper_whose_time_has_come() {
        let clock = Arc::new(Clock::default());
        let at = clock.now_ms() + 3_600_000;
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(at).await }
        });
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(3_600));
        sleeper.await.unwrap();
        assert!(clock.now_ms() >= at);
    }

    #[tokio::test]
    async fn a_time_already_past_returns_at_once() {
        let clock = Clock::default();
        clock.sleep_until(clock.now_ms() - 1).await;
    }
}
