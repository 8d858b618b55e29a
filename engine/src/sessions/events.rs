//! The event log: every session event is persisted with its per-session `seq` by one writer
//! task in short batched transactions, then published to live subscribers — so whatever a
//! subscriber receives is already in the store, and a lagging one can catch up from there.

use crate::store::{self, Db, StoreError, now_ms};
use model::{SessionId, StoredEvent, StreamEvent};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, mpsc, oneshot};

/// Events written per transaction at most: large enough to amortise the commit, small enough
/// that one chatty agent cannot hold the writer for long.
const MAX_BATCH: usize = 2_048;
/// Live events a subscriber may fall behind by before it is caught up from the store.
const LIVE_CAPACITY: usize = 1_024;
/// Events read per query when replaying history.
pub const REPLAY_PAGE: usize = 500;

enum Command {
    Append(SessionId, StreamEvent),
    Flush(oneshot::Sender<()>),
}

type Hub = Arc<Mutex<HashMap<SessionId, broadcast::Sender<StoredEvent>>>>;

/// Cheap to clone; all clones feed the same writer.
#[derive(Clone)]
pub struct EventLog {
    commands: mpsc::UnboundedSender<Command>,
    hub: Hub,
}

impl EventLog {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(db: Db) -> EventLog {
        let (commands, rx) = mpsc::unbounded_channel();
        let hub: Hub = Arc::default();
        tokio::spawn(writer(db, rx, hub.clone()));
        EventLog { commands, hub }
    }

    /// Queues an event for `session`; it gets the next `seq` when written.
    pub fn append(&self, session: SessionId, event: StreamEvent) {
        if self.commands.send(Command::Append(session, event)).is_err() {
            tracing::error!(%session, "event writer stopped; event dropped");
        }
    }

    /// Resolves once everything appended before it is persisted and published.
    pub async fn flush(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Live events of `session` from now on. Subscribe *before* replaying the store so that
    /// nothing falls between the two.
    pub fn subscribe(&self, session: SessionId) -> broadcast::Receiver<StoredEvent> {
        let mut hub = self.hub.lock().unwrap_or_else(|p| p.into_inner());
        hub.entry(session)
            .or_insert_with(|| broadcast::channel(LIVE_CAPACITY).0)
            .subscribe()
    }
}

async fn writer(db: Db, mut rx: mpsc::UnboundedReceiver<Command>, hub: Hub) {
    let mut next_seq: HashMap<SessionId, i64> = HashMap::new();
    while let Some(first) = rx.recv().await {
        let mut batch = Vec::new();
        let mut flushes = Vec::new();
        let mut next = Some(first);
        while let Some(cmd) = next {
            match cmd {
                Command::Append(session, event) => batch.push((session, event)),
                Command::Flush(done) => flushes.push(done),
            }
            next = if batch.len() < MAX_BATCH {
                rx.try_recv().ok()
            } else {
                None
            };
        }
        if !batch.is_empty() {
            let seqs = std::mem::take(&mut next_seq);
            match db.write(move |conn| persist(conn, batch, seqs)).await {
                Ok((stored, seqs)) => {
                    next_seq = seqs;
                    publish(&hub, stored);
                }
                Err(e) => tracing::error!(error = %e, "persisting session events failed"),
            }
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

type Persisted = (Vec<(SessionId, StoredEvent)>, HashMap<SessionId, i64>);

fn persist(
    conn: &mut rusqlite::Connection,
    batch: Vec<(SessionId, StreamEvent)>,
    mut seqs: HashMap<SessionId, i64>,
) -> Result<Persisted, StoreError> {
    let tx = conn.transaction()?;
    let at = now_ms();
    let mut stored = Vec::with_capacity(batch.len());
    for (session, event) in batch {
        let seq = match seqs.get(&session) {
            Some(last) => last + 1,
            None => store::sessions::max_seq(&tx, session)? + 1,
        };
        seqs.insert(session, seq);
        stored.push((session, StoredEvent { seq, at, event }));
    }
    store::sessions::append_events(&tx, &stored)?;
    tx.commit()?;
    Ok((stored, seqs))
}

fn publish(hub: &Hub, stored: Vec<(SessionId, StoredEvent)>) {
    let mut hub = hub.lock().unwrap_or_else(|p| p.into_inner());
    for (session, event) in stored {
        if let Some(sender) = hub.get(&session) {
            // No receiver left: forget the channel; the next subscriber makes a new one.
            if sender.send(event).is_err() {
                hub.remove(&session);
            }
        }
    }
}
