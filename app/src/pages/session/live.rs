//! The live half of a session page: an EventSource on the session's stream that resumes
//! after the last event shown, hands each event to the transcript once, shows its connection
//! state, and is closed for good once the session's final status has arrived (the server ends
//! the stream there, and answers a later reconnect with 204).

use super::view::TranscriptView;
use leptos::prelude::*;

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

/// Follows `url` (the stream route) in the browser; a no-op on the server.
#[allow(unused_variables)]
pub fn follow(url: String, view: TranscriptView, connection: RwSignal<Connection>) {
    #[cfg(feature = "hydrate")]
    browser::follow(url, view, connection);
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Connection, TranscriptView};
    use crate::components::time::sleep;
    use futures::{FutureExt, StreamExt};
    use gloo_net::eventsource::{State, futures::EventSource};
    use leptos::prelude::*;
    use model::StoredEvent;
    use std::time::Duration;

    /// How often the connection's state is looked at while no message comes.
    const STATE_CHECK: Duration = Duration::from_millis(500);

    pub fn follow(url: String, view: TranscriptView, connection: RwSignal<Connection>) {
        let alive = StoredValue::new(true);
        on_cleanup(move || alive.set_value(false));
        leptos::task::spawn_local(async move {
            while alive.try_get_value().unwrap_or(false) {
                if view.ended() {
                    return;
                }
                let after = view.last_seq();
                let Ok(mut source) = EventSource::new(&format!("{url}?after={after}")) else {
                    connection.set(Connection::Reconnecting);
                    sleep(Duration::from_secs(2)).await;
                    continue;
                };
                let Ok(stream) = source.subscribe("message") else {
                    continue;
                };
                let mut stream = stream.fuse();
                // One timer for the connection's state, not one per message: a flood of
                // messages would otherwise leave thousands of timeouts pending.
                let mut tick = Box::pin(sleep(STATE_CHECK).fuse());
                loop {
                    futures::select! {
                        message = stream.next() => match message {
                            Some(Ok((_, message))) => {
                                set_if_changed(connection, Connection::Live);
                                receive(view, &message);
                                // Whatever else already arrived is taken in the same wake.
                                while let Some(Some(Ok((_, message)))) = stream.next().now_or_never() {
                                    receive(view, &message);
                                }
                                if view.ended() {
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
                            set_if_changed(connection, match source.state() {
                                State::Open => Connection::Live,
                                State::Connecting => Connection::Reconnecting,
                                State::Closed => break,
                            });
                            tick = Box::pin(sleep(STATE_CHECK).fuse());
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

    fn receive(view: TranscriptView, message: &web_sys::MessageEvent) {
        let data = message.data().as_string().unwrap_or_default();
        if let Ok(event) = crate::pages::from_json::<StoredEvent>(&data) {
            view.push(event);
        }
    }

    fn set_if_changed(signal: RwSignal<Connection>, value: Connection) {
        if signal.get_untracked() != value {
            signal.set(value);
        }
    }
}
