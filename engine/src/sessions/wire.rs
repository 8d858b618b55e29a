//! An event as the stream sends it: serialised once, when it is written, and shared by every
//! live subscriber (the SSE route writes these bytes as they are, for live events and replays
//! alike, instead of serialising each event again per client).

use model::{StoredEvent, StreamEvent};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireEvent {
    pub seq: i64,
    /// The `StoredEvent` as JSON, on one line.
    pub json: Arc<str>,
    /// The session's final status: nothing follows it in the stream.
    pub ends_stream: bool,
}

impl WireEvent {
    /// From a stored row: `payload` is the event's JSON as the store keeps it.
    pub fn from_row(seq: i64, at: i64, kind: &str, payload: &str) -> WireEvent {
        // Only a status change can end the stream: the other payloads are not read at all.
        let ends_stream = kind == "status_changed"
            && serde_json::from_str::<StreamEvent>(payload).is_ok_and(|e| e.is_final_status());
        WireEvent {
            seq,
            json: format!(r#"{{"seq":{seq},"at":{at},"event":{payload}}}"#).into(),
            ends_stream,
        }
    }

    /// From an event and its payload, as the writer has both.
    pub fn new(stored: &StoredEvent, payload: &str) -> WireEvent {
        WireEvent {
            seq: stored.seq,
            json: format!(
                r#"{{"seq":{},"at":{},"event":{payload}}}"#,
                stored.seq, stored.at
            )
            .into(),
            ends_stream: stored.event.is_final_status(),
        }
    }
}

/// A live event: the typed event (for the engine's own readers) and its wire form.
#[derive(Debug, PartialEq)]
pub struct LiveEvent {
    pub stored: StoredEvent,
    pub wire: WireEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_form_is_the_stored_events_json() {
        for event in [
            StreamEvent::AssistantText {
                text: "a \"quoted\"\nline".into(),
            },
            StreamEvent::StatusChanged {
                status: model::SessionStatus::Killed,
            },
            StreamEvent::StatusChanged {
                status: model::SessionStatus::Idle,
            },
        ] {
            let stored = StoredEvent {
                seq: 7,
                at: 1_700_000_000_000,
                event,
            };
            let payload = serde_json::to_string(&stored.event).unwrap();
            let wire = WireEvent::new(&stored, &payload);
            let parsed: StoredEvent = serde_json::from_str(&wire.json).unwrap();
            assert_eq!(parsed, stored);
            assert!(!wire.json.contains('\n'), "one SSE data line");
            assert_eq!(wire.ends_stream, stored.event.is_final_status());
            let from_row = WireEvent::from_row(7, stored.at, stored.event.kind(), &payload);
            assert_eq!(from_row, wire);
        }
    }
}
