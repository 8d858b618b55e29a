//! The event log: every session event is persisted with its per-session `seq` by one writer
//! task in short batched transactions, then published to live subscribers — so whatever a
//! subscriber receives is already in the store, and a lagging one can catch up from there.

use super::wire::{LiveEvent, WireEvent};
use crate::store::{self, Db, StoreError, now_ms};
use model::stream::ActivityLine;
use model::{SessionId, StoredEvent, StreamEvent};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, broadcast, mpsc, oneshot};

/// Events written per transaction at most: large enough to amortise the commit, small enough
/// that one chatty agent cannot hold the writer for long.
const MAX_BATCH: usize = 2_048;
/// Events appended and not yet written, over every session, past which agents' output is not
/// read until the writer catches up: a flooding agent then waits on its pipe, instead of its
/// events piling up in memory and reaching the browser ever later.
const BACKLOG_LIMIT: usize = 4_096;
/// Live events a subscriber may fall behind by before it is caught up from the store.
const LIVE_CAPACITY: usize = 1_024;
/// Events read per query when replaying history.
pub const REPLAY_PAGE: usize = 1_000;

enum Command {
    Append(SessionId, StreamEvent),
    Flush(oneshot::Sender<()>),
}

type Hub = Arc<Mutex<HashMap<SessionId, broadcast::Sender<Arc<LiveEvent>>>>>;

/// Activity lines of every session, for the board's cards: ephemeral (a lagging reader skips).
const ACTIVITY_CAPACITY: usize = 256;

/// Cheap to clone; all clones feed the same writer.
#[derive(Clone)]
pub struct EventLog {
    commands: mpsc::UnboundedSender<Command>,
    hub: Hub,
    activity: broadcast::Sender<(SessionId, ActivityLine)>,
    backlog: Arc<Backlog>,
}

/// How many appended events the writer has still to write, and a wake-up when it wrote some.
#[derive(Default)]
struct Backlog {
    queued: AtomicUsize,
    room: Notify,
}

impl EventLog {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(db: Db) -> EventLog {
        let (commands, rx) = mpsc::unbounded_channel();
        let hub: Hub = Arc::default();
        let activity = broadcast::channel(ACTIVITY_CAPACITY).0;
        let backlog = Arc::new(Backlog::default());
        tokio::spawn(writer(
            db,
            rx,
            hub.clone(),
            activity.clone(),
            backlog.clone(),
        ));
        EventLog {
            commands,
            hub,
            activity,
            backlog,
        }
    }

    /// Resolves once the writer's backlog is under its limit: an agent's next line is read
    /// only then.
    pub async fn room(&self) {
        loop {
            let wrote = self.backlog.room.notified();
            tokio::pin!(wrote);
            wrote.as_mut().enable();
            if self.backlog.queued.load(Ordering::Acquire) < BACKLOG_LIMIT {
                return;
            }
            wrote.await;
        }
    }

    /// Every session's activity lines (see [`model::stream::activity_line`]) from now on.
    pub fn subscribe_activity(&self) -> broadcast::Receiver<(SessionId, ActivityLine)> {
        self.activity.subscribe()
    }

    /// Queues an event for `session`; it gets the next `seq` when written.
    pub fn append(&self, session: SessionId, event: StreamEvent) {
        self.backlog.queued.fetch_add(1, Ordering::AcqRel);
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
    /// nothing falls between the two. The channel closes after the session's final status.
    pub fn subscribe(&self, session: SessionId) -> LiveEvents {
        let mut hub = self.hub.lock().unwrap_or_else(|p| p.into_inner());
        let sender = hub
            .entry(session)
            .or_insert_with(|| broadcast::channel(LIVE_CAPACITY).0);
        LiveEvents {
            receiver: sender.subscribe(),
            channel: sender.downgrade(),
            hub: self.hub.clone(),
            session,
        }
    }

    /// How many sessions have a live channel (for tests and diagnostics).
    pub fn live_channels(&self) -> usize {
        self.hub.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// A subscription to one session's live events. The last one to go takes the session's
/// channel (and the events it buffers) out of the hub: a finished session someone looked at
/// costs nothing afterwards.
pub struct LiveEvents {
    receiver: broadcast::Receiver<Arc<LiveEvent>>,
    channel: broadcast::WeakSender<Arc<LiveEvent>>,
    hub: Hub,
    session: SessionId,
}

impl LiveEvents {
    pub async fn recv(&mut self) -> Result<Arc<LiveEvent>, broadcast::error::RecvError> {
        self.receiver.recv().await
    }

    /// The next live event if one is already there (to send several at once).
    pub fn try_recv(&mut self) -> Result<Arc<LiveEvent>, broadcast::error::TryRecvError> {
        self.receiver.try_recv()
    }
}

impl Drop for LiveEvents {
    fn drop(&mut self) {
        let mut hub = self.hub.lock().unwrap_or_else(|p| p.into_inner());
        let ours = self.channel.upgrade();
        if let Some(sender) = hub.get(&self.session)
            && ours.is_some_and(|ours| ours.same_channel(sender))
            && sender.receiver_count() <= 1
        {
            hub.remove(&self.session);
        }
    }
}

async fn writer(
    db: Db,
    mut rx: mpsc::UnboundedReceiver<Command>,
    hub: Hub,
    activity: broadcast::Sender<(SessionId, ActivityLine)>,
    backlog: Arc<Backlog>,
) {
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
            let count = batch.len();
            let seqs = std::mem::take(&mut next_seq);
            match db.write(move |conn| persist(conn, batch, seqs)).await {
                Ok((stored, seqs)) => {
                    next_seq = seqs;
                    publish(&hub, &activity, stored);
                }
                Err(e) => tracing::error!(error = %e, "persisting session events failed"),
            }
            backlog.queued.fetch_sub(count, Ordering::AcqRel);
            backlog.room.notify_waiters();
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

type Persisted = (Vec<(SessionId, LiveEvent)>, HashMap<SessionId, i64>);

/// Writes a batch in one transaction, each session's events under a savepoint of their own:
/// events the store refuses (their session was removed meanwhile, say) are dropped with that
/// session's part of the batch alone, and every other session's events are kept.
fn persist(
    conn: &mut rusqlite::Connection,
    batch: Vec<(SessionId, StreamEvent)>,
    mut seqs: HashMap<SessionId, i64>,
) -> Result<Persisted, StoreError> {
    let at = now_ms();
    let mut by_session: Vec<(SessionId, Vec<StreamEvent>)> = Vec::new();
    for (session, event) in batch {
        match by_session.iter_mut().find(|(s, _)| *s == session) {
            Some((_, events)) => events.push(event),
            None => by_session.push((session, vec![event])),
        }
    }
    let mut tx = conn.transaction()?;
    let mut stored = Vec::new();
    for (session, events) in by_session {
        let count = events.len();
        match persist_session(&mut tx, session, events, at, seqs.get(&session).copied()) {
            Ok(written) => {
                if let Some((_, last)) = written.last() {
                    seqs.insert(session, last.stored.seq);
                }
                stored.extend(written);
            }
            Err(e) => {
                // Its next event reads the seq from the store again.
                seqs.remove(&session);
                tracing::error!(%session, error = %e, count, "session events refused; dropped");
            }
        }
    }
    tx.commit()?;
    Ok((stored, seqs))
}

/// One session's events, numbered after `last` (else after the stored maximum), under a
/// savepoint that is rolled back if any of them is refused.
fn persist_session(
    tx: &mut rusqlite::Transaction<'_>,
    session: SessionId,
    events: Vec<StreamEvent>,
    at: i64,
    last: Option<i64>,
) -> Result<Vec<(SessionId, LiveEvent)>, StoreError> {
    let sp = tx.savepoint()?;
    let mut seq = match last {
        Some(last) => last,
        None => store::sessions::max_seq(&sp, session)?,
    };
    let stored: Vec<(SessionId, StoredEvent)> = events
        .into_iter()
        .map(|event| {
            seq += 1;
            (session, StoredEvent { seq, at, event })
        })
        .collect();
    let payloads = store::sessions::append_events(&sp, &stored)?;
    sp.commit()?;
    Ok(stored
        .into_iter()
        .zip(payloads)
        .map(|((session, stored), payload)| {
            let wire = WireEvent::new(&stored, &payload);
            (session, LiveEvent { stored, wire })
        })
        .collect())
}

fn publish(
    hub: &Hub,
    activity: &broadcast::Sender<(SessionId, ActivityLine)>,
    stored: Vec<(SessionId, LiveEvent)>,
) {
    // Only the latest line per session of this batch: a card shows one line.
    if activity.receiver_count() > 0 {
        let mut latest: HashMap<SessionId, ActivityLine> = HashMap::new();
        for (session, event) in &stored {
            if let Some(line) = ActivityLine::of(&event.stored.event) {
                latest.insert(*session, line);
            }
        }
        for line in latest {
            let _ = activity.send(line);
        }
    }
    let mut hub = hub.lock().unwrap_or_else(|p| p.into_inner());
    for (session, event) in stored {
        let last = event.wire.ends_stream;
        if let Some(sender) = hub.get(&session) {
            // No receiver left: forget the channel; the next subscriber makes a new one.
            if sender.send(Arc::new(event)).is_err() {
                hub.remove(&session);
            }
        }
        // Nothing follows a final status: closing the channel ends every live stream of it
        // once it has read what is buffered.
        if last {
            hub.remove(&session);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sessions::{NewSession, events_after};
    use crate::testing::{temp_engine, temp_project};
    use model::{AgentKind, PermissionPolicy, ProjectId, RuntimeSelection, Session};

    async fn new_session(engine: &crate::Engine, project: ProjectId) -> Session {
        engine
            .db()
            .write(move |conn| {
                let runtime = RuntimeSelection {
                    agent: AgentKind::Codex,
                    model: Some("m".into()),
                    ..RuntimeSelection::default()
                };
                store::sessions::insert(
                    conn,
                    &NewSession {
                        project,
                        task: None,
                        runtime: &runtime,
                        permission: PermissionPolicy::WorkspaceWrite,
                        cwd: "/tmp",
                        resume: None,
                    },
                )
                .map_err(crate::EngineError::from)
            })
            .await
            .unwrap()
    }

    fn text(t: &str) -> StreamEvent {
        StreamEvent::AssistantText { text: t.into() }
    }

    #[tokio::test]
    async fn seqs_are_per_session_gapless_and_published_after_persisting() {
        let (engine, _dir) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let a = new_session(&engine, project.id).await;
        let b = new_session(&engine, project.id).await;
        let mut live_a = engine.events().subscribe(a.id);
        for i in 0..5 {
            engine.events().append(a.id, text(&format!("a{i}")));
            engine.events().append(b.id, text(&format!("b{i}")));
        }
        engine.events().flush().await;
        for seq in 1..=5 {
            let got = live_a.recv().await.unwrap().stored.clone();
            assert_eq!(got.seq, seq);
            // Published events are already in the store.
            let stored = engine
                .db()
                .read(move |c| events_after(c, a.id, seq - 1, 1).map_err(StoreError::from))
                .await
                .unwrap();
            assert_eq!(stored[0], got);
        }
        let b_events = engine
            .session_events(project.id, b.id, 0, 100)
            .await
            .unwrap();
        let seqs: Vec<i64> = b_events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
        assert_eq!(b_events[4].event, text("b4"));
    }

    #[tokio::test]
    async fn events_the_store_refuses_drop_only_their_own_session() {
        let (engine, _dir) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let a = new_session(&engine, project.id).await;
        // No such row (its project was removed, say): the foreign key refuses its events.
        let gone = SessionId(a.id.0 + 1_000);
        for i in 0..3 {
            engine.events().append(gone, text(&format!("lost {i}")));
            engine.events().append(a.id, text(&format!("a{i}")));
        }
        engine.events().flush().await;
        engine.events().append(a.id, text("after"));
        engine.events().flush().await;
        let kept = engine
            .session_events(project.id, a.id, 0, 100)
            .await
            .unwrap();
        assert_eq!(kept.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(kept[3].event, text("after"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn agents_wait_while_the_writer_is_behind() {
        let (engine, _dir) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let s = new_session(&engine, project.id).await;
        // Hold the writer connection: nothing the log is given can be written meanwhile.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (holding, writer_held) = oneshot::channel();
        let db = engine.db().clone();
        let holder = tokio::spawn(async move {
            db.write(move |_| {
                let _ = holding.send(());
                let _ = held.recv();
                Ok::<_, StoreError>(())
            })
            .await
        });
        writer_held.await.unwrap();
        engine.events().room().await;
        for i in 0..BACKLOG_LIMIT {
            engine.events().append(s.id, text(&format!("{i}")));
        }
        // Bounded only to end the test: were there room, it would resolve at once.
        let waiting = tokio::time::timeout(
            std::time::Duration::from_millis(100),
            engine.events().room(),
        );
        assert!(waiting.await.is_err(), "no room while the writer is behind");
        release.send(()).unwrap();
        holder.await.unwrap().unwrap();
        engine.events().room().await;
        engine.events().flush().await;
        let stored = engine
            .session_events(project.id, s.id, 0, 10_000)
            .await
            .unwrap();
        assert_eq!(stored.len(), BACKLOG_LIMIT);
    }

    #[tokio::test]
    async fn a_finished_sessions_channel_goes_with_its_last_subscriber() {
        let (engine, _dir) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let s = new_session(&engine, project.id).await;
        let first = engine.events().subscribe(s.id);
        let second = engine.events().subscribe(s.id);
        assert_eq!(engine.events().live_channels(), 1);
        drop(first);
        assert_eq!(engine.events().live_channels(), 1);
        drop(second);
        assert_eq!(engine.events().live_channels(), 0);
        // A final status closes the channel for whoever still listens.
        let mut live = engine.events().subscribe(s.id);
        let done = StreamEvent::StatusChanged {
            status: model::SessionStatus::Completed,
        };
        engine.events().append(s.id, done.clone());
        engine.events().flush().await;
        assert_eq!(engine.events().live_channels(), 0);
        assert_eq!(live.recv().await.unwrap().stored.event, done);
        assert!(live.recv().await.is_err(), "closed after the final status");
    }

    #[tokio::test]
    async fn a_restarted_log_continues_after_the_stored_seq() {
        let (engine, dir) = temp_engine().await;
        let (project, _repo) = temp_project(&engine).await;
        let s = new_session(&engine, project.id).await;
        engine.events().append(
            s.id,
            StreamEvent::AgentSession {
                agent_session_id: "thread-1".into(),
                model: None,
            },
        );
        engine.events().flush().await;
        let reopened = crate::Engine::open(dir.path()).await.unwrap();
        reopened.events().append(s.id, text("after restart"));
        reopened.events().flush().await;
        let events = reopened
            .session_events(project.id, s.id, 0, 10)
            .await
            .unwrap();
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
        let session = reopened.session(project.id, s.id).await.unwrap();
        assert_eq!(session.agent_session_id.as_deref(), Some("thread-1"));
        assert_eq!(session.runtime.model(), Some("m"));
    }

    #[tokio::test]
    async fn sessions_are_scoped_by_project() {
        let (engine, _dir) = temp_engine().await;
        let (a, _ra) = temp_project(&engine).await;
        let (b, _rb) = temp_project(&engine).await;
        let s = new_session(&engine, a.id).await;
        assert!(matches!(
            engine.session(b.id, s.id).await,
            Err(crate::EngineError::Forbidden(_))
        ));
        assert!(matches!(
            engine.session(a.id, model::SessionId(999)).await,
            Err(crate::EngineError::NotFound(_))
        ));
        assert!(engine.list_sessions(b.id).await.unwrap().is_empty());
        assert_eq!(engine.list_sessions(a.id).await.unwrap().len(), 1);
    }
}
