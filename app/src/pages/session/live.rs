//! The live half of a session page: an EventSource on the session's stream that resumes
//! after the last event shown, appends each event once, shows its connection state, and is
//! closed for good once the session's final status has arrived (the server ends the stream
//! there, and answers a later reconnect with 204).

use leptos::prelude::*;
use model::StoredEvent;

// Only the browser build constructs the live states.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Reconnecting,
}

impl Connection {
    pub fn label(self) -> &'static str {
        match self {
            Connection::Connecting => "Connecting…",
            Connection::Live => "Live",
            Connection::Reconnecting => "Reconnecting…",
        }
    }
}

/// Whether the shown events end the session: nothing more will come.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn ended(events: &[StoredEvent]) -> bool {
    events
        .last()
        .is_some_and(|last| last.event.is_final_status())
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// Appends `event` unless it is already shown (the stream is exactly-once; this guards a
/// manual reconnect racing the browser's own).
pub fn append_once(events: &mut Vec<StoredEvent>, event: StoredEvent) -> bool {
    if events.last().is_some_and(|last| event.seq <= last.seq) {
        return false;
    }
    events.push(event);
    true
}

/// Follows `url` (the stream route) in the browser; a no-op on the server.
#[allow(unused_variables)]
pub fn follow(url: String, events: RwSignal<Vec<StoredEvent>>, connection: RwSignal<Connection>) {
    #[cfg(feature = "hydrate")]
    browser::follow(url, events, connection);
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Connection, append_once, ended};
    use futures::{FutureExt, StreamExt};
    use gloo_net::eventsource::{State, futures::EventSource};
    use leptos::prelude::*;
    use model::StoredEvent;
    use std::time::Duration;

    async fn sleep(duration: Duration) {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        set_timeout(
            move || {
                let _ = tx.send(());
            },
            duration,
        );
        let _ = rx.await;
    }

    pub fn follow(
        url: String,
        events: RwSignal<Vec<StoredEvent>>,
        connection: RwSignal<Connection>,
    ) {
        let alive = StoredValue::new(true);
        on_cleanup(move || alive.set_value(false));
        leptos::task::spawn_local(async move {
            while alive.try_get_value().unwrap_or(false) {
                if events.with_untracked(|e| ended(e)) {
                    return;
                }
                let after = events.with_untracked(|e| e.last().map_or(0, |l| l.seq));
                let Ok(mut source) = EventSource::new(&format!("{url}?after={after}")) else {
                    connection.set(Connection::Reconnecting);
                    sleep(Duration::from_secs(2)).await;
                    continue;
                };
                let Ok(mut stream) = source.subscribe("message") else {
                    continue;
                };
                loop {
                    let next = stream.next().fuse();
                    let tick = sleep(Duration::from_millis(500)).fuse();
                    futures::pin_mut!(next, tick);
                    futures::select! {
                        message = next => match message {
                            Some(Ok((_, message))) => {
                                connection.set(Connection::Live);
                                let data = message.data().as_string().unwrap_or_default();
                                if let Ok(event) = serde_json::from_str::<StoredEvent>(&data) {
                                    events.update(|e| { append_once(e, event); });
                                }
                                if events.with_untracked(|e| ended(e)) {
                                    source.close();
                                    return;
                                }
                            }
                            // Closed for good (the browser gave up): reconnect ourselves.
                            _ => break,
                        },
                        () = tick => {
                            if !alive.try_get_value().unwrap_or(false) {
                                return;
                            }
                            connection.set(match source.state() {
                                State::Open => Connection::Live,
                                State::Connecting => Connection::Reconnecting,
                                State::Closed => break,
                            });
                        }
                    }
                }
                drop(stream);
                source.close();
                connection.set(Connection::Reconnecting);
                sleep(Duration::from_secs(1)).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::StreamEvent;

    #[test]
    fn a_final_status_ends_the_stream() {
        let ev = |seq, event| StoredEvent { seq, at: 0, event };
        let idle = StreamEvent::StatusChanged {
            status: "idle".into(),
        };
        let done = StreamEvent::StatusChanged {
            status: "killed".into(),
        };
        assert!(!ended(&[]));
        assert!(!ended(&[ev(1, idle)]));
        assert!(ended(&[ev(1, StreamEvent::QueueDrained), ev(2, done)]));
    }

    #[test]
    fn events_are_appended_once_in_order() {
        let ev = |seq| StoredEvent {
            seq,
            at: 0,
            event: StreamEvent::QueueDrained,
        };
        let mut shown = vec![ev(1), ev(2)];
        assert!(!append_once(&mut shown, ev(2)));
        assert!(!append_once(&mut shown, ev(1)));
        assert!(append_once(&mut shown, ev(3)));
        assert_eq!(
            shown.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }
}
