//! Text deltas coalesced before they are stored: a model writes a token at a time, and one
//! stored event per token would make the log (and every replay of it) grow by the token. The
//! actor keeps the deltas of the block being written here and stores them as one
//! `AssistantDelta` when [`FLUSH_AFTER`] has passed since the first of them, when
//! [`FLUSH_BYTES`] have gathered, or when any other event is about to be stored (so the log
//! keeps the agent's order). The block's complete `AssistantText` supersedes the deltas, so
//! what is still buffered when it arrives is dropped: a fast block stores no delta at all.
//! Every stored event keeps its seq, and a resumed stream gets exactly what was stored.

use model::StreamEvent;
use std::time::Duration;
use tokio::time::Instant;

/// How long text may wait before the browser sees it.
pub const FLUSH_AFTER: Duration = Duration::from_millis(50);
/// How much text may wait at most, whatever the time.
pub const FLUSH_BYTES: usize = 4 * 1024;

#[derive(Debug, Default)]
pub struct DeltaBuffer {
    text: String,
    /// When the oldest buffered delta arrived.
    since: Option<Instant>,
}

impl DeltaBuffer {
    /// Takes in a delta; returns the coalesced one to store now if the buffer is full.
    pub fn push(&mut self, text: &str, now: Instant) -> Option<StreamEvent> {
        self.text.push_str(text);
        self.since.get_or_insert(now);
        (self.text.len() >= FLUSH_BYTES)
            .then(|| self.take())
            .flatten()
    }

    /// When the buffered text must be stored, if any is buffered.
    pub fn deadline(&self) -> Option<Instant> {
        self.since.map(|since| since + FLUSH_AFTER)
    }

    /// The buffered text as one delta, if there is any.
    pub fn take(&mut self) -> Option<StreamEvent> {
        self.since = None;
        (!self.text.is_empty()).then(|| StreamEvent::AssistantDelta {
            text: std::mem::take(&mut self.text),
        })
    }

    /// The complete block arrived: what is buffered is in it already.
    pub fn discard(&mut self) {
        self.text.clear();
        self.since = None;
    }

    /// Routes an event about to be stored: what to store, in order (nothing yet for a
    /// delta that stays buffered).
    pub fn route(&mut self, event: StreamEvent, now: Instant) -> Vec<StreamEvent> {
        match event {
            StreamEvent::AssistantDelta { text } => self.push(&text, now).into_iter().collect(),
            StreamEvent::AssistantText { .. } => {
                self.discard();
                vec![event]
            }
            other => self.take().into_iter().chain([other]).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delta(t: &str) -> StreamEvent {
        StreamEvent::AssistantDelta { text: t.into() }
    }

    #[test]
    fn a_block_that_completes_quickly_stores_only_its_text() {
        let mut buffer = DeltaBuffer::default();
        let now = Instant::now();
        assert!(buffer.route(delta("Hel"), now).is_empty());
        assert!(buffer.route(delta("lo"), now).is_empty());
        assert_eq!(buffer.deadline(), Some(now + FLUSH_AFTER));
        let complete = StreamEvent::AssistantText {
            text: "Hello".into(),
        };
        assert_eq!(buffer.route(complete.clone(), now), vec![complete]);
        assert_eq!(buffer.deadline(), None);
        assert_eq!(buffer.take(), None);
    }

    #[test]
    fn deltas_are_stored_coalesced_before_any_other_event() {
        let mut buffer = DeltaBuffer::default();
        let now = Instant::now();
        buffer.route(delta("a "), now);
        buffer.route(delta("b"), now + Duration::from_millis(10));
        // The deadline counts from the oldest buffered delta.
        assert_eq!(buffer.deadline(), Some(now + FLUSH_AFTER));
        let log = StreamEvent::Log {
            line: "warn".into(),
        };
        assert_eq!(buffer.route(log.clone(), now), vec![delta("a b"), log]);
        assert_eq!(buffer.deadline(), None);
    }

    #[test]
    fn a_timer_or_a_full_buffer_stores_the_text_gathered() {
        let mut buffer = DeltaBuffer::default();
        let now = Instant::now();
        buffer.route(delta("one "), now);
        // The actor's timer fired: what gathered goes out as one event.
        assert_eq!(buffer.take(), Some(delta("one ")));
        let big = "x".repeat(FLUSH_BYTES - 1);
        assert!(buffer.route(delta(&big), now).is_empty());
        assert_eq!(
            buffer.route(delta("yz"), now),
            vec![delta(&format!("{big}yz"))]
        );
        assert_eq!(buffer.deadline(), None, "nothing left waiting");
    }
}
